"""The Explain panel: select a gate or a wire and read df/d(node) as products of local
gradients along each path to the output, with the seeds' numbers (CS231n neuron: x0's
gradient 0.39 = 0.20 × 2)."""

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMenu, QTextBrowser

from gui.docks import explain_panel
from gui.model.commands import DisconnectCommand, SetValueCommand
from tests.gui_helpers import make_window
from tests.helpers import EXAMPLES, build


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.explain = window.explain_panel
    window.show()
    qtbot.waitExposed(window)
    return window


def open_example(window, name):
    assert window.open_path(EXAMPLES / f"{name}.circuit")
    window.document.flush()


def test_the_window_docks_explain_once_with_a_view_toggle(window):
    panel = window.explain
    assert panel.objectName() == "explain_panel"
    dock = window.findChild(QDockWidget, "explain_dock")
    assert dock is not None and dock.widget() is panel
    view_menu = window.menuBar().findChild(QMenu, "menu_view")
    assert any(a.objectName() == "action_toggle_explain_dock" for a in view_menu.actions())
    assert [d.objectName() for d in window.findChildren(QDockWidget)].count("explain_dock") == 1
    assert "Select a gate or a wire" in panel.text()


def test_selecting_x0_of_the_cs231n_neuron_shows_0_39_as_0_20_times_2(window):
    open_example(window, "sigmoid_neuron_primitive")
    window.scene.select_nodes(["x0"])
    text = window.explain.text()
    assert "df/dx0 = 0.39" in text
    # the chain rule's first step: df/dx0 = df/dw0x0 × ∂w0x0/∂x0 = 0.20 × 2.00
    assert "df/dx0 = df/dw0x0 × ∂w0x0/∂x0" in text
    assert "0.20 × 2.00 = 0.39" in text
    # the path and the product of its local gradients, each labelled by its gate
    assert "x0 → w0x0 → dot → z → times_minus_1 → exp → plus_1 → f" in text
    assert "df/dx0 = 2.00 × 1.00 × 1.00 × -1.00 × 0.37 × 1.00 × -0.53 = 0.39" in text
    # each factor's row: the partial, why it is what it is, and its number once
    assert "∂w0x0/∂x0\nmul, port 1: the other input, w0\n2.00\n" in text
    assert "∂times_minus_1/∂z\nscale: its param c\n-1.00\n" in text
    assert "∂exp/∂times_minus_1" in text and "∂f/∂plus_1" in text


def click_gate(window, qtbot, node_id):
    """A real click on the middle of a gate's body."""
    view, gate = window.view, window.scene.gate_item(node_id)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view.mapFromScene(gate.mapToScene(gate.body_rect().center())))


def test_a_real_click_on_a_gate_explains_it(window, qtbot):
    open_example(window, "sigmoid_neuron_primitive")
    scene = window.scene
    click_gate(window, qtbot, "x0")
    assert scene.selected_node_ids() == ["x0"]
    text = window.explain.text()
    assert "df/dx0 = 0.39" in text and "0.20 × 2.00 = 0.39" in text

    click_gate(window, qtbot, "exp")
    text = window.explain.text()
    # exp's gradient: df/d(plus_1) × 1 = -1/1.37² = -0.53
    e = math.exp(-1.0)
    assert f"df/dexp = {-1 / (1 + e) ** 2:.2f}" in text
    assert scene.selected_node_ids() == ["exp"]


def test_selecting_the_q_to_f_wire_explains_q(window, qtbot):
    open_example(window, "add_mul")
    window.scene.select_nodes(["x"])
    wire = window.scene.wire_item("f", 0)
    point = wire.mapToScene(wire.path().pointAtPercent(0.2))
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton,
                     pos=window.view.mapFromScene(point))
    assert window.scene.selectedItems() == [wire]
    text = window.explain.text()
    assert "The wire q → f (port 0) carries q" in text
    assert "df/dq = -4.00" in text
    assert "∂f/∂q\nmul, port 0: the other input, z\n-4.00\n" in text


def test_the_numbers_follow_the_document(window, qtbot):
    open_example(window, "sigmoid_neuron_primitive")
    window.scene.select_nodes(["x0"])
    # w0 = 3: z = 3*-1 + -3*-2 + -3 = 0, sigmoid'(0) = 0.25, so df/dx0 = 0.25 × 3 = 0.75
    window.document.push(SetValueCommand(window.document, "w0", 3.0))
    window.document.flush()
    qtbot.waitUntil(lambda: "df/dx0 = 0.75" in window.explain.text())
    assert "0.25 × 3.00 = 0.75" in window.explain.text()
    window.document.undo_stack.undo()
    window.document.flush()
    assert "0.20 × 2.00 = 0.39" in window.explain.text()


