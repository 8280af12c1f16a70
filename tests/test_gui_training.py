"""Training in the window: the guide's SVM on its six points reaches 100% from Train (the canvas
numbers moving), a run is one undo step, Step matches the hinge gradient worked out by hand,
Reset parameters is reproducible, the data set is one undo step per edit and survives a
save/load, CSV errors name the line, and editing the structure stops a run cleanly. The curves
belong to the document's history (undoing a run, a reset or a deleted hidden unit brings back
the curves and step count of that state); another circuit leaves no plot ranges behind, and a
narrow plot's step numbers never run together."""

import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage, QPainter
from PySide6.QtWidgets import QDockWidget, QMenu

import engine
from engine.datasets import GUIDE_LABELS, GUIDE_POINTS
from gui.common.plots import EMPTY_X, EMPTY_Y
from gui.model.commands import AddNodeCommand, SetTrainableCommand, SetValueCommand
from tests.gui_helpers import click_at, make_window
from gui.training.plots import TrainingPlots

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"
PARAMS = ("a", "b", "c")
GUIDE_START = {"a": 1.0, "b": -2.0, "c": -1.0}  # engine.templates.linear_classifier()


@pytest.fixture
def window(qtbot, tmp_path):
    return make_window(qtbot, tmp_path)


@pytest.fixture
def session(qtbot, window):
    session = window.training_session
    window.show()
    qtbot.waitExposed(window)
    return session


@pytest.fixture
def panel(window, session):
    return window.training_panel


def open_svm(window, qtbot, dataset=True):
    circuit = engine.templates.linear_classifier()
    if dataset:
        engine.embed_dataset(circuit, engine.datasets.six_points())
    window.document.replace_circuit(circuit)
    window.document.flush()
    qtbot.wait(1)


def values(window, ids=PARAMS):
    return {i: window.document.circuit.nodes[i].value for i in ids}


def guide_accuracy(v) -> float:
    """The share of the guide's six points on the right side of a*x + b*y + c (by hand)."""
    right = sum(1 for (x, y), label in zip(GUIDE_POINTS, GUIDE_LABELS)
                if label * (v["a"] * x + v["b"] * y + v["c"]) > 0)
    return right / len(GUIDE_LABELS)


def hinge_step(v, step_size, reg):
    """One full-batch step of the guide's SVM: points with label*score < 1 pull, plus L2 on
    the weights a and b (not on the bias c), as the guide writes it."""
    grads = {"a": 0.0, "b": 0.0, "c": 0.0}
    n = len(GUIDE_LABELS)
    for (x, y), label in zip(GUIDE_POINTS, GUIDE_LABELS):
        score = v["a"] * x + v["b"] * y + v["c"]
        if label * score < 1:
            grads["a"] += -label * x / n
            grads["b"] += -label * y / n
            grads["c"] += -label / n
    grads["a"] += reg * v["a"]
    grads["b"] += reg * v["b"]
    return {i: v[i] - step_size * grads[i] for i in PARAMS}


# --------------------------------------------------------------------------- in the window
def test_the_window_docks_the_panel_and_fills_the_train_menu(window, session):
    dock = window.findChild(QDockWidget, "training_dock")
    assert dock is not None
    assert dock.findChild(type(window.training_panel), "training_panel") is window.training_panel
    menu = window.menuBar().findChild(QMenu, "menu_train")
    names = [a.objectName() for a in menu.actions()]
    for name in ("action_train", "action_train_step", "action_reset_params",
                 "action_templates"):
        assert name in names
    docks = [d.objectName() for d in window.findChildren(QDockWidget)]
    assert docks.count("training_dock") == 1  # once per window


def test_roles_line_says_which_inputs_are_data_and_parameters(window, session, panel, qtbot):
    open_svm(window, qtbot)
    assert panel.roles.text() == "Data: x (feature 0), y (feature 1) · Parameters: a, b, c"
    assert session.data_inputs() == ["x", "y"]
    window.document.push(SetTrainableCommand(window.document, "c", False))
    assert panel.roles.text().endswith("Parameters: a, b · Frozen: c")


