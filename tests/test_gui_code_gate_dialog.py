"""The New/Edit Code Gate dialog (gui/docks/code_gate_dialog.py).

The dialog is driven as a user drives it: names typed into its fields, code typed into its
editor, its buttons clicked, its questions answered by clicking their buttons. Its two
callables are plain functions here: a template that writes the hacker's guide's class shape
for any ports, and checks that record what they were given and on which thread they ran.
"""

import os
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt, QThreadPool, QTimer  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox  # noqa: E402

from gui.docks import code_gate_dialog as dialog_module  # noqa: E402
from gui.docks.code_gate_dialog import (CheckOutcome, CodeGate, CodeGateDialog,  # noqa: E402
                                        ports_from_text, ports_problem)
from tests.gui_helpers import show_at  # noqa: E402


def guide_template(name, ports):
    """The guide's shape: forward keeps its inputs, backward is the student's."""
    arguments = ", ".join(ports)
    return (f"class {name}:\n"
            f"    def forward(self, {arguments}):\n"
            f"        self.inputs = ({arguments},)\n"
            f"        return 0.0\n\n"
            f"    def backward(self, dz):\n"
            f"        raise NotImplementedError\n")


class RecordingCheck:
    """A check that answers ``outcome`` after ``seconds``, recording its calls and threads."""

    def __init__(self, outcome, seconds=0.0):
        self.outcome, self.seconds = outcome, seconds
        self.calls, self.threads = [], []

    def __call__(self, name, ports, code):
        self.calls.append((name, ports, code))
        self.threads.append(threading.get_ident())
        time.sleep(self.seconds)
        return self.outcome


PASSED = CheckOutcome(True, "backward matches centred differences at x, y.")
WRONG_PORT = CheckOutcome(False, "Port y is wrong: backward gave 3.0, centred differences "
                                 "give -2.0 (at x = -2, y = 3).", 7)


@pytest.fixture
def open_dialog(qtbot):
    """Opens the dialog (on mul_gate(x, y) unless told otherwise); at the end of the test it
    is closed without the question about discarding what the test typed."""
    made = []

    def make(check, **kwargs):
        kwargs.setdefault("name", "mul_gate")
        kwargs.setdefault("ports", ["x", "y"])
        dialog = CodeGateDialog(guide_template, check, **kwargs)
        made.append(dialog)
        show_at(dialog, qtbot, (720, 620))
        dialog.activateWindow()
        return dialog

    yield make
    for dialog in made:
        dialog.ask_discard = lambda: True
        dialog.close()
        dialog.deleteLater()
    QThreadPool.globalInstance().waitForDone(10000)


