"""The animated passes: gates visited level by level (the gates of one depth together, as many
steps as the circuit is deep) forward then back, each wire's number appearing when its dots
arrive, the CS231n neuron's chain rule in the captions ("-0.53 × 0.37 = -0.20" at exp), max
routing and fan-out sums, Play to the end on the timer with wires as thick as their gradients
in a few seconds, the toolbar, edits that stop a run cleanly, and captions that never cover
each other or a gate."""

import math
from collections import deque

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QSlider, QToolBar

import engine
from gui.common import theme
from gui.model.commands import AddNodeCommand, SetValueCommand
from gui.flow.animation import BACKWARD, DONE, FORWARD, IDLE, SPEED_MAX
from gui.flow.captions import PAD_Y, Caption
from gui.flow.dots import (DOT_SPACING, FRAME_MS, STEP_FRACTION, DotTrain, dot_radius,
                           dot_speed, dot_style, frame_step, train_spacing, travel_seconds,
                           wire_width)
from tests.gui_helpers import make_window, settle
from gui.canvas.wire_item import NumberLabel
from tests.helpers import EXAMPLES, examples_that_run

FAN = {"format": "circuitgrad", "version": 1, "title": "max of two products, x fans out",
       "nodes": [
           {"id": "y", "op": "input", "value": -0.1, "pos": [0, 0]},
           {"id": "x", "op": "input", "value": 2.0, "pos": [0, 80]},
           {"id": "z", "op": "input", "value": 0.3, "pos": [0, 180]},
           {"id": "a", "op": "mul", "pos": [180, 20]},
           {"id": "b", "op": "mul", "pos": [180, 140]},
           {"id": "m", "op": "max", "pos": [360, 80]},
           {"id": "k", "op": "const", "value": 1.0, "pos": [360, 200]},
           {"id": "f", "op": "add", "pos": [540, 100]}],
       "wires": [{"from": "y", "to": "a", "port": 0}, {"from": "x", "to": "a", "port": 1},
                 {"from": "x", "to": "b", "port": 0}, {"from": "z", "to": "b", "port": 1},
                 {"from": "a", "to": "m", "port": 0}, {"from": "b", "to": "m", "port": 1},
                 {"from": "m", "to": "f", "port": 0}, {"from": "k", "to": "f", "port": 1}],
       "output": "f"}


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path)
    win.flow = win.flow_controller
    return win


def open_example(window, name):
    assert window.open_path(EXAMPLES / name)
    window.document.flush()
    return window.flow


def open_fan(window, tmp_path):
    path = tmp_path / "fan.circuit"
    engine.save(engine.circuit_from_dict(FAN), path)
    assert window.open_path(path)
    window.document.flush()
    return window.flow


def expected_order(circuit):
    """Gates in topological order, and the reverse over the gates upstream of the output,
    computed here independently of the animation."""
    gates = [n for n in engine.topological_order(circuit) if not circuit.nodes[n].gate.is_source]
    upstream, queue = {circuit.output_id()}, deque([circuit.output_id()])
    while queue:
        for src in circuit.inputs_of(queue.popleft()):
            if src not in upstream:
                upstream.add(src)
                queue.append(src)
    return gates, [n for n in reversed(gates) if n in upstream]


def expected_levels(circuit):
    """The gates grouped by depth: forward, the longest way from a source (sources are 0);
    backward, the longest way down from the output (the output is 0) among the gates upstream
    of it. Computed here, by recursion over the wires, independently of the animation."""
    forward, backward = expected_order(circuit)
    gate = {n for n in circuit.nodes if not circuit.nodes[n].gate.is_source}

    def depth(node):
        return 0 if node not in gate else 1 + max(depth(s) for s in circuit.inputs_of(node))

    def height(node):  # from the output, along gates upstream of it
        consumers = [n for n in backward if node in circuit.inputs_of(n)]
        return 0 if not consumers else 1 + max(height(n) for n in consumers)

    def group(nodes, key):
        levels = {}
        for node in nodes:
            levels.setdefault(key(node), set()).add(node)
        return [levels[k] for k in sorted(levels)]
    return group(forward, depth), group(backward, height)


def overlays(scene):
    return [item for item in scene.items() if isinstance(item, (DotTrain, Caption))
            or (isinstance(item, NumberLabel) and item.parentItem() is None
                and item.zValue() > 0.5)]


