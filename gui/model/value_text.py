"""A source's value (a number, a vector or a matrix) as the editors hold it and as words say it.

An edit of a value is one undo command that keeps the value before and after. ``frozen`` makes
the command's own copy (a float, or a read-only float64 array), so nothing the caller does to
its array afterwards can change what undo and redo set; ``same_value`` compares two values
(shapes first, then every element; never ``==`` on arrays, which answers element by element).

Numbers read as everywhere else (``format_number``); a tensor reads as a compact preview of its
first numbers with its shape (``value_preview``: ``2×2 [0.10, 0.50; -0.30, 0.80]``, a vector as
``[0.20, 0.40]``), every digit of every element on hover (``value_tooltip``), and an edit is
named by what it did (``edit_text``: ``Set W[0, 1] = 3.00``, ``Fill W with ones``, ``Reshape W
to 3×2``).
"""

from __future__ import annotations

import numpy as np

from engine import format_full, format_number, format_readout, is_tensor, shape_text

PREVIEW_ELEMENTS = 4  # numbers a preview shows before "…"
TOOLTIP_ELEMENTS = 64  # numbers a tooltip shows before "…"
FILL_WORDS = {0.0: "zeros", 1.0: "ones"}


def frozen(value):
    """``value`` (a number, nested lists or an array) as a float or a read-only float64 array
    of its own; what is neither is handed on as it is, for the circuit to refuse naming why."""
    try:
        if np.ndim(value) == 0:
            return float(value)
        array = np.array(value, dtype=np.float64)  # always a copy
    except (TypeError, ValueError, OverflowError):
        return value
    array.flags.writeable = False
    return array


def kind_of(shape: tuple) -> str:
    """What a value of ``shape`` is called: "number", "vector" or "matrix"."""
    return ("number", "vector", "matrix")[len(shape)]


def size_words(shape: tuple) -> str:
    """A shape for a sentence: "a number", "a vector of 8", "a 2×3 matrix"."""
    if shape == ():
        return "a number"
    return f"a vector of {shape[0]}" if len(shape) == 1 else f"a {shape_text(shape)} matrix"


def same_value(a, b) -> bool:
    """True when ``a`` and ``b`` have the same shape and the same numbers."""
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b))


def _elements(array: np.ndarray, limit: int, number_text) -> str:
    """The first ``limit`` numbers of a vector or matrix, rows separated by "; " (none: "…")."""
    if limit <= 0:
        return "…"
    rows = array.reshape(-1, array.shape[-1]) if array.ndim == 2 else array.reshape(1, -1)
    parts, count = [], 0
    for row in rows:
        if count >= limit:
            break
        taken = row[:limit - count]
        parts.append(", ".join(number_text(x) for x in taken))
        count += len(taken)
    text = "; ".join(parts)
    return text + (", …" if count < array.size else "")


def value_preview(value, limit: int = PREVIEW_ELEMENTS) -> str:
    """A number as the canvas writes it; a vector as ``[0.20, 0.40]`` (``[…, …] (8)`` when cut
    short); a matrix as its shape and first numbers, ``2×2 [0.10, 0.50; -0.30, 0.80]``."""
    if not is_tensor(value):
        return format_number(value)
    array = np.asarray(value)
    numbers = _elements(array, limit, format_number)
    if array.ndim == 1:
        return f"[{numbers}]" + (f" ({array.size})" if array.size > limit else "")
    return f"{shape_text(array.shape)} [{numbers}]"


def value_tooltip(name: str, value) -> str:
    """``name = `` every digit of a number, or of a tensor's first numbers with its shape."""
    if not is_tensor(value):
        return f"{name} = {format_full(value)}"
    array = np.asarray(value)
    lines = [f"{name}: {kind_of(array.shape)} {shape_text(array.shape)}"]
    rows = array.reshape(1, -1) if array.ndim == 1 else array
    shown = 0
    for row in rows:
        if shown >= TOOLTIP_ELEMENTS:
            lines.append("…")
            break
        cut = row[:TOOLTIP_ELEMENTS - shown]
        lines.append("  ".join(format_full(x) for x in cut) + ("  …" if len(cut) < len(row)
                                                               else ""))
        shown += len(cut)
    return "\n".join(lines)


def _index_text(index) -> str:
    return "[" + ", ".join(str(int(k)) for k in index) + "]"


def edit_text(node_id: str, old, new) -> str:
    """What setting ``node_id`` from ``old`` to ``new`` did, as an undo step's name."""
    if not is_tensor(new) and not isinstance(new, float):
        return f"Set {node_id}"  # no value: the circuit refuses it, naming why
    if not is_tensor(old) and not is_tensor(new):
        return f"Set {node_id} = {format_readout(new)}"
    new_shape = np.shape(new)
    if np.shape(old) != new_shape:
        kind = "a number" if not new_shape else shape_text(new_shape)
        return f"Reshape {node_id} to {kind}"
    changed = np.argwhere(np.asarray(old) != np.asarray(new))
    if len(changed) == 1:
        index = tuple(changed[0])
        return f"Set {node_id}{_index_text(index)} = {format_readout(np.asarray(new)[index])}"
    first = float(np.asarray(new).flat[0])
    if np.all(np.asarray(new) == first):
        return f"Fill {node_id} with {FILL_WORDS.get(first, format_readout(first))}"
    return f"Set {node_id} ({shape_text(new_shape)})"
