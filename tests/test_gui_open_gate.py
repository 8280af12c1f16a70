"""Opening a compound gate: its inside on the canvas, a breadcrumb back out, every edit undoable.

The lecture's sigmoid neuron, its last four gates (*-1, exp, +1, 1/x) written as the file's own
gate ``sig`` (FORMAT.md 6), used twice: ``s`` on z = w0·x0 + w1·x1 + w2 = 1 (the output, 0.73)
and ``s2`` on x0. Double-clicking ``s`` shows sig's five nodes with s's numbers: its port input
gets 1.00 and sends back 0.73 × (1 − 0.73) = 0.20. Changing the inside's *-1 to *-2 makes the
neuron 1/(1 + e^-2) = 0.88 in every use; Ctrl+Z, from outside, takes it back.
"""

import json
import math

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit

import engine
from gui.canvas.context_menus import build_gate_menu
from gui.model.commands import SetValueCommand
from gui.model.document import Document
from tests.gui_helpers import click_gate, make_window, mouse, settle, show_at
from tests.test_gui_panels import type_into

SIG = {
    "ports": ["a"],
    "nodes": [{"id": "a", "op": "input", "value": 0.0, "pos": [0, 0]},
              {"id": "n", "op": "scale", "params": {"c": -1.0}, "pos": [160, 0]},
              {"id": "e", "op": "exp", "pos": [320, 0]},
              {"id": "p", "op": "offset", "params": {"c": 1.0}, "pos": [480, 0]},
              {"id": "r", "op": "recip", "pos": [640, 0]}],
    "wires": [{"from": "a", "to": "n", "port": 0}, {"from": "n", "to": "e", "port": 0},
              {"from": "e", "to": "p", "port": 0}, {"from": "p", "to": "r", "port": 0}],
    "output": "r",
}
NEURON = {
    "format": "circuitgrad", "version": 2, "title": "neuron", "gates": {"sig": SIG},
    "nodes": [{"id": "w0", "op": "input", "value": 2.0, "pos": [0, 0]},
              {"id": "x0", "op": "input", "value": -1.0, "pos": [0, 80]},
              {"id": "w1", "op": "input", "value": -3.0, "pos": [0, 160]},
              {"id": "x1", "op": "input", "value": -2.0, "pos": [0, 240]},
              {"id": "w2", "op": "input", "value": -3.0, "pos": [0, 320]},
              {"id": "w0x0", "op": "mul", "pos": [180, 40]},
              {"id": "w1x1", "op": "mul", "pos": [180, 200]},
              {"id": "dot", "op": "add", "pos": [360, 120]},
              {"id": "z", "op": "add", "pos": [540, 220]},
              {"id": "s", "op": "sig", "pos": [720, 220]},
              {"id": "s2", "op": "sig", "pos": [720, 400]}],
    "wires": [{"from": "w0", "to": "w0x0", "port": 0}, {"from": "x0", "to": "w0x0", "port": 1},
              {"from": "w1", "to": "w1x1", "port": 0}, {"from": "x1", "to": "w1x1", "port": 1},
              {"from": "w0x0", "to": "dot", "port": 0}, {"from": "w1x1", "to": "dot", "port": 1},
              {"from": "dot", "to": "z", "port": 0}, {"from": "w2", "to": "z", "port": 1},
              {"from": "z", "to": "s", "port": 0}, {"from": "x0", "to": "s2", "port": 0}],
    "output": "s",
}
SIG_1 = 1 / (1 + math.exp(-1.0))  # 0.73, the neuron's output
SIG_2 = 1 / (1 + math.exp(-2.0))  # 0.88, once *-1 is *-2


def window_on(qtbot, tmp_path, data: dict):
    """The window, shown, with ``data`` saved as ``<title>.circuit`` and opened, fitted."""
    path = tmp_path / f"{data['title']}.circuit"
    path.write_text(json.dumps(data), encoding="utf-8")
    window = make_window(qtbot, tmp_path)
    assert window.open_path(path)
    show_at(window, qtbot, (1400, 900))
    window.view.fit_all()
    settle()
    return window