def test_stepping_visits_gates_forward_then_backward(window):
    # the CS231n neuron: w0x0, w1x1 | dot | z | ×−1 | exp | +1 | 1/x: 7 deep, 7 steps each way
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    forward, backward = expected_levels(window.document.circuit)
    assert len(forward) == len(backward) == 7
    assert forward[0] == {"w0x0", "w1x1"} and backward[-1] == {"w0x0", "w1x1"}
    assert flow.phase == IDLE
    phases, reached = [], []
    while flow.step():
        phases.append(flow.phase)
        reached.append(set(flow.visited[sum(map(len, reached)):]))
    assert reached == forward + backward
    assert phases == [FORWARD] * 7 + [BACKWARD] * 6 + [DONE]
    assert not flow.step() and flow.phase == DONE


@pytest.mark.parametrize("name", examples_that_run())
def test_a_pass_takes_as_many_steps_as_the_circuit_is_deep(window, name):
    flow = open_example(window, name)
    forward, backward = expected_levels(window.document.circuit)
    steps = 0
    while flow.step():
        steps += 1
        level = flow.levels[steps - 1]
        if steps <= len(forward):  # each gate of the level shows what it computed
            assert all(flow.caption_of(node, "forward") for node in level)
        else:  # and its chain rule, on the way back
            assert all(flow.caption_of(node, "backward") for node in level)
    assert steps == len(forward) + len(backward)
    assert [set(level) for level in flow.levels] == forward + backward


def test_a_wide_nets_first_step_moves_all_its_first_level_gates_at_once(window, qtbot):
    # 8 hidden units: the 16 products x·a_i and y·b_i are the first level, 32 wires into them
    window.document.replace_circuit(engine.hidden_layer_net(8))
    window.document.flush()
    flow = window.flow
    first, _ = expected_levels(window.document.circuit)
    assert len(first[0]) == 16
    window.findChild(QAction, "action_flow_step").trigger()
    trains = [item for item in window.scene.items() if isinstance(item, DotTrain)]
    wires = {(w.dst, w.port) for w in window.document.circuit.wires() if w.dst in first[0]}
    assert len(trains) == len(wires) == 32
    qtbot.waitUntil(lambda: all(train.lead > 0 for train in trains), timeout=5000)
    assert flow.visited == []  # all of them on their way together
    qtbot.waitUntil(lambda: not flow.timer_active, timeout=10000)
    assert set(flow.visited) == first[0] and flow.phase == FORWARD
    for dst, port in wires:
        assert flow.shown_value(dst, port) != ""
    assert all(flow.caption_of(node, "forward") for node in first[0])


class FrameClock:
    """Stands in for the controller's QElapsedTimer: every frame lasts FRAME_MS exactly."""

    def start(self):
        pass

    def restart(self):
        return FRAME_MS


def test_the_neurons_two_passes_take_about_five_seconds_at_the_default_speed(window):
    # counted in frames of the real animation (a frame clock, not the wall clock)
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    flow._clock = FrameClock()
    window.findChild(QAction, "action_flow_play").trigger()
    frames = 0
    while flow.phase != DONE:
        flow._timer.timeout.emit()
        frames += 1
        assert frames < 2000
    assert 4.0 <= frames * FRAME_MS / 1000 <= 6.0
    assert len(flow.levels) == 14


