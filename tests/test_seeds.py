"""The seeds' numbers, one test each: what the guide and CS231n lecture 4 compute, we compute.

Every figure is checked twice: against an independent computation written here with the math
module (tight tolerance), and against the rounded number printed in the seed (via ``round``).
"""

import json
import math

import pytest

import engine
from helpers import EXAMPLES, build, example

TIGHT = dict(rel=1e-12, abs=1e-12)


def two_inputs(op, x, y):
    """forwardMultiplyGate & co: one gate on inputs x and y."""
    return build({"x": ("input", x), "y": ("input", y), "f": op}, {"f": ["x", "y"]})


def custom_gate(x, y):
    """The guide's forwardCustomGate 100 - (x - y)^2 as gates: sub, pow 2, scale -1, offset 100."""
    return build({"x": ("input", x), "y": ("input", y), "d": "sub",
                  "sq": ("pow", {"params": {"p": 2}}), "neg": ("scale", {"params": {"c": -1}}),
                  "f": ("offset", {"params": {"c": 100}})},
                 {"d": ["x", "y"], "sq": ["d"], "neg": ["sq"], "f": ["neg"]})


# ------------------------------------------------------------------ the hacker's guide: gates
def test_forward_multiply_gate_at_minus2_3_gives_minus6():
    assert engine.run(two_inputs("mul", -2.0, 3.0)).value == -2.0 * 3.0 == -6
    assert engine.run(example("multiply")).value == -6


def test_forward_add_gate_at_minus2_3_gives_1():
    assert engine.run(two_inputs("add", -2.0, 3.0)).value == 1


def test_forward_max_gate_at_2_3_gives_3_and_routes_the_gradient_to_3():
    r = engine.run(two_inputs("max", 2.0, 3.0))
    assert r.value == 3
    assert (r.grads["x"], r.grads["y"]) == (0.0, 1.0)


def test_multiply_gate_gradients_are_the_other_input_y_and_x():
    r = engine.run(example("multiply"))
    assert (r.grads["x"], r.grads["y"]) == (3.0, -2.0)


def test_numerical_gradient_of_multiply_gate_at_3_4_wrt_x_is_4():
    circuit = two_inputs("mul", 3.0, 4.0)
    assert engine.run(circuit).grads["x"] == 4.0  # d(xy)/dx = y
    h = 0.0001  # the guide's getNumericalForwardGradient
    initial = engine.run(circuit).value
    final = engine.run(circuit, {"x": 3.0 + h}).value
    numerical = (final - initial) / h
    assert numerical == pytest.approx(((3.0 + h) * 4.0 - 3.0 * 4.0) / h, **TIGHT)
    assert numerical == pytest.approx(4.000000000008441, rel=1e-12)  # as the guide prints
    assert round(numerical, 6) == 4


def test_forward_multiply_gate_at_3_01_4_gives_12_04_more_than_12():
    circuit = two_inputs("mul", 3.0, 4.0)
    assert engine.run(circuit).value == 12
    nudged = engine.run(circuit, {"x": 3.01}).value
    assert nudged == pytest.approx(3.01 * 4, **TIGHT)
    assert round(nudged, 10) == 12.04
    assert nudged > 12


# ------------------------------------------------------------------ the guide's custom gate
def test_custom_gate_100_minus_x_minus_y_squared_at_3_4_gives_99_and_grads_2_minus2():
    for circuit in (custom_gate(3.0, 4.0), example("custom_gate")):
        r = engine.run(circuit)
        assert r.value == 100 - (3 - 4) ** 2 == 99
        assert r.grads["x"] == -2 * (3 - 4) == 2
        assert r.grads["y"] == 2 * (3 - 4) == -2


def _forward_gradient(circuit, x, y, wrt):
    """The guide's getNumericalForwardGradient, on the engine's forward pass."""
    h = 0.0001
    initial = engine.run(circuit, {"x": x, "y": y}).value
    nudged = {"x": x + h, "y": y} if wrt == "x" else {"x": x, "y": y + h}
    return (engine.run(circuit, nudged).value - initial) / h