@pytest.fixture
def window(qtbot, tmp_path):
    return window_on(qtbot, tmp_path, NEURON)


def gate_point(window, node_id):
    gate = window.scene.gate_item(node_id)
    return window.view.mapFromScene(gate.mapToScene(gate.body_rect().center()))


def double_click(qtbot, window, node_id):
    """A real double-click on the gate: press, release, double-click, release (as a mouse
    sends them; the release after the double-click comes once the inside is shown)."""
    view, at = window.view, gate_point(window, node_id)
    for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease, QEvent.MouseButtonDblClick):
        mouse(view, kind, at, Qt.LeftButton,
              Qt.NoButton if kind == QEvent.MouseButtonRelease else Qt.LeftButton)
    mouse(view, QEvent.MouseButtonRelease, at, Qt.LeftButton, Qt.NoButton)
    window.document.flush()
    settle()


def wire_numbers(window, dst, port=0):
    wire = window.scene.wire_item(dst, port)
    return wire.value_label.text, wire.grad_label.text


def test_double_click_opens_the_inside_with_the_uses_numbers(qtbot, window):
    document = window.document
    double_click(qtbot, window, "s")
    inside = document.file_circuit.definitions["sig"].circuit
    assert document.circuit is inside
    assert sorted(g.node_id for g in window.scene.gate_items()) == ["a", "e", "n", "p", "r"]
    bar = window.breadcrumb_bar
    assert bar.isVisible()
    assert [crumb.text() for crumb in bar.crumbs] == ["neuron", "sig"]
    assert "Editing the inside of sig — used 2 times; every change applies to all of them" \
        in bar.about.text()
    assert window.windowTitle().startswith("neuron.circuit ▸ sig")
    # the port input shows the value reaching s (z = 1) and gets back s's local gradient
    assert document.result.values["a"] == pytest.approx(1.0)
    assert document.result.grads["a"] == pytest.approx(SIG_1 * (1 - SIG_1), rel=1e-12)
    assert wire_numbers(window, "n") == ("1.00", "0.20")
    assert window.scene.gate_item("a").value_item.text == "1.00"
    marks = [child.text() for child in window.scene.gate_item("a").childItems()
             if hasattr(child, "text") and callable(child.text)]
    assert "port 0 of sig" in marks
    assert not document.is_dirty and inside.nodes["a"].value == 0.0  # nothing was edited
    window.grab().save("/tmp/opengate/inside_sig.png")


