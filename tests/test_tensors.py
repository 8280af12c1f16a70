"""Vectors and matrices on the wires (FORMAT.md section 5): the lecture's ||W x||^2, every
tensor gate's gradient against numerical differences over shapes and broadcasting, batched runs
against point-by-point runs, shapes that do not fit, and values a file may not hold."""

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest

import engine
from engine import CircuitError, circuit_file, cli
from helpers import EXAMPLES

WX_SQUARED = """{
  "format": "circuitgrad", "version": 2, "title": "f(x, W) = ||W x||^2",
  "nodes": [
    {"id": "W", "op": "input", "value": [[0.1, 0.5], [-0.3, 0.8]]},
    {"id": "x", "op": "input", "value": [0.2, 0.4]},
    {"id": "q", "op": "matmul"},
    {"id": "sq", "op": "pow", "params": {"p": 2}},
    {"id": "f", "op": "sum"}
  ],
  "wires": [
    {"from": "W", "to": "q", "port": 0}, {"from": "x", "to": "q", "port": 1},
    {"from": "q", "to": "sq", "port": 0}, {"from": "sq", "to": "f", "port": 0}
  ],
  "output": "f"
}"""


def test_the_lectures_wx_squared_gives_every_number_of_the_slide():
    result = engine.run(engine.loads(WX_SQUARED))
    assert np.allclose(result.values["q"], [0.22, 0.26])
    assert result.value == pytest.approx(0.116)
    assert np.allclose(result.grads["q"], [0.44, 0.52])
    assert np.allclose(result.grads["W"], [[0.088, 0.176], [0.104, 0.208]])
    assert np.allclose(result.grads["x"], [-0.112, 0.636])
    assert result.grads["W"].shape == (2, 2) and result.grads["x"].shape == (2,)


def _cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = cli.main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_eval_writes_tensors_as_nested_lists(tmp_path):
    path = tmp_path / "wx.circuit"
    path.write_text(WX_SQUARED, encoding="utf-8")
    status, out, _err = _cli("eval", str(path))
    data = json.loads(out)
    assert status == 0
    assert np.allclose(data["grads"]["W"], [[0.088, 0.176], [0.104, 0.208]])
    assert np.allclose(data["values"]["q"], [0.22, 0.26])
    status, out, _err = _cli("eval", str(path), "--set", "x=[1, 2]")
    assert np.allclose(json.loads(out)["values"]["q"], [1.1, 1.3])  # W @ [1, 2]


def _wx_with(w_value, x_value) -> dict:
    data = json.loads(WX_SQUARED)
    data["nodes"][0]["value"] = w_value
    data["nodes"][1]["value"] = x_value
    data["nodes"].insert(0, {"id": "k", "op": "const", "value": 1.0})
    data["nodes"].insert(0, {"id": "j", "op": "const", "value": 2.0})
    return data  # q is nodes[4]


def test_a_matmul_whose_shapes_do_not_fit_is_refused_naming_the_node_and_both_shapes(tmp_path):
    data = _wx_with([[1, 2, 3], [4, 5, 6]], [1, 2])
    with pytest.raises(CircuitError, match=r"^nodes\[4\] \(q\): matmul cannot multiply shapes "
                                           r"\(2, 3\) and \(2,\)$"):
        engine.circuit_from_dict(data)  # the file loader refuses it
    circuit = engine.circuit_from_dict(_wx_with([[1, 2], [4, 5]], [1, 2]))
    circuit.set_value("W", [[1, 2, 3], [4, 5, 6]])  # the editor can get there
    with pytest.raises(CircuitError, match=r"nodes\[4\] \(q\): matmul cannot multiply shapes "
                                           r"\(2, 3\) and \(2,\)"):
        engine.run(circuit)
    with pytest.raises(CircuitError, match=r"nodes\[4\] \(q\): matmul cannot"):
        engine.dumps(circuit)  # and nothing is written that loading would refuse
    plan = engine.plan_of(circuit)
    assert plan.shape_problems == [("q", "nodes[4] (q): matmul cannot multiply shapes (2, 3) "
                                         "and (2,)")]
    path = tmp_path / "bad.circuit"
    path.write_text(json.dumps(data), encoding="utf-8")
    status, out, err = _cli("eval", str(path))
    assert status == 3 and out == ""
    assert "nodes[4] (q): matmul cannot multiply shapes (2, 3) and (2,)" in err


