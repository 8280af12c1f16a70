"""The gradient check in the window: a table of analytic vs numerical gradients per input, with
failures in red and kinks in amber, and a ✓ / ✗ / ⚠ badge beside each input on the canvas."""

import dataclasses
import math

import numpy as np
import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMenu, QTreeWidget

import engine
from engine import GATES
from gui.common import theme
from gui.docks import gradcheck_panel
from gui.model.commands import DisconnectCommand, MoveNodesCommand, SetValueCommand
from gui.docks.gradcheck_panel import (ANALYTIC, ELEMENT, INPUT, NOTE, NUMERICAL, REL_ERROR,
                                       STATUS)
from tests.gui_helpers import make_window
from tests.helpers import EXAMPLES, build


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.check = window.gradcheck_panel
    window.show()
    qtbot.waitExposed(window)
    return window


def action(window):
    return next(a for a in window.actions() if a.objectName() == "action_check_gradients")


class Cell:
    """One cell of the check's tree, read as a table cell is."""

    def __init__(self, row, column):
        self.row, self.column = row, column

    def text(self):
        return self.row.text(self.column)

    def foreground(self):
        return self.row.foreground(self.column)

    def background(self):
        return self.row.background(self.column)

    def toolTip(self):
        return self.row.toolTip(self.column)


def cells(row):
    return {column: Cell(row, column) for column in range(row.columnCount())}


def rows(window):
    """The table's top rows as {input: {column: cell}}."""
    table = window.findChild(QTreeWidget, "gradcheck_table")
    return {table.topLevelItem(k).text(INPUT): cells(table.topLevelItem(k))
            for k in range(table.topLevelItemCount())}


def glyphs(window):
    return {node_id: badge.glyph for node_id, badge in window.check.badges.badges().items()}


def broken_exp():
    """A TEST-ONLY copy of the exp row whose backward returns twice the true local gradient."""
    return dataclasses.replace(GATES["exp"], name="badexp",
                               backward=lambda xs, out, g, p: (2.0 * out * g,),
                               scalar_backward=lambda a, out, up: 2.0 * out * up)


def test_the_window_docks_the_check_once_with_its_run_menu_command(window):
    assert window.findChild(QDockWidget, "gradcheck_dock").widget() is window.check
    check = action(window)
    assert check.shortcut() == QKeySequence("Ctrl+G")
    run_menu = window.menuBar().findChild(QMenu, "menu_run")
    assert check in run_menu.actions()
    assert [d.objectName() for d in window.findChildren(QDockWidget)].count("gradcheck_dock") == 1


def every_digit(item) -> float:
    """The number a cell's hover gives in full ("analytic = -0.19661193324148185")."""
    return float(item.toolTip().splitlines()[0].split(" = ")[1])


def test_add_mul_passes_with_three_ticks(window):
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    action(window).trigger()
    table = rows(window)
    assert set(table) == {"x", "y", "z"}
    # (x + y) * z at (-2, 5, -4): df/dx = df/dy = z = -4, df/dz = x + y = 3
    for name, grad in (("x", -4.0), ("y", -4.0), ("z", 3.0)):
        assert table[name][ANALYTIC].text() == f"{grad:.2f}"  # as the canvas writes it
        assert every_digit(table[name][ANALYTIC]) == grad
        assert table[name][NUMERICAL].text() == f"{grad:.2f}"
        assert every_digit(table[name][NUMERICAL]) == pytest.approx(grad, rel=1e-6)
        assert every_digit(table[name][REL_ERROR]) < 1e-6
        assert table[name][STATUS].text() == "✓ ok"
        assert table[name][STATUS].foreground().color() == theme.VALUE_GREEN
    assert glyphs(window) == {"x": "✓", "y": "✓", "z": "✓"}
    for node_id, badge in window.check.badges.badges().items():
        assert badge.parentItem() is window.scene.gate_item(node_id)
        assert badge.scene() is window.scene
    assert window.check.status.text().startswith("✓ All 3 gradients match")
    assert "f = -12.00" in window.check.status.text()


