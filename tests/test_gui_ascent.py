"""Gradient ascent in the window: the guide's neuron pulled up by one Step (0.8808 -> 0.88255),
Run/Pause as one undo step, minimise and random search, the custom gate's x and y meeting at
3.5, edits that stop a run, nan that stops it, and the arrows on the canvas."""

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMenu

import engine
from gui.common.widgets import log_step
from gui.model.commands import AddNodeCommand, MoveNodesCommand, SetValueCommand
from gui.docks.inputs_panel import VALUE
from tests.gui_helpers import make_window
from engine.number_format import format_number
from tests.helpers import EXAMPLES, build

NEURON_INPUTS = ("a", "x", "b", "y", "c")


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


def neuron(v):
    """The guide's neuron, written out by hand."""
    return sigmoid(v["a"] * v["x"] + v["b"] * v["y"] + v["c"])


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    return window


@pytest.fixture
def panel(qtbot, window):
    panel = window.ascent_panel
    window.show()
    qtbot.waitExposed(window)
    return panel


def open_example(window, name):
    window.document.replace_circuit(engine.load(EXAMPLES / f"{name}.circuit"))
    window.document.flush()


def values(window, ids):
    return {i: window.document.circuit.nodes[i].value for i in ids}


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.LeftButton)


def run_until(qtbot, panel, steps):
    """Run until the current ascent has at least ``steps`` steps, then pause."""
    panel.max_steps.setValue(0)
    click(qtbot, panel.run_button)
    assert panel.runner.running
    qtbot.waitUntil(lambda: panel.runner.ascent is not None
                    and panel.runner.ascent.steps >= steps, timeout=10000)
    if panel.runner.running:
        click(qtbot, panel.run_button)
    assert not panel.runner.running and panel.runner.last_reason == "paused"


def test_the_window_docks_the_panel_with_its_run_menu_actions(window, panel):
    dock = window.findChild(QDockWidget, "ascent_dock")
    assert dock is not None and dock.widget().widget() is panel  # inside a scroll area
    assert panel.objectName() == "ascent_panel"
    menu = window.menuBar().findChild(QMenu, "menu_run")
    names = [action.objectName() for action in menu.actions()]
    assert "action_ascent_step" in names and "action_ascent_run" in names
    assert panel.step_size.value() == 0.01


def test_the_tools_share_one_run_menu(window, panel):
    menus = [m for m in window.menuBar().findChildren(QMenu) if m.objectName() == "menu_run"]
    assert len(menus) == 1


def test_one_step_on_the_neuron_moves_each_input_by_step_times_gradient(qtbot, window, panel):
    open_example(window, "neuron")
    before = values(window, NEURON_INPUTS)
    assert neuron(before) == pytest.approx(0.8808, abs=1e-4)
    grads = engine.run(window.document.circuit).grads
    click(qtbot, panel.step_button)
    window.document.flush()
    after = values(window, NEURON_INPUTS)
    for node_id in NEURON_INPUTS:
        expected = before[node_id] + 0.01 * grads[node_id]
        assert after[node_id] == pytest.approx(expected, rel=1e-12, abs=1e-15)
        assert window.scene.gate_item(node_id).value_item.text == format_number(expected)
    # the seed's figure: the output climbs from 0.8808 to 0.8825
    assert window.document.result.value == pytest.approx(neuron(after), rel=1e-12)
    assert window.document.result.value == pytest.approx(0.88255, abs=5e-6)
    assert window.scene.output_stub().value_text() == format_number(neuron(after))
    # one undo step puts the inputs back
    assert window.document.undo_stack.undoText() == "Gradient ascent step"
    window.document.undo_stack.undo()
    assert values(window, NEURON_INPUTS) == before


def test_each_step_adds_one_point_to_the_curves(qtbot, window, panel):
    open_example(window, "neuron")
    outputs = []
    for count in range(1, 4):
        click(qtbot, panel.step_button)
        window.document.flush()
        outputs.append(window.document.result.value)
        x, y = panel.plot.curve().getData()
        assert len(x) == len(y) == count + 1
        assert list(x) == list(range(count + 1))
        assert y[-1] == pytest.approx(outputs[-1], rel=1e-12)
        trajectory = panel.plot.trajectory_curves["y"].getData()[1]
        assert len(trajectory) == count + 1
        assert trajectory[-1] == window.document.circuit.nodes["y"].value
    assert outputs == sorted(outputs) and len(set(outputs)) == 3
    assert len(panel.plot.runs) == 1  # the steps continue one curve
    assert window.document.undo_stack.count() == 3  # one undo step per Step click


