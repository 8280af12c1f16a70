"""Code gates in the window (gui/docks/code_gate_editing.py): New Code Gate…, Edit Code Gate…,
the ✗ of a gate kept failing, undo, and gates that run too long.

Everything is driven as a user drives it: the menu's shortcut, a double-click on a gate, the
dialog's fields and editor typed into with the keyboard, its buttons and questions clicked.
The checks are the engine's own (the code runs in the code host): "port y is wrong" comes from
comparing the typed backward with centred differences, the guide's numbers from the passes.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QThreadPool, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from gui.canvas.code_gate_marks import FAILED  # noqa: E402
from gui.canvas.context_menus import build_gate_menu  # noqa: E402
from gui.docks.code_gate_dialog import FAIL_RED, PASS_GREEN  # noqa: E402
from gui.files.file_actions import examples_folder  # noqa: E402
from tests.gui_helpers import click_gate, make_window, show_at, when_modal  # noqa: E402
from tests.guide_code_gates import (ADD, MULTIPLY, guide_file, save_shot,  # noqa: E402
                                    short_limit)

__all__ = ["short_limit"]  # a fixture of tests.guide_code_gates these tests use


@pytest.fixture
def window(qtbot, tmp_path):
    shown = make_window(qtbot, tmp_path)
    show_at(shown, qtbot, (1300, 850))
    yield shown
    dialog = shown.code_gates.dialog
    if dialog is not None:
        dialog.ask_discard = lambda: True
        dialog.reject()
    QThreadPool.globalInstance().waitForDone(20000)


def open_trusted(qtbot, window, path):
    """Open ``path`` answering Trust and run, and wait for its gates' checks."""
    window.trust_answer = True
    assert window.open_path(path)
    qtbot.waitUntil(lambda: not window.code_trust.is_trusting(), timeout=20000)
    window.document.flush()


def press_on_canvas(qtbot, window, key, modifiers=Qt.NoModifier):
    """A key pressed on the canvas of the window (active again once a dialog closed)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.view.viewport(), key, modifiers)


def the_dialog(qtbot, window):
    qtbot.waitUntil(lambda: window.code_gates.dialog is not None
                    and window.code_gates.dialog.isVisible())
    return window.code_gates.dialog


def retype(qtbot, line_edit, text):
    line_edit.setFocus()
    qtbot.keyClick(line_edit, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClick(line_edit, Qt.Key_Backspace)
    qtbot.keyClicks(line_edit, text)


def line_of(editor, fragment) -> int:
    """The 1-based number of the first line of the editor's code holding ``fragment``."""
    return next(number for number, line in enumerate(editor.code().splitlines(), start=1)
                if fragment in line)


def replace_line(qtbot, editor, fragment, text):
    """Select the line holding ``fragment`` with the keys and type ``text`` over it."""
    number = line_of(editor, fragment)
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key_Home, Qt.ControlModifier)
    for _ in range(number - 1):
        qtbot.keyClick(editor, Qt.Key_Down)
    qtbot.keyClick(editor, Qt.Key_Home)
    qtbot.keyClick(editor, Qt.Key_End, Qt.ShiftModifier)
    qtbot.keyClicks(editor, text)
    assert editor.code().splitlines()[number - 1] == text


def apply(qtbot, dialog):
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.is_checking(), timeout=20000)


def double_click_gate(qtbot, window, node_id):
    window.activateWindow()  # again, once a dialog closed
    qtbot.waitUntil(window.isActiveWindow)
    view, gate = window.view, window.scene.gate_item(node_id)
    view.ensureVisible(gate)
    middle = view.mapFromScene(gate.mapToScene(gate.body_rect().center()))
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=middle)  # a double-click's first
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=middle)  # click, then its second


