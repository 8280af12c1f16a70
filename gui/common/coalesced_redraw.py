"""A panel's redraw, coalesced: at most one every ``min_interval_ms`` while requests stream in
(a running ascent publishes a result per step), and none while the panel is hidden; a panel
hidden when asked redraws once when it shows again.

``CoalescedRedraw(panel, redraw)``: ``request()`` asks for a redraw, ``now()`` redraws at once
(deferred too while hidden); ``pending`` says whether one is owed.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer


class CoalescedRedraw(QObject):
    """Calls ``redraw`` for ``panel`` as the module docstring says."""

    def __init__(self, panel, redraw, min_interval_ms: int = 250):
        super().__init__(panel)
        self.panel = panel
        self.redraw = redraw
        self.min_interval_ms = min_interval_ms
        self.pending = True
        self._since = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.now)
        panel.installEventFilter(self)

    def _can_draw(self) -> bool:
        return self.panel.isVisible() or self.panel.parent() is None

    def now(self) -> None:
        """Redraw now (or, while the panel is hidden, when it shows)."""
        self._timer.stop()
        self.pending = True
        if not self._can_draw():
            return
        self.pending = False
        self._since.start()
        self.redraw()

    def request(self) -> None:
        """Ask for a redraw: soon, but not sooner than ``min_interval_ms`` after the last."""
        self.pending = True
        if self._timer.isActive() or not self._can_draw():
            return
        elapsed = self._since.elapsed() if self._since.isValid() else None
        self._timer.start(0 if elapsed is None else max(0, self.min_interval_ms - elapsed))

    @property
    def scheduled(self) -> bool:
        """True while a requested redraw waits for its turn."""
        return self._timer.isActive()

    def eventFilter(self, watched, event):
        if watched is self.panel and event.type() == QEvent.Show and self.pending:
            self.request()
        return super().eventFilter(watched, event)
