"""Edit commands on the selection: copy, cut, paste, duplicate, delete, select all, add a gate.

The clipboard holds a *fragment*: the selected gates and the wires among them, written as a small
circuit file (``engine.circuit_to_dict``) under ``FRAGMENT_MIME`` and as plain JSON text, so a
fragment can be pasted into another window or edited in a text editor. Pasting reads it back
through the engine's strict loader (``engine.loads``), gives every gate a fresh id and adds them
with one ``AddFragmentCommand``: at the mouse when the mouse is over the canvas (its top-left
corner there, like Tab's quick add), else beside the originals (to their right or below them,
the nearest place where no existing gate is in the way). Duplicate places its copy the same
way, beside the originals.
Every action is one undo step; feedback ("Pasted 3 gates", "Nothing to paste") goes out on
``status_message``.

``EditActions`` only provides the slots. The main window's QActions own the shortcuts
(Ctrl+C/X/V/D, Ctrl+Z/Y), declared with every other key in ``gui/window_parts.py``.
"""

from __future__ import annotations

import json
import re

import numpy as np
from PySide6.QtCore import QMimeData, QObject, QPointF, QRectF, Signal
from PySide6.QtGui import QGuiApplication

import engine
from engine import Circuit, CircuitError, Node, Wire
from gui.common import theme
from gui.model.commands import (AddFragmentCommand, AddNodeCommand, DisconnectCommand,
                                RemoveNodesCommand)
from gui.canvas.gate_item import NAME_HEIGHT, gate_size
from gui.canvas.fragment_gates import carry_gates, gates_to_bring
from gui.canvas.source_shapes import parse_gate_spec
from gui.canvas.wire_item import WireItem

FRAGMENT_MIME = "application/x-circuitgrad-fragment"
PLACEMENT_GAP = 2 * theme.GRID  # free space between a copy and the gates around it
MAX_PLACEMENT_TRIES = 200
INPUT_NAMES = ("x", "y", "z", "w", "a", "b", "u", "v")


def _plural(count: int) -> str:
    return f"{count} gate" if count == 1 else f"{count} gates"


def gate_body_size(op: str, gates=engine.GATES) -> tuple[float, float]:
    """The width and height of a new gate's body (sources are wider to show their value);
    ``gates`` is the file's table (``circuit.gates``) when ``op`` may be one of its own."""
    if gates[op].is_source:
        return float(theme.SOURCE_W), float(theme.SOURCE_H)
    return float(theme.GATE_W), float(theme.GATE_H)


def suggest_id(circuit: Circuit, op: str, rank: int = 0) -> str:
    """A fresh id for a new gate: inputs get x, y, z, ... while free (a matrix input W, W2,
    ..., as the lecture names its weights), other gates op, op2, ..."""
    gate = circuit.gates[op]
    if gate.variable and rank == 2:
        return circuit.unique_id("W")
    if gate.variable:
        for name in INPUT_NAMES:
            if name not in circuit.nodes:
                return name
    return circuit.unique_id(op)


def fragment_of(circuit: Circuit, node_ids) -> Circuit:
    """A new circuit holding copies of these nodes and every wire among them (and of the
    file's own gates they use)."""
    chosen = set(node_ids)
    part = Circuit("fragment")
    carry_gates(circuit, part, {circuit.nodes[node_id].op for node_id in chosen
                                if node_id in circuit.nodes})
    for node in circuit.nodes.values():
        if node.id in chosen:
            part.add_node(node.op, node.id, value=node.value, params=node.params,
                          inputs=node.n_inputs if node.gate.variadic else None, pos=node.pos,
                          label=node.label, feature=node.feature, trainable=node.trainable,
                          extra=node.extra)
    for wire in circuit.wires():
        if wire.src in chosen and wire.dst in chosen:
            part.connect(wire.src, wire.dst, wire.port)
    return part


def fragment_text(circuit: Circuit, node_ids) -> str:
    """The JSON text of the fragment made of these nodes (what copy puts on the clipboard)."""
    data = engine.circuit_to_dict(fragment_of(circuit, node_ids))
    data.pop("output", None)
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=1)