def test_apply_gradient_once_on_custom_gate_at_3_4_step_0_001_gives_99_007984():
    circuit = custom_gate(3.0, 4.0)
    x, y, step = 3.0, 4.0, 0.001
    gx = _forward_gradient(circuit, x, y, "x")
    gy = _forward_gradient(circuit, x, y, "y")
    final = engine.run(circuit, {"x": x + gx * step, "y": y + gy * step}).value
    assert final == pytest.approx(99.00798399999998, rel=1e-12)  # as the guide prints
    assert final > 99
    # with the engine's analytic gradients (2, -2) the step is (3.002, 3.998)
    r = engine.run(circuit)
    ax, ay = x + r.grads["x"] * step, y + r.grads["y"] * step
    assert engine.run(circuit, {"x": ax, "y": ay}).value == pytest.approx(
        100 - (ax - ay) ** 2, **TIGHT)
    assert round(engine.run(circuit, {"x": ax, "y": ay}).value, 6) == 99.007984


def test_optimize_binary_function_on_custom_gate_reaches_99_999_at_3_49_3_51():
    circuit = custom_gate(3.0, 4.0)
    x, y, step = 3.0, 4.0, 0.001
    previous = engine.run(circuit, {"x": x, "y": y}).value
    for _ in range(100_000):  # the guide recurses until the gain is below 0.000005
        gx = _forward_gradient(circuit, x, y, "x")
        gy = _forward_gradient(circuit, x, y, "y")
        x, y = x + gx * step, y + gy * step
        new = engine.run(circuit, {"x": x, "y": y}).value
        if new - previous < 0.000005:
            break
        previous = new
    assert [previous, x, y] == pytest.approx(
        [99.99937812746526, 3.487488988616036, 3.512326611377091], rel=1e-9)
    assert (round(previous, 3), round(x, 2), round(y, 2)) == (99.999, 3.49, 3.51)


# ------------------------------------------------------------------ (x + y) * z
def test_x_plus_y_times_z_at_minus2_5_minus4_gives_minus12_and_grads_minus4_minus4_3():
    built = build({"x": ("input", -2.0), "y": ("input", 5.0), "z": ("input", -4.0),
                   "q": "add", "f": "mul"}, {"q": ["x", "y"], "f": ["q", "z"]})
    x, y, z = -2.0, 5.0, -4.0
    q = x + y
    for circuit in (built, example("add_mul")):
        r = engine.run(circuit)
        assert r.values["q"] == q == 3
        assert r.value == q * z == -12
        assert r.grads["f"] == 1  # df/df
        assert r.grads["z"] == q == 3  # df/dz = q
        assert r.grads["q"] == z == -4  # df/dq = z
        assert r.grads["x"] == z * 1 == -4  # chain rule: df/dq * dq/dx
        assert r.grads["y"] == z * 1 == -4


def test_x_plus_y_times_z_nudging_z_by_h_raises_f_by_3h():
    circuit = example("add_mul")
    h = 1e-6
    change = engine.run(circuit, {"z": -4.0 + h}).value - engine.run(circuit).value
    assert change == pytest.approx(3 * h, rel=1e-6)


# ------------------------------------------------------------------ the CS231n sigmoid neuron
W0, X0, W1, X1, W2 = 2.0, -1.0, -3.0, -2.0, -3.0


