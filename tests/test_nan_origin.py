"""Where a nan was born, and why: the passes follow PyTorch (the numbers stay nan), and
``engine.nan_origin`` says which gate turned finite numbers into a nan or an inf.

The lecture's neuron built from primitive gates, with w0·x0 = -2000: z = -1997, so the ×−1 gate
gives 1997 and exp(1997) overflows to inf; 1 + inf = inf and 1/inf = 0, so f = 0 is right. The
backward pass sends -(1/inf)² = -0 back to exp, whose local gradient is its own output, inf:
-0 × inf is nan, and every gradient upstream of exp is nan. The one-gate sigmoid computes the
same f without any inf: its gradients are 0.
"""

import math

import numpy as np
import pytest

import engine
from engine import nan_origin
from helpers import build, example, one_gate


def neuron_at(w0: float, x0: float):
    circuit = example("sigmoid_neuron_primitive")
    circuit.set_value("w0", w0)
    circuit.set_value("x0", x0)
    return circuit, engine.run(circuit)


@pytest.mark.parametrize("w0, x0", [(2000.0, -1.0), (-2000.0, 1.0)])
def test_the_primitive_neurons_nan_is_born_at_exp_as_0_times_inf(w0, x0):
    circuit, result = neuron_at(w0, x0)
    assert result.value == 0.0  # the output itself is right: sigmoid(-1997) is 0
    assert result.values["exp"] == math.inf
    assert all(math.isnan(result.grads[n]) for n in ("w0", "x0", "w1", "x1", "w2", "z"))
    assert result.grads["exp"] == 0.0  # -(1/inf)^2: what reaches exp is a zero
    origin = nan_origin(circuit, result)
    assert origin.node_id == "exp" and origin.in_gradient
    assert origin.cause == "0 × inf" and origin.badge == "0 × inf"
    assert "0 × inf is nan" in origin.text
    assert "local gradient e^a (its own output) is inf" in origin.text
    assert "exp(1997.00) = inf" in origin.text and "overflowed" in origin.text
    assert "one-gate sigmoid" in origin.hint  # from the exp row's nan_hint


def test_the_one_gate_sigmoid_has_no_nan_at_the_same_point():
    circuit = example("sigmoid_neuron")
    circuit.set_value("w0", 2000.0)
    result = engine.run(circuit)
    assert all(math.isfinite(g) for g in result.grads.values())
    assert nan_origin(circuit, result) is None


def test_all_finite_numbers_have_no_origin():
    circuit, result = neuron_at(2.0, -1.0)
    assert nan_origin(circuit, result) is None
    assert nan_origin(circuit, None) is None


@pytest.mark.parametrize("op, values, params, cause, words", [
    ("log", [-1.0], None, "log is undefined here", "log(-1.00) = nan because log is undefined "
                                                   "there (it needs a > 0)"),
    ("mul", [1e200, 1e200], None, "mul overflowed to inf", "1e+200 × 1e+200 = inf is past"),
    ("pow", [-8.0], {"p": 1 / 3}, "local gradient nan", "-8.00 ^ 0.333333 = nan"),
    ("recip", [0.0], None, "local gradient -inf", "1 / 0.00 = inf because recip is infinite at 0"),
    ("recip", [1e-200], None, "local gradient overflowed", "is -inf: at these finite numbers"),
    ("div", [1e300, 1e-10], None, "local gradient -inf", "1e+300 / 1e-10 = inf is past"),
], ids=lambda v: str(v))
def test_one_gate_origins_say_why(op, values, params, cause, words):
    circuit = one_gate(op, len(values), params)
    result = engine.run(circuit, {f"a{i}": v for i, v in enumerate(values)})
    origin = nan_origin(circuit, result)
    assert origin.node_id == "f"
    assert origin.cause == cause
    assert words in origin.text


