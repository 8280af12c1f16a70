"""A new user's walk through building the lecture's ||W x||² in the window, defect by defect.

Each test drives the real widgets with mouse and key events (the palette's drag, Enter in the
shape chooser, Ctrl+Z in a spin box, Enter in a vector's table, the inputs panel, matmul's
ports) and checks what the user sees or what the circuit then holds.
"""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QDrag, QHelpEvent, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import (QApplication, QLineEdit, QPushButton,  # noqa: E402
                               QToolTip)

import engine  # noqa: E402
from gui.canvas.source_table import SourceTableDialog  # noqa: E402
from gui.docks.inputs_panel import GRAD, VALUE  # noqa: E402
from gui.model.commands import SetValueCommand  # noqa: E402
from tests.gui_helpers import mouse, settle  # noqa: E402
from tests.test_gui_tensor_editing import (click_gate, drop_gate, gate_point,  # noqa: E402,F401
                                           open_circuit, type_in_cell, type_size, value_of,
                                           window)


def drag_from_palette(qtbot, window, monkeypatch, spec_text: str, drop_at: QPoint) -> list:
    """Press on a palette entry and move the mouse with the button held, as a user starts a
    drag; the drag Qt then runs carries its payload to the canvas and drops it at ``drop_at``
    (offscreen there is no system drag loop: the test plays it). Returns the drops made."""
    drops = []

    def play_drag(drag, *_actions):
        drops.append(drop_gate(window.view, drag.mimeData(), drop_at))
        return Qt.CopyAction

    monkeypatch.setattr(QDrag, "exec", play_drag)
    tree = window.palette.tree
    entry = window.palette.shaped_entry(spec_text)
    tree.scrollToItem(entry)
    start = tree.visualItemRect(entry).center()
    mouse(tree, QEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton)
    for step in range(1, 6):
        mouse(tree, QEvent.MouseMove, start + QPoint(12 * step, 4 * step), Qt.NoButton,
              Qt.LeftButton)
    mouse(tree, QEvent.MouseButtonRelease, start + QPoint(60, 20), Qt.LeftButton, Qt.NoButton)
    settle()
    return drops


# ------------------------------------------------------------------------- 1. palette drags
@pytest.mark.parametrize("spec_text, node_id, zeros", [
    ("input 2", "x", np.zeros(2)), ("input 2×2", "W", np.zeros((2, 2))),
    ("const 2", None, np.zeros(2)), ("const 2×2", None, np.zeros((2, 2)))])
def test_dragging_a_shaped_source_from_the_palette_drops_it_on_the_canvas(
        qtbot, window, monkeypatch, spec_text, node_id, zeros):
    drops = drag_from_palette(qtbot, window, monkeypatch, spec_text, QPoint(300, 200))
    assert len(drops) == 1 and drops[0].isAccepted()
    nodes = list(window.document.circuit.nodes.values())
    assert len(nodes) == 1 and nodes[0].op == spec_text.split()[0]
    assert node_id is None or nodes[0].id == node_id
    assert np.array_equal(nodes[0].value, zeros) and nodes[0].value.shape == zeros.shape
    assert window.document.undo_stack.count() == 1
    assert window.errors == []


