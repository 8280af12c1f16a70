"""Expand to scalars: every tensor gate written out in number gates computes the same numbers.

Each case builds a tensor circuit, scores its gate's output as f = Σ (out · C) with a constant C
of random numbers (so every element gets its own upstream gradient), expands it, and compares
every element of every expanded node, value and gradient, with the tensor run: bit for bit (the
sign of a zero too). The expanded circuit runs on the scalar fast path; its numpy passes give the
same bits too, except where a gate calls a maths-library function (exp, log, tanh, sigmoid):
numpy's differs from Python's in the last bit of some numbers, and the tensor circuit's small
gates compute as the fast path does (engine/small_elements.py).
"""

import math

import numpy as np
import pytest

import engine
from engine import EXPAND_MAX_ELEMENTS as MAX_ELEMENTS
from engine import expanded, expansion_of
from tests.helpers import EXAMPLES, build

RNG_SEED = 11
WX = {"W": [[0.1, 0.5], [-0.3, 0.8]], "x": [0.2, 0.4]}


def wx_circuit(more_nodes: dict | None = None, more_wires: dict | None = None
               ) -> engine.Circuit:
    """The lecture's f(x, W) = ||W x||² (FORMAT.md section 5), and ``more`` after it."""
    return build({"W": ("input", {"value": WX["W"], "pos": (0, 0)}),
                  "x": ("input", {"value": WX["x"], "pos": (0, 160)}),
                  "q": ("matmul", {"pos": (160, 80)}),
                  "p": ("pow", {"params": {"p": 2.0}, "pos": (320, 80)}),
                  "f": ("sum", {"pos": (480, 80)}), **(more_nodes or {})},
                 {"q": ["W", "x"], "p": ["q"], "f": ["p"], **(more_wires or {})})


def scored(op: str, shapes: list, params: dict | None = None, positive: bool = False,
           seed: int = RNG_SEED) -> engine.Circuit:
    """Inputs a0, a1, ... of ``shapes`` into one ``op`` gate g, scored as f = Σ (g · C)."""
    rng = np.random.default_rng(seed)

    def numbers(shape):
        values = rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape)
        return values.tolist() if shape else float(values)

    nodes = {f"a{i}": ("input", numbers(shape)) for i, shape in enumerate(shapes)}
    nodes["g"] = (op, {"params": params} if params else {})
    circuit = build(nodes, {"g": [f"a{i}" for i in range(len(shapes))]})
    out_shape = engine.plan_of(circuit).shapes["g"]
    circuit.add_node("const", "C", value=numbers(out_shape))
    circuit.add_node("mul", "s")
    circuit.connect("g", "s", 0)
    circuit.connect("C", "s", 1)
    circuit.add_node("sum", "f")
    circuit.connect("s", "f", 0)
    return circuit


# Python's maths library and numpy's differ in the last bit of some of these gates' numbers
MATHS_LIBRARY_OPS = {"exp", "log", "tanh", "sigmoid"}


def compared(circuit: engine.Circuit, node_id: str | None = None):
    """(tensor result, scalar result, expansion) of ``circuit`` and its expansion; the scalar
    result is the fast path's, and the numpy path's is checked to be the same bit for bit (to
    within 1e-12 where a gate calls a maths-library function)."""
    expansion = expansion_of(circuit, node_id)
    flat = expanded(circuit, node_id)
    assert all(not engine.is_tensor(node.value) for node in flat.nodes.values()
               if node.gate.is_source), "the expanded circuit still holds a tensor"
    plan = engine.plan_of(flat)
    assert not plan.problems
    scalar = engine.run(flat)
    if all(node.gate.is_source or node.gate.scalar_forward for node in flat.nodes.values()):
        assert plan.scalar_forward() is not None, "the expanded circuit left the fast path"
    values = plan.reference_forward()
    grads = plan.reference_backward(values)
    libraries_agree = MATHS_LIBRARY_OPS.isdisjoint(node.op for node in flat.nodes.values())
    same = same_bits if libraries_agree else close
    for node_id, value, grad in zip(plan.order, values, grads):
        assert same(float(value), scalar.values[node_id]), f"value of {node_id}"
        assert same(float(grad), scalar.grads[node_id]), f"gradient of {node_id}"
    return engine.run(circuit), scalar, expansion