def _lecture_neuron():
    """Independent forward and backward of f = 1/(1 + exp(-(w0 x0 + w1 x1 + w2)))."""
    dot = W0 * X0 + W1 * X1 + W2
    neg = -dot
    e = math.exp(neg)
    plus1 = e + 1.0
    f = 1.0 / plus1
    d_plus1 = -1.0 / plus1 ** 2
    d_e = d_plus1 * 1.0
    d_neg = d_e * e
    d_dot = d_neg * -1.0
    return dict(dot=dot, neg=neg, e=e, plus1=plus1, f=f, d_plus1=d_plus1, d_e=d_e,
                d_neg=d_neg, d_dot=d_dot, w0=X0 * d_dot, x0=W0 * d_dot, w1=X1 * d_dot,
                x1=W1 * d_dot, w2=d_dot)


@pytest.fixture(scope="module")
def primitive():
    return engine.run(example("sigmoid_neuron_primitive"))


def test_cs231n_neuron_from_primitive_gates_gives_0_73(primitive):
    assert primitive.value == pytest.approx(_lecture_neuron()["f"], **TIGHT)
    assert round(primitive.value, 2) == 0.73


def test_cs231n_neuron_forward_path_1_then_minus1_then_0_37_then_1_37():
    r = engine.run(example("sigmoid_neuron_primitive"))
    ref = _lecture_neuron()
    assert (r.values["w0x0"], r.values["w1x1"]) == (-2, 6)
    assert r.values["z"] == ref["dot"] == 1
    assert r.values["times_minus_1"] == ref["neg"] == -1
    assert r.values["exp"] == pytest.approx(ref["e"], **TIGHT)
    assert round(r.values["exp"], 2) == 0.37
    assert r.values["plus_1"] == pytest.approx(ref["plus1"], **TIGHT)
    assert round(r.values["plus_1"], 2) == 1.37


def test_cs231n_output_gradient_is_1(primitive):
    assert primitive.grads["f"] == 1.0


def test_cs231n_recip_gate_input_1_37_gives_0_73_and_local_gradient_minus_0_53(primitive):
    assert primitive.grads["plus_1"] == pytest.approx(-1 / _lecture_neuron()["plus1"] ** 2, **TIGHT)
    assert round(primitive.grads["plus_1"], 2) == -0.53


def test_cs231n_plus1_gate_passes_minus_0_53_unchanged(primitive):
    assert primitive.grads["exp"] == primitive.grads["plus_1"]
    assert round(primitive.grads["exp"], 2) == -0.53


def test_cs231n_exp_gate_input_minus1_local_gradient_0_37_gives_minus_0_20(primitive):
    ref = _lecture_neuron()
    assert primitive.grads["times_minus_1"] == pytest.approx(ref["d_neg"], **TIGHT)
    assert primitive.grads["times_minus_1"] == pytest.approx(
        primitive.grads["exp"] * math.exp(-1), **TIGHT)
    assert round(primitive.grads["times_minus_1"], 2) == -0.20


def test_cs231n_times_minus1_gate_flips_minus_0_20_to_0_20(primitive):
    assert primitive.grads["z"] == -primitive.grads["times_minus_1"]
    assert primitive.grads["z"] == pytest.approx(_lecture_neuron()["d_dot"], **TIGHT)
    assert round(primitive.grads["z"], 2) == 0.20


def test_cs231n_sum_gate_distributes_0_20_to_w2_and_both_products(primitive):
    assert primitive.grads["w2"] == primitive.grads["z"]
    assert primitive.grads["dot"] == primitive.grads["z"]
    assert primitive.grads["w0x0"] == primitive.grads["w1x1"] == primitive.grads["z"]
    assert round(primitive.grads["w2"], 2) == 0.20


def test_cs231n_multiply_gates_give_w0_minus_0_20_x0_0_39_w1_minus_0_39_x1_minus_0_59(primitive):
    ref = _lecture_neuron()
    for name, seed in (("w0", -0.20), ("x0", 0.39), ("w1", -0.39), ("x1", -0.59), ("w2", 0.20)):
        assert primitive.grads[name] == pytest.approx(ref[name], **TIGHT)
        assert round(primitive.grads[name], 2) == seed
    assert round(primitive.grads["x0"], 1) == 0.4  # "result is not 0.39 - result is 0.4"
    assert primitive.grads["w0"] == pytest.approx(X0 * 0.2, abs=0.01)  # -1 * 0.2
    assert primitive.grads["x0"] == pytest.approx(W0 * 0.2, abs=0.01)  # 2 * 0.2


