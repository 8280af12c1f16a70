"""Gradient ascent on the inputs, checked against the hacker's guide's own numbers."""

import math

import numpy as np
import pytest

import engine
from engine import Ascent, AscentResult, Circuit, CircuitError, ascend
from helpers import EXAMPLES


def guide_custom_gate(x=3.0, y=4.0):
    """The guide's forwardCustomGate 100 - (x - y)^2, from gates: sub, pow 2, *-1, +100."""
    circuit = Circuit()
    circuit.add_node("input", "x", value=x)
    circuit.add_node("input", "y", value=y)
    circuit.add_node("sub", "d")
    circuit.add_node("pow", "sq", params={"p": 2.0})
    circuit.add_node("scale", "neg", params={"c": -1.0})
    circuit.add_node("offset", "f", params={"c": 100.0})
    circuit.connect("x", "d", 0)
    circuit.connect("y", "d", 1)
    circuit.connect("d", "sq", 0)
    circuit.connect("sq", "neg", 0)
    circuit.connect("neg", "f", 0)
    return circuit


def multiply_gate(x=-2.0, y=3.0):
    """The guide's forwardMultiplyGate."""
    circuit = Circuit()
    circuit.add_node("input", "x", value=x)
    circuit.add_node("input", "y", value=y)
    circuit.add_node("mul", "f")
    circuit.connect("x", "f", 0)
    circuit.connect("y", "f", 1)
    return circuit


NEURON = {"a": 1.0, "b": 2.0, "c": -3.0, "x": -1.0, "y": 3.0}


def neuron():
    """Karpathy's single neuron f = sigmoid(a*x + b*y + c)."""
    circuit = Circuit()
    for name, value in NEURON.items():
        circuit.add_node("input", name, value=value)
    circuit.add_node("mul", "ax")
    circuit.add_node("mul", "by")
    circuit.add_node("add", "s", inputs=3)
    circuit.add_node("sigmoid", "f")
    circuit.connect("a", "ax", 0)
    circuit.connect("x", "ax", 1)
    circuit.connect("b", "by", 0)
    circuit.connect("y", "by", 1)
    circuit.connect("ax", "s", 0)
    circuit.connect("by", "s", 1)
    circuit.connect("c", "s", 2)
    circuit.connect("s", "f", 0)
    return circuit


def sigma(v):
    return 1.0 / (1.0 + math.exp(-v))


# ------------------------------------------------------------------ the multiply gate
def test_multiply_gate_step_follows_the_gradient_and_increases_f():
    stepper = Ascent(multiply_gate(), step_size=0.01)
    assert stepper.history == [-6.0]
    new = stepper.step()
    # x moves by 0.01 * y = 0.03, y by 0.01 * x = -0.02
    assert stepper.last_moves["x"] == pytest.approx(0.03, rel=1e-12)
    assert stepper.last_moves["y"] == pytest.approx(-0.02, rel=1e-12)
    assert new == pytest.approx((-2.0 + 0.03) * (3.0 - 0.02), rel=1e-12)
    assert new > -6.0


# ------------------------------------------------------------------ the guide's custom gate
def test_custom_gate_is_99_at_3_4_and_one_numerical_step_gives_the_guides_number():
    stepper = Ascent(guide_custom_gate(), method="numerical", step_size=0.001)
    assert stepper.value == 99.0
    assert stepper.step() == pytest.approx(99.00798399999998, rel=1e-9)


def test_numerical_optimisation_ends_where_the_guide_ends():
    # optimizeBinaryFunction(3, 4, forwardCustomGate, step_size=0.001) with tol 0.000005
    # returns [previous_val, new x, new y]
    result = ascend(guide_custom_gate(), method="numerical", step_size=0.001, tol=0.000005,
                    steps=10_000)
    assert isinstance(result, AscentResult)
    assert result.stopped == "converged"
    assert result.history[-2] == pytest.approx(99.99937812746526, abs=1e-6)
    assert result.values["x"] == pytest.approx(3.487488988616036, abs=1e-6)
    assert result.values["y"] == pytest.approx(3.512326611377091, abs=1e-6)
    assert result.history[-1] - result.history[-2] < 0.000005
    assert all(b - a >= 0.000005 for a, b in zip(result.history[:-2], result.history[1:-1]))
    assert len(result.history) == result.steps + 1
    assert result.output == "f"


def test_analytic_ascent_brings_x_and_y_together_at_3_5():
    result = ascend(guide_custom_gate(), step_size=0.01, steps=2000)
    assert result.stopped == "steps" and result.steps == 2000
    assert result.values["x"] == pytest.approx(3.5, abs=1e-9)
    assert result.values["y"] == pytest.approx(3.5, abs=1e-9)
    assert result.history[-1] == pytest.approx(100.0, abs=1e-12)


def test_minimise_goes_down():
    result = ascend(guide_custom_gate(), step_size=0.01, steps=50, minimize=True)
    assert all(b < a for a, b in zip(result.history, result.history[1:]))
    # descending pushes x and y apart: d/dx of -(x-y)^2 at x < y is positive, so x falls
    assert result.values["x"] < 3.0 and result.values["y"] > 4.0