def close(a: float, b: float) -> bool:
    """Within 1e-12: these circuits subtract no near-equal numbers, which would magnify a last
    bit."""
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def same_bits(a: float, b: float) -> bool:
    """The same float, the sign of a zero included (nan is nan)."""
    return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (a != a and b != b)


def element_pairs(tensor, scalar, expansion, which: str):
    """(tensor element, scalar node's number, node id) for every element of every expanded
    node and every node both circuits have; ``which`` is "values" or "grads". A transpose's
    elements are its input's nodes, rewired: their gradients are the input's, not its own."""
    pairs, made = [], set()
    for node_id, elements in expansion.elements.items():
        ids = set(elements.reshape(-1))
        rewired, made = ids <= made, made | ids
        if which == "grads" and rewired:
            continue
        numbers = np.broadcast_to(getattr(tensor, which)[node_id], elements.shape)
        for index in np.ndindex(elements.shape):
            element = elements[index]
            pairs.append((float(numbers[index]), getattr(scalar, which)[element], element))
    kept = set(getattr(scalar, which)) & set(getattr(tensor, which)) - set(expansion.elements)
    pairs += [(getattr(tensor, which)[node_id], getattr(scalar, which)[node_id], node_id)
              for node_id in sorted(kept)]  # numbers joined to the region, and beyond it
    return pairs


def assert_bit_for_bit(tensor, scalar, expansion):
    for which in ("values", "grads"):
        pairs = element_pairs(tensor, scalar, expansion, which)
        assert pairs
        for expected, got, element in pairs:
            assert same_bits(got, expected), f"{which} of {element}: {got!r} != {expected!r}"


# ----------------------------------------------------------------- every tensor gate
TENSOR_GATE_CASES = {  # matmul in every rank combination: (2, 2), (2, 1), (1, 2), (1, 1)
    "matmul": [[(2, 3), (3, 4)], [(2, 3), (3,)], [(3,), (3, 2)], [(5,), (5,)],
               [(1, 20), (20,)], [(4, 1), (1, 3)], [(8, 8), (8, 8)], [(3, 17), (17, 2)],
               [(64,), (64,)]],
    "sum": [[(5,)], [(3, 4)], [(8,)], [(13,)], [(1,)], [(8, 8)], [(7, 9)]],
    "transpose": [[(2, 3)], [(4,)], [(1, 5)]],
}


def test_every_tensor_gate_of_the_table_has_cases():
    tensor_gates = {gate.name for gate in engine.GATE_LIST if not gate.elementwise}
    assert tensor_gates == set(TENSOR_GATE_CASES)


@pytest.mark.parametrize("shapes", TENSOR_GATE_CASES["matmul"], ids=str)
def test_matmul_expands_to_muls_and_adds_with_the_same_numbers(shapes):
    circuit = scored("matmul", shapes)
    tensor, scalar, expansion = compared(circuit, "g")
    terms = shapes[0][-1]
    assert_bit_for_bit(tensor, scalar, expansion)
    # each output element is one add of one mul per term (a single term: just the mul)
    flat = expanded(circuit, "g")
    first = expansion.elements["g"].reshape(-1)[0]
    node = flat.node(first)
    if terms == 1:
        assert node.op == "mul"
    else:
        assert node.op == "add"
        inputs = [flat.node(src).op for src in flat.inputs_of(first)]
        # up to 16 terms, one add; beyond, a chain of adds (the port limit is 16)
        assert inputs == ["mul"] * terms if terms <= 16 else inputs[0] == "add"
        assert terms <= 16 or flat.node(flat.inputs_of(first)[0]).n_inputs == 16


@pytest.mark.parametrize("shapes", TENSOR_GATE_CASES["sum"], ids=str)
def test_sum_expands_to_adds_in_numpys_order_bit_for_bit(shapes):
    tensor, scalar, expansion = compared(scored("sum", shapes), "g")
    assert_bit_for_bit(tensor, scalar, expansion)


@pytest.mark.parametrize("shapes", TENSOR_GATE_CASES["transpose"], ids=str)
def test_transpose_is_rewiring_bit_for_bit(shapes):
    circuit = scored("transpose", shapes)
    tensor, scalar, expansion = compared(circuit, "g")
    assert_bit_for_bit(tensor, scalar, expansion)
    flat = expanded(circuit, "g")
    assert "transpose" not in {node.op for node in flat.nodes.values()}
    if len(shapes[0]) == 2:
        assert flat.inputs_of("s_1_0")[0] == "a0_0_1"  # gᵀ[1, 0] is a0[0, 1]


