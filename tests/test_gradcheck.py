"""The gradient check: the backward pass agrees with nudging, wrong gates fail, kinks are kinks."""

import dataclasses
import json
import math

import numpy as np
import pytest

import engine
from engine import Circuit, CircuitError, GATES, check_gradients
from helpers import EXAMPLES, build


def one_gate(op, values, params=None):
    """A circuit of one gate fed by inputs a0, a1, ... with the given values."""
    circuit = Circuit()
    gate = GATES[op]
    count = len(values)
    circuit.add_node(op, "g", params=params, inputs=count if gate.variadic else None)
    for port, value in enumerate(values):
        circuit.add_node("input", f"a{port}", value=value)
        circuit.connect(f"a{port}", "g", port)
    return circuit


def gate_cases():
    """Every non-source gate; variadic ones with 2 and 3 ports; params gates with 3 settings."""
    other_params = {"scale": [{"c": 2.5}, {"c": -0.3}], "offset": [{"c": -3.0}, {"c": 7.25}],
                    "pow": [{"p": 3.0}, {"p": 0.5}, {"p": -1.5}]}
    for gate in engine.GATE_LIST:
        if gate.is_source or not gate.elementwise:  # tensor gates: tests/test_tensor_gates.py
            continue
        ports = (2, 3) if gate.variadic else (gate.min_ports,)
        settings = [dict(gate.param_defaults)] + other_params.get(gate.name, []) \
            if gate.params else [None]
        for count in ports:
            for params in settings:
                yield pytest.param(gate.name, count, params,
                                   id=f"{gate.name}-{count}-{params}")


@pytest.mark.parametrize("op,count,params", list(gate_cases()))
def test_every_gate_row_passes_the_check_by_itself(op, count, params):
    # generic points away from kinks and poles: positive, distinct, in [0.5, 2]
    rng = np.random.default_rng([count, *op.encode()])  # seeded per case, stable across runs
    values = list(rng.uniform(0.5, 2.0, size=count))
    if op == "sub" or op == "div":
        values = values[:2]
    report = check_gradients(one_gate(op, values, params))
    assert report.passed, report
    assert [entry.node_id for entry in report.entries] == [f"a{k}" for k in range(count)]
    assert all(entry.status == "ok" for entry in report.entries)


def test_gate_cases_cover_every_gate_of_the_table():
    covered = {case.values[0] for case in gate_cases()}
    assert covered == {gate.name for gate in engine.GATE_LIST
                       if not gate.is_source and gate.elementwise}


def test_every_gate_also_passes_at_negative_points_where_defined():
    for op in ("add", "mul", "sub", "div", "neg", "scale", "offset", "recip", "exp",
               "sigmoid", "tanh", "relu", "abs", "max", "min"):
        circuit = one_gate(op, [-1.3, -0.6][:GATES[op].default_ports()])
        assert check_gradients(circuit).passed, op


def x_plus_y_times_z():
    circuit = Circuit()
    for name, value in (("x", -2.0), ("y", 5.0), ("z", -4.0)):
        circuit.add_node("input", name, value=value)
    circuit.add_node("add", "q")
    circuit.add_node("mul", "f")
    circuit.connect("x", "q", 0)
    circuit.connect("y", "q", 1)
    circuit.connect("q", "f", 0)
    circuit.connect("z", "f", 1)
    return circuit


def test_lecture_circuit_checks_out_with_the_lectures_gradients():
    report = check_gradients(x_plus_y_times_z())
    assert report.passed and report.output == "f" and report.value == -12.0
    for node_id, grad in (("x", -4.0), ("y", -4.0), ("z", 3.0)):
        entry = report.entry(node_id)
        assert entry.analytic == grad
        assert entry.numerical == pytest.approx(grad, rel=1e-8)
        assert entry.status == "ok" and entry.note == ""
        assert entry.rel_error < 1e-8


def test_overrides_move_the_checked_point_without_editing_the_circuit():
    circuit = x_plus_y_times_z()
    report = check_gradients(circuit, {"x": 1.0})
    assert report.value == (1.0 + 5.0) * -4.0
    assert report.entry("z").analytic == 6.0
    assert circuit.nodes["x"].value == -2.0


