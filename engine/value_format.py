"""How a value is written in a caption or an explanation: a number, or a vector or matrix.

A number is written by the caller's number format (the canvas's ``format_number``: "0.22").
A small tensor, up to ``SMALL`` elements, is written out as the lecture's slides write them,
with its numbers in that format: "[0.22, 0.26]", "[[0.10, 0.50], [-0.30, 0.80]]". A bigger one
would not fit on a card, so it is written as its shape between angle brackets, "⟨100×2⟩": the
brackets say it is a whole matrix, not a number.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .number_format import format_number
from .tensor_values import shape_text

SMALL = 4  # elements: a vector of 4 or a 2×2 matrix is written out, a bigger tensor by its shape


def is_small(value) -> bool:
    """True for a number or a tensor small enough to be written out."""
    return np.size(value) <= SMALL


def value_text(value, number: Callable = format_number) -> str:
    """``value`` as a caption writes it (see the module docstring)."""
    if np.ndim(value) == 0:
        return number(float(value))
    array = np.asarray(value, dtype=np.float64)
    if not is_small(array):
        return f"⟨{shape_text(array.shape)}⟩"
    if array.ndim == 1:
        return "[" + ", ".join(number(float(x)) for x in array) + "]"
    return "[" + ", ".join(value_text(row, number) for row in array) + "]"
