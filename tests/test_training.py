"""Training: the hacker's guide's SVM on its six points, hinge and logistic losses checked
against plain numpy, 2-layer nets that separate circle and xor, and the plane maps."""

import random

import numpy as np
import pytest

import engine
from engine.datasets import Dataset, circle, make_dataset, six_points, xor
from engine.errors import CircuitError
from engine.templates import hidden_layer_net, linear_classifier, two_layer_relu_net
from engine.training import Trainer, hinge_loss, logistic_loss, train
from helpers import build

GUIDE_X = np.array([[1.2, 0.7], [-0.3, -0.5], [3.0, 0.1], [-0.1, -1.0], [-1.0, 1.1],
                    [2.1, -3.0]])
GUIDE_Y = np.array([1, -1, 1, -1, -1, 1.0])


def _accuracy(a, b, c, points=GUIDE_X, labels=GUIDE_Y):
    """The guide's evalTrainingAccuracy for the linear score a*x + b*y + c."""
    predicted = np.where(points @ [a, b] + c > 0, 1, -1)
    return float(np.mean(predicted == labels))


# ------------------------------------------------------------------ the guide's SVM
def test_one_stochastic_step_is_the_guides_update_step_by_step():
    # The guide's "simpler code": a += step*(x*pull - a); b += step*(y*pull - b);
    # c += step*pull, a random point each iteration. The trainer sees one point at a time
    # (a data set of that point alone), so it must follow the same path exactly.
    picks = random.Random(7)
    a, b, c = 1.0, -2.0, -1.0
    trainer = Trainer(linear_classifier(), six_points(), loss="hinge", step_size=0.01,
                      reg=1.0, batch="stochastic")
    for _ in range(400):
        i = picks.randrange(6)
        (x, y), label = GUIDE_X[i], GUIDE_Y[i]
        score = a * x + b * y + c
        pull = 1.0 if label == 1 and score < 1 else -1.0 if label == -1 and score > -1 else 0.0
        a, b, c = a + 0.01 * (x * pull - a), b + 0.01 * (y * pull - b), c + 0.01 * pull
        trainer.set_dataset(Dataset([GUIDE_X[i]], [label]))
        trainer.step()
        params = trainer.params
        assert (params["a"], params["b"], params["c"]) == pytest.approx((a, b, c), abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_guides_svm_stochastic_loop_reaches_100_percent_on_the_six_points(seed):
    # a = 1, b = -2, c = -1, step 0.01, one random point per step (the guide's loop);
    # at the start 4 of the 6 points are on the right side
    trainer = Trainer(linear_classifier(), six_points(), step_size=0.01, batch="stochastic",
                      seed=seed)
    assert trainer.accuracy() == pytest.approx(4 / 6)
    trainer.run(400)
    assert 1.0 in trainer.accuracy_history
    params = trainer.params
    assert trainer.accuracy() == _accuracy(params["a"], params["b"], params["c"]) == 1.0


def test_guides_svm_full_batch_reaches_100_percent_on_the_six_points():
    result = train(linear_classifier(), six_points(), 400, step_size=0.01, batch="full")
    assert result.accuracy == 1.0
    assert _accuracy(result.params["a"], result.params["b"], result.params["c"]) == 1.0
    assert len(result.loss) == len(result.accuracy_history) == result.steps == 400
    assert result.loss[-1] < result.loss[0]


def test_with_the_guides_strong_penalty_full_batch_finds_the_objectives_minimum():
    # reg = 1 (the guide's a.grad += -a.value) weighs the margin so much that the minimum of
    # mean hinge + (a^2 + b^2)/2, found here by an independent grid search, leaves one point
    # on the wrong side: the guide's 100% comes from the noise of its stochastic steps.
    a, b, c = np.meshgrid(np.arange(0.5, 0.76, 0.01), np.arange(-0.3, 0.01, 0.01),
                          np.arange(-1.0, -0.49, 0.01), indexing="ij")
    scores = a[..., None] * GUIDE_X[:, 0] + b[..., None] * GUIDE_X[:, 1] + c[..., None]
    objective = np.maximum(0, 1 - GUIDE_Y * scores).mean(axis=-1) + 0.5 * (a ** 2 + b ** 2)
    best = np.unravel_index(np.argmin(objective), objective.shape)
    trainer = Trainer(linear_classifier(), six_points(), step_size=0.01, reg=1.0)
    trainer.run(1500)
    assert trainer.loss() == pytest.approx(objective[best], abs=2e-3)
    assert trainer.accuracy() == _accuracy(a[best], b[best], c[best]) == pytest.approx(5 / 6)


# ------------------------------------------------------------------ losses and gradients
def _linear_trainer(loss, params, reg=0.1, regularize="weights"):
    circuit = linear_classifier()
    data = Dataset([[1.0, 2.0], [-0.5, 0.3], [2.0, -1.0], [0.1, 0.1]], [1, -1, -1, 1])
    trainer = Trainer(circuit, data, loss=loss, reg=reg, regularize=regularize)
    trainer.set_params(params)
    return trainer, data


def test_hinge_loss_and_gradient_match_plain_numpy():
    a, b, c = 0.4, -0.7, 0.2
    trainer, data = _linear_trainer("hinge", {"a": a, "b": b, "c": c})
    x, y, labels = data.x, data.y, data.labels
    scores = a * x + b * y + c  # 0.4-1.4+0.2, -0.2-0.21+0.2, 0.8+0.7+0.2, 0.04-0.07+0.2
    loss = np.mean(np.maximum(0, 1 - labels * scores)) + 0.05 * (a * a + b * b)
    active = labels * scores < 1
    grad_a = np.mean(np.where(active, -labels * x, 0)) + 0.1 * a
    grad_b = np.mean(np.where(active, -labels * y, 0)) + 0.1 * b
    grad_c = np.mean(np.where(active, -labels, 0))  # the bias is not regularised
    assert trainer.loss() == pytest.approx(loss, rel=1e-14)
    gradient = trainer.gradient()
    assert (gradient["a"], gradient["b"], gradient["c"]) == pytest.approx(
        (grad_a, grad_b, grad_c), rel=1e-13)
    assert trainer.weight_ids == ["a", "b"]


def test_regularize_all_pulls_the_bias_too():
    trainer, _data = _linear_trainer("hinge", {"a": 0.4, "b": -0.7, "c": 0.2})
    everything, _data = _linear_trainer("hinge", {"a": 0.4, "b": -0.7, "c": 0.2},
                                        regularize="all")
    assert everything.weight_ids == ["a", "b", "c"]
    assert everything.gradient()["c"] == pytest.approx(trainer.gradient()["c"] + 0.1 * 0.2)
    assert everything.loss() == pytest.approx(trainer.loss() + 0.05 * 0.2 ** 2)


def test_logistic_loss_and_gradient_match_plain_numpy_and_numerical_slopes():
    a, b, c = 0.4, -0.7, 0.2
    trainer, data = _linear_trainer("logistic", {"a": a, "b": b, "c": c}, reg=0.0)

    def objective(a, b, c):
        scores = a * data.x + b * data.y + c
        return np.mean(np.log1p(np.exp(-data.labels * scores)))

    assert trainer.loss() == pytest.approx(objective(a, b, c), rel=1e-14)
    h = 1e-6
    slopes = [(objective(a + h, b, c) - objective(a - h, b, c)) / (2 * h),
              (objective(a, b + h, c) - objective(a, b - h, c)) / (2 * h),
              (objective(a, b, c + h) - objective(a, b, c - h)) / (2 * h)]
    gradient = trainer.gradient()
    assert [gradient["a"], gradient["b"], gradient["c"]] == pytest.approx(slopes, rel=1e-7)


def test_logistic_loss_is_stable_for_huge_scores():
    scores = np.array([1e6, -1e6, 800.0, -800.0, 0.0])
    labels = np.array([1.0, 1.0, -1.0, -1.0, 1.0])
    loss, slope = logistic_loss(scores, labels)  # pytest turns any numpy warning into an error
    np.testing.assert_allclose(loss, [0.0, 1e6, 800.0, 0.0, np.log(2)], rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(slope, [0.0, -1.0, 1.0, 0.0, -0.5], atol=1e-300)
    trainer, _data = _linear_trainer("logistic", {"a": 1e6, "b": -1e6, "c": 0.0})
    assert np.isfinite(trainer.loss()) and trainer.loss() > 1e5
    trainer.step()
    assert all(np.isfinite(list(trainer.params.values())))


def test_hinge_pulls_only_points_inside_the_margin():
    loss, slope = hinge_loss(np.array([2.0, 0.5, -0.5, 1.0]), np.array([1.0, 1.0, -1.0, 1.0]))
    assert loss.tolist() == [0.0, 0.5, 0.5, 0.0]
    assert slope.tolist() == [0.0, -1.0, 1.0, 0.0]  # at exactly 1: no pull (the guide's "< 1")


# ------------------------------------------------------------------ nets on circle and xor
@pytest.mark.parametrize("make", [circle, xor])
@pytest.mark.parametrize("loss", ["hinge", "logistic"])
def test_a_net_with_8_hidden_relus_separates_circle_and_xor(make, loss):
    data = make(100, 0.0, seed=1)
    result = train(hidden_layer_net(8, "relu", seed=1), data, 400, loss=loss, step_size=0.2)
    assert result.accuracy >= 0.95
    assert result.loss[-1] < 0.5 * result.loss[0]


def test_a_tanh_net_separates_the_circle_with_stochastic_minibatches():
    data = circle(100, 0.05, seed=2)
    result = train(hidden_layer_net(8, "tanh", seed=2), data, 1500, step_size=0.1,
                   batch="stochastic", batch_size=10, seed=2)
    assert result.accuracy >= 0.95


def test_the_guides_2_layer_net_separates_xor():
    result = train(two_layer_relu_net(seed=0), xor(100, seed=0), 600, step_size=0.2)
    assert result.accuracy >= 0.95


# ------------------------------------------------------------------ the plane maps
def test_scores_over_a_grid_are_the_circuit_run_at_each_point():
    net = two_layer_relu_net(seed=3)
    trainer = Trainer(net, circle(50, seed=3))
    xs, ys = np.meshgrid(np.linspace(-3, 3, 100), np.linspace(-2, 2, 100))
    grid = np.stack([xs, ys], axis=-1)
    scores = trainer.scores(grid)
    assert scores.shape == (100, 100)
    for i, j in [(0, 0), (17, 42), (99, 99), (50, 3)]:
        single = engine.run(net, {"x": xs[i, j], "y": ys[i, j]}).value
        assert scores[i, j] == pytest.approx(single, rel=1e-12, abs=1e-15)


def test_node_values_show_a_hidden_units_own_map():
    net = hidden_layer_net(4, "tanh", seed=5)
    trainer = Trainer(net, xor(40, seed=5))
    trainer.run(20)
    p = trainer.params
    points = np.array([[0.5, -1.0], [2.0, 2.0], [-1.5, 0.25]])
    expected = np.tanh(p["a3"] * points[:, 0] + p["b3"] * points[:, 1] + p["c3"])
    np.testing.assert_allclose(trainer.node_values(points, "n3"), expected, rtol=1e-14)
    # a node that does not depend on the data still gives one value per point
    np.testing.assert_allclose(trainer.node_values(points, "w1"), [p["w1"]] * 3)
    with pytest.raises(CircuitError, match="no node 'nope'"):
        trainer.node_values(points, "nope")


def test_decision_boundary_moves_after_a_step():
    trainer = Trainer(linear_classifier(), six_points(), step_size=0.1)
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 30), np.linspace(-3, 3, 30)), axis=-1)
    before = trainer.scores(grid)
    trainer.step()
    assert not np.array_equal(before, trainer.scores(grid))