def test_step_arrows_point_up_and_down_with_the_moves(qtbot, window, panel):
    open_example(window, "neuron")
    grads = engine.run(window.document.circuit).grads
    click(qtbot, panel.step_button)
    arrows = panel.arrows.arrows()
    assert set(arrows) == set(NEURON_INPUTS)
    for node_id, arrow in arrows.items():
        move = 0.01 * grads[node_id]
        assert arrow.scene() is window.scene
        assert arrow.move == pytest.approx(move, rel=1e-12)
        assert arrow.direction == (1 if move > 0 else -1)
        assert arrow.text == f"{move:+.3g}"
        gate = window.scene.gate_item(node_id)
        # beside the gate: to the left of its body, at its height
        assert arrow.scenePos().x() < gate.scenePos().x()
        assert gate.sceneBoundingRect().top() < arrow.scenePos().y() \
            < gate.sceneBoundingRect().bottom()
    # b has the largest gradient (y * 0.105 = 0.315): the longest arrow
    longest = max(arrows.values(), key=lambda a: a.length)
    assert longest is arrows["b"]
    assert arrows["a"].length < arrows["b"].length
    # an edit makes the moves stale: the arrows go; Reset clears them too
    window.document.push(SetValueCommand(window.document, "x", 2.0))
    assert panel.arrows.arrows() == {}
    click(qtbot, panel.step_button)
    assert panel.arrows.arrows()
    click(qtbot, panel.reset_button)
    assert panel.arrows.arrows() == {}
    assert [i for i in window.scene.items() if type(i).__name__ == "MoveArrowItem"] == []


def test_run_then_pause_is_one_undo_step(qtbot, window, panel):
    open_example(window, "neuron")
    stack = window.document.undo_stack
    before = values(window, NEURON_INPUTS)
    run_until(qtbot, panel, 5)
    ascent = panel.runner.ascent
    steps = ascent.steps
    assert steps >= 5
    # the canvas shows where the run got to, and the curve has every step
    now = values(window, NEURON_INPUTS)
    assert now == {i: ascent.values[i] for i in NEURON_INPUTS}
    assert window.scene.gate_item("y").value_item.text == format_number(now["y"])
    x, y = panel.plot.curve().getData()
    assert len(y) == steps + 1
    assert list(y) == sorted(y)  # analytic ascent on the neuron only goes up
    window.document.flush()
    assert window.document.result.value == pytest.approx(neuron(now), rel=1e-12)
    assert window.document.result.value > 0.8808
    assert stack.count() == 1
    assert stack.undoText() == f"Gradient ascent ({steps} steps)"
    stack.undo()
    assert values(window, NEURON_INPUTS) == before
    stack.redo()
    assert values(window, NEURON_INPUTS) == now


def test_run_stops_by_itself_after_the_step_limit(qtbot, window, panel):
    open_example(window, "neuron")
    panel.max_steps.setValue(7)
    panel.speed.setValue(1000)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
    assert panel.runner.ascent.steps == 7
    assert panel.runner.last_reason == "steps"
    assert not panel.run_button.isChecked() and panel.run_button.text() == "Run"
    assert window.document.undo_stack.undoText() == "Gradient ascent (7 steps)"
    assert "after 7 steps" in panel.status.text()


def test_run_action_in_the_menu_toggles_the_run(qtbot, window, panel):
    open_example(window, "neuron")
    panel.max_steps.setValue(0)
    window.action_ascent_run.trigger()
    assert panel.runner.running and window.action_ascent_run.isChecked()
    assert panel.run_button.text() == "Pause"
    qtbot.waitUntil(lambda: panel.runner.ascent.steps >= 2, timeout=10000)
    window.action_ascent_run.trigger()
    assert not panel.runner.running and not window.action_ascent_run.isChecked()
    window.action_ascent_step.trigger()
    assert window.document.undo_stack.count() == 2


