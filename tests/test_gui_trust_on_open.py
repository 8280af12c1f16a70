"""Trusting a file's code when it opens (gui/files/code_trust.py) in the real window.

The trust dialog is the real one, shown by the window while its ``exec`` runs: the test reads
each gate's source in it after clicking the gate in its list, and clicks its buttons with the
mouse. The remembered fingerprints live in the test's own settings file. Numbers are the
hacker's guide's: (x + y) * z at (-2, 5, -4) is -12 with gradients -4, -4 and 3.
"""

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPointF, Qt, QThreadPool, QTimer, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.canvas.code_gate_marks import UNTRUSTED  # noqa: E402
from gui.files.trust_dialog import TrustDialog  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from tests.gui_helpers import make_window, show_at, when_modal  # noqa: E402
from tests.guide_code_gates import (ADD, MULTIPLY, guide_file, save_shot,  # noqa: E402
                                    short_limit)

__all__ = ["short_limit"]  # a fixture of tests.guide_code_gates these tests use

CODE = {"AddGate": ADD, "MultiplyGate": MULTIPLY}


@pytest.fixture
def window(qtbot, tmp_path):
    """The window, asking the real trust question (counted in ``window.trust_asked``)."""
    shown = make_window(qtbot, tmp_path)
    show_at(shown, qtbot, (1300, 850))

    def ask_trust(file_name, code_gates):
        shown.trust_asked.append((file_name, dict(code_gates)))
        return MainWindow.ask_trust(shown, file_name, code_gates)

    shown.ask_trust = ask_trust
    yield shown
    QThreadPool.globalInstance().waitForDone(20000)


def answer_trust(qtbot, button_name):
    """Once the trust dialog shows: click each gate in its list and read its source, then
    click ``button_name`` (trust_button or safe_button). Returns {gate: source shown}."""
    shown = {}

    def read_and_answer(dialog):
        gate_list = dialog.gate_list
        for row in range(gate_list.count()):
            qtbot.mouseClick(gate_list.viewport(), Qt.LeftButton,
                             pos=gate_list.visualItemRect(gate_list.item(row)).center())
            name = gate_list.item(row).text().split("(")[0]
            shown[name] = dialog.sources.currentWidget().code()
        save_shot(dialog, "trust_dialog.png")
        qtbot.mouseClick(getattr(dialog, button_name), Qt.LeftButton)

    when_modal(TrustDialog, read_and_answer)
    return shown


def wait_trusted(qtbot, window):
    qtbot.waitUntil(lambda: not window.code_trust.is_trusting(), timeout=20000)
    window.document.flush()


def guide_numbers(window):
    result = window.document.result
    return result.value, [result.grads[name] for name in ("x", "y", "z")]


def test_opened_without_running_its_gates_are_untrusted_and_saving_keeps_their_code(
        qtbot, window, tmp_path):
    path = guide_file(tmp_path)
    shown = answer_trust(qtbot, "safe_button")
    assert window.open_path(path)
    assert shown == CODE  # every gate's whole source was shown before anything ran
    assert window.trust_asked == [("guide.circuit", {
        "AddGate": {"ports": ["x", "y"], "code": ADD},
        "MultiplyGate": {"ports": ["x", "y"], "code": MULTIPLY}})]
    window.document.flush()
    assert not window.code_trust.is_trusting()
    circuit = window.document.circuit
    assert [circuit.definitions[name].trusted for name in CODE] == [False, False]
    assert window.scene.gate_item("q").code_mark == UNTRUSTED
    assert window.scene.gate_item("f").code_mark == UNTRUSTED
    result = window.document.result
    assert not result.has_gradients and {"q", "f"} <= set(result.incomplete)
    assert "not trusted" in result.gate_problems[0][1]
    assert "without running" in window.statusBar().currentMessage()
    save_shot(window, "untrusted_gates.png")

    saved = tmp_path / "saved.circuit"
    assert window.save_to(saved)
    gates = json.loads(saved.read_text(encoding="utf-8"))["gates"]
    assert {name: gate["code"] for name, gate in gates.items()} == CODE
    assert {name: gate["ports"] for name, gate in gates.items()} == {
        "AddGate": ["x", "y"], "MultiplyGate": ["x", "y"]}

    shown = answer_trust(qtbot, "trust_button")  # reopened, and trusted this time
    assert window.open_path(saved)
    assert shown == CODE
    wait_trusted(qtbot, window)
    assert guide_numbers(window) == (-12.0, [-4.0, -4.0, 3.0])
    assert window.scene.gate_item("q").code_mark == window.scene.gate_item("f").code_mark == ""


