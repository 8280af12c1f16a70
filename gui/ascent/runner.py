"""Gradient ascent driven from a timer: the engine's ``Ascent`` stepper, live on the document.

A *session* is one ``engine.Ascent`` (one curve on the plot). Step and Run continue the current
session while it still matches the circuit and the settings; a new one starts after the circuit
was edited, or when the method or the direction changed, or after Reset.

- **Step** takes one step and pushes one ``SetValuesCommand`` ("Gradient ascent step"): one
  undo step per click (clicks are not merged, so Undo walks back one step at a time).
- **Run** works on the shared ``RunLoop`` (``gui.common.run_loop``): each slice takes the
  steps that the speed (``steps_per_second``; 0: as fast as possible) owes since the run
  started, but only while the next step fits in ``BUDGET_S`` (checked before each step, from
  what the last ones cost). In the next turn of the event loop the inputs' new values are
  written into the circuit through the undo stack, the document's forward/backward pass runs
  once and ``advanced`` is signalled once: the canvas and the plot redraw once per frame. A
  slow frame is followed by a slice with more steps, so the speed holds whatever the frame
  rate; a run that cannot keep up forgets the steps it owes instead of bursting to catch up.
  The loop spaces the frames so clicks, keys and other timers are served between them.
- The run's undo step: each frame pushes a ``RunValuesCommand`` with the run's id, which Qt's
  undo stack merges into the one below, so the run is one step, "Gradient ascent (120 steps)",
  whose old values are the inputs before the run (a gate moved during the run splits it: the
  step after the move holds the steps since the last publish). A run stopped before its first
  step, or whose inputs end where they began, leaves no undo step.
- The status line calls it "Gradient descent" when it minimises (the undo steps keep one
  name).
- A run stops on Pause; after ``max_steps`` steps (0: never); when a session reaches
  ``MAX_SESSION_STEPS`` (the next Run starts a new one: the stepper keeps every step); when
  the output improves by less than ``tolerance`` in a step (the guide's
  ``new - previous < tol`` rule, for the gradient methods: random search keeps
  trying) or gets worse (the step size is too large); when the output or a move is not finite
  (nan/inf: a status message names it); and when the user edits the circuit (anything but
  moving, labelling or retitling). An ``Ascent`` that finds the structure changed raises
  ``CircuitError``: that stops the run too.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine import CircuitError, Ascent
from gui.common.run_command import RunValuesCommand
from gui.common.run_loop import RunLoop
from gui.model.commands import SetValuesCommand
from gui.model.value_text import same_value
from engine import format_number, format_readout

FRAME_MS = 16
BUDGET_S = 0.008
DEFAULT_SPEED = 60  # steps per second
MIN_GAP_MS = 4  # between the end of a frame and the start of the next
IDLE_SHARE = 0.5  # when redrawing is slow, the loop idles this share of its work per frame
TOL = 1e-12  # the default tolerance: stop when the output no longer improves at all
DEFAULT_MAX_STEPS = 1000
MAX_SESSION_STEPS = 100_000  # the Ascent keeps every step of every input: bound its memory
# edits that leave the numbers alone: a run goes on through them
HARMLESS_KINDS = {"title_changed", "extra_changed"}
HARMLESS_FIELDS = {"pos", "label"}

PAUSED, STEPS, CONVERGED, WENT_DOWN, NOT_FINITE, EDITED, REPLACED, RESET, FULL = (
    "paused", "steps", "converged", "went down", "not finite", "edited", "replaced", "reset",
    "full")


class AscentRunner(QObject):
    """Steps gradient ascent on a Document's circuit: one Step, or Run in timer slices."""

    running_changed = Signal(bool)
    session_started = Signal(object)  # the new engine.Ascent
    advanced = Signal(object)  # the Ascent, after a Step or a frame of steps
    stopped = Signal(str)  # why the run stopped: PAUSED, STEPS, CONVERGED, ...
    invalidated = Signal()  # the user edited the circuit: the last moves no longer apply
    status_message = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.method = "analytic"
        self.step_size = 0.01
        self.minimize = False
        self.steps_per_second = DEFAULT_SPEED  # 0: as many as fit in each slice's budget
        self.max_steps = DEFAULT_MAX_STEPS  # per run; 0: no limit
        self.tolerance = TOL  # a step gaining less than this ends the run (the guide: 5e-6)
        self.ascent: Ascent | None = None
        self.last_reason = ""
        self._seed = 0
        self._run_start = 0
        self._published_steps = 0  # the session's steps held by the undo stack's last step
        self._clock = (0.0, 0)  # (time, steps taken) the speed is counted from
        self._writing = False
        self._slice = (None, 0.0, 0)  # (when the slice began, steps owed, steps taken)
        self._loop = RunLoop(self, budget_s=BUDGET_S, frame_ms=FRAME_MS, min_gap_ms=MIN_GAP_MS,
                             idle_share=IDLE_SHARE, name="ascent", parent=self)
        document.changed.connect(self._on_change)
        document.circuit_replaced.connect(self._on_replaced)

    # ----------------------------------------------------------------- state
    @property
    def running(self) -> bool:
        """True while a run is going."""
        return self._loop.running

    @property
    def run_steps(self) -> int:
        """Steps taken by the run going on (or the last one): what "Stop after" counts."""
        return self.ascent.steps - self._run_start if self.ascent is not None else 0

    @property
    def title(self) -> str:
        """What the status line calls the work: "Gradient descent" when minimising."""
        return "Gradient descent" if self.minimize else "Gradient ascent"

    def set_step_size(self, step_size: float) -> None:
        """Use ``step_size`` from the next step on (a run in progress takes it at once)."""
        self.step_size = float(step_size)
        if self.ascent is not None:
            self.ascent.step_size = self.step_size

    def set_method(self, method: str) -> None:
        """Use "analytic", "numerical" or "random" (a new session, a new curve)."""
        if method != self.method:
            self.method = method
            self._end_session_unless_running()

    def set_minimize(self, minimize: bool) -> None:
        """Go down the gradient instead of up (a new session, a new curve)."""
        if bool(minimize) != self.minimize:
            self.minimize = bool(minimize)
            self._end_session_unless_running()

    def _end_session_unless_running(self) -> None:
        if self.running:
            self.pause()
        self.ascent = None

    # ----------------------------------------------------------------- commands
    def step(self) -> bool:
        """Take one step, as one undo step; False (and a status message) if none was taken."""
        if self.running:
            self.pause()
        ascent = self._session()
        if ascent is None:
            return False
        before = self._circuit_values(ascent)
        reason = self._one_step(ascent)
        new = _changed(ascent.values, before)
        if new:
            with self._ours():
                self.document.push(SetValuesCommand(
                    self.document, new, "Gradient ascent step",
                    old_values={i: before[i] for i in new}))
        self.advanced.emit(ascent)
        if reason in (NOT_FINITE, EDITED):
            self._say(reason, ascent)
            self.ascent = None
            return False
        self.status_message.emit(self._progress(ascent))
        return True

    def run(self) -> bool:
        """Start running (continuing the current session); False if it cannot start."""
        if self.running:
            return True
        ascent = self._session()
        if ascent is None:
            return False
        self._run_start = self._published_steps = ascent.steps
        self._clock = (time.perf_counter(), ascent.steps)
        self.last_reason = ""
        self._loop.start()
        self.running_changed.emit(True)
        self.status_message.emit(f"{self.title} running…")
        return True

    def pause(self) -> None:
        """Stop the run (its steps stay, as one undo step)."""
        if self.running:
            self._finish(PAUSED)

    def reset(self) -> None:
        """Stop any run and forget the session: the next Step or Run starts a new curve."""
        if self.running:
            self._finish(RESET)
        self.ascent = None

    # ----------------------------------------------------------------- sessions
    def _session(self) -> Ascent | None:
        ascent = self.ascent
        if ascent is not None and self._matches(ascent) and ascent.steps < MAX_SESSION_STEPS:
            ascent.step_size = self.step_size
            return ascent
        self.ascent = None
        try:
            ascent = Ascent(self.document.circuit, step_size=self.step_size,
                            minimize=self.minimize, method=self.method, seed=self._seed)
        except (CircuitError, ValueError) as error:
            self.status_message.emit(f"Gradient ascent cannot start: {error}")
            return None
        self._seed += 1
        if not ascent.movable:
            self.status_message.emit("Gradient ascent has nothing to move: every input is a "
                                     "const, frozen or bound to data")
            return None
        if not math.isfinite(ascent.value):
            self.status_message.emit(f"Gradient ascent cannot start: the output "
                                     f"{ascent.output} is {format_number(ascent.value)}")
            return None
        self.ascent = ascent
        self.session_started.emit(ascent)
        return ascent

    def _matches(self, ascent: Ascent) -> bool:
        circuit = self.document.circuit
        if ascent.circuit is not circuit or ascent.method != self.method \
                or ascent.minimize != self.minimize:
            return False
        values = ascent.values
        return all(node_id in circuit.nodes and same_value(circuit.nodes[node_id].value, value)
                   for node_id, value in values.items())

    def _circuit_values(self, ascent: Ascent) -> dict:
        nodes = self.document.circuit.nodes
        return {node_id: nodes[node_id].value for node_id in ascent.movable}

    # ----------------------------------------------------------------- stepping
    def _one_step(self, ascent: Ascent) -> str | None:
        """One step; the reason to stop, or None to go on."""
        previous = ascent.value
        try:
            with np.errstate(all="ignore"):
                new = ascent.step()
        except CircuitError:
            return EDITED
        if not math.isfinite(new):
            return NOT_FINITE
        if ascent.stuck and not ascent.last_step_moved:
            return NOT_FINITE
        if ascent.method == "random":
            return None  # every kept try improves; a tiny gain is no sign the next won't
        improvement = previous - new if ascent.minimize else new - previous
        if improvement < 0:
            return WENT_DOWN
        if improvement < self.tolerance:
            return CONVERGED
        return None

    # ----------------------------------------------------------------- the run loop's job
    def wants_more(self, slice_start: float) -> bool:
        """The run loop may take another step: the speed owes one, and no limit was reached."""
        if slice_start != self._slice[0]:
            self._slice = (slice_start, self._steps_owed(slice_start, self.ascent), 0)
        _start, owed, taken = self._slice
        return taken < owed

    def advance(self) -> str | None:
        """One step; the reason to stop the run, or None to go on."""
        ascent = self.ascent
        if ascent is None:
            return self._stop_edited()
        start, owed, taken = self._slice
        self._slice = (start, owed, taken + 1)
        reason = self._one_step(ascent)
        if reason == EDITED:
            return self._stop_edited()
        if reason is None and self.max_steps and \
                ascent.steps - self._run_start >= self.max_steps:
            reason = STEPS
        if reason is None and ascent.steps >= MAX_SESSION_STEPS:
            reason = FULL
        return reason

    def _stop_edited(self) -> str:
        self._loop.stop(EDITED, flush=False)
        return EDITED

    def publish(self) -> None:
        """Show where the steps got: the inputs through the undo stack, one pass, the plot."""
        ascent = self.ascent
        if ascent is None:
            return
        start, owed, taken = self._slice
        if taken < owed and self.steps_per_second > 0:
            self._clock = (start, ascent.steps - taken)  # behind: go on without a debt
        self._write(ascent)
        self.document.flush()  # the new values and gradients redraw in one pass
        self.advanced.emit(ascent)

    def _write(self, ascent: Ascent) -> None:
        before = self._circuit_values(ascent)
        stack = self.document.undo_stack
        with self._ours():
            self.document.push(RunValuesCommand(
                self.document, _changed(ascent.values, before), before,
                _run_text, self._loop.run_id, steps=(self._published_steps, ascent.steps)))
        top = stack.command(stack.index() - 1)
        if top is not None and top.id() == self._loop.run_id:  # kept (not dropped as empty)
            self._published_steps = ascent.steps

    def _steps_owed(self, now: float, ascent: Ascent) -> float:
        """How many steps the speed asks for by ``now`` that were not taken yet."""
        if self.steps_per_second <= 0:
            return math.inf
        since, steps = self._clock
        return math.floor((now - since) * self.steps_per_second) - (ascent.steps - steps)

    def set_speed(self, steps_per_second: int) -> None:
        """Run at this many steps per second (0: as fast as the slices allow)."""
        self.steps_per_second = max(0, int(steps_per_second))
        if self.ascent is not None:
            self._clock = (time.perf_counter(), self.ascent.steps)

    def finished(self, reason: str) -> None:
        """The run ended (the loop published what was pending unless the circuit changed)."""
        self.last_reason = reason
        ascent = self.ascent
        steps = self.run_steps
        if reason in (NOT_FINITE, EDITED, REPLACED, RESET):
            self.ascent = None
        self.running_changed.emit(False)
        self._say(reason, ascent, steps)
        self.stopped.emit(reason)

    def _finish(self, reason: str) -> None:
        self._loop.stop(reason, flush=reason not in (EDITED, REPLACED))

    # ----------------------------------------------------------------- the document
    def _on_change(self, change) -> None:
        if self._writing or change.kind in HARMLESS_KINDS or (
                change.kind == "node_changed" and change.field in HARMLESS_FIELDS):
            return
        if self.running:
            self._finish(EDITED)
        self.ascent = None
        self.invalidated.emit()

    def _on_replaced(self) -> None:
        if self.running:
            self._finish(REPLACED)
        self.ascent = None

    # ----------------------------------------------------------------- messages
    def _progress(self, ascent: Ascent) -> str:
        return f"{self.title}: step {ascent.steps}, {ascent.output} = " \
               f"{format_readout(ascent.value)}"

    def _say(self, reason: str, ascent: Ascent | None, steps: int | None = None) -> None:
        if ascent is None:
            self.status_message.emit("Gradient ascent stopped")
            return
        done = "" if steps is None else f" after {steps} step{'s' if steps != 1 else ''}"
        shown = format_readout(ascent.value)  # 99.9994, not 100.00
        value = f"{ascent.output} = {shown}"
        if reason == NOT_FINITE:
            if not math.isfinite(ascent.value):
                text = f"stopped{done}: the output {ascent.output} is " \
                       f"{format_number(ascent.value)}"
            else:
                names = ", ".join(ascent.stuck) or "an input"
                text = f"stopped{done}: the gradient for {names} is not finite (nan or inf)"
        else:
            text = {
                PAUSED: f"paused{done}, {value}",
                STEPS: f"done{done}, {value}",
                CONVERGED: f"converged{done}: {ascent.output} stopped improving at {shown}",
                WENT_DOWN: f"stopped{done}: {ascent.output} got "
                           f"{'bigger' if ascent.minimize else 'smaller'} "
                           f"(is the step size too large?), {value}",
                EDITED: f"stopped{done}: the circuit was edited",
                REPLACED: "stopped: another circuit was opened",
                RESET: f"stopped{done}",
                FULL: f"stopped{done}: a curve holds {MAX_SESSION_STEPS} steps (Run goes on "
                      f"with a new one), {value}",
            }[reason]
        self.status_message.emit(f"{self.title} {text}")

    def _ours(self):
        return _Writing(self)


class _Writing:
    """While active, the runner's own edits are not taken for the user's."""

    def __init__(self, runner):
        self.runner = runner

    def __enter__(self):
        self.runner._writing = True

    def __exit__(self, *exc):
        self.runner._writing = False


def _changed(values: dict, before: dict) -> dict:
    """The values (of the inputs in ``before``) that are not what they were."""
    return {i: v for i, v in values.items() if i in before and not same_value(v, before[i])}


def _run_text(steps: int) -> str:
    """The undo step's text for a run of ``steps`` steps."""
    return f"Gradient ascent ({steps} step{'s' if steps != 1 else ''})"