# ------------------------------------------------------------------ state and safety
def test_training_never_edits_the_circuit():
    circuit = linear_classifier()
    before = engine.dumps(circuit)
    trainer = Trainer(circuit, six_points())
    trainer.run(50)
    assert engine.dumps(circuit) == before
    assert trainer.values == trainer.params and trainer.params["a"] != 1.0


def test_reset_params_is_random_per_seed_within_half():
    trainer = Trainer(hidden_layer_net(16), circle(20))
    trainer.reset_params(4)
    first = trainer.params
    trainer.reset_params(4)
    assert trainer.params == first
    trainer.reset_params(5)
    assert trainer.params != first
    values = np.array(list(first.values()))
    assert len(values) == 16 * 4 + 1 and (np.abs(values) <= 0.5).all()
    assert set(first) == set(trainer.param_ids) and "x" not in first


def test_frozen_inputs_and_consts_do_not_train():
    circuit = linear_classifier()
    circuit.set_trainable("b", False)
    trainer = Trainer(circuit, six_points())
    trainer.run(10)
    assert trainer.param_ids == ["a", "c"] and "b" not in trainer.params


def test_a_changed_structure_stops_the_trainer():
    circuit = linear_classifier()
    trainer = Trainer(circuit, six_points())
    circuit.add_node("const", "k", value=1.0)
    with pytest.raises(CircuitError, match="structure changed"):
        trainer.step()