# --------------------------------------------------------------------------- training
def test_train_reaches_100_percent_on_the_six_points_and_one_undo_restores(
        window, session, panel, qtbot):
    open_svm(window, qtbot)
    assert guide_accuracy(values(window)) == pytest.approx(4 / 6)  # the guide's start
    gate_a = window.scene.gate_item("a")
    shown_before = gate_a.value_item.text
    depth = window.document.undo_stack.count()

    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    assert session.running and panel.train_button.text() == "Pause"
    qtbot.waitUntil(lambda: guide_accuracy(values(window)) == 1.0, timeout=10_000)
    # the canvas shows the numbers moving while training
    qtbot.waitUntil(lambda: gate_a.value_item.text != shown_before, timeout=5_000)
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    assert not session.running and panel.train_button.text() == "Train"

    trained = values(window)
    assert guide_accuracy(trained) == 1.0
    summary = session.summary()
    assert (summary.correct, summary.total) == (6, 6)
    # the loss as the canvas writes numbers (0.12), not in a format of its own (0.1185), once
    # the status has caught up with the last step
    final = f"accuracy 100% (6/6), loss {engine.format_readout(summary.loss)}"
    qtbot.waitUntil(lambda: final in panel.status.text())
    stack = window.document.undo_stack
    assert stack.count() == depth + 1
    assert stack.undoText() == f"Train {summary.steps} steps"
    assert panel.plots.steps_shown == summary.steps
    # the canvas's pass, paced during the run, comes in the turn after Pause
    qtbot.waitUntil(
        lambda: gate_a.value_item.text == engine.number_format.format_number(trained["a"]))

    stack.undo()
    assert values(window) == GUIDE_START
    stack.redo()
    assert values(window) == trained


def test_step_is_the_guide_hinge_step_and_one_undo_step_each(window, session, panel, qtbot):
    open_svm(window, qtbot)
    panel.step_size.setValue(0.01)
    panel.reg.setValue(0.1)
    expected = dict(GUIDE_START)
    stack = window.document.undo_stack
    depth = stack.count()
    for _ in range(3):
        qtbot.mouseClick(panel.step_button, Qt.LeftButton)
        expected = hinge_step(expected, 0.01, 0.1)
        for i in PARAMS:
            assert values(window)[i] == pytest.approx(expected[i], rel=1e-12, abs=1e-15)
    assert stack.count() == depth + 3
    assert stack.undoText() == "Train 1 step"
    stack.undo()
    stack.undo()
    stack.undo()
    assert values(window) == GUIDE_START


def test_stepping_until_every_point_is_right(window, session, panel, qtbot):
    open_svm(window, qtbot)
    for _ in range(100):
        panel.step()
        if guide_accuracy(values(window)) == 1.0:
            break
    assert guide_accuracy(values(window)) == 1.0
    assert session.summary().accuracy == 1.0


def test_logistic_loss_and_stochastic_batches_train_too(window, session, panel, qtbot):
    open_svm(window, qtbot)
    panel.loss.setCurrentIndex(panel.loss.findData("logistic"))
    panel.batch.setCurrentIndex(panel.batch.findData("stochastic"))
    assert session.trainer.loss_name == "logistic" and session.trainer.batch == "stochastic"
    for _ in range(400):
        panel.step()
    assert guide_accuracy(values(window)) == 1.0


def test_reset_parameters_with_a_seed_is_reproducible_and_one_undo_step(
        window, session, panel, qtbot):
    open_svm(window, qtbot)
    panel.reset_seed.setValue(7)
    qtbot.mouseClick(panel.reset_button, Qt.LeftButton)
    first = values(window)
    expected = np.random.default_rng(7).uniform(-0.5, 0.5, 3)  # the guide's Math.random()-0.5
    assert [first[i] for i in PARAMS] == pytest.approx(expected.tolist())
    assert window.document.undo_stack.undoText() == "Reset parameters (seed 7)"
    window.document.undo_stack.undo()
    assert values(window) == GUIDE_START
    window.findChild(QAction, "action_reset_params").trigger()
    assert values(window) == first


