"""Values that are numbers, vectors or matrices (FORMAT.md section 5), and their shapes.

An input's or const's value is a Python float for a number, or a float64 numpy array of rank 1
(a vector, shape ``(n,)``) or 2 (a matrix, shape ``(m, n)``): non-empty, every element finite,
and not writeable, so nothing can change a node's value behind the circuit's back. Shapes follow
numpy: ``[1, 2, 3]`` is ``(3,)``, ``[[1, 2, 3]]`` is ``(1, 3)``; nothing of rank 3 or more.

``checked_value`` takes what a program hands over (a number, nested lists, an array);
``value_from_json`` takes what a file holds and names the place of a bad element
(``nodes[0].value[1][2]``); ``value_to_json`` writes a value back as a number or nested lists.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import CircuitError, quote
from .file_values import finite_number

MAX_RANK = 2


def is_tensor(value) -> bool:
    """True for a vector or matrix value (an array of rank 1 or more)."""
    return isinstance(value, np.ndarray) and value.ndim >= 1


def shape_of(value) -> tuple:
    """The shape of a value: () for a number."""
    return np.shape(value)


def shape_text(shape: tuple) -> str:
    """A shape as people write it: "2×3" for a matrix, "8" for a vector, "1" for a number."""
    return "×".join(str(size) for size in shape) or "1"


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=np.float64)  # always a copy: the caller keeps its own
    array.flags.writeable = False
    return array


def _index_text(index: tuple) -> str:
    return "".join(f"[{k}]" for k in index)


def checked_value(value, place: str):
    """``value`` as a float or a frozen float64 array, or CircuitError naming the problem."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, bytes, dict)):
        raise CircuitError(f"{place}: {quote(value)} is not a number, vector or matrix")
    if not isinstance(value, (list, tuple, np.ndarray)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise CircuitError(f"{place}: {quote(value)} is not a number") from None
        if not math.isfinite(number):
            raise CircuitError(f"{place}: {quote(value)} is not a finite number")
        return number
    if isinstance(value, (list, tuple)):
        _check_nesting(value, place)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as error:
        raise CircuitError(f"{place}: not a vector or matrix of numbers ({error})") from None
    return _checked_array(array, place)


def _checked_array(array: np.ndarray, place: str):
    if array.ndim > MAX_RANK:
        raise CircuitError(f"{place}: has rank {array.ndim} (shape {array.shape}); a value is "
                           "a number, a vector or a matrix")
    if array.ndim == 0:
        return checked_value(float(array), place)
    if array.size == 0:
        raise CircuitError(f"{place}: is empty (shape {array.shape}); a vector or matrix needs "
                           "at least one number")
    finite = np.isfinite(array)
    if not finite.all():
        index = tuple(int(k) for k in np.argwhere(~finite)[0])
        raise CircuitError(f"{place}{_index_text(index)}: must be a finite number, not "
                           f"{float(array[index])!r}")
    return _frozen(array)


def _check_nesting(value, place: str) -> None:
    """Refuse ragged and too-deep nested lists with a message naming the row."""
    rows = list(value)
    if not rows:
        raise CircuitError(f"{place}: is empty; a vector or matrix needs at least one number")
    nested = [isinstance(row, (list, tuple, np.ndarray)) for row in rows]
    if any(nested) and not all(nested):
        first = nested.index(not nested[0])
        raise CircuitError(f"{place}: mixes numbers and lists ({place}[{first}] is "
                           f"{'a list' if nested[first] else 'a number'}, {place}[0] is not)")
    if not nested[0]:
        return
    length = len(rows[0])
    for k, row in enumerate(rows):
        if any(isinstance(item, (list, tuple, np.ndarray)) for item in row):
            raise CircuitError(f"{place}[{k}]: holds lists, so the value has rank 3 or more; "
                               "a value is a number, a vector or a matrix")
        if len(row) != length:
            raise CircuitError(f"{place}[{k}]: has {len(row)} numbers, but {place}[0] has "
                               f"{length} (a matrix's rows must be equally long)")


def value_from_json(raw, place: str):
    """A value a file holds (a number, a list of numbers, a list of equal-length lists)."""
    if not isinstance(raw, list):
        return finite_number(raw, place)
    _check_nesting(raw, place)
    if isinstance(raw[0], list):
        rows = [[finite_number(x, f"{place}[{i}][{j}]") for j, x in enumerate(row)]
                for i, row in enumerate(raw)]
    else:
        rows = [finite_number(x, f"{place}[{i}]") for i, x in enumerate(raw)]
    return _checked_array(np.array(rows, dtype=np.float64), place)


def value_to_json(value):
    """A value as JSON holds it: a float, or nested lists of floats."""
    if is_tensor(value):
        return value.tolist()
    return float(value)