@pytest.mark.parametrize("op, values, params", [
    ("recip", [0.0], None), ("div", [1.0, 0.0], None), ("log", [0.0], None),
    ("pow", [0.0], {"p": -1.0}), ("pow", [-0.0], {"p": -0.5}),
], ids=lambda v: str(v))
def test_a_gate_at_its_pole_is_said_to_be_infinite_there(op, values, params):
    circuit = one_gate(op, len(values), params)
    result = engine.run(circuit, {f"a{i}": v for i, v in enumerate(values)})
    origin = nan_origin(circuit, result)
    assert origin.node_id == "f"
    assert f"because {op} is infinite at 0" in origin.text


@pytest.mark.parametrize("op, values", [("add", [1e308, 1e308, 0.0]), ("sub", [1e308, -1e308]),
                                        ("mul", [1e300, 1e10]), ("div", [1e300, 1e-10])],
                         ids=lambda v: str(v))
def test_an_overflow_beside_a_zero_or_near_one_is_an_overflow_not_a_pole(op, values):
    """add(1e308, 1e308, 0) is inf because the sum is past the largest float: add has no
    pole, whatever its inputs hold."""
    circuit = one_gate(op, len(values))
    result = engine.run(circuit, {f"a{i}": v for i, v in enumerate(values)})
    origin = nan_origin(circuit, result)
    assert result.values["f"] == math.inf
    assert "is infinite at 0" not in origin.text
    assert "= inf is past float64's largest number (about 1.8e308), so it overflowed" in \
        origin.text
    if op != "div":  # (div's gradient overflows too, and is reported first)
        assert origin.cause == f"{op} overflowed to inf" and not origin.in_gradient


def test_a_nan_from_an_overflow_inside_a_gate_is_not_called_undefined():
    """mul(1e200, 1e200, 0): 1e200 × 1e200 overflows to inf, then inf × 0 is nan; mul is
    defined everywhere, so the reason is the overflow inside it."""
    circuit = one_gate("mul", 3)
    result = engine.run(circuit, {"a0": 1e200, "a1": 1e200, "a2": 0.0})
    origin = nan_origin(circuit, result)
    assert math.isnan(result.values["f"])
    assert origin.node_id == "f"
    assert "1e+200 × 1e+200 × 0.00 = nan because a part of it overflowed to inf first" in \
        origin.text and "undefined" not in origin.text


def test_a_value_born_upstream_is_named_where_the_gradient_turns():
    # f = relu(-(exp(x) * c)) at x = 1000, c = 2: exp overflows, m = inf, f = relu(-inf) = 0;
    # relu sends 0 back, neg -0, and mul sends c's port -0 × exp's inf = nan
    circuit = build({"x": ("input", 1000.0), "c": ("input", 2.0), "e": "exp", "m": "mul",
                     "n": "neg", "f": "relu"},
                    {"e": ["x"], "m": ["e", "c"], "n": ["m"], "f": ["n"]}, output="f")
    result = engine.run(circuit)
    assert result.value == 0.0 and math.isnan(result.grads["c"])
    origin = nan_origin(circuit, result)
    assert origin.node_id == "m" and origin.cause == "0 × inf"
    assert "it sends nan down to c" in origin.text
    assert "The first value that is not finite is that of e (exp): exp(1000.00) = inf" in \
        origin.text
    assert "one-gate sigmoid" in origin.hint  # the hint of the gate that overflowed
    assert origin.concerns(result, "c") and origin.concerns(result, "m")
    assert not origin.concerns(result, "f")  # the output and its gradient are fine


