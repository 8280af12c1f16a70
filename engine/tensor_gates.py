"""The arithmetic of the gates that work on whole vectors and matrices: matmul, sum, transpose.

Element-by-element gates need nothing of their own for tensors (numpy broadcasts them). These
do: their forward and backward take, besides the gate table's usual arguments, ``ranks``, the
rank of each input's own value; any axes in front of those are batch axes (one per data point,
or a grid of points), and the gate works per point. ``ranks`` None means "no batch": each
input's rank is its number of axes. Each backward returns one gradient per port; where a port's
value has no batch axes but the upstream gradient has, it may return the gradient per point and
the plan sums it over the points (``shapes.reduce_to``), or sum it here when that is cheaper.

As the lecture writes them, for q = W·x with upstream gradient dq: dW = dq·xᵀ and dx = Wᵀ·dq;
vectors are treated as numpy treats them (a vector on the left is a row, on the right a
column), and the Jacobian is never formed.
"""

from __future__ import annotations

import numpy as np

from . import scalar_order


def _ranks(xs, ranks):
    return tuple(np.ndim(x) for x in xs) if ranks is None else ranks


def _batched(xs, ranks) -> tuple:
    return tuple(np.ndim(x) > rank for x, rank in zip(xs, ranks))


def _as_matrices(a, b, rank_a, rank_b):
    """``a`` and ``b`` as stacks of matrices: a vector on the left a row, on the right a
    column."""
    return (a if rank_a == 2 else a[..., None, :]), (b if rank_b == 2 else b[..., :, None])


def _squeezed(out, rank_a, rank_b):
    """A matrix product of lifted vectors back to numpy's shape for ``a @ b``."""
    if rank_b == 1:
        out = out[..., 0]
    if rank_a == 1:
        out = out[..., 0, :] if rank_b == 2 else out[..., 0]
    return out


def _lifted_grad(g, rank_a, rank_b):
    """The upstream gradient in the shape of the lifted product (``_squeezed``'s inverse)."""
    if rank_a == 1:
        g = g[..., None, :] if rank_b == 2 else g[..., None]
    if rank_b == 1:
        g = g[..., None]
    return g


def _rows(x, rank):
    """A batched value with its batch axes flattened into one: (points, own shape...)."""
    return np.reshape(x, (-1,) + np.shape(x)[np.ndim(x) - rank:])


def matmul_forward(xs, p, ranks=None):
    """a0 @ a1, per point when batched."""
    a, b = xs
    rank_a, rank_b = _ranks(xs, ranks)
    batched_a, batched_b = _batched(xs, (rank_a, rank_b))
    if not batched_a and not batched_b:
        if scalar_order.fits(a, b):  # as the expanded scalar circuit computes it, bit for bit
            return scalar_order.matmul(a, b)
        return np.matmul(a, b)[()]
    if batched_b and not batched_a and rank_b == 1:  # W · x for each point x: one big product
        return np.matmul(b, a.T if rank_a == 2 else a)
    if batched_a and not batched_b and rank_a == 1:  # xᵀ · W (or x · w) for each point x
        return np.matmul(a, b)
    lifted_a, lifted_b = _as_matrices(a, b, rank_a, rank_b)
    return _squeezed(np.matmul(lifted_a, lifted_b), rank_a, rank_b)


def matmul_backward(xs, out, g, p, ranks=None):
    """dW = dq·xᵀ, dx = Wᵀ·dq (per point when batched; summed over the points for an unbatched
    port)."""
    a, b = xs
    rank_a, rank_b = _ranks(xs, ranks)
    batched_a, batched_b = _batched(xs, (rank_a, rank_b))
    if (not batched_a and not batched_b and np.ndim(g) == rank_a + rank_b - 2
            and scalar_order.fits(a, b, g)):
        return scalar_order.matmul_grads(a, b, g)
    if batched_b and not batched_a and rank_b == 1:
        rows_g, rows_b = _rows(g, rank_a - 1), _rows(b, 1)
        if rank_a == 2:  # q = W x per point: dW = Σ dq xᵀ, dx = Wᵀ dq
            return rows_g.T @ rows_b, np.matmul(g, a)
        return rows_g @ rows_b, g[..., None] * a  # q = w · x: dw = Σ dq x, dx = dq w
    if batched_a and not batched_b and rank_a == 1:
        rows_g, rows_a = _rows(g, rank_b - 1), _rows(a, 1)
        if rank_b == 2:  # q = x W per point: dx = dq Wᵀ, dW = Σ x dqᵀ
            return np.matmul(g, b.T), rows_a.T @ rows_g
        return g[..., None] * b, rows_g @ rows_a
    lifted_a, lifted_b = _as_matrices(a, b, rank_a, rank_b)
    lifted_g = _lifted_grad(np.asarray(g, dtype=np.float64), rank_a, rank_b)
    grad_a = np.matmul(lifted_g, np.swapaxes(lifted_b, -1, -2))
    grad_b = np.matmul(np.swapaxes(lifted_a, -1, -2), lifted_g)
    if rank_a == 1:
        grad_a = grad_a[..., 0, :]
    if rank_b == 1:
        grad_b = grad_b[..., 0]
    return grad_a, grad_b


def _own_axes(x, rank) -> tuple:
    return tuple(range(np.ndim(x) - rank, np.ndim(x)))


def sum_forward(xs, p, ranks=None):
    """The sum of a value's elements (of each point's, when batched)."""
    x = xs[0]
    rank = _ranks(xs, ranks)[0]
    if rank == 0:
        return x
    total = np.sum(x, axis=_own_axes(x, rank))[()]
    if np.ndim(x) == rank and total == 0:  # its sign as the expanded scalar circuit's
        return scalar_order.zero_sum(x)
    return total


def sum_backward(xs, out, g, p, ranks=None):
    """Every element gets the upstream gradient."""
    x = xs[0]
    rank = _ranks(xs, ranks)[0]
    g = np.asarray(g, dtype=np.float64)
    spread = np.reshape(g, np.shape(g) + (1,) * rank)
    return (np.broadcast_to(spread, np.broadcast_shapes(np.shape(spread), np.shape(x))).copy(),)


def transpose_forward(xs, p, ranks=None):
    """A matrix's axes swapped (each point's, when batched); a vector or number as it is."""
    x = xs[0]
    rank = _ranks(xs, ranks)[0]
    return np.swapaxes(x, -1, -2).copy() if rank == 2 else x


def transpose_backward(xs, out, g, p, ranks=None):
    """The upstream gradient transposed back."""
    rank = _ranks(xs, ranks)[0]
    return (np.swapaxes(g, -1, -2).copy() if rank == 2 else g,)