# ------------------------------------------------------------------ Karpathy's neuron
def test_neuron_value_and_one_analytic_step_match_the_chain_rule_by_hand():
    a, b, c, x, y = NEURON.values()
    s = sigma(a * x + b * y + c)
    assert s == 0.8807970779778823
    ds = s * (1 - s)
    grads = {"a": x * ds, "b": y * ds, "c": ds, "x": a * ds, "y": b * ds}
    moved = {name: NEURON[name] + 0.01 * grads[name] for name in NEURON}
    expected = sigma(moved["a"] * moved["x"] + moved["b"] * moved["y"] + moved["c"])

    stepper = Ascent(neuron(), step_size=0.01)
    assert stepper.value == pytest.approx(0.8807970779778823, rel=1e-15)
    new = stepper.step()
    assert new == pytest.approx(expected, abs=1e-12)
    # the guide prints 0.8825: the first four decimals of 0.882550... (rounding gives 0.8826)
    assert new == pytest.approx(0.88255, abs=1e-5) and math.floor(new * 1e4) / 1e4 == 0.8825
    assert set(stepper.last_moves) == set(NEURON)  # all five inputs move
    # the guide's gradients: a -0.105, b 0.315, c 0.105, x 0.105, y 0.210
    for name, grad in (("a", -0.105), ("b", 0.315), ("c", 0.105), ("x", 0.105), ("y", 0.210)):
        assert stepper.last_moves[name] / 0.01 == pytest.approx(grad, abs=5e-4)
    for name, value in stepper.values.items():
        assert value == pytest.approx(moved[name], abs=1e-15)


def test_neuron_numerical_step_is_nearly_the_analytic_one():
    analytic = Ascent(neuron(), step_size=0.01)
    numerical = Ascent(neuron(), step_size=0.01, method="numerical")
    assert numerical.step() == pytest.approx(analytic.step(), abs=1e-6)
    assert math.floor(numerical.value * 1e4) / 1e4 == 0.8825


# ------------------------------------------------------------------ who moves
def test_consts_frozen_and_feature_bound_inputs_never_move():
    circuit = neuron()
    circuit.set_trainable("a", False)
    circuit.set_feature("x", 0)
    # c becomes a const: rebuild it as one, wired into the same port
    circuit.remove_node("c")
    circuit.add_node("const", "c", value=-3.0)
    circuit.connect("c", "s", 2)
    for method in ("analytic", "numerical", "random"):
        stepper = Ascent(circuit, step_size=0.1, method=method, seed=3)
        for _ in range(20):
            stepper.step()
        assert set(stepper.trajectories) == {"b", "y"}
        assert set(stepper.last_moves) == {"b", "y"}
        values = stepper.values
        assert (values["a"], values["x"], values["c"]) == (1.0, -1.0, -3.0)
        assert values["b"] != 2.0 or method == "random"


def test_the_stepper_never_edits_the_circuit_and_honours_overrides():
    circuit = guide_custom_gate()
    stepper = Ascent(circuit, step_size=0.01, inputs={"x": 0.0})
    assert stepper.value == 100.0 - 16.0
    for _ in range(10):
        stepper.step()
    assert circuit.nodes["x"].value == 3.0 and circuit.nodes["y"].value == 4.0
    assert stepper.values["x"] > 0.0


def test_history_trajectories_and_last_moves_stay_aligned():
    stepper = Ascent(multiply_gate(), step_size=0.01)
    for _ in range(7):
        stepper.step()
    assert stepper.steps == 7 and len(stepper.history) == 8
    for node_id, path in stepper.trajectories.items():
        assert len(path) == 8
        assert path[-1] == stepper.values[node_id]
        assert path[-1] - path[-2] == pytest.approx(stepper.last_moves[node_id], abs=1e-15)
    x, y = stepper.trajectories["x"], stepper.trajectories["y"]
    assert stepper.history == [xi * yi for xi, yi in zip(x, y)]


def test_history_has_steps_plus_one_entries_and_tol_stops_early():
    result = ascend(multiply_gate(), steps=25, step_size=0.01)
    assert result.steps == 25 and len(result.history) == 26 and result.stopped == "steps"
    early = ascend(guide_custom_gate(), steps=10_000, step_size=0.01, tol=1e-3)
    assert early.stopped == "converged" and early.steps < 10_000
    assert len(early.history) == early.steps + 1
    assert early.history[-1] - early.history[-2] < 1e-3


# ------------------------------------------------------------------ random local search
def test_random_search_never_makes_the_output_worse_and_is_reproducible():
    first = ascend(neuron(), method="random", steps=200, step_size=0.05, seed=7)
    assert all(b >= a for a, b in zip(first.history, first.history[1:]))
    assert first.history[-1] > first.history[0]
    again = ascend(neuron(), method="random", steps=200, step_size=0.05, seed=7)
    assert again.history == first.history and again.values == first.values
    other = ascend(neuron(), method="random", steps=200, step_size=0.05, seed=8)
    assert other.history != first.history


