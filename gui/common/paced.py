"""Work done after the current events, but at most once per interval: coalesced, never dropped.

``after_events`` answers many requests in one turn once. A run (training) makes a request every
frame, 30 to 60 times a second, and some work need not follow that fast: the document's pass
and the canvas numbers it redraws read well at ten times a second. ``PacedCall`` answers a
request after the current events if the work last ran at least ``min_interval_s`` ago, and
otherwise when that interval is over; requests in between are answered by that one call. The
last request is always answered, so the final state is always shown. With ``min_interval_s``
0 (the default) it behaves as ``after_events``. Setting the interval again re-times a pending
call (0 answers it after the current events: a run ended, show its end now).

The clock is a parameter so the pacing can be tested with a fake clock.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QObject, QTimer


class PacedCall(QObject):
    """Calls ``slot`` once after the current events, at most once per ``min_interval_s``."""

    def __init__(self, parent, slot, name: str = "", clock=time.monotonic):
        super().__init__(parent)
        self._clock = clock
        self._min_interval_s = 0.0
        self._last = -math.inf  # when the work last ran
        self._timer = QTimer(self)
        if name:
            self._timer.setObjectName(name)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fired)
        self._timer.timeout.connect(slot)  # as after_events connects it

    @property
    def min_interval_s(self) -> float:
        """The shortest time between two calls (0: after the current events, every time)."""
        return self._min_interval_s

    def set_min_interval(self, seconds: float) -> None:
        """Pace the calls ``seconds`` apart; a pending call is re-timed to the new pace."""
        self._min_interval_s = max(0.0, float(seconds))
        if self._timer.isActive():
            self._timer.stop()
            self.start()

    def start(self) -> None:
        """Ask for the work; asking again before it ran changes nothing."""
        if not self._timer.isActive():
            self._timer.start(self.delay_ms())

    def delay_ms(self) -> int:
        """How long a request made now waits: 0, or until the interval since the last call
        is over."""
        wait_s = self._last + self._min_interval_s - self._clock()
        return math.ceil(wait_s * 1000) if wait_s > 0 else 0

    def ran(self) -> None:
        """The work was just done (by this call or directly): nothing is pending, and the next
        request waits the interval from now."""
        self._timer.stop()
        self._last = self._clock()

    def isActive(self) -> bool:  # noqa: N802 (the QTimer's name: callers treat it as one)
        """True while a request waits to be answered."""
        return self._timer.isActive()

    def _fired(self) -> None:
        self._last = self._clock()
