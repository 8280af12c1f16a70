"""Edit -> Expand to Scalars in the window: the lecture's ||W x||² (the example file) with its
matmul selected by a click is rewritten in number gates by Ctrl+E with the slide's gradients,
the very numbers (to the last bit) the tensor circuit showed, as one undo step that Ctrl+Z takes
back exactly; a gate too big is refused in the status bar; the gate's right-click menu does the
same.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402

import engine  # noqa: E402
from gui.canvas.context_menus import build_gate_menu  # noqa: E402
from tests.gui_helpers import make_window, settle, show_at  # noqa: E402
from tests.helpers import EXAMPLES  # noqa: E402

SLIDE_DW = [[0.088, 0.176], [0.104, 0.208]]
SLIDE_DX = [-0.112, 0.636]


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    assert window.open_path(EXAMPLES / "wx_squared.circuit")
    show_at(window, qtbot, (1400, 900))
    window.view.fit_all()
    settle()
    return window


def click_gate(qtbot, window, node_id: str) -> None:
    gate = window.scene.gate_item(node_id)
    point = window.view.mapFromScene(gate.mapToScene(gate.body_rect().center()))
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton, pos=point)


def test_ctrl_e_expands_the_clicked_matmul_with_the_slides_gradients_and_ctrl_z_undoes_it(
        window, qtbot):
    document = window.document
    before = engine.circuit_to_dict(document.circuit)
    tensor = document.result  # the numbers the window shows before expanding
    click_gate(qtbot, window, "q")
    assert window.scene.selected_node_ids() == ["q"]
    undo_steps = document.undo_stack.count()
    qtbot.keyClick(window.view.viewport(), Qt.Key_E, Qt.ControlModifier)
    document.flush()
    settle()
    circuit = document.circuit
    expanded = engine.circuit_to_dict(circuit)
    assert document.undo_stack.count() == undo_steps + 1
    assert "q" not in circuit.nodes and window.scene.gate_item("q") is None
    for node_id in ("W_0_0", "W_1_1", "x_0", "q_0_t1", "q_1", "sq_0", "f"):
        assert window.scene.gate_item(node_id) is not None
    assert sorted(circuit.inputs_of(src) for src in circuit.inputs_of("q_0")) == [
        ["W_0_0", "x_0"], ["W_0_1", "x_1"]]
    grads = document.result.grads
    assert [[grads[f"W_{i}_{j}"] for j in range(2)] for i in range(2)] == [
        [pytest.approx(g) for g in row] for row in SLIDE_DW]
    assert [grads["x_0"], grads["x_1"]] == [pytest.approx(g) for g in SLIDE_DX]
    assert document.result.value == pytest.approx(0.116)
    # the same numbers as the tensor circuit showed, to the last bit
    values = document.result.values
    assert [[grads[f"W_{i}_{j}"] for j in range(2)] for i in range(2)] == \
        tensor.grads["W"].tolist()
    assert [grads["x_0"], grads["x_1"]] == tensor.grads["x"].tolist()
    assert [values["q_0"], values["q_1"]] == tensor.values["q"].tolist()
    assert [grads["q_0"], grads["q_1"]] == tensor.grads["q"].tolist()
    assert document.result.value == tensor.value
    for element in ("q_0", "q_1"):  # hovering q[0] tells the tensor's q[0], every digit
        gate = window.scene.gate_item(element)
        text = window.scene._tooltip_at(gate.mapToScene(gate.body_rect().center()))
        assert repr(values[element]) in text
    assert window.statusBar().currentMessage().startswith("Expanded 5 tensor nodes")
    assert "Expand 5 tensor nodes to scalars" in window.action_undo.text().replace("&", "")

    qtbot.keyClick(window.view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    document.flush()
    settle()
    assert engine.circuit_to_dict(document.circuit) == before
    assert window.scene.gate_item("q") is not None and window.scene.gate_item("q_0") is None
    np.testing.assert_allclose(document.result.grads["W"], SLIDE_DW)
    np.testing.assert_allclose(document.result.grads["x"], SLIDE_DX)
    qtbot.keyClick(window.view.viewport(), Qt.Key_Y, Qt.ControlModifier)  # redo: the same again
    assert engine.circuit_to_dict(document.circuit) == expanded


def test_the_edit_menu_with_nothing_selected_expands_the_whole_circuit(window, qtbot):
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton,
                     pos=window.view.viewport().rect().topLeft() + QPoint(5, 5))
    assert window.scene.selected_node_ids() == []
    edit_menu = window.menuBar().findChild(type(window.menuBar().actions()[0].menu()),
                                           "menu_edit")
    expand = next(action for action in edit_menu.actions()
                  if action.objectName() == "action_expand")
    assert expand.shortcut().toString() == "Ctrl+E"
    tensor = window.document.result
    expand.trigger()
    document = window.document
    document.flush()
    circuit = document.circuit
    assert not any(engine.is_tensor(node.value) for node in circuit.nodes.values())
    assert len(circuit.nodes) == 15 and circuit.output_id() == "f"
    assert document.result.grads["x_1"] == pytest.approx(0.636)
    grads = document.result.grads  # every gradient the tensor circuit showed, bit for bit
    assert [grads[f"W_{i}_{j}"] for i in range(2) for j in range(2)] == \
        tensor.grads["W"].reshape(-1).tolist()
    assert [grads["x_0"], grads["x_1"]] == tensor.grads["x"].tolist()
    assert document.result.value == tensor.value


def test_a_gate_too_big_says_why_in_the_status_bar_and_changes_nothing(window, qtbot):
    document = window.document
    big = engine.Circuit("big")
    big.add_node("input", "W", value=np.ones((9, 9)), pos=(0, 0))
    big.add_node("sum", "f", pos=(160, 0))
    big.connect("W", "f", 0)
    window.files.open_circuit(big)
    settle()
    before = engine.circuit_to_dict(document.circuit)
    click_gate(qtbot, window, "f")
    qtbot.keyClick(window.view.viewport(), Qt.Key_E, Qt.ControlModifier)
    message = window.statusBar().currentMessage()
    assert message.startswith("Cannot expand to scalars") and "81 elements (9×9)" in message
    assert f"stops at {engine.EXPAND_MAX_ELEMENTS}" in message
    assert engine.circuit_to_dict(document.circuit) == before
    assert document.undo_stack.count() == 0


def test_the_gates_right_click_menu_expands_it(window):
    menu = build_gate_menu(window.edit_actions, "sq", window)
    expand = menu.findChild(type(menu.actions()[0]), "ctx_expand")
    expand.trigger()
    assert "sq" not in window.document.circuit.nodes
    assert {"sq_0", "sq_1", "q_0", "W_0_0"} <= set(window.document.circuit.nodes)
    number_menu = build_gate_menu(window.edit_actions, "W_0_0", window)
    assert number_menu.findChild(type(menu.actions()[0]), "ctx_expand") is None


def test_ctrl_e_on_a_vector_output_leaves_a_circuit_that_runs_summed_under_sigma_q(
        window, qtbot):
    document = window.document
    for node_id in ("f", "sq"):  # the output is now q = W·x, a vector
        window.scene.select_nodes([node_id])
        qtbot.keyClick(window.view.viewport(), Qt.Key_Delete)
    document.flush()
    tensor_grads = {node_id: np.array(document.result.grads[node_id]) for node_id in "Wx"}
    click_gate(qtbot, window, "q")
    qtbot.keyClick(window.view.viewport(), Qt.Key_E, Qt.ControlModifier)
    document.flush()
    settle()
    circuit = document.circuit
    total = circuit.output_id()
    assert circuit.nodes[total].label == "Σ q" and window.scene.gate_item(total) is not None
    result = document.result
    assert result is not None and result.has_gradients
    assert [[result.grads[f"W_{i}_{j}"] for j in range(2)] for i in range(2)] == \
        tensor_grads["W"].tolist()
    assert [result.grads[f"x_{i}"] for i in range(2)] == tensor_grads["x"].tolist()