def test_random_search_minimising_never_goes_up_and_tweaks_stay_in_the_box():
    stepper = Ascent(multiply_gate(), method="random", step_size=0.01, minimize=True, seed=1)
    for _ in range(100):
        before = stepper.value
        stepper.step()
        assert stepper.value <= before
        assert all(abs(move) <= 0.01 for move in stepper.last_moves.values())
    assert stepper.value < -6.0


def test_random_search_rejected_tries_do_not_count_as_convergence():
    result = ascend(multiply_gate(), method="random", steps=300, step_size=0.01, tol=1e-9,
                    seed=2)
    assert result.stopped == "steps"


# ------------------------------------------------------------------ refusals and edge cases
def test_a_circuit_that_cannot_run_and_bad_arguments_are_refused():
    circuit = Circuit()
    circuit.add_node("input", "x", value=1.0)
    circuit.add_node("mul", "f")
    circuit.connect("x", "f", 0)
    with pytest.raises(CircuitError, match="not connected"):
        Ascent(circuit)
    with pytest.raises(ValueError, match="method"):
        Ascent(multiply_gate(), method="newton")
    with pytest.raises(ValueError, match="step_size"):
        Ascent(multiply_gate(), step_size=0.0)
    with pytest.raises(CircuitError, match="nope"):
        Ascent(multiply_gate(), inputs={"nope": 1.0})


def test_a_structural_edit_ends_the_stepper():
    circuit = multiply_gate()
    stepper = Ascent(circuit)
    circuit.add_node("input", "z", value=1.0)
    with pytest.raises(CircuitError, match="changed"):
        stepper.step()


def test_a_non_finite_gradient_does_not_move_the_input():
    # f = exp(exp(x)) at x = 7 overflows: the gradient is inf and x must stay finite
    circuit = Circuit()
    circuit.add_node("input", "x", value=7.0)
    circuit.add_node("exp", "e")
    circuit.add_node("exp", "f")
    circuit.connect("x", "e", 0)
    circuit.connect("e", "f", 0)
    result = ascend(circuit, steps=10)
    assert result.stopped == "not finite" and result.steps == 1
    assert result.values["x"] == 7.0


# ------------------------------------------------------------------ vectors and matrices
def wx_squared():
    return engine.load(EXAMPLES / "wx_squared.circuit")


def test_every_element_of_w_and_x_moves_along_its_own_gradient():
    stepper = Ascent(wx_squared(), step_size=0.5)
    stepper.step()
    # FORMAT.md 5's df/dW and df/dx, each element times the step size
    assert np.allclose(stepper.last_moves["W"], 0.5 * np.array([[0.088, 0.176], [0.104, 0.208]]))
    assert np.allclose(stepper.last_moves["x"], 0.5 * np.array([-0.112, 0.636]))
    w = np.array([[0.1, 0.5], [-0.3, 0.8]]) + stepper.last_moves["W"]
    x = np.array([0.2, 0.4]) + stepper.last_moves["x"]
    assert np.array_equal(stepper.values["W"], w) and stepper.values["W"].shape == (2, 2)
    assert stepper.value == pytest.approx(float(np.sum((w @ x) ** 2)), rel=1e-14)
    assert [p.shape for p in stepper.trajectories["W"]] == [(2, 2), (2, 2)]


@pytest.mark.parametrize("method", ["numerical", "random"])
def test_the_numerical_and_random_methods_work_per_element(method):
    result = ascend(wx_squared(), steps=30, step_size=0.05, method=method, minimize=True)
    assert result.history[-1] < result.history[0] * 0.9
    assert result.values["W"].shape == (2, 2) and result.values["x"].shape == (2,)
    if method == "numerical":  # the forward difference per element is the gradient
        stepper = Ascent(wx_squared(), step_size=1.0, method="numerical")
        stepper.step()
        assert np.allclose(stepper.last_moves["W"], [[0.088, 0.176], [0.104, 0.208]], atol=1e-4)


def test_an_element_whose_gradient_is_not_finite_stays_put_and_the_others_move():
    circuit = Circuit()
    circuit.add_node("input", "a", value=[0.0, 2.0])
    circuit.add_node("pow", "r", params={"p": 0.5})  # sqrt: infinite slope at 0
    circuit.add_node("sum", "f")
    circuit.connect("a", "r", 0)
    circuit.connect("r", "f", 0)
    stepper = Ascent(circuit, step_size=0.1)
    stepper.step()
    assert stepper.stuck == ["a"]
    assert stepper.values["a"][0] == 0.0
    assert stepper.values["a"][1] == pytest.approx(2.0 + 0.1 * 0.5 / math.sqrt(2.0))


def test_a_tensor_output_cannot_be_ascended():
    circuit = wx_squared()
    circuit.set_output("q")
    with pytest.raises(CircuitError, match="output q is a 2 tensor"):
        Ascent(circuit)
