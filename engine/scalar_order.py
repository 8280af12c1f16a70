"""Small tensors added up in the order their expanded scalar circuit adds them.

Expand to Scalars (engine/expand.py) writes a tensor gate whose values have at most
``MAX_ELEMENTS`` elements each as number gates, and promises the same numbers bit for bit.
Floating-point sums depend on their order, and numpy's order is not the scalar circuit's: a
matrix product goes to BLAS, which fuses each multiply with its add and blocks its sums, and
``np.sum`` adds pairwise. So the sums whose order numpy would choose are done here, for values
that small and outside a batch (a batch's big products stay on BLAS), in the scalar circuit's
order, each product and each sum rounded on its own (no fused multiply-add):

- a product's element is its expansion's mul gates added by one add, left to right:
  ``q[i,j] = ((a[i,0]·b[0,j] + a[i,1]·b[1,j]) + a[i,2]·b[2,j]) + ...``;
- a gradient that several mul or element gates send back to one number is added up as the
  scalar backward pass adds it (``+=``, the gates in the reverse of the order they ran
  forward). The expansion makes those gates in row-major order of what they compute, and they
  run forward in that order, so the last one's share comes first:
  ``da[i,t] = ((dq[i,n-1]·b[t,n-1] + dq[i,n-2]·b[t,n-2]) + ...) + dq[i,0]·b[t,0]``, and a
  number broadcast over a vector gets its gates' gradients from the last element to the first.

``np.add.accumulate`` adds left to right by definition (each partial sum is the one before
plus the next term), so its last partial sum is the sequential sum, in one call.
"""

from __future__ import annotations

import numpy as np

# the most elements a value may have to be expanded (engine/expand.py); every matrix product
# whose values all fit is computed here
MAX_ELEMENTS = 64


def _sequential_sum(terms: np.ndarray, axis: int) -> np.ndarray:
    """``terms`` added left to right along ``axis``, which is then dropped."""
    return np.take(np.add.accumulate(terms, axis=axis), -1, axis=axis)


def fits(*values) -> bool:
    """True when every value has at most MAX_ELEMENTS elements."""
    return all(np.size(value) <= MAX_ELEMENTS for value in values)


def _matrices(a, b):
    """``a`` and ``b`` as matrices: a vector on the left a row, on the right a column."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return (a if a.ndim == 2 else a[None, :]), (b if b.ndim == 2 else b[:, None])


def _squeezed(out: np.ndarray, rank_a: int, rank_b: int):
    """A product of lifted vectors back to numpy's shape for ``a @ b``."""
    if rank_b == 1:
        out = out[:, 0]
    if rank_a == 1:
        out = out[0]
    return out[()]


def matmul(a, b):
    """``a @ b`` (vectors or matrices, no batch) with each element's terms added in order."""
    rows, columns = _matrices(a, b)
    products = rows[:, :, None] * columns[None, :, :]  # [i, t, j] = a[i,t]·b[t,j]
    return _squeezed(_sequential_sum(products, axis=1), np.ndim(a), np.ndim(b))


def matmul_grads(a, b, g) -> tuple:
    """(da, db) for ``q = a @ b`` and upstream gradient ``g``, each term the mul gate's
    product of the other input and dq, added from the last term to the first."""
    rows, columns = _matrices(a, b)
    grad = np.asarray(g, dtype=np.float64).reshape(rows.shape[0], columns.shape[1])
    # da[i,t] = Σ over j (last first) of dq[i,j]·b[t,j]
    to_a = grad[:, None, ::-1] * columns[None, :, ::-1]
    grad_a = _sequential_sum(to_a, axis=2)
    # db[t,j] = Σ over i (last first) of a[i,t]·dq[i,j]
    to_b = rows[::-1, :, None] * grad[::-1, None, :]
    grad_b = _sequential_sum(to_b, axis=0)
    if np.ndim(a) == 1:
        grad_a = grad_a[0]
    if np.ndim(b) == 1:
        grad_b = grad_b[:, 0]
    return grad_a, grad_b


def zero_sum(values: np.ndarray) -> np.float64:
    """The sum of elements that add up to zero, with the sign the scalar circuit's adds give
    it: numpy's sum starts from +0.0, the expanded adds from the first element, so they differ
    only where every element is -0.0 (and only then is a sum -0.0)."""
    all_negative_zeros = bool(np.all(np.signbit(values)) and not np.any(values))
    return np.float64(-0.0 if all_negative_zeros else 0.0)


def summed_back(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """``grad`` summed back to ``shape`` over its leading axes and the axes broadcasting
    stretched (as ``shapes.sum_to_shape``), each element's terms from the last to the first."""
    extra = grad.ndim - len(shape)
    summed = list(range(extra)) + [extra + k for k, size in enumerate(shape)
                                   if size == 1 and grad.shape[extra + k] != 1]
    kept = [axis for axis in range(grad.ndim) if axis not in summed]
    terms = np.transpose(grad, summed + kept).reshape((-1,) + shape)
    return _sequential_sum(terms[::-1], axis=0)
