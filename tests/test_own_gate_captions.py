"""A compound gate's local gradient, shown: the lecture's sigmoid gate made of *-1, exp, +1, 1/x.

The lecture's neuron at w0=2, x0=-1, w1=-3, x1=-2, w2=-3 feeds 1.0 into the sigmoid gate, whose
output is 0.73 and whose local gradient is 0.73 × (1 − 0.73) = 0.20; x0's gradient is
2 × 1 × 1 × 0.20 = 0.39.
"""

import math

import pytest

import engine
from engine.gate_twins import builtin_twin
from tests.helpers import EXAMPLES, build

S = 1.0 / (1.0 + math.exp(-1.0))  # sigmoid(1) = 0.7310585786300049


def sig_neuron(c_of_plus: float = 1.0) -> engine.Circuit:
    """The lecture's sigmoid neuron with its four last gates made into ``sig`` (its +1 gate
    adding ``c_of_plus``)."""
    circuit = engine.load(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    circuit.set_param("plus_1", "c", c_of_plus)
    engine.gate_making(circuit, ["times_minus_1", "exp", "plus_1", "f"], "sig").apply(circuit)
    return circuit


def test_four_gates_of_the_sigmoid_are_recognised_as_sigmoid():
    circuit = sig_neuron()
    assert circuit.gates["sig"].same_as == "sigmoid"


def test_plus_two_instead_of_plus_one_is_no_builtin_gate():
    circuit = sig_neuron(2.0)
    assert circuit.gates["sig"].same_as == ""


def test_recognition_compares_forward_and_backward():
    sigmoid = engine.GATES["sigmoid"]

    def wrong_backward(xs, out, g, p):  # sigmoid's forward, a backward off by 1e-9
        return (g * (1.0 - out) * out * (1.0 + 1e-9),)

    assert builtin_twin(sigmoid.forward, sigmoid.backward) == "sigmoid"
    assert builtin_twin(sigmoid.forward, wrong_backward) == ""
    assert builtin_twin(engine.GATES["tanh"].forward, engine.GATES["tanh"].backward) == "tanh"


def test_the_sigmoid_gates_caption_writes_sigmoids_local_gradient_with_its_numbers():
    circuit = sig_neuron()
    result = engine.run(circuit)
    assert result.value == pytest.approx(S)
    rule = engine.gate_chain_rule(circuit, result, "sig")
    assert rule.pattern_text == ("sig: local gradient s × (1 − s) = 0.73 × (1 − 0.73) = 0.20, "
                                 "as sigmoid's")
    assert rule.ports[0].local == pytest.approx(S * (1 - S))
    assert rule.captions() == ["1.00 × 0.20 = 0.20"]
    assert engine.forward_caption(circuit, result, "sig") == "sig(1.00) = 0.73"


def test_a_gate_no_builtin_computes_gives_the_number_its_inside_worked_out():
    circuit = sig_neuron(2.0)
    result = engine.run(circuit)
    e = math.exp(-1.0)
    local = e / (2.0 + e) ** 2  # d/dz 1 / (2 + e^-z) at z = 1: 0.0726
    rule = engine.gate_chain_rule(circuit, result, "sig")
    assert rule.ports[0].local == pytest.approx(local)
    assert rule.pattern_text == ("sig: local gradient ∂sig/∂z = 0.07, worked out by its "
                                 "inside's backward pass")


def test_a_twin_that_an_edit_inside_made_wrong_is_not_claimed():
    circuit = sig_neuron()
    circuit.definitions["sig"].circuit.set_param("plus_1", "c", 2.0)
    result = engine.run(circuit)
    text = engine.gate_chain_rule(circuit, result, "sig").pattern_text
    assert "sigmoid" not in text and "worked out by its inside's backward pass" in text


def test_a_two_port_compound_gives_each_ports_local_gradient():
    circuit = build({"a": ("input", 3.0), "b": ("input", -2.0), "p": "mul", "q": "add"},
                    {"p": ["a", "b"], "q": ["p", "b"]})
    engine.gate_making(circuit, ["p", "q"], "mad").apply(circuit)  # a·b + b
    result = engine.run(circuit)
    assert result.value == pytest.approx(-8.0)
    (gate_id,) = [n for n, node in circuit.nodes.items() if node.op == "mad"]
    rule = engine.gate_chain_rule(circuit, result, gate_id)
    ports = circuit.definitions["mad"].ports
    # d(a·b + b)/da = b = -2, d/db = a + 1 = 4
    assert rule.pattern_text == (f"mad: local gradients ∂mad/∂{ports[0]} = -2.00, "
                                 f"∂mad/∂{ports[1]} = 4.00, worked out by its inside's "
                                 "backward pass")
    assert [port.sent for port in rule.ports] == [-2.0, 4.0]


def test_explain_goes_through_sig_as_one_factor():
    circuit = sig_neuron()
    result = engine.run(circuit)
    explanation = engine.gradient_paths(circuit, result, "x0")
    (path,) = explanation.paths
    assert path.nodes == ("x0", "w0x0", "dot", "z", "sig")
    assert [factor.local for factor in path.factors] == pytest.approx(
        [2.0, 1.0, 1.0, S * (1 - S)])
    assert path.product == pytest.approx(0.39322386648296376)
    assert engine.local_gradient_words(circuit, result.values, "sig", 0) == (
        "sig: local gradient s × (1 − s) = 0.73 × (1 − 0.73) = 0.20, as sigmoid's")
    assert engine.local_gradient_words(circuit, result.values, "w0x0", 1) == ""


def test_tanh_made_of_a_sigmoid_is_recognised_as_tanh():
    circuit = build({"x": ("input", 0.5), "a": ("scale", {"params": {"c": 2.0}}), "s": "sigmoid",
                     "b": ("scale", {"params": {"c": 2.0}}),
                     "t": ("offset", {"params": {"c": -1.0}})},
                    {"a": ["x"], "s": ["a"], "b": ["s"], "t": ["b"]})
    engine.gate_making(circuit, ["a", "s", "b", "t"], "th").apply(circuit)  # 2σ(2x) − 1
    assert circuit.gates["th"].same_as == "tanh"
    result = engine.run(circuit)
    (gate_id,) = [n for n, node in circuit.nodes.items() if node.op == "th"]
    t = math.tanh(0.5)  # 0.46, and 1 − t² = 0.79
    rule = engine.gate_chain_rule(circuit, result, gate_id)
    assert rule.ports[0].local == pytest.approx(1 - t * t)
    assert rule.pattern_text == "th: local gradient 1 − t² = 1 − 0.46² = 0.79, as tanh's"


def test_a_code_gates_caption_gives_what_its_backward_returned():
    from tests.test_code_trust import loaded
    circuit = loaded()  # the guide's (x + y) * z with MultiplyGate in Python
    engine.trust_code(circuit)
    result = engine.run(circuit)
    rule = engine.gate_chain_rule(circuit, result, "f")
    assert rule.pattern_text == ("MultiplyGate: local gradients ∂MultiplyGate/∂x = -4.00, "
                                 "∂MultiplyGate/∂y = 3.00, worked out by its backward(dz)")
    assert rule.captions() == ["1.00 × -4.00 = -4.00", "1.00 × 3.00 = 3.00"]
    (check,) = engine.check_own_gates(circuit)
    assert check.passed and check.op == "MultiplyGate"