# ------------------------------------------------------- 2. Enter in the size, Fill random
def open_table_window(qtbot, window, tmp_path, node_id="W") -> SourceTableDialog:
    open_circuit(window, tmp_path)
    qtbot.mouseDClick(window.view.viewport(), Qt.LeftButton, pos=gate_point(window, node_id))
    settle()
    dialog = window.findChild(SourceTableDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_enter_in_the_size_of_the_table_window_resizes_and_keeps_the_numbers(
        qtbot, window, tmp_path):
    dialog = open_table_window(qtbot, window, tmp_path)
    editor = dialog.table.editor
    for button in dialog.findChildren(QPushButton):
        assert not button.autoDefault() and not button.isDefault()
    type_size(qtbot, editor.columns_box, 3)  # typed, then Enter
    assert np.array_equal(value_of(window, "W"), [[0.1, 0.5, 0.0], [-0.3, 0.8, 0.0]])
    stack = window.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Reshape W to 2×3"


def test_fill_random_names_itself_as_a_fill(qtbot, window, tmp_path):
    dialog = open_table_window(qtbot, window, tmp_path)
    qtbot.mouseClick(dialog.table.editor.random_button, Qt.LeftButton)
    stack = window.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Fill W with random numbers"
    assert not np.array_equal(value_of(window, "W"), [[0.1, 0.5], [-0.3, 0.8]])
    qtbot.mouseClick(dialog.table.editor.ones_button, Qt.LeftButton)
    assert stack.undoText() == "Fill W with ones"
    type_in_cell(qtbot, dialog.table.editor.table, 0, 0, "2")
    assert stack.undoText() == "Set W[0, 0] = 2.00"  # a typed cell after a fill is no fill


# ------------------------------------------------------------- 3. Ctrl+Z in the shape chooser
def test_ctrl_z_in_the_properties_size_box_undoes_the_reshape(qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    click_gate(qtbot, window, "W")
    editor = window.property_panel.source_table.editor
    type_size(qtbot, editor.columns_box, 3)
    assert value_of(window, "W").shape == (2, 3)
    assert editor.columns_box.hasFocus()
    qtbot.keyClick(editor.columns_box, Qt.Key_Z, Qt.ControlModifier)
    settle()
    assert np.array_equal(value_of(window, "W"), [[0.1, 0.5], [-0.3, 0.8]])
    assert editor.columns_box.value() == 2  # the chooser follows the undo
    qtbot.keyClick(editor.columns_box, Qt.Key_Y, Qt.ControlModifier)
    settle()
    assert value_of(window, "W").shape == (2, 3)


def test_ctrl_z_in_the_table_window_undoes_but_a_cell_being_typed_keeps_its_text_undo(
        qtbot, window, tmp_path):
    dialog = open_table_window(qtbot, window, tmp_path)
    table = dialog.table.editor.table
    type_in_cell(qtbot, table, 0, 0, "7")
    assert value_of(window, "W")[0, 0] == 7.0
    table.setFocus()
    qtbot.keyClick(table, Qt.Key_Z, Qt.ControlModifier)  # the table's own focus: window undo
    settle()
    assert value_of(window, "W")[0, 0] == 0.1
    type_size(qtbot, dialog.table.editor.rows_box, 3)
    qtbot.keyClick(dialog.table.editor.rows_box, Qt.Key_Z, Qt.ControlModifier)
    settle()
    assert value_of(window, "W").shape == (2, 2)

    stack = window.document.undo_stack
    index = stack.index()
    rect = table.visualRect(table.model().index(1, 1))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.keyClicks(table, "5")
    cell = table.findChild(QLineEdit)
    assert cell is not None and cell.hasFocus()
    qtbot.keyClicks(cell, "9")
    qtbot.keyClick(cell, Qt.Key_Z, Qt.ControlModifier)  # the typing's own undo
    assert cell.text() != "59"
    assert stack.index() == index  # the circuit's stack did not move
    qtbot.keyClick(cell, Qt.Key_Escape)
    assert np.array_equal(value_of(window, "W"), [[0.1, 0.5], [-0.3, 0.8]])


# ------------------------------------------------------ 4. the table stays usable on an error
def test_the_properties_table_keeps_its_rows_when_a_reshape_reports_a_shape_error(
        qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    click_gate(qtbot, window, "W")
    source_table = window.property_panel.source_table
    type_size(qtbot, source_table.editor.columns_box, 3)  # W 2×3 no longer fits x of 2
    window.document.flush()
    settle()
    assert source_table.problems.isVisible()
    table = source_table.editor.table
    on_panel = table.geometry().translated(table.parentWidget().mapTo(source_table, QPoint()))
    assert on_panel.bottom() < source_table.problems.geometry().top()  # the message is below
    assert table.verticalScrollBar().maximum() == 0  # both rows in view
    shown = table.viewport().rect()
    if table.horizontalScrollBar().isVisible():
        shown.setBottom(min(shown.bottom(), table.horizontalScrollBar().geometry().top() - 1))
    for row in range(2):  # every row of the new column in view, to type into
        cell = table.model().index(row, 2)
        table.scrollTo(cell)
        assert shown.contains(table.visualRect(cell)), (row, shown, table.visualRect(cell))
    type_in_cell(qtbot, table, 1, 2, "0.6")
    assert np.array_equal(value_of(window, "W"), [[0.1, 0.5, 0.0], [-0.3, 0.8, 0.6]])


# ------------------------------------------------------------- 5. Enter along a vector
def test_enter_in_a_vectors_table_moves_on_to_its_next_element(qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    click_gate(qtbot, window, "x")
    table = window.property_panel.source_table.editor.table
    type_in_cell(qtbot, table, 0, 0, "0.7")  # then Enter: on to x[1]
    assert (table.currentIndex().row(), table.currentIndex().column()) == (0, 1)
    qtbot.keyClicks(table, "-")
    cell = table.findChild(QLineEdit)
    assert cell is not None and cell.hasFocus()
    qtbot.keyClicks(cell, "2")
    qtbot.keyClick(cell, Qt.Key_Return)
    settle()
    assert np.array_equal(value_of(window, "x"), [0.7, -2.0])
    assert window.document.undo_stack.count() == 2  # one step a cell
    # a matrix still goes down its column
    click_gate(qtbot, window, "W")
    table = window.property_panel.source_table.editor.table
    type_in_cell(qtbot, table, 0, 1, "1")
    assert (table.currentIndex().row(), table.currentIndex().column()) == (1, 1)


# ----------------------------------------------------- 6. a preview shows at least a number
def test_the_inputs_panel_shows_the_first_number_of_every_tensor_and_room_for_it(
        qtbot, window):
    assert window.open_path(Path("assets/examples/numpy_net_11_lines.circuit"))
    window.document.flush()
    settle()
    assert_first_numbers_shown(window)  # syn0's gradient: 3×4 [0.0021, …]
    # syn1 after training: numbers with more digits
    window.document.push(SetValueCommand(window.document, "syn1",
                                         [-12.3456, 0.000123, 7.5, -0.25]))
    window.document.flush()
    settle()
    assert_first_numbers_shown(window)


def assert_first_numbers_shown(window):
    panel = window.inputs_panel
    header, metrics = panel.table.horizontalHeader(), panel.table.fontMetrics()
    result = window.document.result
    for node_id in ("X", "syn0", "syn1", "y"):
        for column, array in ((VALUE, window.document.circuit.node(node_id).value),
                              (GRAD, result.grads[node_id])):
            text = panel.cell_text(node_id, column)
            first = engine.format_number(float(np.asarray(array).flat[0]))
            assert f"[{first}" in text, (node_id, column, text)
            assert metrics.horizontalAdvance(text) < header.sectionSize(column), (node_id, text)


# ------------------------------------------------------------- 7. matmul's operands named
def port_point(window, node_id, index) -> QPoint:
    port = window.scene.gate_item(node_id).input_ports[index]
    return window.view.mapFromScene(port.scenePos())


def test_matmuls_ports_say_which_operand_they_are_on_hover_and_on_the_gate(
        qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    viewport = window.view.viewport()
    tips = []
    for index in (0, 1):
        point = port_point(window, "q", index)
        help_event = QHelpEvent(QEvent.ToolTip, point, viewport.mapToGlobal(point))
        QApplication.sendEvent(viewport, help_event)
        tips.append(QToolTip.text())
        QToolTip.hideText()
    assert tips[0].startswith("left operand: the matrix W in q = W·x")
    assert tips[1].startswith("right operand: the vector or matrix x in q = W·x")
    # the names are written inside the gate beside its ports: ink where the body is blank
    gate = window.scene.gate_item("q")
    image = QImage(viewport.size(), QImage.Format_RGB32)
    image.fill(Qt.white)
    painter = QPainter(image)
    window.view.render(painter, QRectF(image.rect()), viewport.rect())
    painter.end()
    for index in (0, 1):
        point = port_point(window, "q", index)
        dark = [image.pixelColor(point.x() + dx, point.y() + dy).lightness() < 160
                for dx in range(8, 18) for dy in range(-5, 6)]
        assert sum(dark) >= 5, index
    # a gate whose ports are interchangeable has neither names nor operand tips
    point = port_point(window, "p", 0)
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.ToolTip, point,
                                                viewport.mapToGlobal(point)))
    assert QToolTip.text() == "p input 0: from q"
    assert [port.name for port in window.scene.gate_item("p").input_ports] == [""]
    assert [port.name for port in gate.input_ports] == ["W", "x"]


# ------------------------------------------------- 8. shape errors in the circuit's own names
def test_a_shape_error_names_the_sources_and_keeps_the_engines_words_on_hover(
        qtbot, window, tmp_path):
    open_circuit(window, tmp_path)
    click_gate(qtbot, window, "x")
    source_table = window.property_panel.source_table
    type_size(qtbot, source_table.editor.columns_box, 3)  # x of 3 into W (2×2)·x
    window.document.flush()
    settle()
    readable = "matmul cannot multiply W (2×2) by x (3 numbers)"
    engine_words = "nodes[2] (q): matmul cannot multiply shapes (2, 2) and (3,)"
    assert readable in source_table.problems.text()
    assert "nodes[2]" not in source_table.problems.text()
    assert engine_words in source_table.problems.toolTip()
    assert readable in window.statusBar().currentMessage()  # what the edit did
    assert window.result_label.text() == f"⚠ {readable}"  # the status bar's right side
    assert engine_words in window.result_label.toolTip()
    click_gate(qtbot, window, "f")
    note = window.property_panel.result_note
    assert note.text() == f"Not computed: shapes do not fit upstream ({readable})."
    assert engine_words in note.toolTip()


def test_a_misfit_of_an_element_by_element_gate_is_named_by_its_sources_too(window, tmp_path):
    data = {"format": "circuitgrad", "version": 2, "nodes": [
        {"id": "a", "op": "input", "value": [1.0, 2.0], "pos": [0, 0]},
        {"id": "b", "op": "input", "value": [1.0, 2.0], "pos": [0, 120]},
        {"id": "s", "op": "add", "pos": [160, 60]}],
        "wires": [{"from": "a", "to": "s", "port": 0}, {"from": "b", "to": "s", "port": 1}],
        "output": "s"}
    open_circuit(window, tmp_path, data, "add.circuit")
    window.document.push(SetValueCommand(window.document, "b", [1.0, 2.0, 3.0]))
    window.document.flush()
    settle()
    assert window.result_label.text() == "⚠ add cannot combine a (2 numbers) and b (3 numbers)"
