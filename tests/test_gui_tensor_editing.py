"""Editing vector and matrix sources in the window: made with a shape, edited as a table.

The circuit is the lecture's f = ||W x||^2 (FORMAT.md 5: W = [[0.1, 0.5], [-0.3, 0.8]],
x = [0.2, 0.4], f = 0.116, df/dW = [[0.088, 0.176], [0.104, 0.208]]). Every edit goes through
the real widgets (palette, quick add, the canvas, the properties' table, the inputs panel) with
mouse and key events, and must be one undo step that sets exactly the numbers typed.
"""

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import (QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent,  # noqa: E402
                           QGuiApplication, QWheelEvent)
from PySide6.QtWidgets import QApplication, QLineEdit  # noqa: E402

import engine  # noqa: E402
from gui.canvas.context_menus import build_gate_menu  # noqa: E402
from gui.canvas.source_table import SourceTableDialog  # noqa: E402
from gui.docks.inputs_panel import GRAD, KIND, VALUE, InputsPanel  # noqa: E402
from gui.docks.property_panel import PropertyPanel  # noqa: E402
from gui.model.commands import SetValueCommand  # noqa: E402
from gui.model.document import Document  # noqa: E402
from tests.gui_helpers import make_window, settle, show_at  # noqa: E402
from tests.test_gui_view import drag_event  # noqa: E402

W = [[0.1, 0.5], [-0.3, 0.8]]
X = [0.2, 0.4]
WX = {
    "format": "circuitgrad", "version": 2, "title": "f = ||W x||²",
    "nodes": [
        {"id": "W", "op": "input", "value": W, "pos": [0, 0]},
        {"id": "x", "op": "input", "value": X, "pos": [0, 160]},
        {"id": "q", "op": "matmul", "pos": [160, 80]},
        {"id": "p", "op": "pow", "params": {"p": 2.0}, "pos": [320, 80]},
        {"id": "f", "op": "sum", "pos": [480, 80]},
    ],
    "wires": [{"from": "W", "to": "q", "port": 0}, {"from": "x", "to": "q", "port": 1},
              {"from": "q", "to": "p", "port": 0}, {"from": "p", "to": "f", "port": 0}],
    "output": "f",
}


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, (1400, 900))
    QGuiApplication.clipboard().clear()
    return window


def open_circuit(window, tmp_path, data=WX, name="wx.circuit"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    assert window.open_path(path)
    window.document.flush()
    settle()
    return path


def gate_point(window, node_id) -> QPoint:
    """Where gate ``node_id``'s body is on the canvas's viewport."""
    item = window.scene.gate_item(node_id)
    return window.view.mapFromScene(item.mapToScene(item.body_rect().center()))


def click_gate(qtbot, window, node_id) -> None:
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton, pos=gate_point(window, node_id))
    settle()


def type_in_cell(qtbot, table, row, column, text) -> None:
    """Click a cell of a matrix table, type ``text`` (the first key opens the cell's editor,
    as in a spreadsheet) and press Enter."""
    rect = table.visualRect(table.model().index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.keyClicks(table, text[0])
    editor = table.findChild(QLineEdit)
    assert editor is not None and editor.hasFocus()
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key_Return)
    settle()


def type_size(qtbot, box, number: int) -> None:
    """Type a new size into a spin box of the shape chooser and press Enter."""
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, str(number))
    qtbot.keyClick(box, Qt.Key_Return)
    settle()


def drop_gate(view, mime, pos: QPoint) -> QDropEvent:
    """Drag ``mime`` over the canvas and drop it at ``pos`` (a point of the viewport)."""
    for kind in (QDragEnterEvent, QDragMoveEvent):
        event = drag_event(kind, pos, mime)
        QApplication.sendEvent(view.viewport(), event)
        assert event.isAccepted()
    drop = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    settle()
    return drop


def value_of(window, node_id):
    return window.document.circuit.node(node_id).value