def test_sigmoid_gate_gives_identical_grads_because_0_73_times_1_minus_0_73_is_0_2(primitive):
    r = engine.run(example("sigmoid_neuron"))
    s = 1 / (1 + math.exp(-(W0 * X0 + W1 * X1 + W2)))
    assert r.value == pytest.approx(primitive.value, **TIGHT)
    assert r.grads["z"] == pytest.approx(s * (1 - s), **TIGHT)
    assert round(r.grads["z"], 1) == round(0.73 * (1 - 0.73), 1) == 0.2
    for name in ("w0", "x0", "w1", "x1", "w2"):
        assert r.grads[name] == pytest.approx(primitive.grads[name], rel=1e-12)


# ------------------------------------------------------------------ the guide's single neuron
A, B, C, X, Y = 1.0, 2.0, -3.0, -1.0, 3.0


def test_guide_neuron_sigmoid_ax_by_c_at_1_2_minus3_minus1_3_gives_0_8808():
    r = engine.run(example("neuron"))
    assert r.values["s"] == A * X + B * Y + C == 2
    assert r.value == pytest.approx(1 / (1 + math.exp(-2.0)), **TIGHT)
    assert round(r.value, 4) == 0.8808


def test_guide_neuron_grads_a_minus_0_105_b_0_315_c_0_105_x_0_105_y_0_210():
    r = engine.run(example("neuron"))
    s = 1 / (1 + math.exp(-2.0))
    ds = s * (1 - s)
    expected = {"a": X * ds, "b": Y * ds, "c": ds, "x": A * ds, "y": B * ds}
    for name, grad in expected.items():
        assert r.grads[name] == pytest.approx(grad, **TIGHT)
    rounded = {name: round(r.grads[name], 3) for name in expected}
    assert rounded == {"a": -0.105, "b": 0.315, "c": 0.105, "x": 0.105, "y": 0.210}


def test_guide_neuron_one_step_of_0_01_along_the_gradient_gives_0_8825():
    circuit = example("neuron")
    r = engine.run(circuit)
    step = {name: circuit.node(name).value + 0.01 * r.grads[name] for name in "abcxy"}
    after = engine.run(circuit, step).value
    a, b, c, x, y = (step[name] for name in "abcxy")
    assert after == pytest.approx(1 / (1 + math.exp(-(a * x + b * y + c))), **TIGHT)
    assert 0.8825 <= after < 0.8826  # the guide prints 0.8825 (0.88255 truncated)
    assert after > r.value


# ------------------------------------------------------------------ the guide's gates in Python
def _trusted_solution(name):
    """assets/solutions/<name>.circuit: the guide's gates as code gates, backward written."""
    circuit = engine.load(EXAMPLES.parent / "solutions" / f"{name}.circuit")
    assert all(check.passed for check in engine.trust_code(circuit).values())
    return circuit


def test_guides_python_add_and_multiply_gates_give_minus12_and_input1_grad_minus4():
    r = engine.run(_trusted_solution("guide_exercise_add_mul"))
    assert r.value == (-2 + 5) * -4 == -12  # print(f.value)
    assert r.grads["x"] == -4.0  # a.input1.grad after m.backward(); a.backward()
    assert (r.grads["y"], r.grads["z"]) == (-4.0, 3.0)


def test_guides_python_neuron_gates_give_the_built_in_neurons_numbers_and_step_to_0_8825():
    circuit = _trusted_solution("guide_exercise_neuron")
    r, built_in = engine.run(circuit), engine.run(example("neuron"))
    assert r.value == pytest.approx(built_in.value, **TIGHT) and round(r.value, 4) == 0.8808
    for name in "abcxy":
        assert r.grads[name] == pytest.approx(built_in.grads[name], **TIGHT)
    step = {name: circuit.node(name).value + 0.01 * r.grads[name] for name in "abcxy"}
    assert 0.8825 <= engine.run(circuit, step).value < 0.8826