def test_a_gate_with_a_wrong_gradient_is_flagged_red(window, monkeypatch):
    monkeypatch.setitem(GATES, "badexp", broken_exp())
    circuit = build({"x": ("input", 0.7), "w": ("input", 1.5), "e": "badexp", "f": "mul"},
                    {"e": ["x"], "f": ["e", "w"]})
    window.document.replace_circuit(circuit)
    action(window).trigger()
    table = rows(window)
    x, w = table["x"], table["w"]
    assert x[STATUS].text() == "✗ fail"
    assert x[STATUS].foreground().color() == theme.GRAD_RED
    assert x[INPUT].background().color() == gradcheck_panel.FILLS["fail"]
    # f = w e^x: the broken backward doubles df/dx = w e^x; nudging measures the truth
    assert every_digit(x[ANALYTIC]) == pytest.approx(2 * 1.5 * math.exp(0.7), rel=1e-12)
    assert x[ANALYTIC].text() == f"{2 * 1.5 * math.exp(0.7):.2f}" == "6.04"
    assert every_digit(x[NUMERICAL]) == pytest.approx(1.5 * math.exp(0.7), rel=1e-8)
    assert x[NUMERICAL].text() == "3.02"
    assert x[REL_ERROR].text() == "0.50"
    assert x[NOTE].text() in x[ANALYTIC].toolTip()  # the note stays on every cell's hover
    assert x[NOTE].text()
    assert w[STATUS].text() == "✓ ok"  # w does not go through the broken gate
    assert glyphs(window) == {"x": "✗", "w": "✓"}
    assert window.check.status.text().startswith("✗ 1 of 2 gradients")
    assert "(x)" in window.check.status.text()


def test_relu_at_zero_is_a_kink(window):
    circuit = build({"x": ("input", 0.0), "r": "relu"}, {"r": ["x"]})
    window.document.replace_circuit(circuit)
    action(window).trigger()
    x = rows(window)["x"]
    assert x[STATUS].text() == "⚠ kink"
    assert x[STATUS].foreground().color() == gradcheck_panel.AMBER
    assert x[INPUT].background().color() == gradcheck_panel.FILLS["kink"]
    assert "r (relu)" in x[NOTE].text()  # the note names the gate at its kink
    # relu's left slope is 0 and its right slope 1: the centred difference is 0.5
    assert float(x[ANALYTIC].text()) == 0.0
    assert float(x[NUMERICAL].text()) == pytest.approx(0.5)
    assert glyphs(window) == {"x": "⚠"}


def test_badges_go_when_the_numbers_change_but_stay_when_a_gate_moves(window):
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    action(window).trigger()
    old = window.document.circuit.nodes["x"].pos
    window.document.push(MoveNodesCommand(window.document, {"x": (old, (old[0], old[1] + 20))}))
    assert set(glyphs(window)) == {"x", "y", "z"}
    window.document.push(SetValueCommand(window.document, "x", 1.0))
    assert glyphs(window) == {}
    assert rows(window) == {}
    assert "changed" in window.check.status.text()
    action(window).trigger()
    assert len(glyphs(window)) == 3
    assert window.open_path(EXAMPLES / "multiply.circuit")
    assert glyphs(window) == {} and rows(window) == {}


def test_an_incomplete_circuit_gives_a_message_and_no_badges(window):
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    window.document.push(DisconnectCommand(window.document, "f", 1))
    action(window).trigger()
    text = window.check.status.text()
    assert text.startswith("Cannot check the gradients:") and "not connected" in text
    assert glyphs(window) == {} and rows(window) == {}
    assert window.statusBar().currentMessage() == text


def test_clicking_a_row_selects_the_input_on_the_canvas(window, qtbot):
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    action(window).trigger()
    table = window.findChild(QTreeWidget, "gradcheck_table")
    row = next(r for r in window.check.rows() if r.text(INPUT) == "y")
    rect = table.visualItemRect(row)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    assert row.isSelected()
    assert window.scene.selected_node_ids() == ["y"]


def test_a_big_circuit_is_checked_in_a_worker_thread(window, qtbot):
    assert window.open_path(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    panel = window.check
    panel.sync_limit = 0  # treat every circuit as big
    action(window).trigger()
    assert panel.running and not panel.button.isEnabled()
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    assert glyphs(window) == dict.fromkeys(["w0", "x0", "w1", "x1", "w2"], "✓")
    x0 = rows(window)["x0"]
    s = 1 / (1 + math.exp(-1.0))  # the neuron's z = 1: df/dx0 = w0 s (1 - s) = 0.39
    assert every_digit(x0[ANALYTIC]) == pytest.approx(2 * s * (1 - s), rel=1e-9)
    assert x0[ANALYTIC].text() == "0.39"
    assert panel.button.isEnabled()

    # an edit during the check: its verdicts are thrown away
    action(window).trigger()
    window.document.push(SetValueCommand(window.document, "x0", 0.5))
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    assert glyphs(window) == {} and rows(window) == {}
    assert "changed during the check" in panel.status.text()

    # a circuit opened during the check: the same
    action(window).trigger()
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    assert glyphs(window) == {} and rows(window) == {}


# ------------------------------------------------------------------ vectors and matrices
def open_row(window, qtbot, name):
    """Click a source's row and open it with the Right key, as a user opens a tree row."""
    table = window.findChild(QTreeWidget, "gradcheck_table")
    row = next(r for r in window.check.rows() if r.text(INPUT) == name)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualItemRect(row).center())
    qtbot.keyClick(table, Qt.Key_Right)
    assert row.isExpanded()
    return [cells(row.child(k)) for k in range(row.childCount())]


