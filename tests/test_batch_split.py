"""A big batched pass run in chunks on two threads gives the numbers the single pass gives.

``engine/batch_split.py`` cuts a pass of at least 4096 points into chunks along the first batch
axis, shares them with a worker thread and puts the results together. Each test runs the same
passes both ways (the single pass with splitting turned off) and compares every value and every
gradient: values and per-point gradients are computed point by point either way, and a weight's
gradient is the same sum over the points added in another order (equal to rounding).
"""

import gc
import threading

import numpy as np
import pytest

import engine
from engine import batch_split, plan_of
from engine.masked_gradient import relu_gradient
from helpers import build

RTOL = 1e-12


@pytest.fixture
def single_pass(monkeypatch):
    """Call ``single_pass(work)`` to run ``work()`` with splitting turned off."""
    def run_unsplit(work):
        with monkeypatch.context() as patch:
            patch.setattr(batch_split, "MIN_SPLIT_POINTS", 10**12)
            return work()
    return run_unsplit


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 64 KB: small nets over a few thousand points are cut into several."""
    monkeypatch.setattr(batch_split, "CHUNK_BYTES", 1 << 16)


def record_threads(monkeypatch, pass_name: str) -> list:
    """The names of the threads each call of ``Plan.<pass_name>`` runs on, as the passes run."""
    seen = []
    original = getattr(engine.Plan, pass_name)

    def recording(self, *args, **kwargs):
        seen.append(threading.current_thread().name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(engine.Plan, pass_name, recording)
    return seen


@pytest.fixture
def chunk_threads(monkeypatch):
    """The threads each chunk's backward pass ran on (the whole pass's call first)."""
    return record_threads(monkeypatch, "reference_backward")


@pytest.fixture
def forward_threads(monkeypatch):
    """The threads each chunk's forward pass ran on (the whole pass's call first)."""
    return record_threads(monkeypatch, "reference_forward")


def fan_out_net() -> engine.Circuit:
    """x (a point) feeds two layers (fan-out) whose relu and tanh are added; a number per point
    (y) scales the sum, broadcast against the vector; the score is the sum of the elements
    plus a weight times y."""
    rng = np.random.default_rng(1)
    return build({"x": ("input", {"value": [0.0, 0.0]}), "y": ("input", 0.0),
                  "A": ("input", rng.normal(size=(6, 2)).tolist()),
                  "B": ("input", rng.normal(size=(6, 2)).tolist()),
                  "c": ("input", 0.7), "k": ("const", rng.normal(size=6).tolist()),
                  "p": "matmul", "q": "matmul", "rp": "relu", "tq": "tanh",
                  "both": "add", "scaled": "mul", "shifted": "add", "total": "sum",
                  "cy": "mul", "score": "add"},
                 {"p": ["A", "x"], "q": ["B", "x"], "rp": ["p"], "tq": ["q"],
                  "both": ["rp", "tq"],
                  "scaled": ["both", "y"], "shifted": ["scaled", "k"],
                  "total": ["shifted"], "cy": ["c", "y"], "score": ["total", "cy"]},
                 "score")


def assert_same_pass(plan, values, grads, split_values, split_grads):
    for node_id, value, grad, split_value, split_grad in zip(
            plan.order, values, grads, split_values, split_grads):
        assert np.shape(split_value) == np.shape(value), node_id
        np.testing.assert_allclose(split_value, value, rtol=RTOL, atol=0, err_msg=node_id)
        if grad is None:
            assert split_grad is None, node_id
            continue
        assert np.shape(split_grad) == np.shape(grad), node_id
        scale = max(1.0, float(np.max(np.abs(grad))))
        np.testing.assert_allclose(split_grad, grad, rtol=RTOL, atol=RTOL * scale,
                                   err_msg=node_id)


def both_ways(single_pass, plan, inputs, seed=None, sources_only=False):
    def whole():
        values = plan.forward(inputs)
        return values, plan.backward(values, seed, sources_only=sources_only)
    return single_pass(whole), whole()


def grid(size: int) -> np.ndarray:
    axis = np.linspace(-3.0, 3.0, size)
    return np.stack([a.ravel() for a in np.meshgrid(axis, axis)], axis=1)


@pytest.mark.parametrize("sources_only", [False, True])
def test_the_h100_net_over_a_grid_split_gives_the_single_pass(single_pass, chunk_threads,
                                                              forward_threads, sources_only):
    plan = plan_of(engine.two_layer_net(100))
    (values, grads), (split_values, split_grads) = both_ways(
        single_pass, plan, {"x": grid(90)}, sources_only=sources_only)
    assert len(chunk_threads) > 2 and len(set(chunk_threads)) == 2  # chunks, on two threads
    assert len(forward_threads) > 2 and len(set(forward_threads)) == 2
    assert_same_pass(plan, values, grads, split_values, split_grads)
    w2 = plan.index["W2"]  # a weight's gradient: its sum over the points, as the single pass
    hidden = values[plan.index["h1"]]
    np.testing.assert_allclose(split_grads[w2], hidden.sum(axis=0), rtol=RTOL)


def test_a_seed_per_point_is_cut_with_the_points(single_pass, small_chunks, chunk_threads):
    plan = plan_of(engine.two_layer_net(20, seed=3))
    points = grid(70)
    slope = np.random.default_rng(4).normal(size=len(points))  # dL/dscore of each point
    (values, grads), (split_values, split_grads) = both_ways(
        single_pass, plan, {"x": points}, seed=slope, sources_only=True)
    assert len(set(chunk_threads)) == 2
    assert_same_pass(plan, values, grads, split_values, split_grads)
    b2 = plan.index["b2"]
    np.testing.assert_allclose(split_grads[b2], slope.sum(), rtol=RTOL)


def test_fan_out_and_broadcasting_split_give_the_single_pass(single_pass, small_chunks,
                                                            chunk_threads):
    plan = plan_of(fan_out_net())
    rng = np.random.default_rng(5)
    inputs = {"x": rng.normal(size=(5000, 2)), "y": rng.normal(size=5000)}
    (values, grads), (split_values, split_grads) = both_ways(single_pass, plan, inputs)
    assert len(set(chunk_threads)) == 2
    assert_same_pass(plan, values, grads, split_values, split_grads)


def test_a_grid_of_two_batch_axes_is_cut_along_the_first(single_pass, small_chunks,
                                                         chunk_threads):
    # x varies along the columns only (batch shape (1, 80)), y along the rows (80, 1): the
    # nodes made of x alone are not cut, and their gradients are summed over every chunk
    plan = plan_of(fan_out_net())
    axis = np.linspace(-2.0, 2.0, 80)
    xs = np.stack([axis, axis[::-1]], axis=-1)[None, :, :]  # (1, 80, 2)
    inputs = {"x": xs, "y": axis[:, None] + 0.5}  # (80, 1)
    (values, grads), (split_values, split_grads) = both_ways(single_pass, plan, inputs)
    assert len(set(chunk_threads)) == 2
    assert np.shape(values[plan.index["p"]]) == (1, 80, 6)  # x's layer: one row of the grid
    assert np.shape(values[plan.index["score"]]) == (80, 80)
    assert_same_pass(plan, values, grads, split_values, split_grads)


def test_non_finite_points_stay_where_they_are(single_pass, small_chunks, chunk_threads):
    plan = plan_of(engine.two_layer_net(8))
    points = grid(70)
    points[17] = [np.nan, 1.0]
    points[4000] = [np.inf, -np.inf]
    (values, grads), (split_values, split_grads) = both_ways(single_pass, plan, {"x": points})
    assert len(set(chunk_threads)) == 2
    score = split_values[plan.output_index]
    assert np.isnan(score[17]) and np.isnan(score[4000]) == np.isnan(values[-1][4000])
    assert np.isfinite(np.delete(score, [17, 4000])).all()
    np.testing.assert_array_equal(np.isnan(split_grads[plan.index["x"]]),
                                  np.isnan(grads[plan.index["x"]]))


def test_a_pass_under_4096_points_or_under_two_chunks_is_not_split(chunk_threads):
    plan = plan_of(engine.two_layer_net(160))  # 4096 points of h = 160 are 5.2 MB: 2 chunks
    plan.backward(plan.forward({"x": grid(64)[:4095]}))
    assert chunk_threads == [threading.current_thread().name]  # one pass, on this thread
    chunk_threads.clear()
    plan.backward(plan.forward({"x": grid(64)}))
    assert len(chunk_threads) >= 3 and len(set(chunk_threads)) == 2  # the pass, its chunks
    chunk_threads.clear()
    narrow = plan_of(engine.two_layer_net(40))  # 4096 points of 80 numbers: under 2 chunks
    narrow.backward(narrow.forward({"x": grid(64)}))
    assert len(chunk_threads) == 1


def test_relu_gradient_is_np_where_bit_for_bit():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(300, 7))
    g = rng.normal(size=(300, 7))
    a.flat[::5] = 0.0
    a.flat[1::9] = -0.0
    a.flat[2::11] = np.nan
    a.flat[3::13] = np.inf
    g.flat[::7] = np.inf
    g.flat[1::17] = np.nan
    g.flat[2::19] = -0.0
    expected = np.where(a <= 0, 0.0, g)
    got = relu_gradient(a, g)
    assert got.tobytes() == expected.tobytes()  # signed zeros and nans included
    assert (relu_gradient(a[::3, 1:], g[::3, 1:]).tobytes()
            == np.where(a[::3, 1:] <= 0, 0.0, g[::3, 1:]).tobytes())  # strided views
    assert relu_gradient(np.float64(-1.0), np.float64(3.0)) == 0.0
    assert relu_gradient(a[0], np.float64(2.0)).tolist() == np.where(a[0] <= 0, 0.0, 2.0).tolist()


def test_no_automatic_collection_runs_while_the_worker_computes(monkeypatch):
    seen = []
    original = batch_split._in_chunks

    def watching(chunks, compute, prepare, store):
        def watched(chunk):
            seen.append(gc.isenabled())
            return compute(chunk)
        return original(chunks, watched, prepare, store)

    monkeypatch.setattr(batch_split, "_in_chunks", watching)
    plan = plan_of(engine.two_layer_net(160))
    plan.backward(plan.forward({"x": grid(64)}))
    assert seen and not any(seen)
    assert gc.isenabled()