def retype(qtbot, line_edit, text):
    line_edit.setFocus()
    qtbot.keyClick(line_edit, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClick(line_edit, Qt.Key_Backspace)
    qtbot.keyClicks(line_edit, text)


def wait_checked(qtbot, dialog):
    qtbot.waitUntil(lambda: not dialog.is_checking(), timeout=10000)


def answer_next_question(qtbot, button_text, answered):
    """Click the button called ``button_text`` of the next message box, once it shows."""
    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        answered.append(box.text())
        button = next(b for b in box.buttons() if b.text() == button_text)
        qtbot.mouseClick(button, Qt.LeftButton)

    QTimer.singleShot(0, click)


def coloured_pixels(widget, colour: str) -> int:
    image = widget.grab().toImage()
    target = QColor(colour)
    return sum(QColor(image.pixel(x, y)) == target
               for x in range(0, image.width()) for y in range(0, image.height()))


# ------------------------------------------------------------------ the template
def test_a_new_gate_starts_from_the_template_and_follows_its_ports_until_code_is_typed(
        qtbot, open_dialog):
    dialog = open_dialog(RecordingCheck(PASSED))
    assert dialog.windowTitle() == "New Code Gate"
    assert dialog.editor.code() == guide_template("mul_gate", ["x", "y"])
    retype(qtbot, dialog.ports_edit, "a, b, c")
    assert dialog.editor.code() == guide_template("mul_gate", ["a", "b", "c"])
    retype(qtbot, dialog.name_edit, "three")
    assert dialog.editor.code() == guide_template("three", ["a", "b", "c"])
    dialog.editor.setFocus()
    qtbot.keyClick(dialog.editor, Qt.Key_End, Qt.ControlModifier)
    qtbot.keyClicks(dialog.editor, "# mine")
    retype(qtbot, dialog.ports_edit, "a, b")
    assert dialog.editor.code() == guide_template("three", ["a", "b", "c"]) + "# mine"
    assert dialog.gate() == CodeGate("three", ("a", "b"),
                                     guide_template("three", ["a", "b", "c"]) + "# mine")


def test_editing_a_gate_shows_its_own_code_and_never_replaces_it(qtbot, open_dialog):
    code = "class Mine:\n    pass\n"
    dialog = open_dialog(RecordingCheck(PASSED), name="mine", ports=["x"], code=code)
    assert dialog.windowTitle() == "Edit Code Gate: mine"
    assert dialog.editor.code() == code
    retype(qtbot, dialog.ports_edit, "x, y")
    assert dialog.editor.code() == code


# ------------------------------------------------------------------ names and ports refused
@pytest.mark.parametrize("typed, words", [
    ("x, 2y", ["'2y'", "not a Python name"]),
    ("x, x", ["'x'", "twice"]),
    ("", ["at least one port"]),
    ("x, lambda", ["'lambda'", "keyword"]),
    (", ".join(f"p{i}" for i in range(17)), ["at most 16", "17"]),
])
def test_bad_ports_are_refused_with_a_message_and_nothing_is_checked(qtbot, open_dialog, typed,
                                                                    words):
    check = RecordingCheck(PASSED)
    dialog = open_dialog(check)
    retype(qtbot, dialog.ports_edit, typed)
    assert dialog.field_message.isVisible()
    assert all(word in dialog.field_message.text() for word in words)
    assert f"def forward(self, {typed}):" not in dialog.editor.code()  # not refilled
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert check.calls == [] and dialog.isVisible()
    assert dialog.result_state == "failed" and words[0] in dialog.result_label.text()
    retype(qtbot, dialog.ports_edit, "x, y")
    assert not dialog.field_message.isVisible()


def test_ports_are_read_from_commas_or_spaces_and_sixteen_are_allowed():
    assert ports_from_text(" x,y  z ,") == ["x", "y", "z"]
    assert ports_problem([f"p{i}" for i in range(16)]) is None
    assert ports_problem(["self"]) is not None


def test_a_bad_name_and_a_taken_name_are_refused(qtbot, open_dialog):
    taken = {"add", "mul"}
    check = RecordingCheck(PASSED)
    dialog = open_dialog(check, name_problem=lambda name: (
        f"'{name}' is already a gate" if name in taken else None))
    retype(qtbot, dialog.name_edit, "mul")
    assert "'mul' is already a gate" in dialog.field_message.text()
    retype(qtbot, dialog.name_edit, "my gate")
    assert "'my gate' cannot name a gate" in dialog.field_message.text()
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert check.calls == []


# ------------------------------------------------------------------ Apply
def test_apply_checks_in_a_worker_thread_while_the_window_keeps_running(qtbot, open_dialog):
    ticks = [0]
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start(20)
    seen = {}

    def slow_check(name, ports, code):
        seen["thread"] = threading.get_ident()
        seen["ticks at start"] = ticks[0]
        time.sleep(1.0)
        seen["ticks at end"] = ticks[0]
        return PASSED

    dialog = open_dialog(slow_check)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    assert dialog.is_checking()
    assert dialog.result_label.text() == "Checking…" and dialog.result_state == "checking"
    assert not dialog.apply_button.isEnabled()
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)  # disabled: no second check
    wait_checked(qtbot, dialog)
    timer.stop()
    assert seen["thread"] != threading.get_ident()
    assert seen["ticks at end"] > seen["ticks at start"]  # the GUI's timer ran meanwhile
    assert dialog.apply_button.isEnabled()
    assert dialog.result_state == "passed"


def test_a_failing_check_is_shown_in_red_with_its_line_marked(qtbot, open_dialog):
    check = RecordingCheck(WRONG_PORT)
    dialog = open_dialog(check)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    wait_checked(qtbot, dialog)
    assert check.calls == [("mul_gate", ["x", "y"], guide_template("mul_gate", ["x", "y"]))]
    assert check.threads[0] != threading.get_ident()
    assert dialog.result_state == "failed"
    assert WRONG_PORT.message in dialog.result_label.text()
    assert coloured_pixels(dialog.result_label, dialog_module.FAIL_RED) > 50
    assert coloured_pixels(dialog.result_label, dialog_module.PASS_GREEN) == 0
    assert dialog.editor.error_lines() == [7]
    assert dialog.editor.error_message(7) == WRONG_PORT.message
    assert dialog.outcome() is WRONG_PORT


