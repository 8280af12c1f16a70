"""Crash recovery: an unsaved document is copied to a recovery file every 30 seconds.

The copy never goes over the user's file. Each running window is a *session* with its own
recovery file in the app's data folder (``~/.local/share/circuitgrad/recovery`` on Linux):
``<session>.circuit`` holds the circuit, ``<session>.json`` a small record of where the
document came from (its original path, title and the time of the copy), and ``<session>.lock``
(a QLockFile) says the session is alive. A clean save or a normal close deletes all three. So
whatever is left in the folder with no live lock is a session that crashed: the next start
offers to restore it, as a dirty document that remembers its original path (a copy whose record
was lost is offered too; a record whose copy was lost is deleted).

The timer's copy is written on a worker thread, from a snapshot of the circuit taken at the
tick (``Circuit.copy``: the data set is shared, since an edit replaces it and never changes it
in place): writing a circuit with a data set of 100 000 points takes a third of a second, which
would stall the window (and a training run) every 30 seconds. One copy is written at a time;
``discard`` and ``stop`` wait for it, so a copy never lands after its deletion. While a run
(training, ascent) goes on, the copy waits for the next tick (``run_loop.any_running``).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QStandardPaths, QTimer

import engine
from engine import CircuitError
from gui.common.run_loop import any_running

INTERVAL_MS = 30_000
OWED_RETRY_MS = 1000  # how soon after a run ends the copy it postponed is taken


def default_folder() -> Path:
    """The recovery folder in the app's data folder: ``<data>/circuitgrad/recovery``.

    Qt's AppDataLocation is ``<data>/<organisation>/<application>``, which names circuitgrad
    twice (both are "circuitgrad"); the generic data folder plus the app's name names it once.
    """
    base = QStandardPaths.writableLocation(QStandardPaths.GenericDataLocation)
    app = QCoreApplication.applicationName() or "circuitgrad"
    return (Path(base) / app if base else Path.home() / ".circuitgrad") / "recovery"


@dataclass
class Recovery:
    """A recovery file left by a session that did not close normally."""

    circuit_path: Path
    record_path: Path
    original_path: Path | None
    title: str
    saved_at: float

    def load(self) -> engine.Circuit:
        """The recovered circuit (CircuitError if the copy is unusable)."""
        return engine.load(self.circuit_path)

    def discard(self) -> None:
        """Delete the recovery file and its record."""
        for path in (self.circuit_path, self.record_path,
                     self.record_path.with_suffix(".lock")):
            try:
                path.unlink()
            except OSError:
                pass

    def describe(self) -> str:
        """One line for the restore prompt: what it was and when it was copied."""
        name = self.original_path.name if self.original_path else self.title or "untitled"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        return f"{name} (autosaved {when})"


class Autosave(QObject):
    """Copies the document to this session's recovery file every ``interval_ms`` if dirty."""

    def __init__(self, document, folder=None, interval_ms: int = INTERVAL_MS, parent=None):
        super().__init__(parent)
        self.document = document
        self.folder = Path(folder) if folder is not None else default_folder()
        self.session = uuid.uuid4().hex
        self._lock: QLockFile | None = None
        self.timer = QTimer(self)
        self.timer.setObjectName("autosave_timer")
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.copy_in_background)
        # a tick that a run made pass is owed: asked again every second until the run ends
        self.owed = QTimer(self)
        self.owed.setSingleShot(True)
        self.owed.setInterval(OWED_RETRY_MS)
        self.owed.timeout.connect(self.copy_in_background)
        self._writer: threading.Thread | None = None
        self._written = False

    @property
    def recovery_path(self) -> Path:
        """Where this session's copy of the document goes."""
        return self.folder / f"{self.session}.circuit"

    @property
    def record_path(self) -> Path:
        """The JSON side-record naming the document's original file."""
        return self.folder / f"{self.session}.json"

    def start(self) -> None:
        """Start the periodic copies."""
        self.timer.start()

    def save_now(self) -> bool:
        """Copy the document if it has unsaved edits, and wait for it; True if written."""
        self.wait()
        return self.copy_in_background() and self.wait()

    def copy_in_background(self) -> bool:
        """The timer's slot: start writing a copy of the document if it has unsaved edits;
        True if a copy was started. A copy still being written, or a run going on, makes this
        tick pass (the copy is taken within a second of the run's end)."""
        if self.writing or any_running():
            if any_running():
                self.owed.start()
            return False
        if not self.document.is_dirty:
            self.discard()
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._hold_lock()
        except OSError:
            return False  # recovery is best effort; the next tick tries again
        record = {"original_path": os.fspath(self.document.path) if self.document.path
                  else None,
                  "title": self.document.file_circuit.title,
                  "saved_at": time.time()}
        self._written = False
        self._writer = threading.Thread(target=self._write, name="autosave", daemon=True,
                                        args=(self.document.file_circuit.copy(), record))
        self._writer.start()
        return True

    @property
    def writing(self) -> bool:
        """True while a copy is being written on the worker thread."""
        return self._writer is not None and self._writer.is_alive()

    def wait(self) -> bool:
        """Wait for the copy being written (if any); True if the last copy was written."""
        if self._writer is not None:
            self._writer.join()
        return self._written

    def _write(self, circuit: engine.Circuit, record: dict) -> None:
        """The worker thread's job: the copy, then its record (nothing of Qt)."""
        try:
            engine.save(circuit, self.recovery_path)
            self.record_path.write_text(json.dumps(record), encoding="utf-8")
        except (OSError, CircuitError):
            return  # recovery is best effort; the next tick tries again
        self._written = True

    def discard(self) -> None:
        """Delete this session's recovery file (after a clean save, on close)."""
        self.wait()
        for path in (self.recovery_path, self.record_path):
            try:
                path.unlink()
            except OSError:
                pass

    def stop(self) -> None:
        """Stop copying, delete the recovery file and release the session's lock."""
        self.timer.stop()
        self.owed.stop()
        self.discard()
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _hold_lock(self) -> None:
        if self._lock is None:
            lock = QLockFile(os.fspath(self.folder / f"{self.session}.lock"))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):
                self._lock = lock

    def orphans(self) -> list[Recovery]:
        """Recovery files of sessions that ended without closing (newest first)."""
        return find_orphans(self.folder, exclude=self.session)


