"""The numpy passes over batches: what the speed work changed must not change a number.

The backward pass adds the gradients that reach a node into an array of its own in place,
sums a weight's gradient over the batch as soon as the last one has reached it, and copies a
gradient a gate handed on unchanged (or, for training, keeps only the sources' gradients);
variadic add and mul update their own result in place; the engine keeps freed memory for the
next pass. These tests hold that every number is still the one the plain way gives (each
gradient added as it arrives, summed to shape at the end), bit for bit, that no array is shared
or overwritten, and that a later pass takes no page faults.
"""

import random
import resource
import sys

import numpy as np
import pytest

import engine
from engine import GATES, plan_of, run
from engine.heap import keep_freed_memory
from engine.shapes import reduce_to
from helpers import build

OPS = ["add", "mul", "sub", "max", "relu", "tanh", "neg", "offset", "scale", "abs"]


def plain_backward(plan, values, seed=None):
    """The backward pass done the plain way: every gradient added to what reached the node
    before (a new array each time; both summed over the points first where one already was),
    each summed to its node's shape at the very end."""
    grads = [None] * len(values)
    ones = np.ones_like(values[plan.output_index])
    grads[plan.output_index] = ones if seed is None else ones * seed
    with np.errstate(all="ignore"):
        for i, _forward, backward, ports, node in plan.backward_steps:
            xs = [values[j] for j in ports]
            if i in plan._kinds:  # a gate with tensor inputs of other ranks
                sent = plan._kinds[i].backward(backward, xs, values[i], grads[i], node.params)
            else:
                sent = backward(xs, values[i], grads[i], node.params)
            for j, grad in zip(ports, sent):
                if grads[j] is None:
                    grads[j] = grad
                elif np.shape(grad) == np.shape(grads[j]):
                    grads[j] = grads[j] + grad
                else:  # one was summed over the points already: both are, then added
                    value, rank = values[j], plan._ranks[j]
                    grads[j] = reduce_to(grads[j], value, rank) + reduce_to(grad, value, rank)
        for j, grad in enumerate(grads):
            shape = np.shape(values[j])
            if grad is None:  # not upstream of the output: 0
                grads[j] = np.float64(0.0)
                continue
            grad = np.asarray(grad, dtype=np.float64)
            if grad.ndim < len(shape):  # the same gradient at every point
                grad = grad + np.zeros(shape)
            if grad.ndim > len(shape):  # summed over the batch
                grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
            grads[j] = grad
    return grads


def random_batched_circuit(rng: random.Random, n_gates: int = 30) -> engine.Circuit:
    """Sources a0, a1 (batches) and w0..w3 (single numbers), gates taking any earlier node on
    any port (fan-out everywhere, several ports from one node), the last gate the output."""
    ids = ["a0", "a1", "w0", "w1", "w2", "w3"]
    circuit = engine.Circuit()
    for node_id in ids:
        circuit.add_node("input", node_id, value=0.5)
    for k in range(n_gates):
        gate = GATES[rng.choice(OPS)]
        ports = rng.randint(2, 5) if gate.variadic else gate.min_ports
        params = {gate.params[0]: rng.uniform(-2.0, 2.0)} if gate.params else None
        circuit.add_node(gate.name, f"g{k}", params=params, inputs=ports)
        for port in range(ports):
            circuit.connect(rng.choice(ids), f"g{k}", port)
        ids.append(f"g{k}")
    circuit.set_output(ids[-1])
    return circuit


def bits(x):
    return np.asarray(x, dtype=np.float64).tobytes()


def random_batched_run(seed: int, special: bool) -> tuple:
    """A random batched circuit's plan, its values over 64 points (``special``: signed zeros,
    infinities and nans among them) and an upstream gradient per point."""
    plan = plan_of(random_batched_circuit(random.Random(seed)))
    points = np.random.default_rng(seed).normal(size=(2, 64))
    weights = {"w0": 0.5, "w1": -1.5, "w2": 2.0, "w3": 0.0}
    if special:
        points[:, :4] = [[0.0, -0.0, np.inf, np.nan], [-0.0, 0.0, -np.inf, 1.0]]
        weights.update(w0=0.0, w3=np.nan)
    values = plan.forward({"a0": points[0], "a1": points[1], **weights})
    return plan, values, np.random.default_rng(seed + 100).normal(size=64)


