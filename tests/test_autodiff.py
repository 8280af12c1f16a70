"""Forward and backward passes: batches, fan-out, deep chains, the cached plan, incomplete circuits,
and random circuits whose analytic gradients must agree with numerical differences."""

import math

import numpy as np
import pytest
import hypothesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from engine.autodiff import plan_of
from helpers import build, example


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------------------------ batches
def test_input_bound_to_40000_points_gives_arrays_of_that_shape():
    circuit = example("neuron")  # sigmoid(a*x + b*y + c), a=1, b=2, c=-3, y=3
    xs = np.linspace(-1, 1, 40_000)
    r = engine.run(circuit, {"x": xs})
    s = _sigmoid(1.0 * xs + 2.0 * 3.0 - 3.0)
    assert r.value.shape == xs.shape
    assert r.values["ax"].shape == xs.shape
    np.testing.assert_allclose(r.value, s, rtol=1e-14)
    assert r.grads["x"].shape == xs.shape
    np.testing.assert_allclose(r.grads["x"], 1.0 * s * (1 - s), rtol=1e-13)
    # a, b, c and y were not batched: their gradients are summed over the batch
    assert np.ndim(r.grads["a"]) == 0
    assert r.grads["a"] == pytest.approx(float(np.sum(xs * s * (1 - s))), rel=1e-9, abs=1e-9)
    assert r.grads["c"] == pytest.approx(float(np.sum(s * (1 - s))), rel=1e-12)


def test_grads_of_unbatched_inputs_are_the_sums_of_per_point_runs():
    circuit = example("sigmoid_neuron_primitive")
    x0s = np.array([-1.0, -0.5, 0.0, 0.25, 2.0])
    x1s = np.array([-2.0, 1.0, 0.5, -0.75, 0.1])
    batch = engine.run(circuit, {"x0": x0s, "x1": x1s})
    singles = [engine.run(circuit, {"x0": a, "x1": b}) for a, b in zip(x0s, x1s)]
    for name in ("w0", "w1", "w2"):
        assert batch.grads[name] == pytest.approx(sum(r.grads[name] for r in singles), rel=1e-13)
    for name in ("x0", "x1", "f", "exp"):
        np.testing.assert_allclose(batch.grads[name], [r.grads[name] for r in singles],
                                   rtol=1e-13)
    np.testing.assert_allclose(batch.value, [r.value for r in singles], rtol=1e-14)


def test_backward_seeded_with_upstream_gradients_weights_each_point():
    # (x + y) * z with z batched: df/dx per point is z; seeded with u per point, x's summed
    # gradient is sum(u * z) and z's is u * (x + y) (what training's dL/dscore seed needs)
    circuit = example("add_mul")
    plan = plan_of(circuit)
    zs = np.array([-4.0, 1.0, 2.5])
    up = np.array([0.5, -2.0, 3.0])
    values = plan.forward({"x": -2.0, "y": 5.0, "z": zs})
    grads = dict(zip(plan.order, plan.backward(values, seed=up)))
    assert grads["x"] == pytest.approx(float(np.sum(up * zs)), rel=1e-15)
    np.testing.assert_allclose(grads["z"], up * 3.0, rtol=1e-15)
    scalar = dict(zip(plan.order, plan.backward(plan.forward(), seed=2.0)))
    assert (scalar["x"], scalar["y"], scalar["z"]) == (-8.0, -8.0, 6.0)


def test_batched_input_that_does_not_reach_the_output_gets_zero_gradients_like_its_batch():
    circuit = build({"x": ("input", 2.0), "y": ("input", 3.0), "f": "neg", "g": "exp"},
                    {"f": ["x"], "g": ["y"]}, output="f")
    ys = np.arange(4.0)
    r = engine.run(circuit, {"y": ys})
    assert r.value == -2.0
    np.testing.assert_array_equal(r.grads["y"], np.zeros(4))
    np.testing.assert_array_equal(r.grads["g"], np.zeros(4))
    np.testing.assert_allclose(r.values["g"], np.exp(ys), rtol=1e-15)


