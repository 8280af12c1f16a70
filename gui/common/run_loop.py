"""One run loop for every kind of long work (gradient ascent, training): slices from a timer.

A *job* does its work in *units*: one step, or one part of a step too big for a slice (training
on 100 000 points does a step in parts of a few thousand points). The loop runs the job in
*slices* from a single-shot ``QTimer``, so the window stays responsive:

- **Before each unit** the loop checks the slice's time budget: the time the slice has taken
  plus what the next unit is expected to cost (the slowest of the last ``COST_WINDOW`` units)
  must fit in ``budget_s``, or the slice ends there. The first unit of a slice always runs (a
  job whose units are bigger than the budget must split them). The job may also end a slice
  early (``wants_more``): a speed in steps per second, or a number of steps per frame.
- After a slice that did something, the job **publishes** (writes its values through the undo
  stack, the canvas and plots redraw) in the next turn of the event loop, so the slice's work
  and the redraws never block the window together.
- The next slice is due ``frame_ms`` after the last one began and at least ``min_gap_ms`` after
  the publish ended; when a whole cycle (work, publish, redraws) costs the GUI thread more than
  a frame, it also waits until the thread has been idle for ``idle_share`` of that cost.
- ``stop(reason)`` ends the run (Pause, an edit, a finished job): a publish still pending runs
  first unless ``flush=False`` (when the document is in the middle of someone else's edit).
  The job's ``finished(reason)`` is called once per run.

``any_running()`` says whether some run is going: background work (the autosave's copy) waits
for it to end.

Each run has its own ``run_id`` (``run_command.RunValuesCommand`` merges the publishes of one
run into one undo step with it). The clocks are parameters so the loop's logic can be tested
with a fake clock.

A job is any object with ``wants_more(slice_start) -> bool``, ``advance() -> reason | None``
(one unit; a reason ends the run), ``publish() -> reason | None`` and ``finished(reason)``.
"""

from __future__ import annotations

import itertools
import time
import weakref
from collections import deque

import shiboken6
from PySide6.QtCore import QObject, QTimer

COST_WINDOW = 8  # units the cost estimate looks back over
PUBLISH_DELAY_MS = 1  # between a slice's work and showing it
_run_ids = itertools.count(2000)  # command ids: above the model's own merge ids
_running: weakref.WeakSet = weakref.WeakSet()  # the loops running now, in any window


def any_running() -> bool:
    """True while some run is going. Work on another thread waits for it to end: a thread
    running Python code holds the interpreter lock, and every numpy call of a slice gives the
    lock up and waits its turn (a slice of 10 ms took 330 ms beside an autosave). A loop
    deleted with its window while it ran does not count."""
    return any(shiboken6.isValid(loop) for loop in _running)


class RunLoop(QObject):
    """Runs a job in time-budgeted slices from a timer: start, stop, one slice at a time."""

    def __init__(self, job, *, budget_s: float, frame_ms: int = 16, min_gap_ms: int = 4,
                 idle_share: float = 0.5, publish_delay_ms: int = PUBLISH_DELAY_MS,
                 clock=time.perf_counter, cpu_clock=time.thread_time, name: str = "run",
                 parent=None):
        super().__init__(parent)
        self.job = job
        self.budget_s = budget_s
        self.frame_ms = frame_ms
        self.min_gap_ms = min_gap_ms
        self.idle_share = idle_share
        self.run_id = 0
        self._clock = clock
        self._cpu_clock = cpu_clock
        self._costs: deque[float] = deque(maxlen=COST_WINDOW)
        self._running = False
        self._reason: str | None = None
        self._cycle = (0.0, 0.0)  # (when the slice began, the loop's CPU time in the cycle)
        self._cycle_cpu = 0.0
        self._timer = QTimer(self)
        self._timer.setObjectName(f"{name}_frame_timer")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._slice)
        self._publish_timer = QTimer(self)
        self._publish_timer.setObjectName(f"{name}_publish_timer")
        self._publish_timer.setSingleShot(True)
        self._publish_timer.setInterval(publish_delay_ms)
        self._publish_timer.timeout.connect(self._publish)

    @property
    def running(self) -> bool:
        """True from ``start`` to ``stop``."""
        return self._running

    @property
    def publish_pending(self) -> bool:
        """True between a slice that did some work and the job's publish of it."""
        return self._publish_timer.isActive()

    def estimate(self) -> float:
        """What the next unit is expected to cost, in seconds (0 before the first)."""
        return max(self._costs, default=0.0)

    def start(self) -> None:
        """Begin a run (a new ``run_id``); the first slice runs in the next turn."""
        if self._running:
            return
        self.run_id = next(_run_ids)
        self._running = True
        _running.add(self)
        self._reason = None
        self._cycle_cpu = self._cpu_clock()
        self._timer.start(0)

    def stop(self, reason: str, flush: bool = True) -> None:
        """End the run: publish what is pending (unless ``flush`` is False), then tell the job."""
        if not self._running:
            return
        self._timer.stop()
        pending = self.publish_pending
        self._publish_timer.stop()
        self._running = False
        _running.discard(self)
        self._reason = None
        if pending and flush:
            self.job.publish()
        self.job.finished(reason)

    def run_slice(self) -> tuple[int, str | None]:
        """Do units while the job wants more and the next one fits the budget; returns how
        many were done and the reason to stop (None to go on)."""
        start = self._clock()
        units, reason = 0, None
        while self.job.wants_more(start):
            if units and self._clock() - start + self.estimate() > self.budget_s:
                break
            began = self._clock()
            reason = self.job.advance()
            self._costs.append(self._clock() - began)
            units += 1
            if reason is not None:
                break
        return units, reason

    def _slice(self) -> None:
        start = self._clock()
        self._cycle = (start, self._cpu_clock() - self._cycle_cpu)
        self._cycle_cpu = self._cpu_clock()  # the loop's work since the last slice began
        units, reason = self.run_slice()
        if not self._running:  # the job stopped the run itself
            return
        self._reason = reason
        if units:
            self._publish_timer.start()
        elif reason is not None:
            self.stop(reason)
        else:
            self._next_slice()

    def _publish(self) -> None:
        reason = self.job.publish() or self._reason
        self._reason = None
        if reason is not None:
            self.stop(reason, flush=False)
        elif self._running:
            self._next_slice()

    def _next_slice(self) -> None:
        start, cycle_cpu = self._cycle
        spent = 1000 * (self._clock() - start)
        busy = 1000 * cycle_cpu * (1 + self.idle_share)
        self._timer.start(round(max(self.min_gap_ms, self.frame_ms - spent, busy - spent)))