def test_numbers_appear_as_the_dots_arrive(window):
    # CS231n: x = -2, y = 5, z = -4; q = 3, f = -12; df/dq = -4, df/dz = 3, df/dx = df/dy = -4
    flow = open_example(window, "add_mul.circuit")
    stub = window.scene.output_stub()
    assert flow.shown_value("f", 0) == "3.00" and flow.shown_grad("f", 0) == "-4.00"  # idle
    flow.restart()
    assert flow.phase == FORWARD and flow.visited == []
    for dst, port in [("q", 0), ("q", 1), ("f", 0), ("f", 1)]:
        assert flow.shown_value(dst, port) == "" and flow.shown_grad(dst, port) == ""
    assert not stub.value_label.isVisible() and not stub.grad_label.isVisible()

    flow.step()  # q: x and y arrive
    assert flow.visited == ["q"]
    assert (flow.shown_value("q", 0), flow.shown_value("q", 1)) == ("-2.00", "5.00")
    assert flow.shown_value("f", 0) == ""
    assert "-2.00 + 5.00 = 3.00" in flow.caption_of("q", "forward")

    flow.step()  # f: q and z arrive; forward done, no red yet
    assert flow.shown_value("f", 0) == "3.00" and flow.shown_value("f", 1) == "-4.00"
    assert all(flow.shown_grad(d, p) == "" for d, p in [("q", 0), ("q", 1), ("f", 0), ("f", 1)])
    assert stub.value_label.isVisible() and stub.value_text() == "-12.00"
    assert not stub.grad_label.isVisible()

    flow.step()  # backward at f: 1.00 at the output, mul switches
    assert flow.phase == BACKWARD
    assert stub.grad_label.isVisible() and stub.grad_text() == "1.00"
    assert flow.shown_grad("f", 0) == "-4.00" and flow.shown_grad("f", 1) == "3.00"
    wire = window.scene.wire_item("f", 0)
    assert wire.grad_label.isVisible() and wire.grad_text() == "-4.00"
    assert flow.shown_grad("q", 0) == "" and flow.shown_grad("q", 1) == ""
    assert "mul switches" in flow.caption_of("f")
    assert "1.00 × -4.00 = -4.00 → q" in flow.caption_of("f")
    assert "1.00 × 3.00 = 3.00 → z" in flow.caption_of("f")

    flow.step()  # backward at q: add distributes -4 to x and y
    assert flow.phase == DONE
    assert flow.shown_grad("q", 0) == "-4.00" and flow.shown_grad("q", 1) == "-4.00"
    assert "add distributes" in flow.caption_of("q")
    assert flow.caption_of("q").count("-4.00 × 1.00 = -4.00") == 2


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


def test_captions_show_the_cs231n_chain_rule(window):
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    while flow.visited.count("exp") < 2:  # forward, then back to exp
        assert flow.step()
    assert flow.phase == BACKWARD
    assert "-0.53 × 0.37 = -0.20" in flow.caption_of("exp")
    assert "exp scales by its local gradient" in flow.caption_of("exp")
    assert "1.00 × -0.53 = -0.53" in flow.caption_of("f")
    assert any("-0.53 × 0.37 = -0.20" in text for text in flow.captions())
    flow.finish()
    assert "-0.20 × -1.00 = 0.20" in flow.caption_of("times_minus_1")
    assert "add distributes" in flow.caption_of("z")
    # mul switches: w0 gets x0 × 0.20 = -0.20, x0 gets w0 × 0.20 = 0.39 (0.40 on the slide)
    upstream = sigmoid(1.0) * (1 - sigmoid(1.0))
    mul = flow.caption_of("w0x0")
    assert "mul switches" in mul
    assert f"0.20 × -1.00 = {-upstream:.2f} → w0" in mul
    assert f"0.20 × 2.00 = {2 * upstream:.2f} → x0" in mul and f"{2 * upstream:.2f}" == "0.39"
    assert flow.shown_grad("w0x0", 1) == "0.39" and flow.shown_grad("w0x0", 0) == "-0.20"


def test_max_routes_and_fan_out_branches_add_up(window, tmp_path):
    # a = x*y = -0.2, b = x*z = 0.6: max routes df/dm = 1 to b, 0 to a; x gets 0 from a
    # (0 × y) and z = 0.30 from b: 0.30 + 0.00 = 0.30 at x
    flow = open_fan(window, tmp_path)
    flow.finish()
    assert "max routes: the losing input gets 0" in flow.caption_of("m")
    assert "1.00 × 0.00 = 0.00 → a" in flow.caption_of("m")
    assert flow.shown_grad("m", 0) == "0.00" and flow.shown_grad("m", 1) == "1.00"
    # each branch of x shows what came back along it; x's own total is their sum
    assert flow.shown_grad("a", 1) == "0.00" and flow.shown_grad("b", 0) == "0.30"
    assert window.scene.wire_item("b", 0).grad_text() == "0.30"  # the wire's own number
    assert flow.caption_of("x", "fan_out").endswith("0.30 + 0.00 = 0.30")
    assert window.document.result.grads["x"] == pytest.approx(0.3)
    assert flow.caption_of("y", "fan_out") == ""  # y feeds one port: nothing to add up


def test_fan_out_sum_appears_when_the_last_branch_arrives(window):
    # x*x: both ports of one gate send x back; 3 + 3 = 6
    circuit = engine.Circuit("square")
    circuit.add_node("input", "x", value=3.0, pos=(0, 0))
    circuit.add_node("mul", "f", inputs=2, pos=(180, 0))
    circuit.connect("x", "f", 0)
    circuit.connect("x", "f", 1)
    window.document.replace_circuit(circuit)
    window.document.flush()
    flow = window.flow
    flow.step()
    assert flow.caption_of("x", "fan_out") == ""
    flow.step()
    assert flow.caption_of("x", "fan_out").endswith("3.00 + 3.00 = 6.00")
    assert flow.shown_grad("f", 0) == flow.shown_grad("f", 1) == "3.00"