def test_scores_are_the_circuits_output_with_the_current_values(window, session, qtbot):
    open_svm(window, qtbot)
    points = np.array([[1.2, 0.7], [0.0, 0.0], [-2.0, 3.0]])
    v = GUIDE_START
    assert session.scores(points) == pytest.approx(v["a"] * points[:, 0]
                                                   + v["b"] * points[:, 1] + v["c"])
    window.document.push(SetValueCommand(window.document, "c", 4.0))
    assert session.scores(points)[1] == 4.0
    assert session.node_values(points, "by") == pytest.approx(-2.0 * points[:, 1])


def test_editing_the_structure_stops_training_cleanly(window, session, panel, qtbot):
    open_svm(window, qtbot)
    stack = window.document.undo_stack
    session.train()
    qtbot.waitUntil(lambda: values(window) != GUIDE_START, timeout=5_000)
    window.document.push(AddNodeCommand(window.document, "relu", (400, 400)))
    assert not session.running
    assert session.last_reason == "edited"
    assert not panel.train_button.isChecked()
    trained = values(window)
    qtbot.wait(50)
    assert values(window) == trained  # no frame after the edit
    stack.undo()  # the new gate
    assert "relu1" not in window.document.circuit.nodes
    stack.undo()  # the training
    assert values(window) == GUIDE_START
    # a new trainer for the edited structure trains on
    assert session.step()


def test_training_without_a_data_set_says_why(window, session, panel, qtbot):
    open_svm(window, qtbot, dataset=False)
    messages = []
    session.status_message.connect(messages.append)
    assert not session.step()
    assert not session.train()
    assert "no data set" in messages[-1]
    assert values(window) == GUIDE_START


def test_opening_another_document_stops_training(window, session, qtbot):
    open_svm(window, qtbot)
    session.train()
    qtbot.waitUntil(lambda: values(window) != GUIDE_START, timeout=5_000)
    window.document.replace_circuit(engine.Circuit())
    assert not session.running
    assert session.dataset is None
    assert window.document.undo_stack.count() == 0


# --------------------------------------------------------------------------- the data set
def test_generate_is_one_undo_step_and_survives_save_and_load(
        window, session, panel, qtbot, tmp_path):
    open_svm(window, qtbot, dataset=False)
    data = panel.data_panel
    data.kind.setCurrentIndex(data.kind.findData("circle"))
    data.points.setValue(40)
    data.noise.setValue(0.1)
    data.seed.setValue(2)
    with qtbot.waitSignal(session.dataset_changed):
        qtbot.mouseClick(data.generate_button, Qt.LeftButton)
    expected = engine.make_dataset("circle", 40, 0.1, 2)
    assert session.dataset == expected
    assert data.info.text() == "circle: 40 points (20 +1, 20 −1)"
    stack = window.document.undo_stack
    assert stack.undoText() == "Generate circle (40 points)"
    stack.undo()
    assert session.dataset is None and "dataset" not in window.document.circuit.extra
    stack.redo()
    assert session.dataset == expected

    path = tmp_path / "svm.circuit"
    assert window.save_to(path)
    window.document.replace_circuit(engine.Circuit())
    assert session.dataset is None
    assert window.open_path(path)
    assert session.dataset == expected
    assert engine.embedded_dataset(engine.load(path)) == expected


