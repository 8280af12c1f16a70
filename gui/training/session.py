"""The training session: the document's data set and an engine ``Trainer`` driven from a timer.

One ``TrainingSession`` per window. It is what the training dock and the boundary plot share:

- **The data set** lives in the circuit (``circuit.extra["dataset"]``, saved with the file).
  ``dataset`` is that data set as an engine ``Dataset``, kept in sync with the document: every
  change of the key (``set_dataset``, ``add_point``, ``remove_nearest``, their undo and redo)
  and every other document (New, Open) updates it and emits ``dataset_changed``. Each edit of
  the data set is one undo step (``SetExtraCommand``).
- **The trainer** (``engine.Trainer``) is built when first needed and kept while the circuit's
  structure stays the same, so the loss and accuracy histories go on across Steps and runs.
  Editing the structure (gates, wires, the output, which inputs are data or frozen) or opening
  another document drops it (``history_reset``); the next use builds a new one. While paused,
  the circuit's values are the truth: the trainer takes them before every use, so the user's
  edits and undo count.
- **Step** takes one step: one undo step ("Train 1 step"). **Train** runs in frames from a
  ``QTimer``: each frame takes ``steps_per_frame`` steps (fewer if they would hold the window
  longer than ``BUDGET_S``); in the next turn of the event loop (so steps and redraws never
  block the window together) it writes the parameters into the circuit (``circuit.set_value``:
  a live preview outside the undo stack, so the canvas numbers move) and emits
  ``params_changed`` and ``trained`` once. The next frame is due ``FRAME_MS`` after this one
  began, and at least ``MIN_GAP_MS`` after it ended. The run is ONE undo step ("Train 240
  steps") whose old values are the parameters before the run: it is pushed (empty) when the
  run starts, so an edit made during the run lands after it in the history, and filled in
  frame by frame. A run stops on ``pause``; when the user edits the circuit (anything but
  moving, labelling, retitling or editing the data set, which the run takes on at once); when
  another document is opened; when the data set is removed or emptied; and when the loss
  stops being a finite number.
- ``scores`` and ``node_values`` evaluate the circuit over any points with the current
  parameter values (the trainer's while training, else the circuit's): the decision boundary
  and each gate's own map over the plane. ``params_changed`` says they may have changed (a
  training frame, a reset, a user's edit, an undo); edits outside training are coalesced into
  one signal per turn of the event loop.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from engine import BATCHES, EXTRA_KEY, LOSSES, CircuitError, Dataset, Trainer
from gui.model.commands import SetExtraCommand, SetValuesCommand

FRAME_MS = 16  # a frame every 16 ms at most: about 60 frames a second
MIN_GAP_MS = 4  # between the end of a frame and the start of the next
PUBLISH_DELAY_MS = 1  # between a frame's steps and showing them
BUDGET_S = 0.02  # a frame's steps stop after this long, so the window stays responsive
DEFAULT_STEPS_PER_FRAME = 5
MAX_STEPS_PER_FRAME = 10_000
DEFAULT_STEP_SIZE = 0.1
DEFAULT_REG = 1e-3
# what an evaluation without a data set trains on: never used for a step
_PLACEHOLDER = Dataset(np.zeros((1, 2)), [1.0], "none")
# edits that leave the numbers alone
HARMLESS_KINDS = {"title_changed"}
HARMLESS_FIELDS = {"pos", "label"}
# node fields that change which inputs are data or parameters: the trainer is rebuilt
TRAINER_FIELDS = {"feature", "trainable", "n_inputs"}
STRUCTURAL_KINDS = {"node_added", "node_removed", "wire_added", "wire_removed",
                    "node_renamed", "output_changed"}
_PARSED_CACHE = 8

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
        """``accuracy 100% (6/6), loss 0.0123`` for the panel."""
        return f"accuracy {self.accuracy:.0%} ({self.correct}/{self.total}), " \
               f"loss {self.loss:.4g}"


class TrainingSession(QObject):
    """The window's data set and training: Step, Train/Pause, Reset, evaluation over points."""

    dataset_changed = Signal(object)  # the new engine Dataset (or None)
    params_changed = Signal()  # the scores may have changed: the boundary redraws
    running_changed = Signal(bool)
    trained = Signal(object)  # the Trainer, after a Step or a frame of steps
    history_reset = Signal()  # the trainer was dropped: the loss curves start again
    stopped = Signal(str)  # why a run stopped: PAUSED, EDITED, REPLACED, ...
    status_message = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.loss = "hinge"
        self.step_size = DEFAULT_STEP_SIZE
        self.reg = DEFAULT_REG
        self.batch = "full"
        self.batch_size = 1
        self.steps_per_frame = DEFAULT_STEPS_PER_FRAME
        self.batch_seed = 0
        self.last_reason = ""
        self._trainer: Trainer | None = None
        self._problem = ""
        self._stale = True  # the circuit's values changed since the trainer took them
        self._dataset: Dataset | None = None
        self.dataset_problem = ""  # why the circuit's saved data set cannot be used ("" if it can)
        self._parsed: list[tuple[dict, Dataset]] = []
        self._running = False
        self._writing = False
        self._command: SetValuesCommand | None = None
        self._run_start = 0
        self._timer = QTimer(self)
        self._timer.setObjectName("training_frame_timer")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._frame)
        self._publish_timer = QTimer(self)
        self._publish_timer.setObjectName("training_publish_timer")
        self._publish_timer.setSingleShot(True)
        self._publish_timer.setInterval(PUBLISH_DELAY_MS)
        self._publish_timer.timeout.connect(self._publish)
        self._frame_start = 0.0
        self._reason: str | None = None
        self._params_timer = QTimer(self)
        self._params_timer.setObjectName("training_params_timer")
        self._params_timer.setSingleShot(True)
        self._params_timer.setInterval(0)
        self._params_timer.timeout.connect(self.params_changed.emit)
        self._load_dataset()
        document.changed.connect(self._on_change)
        document.circuit_replaced.connect(self._on_replaced)

    # ----------------------------------------------------------------- state
    @property
    def running(self) -> bool:
        """True while training runs."""
        return self._running

    @property
    def dataset(self) -> Dataset | None:
        """The circuit's data set (its ``"dataset"`` key), or None."""
        return self._dataset

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
        return [node.id for node in sorted(nodes, key=lambda node: node.feature)]

    def param_ids(self) -> list[str]:
        """The ids of the parameters training moves (inputs neither data nor frozen)."""
        return self.document.circuit.movable_inputs()

    def configure(self, *, loss: str | None = None, step_size: float | None = None,
                  reg: float | None = None, batch: str | None = None,
                  batch_size: int | None = None, steps_per_frame: int | None = None) -> None:
        """Change settings; a run in progress takes them at once. ValueError if invalid."""
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
        if text is None:
            text = ("Remove the data set" if dataset is None
                    else f"Data set {dataset.name} ({len(dataset)} points)")
        self._push_dataset(dataset, text)

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add the point (x, y) labelled +1 or -1: one undo step."""
        base = self._dataset if self._dataset is not None \
            else Dataset(np.zeros((0, 2)), [], "custom")
        label = 1 if label > 0 else -1
        self._push_dataset(base.add_point(float(x), float(y), label),
                           f"Add a {'+1' if label > 0 else '-1'} point")

    def remove_nearest(self, x: float, y: float, within: float | None = None) -> bool:
        """Remove the point nearest (x, y) (if one is ``within``): one undo step; else False."""
        if self._dataset is None or not len(self._dataset):
            return False
        smaller = self._dataset.remove_nearest(float(x), float(y), within)
        if len(smaller) == len(self._dataset):
            return False
        self._push_dataset(smaller, "Remove a point")
        return True

    def _push_dataset(self, dataset: Dataset | None, text: str) -> None:
        value = None if dataset is None else dataset.to_dict()
        if value is not None:
            self._remember(value, dataset)
        self.document.push(SetExtraCommand(self.document, EXTRA_KEY, value, text))

    def _remember(self, value: dict, dataset: Dataset) -> None:
        self._parsed = [(value, dataset)] + self._parsed[:_PARSED_CACHE - 1]

    def _parse(self, value) -> Dataset | None:
        self.dataset_problem = ""
        if value is None:
            return None
        for known, dataset in self._parsed:
            if known is value:  # the dict a command holds: no need to read it again
                return dataset
        try:
            dataset = Dataset.from_dict(value)
        except CircuitError as error:
            self.dataset_problem = str(error)
            self.status_message.emit(f"The circuit's data set is not usable: {error}")
            return None
        self._remember(value, dataset)
        return dataset

    def _load_dataset(self) -> None:
        self._dataset = self._parse(self.document.circuit.extra.get(EXTRA_KEY))

    def _dataset_edited(self) -> None:
        self._load_dataset()
        if self._trainer is not None:
            self._trainer.set_dataset(self._training_data())
        self.dataset_changed.emit(self._dataset)
        if self._running and not self._has_data():
            self._finish(NO_DATA)

    def _has_data(self) -> bool:
        return self._dataset is not None and len(self._dataset) > 0

    def _training_data(self) -> Dataset:
        return self._dataset if self._has_data() else _PLACEHOLDER

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
        return self._trainer

    def _evaluator(self) -> Trainer:
        trainer = self._ensure_trainer()
        if trainer is None:
            raise CircuitError(self._problem)
        if not self._running and self._stale:
            nodes = self.document.circuit.nodes
            trainer.set_params({node_id: nodes[node_id].value for node_id in trainer.param_ids})
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

    def summary(self) -> Summary | None:
        """Loss and accuracy of the current parameters on the data set (None without one)."""
        if not self._has_data():
            return None
        try:
            trainer = self._evaluator()
        except CircuitError:
            return None
        labels = self._dataset.labels
        if self._running and trainer.steps:  # the last step measured the current values
            accuracy = trainer.accuracy_history[-1]
            correct = round(accuracy * len(labels))
            return Summary(trainer.steps, trainer.loss_history[-1], accuracy, correct,
                           len(labels))
        with np.errstate(all="ignore"):
            scores = trainer.scores(self._dataset.points)
            correct = int(np.count_nonzero(labels * scores > 0))
            loss = trainer.loss()
        return Summary(trainer.steps, loss, correct / len(labels), correct, len(labels))

    # ----------------------------------------------------------------- training
    def _ready(self, doing: str) -> Trainer | None:
        """The trainer with the circuit's values, or None (and a message) if it cannot train."""
        if not self._has_data():
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
        if self._running:
            self.pause()
        trainer = self._ready("train")
        if trainer is None:
            return False
        before = self._circuit_values(trainer)
        reason = self._one_step(trainer)
        if reason == EDITED:
            self._drop_trainer()
            self.status_message.emit("Training stopped: the circuit was edited")
            return False
        self._push_values(before, trainer.params, "Train 1 step")
        self.trained.emit(trainer)
        self._say_progress(trainer, reason)
        return True

    def train(self) -> bool:
        """Start training (continuing from the circuit's values); False if it cannot start."""
        if self._running:
            return True
        trainer = self._ready("train")
        if trainer is None:
            return False
        # no new values yet: its first redo changes nothing; each frame adds the moved values
        self._command = SetValuesCommand(self.document, {}, "Train",
                                         old_values=self._circuit_values(trainer))
        with self._ours():
            self.document.push(self._command)
        self._run_start = trainer.steps
        self._running = True
        self.last_reason = ""
        self._timer.start(0)
        self.running_changed.emit(True)
        self.status_message.emit("Training…")
        return True

    def pause(self) -> None:
        """Stop training; the run's steps stay, as one undo step."""
        if self._running:
            self._finish(PAUSED)

    def toggle(self) -> None:
        """Train if paused, pause if training."""
        if self._running:
            self.pause()
        else:
            self.train()

    def reset_params(self, seed: int = 0) -> bool:
        """Give every parameter a random value from ``seed`` (one undo step); the loss
        history starts again. False (and a message) if the circuit has no parameters."""
        if self._running:
            self._finish(RESET)
        trainer = self._ensure_trainer()
        if trainer is None or not trainer.param_ids:
            self.status_message.emit(f"Cannot reset the parameters: "
                                     f"{self._problem or 'the circuit has none'}")
            return False
        before = self._circuit_values(trainer)
        self._drop_trainer()
        trainer = self._ensure_trainer()
        trainer.reset_params(seed)
        self._stale = False
        self._push_values(before, trainer.params, f"Reset parameters (seed {seed})")
        self.trained.emit(trainer)
        self.status_message.emit(f"Parameters reset at random (seed {seed})")
        return True

    def _one_step(self, trainer: Trainer) -> str | None:
        """One step; the reason to stop, or None to go on."""
        try:
            with np.errstate(all="ignore"):
                loss = trainer.step()
        except CircuitError:
            return EDITED
        if not math.isfinite(loss) or len(trainer.stuck) == len(trainer.param_ids):
            return NOT_FINITE
        return None

    def _frame(self) -> None:
        """The first half of a frame: the steps. They are shown in ``_publish``, in a later
        turn of the event loop, so the two never block the window together."""
        trainer = self._trainer
        if trainer is None:
            self._finish(EDITED)
            return
        start = time.perf_counter()
        self._frame_start = start
        reason, taken = None, 0
        while taken < self.steps_per_frame:
            reason = self._one_step(trainer)
            taken += 1
            if reason is not None or time.perf_counter() - start > BUDGET_S:
                break
        if reason == EDITED:
            self._finish(EDITED)
            return
        self._reason = reason
        self._publish_timer.start()

    def _publish(self) -> None:
        """The second half of a frame: the circuit, the boundary and the curves show it."""
        trainer = self._trainer
        if trainer is None or not self._running:
            return
        self._write_preview(trainer)
        self.params_changed.emit()
        self.trained.emit(trainer)
        reason, self._reason = self._reason, None
        if reason is not None:
            self._finish(reason)
        elif self._running:
            spent = 1000 * (time.perf_counter() - self._frame_start)
            self._timer.start(round(max(MIN_GAP_MS, FRAME_MS - spent)))

    def _write_preview(self, trainer: Trainer) -> None:
        circuit = self.document.circuit
        moved = {node_id: value for node_id, value in trainer.params.items()
                 if node_id in circuit.nodes and circuit.nodes[node_id].value != value}
        with self._ours():
            for node_id, value in moved.items():
                circuit.set_value(node_id, value)
        if self._command is not None:
            self._command.new.update(moved)

    def _push_values(self, before: dict, after: dict, text: str) -> None:
        new = {node_id: value for node_id, value in after.items()
               if node_id in before and value != before[node_id]}
        if new:
            with self._ours():
                self.document.push(SetValuesCommand(
                    self.document, new, text,
                    old_values={node_id: before[node_id] for node_id in new}))
        self._params_timer.stop()
        self.params_changed.emit()

    def _finish(self, reason: str) -> None:
        self._timer.stop()
        if self._publish_timer.isActive():
            self._publish_timer.stop()
            if reason not in (EDITED, REPLACED) and self._trainer is not None:
                self._write_preview(self._trainer)  # the steps taken are in the undo step
                self.params_changed.emit()
                self.trained.emit(self._trainer)
        self._reason = None
        self._running = False
        self.last_reason = reason
        trainer, command, self._command = self._trainer, self._command, None
        steps = trainer.steps - self._run_start if trainer is not None else 0
        if command is not None and reason != REPLACED:  # a new document deleted the command
            self._close_command(command, steps, on_top_allowed=reason != EDITED)
        if reason in (EDITED, REPLACED):
            self._drop_trainer()
        self.running_changed.emit(False)
        self.stopped.emit(reason)
        self._say_stopped(reason, steps)

    def _close_command(self, command: SetValuesCommand, steps: int,
                       on_top_allowed: bool) -> None:
        stack = self.document.undo_stack
        on_top = stack.index() > 0 and stack.command(stack.index() - 1) is command
        command.setText(f"Train {steps} step{'s' if steps != 1 else ''}")
        if not any(command.new[i] != command.old.get(i) for i in command.new):
            command.setObsolete(True)  # nothing moved: undo drops it without a trace
            if on_top and on_top_allowed:
                with self._ours():
                    stack.undo()
                return
        if on_top:
            stack.undoTextChanged.emit(stack.undoText())

    def _drop_trainer(self) -> None:
        if self._trainer is not None:
            self._trainer = None
            self.history_reset.emit()
        self._stale = True

    # ----------------------------------------------------------------- the document
    def _on_change(self, change) -> None:
        if change.kind == "extra_changed":
            if change.field == EXTRA_KEY:
                self._dataset_edited()
            return
        if change.kind in HARMLESS_KINDS or (
                change.kind == "node_changed" and change.field in HARMLESS_FIELDS):
            return
        if self._writing:
            return
        if self._running:
            self._finish(EDITED)
        if change.kind in STRUCTURAL_KINDS or (
                change.kind == "node_changed" and change.field in TRAINER_FIELDS):
            self._drop_trainer()
        self._stale = True
        self._params_timer.start()

    def _on_replaced(self) -> None:
        if self._running:
            self._finish(REPLACED)
        self._drop_trainer()
        self._parsed = []
        self._load_dataset()
        self.dataset_changed.emit(self._dataset)
        self._params_timer.stop()
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

    def _ours(self):
        return _Writing(self)


class _Writing:
    """While active, the session's own edits are not taken for the user's."""

    def __init__(self, session):
        self.session = session

    def __enter__(self):
        self.session._writing = True

    def __exit__(self, *exc):
        self.session._writing = False