def test_sum_of_many_elements_needs_more_than_one_add_and_keeps_its_id():
    circuit = build({"v": ("input", list(np.linspace(-1, 1, 40))), "f": "sum"}, {"f": ["v"]})
    flat = expanded(circuit)
    assert flat.output_id() == "f" and flat.node("f").op == "add"
    assert engine.run(flat).value == engine.run(circuit).value
    assert all(node.n_inputs <= 16 for node in flat.nodes.values())


# ----------------------------------------------------------------- element-by-element gates
BROADCAST_CASES = [
    ("add", [(), (4,)], {}),  # a number added to a vector feeds every element's gate
    ("add", [(), (8, 8)], {}),  # ... to 64 elements, its gradient 64 terms
    ("mul", [(3,), (2, 3)], {}),  # a vector times each row of a matrix
    ("mul", [(4, 1), (1, 5)], {}),  # a column times a row: both stretched
    ("sub", [(2, 3), (2, 1)], {}),
    ("sub", [(), (3, 3)], {}),
    ("max", [(3,), (), (2, 3)], {}),
    ("min", [(2, 3), (3,)], {}),
    ("div", [(2, 2), (2,)], {}),
    ("div", [(), (2, 3)], {}),
    ("neg", [(2, 3)], {}),
    ("abs", [(4,)], {}),
    ("recip", [(3, 2)], {}),
    ("relu", [(2, 3)], {}),
    ("pow", [(5,)], {"p": 3.0}),
    ("pow", [(2, 2)], {"p": 2.0}),
    ("pow", [(3,)], {"p": 0.5}),
    ("scale", [(2, 2)], {"c": -1.5}),
    ("offset", [(3, 2)], {"c": 0.25}),
]
# the fast path calls Python's maths library for these: a small tensor gate does too
TRANSCENDENTAL = [("exp", [(3,)], {}), ("log", [(2, 2)], {}), ("tanh", [(4,)], {}),
                  ("sigmoid", [(3,)], {}), ("pow", [(2, 3)], {"p": 1.7}),
                  ("pow", [(5,)], {"p": -0.3}), ("tanh", [(8, 8)], {}), ("exp", [(64,)], {})]


def test_every_element_by_element_gate_has_a_case():
    covered = {op for op, _shapes, _params in BROADCAST_CASES + TRANSCENDENTAL}
    assert covered == {gate.name for gate in engine.GATE_LIST
                       if gate.elementwise and not gate.is_source}


@pytest.mark.parametrize("op, shapes, params", BROADCAST_CASES, ids=lambda case: str(case))
def test_elementwise_gates_expand_per_element_with_broadcasting(op, shapes, params):
    circuit = scored(op, shapes, params, positive=op in ("div", "recip", "pow"))
    tensor, scalar, expansion = compared(circuit, "g")
    out_shape = engine.plan_of(circuit).shapes["g"]
    flat = expanded(circuit, "g")
    made = [node.op for node in flat.nodes.values() if (node.label or "").startswith("g[")]
    assert made == [op] * math.prod(out_shape)
    assert_bit_for_bit(tensor, scalar, expansion)


def test_a_number_added_to_a_vector_feeds_every_elements_gate():
    circuit = build({"b": ("input", 2.0), "v": ("input", [1.0, 2.0, 3.0]), "f": "add"},
                    {"f": ["b", "v"]})
    flat = expanded(circuit)
    assert [flat.inputs_of(f"f_{i}") for i in range(3)] == [["b", "v_0"], ["b", "v_1"],
                                                            ["b", "v_2"]]
    assert "b" in flat.nodes and flat.node("b").value == 2.0  # a number stays as it is


@pytest.mark.parametrize("op, shapes, params", TRANSCENDENTAL, ids=str)
def test_transcendental_gates_expand_to_the_same_numbers_bit_for_bit(op, shapes, params):
    circuit = scored(op, shapes, params, positive=True)
    tensor, scalar, expansion = compared(circuit, "g")
    assert_bit_for_bit(tensor, scalar, expansion)