def _three_plus_two():
    """s = a + b with a vector of 3 and a vector of 2: shapes that do not fit."""
    circuit = engine.Circuit()
    circuit.add_node("input", "a", value=[1.0, 2.0, 3.0])
    circuit.add_node("input", "b", value=[1.0, 2.0])
    circuit.add_node("add", "s")
    circuit.connect("a", "s", 0)
    circuit.connect("b", "s", 1)
    return circuit


def test_adding_a_3_vector_to_a_2_vector_is_refused():
    circuit = _three_plus_two()
    with pytest.raises(CircuitError, match=r"nodes\[2\] \(s\): add cannot combine shapes "
                                           r"\(3,\) and \(2,\)"):
        engine.run(circuit)
    result = engine.run(circuit, allow_incomplete=True)  # the editor's run: nothing crashes
    assert "s" in result.incomplete and np.isnan(result.values["s"])


@pytest.mark.parametrize("value,message", [
    ([[1, 2], [3]], "nodes[0].value[1]: has 1 numbers, but nodes[0].value[0] has 2"),
    ([[[1.0]]], "nodes[0].value[0]: holds lists, so the value has rank 3"),
    ([1, [2]], "nodes[0].value: mixes numbers and lists"),
    ([], "nodes[0].value: is empty"),
    ([[]], "nodes[0].value: is empty"),
    ([1, "2"], "nodes[0].value[1]: must be a finite number, not a string"),
    ([[1, 2], [3, 1e999]], "nodes[0].value[1][1]: must be a finite number, not Infinity"),
    ([1, None], "nodes[0].value[1]: must be a finite number, not null"),
], ids=["ragged", "rank-3", "mixed", "empty", "empty-row", "string", "overflow", "null"])
def test_a_value_a_file_may_not_hold_is_refused_naming_the_element(value, message):
    data = _wx_with([[0.1]], [0.2])
    data["nodes"][0] = {"id": "v", "op": "const", "value": value}
    with pytest.raises(CircuitError) as caught:
        engine.circuit_from_dict(data)
    assert message in str(caught.value)


def test_a_non_finite_element_set_from_a_program_is_refused():
    circuit = engine.loads(WX_SQUARED)
    with pytest.raises(CircuitError, match=r"W: value\[1\]\[0\]: must be a finite number, "
                                           r"not nan"):
        circuit.set_value("W", [[0.1, 0.5], [np.nan, 0.8]])
    assert circuit.nodes["W"].value[1, 0] == -0.3  # the old value stays


def test_a_nodes_value_cannot_be_changed_behind_the_circuits_back():
    mine = np.array([1.0, 2.0])
    circuit = engine.Circuit()
    node = circuit.add_node("input", "x", value=mine)
    mine[0] = 99.0
    assert node.value[0] == 1.0
    with pytest.raises(ValueError):
        node.value[0] = 5.0


def test_a_tensor_circuit_round_trips_as_version_2():
    circuit = engine.loads(WX_SQUARED)
    text = engine.dumps(circuit)
    assert json.loads(text)["version"] == 2
    again = engine.loads(text)
    assert np.array_equal(again.nodes["W"].value, circuit.nodes["W"].value)
    assert engine.dumps(again) == text


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.circuit")), ids=lambda p: p.stem)
def test_version_1_files_load_unchanged_and_are_written_as_version_1(path):
    text = path.read_text(encoding="utf-8")
    if json.loads(text)["version"] != 1:
        pytest.skip("a version-2 example")
    circuit = engine.loads(text)
    assert circuit_file.version_needed(circuit) == 1
    assert json.loads(engine.dumps(circuit)) == json.loads(text) | {"version": 1}


def test_a_scalar_circuit_keeps_the_scalar_fast_path():
    circuit = engine.loads(json.dumps(_wx_with(0.5, 2.0)).replace('"matmul"', '"mul"')
                           .replace('"sum"', '"neg"'))
    plan = engine.plan_of(circuit)
    assert plan.shape_problems == [] and set(plan.shapes.values()) == {()}
    assert plan.scalar_forward() is not None
    assert json.loads(engine.dumps(circuit))["version"] == 1


# --------------------------------------------------------------------------- gradients
def _circuit(op, values, params=None):
    circuit = engine.Circuit()
    for k, value in enumerate(values):
        circuit.add_node("input", f"a{k}", value=value)
    circuit.add_node(op, "g", params=params, inputs=len(values) if engine.GATES[op].variadic
                     else None)
    for k in range(len(values)):
        circuit.connect(f"a{k}", "g", k)
    # f = sum(g * R) with a fixed random R of g's shape: every element of g matters
    shape = engine.plan_of(circuit).shapes["g"]
    circuit.add_node("const", "R", value=np.random.default_rng(7).normal(size=shape)
                     if shape else 0.37)
    circuit.add_node("mul", "gr")
    circuit.connect("g", "gr", 0)
    circuit.connect("R", "gr", 1)
    if shape:
        circuit.add_node("sum", "f")
        circuit.connect("gr", "f", 0)
    return circuit