def test_play_runs_to_the_end_on_the_timer_and_wires_show_gradients(window, qtbot):
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    circuit, result = window.document.circuit, window.document.result
    forward, backward = expected_levels(circuit)
    window.findChild(QSlider, "flow_speed").setValue(window.findChild(QSlider,
                                                                      "flow_speed").maximum())
    steps = []  # every frame, how far each dot train moved

    def record():
        for item in window.scene.items():
            if isinstance(item, DotTrain):
                last = getattr(item, "_recorded", None)
                if last is not None:
                    steps.append((item.lead - last) / item.spacing)
                item._recorded = item.lead

    window.findChild(QAction, "action_flow_play").trigger()
    assert flow.playing and flow.timer_active
    flow._timer.timeout.connect(record)
    qtbot.waitUntil(lambda: flow.phase == DONE and not flow.timer_active, timeout=30000)
    assert [set(level) for level in flow.levels] == forward + backward
    assert flow.visited == [node for level in flow.levels for node in level]
    assert not flow.playing
    assert not [item for item in window.scene.items() if isinstance(item, DotTrain)]
    assert steps and max(steps) < 0.5  # never half its train's spacing a frame: no aliasing
    # no fan-out in this circuit: each wire's gradient is its source's df/dsrc
    wires = window.scene.wire_items()
    for one in wires:
        for other in wires:
            g1, g2 = abs(result.grads[one.src]), abs(result.grads[other.src])
            if g1 > g2 * 1.01:
                assert one.pen_width() > other.pen_width()
            elif abs(g1 - g2) < 1e-12:
                assert one.pen_width() == other.pen_width()
    assert window.scene.wire_item("w1x1", 1).pen_width() > theme.WIRE_WIDTH  # x1: -0.59


def test_toolbar_and_run_menu_actions(window, qtbot):
    flow = open_example(window, "add_mul.circuit")
    toolbar = window.findChild(QToolBar, "flow_toolbar")
    assert toolbar is not None and toolbar.findChild(QSlider, "flow_speed") is not None
    menu = window.menuBar().findChild(QMenu, "menu_run")
    names = {action.objectName() for action in menu.actions()}
    assert {"action_flow_play", "action_flow_pause", "action_flow_step",
            "action_flow_restart"} <= names
    action = {name: window.findChild(QAction, name) for name in names if name}
    assert action["action_flow_play"].isEnabled() and not action["action_flow_pause"].isEnabled()

    action["action_flow_step"].trigger()  # one level (q alone), animated, then it pauses
    assert flow.phase == FORWARD and flow.timer_active
    qtbot.waitUntil(lambda: flow.visited == ["q"] and not flow.timer_active, timeout=10000)
    assert flow.shown_value("q", 0) == "-2.00" and flow.shown_value("f", 0) == ""

    action["action_flow_play"].trigger()
    assert flow.playing and action["action_flow_pause"].isEnabled()
    assert not action["action_flow_play"].isEnabled()
    action["action_flow_pause"].trigger()
    assert not flow.playing and not flow.timer_active
    assert action["action_flow_play"].isEnabled()

    action["action_flow_restart"].trigger()
    assert flow.phase == FORWARD and flow.visited == []
    assert flow.shown_value("q", 0) == ""
    action["action_flow_finish"].trigger()
    assert flow.phase == DONE and flow.visited == ["q", "f", "f", "q"]
    assert not flow.timer_active


def test_shift_f6_skips_to_the_end_and_help_lists_it(window, qtbot):
    flow = open_example(window, "add_mul.circuit")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.hasFocus())
    qtbot.keyClick(window.view.viewport(), Qt.Key_F6)  # one level: the forward pass begins
    assert flow.phase == FORWARD
    qtbot.keyClick(window.view.viewport(), Qt.Key_F6, Qt.ShiftModifier)
    assert flow.phase == DONE and flow.visited == ["q", "f", "f", "q"]
    assert flow.shown_value("q", 0) == "-2.00"
    window.action_shortcuts.trigger()
    table = window.help_dialog.shortcuts_table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["End"] == "Shift+F6"  # the toolbar's name for Skip to the End
    window.help_dialog.close()


