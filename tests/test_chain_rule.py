"""The chain rule gate by gate, with the seeds' numbers: the CS231n neuron backpropagated one
gate at a time (1/x: 1.00 × -0.53 = -0.53, exp: -0.53 × 0.37 = -0.20, *-1: -0.20 × -1 = 0.20,
add distributes 0.20, mul switches: w0 gets -0.20 and x0 0.39), max routes, and fan-out sums."""

import math

import numpy as np
import pytest

import engine
from engine.chain_rule import (backward_schedule, branch_gradients, fan_out_sum, format_short,
                               forward_caption, forward_schedule, gate_chain_rule)
from tests.helpers import EXAMPLES, build


@pytest.fixture
def neuron():
    circuit = engine.load(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    return circuit, engine.run(circuit)


def sigmoid(t):
    return 1.0 / (1.0 + math.exp(-t))


def test_forward_schedule_is_topological_order_of_the_gates(neuron):
    circuit, _ = neuron
    gates = [n for n in engine.topological_order(circuit) if not circuit.nodes[n].gate.is_source]
    steps = forward_schedule(circuit)
    assert [s.node_id for s in steps] == gates
    # every step brings the wires into its gate, in port order
    for step in steps:
        assert [(w.src, w.port) for w in step.wires] == [
            (src, port) for port, src in enumerate(circuit.inputs_of(step.node_id))]
    seen = set(n for n in circuit.nodes if circuit.nodes[n].gate.is_source)
    for step in steps:
        assert all(w.src in seen for w in step.wires)  # values arrive only from computed nodes
        seen.add(step.node_id)


def test_backward_schedule_is_the_reverse_starting_at_the_output(neuron):
    circuit, _ = neuron
    steps = backward_schedule(circuit)
    assert steps[0].node_id == "f"
    assert [s.node_id for s in steps] == [s.node_id for s in reversed(forward_schedule(circuit))]


def test_backward_schedule_skips_gates_that_do_not_reach_the_output():
    circuit = build({"x": ("input", 2.0), "y": ("input", 3.0), "f": "mul", "side": "exp"},
                    {"f": ["x", "y"], "side": ["x"]}, output="f")
    assert sorted(s.node_id for s in forward_schedule(circuit)) == ["f", "side"]
    assert [s.node_id for s in backward_schedule(circuit)] == ["f"]


def test_cs231n_neuron_one_gate_at_a_time(neuron):
    circuit, result = neuron
    # the 1/x gate at the end: df/df = 1, local -1/1.37^2 = -0.53
    recip = gate_chain_rule(circuit, result, "f")
    assert recip.upstream == 1.0
    (port,) = recip.ports
    assert port.source == "plus_1"
    assert port.local == pytest.approx(-1 / (1 + math.e ** -1) ** 2)
    assert format_short(port.local) == "-0.53" and format_short(port.sent) == "-0.53"
    assert recip.captions() == ["1.00 × -0.53 = -0.53"]
    # +1 passes it on, exp scales by e^-1 = 0.37, *-1 flips it
    assert gate_chain_rule(circuit, result, "plus_1").captions() == ["-0.53 × 1.00 = -0.53"]
    exp = gate_chain_rule(circuit, result, "exp")
    assert exp.captions() == ["-0.53 × 0.37 = -0.20"]
    assert exp.ports[0].local == pytest.approx(math.exp(-1))
    assert exp.pattern == "scales"
    assert gate_chain_rule(circuit, result, "times_minus_1").captions() == [
        "-0.20 × -1.00 = 0.20"]
    # the two adds distribute 0.20 to both inputs
    for add in ("z", "dot"):
        rule = gate_chain_rule(circuit, result, add)
        assert rule.pattern == "distributes"
        assert "add distributes" in rule.pattern_text
        assert [format_short(p.sent) for p in rule.ports] == ["0.20", "0.20"]
        assert all(p.sent == rule.upstream for p in rule.ports)
    # mul switches: w0 gets x0 × 0.20 = -0.20, x0 gets w0 × 0.20 = 0.39 (0.40 on the slide)
    mul = gate_chain_rule(circuit, result, "w0x0")
    assert mul.pattern == "switches" and "mul switches" in mul.pattern_text
    w0, x0 = mul.ports
    upstream = sigmoid(1.0) * (1 - sigmoid(1.0))
    assert (w0.source, x0.source) == ("w0", "x0")
    assert w0.local == -1.0 and x0.local == 2.0  # each port's local gradient: the other value
    assert w0.sent == pytest.approx(-1.0 * upstream) and x0.sent == pytest.approx(2.0 * upstream)
    assert mul.captions() == ["0.20 × -1.00 = -0.20", "0.20 × 2.00 = 0.39"]
    # what each gate sends is the engine's gradient of its input
    for step in backward_schedule(circuit):
        for port in gate_chain_rule(circuit, result, step.node_id).ports:
            if len(circuit.consumers_of(port.source)) == 1:
                assert port.sent == pytest.approx(result.grads[port.source])


def test_max_routes_the_whole_gradient_to_the_winner():
    # f = max(x, y) * z with x = 3 > y = 1: x gets z's value, y gets 0
    circuit = build({"x": ("input", 3.0), "y": ("input", 1.0), "z": ("input", -2.0),
                     "m": "max", "f": "mul"}, {"m": ["x", "y"], "f": ["m", "z"]})
    result = engine.run(circuit)
    rule = gate_chain_rule(circuit, result, "m")
    assert rule.pattern == "routes"
    assert rule.pattern_text == "max routes: the losing input gets 0"
    assert rule.upstream == -2.0
    assert [p.local for p in rule.ports] == [1.0, 0.0]
    assert [p.sent for p in rule.ports] == [-2.0, 0.0]
    assert rule.captions() == ["-2.00 × 1.00 = -2.00", "-2.00 × 0.00 = 0.00"]
    assert "min routes" in gate_chain_rule(
        build({"a": ("input", 1.0), "b": ("input", 2.0), "m": "min"}, {"m": ["a", "b"]}),
        engine.run(build({"a": ("input", 1.0), "b": ("input", 2.0), "m": "min"},
                         {"m": ["a", "b"]})), "m").pattern_text


def test_mul_of_three_switches_with_the_product_of_the_others():
    circuit = build({"a": ("input", 2.0), "b": ("input", 3.0), "c": ("input", 5.0), "f": "mul"},
                    {"f": ["a", "b", "c"]})
    rule = gate_chain_rule(circuit, engine.run(circuit), "f")
    assert [p.local for p in rule.ports] == [15.0, 10.0, 6.0]
    assert "product of the others" in rule.pattern_text


def test_fan_out_x_times_x_adds_both_branches():
    # f = x * x at x = 3: each port sends 3, they add up to df/dx = 2x = 6
    circuit = build({"x": ("input", 3.0), "f": "mul"}, {"f": ["x", "x"]})
    result = engine.run(circuit)
    fan = fan_out_sum(circuit, result, "x")
    assert fan.fans_out
    assert [(b.dst, b.port, b.grad) for b in fan.branches] == [("f", 0, 3.0), ("f", 1, 3.0)]
    assert fan.total == result.grads["x"] == 6.0
    assert fan.caption() == "3.00 + 3.00 = 6.00"


def test_fan_out_into_two_gates_shows_negative_branches():
    # f = x*y + x*z at x = 2, y = -0.1, z = 0.3: branches -0.10 and 0.30 add up to 0.20
    circuit = build({"x": ("input", 2.0), "y": ("input", -0.1), "z": ("input", 0.3),
                     "a": "mul", "b": "mul", "f": "add"},
                    {"a": ["x", "y"], "b": ["x", "z"], "f": ["a", "b"]})
    result = engine.run(circuit)
    fan = fan_out_sum(circuit, result, "x")
    assert sorted(b.dst for b in fan.branches) == ["a", "b"]
    assert fan.total == pytest.approx(result.grads["x"]) and fan.total == pytest.approx(0.2)
    assert fan.caption() in ("-0.10 + 0.30 = 0.20", "0.30 - 0.10 = 0.20")
    single = fan_out_sum(circuit, result, "y")
    assert not single.fans_out and single.total == pytest.approx(result.grads["y"])


def test_fan_out_ignores_consumers_that_do_not_reach_the_output():
    circuit = build({"x": ("input", 2.0), "f": "exp", "side": "neg"},
                    {"f": ["x"], "side": ["x"]}, output="f")
    result = engine.run(circuit)
    fan = fan_out_sum(circuit, result, "x")
    assert [b.dst for b in fan.branches] == ["f"] and not fan.fans_out
    assert fan.total == pytest.approx(math.exp(2.0)) == result.grads["x"]
    assert fan_out_sum(circuit, result, "f").seed == 1.0


def test_forward_captions_show_what_each_gate_computes(neuron):
    circuit, result = neuron
    assert forward_caption(circuit, result, "w0x0") == "2.00 × -1.00 = -2.00"
    assert forward_caption(circuit, result, "z") == "4.00 - 3.00 = 1.00"
    assert forward_caption(circuit, result, "exp") == "exp(-1.00) = 0.37"
    assert forward_caption(circuit, result, "plus_1") == "0.37 + 1.00 = 1.37"
    assert forward_caption(circuit, result, "f") == "1 / 1.37 = 0.73"


def test_sources_have_no_chain_rule_and_formatter_is_pluggable(neuron):
    circuit, result = neuron
    with pytest.raises(engine.CircuitError):
        gate_chain_rule(circuit, result, "w0")
    rule = gate_chain_rule(circuit, result, "exp")
    assert rule.captions(lambda x: f"{x:.3f}") == ["-0.534 × 0.368 = -0.197"]


def test_non_finite_numbers_do_not_warn():
    circuit = build({"x": ("input", 0.0), "f": "recip"}, {"f": ["x"]})
    result = engine.run(circuit)
    rule = gate_chain_rule(circuit, result, "f")
    assert rule.captions() == ["1.00 × -inf = -inf"]
    assert format_short(np.float64("nan")) == "nan"
    assert format_short(np.ones(3)) == "[1.00, 1.00, 1.00]" and format_short(np.ones(5)) == "⟨5⟩"


def test_each_branch_of_a_fan_out_carries_its_own_share_and_the_shares_add_up():
    # f = (x + z) * z at x = -2, z = -4: q = -6, f = 24; z reaches f along two branches
    circuit = build({"x": ("input", -2.0), "z": ("input", -4.0), "q": "add", "f": "mul"},
                    {"q": ["x", "z"], "f": ["q", "z"]})
    result = engine.run(circuit)
    branches = branch_gradients(circuit, result)
    assert branches[("q", 1)] == -4.0  # add distributes df/dq = z = -4
    assert branches[("f", 1)] == -6.0  # mul switches: the other input, q = -6
    assert result.grads["z"] == -10.0 == branches[("q", 1)] + branches[("f", 1)]
    # x and q feed one port each: their wires carry their whole gradient, not listed
    assert ("q", 0) not in branches and ("f", 0) not in branches


def test_a_branch_that_does_not_reach_the_output_carries_nothing_back():
    # the output f also feeds g, which feeds nothing that matters: that wire carries 0
    circuit = build({"a": ("input", 3.0), "f": "neg", "g": "exp"}, {"f": ["a"], "g": ["f"]},
                    output="f")
    result = engine.run(circuit)
    assert branch_gradients(circuit, result) == {("g", 0): 0.0}
    assert result.grads["f"] == 1.0


def test_patterns_name_gates_by_what_is_drawn_on_them(neuron):
    circuit, result = neuron
    text = {node_id: gate_chain_rule(circuit, result, node_id).pattern_text
            for node_id in ("f", "plus_1", "times_minus_1", "exp", "dot")}
    assert text["f"] == "1/x scales by its local gradient −1 / a²"
    assert text["plus_1"] == "+1 passes the gradient through (local gradient 1)"
    assert text["times_minus_1"] == "×−1 scales by its local gradient c = -1"
    assert text["exp"].startswith("exp scales by its local gradient e^a")
    assert text["dot"] == "add distributes: every input gets the upstream gradient"


def test_a_dead_branch_carries_0_even_where_its_local_gradient_is_infinite():
    # a = 0 feeds the output f = exp(a) and g = 1/a, which reaches nothing: -1/a^2 is -inf
    # there, but nothing comes back along that wire (0 x -inf would be nan)
    circuit = build({"a": ("input", 0.0), "f": "exp", "g": "recip"},
                    {"f": ["a"], "g": ["a"]}, output="f")
    result = engine.run(circuit)
    assert branch_gradients(circuit, result) == {("f", 0): 1.0, ("g", 0): 0.0}
    assert result.grads["a"] == 1.0
    assert fan_out_sum(circuit, result, "a").caption() == "1.00 = 1.00"


# ------------------------------------------------------------------ vectors and matrices
@pytest.fixture
def wx():
    circuit = engine.load(EXAMPLES / "wx_squared.circuit")
    return circuit, engine.run(circuit)


def test_a_tensor_gates_forward_caption_reads_like_the_lecture_with_its_small_numbers(wx):
    circuit, result = wx
    assert forward_caption(circuit, result, "q") == \
        "W·x = [[0.10, 0.50], [-0.30, 0.80]] · [0.20, 0.40] = [0.22, 0.26]"
    assert forward_caption(circuit, result, "sq") == "q ^ 2 = [0.22, 0.26] ^ 2 = [0.05, 0.07]"
    assert forward_caption(circuit, result, "f") == "sum(sq) = sum([0.05, 0.07]) = 0.116"


def test_matmuls_backward_caption_is_dw_dq_xt_and_dx_wt_dq(wx):
    circuit, result = wx
    rule = gate_chain_rule(circuit, result, "q")
    w, x = rule.ports
    assert (w.formula, x.formula) == ("dW = dq·xᵀ", "dx = Wᵀ·dq")
    assert w.local is None and x.local is None  # a Jacobian: never formed
    assert np.allclose(w.sent, [[0.088, 0.176], [0.104, 0.208]])  # FORMAT.md 5
    assert np.allclose(x.sent, [-0.112, 0.636])
    assert rule.captions() == [
        "dW = dq·xᵀ = [0.44, 0.52]·[0.20, 0.40]ᵀ = [[0.088, 0.176], [0.104, 0.208]]",
        "dx = Wᵀ·dq = [[0.10, 0.50], [-0.30, 0.80]]ᵀ·[0.44, 0.52] = [-0.112, 0.636]"]
    assert rule.pattern == "switches"
    # every digit with another number format (the animation passes the canvas's)
    assert rule.ports[1].caption(lambda v: f"{v:.3f}").endswith("= [-0.112, 0.636]")


def test_element_by_element_gates_on_tensors_multiply_by_their_local_gradient_per_element(wx):
    circuit, result = wx
    (port,) = gate_chain_rule(circuit, result, "sq").ports
    assert np.allclose(port.local, [0.44, 0.52])  # 2q, one number per element
    assert port.caption() == "dq = dsq ⊙ local = [1.00, 1.00] ⊙ [0.44, 0.52] = [0.44, 0.52]"
    (spread,) = gate_chain_rule(circuit, result, "f").ports
    assert spread.caption() == "dsq = df·1 = 1.00·1 = [1.00, 1.00]"


def test_big_tensors_are_written_by_their_shape_and_a_number_broadcast_is_summed_back():
    circuit = build({"W": ("input", np.ones((3, 4)).tolist()), "k": ("input", 2.0),
                     "m": "mul", "f": "sum"}, {"m": ["W", "k"], "f": ["m"]})
    result = engine.run(circuit)
    assert forward_caption(circuit, result, "m") == "W × k = ⟨3×4⟩ × 2.00 = ⟨3×4⟩"
    w, k = gate_chain_rule(circuit, result, "m").ports
    assert k.sent == 12.0  # the number was broadcast over 12 elements: their gradients add up
    assert w.caption() == "dW = dm ⊙ local = ⟨3×4⟩ ⊙ ⟨3×4⟩ = ⟨3×4⟩"
    assert fan_out_sum(circuit, result, "k").total == 12.0


def test_fan_out_of_a_tensor_adds_the_branches_up():
    circuit = build({"x": ("input", [1.0, 2.0]), "a": "add", "f": "sum"},
                    {"a": ["x", "x"], "f": ["a"]})
    result = engine.run(circuit)
    fan = fan_out_sum(circuit, result, "x")
    assert fan.fans_out and np.array_equal(fan.total, [2.0, 2.0])
    assert fan.caption() == "[1.00, 1.00] + [1.00, 1.00] = [2.00, 2.00]"
    assert np.array_equal(branch_gradients(circuit, result)[("a", 1)], [1.0, 1.0])


def test_a_broadcast_numbers_caption_adds_up_its_elements():
    # m = k · v with a number k and a vector v: dk = Σ(dm ⊙ v)
    circuit = build({"k": ("input", 2.0), "v": ("const", [1.0, 2.0, 3.0]), "m": "mul",
                     "f": "sum"}, {"m": ["k", "v"], "f": ["m"]})
    result = engine.run(circuit)
    rule = engine.gate_chain_rule(circuit, result, "m").ports[0]
    assert rule.caption(engine.format_number) == \
        "dk = Σ(dm ⊙ local) = Σ([1.00, 1.00, 1.00] ⊙ [1.00, 2.00, 3.00]) = 6.00"
