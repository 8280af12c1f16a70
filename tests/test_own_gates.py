"""A file's own gates (FORMAT.md 6): compound gates in files, runs, Make Gate and Expand.

The lecture's sigmoid neuron: w = (2, -3, -3), x = (-1, -2) gives 0.73, and the gradients
w0 = -0.20, x0 = 0.39, w1 = -0.39, x1 = -0.59, w2 = 0.20, with the four gates *-1, exp, +1,
1/x made into one gate.
"""

import json

import numpy as np
import pytest

import engine
from engine import CircuitError
from tests.helpers import EXAMPLES, build

SIG_INSIDE = {
    "ports": ["a"],
    "nodes": [{"id": "a", "op": "input", "value": 0.0},
              {"id": "n", "op": "scale", "params": {"c": -1.0}},
              {"id": "e", "op": "exp"},
              {"id": "p", "op": "offset", "params": {"c": 1.0}},
              {"id": "r", "op": "recip"}],
    "wires": [{"from": "a", "to": "n", "port": 0}, {"from": "n", "to": "e", "port": 0},
              {"from": "e", "to": "p", "port": 0}, {"from": "p", "to": "r", "port": 0}],
    "output": "r",
}


def sig_file(gates=None, nodes=None, wires=None) -> dict:
    return {"format": "circuitgrad", "version": 2, "title": "sig",
            "gates": {"sig": SIG_INSIDE} if gates is None else gates,
            "nodes": nodes or [{"id": "x", "op": "input", "value": 1.0},
                               {"id": "s", "op": "sig"}],
            "wires": wires or [{"from": "x", "to": "s", "port": 0}]}


def loaded(data) -> engine.Circuit:
    return engine.loads(json.dumps(data))


