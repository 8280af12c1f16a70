"""Training tensor nets: every element of W1, b1, W2, b2 is a parameter. The trainer's loss and
gradients agree with a 2-layer net written out by hand in numpy (forward and backward), the
penalty pulls weights and not biases, and the lecture's h = 100 net learns the spiral."""

import numpy as np
import pytest

import engine
from engine import Trainer, make_dataset
from engine.layer_nets import three_layer_net, two_layer_net


def _hand_net(p, points, labels, loss, reg):
    """The 2-layer relu net's loss and its gradients, by hand (the lecture's case study)."""
    n = len(labels)
    z = points @ p["W1"].T + p["b1"]  # (n, h)
    h = np.maximum(0.0, z)
    s = h @ p["W2"] + p["b2"]  # (n,)
    if loss == "hinge":
        per_point = np.maximum(0.0, 1.0 - labels * s)
        ds = np.where(labels * s < 1.0, -labels, 0.0) / n
    else:
        per_point = np.log1p(np.exp(-labels * s))
        ds = -labels / (1.0 + np.exp(labels * s)) / n
    value = per_point.mean() + 0.5 * reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
    dh = np.outer(ds, p["W2"])
    dz = dh * (z > 0)
    grads = {"W2": h.T @ ds + reg * p["W2"], "b2": ds.sum(),
             "W1": dz.T @ points + reg * p["W1"], "b1": dz.sum(axis=0)}
    return value, grads


@pytest.mark.parametrize("loss", ["hinge", "logistic"])
def test_the_trainer_agrees_with_a_hand_written_numpy_net(loss):
    circuit = two_layer_net(6, "relu", seed=4)
    data = make_dataset("circle", 40, noise=0.1, seed=1)
    trainer = Trainer(circuit, data, loss=loss, reg=0.01)
    params = {k: np.array(v, dtype=float) for k, v in trainer.params.items()}
    value, grads = _hand_net(params, data.points, data.labels, loss, 0.01)
    assert trainer.loss() == pytest.approx(value, rel=1e-12)
    got = trainer.gradient()
    assert set(got) == {"W1", "b1", "W2", "b2"}
    for name in grads:
        assert np.shape(got[name]) == np.shape(params[name])
        assert np.allclose(got[name], grads[name], rtol=1e-10, atol=1e-14), name
    trainer.step_size = 0.05
    trainer.step()
    for name in grads:
        assert np.allclose(trainer.params[name], params[name] - 0.05 * grads[name])


def test_the_penalty_pulls_every_weight_element_and_no_bias_element():
    circuit = two_layer_net(3, seed=0)
    trainer = Trainer(circuit, make_dataset("circle", 10), reg=1.0)
    assert set(trainer.weight_ids) == {"W1", "W2"}
    flat = trainer._is_weight
    assert flat.sum() == 3 * 2 + 3  # W1's six elements and W2's three
    assert Trainer(circuit, make_dataset("circle", 10), regularize="all")._is_weight.all()


def test_params_go_back_in_their_shapes_and_set_params_checks_them():
    circuit = two_layer_net(4, seed=0)
    trainer = Trainer(circuit, make_dataset("xor", 20))
    w1 = np.arange(8.0).reshape(4, 2)
    trainer.set_params({"W1": w1, "b2": 0.5})
    assert np.array_equal(trainer.params["W1"], w1) and trainer.params["b2"] == 0.5
    with pytest.raises(engine.CircuitError, match=r"shape \(2, 4\).*\(4, 2\)"):
        trainer.set_params({"W1": w1.T})
    with pytest.raises(engine.CircuitError, match="not finite"):
        trainer.set_params({"b1": [0.0, np.nan, 0.0, 0.0]})


def test_reset_starts_tensors_as_the_template_does():
    circuit = two_layer_net(50, seed=7)
    trainer = Trainer(circuit, make_dataset("spiral", 20))
    trainer.reset_params(seed=3)
    fresh = two_layer_net(50, seed=3)
    for name in ("W1", "b1", "W2"):
        assert np.std(trainer.params[name]) == pytest.approx(
            np.std(fresh.nodes[name].value), rel=0.3)
    b1 = trainer.params["b1"]
    assert b1.min() < -1 and b1.max() > 1  # spread over the data, not zero
    assert np.std(trainer.params["W2"]) == pytest.approx(np.sqrt(2 / 50), rel=0.3)  # He
    squashing = Trainer(two_layer_net(200, "tanh", seed=0), make_dataset("spiral", 20))
    squashing.reset_params(seed=1)
    assert np.std(squashing.params["W2"]) == pytest.approx(np.sqrt(1 / 200), rel=0.15)  # Xavier


def test_node_values_give_one_map_per_hidden_unit():
    circuit = two_layer_net(5, seed=1)
    trainer = Trainer(circuit, make_dataset("circle", 10))
    grid = np.random.default_rng(0).uniform(-2, 2, (3, 4, 2))
    hidden = trainer.node_values(grid, "h1")
    p = trainer.params
    assert hidden.shape == (3, 4, 5)
    assert np.allclose(hidden, np.maximum(0, grid @ p["W1"].T + p["b1"]))
    assert trainer.scores(grid).shape == (3, 4)
    assert trainer.node_values(grid, "W1").shape == (3, 4, 5, 2)  # the same at every point


def test_an_output_that_is_not_one_number_per_point_is_refused():
    circuit = two_layer_net(3, seed=0)
    circuit.set_output("h1")
    with pytest.raises(engine.CircuitError, match=r"output h1 has shape \(3,\)"):
        Trainer(circuit, make_dataset("circle", 10))


def test_a_short_run_lowers_the_loss_of_the_3_layer_net():
    trainer = Trainer(three_layer_net(16, "tanh", seed=0), make_dataset("moons", 60),
                      step_size=0.1)
    before = trainer.loss()
    trainer.run(30)
    assert trainer.loss_history[-1] < 0.8 * before


def test_the_lectures_h100_net_learns_the_two_armed_spiral():
    data = make_dataset("spiral")
    result = engine.train(two_layer_net(100, "relu", seed=0), data, 1500, loss="logistic",
                          step_size=0.3)
    assert result.accuracy >= 0.95
    assert min(result.accuracy_history[-200:]) >= 0.95  # it stays there
    assert result.params["W1"].shape == (100, 2)