@pytest.mark.parametrize("seed", range(40))
def test_gradients_are_the_plain_ways_bit_for_bit(seed):
    plan, values, upstream = random_batched_run(seed, special=True)
    for seed_gradient in (None, upstream):
        grads = plan.backward(values, seed=seed_gradient)
        expected = plain_backward(plan, values, seed_gradient)
        for node_id, grad, want in zip(plan.order, grads, expected):
            assert np.shape(grad) == np.shape(want), node_id
            assert bits(grad) == bits(want), node_id


def test_a_node_reached_many_times_leaves_the_gradient_it_was_handed_alone():
    # s = x + x + x + x: add hands s's gradient to x four times; x adds them up in an array of
    # its own, and s's gradient stays 1 at every point
    circuit = build({"x": ("input", 0.0), "s": "add"}, {"s": ["x", "x", "x", "x"]}, "s")
    result = run(circuit, {"x": np.array([1.0, 2.0, 3.0])})
    np.testing.assert_array_equal(result.grads["s"], [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(result.grads["x"], [4.0, 4.0, 4.0])
    assert not np.shares_memory(result.grads["s"], result.grads["x"])


def test_a_weight_over_a_batch_sums_what_reached_it_then_the_points():
    # w feeds two products: its gradient is sum over the points of (y + x), in that order
    circuit = build({"w": ("input", 3.0), "x": ("input", 0.0), "y": ("input", 0.0),
                     "p": "mul", "q": "mul", "f": "add"},
                    {"p": ["w", "x"], "q": ["w", "y"], "f": ["p", "q"]}, "f")
    xs = np.random.default_rng(0).normal(size=1001)
    ys = np.random.default_rng(1).normal(size=1001)
    result = run(circuit, {"x": xs, "y": ys})
    assert type(result.grads["w"]) is float
    assert result.grads["w"] == float(np.sum(ys + xs))
    np.testing.assert_array_equal(result.grads["x"], np.full(1001, 3.0))


def test_two_runs_give_independent_arrays():
    circuit = engine.hidden_layer_net(4, "relu")
    plan = plan_of(circuit)
    first_points = {"x": np.linspace(-1.0, 1.0, 50), "y": np.linspace(1.0, -1.0, 50)}
    first = run(circuit, first_points)
    kept_values = {node_id: np.array(v, copy=True) for node_id, v in first.values.items()}
    kept_grads = {node_id: np.array(g, copy=True) for node_id, g in first.grads.items()}
    run(circuit, {"x": np.linspace(5.0, 6.0, 50), "y": np.linspace(-6.0, -5.0, 50)})
    plan.backward(plan.forward({"x": np.full(50, 9.0), "y": np.full(50, 9.0)}))
    for node_id in plan.order:
        assert bits(first.values[node_id]) == bits(kept_values[node_id]), node_id
        assert bits(first.grads[node_id]) == bits(kept_grads[node_id]), node_id
    arrays = [g for g in first.grads.values() if isinstance(g, np.ndarray)]
    assert len(arrays) > 10
    for k, grad in enumerate(arrays):
        assert not any(np.shares_memory(grad, other) for other in arrays[k + 1:])


@pytest.mark.parametrize("op", ["add", "mul"])
def test_variadic_gates_on_batches_leave_their_inputs_alone(op):
    columns = np.random.default_rng(2).normal(size=(5, 30))
    originals = columns.copy()
    nodes = {f"a{k}": ("input", 0.0) for k in range(5)}
    circuit = build({**nodes, "g": op}, {"g": list(nodes)}, "g")
    result = run(circuit, {f"a{k}": columns[k] for k in range(5)})
    fold = columns[0]
    for column in columns[1:]:
        fold = fold + column if op == "add" else fold * column
    assert bits(result.value) == bits(fold)
    assert bits(columns) == bits(originals)
    # a single number among the ports: the result grows to the batch's shape from there on
    mixed = run(circuit, {"a0": 2.0, "a1": 3.0, "a2": columns[2], "a3": 4.0, "a4": columns[4]})
    expected = (2.0 + 3.0 + columns[2] + 4.0 + columns[4] if op == "add"
                else 2.0 * 3.0 * columns[2] * 4.0 * columns[4])
    assert bits(mixed.value) == bits(expected)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_a_later_pass_over_a_grid_takes_no_page_faults():
    assert keep_freed_memory()  # the app and the command line do it at start-up
    circuit = engine.hidden_layer_net(16, "relu")
    plan = plan_of(circuit)
    axis = np.linspace(-3.0, 3.0, 200)
    grid_x, grid_y = (a.ravel() for a in np.meshgrid(axis, axis))
    inputs = {"x": grid_x, "y": grid_y}
    kept = plan.forward(inputs)  # a pass's values kept while others run, as the window does
    plan.backward(plan.forward(inputs))
    faults = []
    for _ in range(3):
        for work in (lambda: plan.backward(plan.forward(inputs)),
                     lambda: plan.forward(inputs), lambda: plan.backward(kept)):
            before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
            work()
            faults.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)
    # each pass writes about 60 MB of arrays (15 000 pages): fresh pages would fault each
    assert sum(faults) < 1000, faults


@pytest.mark.parametrize("seed", range(20))
def test_sources_only_gives_the_sources_gradients_of_the_full_pass(seed):
    plan, values, upstream = random_batched_run(seed, special=False)
    full = plan.backward(values, seed=upstream)
    lean = plan.backward(values, seed=upstream, sources_only=True)
    sources = {i for i, _node in plan.sources}
    for i, (grad, want) in enumerate(zip(lean, full)):
        if i in sources:
            assert bits(grad) == bits(want), plan.order[i]
        else:
            assert grad is None, plan.order[i]
    arrays = [lean[i] for i in sorted(sources) if isinstance(lean[i], np.ndarray)]
    for k, grad in enumerate(arrays):  # a0 and a1 may be handed one array: each has its own
        assert not any(np.shares_memory(grad, other) for other in arrays[k + 1:])


def test_sources_only_still_gives_each_source_its_own_array():
    # add hands its gradient to both inputs; the gate's own is not kept, the inputs' are apart
    circuit = build({"a": ("input", 0.0), "b": ("input", 0.0), "s": "add"}, {"s": ["a", "b"]},
                    "s")
    plan = plan_of(circuit)
    values = plan.forward({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])})
    grads = plan.backward(values, seed=np.array([0.5, -2.0]), sources_only=True)
    a, b, s = (grads[plan.index[node_id]] for node_id in "abs")
    assert s is None
    np.testing.assert_array_equal(a, [0.5, -2.0])
    np.testing.assert_array_equal(b, [0.5, -2.0])
    assert not np.shares_memory(a, b)