def test_fanned_out_paths_add_up(window):
    # f = 3x + exp(x) at x = 0.5: path 1 gives 3, path 2 gives e^0.5 = 1.65, total 4.65
    circuit = build({"x": ("input", 0.5), "three": ("const", 3.0), "a": "mul", "b": "exp",
                     "f": "add"},
                    {"a": ["x", "three"], "b": ["x"], "f": ["a", "b"]})
    window.document.replace_circuit(circuit)
    window.document.flush()
    window.scene.select_nodes(["x"])
    text = window.explain.text()
    total = 3 + math.exp(0.5)
    assert f"df/dx = {total:.2f}" in text
    assert "x reaches f along 2 paths" in text
    assert "df/dx = path 1 + path 2" in text
    assert f"= 3.00 + {math.exp(0.5):.2f} = {total:.2f}" in text


def test_many_paths_are_counted_and_summed_but_not_all_listed(window):
    rungs = 10  # a ladder of add(prev, prev): 2^10 = 1024 paths of product 1
    nodes, wires, previous = {"x": ("input", 1.0)}, {}, "x"
    for k in range(rungs):
        nodes[f"r{k}"] = "add"
        wires[f"r{k}"] = [previous, previous]
        previous = f"r{k}"
    window.document.replace_circuit(build(nodes, wires))
    window.document.flush()
    window.scene.select_nodes(["x"])
    text = window.explain.text()
    assert "x reaches r9 along 1024 paths" in text
    assert f"({1024 - explain_panel.PATH_LIMIT} more paths not shown" in text
    assert "df/dx = 1024.00" in text
    assert text.count("Path ") == explain_panel.PATH_LIMIT


def test_the_output_a_dead_end_and_an_incomplete_circuit(window):
    circuit = build({"x": ("input", 1.0), "y": ("input", 2.0), "f": "exp", "side": "neg"},
                    {"f": ["x"], "side": ["y"]}, output="f")
    window.document.replace_circuit(circuit)
    window.document.flush()
    window.scene.select_nodes(["f"])
    assert "df/df = 1.00" in window.explain.text()
    assert "f is the output" in window.explain.text()
    window.scene.select_nodes(["y"])
    assert "y does not reach the output f" in window.explain.text()
    window.scene.select_nodes(["x"])
    window.document.push(DisconnectCommand(window.document, "f", 0))
    window.document.flush()
    assert "No gradient: the output f cannot be computed" in window.explain.text()


def test_a_new_circuit_and_an_empty_selection_show_the_hint(window):
    open_example(window, "add_mul")
    window.scene.select_nodes(["x"])
    assert "df/dx = -4.00" in window.explain.text()
    window.scene.clearSelection()
    assert "Select a gate or a wire" in window.explain.text()
    window.scene.select_nodes(["x"])
    open_example(window, "multiply")
    assert "Select a gate or a wire" in window.explain.text()


def test_the_text_is_selectable(window):
    browser = window.explain.findChild(QTextBrowser, "explain_text")
    assert browser.textInteractionFlags() & Qt.TextSelectableByMouse
    assert browser.isReadOnly()


