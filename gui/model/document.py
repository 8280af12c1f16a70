"""The open document: one engine Circuit, its undo stack, its file, and its latest results.

This is the bridge between the engine and Qt. Views never edit the circuit directly: gestures
push undo commands (``gui.model.commands``) onto ``undo_stack``; the commands call Circuit
methods; the circuit notifies this document, which re-emits the change as the ``changed`` signal
and schedules one forward/backward pass. Passes are coalesced: however many changes arrive in
one turn of the event loop, the engine runs once and ``results_changed`` fires once. While a
run (training) writes values every frame, ``pace_passes`` spaces the passes out (the canvas
numbers redraw about ten times a second); the last change is always followed by a pass.

Taking a circuit (on creation, New, Open, restore) is the load: nodes the file left without a
position get the ones ``engine.auto_layout`` chooses before the document takes the circuit
(the insides of its compound gates too), so the layout is part of what was opened (nothing to
undo, nothing unsaved) and every later write goes through the undo stack.

Opening a compound gate: ``file_circuit`` is the file's circuit, and ``circuit`` the one shown
and edited, the file's or, after ``open_gate``, the inside of one of its compound gates
(``levels`` says which, one ``OpenedGate`` per level, nested gates opening further). Every
view and panel follows ``circuit`` (``circuit_replaced`` is emitted when it changes, and
``levels_changed``); an undo command edits the circuit that was shown when it was made, so
the one undo stack holds the edits of every level and an inside edit undone from outside
still lands inside. ``changed`` carries the shown circuit's changes, ``file_changed`` every
change of the file (an edit inside a gate reaches it as ``definition_changed``); both
schedule the pass. The pass runs the file; inside a gate, ``result`` is the inside's run with
the numbers of the use it was opened from (``engine.run_inside``: its ports take what reaches
that node, its output that node's gradient), or its own values when opened from no use.
Saving always saves the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

import engine
from engine import Change, Circuit, CircuitError
from gui.common.paced import PacedCall


def _laid_out(circuit: Circuit) -> Circuit:
    """``circuit`` with a position for every node (auto_layout's for those without one),
    in it and inside its compound gates."""
    insides = [d.circuit for d in circuit.definitions.values() if d.kind == "compound"]
    for each in [circuit, *insides]:
        if any(node.pos is None for node in each.nodes.values()):
            for node_id, pos in engine.auto_layout(each).items():
                each.move(node_id, pos)
    return circuit


@dataclass(frozen=True)
class OpenedGate:
    """One level opened: compound gate ``name``, opened from node ``use`` of the circuit one
    level out (None: opened from no use, e.g. the palette)."""

    name: str
    use: str | None = None


class Document(QObject):
    """The circuit being edited, with undo, a file path and live results."""

    changed = Signal(object)          # an engine.Change, after every edit
    circuit_replaced = Signal()       # a different Circuit object is now the document
    results_changed = Signal(object)  # an engine.Result (values and grads), or None
    path_changed = Signal(object)     # the new Path, or None for an unsaved document
    file_changed = Signal(object)     # an engine.Change of the file's circuit (any level shown)
    levels_changed = Signal()         # a gate was opened or gone out of (see ``levels``)

    def __init__(self, circuit: Circuit | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("undo_stack")
        self.file_circuit = Circuit() if circuit is None else _laid_out(circuit)
        self.file_circuit.subscribe(self._on_change)
        self.circuit = self.file_circuit  # the circuit shown: the file's or a gate's inside
        self.levels: list[OpenedGate] = []
        self.left_levels: list[OpenedGate] = []  # the levels shown before the last change of them
        self.level_note = ""  # why the levels last changed when no gesture asked ("": one did)
        self._step_index, self._naming_step = 0, False
        self.undo_stack.indexChanged.connect(self._name_the_step)
        self.path: Path | None = None
        self.file_result: engine.Result | None = None  # the file's run
        self.result: engine.Result | None = None  # the shown circuit's (the file's at the top)
        self.nan_origin: engine.NanOrigin | None = None  # where result's first nan was born
        self._pending = PacedCall(self, self.recompute, "document_pass_timer")
        self.recompute()

    # ----------------------------------------------------------------- document lifecycle
    def replace_circuit(self, circuit: Circuit, path: Path | str | None = None) -> None:
        """Make ``circuit`` the document (New, Open): clears undo history, marks it clean."""
        self._stop_showing_inside()
        self.levels, self.left_levels, self.level_note = [], [], ""
        self.file_circuit.unsubscribe(self._on_change)
        self.file_circuit = self.circuit = _laid_out(circuit)
        self.file_circuit.subscribe(self._on_change)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.set_path(path)
        self.circuit_replaced.emit()
        self.levels_changed.emit()
        self.recompute()

    def set_path(self, path: Path | str | None) -> None:
        """Remember where the document lives on disk (None: not saved yet)."""
        self.path = None if path is None else Path(path)
        self.path_changed.emit(self.path)

    def save(self, path: Path | str) -> None:
        """Save atomically to ``path`` and mark the document clean; CircuitError on failure."""
        engine.save(self.file_circuit, path)
        self.undo_stack.setClean()
        self.set_path(path)

    @property
    def is_dirty(self) -> bool:
        """True when there are edits not saved to a file."""
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name, or the circuit's title for a document never saved."""
        return self.path.name if self.path else (self.file_circuit.title or "untitled")

    # ----------------------------------------------------------------- editing
    def push(self, command) -> None:
        """Do an edit through the undo stack."""
        self.undo_stack.push(command)

    # ----------------------------------------------------------------- the levels shown
    def circuit_at(self, depth: int) -> Circuit:
        """The circuit shown at level ``depth`` (0: the file's)."""
        if depth == 0:
            return self.file_circuit
        return self.file_circuit.definitions[self.levels[depth - 1].name].circuit

    def open_gate(self, node_id: str) -> str:
        """Show the inside of compound gate ``node_id`` (a node of the shown circuit), with the
        numbers of that use; "" when it opened, else why it cannot be opened."""
        node = self.circuit.nodes.get(node_id)
        if node is None or engine.inside_of(self.circuit, node_id) is None:
            return (f"{node_id} is {'no gate' if node is None else 'a built-in gate'}: only a "
                    "gate made of other gates (a compound gate) has an inside to open")
        self._show_levels([*self.levels, OpenedGate(node.op, node_id)])
        return ""

    def open_definition(self, name: str) -> str:
        """Show the inside of this file's compound gate ``name`` with its own values (opened
        from no use); "" when it opened, else why it cannot be opened."""
        definition = self.file_circuit.definitions.get(name)
        if definition is None or definition.kind != "compound":
            return f"{name} is not a compound gate of this file: it has no inside to open"
        self._show_levels([OpenedGate(name)])
        return ""

    def go_out(self, depth: int | None = None) -> bool:
        """Show level ``depth`` (default: one level out); False if that is already shown."""
        depth = len(self.levels) - 1 if depth is None else depth
        if not 0 <= depth < len(self.levels):
            return False
        self._show_levels(self.levels[:depth])
        return True

    def uses_of_shown_gate(self) -> list[str]:
        """Where the gate whose inside is shown is used ([] at the file's level)."""
        return self.file_circuit.uses_of(self.levels[-1].name) if self.levels else []

    def _show_levels(self, levels: list[OpenedGate], why: str = "") -> None:
        self._stop_showing_inside()
        self.left_levels, self.level_note, self._naming_step = self.levels, why, bool(why)
        self.levels = levels
        self.circuit = self.circuit_at(len(levels))
        if levels:
            self.circuit.subscribe(self._on_inside_change)
        self.circuit_replaced.emit()
        self.levels_changed.emit()
        self.recompute()

    def _name_the_step(self, index: int) -> None:
        """Once an undo step has left a level (its gate gone), add which step to the note:
        "sig is gone (Undo Make gate sig)"."""
        before, self._step_index = self._step_index, index
        if not self._naming_step:
            return
        self._naming_step = False
        step = (f"Undo {self.undo_stack.text(index)}" if index < before
                else self.undo_stack.text(index - 1) if index > before else "")
        if step and self.level_note:
            self.level_note += f" ({step})"
            self.levels_changed.emit()

    def _stop_showing_inside(self) -> None:
        if self.circuit is not self.file_circuit:
            self.circuit.unsubscribe(self._on_inside_change)

    def _levels_still_there(self) -> None:
        """After a file change: go out of levels whose gate is gone or was defined anew (an
        undo of Make Gate), and forget uses that are gone (the numbers become the inside's
        own)."""
        kept, circuit, why = [], self.file_circuit, ""
        for level in self.levels:
            definition = self.file_circuit.definitions.get(level.name)
            if definition is None or definition.kind != "compound" or (
                    len(kept) == len(self.levels) - 1
                    and definition.circuit is not self.circuit):
                why = (f"{level.name} is gone" if definition is None
                       else f"{level.name} was defined anew")
                break
            node = circuit.nodes.get(level.use) if level.use is not None else None
            kept.append(level if node is not None and node.op == level.name
                        else replace(level, use=None))
            circuit = definition.circuit
        if len(kept) < len(self.levels):
            self._show_levels(kept, why)
        elif kept != self.levels:
            self.left_levels, self.level_note = self.levels, ""
            self.levels = kept
            self.levels_changed.emit()

    # ----------------------------------------------------------------- results
    def _on_inside_change(self, change: Change) -> None:
        """A change of the inside shown (its file hears of it as ``definition_changed``)."""
        self.changed.emit(change)

    def _on_change(self, change: Change) -> None:
        """A change of the file's circuit (an edit inside a gate included)."""
        shown = self.circuit
        if self.levels:
            self._levels_still_there()  # going out redraws the level it goes to
        if self.circuit is self.file_circuit is shown:
            self.changed.emit(change)
        self.file_changed.emit(change)
        self._pending.start()

    def recompute(self) -> None:
        """Run the forward and backward pass now and publish the result, with where its first
        non-finite number was born (``nan_origin``, None when every number is finite)."""
        self._pending.ran()
        self.file_result = result = _run(self.file_circuit)
        for depth, level in enumerate(self.levels):
            outer, inside = self.circuit_at(depth), self.circuit_at(depth + 1)
            try:
                result = (engine.run_inside(outer, result, level.use)
                          if level.use is not None else _run(inside))
            except CircuitError:
                result = _run(inside)
        self.result = result
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


def _run(circuit: Circuit) -> engine.Result | None:
    """The circuit's pass (None when it cannot run at all, e.g. a cycle)."""
    try:
        return engine.run(circuit, allow_incomplete=True)
    except CircuitError:
        return None