def test_an_edit_inside_reaches_every_use_and_ctrl_z_outside_takes_it_back(qtbot, window):
    document = window.document
    before = dict(document.result.grads)
    assert document.result.value == pytest.approx(SIG_1)
    double_click(qtbot, window, "s")
    click_gate(qtbot, window, "n")  # the *-1 inside: Properties shows its c
    edit = window.property_panel.findChild(QLineEdit, "property_param_c")
    type_into(qtbot, edit, "-2")
    document.flush()
    settle()
    slope = 2 * SIG_2 * (1 - SIG_2)  # d/dz 1/(1 + e^(-2z)) at z = 1
    assert document.result.grads["a"] == pytest.approx(slope, rel=1e-12)
    assert wire_numbers(window, "n") == ("1.00", f"{slope:.2f}")
    assert document.is_dirty and document.undo_stack.count() == 1
    qtbot.mouseClick(window.breadcrumb_bar.crumbs[0], Qt.LeftButton)  # "neuron": back out
    document.flush()
    settle()
    assert document.circuit is document.file_circuit and not window.breadcrumb_bar.isVisible()
    assert window.windowTitle().startswith("neuron.circuit[*]")
    result = document.result
    assert result.value == pytest.approx(SIG_2, rel=1e-12)
    for name, local in {"w0": -1.0, "x0": 2.0, "w1": -2.0, "x1": -3.0, "w2": 1.0}.items():
        assert result.grads[name] == pytest.approx(local * slope, rel=1e-12)  # dz/d· × slope
        assert before[name] == pytest.approx(local * SIG_1 * (1 - SIG_1), rel=1e-12)
    assert result.values["s2"] == pytest.approx(1 / (1 + math.exp(2.0)), rel=1e-12)  # every use
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key_Z, Qt.ControlModifier)  # undo, from outside
    document.flush()
    settle()
    assert document.circuit is document.file_circuit
    assert document.file_circuit.definitions["sig"].circuit.nodes["n"].params == {"c": -1.0}
    assert document.result.value == pytest.approx(SIG_1, rel=1e-12)
    assert document.result.grads == pytest.approx(before, rel=1e-12)
    assert window.scene.output_stub() is not None
    qtbot.keyClick(window.view.viewport(), Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    document.flush()
    assert document.result.value == pytest.approx(SIG_2, rel=1e-12)  # redo, from outside


def test_a_port_input_cannot_be_deleted_and_escape_goes_out(qtbot, window):
    document = window.document
    double_click(qtbot, window, "s")
    click_gate(qtbot, window, "a")
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key_Delete)
    assert "a" in document.circuit.nodes and document.undo_stack.count() == 0
    assert window.statusBar().currentMessage() == (
        "Cannot delete: a is a port of sig; it stays while the gate has that port")
    qtbot.keyClick(window.view.viewport(), Qt.Key_Escape)  # clears the selection first
    assert document.levels and not window.scene.selected_node_ids()
    qtbot.keyClick(window.view.viewport(), Qt.Key_Escape)  # then goes out
    assert not document.levels and document.circuit is document.file_circuit
    assert window.scene.gate_item("s") is not None


def test_enter_alt_up_and_back_open_and_leave_the_gate(qtbot, window):
    document = window.document
    click_gate(qtbot, window, "s2")
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key_Return)
    assert [level.use for level in document.levels] == ["s2"]
    assert document.result.values["a"] == -1.0  # s2 is fed x0 = -1
    qtbot.keyClick(window.view.viewport(), Qt.Key_Up, Qt.AltModifier)
    assert not document.levels
    click_gate(qtbot, window, "s")
    window.action_open_gate.trigger()  # View -> Open Gate
    assert [level.use for level in document.levels] == ["s"]
    qtbot.mouseClick(window.breadcrumb_bar.back_button, Qt.LeftButton)
    assert not document.levels
    click_gate(qtbot, window, "z")  # a built-in gate has no inside
    window.action_open_gate.trigger()
    assert not document.levels
    assert "compound gate" in window.statusBar().currentMessage()


def test_the_context_menu_opens_the_gate(qtbot, window):
    menu = build_gate_menu(window.edit_actions, "s", window)
    menu.findChild(QAction, "ctx_open_gate").trigger()
    assert window.document.levels[0].name == "sig"
    assert build_gate_menu(window.edit_actions, "n", window).findChild(
        QAction, "ctx_open_gate") is None


def test_a_gate_inside_itself_is_refused_with_the_engines_reason(qtbot, window):
    document = window.document
    double_click(qtbot, window, "s")
    window.palette.gate_activated.emit("sig")  # the palette's own gate, added inside sig
    assert sorted(document.circuit.nodes) == ["a", "e", "n", "p", "r"]
    assert document.undo_stack.count() == 0
    assert window.statusBar().currentMessage().startswith(
        "Cannot add sig: sig cannot be used inside sig: a gate cannot use itself")


def test_save_while_inside_writes_the_whole_file_with_the_changed_definition(
        qtbot, window, tmp_path):
    document = window.document
    double_click(qtbot, window, "s")
    click_gate(qtbot, window, "n")
    type_into(qtbot, window.property_panel.findChild(QLineEdit, "property_param_c"), "-2")
    target = tmp_path / "saved.circuit"
    assert window.save_to(target)
    assert document.levels and not document.is_dirty  # still inside, the file saved
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert [node["id"] for node in saved["nodes"]] == [node["id"] for node in NEURON["nodes"]]
    inside = {node["id"]: node for node in saved["gates"]["sig"]["nodes"]}
    assert inside["n"]["params"] == {"c": -2.0}
    assert engine.run(engine.load(target)).value == pytest.approx(SIG_2, rel=1e-12)