# ----------------------------------------------------------------- the lecture's example
def test_expanding_the_matmul_of_wx_squared_gives_the_lectures_gradients():
    circuit = wx_circuit()
    flat = expanded(circuit, "q")
    result = engine.run(flat)
    assert result.value == pytest.approx(0.116, rel=1e-12)
    assert [[result.grads[f"W_{i}_{j}"] for j in range(2)] for i in range(2)] == [
        [pytest.approx(0.088), pytest.approx(0.176)],
        [pytest.approx(0.104), pytest.approx(0.208)]]
    assert [result.grads["x_0"], result.grads["x_1"]] == [pytest.approx(-0.112),
                                                          pytest.approx(0.636)]
    assert [result.values["q_0"], result.values["q_1"]] == [pytest.approx(0.22),
                                                            pytest.approx(0.26)]
    # q[0] = W[0,0]·x[0] + W[0,1]·x[1], drawn as the lecture writes it
    assert flat.node("q_0").label == "q[0]" and flat.node("W_0_1").label == "W[0,1]"
    assert sorted(flat.inputs_of(src) for src in flat.inputs_of("q_0")) == [
        ["W_0_0", "x_0"], ["W_0_1", "x_1"]]
    assert [flat.node(src).label for src in flat.inputs_of("q_0")] == ["W[0,0]·x[0]",
                                                                       "W[0,1]·x[1]"]
    # the matmul's neighbours joined by tensor wires are expanded with it; f keeps its id
    assert {node.op for node in flat.nodes.values()} == {"input", "mul", "add", "pow"}
    assert flat.output_id() == "f"
    tensor, scalar, expansion = compared(circuit, "q")
    assert_bit_for_bit(tensor, scalar, expansion)


def test_expanded_nodes_are_laid_out_left_to_right_without_overlap():
    flat = expanded(wx_circuit(), "q")
    positions = {node.id: node.pos for node in flat.nodes.values()}
    assert len(set(positions.values())) == len(positions)
    for node_id in flat.nodes:
        for src in flat.inputs_of(node_id):
            assert positions[src][0] < positions[node_id][0]
    assert min(x for x, _y in positions.values()) == 0.0  # where W was


def test_a_scalar_tail_after_the_region_stays_and_moves_right():
    circuit = wx_circuit({"k": ("const", {"value": 1.0, "pos": (480, 160)}),
                          "loss": ("add", {"pos": (640, 80)})}, {"loss": ["f", "k"]})
    flat = expanded(circuit, "q")
    assert flat.inputs_of("loss") == ["f", "k"] and flat.output_id() == "loss"
    assert flat.node("loss").pos[0] > flat.node("f").pos[0]
    new = [flat.node(n).pos for n in flat.nodes if n not in ("k", "loss")]
    for x, y in (flat.node("k").pos, flat.node("loss").pos):  # clear of the new gates
        assert all(abs(x - new_x) >= 160 or abs(y - new_y) >= 80 for new_x, new_y in new)
    assert engine.run(flat).value == pytest.approx(1.116)


def test_an_expanded_vector_output_is_summed_as_the_tensor_run_seeds_it():
    circuit = build({"W": ("input", [[1.0, 2.0], [3.0, 4.0]]), "x": ("input", [1.0, 1.0]),
                     "q": "matmul"}, {"q": ["W", "x"]}, output="q")
    tensor, scalar, expansion = compared(circuit)
    flat = expanded(circuit)
    total = flat.output_id()
    assert flat.nodes[total].op == "add" and flat.nodes[total].label == "Σ q"
    assert sorted(flat.inputs_of(total)) == ["q_0", "q_1"]
    assert scalar.value == 3.0 + 7.0  # W·x = [3, 7]
    # the tensor run seeds dq with ones: dW = ones ⊗ x, dx = Wᵀ·ones
    assert [scalar.grads[f"W_{i}_{j}"] for i in (0, 1) for j in (0, 1)] == [1.0] * 4
    assert [scalar.grads["x_0"], scalar.grads["x_1"]] == [4.0, 6.0]
    assert_bit_for_bit(tensor, scalar, expansion)


