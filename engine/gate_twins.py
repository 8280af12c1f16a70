"""Recognising an own gate that computes what a built-in gate computes (its twin).

The lecture collapses ``*-1``, ``exp``, ``+1`` and ``1/x`` into one sigmoid gate because the
whole chain computes σ(x), whose local gradient σ(x)(1 − σ(x)) can be derived once. When a
student makes that gate (``sig``), the captions can say so honestly only if it is checked: a
1-port own gate is the twin of a built-in 1-port gate without params when their forwards and
their local gradients (backward with an upstream gradient of 1) agree at ``POINTS`` to within
``RTOL`` (relative). The row then carries that gate's name (``Gate.same_as``), and a caption
writes the built-in's local gradient formula with this gate's numbers; before it does, it
checks the twins agree at the numbers it shows too (``twin_at``).

The same with ``+2`` instead of ``+1`` computes 1 / (2 + e^−x): no built-in gate does, and its
captions say its local gradient was worked out by its inside's backward pass.
"""

from __future__ import annotations

import numpy as np

from .gates import GATE_LIST, Gate

POINTS = tuple(np.linspace(-3.0, 3.0, 13))  # -3, -2.5, ..., 3
RTOL = 1e-12
ATOL = 1e-300  # two numbers this close to 0 are the same


def _candidates() -> list[Gate]:
    """The built-in gates an own gate may be the twin of: 1 port, no params, number in,
    number out."""
    return [gate for gate in GATE_LIST
            if gate.min_ports == gate.max_ports == 1 and not gate.params and gate.elementwise]


def _agree(a, b) -> bool:
    with np.errstate(all="ignore"):
        return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                rtol=RTOL, atol=ATOL, equal_nan=True))


def _value_and_local(forward, backward, x):
    """(output, local gradient) of a gate's functions at the number x, or None if they
    fail there."""
    xs = [np.float64(x)]
    try:
        with np.errstate(all="ignore"):
            out = forward(xs, {})
            local = backward(xs, out, np.float64(1.0), {})[0]
    except Exception:  # a gate that cannot run at x has no twin there
        return None
    if np.ndim(out) != 0 or np.ndim(local) != 0:
        return None
    return float(out), float(local)


def _values_and_locals(forward, backward, points):
    """(outputs, local gradients) at ``points`` as two arrays: in one call where the gate
    takes an array of numbers element by element, else point by point; None if it fails."""
    xs = np.asarray(points, dtype=float)
    try:
        with np.errstate(all="ignore"):
            out = forward([xs], {})
            local = backward([xs], out, np.ones_like(xs), {})[0]
        if np.shape(out) == np.shape(local) == xs.shape:
            return np.asarray(out, dtype=float), np.asarray(local, dtype=float)
    except Exception:  # a gate that takes one number at a time: asked point by point
        pass
    pairs = [_value_and_local(forward, backward, x) for x in points]
    if any(pair is None for pair in pairs):
        return None
    return np.array([out for out, _ in pairs]), np.array([local for _, local in pairs])


def builtin_twin(forward, backward, points=POINTS) -> str:
    """The name of the built-in gate whose forward and local gradient agree with these (a
    1-port gate's ``forward(xs, params)`` and ``backward(xs, out, upstream, params)``) at
    every one of ``points``; "" if none does."""
    mine = _values_and_locals(forward, backward, points)
    if mine is None:
        return ""
    for gate in _candidates():
        theirs = _values_and_locals(gate.forward, gate.backward, points)
        if theirs is not None and _agree(theirs[0], mine[0]) and _agree(theirs[1], mine[1]):
            return gate.name
    return ""


def row_twin(row: Gate) -> str:
    """``builtin_twin`` of a 1-port own gate's row ("" for any other row)."""
    if row.min_ports != 1 or row.max_ports != 1 or row.problem:
        return ""  # (a gate whose port must be a vector fails on numbers: no twin)
    return builtin_twin(row.forward, row.backward)


def twin_at(row: Gate, x, out, local) -> Gate | None:
    """The built-in gate ``row`` is the twin of (``same_as``), if it also gives ``out`` and
    the local gradient ``local`` at the number ``x`` (the numbers a caption shows); else None."""
    if not row.same_as or np.ndim(x) != 0:
        return None
    twin = next((gate for gate in GATE_LIST if gate.name == row.same_as), None)
    theirs = None if twin is None else _value_and_local(twin.forward, twin.backward, x)
    if theirs is None or not _agree(theirs, (out, local)):
        return None
    return twin
