"""Local Jacobians (engine/jacobian.py): the lecture's relu, matmul's W and Kronecker structure,
sum's row of ones, each checked against numpy written independently; the product the backward
pass computes equal to the run's gradient; the one-hot reference equal to the vectorised rows;
and the refusal beyond 4096 elements a side."""

import numpy as np
import pytest

import engine
from engine.jacobian import GateBackward
from tests.helpers import build

RNG = np.random.default_rng(11)


def weighted_sum(sources: dict, gate: str, ports: list, params=None, upstream=None):
    """sources -> ``gate`` (node q) -> times a const u of q's shape -> sum -> f, so df/dq = u."""
    nodes = {name: ("input", value) for name, value in sources.items()}
    nodes["q"] = (gate, {"params": params} if params else {})
    circuit = build(nodes, {"q": ports})
    shape = engine.plan_of(circuit).shapes["q"]
    u = RNG.uniform(-2, 2, shape) if upstream is None else upstream
    circuit.add_node("const", "u", value=u if shape else float(u))
    circuit.add_node("mul", "qu", inputs=2)
    circuit.add_node("sum", "f")
    circuit.connect("q", "qu", 0)
    circuit.connect("u", "qu", 1)
    circuit.connect("qu", "f", 0)
    circuit.set_output("f")
    return circuit, engine.run(circuit)


# ------------------------------------------------------------------ the lecture's relu
def test_relu_on_8_is_the_identity_with_zeros_where_the_input_was_clamped():
    x = np.array([1.5, -0.5, 2.0, 0.0, -3.0, 0.25, 4.0, -1.0])
    circuit, result = weighted_sum({"x": x}, "relu", ["x"])
    jacobian = engine.local_jacobian(circuit, result, "q", 0)
    assert jacobian.matrix.shape == (8, 8)
    expected = np.diag((x > 0).astype(float))  # 1 where x > 0; at 0 relu's slope is 0
    assert np.array_equal(jacobian.matrix, expected)
    assert np.count_nonzero(jacobian.matrix - np.diag(np.diag(jacobian.matrix))) == 0
    assert jacobian.reason == ""
    assert (jacobian.out_shape, jacobian.in_shape, jacobian.size) == ((8,), (8,), (8, 8))


def test_the_relu_jacobian_example_file_shows_the_lecture_relu():
    circuit = engine.load("assets/examples/relu_jacobian.circuit")
    result = engine.run(circuit)
    relu = next(node for node in circuit.nodes.values() if node.op == "relu")
    (source,) = circuit.inputs_of(relu.id)
    x = np.asarray(circuit.nodes[source].value)
    assert x.shape == (8,) and (x > 0).any() and (x < 0).any()
    jacobian = engine.local_jacobian(circuit, result, relu.id, 0)
    assert np.array_equal(jacobian.matrix, np.diag((x > 0) * 1.0))
    assert np.array_equal(jacobian.vjp, result.grads[source])
    assert engine.loads(engine.dumps(circuit)).title == circuit.title
    assert "identity" in engine.circuit_to_dict(circuit)["description"]


# ------------------------------------------------------------------ matmul
def test_matmul_jacobian_is_w_for_x_and_the_kronecker_structure_for_w():
    # the lecture's ||W x||^2 numbers (FORMAT.md 5): q = W x
    w = np.array([[0.1, 0.5], [-0.3, 0.8]])
    x = np.array([0.2, 0.4])
    circuit, result = weighted_sum({"W": w, "x": x}, "matmul", ["W", "x"])
    d_w, d_x = engine.local_jacobians(circuit, result, "q")
    assert np.array_equal(d_x.matrix, w)
    # q_i = sum_j W_ij x_j: dq_i/dW_kl = [i == k] x_l, with W flattened row by row
    assert np.allclose(d_w.matrix, np.kron(np.eye(2), x[None, :]), rtol=0, atol=0)
    assert d_w.matrix.tolist() == [[0.2, 0.4, 0.0, 0.0], [0.0, 0.0, 0.2, 0.4]]
    assert (d_w.size, d_x.size) == ((2, 4), (2, 2))


@pytest.mark.parametrize("a_shape, b_shape", [((2, 3), (3, 4)), ((3,), (3, 2)), ((3,), (3,)),
                                              ((4, 3), (3,))])