# ------------------------------------------------------------ made with a shape, edited as a table
def test_a_matrix_input_from_the_palette_and_a_typed_cell_are_one_undo_step_each(qtbot, window):
    tree = window.palette.tree
    entry = window.palette.shaped_entry("input 2×2")
    assert entry.text(0) == "matrix input"
    tree.scrollToItem(entry)
    centre = tree.visualItemRect(entry).center()
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=centre)
    qtbot.mouseDClick(tree.viewport(), Qt.LeftButton, pos=centre)
    settle()
    circuit, stack = window.document.circuit, window.document.undo_stack
    assert list(circuit.nodes) == ["W"]  # a matrix input is named as the lecture names W
    assert np.array_equal(value_of(window, "W"), np.zeros((2, 2)))
    assert stack.count() == 1

    table = window.property_panel.source_table
    assert table.isVisible() and table.node_id == "W"
    type_in_cell(qtbot, table.editor.table, 0, 1, "3.5")
    assert np.array_equal(value_of(window, "W"), [[0.0, 3.5], [0.0, 0.0]])
    assert stack.count() == 2 and stack.undoText() == "Set W[0, 1] = 3.50"
    stack.undo()
    assert np.array_equal(value_of(window, "W"), np.zeros((2, 2)))
    assert np.array_equal(table.editor.value(), np.zeros((2, 2)))  # the table follows undo
    stack.redo()
    assert np.array_equal(value_of(window, "W"), [[0.0, 3.5], [0.0, 0.0]])


def test_a_vector_input_dragged_from_the_palette_is_dropped_as_a_vector(window):
    palette = window.palette
    mime = palette.tree.mimeData([palette.shaped_entry("input 2")])
    drop = drop_gate(window.view, mime, QPoint(300, 200))
    assert drop.isAccepted()
    assert np.array_equal(value_of(window, "x"), [0.0, 0.0])
    assert window.property_panel.source_table.node_id == "x"


def test_quick_add_makes_an_input_of_the_shape_typed_and_a_const_vector(qtbot, window):
    view = window.view
    for text, op, shape in (("input 2x3", "input", (2, 3)), ("const 4", "const", (4,))):
        popup = view.open_quick_add(QPointF(100, 100))
        qtbot.keyClicks(popup.edit, text)
        assert popup.entries()[0].startswith(
            f"{'matrix' if len(shape) == 2 else 'vector'} {op} {engine.shape_text(shape)}")
        qtbot.keyClick(popup.edit, Qt.Key_Return)
        settle()
        node_id = window.scene.selected_node_ids()[0]
        node = window.document.circuit.node(node_id)
        assert node.op == op and np.array_equal(node.value, np.zeros(shape))
    popup = view.open_quick_add(QPointF(300, 100))
    qtbot.keyClicks(popup.edit, "const 4")  # the number 4 is offered too, second
    qtbot.keyClick(popup.edit, Qt.Key_Down)
    qtbot.keyClick(popup.edit, Qt.Key_Return)
    settle()
    assert value_of(window, window.scene.selected_node_ids()[0]) == 4.0