def test_points_added_while_training_are_trained_on():
    trainer = Trainer(linear_classifier(), six_points())
    trainer.run(5)
    params = trainer.params
    trainer.set_dataset(trainer.dataset.add_point(0.0, 3.0, 1))
    assert trainer.params == params and len(trainer.dataset) == 7
    trainer.step()
    assert trainer.steps == 6


def test_moves_that_would_not_be_finite_are_not_made():
    # score = a * 1e300 + b * 0 + c with label -1: dL/da = 1e300, times a step of 1e10
    trainer = Trainer(linear_classifier(), Dataset([[1e300, 0.0]], [-1]), step_size=1e10)
    trainer.step()
    assert trainer.stuck == ["a"]
    params = trainer.params
    assert params["a"] == 1.0  # not moved
    assert params["c"] == pytest.approx(-1.0 - 1e10)  # c moved: its slope is finite


@pytest.mark.parametrize("nodes, wires, message", [
    ({"a": ("input", 1.0), "b": ("input", 2.0), "f": "mul"}, {"f": ["a", "b"]},
     "no input is bound to the data"),
    ({"x": ("input", {"value": 1.0, "feature": 2}), "f": "neg"}, {"f": ["x"]},
     "x: bound to feature 2"),
    ({"x": ("input", {"value": 1.0, "feature": 0}), "f": "add"}, {"f": ["x"]},
     "cannot run"),
])
def test_circuits_that_cannot_be_trained_are_refused(nodes, wires, message):
    with pytest.raises(CircuitError, match=message):
        Trainer(build(nodes, wires), six_points())


