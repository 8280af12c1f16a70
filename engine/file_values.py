"""The checks of values read from a file, each naming the place of a bad one.

A circuit file and the data set stored in it hold JSON values that must be of a given kind (a
finite number, a whole number in a range, an object, a list); these checks refuse anything else
with a CircuitError like ``nodes[2].value: must be a finite number, not a string ('4')``.
"""

from __future__ import annotations

import math

from .errors import CircuitError, quote


def kind(value) -> str:
    """What a JSON value is, as a sentence says it: "a number", "an object", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def finite_number(value, place: str) -> float:
    """``value`` as a float if it is a finite number (a boolean is not one)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CircuitError(f"{place}: must be a finite number, not {kind(value)} "
                           f"({quote(value)})")
    try:
        number = float(value)
    except OverflowError:  # a whole number beyond float64
        number = math.inf
    if not math.isfinite(number):
        raise CircuitError(f"{place}: must be a finite number, not {quote(value)}")
    return number


def whole_number(value, place: str, lowest: int, highest: int | None = None) -> int:
    """``value`` if it is a whole number (not a boolean) from ``lowest`` to ``highest``."""
    ok = isinstance(value, int) and not isinstance(value, bool)
    if ok and value >= lowest and (highest is None or value <= highest):
        return value
    wanted = (f"a whole number >= {lowest}" if highest is None
              else f"a whole number from {lowest} to {highest}")
    raise CircuitError(f"{place}: must be {wanted}, not {quote(value)}")


def an_object(value, place: str, example: str) -> dict:
    """``value`` if it is a JSON object; the refusal shows ``example``."""
    if not isinstance(value, dict):
        raise CircuitError(f"{place}: must be an object like {example}, not {kind(value)}")
    return value


def a_list(value, place: str) -> list:
    """``value`` if it is a JSON list."""
    if not isinstance(value, list):
        raise CircuitError(f"{place}: must be a list, not {kind(value)}")
    return value
