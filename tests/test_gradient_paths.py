"""df/d(node) as a sum over paths of products of local gradients (CS231n lecture 4).

The CS231n neuron: x0's gradient 0.39 = 0.20 × 2, and its only path multiplies the local
gradients 2 × 1 × 1 × (-1) × 0.37 × 1 × (-0.53). Every number below is computed here from the
lecture's formulas, not read from the engine.
"""

import math

import numpy as np
import pytest

import engine
from engine import CircuitError, Wire
from engine.gradient_paths import gradient_paths
from tests.helpers import build, example


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


@pytest.fixture
def neuron():
    circuit = example("sigmoid_neuron_primitive")
    return circuit, engine.run(circuit)


def test_x0_of_the_cs231n_neuron_is_0_39_along_one_path(neuron):
    circuit, result = neuron
    explanation = gradient_paths(circuit, result, "x0")
    assert explanation.count == 1 and not explanation.truncated
    (path,) = explanation.paths
    assert path.nodes == ("x0", "w0x0", "dot", "z", "times_minus_1", "exp", "plus_1", "f")
    # z = w0*x0 + w1*x1 + w2 = 2*-1 + -3*-2 + -3 = 1; exp(-z) = 0.37; 1 + exp(-z) = 1.37
    e = math.exp(-1.0)
    expected = [2.0, 1.0, 1.0, -1.0, e, 1.0, -1.0 / (1.0 + e) ** 2]
    assert [factor.local for factor in path.factors] == pytest.approx(expected, rel=1e-12)
    assert [(f.gate, f.port, f.source) for f in path.factors] == [
        ("w0x0", 1, "x0"), ("dot", 0, "w0x0"), ("z", 0, "dot"), ("times_minus_1", 0, "z"),
        ("exp", 0, "times_minus_1"), ("plus_1", 0, "exp"), ("f", 0, "plus_1")]
    assert [f.op for f in path.factors] == ["mul", "add", "add", "scale", "exp", "offset",
                                            "recip"]
    dz = sigmoid(1.0) * (1 - sigmoid(1.0))  # 0.20
    assert round(dz, 2) == 0.20
    assert path.product == pytest.approx(2.0 * dz, rel=1e-12)
    assert round(path.product, 2) == 0.39
    assert explanation.total == pytest.approx(result.grads["x0"], rel=1e-12)
    # the chain rule's first step: df/dx0 = df/dw0x0 × w0 = 0.20 × 2
    (branch,) = explanation.branches
    assert (branch.gate, branch.port) == ("w0x0", 1)
    assert branch.upstream == pytest.approx(dz, rel=1e-12)
    assert branch.local == 2.0
    assert branch.term == pytest.approx(0.39322386648296376, rel=1e-12)


def test_every_node_of_the_neuron_sums_to_the_backward_pass(neuron):
    circuit, result = neuron
    for node_id in circuit.nodes:
        explanation = gradient_paths(circuit, result, node_id)
        assert explanation.total == pytest.approx(result.grads[node_id], rel=1e-12, abs=1e-15)
        assert explanation.shown_total == pytest.approx(explanation.total, rel=1e-12)


def test_add_mul_dq_is_z_and_x_passes_through_add():
    circuit = example("add_mul")  # (x + y) * z at (-2, 5, -4)
    result = engine.run(circuit)
    q = gradient_paths(circuit, result, "q")
    assert [f.local for f in q.paths[0].factors] == [-4.0]  # mul switches: dq gets z
    assert q.total == -4.0
    x = gradient_paths(circuit, result, "x")
    assert x.paths[0].nodes == ("x", "q", "f")
    assert [f.local for f in x.paths[0].factors] == [1.0, -4.0]
    assert x.total == -4.0
    z = gradient_paths(circuit, result, "z")
    assert [f.local for f in z.paths[0].factors] == [3.0] and z.total == 3.0  # q = 3


def test_a_wire_is_explained_by_its_source():
    circuit = example("add_mul")
    result = engine.run(circuit)
    explanation = gradient_paths(circuit, result, Wire("q", "f", 0))
    assert explanation.node_id == "q" and explanation.total == -4.0


def test_fan_out_gives_one_path_per_branch_and_they_add_up():
    # f = 3x + exp(x) at x = 0.5: two paths from x, products 3 and e^0.5
    circuit = build({"x": ("input", 0.5), "three": ("const", 3.0), "a": "mul", "b": "exp",
                     "f": "add"},
                    {"a": ["x", "three"], "b": ["x"], "f": ["a", "b"]})
    result = engine.run(circuit)
    explanation = gradient_paths(circuit, result, "x")
    assert explanation.count == 2
    products = sorted(path.product for path in explanation.paths)
    assert products == pytest.approx(sorted([3.0, math.exp(0.5)]), rel=1e-12)
    assert {path.nodes for path in explanation.paths} == {("x", "a", "f"), ("x", "b", "f")}
    assert explanation.total == pytest.approx(3.0 + math.exp(0.5), rel=1e-12)
    assert explanation.total == pytest.approx(result.grads["x"], rel=1e-12)
    assert [(b.gate, b.port) for b in explanation.branches] == [("a", 0), ("b", 0)]


def test_a_value_into_two_ports_of_one_gate_makes_two_paths():
    # x * x at x = 3: each port's local gradient is the other input, 3; df/dx = 2x = 6
    circuit = build({"x": ("input", 3.0), "f": "mul"}, {"f": ["x", "x"]})
    explanation = gradient_paths(circuit, engine.run(circuit), "x")
    assert explanation.count == 2
    assert [p.factors[0].port for p in explanation.paths] == [0, 1]
    assert [p.product for p in explanation.paths] == [3.0, 3.0]
    assert explanation.total == 6.0