def test_an_edit_during_play_resets_cleanly(window, qtbot):
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    flow.play()
    qtbot.waitUntil(lambda: len(flow.visited) >= 2 and any(
        isinstance(item, DotTrain) for item in window.scene.items()), timeout=10000)
    doc = window.document
    doc.push(SetValueCommand(doc, "x0", -2.0))
    assert flow.phase == IDLE and not flow.playing and not flow.timer_active
    assert flow.visited == [] and flow.captions() == []
    assert overlays(window.scene) == []
    doc.flush()
    for wire in window.scene.wire_items():
        assert wire.value_label.isVisible() and wire.grad_label.isVisible()
        assert wire.pen_width() == theme.WIRE_WIDTH
    assert window.scene.output_stub().grad_label.isVisible()
    # the new numbers: z = 2*(-2) + 6 - 3 = -1, df/dw0 = x0 * s(-1)(1 - s(-1))
    new_grad = -2.0 * sigmoid(-1.0) * (1 - sigmoid(-1.0))
    assert window.scene.wire_item("w0x0", 0).grad_text() == f"{new_grad:.2f}"
    # wire widths after a finished run last until the circuit changes
    flow.finish()
    assert window.scene.wire_item("w0x0", 1).pen_width() != theme.WIRE_WIDTH
    doc.undo_stack.undo()
    assert flow.phase == IDLE and overlays(window.scene) == []
    assert all(w.pen_width() == theme.WIRE_WIDTH for w in window.scene.wire_items())


def test_opening_another_file_mid_run_leaves_nothing_behind(window, tmp_path):
    flow = open_fan(window, tmp_path)
    for _ in range(6):
        flow.step()
    flow.play_step()
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    assert flow.phase == IDLE and not flow.timer_active and overlays(window.scene) == []
    window.document.flush()
    while flow.step():
        pass
    assert flow.visited == ["q", "f", "f", "q"]


def test_a_circuit_that_cannot_run_is_not_animated(window):
    flow = open_example(window, "add_mul.circuit")
    doc = window.document
    doc.push(AddNodeCommand(doc, "mul", (400, 300)))
    doc.flush()
    messages = []
    flow.status_message.connect(messages.append)
    flow.play()
    assert flow.phase == IDLE and not flow.timer_active
    assert messages and "Cannot animate" in messages[-1] and "not connected" in messages[-1]


def test_dots_follow_the_size_and_sign_of_their_numbers():
    assert dot_radius(0.0) < dot_radius(0.5) < dot_radius(5.0) < dot_radius(50.0)
    assert dot_radius(1e9) == dot_radius(float("inf"))  # capped
    # bigger numbers arrive a little sooner; a wire takes the same time however long it is
    assert travel_seconds(0.0) > travel_seconds(1.0) > travel_seconds(10.0) >= 0.15
    assert dot_speed(1.0, 9000.0) / dot_speed(1.0, 100.0) == pytest.approx(90.0)
    assert travel_seconds(1.0, 2.0) == pytest.approx(travel_seconds(1.0) / 2)
    # never faster than half the spacing per frame, whatever the number, wire, factor or frame
    for speed in (10.0, 500.0, 5e4, 1e9):
        assert speed * FRAME_MS / 1000 <= STEP_FRACTION * train_spacing(speed) + 1e-9
        assert frame_step(speed, 1.0, train_spacing(speed)) < train_spacing(speed) / 2
    assert train_spacing(10.0) == DOT_SPACING and frame_step(1e9, 1.0) < DOT_SPACING / 2
    value_pos, value_neg = dot_style(2.0, backward=False), dot_style(-2.0, backward=False)
    grad_pos, grad_neg = dot_style(0.3, backward=True), dot_style(-0.3, backward=True)
    assert not value_pos[1] and value_neg[1] and not grad_pos[1] and grad_neg[1]  # hollow < 0
    assert value_pos[0].green() > value_pos[0].red()  # values green
    assert value_neg[0].red() > value_neg[0].blue()  # negative values orange
    assert grad_pos[0].red() > grad_pos[0].green() and grad_neg[0].red() > grad_neg[0].green()
    # relative to the largest gradient: the neuron's 0.20 and 0.59 differ by pixels
    assert wire_width(0.0, 0.59) == 1.2 and wire_width(0.59, 0.59) == 8.0
    assert wire_width(0.2, 0.59) + 2 < wire_width(0.59, 0.59)
    assert wire_width(0.2, 2.0) < wire_width(2.0, 2.0) == wire_width(float("inf"), 2.0)
    assert wire_width(-0.3, 0.6) == wire_width(0.3, 0.6)