def test_a_run_paused_before_its_first_step_leaves_no_undo_step(qtbot, window, panel):
    open_example(window, "neuron")
    panel.run()
    panel.pause()
    assert window.document.undo_stack.count() == 0
    assert not window.document.is_dirty


def test_a_run_that_moves_nothing_leaves_no_undo_step(qtbot, window, panel):
    window.document.replace_circuit(build({"x": ("input", 0.0), "f": "mul"}, {"f": ("x", "x")}))
    panel.method.setCurrentIndex(panel.method.findData("random"))
    panel.direction.setCurrentIndex(panel.direction.findData(True))  # x*x is least at x = 0
    panel.speed.setValue(1000)
    for steps in (1, 30):  # one publish, then as many as the frames take
        panel.max_steps.setValue(steps)
        click(qtbot, panel.run_button)
        qtbot.waitUntil(lambda: not panel.runner.running, timeout=10000)
        assert panel.runner.last_reason == "steps" and panel.runner.run_steps == steps
        assert window.document.circuit.nodes["x"].value == 0.0
        assert window.document.undo_stack.count() == 0
        assert not window.document.is_dirty


def test_minimise_goes_down(qtbot, window, panel):
    open_example(window, "neuron")
    panel.direction.setCurrentIndex(panel.direction.findData(True))
    start = window.document.result.value
    grads = engine.run(window.document.circuit).grads
    before = values(window, NEURON_INPUTS)
    click(qtbot, panel.step_button)
    for node_id in NEURON_INPUTS:
        assert window.document.circuit.nodes[node_id].value == pytest.approx(
            before[node_id] - 0.01 * grads[node_id], rel=1e-12)
    run_until(qtbot, panel, 10)
    window.document.flush()
    y = panel.plot.curve().getData()[1]
    assert y[0] == pytest.approx(start) and all(b < a for a, b in zip(y, y[1:]))
    assert window.document.result.value < start
    assert panel.plot.curve().name() == "analytic (min)"


def test_random_search_keeps_the_output_monotone(qtbot, window, panel):
    open_example(window, "neuron")
    panel.method.setCurrentIndex(panel.method.findData("random"))
    panel.speed.setValue(1000)
    run_until(qtbot, panel, 40)
    y = panel.plot.curve().getData()[1]
    assert all(b >= a for a, b in zip(y, y[1:]))
    assert y[-1] > y[0]  # some tries were kept
    assert panel.plot.curve().name() == "random"
    window.document.flush()
    assert window.document.result.value == pytest.approx(y[-1], rel=1e-12)


def test_strategies_are_compared_as_curves_on_one_plot(qtbot, window, panel):
    open_example(window, "neuron")
    for method in ("analytic", "numerical", "random"):
        window.document.replace_circuit(engine.load(EXAMPLES / "neuron.circuit"))
        panel.method.setCurrentIndex(panel.method.findData(method))
        for _ in range(3):
            click(qtbot, panel.step_button)
    names = [run.curve.name() for run in panel.plot.runs]
    assert names == ["analytic", "numerical", "random"]
    legend = [label.text for _sample, label in panel.plot.output_legend.items]
    assert legend == names
    analytic, numerical = (run.curve.getData()[1] for run in panel.plot.runs[:2])
    assert numerical == pytest.approx(analytic, abs=1e-5)  # the numerical gradient agrees
    click(qtbot, panel.reset_button)
    assert panel.plot.runs == [] and panel.plot.output_legend.items == []
    assert panel.plot.output_plot.listDataItems() == []


def test_custom_gate_x_and_y_meet_at_three_and_a_half(qtbot, window, panel):
    open_example(window, "custom_gate")  # f = 100 - (x - y)^2 at x = 3, y = 4
    panel.speed.setValue(0)
    panel.max_steps.setValue(0)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=20000)
    assert panel.runner.last_reason == "converged"
    x, y = (window.document.circuit.nodes[i].value for i in ("x", "y"))
    assert x == pytest.approx(3.5, abs=1e-4) and y == pytest.approx(3.5, abs=1e-4)
    window.document.flush()
    assert window.document.result.value == pytest.approx(100.0, abs=1e-8)
    trajectory_x = panel.plot.trajectory_curves["x"].getData()[1]
    assert trajectory_x[0] == 3.0 and trajectory_x[-1] == x
    assert all(b > a for a, b in zip(trajectory_x, trajectory_x[1:]))