def _fresh_id(circuit: Circuit, old: str, taken: set) -> str:
    if old not in taken:
        return old
    stem = re.sub(r"\d+$", "", old) or old
    candidate = circuit.unique_id(stem)
    number = 2
    while candidate in taken:
        candidate = f"{stem}{number}"
        number += 1
    return candidate


def placed_copy(circuit: Circuit, part: Circuit, shift=None, at=None):
    """Nodes and wires of ``part`` with ids free in ``circuit``, moved by ``shift`` (dx, dy)
    or so that their top-left corner is ``at``; returns (nodes, wires)."""
    layout = engine.auto_layout(part) if any(n.pos is None for n in part.nodes.values()) else {}
    positions = {node_id: node.pos if node.pos is not None else layout.get(node_id, (0.0, 0.0))
                 for node_id, node in part.nodes.items()}
    if at is not None:
        left = min(x for x, _ in positions.values())
        top = min(y for _, y in positions.values())
        shift = (at[0] - left, at[1] - top)
    dx, dy = shift or (0.0, 0.0)
    taken = set(circuit.nodes)
    new_ids = {}
    for old in part.nodes:
        new_ids[old] = _fresh_id(circuit, old, taken)
        taken.add(new_ids[old])
    nodes = []
    for old, node in part.nodes.items():
        x, y = positions[old]
        nodes.append(Node(new_ids[old], node.op, node.value, dict(node.params), node.n_inputs,
                          (x + dx, y + dy), node.label, node.feature, node.trainable,
                          dict(node.extra)))
    wires = [Wire(new_ids[w.src], new_ids[w.dst], w.port) for w in part.wires()]
    return nodes, wires


def footprint(node, pos=None) -> QRectF:
    """The scene rectangle a gate covers with its name above it and its ports at its sides."""
    x, y = pos if pos is not None else (node.pos or (0.0, 0.0))
    width, height = gate_size(node)
    reach = theme.PORT_RADIUS + 4
    return QRectF(x - reach, y - NAME_HEIGHT - 4, width + 2 * reach, height + NAME_HEIGHT + 14)


