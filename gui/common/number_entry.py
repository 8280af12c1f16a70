"""Typed numbers: the one reading of a number a user types, and the one message when it is not.

Every field where a value is typed (the canvas's in-place editor, the Properties value and
params, the Inputs table, the gate menu's Set value…, quick add) reads it here, so each accepts
the same spellings, ASCII decimal numbers (``-2``, ``0.5``, ``.5``, ``1e-3``, a typographic
minus ``−0.5``, spaces around), and refuses the rest (words, ``nan``, ``inf``, numbers too
large for a float, ``1_000``, digits of other scripts) with the same words.

A field opens showing the number it edits, often rounded (ten significant digits). Leaving it
with that text untouched is no edit (``edited_number``): nothing typed, nothing rounded to what
was shown, no undo step.
"""

from __future__ import annotations

import math
import re

MAX_QUOTED = 60  # characters of the refused text the message repeats
# digits, a sign, a point and an exponent; ASCII only (Python's float() also reads "1_000",
# "٣" and "nan")
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def refusal(text: str) -> str:
    """Why ``text`` was refused, naming it (cut to ``MAX_QUOTED`` characters)."""
    shown = text.strip()
    if len(shown) > MAX_QUOTED:
        shown = shown[:MAX_QUOTED] + "…"
    return f"'{shown}' is not a finite number (type one like -2, 0.5 or 1e-3)"


def as_number(text: str) -> float | None:
    """The finite number ``text`` spells, else None (for text that may be something else,
    like quick add's gate names)."""
    spelled = text.strip().replace("−", "-")
    if not DECIMAL.fullmatch(spelled):
        return None
    value = float(spelled)
    return value if math.isfinite(value) else None


def parse_number(text: str) -> float:
    """The finite number ``text`` spells; ValueError with ``refusal(text)`` if it spells none."""
    value = as_number(text)
    if value is None:
        raise ValueError(refusal(text))
    return value


def unchanged(text: str, shown: str) -> bool:
    """True when an edit's ``text`` is the text its field was opened with (``shown``): nothing
    was typed, so the number it stands for, perhaps rounded for showing, is not changed."""
    return text.strip() == shown.strip()


def edited_number(text: str, shown: str) -> float | None:
    """The number an edit sets in a field opened with ``shown``: None when ``unchanged``, else
    the finite number ``text`` spells (ValueError with ``refusal(text)`` if it spells none)."""
    return None if unchanged(text, shown) else parse_number(text)