def test_an_expanded_matrix_output_runs_with_the_tensor_circuits_gradients():
    circuit = scored("matmul", [(2, 3), (3, 2)])
    circuit.remove_node("f")  # the output is now s = (A·B) ⊙ C, a 2×2 matrix
    assert engine.plan_of(circuit).shapes[circuit.output_id()] == (2, 2)
    tensor, scalar, expansion = compared(circuit)
    flat = expanded(circuit)
    assert flat.nodes[flat.output_id()].label == "Σ s"
    assert scalar.value == pytest.approx(float(np.sum(tensor.values["s"])), rel=1e-12)
    assert_bit_for_bit(tensor, scalar, expansion)


def test_expanding_keeps_trainable_flags_consts_and_data_columns():
    circuit = build({"x": ("input", {"feature": [0, 1]}),
                     "w": ("input", {"value": [0.5, -1.0], "trainable": False}),
                     "k": ("const", [2.0, 3.0]), "m": "mul", "n": "add", "f": "sum"},
                    {"m": ["x", "w"], "n": ["m", "k"], "f": ["n"]})
    flat = expanded(circuit, "m")
    assert (flat.node("x_0").feature, flat.node("x_1").feature) == (0, 1)
    assert not flat.node("w_1").trainable and flat.node("w_1").value == -1.0
    assert flat.node("k_0").op == "const" and flat.node("k_1").value == 3.0
    data = np.array([[1.0, 2.0], [3.0, -4.0]])
    batched = {"x": data}
    tensor = engine.run(circuit, batched)
    scalar = engine.run(flat, {"x_0": data[:, 0], "x_1": data[:, 1]})
    np.testing.assert_array_equal(scalar.values["f"], tensor.values["f"])
    assert scalar.grads["w_0"] == tensor.grads["w"][0]


def test_only_the_selected_region_is_expanded():
    circuit = wx_circuit({"v": ("input", [1.0, 2.0, 3.0]), "t": "sum", "total": "add"},
                         {"t": ["v"], "total": ["f", "t"]})
    flat = expanded(circuit, "q")
    assert engine.is_tensor(flat.node("v").value) and flat.node("t").op == "sum"
    assert flat.inputs_of("total") == ["f", "t"]
    whole = expanded(circuit)
    assert not any(engine.is_tensor(node.value) for node in whole.nodes.values())
    assert engine.run(whole).value == pytest.approx(engine.run(circuit).value, rel=1e-14)


# ----------------------------------------------------------------- refusals
def test_a_gate_too_big_is_refused_saying_why():
    circuit = build({"W": ("input", np.ones((10, 10)).tolist()), "x": ("input", [1.0] * 10),
                     "q": "matmul", "f": "sum"}, {"q": ["W", "x"], "f": ["q"]})
    with pytest.raises(engine.CircuitError, match=r"W \(input\).* 100 elements \(10×10\).*"
                                                  rf"stops at {MAX_ELEMENTS}.*joined to q"):
        expansion_of(circuit, "q")
    with pytest.raises(engine.CircuitError, match="100 elements"):
        expanded(circuit)


def test_nothing_to_expand_and_unfinished_circuits_are_refused():
    numbers = build({"a": ("input", 1.0), "b": ("input", 2.0), "f": "add"}, {"f": ["a", "b"]})
    with pytest.raises(engine.CircuitError, match="no vectors or matrices"):
        expanded(numbers)
    with pytest.raises(engine.CircuitError, match="single numbers already"):
        expanded(numbers, "f")
    open_port = build({"W": ("input", [[1.0, 2.0]]), "q": "matmul"}, {"q": ["W"]})
    with pytest.raises(engine.CircuitError, match="not connected"):
        expanded(open_port, "W")
    misfit = build({"W": ("input", [[1.0, 2.0, 3.0]]), "x": ("input", [1.0, 2.0]),
                    "q": "matmul"}, {"q": ["W", "x"]})
    with pytest.raises(engine.CircuitError, match=r"cannot multiply shapes \(1, 3\) and \(2,\)"):
        expanded(misfit)


def test_expanding_a_copy_leaves_the_circuit_as_it_was():
    circuit = wx_circuit()
    before = engine.circuit_to_dict(circuit)
    expanded(circuit, "q")
    assert engine.circuit_to_dict(circuit) == before