def test_batched_run_of_an_incomplete_circuit_gives_nan_values_and_zero_gradients():
    circuit = build({"x": ("input", 1.0), "q": "add", "f": "exp"}, {"q": ["x"], "f": ["q"]})
    xs = np.linspace(-1, 1, 5)
    r = engine.run(circuit, {"x": xs}, allow_incomplete=True)
    assert r.incomplete == {"q", "f"}
    assert math.isnan(r.value)
    np.testing.assert_array_equal(r.values["x"], xs)
    np.testing.assert_array_equal(r.grads["x"], np.zeros(5))


def test_batched_values_are_not_kept_in_the_circuit():
    circuit = example("add_mul")
    engine.run(circuit, {"x": np.arange(3.0)})
    assert circuit.node("x").value == -2.0
    assert engine.run(circuit).value == -12


# ------------------------------------------------------------------ fan-out
def test_x_times_x_gives_gradient_2x():
    circuit = build({"x": ("input", 3.0), "f": "mul"}, {"f": ["x", "x"]})
    r = engine.run(circuit)
    assert (r.value, r.grads["x"]) == (9.0, 6.0)


def test_x_feeding_three_gates_adds_the_gradients_of_all_branches():
    # f = 3x + exp(x) + x^2, so df/dx = 3 + exp(x) + 2x
    circuit = build({"x": ("input", 0.5), "three_x": ("scale", {"params": {"c": 3.0}}),
                     "ex": "exp", "sq": ("pow", {"params": {"p": 2.0}}), "f": "add"},
                    {"three_x": ["x"], "ex": ["x"], "sq": ["x"], "f": ["three_x", "ex", "sq"]})
    r = engine.run(circuit)
    assert r.value == pytest.approx(1.5 + math.exp(0.5) + 0.25, rel=1e-15)
    assert r.grads["x"] == pytest.approx(3.0 + math.exp(0.5) + 2 * 0.5, rel=1e-15)


def test_diamond_fan_out_and_fan_in():
    # q = x + y; f = q * q * q  (one mul gate, three ports from q): df/dx = 3 q^2
    circuit = build({"x": ("input", 1.0), "y": ("input", 1.5), "q": "add", "f": "mul"},
                    {"q": ["x", "y"], "f": ["q", "q", "q"]})
    r = engine.run(circuit)
    assert r.value == pytest.approx(2.5 ** 3)
    assert r.grads["x"] == r.grads["y"] == pytest.approx(3 * 2.5 ** 2, rel=1e-15)


def test_nodes_that_do_not_reach_the_output_get_gradient_zero():
    circuit = build({"x": ("input", 2.0), "y": ("input", 3.0), "f": "neg", "g": "exp"},
                    {"f": ["x"], "g": ["y"]}, output="f")
    r = engine.run(circuit)
    assert (r.grads["x"], r.grads["y"], r.grads["g"]) == (-1.0, 0.0, 0.0)
    assert r.values["g"] == pytest.approx(math.exp(3.0))


# ------------------------------------------------------------------ deep chains
def test_a_5000_deep_chain_runs_without_recursion_error():
    circuit = engine.Circuit()
    circuit.add_node("input", "x", value=0.0)
    previous = "x"
    for i in range(5000):
        node_id = f"g{i}"
        circuit.add_node("offset", node_id, params={"c": 1.0})
        circuit.connect(previous, node_id, 0)
        previous = node_id
    r = engine.run(circuit)
    assert r.output == previous
    assert r.value == 5000.0
    assert r.grads["x"] == 1.0
    assert r.order[0] == "x" and r.order[-1] == previous


def test_a_5000_deep_chain_of_tanh_multiplies_the_local_gradients():
    circuit = engine.Circuit()
    circuit.add_node("input", "x", value=0.1)
    previous, value, grad = "x", 0.1, 1.0
    for i in range(5000):
        circuit.add_node("tanh", f"t{i}")
        circuit.connect(previous, f"t{i}", 0)
        previous = f"t{i}"
        value = math.tanh(value)
        grad *= 1 - value ** 2
    r = engine.run(circuit)
    assert r.value == pytest.approx(value, rel=1e-12)
    assert r.grads["x"] == pytest.approx(grad, rel=1e-10)


