"""Small tensors added up in the scalar circuit's order (engine/scalar_order.py).

Each result is compared, bit for bit, with the same arithmetic written out on Python floats:
the products of a matrix product added left to right, a gradient's terms from the last to the
first. A batch's products stay numpy's (BLAS).
"""

import numpy as np
import pytest

import engine
from engine import scalar_order, tensor_gates
from engine.shapes import sum_to_shape

RANK_CASES = [((2, 3), (3, 4)), ((2, 3), (3,)), ((3,), (3, 2)), ((5,), (5,)), ((4, 1), (1, 3)),
              ((1, 20), (20,)), ((8, 8), (8, 8))]


def as_matrices(a, b):
    return (a if a.ndim == 2 else a[None, :]), (b if b.ndim == 2 else b[:, None])


def in_order(terms) -> float:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


@pytest.mark.parametrize("shapes", RANK_CASES, ids=str)
def test_a_product_adds_each_elements_products_left_to_right(shapes):
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    rows, columns = as_matrices(a, b)
    expected = [[in_order([float(rows[i, t]) * float(columns[t, j])
                           for t in range(rows.shape[1])])
                 for j in range(columns.shape[1])] for i in range(rows.shape[0])]
    got = scalar_order.matmul(a, b)
    assert np.shape(got) == np.shape(a @ b)
    assert np.reshape(got, -1).tolist() == np.reshape(expected, -1).tolist()
    assert tensor_gates.matmul_forward([a, b], {}).tolist() == np.asarray(got).tolist()


@pytest.mark.parametrize("shapes", RANK_CASES, ids=str)
def test_a_products_gradients_add_their_terms_from_the_last_to_the_first(shapes):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    g = rng.standard_normal(np.shape(a @ b))
    rows, columns = as_matrices(a, b)
    m, k, n = rows.shape[0], rows.shape[1], columns.shape[1]
    dq = np.reshape(g, (m, n))
    da = [[in_order([float(dq[i, j]) * float(columns[t, j]) for j in reversed(range(n))])
           for t in range(k)] for i in range(m)]
    db = [[in_order([float(rows[i, t]) * float(dq[i, j]) for i in reversed(range(m))])
           for j in range(n)] for t in range(k)]
    grad_a, grad_b = tensor_gates.matmul_backward([a, b], a @ b, g, {})
    assert np.shape(grad_a) == a.shape and np.shape(grad_b) == b.shape
    assert np.reshape(grad_a, -1).tolist() == np.reshape(da, -1).tolist()
    assert np.reshape(grad_b, -1).tolist() == np.reshape(db, -1).tolist()


@pytest.mark.parametrize("grad_shape, shape", [((4,), ()), ((2, 3), (2, 1)), ((2, 3), (1, 3)),
                                               ((2, 3), (3,)), ((8, 8), ()), ((4, 5), (1, 1))])
def test_a_broadcast_gradient_is_summed_back_from_the_last_element_to_the_first(grad_shape,
                                                                                  shape):
    grad = np.random.default_rng(5).standard_normal(grad_shape)
    target = (1,) * (len(grad_shape) - len(shape)) + shape
    expected = np.zeros(target)
    seen = np.zeros(target, dtype=bool)
    for index in reversed(list(np.ndindex(grad_shape))):  # the last element's share first
        to = tuple(0 if size == 1 else i for i, size in zip(index, target))
        expected[to] = grad[index] if not seen[to] else expected[to] + grad[index]
        seen[to] = True
    got = sum_to_shape(grad, shape, in_order=True)
    assert got.shape == shape and got.tolist() == expected.reshape(shape).tolist()


def test_a_sum_of_negative_zeros_is_negative_zero_as_the_scalar_adds_make_it():
    assert np.signbit(tensor_gates.sum_forward([np.full(6, -0.0)], {}))
    assert not np.signbit(tensor_gates.sum_forward([np.array([-0.0, 0.0, -0.0])], {}))
    assert not np.signbit(tensor_gates.sum_forward([np.array([1.0, -1.0])], {}))


def test_a_batch_and_a_big_product_stay_numpys():
    rng = np.random.default_rng(6)
    w, points = rng.standard_normal((3, 2)), rng.standard_normal((50, 2))
    batched = tensor_gates.matmul_forward([w, points], {}, ranks=(2, 1))
    assert batched.tolist() == np.matmul(points, w.T).tolist()
    big = rng.standard_normal((9, 9))
    assert tensor_gates.matmul_forward([big, big], {}).tolist() == (big @ big).tolist()
    assert not scalar_order.fits(big)
    # a batch's gradient summed over its points is numpy's sum, whatever its size
    grad = rng.standard_normal((10, 2))
    assert sum_to_shape(grad, (2,)).tolist() == grad.sum(axis=0).tolist()