def free_shift(rects, occupied, grid: float = theme.GRID) -> tuple[float, float]:
    """The shift that puts ``rects`` (a group of gates) beside themselves, to the right or below,
    at the nearest place where none of them touches a rectangle of ``occupied``."""
    box = QRectF()
    for rect in rects:
        box = box.united(rect)
    if box.isNull():
        return 0.0, 0.0

    def on_grid(length: float) -> float:
        return grid * -(-(length + PLACEMENT_GAP) // grid)

    step_x, step_y = on_grid(box.width()), on_grid(box.height())
    margin = PLACEMENT_GAP / 2
    tries = range(1, MAX_PLACEMENT_TRIES + 1)
    candidates = sorted([(k * step_x, 0.0) for k in tries] + [(0.0, k * step_y) for k in tries],
                        key=lambda shift: shift[0] + shift[1])  # nearest first, right on ties
    for dx, dy in candidates:
        moved = [rect.translated(dx, dy).adjusted(-margin, -margin, margin, margin)
                 for rect in rects]
        if not any(m.intersects(o) for m in moved for o in occupied):
            return dx, dy
    return MAX_PLACEMENT_TRIES * step_x, 0.0


def release_clipboard() -> None:
    """Before Python exits, swap a fragment we put on the clipboard for Qt's own copy of its text.

    A QMimeData made in Python and owned by the clipboard is deleted by QApplication's
    destructor after the interpreter has shut down, and shiboken's hook on that deletion then
    crashes the process. ``setText`` makes the data in C++; paste reads the same JSON text back.
    """
    clipboard = QGuiApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is not None and mime.hasFormat(FRAGMENT_MIME):
        clipboard.setText(mime.text())


class EditActions(QObject):
    """The Edit menu's slots for one document and its canvas (and the view, if there is one)."""

    status_message = Signal(str)

    def __init__(self, document, scene, view=None, parent: QObject | None = None):
        super().__init__(parent if parent is not None else scene)
        self.document = document
        self.scene = scene
        self.view = view
        if view is not None:
            view.set_edit_actions(self)

    # ----------------------------------------------------------------- helpers
    @property
    def circuit(self) -> Circuit:
        """The document's circuit (it changes on New and Open)."""
        return self.document.circuit

    def _selected_wires(self, removed=()) -> list[WireItem]:
        doomed = set(removed)
        return [item for item in self.scene.selectedItems() if isinstance(item, WireItem)
                and item.src not in doomed and item.dst not in doomed]

    def _occupied(self) -> list[QRectF]:
        return [footprint(node) for node in self.circuit.nodes.values()]

    def _beside(self, part: Circuit) -> tuple[float, float]:
        """The shift that puts ``part``'s gates beside where they are, on free canvas."""
        layout = (engine.auto_layout(part) if any(n.pos is None for n in part.nodes.values())
                  else {})
        rects = [footprint(node, node.pos if node.pos is not None else layout.get(node.id))
                 for node in part.nodes.values()]
        return free_shift(rects, self._occupied(), self.scene.GRID)

    def _mouse_point(self) -> QPointF | None:
        """Where the mouse is on the canvas, or None when it is not over the canvas."""
        return self.view.mouse_over_canvas() if self.view is not None else None

    def _add_fragment(self, part: Circuit, text: str, shift=None, at=None) -> list[str]:
        """Add ``part``'s gates (and the own gates they use that the file lacks) in one step;
        CircuitError if the file has another gate of the name of one they use."""
        bring = gates_to_bring(self.circuit, part)
        nodes, wires = placed_copy(self.circuit, part, shift=shift, at=at)
        command = AddFragmentCommand(self.document, nodes, wires, text, bring)
        self.document.push(command)
        self.scene.select_nodes(command.node_ids)
        return command.node_ids

    # ----------------------------------------------------------------- clipboard
    def copy(self) -> bool:
        """Put the selected gates and the wires among them on the clipboard."""
        ids = self.scene.selected_node_ids()
        if not ids:
            self.status_message.emit("Nothing selected to copy")
            return False
        text = fragment_text(self.circuit, ids)
        mime = QMimeData()
        mime.setData(FRAGMENT_MIME, text.encode("utf-8"))
        mime.setText(text)
        QGuiApplication.clipboard().setMimeData(mime)
        self.status_message.emit(f"Copied {_plural(len(ids))}")
        return True

    def cut(self) -> bool:
        """Copy the selection, then delete it (one undo step)."""
        ids = self.scene.selected_node_ids()
        if not ids:
            self.status_message.emit("Nothing selected to cut")
            return False
        if self._refused_removal(ids):
            return False
        self.copy()
        self._delete(ids, self._selected_wires(ids), f"Cut {_plural(len(ids))}")
        self.status_message.emit(f"Cut {_plural(len(ids))}")
        return True

    def clipboard_fragment(self) -> Circuit | None:
        """The fragment on the clipboard (None, with a status message, if there is none)."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is not None and mime.hasFormat(FRAGMENT_MIME):
            text = bytes(mime.data(FRAGMENT_MIME)).decode("utf-8", errors="replace")
        elif mime is not None and mime.hasText() and mime.text().lstrip().startswith("{"):
            text = mime.text()
        else:
            self.status_message.emit("Nothing to paste (the clipboard holds no gates)")
            return None
        try:
            part = engine.loads(text)
        except CircuitError as error:
            self.status_message.emit(f"Cannot paste: {error}")
            return None
        if not part.nodes:
            self.status_message.emit("Nothing to paste (the clipboard holds no gates)")
            return None
        return part

    def paste(self, at: QPointF | None = None) -> list[str]:
        """Add the clipboard's gates with fresh ids, their top-left corner at ``at`` or at the
        mouse (when it is over the canvas), else beside the copied gates; they become the
        selection. Returns the new ids."""
        part = self.clipboard_fragment()
        if part is None:
            return []
        text = f"Paste {_plural(len(part.nodes))}"
        if at is None:
            at = self._mouse_point()
        try:
            if at is not None:
                corner = self.scene.snap(at)
                ids = self._add_fragment(part, text, at=(corner.x(), corner.y()))
            else:
                ids = self._add_fragment(part, text, shift=self._beside(part))
        except CircuitError as error:
            self.status_message.emit(f"Cannot paste: {error}")
            return []
        self.status_message.emit(f"Pasted {_plural(len(ids))}")
        return ids

    def duplicate(self, ids=None) -> list[str]:
        """Copy the selected gates (or ``ids``) beside themselves, where no gate is in the way,
        in one undo step, without touching the clipboard. Returns the new ids."""
        ids = list(ids) if ids is not None else self.scene.selected_node_ids()
        if not ids:
            self.status_message.emit("Nothing selected to duplicate")
            return []
        part = fragment_of(self.circuit, ids)
        new_ids = self._add_fragment(part, f"Duplicate {_plural(len(ids))}",
                                     shift=self._beside(part))
        self.status_message.emit(f"Duplicated {_plural(len(ids))}")
        return new_ids

    # ----------------------------------------------------------------- deleting, selecting
    def _refused_removal(self, ids) -> bool:
        """True, with the engine's reason on the status bar, when a node of ``ids`` cannot be
        removed (a port input of the gate whose inside is shown): then nothing is."""
        refusal = next(filter(None, map(self.circuit.removal_refusal, ids)), "")
        if refusal:
            self.status_message.emit(f"Cannot delete: {refusal}")
        return bool(refusal)

    def _delete(self, ids, wires, text: str) -> None:
        commands = [DisconnectCommand(self.document, w.dst, w.port) for w in wires]
        if ids:
            commands.append(RemoveNodesCommand(self.document, ids))
        stack = self.document.undo_stack
        stack.beginMacro(text)
        for command in commands:
            self.document.push(command)
        stack.endMacro()

    def delete_selection(self) -> bool:
        """Delete the selected gates (with their wires) and the selected wires: one undo step."""
        ids = self.scene.selected_node_ids()
        wires = self._selected_wires(ids)
        if not ids and not wires:
            self.status_message.emit("Nothing selected to delete")
            return False
        parts = ([_plural(len(ids))] if ids else []) + (
            [f"{len(wires)} wire" + ("s" if len(wires) > 1 else "")] if wires else [])
        text = "Delete " + " and ".join(parts)
        if self._refused_removal(ids):
            return False
        self._delete(ids, wires, text)
        self.status_message.emit(text.replace("Delete", "Deleted", 1))
        return True

    def delete_nodes(self, ids) -> None:
        """Delete these gates with their wires (one undo step)."""
        ids = [node_id for node_id in ids if node_id in self.circuit.nodes]
        if ids and not self._refused_removal(ids):
            self.document.push(RemoveNodesCommand(self.document, ids))

    def select_all(self) -> None:
        """Select every gate."""
        self.scene.select_nodes(list(self.circuit.nodes))

    # ----------------------------------------------------------------- adding
    def add_gate(self, op: str, centre: QPointF, value=None) -> str | None:
        """Add a gate centred near ``centre`` (snapped to the grid) and select it. ``op`` is a
        gate spec (``gui.canvas.source_shapes``): a gate's name, or ``input 2×3`` for a source
        made with a shape (its elements 0)."""
        refusal = self.circuit.use_refusal(op)  # the gate whose inside is shown, in itself
        if refusal:
            self.status_message.emit(f"Cannot add {op}: {refusal}")
            return None
        gates = self.circuit.gates
        spec = parse_gate_spec(op, gates)
        if spec is None:
            self.status_message.emit(f"Unknown gate '{op}'")
            return None
        op = spec.op
        if spec.shape and value is None:
            value = spec.value
        width, height = gate_body_size(op, gates)
        corner = self.scene.snap(QPointF(centre.x() - width / 2, centre.y() - height / 2))
        command = AddNodeCommand(self.document, op, (corner.x(), corner.y()),
                                 node_id=suggest_id(self.circuit, op, np.ndim(value)),
                                 value=value if gates[op].is_source else None)
        self.document.push(command)
        self.scene.select_nodes([command.node_id])
        return command.node_id