def _numerical(circuit, node_id, eps=1e-6):
    base = np.array(circuit.nodes[node_id].value, dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        for sign in (1, -1):
            nudged = base.copy()
            nudged[index] += sign * eps
            grad[index] += sign * engine.run(circuit, {node_id: nudged}).value / (2 * eps)
    return grad


RNG = np.random.default_rng(3)
CASES = {
    "matmul matrix·vector": ("matmul", [RNG.normal(size=(3, 2)), RNG.normal(size=2)]),
    "matmul vector·matrix": ("matmul", [RNG.normal(size=3), RNG.normal(size=(3, 4))]),
    "matmul matrix·matrix": ("matmul", [RNG.normal(size=(2, 3)), RNG.normal(size=(3, 4))]),
    "matmul vector·vector": ("matmul", [RNG.normal(size=3), RNG.normal(size=3)]),
    "sum of a vector": ("sum", [RNG.normal(size=5)]),
    "sum of a matrix": ("sum", [RNG.normal(size=(2, 3))]),
    "transpose of a matrix": ("transpose", [RNG.normal(size=(2, 3))]),
    "transpose of a vector": ("transpose", [RNG.normal(size=3)]),
    "number + vector": ("add", [1.5, RNG.normal(size=3)]),
    "vector × matrix rows": ("mul", [RNG.normal(size=3), RNG.normal(size=(2, 3))]),
    "column − row": ("sub", [RNG.normal(size=(3, 1)), RNG.normal(size=(1, 4))]),
    "max of matrix and number": ("max", [RNG.normal(size=(2, 2)), 0.1]),
    "three-way add with broadcast": ("add", [RNG.normal(size=(2, 3)), RNG.normal(size=3), 2.0]),
    "sigmoid of a matrix": ("sigmoid", [RNG.normal(size=(3, 2))]),
    "relu of a vector": ("relu", [np.array([0.7, -0.2, 1.3, -2.0])]),
    "pow of a vector": ("pow", [RNG.uniform(0.5, 2, size=4)]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_tensor_gradient_agrees_with_numerical_differences(case):
    op, values = CASES[case]
    circuit = _circuit(op, values)
    result = engine.run(circuit)
    for k, value in enumerate(values):
        grad = result.grads[f"a{k}"]
        assert np.shape(grad) == np.shape(value)  # summed back to the port's shape
        assert np.allclose(grad, _numerical(circuit, f"a{k}"), atol=1e-6), (case, k)


@pytest.mark.parametrize("op,shapes,out", [
    ("matmul", [(3, 2), (2,)], (3,)), ("matmul", [(3,), (3, 4)], (4,)),
    ("matmul", [(2, 3), (3, 4)], (2, 4)), ("matmul", [(3,), (3,)], ()),
    ("sum", [(2, 3)], ()), ("transpose", [(2, 3)], (3, 2)), ("transpose", [(3,)], (3,)),
    ("add", [(), (3,)], (3,)), ("mul", [(3,), (2, 3)], (2, 3)), ("sub", [(3, 1), (1, 4)], (3, 4)),
])
def test_shapes_are_inferred_as_numpy_computes_them(op, shapes, out):
    circuit = _circuit(op, [np.ones(shape) if shape else 1.0 for shape in shapes])
    plan = engine.plan_of(circuit)
    assert plan.shapes["g"] == out
    assert np.shape(engine.run(circuit).values["g"]) == out


@pytest.mark.parametrize("op,shapes,message", [
    ("matmul", [(2, 3), (2,)], "matmul cannot multiply shapes (2, 3) and (2,)"),
    ("matmul", [(), (2,)], "matmul cannot multiply shapes () and (2,)"),
    ("matmul", [(2, 3), (2, 3)], "matmul cannot multiply shapes (2, 3) and (2, 3)"),
    ("add", [(3,), (2,)], "add cannot combine shapes (3,) and (2,)"),
    ("mul", [(2, 3), (3, 2)], "mul cannot combine shapes (2, 3) and (3, 2)"),
])
def test_shapes_that_do_not_fit_are_named(op, shapes, message):
    circuit = engine.Circuit()
    for k, shape in enumerate(shapes):
        circuit.add_node("input", f"a{k}", value=np.ones(shape) if shape else 1.0)
    circuit.add_node(op, "g")
    for k in range(len(shapes)):
        circuit.connect(f"a{k}", "g", k)
    [(node_id, text)] = engine.plan_of(circuit).shape_problems
    assert node_id == "g" and text.startswith(f"nodes[{len(shapes)}] (g): {message}")


# --------------------------------------------------------------------------- batches
def _net():
    """A small 2-layer net on a point p (shape (2,), bound to the data): s = w2·relu(W1 p + b1)
    + c·sum(p), so every kind of step meets the batch axis."""
    rng = np.random.default_rng(0)
    circuit = engine.Circuit()
    circuit.add_node("input", "p", feature=[0, 1])
    circuit.add_node("input", "W1", value=rng.normal(size=(4, 2)))
    circuit.add_node("input", "b1", value=rng.normal(size=4))
    circuit.add_node("input", "w2", value=rng.normal(size=4))
    circuit.add_node("input", "c", value=0.3)
    for op, node_id in [("matmul", "h"), ("add", "hb"), ("relu", "r"), ("matmul", "s1"),
                        ("sum", "ps"), ("mul", "cp"), ("add", "s"), ("transpose", "rt"),
                        ("mul", "cr")]:
        circuit.add_node(op, node_id)
    for src, dst, port in [("W1", "h", 0), ("p", "h", 1), ("h", "hb", 0), ("b1", "hb", 1),
                           ("hb", "r", 0), ("r", "rt", 0), ("rt", "cr", 0), ("c", "cr", 1),
                           ("cr", "s1", 0), ("w2", "s1", 1), ("p", "ps", 0), ("ps", "cp", 0),
                           ("c", "cp", 1), ("s1", "s", 0), ("cp", "s", 1)]:
        circuit.connect(src, dst, port)
    return circuit


def test_a_batched_run_is_each_points_run_and_parameter_gradients_sum_over_points():
    circuit = _net()
    assert circuit.nodes["p"].value.shape == (2,)
    points = np.random.default_rng(1).normal(size=(5, 2))
    plan = engine.plan_of(circuit)
    values = plan.forward({"p": points})
    grads = plan.backward(values)
    assert values[plan.index["s"]].shape == (5,)
    expected = {node_id: 0.0 for node_id in ("W1", "b1", "w2", "c")}
    for k, point in enumerate(points):
        one = engine.run(circuit, {"p": point})
        assert values[plan.index["s"]][k] == pytest.approx(one.value)
        assert np.allclose(values[plan.index["r"]][k], one.values["r"])
        assert np.allclose(grads[plan.index["p"]][k], one.grads["p"])  # per point
        for node_id in expected:
            expected[node_id] = expected[node_id] + one.grads[node_id]
    for node_id, total in expected.items():
        assert np.allclose(grads[plan.index[node_id]], total), node_id


def test_a_grid_of_points_batches_over_both_grid_axes():
    circuit = _net()
    grid = np.random.default_rng(2).normal(size=(3, 4, 2))
    plan = engine.plan_of(circuit)
    scores = plan.forward({"p": grid})[plan.index["s"]]
    assert scores.shape == (3, 4)
    assert scores[2, 1] == pytest.approx(engine.run(circuit, {"p": grid[2, 1]}).value)


def test_a_vector_input_bound_to_two_columns_must_have_two_elements():
    circuit = engine.Circuit()
    circuit.add_node("input", "p", value=[1.0, 2.0, 3.0], feature=[0, 1])
    circuit.add_node("sum", "f")
    circuit.connect("p", "f", 0)
    assert "bound to data columns [0, 1], so its value must be a vector of 2 numbers" in \
        engine.plan_of(circuit).problems[0]
    text = engine.dumps(engine.loads(json.dumps(json.loads(WX_SQUARED))))
    assert '"feature"' not in text
    circuit.set_value("p", [0.0, 0.0])
    saved = json.loads(engine.dumps(circuit))
    assert saved["nodes"][0]["feature"] == [0, 1] and saved["version"] == 2
    assert engine.loads(engine.dumps(circuit)).nodes["p"].feature == (0, 1)


def test_the_editors_run_says_why_shapes_give_no_gradient():
    circuit = _three_plus_two()
    result = engine.run(circuit, allow_incomplete=True)
    assert result.shape_problems == [("s", "nodes[2] (s): add cannot combine shapes (3,) and "
                                           "(2,)")]
    assert result.no_gradient_reason == ("No gradient: shapes do not fit at nodes[2] (s): add "
                                         "cannot combine shapes (3,) and (2,).")
    circuit.set_value("a", [5.0, 6.0])  # a change of shape is a change of structure
    assert engine.run(circuit).values["s"].tolist() == [6.0, 8.0]
