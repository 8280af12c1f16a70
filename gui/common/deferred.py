"""Work deferred to the end of the current turn of the event loop.

Many requests in one turn (a burst of edits, a resize, a data set changed point by point) are
answered once, after them: ``after_events`` makes the single-shot zero-delay QTimer that does
it; ``start()`` asks for the work, and asking again before it ran changes nothing.
"""

from PySide6.QtCore import QTimer


def after_events(parent, slot, name: str = "") -> QTimer:
    """A timer, owned by ``parent``, that calls ``slot`` once after the current events."""
    timer = QTimer(parent)
    if name:
        timer.setObjectName(name)
    timer.setSingleShot(True)
    timer.setInterval(0)
    timer.timeout.connect(slot)
    return timer
