"""Drawing a wire with the mouse: the gesture from a press on a port to the release.

Press on a port and drag: a dashed wire follows the mouse and the ports it may end on light up
green (those that would not close a cycle); release on one of them connects
(``ConnectCommand``, which replaces an occupied input's wire), release elsewhere explains in
the scene's ``status_message`` why nothing happened. Pressing on a wired input port picks its
wire up: drop it on another port to move it, on empty canvas to delete it (one undo step
either way). Escape drops the wire being drawn and pushes nothing, and so does anything that
changes the circuit's wiring while a wire is carried (Ctrl+Z, an edit from a panel): the ports
it was drawn between, or the wire picked up, may be gone.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem

from gui.canvas.port_item import PortItem
from gui.canvas.wire_item import wire_path
from gui.common import theme
from gui.model.commands import ConnectCommand, DisconnectCommand


def port_at(scene, pos: QPointF) -> PortItem | None:
    """The visible port under ``pos`` in ``scene``, if any."""
    for item in scene.items(pos):
        if isinstance(item, PortItem) and item.isVisible():
            return item
    return None


class _Draft:
    """The state of a wire being drawn (or picked up) with the mouse."""

    def __init__(self, origin: PortItem, src: str | None, target: tuple[str, int] | None,
                 picked=None):
        self.origin = origin  # the port the wire is anchored to while dragging
        self.src = src  # set when the loose end must land on an input port
        self.target = target  # (dst, port), set when the loose end must land on an output
        self.picked = picked  # the WireItem picked up from an occupied input, if any
        self.lit: list[PortItem] = []
        self.hot: PortItem | None = None
        self.path: QGraphicsPathItem | None = None
        self.structure = -1  # the circuit's structure_version when the drag began


class WireDrag:
    """The wire-drawing gesture of one canvas scene."""

    def __init__(self, scene):
        self.scene = scene
        self._draft: _Draft | None = None
        scene.document.changed.connect(self._on_change)

    @property
    def active(self) -> bool:
        """True while a wire is being drawn."""
        return self._draft is not None

    @property
    def document(self):
        return self.scene.document

    def start(self, port: PortItem, pos: QPointF) -> None:
        """Begin drawing from ``port`` (or pick up the wire of a wired input port)."""
        circuit = self.document.circuit
        scene = self.scene
        if port.is_output:
            draft = _Draft(port, port.node_id, None)
        else:
            wire = scene.wire_item(port.node_id, port.index)
            if wire is not None:
                draft = _Draft(wire.src_gate.output_port, wire.src, None, picked=wire)
                wire.set_visible_with_labels(False)
            else:
                draft = _Draft(port, None, (port.node_id, port.index))
        gates = scene.gate_items()
        if draft.src is not None:
            blocked = circuit.upstream_of(draft.src)
            for gate in gates:
                if gate.node_id not in blocked:
                    draft.lit.extend(gate.input_ports)
        else:
            blocked = circuit.downstream_of(draft.target[0])
            draft.lit = [gate.output_port for gate in gates if gate.node_id not in blocked]
        for lit in draft.lit:
            lit.set_valid_target(True)
        draft.path = QGraphicsPathItem()
        draft.path.setPen(QPen(theme.WIRE_DRAFT, theme.WIRE_WIDTH, Qt.DashLine, Qt.RoundCap))
        draft.path.setZValue(10)
        scene.addItem(draft.path)
        draft.structure = circuit.structure_version
        self._draft = draft
        self.follow(pos)

    def follow(self, pos: QPointF) -> None:
        """Move the loose end to ``pos``, lighting the port it would land on."""
        draft = self._draft
        hot = port_at(self.scene, pos)
        if hot is not None and not hot.valid_target:
            hot = None
        if hot is not draft.hot:
            if draft.hot is not None:
                draft.hot.set_hot(False)
            draft.hot = hot
            if hot is not None:
                hot.set_hot(True)
        loose = hot.scenePos() if hot is not None else pos
        anchor = draft.origin.scenePos()
        if draft.origin.is_output:
            draft.path.setPath(wire_path(anchor, loose))
        else:
            draft.path.setPath(wire_path(loose, anchor))

    def drop(self) -> _Draft | None:
        """End the gesture without an edit: unlight the ports, remove the dashed wire and show
        a picked-up wire again. Returns what was being drawn (None if nothing was)."""
        draft, self._draft = self._draft, None
        if draft is None:
            return None
        for lit in draft.lit:
            lit.set_valid_target(False)
        if draft.hot is not None:
            draft.hot.set_hot(False)
        if draft.path is not None:
            self.scene.removeItem(draft.path)
        if draft.picked is not None and draft.picked.scene() is self.scene:
            draft.picked.set_visible_with_labels(True)
        return draft

    def _on_change(self, _change) -> None:
        draft = self._draft
        if draft is not None and draft.structure != self.document.circuit.structure_version:
            self.drop()
            self.scene.status_message.emit("Wire cancelled: the circuit's wiring changed")

    def finish(self, pos: QPointF) -> None:
        """The release at ``pos``: connect, move or delete the wire, or say why not."""
        draft = self.drop()
        target = port_at(self.scene, pos)
        picked = draft.picked
        if target is draft.origin or (picked is not None and target is not None and
                                      (target.node_id, target.index) ==
                                      (picked.dst, picked.port)):
            return  # a click, or a wire put back where it was
        if target is None:
            if picked is not None:
                self.document.push(DisconnectCommand(self.document, picked.dst, picked.port))
                self.scene.status_message.emit(f"Deleted the wire {picked.src} → {picked.dst}")
            return
        if draft.src is not None:
            if target.is_output:
                self._refuse(draft.src, target.node_id, "both ends are outputs")
                return
            src, dst, port = draft.src, target.node_id, target.index
        else:
            if not target.is_output:
                self._refuse(target.node_id, draft.target[0], "both ends are inputs")
                return
            src, (dst, port) = target.node_id, draft.target
        if src == dst:
            self._refuse(src, dst, f"a gate cannot feed its own input ({src} → {src})")
            return
        reason = self.document.circuit.can_connect(src, dst, port)
        if reason:
            self._refuse(src, dst, reason)
            return
        if picked is None:
            self.document.push(ConnectCommand(self.document, src, dst, port))
            return
        stack = self.document.undo_stack
        stack.beginMacro(f"Move wire {src} → {dst}")
        self.document.push(DisconnectCommand(self.document, picked.dst, picked.port))
        self.document.push(ConnectCommand(self.document, src, dst, port))
        stack.endMacro()

    def _refuse(self, src: str, dst: str, reason: str) -> None:
        self.scene.status_message.emit(f"Cannot connect {src} to {dst}: {reason}")