def test_the_chooser_starts_from_the_data_set_in_use(window, session, panel, qtbot):
    data = panel.data_panel
    circuit = engine.templates.two_layer_relu_net()
    engine.embed_dataset(circuit, engine.make_dataset("moons", 60, 0.1, 4))
    window.document.replace_circuit(circuit)
    assert data.kind.currentData() == "moons" and data.points.value() == 60
    data.noise.setValue(0.3)  # a noisier version of the same shape
    qtbot.mouseClick(data.generate_button, Qt.LeftButton)
    assert session.dataset == engine.make_dataset("moons", 60, 0.3, data.seed.value())


def test_points_added_and_removed_one_undo_step_each(window, session, qtbot):
    open_svm(window, qtbot)
    stack = window.document.undo_stack
    session.add_point(0.5, 0.5, 1)
    session.add_point(-2.0, -2.0, -1)
    assert len(session.dataset) == 8
    assert session.dataset.points[-1].tolist() == [-2.0, -2.0]
    assert session.dataset.labels[-2:].tolist() == [1.0, -1.0]
    assert session.remove_nearest(3.1, 0.0)  # the guide's (3.0, 0.1)
    assert [3.0, 0.1] not in session.dataset.points.tolist()
    stack.undo()
    assert [3.0, 0.1] in session.dataset.points.tolist()
    info = window.training_panel.data_panel.info
    assert info.text() == "the guide's six points, edited: 8 points (4 +1, 4 −1)"
    stack.undo()
    stack.undo()
    assert session.dataset == engine.datasets.six_points()
    assert info.text() == "the guide's six points: 6 points (3 +1, 3 −1)"


def test_points_edited_during_training_are_trained_on(window, session, qtbot):
    open_svm(window, qtbot)
    session.train()
    qtbot.waitUntil(lambda: session.trainer.steps > 0, timeout=5_000)
    session.add_point(0.0, 3.0, 1)
    assert session.running
    assert len(session.trainer.dataset) == 7
    session.pause()


def test_csv_load_error_names_the_line(window, session, panel, qtbot, tmp_path):
    open_svm(window, qtbot)
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n1.0,2.0,1\n0.5,oops,-1\n", encoding="utf-8")
    data = panel.data_panel
    errors = []
    data.ask_open_path = lambda folder, file_filter: str(bad)
    data.show_error = lambda title, text: errors.append(text)
    depth = window.document.undo_stack.count()
    qtbot.mouseClick(data.load_button, Qt.LeftButton)
    assert len(errors) == 1 and "line 3" in errors[0] and "oops" in errors[0]
    assert window.document.undo_stack.count() == depth
    assert session.dataset == engine.datasets.six_points()


def test_csv_save_and_load_round_trip(window, session, panel, qtbot, tmp_path):
    open_svm(window, qtbot)
    data = panel.data_panel
    path = tmp_path / "points"
    data.ask_save_path = lambda suggested, file_filter: str(path)
    qtbot.mouseClick(data.save_button, Qt.LeftButton)
    saved = tmp_path / "points.csv"
    rows = saved.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "x,y,label" and rows[1] == "1.2,0.7,1" and len(rows) == 7
    session.set_dataset(None)
    data.ask_open_path = lambda folder, file_filter: str(saved)
    qtbot.mouseClick(data.load_button, Qt.LeftButton)
    assert np.array_equal(session.dataset.points, np.array(GUIDE_POINTS))
    assert session.dataset.labels.tolist() == list(GUIDE_LABELS)
    assert window.document.undo_stack.undoText() == "Load data set points.csv"


def test_frames_write_a_preview_and_signal_once_each(window, session, panel, qtbot):
    open_svm(window, qtbot)
    panel.steps_per_frame.setValue(4)
    frames = []
    session.params_changed.connect(lambda: frames.append(session.trainer.steps))
    session.train()
    qtbot.waitUntil(lambda: len(frames) >= 3, timeout=5_000)
    session.pause()
    # every frame took at most the four steps asked for (fewer if the next would not fit
    # in the slice's time), then told the plot once
    taken = [after - before for before, after in zip([0] + frames, frames)]
    assert all(1 <= steps <= 4 for steps in taken)
    assert session.trainer.steps == frames[-1]  # Pause wrote what the last frame took
    assert math.isfinite(session.summary().loss)