def test_opened_from_no_use_the_inside_shows_its_own_values(qtbot, window):
    document = window.document
    assert document.open_definition("sig") == ""
    document.flush()
    assert document.levels[0].use is None
    assert document.result.values["a"] == 0.0 and document.result.value == pytest.approx(0.5)
    assert "its own values" in window.breadcrumb_bar.about.text()


def test_undoing_the_uses_edit_while_inside_updates_the_inside(qtbot, window):
    document = window.document
    document.push(SetValueCommand(document, "w2", -2.0))  # z = 2
    double_click(qtbot, window, "s")
    document.flush()
    assert document.result.values["a"] == pytest.approx(2.0)
    window.action_undo.trigger()  # the outside edit, undone from inside
    document.flush()
    assert document.levels and document.result.values["a"] == pytest.approx(1.0)
    assert document.file_circuit.nodes["w2"].value == -3.0


def test_a_gate_used_inside_another_opens_further_and_each_crumb_goes_back(qtbot, tmp_path):
    twice = {"ports": ["u"],
             "nodes": [{"id": "u", "op": "input", "value": 0.0, "pos": [0, 0]},
                       {"id": "d", "op": "scale", "params": {"c": 2.0}, "pos": [160, 0]},
                       {"id": "g", "op": "sig", "pos": [320, 0]}],
             "wires": [{"from": "u", "to": "d", "port": 0}, {"from": "d", "to": "g", "port": 0}],
             "output": "g"}
    data = {"format": "circuitgrad", "version": 2, "title": "nested",
            "gates": {"sig": SIG, "twice": twice},
            "nodes": [{"id": "x", "op": "input", "value": 0.5, "pos": [0, 0]},
                      {"id": "t", "op": "twice", "pos": [200, 0]}],
            "wires": [{"from": "x", "to": "t", "port": 0}]}
    window = window_on(qtbot, tmp_path, data)
    double_click(qtbot, window, "t")
    double_click(qtbot, window, "g")
    document = window.document
    assert [level.name for level in document.levels] == ["twice", "sig"]
    assert [crumb.text() for crumb in window.breadcrumb_bar.crumbs] == ["nested", "twice", "sig"]
    assert document.result.values["a"] == pytest.approx(1.0)  # 2 × 0.5 reaches sig's port
    assert document.result.grads["a"] == pytest.approx(SIG_1 * (1 - SIG_1), rel=1e-12)
    assert "used once" in window.breadcrumb_bar.about.text()
    qtbot.mouseClick(window.breadcrumb_bar.crumbs[1], Qt.LeftButton)  # back to twice
    assert [level.name for level in document.levels] == ["twice"]
    assert document.circuit is document.file_circuit.definitions["twice"].circuit
    qtbot.mouseClick(window.breadcrumb_bar.crumbs[0], Qt.LeftButton)
    assert not document.levels


def test_the_levels_follow_the_file_when_a_use_or_the_gate_goes(qtbot):
    document = Document(engine.loads(json.dumps(NEURON)))
    assert document.open_gate("s") == ""
    document.file_circuit.remove_node("s")  # the use it was opened from goes (an undo, say)
    document.flush()
    assert document.levels[0].use is None
    assert document.result.values["a"] == 0.0  # the inside's own values now
    definition = document.file_circuit.definitions["sig"]
    replaced = engine.CompoundDefinition("sig", definition.ports,
                                         document.file_circuit.new_inside("sig"))
    replaced.circuit.add_node("input", "a", value=0.0)
    document.file_circuit.define_gate(replaced)  # sig defined anew: its old inside is gone
    assert not document.levels and document.circuit is document.file_circuit
    assert "not a compound gate" in document.open_definition("nothing")
    assert "built-in gate" in document.open_gate("x0")