def test_gradients_that_overflow_only_when_a_fan_out_adds_them_up_are_traced_to_the_sum():
    """x = 1e-10 feeds two ×1e308 gates whose outputs are added: every value is finite (1e298
    each) and each branch sends a finite 1e308 back to x, but 1e308 + 1e308 is inf."""
    scaled = ("scale", {"params": {"c": 1e308}})
    circuit = build({"x": ("input", 1e-10), "s1": scaled, "s2": scaled, "f": "add"},
                    {"s1": ["x"], "s2": ["x"], "f": ["s1", "s2"]}, output="f")
    result = engine.run(circuit)
    assert all(math.isfinite(value) for value in result.values.values())
    assert result.grads["s1"] == result.grads["s2"] == 1.0 and result.grads["x"] == math.inf
    origin = nan_origin(circuit, result)
    assert origin.node_id == "x" and origin.in_gradient
    assert origin.cause == "gradients add up past the largest float"
    assert ("the gradients its 2 consumers send back (s2: 1e+308, s1: 1e+308) are each finite, "
            "but they add up to inf, past float64's largest number (about 1.8e308)") in \
        origin.text
    assert origin.concerns(result, "x") and not origin.concerns(result, "s1")


def test_a_nan_given_to_a_source_is_traced_to_it():
    circuit, _result = neuron_at(2.0, -1.0)
    result = engine.run(circuit, {"x0": math.nan})
    origin = nan_origin(circuit, result)
    assert origin.cause == "x0 is not finite"
    assert "It comes in with the value of x0" in origin.text


def test_a_batch_names_the_first_point_that_overflows():
    circuit = one_gate("exp", 1)
    result = engine.run(circuit, {"a0": np.array([1.0, 800.0, 2.0])})
    origin = nan_origin(circuit, result)
    assert origin.node_id == "f" and origin.cause == "local gradient inf"
    assert "exp(800.00) = inf" in origin.text


def test_an_unconnected_port_is_not_a_nan_born():
    # the gate that cannot be computed is nan in the result, but nothing overflowed
    circuit = build({"x": ("input", 1.0), "n": "neg", "open": "add"},
                    {"n": ["x"], "open": ["n"]}, output="n")
    result = engine.run(circuit, allow_incomplete=True)
    assert math.isnan(result.values["open"])
    assert nan_origin(circuit, result) is None


# ------------------------------------------------------------------ vectors and matrices
def test_a_value_born_infinite_in_one_element_of_a_vector_names_that_element():
    circuit = build({"a": ("input", [1.0, 1000.0, 2.0]), "e": "exp", "f": "sum"},
                    {"e": ["a"], "f": ["e"]})
    result = engine.run(circuit)
    origin = nan_origin(circuit, result)
    assert origin.node_id == "e"
    assert "sends inf down to a (element [1] of a)" in origin.text
    assert "exp(1000.00) = inf" in origin.text and "(element [1] of e)" in origin.text


def test_a_matmul_that_overflows_is_told_with_its_inputs_whole():
    circuit = build({"W": ("input", [[1e200, 1.0], [1.0, 1.0]]), "x": ("input", [1e200, 1.0]),
                     "q": "matmul", "f": "sum"}, {"q": ["W", "x"], "f": ["q"]})
    result = engine.run(circuit)
    assert result.values["q"][0] == math.inf
    origin = nan_origin(circuit, result)
    assert origin.node_id == "q" and not origin.in_gradient
    assert origin.cause == "matmul overflowed to inf"
    assert "[[1e+200, 1.00], [1.00, 1.00]] · [1e+200, 1.00] = inf" in origin.text
    assert "(element [0] of q)" in origin.text
    assert origin.concerns(result, "f") and not origin.concerns(result, "x")


def test_zero_times_inf_in_one_element_of_a_tensor_gradient():
    circuit = build({"a": ("input", [0.0, 4.0]), "s": ("pow", {"params": {"p": 0.5}}),
                     "k": ("const", [0.0, 1.0]), "m": "mul", "f": "sum"},
                    {"s": ["a"], "m": ["s", "k"], "f": ["m"]})
    result = engine.run(circuit)
    assert np.isnan(result.grads["a"][0]) and result.grads["a"][1] == 0.25
    origin = nan_origin(circuit, result)
    assert (origin.node_id, origin.cause) == ("s", "0 × inf")
    assert "(element [0] of a)" in origin.text


def test_a_finite_tensor_circuit_has_no_origin():
    circuit = example("numpy_net_11_lines")
    assert nan_origin(circuit, engine.run(circuit)) is None