def test_several_selected_nodes_expand_their_region_once_and_numbers_are_left_out():
    circuit = wx_circuit({"b": ("input", 1.0), "g": "add"}, {"g": ["f", "b"]})
    one = engine.circuit_to_dict(expanded(circuit, "q"))
    assert engine.circuit_to_dict(expanded(circuit, ["W", "b", "f"])) == one
    with pytest.raises(engine.CircuitError, match="the selected gates work on single numbers"):
        expansion_of(circuit, ["b", "g"])


# ----------------------------------------------------------------- whole circuits
@pytest.mark.parametrize("name", ["wx_squared.circuit", "relu_jacobian.circuit",
                                  "numpy_net_11_lines.circuit"])
def test_the_examples_expanded_whole_give_the_same_numbers_bit_for_bit(name):
    tensor, scalar, expansion = compared(engine.load(EXAMPLES / name))
    assert_bit_for_bit(tensor, scalar, expansion)


def two_layer_net_3x3() -> engine.Circuit:
    """f = Σ (W2·relu(W1·x + b1) + b2)², both layers 3×3."""
    rng = np.random.default_rng(RNG_SEED)
    return build({"x": ("input", rng.standard_normal(3).tolist()),
                  "W1": ("input", rng.standard_normal((3, 3)).tolist()),
                  "b1": ("input", rng.standard_normal(3).tolist()),
                  "W2": ("input", rng.standard_normal((3, 3)).tolist()),
                  "b2": ("input", rng.standard_normal(3).tolist()),
                  "z1": "matmul", "a1": "add", "h": "relu", "z2": "matmul", "s": "add",
                  "sq": ("pow", {"params": {"p": 2.0}}), "f": "sum"},
                 {"z1": ["W1", "x"], "a1": ["z1", "b1"], "h": ["a1"], "z2": ["W2", "h"],
                  "s": ["z2", "b2"], "sq": ["s"], "f": ["sq"]})


def test_a_3x3_two_layer_net_expanded_gives_the_same_numbers_bit_for_bit():
    circuit = two_layer_net_3x3()
    tensor, scalar, expansion = compared(circuit)
    assert_bit_for_bit(tensor, scalar, expansion)
    assert "scale" not in {node.op for node in expanded(circuit).nodes.values()}
    # selecting the second layer's matmul expands the same region: the whole net
    assert set(expansion_of(circuit, "z2").region) == set(circuit.nodes)


def test_the_templates_two_layer_net_of_3_units_expanded_gives_the_same_numbers():
    circuit = engine.two_layer_net(3, "relu", seed=2)
    tensor, scalar, expansion = compared(circuit)
    assert_bit_for_bit(tensor, scalar, expansion)


def test_an_expanded_circuit_runs_its_nodes_in_the_order_they_were_made():
    flat = expanded(two_layer_net_3x3())
    assert engine.topological_order(flat) == list(flat.nodes)
    # and a saved and reloaded one computes the same bits
    tensor = engine.run(flat)
    again = engine.run(engine.loads(engine.dumps(flat)))
    for node_id in flat.nodes:
        assert same_bits(again.grads[node_id], tensor.grads[node_id])


# ----------------------------------------------------------------- a number feeding several ports
FAN_OUT_CASES = {
    # x feeds W·x (3 terms each) and the product with it (1 term)
    "x in W·x and in (W·x)·x": (
        {"W": (3, 3), "x": (3,), "q": "matmul", "r": "mul"},
        {"q": ["W", "x"], "r": ["q", "x"]}, "r"),
    # S·S: each element of S gets a row's and a column's terms
    "S·S": ({"S": (3, 3), "q": "matmul"}, {"q": ["S", "S"]}, "q"),
    # Aᵀ·A: A reaches the matmul directly and through the transpose
    "Aᵀ·A": ({"A": (3, 2), "t": "transpose", "q": "matmul"},
             {"t": ["A"], "q": ["t", "A"]}, "q"),
    # a number added to a matrix product and multiplied by the result
    "b + A·B, times b": ({"A": (2, 3), "B": (3, 2), "b": (), "q": "matmul", "y": "add",
                         "r": "mul"}, {"q": ["A", "B"], "y": ["b", "q"], "r": ["y", "b"]}, "r"),
    # a vector stretched over rows by two gates, and fed to a third
    "v in three gates": ({"v": (3,), "M": (2, 3), "s": "sub", "m": "mul", "t": "add"},
                         {"s": ["M", "v"], "m": ["s", "v"], "t": ["m", "v"]}, "t"),
}