# ------------------------------------------------------------------ the example files
EXAMPLE_NAMES = ("multiply", "add_mul", "custom_gate", "neuron", "sigmoid_neuron_primitive",
                 "sigmoid_neuron", "linear_svm", "two_layer_net")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_example_file_is_a_clean_version_1_circuit_laid_out_left_to_right(name):
    data = json.loads((EXAMPLES / f"{name}.circuit").read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("circuitgrad", 1)
    assert data["title"].strip() and data["description"].strip()
    assert data["output"] in {node["id"] for node in data["nodes"]}
    circuit = example(name)
    assert circuit.problems() == []
    assert circuit.output_id() == data["output"]
    positions = {node.id: node.pos for node in circuit.nodes.values()}
    assert all(pos is not None for pos in positions.values())
    assert min(x for x, _ in positions.values()) == 0
    left_column = [node for node in circuit.nodes.values() if node.pos[0] == 0]
    assert left_column and all(node.op == "input" for node in left_column)
    points = sorted(positions.values())
    for i, (x1, y1) in enumerate(points):  # gate bodies are at most 80 x 80 with their name
        for x2, y2 in points[i + 1:]:
            assert abs(x1 - x2) >= 160 or abs(y1 - y2) >= 80, (name, (x1, y1), (x2, y2))
    for wire in circuit.wires():
        assert positions[wire.src][0] < positions[wire.dst][0], (name, wire)
    result = engine.run(circuit)
    assert math.isfinite(result.value)


def test_linear_svm_example_binds_x_y_to_features_0_1_and_scores_minus_1_2():
    circuit = example("linear_svm")
    assert (circuit.node("x").feature, circuit.node("y").feature) == (0, 1)
    assert circuit.node("x").is_data and not circuit.node("a").is_data
    assert sorted(circuit.movable_inputs()) == ["a", "b", "c"]
    r = engine.run(circuit)
    assert r.value == pytest.approx(1 * 1.2 + -2 * 0.7 + -1, **TIGHT)
    assert (r.grads["a"], r.grads["b"], r.grads["c"]) == pytest.approx((1.2, 0.7, 1.0), **TIGHT)


def test_two_layer_net_example_is_three_relu_units_with_small_two_decimal_weights():
    circuit = example("two_layer_net")
    assert (circuit.node("x").feature, circuit.node("y").feature) == (0, 1)
    names = [f"{p}{k}" for k in (1, 2, 3) for p in "abc"] + ["a4", "b4", "c4", "d4"]
    w = {name: circuit.node(name).value for name in names}
    assert all(-0.5 <= v <= 0.5 and round(v, 2) == v for v in w.values())
    assert sorted(n.id for n in circuit.nodes.values() if n.op == "relu") == ["n1", "n2", "n3"]
    x, y = circuit.node("x").value, circuit.node("y").value
    n = [max(0.0, w[f"a{k}"] * x + w[f"b{k}"] * y + w[f"c{k}"]) for k in (1, 2, 3)]
    r = engine.run(circuit)
    score = w["a4"] * n[0] + w["b4"] * n[1] + w["c4"] * n[2] + w["d4"]
    assert r.value == pytest.approx(score, **TIGHT)
    for k, out in zip((1, 2, 3), ("a4", "b4", "c4")):
        active = n[k - 1] > 0
        assert r.grads[f"c{k}"] == pytest.approx(w[out] if active else 0.0, **TIGHT)
        assert r.grads[f"a{k}"] == pytest.approx(w[out] * x if active else 0.0, **TIGHT)
        assert r.grads[out] == pytest.approx(n[k - 1], **TIGHT)
