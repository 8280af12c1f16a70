"""The training session: an engine ``Trainer`` on the document's data set, run by the run loop.

One ``TrainingSession`` per window. It is what the training dock and the boundary plot share:

- **The data set** is the document's (``dataset_store.DatasetStore``); the session passes its
  ``dataset``, ``dataset_changed`` and edits (``set_dataset``, ``add_point``, ``remove_nearest``)
  on, and a run takes a new data set at once.
- **The trainer** (``engine.Trainer``) is built when first needed and kept while the circuit's
  structure stays the same, so the loss and accuracy histories go on across Steps and runs.
  Editing the structure (gates, wires, the output, which inputs are data or frozen) or opening
  another document drops it (``history_reset``); the next use builds a new one, which takes
  back the curves of its structure if undo brought an old structure back (``run_history``).
  While paused, the circuit's values are the truth: the trainer takes them before every use,
  so the user's edits and undo count. The settings (loss, step size, ...) are the circuit's:
  another document (New, Open, a template) starts from ``DEFAULT_SETTINGS``, with what its
  file suggests (the optional key ``"training"``: ``{"loss": "logistic", "step_size": 0.3}``,
  as the layered nets' examples carry) on top; a suggestion that is not a valid setting is
  left out.
- **Step** takes one step: one undo step ("Train 1 step"). **Train** runs on the shared
  ``RunLoop``: a slice takes up to ``steps_per_frame`` steps within ``BUDGET_S``, checked
  before each unit of work; a step over a big data set is done in parts of ``PART_POINTS``
  points, so no slice holds the window long. After a slice the parameters go into the circuit
  through the undo stack (``RunValuesCommand``, merged into ONE undo step per run, "Train 240
  steps", that also carries the loss and accuracy histories: undoing it removes its part of
  the curves; an edit pushed during the run, such as a data point, splits it: the step after
  the edit holds the steps and curves since the last publish) and ``params_changed`` and
  ``trained`` are emitted once. A run stops on
  ``pause``; when the user edits the circuit (anything but moving, labelling, retitling or
  editing the data set, which the run takes on at once); when another document is opened; when
  the data set is removed or emptied; and when the loss stops being a finite number.
- ``scores`` and ``node_values`` evaluate the circuit over any points with the current
  parameter values (the trainer's while training, else the circuit's): the decision boundary
  and each gate's own map over the plane. ``params_changed`` says they may have changed (a
  training frame, a reset, a user's edit, an undo); edits outside training are coalesced into
  one signal per turn of the event loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine import (BATCHES, LOSSES, CircuitError, Dataset, Trainer, format_readout, plan_of,
                    suggested_training)
from gui.common.run_command import RunValuesCommand
from gui.common.run_loop import RunLoop
from gui.training.dataset_store import DatasetStore
from gui.training.run_history import EMPTY, HistoryMark, HistoryShelf, structure_key
from gui.common.deferred import after_events

FRAME_MS = 16  # a frame every 16 ms at most: about 60 frames a second
MIN_GAP_MS = 4  # between the end of a frame and the start of the next
BUDGET_S = 0.012  # a slice's work stops before this long, so the window stays responsive
PART_POINTS = 4096  # a step over more points is done in parts of this many (a few ms each)
RUN_PASS_S = 0.1  # while training, the document's pass (the canvas numbers) at most 10 a second
DEFAULT_STEPS_PER_FRAME = 5
MAX_STEPS_PER_FRAME = 10_000
DEFAULT_STEP_SIZE = 0.1
DEFAULT_REG = 1e-3
DEFAULT_SETTINGS = dict(loss="hinge", step_size=DEFAULT_STEP_SIZE, reg=DEFAULT_REG,
                        batch="full", batch_size=1, steps_per_frame=DEFAULT_STEPS_PER_FRAME)
# what an evaluation without a data set trains on: never used for a step
_PLACEHOLDER = Dataset(np.zeros((1, 2)), [1.0], "none")
# edits that leave the numbers alone
HARMLESS_KINDS = {"title_changed"}
HARMLESS_FIELDS = {"pos", "label"}
# node fields that change which inputs are data or parameters: the trainer is rebuilt
TRAINER_FIELDS = {"feature", "trainable", "n_inputs"}
STRUCTURAL_KINDS = {"node_added", "node_removed", "wire_added", "wire_removed",
                    "node_renamed", "output_changed"}

PAUSED, EDITED, REPLACED, NO_DATA, NOT_FINITE, RESET = (
    "paused", "edited", "replaced", "no data", "not finite", "reset")


@dataclass(frozen=True)
class Summary:
    """How the current parameters do on the data set."""

    steps: int
    loss: float
    accuracy: float
    correct: int
    total: int

    def text(self) -> str:
        """``accuracy 100% (6/6), loss 0.12`` for the panel (numbers as the canvas writes them)."""
        return f"accuracy {self.accuracy:.0%} ({self.correct}/{self.total}), " \
               f"loss {format_readout(self.loss)}"


class TrainingSession(QObject):
    """The window's training: Step, Train/Pause, Reset, evaluation over points."""

    dataset_changed = Signal(object)  # the new engine Dataset (or None)
    params_changed = Signal()  # the scores may have changed: the boundary redraws
    running_changed = Signal(bool)
    trained = Signal(object)  # the Trainer, after a Step or a frame of steps
    history_reset = Signal()  # the curves start again (a new trainer, or undo moved them)
    settings_reset = Signal()  # another circuit: the settings are the defaults again
    stopped = Signal(str)  # why a run stopped: PAUSED, EDITED, REPLACED, ...
    status_message = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        # loss, step_size, reg, batch, batch_size, steps_per_frame
        vars(self).update(DEFAULT_SETTINGS)
        self.batch_seed = 0
        self.last_reason = ""
        self._trainer: Trainer | None = None
        self._trainer_key: tuple | None = None
        self._curves_back = False  # a new trainer took back curves the plots do not show yet
        self._shelf = HistoryShelf()
        self._problem = ""
        self._stale = True  # the circuit's values changed since the trainer took them
        self._measured = -1  # the trainer's steps when its last step measured its parameters
        self._writing = False
        self._run_start = 0
        self._published_mark = EMPTY  # the curves the run's last publish left in the undo stack
        self._published = 0  # the trainer's steps the circuit shows
        self._part = None  # the step in progress, a generator of parts (engine step_parts)
        self._slice_start = None
        self._slice_steps = 0
        self._loop = RunLoop(self, budget_s=BUDGET_S, frame_ms=FRAME_MS, min_gap_ms=MIN_GAP_MS,
                             name="training", parent=self)
        self._params_timer = after_events(self, self._params_edited, "training_params_timer")
        # the session hears of a new document before the data set does: the run stops first
        document.changed.connect(self._on_change)
        document.circuit_replaced.connect(self._on_replaced)
        self.store = DatasetStore(document, self)
        self.store.dataset_changed.connect(self._dataset_edited)
        self.store.status_message.connect(self.status_message)

    # ----------------------------------------------------------------- state
    @property
    def running(self) -> bool:
        """True while training runs."""
        return self._loop.running

    @property
    def dataset(self) -> Dataset | None:
        """The circuit's data set (its ``"dataset"`` key), or None."""
        return self.store.dataset

    @property
    def dataset_problem(self) -> str:
        """Why the circuit's saved data set cannot be used ("" if it can)."""
        return self.store.problem

    @property
    def trainer(self) -> Trainer | None:
        """The current trainer (built if needed), or None if the circuit cannot classify."""
        return self._ensure_trainer()

    @property
    def problem(self) -> str:
        """Why the circuit cannot be trained or evaluated ("" when it can)."""
        self._ensure_trainer()
        return self._problem

    def data_inputs(self) -> list[str]:
        """The ids of the inputs bound to data, feature 0 (x) first."""
        nodes = [node for node in self.document.circuit.nodes.values() if node.is_data]
        return [node.id for node in sorted(nodes, key=lambda node: first_column(node.feature))]

    def param_ids(self) -> list[str]:
        """The ids of the parameters training moves (inputs neither data nor frozen)."""
        return self.document.circuit.movable_inputs()

    def configure(self, *, loss: str | None = None, step_size: float | None = None,
                  reg: float | None = None, batch: str | None = None,
                  batch_size: int | None = None, steps_per_frame: int | None = None) -> None:
        """Change settings; a run in progress takes them at once. ValueError if invalid."""
        measured = (self.loss, self.reg)
        if loss is not None:
            if loss not in LOSSES:
                raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
            self.loss = loss
        if batch is not None:
            if batch not in BATCHES:
                raise ValueError(f"batch must be one of {', '.join(BATCHES)}, not {batch!r}")
            self.batch = batch
        if step_size is not None:
            if not (math.isfinite(step_size) and step_size > 0):
                raise ValueError(f"the step size must be a number > 0, not {step_size!r}")
            self.step_size = float(step_size)
        if reg is not None:
            if not (math.isfinite(reg) and reg >= 0):
                raise ValueError(f"the regularisation must be a number >= 0, not {reg!r}")
            self.reg = float(reg)
        if batch_size is not None:
            if int(batch_size) < 1:
                raise ValueError(f"the batch size must be >= 1, not {batch_size!r}")
            self.batch_size = int(batch_size)
        if steps_per_frame is not None:
            if not 1 <= int(steps_per_frame) <= MAX_STEPS_PER_FRAME:
                raise ValueError(f"steps per frame must be 1 to {MAX_STEPS_PER_FRAME}, "
                                 f"not {steps_per_frame!r}")
            self.steps_per_frame = int(steps_per_frame)
        if (self.loss, self.reg) != measured:
            self._measured = -1  # the loss the last step measured was another one
        if self._trainer is not None:
            self._apply_settings(self._trainer)

    def _apply_settings(self, trainer: Trainer) -> None:
        trainer.loss_name = self.loss
        trainer.step_size = self.step_size
        trainer.reg = self.reg
        trainer.batch = self.batch
        trainer.batch_size = self.batch_size

    # ----------------------------------------------------------------- the data set
    def set_dataset(self, dataset: Dataset | None, text: str | None = None) -> None:
        """Make ``dataset`` the circuit's data set (None removes it): one undo step."""
        self.store.set_dataset(dataset, text)

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add the point (x, y) labelled +1 or -1: one undo step."""
        self.store.add_point(x, y, label)

    def remove_nearest(self, x: float, y: float, within: float | None = None) -> bool:
        """Remove the point nearest (x, y) (if one is ``within``): one undo step; else False."""
        return self.store.remove_nearest(x, y, within)

    def _dataset_edited(self, dataset) -> None:
        self._part = None  # a step half done on the old points is not finished
        self._measured = -1
        if self._trainer is not None:
            self._trainer.set_dataset(self._training_data())
        self.dataset_changed.emit(dataset)
        if self.running and not self.store.has_points():
            self._loop.stop(NO_DATA, flush=False)  # inside the data set's undo command

    def _training_data(self) -> Dataset:
        return self.store.dataset if self.store.has_points() else _PLACEHOLDER

    # ----------------------------------------------------------------- evaluation
    def _ensure_trainer(self) -> Trainer | None:
        if self._trainer is None:
            try:
                with np.errstate(all="ignore"):
                    self._trainer = Trainer(
                        self.document.circuit, self._training_data(), loss=self.loss,
                        step_size=self.step_size, reg=self.reg, batch=self.batch,
                        batch_size=self.batch_size, seed=self.batch_seed)
            except CircuitError as error:
                self._problem = str(error)
                return None
            self._problem = ""
            self._stale = True
            self._trainer_key = structure_key(self.document.circuit)
            shelved = self._shelf.get(self._trainer_key)
            if shelved is not None:  # undo brought this structure back: its curves too
                shelved.apply_to(self._trainer)
                self._curves_back = True
        return self._trainer

    def _evaluator(self) -> Trainer:
        trainer = self._ensure_trainer()
        if trainer is None:
            raise CircuitError(self._problem)
        if not self.running and self._stale:
            values = self._circuit_values(trainer)
            if not same_values(values, trainer.params):
                trainer.set_params(values)
                self._measured = -1
            self._stale = False
        return trainer

    def scores(self, points) -> np.ndarray:
        """The circuit's output at each (x, y) of ``points`` (..., 2); CircuitError if it
        cannot classify (it cannot run, or no input is bound to data)."""
        trainer = self._evaluator()
        with np.errstate(all="ignore"):
            return trainer.scores(points)

    def node_values(self, points, node_id: str) -> np.ndarray:
        """Gate ``node_id``'s value at each (x, y) of ``points``; CircuitError as ``scores``."""
        trainer = self._evaluator()
        with np.errstate(all="ignore"):
            return trainer.node_values(points, node_id)

    def node_shape(self, node_id: str) -> tuple:
        """The shape of one point's value of ``node_id``: () for a number, (h,) for a layer."""
        return plan_of(self.document.circuit).shapes.get(node_id, ())

    def numbers_per_point(self) -> int:
        """How many numbers a pass computes per data point (every gate's elements)."""
        plan = plan_of(self.document.circuit)
        return sum(math.prod(plan.shapes.get(node.id, ())) for node in plan.nodes
                   if not node.gate.is_source)

    def summary(self) -> Summary | None:
        """Loss and accuracy of the current parameters on the data set (None without one)."""
        if not self.store.has_points():
            return None
        try:
            trainer = self._evaluator()
        except CircuitError:
            return None
        labels = self.dataset.labels
        if trainer.steps and self._measured == trainer.steps:  # it measured these values
            accuracy = trainer.accuracy_history[-1]
            correct = round(accuracy * len(labels))
            return Summary(trainer.steps, trainer.loss_history[-1], accuracy, correct,
                           len(labels))
        with np.errstate(all="ignore"):
            loss, correct = trainer.measure(PART_POINTS)
        return Summary(trainer.steps, loss, correct / len(labels), correct, len(labels))

    # ----------------------------------------------------------------- the curves in undo
    def restore_history(self, mark: HistoryMark) -> None:
        """Give the trainer the curves of ``mark`` (undo and redo of a training step)."""
        trainer = self._ensure_trainer()
        if trainer is None:
            return
        self._stale = True  # undo and redo set the values of their state first
        self._evaluator()
        mark.apply_to(trainer)
        self._published = self._measured = trainer.steps
        self.history_reset.emit()
        self.trained.emit(trainer)

    def _values_command(self, trainer: Trainer, before: dict, before_mark: HistoryMark,
                        name, run_id: int = -1) -> RunValuesCommand:
        circuit = self.document.circuit
        new = {node_id: value for node_id, value in trainer.params.items()
               if node_id in circuit.nodes and node_id in before
               and not np.array_equal(value, before[node_id])}
        return RunValuesCommand(self.document, new, before, name, run_id,
                                steps=(before_mark.steps, trainer.steps),
                                before=before_mark, after=HistoryMark.of(trainer),
                                restore=self.restore_history)

    def _push(self, command: RunValuesCommand) -> None:
        self._writing = True
        try:
            self.document.push(command)
        finally:
            self._writing = False

    # ----------------------------------------------------------------- training
    def _ready(self, doing: str) -> Trainer | None:
        """The trainer with the circuit's values, or None (and a message) if it cannot train."""
        if not self.store.has_points():
            self.status_message.emit(f"Cannot {doing}: there is no data set (choose one and "
                                     "press Generate, or load a CSV file)")
            return None
        try:
            trainer = self._evaluator()
        except CircuitError as error:
            self.status_message.emit(f"Cannot {doing}: {error}")
            return None
        if not trainer.param_ids:
            self.status_message.emit(f"Cannot {doing}: the circuit has no parameters (every "
                                     "input is bound to data, frozen, or a const)")
            return None
        return trainer

    def _circuit_values(self, trainer: Trainer) -> dict:
        nodes = self.document.circuit.nodes
        return {node_id: nodes[node_id].value for node_id in trainer.param_ids}

    def step(self) -> bool:
        """Take one training step, as one undo step; False (and a message) if none was taken."""
        if self.running:
            self.pause()
        trainer = self._ready("train")
        if trainer is None:
            return False
        before, mark = self._circuit_values(trainer), HistoryMark.of(trainer)
        reason = self._one_step(trainer)
        if reason == EDITED:
            self._drop_trainer()
            self.status_message.emit("Training stopped: the circuit was edited")
            return False
        self._push(self._values_command(trainer, before, mark, _train_text))
        self._published = self._measured = trainer.steps
        self._params_timer.stop()
        self.params_changed.emit()
        self.trained.emit(trainer)
        self._say_progress(trainer, reason)
        return True

    def train(self) -> bool:
        """Start training (continuing from the circuit's values); False if it cannot start."""
        if self.running:
            return True
        trainer = self._ready("train")
        if trainer is None:
            return False
        self._run_start = self._published = trainer.steps
        self._published_mark = HistoryMark.of(trainer)
        self._part = None
        self.last_reason = ""
        self._loop.start()
        self.document.pace_passes(RUN_PASS_S)
        self.running_changed.emit(True)
        self.status_message.emit("Training…")
        return True

    def pause(self) -> None:
        """Stop training; the run's steps stay, as one undo step."""
        self._loop.stop(PAUSED)

    def toggle(self) -> None:
        """Train if paused, pause if training."""
        if self.running:
            self.pause()
        else:
            self.train()

    def reset_params(self, seed: int = 0) -> bool:
        """Give every parameter a random value from ``seed`` (one undo step); the loss
        history starts again. False (and a message) if the circuit has no parameters."""
        self._loop.stop(RESET)
        try:
            trainer = self._evaluator()
        except CircuitError:
            trainer = None
        if trainer is None or not trainer.param_ids:
            self.status_message.emit(f"Cannot reset the parameters: "
                                     f"{self._problem or 'the circuit has none'}")
            return False
        before, mark = self._circuit_values(trainer), HistoryMark.of(trainer)
        trainer.reset_params(seed)
        EMPTY.apply_to(trainer)
        self.history_reset.emit()
        self._push(self._values_command(trainer, before, mark,
                                        lambda _steps: f"Reset parameters (seed {seed})"))
        self._published = 0
        self._stale = False
        self._params_timer.stop()
        self.params_changed.emit()
        self.trained.emit(trainer)
        self.status_message.emit(f"Parameters reset at random (seed {seed})")
        return True

    def _one_step(self, trainer: Trainer) -> str | None:
        """One whole step; the reason to stop, or None to go on."""
        try:
            with np.errstate(all="ignore"):
                trainer.step()
        except CircuitError:
            return EDITED
        return self._judged(trainer)

    def _judged(self, trainer: Trainer) -> str | None:
        loss = trainer.loss_history[-1]
        if not math.isfinite(loss) or len(trainer.stuck) == len(trainer.param_ids):
            return NOT_FINITE
        return None

    # ----------------------------------------------------------------- the run loop's job
    def wants_more(self, slice_start: float) -> bool:
        """The run loop may go on: a step is half done, or the slice owes steps."""
        if slice_start != self._slice_start:
            self._slice_start, self._slice_steps = slice_start, 0
        return self._part is not None or self._slice_steps < self.steps_per_frame

    def advance(self) -> str | None:
        """One part of a step (a whole step on a small data set); a reason to stop, or None."""
        trainer = self._trainer
        if trainer is None:
            return EDITED
        if self._part is None:
            self._part = trainer.step_parts(PART_POINTS)
        try:
            with np.errstate(all="ignore"):
                next(self._part)
            return None
        except StopIteration:
            self._part = None
            self._slice_steps += 1
            return self._judged(trainer)
        except CircuitError:
            self._part = None
            return EDITED

    def publish(self) -> None:
        """Write the steps taken into the circuit (merged into the run's undo step), redraw."""
        trainer = self._trainer
        if trainer is None or trainer.steps == self._published:
            return None
        command = self._values_command(trainer, self._circuit_values(trainer),
                                       self._published_mark, _train_text, self._loop.run_id)
        self._push(command)  # merged into the run's step unless something came in between
        self._published_mark = command.after
        self._published = self._measured = trainer.steps
        self.params_changed.emit()
        self.trained.emit(trainer)
        return None

    def finished(self, reason: str) -> None:
        """The run ended (the loop published what was pending, unless the circuit changed)."""
        self._part = None
        self.last_reason = reason
        trainer = self._trainer
        steps = trainer.steps - self._run_start if trainer is not None else 0
        if reason in (EDITED, REPLACED):
            self._drop_trainer()
        self.document.pace_passes(0)  # the last values' pass comes now: the numbers are exact
        self.running_changed.emit(False)
        self.stopped.emit(reason)
        self._say_stopped(reason, steps)

    def _drop_trainer(self) -> None:
        if self._trainer is not None:
            self._shelf.put(self._trainer_key, HistoryMark.of(self._trainer))
            self._trainer = None
            self.history_reset.emit()
        self._stale = True

    # ----------------------------------------------------------------- the document
    def _on_change(self, change) -> None:
        if change.kind == "extra_changed" or change.kind in HARMLESS_KINDS or (
                change.kind == "node_changed" and change.field in HARMLESS_FIELDS):
            return
        if self._writing:
            return
        self._loop.stop(EDITED, flush=False)  # inside someone else's edit: push nothing
        if change.kind in STRUCTURAL_KINDS or (
                change.kind == "node_changed" and change.field in TRAINER_FIELDS):
            self._drop_trainer()
        self._stale = True
        self._params_timer.start()

    def _on_replaced(self) -> None:
        self._loop.stop(REPLACED, flush=False)
        self._drop_trainer()
        self._shelf.clear()
        self.configure(**DEFAULT_SETTINGS)  # what was typed for one circuit is not the next's
        self._take_suggested_settings()
        self.settings_reset.emit()
        self._params_timer.stop()
        self.params_changed.emit()

    def _take_suggested_settings(self) -> None:
        for name, value in suggested_training(self.document.circuit).items():
            if name in DEFAULT_SETTINGS:
                try:
                    self.configure(**{name: value})
                except (ValueError, TypeError):
                    pass  # not a setting this session can take: the default stays

    def _params_edited(self) -> None:
        trainer = self._ensure_trainer()
        if self._curves_back and trainer is not None:
            self._curves_back = False
            self.trained.emit(trainer)
        self.params_changed.emit()

    # ----------------------------------------------------------------- messages
    def _say_progress(self, trainer: Trainer, reason: str | None) -> None:
        if reason == NOT_FINITE:
            self.status_message.emit("Training step: the loss is not a finite number "
                                     "(is the step size too large?)")
            return
        summary = self.summary()
        if summary is not None:
            self.status_message.emit(f"Training step {trainer.steps}: {summary.text()}")

    def _say_stopped(self, reason: str, steps: int) -> None:
        done = f"after {steps} step{'s' if steps != 1 else ''}"
        text = {
            PAUSED: f"Training paused {done}",
            EDITED: f"Training stopped {done}: the circuit was edited",
            REPLACED: "Training stopped: another circuit was opened",
            NO_DATA: f"Training stopped {done}: the data set is empty",
            NOT_FINITE: f"Training stopped {done}: the loss is not a finite number "
                        "(is the step size too large?)",
            RESET: f"Training stopped {done}",
        }[reason]
        summary = self.summary() if reason in (PAUSED, NOT_FINITE) else None
        self.status_message.emit(text + (f", {summary.text()}" if summary else ""))


def same_values(a: dict, b: dict) -> bool:
    """True when two dicts of values (numbers or arrays) hold the same keys and numbers."""
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def first_column(feature) -> int:
    """The first data column of an input's ``feature`` (a column, or (0, 1) for a vector)."""
    return feature[0] if isinstance(feature, tuple) else feature


def _train_text(steps: int) -> str:
    """The undo step's text for ``steps`` training steps."""
    return f"Train {steps} step{'s' if steps != 1 else ''}"