# ------------------------------------------------------------------ new code gate
def test_new_code_gate_is_checked_fixed_by_typing_placed_and_undone(qtbot, window):
    circuit = window.document.circuit
    press_on_canvas(qtbot, window, Qt.Key_N, Qt.ControlModifier | Qt.AltModifier)
    dialog = the_dialog(qtbot, window)
    retype(qtbot, dialog.name_edit, "MultiplyGate")
    assert dialog.editor.code().startswith("class MultiplyGate:\n    def forward(self, x, y):")
    replace_line(qtbot, dialog.editor, "return 0.0", "        return x * y")
    replace_line(qtbot, dialog.editor, "raise NotImplementedError",
                 "        return dz * self.y, dz * self.y")  # dy should be dz * x

    apply(qtbot, dialog)
    assert dialog.result_state == "failed"
    assert "port y is wrong" in dialog.result_label.text()
    assert "port x" not in dialog.result_label.text()
    assert FAIL_RED in dialog.result_label.styleSheet()
    wrong_line = line_of(dialog.editor, "return dz * self.y, dz * self.y")
    assert dialog.editor.error_lines() == [wrong_line]
    save_shot(dialog, "new_gate_wrong_port.png")

    replace_line(qtbot, dialog.editor, "return dz * self.y, dz * self.y",
                 "        return dz * self.y, dz * self.x")
    apply(qtbot, dialog)
    assert dialog.result_state == "passed"
    assert PASS_GREEN in dialog.result_label.styleSheet()
    assert dialog.editor.error_lines() == []
    save_shot(dialog, "new_gate_passes.png")
    assert circuit.definitions == {}  # checking never changes the file

    middle = window.view.mapToScene(window.view.viewport().rect().center())
    typed = dialog.editor.code()
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.code_gates.dialog is None)
    definition = circuit.definitions["MultiplyGate"]
    assert definition.kind == "code" and definition.trusted and definition.check.passed
    assert definition.code == typed and "return dz * self.y, dz * self.x\n" in typed
    assert [node.op for node in circuit.nodes.values()] == ["MultiplyGate"]
    node_id = next(iter(circuit.nodes))
    assert window.scene.selected_node_ids() == [node_id]
    item = window.scene.gate_item(node_id)
    centre = item.mapToScene(item.body_rect().center())
    assert abs(centre.x() - middle.x()) <= window.scene.GRID
    assert abs(centre.y() - middle.y()) <= window.scene.GRID
    assert item.code_mark == ""
    assert window.document.undo_stack.count() == 1

    press_on_canvas(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert circuit.nodes == {} and circuit.definitions == {}
    assert window.scene.gate_items() == []
    press_on_canvas(qtbot, window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert circuit.definitions["MultiplyGate"] is definition
    assert [node.op for node in circuit.nodes.values()] == ["MultiplyGate"]


def test_a_new_gate_may_not_take_a_built_in_or_a_taken_name(qtbot, window, tmp_path):
    open_trusted(qtbot, window, guide_file(tmp_path))
    press_on_canvas(qtbot, window, Qt.Key_N, Qt.ControlModifier | Qt.AltModifier)
    dialog = the_dialog(qtbot, window)
    for taken, said in (("mul", "built-in"), ("AddGate", "already has a gate called")):
        retype(qtbot, dialog.name_edit, taken)
        assert dialog.field_message.isVisible() and said in dialog.field_message.text()
        qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
        assert dialog.isVisible() and not dialog.is_checking()
    retype(qtbot, dialog.name_edit, "SquareGate")
    assert not dialog.field_message.isVisible()
    assert window.document.circuit.definitions.keys() == {"AddGate", "MultiplyGate"}


# ------------------------------------------------------------------ editing and ✗
def test_a_gate_kept_failing_is_marked_and_left_out_and_undo_brings_the_old_one_back(
        qtbot, window, tmp_path):
    open_trusted(qtbot, window, guide_file(tmp_path))
    circuit = window.document.circuit
    assert window.document.result.value == -12.0
    old = circuit.definitions["MultiplyGate"]

    double_click_gate(qtbot, window, "f")
    dialog = the_dialog(qtbot, window)
    assert dialog.editor.code() == MULTIPLY and dialog.name_edit.isReadOnly()
    replace_line(qtbot, dialog.editor, "return self.y * dz", "        return self.y, self.x")
    answered = when_modal(QMessageBox, lambda box: qtbot.mouseClick(
        next(b for b in box.buttons() if b.text() == "Keep It"), Qt.LeftButton))
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # checks, then asks: keep it?
    qtbot.waitUntil(lambda: window.code_gates.dialog is None, timeout=20000)
    assert answered

    click_gate(qtbot, window, "q")  # the canvas takes presses where they are again
    new = circuit.definitions["MultiplyGate"]
    assert new is not old and not new.check.passed
    assert "multiply the local gradient by dz" in new.check.message
    window.document.flush()
    assert window.scene.gate_item("f").code_mark == FAILED
    assert window.scene.gate_item("q").code_mark == ""
    result = window.document.result
    assert not result.has_gradients and "f" in result.incomplete
    assert [node for node, _message in result.gate_problems] == ["f"]
    save_shot(window, "kept_failing_gate.png")

    press_on_canvas(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert circuit.definitions["MultiplyGate"] is old
    window.document.flush()
    assert window.scene.gate_item("f").code_mark == ""
    assert window.document.result.value == -12.0


def test_edit_code_gate_from_the_context_menu_the_menu_and_the_palette(qtbot, window, tmp_path):
    open_trusted(qtbot, window, guide_file(tmp_path))
    menu = build_gate_menu(window.edit_actions, "q", window)
    entry = next(a for a in menu.actions() if a.objectName() == "ctx_edit_code")
    assert [a.objectName() for a in build_gate_menu(window.edit_actions, "x", window)
            .actions() if a.objectName() == "ctx_edit_code"] == []
    entry.trigger()
    dialog = the_dialog(qtbot, window)
    assert dialog.editor.code() == ADD
    dialog.reject()
    qtbot.waitUntil(lambda: window.code_gates.dialog is None)

    window.scene.select_nodes(["f"])
    window.findChild(type(window.action_edit_code_gate), "action_edit_code_gate").trigger()
    dialog = the_dialog(qtbot, window)
    assert dialog.editor.code() == MULTIPLY
    dialog.reject()
    qtbot.waitUntil(lambda: window.code_gates.dialog is None)

    palette_menu = window.palette.own_gate_menu("AddGate")
    next(a for a in palette_menu.actions() if a.objectName() == "palette_edit_code").trigger()
    assert the_dialog(qtbot, window).editor.code() == ADD


def test_a_gate_in_use_keeps_its_number_of_ports(qtbot, window, tmp_path):
    open_trusted(qtbot, window, guide_file(tmp_path))
    double_click_gate(qtbot, window, "f")
    dialog = the_dialog(qtbot, window)
    retype(qtbot, dialog.ports_edit, "x, y, w")
    assert "must keep 2" in dialog.field_message.text()
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert not dialog.is_checking() and dialog.result_state == "failed"


def write_backward(qtbot, window, node_id, line):
    """Double-click a code gate and type ``line`` over backward's raise line."""
    double_click_gate(qtbot, window, node_id)
    dialog = the_dialog(qtbot, window)
    replace_line(qtbot, dialog.editor, "raise NotImplementedError", line)
    return dialog


def test_the_guide_exercise_comes_alive_once_both_backwards_are_written(qtbot, window):
    window.trust_answer = True
    assert window.files.open_example(examples_folder() / "guide_exercise_add_mul.circuit")
    qtbot.waitUntil(lambda: not window.code_trust.is_trusting(), timeout=20000)
    window.document.flush()
    assert "NotImplementedError" in window.statusBar().currentMessage()
    assert not window.document.result.has_gradients
    assert window.scene.gate_item("q").code_mark == window.scene.gate_item("f").code_mark \
        == FAILED

    dialog = write_backward(qtbot, window, "q", "        return dz, dz")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # checks, passes, closes
    qtbot.waitUntil(lambda: window.code_gates.dialog is None, timeout=20000)
    assert window.scene.gate_item("q").code_mark == ""

    dialog = write_backward(qtbot, window, "f", "        return self.y * dz, self.y * dz")
    apply(qtbot, dialog)
    assert "port y is wrong" in dialog.result_label.text()
    assert "port x" not in dialog.result_label.text()
    replace_line(qtbot, dialog.editor, "return self.y * dz, self.y * dz",
                 "        return self.y * dz, self.x * dz")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.code_gates.dialog is None, timeout=20000)
    window.document.flush()
    result = window.document.result
    assert result.value == -12.0
    assert [result.grads[name] for name in ("x", "y", "z")] == [-4.0, -4.0, 3.0]
    assert window.scene.gate_item("f").code_mark == ""
    save_shot(window, "exercise_alive.png")


# ------------------------------------------------------------------ never freeze
def test_a_runaway_backward_is_stopped_while_the_window_keeps_running(qtbot, window,
                                                                      tmp_path, short_limit):
    open_trusted(qtbot, window, guide_file(tmp_path))
    double_click_gate(qtbot, window, "f")
    dialog = the_dialog(qtbot, window)
    replace_line(qtbot, dialog.editor, "return self.y * dz", "        while True: pass")
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(dialog.is_checking()))
    timer.start(5)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert dialog.result_state == "checking"
    qtbot.waitUntil(lambda: not dialog.is_checking(), timeout=20000)
    timer.stop()
    assert True in ticks  # the GUI thread's timer ticked while the check ran
    text = dialog.result_label.text()
    assert "MultiplyGate" in text and "ran longer than 0.5 s and was stopped" in text
    assert window.document.circuit.definitions["MultiplyGate"].code == MULTIPLY


SLOW_ON_BIG = ("class MultiplyGate:\n"
               "    def forward(self, x, y):\n"
               "        while x > 100:\n"
               "            pass\n"
               "        self.x, self.y = x, y\n"
               "        return x * y\n"
               "\n"
               "    def backward(self, dz):\n"
               "        return self.y * dz, self.x * dz\n")


def test_a_gate_that_loops_on_new_inputs_is_stopped_once_and_named(qtbot, window, tmp_path,
                                                                    short_limit):
    open_trusted(qtbot, window, guide_file(tmp_path, SLOW_ON_BIG))
    assert window.document.result.value == -12.0
    double_click_gate(qtbot, window, "x")
    editor = window.scene.value_editor()
    qtbot.keyClick(editor, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(editor, "200")
    qtbot.keyClick(editor, Qt.Key_Return)
    window.document.flush()
    status = window.statusBar().currentMessage()
    assert "Code gate MultiplyGate stopped" in status and "was stopped" in status
    definition = window.document.circuit.definitions["MultiplyGate"]
    assert "ran longer than 0.5 s" in definition.failure
    window.document.flush()
    assert window.scene.gate_item("f").code_mark == FAILED
    assert [node for node, _message in window.document.result.gate_problems] == ["f"]
