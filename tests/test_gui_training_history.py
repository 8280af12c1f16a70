"""The loss and accuracy curves belong to the document's history: undoing a run removes its
part of the curves and the step count, redoing puts them back, and undoing the deletion of a
hidden unit brings back the curves of the net it was cut from."""

import pytest
from PySide6.QtCore import QSettings, Qt

import engine
from gui.files.file_actions import DISCARD
from gui.main_window import MainWindow
from gui.training.panel import install


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, recovery_folder=tmp_path / "recovery")
    window.show_error = lambda title, text: None
    window.ask_unsaved = lambda: DISCARD
    qtbot.addWidget(window)
    install(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_spiral_net(window, qtbot):
    circuit = engine.templates.hidden_layer_net(4, "tanh", seed=1)
    engine.embed_dataset(circuit, engine.make_dataset("spiral", 60))
    window.document.replace_circuit(circuit)
    window.document.flush()
    qtbot.wait(1)


def train_until(window, qtbot, steps):
    panel, session = window.training_panel, window.training_session
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: session.trainer.steps >= steps, timeout=10_000)
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    assert not session.running
    return session.trainer.steps


def curves(window):
    plots = window.training_panel.plots
    return (list(plots.loss_curve.getData()[1] if plots.steps_shown else []),
            list(plots.accuracy_curve.getData()[1] if plots.steps_shown else []))


def press(window, qtbot, key, modifier=Qt.NoModifier):
    qtbot.keyClick(window.view.viewport(), key, modifier)


def test_undoing_a_deleted_hidden_unit_brings_back_the_curves_and_the_step_count(
        window, qtbot):
    open_spiral_net(window, qtbot)
    session, panel = window.training_session, window.training_panel
    steps = train_until(window, qtbot, 20)
    trained_curves = curves(window)
    assert len(trained_curves[0]) == steps
    qtbot.waitUntil(lambda: f"step {steps}" in panel.status.text())

    window.scene.clearSelection()
    window.scene.gate_item("n3").setSelected(True)
    press(window, qtbot, Qt.Key_Delete)
    assert "n3" not in window.document.circuit.nodes
    qtbot.waitUntil(lambda: panel.plots.steps_shown == 0)  # a new net: its curves start again

    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier)
    assert "n3" in window.document.circuit.nodes
    qtbot.waitUntil(lambda: panel.plots.steps_shown == steps)
    assert curves(window) == trained_curves
    assert session.trainer.steps == steps
    qtbot.waitUntil(lambda: f"step {steps}" in panel.status.text())


def test_undoing_a_run_removes_its_part_of_the_curves(window, qtbot):
    open_spiral_net(window, qtbot)
    session, panel = window.training_session, window.training_panel
    first = train_until(window, qtbot, 5)
    first_curves = curves(window)
    second = train_until(window, qtbot, first + 5)
    both_curves = curves(window)
    stack = window.document.undo_stack
    assert stack.count() == 2  # one undo step per run
    assert stack.undoText() == f"Train {second - first} steps"

    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier)
    assert session.trainer.steps == first
    assert curves(window) == first_curves
    qtbot.waitUntil(lambda: f"step {first}" in panel.status.text())

    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier)
    assert session.trainer.steps == 0 and panel.plots.steps_shown == 0

    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert session.trainer.steps == second
    assert curves(window) == both_curves


def test_undoing_a_reset_brings_back_the_curves(window, qtbot):
    open_spiral_net(window, qtbot)
    session, panel = window.training_panel.session, window.training_panel
    steps = train_until(window, qtbot, 5)
    trained_curves = curves(window)
    qtbot.mouseClick(panel.reset_button, Qt.LeftButton)
    assert session.trainer.steps == 0 and panel.plots.steps_shown == 0
    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier)
    assert session.trainer.steps == steps
    assert curves(window) == trained_curves