def test_a_structural_edit_during_a_run_stops_it_cleanly(qtbot, window, panel):
    open_example(window, "neuron")
    stack = window.document.undo_stack
    before = values(window, NEURON_INPUTS)
    panel.max_steps.setValue(0)
    click(qtbot, panel.run_button)
    # three steps, and the run's values already on the undo stack (published a turn after
    # the steps: on a busy machine the steps may be taken before the first publish)
    qtbot.waitUntil(lambda: panel.runner.ascent.steps >= 3 and stack.count() == 1,
                    timeout=10000)
    window.document.push(AddNodeCommand(window.document, "add", (600, 400), node_id="extra"))
    assert not panel.runner.running
    assert panel.runner.last_reason == "edited"
    assert "edited" in panel.status.text()
    moved = values(window, NEURON_INPUTS)
    qtbot.wait(60)  # no timer slice runs any more
    assert values(window, NEURON_INPUTS) == moved
    # history in the order things happened: undo the gate, then the run
    assert stack.count() == 2
    stack.undo()
    assert "extra" not in window.document.circuit.nodes
    assert values(window, NEURON_INPUTS) == moved
    stack.undo()
    assert values(window, NEURON_INPUTS) == before
    # the next step starts a new session on the edited circuit
    click(qtbot, panel.step_button)
    assert len(panel.plot.runs) == 2


def test_an_ascent_on_a_changed_structure_raises_and_the_run_stops(qtbot, window, panel):
    open_example(window, "neuron")
    panel.max_steps.setValue(0)
    panel.run()
    runner = panel.runner
    circuit = window.document.circuit
    circuit.unsubscribe(window.document._on_change)  # an edit nobody hears about
    try:
        circuit.add_node("add", "hidden")
        qtbot.waitUntil(lambda: not runner.running, timeout=5000)
    finally:
        circuit.subscribe(window.document._on_change)
    assert runner.last_reason == "edited"


def test_a_value_edit_during_a_run_stops_it(qtbot, window, panel):
    open_example(window, "neuron")
    panel.max_steps.setValue(0)
    panel.run()
    qtbot.waitUntil(lambda: panel.runner.ascent.steps >= 2, timeout=10000)
    window.document.push(SetValueCommand(window.document, "c", 5.0))
    assert not panel.runner.running
    assert window.document.circuit.nodes["c"].value == 5.0


def test_moving_a_gate_during_a_run_does_not_stop_it(qtbot, window, panel):
    from gui.model.commands import MoveNodesCommand
    open_example(window, "neuron")
    panel.max_steps.setValue(0)
    panel.run()
    qtbot.waitUntil(lambda: panel.runner.ascent.steps >= 2, timeout=10000)
    window.document.push(MoveNodesCommand(window.document, {"f": ((540, 200), (560, 200))}))
    assert panel.runner.running
    panel.pause()


def test_opening_another_circuit_stops_the_run(qtbot, window, panel):
    open_example(window, "neuron")
    panel.max_steps.setValue(0)
    panel.run()
    qtbot.waitUntil(lambda: panel.runner.ascent.steps >= 2, timeout=10000)
    open_example(window, "custom_gate")
    assert not panel.runner.running and window.document.undo_stack.count() == 0
    assert panel.arrows.arrows() == {}
    click(qtbot, panel.step_button)
    assert window.document.circuit.nodes["x"].value == pytest.approx(3.02)


def test_nan_stops_with_a_message(qtbot, window, panel):
    # f = log(x): gradient ascent with a huge step sends x below 0 and f to nan
    circuit = build({"x": ("input", 1.0), "f": "log"}, {"f": ["x"]})
    window.document.replace_circuit(circuit)
    panel.step_size.setValue(5.0)
    panel.max_steps.setValue(0)
    click(qtbot, panel.step_button)  # x = 1 + 5 * 1 = 6
    assert window.document.circuit.nodes["x"].value == 6.0
    panel.direction.setCurrentIndex(panel.direction.findData(True))  # go down: 6 - 5/6 ...
    panel.step_size.setValue(50.0)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=5000)
    assert panel.runner.last_reason == "not finite"
    assert "nan" in panel.status.text()
    assert math.isfinite(window.document.circuit.nodes["x"].value)