def test_the_output_has_one_empty_path_of_product_1(neuron):
    circuit, result = neuron
    explanation = gradient_paths(circuit, result, "f")
    assert explanation.count == 1
    assert explanation.paths[0].nodes == ("f",) and explanation.paths[0].factors == ()
    assert explanation.paths[0].product == 1.0 and explanation.total == 1.0


def test_a_node_that_does_not_reach_the_output_has_no_paths():
    circuit = build({"x": ("input", 1.0), "y": ("input", 2.0), "f": "exp", "side": "neg"},
                    {"f": ["x"], "side": ["y"]}, output="f")
    explanation = gradient_paths(circuit, engine.run(circuit), "y")
    assert explanation.count == 0 and explanation.paths == () and explanation.total == 0.0
    assert not explanation.truncated


def test_paths_are_counted_past_the_limit_and_the_total_covers_all_of_them():
    # a ladder of add(prev, prev) gates: every rung doubles the paths, each of product 1
    rungs = 40
    nodes = {"x": ("input", 1.0)}
    wires = {}
    previous = "x"
    for k in range(rungs):
        nodes[f"r{k}"] = "add"
        wires[f"r{k}"] = [previous, previous]
        previous = f"r{k}"
    circuit = build(nodes, wires)
    result = engine.run(circuit)
    explanation = gradient_paths(circuit, result, "x", limit=64)
    assert explanation.count == 2 ** rungs
    assert len(explanation.paths) == 64 and explanation.truncated
    assert all(path.product == 1.0 and len(path.factors) == rungs
               for path in explanation.paths)
    assert explanation.total == 2.0 ** rungs == result.grads["x"]
    assert explanation.shown_total == 64.0
    assert len({tuple(f.port for f in p.factors) for p in explanation.paths}) == 64


def test_a_deep_chain_does_not_hit_the_recursion_limit():
    depth = 3000
    nodes = {"x": ("input", 0.25)}
    wires = {}
    previous = "x"
    for k in range(depth):
        nodes[f"n{k}"] = "neg"
        wires[f"n{k}"] = [previous]
        previous = f"n{k}"
    circuit = build(nodes, wires)
    explanation = gradient_paths(circuit, engine.run(circuit), "x")
    assert explanation.count == 1 and len(explanation.paths[0].factors) == depth
    assert explanation.total == 1.0  # (-1) ** 3000


def test_an_incomplete_circuit_cannot_be_explained():
    circuit = build({"x": ("input", 1.0), "f": "mul"}, {"f": ["x"]})  # port 1 open
    result = engine.run(circuit, allow_incomplete=True)
    with pytest.raises(CircuitError, match="output cannot be computed"):
        gradient_paths(circuit, result, "x")


def test_an_unknown_node_is_an_error(neuron):
    circuit, result = neuron
    with pytest.raises(CircuitError):
        gradient_paths(circuit, result, "nope")


# ------------------------------------------------------------------ vectors and matrices
def test_df_dw_is_the_product_of_the_local_jacobians_along_the_path():
    circuit = example("wx_squared")
    result = engine.run(circuit)
    explained = gradient_paths(circuit, result, "W")
    (path,) = explained.paths
    assert path.nodes == ("W", "q", "sq", "f") and explained.count == 1
    j_matmul, j_pow, j_sum = (factor.local for factor in path.factors)
    w, x = np.array([[0.1, 0.5], [-0.3, 0.8]]), np.array([0.2, 0.4])
    # the lecture's Jacobians, written independently: dq_i/dW_jk = [i == j] x_k
    assert np.allclose(j_matmul, [[0.2, 0.4, 0.0, 0.0], [0.0, 0.0, 0.2, 0.4]])
    assert np.allclose(j_pow, np.diag(2 * (w @ x)))  # "almost an identity": a diagonal
    assert np.allclose(j_sum, [[1.0, 1.0]])
    product = (j_sum @ j_pow @ j_matmul).reshape(2, 2)
    assert np.allclose(path.product, product)
    assert np.allclose(explained.total, [[0.088, 0.176], [0.104, 0.208]])  # FORMAT.md 5
    assert np.allclose(explained.total, result.grads["W"], rtol=1e-14)
    (branch,) = explained.branches
    assert branch.gate == "q" and np.allclose(branch.upstream, [0.44, 0.52])
    assert np.allclose(gradient_paths(circuit, result, "x").total, [-0.112, 0.636])


def test_tensor_paths_add_up_to_the_backward_pass_in_the_11_line_net():
    circuit = example("numpy_net_11_lines")
    result = engine.run(circuit)
    for node_id in ("syn0", "syn1", "l1", "y"):
        explained = gradient_paths(circuit, result, node_id)
        assert np.shape(explained.total) == np.shape(result.values[node_id])
        assert np.allclose(explained.total, result.grads[node_id], rtol=1e-12, atol=1e-15)
        assert np.allclose(explained.shown_total, explained.total)


def test_a_jacobian_too_big_to_write_out_is_refused_with_its_size():
    circuit = build({"a": ("input", np.ones(300).tolist()), "r": "relu", "f": "sum"},
                    {"r": ["a"], "f": ["r"]})
    with pytest.raises(CircuitError, match="300×300 numbers"):
        gradient_paths(circuit, engine.run(circuit), "a")
