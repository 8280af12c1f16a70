"""Gradient ascent on the inputs: the hacker's guide's "pull" on the output.

The guide makes a circuit's output larger by nudging its inputs, three ways:

- "random": random local search. Try a random nudge of every free input, each by
  ``step_size * uniform(-1, 1)``, and keep it only if the output improved.
- "numerical": the guide's ``getNumericalForwardGradient``: for each free input separately,
  the forward difference (f(x + h) - f(x)) / h at the current point (h = 1e-4); then all
  inputs move at once by ``step_size * gradient``.
- "analytic": the same step with the exact gradient of the backward pass.

Only movable inputs move (``Node.is_movable``: trainable inputs not bound to a data feature);
consts, frozen inputs and data inputs keep their values. With ``minimize`` the steps go down
the gradient instead (gradient descent), and "improvement" means a decrease.

``Ascent`` is the stepper the GUI drives from a timer, one ``step()`` at a time. It works on
its own copy of the source values (passed to the cached plan as overrides) and never edits the
circuit: the GUI decides when to write the values back. ``ascend`` runs a whole ascent, with
the guide's stopping rule ``if new_val - previous_val < tol: stop``.

Vectors and matrices: every element of a tensor input is a parameter of its own (each element
of W moves along its own gradient, df/dW[i, j]). A tensor input's value, move and trajectory
points are arrays of its shape; the numerical method nudges one element at a time, random
search tries a random nudge of every element. ``last_step_moved`` says whether a step changed
anything.

A file may suggest the direction: its optional top-level key ``"ascent"`` (``ASCENT_KEY``, kept
with the file's other unknown keys in ``Circuit.extra``), ``{"minimize": true}`` for a loss, is
read by ``suggested_minimize``; the window's Gradient ascent panel opens in that direction.

A move that would make an input non-finite (a nan or infinite gradient) is not made: that
input (or that element of it) stays where it is, and ``ascend`` stops with
``stopped == "not finite"`` when nothing could move for that reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .autodiff import plan_of
from .circuit import Circuit
from .errors import CircuitError, quote
from .tensor_values import shape_text

METHODS = ("analytic", "numerical", "random")
ASCENT_KEY = "ascent"  # a file's suggested ascent settings: {"minimize": true}


def suggested_minimize(circuit: Circuit) -> bool | None:
    """The direction ``circuit``'s file suggests for gradient ascent: True to minimise, False
    to maximise, None when it suggests none (no ``"ascent"`` key, or not a true/false
    ``"minimize"`` in it)."""
    suggested = circuit.extra.get(ASCENT_KEY)
    minimize = suggested.get("minimize") if isinstance(suggested, dict) else None
    return minimize if isinstance(minimize, bool) else None


@dataclass
class AscentResult:
    """A finished ascent: outputs, final source values, trajectories, steps and why it stopped."""

    history: list
    values: dict
    trajectories: dict
    steps: int
    stopped: str  # "steps", "converged" or "not finite"
    output: str

    @property
    def value(self) -> float:
        """The output's final value."""
        return self.history[-1]