def test_an_empty_dataset_and_bad_options_are_refused():
    with pytest.raises(CircuitError, match="no points"):
        Trainer(linear_classifier(), Dataset(np.zeros((0, 2)), []))
    for options in ({"loss": "square"}, {"batch": "mini"}, {"step_size": 0},
                    {"reg": -1.0}, {"batch_size": 0}, {"regularize": "biases"}):
        with pytest.raises(ValueError):
            Trainer(linear_classifier(), six_points(), **options)


def test_train_from_a_random_init():
    data = make_dataset("blobs", 60, 0.0, seed=0)
    result = train(two_layer_relu_net(), data, 100, step_size=0.1, init_seed=11)
    trainer = Trainer(two_layer_relu_net(), data)
    trainer.reset_params(11)
    start = trainer.params
    assert result.params != start and result.accuracy == 1.0


@pytest.mark.parametrize("loss", ["hinge", "logistic"])
def test_a_step_in_parts_is_the_same_step(loss):
    # a step over 50 points in parts of 7 (8 parts for the gradient, 8 for the loss after the
    # move) ends where one whole step ends: the parts' gradients add up to the batch's
    whole = Trainer(hidden_layer_net(4, "tanh"), circle(50, seed=2), loss=loss, step_size=0.3)
    parted = Trainer(hidden_layer_net(4, "tanh"), circle(50, seed=2), loss=loss, step_size=0.3)
    whole.step()
    parts = parted.step_parts(7)
    count = 0
    for _part in parts:
        count += 1
        assert parted.steps == 0  # nothing counts until the last part
    assert count == 16
    assert parted.steps == 1
    assert parted.loss_history[0] == pytest.approx(whole.loss_history[0], rel=1e-12)
    assert parted.accuracy_history == whole.accuracy_history
    for node_id, value in whole.params.items():
        assert parted.params[node_id] == pytest.approx(value, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("loss", ["hinge", "logistic"])
@pytest.mark.parametrize("part_size", [None, 7])
def test_measure_is_the_loss_and_the_points_on_their_side_from_one_pass(loss, part_size):
    trainer = Trainer(hidden_layer_net(4, "tanh"), circle(50, seed=2), loss=loss, reg=0.01)
    trainer.reset_params(3)
    measured, correct = trainer.measure(part_size)
    assert measured == pytest.approx(trainer.loss(), rel=1e-12)
    assert correct / 50 == trainer.accuracy()
    trainer.step()  # a step's own measure of where it ended
    assert trainer.measure(part_size) == (pytest.approx(trainer.loss_history[-1], rel=1e-12),
                                          round(trainer.accuracy_history[-1] * 50))


def test_a_step_abandoned_halfway_changes_nothing():
    trainer = Trainer(hidden_layer_net(4, "tanh"), circle(50, seed=2), step_size=0.3)
    before = trainer.params
    parts = trainer.step_parts(10)
    for _ in range(7):  # the gradient's 5 parts and 2 of the loss's
        next(parts)
    parts.close()
    assert trainer.params == before and trainer.steps == 0


def test_a_stochastic_step_abandoned_halfway_leaves_the_batches_as_they_were():
    # two trainers from one seed: one abandons a step halfway (and later, one more before a
    # point is added, as the window's training does), the other never started them; from
    # there on they take the same batches and end in the same place
    def trainer():
        return Trainer(hidden_layer_net(4, "tanh"), circle(50, seed=2), step_size=0.3,
                       batch="stochastic", batch_size=20, seed=5)
    abandoning, straight = trainer(), trainer()
    parts = abandoning.step_parts(5)
    for _ in range(3):  # 3 of the gradient's 4 parts: the batch is drawn
        next(parts)
    parts.close()
    assert abandoning.steps == 0 and abandoning.params == straight.params
    abandoning.run(3)
    straight.run(3)
    assert abandoning.params == straight.params
    data = circle(50, seed=2)
    bigger = Dataset(np.vstack([data.points, [[0.1, 0.2]]]), np.append(data.labels, 1.0))
    parts = abandoning.step_parts(5)
    next(parts)
    parts.close()
    for each in (abandoning, straight):
        each.set_dataset(bigger)
        each.run(3)
    assert abandoning.params == straight.params
    assert abandoning.loss_history == straight.loss_history


def test_the_stochastic_gradient_is_over_the_batch_the_next_step_uses():
    trainer = Trainer(hidden_layer_net(4, "tanh"), circle(50, seed=2), step_size=0.3,
                      batch="stochastic", batch_size=5, seed=3)
    before, gradient = trainer.params, trainer.gradient()
    trainer.step()
    for node_id, value in trainer.params.items():
        assert value == pytest.approx(before[node_id] - 0.3 * gradient[node_id], rel=1e-12,
                                      abs=1e-15)
