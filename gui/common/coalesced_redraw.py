"""A panel's redraw, coalesced: at most one every ``min_interval_ms`` while requests stream in
(a running ascent publishes a result per step), and none while the panel is hidden; a panel
hidden when asked redraws once when it shows again. In a dock behind another dock's tab the
panel still counts as visible for Qt, so the dock's ``visibilityChanged`` is followed too (from
its first report on: until then the panel draws).

``CoalescedRedraw(panel, redraw)``: ``request()`` asks for a redraw, ``now()`` redraws at once
(deferred too while hidden); ``pending`` says whether one is owed.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget


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
        self._dock: QDockWidget | None = None
        self._dock_shown = True  # what its dock said last (a dock says nothing at first)
        panel.installEventFilter(self)

    def _can_draw(self) -> bool:
        if self.panel.parent() is None:
            return True
        self._follow_dock()
        return self.panel.isVisible() and self._dock_shown

    def _follow_dock(self) -> None:
        if self._dock is not None:
            return
        widget = self.panel.parent()
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parent()
        if widget is not None:
            self._dock = widget
            widget.visibilityChanged.connect(self._dock_visibility)

    def _dock_visibility(self, shown: bool) -> None:
        self._dock_shown = shown
        if shown and self.pending:
            self.request()

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