def test_a_circuit_that_cannot_run_says_why(qtbot, window, panel):
    circuit = build({"x": ("input", 1.0), "f": "mul"}, {"f": ["x"]})  # port 1 open
    window.document.replace_circuit(circuit)
    click(qtbot, panel.step_button)
    assert "cannot start" in panel.status.text()
    click(qtbot, panel.run_button)
    assert not panel.runner.running and not panel.run_button.isChecked()
    assert window.document.undo_stack.count() == 0


def test_nothing_to_move(qtbot, window, panel):
    circuit = build({"x": ("const", 1.0), "f": "exp"}, {"f": ["x"]})
    window.document.replace_circuit(circuit)
    click(qtbot, panel.step_button)
    assert "nothing to move" in panel.status.text()


def test_step_size_arrows_walk_the_one_two_five_ladder(panel):
    assert [log_step(0.01, k) for k in (1, 2, 3, -1, -2)] == [0.02, 0.05, 0.1, 0.005, 0.002]
    assert log_step(0.03, 1) == 0.05 and log_step(0.03, -1) == 0.02
    panel.step_size.stepUp()
    assert panel.step_size.value() == 0.02
    assert panel.runner.step_size == 0.02


def test_step_size_can_be_typed(qtbot, panel):
    box = panel.step_size
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "1e-4")
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)
    assert box.value() == pytest.approx(1e-4) and panel.runner.step_size == pytest.approx(1e-4)
    assert box.text() == "0.0001"


def test_arrows_show_the_last_step_of_a_run(qtbot, window, panel):
    open_example(window, "custom_gate")
    panel.speed.setValue(1000)
    run_until(qtbot, panel, 20)
    ascent = panel.runner.ascent
    arrows = panel.arrows.arrows()
    assert {i: a.move for i, a in arrows.items()} == pytest.approx(ascent.last_moves)
    assert arrows["x"].direction == 1 and arrows["y"].direction == -1  # x up, y down to meet


def test_a_full_curve_stops_the_run_and_the_next_run_starts_a_new_one(qtbot, window, panel,
                                                                     monkeypatch):
    import gui.ascent.runner
    monkeypatch.setattr(gui.ascent.runner, "MAX_SESSION_STEPS", 5)
    open_example(window, "neuron")
    panel.max_steps.setValue(0)
    panel.speed.setValue(1000)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=5000)
    assert panel.runner.last_reason == "full" and panel.runner.ascent.steps == 5
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=5000)
    assert [len(run.curve.getData()[1]) for run in panel.plot.runs] == [6, 6]
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    assert neuron(values(window, NEURON_INPUTS)) == pytest.approx(0.8808, abs=1e-4)


def test_the_guides_loop_in_the_window_ends_where_the_guide_does(window, panel, qtbot):
    # optimizeBinaryFunction(3, 4, forwardCustomGate, step_size=0.001): numerical gradient,
    # stop after a step that gains less than 0.000005 -> x = 3.487488988616036, y = 3.51232...
    open_example(window, "custom_gate")
    panel.method.setCurrentIndex(panel.method.findData("numerical"))
    panel.step_size.setValue(0.001)
    panel.tolerance.clear()
    qtbot.keyClicks(panel.tolerance, "0.000005")
    panel.tolerance.interpretText()
    assert panel.tolerance.value() == 5e-6
    panel.speed.setValue(0)  # as fast as the window allows
    panel.max_steps.setValue(0)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=20000)
    assert panel.runner.last_reason == "converged"
    x, y = values(window, ("x", "y")).values()
    assert x == 3.487488988616036 and y == 3.512326611377091  # the guide's, to the last digit
    # the guide reports the value before its last step: the curve's next-to-last point
    output = panel.runner.ascent.history
    assert output[-2] == 99.99937812746526
    assert "converged" in panel.status.text()
    # f = 100 - (x - y)^2 = 99.99938...: two decimals would say 100.00, the maximum
    f = 100 - (x - y) ** 2
    assert f"{f:.6g}" == "99.9994"
    assert panel.status.text() == (f"Gradient ascent converged after {len(output) - 1} steps: "
                                   "f stopped improving at 99.9994")
    window.document.flush()
    assert window.result_label.text() == "f = 99.9994"
    assert float(window.result_label.toolTip().split()[2]) == pytest.approx(f, abs=1e-12)
    inputs = window.inputs_panel  # the Inputs dock: short, and every digit on hover
    assert inputs.cell_text("x", VALUE) == "3.49"
    assert inputs.table.item(inputs.row_of("x"), VALUE).toolTip().startswith(
        "x = 3.487488988616036\n")