def test_zoomed_in_the_view_follows_the_gate_being_worked_on(window, qtbot):
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    view = window.view
    view.set_zoom(2.0)
    view.centerOn(window.scene.gate_item("w0").sceneBoundingRect().center())

    def in_view(node_id):
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        return shown.contains(window.scene.gate_item(node_id).sceneBoundingRect())

    assert not in_view("f")
    steps = 0
    while flow.step():
        level = flow.levels[steps]
        steps += 1
        assert any(in_view(node) for node in level), level
    assert len(flow.visited) == 16  # 8 gates forward, 8 back


def focused_fit(window, qtbot):
    """A real F on the canvas: the whole circuit in view."""
    from PySide6.QtCore import Qt
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(window.view.hasFocus)
    qtbot.keyClick(window.view.viewport(), Qt.Key_F)


def shows_the_whole_circuit(view, scene) -> bool:
    """True if every gate and f's value arrow, with its numbers, are in view."""
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    stub = scene.output_stub()
    items = scene.gate_items() + [stub, stub.value_label, stub.grad_label]
    return all(shown.contains(item.sceneBoundingRect()) for item in items)


def same_place(first, second) -> bool:
    """True if two places of the view show the same (to within the pixels centerOn rounds)."""
    moved = first.centre - second.centre
    return (first.zoom == pytest.approx(second.zoom)
            and math.hypot(moved.x(), moved.y()) * first.zoom <= 2.0)


def shown_neuron(window, qtbot):
    """The window at its default size showing the lecture's neuron: (flow, view, scene)."""
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    settle()  # the docks take their sizes in the next turns of the event loop
    return flow, window.view, window.scene


def test_play_to_the_end_on_a_fitted_view_keeps_the_inputs_and_f_in_view(window, qtbot):
    flow, view, scene = shown_neuron(window, qtbot)
    focused_fit(window, qtbot)
    start = view.place()
    assert start.fitted and shows_the_whole_circuit(view, scene)
    flow.set_speed(SPEED_MAX)
    window.findChild(QAction, "action_flow_play").trigger()
    qtbot.waitUntil(lambda: flow.phase == DONE and not flow.timer_active, timeout=30000)
    # a fitted view never follows the gates: the inputs, where the last gradients arrived,
    # and f are where they were
    assert view.place() == start and shows_the_whole_circuit(view, scene)
    # the cards, enlarged to be read, are in view and cover no number, gate or other card
    from gui.canvas.obstacles import LABEL_OVERLAP_COST
    from gui.canvas.wire_item import covered_cost
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    cards = [card for card in flow.caption_items() if card.isVisible()]
    assert len(cards) == 8 and flow.hidden_captions == 0  # room for every gate's card
    for card in cards:
        assert card.scale() > 1.0 and shown.contains(card.sceneBoundingRect()), card.text()
        cost = covered_cost(scene, card.sceneBoundingRect(), (card,), visible_only=True)
        assert cost < LABEL_OVERLAP_COST, card.text()
    window.findChild(QAction, "action_flow_restart").trigger()
    assert view.place() == start


def test_end_and_restart_bring_a_zoomed_in_view_back_to_where_the_run_started(window, qtbot):
    flow, view, scene = shown_neuron(window, qtbot)
    view.set_zoom(2.0)
    view.centerOn(scene.gate_item("f").sceneBoundingRect().center())
    start = view.place()
    assert view.zoomed_in_beyond_fit() and not start.fitted
    step = window.findChild(QAction, "action_flow_step")
    step.trigger()
    qtbot.waitUntil(lambda: not flow.timer_active, timeout=10000)
    assert not same_place(view.place(), start)  # it followed the products, far left
    window.findChild(QAction, "action_flow_restart").trigger()
    assert same_place(view.place(), start)
    step.trigger()
    qtbot.waitUntil(lambda: not flow.timer_active, timeout=10000)
    assert not same_place(view.place(), start)
    window.findChild(QAction, "action_flow_finish").trigger()
    assert flow.phase == DONE and same_place(view.place(), start)


def test_the_last_step_of_the_backward_pass_keeps_a_card_whole(window):
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    while flow.step():
        pass
    assert flow.phase == DONE
    last = set(flow.levels[-1])
    assert last == {"w0x0", "w1x1"}
    cards = {key: card for key, card in flow._captions.items() if key[0] == "backward"}
    assert all(cards[("backward", node)].isVisible() for node in last)
    # the step just taken, readable in full where there is room (a card that would cover
    # numbers whole shows its equations only)
    whole = [node for node in last if cards[("backward", node)].active]
    assert whole and all("mul switches" in cards[("backward", node)].text() for node in whole)
    assert not any(card.active for key, card in cards.items() if key[1] not in last)


