"""How the plan runs a gate whose inputs are not all of one rank, batched or not.

Most steps need nothing: numbers with numbers, or vectors with vectors, broadcast as numpy
does, batch axes and all, and the plan calls the gate's functions directly. Two kinds of step
need help (engine/shapes.py says why):

- ``LiftedStep``: an element-by-element gate whose inputs have different ranks (a number times a
  vector). In a batched run its lower-rank inputs are lifted so they broadcast per point, and
  each gradient is summed back to its port's shape right away.
- ``RankedStep``: a tensor gate (matmul, sum, transpose), whose functions are told each input's
  own rank, so they know which axes are the batch's.

``infer_shape`` is the shape a gate makes of its inputs' shapes (ShapeError if they do not fit).
"""

from __future__ import annotations

import numpy as np

from .gates import Gate
from .shapes import broadcast, lifted, reduce_to


def infer_shape(gate: Gate, in_shapes: list) -> tuple:
    """The shape of ``gate``'s output for these input shapes; ShapeError if they do not fit."""
    if gate.shape_rule is None:
        return broadcast(gate.name, in_shapes)
    return gate.shape_rule(gate.name, in_shapes)


class TensorStep:
    """A step the plan runs through ``forward`` and ``backward`` here (see the docstring)."""

    def __init__(self, ranks: tuple, out_rank: int):
        self.ranks = ranks
        self.out_rank = out_rank

    def _reduced(self, sent, xs, upstream) -> tuple:
        # outside a batch, small gradients are summed as the expanded scalar circuit sums them
        in_order = np.ndim(upstream) == self.out_rank and all(
            np.ndim(x) == rank for x, rank in zip(xs, self.ranks))
        return tuple(reduce_to(grad, x, rank, in_order)
                     for grad, x, rank in zip(sent, xs, self.ranks))


class LiftedStep(TensorStep):
    """An element-by-element gate with inputs of different ranks."""

    def _lifted(self, xs) -> list:
        return [lifted(x, rank, self.out_rank) for x, rank in zip(xs, self.ranks)]

    def forward(self, forward, xs, params):
        """The gate's value, each point's lower-rank inputs broadcast against the others."""
        return forward(self._lifted(xs), params)

    def backward(self, backward, xs, out, upstream, params) -> tuple:
        """The gradients, each summed back to its port's shape."""
        return self._reduced(backward(self._lifted(xs), out, upstream, params), xs, upstream)


class RankedStep(TensorStep):
    """A tensor gate: its functions take each input's own rank."""

    def forward(self, forward, xs, params):
        """The gate's value, per point when batched."""
        return forward(xs, params, self.ranks)

    def backward(self, backward, xs, out, upstream, params) -> tuple:
        """The gradients, each summed back to its port's shape."""
        return self._reduced(backward(xs, out, upstream, params, self.ranks), xs, upstream)


def tensor_step(gate: Gate, in_shapes: list, out_shape: tuple) -> TensorStep | None:
    """The help a step needs, or None for a plain element-by-element step."""
    ranks = tuple(len(shape) for shape in in_shapes)
    if not gate.elementwise:
        return RankedStep(ranks, len(out_shape))
    if all(rank == len(out_shape) for rank in ranks):
        return None
    return LiftedStep(ranks, len(out_shape))

