"""Training: a circuit becomes a classifier of 2D points and its parameters learn.

The second half of the hacker's guide. Inputs bound to a data feature (``feature`` 0 and 1)
take the data set's columns x and y, all points at once (the plan runs batched: every value is
an array over the points); an input of shape (2,) bound to ``feature: [0, 1]`` takes each
point's (x, y) (an array of shape (N, 2)). The circuit's output is the score of each point (a
number per point); its sign is the predicted label. The parameters are the movable inputs
(``Node.is_movable``: trainable and not bound to data); consts and frozen inputs keep their
values. A parameter may be a vector or a matrix (the lecture's W1, b1): every element is a
parameter of its own. The trainer keeps them all in one flat vector, each parameter's elements
a slice of it (``_layout``), and gives them back in their shapes (``params``).

Two losses, both means over the points plus an L2 penalty ``reg / 2 * sum(w ** 2)``:

- ``"hinge"``, the guide's SVM: ``max(0, 1 - label * score)``. Its gradient is the guide's
  "pull": a point whose ``label * score < 1`` pulls its score towards its label
  (dL/dscore = -label), any other point pulls nothing.
- ``"logistic"``: sigmoid plus cross-entropy, ``log(1 + exp(-label * score))``, computed as
  ``logaddexp(0, -label * score)`` so a huge score neither overflows nor warns.

Which parameters the penalty pulls towards 0: like the guide (``a.grad += -a.value`` and
``b.grad += -b.value``, but nothing for c), only the *weights*: a parameter that is only ever
added in (every gate it feeds is an ``add`` or a ``sub``) is a bias and is not regularised
(for a tensor parameter, every element of it: W1 is pulled, b1 is not).
``regularize="all"`` penalises every parameter.

One ``step()`` runs the data forward, seeds the backward pass with dL/dscore for each point
(``Plan.backward(values, seed=...)``), adds the penalty's pull and moves every parameter by
``-step_size * gradient``. ``batch="full"`` uses all points; ``"stochastic"`` picks
``batch_size`` random points (one, by default: exactly the guide's loop, which with
``reg=1.0`` and ``step_size=0.01`` is its SVM). A batch is drawn once and kept until a step
uses it, so ``gradient()`` is over the batch the next step uses, and a step abandoned halfway
(``step_parts``) leaves its batch to the next step; a batch drawn for another data set size or
batch size is given back to the random generator before the new one is drawn. After each step
the loss and the accuracy over the whole data set are recorded. A move that would make a
parameter non-finite is not made.

``Trainer`` is the stepper the GUI drives from a timer; like ``Ascent`` it works on its own
copy of the parameter values (``values``) and never edits the circuit, and it can evaluate
the circuit over any points (``scores``, ``node_values``: the decision boundary and each
gate's own map over the plane). ``train`` runs a whole training.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .autodiff import plan_of
from .circuit import Circuit
from .datasets import Dataset
from .errors import CircuitError, quote, shown
from .layer_nets import initial_value, weight_gain

LOSSES = ("hinge", "logistic")
BATCHES = ("full", "stochastic")
REGULARIZE = ("weights", "all")


@dataclass
class TrainResult:
    """A finished training: loss and accuracy after each step, final accuracy and parameters."""

    loss: list
    accuracy: float
    params: dict
    accuracy_history: list
    steps: int


def hinge_loss(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    """Per-point hinge loss max(0, 1 - y*s) and its dL/ds (-y where y*s < 1, else 0)."""
    margin = labels * scores
    with np.errstate(invalid="ignore"):
        pulled = margin < 1.0
        return np.maximum(0.0, 1.0 - margin), np.where(pulled, -labels, 0.0)


def logistic_loss(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    """Per-point log(1 + exp(-y*s)) and its dL/ds = -y * sigmoid(-y*s), stable for any s."""
    z = -labels * scores
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        loss = np.logaddexp(0.0, z)
        return loss, -labels * np.exp(z - loss)  # sigmoid(z) = exp(z - log(1 + e^z))


_LOSS_FUNCTIONS = {"hinge": hinge_loss, "logistic": logistic_loss}


def _positive(name: str, number, allow_zero: bool = False) -> float:
    ok = isinstance(number, (int, float)) and not isinstance(number, bool) \
        and math.isfinite(number) and (number >= 0 if allow_zero else number > 0)
    if not ok:
        raise ValueError(f"{name} must be a number {'>=' if allow_zero else '>'} 0, "
                         f"not {number!r}")
    return float(number)


def _choice(name: str, value, choices: tuple) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


class Trainer:
    """Trains a circuit's parameters on a data set, one ``step()`` at a time."""

    def __init__(self, circuit: Circuit, dataset: Dataset, *, loss: str = "hinge",
                 step_size: float = 0.01, reg: float = 1e-3, batch: str = "full",
                 batch_size: int = 1, regularize: str = "weights", seed: int = 0):
        self.loss_name = _choice("loss", loss, LOSSES)
        self.batch = _choice("batch", batch, BATCHES)
        self.regularize = _choice("regularize", regularize, REGULARIZE)
        self.step_size = _positive("step_size", step_size)
        self.reg = _positive("reg", reg, allow_zero=True)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
        self.batch_size = batch_size
        plan = plan_of(circuit)
        if plan.problems:
            raise CircuitError("the circuit cannot run: " + "; ".join(plan.problems))
        self.circuit = circuit
        self._plan = plan
        self._rng = np.random.default_rng(seed)
        self._drawn = None  # a batch not used yet: ((data set size, batch size), state, rows)
        self.features = self._data_inputs(circuit, plan)
        self._check_output(plan)
        self.param_ids = [node.id for _i, node in plan.sources if node.is_movable]
        self._param_index = [plan.index[node_id] for node_id in self.param_ids]
        self._layout = ParamLayout([(node_id, plan.shapes[node_id])
                                    for node_id in self.param_ids])
        self.weight_ids = [node_id for node_id in self.param_ids
                           if self.regularize == "all" or not self._is_bias(node_id)]
        self._is_weight = self._layout.spread([node_id in set(self.weight_ids)
                                               for node_id in self.param_ids]).astype(bool)
        self._params = self._layout.flat([circuit.nodes[node_id].value
                                          for node_id in self.param_ids])
        self.dataset = self._checked(dataset)
        self.loss_history: list[float] = []
        self.accuracy_history: list[float] = []
        self.stuck: list[str] = []  # parameters the last step could not move (non-finite)

    # ------------------------------------------------------------------ set-up
    @staticmethod
    def _data_inputs(circuit: Circuit, plan) -> dict[str, int | list]:
        features = {}
        for _i, node in plan.sources:
            if node.is_data:
                columns = node.feature if isinstance(node.feature, tuple) else (node.feature,)
                if max(columns) > 1:
                    raise CircuitError(f"{shown(node.id)}: bound to feature {max(columns)}, "
                                       "but a data set has two columns (feature 0 is x, 1 is "
                                       "y)")
                features[node.id] = (list(node.feature) if isinstance(node.feature, tuple)
                                     else node.feature)
        if not features:
            raise CircuitError("no input is bound to the data: set feature 0 (x) and "
                               "feature 1 (y) on the inputs that take the points")
        return features

    @staticmethod
    def _check_output(plan) -> None:
        shape = plan.shapes.get(plan.output, ())
        if shape:
            raise CircuitError(f"the output {shown(plan.output)} has shape {shape}, but a "
                               "classifier's output is one number per point (its score): "
                               "sum it, or take a vector W of that many numbers and matmul")

    def _is_bias(self, node_id: str) -> bool:
        consumers = self.circuit.consumers_of(node_id)
        return bool(consumers) and all(self.circuit.nodes[dst].gate.sums_inputs
                                       for dst, _port in consumers)

    @staticmethod
    def _checked(dataset: Dataset) -> Dataset:
        if not isinstance(dataset, Dataset):
            raise TypeError(f"expected a Dataset, not {type(dataset).__name__}")
        if not len(dataset):
            raise CircuitError("the data set has no points")
        return dataset

    def _current_plan(self):
        if plan_of(self.circuit) is not self._plan:
            raise CircuitError("the circuit's structure changed; start a new training")
        return self._plan

    # ------------------------------------------------------------------ state
    @property
    def params(self) -> dict:
        """The current value of every parameter, by id: a float, or an array of the
        parameter's shape (a copy)."""
        return dict(zip(self.param_ids, self._layout.values(self._params)))

    values = params  # what the GUI writes back to the circuit (as one undo step)

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.loss_history)

    def set_params(self, values: dict) -> None:
        """Set some parameters (by id) to finite values of their shapes, e.g. after the user
        edited them."""
        for node_id, value in values.items():
            if node_id not in self.param_ids:
                raise CircuitError(f"{quote(node_id)} is not a parameter of this circuit")
            array = np.asarray(value, dtype=np.float64)
            where = self._layout.slices[node_id]
            if array.shape != self._layout.shapes[node_id]:
                raise CircuitError(f"{shown(node_id)}: a value of shape {array.shape}, but the "
                                   f"parameter has shape {self._layout.shapes[node_id]}")
            if not np.isfinite(array).all():
                raise CircuitError(f"{shown(node_id)}: {value!r} is not finite")
            self._params[where] = array.ravel()

    def reset_params(self, seed: int = 0) -> None:
        """Give every parameter a random value: a number uniform in [-0.5, 0.5) (the guide's
        init); a vector or matrix as a layered net starts (``layer_nets.initial_value``)."""
        rng = np.random.default_rng(seed)
        first_biases = self._first_layer_biases()
        values = []
        for node_id in self.param_ids:
            shape = self._layout.shapes[node_id]
            if not shape:
                values.append(rng.uniform(-0.5, 0.5))
                continue
            values.append(initial_value(shape, rng,
                                        gain=weight_gain(self._activation_after(node_id)),
                                        bias=self._is_bias(node_id),
                                        first_layer=node_id in first_biases))
        self._params = self._layout.flat(values)

    def _first_layer_biases(self) -> set:
        """The biases added to a product of the data (b1 in W1·x + b1)."""
        circuit, data = self.circuit, set(self.features)

        def takes_data(node_id) -> bool:
            return node_id is not None and any(src in data for src in circuit.inputs_of(node_id))

        return {node_id for node_id in self.param_ids
                for dst, _port in circuit.consumers_of(node_id)
                if any(takes_data(src) for src in circuit.inputs_of(dst))}

    def _activation_after(self, node_id: str):
        """The gate row of the net's activation at a weight: the one its layer feeds (W·x,
        + b, then it), or for the output layer the one its product takes (W2·h1); or None."""
        circuit = self.circuit
        consumers = [dst for dst, _port in circuit.consumers_of(node_id)]
        frontier = consumers
        for _depth in range(3):
            for dst in frontier:
                if circuit.nodes[dst].gate.group == "nonlinear":
                    return circuit.nodes[dst].gate
            frontier = [nxt for dst in frontier for nxt, _port in circuit.consumers_of(dst)]
        for dst in consumers:
            for src in circuit.inputs_of(dst):
                if src in circuit.nodes and circuit.nodes[src].gate.group == "nonlinear":
                    return circuit.nodes[src].gate
        return None

    def set_dataset(self, dataset: Dataset) -> None:
        """Train on ``dataset`` from now on (points added or removed); parameters are kept."""
        self.dataset = self._checked(dataset)

    # ------------------------------------------------------------------ evaluation
    def _forward(self, points: np.ndarray, params: np.ndarray | None = None) -> list:
        """Every node's values at ``points`` with ``params`` (None: the current ones)."""
        plan = self._current_plan()
        overrides = {node_id: points[..., k] for node_id, k in self.features.items()}
        overrides.update(zip(self.param_ids, self._layout.values(
            self._params if params is None else params)))
        return plan.forward(overrides)

    def _as_points(self, points) -> np.ndarray:
        points = np.asarray(points, dtype=np.float64)
        if points.ndim < 1 or points.shape[-1] != 2:
            raise ValueError(f"points must have shape (..., 2), not {points.shape}")
        return points

    def node_values(self, points, node_id: str) -> np.ndarray:
        """The value of gate ``node_id`` at each point (x, y) of ``points`` (shape (..., 2)):
        shape (...) for a number, (..., n) for a vector of n (one map per element)."""
        points = self._as_points(points)
        plan = self._current_plan()
        if node_id not in plan.index:
            raise CircuitError(f"no node {quote(node_id)}")
        value = self._forward(points)[plan.index[node_id]]
        shape = points.shape[:-1] + plan.shapes.get(node_id, ())
        return np.broadcast_to(np.asarray(value, dtype=np.float64), shape).copy()

    def scores(self, points) -> np.ndarray:
        """The circuit's output (the score) at each point of ``points`` (shape (..., 2))."""
        return self.node_values(points, self._plan.output)

    def _objective(self, scores: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        per_point, slope = _LOSS_FUNCTIONS[self.loss_name](scores, labels)
        with np.errstate(all="ignore"):
            return float(np.mean(per_point)) + self._penalty(self._params), slope

    def _penalty(self, params: np.ndarray) -> float:
        """The L2 penalty on the weights (not the biases) at ``params``."""
        weights = params[self._is_weight]
        with np.errstate(all="ignore"):
            return 0.5 * self.reg * float(np.dot(weights, weights))

    def loss(self) -> float:
        """The loss over the whole data set at the current parameters (penalty included)."""
        return self._objective(self.scores(self.dataset.points), self.dataset.labels)[0]

    def accuracy(self) -> float:
        """The fraction of points whose score has the sign of their label (0 counts wrong)."""
        scores = self.scores(self.dataset.points)
        with np.errstate(invalid="ignore"):
            return float(np.mean(self.dataset.labels * scores > 0))

    # ------------------------------------------------------------------ training
    def gradient(self) -> dict:
        """dLoss/d(parameter) at the current values over the batch the next step would use."""
        return dict(zip(self.param_ids, self._layout.values(self._gradient(self._batch_rows()))))

    def _batch_rows(self) -> np.ndarray | None:
        """The rows of the next step's batch (None: every point), drawn once until used."""
        if self.batch == "full":
            return None
        sizes = (len(self.dataset), self.batch_size)
        if self._drawn is not None:
            drawn_for, state, rows = self._drawn
            if drawn_for == sizes:
                return rows
            self._rng.bit_generator.state = state  # drawn for other sizes: give it back
        state = self._rng.bit_generator.state
        rows = self._rng.integers(0, sizes[0], size=sizes[1])
        self._drawn = (sizes, state, rows)
        return rows

    def _gradient(self, rows: np.ndarray | None) -> np.ndarray:
        return _finish(self._gradient_parts(rows, None))

    def _gradient_parts(self, rows: np.ndarray | None, part_size: int | None):
        """The gradient over the batch, a chunk of points per ``next()``; returned at the end.

        dL/dscore of each point is seeded divided by the batch's size, so the chunks' gradients
        add up to the batch's."""
        points, labels = self.dataset.points, self.dataset.labels
        if rows is not None:
            points, labels = points[rows], labels[rows]
        gradient = np.zeros(self._layout.size)
        for chunk in _chunks(len(labels), part_size):
            values = self._forward(points[chunk])
            scores = np.broadcast_to(values[self._plan.output_index], labels[chunk].shape)
            _per_point, slope = _LOSS_FUNCTIONS[self.loss_name](scores, labels[chunk])
            grads = self._plan.backward(values, seed=slope / len(labels), sources_only=True)
            gradient += self._layout.flat([grads[i] for i in self._param_index])
            yield
        with np.errstate(all="ignore"):
            return gradient + self.reg * np.where(self._is_weight, self._params, 0.0)

    def step(self) -> float:
        """One update of every parameter; returns the loss over the whole data set after it."""
        return _finish(self.step_parts())

    def step_parts(self, part_size: int | None = None):
        """``step()`` as a generator doing at most ``part_size`` points' work per ``next()``
        (None: all at once), so a caller with a time budget can spread a step over several
        turns. The step counts when the generator is exhausted; the loss over the whole data set
        after the move is its return value. Abandoned halfway, it changes nothing (a stochastic
        batch it drew is the next step's)."""
        gradient = yield from self._gradient_parts(self._batch_rows(), part_size)
        with np.errstate(all="ignore"):
            moved = self._params - self.step_size * gradient
        finite = np.isfinite(moved)
        params = np.where(finite, moved, self._params)
        loss, correct = yield from self._measure_parts(params, part_size)
        self.stuck = [node_id for node_id in self.param_ids
                      if not finite[self._layout.slices[node_id]].all()]
        self._params = params
        self._drawn = None  # the batch is used: the next step draws its own
        self.loss_history.append(loss)
        self.accuracy_history.append(correct / len(self.dataset.labels))
        return loss

    def measure(self, part_size: int | None = None) -> tuple[float, int]:
        """The loss over the whole data set (penalty included) and how many points are on
        their label's side, from one forward pass (``loss()`` and ``accuracy()`` take one
        each), ``part_size`` points at a time (None: all at once; parts keep the memory of a
        pass over many points small)."""
        return _finish(self._measure_parts(self._params, part_size))

    def _measure_parts(self, params: np.ndarray, part_size: int | None):
        """``measure`` at ``params``, a chunk of points per ``next()``; returned at the end."""
        points, labels = self.dataset.points, self.dataset.labels
        per_point_sum, correct = 0.0, 0
        for chunk in _chunks(len(labels), part_size):
            values = self._forward(points[chunk], params)
            scores = np.broadcast_to(np.asarray(values[self._plan.output_index],
                                                dtype=np.float64), labels[chunk].shape)
            per_point, _slope = _LOSS_FUNCTIONS[self.loss_name](scores, labels[chunk])
            per_point_sum += float(np.add.reduce(per_point))
            with np.errstate(invalid="ignore"):
                correct += int(np.count_nonzero(labels[chunk] * scores > 0))
            yield
        with np.errstate(all="ignore"):
            return per_point_sum / len(labels) + self._penalty(params), correct

    def run(self, steps: int) -> None:
        """Take ``steps`` steps."""
        for _ in range(steps):
            self.step()


class ParamLayout:
    """Where each parameter's elements sit in the trainer's flat vector of parameters."""

    def __init__(self, shapes: list[tuple[str, tuple]]):
        self.shapes = dict(shapes)
        self.slices = {}
        start = 0
        for node_id, shape in shapes:
            size = math.prod(shape)
            self.slices[node_id] = slice(start, start + size)
            start += size
        self.size = start
        self._all_numbers = not any(shape for _id, shape in shapes)

    def flat(self, values: list) -> np.ndarray:
        """The parameters' values (numbers or arrays, in order) as one flat float64 vector."""
        if not values:
            return np.zeros(0)
        return np.concatenate([np.ravel(np.asarray(value, dtype=np.float64))
                               for value in values])

    def values(self, flat: np.ndarray) -> list:
        """The flat vector back as each parameter's value: a float, or an array of its shape."""
        if self._all_numbers:
            return flat.tolist()
        return [float(flat[where][0]) if not self.shapes[node_id]
                else flat[where].reshape(self.shapes[node_id]).copy()
                for node_id, where in self.slices.items()]

    def spread(self, per_parameter: list) -> np.ndarray:
        """One entry per parameter repeated over its elements."""
        return np.repeat(np.asarray(per_parameter),
                         [where.stop - where.start for where in self.slices.values()])


def _finish(parts):
    """Run a generator of parts (``step_parts``...) to its end; its return value."""
    while True:
        try:
            next(parts)
        except StopIteration as done:
            return done.value


def _chunks(count: int, size: int | None):
    """Slices covering range(count), ``size`` at a time (one slice if size is None)."""
    size = count if size is None else max(1, int(size))
    return [slice(start, start + size) for start in range(0, count, size)] or [slice(0, 0)]


def train(circuit: Circuit, dataset: Dataset, steps: int = 1000, *, loss: str = "hinge",
          step_size: float = 0.01, reg: float = 1e-3, batch: str = "full",
          batch_size: int = 1, regularize: str = "weights", seed: int = 0,
          init_seed: int | None = None, progress=None) -> TrainResult:
    """Train for ``steps`` steps from the circuit's values (or a random init with init_seed);
    ``progress(trainer)`` is called after every step."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, not {steps!r}")
    trainer = Trainer(circuit, dataset, loss=loss, step_size=step_size, reg=reg, batch=batch,
                      batch_size=batch_size, regularize=regularize, seed=seed)
    if init_seed is not None:
        trainer.reset_params(init_seed)
    for _ in range(steps):
        trainer.step()
        if progress is not None:
            progress(trainer)
    return TrainResult(list(trainer.loss_history), trainer.accuracy(), trainer.params,
                       list(trainer.accuracy_history), trainer.steps)