@pytest.mark.parametrize("name", ["sigmoid_neuron_primitive.circuit", "add_mul.circuit",
                                  "neuron.circuit"])
def test_chain_rule_cards_cover_no_number_gate_or_other_card(window, name):
    from gui.canvas.obstacles import LABEL_OVERLAP_COST
    from gui.canvas.wire_item import covered_cost
    flow = open_example(window, name)
    flow.finish()
    cards = [item for item in window.scene.items() if isinstance(item, Caption)]
    assert len(cards) >= 2  # a card per gate of the backward pass (add_mul has two)
    assert all(card.isVisible() for card in cards) and flow.hidden_captions == 0  # room for all
    for card in cards:
        cost = covered_cost(window.scene, card.sceneBoundingRect(), (card,), visible_only=True)
        assert cost < LABEL_OVERLAP_COST, card.text()


def gate_rects(scene):
    """The gates' bodies and names in the scene (what a card must not cover)."""
    return [gate.shape().translated(gate.pos()).boundingRect()
            for gate in (scene.gate_item(n) for n in scene.document.circuit.nodes)]


@pytest.mark.parametrize("units", [8, 32])
def test_after_end_on_a_big_net_no_card_covers_another_or_a_gate(window, qtbot, units):
    window.show()
    qtbot.waitExposed(window)
    window.document.replace_circuit(engine.hidden_layer_net(units))
    window.document.flush()
    QApplication.processEvents()  # as the window would: the scene indexes the new gates
    flow = window.flow
    messages = []
    flow.status_message.connect(messages.append)
    window.findChild(QAction, "action_flow_finish").trigger()
    assert flow.phase == DONE
    cards = flow.caption_items()
    shown = [card.sceneBoundingRect() for card in cards if card.isVisible()]
    assert len(cards) > len(shown) >= 8  # not all fit: those that do are shown
    assert flow.hidden_captions == len(cards) - len(shown)
    for i, rect in enumerate(shown):
        assert not any(rect.intersects(other) for other in shown[i + 1:])
    gates = gate_rects(window.scene)
    for rect in shown:
        assert not any(rect.intersects(gate) for gate in gates)
    assert f"{flow.hidden_captions} chain-rule cards are hidden" in messages[-1]

    # selecting a gate whose card is hidden shows it whole and on top (it may cover gates,
    # as a tooltip would); the others that fit keep off it and off the gates
    hidden = next(key[1] for key, card in flow._captions.items()
                  if key[0] == "backward" and not card.isVisible())
    window.scene.select_nodes([hidden])
    chosen = flow._captions[("backward", hidden)]
    assert chosen.isVisible() and chosen.active and "upstream" in chosen.text()
    shown = [card.sceneBoundingRect() for card in flow.caption_items() if card.isVisible()]
    for i, rect in enumerate(shown):
        assert not any(rect.intersects(other) for other in shown[i + 1:])
    for card in flow.caption_items():
        if card.isVisible() and card is not chosen:
            assert not any(card.sceneBoundingRect().intersects(gate) for gate in gates)
    window.scene.clearSelection()  # back as it was: the card folds or hides again
    assert not (chosen.isVisible() and chosen.active)


def test_levels_with_a_click_explain_restart_and_end_on_a_fitted_neuron(window, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetricsF
    from PySide6.QtWidgets import QWidget
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    flow = open_example(window, "sigmoid_neuron_primitive.circuit")
    view, scene = window.view, window.scene
    qtbot.keyClick(view.viewport(), Qt.Key_F)
    step = window.findChild(QAction, "action_flow_step")
    step.trigger()
    qtbot.waitUntil(lambda: not flow.timer_active, timeout=10000)
    assert set(flow.visited) == {"w0x0", "w1x1"}  # the first level, both products at once
    cards = [card for card in flow.caption_items() if card.isVisible()]
    assert len(cards) == 2
    # the cards read as big as the menu's text at the fitted zoom, like the wires' numbers
    menu = QFontMetricsF(QApplication.font()).height()
    for card in cards:  # one line each: "w0x0 = 2.00 × -1.00 = -2.00", enlarged to be read
        assert card.text().count("\n") == 0 and card.scale() > 1.0
        border = (2 * PAD_Y + 2) * card.scale()  # its padding and border, enlarged with it
        line = card.sceneBoundingRect().height() - border
        assert line * view.zoom_factor() >= menu - 1e-6
    # a real click on a gate during the run: Explain explains it, its card stays shown
    gate = scene.gate_item("w0x0")
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view.mapFromScene(gate.mapToScene(gate.body_rect().center())))
    assert scene.selected_node_ids() == ["w0x0"]
    assert "df/dw0x0" in window.findChild(QWidget, "explain_panel").text()
    assert flow._captions[("forward", "w0x0")].isVisible()
    assert flow.phase == FORWARD  # a selection is no edit: the run goes on
    window.findChild(QAction, "action_flow_restart").trigger()
    assert flow.phase == FORWARD and flow.visited == [] and flow.captions() == []
    window.findChild(QAction, "action_flow_finish").trigger()
    assert flow.phase == DONE and len(flow.visited) == 16 and flow.hidden_captions == 0


