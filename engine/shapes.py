"""Shapes: what each gate makes of its inputs' shapes, and a batch axis in front of them.

Every value has a shape, ``()``, ``(n,)`` or ``(m, n)`` (its *rank* is how many numbers the
shape has). A gate row's ``shape`` rule takes its inputs' shapes and gives its output's shape,
or raises ``ShapeError`` saying why they do not fit ("matmul cannot multiply shapes (2, 3) and
(2,)"). Element-by-element gates follow numpy's broadcasting (``broadcast``); the tensor gates
have rules of their own (``matmul_shape``, ``to_number``, ``transposed``). The plan infers every
node's shape once per change of structure (``infer_shape``).

In a batched run a value carries batch axes in front of its own shape: one row per data point
(or a grid of points). Numpy aligns shapes from the right, so a batched number (``(N,)``) would
meet a vector (``(2,)``) axis to axis; ``lifted`` puts size-1 axes between the batch axes and the
value's own, so each point's number broadcasts against the vector. A gradient that reaches a
port with more axes than the port's value, or with axes that broadcasting stretched, is summed
back to the value's shape by ``reduce_to`` (over the points, for a value no point changes).
"""

from __future__ import annotations

import numpy as np

from . import scalar_order


class ShapeError(ValueError):
    """Shapes that do not fit a gate; the message says how ("cannot multiply ...")."""


def broadcast(op: str, shapes: list) -> tuple:
    """The shape element-by-element gate ``op`` makes of ``shapes`` (numpy broadcasting)."""
    out = shapes[0]
    for shape in shapes[1:]:
        if shape == out:
            continue
        try:
            out = np.broadcast_shapes(out, shape)
        except ValueError:
            raise ShapeError(f"{op} cannot combine shapes {out} and {shape}") from None
    return out


def matmul_shape(op: str, shapes: list) -> tuple:
    """numpy's rules for ``a @ b`` with vectors and matrices."""
    a, b = shapes
    if not a or not b:
        raise ShapeError(f"{op} cannot multiply shapes {a} and {b} (it takes vectors and "
                         "matrices; a number is multiplied with mul)")
    inner_a = a[-1]
    inner_b = b[0] if len(b) == 1 else b[-2]
    if inner_a != inner_b:
        raise ShapeError(f"{op} cannot multiply shapes {a} and {b}")
    return a[:-1] + b[1:]


def to_number(op: str, shapes: list) -> tuple:
    """A reduction's shape: one number, whatever it sums."""
    return ()


def transposed(op: str, shapes: list) -> tuple:
    """A transpose's shape: a matrix's axes swapped; a vector or number stays as it is."""
    return tuple(reversed(shapes[0]))


def lifted(value, rank: int, to_rank: int):
    """``value`` (of ``rank``, maybe batched) with size-1 axes put after its batch axes, so
    that it broadcasts per point against values of ``to_rank``."""
    extra = to_rank - rank
    batch = np.ndim(value) - rank
    if extra <= 0 or batch <= 0:
        return value
    shape = np.shape(value)
    return np.reshape(value, shape[:batch] + (1,) * extra + shape[batch:])


def sum_to_shape(grad, shape: tuple, in_order: bool = False):
    """A broadcast gradient summed back to the shape of the value it belongs to (numpy's
    right-aligned broadcasting: leading axes summed away, stretched size-1 axes summed).
    ``in_order``: the gradient is not a batch's, so a small one is summed in the order its
    expanded scalar circuit adds it (engine/scalar_order.py)."""
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):  # a batched node that does not reach the output: its 0 per point
        grad = grad + np.zeros(shape)
    if in_order and scalar_order.fits(grad):
        return scalar_order.summed_back(grad, shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def sum_own_axes(grad, shape: tuple, rank: int):
    """``grad`` with the value's own size-1 axes that broadcasting stretched summed back
    (its batch axes, if any, kept): a gate's gradient as its gate reads it, per point."""
    grad = np.asarray(grad, dtype=np.float64)
    if not rank or grad.ndim < rank:
        return grad
    own = shape[len(shape) - rank:]
    start = grad.ndim - rank
    axes = tuple(start + k for k, size in enumerate(own)
                 if size == 1 and grad.shape[start + k] != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


def reduce_to(grad, value, rank: int, in_order: bool = False):
    """The gradient a port sent, summed back to the shape of ``value`` (of ``rank``, maybe
    batched): over the points for an unbatched value, over each point's broadcast axes for a
    batched one. Every batched value of a run has the same number of batch axes (``Plan``
    refuses batches that do not). ``in_order``: as ``sum_to_shape``'s."""
    shape = np.shape(value)
    if np.shape(grad) == shape:
        return grad
    batch = len(shape) - rank
    extra = np.ndim(grad) - len(shape)
    if batch > 0 and extra > 0:
        lifted_shape = shape[:batch] + (1,) * extra + shape[batch:]
        summed = sum_to_shape(grad, lifted_shape)
        # a view of what the gate sent would share memory with another node's gradient
        return summed.reshape(shape) if summed is not grad else np.reshape(grad, shape).copy()
    return sum_to_shape(grad, shape, in_order)