def test_another_circuit_clears_the_curves_the_same_one_keeps_them(qtbot, window, panel):
    open_example(window, "custom_gate")
    click(qtbot, panel.step_button)
    assert len(panel.plot.runs) == 1
    open_example(window, "custom_gate")  # the same inputs and output: still comparable
    assert len(panel.plot.runs) == 1
    open_example(window, "neuron")  # another circuit: its curves would mean nothing here
    assert panel.plot.runs == [] and panel.status.text() == ""


def test_a_fitted_canvas_keeps_the_whole_circuit_and_f_in_view_during_a_run(
        qtbot, window, panel):
    window.resize(1400, 900)
    open_example(window, "custom_gate")
    view, scene = window.view, window.scene
    window.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view.viewport(), Qt.Key_F)
    panel.max_steps.setValue(300)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=20000)
    assert panel.runner.run_steps > 1
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    arrows = panel.arrows.arrows()
    assert set(arrows) == {"x", "y"}
    for arrow in arrows.values():  # the arrow and its "+0.02" are on screen, not cut off
        assert shown.contains(arrow.sceneBoundingRect())
    for gate in scene.gate_items():  # the refit made room for them and kept the rest
        assert shown.contains(gate.sceneBoundingRect()), gate.node_id
    stub = scene.output_stub()  # f's value, wider now (99.99...), still in view
    assert stub.value_text() == format_number(window.document.result.values["f"])
    for item in (stub, stub.value_label, stub.grad_label):
        assert shown.contains(item.sceneBoundingRect())


def test_a_move_during_a_run_lands_between_its_parts_and_changes_no_pushed_step(
        qtbot, window, panel):
    open_example(window, "neuron")
    stack = window.document.undo_stack
    start = values(window, NEURON_INPUTS)
    panel.max_steps.setValue(0)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: stack.count() == 1, timeout=10000)  # the run's first frame
    first_part = values(window, NEURON_INPUTS)
    old_pos = window.document.circuit.nodes["x"].pos
    window.document.push(MoveNodesCommand(window.document,
                                          {"x": (old_pos, (old_pos[0] + 40, old_pos[1]))}))
    assert panel.runner.running  # moving a gate changes no number
    qtbot.waitUntil(lambda: stack.count() == 3, timeout=10000)  # the run goes on, on top
    click(qtbot, panel.run_button)
    assert [stack.text(k).split(" (")[0] for k in range(3)] == [
        "Gradient ascent", "Move x", "Gradient ascent"]
    # each part is named after its own steps
    held = [int(stack.text(k).split("(")[1].split()[0]) for k in (0, 2)]
    assert sum(held) == panel.runner.run_steps
    stack.undo()
    stack.undo()
    # the step under the move still holds what it held when the move was pushed
    assert values(window, NEURON_INPUTS) == first_part
    assert window.document.circuit.nodes["x"].pos == old_pos
    stack.undo()
    assert values(window, NEURON_INPUTS) == start


# ------------------------------------------------------------------ vectors and matrices
def type_into(qtbot, box, text):
    """Select a spin box's text and type ``text`` with the keyboard, then Enter."""
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)


def choose(qtbot, combo, data):
    """Pick the entry of ``combo`` holding ``data`` with the keyboard, as a user does."""
    combo.setFocus()
    while combo.currentData() != data:
        qtbot.keyClick(combo, Qt.Key_Down)


