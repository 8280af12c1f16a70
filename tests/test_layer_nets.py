"""Layered nets: the lecture's 2-layer and 3-layer nets as a few tensor gates, their shapes,
their starting values, and that they compute W2·act(W1·x + b1) + b2."""

import numpy as np
import pytest

import engine
from engine.layer_nets import LAYER_NETS, MAX_LAYER_WIDTH, three_layer_net, two_layer_net

ACTIVATION = {"relu": lambda a: np.maximum(0.0, a), "tanh": np.tanh,
              "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a))}


def _gates(circuit) -> dict:
    return {node_id: (node.op, circuit.inputs_of(node_id))
            for node_id, node in circuit.nodes.items() if not node.gate.is_source}


def test_the_2_layer_net_is_five_gates_with_the_lectures_shapes():
    circuit = two_layer_net(100, "relu", seed=3)
    assert _gates(circuit) == {
        "W1x": ("matmul", ["W1", "x"]), "z1": ("add", ["W1x", "b1"]), "h1": ("relu", ["z1"]),
        "W2h1": ("matmul", ["W2", "h1"]), "score": ("add", ["W2h1", "b2"])}
    shapes = engine.plan_of(circuit).shapes
    assert (shapes["x"], shapes["W1"], shapes["b1"], shapes["h1"], shapes["W2"],
            shapes["b2"], shapes["score"]) == ((2,), (100, 2), (100,), (100,), (100,), (), ())
    assert circuit.nodes["x"].feature == (0, 1)
    assert set(circuit.movable_inputs()) == {"W1", "b1", "W2", "b2"}
    assert circuit.output_id() == "score"


def test_the_3_layer_net_stacks_one_more_hidden_layer():
    circuit = three_layer_net(16, "tanh", seed=0)
    gates = _gates(circuit)
    assert [gates[k][0] for k in ("W1x", "z1", "h1", "W2h1", "z2", "h2", "W3h2", "score")] == [
        "matmul", "add", "tanh", "matmul", "add", "tanh", "matmul", "add"]
    assert len(gates) == 8
    shapes = engine.plan_of(circuit).shapes
    assert (shapes["W1"], shapes["W2"], shapes["b2"], shapes["W3"], shapes["score"]) == (
        (16, 2), (16, 16), (16,), (16,), ())


@pytest.mark.parametrize("make", [two_layer_net, three_layer_net])
@pytest.mark.parametrize("activation", list(ACTIVATION))
def test_the_nets_compute_their_formula_for_a_batch_of_points(make, activation):
    circuit = make(7, activation, seed=2)
    act = ACTIVATION[activation]
    p = {node_id: np.asarray(node.value) for node_id, node in circuit.nodes.items()
         if node.is_movable}
    points = np.random.default_rng(5).uniform(-2, 2, (9, 2))
    hidden = act(points @ p["W1"].T + p["b1"])
    if make is three_layer_net:
        hidden = act(hidden @ p["W2"].T + p["b2"])
        expected = hidden @ p["W3"] + p["b3"]
    else:
        expected = hidden @ p["W2"] + p["b2"]
    result = engine.run(circuit, {"x": points})
    assert result.value == pytest.approx(expected)


def test_weights_start_he_scaled_and_the_first_biases_spread_over_the_data():
    circuit = two_layer_net(256, "relu", seed=0)
    w1, b1 = circuit.nodes["W1"].value, circuit.nodes["b1"].value
    w2 = circuit.nodes["W2"].value
    assert np.std(w1) == pytest.approx(1.0, rel=0.1)  # sqrt(2 / fan-in 2)
    assert np.std(w2) == pytest.approx(np.sqrt(2 / 256), rel=0.15)
    assert -2 <= b1.min() < -1.5 and 1.5 < b1.max() <= 2
    assert circuit.nodes["b2"].value == 0.0
    xavier = two_layer_net(256, "tanh", seed=0).nodes["W2"].value
    assert np.std(xavier) == pytest.approx(np.sqrt(1 / 256), rel=0.15)


def test_same_seed_same_net_and_another_seed_another():
    a, b, c = two_layer_net(10, seed=1), two_layer_net(10, seed=1), two_layer_net(10, seed=2)
    assert np.array_equal(a.nodes["W1"].value, b.nodes["W1"].value)
    assert not np.array_equal(a.nodes["W1"].value, c.nodes["W1"].value)


def test_the_layers_read_left_to_right_on_the_grid(tmp_path):
    circuit = three_layer_net(4, seed=0)
    x = {node_id: node.pos[0] for node_id, node in circuit.nodes.items()}
    assert x["x"] < x["W1x"] < x["z1"] < x["h1"] < x["W2h1"] < x["z2"] < x["h2"] \
        < x["W3h2"] < x["score"]
    assert all(v % 20 == 0 for node in circuit.nodes.values() for v in node.pos)
    positions = [node.pos for node in circuit.nodes.values()]
    assert len(set(positions)) == len(positions)
    path = tmp_path / "net.circuit"
    engine.save(circuit, path)
    loaded = engine.load(path)
    assert np.array_equal(loaded.nodes["W2"].value, circuit.nodes["W2"].value)
    assert loaded.nodes["x"].feature == (0, 1)


@pytest.mark.parametrize("args", [(0,), (MAX_LAYER_WIDTH + 1,), (2.5,), (True,), (8, "elu")])
def test_bad_sizes_and_activations_are_refused(args):
    for make in (two_layer_net, three_layer_net):
        with pytest.raises(ValueError):
            make(*args)


def test_the_registry_offers_the_tensor_nets():
    assert LAYER_NETS["two_layer_net"](1).nodes["W1"].value.shape == (1, 2)
    assert LAYER_NETS["three_layer_net"](256).nodes["W2"].value.shape == (256, 256)