def test_tensor_gradients_are_the_plain_ways_bit_for_bit():
    # W reaches the output through a matmul (whose step sums W's gradient over the points) and
    # through an add with a batched matrix (which sends it per point): both ways, and fan-out
    nodes = {"W": ("input", {"value": [[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]]}),
             "x": ("input", {"feature": [0, 1]}),
             "s": "sum", "Y": "mul", "Z": "add", "q": "matmul", "f": "sum",
             "r": "matmul", "g": "sum", "out": "add"}
    wires = {"s": ["x"], "Y": ["W", "s"], "Z": ["W", "Y"], "q": ["Z", "x"], "f": ["q"],
             "r": ["W", "x"], "g": ["r"], "out": ["f", "g", "s"]}
    plan = plan_of(build(nodes, wires, "out"))
    assert not plan.problems
    points = np.random.default_rng(3).normal(size=(7, 2))
    points[0] = [-0.0, 0.0]
    values = plan.forward({"x": points})
    upstream = np.random.default_rng(4).normal(size=7)
    sources = {i for i, _node in plan.sources}
    for seed_gradient in (None, upstream):
        grads = plan.backward(values, seed=seed_gradient)
        lean = plan.backward(values, seed=seed_gradient, sources_only=True)
        expected = plain_backward(plan, values, seed_gradient)
        for i, node_id in enumerate(plan.order):
            assert bits(grads[i]) == bits(expected[i]), node_id
            assert (bits(lean[i]) == bits(expected[i])) if i in sources else lean[i] is None
    assert np.shape(grads[plan.index["W"]]) == (3, 2)
    assert np.shape(grads[plan.index["x"]]) == (7, 2)


def test_one_blas_thread_from_start_up_on():
    from threadpoolctl import threadpool_info

    engine.single_blas_thread()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