def test_trust_and_run_gives_the_guides_numbers_and_is_remembered_until_the_code_changes(
        qtbot, window, tmp_path):
    path = guide_file(tmp_path)
    answer_trust(qtbot, "trust_button")
    assert window.open_path(path)
    assert window.code_trust.is_trusting()
    assert QApplication.overrideCursor().shape() == Qt.BusyCursor
    wait_trusted(qtbot, window)
    assert QApplication.overrideCursor() is None
    assert guide_numbers(window) == (-12.0, [-4.0, -4.0, 3.0])
    assert window.scene.gate_item("f").code_mark == ""
    status = window.statusBar().currentMessage()
    assert "AddGate and MultiplyGate pass" in status

    assert window.open_path(path)  # the same code again: trusted without asking
    assert len(window.trust_asked) == 1
    wait_trusted(qtbot, window)
    assert guide_numbers(window) == (-12.0, [-4.0, -4.0, 3.0])

    changed = guide_file(tmp_path, MULTIPLY.replace("return x * y", "return y * x"),
                         name="changed.circuit")
    answer_trust(qtbot, "safe_button")
    assert window.open_path(changed)
    assert len(window.trust_asked) == 2
    assert window.document.circuit.definitions["MultiplyGate"].trusted is False


def test_trust_code_gates_asks_again_for_a_file_opened_without_running(qtbot, window,
                                                                       tmp_path):
    answer_trust(qtbot, "safe_button")
    assert window.open_path(guide_file(tmp_path))
    window.document.flush()
    assert not window.document.result.has_gradients

    answer_trust(qtbot, "trust_button")
    window.action_trust_code.trigger()
    wait_trusted(qtbot, window)
    assert len(window.trust_asked) == 2
    assert guide_numbers(window) == (-12.0, [-4.0, -4.0, 3.0])

    window.action_trust_code.trigger()  # nothing left to trust: no question
    assert len(window.trust_asked) == 2
    assert "trusted already" in window.statusBar().currentMessage()


def test_recent_files_a_dropped_file_and_examples_ask_too(qtbot, window, tmp_path):
    path = guide_file(tmp_path)
    answer_trust(qtbot, "safe_button")
    assert window.open_path(path)
    recent = next(action for action in window.menu_recent.actions()
                  if action.data() == str(path))
    answer_trust(qtbot, "safe_button")
    recent.trigger()
    assert len(window.trust_asked) == 2

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    answer_trust(qtbot, "safe_button")
    window.dropEvent(drop)
    assert [name for name, _gates in window.trust_asked] == ["guide.circuit"] * 3

    answer_trust(qtbot, "safe_button")
    assert window.files.open_example(path)  # as the Examples menu opens one
    assert len(window.trust_asked) == 4


RUNAWAY = MULTIPLY.replace("return self.y * dz, self.x * dz", "while True:\n            pass")


def test_trusting_a_runaway_gate_keeps_the_window_running_and_names_it(qtbot, window,
                                                                       tmp_path, short_limit):
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(window.code_trust.is_trusting()))
    timer.start(5)
    answer_trust(qtbot, "trust_button")
    assert window.open_path(guide_file(tmp_path, RUNAWAY))
    wait_trusted(qtbot, window)
    timer.stop()
    assert True in ticks  # the GUI thread ran its timer while the gates were checked
    status = window.statusBar().currentMessage()
    assert "AddGate passes; MultiplyGate fails" in status
    assert "ran longer than 0.5 s and was stopped" in status
    assert window.scene.gate_item("f").code_mark == "failed"
    assert window.scene.gate_item("q").code_mark == ""