def test_consts_are_reported_too():
    circuit = x_plus_y_times_z()
    circuit.add_node("const", "k", value=2.0)
    circuit.add_node("mul", "g")
    circuit.connect("f", "g", 0)
    circuit.connect("k", "g", 1)
    report = check_gradients(circuit)
    assert report.entry("k").analytic == -12.0
    assert report.entry("k").status == "ok"
    assert report.entry("x").analytic == -8.0


def broken_exp():
    """A copy of the exp row whose backward returns twice the true local gradient."""
    return dataclasses.replace(GATES["exp"], name="badexp",
                               backward=lambda xs, out, g, p: (2.0 * out * g,),
                               scalar_backward=lambda a, out, up: 2.0 * out * up)


def test_a_gate_with_a_wrong_backward_fails_while_a_correct_one_passes(monkeypatch):
    monkeypatch.setitem(GATES, "badexp", broken_exp())
    good = one_gate("exp", [0.7])
    assert check_gradients(good).passed

    bad = Circuit()
    bad.add_node("input", "x", value=0.7)
    bad.add_node("input", "w", value=1.5)
    bad.add_node("badexp", "e")
    bad.add_node("mul", "f")
    bad.connect("x", "e", 0)
    bad.connect("e", "f", 0)
    bad.connect("w", "f", 1)
    report = check_gradients(bad)
    assert not report.passed
    x = report.entry("x")
    assert x.status == "fail" and x.note
    assert x.analytic == pytest.approx(2 * 1.5 * math.exp(0.7), rel=1e-12)
    assert x.numerical == pytest.approx(1.5 * math.exp(0.7), rel=1e-8)
    assert x.rel_error == pytest.approx(0.5, rel=1e-6)
    assert report.entry("w").status == "ok"  # w does not go through the broken gate
    assert report.failures == [x]


def test_relu_at_exactly_zero_is_a_kink_not_a_fail():
    report = check_gradients(one_gate("relu", [0.0]))
    entry = report.entry("a0")
    assert entry.status == "kink"
    assert "g (relu)" in entry.note
    assert entry.analytic == 0.0  # the convention: 0 at exactly 0
    assert entry.numerical == pytest.approx(0.5)  # (eps - 0) / 2 eps
    assert report.passed


def test_abs_at_zero_is_a_kink_even_though_both_slopes_average_to_its_gradient():
    entry = check_gradients(one_gate("abs", [0.0])).entry("a0")
    assert entry.status == "kink" and "g (abs)" in entry.note
    assert entry.analytic == 0.0 and entry.numerical == 0.0


def test_max_and_min_with_a_tie_are_kinks():
    for op in ("max", "min"):
        report = check_gradients(one_gate(op, [1.5, 1.5]))
        assert report.passed
        for entry in report.entries:
            assert entry.status == "kink" and f"g ({op})" in entry.note
            assert entry.analytic == 0.5  # ties split evenly


def test_a_kink_hidden_upstream_is_named():
    # f = 3 * relu(x - y) at x == y: the relu sits at 0 two gates away from the inputs
    circuit = Circuit()
    circuit.add_node("input", "x", value=1.25)
    circuit.add_node("input", "y", value=1.25)
    circuit.add_node("sub", "d")
    circuit.add_node("relu", "r")
    circuit.add_node("scale", "f", params={"c": 3.0})
    circuit.connect("x", "d", 0)
    circuit.connect("y", "d", 1)
    circuit.connect("d", "r", 0)
    circuit.connect("r", "f", 0)
    report = check_gradients(circuit)
    assert [entry.status for entry in report.entries] == ["kink", "kink"]
    assert all("r (relu)" in entry.note for entry in report.entries)


def test_relu_away_from_zero_is_ok_on_both_sides():
    assert check_gradients(one_gate("relu", [0.3])).entry("a0").status == "ok"
    assert check_gradients(one_gate("relu", [-0.3])).entry("a0").status == "ok"


