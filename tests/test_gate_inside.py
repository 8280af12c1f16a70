"""The numbers inside one use of a compound gate (engine.run_inside).

The lecture's sigmoid neuron with its four last gates made one gate ``sig``: the use sees
z = w0·x0 + w1·x1 + w2 = 1 at its port and sends back 0.73 × (1 − 0.73) = 0.20, so inside,
the port input shows 1.00 and its gradient is 0.20; every gate inside carries the numbers the
primitive neuron carries at the same gate.
"""

import json

import numpy as np
import pytest

import engine
from engine import CircuitError
from tests.helpers import EXAMPLES
from tests.test_own_gates import SIG_INSIDE, loaded, sig_file


def neuron_with_sig():
    circuit = engine.load(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    primitive = engine.run(circuit)
    engine.gate_making(circuit, ["times_minus_1", "exp", "plus_1", "f"], "sig").apply(circuit)
    return circuit, primitive


def test_the_inside_of_the_neurons_sigmoid_gate_carries_the_neurons_numbers():
    circuit, primitive = neuron_with_sig()
    result = engine.run(circuit)
    inside = engine.run_inside(circuit, result, "sig")
    port = circuit.definitions["sig"].ports[0]
    assert inside.values[port] == pytest.approx(1.0)
    s = 1 / (1 + np.exp(-1.0))
    assert inside.value == pytest.approx(s, rel=1e-15)
    assert inside.grads[port] == pytest.approx(s * (1 - s), rel=1e-15)
    assert round(inside.grads[port], 2) == 0.20
    for node_id in ("times_minus_1", "exp", "plus_1", "f"):  # the gates kept their ids
        assert inside.values[node_id] == pytest.approx(primitive.values[node_id], rel=1e-15)
        assert inside.grads[node_id] == pytest.approx(primitive.grads[node_id], rel=1e-15)


def test_the_inside_is_seeded_with_the_uses_upstream_gradient_and_left_unchanged():
    # f = 3 * sig(x) at x = 2: sig's upstream gradient is 3
    circuit = loaded(sig_file(nodes=[{"id": "x", "op": "input", "value": 2.0},
                                     {"id": "s", "op": "sig"},
                                     {"id": "f", "op": "scale", "params": {"c": 3.0}}],
                              wires=[{"from": "x", "to": "s", "port": 0},
                                     {"from": "s", "to": "f", "port": 0}]))
    before = engine.dumps(circuit)
    inside = engine.run_inside(circuit, engine.run(circuit), "s")
    s = 1 / (1 + np.exp(-2.0))
    assert inside.values["a"] == 2.0
    assert inside.grads["r"] == 3.0
    assert inside.grads["a"] == pytest.approx(3 * s * (1 - s), rel=1e-14)
    assert circuit.definitions["sig"].circuit.nodes["a"].value == 0.0
    assert engine.dumps(circuit) == before


def test_a_use_with_an_open_port_shows_the_insides_own_values():
    circuit = loaded(sig_file(nodes=[{"id": "x", "op": "input", "value": 2.0},
                                     {"id": "s", "op": "sig"}], wires=[{"from": "x", "to": "s",
                                                                       "port": 0}]))
    circuit.disconnect("s", 0)
    inside = engine.run_inside(circuit, engine.run(circuit, allow_incomplete=True), "s")
    assert inside.values["a"] == 0.0  # its own value
    assert inside.value == pytest.approx(0.5)
    assert inside.grads["a"] == pytest.approx(0.25)  # seeded with 1: the local gradient


def test_a_gate_of_numbers_used_on_a_vector_shows_every_element():
    data = sig_file(nodes=[{"id": "x", "op": "input", "value": [0.0, 1.0, -1.0]},
                           {"id": "s", "op": "sig"}])
    circuit = loaded(data)
    inside = engine.run_inside(circuit, engine.run(circuit), "s")
    s = 1 / (1 + np.exp(-np.array([0.0, 1.0, -1.0])))
    np.testing.assert_allclose(inside.value, s, rtol=1e-15)
    np.testing.assert_allclose(inside.grads["a"], s * (1 - s), rtol=1e-15)


def test_a_gate_used_inside_another_opens_with_the_outer_insides_numbers():
    gates = {"sig": SIG_INSIDE,
             "twice": {"ports": ["u"],
                       "nodes": [{"id": "u", "op": "input", "value": 0.0},
                                 {"id": "d", "op": "scale", "params": {"c": 2.0}},
                                 {"id": "g", "op": "sig"}],
                       "wires": [{"from": "u", "to": "d", "port": 0},
                                 {"from": "d", "to": "g", "port": 0}],
                       "output": "g"}}
    circuit = loaded(sig_file(gates=gates, nodes=[{"id": "x", "op": "input", "value": 0.5},
                                                  {"id": "t", "op": "twice"}],
                              wires=[{"from": "x", "to": "t", "port": 0}]))
    twice = engine.run_inside(circuit, engine.run(circuit), "t")
    inner = engine.run_inside(circuit.definitions["twice"].circuit, twice, "g")
    s = 1 / (1 + np.exp(-1.0))
    assert inner.values["a"] == 1.0
    assert inner.grads["a"] == pytest.approx(s * (1 - s), rel=1e-15)
    assert twice.grads["u"] == pytest.approx(2 * s * (1 - s), rel=1e-15)


def test_a_gate_that_is_not_compound_has_no_inside():
    circuit = loaded(sig_file())
    assert engine.inside_of(circuit, "x") is None
    with pytest.raises(CircuitError, match="no compound gate"):
        engine.run_inside(circuit, engine.run(circuit), "x")


def test_refusals_are_told_before_the_edit():
    circuit = loaded(sig_file())
    inside = circuit.definitions["sig"].circuit
    assert "a is a port of sig" in inside.removal_refusal("a")
    assert inside.removal_refusal("n") == ""
    assert "a gate cannot use itself" in inside.use_refusal("sig")
    assert circuit.use_refusal("sig") == "" and inside.use_refusal("exp") == ""
    with pytest.raises(CircuitError, match="port of sig"):
        inside.remove_node("a")
    assert json.loads(engine.dumps(circuit))["gates"]["sig"]["ports"] == ["a"]