def test_wx_squared_checks_every_element_of_w_and_x_and_opens_them(window, qtbot):
    assert window.open_path(EXAMPLES / "wx_squared.circuit")
    action(window).trigger()
    table = rows(window)
    assert set(table) == {"W", "x"}
    assert table["W"][ELEMENT].text().endswith(" of 2×2")
    assert table["x"][ELEMENT].text().endswith(" of 2")
    assert all(table[name][STATUS].text() == "✓ ok" for name in table)
    assert glyphs(window) == {"W": "✓", "x": "✓"}
    assert window.check.status.text().startswith("✓ All 6 gradients match")
    x = open_row(window, qtbot, "x")
    assert [c[ELEMENT].text() for c in x] == ["[0]", "[1]"]
    assert [c[ANALYTIC].text() for c in x] == ["-0.112", "0.636"]  # FORMAT.md 5's df/dx
    assert every_digit(x[1][NUMERICAL]) == pytest.approx(0.636, rel=1e-8)
    w = open_row(window, qtbot, "W")
    assert [c[ELEMENT].text() for c in w] == ["[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]"]
    assert [every_digit(c[ANALYTIC]) for c in w] == pytest.approx([0.088, 0.176, 0.104, 0.208])
    assert all(c[INPUT].text() == "" and c[STATUS].text() == "✓ ok" for c in w)


def test_a_broken_tensor_gate_is_shown_at_its_wrong_elements(window, qtbot, monkeypatch):
    def backward(xs, out, g, p, ranks=None):  # the classic bug: dW = x·dqᵀ
        grad_w, grad_x = GATES["matmul"].backward(xs, out, g, p, ranks)
        return grad_w.T, grad_x
    monkeypatch.setitem(GATES, "badmatmul", dataclasses.replace(
        GATES["matmul"], name="badmatmul", backward=backward))
    circuit = engine.load(EXAMPLES / "wx_squared.circuit")
    data = engine.circuit_to_dict(circuit)
    next(node for node in data["nodes"] if node["id"] == "q")["op"] = "badmatmul"
    window.document.replace_circuit(engine.circuit_from_dict(data))
    action(window).trigger()
    w = rows(window)["W"]
    assert w[STATUS].text() == "✗ fail" and w[ELEMENT].text() == "[0, 1] of 2×2"
    assert w[ANALYTIC].text() == "0.104" and w[NUMERICAL].text() == "0.176"
    assert rows(window)["x"][STATUS].text() == "✓ ok"
    assert glyphs(window) == {"W": "✗", "x": "✓"}
    assert "(W[0, 1], W[1, 0])" in window.check.status.text()
    elements = open_row(window, qtbot, "W")
    assert [c[STATUS].text() for c in elements] == ["✓ ok", "✗ fail", "✗ fail", "✓ ok"]
    assert elements[1][STATUS].foreground().color() == theme.GRAD_RED
    assert elements[1][INPUT].background().color() == gradcheck_panel.FILLS["fail"]


def test_a_net_of_big_matrices_is_checked_in_the_worker_thread(window, qtbot):
    """602 numbers through 100-wide layers: about a million element evaluations, too many to
    check without the window stalling."""
    rng = np.random.default_rng(0)
    circuit = build({"W1": ("input", rng.normal(size=(100, 2)).tolist()),
                     "x": ("input", [0.3, -0.2]), "b1": ("input", rng.normal(size=100).tolist()),
                     "W2": ("input", rng.normal(size=(3, 100)).tolist()), "h": "matmul",
                     "hb": "add", "r": "relu", "s": "matmul", "f": "sum"},
                    {"h": ["W1", "x"], "hb": ["h", "b1"], "r": ["hb"], "s": ["W2", "r"],
                     "f": ["s"]})
    window.document.replace_circuit(circuit)
    action(window).trigger()
    assert window.check.running
    assert "Checking 602 numbers of 4 inputs" in window.check.status.text()
    qtbot.waitUntil(lambda: not window.check.running, timeout=60_000)
    assert window.check.status.text().startswith("✓ All 602 gradients match")
    assert rows(window)["W2"][ELEMENT].text().endswith(" of 3×100")