def test_a_long_path_shows_its_ends_around_an_ellipsis(window):
    depth = 30  # thirty neg gates: each local gradient is -1, the product (-1)^30 = 1
    nodes, wires, previous = {"x": ("input", 2.0)}, {}, "x"
    for k in range(depth):
        nodes[f"n{k}"] = "neg"
        wires[f"n{k}"] = [previous]
        previous = f"n{k}"
    window.document.replace_circuit(build(nodes, wires))
    window.document.flush()
    window.scene.select_nodes(["x"])
    text = window.explain.text()
    shown = explain_panel.FACTORS_SHOWN
    assert f"… {depth - shown} more factors …" in text
    assert "df/dx = " + " × ".join(["-1.00"] * (shown // 2) + ["…"] + ["-1.00"] * (shown // 2)) \
        + " = 1.00" in text


def test_deleting_every_selected_gate_runs_one_pass_and_undo_puts_them_back(window, qtbot,
                                                                            monkeypatch):
    from PySide6.QtWidgets import QApplication
    open_example(window, "two_layer_net")
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.hasFocus())
    qtbot.keyClick(window.view.viewport(), Qt.Key_A, Qt.ControlModifier)
    assert len(window.scene.selected_node_ids()) == 31
    assert window.explain.node_id is not None  # it follows the selection
    passes = []
    recompute = window.document.recompute
    monkeypatch.setattr(window.document, "recompute",
                        lambda: passes.append(1) or recompute())
    qtbot.keyClick(window.view.viewport(), Qt.Key_Delete)
    QApplication.processEvents()
    assert window.document.circuit.nodes == {}
    # the panels follow the edit once it is done, not once per removed gate mid-edit
    assert len(passes) == 1
    assert window.inputs_panel.table.rowCount() == 0
    assert "Select a gate or a wire" in window.explain.text()
    qtbot.keyClick(window.view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    QApplication.processEvents()
    assert len(window.document.circuit.nodes) == 31 and len(passes) == 2
    assert window.inputs_panel.table.rowCount() == 15


def test_with_an_open_port_the_panel_says_there_is_no_gradient_yet(window):
    # q = x + (nothing): the output f = exp(q) cannot be computed, so nothing is 0.00
    circuit = build({"x": ("input", 1.0), "q": "add", "f": "exp"}, {"q": ["x"], "f": ["q"]})
    window.document.replace_circuit(circuit)
    window.document.flush()
    window.scene.select_nodes(["q"])
    text = window.explain.text()
    assert "No gradient: the output f cannot be computed" in text
    assert "0.00" not in text


def test_where_the_nan_was_born_shows_on_the_gate_and_in_explain(window, qtbot):
    # the primitive neuron with w0 = 2000 (w0·x0 = -2000): exp(1997) overflows, and -0 × inf at
    # exp's backward step turns every gradient upstream nan, as in PyTorch
    open_example(window, "sigmoid_neuron_primitive")
    view, scene = window.view, window.scene
    window.document.push(SetValueCommand(window.document, "w0", 2000.0))
    window.document.flush()
    exp = scene.gate_item("exp")
    assert exp.nan_badge == "0 × inf"
    assert [node_id for node_id in window.document.circuit.nodes
            if scene.gate_item(node_id).nan_badge] == ["exp"]
    tooltip = scene._tooltip_at(exp.mapToScene(exp.body_rect().center()))
    assert "0 × inf" in tooltip and "exp(1997.00) = inf" in tooltip

    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view.mapFromScene(exp.mapToScene(exp.body_rect().center())))
    assert scene.selected_node_ids() == ["exp"]
    text = window.explain.text()
    assert "Not finite: born here (0 × inf)." in text
    assert "The gradients stop being finite at exp" in text
    assert "0 × inf is nan" in text and "one-gate sigmoid" in text

    gate = scene.gate_item("w0")  # a gradient the nan reached says where it was born
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view.mapFromScene(gate.mapToScene(gate.body_rect().center())))
    assert "Not finite: born at exp (0 × inf)." in window.explain.text()

    window.document.undo_stack.undo()  # w0 = 2 again: every number finite, no badge, no note
    window.document.flush()
    assert exp.nan_badge == ""
    assert "Not finite" not in window.explain.text()


def test_where_the_nan_was_born_is_worked_out_once_per_pass(window, qtbot, monkeypatch):
    """The canvas's badge and the Explain text read the document's nan_origin: one search a
    pass, however many views show it."""
    import engine
    open_example(window, "sigmoid_neuron_primitive")
    calls = []
    search = engine.nan_origin
    monkeypatch.setattr(engine, "nan_origin", lambda *args: calls.append(1) or search(*args))
    window.scene.select_nodes(["exp"])
    window.document.push(SetValueCommand(window.document, "w0", 2000.0))
    window.document.flush()
    assert "Not finite: born here (0 × inf)." in window.explain.text()
    assert window.scene.gate_item("exp").nan_badge == "0 × inf"
    assert window.document.nan_origin.node_id == "exp"
    assert len(calls) == 1


# ------------------------------------------------------------------ vectors and matrices
def test_a_click_on_w_explains_df_dw_as_the_product_of_the_local_jacobians(window, qtbot):
    open_example(window, "wx_squared")
    click_gate(window, qtbot, "W")
    assert window.scene.selected_node_ids() == ["W"]
    text = window.explain.text()
    assert "df/dW = [[0.088, 0.176], [0.104, 0.208]]" in text  # FORMAT.md 5
    assert "each local gradient is a Jacobian" in text
    # the chain rule's first step: df/dq (a vector) times the 2×4 Jacobian of q = W·x
    assert "df/dW = df/dq · ∂q/∂W" in text
    assert "[0.44, 0.52] · ⟨2×4⟩ = [[0.088, 0.176], [0.104, 0.208]]" in text
    assert "W → q → sq → f" in text
    # the path's product from the output end, so the shapes chain: J_sum (1×2, a row of
    # ones) · J_pow (2×2, diag 2q) · J_matmul (2×4)
    assert "df/dW = [[1.00, 1.00]] · [[0.44, 0.00], [0.00, 0.52]] · ⟨2×4⟩ = " \
           "[[0.088, 0.176], [0.104, 0.208]]" in text
    assert "∂sq/∂q\npow: p · a^(p − 1) (a = [0.22, 0.26])\n[[0.44, 0.00], [0.00, 0.52]]" in text


def test_explaining_every_node_of_the_11_line_net_never_fails(window):
    open_example(window, "numpy_net_11_lines")
    for node in window.document.circuit.nodes.values():
        window.scene.select_nodes([node.id])
        text = window.explain.text()
        assert f"df/d{node.name} = " in text and "Cannot explain" not in text, text
