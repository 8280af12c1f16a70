"""The open document: one engine Circuit, its undo stack, its file, and its latest results.

This is the bridge between the engine and Qt. Views never edit the circuit directly: gestures
push undo commands (``gui.model.commands``) onto ``undo_stack``; the commands call Circuit
methods; the circuit notifies this document, which re-emits the change as the ``changed`` signal
and schedules one forward/backward pass. Passes are coalesced: however many changes arrive in
one turn of the event loop, the engine runs once and ``results_changed`` fires once. While a
run (training) writes values every frame, ``pace_passes`` spaces the passes out (the canvas
numbers redraw about ten times a second); the last change is always followed by a pass.

Taking a circuit (on creation, New, Open, restore) is the load: nodes the file left without a
position get the ones ``engine.auto_layout`` chooses before the document takes the circuit,
so the layout is part of what was opened (nothing to undo, nothing unsaved) and every later
write goes through the undo stack.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

import engine
from engine import Change, Circuit, CircuitError
from gui.common.paced import PacedCall


def _laid_out(circuit: Circuit) -> Circuit:
    """``circuit`` with a position for every node (auto_layout's for those without one)."""
    if any(node.pos is None for node in circuit.nodes.values()):
        for node_id, pos in engine.auto_layout(circuit).items():
            circuit.move(node_id, pos)
    return circuit


class Document(QObject):
    """The circuit being edited, with undo, a file path and live results."""

    changed = Signal(object)          # an engine.Change, after every edit
    circuit_replaced = Signal()       # a different Circuit object is now the document
    results_changed = Signal(object)  # an engine.Result (values and grads), or None
    path_changed = Signal(object)     # the new Path, or None for an unsaved document

    def __init__(self, circuit: Circuit | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("undo_stack")
        self.circuit = Circuit() if circuit is None else _laid_out(circuit)
        self.circuit.subscribe(self._on_change)
        self.path: Path | None = None
        self.result: engine.Result | None = None
        self.nan_origin: engine.NanOrigin | None = None  # where result's first nan was born
        self._pending = PacedCall(self, self.recompute, "document_pass_timer")
        self.recompute()

    # ----------------------------------------------------------------- document lifecycle
    def replace_circuit(self, circuit: Circuit, path: Path | str | None = None) -> None:
        """Make ``circuit`` the document (New, Open): clears undo history, marks it clean."""
        self.circuit.unsubscribe(self._on_change)
        self.circuit = _laid_out(circuit)
        self.circuit.subscribe(self._on_change)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.set_path(path)
        self.circuit_replaced.emit()
        self.recompute()

    def set_path(self, path: Path | str | None) -> None:
        """Remember where the document lives on disk (None: not saved yet)."""
        self.path = None if path is None else Path(path)
        self.path_changed.emit(self.path)

    def save(self, path: Path | str) -> None:
        """Save atomically to ``path`` and mark the document clean; CircuitError on failure."""
        engine.save(self.circuit, path)
        self.undo_stack.setClean()
        self.set_path(path)

    @property
    def is_dirty(self) -> bool:
        """True when there are edits not saved to a file."""
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name, or the circuit's title for a document never saved."""
        return self.path.name if self.path else (self.circuit.title or "untitled")

    # ----------------------------------------------------------------- editing
    def push(self, command) -> None:
        """Do an edit through the undo stack."""
        self.undo_stack.push(command)

    # ----------------------------------------------------------------- results
    def _on_change(self, change: Change) -> None:
        self.changed.emit(change)
        self._pending.start()

    def recompute(self) -> None:
        """Run the forward and backward pass now and publish the result, with where its first
        non-finite number was born (``nan_origin``, None when every number is finite)."""
        self._pending.ran()
        try:
            self.result = engine.run(self.circuit, allow_incomplete=True)
        except CircuitError:
            self.result = None
        self.nan_origin = engine.nan_origin(self.circuit, self.result)
        self.results_changed.emit(self.result)

    def pace_passes(self, min_interval_s: float) -> None:
        """Run the passes at least ``min_interval_s`` apart (0: after every turn with a change,
        as normal); a pass already scheduled keeps to the new pace."""
        self._pending.set_min_interval(min_interval_s)

    @property
    def passes_paced(self) -> bool:
        """True while the passes are spaced out (a run is writing values every frame)."""
        return self._pending.min_interval_s > 0

    def flush(self) -> None:
        """Run a pass that is scheduled but has not happened yet (tests, screenshots)."""
        if self._pending.isActive():
            self.recompute()