def test_f9_trains_and_pauses_and_shift_f9_steps(window, session, panel, qtbot):
    open_svm(window, qtbot)
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.hasFocus())
    start = values(window)
    qtbot.keyClick(window.view.viewport(), Qt.Key_F9, Qt.ShiftModifier)
    assert values(window) == pytest.approx(hinge_step(start, session.step_size, session.reg))
    qtbot.keyClick(window.view.viewport(), Qt.Key_F9)
    assert session.running and panel.train_button.text() == "Pause"
    qtbot.waitUntil(lambda: session.summary().steps > 20)
    qtbot.keyClick(window.view.viewport(), Qt.Key_F9)
    assert not session.running and panel.train_button.text() == "Train"


def test_a_broken_data_set_in_a_file_is_named_in_the_panel(window, session, panel, qtbot,
                                                           tmp_path):
    circuit = engine.templates.linear_classifier()
    circuit.set_extra("dataset", {"points": [[0, 1], [1, 0]], "labels": [1]})
    path = tmp_path / "svm.circuit"
    engine.save(circuit, path)
    assert window.open_path(path)  # the circuit itself is fine
    qtbot.wait(1)
    assert session.dataset is None
    assert panel.status.text().startswith("The circuit's data set is not usable: "
                                          "dataset.labels: 1 labels for 2 points")
    qtbot.mouseClick(panel.data_panel.generate_button, Qt.LeftButton)  # a new one replaces it
    qtbot.wait(1)
    assert session.dataset is not None and session.dataset_problem == ""
    assert not panel.status.text().startswith("The circuit's data set is not usable")


# --------------------------------------------------------------------------- the curves
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
        window, session, panel, qtbot):
    open_spiral_net(window, qtbot)
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


def test_undoing_a_run_removes_its_part_of_the_curves(window, session, panel, qtbot):
    open_spiral_net(window, qtbot)
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


def test_undoing_the_part_of_a_run_after_a_point_was_added_keeps_the_part_before(
        window, session, panel, qtbot):
    window.resize(1400, 900)  # room for the boundary plot to take a click
    open_spiral_net(window, qtbot)
    stack = window.document.undo_stack
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.plots.steps_shown >= 10, timeout=10_000)
    shown, shown_curves = panel.plots.steps_shown, curves(window)
    click_at(qtbot, window.boundary_plot, 0.1, 0.2)  # the run goes on with the new point
    assert session.running and len(session.dataset) == 61
    qtbot.waitUntil(lambda: session.trainer.steps >= shown + 10, timeout=10_000)
    qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    final, final_curves = session.trainer.steps, curves(window)
    assert stack.count() == 3  # the run before the point, the point, the run after it
    assert stack.undoText() == f"Train {final - shown} steps"

    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier)
    assert session.trainer.steps == shown and panel.plots.steps_shown == shown
    assert curves(window) == shown_curves
    assert len(session.dataset) == 61
    assert stack.undoText() == "Add a +1 point"
    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier)
    assert len(session.dataset) == 60 and session.trainer.steps == shown
    assert stack.undoText() == f"Train {shown} steps"

    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert session.trainer.steps == final and curves(window) == final_curves


def test_undoing_a_reset_brings_back_the_curves(window, session, panel, qtbot):
    open_spiral_net(window, qtbot)
    steps = train_until(window, qtbot, 5)
    trained_curves = curves(window)
    qtbot.mouseClick(panel.reset_button, Qt.LeftButton)
    assert session.trainer.steps == 0 and panel.plots.steps_shown == 0
    press(window, qtbot, Qt.Key_Z, Qt.ControlModifier)
    assert session.trainer.steps == steps
    assert curves(window) == trained_curves


def x_range(plot):
    return tuple(plot.getViewBox().viewRange()[0])


def y_range(plot):
    return tuple(plot.getViewBox().viewRange()[1])


