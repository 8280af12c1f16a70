"""numpy's exp, log, tanh and power on Python floats (engine/float_maths.py): the array
functions' bits, no warnings, and Python's errors where the answer is not finite."""

import math
import warnings

import numpy as np
import pytest

import engine
from engine import float_maths
from tests.helpers import build


def test_each_function_gives_the_array_functions_bits():
    rng = np.random.default_rng(8)
    values = np.concatenate([rng.uniform(-30, 30, 3000), rng.standard_normal(3000) * 1e-3,
                             rng.uniform(-699, 699, 1000)])
    positive = np.abs(values) + 1e-300
    for function, array_function, numbers in [(float_maths.exp, np.exp, values),
                                              (float_maths.tanh, np.tanh, values),
                                              (float_maths.log, np.log, positive)]:
        assert [function(float(v)) for v in numbers] == array_function(numbers).tolist()
    for exponent in (1.7, -0.3, 2.5, 4.0, -3.0):
        bases = positive[:2000] if exponent % 1 else values[:2000]
        assert [float_maths.power(float(v), exponent) for v in bases] == \
            np.power(bases, exponent).tolist()


def test_python_differs_from_numpy_so_this_module_is_needed():
    values = np.random.default_rng(9).uniform(-5, 5, 2000)
    assert [math.tanh(v) for v in values] != np.tanh(values).tolist()


@pytest.mark.parametrize("call, error", [
    (lambda: float_maths.log(0.0), ValueError), (lambda: float_maths.log(-1.0), ValueError),
    (lambda: float_maths.power(-2.0, 0.5), ValueError),
    (lambda: float_maths.power(0.0, -1.5), ValueError),
    (lambda: float_maths.exp(710.0), OverflowError),
    (lambda: float_maths.power(10.0, 400.0), OverflowError)])
def test_where_the_answer_is_not_finite_python_raises_as_math_does(call, error):
    with pytest.raises(error):
        call()


def test_past_the_safe_range_numpy_answers_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float_maths.exp(-800.0) == 0.0
        assert float_maths.exp(705.0) == float(np.exp(np.array([705.0]))[0])
        assert float_maths.power(10.0, -310.0) == float(np.power(np.array([10.0]), -310.0)[0])


def test_a_scalar_run_past_the_range_goes_to_the_numpy_passes_without_a_warning():
    circuit = build({"a": ("input", 1000.0), "e": "exp", "s": "sigmoid", "f": "add"},
                    {"e": ["a"], "s": ["a"], "f": ["e", "s"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = engine.run(circuit)
    assert result.values["e"] == math.inf and result.values["s"] == 1.0
