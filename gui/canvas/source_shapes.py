"""Sources made with a shape: a vector or matrix input or const, chosen when it is created.

A new gate is named by a *gate spec*: a gate's name, or for an input or const its name and a
shape, ``input 2×3`` (a 2×3 matrix), ``const 4`` (a vector of 4). The palette's "vector input"
and "matrix input" entries carry such a spec when dragged or activated, quick add reads one
when it is typed (``input 2x3``, ``const 4``, ``matrix 3x3``, ``vector 8``), and the canvas adds
the source it names with every element 0 (the properties then show its table to type numbers
into). A shape is written ``m×n`` or ``mxn`` (``m*n``, ``m,n`` and ``(m, n)`` too) for a matrix
and ``n`` for a vector; each side from 1 to ``MAX_SIDE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

import engine
from gui.model.value_text import kind_of

MAX_SIDE = 4096  # elements a side, as the matrix editor allows
SHAPE_WORDS = {"vector": 1, "vec": 1, "matrix": 2, "mat": 2}
DEFAULT_SHAPES = {1: (2,), 2: (2, 2)}  # "vector input", "matrix input": the lecture's x and W
_SHAPE = re.compile(r"\(?\s*(\d+)\s*(?:[x×*,]\s*(\d+))?\s*\)?")


@dataclass(frozen=True)
class GateSpec:
    """A gate to add: its op, and for a source made with a shape, that shape."""

    op: str
    shape: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        """The spec written out: ``input 2×3``, ``const 4``, ``mul``."""
        return f"{self.op} {engine.shape_text(self.shape)}" if self.shape else self.op

    @property
    def value(self):
        """The new source's value: zeros of the shape (None: the gate's default)."""
        return np.zeros(self.shape) if self.shape else None

    @property
    def title(self) -> str:
        """How a person names it: ``matrix input 2×2``, ``vector const 4``, ``input``."""
        if not self.shape:
            return self.op
        return f"{kind_of(self.shape)} {self.op} {engine.shape_text(self.shape)}"


def parse_shape(text: str) -> tuple[int, ...] | None:
    """``2x3`` -> (2, 3), ``4`` -> (4,); None when ``text`` is no shape or a side is 0 or more
    than ``MAX_SIDE``."""
    match = _SHAPE.fullmatch(text.strip().lower())
    if match is None:
        return None
    shape = tuple(int(side) for side in match.groups() if side is not None)
    return shape if all(1 <= side <= MAX_SIDE for side in shape) else None


def parse_gate_spec(text: str, gates=None) -> GateSpec | None:
    """The gate ``text`` names: ``mul``; ``input 2x3``; ``const 4``; ``matrix input``, ``vector
    const 3`` or ``matrix 3x3`` (an input when no source is named); None if it names none.
    ``gates`` is the file's gate table (``circuit.gates``: its own gates too; default the
    built-in ones)."""
    if gates is None:
        gates = engine.GATES
    words = text.strip().replace("×", "x").split(None, 1)
    if words and words[0] in gates and words[0].lower() not in engine.GATES:
        return GateSpec(words[0]) if len(words) == 1 else None  # an own gate, as named
    words = [word.lower() for word in words]
    if not words:
        return None
    rank = SHAPE_WORDS.get(words[0])
    if rank is not None:  # "matrix input 3x3", "vector 8"
        rest = words[1].split(None, 1) if len(words) > 1 else []
        op = next(gate.name for gate in engine.GATE_LIST if gate.variable)  # an input
        if rest and rest[0] in engine.GATES and engine.GATES[rest[0]].is_source:
            op, rest = rest[0], rest[1:]
        shape = parse_shape(rest[0]) if rest else DEFAULT_SHAPES[rank]
        return GateSpec(op, shape) if shape is not None and len(shape) == rank else None
    op = words[0]
    if op not in engine.GATES:
        return None
    if len(words) == 1:
        return GateSpec(op)
    shape = parse_shape(words[1])
    return GateSpec(op, shape) if shape is not None and engine.GATES[op].is_source else None


def palette_specs() -> list[GateSpec]:
    """The shaped sources the palette lists after the plain ones."""
    sources = [gate.name for gate in engine.GATE_LIST if gate.is_source]  # input, const
    return [GateSpec(op, DEFAULT_SHAPES[rank]) for op in sources for rank in (1, 2)]