def test_a_smooth_function_built_from_kinks_is_a_kink_not_a_fail():
    # relu(x) - relu(-x) is x, but at 0 both relus follow the convention and the backward
    # pass says 0: not a bug in a gate, so the check reports the kink instead of failing
    circuit = Circuit()
    circuit.add_node("input", "x", value=0.0)
    circuit.add_node("neg", "n")
    circuit.add_node("relu", "r1")
    circuit.add_node("relu", "r2")
    circuit.add_node("sub", "f")
    circuit.connect("x", "r1", 0)
    circuit.connect("x", "n", 0)
    circuit.connect("n", "r2", 0)
    circuit.connect("r1", "f", 0)
    circuit.connect("r2", "f", 1)
    entry = check_gradients(circuit).entry("x")
    assert entry.analytic == 0.0 and entry.numerical == pytest.approx(1.0)
    assert entry.status == "kink"
    assert "r1 (relu)" in entry.note and "r2 (relu)" in entry.note


def test_an_overflowing_output_fails_with_a_note():
    # exp(exp(x)) at x = 7: exp(1096.6) overflows, so f is inf and no slope can be measured
    circuit = Circuit()
    circuit.add_node("input", "x", value=7.0)
    circuit.add_node("exp", "e1")
    circuit.add_node("exp", "f")
    circuit.connect("x", "e1", 0)
    circuit.connect("e1", "f", 0)
    report = check_gradients(circuit)
    entry = report.entry("x")
    assert report.value == math.inf and entry.analytic == math.inf
    assert entry.status == "fail" and "output is inf" in entry.note
    assert entry.rel_error == math.inf and not report.passed


def test_nan_fails_and_the_same_infinity_on_both_sides_is_ok():
    report = check_gradients(one_gate("log", [-1.0]))  # log of a negative: nan everywhere
    entry = report.entry("a0")
    assert entry.status == "fail" and "not finite" in entry.note
    assert entry.analytic == -1.0 and math.isnan(entry.numerical)  # 1/a, but f is nan
    assert entry.rel_error == math.inf and "output is nan" in entry.note
    assert not report.passed

    from engine.gradcheck import _judge
    same = _judge(Circuit(), "x", math.inf, math.inf, 1.0, 1.0, [], 1e-5, 1e-3)
    assert (same.status, same.rel_error) == ("ok", 0.0)
    opposite = _judge(Circuit(), "x", math.inf, -math.inf, 1.0, 1.0, [], 1e-5, 1e-3)
    assert opposite.status == "fail"


def test_relative_error_definition():
    from engine.gradcheck import relative_error
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 3.0) == pytest.approx(2.0 / 3.0)
    assert relative_error(-2.0, 2.0) == 2.0
    assert relative_error(math.inf, 1.0) == math.inf


def test_torch_tolerance_rule_is_atol_plus_rtol_times_numerical():
    from engine.gradcheck import close
    assert close(1.0 + 1.5e-3, 1.0, atol=1e-5, rtol=1e-3) is False
    assert close(1.0 + 0.9e-3, 1.0, atol=1e-5, rtol=1e-3) is True
    assert close(1e-6, 0.0, atol=1e-5, rtol=1e-3) is True


def test_a_circuit_that_cannot_run_raises():
    circuit = Circuit()
    circuit.add_node("input", "x", value=1.0)
    circuit.add_node("mul", "f")
    circuit.connect("x", "f", 0)
    with pytest.raises(CircuitError, match="not connected"):
        check_gradients(circuit)


def test_batches_and_unknown_ids_are_refused():
    with pytest.raises(CircuitError, match=r"its shape \(\), not a batch"):
        check_gradients(x_plus_y_times_z(), {"x": np.array([1.0, 2.0])})
    with pytest.raises(CircuitError, match="nope"):
        check_gradients(x_plus_y_times_z(), {"nope": 1.0})


# ------------------------------------------------------------------ vectors and matrices
def wx_squared():
    return engine.load(EXAMPLES / "wx_squared.circuit")


