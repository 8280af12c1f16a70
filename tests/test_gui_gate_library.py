"""File -> Import Gates… and Export Gates… in the window, driven with real clicks and keys.

A student's circuit has its own gate ``sig`` (it doubles); the teacher's library file has the
lecture's sigmoid ``sig``, a 2-port ``neuron`` that uses it and the guide's ``MultiplyGate``
(tests/gate_library_files.py, written by hand); most tests keep only built-in gates on the
canvas (``canvas_of_numbers``): the dialogs work on the file's definitions.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit, QRadioButton  # noqa: E402

import engine  # noqa: E402
from gui.files.gate_library_actions import preselected_gates  # noqa: E402
from tests.gate_library_files import (MALFORMED, STUDENT, STUDENT_TWO_PORT_SIG,  # noqa: E402
                                      TEACHER, canvas_of_numbers, sigmoid, write)
from tests.gui_helpers import click_gate, make_window, settle, show_at  # noqa: E402
from tests.helpers import EXAMPLES  # noqa: E402


@pytest.fixture
def teacher_file(tmp_path):
    return write(tmp_path, "week4.circuit", canvas_of_numbers(TEACHER))


def window_on(qtbot, tmp_path, text: str):
    """The window showing a circuit file with ``text``."""
    window = make_window(qtbot, tmp_path)
    assert window.open_path(write(tmp_path, "mine.circuit", text))
    show_at(window, qtbot, (1400, 900))
    return window


def open_import_dialog(window, qtbot, path):
    window.ask_library_path = lambda folder, file_filter: str(path)
    window.action_import_gates.trigger()
    dialog = window.gate_library.dialog
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot, dialog, kind, name: str) -> None:
    """A real click on the indicator of checkbox or radio button ``name``."""
    widget = dialog.findChild(kind, name)
    assert widget is not None and widget.isEnabled(), name
    qtbot.mouseClick(widget, Qt.LeftButton, pos=QPoint(8, widget.height() // 2))


def press_on_canvas(qtbot, window, key) -> None:
    """Click the canvas's empty corner, then Ctrl+key. The window is made the active one first,
    as a window manager does when a dialog closes (the offscreen platform leaves the closed
    dialog active)."""
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    viewport = window.view.viewport()
    qtbot.mouseClick(viewport, Qt.LeftButton, pos=QPoint(5, 5))
    qtbot.keyClick(viewport, key, Qt.ControlModifier)


def test_rename_a_clash_ok_imports_in_one_step_and_ctrl_z_removes_every_gate(
        qtbot, tmp_path, teacher_file):
    window = window_on(qtbot, tmp_path, canvas_of_numbers(STUDENT))
    document = window.document
    mine = document.circuit.definitions["sig"]
    steps = document.undo_stack.count()
    dialog = open_import_dialog(window, qtbot, teacher_file)
    assert not dialog.ok_button.isEnabled()  # the clash is asked about first
    assert dialog.message.text() == "Choose Rename, Replace or Skip for sig."

    click(qtbot, dialog, QRadioButton, "rename_sig")
    new_name = dialog.findChild(QLineEdit, "new_name_sig")
    assert new_name.isEnabled() and new_name.text() == "sig_2"
    qtbot.keyClick(new_name, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(new_name, "sigmoid")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible()  # the name is taken by a built-in gate: the dialog says so
    assert dialog.message.text() == "the new name for sig: 'sigmoid' is a built-in gate's name"
    assert list(document.circuit.definitions) == ["sig"]
    qtbot.keyClick(new_name, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(new_name, "logistic")
    qtbot.keyClick(new_name, Qt.Key_Return)  # Enter is OK
    settle()

    circuit = document.circuit
    assert list(circuit.definitions) == ["sig", "logistic", "neuron", "MultiplyGate"]
    assert circuit.definitions["sig"] is mine
    assert circuit.definitions["neuron"].circuit.nodes["s"].op == "logistic"
    assert circuit.definitions["MultiplyGate"].trusted is False
    assert document.undo_stack.count() == steps + 1
    own = window.palette.item("neuron").parent().text(0)  # the palette follows
    assert own == engine.GROUP_TITLES["own"] and "logistic" in window.palette.gate_names()
    assert window.statusBar().currentMessage() == (
        "Imported 3 gates (sig as logistic, neuron, MultiplyGate); code not trusted yet: "
        "MultiplyGate")
    probe = engine.loads(engine.dumps(circuit))  # the imported neuron computes sig(w * x)
    probe.add_node("input", "w9", value=0.5)
    probe.add_node("input", "x9", value=4.0)
    probe.add_node("neuron", "n9")
    probe.connect("w9", "n9", 0)
    probe.connect("x9", "n9", 1)
    probe.set_output("n9")
    assert engine.run(probe).value == pytest.approx(sigmoid(2.0), rel=1e-14)

    press_on_canvas(qtbot, window, Qt.Key_Z)
    assert list(document.circuit.definitions) == ["sig"]
    assert document.circuit.definitions["sig"] is mine
    assert document.undo_stack.count() == steps + 1 and document.undo_stack.index() == steps
    assert "neuron" not in window.palette.gate_names()
    press_on_canvas(qtbot, window, Qt.Key_Y)
    assert list(document.circuit.definitions) == ["sig", "logistic", "neuron", "MultiplyGate"]


def test_a_refused_replace_shows_the_engines_message_and_changes_nothing(
        qtbot, tmp_path, teacher_file):
    window = window_on(qtbot, tmp_path, STUDENT_TWO_PORT_SIG)
    document = window.document
    before = engine.dumps(document.circuit)
    steps = document.undo_stack.count()
    dialog = open_import_dialog(window, qtbot, teacher_file)
    click(qtbot, dialog, QRadioButton, "replace_sig")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible()
    assert dialog.message.text() == ("cannot import sig: sig is in use with 2 ports; it cannot "
                                     "get 1")
    click(qtbot, dialog, QRadioButton, "skip_sig")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert dialog.isVisible()
    assert dialog.message.text().startswith("neuron uses sig with 1 port; this circuit's sig "
                                            "has 2")
    assert engine.dumps(document.circuit) == before and document.undo_stack.count() == steps

    click(qtbot, dialog, QCheckBox, "gate_box_neuron")  # leave the neuron behind
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    settle()
    assert list(document.circuit.definitions) == ["sig", "pair", "MultiplyGate"]
    assert window.statusBar().currentMessage() == (
        "Imported 1 gate (MultiplyGate); skipped 1; code not trusted yet: MultiplyGate")


def test_a_gate_chosen_brings_the_gates_it_uses_and_identical_ones_are_already_here(
        qtbot, tmp_path, teacher_file):
    window = window_on(qtbot, tmp_path, canvas_of_numbers(STUDENT))
    dialog = open_import_dialog(window, qtbot, teacher_file)
    for name in ("sig", "MultiplyGate"):
        click(qtbot, dialog, QCheckBox, f"gate_box_{name}")
    assert dialog.chosen() == ["neuron"]
    assert dialog.note.text() == "Comes along, used by a gate chosen: sig"
    assert dialog.findChild(QRadioButton, "skip_sig").isEnabled()  # still asked about
    click(qtbot, dialog, QCheckBox, "gate_box_neuron")
    assert not dialog.findChild(QRadioButton, "skip_sig").isEnabled()
    assert not dialog.ok_button.isEnabled() and dialog.message.text() == "Check at least one gate."
    dialog.reject()

    again = window_on(qtbot, tmp_path, canvas_of_numbers(TEACHER))
    dialog = open_import_dialog(again, qtbot, teacher_file)
    assert dialog.findChild(QRadioButton, "rename_sig") is None  # nothing clashes
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert again.statusBar().currentMessage() == (
        "Imported nothing; 3 already here (sig, neuron, MultiplyGate)")
    assert again.document.undo_stack.count() == 0


def test_a_malformed_library_gives_its_load_message_and_changes_nothing(qtbot, tmp_path):
    window = window_on(qtbot, tmp_path, canvas_of_numbers(STUDENT))
    before = engine.dumps(window.document.circuit)
    broken = write(tmp_path, "broken.circuit", MALFORMED)
    window.ask_library_path = lambda folder, file_filter: str(broken)
    window.action_import_gates.trigger()
    assert window.gate_library.dialog is None
    assert window.errors == [f"{broken}: gates.sig.nodes[1].op: unknown gate 'sigmoidd' "
                             "(did you mean 'sigmoid'?)"]
    assert engine.dumps(window.document.circuit) == before
    assert window.document.undo_stack.count() == 0


def test_export_preselects_the_selected_gates_own_gates_or_else_all():
    circuit = engine.loads(TEACHER)  # its canvas: w, x -> n (a neuron)
    assert preselected_gates(circuit, ["w", "n"]) == ["neuron"]
    assert preselected_gates(circuit, ["w"]) == ["sig", "neuron", "MultiplyGate"]


def test_export_dialog_checks_the_selected_gates_and_writes_a_file_that_loads(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    assert window.open_path(write(tmp_path, "week4.circuit", TEACHER))  # w, x -> n (a neuron)
    show_at(window, qtbot, (1400, 900))
    window.view.fit_all()
    settle()
    click_gate(qtbot, window, "n")
    asked = []
    target = tmp_path / "handout"
    window.ask_save_path = lambda title, suggested, file_filter: asked.append(suggested) \
        or str(target)
    window.action_export_gates.trigger()
    dialog = window.gate_library.dialog
    qtbot.waitExposed(dialog)
    assert dialog.chosen() == ["neuron"]  # the selected gate's
    assert dialog.note.text() == "Comes along, used by a gate chosen: sig"
    click(qtbot, dialog, QCheckBox, "gate_box_MultiplyGate")
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    settle()
    assert asked and asked[0].endswith("week4_gates.circuit")
    library = engine.load(tmp_path / "handout.circuit")
    assert list(library.definitions) == ["sig", "neuron", "MultiplyGate"]
    assert library.nodes == {}
    assert window.statusBar().currentMessage() == (
        "Wrote 3 gates (sig, neuron, MultiplyGate) to handout.circuit")


def test_export_never_writes_over_the_circuits_own_file(qtbot, tmp_path, teacher_file):
    window = make_window(qtbot, tmp_path)
    assert window.open_path(teacher_file)
    show_at(window, qtbot, (1400, 900))
    before = teacher_file.read_text(encoding="utf-8")
    window.ask_save_path = lambda title, suggested, file_filter: str(teacher_file)
    window.action_export_gates.trigger()
    dialog = window.gate_library.dialog
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert window.errors and "is this circuit's own file" in window.errors[0]
    assert teacher_file.read_text(encoding="utf-8") == before


def test_export_follows_whether_the_circuit_has_gates_of_its_own(qtbot, tmp_path, teacher_file):
    window = make_window(qtbot, tmp_path)
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    show_at(window, qtbot, (1400, 900))
    assert not window.action_export_gates.isEnabled()
    dialog = open_import_dialog(window, qtbot, teacher_file)
    qtbot.mouseClick(dialog.ok_button, Qt.LeftButton)
    assert window.action_export_gates.isEnabled()
    press_on_canvas(qtbot, window, Qt.Key_Z)
    assert not window.action_export_gates.isEnabled()