def empty_x():
    pad = 0.02 * (EMPTY_X[1] - EMPTY_X[0])
    return pytest.approx((EMPTY_X[0] - pad, EMPTY_X[1] + pad))


def test_opening_another_circuit_resets_the_ascent_and_training_plots(window, session, qtbot):
    ascent, training = window.ascent_panel, window.training_panel
    window.resize(1400, 900)
    window.files.open_example(EXAMPLES / "linear_svm.circuit")
    ascent.speed.setValue(1000)
    ascent.max_steps.setValue(40)
    qtbot.mouseClick(ascent.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not ascent.runner.running, timeout=10_000)
    training.steps_per_frame.setValue(20)
    qtbot.mouseClick(training.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: training.session.trainer.steps >= 40, timeout=10_000)
    qtbot.mouseClick(training.train_button, Qt.LeftButton)
    grown = [ascent.plot.output_plot, training.plots.loss_plot, training.plots.accuracy_plot]
    for plot in grown:
        assert x_range(plot)[1] > 30  # the curves of 40 steps and more

    window.files.open_example(EXAMPLES / "two_layer_net.circuit")
    for plot in grown + [ascent.plot.trajectory_plot]:
        assert x_range(plot) == empty_x()
    assert y_range(ascent.plot.output_plot) == pytest.approx(EMPTY_Y)
    assert y_range(training.plots.loss_plot) == pytest.approx(EMPTY_Y)
    assert y_range(training.plots.accuracy_plot) == pytest.approx((0, 102))  # always 0-100%


class EightThousandSteps:
    """What the plots read from a trainer: its histories."""

    loss_history = [1.0 / (1 + k) for k in range(8000)]
    accuracy_history = [min(1.0, k / 4000) for k in range(8000)]


def drawn_labels(axis):
    """The text the axis paints: (rect, text) of each number."""
    image = QImage(10, 10, QImage.Format_ARGB32)
    painter = QPainter(image)
    try:
        _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(rect, text) for rect, _flags, text in texts]


@pytest.mark.parametrize("width, at_least", [(240, 1), (320, 1), (900, 3)])
def test_step_numbers_never_run_together(qtbot, width, at_least):
    plots = TrainingPlots()
    qtbot.addWidget(plots)
    plots.resize(width, 200)
    plots.show()
    qtbot.waitExposed(plots)
    plots.update_from(EightThousandSteps())
    for plot in (plots.loss_plot, plots.accuracy_plot):
        qtbot.waitUntil(lambda: plot.getAxis("bottom").range[1] > 8000)
        labels = drawn_labels(plot.getAxis("bottom"))
        assert len(labels) >= at_least
        rects = sorted((rect for rect, _text in labels), key=lambda rect: rect.left())
        for left, right in zip(rects, rects[1:]):
            assert left.right() < right.left()  # a gap between every two numbers


def test_the_summary_measures_again_only_when_the_loss_changes(window, session, panel, qtbot,
                                                                monkeypatch):
    # on 100 000 points a measure is a pass over all of them: a setting that leaves the loss
    # as it was (steps per frame, the step size) keeps the one the last step made
    open_svm(window, qtbot)
    qtbot.mouseClick(panel.step_button, Qt.LeftButton)
    trainer = session.trainer
    measures = []
    measure = trainer.measure

    def counted(*args):
        measures.append(args)
        return measure(*args)

    monkeypatch.setattr(trainer, "measure", counted)
    panel.steps_per_frame.setValue(panel.steps_per_frame.value() + 3)
    panel.step_size.setValue(panel.step_size.value() * 2)
    assert session.summary().loss == trainer.loss_history[-1] and measures == []
    panel.reg.setValue(0.5)
    summary = session.summary()
    assert len(measures) == 1
    assert summary.loss == pytest.approx(trainer.loss(), rel=1e-12) != trainer.loss_history[-1]
    assert summary.accuracy == trainer.accuracy()