def test_a_passing_check_is_shown_in_green_and_clears_the_old_marks(qtbot, open_dialog):
    check = RecordingCheck(WRONG_PORT)
    dialog = open_dialog(check)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    wait_checked(qtbot, dialog)
    check.outcome = PASSED
    qtbot.keyClick(dialog.editor, Qt.Key_Return, Qt.ControlModifier)  # Apply's shortcut
    wait_checked(qtbot, dialog)
    assert len(check.calls) == 2
    assert dialog.result_state == "passed" and PASSED.message in dialog.result_label.text()
    assert coloured_pixels(dialog.result_label, dialog_module.PASS_GREEN) > 50
    assert coloured_pixels(dialog.result_label, dialog_module.FAIL_RED) == 0
    assert dialog.editor.error_lines() == []


def test_a_check_that_raises_is_reported_and_does_not_leave_the_dialog_waiting(qtbot,
                                                                              open_dialog):
    def broken_check(name, ports, code):
        raise ValueError("no worker process")

    dialog = open_dialog(broken_check)
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    wait_checked(qtbot, dialog)
    assert dialog.result_state == "failed"
    assert "ValueError: no worker process" in dialog.result_label.text()
    assert dialog.apply_button.isEnabled() and dialog.ok_button.isEnabled()


# ------------------------------------------------------------------ OK and Cancel
def test_ok_checks_and_closes_with_the_gate_when_it_passes(qtbot, open_dialog):
    check = RecordingCheck(PASSED, seconds=0.2)
    dialog = open_dialog(check)
    accepted = []
    dialog.accepted_gate.connect(accepted.append)
    retype(qtbot, dialog.ports_edit, "x")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.result() == QDialog.Accepted
    assert accepted == [CodeGate("mul_gate", ("x",), guide_template("mul_gate", ["x"]))]
    assert len(check.calls) == 1


def test_ok_on_a_failing_gate_asks_and_keeps_it_only_when_told(qtbot, open_dialog):
    check = RecordingCheck(WRONG_PORT)
    dialog = open_dialog(check)
    accepted, asked = [], []
    dialog.accepted_gate.connect(accepted.append)
    answer_next_question(qtbot, "Go Back to Editing", asked)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    QApplication.processEvents()
    assert dialog.isVisible() and accepted == []
    assert dialog.editor.error_lines() == [7]
    answer_next_question(qtbot, "Keep It", asked)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)  # the same text: no second check
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert len(check.calls) == 1 and len(asked) == 2
    assert dialog.result() == QDialog.Accepted
    assert accepted == [dialog.gate()] and dialog.outcome() is WRONG_PORT


def test_escape_closes_an_untouched_dialog_and_checks_nothing(qtbot, open_dialog):
    check = RecordingCheck(PASSED)
    dialog = open_dialog(check)
    dialog.editor.setFocus()
    qtbot.keyClick(dialog.editor, Qt.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.Rejected
    assert check.calls == []


def test_cancel_after_typing_asks_before_throwing_the_code_away(qtbot, open_dialog):
    dialog = open_dialog(RecordingCheck(PASSED))
    accepted, asked = [], []
    dialog.accepted_gate.connect(accepted.append)
    dialog.editor.setFocus()
    qtbot.keyClicks(dialog.editor, "# started")
    answer_next_question(qtbot, "Keep Editing", asked)
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert asked and dialog.isVisible()
    assert dialog.editor.code().startswith("# started")
    answer_next_question(qtbot, "Discard", asked)
    qtbot.keyClick(dialog.editor, Qt.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.Rejected
    assert accepted == []


def test_closing_while_a_check_runs_drops_its_result(qtbot, open_dialog):
    check = RecordingCheck(WRONG_PORT, seconds=0.3)
    dialog = open_dialog(check)
    shown_results = []
    dialog.checked.connect(lambda gate, outcome: shown_results.append(outcome))
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert not dialog.isVisible()
    assert QThreadPool.globalInstance().waitForDone(10000)
    QApplication.processEvents()  # the worker's answer arrives and is ignored
    assert len(check.calls) == 1
    assert shown_results == [] and dialog.editor.error_lines() == []


def test_a_dialog_deleted_while_its_check_runs_lets_the_worker_finish_quietly(qtbot):
    check = RecordingCheck(WRONG_PORT, seconds=0.3)
    dialog = CodeGateDialog(guide_template, check, name="mul_gate", ports=["x", "y"])
    show_at(dialog, qtbot, (720, 620))
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)
    destroyed = []
    dialog.destroyed.connect(lambda: destroyed.append(True))
    dialog.deleteLater()
    qtbot.waitUntil(lambda: destroyed == [True])
    assert QThreadPool.globalInstance().waitForDone(10000)
    QApplication.processEvents()
    assert len(check.calls) == 1