class Ascent:
    """A gradient-ascent stepper over a circuit's movable inputs, one ``step()`` at a time."""

    def __init__(self, circuit: Circuit, *, step_size: float = 0.01, minimize: bool = False,
                 method: str = "analytic", inputs: dict | None = None, seed: int = 0,
                 h: float = 1e-4):
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
        for name, number in (("step_size", step_size), ("h", h)):
            if not (isinstance(number, (int, float)) and math.isfinite(number) and number > 0):
                raise ValueError(f"{name} must be a number > 0, not {number!r}")
        plan = plan_of(circuit)
        if plan.problems:
            raise CircuitError("the circuit cannot run: " + "; ".join(plan.problems))
        self.circuit = circuit
        self.step_size = float(step_size)
        self.minimize = bool(minimize)
        self.method = method
        self.h = float(h)
        self._plan = plan
        self._rng = np.random.default_rng(seed)
        inputs = dict(inputs or {})
        self._values = {}
        plan.source_values(inputs)  # CircuitError for ids that are not sources
        for _i, node in plan.sources:
            value = inputs.get(node.id, node.value)
            if np.shape(value) != np.shape(node.value):
                raise CircuitError(f"{quote(node.id)}: gradient ascent takes a value of its "
                                   f"shape {np.shape(node.value)}, not a batch")
            self._values[node.id] = _own(value)
        self.movable = [node_id for node_id in circuit.nodes
                        if node_id in self._values and circuit.nodes[node_id].is_movable]
        self._index = [plan.index[node_id] for node_id in self.movable]
        self._forward = plan.forward(self._values)
        out_shape = np.shape(self._forward[plan.output_index])
        if out_shape != ():
            raise CircuitError(f"the output {plan.output} is a {shape_text(out_shape)} tensor: "
                               "gradient ascent needs one number to make larger or smaller "
                               "(end the circuit with sum)")
        self.history = [self._output(self._forward)]
        self.trajectories = {node_id: [self._values[node_id]] for node_id in self.movable}
        self.last_moves = {node_id: _zero_like(self._values[node_id])
                           for node_id in self.movable}
        self.stuck: list[str] = []  # inputs the last step could not move (non-finite move)

    @property
    def output(self) -> str:
        """The id of the output node."""
        return self._plan.output

    @property
    def values(self) -> dict:
        """The current value of every input and const (a copy)."""
        return dict(self._values)

    @property
    def value(self) -> float:
        """The output's current value."""
        return self.history[-1]

    @property
    def steps(self) -> int:
        """How many steps were taken."""
        return len(self.history) - 1

    @property
    def last_step_moved(self) -> bool:
        """True when the last step moved some input (or some element of a tensor input)."""
        return moved(self.last_moves)

    def step(self) -> float:
        """Move every movable input once; returns the output's new value."""
        if plan_of(self.circuit) is not self._plan:
            raise CircuitError("the circuit's structure changed; start a new ascent")
        if self.method == "random":
            moves = self._random_moves()
        else:
            gradient = self._analytic() if self.method == "analytic" else self._numerical()
            sign = -1.0 if self.minimize else 1.0
            with np.errstate(all="ignore"):
                moves = {node_id: _own(sign * self.step_size * g)
                         for node_id, g in zip(self.movable, gradient)}
        self.stuck = []
        for node_id, move in moves.items():
            with np.errstate(all="ignore"):
                new = self._values[node_id] + move
            finite = np.isfinite(move) & np.isfinite(new)
            if not np.all(finite):
                self.stuck.append(node_id)
                move = moves[node_id] = _own(np.where(finite, move, 0.0))
                new = self._values[node_id] + move
            self._values[node_id] = _own(new)
        if self.method != "random":
            self._forward = self._plan.forward(self._values)
        self.history.append(self._output(self._forward))
        for node_id in self.movable:
            self.trajectories[node_id].append(self._values[node_id])
        self.last_moves = moves
        return self.history[-1]

    # ------------------------------------------------------------------ the three methods
    def _output(self, forward: list) -> float:
        return float(forward[self._plan.output_index])

    def _analytic(self) -> list:
        grads = self._plan.backward(self._forward)
        return [grads[i] for i in self._index]

    def _numerical(self) -> list:
        before = self._output(self._forward)
        gradient = []
        for node_id in self.movable:
            value = self._values[node_id]
            slopes = np.zeros(np.shape(value))
            for index in np.ndindex(np.shape(value)):  # () once for a number
                nudged = np.array(value, dtype=np.float64)
                nudged[index] += self.h
                after = self._output(self._plan.forward({**self._values,
                                                         node_id: _own(nudged)}))
                with np.errstate(all="ignore"):
                    slopes[index] = np.float64(after - before) / self.h
            gradient.append(slopes[()])
        return gradient

    def _random_moves(self) -> dict:
        moves = {node_id: _own(self.step_size * self._rng.uniform(
                     -1.0, 1.0, size=np.shape(self._values[node_id])))
                 for node_id in self.movable}
        trial = dict(self._values)
        for node_id, move in moves.items():
            trial[node_id] = trial[node_id] + move
        forward = self._plan.forward(trial)
        before, after = self.history[-1], self._output(forward)
        better = after < before if self.minimize else after > before
        if not better:
            return {node_id: _zero_like(move) for node_id, move in moves.items()}
        self._forward = forward
        return moves


def _own(value):
    """A value the stepper keeps: a Python float for a number, else its own float64 array."""
    if np.ndim(value) == 0:
        return float(value)
    return np.array(value, dtype=np.float64)


def _zero_like(value):
    return 0.0 if np.ndim(value) == 0 else np.zeros(np.shape(value))


def moved(moves: dict) -> bool:
    """True when some input (or some element of a tensor input) moved."""
    return any(np.any(move != 0) for move in moves.values())


def ascend(circuit: Circuit, *, inputs: dict | None = None, steps: int = 100,
           step_size: float = 0.01, tol: float | None = None, minimize: bool = False,
           method: str = "analytic", seed: int = 0) -> AscentResult:
    """Run up to ``steps`` steps; with ``tol``, stop after the first step improving by < tol."""
    stepper = Ascent(circuit, step_size=step_size, minimize=minimize, method=method,
                     inputs=inputs, seed=seed)
    stopped = "steps"
    for _ in range(steps):
        previous = stepper.value
        new = stepper.step()
        if stepper.stuck and not stepper.last_step_moved:
            stopped = "not finite"
            break
        if tol is None:
            continue
        if method == "random" and not stepper.last_step_moved:
            continue  # a rejected random try is not convergence: the next one may help
        improvement = previous - new if minimize else new - previous
        if improvement < tol:
            stopped = "converged"
            break
    return AscentResult(list(stepper.history), stepper.values,
                        {key: list(path) for key, path in stepper.trajectories.items()},
                        stepper.steps, stopped, stepper.output)