def test_one_step_moves_every_element_of_w_and_x_and_the_plot_and_arrows_follow(
        qtbot, window, panel):
    assert window.open_path(EXAMPLES / "wx_squared.circuit")
    click(qtbot, panel.step_button)
    window.document.flush()
    w = window.document.circuit.nodes["W"].value
    x = window.document.circuit.nodes["x"].value
    dw = np.array([[0.088, 0.176], [0.104, 0.208]])  # FORMAT.md 5's df/dW and df/dx
    assert np.allclose(w, np.array([[0.1, 0.5], [-0.3, 0.8]]) + 0.01 * dw, rtol=1e-13)
    assert np.allclose(x, np.array([0.2, 0.4]) + 0.01 * np.array([-0.112, 0.636]), rtol=1e-13)
    assert window.document.result.value == pytest.approx(float(np.sum((w @ x) ** 2)), rel=1e-13)
    assert window.document.undo_stack.undoText() == "Gradient ascent step"
    # one curve per element of W and x, in its input's colour, each input once in the legend
    curves = panel.plot.trajectory_curves
    assert list(curves) == ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "x[0]", "x[1]"]
    assert [label.text for _sample, label in panel.plot.trajectory_legend.items] == ["W", "x"]
    colors = [curve.opts["pen"].color().name() for curve in curves.values()]
    assert len(set(colors[:4])) == 1 and len(set(colors[4:])) == 1 and colors[0] != colors[4]
    assert np.allclose(panel.plot.trajectory_curves["W[0,1]"].getData()[1], [0.5, w[0, 1]])
    # the arrows show each input's element that moved most
    arrows = panel.arrows.arrows()
    assert arrows["W"].move == pytest.approx(0.01 * 0.208) and arrows["W"].direction == 1
    assert arrows["x"].move == pytest.approx(0.01 * 0.636)
    window.action_undo.trigger()
    assert np.array_equal(window.document.circuit.nodes["W"].value, [[0.1, 0.5], [-0.3, 0.8]])


def test_minimising_the_11_line_nets_loss_brings_l2_to_0_1_1_0(qtbot, window, panel):
    example = next(a for a in window.menu_examples.actions()
                   if a.data() == str(EXAMPLES / "numpy_net_11_lines.circuit"))
    example.trigger()
    window.document.flush()
    start = window.document.result.value
    assert start > 0.9
    choose(qtbot, panel.direction, True)  # minimise: gradient descent on syn0 and syn1
    type_into(qtbot, panel.step_size, "2")
    type_into(qtbot, panel.max_steps, "1000")
    type_into(qtbot, panel.speed, "0")  # as fast as the window allows
    assert (panel.runner.minimize, panel.runner.step_size, panel.runner.max_steps) == \
        (True, 2.0, 1000)
    click(qtbot, panel.run_button)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=60_000)
    assert panel.runner.last_reason == "steps" and panel.runner.run_steps == 1000
    assert panel.status.text().startswith("Gradient descent done after 1000 steps, loss = ")
    window.document.flush()
    result = window.document.result
    l2 = result.values["l2"]
    assert np.all(np.abs(l2 - [0.0, 1.0, 1.0, 0.0]) < 0.05), l2
    assert result.value < 0.003
    assert np.array_equal(window.document.circuit.nodes["X"].value,
                          [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])  # data never moves
    assert window.document.undo_stack.undoText() == "Gradient ascent (1000 steps)"
    y = panel.plot.current.output.column(0)  # the curve's data (drawn clipped to the view)
    assert len(y) == 1001 and y[0] == pytest.approx(start) and y[-1] == result.value
    assert all(b < a for a, b in zip(y, y[1:]))  # always downhill
    assert panel.plot.curve().name() == "analytic (min)"
    assert panel.plot.trajectory_note.text() == "trajectories of 12 of 16 numbers"
    # shared out in turn, so syn0's 12 elements do not crowd out syn1
    assert list(panel.plot.trajectory_curves) == \
        [f"syn0[{i},{j}]" for i in range(2) for j in range(4)] + [f"syn1[{i}]" for i in range(4)]
    window.action_undo.trigger()  # the whole run is one undo step
    window.document.flush()
    assert window.document.result.value == pytest.approx(start)