def test_wx_squared_checks_ok_for_every_element_of_w_and_x():
    report = check_gradients(wx_squared())
    assert report.passed and report.value == pytest.approx(0.116)
    w, x = report.entry("W"), report.entry("x")
    assert [e.index for e in w.elements] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [e.index for e in x.elements] == [(0,), (1,)]
    slide = {"W": [0.088, 0.176, 0.104, 0.208], "x": [-0.112, 0.636]}  # FORMAT.md 5
    for entry in (w, x):
        assert entry.status == "ok"
        assert dataclasses.replace(entry, elements=()) in entry.elements  # the worst element
        assert entry.rel_error == max(e.rel_error for e in entry.elements)
        for element, grad in zip(entry.elements, slide[entry.node_id]):
            assert element.node_id == entry.node_id and element.status == "ok"
            assert element.analytic == pytest.approx(grad, abs=1e-15)
            assert element.numerical == pytest.approx(grad, rel=1e-8)
            assert element.elements == ()


def transposed_matmul():
    """A TEST-ONLY copy of the matmul row with the classic bug: dW = x·dqᵀ instead of dq·xᵀ."""
    def backward(xs, out, g, p, ranks=None):
        grad_w, grad_x = GATES["matmul"].backward(xs, out, g, p, ranks)
        return grad_w.T, grad_x
    return dataclasses.replace(GATES["matmul"], name="badmatmul", backward=backward)


def test_a_broken_tensor_gate_is_caught_at_the_right_elements(monkeypatch):
    monkeypatch.setitem(GATES, "badmatmul", transposed_matmul())
    data = json.loads((EXAMPLES / "wx_squared.circuit").read_text(encoding="utf-8"))
    data["nodes"][2]["op"] = "badmatmul"
    report = check_gradients(engine.circuit_from_dict(data))
    assert not report.passed
    w = report.entry("W")
    # dW's off-diagonal elements are swapped: [0, 1] and [1, 0] fail, the diagonal is right
    assert [e.status for e in w.elements] == ["ok", "fail", "fail", "ok"]
    assert w.status == "fail" and w.index == (0, 1) and w.element_text == "[0, 1]"
    assert w.analytic == pytest.approx(0.104) and w.numerical == pytest.approx(0.176, rel=1e-8)
    assert w.rel_error == pytest.approx((0.176 - 0.104) / 0.176, rel=1e-6)
    assert report.entry("x").status == "ok"  # dx = Wᵀ·dq is still right
    assert report.failures == [w]


def test_a_relu_of_a_vector_at_0_in_one_element_is_a_kink_there_only():
    circuit = build({"a": ("input", [0.0, 0.5, -0.3]), "r": "relu", "f": "sum"},
                    {"r": ["a"], "f": ["r"]})
    report = check_gradients(circuit)
    a = report.entry("a")
    assert report.passed
    assert [e.status for e in a.elements] == ["kink", "ok", "ok"]
    assert a.status == "kink" and a.index == (0,) and "r (relu)" in a.note
    assert a.analytic == 0.0 and a.numerical == pytest.approx(0.5)  # as for a number
    assert [e.analytic for e in a.elements] == [0.0, 1.0, 0.0]


def test_max_of_two_vectors_tied_in_one_element_is_a_kink_there():
    circuit = build({"a": ("input", [1.0, 2.0]), "b": ("input", [1.0, 3.0]), "m": "max",
                     "f": "sum"}, {"m": ["a", "b"], "f": ["m"]})
    report = check_gradients(circuit)
    for node_id, losing in (("a", 0.0), ("b", 1.0)):
        entry = report.entry(node_id)
        assert [e.status for e in entry.elements] == ["kink", "ok"]
        assert entry.index == (0,) and "m (max)" in entry.note
        assert [e.analytic for e in entry.elements] == [0.5, losing]  # the tie splits


def test_a_tensor_output_is_refused_with_its_shape():
    circuit = wx_squared()
    circuit.set_output("q")
    with pytest.raises(CircuitError, match="output q is a 2 tensor"):
        check_gradients(circuit)