def test_dots_ride_on_their_wire_at_the_distance_they_went():
    from PySide6.QtCore import QPointF
    from gui.canvas.wire_item import wire_path
    path = wire_path(QPointF(0, 0), QPointF(400, 9000))  # a long, steep wire of a big net
    train = DotTrain(path, 1.0, backward=False, reverse=False)
    assert train.length == pytest.approx(path.length(), rel=1e-3)
    for along in (0.0, 123.0, path.length() / 2, path.length() - 1):
        train.set_lead(along)
        expected = path.pointAtPercent(path.percentAtLength(along))
        point = train.points()[0]
        assert math.hypot(point.x() - expected.x(), point.y() - expected.y()) < 1.0
    back = DotTrain(path, -1.0, backward=True, reverse=True)  # gradients run from the end
    back.set_lead(10.0)
    expected = path.pointAtPercent(path.percentAtLength(path.length() - 10.0))
    assert math.hypot(back.points()[0].x() - expected.x(),
                      back.points()[0].y() - expected.y()) < 1.0


# ------------------------------------------------------------------ vectors and matrices
def test_the_passes_on_wx_squared_caption_like_the_lecture(window, qtbot):
    flow = open_example(window, "wx_squared.circuit")
    while "q" not in flow.visited:  # forward to the matmul
        assert flow.step()
    assert flow.caption_of("q") == \
        "q = W·x = [[0.10, 0.50], [-0.30, 0.80]] · [0.20, 0.40] = [0.22, 0.26]"
    messages = []
    flow.status_message.connect(messages.append)
    while flow.visited.count("q") < 2:  # and back to it
        assert flow.step()
    assert any(m.startswith("Backward") and "df/dq = [0.44, 0.52]" in m for m in messages)
    text = flow.caption_of("q")
    assert "dW = dq·xᵀ = [0.44, 0.52]·[0.20, 0.40]ᵀ = [[0.088, 0.176], [0.104, 0.208]] → W" in text
    assert "dx = Wᵀ·dq = [[0.10, 0.50], [-0.30, 0.80]]ᵀ·[0.44, 0.52] = [-0.112, 0.636] → x" in text
    assert "matmul switches" in text
    window.findChild(QSlider, "flow_speed").setValue(SPEED_MAX)
    window.findChild(QAction, "action_flow_play").trigger()
    qtbot.waitUntil(lambda: flow.phase == DONE and not flow.timer_active, timeout=30000)
    # wires as thick as their gradients' largest element: x's 0.636 beats W's 0.208
    assert window.scene.wire_item("q", 1).pen_width() > window.scene.wire_item("q", 0).pen_width()
    assert not [item for item in window.scene.items() if isinstance(item, DotTrain)]


def test_the_11_line_net_animates_to_the_end_with_big_tensors_written_by_their_shape(window):
    flow = open_example(window, "numpy_net_11_lines.circuit")
    while "a1" not in flow.visited:
        assert flow.step()
    assert flow.caption_of("a1") == "a1 = X·syn0 = ⟨4×3⟩ · ⟨3×4⟩ = ⟨4×4⟩"
    flow.finish()
    assert flow.phase == DONE
    assert "dsyn0 = Xᵀ·da1 = ⟨4×3⟩ᵀ·⟨4×4⟩ = ⟨3×4⟩ → syn0" in flow.caption_of("a1")
    assert "dsyn1 = l1ᵀ·da2 = ⟨4×4⟩ᵀ·[" in flow.caption_of("a2")
    assert "dsq = dloss·1 = 1.00·1 = [1.00, 1.00, 1.00, 1.00]" in flow.caption_of("loss")