# ------------------------------------------------------------------ the cached plan
def test_plan_is_reused_while_the_structure_is_unchanged():
    circuit = example("add_mul")
    plan = plan_of(circuit)
    engine.run(circuit)
    assert plan_of(circuit) is plan
    circuit.set_value("z", 2.0)  # a value change keeps the plan ...
    circuit.move("z", (10, 10))
    assert plan_of(circuit) is plan
    assert engine.run(circuit).value == 3 * 2.0  # ... and the next run sees the new value
    circuit.add_node("exp", "e")  # a structural change rebuilds it
    rebuilt = plan_of(circuit)
    assert rebuilt is not plan
    assert plan_of(circuit) is rebuilt


def test_plan_is_rebuilt_after_a_rewire_and_the_run_follows_it():
    circuit = example("add_mul")
    plan = plan_of(circuit)
    circuit.connect("x", "f", 1, replace_existing=True)  # f = (x + y) * x
    assert plan_of(circuit) is not plan
    r = engine.run(circuit)
    assert r.value == (-2 + 5) * -2
    assert r.grads["x"] == -2 + (-2 + 5)  # d/dx (x^2 + xy) = 2x + y
    assert r.grads["z"] == 0.0


def test_param_change_is_seen_without_rebuilding_the_plan():
    circuit = build({"x": ("input", 2.0), "f": ("scale", {"params": {"c": 3.0}})}, {"f": ["x"]})
    plan = plan_of(circuit)
    assert engine.run(circuit).value == 6.0
    circuit.set_param("f", "c", -1.0)
    assert plan_of(circuit) is plan
    r = engine.run(circuit)
    assert (r.value, r.grads["x"]) == (-2.0, -1.0)


# ------------------------------------------------------------------ incomplete circuits
def test_incomplete_circuit_refuses_to_run_and_names_the_open_port():
    circuit = build({"x": ("input", 1.0), "q": "add", "f": "exp"}, {"q": ["x"], "f": ["q"]})
    with pytest.raises(engine.CircuitError, match=r"q \(add\) port 1 is not connected"):
        engine.run(circuit)


def test_allow_incomplete_gives_nan_values_and_lists_incomplete_nodes():
    circuit = build({"x": ("input", 1.0), "y": ("input", 2.0), "q": "add", "f": "exp",
                     "g": "neg"}, {"q": ["x"], "f": ["q"], "g": ["y"]}, output="f")
    r = engine.run(circuit, allow_incomplete=True)
    assert r.incomplete == {"q", "f"}
    assert math.isnan(r.values["q"]) and math.isnan(r.values["f"]) and math.isnan(r.value)
    assert r.values["x"] == 1.0 and r.values["g"] == -2.0
    assert r.problems == ["q (add) port 1 is not connected"]
    assert r.no_gradient_reason == ("No gradient: the output f cannot be computed (an input "
                                    "port upstream is not connected).")
    assert engine.run(build({"a": ("input", 1.0), "f": "exp"}, {"f": ["a"]})) \
        .no_gradient_reason == ""
    # a gate whose id is its op is named once: "mul port 1", not "mul (mul) port 1"
    lone = build({"a": ("input", 1.0), "mul": "mul"}, {"mul": ["a"]})
    assert engine.run(lone, allow_incomplete=True).problems == ["mul port 1 is not connected"]
    assert r.grads["x"] == 0.0


def test_allow_incomplete_without_an_output_still_computes_values():
    circuit = build({"x": ("input", 1.0), "f": "exp", "g": "neg"}, {"f": ["x"], "g": ["x"]})
    r = engine.run(circuit, allow_incomplete=True)
    assert r.output is None and r.value is None
    assert r.values["f"] == pytest.approx(math.e) and r.values["g"] == -1.0
    assert any("no output" in problem for problem in r.problems)


# ------------------------------------------------------------------ random circuits
SMOOTH = ["add", "mul", "sub", "neg", "scale", "offset", "tanh", "sigmoid", "exp"]