def fan_out_circuit(nodes: dict, wires: dict, last: str) -> engine.Circuit:
    rng = np.random.default_rng(RNG_SEED)
    spec = {}
    for node_id, what in nodes.items():
        if isinstance(what, tuple):
            values = rng.standard_normal(what)
            spec[node_id] = ("input", values.tolist() if what else float(values))
        else:
            spec[node_id] = what
    circuit = build(spec, wires)
    shape = engine.plan_of(circuit).shapes[last]
    circuit.add_node("const", "C", value=rng.standard_normal(shape).tolist())
    circuit.add_node("mul", "scored")
    circuit.connect(last, "scored", 0)
    circuit.connect("C", "scored", 1)
    circuit.add_node("sum", "f")
    circuit.connect("scored", "f", 0)
    return circuit


@pytest.mark.parametrize("case", FAN_OUT_CASES, ids=str)
def test_a_number_feeding_several_ports_gets_its_gradient_bit_for_bit(case):
    circuit = fan_out_circuit(*FAN_OUT_CASES[case])
    tensor, scalar, expansion = compared(circuit)
    assert_bit_for_bit(tensor, scalar, expansion)


def test_x1_gates_gather_a_ports_gradient_where_the_number_feeds_other_ports_too():
    circuit = fan_out_circuit(*FAN_OUT_CASES["x in W·x and in (W·x)·x"])
    flat = expanded(circuit)
    copies = [node for node in flat.nodes.values() if node.op == "scale"]
    # x feeds the matmul through one ×1 gate per element; the mul r takes x directly
    assert [(node.id, node.label, node.params["c"]) for node in copies] == [
        (f"x_{i}_q", f"x[{i}] to q", 1.0) for i in range(3)]
    assert [flat.inputs_of(node.id) for node in copies] == [["x_0"], ["x_1"], ["x_2"]]
    assert flat.inputs_of("q_1_t2") == ["W_1_2", "x_2_q"] and flat.inputs_of("r_2")[1] == "x_2"
    assert flat.node("q_1_t2").label == "W[1,2]·x[2]"  # the term as the lecture writes it
    tensor, scalar, _expansion = compared(circuit)
    # each ×1 gate's gradient is the matmul's share, Wᵀ·dq, as the tensor pass sends it
    share = tensor.values["W"].T @ np.asarray(tensor.grads["q"])
    np.testing.assert_allclose([scalar.grads[f"x_{i}_q"] for i in range(3)], share, rtol=1e-14)


ELEMENTWISE_OPS = ["add", "mul", "sub", "max", "min", "relu", "neg", "abs", "scale", "offset"]
SHAPES = [(), (3,), (2, 3), (3, 2), (3, 3), (2, 1), (1, 3)]


def random_tensor_circuit(seed: int) -> engine.Circuit:
    """Inputs of random shapes and a few random gates (matmul, sum, transpose and element
    gates) taking any earlier node on any port, the last one summed into f."""
    rng = np.random.default_rng(seed)
    circuit = engine.Circuit()
    for i in range(rng.integers(2, 5)):
        values = rng.standard_normal(SHAPES[rng.integers(len(SHAPES))])
        circuit.add_node("input", f"s{i}", value=values if values.ndim else float(values))
    for k in range(rng.integers(2, 8)):
        op = str(rng.choice(ELEMENTWISE_OPS + ["matmul", "matmul", "sum", "transpose"]))
        gate = engine.GATES[op]
        circuit.add_node(op, f"g{k}")
        for port in range(gate.min_ports):
            circuit.connect(str(rng.choice(list(circuit.nodes)[:-1])), f"g{k}", port)
        if engine.plan_of(circuit).shape_problems:
            circuit.remove_node(f"g{k}")
    last = list(circuit.nodes)[-1]
    circuit.add_node("sum", "f")
    circuit.connect(last, "f", 0)
    circuit.set_output("f")
    return circuit


def test_random_tensor_circuits_expand_to_the_same_numbers_bit_for_bit():
    checked = 0
    for seed in range(150):
        circuit = random_tensor_circuit(seed)
        try:
            tensor, scalar, expansion = compared(circuit)
        except engine.CircuitError:  # nothing to expand (every value a number)
            continue
        assert_bit_for_bit(tensor, scalar, expansion)
        checked += 1
    assert checked > 100
