"""Every key of the canvas, pressed on the canvas of a real window, does its job, and Help lists
it: the window's actions (Delete and Backspace, Ctrl+A, F, Ctrl+=, Ctrl+-, Ctrl+0) and the
canvas's own keys (the arrows, Shift+arrows, Escape, Space held to pan, Tab for quick add).

The circuit is FORMAT.md's f = (x + y) * z, whose gates sit at x (0, 0), y (0, 80), z (0, 160),
q (160, 40) and f (320, 100).
"""

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeySequence

from gui.canvas.view import KEY_STEP
from tests.gui_helpers import drag, make_window
from tests.helpers import add_mul_circuit


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    window.document.replace_circuit(add_mul_circuit())
    window.document.flush()
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.hasFocus())
    return window


def press(window, qtbot, key, modifier=Qt.NoModifier):
    qtbot.keyClick(window.view.viewport(), key, modifier)


def help_rows(window) -> dict:
    window.action_shortcuts.trigger()
    table = window.help_dialog.shortcuts_table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    window.help_dialog.close()
    return rows


def native(*keys) -> str:
    return ", ".join(QKeySequence(key).toString(QKeySequence.NativeText) for key in keys)


def test_delete_and_backspace_delete_the_selection(window, qtbot):
    doc, scene = window.document, window.scene
    scene.select_nodes(["q"])
    press(window, qtbot, Qt.Key_Delete)
    assert "q" not in doc.circuit.nodes
    scene.clearSelection()
    scene.wire_item("f", 1).setSelected(True)  # z -> f
    press(window, qtbot, Qt.Key_Backspace)
    assert doc.circuit.source_of("f", 1) is None
    assert doc.undo_stack.count() == 2  # one undo step each
    assert help_rows(window)["Delete"] == native("Del", "Backspace")


def test_backspace_while_typing_a_value_edits_the_text_not_the_circuit(window, qtbot):
    view, scene = window.view, window.scene
    scene.select_nodes(["x"])
    pill = scene.gate_item("x")
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton,
                      pos=view.mapFromScene(pill.sceneBoundingRect().center()))
    editor = scene.value_editor()
    assert editor is not None and editor.text() != ""
    press(window, qtbot, Qt.Key_A, Qt.ControlModifier)  # the editor's text, all of it
    press(window, qtbot, Qt.Key_Backspace)
    assert editor.text() == ""
    assert "x" in window.document.circuit.nodes
    assert window.document.undo_stack.count() == 0


def test_ctrl_a_selects_every_gate_and_escape_clears_the_selection(window, qtbot):
    scene = window.scene
    press(window, qtbot, Qt.Key_A, Qt.ControlModifier)
    assert scene.selected_node_ids() == ["x", "y", "z", "q", "f"]
    press(window, qtbot, Qt.Key_Escape)
    assert scene.selected_node_ids() == []
    rows = help_rows(window)
    assert rows["Select All"] == native("Ctrl+A")
    assert rows["Cancel a drag; else clear the selection; else go out of the gate shown"] \
        == native("Escape")


def test_zoom_keys_zoom_in_out_and_back_to_100_percent_and_f_fits(window, qtbot):
    view = window.view
    view.set_zoom(1.0)
    press(window, qtbot, Qt.Key_Equal, Qt.ControlModifier)
    assert view.zoom_factor() == pytest.approx(KEY_STEP)
    press(window, qtbot, Qt.Key_Minus, Qt.ControlModifier)
    press(window, qtbot, Qt.Key_Minus, Qt.ControlModifier)
    assert view.zoom_factor() == pytest.approx(1 / KEY_STEP)
    press(window, qtbot, Qt.Key_0, Qt.ControlModifier)
    assert view.zoom_factor() == pytest.approx(1.0)
    view.set_zoom(6.0)
    press(window, qtbot, Qt.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.content_rect())
    rows = help_rows(window)
    assert rows["Zoom In"] == native("Ctrl+=", "Ctrl++")
    assert rows["Zoom Out"] == native("Ctrl+-")
    assert rows["Actual Size"] == native("Ctrl+0")
    assert rows["Fit Circuit"] == native("F")


def test_arrows_nudge_a_grid_step_and_shift_arrows_five(window, qtbot):
    doc, scene = window.document, window.scene
    scene.select_nodes(["q", "f"])
    press(window, qtbot, Qt.Key_Right)
    assert doc.circuit.nodes["q"].pos == (180, 40) and doc.circuit.nodes["f"].pos == (340, 100)
    press(window, qtbot, Qt.Key_Up, Qt.ShiftModifier)
    assert doc.circuit.nodes["q"].pos == (180, -60) and doc.circuit.nodes["f"].pos == (340, 0)
    press(window, qtbot, Qt.Key_Left, Qt.ShiftModifier)
    press(window, qtbot, Qt.Key_Down)
    assert doc.circuit.nodes["q"].pos == (80, -40)
    assert doc.undo_stack.count() == 4
    rows = help_rows(window)
    assert rows["Nudge the selection a grid step (pan if none)"] == native(
        "Left", "Right", "Up", "Down")
    assert rows["Nudge the selection five grid steps"] == native(
        "Shift+Left", "Shift+Right", "Shift+Up", "Shift+Down")


def test_space_held_makes_a_left_drag_pan(window, qtbot):
    view, scene = window.view, window.scene
    start = view.mapFromScene(QPointF(-30, -40))
    end = view.mapFromScene(QPointF(250, 130))
    under = view.mapToScene(start)
    qtbot.keyPress(view.viewport(), Qt.Key_Space)
    drag(view, start, end)  # a rubber band around x, y and q without Space
    qtbot.keyRelease(view.viewport(), Qt.Key_Space)
    assert scene.selected_node_ids() == []
    assert view.mapToScene(end) == under  # the canvas followed the hand
    assert help_rows(window)["Pan: hold and drag"] == native("Space")


def test_tab_opens_quick_add(window, qtbot):
    press(window, qtbot, Qt.Key_Tab)
    popup = window.view.quick_add
    assert popup is not None and popup.isVisible()
    popup.close()
    assert help_rows(window)["Add a gate at the mouse (type its name)"] == native("Tab")
