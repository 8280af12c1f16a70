"""Python's cyclic garbage collector kept off the worker threads that check code gates.

A collection runs in whichever thread allocates when one is due, and it destroys all the
cyclic garbage there is, Qt objects the GUI thread let go of included (the items of a rebuilt
scene, the parts of a closed dialog). A Qt object must be destroyed in its own thread: one torn
down in a worker leaves its timers behind, and the event loop crashes on them later. So the GUI
thread pauses automatic collections (``pause_collector``) before it starts such a worker, and
the worker, when its job is done, asks for them back (``resume_collector``); they resume on the
GUI thread once no worker needs them paused. The pause lasts as long as the job: a check of a
code gate, at most a few seconds (the code host's time limit per call).
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Signal, Slot

_lock = threading.Lock()
_workers = 0  # jobs that started with the collector paused and have not finished
_paused = False  # whether this module turned automatic collections off


class _Resumer(QObject):
    """Lives in the GUI thread: ``done`` emitted by a worker arrives there, queued."""

    done = Signal()

    @Slot()
    def resume_if_idle(self) -> None:
        global _paused
        with _lock:
            if _workers == 0 and _paused:
                _paused = False
                gc.enable()


_resumer: _Resumer | None = None


def pause_collector() -> None:
    """On the GUI thread, before starting a worker: no automatic collection until it is done
    (it calls ``resume_collector``)."""
    global _resumer, _workers, _paused
    if _resumer is None:
        _resumer = _Resumer()
        _resumer.done.connect(_resumer.resume_if_idle)
    with _lock:
        _workers += 1
        if gc.isenabled():
            gc.disable()
            _paused = True


def resume_collector() -> None:
    """In the worker, as its last step: its job no longer needs the collector paused."""
    global _workers
    with _lock:
        _workers -= 1
    _resumer.done.emit()


def collector_paused() -> bool:
    """Whether automatic collections are paused for a worker now."""
    return _paused
