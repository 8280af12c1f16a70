"""A tensor circuit's small element-by-element gates compute as the scalar fast path does
(engine/small_elements.py): each element by the gate row's Python-float kernels, so exp, log,
tanh, sigmoid and pow give the bits of Python's maths library, as the expanded circuit gets
them. A bigger or batched value, a gate whose kernel fails, and a circuit of numbers alone on
its numpy passes keep numpy's functions.

Each check compares with a library called directly (``math`` or numpy), so it holds on any
machine; on this one the two libraries differ in the last bit of many of these numbers.
"""

import math
import warnings

import numpy as np
import pytest

import engine
from engine import GATES, plan_of
from tests.helpers import build

LIBRARY_CASES = [("exp", {}, False), ("log", {}, True), ("tanh", {}, False),
                 ("sigmoid", {}, False), ("pow", {"p": 1.7}, True), ("pow", {"p": -0.3}, True)]


def numbers(count: int, positive: bool, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, 3.0, count) if positive else rng.uniform(-3.0, 3.0, count)


def one_gate(op: str, params: dict, value) -> engine.Circuit:
    """v -> g (op) -> f = Σ g, v a vector (or a number)."""
    value = value.tolist() if isinstance(value, np.ndarray) else value
    return build({"v": ("input", value), "g": (op, {"params": params} if params else {}),
                  "f": "sum"}, {"g": ["v"], "f": ["g"]})


def fast_path_run(op: str, params: dict, x: float) -> engine.Result:
    """The circuit of one number x -> op, run on the scalar fast path."""
    circuit = build({"x": ("input", x), "g": (op, {"params": params} if params else {})},
                    {"g": ["x"]}, output="g")
    assert plan_of(circuit).scalar_forward() is not None
    return engine.run(circuit)


@pytest.mark.parametrize("op, params, positive", LIBRARY_CASES, ids=str)
def test_up_to_64_elements_each_is_the_fast_paths_number(op, params, positive):
    vector = numbers(64, positive)
    result = engine.run(one_gate(op, params, vector))
    for k, x in enumerate(vector):
        alone = fast_path_run(op, params, float(x))
        assert result.values["g"][k] == alone.values["g"], k
        assert result.grads["v"][k] == alone.grads["x"], k  # g's gradient is 1, as alone
    kernel = GATES[op].scalar_forward
    expected = [kernel(float(x), *params.values()) for x in vector]
    assert result.values["g"].tolist() == expected


@pytest.mark.parametrize("op, params, positive", LIBRARY_CASES, ids=str)
def test_more_elements_or_a_batch_stay_on_numpy(op, params, positive):
    forward = GATES[op].forward
    vector = numbers(65, positive)
    result = engine.run(one_gate(op, params, vector))
    assert result.values["g"].tolist() == forward([vector], params).tolist()
    batch = numbers(5 * 3, positive).reshape(5, 3)
    circuit = one_gate(op, params, batch[0])
    result = engine.run(circuit, {"v": batch})
    assert result.values["g"].tolist() == forward([batch], params).tolist()


def test_a_number_gate_in_a_tensor_circuit_computes_as_the_fast_path_does():
    # tanh(0.125): Python's 0.1243530017715962, numpy's may differ in the last bit
    circuit = build({"v": ("input", [0.0625, 0.03125, 0.03125]), "s": "sum", "t": "tanh"},
                    {"s": ["v"], "t": ["s"]})
    result = engine.run(circuit)
    assert result.values["s"] == 0.125
    assert result.values["t"] == math.tanh(0.125)
    assert result.grads["s"] == 1.0 - math.tanh(0.125) ** 2
    # a circuit of numbers alone: the fast path takes Python's tanh, its numpy passes numpy's
    numbers_only = build({"s": ("input", 0.125), "t": "tanh"}, {"t": ["s"]})
    plan = plan_of(numbers_only)
    assert plan.scalar_forward()[plan.index["t"]] == math.tanh(0.125)
    assert plan.reference_forward()[plan.index["t"]] == np.tanh(np.float64(0.125))


def test_a_number_times_a_vector_feeds_each_elements_kernel():
    circuit = build({"b": ("input", 0.7), "v": ("input", [0.1, -0.4, 1.3]), "m": "mul",
                     "e": "exp", "f": "sum"}, {"m": ["b", "v"], "e": ["m"], "f": ["e"]})
    result = engine.run(circuit)
    exps = [math.exp(0.7 * x) for x in (0.1, -0.4, 1.3)]
    assert result.values["e"].tolist() == exps
    # db = Σ over the elements of dm·v, from the last element to the first
    terms = [e * x for e, x in zip(exps, (0.1, -0.4, 1.3))]
    assert result.grads["b"] == (terms[2] + terms[1]) + terms[0]


def test_a_param_changed_is_read_when_the_gate_runs():
    circuit = one_gate("pow", {"p": 1.7}, np.array([0.5, 2.0]))
    engine.run(circuit)
    circuit.set_param("g", "p", 2.5)
    assert engine.run(circuit).values["g"].tolist() == [math.pow(0.5, 2.5), math.pow(2.0, 2.5)]


@pytest.mark.parametrize("op, value, expected", [
    ("exp", [1.0, 1000.0], [np.exp(1.0), math.inf]),  # Python's exp raises: numpy's answer
    ("log", [1.0, 0.0], [0.0, -math.inf]),
    ("pow", [4.0, -1.0], [2.0, math.nan]),  # a square root of -1
    ("div", [1.0, 0.0], [1.0, math.inf]),
])
def test_a_gate_whose_kernel_fails_runs_on_numpy_without_a_warning(op, value, expected):
    params = {"p": 0.5} if op == "pow" else {}
    if op == "div":
        circuit = build({"a": ("input", [1.0, 1.0]), "b": ("input", value), "g": "div",
                         "f": "sum"}, {"g": ["a", "b"], "f": ["g"]})
    else:
        circuit = one_gate(op, params, np.array(value))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = engine.run(circuit)
    np.testing.assert_array_equal(result.values["g"], expected)