def test_matmul_jacobians_match_the_kronecker_products_numpy_gives(a_shape, b_shape):
    a, b = RNG.normal(size=a_shape), RNG.normal(size=b_shape)
    circuit, result = weighted_sum({"A": a, "B": b}, "matmul", ["A", "B"])
    d_a, d_b = engine.local_jacobians(circuit, result, "q")
    # lift vectors to matrices as numpy does (left: a row, right: a column); then for
    # Q = A B, dQ_ij/dA_kl = [i == k] B_lj and dQ_ij/dB_kl = A_ik [j == l]
    a2 = a.reshape(1, -1) if a.ndim == 1 else a
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b
    expected_a = np.kron(np.eye(a2.shape[0]), b2.T)
    expected_b = np.kron(a2, np.eye(b2.shape[1]))
    assert np.allclose(d_a.matrix, expected_a, rtol=1e-15, atol=1e-15)
    assert np.allclose(d_b.matrix, expected_b, rtol=1e-15, atol=1e-15)


# ------------------------------------------------------------------ sum and transpose
@pytest.mark.parametrize("value", [[1.0, -2.0, 3.0, 0.5], [[1.0, 2.0, 3.0], [-4.0, 5.0, 6.0]]])
def test_sums_jacobian_is_a_row_of_ones(value):
    circuit, result = weighted_sum({"x": np.array(value)}, "sum", ["x"])
    jacobian = engine.local_jacobian(circuit, result, "q", 0)
    size = np.size(value)
    assert np.array_equal(jacobian.matrix, np.ones((1, size)))
    assert jacobian.out_shape == ()


def test_transposes_jacobian_is_the_permutation_that_swaps_rows_and_columns():
    x = RNG.normal(size=(2, 3))
    circuit, result = weighted_sum({"x": x}, "transpose", ["x"])
    matrix = engine.local_jacobian(circuit, result, "q", 0).matrix
    # out[j, i] = x[i, j]: out element j*2 + i reads x element i*3 + j
    expected = np.zeros((6, 6))
    for i in range(2):
        for j in range(3):
            expected[j * 2 + i, i * 3 + j] = 1.0
    assert np.array_equal(matrix, expected)
    assert np.array_equal((matrix @ x.ravel()).reshape(3, 2), x.T)


# ------------------------------------------------------------------ the backward pass's product
TENSOR_CASES = [
    ("matmul", {"A": (2, 3), "B": (3,)}),
    ("matmul", {"A": (3,), "B": (3, 2)}),
    ("matmul", {"A": (2, 3), "B": (3, 2)}),
    ("matmul", {"A": (3,), "B": (3,)}),
    ("sum", {"A": (2, 3)}),
    ("sum", {"A": (4,)}),
    ("transpose", {"A": (2, 3)}),
    ("transpose", {"A": (4,)}),
]
BROADCAST_CASES = [
    ("mul", {"A": (2, 3), "B": (3,)}),
    ("add", {"A": (3,), "B": ()}),
    ("sub", {"A": (), "B": (2, 2)}),
    ("div", {"A": (2, 3), "B": (2, 1)}),
    ("max", {"A": (4,), "B": (4,)}),
    ("mul", {"A": (2, 1), "B": (1, 3)}),
    ("relu", {"A": (2, 3)}),
    ("sigmoid", {"A": (5,)}),
    ("pow", {"A": (3,)}),
]


def _sources(shapes: dict) -> dict:
    return {name: (RNG.uniform(0.5, 2.0, shape) * RNG.choice([-1.0, 1.0], shape) if shape
                   else float(RNG.uniform(0.5, 2.0))) for name, shape in shapes.items()}