def test_fill_ones_then_undo_restores_exactly(qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    click_gate(qtbot, window, "W")
    editor = window.property_panel.source_table.editor
    assert np.array_equal(editor.value(), W)
    stack = window.document.undo_stack
    qtbot.mouseClick(editor.ones_button, Qt.LeftButton)
    assert np.array_equal(value_of(window, "W"), np.ones((2, 2)))
    assert stack.count() == 1 and stack.undoText() == "Fill W with ones"
    window.document.flush()
    # f = ||[1 1; 1 1] x||^2 = 2 (0.2 + 0.4)^2
    assert window.document.result.value == pytest.approx(2 * 0.6 ** 2)
    stack.undo()
    restored = value_of(window, "W")
    assert np.array_equal(restored, np.array(W)) and restored.shape == (2, 2)
    window.document.flush()
    assert window.document.result.value == pytest.approx(0.116)


def test_a_shape_that_does_not_fit_is_reported_and_undo_restores_a_runnable_circuit(
        qtbot, window, tmp_path):
    data = json.loads(json.dumps(WX))
    data["nodes"][1]["value"] = [[0.2, 1.0], [0.4, -1.0]]  # x: two points as columns
    open_circuit(window, tmp_path, data)
    click_gate(qtbot, window, "x")
    table = window.property_panel.source_table
    type_size(qtbot, table.editor.rows_box, 3)
    x = value_of(window, "x")
    assert x.shape == (3, 2)  # the rows kept, the new one zeros
    assert np.array_equal(x, [[0.2, 1.0], [0.4, -1.0], [0.0, 0.0]])
    assert window.document.undo_stack.count() == 1
    assert window.document.undo_stack.undoText() == "Reshape x to 3×2"
    window.document.flush()
    settle()
    problem = "nodes[2] (q): matmul cannot multiply shapes (2, 2) and (3, 2)"
    readable = "matmul cannot multiply W (2×2) by x (3×2)"  # the window names the sources
    assert table.problems.isVisible() and readable in table.problems.text()
    assert problem in table.problems.toolTip()  # the engine's words on hover
    assert problem in window.document.result.problems[0]
    assert readable in window.statusBar().currentMessage()
    click_gate(qtbot, window, "f")  # a gate downstream says why it has no number
    assert "shapes do not fit upstream" in window.property_panel.result_note.text()

    window.document.undo_stack.undo()
    window.document.flush()
    settle()
    assert value_of(window, "x").shape == (2, 2)
    result = window.document.result
    assert not result.problems
    expected = float(np.sum((np.array(W) @ np.array([[0.2, 1.0], [0.4, -1.0]])) ** 2))
    assert result.value == pytest.approx(expected)


def test_the_number_button_makes_a_number_a_vector_in_one_step(qtbot, window):
    window.view.add_gate("input")
    settle()
    panel = window.property_panel
    assert panel.value_edit.isVisible() and not panel.source_table.isVisible()
    qtbot.mouseClick(panel.table_button, Qt.LeftButton)
    settle()
    editor = panel.source_table.editor
    assert panel.source_table.isVisible()
    editor.kind_box.setFocus()
    qtbot.keyClick(editor.kind_box, Qt.Key_Down)  # number -> vector (n)
    settle()
    type_size(qtbot, editor.columns_box, 3)
    assert np.array_equal(value_of(window, "x"), np.zeros(3))
    assert window.document.undo_stack.count() == 3  # add, vector of 1, vector of 3
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert value_of(window, "x") == 0.0 and type(value_of(window, "x")) is float


# ------------------------------------------------------------ the canvas and the inputs panel
def test_double_click_on_a_matrix_source_opens_its_table_and_edits_are_undo_steps(
        qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    qtbot.mouseDClick(window.view.viewport(), Qt.LeftButton, pos=gate_point(window, "W"))
    settle()
    assert window.scene.value_editor() is None  # no number editor for a matrix
    dialog = window.findChild(SourceTableDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "W  matrix input 2×2"
    type_in_cell(qtbot, dialog.table.editor.table, 1, 0, "-1")
    assert np.array_equal(value_of(window, "W"), [[0.1, 0.5], [-1.0, 0.8]])
    assert window.document.undo_stack.count() == 1
    window.document.flush()
    # q = W x = [0.22, -0.2 + 0.32] = [0.22, 0.12]
    assert window.document.result.value == pytest.approx(0.22 ** 2 + 0.12 ** 2)
    window.document.undo_stack.undo()
    assert np.array_equal(dialog.table.editor.value(), W)


def test_the_gate_menu_fills_a_matrix_and_set_value_opens_its_table(window, tmp_path):
    open_circuit(window, tmp_path)
    stack = window.document.undo_stack

    def trigger(name):
        action = build_gate_menu(window.edit_actions, "W", window.view).findChild(QAction, name)
        assert action is not None, name
        action.trigger()
        settle()

    trigger("ctx_fill_zeros")
    assert np.array_equal(value_of(window, "W"), np.zeros((2, 2)))
    trigger("ctx_fill_random")
    random = value_of(window, "W")
    assert random.shape == (2, 2) and np.array_equal(random, np.round(random, 2))
    assert stack.count() == 2
    stack.undo()
    stack.undo()
    assert np.array_equal(value_of(window, "W"), W)
    trigger("ctx_edit_value")  # no number dialog: the table opens
    dialog = window.findChild(SourceTableDialog)
    assert dialog is not None and dialog.isVisible() and dialog.table.node_id == "W"


def test_scrubbing_a_matrix_changes_nothing_and_says_how_to_edit_it(qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    view = window.view
    pos = QPointF(gate_point(window, "W"))
    event = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, 120), Qt.NoButton, Qt.ControlModifier, Qt.NoScrollPhase,
                        False)
    zoom = view.transform().m11()
    QApplication.sendEvent(view.viewport(), event)
    settle()
    assert np.array_equal(value_of(window, "W"), W)
    assert window.document.undo_stack.count() == 0
    assert view.transform().m11() == zoom  # taken by the gate, not a zoom
    assert "double-click W to edit its elements" in window.statusBar().currentMessage()


def test_the_inputs_panel_previews_tensors_and_opens_their_table(qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    panel = window.inputs_panel
    assert panel.cell_text("W", VALUE) == "2×2 [0.10, …]"
    assert panel.cell_text("x", VALUE) == "[0.20, 0.40]"
    assert panel.cell_text("W", GRAD) == "2×2 [0.088, …]"
    assert panel.cell_text("x", GRAD) == "[-0.112, 0.636]"
    tip = panel.table.item(panel.row_of("W"), VALUE).toolTip()
    assert "0.1  0.5" in tip and "-0.3  0.8" in tip
    cell = panel.table.visualItemRect(panel.table.item(panel.row_of("x"), VALUE)).center()
    qtbot.mouseClick(panel.table.viewport(), Qt.LeftButton, pos=cell)  # a double click's press
    qtbot.mouseDClick(panel.table.viewport(), Qt.LeftButton, pos=cell)
    settle()
    assert panel.table.state() != panel.table.State.EditingState
    dialog = panel.table_dialog
    assert dialog.isVisible() and dialog.table.node_id == "x"
    qtbot.mouseClick(dialog.table.editor.zeros_button, Qt.LeftButton)
    settle()
    assert np.array_equal(value_of(window, "x"), [0.0, 0.0])
    window.document.flush()
    settle()
    assert panel.cell_text("x", VALUE) == "[0.00, 0.00]"


def test_a_vector_input_bound_to_each_points_x_and_y_shows_and_changes_its_binding(qtbot):
    data = json.loads(json.dumps(WX))
    data["nodes"][1]["feature"] = [0, 1]
    document = Document(engine.loads(json.dumps(data)))
    inputs, panel = InputsPanel(document), PropertyPanel(document)
    for widget in (inputs, panel):
        qtbot.addWidget(widget)
        widget.show()
    assert inputs.cell_text("x", KIND) == "data x, y"
    panel.show_node("x")
    combo = panel.feature_combo
    assert combo.currentText() == "x, y (columns 0, 1)"
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Home)  # -> none
    assert document.circuit.node("x").feature is None
    qtbot.keyClick(combo, Qt.Key_End)  # -> x, y again
    assert document.circuit.node("x").feature == (0, 1)
    document.undo_stack.undo()
    assert document.circuit.node("x").feature is None
    assert combo.currentIndex() == 0


# ------------------------------------------------------------ files and the clipboard
def test_save_open_and_recovery_keep_every_number_of_a_tensor_circuit(qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    third = np.array([[1 / 3, -2.5e-7], [1e30, 0.1 + 0.2]])
    window.document.push(SetValueCommand(window.document, "W", third))
    target = tmp_path / "saved.circuit"
    assert window.save_to(target)
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == 2
    window.document.push(SetValueCommand(window.document, "x", [1.0, 2.0]))
    assert window.autosave.save_now()
    copy = engine.load(window.autosave.recovery_path)
    assert np.array_equal(copy.node("W").value, third)
    assert np.array_equal(copy.node("x").value, [1.0, 2.0])

    assert window.open_path(target)
    window.document.flush()
    assert np.array_equal(value_of(window, "W"), third)  # every digit, exactly
    assert np.array_equal(value_of(window, "x"), X)
    assert window.document.result.value == pytest.approx(
        float(np.sum((third @ np.array(X)) ** 2)))


def test_saving_shapes_that_do_not_fit_is_refused_naming_them_and_loses_nothing(
        window, tmp_path):
    path = open_circuit(window, tmp_path)
    window.document.push(SetValueCommand(window.document, "x", [1.0, 2.0, 3.0]))
    assert not window.save_to(path)
    assert "matmul cannot multiply shapes (2, 2) and (3,)" in window.errors[-1]
    assert window.document.is_dirty
    assert json.loads(path.read_text(encoding="utf-8"))["nodes"][1]["value"] == X
    window.document.undo_stack.undo()
    assert window.save_to(path)
    assert engine.load(path).node("x").value.tolist() == X


def test_copy_paste_of_a_matrix_source_keeps_its_value(qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    click_gate(qtbot, window, "W")
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key_C, Qt.ControlModifier)
    qtbot.keyClick(window.view, Qt.Key_V, Qt.ControlModifier)
    settle()
    pasted = [node_id for node_id in window.document.circuit.nodes if node_id not in
              ("W", "x", "q", "p", "f")]
    assert len(pasted) == 1
    assert np.array_equal(value_of(window, pasted[0]), W)
    assert window.document.undo_stack.undoText() == "Paste 1 gate"


def test_a_value_command_keeps_its_own_copy_of_the_array(window, tmp_path):
    open_circuit(window, tmp_path)
    mine = np.array([[1.0, 2.0], [3.0, 4.0]])
    window.document.push(SetValueCommand(window.document, "W", mine))
    mine[0, 0] = 99.0  # the caller's array changes afterwards: nothing else does
    assert value_of(window, "W")[0, 0] == 1.0
    stack = window.document.undo_stack
    stack.undo()
    stack.redo()
    assert np.array_equal(value_of(window, "W"), [[1.0, 2.0], [3.0, 4.0]])
    assert not value_of(window, "W").flags.writeable
