"""What a gate's local gradient is, written for people: the captions' and Explain's words.

A built-in gate's row says its local gradient as a formula (``local_gradient``: "s · (1 − s),
from its output s"). A file's own gate has no formula of its own: its row says what works its
local gradient out (``local_origin``: "its inside's backward pass"), and the caption gives the
number that computed: ``sig: local gradient ∂sig/∂z = 0.20, worked out by its inside's
backward pass``. Where the gate is the twin of a built-in gate (``same_as``, checked by
engine/gate_twins.py, and checked again at these numbers), the caption writes that gate's
formula (``local_infix``) with this gate's numbers instead, as the lecture does for its sigmoid
gate: ``sig: local gradient s × (1 − s) = 0.73 × (1 − 0.73) = 0.20, as sigmoid's``.
"""

from __future__ import annotations

import numpy as np

from .gate_twins import twin_at
from .gates import Gate, display_symbol, gate_number
from .value_format import value_text


class _Slot:
    """A name in a ``local_infix`` template: written as its name ("{out:s}": s) or as its
    number (a negative one in parentheses, as it sits inside an expression)."""

    def __init__(self, name: str, text: str | None = None):
        self.name, self.text = name, text

    def __format__(self, spec: str) -> str:
        if self.text is None:
            return spec or self.name
        return f"({self.text})" if self.text[:1] in "-−" else self.text


def local_formula(gate: Gate, x, out, fmt=value_text) -> tuple[str, str]:
    """A 1-port gate's local gradient written with names and with numbers: ("s × (1 − s)",
    "0.73 × (1 − 0.73)"); ("", "") if its row has no ``local_infix``."""
    if not gate.local_infix:
        return "", ""
    names = gate.local_infix.format(a=_Slot("a"), out=_Slot("out"))
    numbers = gate.local_infix.format(a=_Slot("a", fmt(x)), out=_Slot("out", fmt(out)))
    return names, numbers


def own_local_text(node, sources, xs, out, locals_, fmt=value_text, port=None) -> str:
    """What an own gate's local gradient is, with its numbers (see the module docstring);
    ``locals_``: its backward with an upstream gradient of 1, per port (None where it is a
    Jacobian, never formed); ``port``: that port's only."""
    gate = node.gate
    name = display_symbol(gate, node.params)
    if locals_ is None:
        return (f"{name}: its local gradient, a Jacobian, is worked out by "
                f"{gate.local_origin}")
    if len(xs) == 1:
        twin = twin_at(gate, xs[0], out, locals_[0])
        if twin is not None:
            names, numbers = local_formula(twin, xs[0], out, fmt)
            formula = (f"{names} = {numbers}" if names else f"({twin.local_gradient})")
            return f"{name}: local gradient {formula} = {fmt(locals_[0])}, as {twin.name}'s"
    ports = gate.port_names or (gate.definition.ports if gate.definition is not None
                                else tuple(sources))
    parts = [f"∂{name}/∂{port_name} = {fmt(local)}"
             for k, (port_name, local) in enumerate(zip(ports, locals_))
             if port is None or k == port]
    plural = "s" if len(parts) > 1 else ""
    return f"{name}: local gradient{plural} {', '.join(parts)}, worked out by {gate.local_origin}"


def gate_locals(node, xs, out):
    """A gate's local gradient per port (its backward with an upstream gradient of 1, element
    by element where it works element by element); None where it is a Jacobian (a gate with a
    shape rule that a vector or matrix goes in or out of)."""
    numbers = np.ndim(out) == 0 and all(np.ndim(x) == 0 for x in xs)
    if not (numbers or node.gate.elementwise):
        return None
    with np.errstate(all="ignore"):
        return node.gate.backward(xs, out, np.ones_like(out)[()], node.params)


def local_gradient_words(circuit, values: dict, gate_id: str, port: int) -> str:
    """Why the local gradient of ``port`` of own gate ``gate_id`` is what it is, with the
    numbers of ``values`` (a pass's values by id): Explain's words for one factor of a path
    ("" for a gate with a formula of its own: a built-in one)."""
    node = circuit.nodes[gate_id]
    if not node.gate.local_origin or node.gate.problem:
        return ""
    sources = circuit.inputs_of(gate_id)
    xs = [gate_number(values[src]) for src in sources]
    out = gate_number(values[gate_id])
    return own_local_text(node, sources, xs, out, gate_locals(node, xs, out), port=port)