@pytest.mark.parametrize("gate, shapes", TENSOR_CASES + BROADCAST_CASES)
def test_upstream_times_jacobian_is_what_the_backward_pass_sends_and_the_runs_gradient(
        gate, shapes):
    params = {"p": 3.0} if gate == "pow" else None
    sources = _sources(shapes)
    circuit, result = weighted_sum(sources, gate, list(sources), params)
    for port, name in enumerate(sources):
        jacobian = engine.local_jacobian(circuit, result, "q", port)
        assert jacobian.source == name
        assert np.shape(jacobian.upstream) == jacobian.out_shape
        assert np.array_equal(jacobian.upstream, result.values["u"])  # df/dq = u
        assert jacobian.matrix.shape == jacobian.size
        # each name feeds one port only: its gradient in the run is this port's product
        assert np.array_equal(jacobian.vjp, result.grads[name])
        assert np.allclose(jacobian.product(), jacobian.vjp, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("gate, shapes", TENSOR_CASES + BROADCAST_CASES)
def test_vectorised_rows_equal_the_one_hot_reference_and_finite_differences(gate, shapes):
    params = {"p": 3.0} if gate == "pow" else None
    sources = _sources(shapes)
    circuit, result = weighted_sum(sources, gate, list(sources), params)
    node = circuit.nodes["q"]
    plan = engine.plan_of(circuit)
    xs = [result.values[name] for name in sources]
    backward = GateBackward(node, [np.float64(x) if np.ndim(x) == 0 else x for x in xs],
                            np.float64(result.values["q"]) if np.ndim(result.values["q"]) == 0
                            else result.values["q"],
                            [plan.shapes[name] for name in sources], plan.shapes["q"])
    for port, name in enumerate(sources):
        reference = backward.rows_one_hot(port)
        assert np.array_equal(engine.local_jacobian(circuit, result, "q", port).matrix,
                              reference)
        # an independent check: central differences of the gate's forward alone
        numeric = np.zeros_like(reference)
        base = np.array(xs[port], dtype=float)
        for j in range(base.size):
            step = np.zeros(base.size)
            step[j] = 1e-6
            outs = []
            for sign in (1, -1):
                moved = list(xs)
                moved[port] = (base.ravel() + sign * step).reshape(base.shape)
                outs.append(np.ravel(node.gate.forward(
                    moved, node.params) if node.gate.elementwise else node.gate.forward(
                    moved, node.params, tuple(len(plan.shapes[n]) for n in sources))))
            numeric[:, j] = np.broadcast_to((outs[0] - outs[1]) / 2e-6, numeric[:, j].shape)
        assert np.allclose(reference, numeric, rtol=1e-6, atol=1e-6)


def test_a_value_on_two_ports_gets_the_sum_of_both_products():
    x = np.array([1.0, -2.0, 3.0])
    circuit, result = weighted_sum({"x": x}, "mul", ["x", "x"])
    first, second = engine.local_jacobians(circuit, result, "q")
    assert np.array_equal(first.matrix, np.diag(x)) and np.array_equal(second.matrix, np.diag(x))
    assert np.allclose(first.vjp + second.vjp, result.grads["x"], rtol=0, atol=0)


def test_a_scalar_gates_jacobian_is_its_local_gradient_one_by_one():
    circuit, result = weighted_sum({"x": 3.0, "y": -4.0}, "mul", ["x", "y"], upstream=2.0)
    d_x, d_y = engine.local_jacobians(circuit, result, "q")
    assert d_x.is_scalar and d_x.matrix.tolist() == [[-4.0]] and d_y.matrix.tolist() == [[3.0]]
    assert (d_x.upstream, d_x.vjp, d_x.product()) == (2.0, -8.0, -8.0)
    assert isinstance(d_x.vjp, float)


# ------------------------------------------------------------------ too big, and refusals
def test_beyond_4096_a_side_the_jacobian_is_not_formed_and_the_reason_says_why():
    x = np.linspace(-1.0, 1.0, 40000)
    circuit, result = weighted_sum({"x": x}, "relu", ["x"])
    jacobian = engine.local_jacobian(circuit, result, "q", 0)
    assert jacobian.matrix is None and jacobian.product() is None
    assert jacobian.reason == (
        "the Jacobian would be 40000 × 40000 = 1.6e9 numbers; the backward pass never forms "
        "it: it multiplies dq by the local gradient element by element")
    assert np.array_equal(jacobian.vjp, result.grads["x"])  # the product is there all the same


def test_a_tensor_gate_too_big_names_its_own_backward():
    circuit, result = weighted_sum({"x": np.ones(5000)}, "sum", ["x"])
    jacobian = engine.local_jacobian(circuit, result, "q", 0)
    assert jacobian.reason == ("the Jacobian would be 1 × 5000 = 5000 numbers; the backward "
                               "pass never forms it: it works out the product directly (1 to "
                               "every element)")


def test_at_4096_a_side_the_relu_jacobian_is_formed():
    x = np.linspace(-1.0, 1.0, engine.MAX_JACOBIAN_SIDE)
    circuit, result = weighted_sum({"x": x}, "relu", ["x"])
    matrix = engine.local_jacobian(circuit, result, "q", 0).matrix
    assert matrix.shape == (4096, 4096)
    assert np.array_equal(np.diag(matrix), (x > 0) * 1.0) and matrix.sum() == (x > 0).sum()


def test_sources_open_ports_and_batches_are_refused_with_the_reason():
    circuit, result = weighted_sum({"x": np.array([1.0, 2.0])}, "relu", ["x"])
    with pytest.raises(engine.CircuitError, match="'x' is input: it has no input port"):
        engine.local_jacobian(circuit, result, "x", 0)
    with pytest.raises(engine.CircuitError, match="'q' has no port 1"):
        engine.local_jacobian(circuit, result, "q", 1)
    with pytest.raises(engine.CircuitError, match="'nope' is not a node"):
        engine.local_jacobians(circuit, result, "nope")
    circuit.disconnect("q", 0)
    open_result = engine.run(circuit, allow_incomplete=True)
    with pytest.raises(engine.CircuitError, match="port 0 of 'q' is not connected"):
        engine.local_jacobian(circuit, open_result, "q", 0)
    scalar, _ = weighted_sum({"x": 1.0}, "relu", ["x"], upstream=1.0)
    batched = engine.run(scalar, {"x": np.array([1.0, -1.0, 2.0])})
    with pytest.raises(engine.CircuitError, match="batch of points"):
        engine.local_jacobian(scalar, batched, "q", 0)


@pytest.mark.parametrize("gate, shapes", TENSOR_CASES)
def test_tensor_gates_take_their_one_hot_rows_stacked_not_one_by_one(gate, shapes, monkeypatch):
    sources = _sources(shapes)
    circuit, result = weighted_sum(sources, gate, list(sources))
    expected = [engine.local_jacobian(circuit, result, "q", port).matrix
                for port in range(len(sources))]

    def refuse(self, port):
        raise AssertionError("fell back to one row at a time")

    monkeypatch.setattr(GateBackward, "rows_one_hot", refuse)
    for port, matrix in enumerate(expected):
        assert np.array_equal(engine.local_jacobian(circuit, result, "q", port).matrix, matrix)


def test_a_matmul_whose_rows_would_cost_too_much_says_so_though_each_side_is_small():
    # dx of W x is W itself, but each one-hot row makes matmul work out dW too: 1024 × 1024
    circuit, result = weighted_sum({"W": np.ones((1024, 1024)), "x": np.ones(1024)}, "matmul",
                                   ["W", "x"])
    jacobian = engine.local_jacobian(circuit, result, "q", 1)
    assert jacobian.matrix is None
    assert jacobian.reason == (
        "forming it would take 1024 backward passes through matmul, each making every port's "
        "gradient, 1.1e9 numbers in all; the backward pass never forms it: it works out the "
        "product directly (dq·a1ᵀ to a0, a0ᵀ·dq to a1)")
    assert np.array_equal(jacobian.vjp, result.grads["x"])


def test_nan_and_inf_met_on_the_way_are_carried_not_refused():
    # log(-1) is nan and log(0) is -inf: relu's slope there is torch's (1 at nan, 0 at -inf)
    circuit = build({"x": ("input", [-1.0, 0.0, 4.0]), "l": "log", "h": "relu", "f": "sum"},
                    {"l": ["x"], "h": ["l"], "f": ["h"]})
    result = engine.run(circuit)
    relu = engine.local_jacobian(circuit, result, "h", 0)
    assert np.array_equal(relu.matrix, np.diag([1.0, 0.0, 1.0]))
    log = engine.local_jacobian(circuit, result, "l", 0)
    assert np.array_equal(np.diag(log.matrix), [-1.0, np.inf, 0.25])
    assert np.array_equal(log.vjp, result.grads["x"], equal_nan=True)