@st.composite
def smooth_circuits(draw):
    """A random DAG of smooth gates over 1-4 inputs in [-1, 1], with its output the last gate."""
    circuit = engine.Circuit()
    n_inputs = draw(st.integers(1, 4))
    for i in range(n_inputs):
        circuit.add_node("input", f"x{i}", value=draw(st.floats(-1, 1)))
    for i in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(SMOOTH))
        gate = engine.GATES[op]
        ports = draw(st.integers(2, 3)) if gate.variadic else gate.min_ports
        params = {name: draw(st.floats(-2, 2)) for name in gate.params}
        node_id = f"g{i}"
        circuit.add_node(op, node_id, params=params, inputs=ports if gate.variadic else None)
        existing = list(circuit.nodes)[:-1]
        for port in range(ports):
            circuit.connect(draw(st.sampled_from(existing)), node_id, port)
    circuit.set_output(node_id)
    return circuit


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(smooth_circuits())
def test_analytic_gradients_agree_with_centred_numerical_differences(circuit):
    result = engine.run(circuit)
    assume(all(abs(v) < 50 for v in result.values.values()))
    h = 1e-6
    for node_id in circuit.movable_inputs():
        x = circuit.node(node_id).value
        up = engine.run(circuit, {node_id: x + h}).value
        down = engine.run(circuit, {node_id: x - h}).value
        numerical = (up - down) / (2 * h)
        assert result.grads[node_id] == pytest.approx(numerical, rel=1e-4, abs=1e-6), node_id


def same_bits(a, b) -> bool:
    """The same float, the sign of a zero included (nan is nan)."""
    a, b = float(a), float(b)
    return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (a != a and b != b)


# Python's maths library (the fast path's) and numpy's differ in the last bit of some of
# these gates' numbers
MATHS_LIBRARY_OPS = {"exp", "log", "tanh", "sigmoid"}


def x_minus_tanh_x():
    """x - tanh(x) at x = 0.125: 0.00065, the difference of two numbers near 0.12, so the one
    ulp by which Python's tanh and numpy's differ there is 2e-14 of the result."""
    return build({"x0": ("input", 0.125), "g3": "tanh", "g5": "sub"},
                 {"g3": ["x0"], "g5": ["x0", "g3"]}, output="g5")


def tanh_of_exp():
    """tanh(e^x) at x = 1: its gradient (1 - t²)·e^x takes 1 - t² at t = 0.991, where an ulp
    of t is 1.3e-14 of the result."""
    return build({"x0": ("input", 1.0), "g1": "exp", "g3": "tanh"},
                 {"g1": ["x0"], "g3": ["g1"]}, output="g3")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(smooth_circuits())
@hypothesis.example(x_minus_tanh_x())
@hypothesis.example(tanh_of_exp())
def test_a_batch_of_one_point_gives_the_scalar_run(circuit):
    """A batch of one point runs the numpy passes on arrays of one number: bit for bit the
    numbers of the single-number run's numpy passes, the same arithmetic in the same order.
    engine.run takes the scalar fast path for single numbers: bit for bit the same where no
    gate calls a maths-library function; exp, tanh and sigmoid come from Python's library
    there, which differs from numpy's in the last bit of some numbers, and no tolerance holds
    that for every circuit: a subtraction of near-equal numbers (x - tanh x, tanh's own
    1 - t²) makes one ulp of its operands any number of ulps of its result (the examples).
    tests/test_fast_path.py holds the two libraries to each other."""
    batch = engine.run(circuit, {node_id: np.array([circuit.node(node_id).value])
                                 for node_id in circuit.movable_inputs()})
    plan = plan_of(circuit)
    values = plan.reference_forward()
    grads = plan.reference_backward(values)
    point = {which: {node_id: np.ravel(number)[0] for node_id, number in numbers.items()}
             for which, numbers in (("values", batch.values), ("grads", batch.grads))}
    for node_id, value, grad in zip(plan.order, values, grads):
        assert np.shape(batch.values[node_id]) == (1,), node_id
        assert same_bits(point["values"][node_id], value), node_id
        assert same_bits(point["grads"][node_id], grad), node_id
    if MATHS_LIBRARY_OPS.isdisjoint(node.op for node in circuit.nodes.values()):
        scalar = engine.run(circuit)
        for node_id in circuit.nodes:
            assert same_bits(point["values"][node_id], scalar.values[node_id]), node_id
            assert same_bits(point["grads"][node_id], scalar.grads[node_id]), node_id

