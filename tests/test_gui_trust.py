"""Trusting a file's code (gui/files/trust_dialog.py and trusted_code.py).

The dialog is shown with the guide's three gates; each gate is clicked in its list and its
source read back from the editor shown; the buttons are pressed with the mouse and the keys.
The store keeps its fingerprints in a QSettings file of the test's own folder, never in the
user's settings.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QDialog, QLabel  # noqa: E402

from gui.files import trusted_code  # noqa: E402
from gui.files.trust_dialog import SAFE_TEXT, TRUST_TEXT, TrustDialog  # noqa: E402
from gui.files.trusted_code import TrustedCode  # noqa: E402
from tests.gui_helpers import show_at  # noqa: E402

MULTIPLY = ("class MultiplyGate:\n    def forward(self, x, y):\n        self.x, self.y = x, y\n"
            "        return x * y\n\n    def backward(self, dz):\n"
            "        return self.y * dz, self.x * dz\n")
ADD = ("class AddGate:\n    def forward(self, x, y):\n        return x + y\n\n"
       "    def backward(self, dz):\n        return dz, dz\n")
SIGMOID = ("import math\n\nclass SigmoidGate:\n    def forward(self, x):\n"
           "        self.s = 1 / (1 + math.exp(-x))\n        return self.s\n\n"
           "    def backward(self, dz):\n        return (self.s * (1 - self.s) * dz,)\n")
GATES = {"mul_gate": {"ports": ["x", "y"], "code": MULTIPLY},
         "add_gate": {"ports": ["x", "y"], "code": ADD},
         "sig": {"ports": ["x"], "code": SIGMOID}}


@pytest.fixture
def dialog(qtbot):
    shown = TrustDialog("/home/student/exercises/neuron_exercise.circuit", GATES)
    qtbot.addWidget(shown)
    show_at(shown, qtbot, (820, 560))
    shown.activateWindow()
    return shown


def click_gate(qtbot, dialog, row):
    gate_list = dialog.gate_list
    qtbot.mouseClick(gate_list.viewport(), Qt.LeftButton,
                     pos=gate_list.visualItemRect(gate_list.item(row)).center())


def test_the_dialog_names_the_file_and_says_what_trusting_it_means(dialog):
    assert "neuron_exercise.circuit" in dialog.findChild(QLabel, "trust_title").text()
    warning = dialog.findChild(QLabel, "trust_warning").text()
    assert "3 code gates" in warning and "your permissions" in warning
    assert "/home/student" not in dialog.windowTitle()


def test_every_gate_is_listed_and_clicking_one_shows_its_whole_source(qtbot, dialog):
    listed = [dialog.gate_list.item(row).text() for row in range(dialog.gate_list.count())]
    assert listed == ["mul_gate(x, y)", "add_gate(x, y)", "sig(x)"]
    for row, (name, definition) in reversed(list(enumerate(GATES.items()))):
        click_gate(qtbot, dialog, row)
        shown = dialog.sources.currentWidget()
        assert shown is dialog.editor_of(name) and shown.isVisible()
        assert shown.code() == definition["code"]
        assert shown.isReadOnly()
        assert name in dialog.ports_label.text()
        assert ", ".join(definition["ports"]) in dialog.ports_label.text()
    qtbot.keyClicks(dialog.editor_of("mul_gate"), "import os")
    assert dialog.editor_of("mul_gate").code() == MULTIPLY


def test_the_safe_button_is_the_default_so_enter_opens_without_running(qtbot, dialog):
    assert dialog.safe_button.text() == SAFE_TEXT and dialog.trust_button.text() == TRUST_TEXT
    assert dialog.safe_button.isDefault() and not dialog.trust_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key_Return)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.Rejected and not dialog.trusted()


def test_escape_opens_without_running(qtbot, dialog):
    click_gate(qtbot, dialog, 2)
    qtbot.keyClick(dialog.gate_list, Qt.Key_Escape)
    assert not dialog.isVisible() and not dialog.trusted()


def test_only_trust_and_run_trusts(qtbot, dialog):
    qtbot.mouseClick(dialog.trust_button, Qt.LeftButton)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.Accepted and dialog.trusted()


# ------------------------------------------------------------------ the store
def settings_in(folder):
    return QSettings(str(folder / "settings.ini"), QSettings.IniFormat)


def test_a_trusted_fingerprint_is_remembered_across_runs_and_another_is_not(tmp_path):
    assert not TrustedCode(settings_in(tmp_path)).is_trusted("sha256:aa11")
    TrustedCode(settings_in(tmp_path)).remember("sha256:aa11")
    later = TrustedCode(settings_in(tmp_path))  # the next run reads the file again
    assert later.is_trusted("sha256:aa11")
    assert not later.is_trusted("sha256:aa12")  # the file's code changed: ask again
    later.remember("sha256:aa12")
    assert later.is_trusted("sha256:aa11") and later.is_trusted("sha256:aa12")


def test_the_store_keeps_the_newest_fingerprints_up_to_its_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(trusted_code, "MAX_REMEMBERED", 3)
    store = TrustedCode(settings_in(tmp_path))
    for fingerprint in ["a", "b", "c", "a", "d"]:
        store.remember(fingerprint)
    assert [store.is_trusted(f) for f in "abcd"] == [True, False, True, True]