def made_neuron() -> tuple[engine.Circuit, engine.Result]:
    circuit = engine.load(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    before = engine.run(circuit)
    engine.gate_making(circuit, ["times_minus_1", "exp", "plus_1", "f"], "sig").apply(circuit)
    return circuit, before


def test_sigmoid_gate_from_a_file_gives_the_sigmoid_and_its_local_gradient():
    result = engine.run(loaded(sig_file()))
    s = 1 / (1 + np.exp(-1.0))
    assert result.value == pytest.approx(s, rel=1e-15)
    assert result.grads["x"] == pytest.approx(s * (1 - s), rel=1e-15)


def test_making_the_lectures_sigmoid_gate_keeps_every_number():
    circuit, before = made_neuron()
    after = engine.run(circuit)
    assert [n.op for n in circuit.nodes.values()][-1] == "sig"
    assert after.value == before.value == pytest.approx(0.7311, abs=1e-4)
    for name, expected in {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59,
                           "w2": 0.20}.items():
        assert after.grads[name] == before.grads[name]
        assert round(after.grads[name], 2) == expected
    assert circuit.output_id() == "sig"
    assert circuit.definitions["sig"].ports == ("z",)


def test_expanding_the_gate_puts_its_inside_back_as_it_was():
    circuit, before = made_neuron()
    positions = {n.id: n.pos for n in engine.load(
        EXAMPLES / "sigmoid_neuron_primitive.circuit").nodes.values()}
    engine.gate_unpacking(circuit, "sig").apply(circuit)
    after = engine.run(circuit)
    assert after.grads == before.grads and after.value == before.value
    for node_id in ("times_minus_1", "exp", "plus_1", "f"):
        assert circuit.nodes[node_id].pos == positions[node_id]
    assert circuit.output_id() == "f"


def test_a_file_with_an_own_gate_round_trips_and_is_version_2():
    circuit, _before = made_neuron()
    text = engine.dumps(circuit)
    data = json.loads(text)
    assert data["version"] == 2
    assert data["gates"]["sig"]["ports"] == ["z"]
    assert [n["op"] for n in data["gates"]["sig"]["nodes"]] == [
        "input", "scale", "exp", "offset", "recip"]
    again = engine.loads(text)
    assert engine.dumps(again) == text
    assert engine.run(again).grads == engine.run(circuit).grads


def test_batched_run_through_a_compound_gate_matches_the_sigmoid():
    circuit = loaded(sig_file())
    xs = np.linspace(-3, 3, 7)
    result = engine.run(circuit, {"x": xs})
    s = 1 / (1 + np.exp(-xs))
    np.testing.assert_allclose(result.values["s"], s, rtol=1e-15)
    np.testing.assert_allclose(result.grads["x"], s * (1 - s), rtol=1e-14)


def test_a_compound_gate_applies_element_by_element_to_a_vector():
    data = sig_file(nodes=[{"id": "x", "op": "input", "value": [0.0, 1.0, -2.0]},
                           {"id": "s", "op": "sig"}, {"id": "t", "op": "sum"}],
                    wires=[{"from": "x", "to": "s", "port": 0},
                           {"from": "s", "to": "t", "port": 0}])
    result = engine.run(loaded(data))
    s = 1 / (1 + np.exp(-np.array([0.0, 1.0, -2.0])))
    np.testing.assert_allclose(result.values["s"], s, rtol=1e-15)
    np.testing.assert_allclose(result.grads["x"], s * (1 - s), rtol=1e-14)


def test_a_gate_may_use_another_gate_of_the_file():
    gates = {"sig": SIG_INSIDE,
             "twice": {"ports": ["u"],
                       "nodes": [{"id": "u", "op": "input", "value": 0.0},
                                 {"id": "a", "op": "sig"}, {"id": "b", "op": "sig"}],
                       "wires": [{"from": "u", "to": "a", "port": 0},
                                 {"from": "a", "to": "b", "port": 0}],
                       "output": "b"}}
    data = sig_file(gates=gates, nodes=[{"id": "x", "op": "input", "value": 1.0},
                                        {"id": "s", "op": "twice"}])
    circuit = loaded(data)
    result = engine.run(circuit)
    s1 = 1 / (1 + np.exp(-1.0))
    s2 = 1 / (1 + np.exp(-s1))
    assert result.value == pytest.approx(s2, rel=1e-15)
    assert result.grads["x"] == pytest.approx(s2 * (1 - s2) * s1 * (1 - s1), rel=1e-14)
    assert engine.check_gradients(circuit).passed


@pytest.mark.parametrize("gates, message", [
    ({"A": {"ports": ["u"], "nodes": [{"id": "u", "op": "input", "value": 0.0},
                                      {"id": "b", "op": "B"}],
            "wires": [{"from": "u", "to": "b", "port": 0}]},
      "B": {"ports": ["u"], "nodes": [{"id": "u", "op": "input", "value": 0.0},
                                      {"id": "a", "op": "A"}],
            "wires": [{"from": "u", "to": "a", "port": 0}]}},
     "gates.A: uses itself (A -> B -> A)"),
    ({"sig": dict(SIG_INSIDE, ports=["q"])}, "gates.sig.ports: unknown port 'q'"),
    ({"sig": dict(SIG_INSIDE, ports=["n"])}, "gates.sig.ports: 'n' is a scale node; a port is an input"),
    ({"add": SIG_INSIDE}, "gates.add: 'add' is a built-in gate's name"),
    ({"sig": {"ports": ["a"]}}, 'gates.sig: needs either "code"'),
    ({"sig": dict(SIG_INSIDE, nodes=SIG_INSIDE["nodes"] + [{"id": "k", "op": "mull"}])},
     "gates.sig.nodes[5].op: unknown gate 'mull'"),
    ({"sig": {"ports": ["x"], "code": 42}}, "gates.sig.code: must be Python source text"),
])
def test_bad_definitions_are_refused_naming_the_place(gates, message):
    with pytest.raises(CircuitError, match=None) as caught:
        loaded(sig_file(gates=gates, nodes=[{"id": "x", "op": "input", "value": 1.0}],
                        wires=[]))
    assert message in str(caught.value)


def test_a_gate_cannot_be_put_inside_itself():
    circuit = loaded(sig_file())
    inside = circuit.definitions["sig"].circuit
    with pytest.raises(CircuitError, match="cannot be used inside sig"):
        inside.add_node("sig")


def test_an_edit_inside_reaches_every_use_and_the_file_listeners():
    circuit = loaded(sig_file())
    changes = []
    circuit.subscribe(changes.append)
    inside = circuit.definitions["sig"].circuit
    inside.set_param("n", "c", -2.0)  # now 1 / (1 + exp(-2a))
    assert engine.run(circuit).value == pytest.approx(1 / (1 + np.exp(-2.0)), rel=1e-15)
    assert changes[-1].kind == "definition_changed" and changes[-1].field == "sig"
    inside.disconnect("r", 0)
    result = engine.run(circuit, allow_incomplete=True)
    assert not result.has_gradients
    assert "the inside of sig cannot run" in result.gate_problems[0][1]


def test_a_port_stays_while_the_gate_has_it_and_renaming_it_renames_the_port():
    circuit = loaded(sig_file())
    inside = circuit.definitions["sig"].circuit
    with pytest.raises(CircuitError, match="is a port of sig"):
        inside.remove_node("a")
    inside.rename("a", "t")
    assert circuit.definitions["sig"].ports == ("t",)
    assert engine.run(circuit).value == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_copy_keeps_own_gates_independent():
    circuit = loaded(sig_file())
    twin = circuit.copy()
    twin.definitions["sig"].circuit.set_param("n", "c", -2.0)
    assert engine.run(circuit).value == pytest.approx(1 / (1 + np.exp(-1.0)))
    assert engine.run(twin).value == pytest.approx(1 / (1 + np.exp(-2.0)))


def test_a_gate_in_use_is_not_removed():
    circuit = loaded(sig_file())
    with pytest.raises(CircuitError, match="still used by s"):
        circuit.remove_gate_definition("sig")
    circuit.remove_node("s")
    circuit.remove_gate_definition("sig")
    assert engine.dumps(circuit).count('"version": 1') == 1


def test_a_selection_with_two_leaving_values_is_refused_naming_them():
    circuit = engine.load(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    with pytest.raises(CircuitError, match=r"2 values leave the selection \(w0x0, w1x1\)"):
        engine.gate_making(circuit, ["w0x0", "w1x1"], "two")


def test_the_port_order_can_be_chosen():
    circuit = build({"x": ("input", 3.0), "y": ("input", 4.0), "d": "sub", "f": "scale"},
                    {"d": ["x", "y"], "f": ["d"]})
    making = engine.gate_making(circuit, ["d", "f"], "back", port_order=["y", "x"])
    making.apply(circuit)
    assert circuit.inputs_of("back") == ["y", "x"]
    assert circuit.definitions["back"].ports == ("y", "x")
    assert engine.run(circuit).value == pytest.approx(1.0)  # scale by -1 of (3 - 4)


def test_a_tensor_inside_fixes_the_port_shapes():
    circuit = engine.load(EXAMPLES / "wx_squared.circuit")
    before = engine.run(circuit)
    gates = [n.id for n in circuit.nodes.values() if not n.gate.is_source]
    engine.gate_making(circuit, gates, "sqnorm").apply(circuit)
    after = engine.run(circuit)
    assert after.value == before.value
    for node_id in ("W", "x"):
        np.testing.assert_array_equal(after.grads[node_id], before.grads[node_id])
    with pytest.raises(CircuitError, match="sqnorm takes shapes"):
        circuit.set_value("x", [1.0, 2.0, 3.0])
        engine.run(circuit)


def test_a_param_edit_inside_makes_the_row_again():
    circuit = loaded(sig_file())
    assert circuit.gates["sig"].same_as == "sigmoid"
    circuit.definitions["sig"].circuit.set_param("p", "c", 2.0)
    assert not circuit.gates["sig"].same_as


def test_working_out_a_gate_making_tells_the_file_nothing():
    circuit = engine.load(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    changes = []
    circuit.subscribe(changes.append)
    version = circuit.structure_version
    engine.gate_making(circuit, ["times_minus_1", "exp", "plus_1", "f"], "sig")
    assert changes == [] and circuit.structure_version == version


def test_a_replaced_inside_no_longer_speaks_for_the_gate():
    circuit = loaded(sig_file())
    old = circuit.definitions["sig"]
    twin = circuit.copy().definitions["sig"]
    circuit.define_gate(engine.CompoundDefinition("sig", twin.ports, twin.circuit))
    changes = []
    circuit.subscribe(changes.append)
    old.circuit.set_param("n", "c", -2.0)
    assert changes == []
    assert engine.run(circuit).value == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_expanding_a_gate_keeps_a_frozen_input_inside_frozen():
    circuit = loaded(sig_file())
    inside = circuit.definitions["sig"].circuit
    inside.add_node("input", "k", value=2.0, trainable=False)
    engine.gate_unpacking(circuit, "s").apply(circuit)
    assert circuit.nodes["k"].trainable is False
