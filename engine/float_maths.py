"""numpy's exp, log, tanh and power on Python floats, for the scalar fast path.

The fast path (engine/scalar_kernels.py) computes on Python floats; Python's ``math`` and
numpy's array functions are different libraries, and for exp, log, tanh and a general power
they differ in the last bit of about one number in twenty. numpy's own function called on a
float gives the array function's bits, so the fast path calls it: a scalar circuit, its numpy
passes and a tensor circuit computing the same numbers (Expand to Scalars) agree bit for bit.

numpy warns where Python raises (exp(1000), log(0), a negative number to a fractional power).
Far from those places (|exponent| below ``_SAFE_EXPONENT``) numpy is called directly; nearer,
inside ``np.errstate`` (a microsecond more), so that it says nothing and gives inf or 0 as on
arrays; where Python raises for a non-finite answer it still raises, as ``math`` does, and the
fast path gives the run to the numpy passes.
"""

from __future__ import annotations

import math

import numpy as np

_np_exp, _np_log, _np_tanh, _np_power = np.exp, np.log, np.tanh, np.power
# |x| below this: e^x is a normal number, far from overflow and from underflow
_SAFE_EXPONENT = 700.0


def _quietly(function, *args) -> float:
    with np.errstate(all="ignore"):
        return float(function(*args))


def _finite(number: float) -> float:
    """``number``, or Python's OverflowError where it is inf (as ``math`` raises)."""
    if number == math.inf:
        raise OverflowError("the result overflows: the numpy passes compute it")
    return number


def exp(a: float) -> float:
    """e^a as numpy computes it (Python's OverflowError past 709.78)."""
    if -_SAFE_EXPONENT < a < _SAFE_EXPONENT:
        return float(_np_exp(a))
    return _finite(_quietly(_np_exp, a))  # 0 far below


def log(a: float) -> float:
    """ln a as numpy computes it (Python's ValueError at 0 and below)."""
    if 0.0 < a < math.inf:
        return float(_np_log(a))
    return math.log(a)


def tanh(a: float) -> float:
    """tanh a as numpy computes it."""
    return float(_np_tanh(a))


def power(a: float, e: float) -> float:
    """a ** e as numpy computes it (Python's errors for 0 to a negative power, a negative
    number to a fractional one and an overflow)."""
    if a == 0.0 or not math.isfinite(a) or (a < 0.0 and e != math.floor(e)):
        return math.pow(a, e)
    if abs(e * math.log(abs(a))) < _SAFE_EXPONENT:
        return float(_np_power(a, e))
    return _finite(_quietly(_np_power, a, e))  # 0 where it underflows