def find_orphans(folder, exclude: str | None = None) -> list[Recovery]:
    """Recovery files in ``folder`` whose session is no longer running (newest first).

    Every copy is offered, with or without its record: a copy whose record is missing or
    unreadable (a crash between writing the two) is offered as an untitled document copied at
    the file's time. A record or a lock without a copy is of no use to anyone and is deleted,
    so that nothing stays in the folder for ever."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    sessions = {path.stem for pattern in ("*.circuit", "*.json", "*.lock")
                for path in folder.glob(pattern) if not path.name.startswith(".")}
    for session in sorted(sessions - {exclude}):
        circuit_path, record_path = folder / f"{session}.circuit", folder / f"{session}.json"
        if _is_alive(record_path):
            continue
        if not circuit_path.is_file():
            Recovery(circuit_path, record_path, None, "", 0.0).discard()
            continue
        record = _read_record(record_path)
        original = record.get("original_path")
        found.append(Recovery(circuit_path, record_path,
                              Path(original) if isinstance(original, str) and original else None,
                              str(record.get("title") or ""),
                              _copied_at(record.get("saved_at"), circuit_path)))
    found.sort(key=lambda r: r.saved_at, reverse=True)
    return found


def _copied_at(saved_at, circuit_path: Path) -> float:
    """When the copy was made: the record's time if it is one, else the file's."""
    try:
        time.localtime(float(saved_at))
        return float(saved_at)
    except (TypeError, ValueError, OverflowError, OSError):
        try:
            return circuit_path.stat().st_mtime
        except OSError:
            return 0.0


def _read_record(record_path: Path) -> dict:
    """The session record, or {} if it is missing or unreadable (truncated by a crash...)."""
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _is_alive(record_path: Path) -> bool:
    """True when the session that wrote ``record_path`` still holds its lock."""
    lock = QLockFile(os.fspath(record_path.with_suffix(".lock")))
    lock.setStaleLockTime(0)  # only a dead process makes a lock stale, never its age
    if lock.tryLock(0):
        lock.unlock()
        return False
    return lock.error() == QLockFile.LockFailedError
