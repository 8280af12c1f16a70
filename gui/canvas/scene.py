"""The circuit editor's scene: it draws the document's circuit and turns gestures into commands.

Drawing follows the document. ``circuit_replaced`` rebuilds every item; each ``changed``
notification (a node or wire added or removed, a node moved, renamed or edited, the output
chosen) updates just the items it concerns; ``results_changed`` puts the new values and
gradients on the wires. (Nodes a file left without a position were laid out by the document
when it took the circuit.) The view tells the scene the zoom it is seen at (``set_view_zoom``):
zoomed out, the numbers and the pills' values are enlarged to stay as big as the menus' text
(``gui.canvas.readable_text``) and the numbers are placed again for their new size.

Gestures that start in the scene end as undo commands pushed on the document:
- press on a port and drag: draw, move or delete a wire (``gui.canvas.wire_drag``);
- drag gates: Qt moves the selected items, snapped to ``GRID``; one ``MoveNodesCommand`` is
  pushed on release, with the start positions recorded on press; Escape during the drag puts
  them back and pushes nothing (``cancel_gesture``, which also drops a wire being drawn);
- scrub a source's value (Ctrl+wheel over it, or Shift/Alt+drag its number sideways; a
  plain drag on a source moves it like any gate): one undo step per scrub
  (``gui.canvas.value_scrub``);
- double-click a source to edit its value in place (``gui.canvas.value_editor``);
- double-click a compound gate to open its inside (``open_gate``: the document shows it, with
  a mark under each of its port inputs, ``gui.canvas.port_marks``).
"""

from __future__ import annotations

import time
from html import escape
from itertools import islice

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsScene, QLineEdit, QToolTip

from engine import CircuitError, format_full, is_tensor, plan_of
from gui.common import theme
from gui.model.commands import MoveNodesCommand
from gui.model.shape_problem_text import readable_problem
from gui.model.value_text import size_words
from gui.canvas.gate_glyphs import gate_tooltip
from gui.canvas.gate_item import GateItem
from engine import branch_gradients
from gui.canvas.port_item import PortItem
from gui.canvas.port_marks import PortMarks
from gui.canvas.readable_text import text_scale
from gui.canvas.tensor_wire_pictures import tensor_text
from gui.canvas.value_editor import ValueEditor
from gui.canvas.value_scrub import ValueScrub
from gui.canvas.wire_drag import WireDrag, port_at
from gui.canvas.wire_item import NumberLabel, WireItem, as_shown
from gui.common.deferred import after_events


LABEL_SLICE = 10  # wires whose numbers are placed together (out of each other's way)
LABEL_BUDGET = 0.012  # seconds of placing numbers per turn of the event loop


class CanvasScene(QGraphicsScene):
    """The circuit drawn as gates and wires, with the editing gestures of a node editor."""

    GRID = theme.GRID

    status_message = Signal(str)
    selection_ids_changed = Signal(list)
    # items beside the gates appeared (arrows) or f's numbers changed width: a fitted view
    # refits if they no longer fit in it
    overlays_grew = Signal()
    view_zoom_changed = Signal(float)  # overlays with text (the flow's cards) follow it
    labels_placed = Signal()  # every wire waiting for its numbers' spot has one now
    # show every element of a node's tensor (port None) or of the wire into (node, port)
    inspect_requested = Signal(str, object)
    code_edit_requested = Signal(str)  # open the code editor on this code gate (its name)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("canvas_scene")
        # the scene is mostly still (a gesture moves a few gates), and hover/hit tests are
        # frequent: the BSP index answers them without walking every item
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        self.document = document
        self.snapping = False  # True while the user drags gates: their positions snap
        self._gates: dict[str, GateItem] = {}
        self._wires: dict[tuple[str, int], WireItem] = {}
        self._output: str | None = None
        self.nan_origin = None  # the document's nan_origin, as badged on the gates
        self._branches: dict = {}  # each fan-out branch's gradient in the latest result
        self.shape_problems: dict[str, str] = {}  # node id -> why its inputs' shapes misfit
        self._shapes_plan = None  # the plan whose shapes the items show (one per structure)
        self._move_start: dict[str, QPointF] | None = None
        self.wiring = WireDrag(self)
        self.scrubbing = ValueScrub(self)
        self.editing = ValueEditor(self)
        self._quiet = False
        # sources whose value a paced run (training) changed: their pills redraw with the pass
        self._values_later: set[str] = set()
        self.view_zoom = 1.0  # the zoom the scene is seen at, as the view last said
        self._number_scale = 1.0  # how much the numbers are enlarged to be read at that zoom
        self._value_scale = 1.0  # and the values in the sources' pills
        self._grid_brush = self._make_grid_brush()
        # wires whose numbers need a spot chosen again (they moved or were resized): done
        # once the current events are handled, so a drag or a pass pays for it once
        self._label_queue: dict[WireItem, bool] = {}  # wire -> keep its spot if clear
        self._label_timer = after_events(self, lambda: self.arrange_labels(LABEL_BUDGET))
        document.changed.connect(self._on_change)
        document.circuit_replaced.connect(self._on_circuit_replaced)
        document.results_changed.connect(self._show_results)
        self.selectionChanged.connect(self._on_selection_changed)
        self.rebuild()
        self.port_marks = PortMarks(self)

    # ----------------------------------------------------------------- public API
    def gate_item(self, node_id: str) -> GateItem | None:
        """The item drawing node ``node_id``, or None."""
        return self._gates.get(node_id)

    def wire_item(self, dst: str, port: int) -> WireItem | None:
        """The item drawing the wire into ``port`` of ``dst``, or None."""
        return self._wires.get((dst, port))

    def gate_items(self) -> list[GateItem]:
        """Every gate item."""
        return list(self._gates.values())

    def wire_items(self) -> list[WireItem]:
        """Every wire item."""
        return list(self._wires.values())

    def output_stub(self):
        """The output gate's stub carrying f and 1.00 (None when there is no output)."""
        gate = self._gates.get(self._output) if self._output else None
        return gate.stub if gate is not None else None

    def port_scene_pos(self, node_id: str, port: int) -> QPointF:
        """The centre of an input port (``port`` >= 0) or of the output (-1), in the scene."""
        gate = self._gates[node_id]
        return gate.output_pos() if port < 0 else gate.input_pos(port)

    def selected_node_ids(self) -> list[str]:
        """The ids of the selected gates, in the circuit's order."""
        chosen = {item.node_id for item in self.selectedItems() if isinstance(item, GateItem)}
        return [node_id for node_id in self.document.circuit.nodes if node_id in chosen]

    def select_nodes(self, ids) -> None:
        """Select exactly the gates with these ids."""
        self._quiet = True
        try:
            self.clearSelection()
            for node_id in ids:
                gate = self._gates.get(node_id)
                if gate is not None:
                    gate.setSelected(True)
        finally:
            self._quiet = False
        self._on_selection_changed()

    def snap(self, point: QPointF) -> QPointF:
        """The grid point nearest to ``point``."""
        grid = self.GRID
        return QPointF(round(point.x() / grid) * grid, round(point.y() / grid) * grid)

    def content_rect(self) -> QRectF:
        """The rectangle holding every gate, wire and number, and what gates carry beside them
        (the ascent's arrows, check badges); empty for an empty circuit."""
        rect = QRectF()
        for gate in self._gates.values():
            rect = rect.united(gate.sceneBoundingRect())
            rect = rect.united(gate.mapRectToScene(gate.childrenBoundingRect()))
            if gate.stub is not None:
                rect = rect.united(gate.stub.sceneBoundingRect())
        for wire in self._wires.values():
            rect = rect.united(wire.sceneBoundingRect())
        return rect

    def queue_label_placement(self, wire: WireItem, keep_if_clear: bool = False) -> None:
        """Choose where ``wire``'s numbers go (off other numbers and gates) after the current
        events; many requests in one turn of the event loop cost one pass. With
        ``keep_if_clear`` (its numbers only changed width) they stay where they are unless they
        now cover another number or a gate."""
        self._label_queue[wire] = self._label_queue.get(wire, True) and keep_if_clear
        if not self._label_timer.isActive():
            self._label_timer.start()

    def set_view_zoom(self, zoom: float) -> None:
        """The view shows the scene at ``zoom``: enlarge the numbers, f's and the pills' values
        so they read as big as the menus' text there (never shrink them below their natural
        size; in an overview, where the numbers are not drawn, all keep it). The wires'
        numbers take their new size as they are placed again, after the current events, in
        slices."""
        self.view_zoom = zoom
        numbers = text_scale(theme.metrics("NUMBER_FONT").height(), zoom)
        values = text_scale(theme.metrics("VALUE_FONT").height(), zoom)
        if (numbers, values) != (self._number_scale, self._value_scale):
            resized = numbers != self._number_scale
            self._number_scale, self._value_scale = numbers, values
            for gate in self._gates.values():
                gate.set_text_scale(numbers, values)
            for wire in self._wires.values() if resized else ():
                self.queue_label_placement(wire)
        self.view_zoom_changed.emit(zoom)

    def number_scale(self) -> float:
        """How much the numbers on the wires are enlarged now (1: their natural size)."""
        return self._number_scale

    def labels_pending(self) -> int:
        """How many wires wait for their numbers' spot to be chosen."""
        return len(self._label_queue)

    def arrange_labels(self, budget: float | None = None) -> None:
        """Place the numbers of the wires waiting for it, at the size that reads at the view's
        zoom: all of them now, or, given a ``budget`` in seconds, slices of them until it is
        spent and the rest in the next turns of the event loop (so a big circuit's window
        stays responsive). Tests and screenshots call it to place them all at once."""
        self._label_timer.stop()
        clock = time.perf_counter()
        for wire, keep_if_clear in self._label_queue.items():
            if not keep_if_clear:  # where they were is no guide to where they go: out of the
                wire.lift_labels()  # way of the others (and not drawn) until placed
        while self._label_queue:
            wires = list(islice(self._label_queue, LABEL_SLICE))
            self._place_slice([(wire, self._label_queue.pop(wire)) for wire in wires])
            if budget is not None and time.perf_counter() - clock > budget:
                break
        if self._label_queue:
            self._label_timer.start()
        else:
            self.labels_placed.emit()

    def _place_slice(self, requests) -> None:
        placed = []
        for wire, keep_if_clear in requests:
            if self._wires.get((wire.dst, wire.port)) is not wire:  # removed meanwhile
                continue
            resized = wire.set_label_scale(self._number_scale)
            if resized or not (keep_if_clear and not wire.labels_in_the_way()):
                placed.append(wire)
        for wire in placed:
            wire.lift_labels()
        for wire in placed:  # the values sources' pills show wait: the others come first
            wire.choose_label_spot(pill_value_later=True)
        # then they come back where there is room; and, enlarged, a wire placed early that
        # found none for a number before the others moved away from where they were tries
        # again (at their natural size numbers are never left out)
        if self._number_scale == 1.0:
            return
        for wire in placed:
            if wire.labels_left_out() or wire.labels_in_the_way():
                wire.choose_label_spot()

    def numbers_left_out(self) -> int:
        """How many numbers on the wires are left out for want of room (enlarged to be read
        on a zoomed-out view, see ``WireItem.choose_label_spot``) and shown nowhere else: a
        source's value left out of its wire is still in its pill."""
        return sum(bool(label.text and label.left_out) for wire in self._wires.values()
                   for label in wire.labels()
                   if not (label is wire.value_label and wire.src_gate.shows_value_enlarged()))

    def value_editor(self) -> QLineEdit | None:
        """The open in-place value editor, if any."""
        return self.editing.editor

    def edit_value(self, node_id: str) -> None:
        """Open an editor for a source's value over its gate."""
        self.editing.open(node_id)

    def commit_editor(self) -> None:
        """Apply the open editor's text as its node's value (bad text: a status message;
        the text it opened with: no change)."""
        self.editing.commit()

    def close_editor(self) -> None:
        """Close the in-place editor without applying it."""
        self.editing.close()

    def opens(self, node_id: str) -> bool:
        """True when node ``node_id`` is a compound gate: double-click opens its inside."""
        node = self.document.circuit.nodes.get(node_id)
        definition = node.gate.definition if node is not None else None
        return definition is not None and definition.kind == "compound"

    def open_gate(self, node_id: str) -> bool:
        """Show the inside of compound gate ``node_id`` (else say why it has none)."""
        refusal = self.document.open_gate(node_id)
        if refusal:
            self.status_message.emit(refusal)
        return not refusal

    def start_scrub(self, node_id: str) -> None:
        """A press on a source's number: a drag from here scrubs it (a new undo step)."""
        self.scrubbing.begin_drag(node_id)

    def scrub_value(self, node_id: str, steps: int, fine: bool) -> None:
        """A scrub by dragging: set a source to its value at the press + ``steps`` steps of
        0.1 (0.01 if ``fine``); one undo step per gesture."""
        self.scrubbing.drag_to(node_id, steps, fine)

    def end_scrub(self) -> None:
        """End the current scrub gesture: the next scrub starts a new undo step."""
        self.scrubbing.end()

    # ----------------------------------------------------------------- building
    def _on_circuit_replaced(self) -> None:
        # the document runs the new circuit right after this signal: wait for its numbers
        self.rebuild(show_results=False)

    def rebuild(self, show_results: bool = True) -> None:
        """Draw the document's circuit from scratch (after New, Open, or on creation)."""
        self._quiet = True
        try:
            self._cancel_gestures()
            self.close_editor()
            self.clear()
            self._gates.clear()
            self._wires.clear()
            self._label_queue.clear()
            self._output = None
            self._shapes_plan = None
            circuit = self.document.circuit
            connected: dict[str, set] = {}
            wires = circuit.wires()
            for wire in wires:
                connected.setdefault(wire.dst, set()).add(wire.port)
            for node in circuit.nodes.values():
                self._add_gate(node, connected.get(node.id, ()))
            for wire in wires:
                self._add_wire(wire.src, wire.dst, wire.port)
        finally:
            self._quiet = False
        if show_results:
            self._show_results(self.document.result)
        else:
            self._mark_output(self._current_output_of_circuit())
        self.selection_ids_changed.emit([])

    def _fallback_pos(self) -> QPointF:
        # where a node added without a position is shown (not written to the document)
        rect = self.content_rect()
        return QPointF(0, 0) if rect.isNull() else self.snap(
            QPointF(rect.left(), rect.bottom() + 2 * self.GRID))

    def _add_gate(self, node, connected_ports=()) -> GateItem:
        gate = GateItem(node, connected_ports)
        gate.set_text_scale(self._number_scale, self._value_scale)
        gate.setPos(QPointF(*node.pos) if node.pos is not None else self._fallback_pos())
        self.addItem(gate)
        self._gates[node.id] = gate
        return gate

    def _add_wire(self, src: str, dst: str, port: int) -> WireItem:
        wire = WireItem(self._gates[src], self._gates[dst], port)
        self.addItem(wire)
        for label in wire.labels():
            label.set_text_scale(self._number_scale)
            self.addItem(label)
        self._wires[(dst, port)] = wire
        self._gates[src].wires.add(wire)
        self._gates[dst].wires.add(wire)
        self._gates[dst].set_port_connected(port, True)
        return wire

    def _remove_wire(self, dst: str, port: int) -> None:
        wire = self._wires.pop((dst, port), None)
        if wire is None:
            return
        wire.src_gate.wires.discard(wire)
        wire.dst_gate.wires.discard(wire)
        wire.dst_gate.set_port_connected(port, False)
        for label in wire.labels():
            self.removeItem(label)
        self.removeItem(wire)

    # ----------------------------------------------------------------- document -> items
    def _on_change(self, change) -> None:
        if self._quiet:
            return
        handler = getattr(self, "_on_" + change.kind, None)
        if handler is not None:
            handler(change)

    def _on_node_added(self, change) -> None:
        node = self.document.circuit.nodes[change.node_id]
        self._add_gate(node)

    def _on_node_removed(self, change) -> None:
        editor = self.editing.editor
        if editor is not None and editor.node_id == change.node_id:
            self.close_editor()
        if self.scrubbing.node_id == change.node_id:
            self.scrubbing.end()
        gate = self._gates.pop(change.node_id, None)
        if gate is None:
            return
        for wire in list(gate.wires):
            self._remove_wire(wire.dst, wire.port)
        if self._output == change.node_id:
            self._output = None
        self.removeItem(gate)

    def _on_wire_added(self, change) -> None:
        wire = change.wire
        self._add_wire(wire.src, wire.dst, wire.port)

    def _on_wire_removed(self, change) -> None:
        self._remove_wire(change.wire.dst, change.wire.port)

    def _on_node_changed(self, change) -> None:
        gate = self._gates.get(change.node_id)
        if gate is None:
            return
        node = self.document.circuit.nodes[change.node_id]
        if change.field == "pos":
            if node.pos is not None:
                gate.setPos(QPointF(*node.pos))
            return
        if change.field == "value" and self.document.passes_paced:
            self._values_later.add(change.node_id)
            return
        if change.field == "n_inputs":
            connected = {port for port in range(node.n_inputs)
                         if (node.id, port) in self._wires}
            gate.refresh(node, connected)
            gate.update_wires()
            return
        gate.refresh(node)

    def _on_node_renamed(self, change) -> None:
        old, new = change.old, change.new
        gate = self._gates.pop(old, None)
        if gate is None:
            return
        self._gates[new] = gate
        gate.refresh(self.document.circuit.nodes[new])
        self._wires = {((new if dst == old else dst), port): wire
                       for (dst, port), wire in self._wires.items()}
        if self._output == old:
            self._output = new
        self.scrubbing.follow_rename(old, new)
        if gate.isSelected():
            self._on_selection_changed()

    def _on_gate_defined(self, change) -> None:
        self._refresh_own_gates()

    def _on_definition_changed(self, change) -> None:
        self._refresh_own_gates()

    def _on_gate_status(self, change) -> None:
        self._refresh_own_gates()

    def _refresh_own_gates(self) -> None:
        """Redraw the nodes of the file's own gates: a definition came, went or changed (its
        ports' names, whether it can run)."""
        nodes = self.document.circuit.nodes
        for node_id, gate in self._gates.items():
            if node_id in nodes and nodes[node_id].op in self.document.circuit.definitions:
                gate.refresh(nodes[node_id])

    def _on_output_changed(self, change) -> None:
        self._mark_output(self._current_output_of_circuit())

    def _current_output_of_circuit(self) -> str | None:
        try:
            output = self.document.circuit.output_id()
        except CircuitError:
            return None
        return output if output in self._gates else None

    def _mark_output(self, output: str | None) -> None:
        if output == self._output:
            return
        previous = self._gates.get(self._output) if self._output else None
        if previous is not None:
            previous.set_output(False)
        self._output = output
        if output is not None:
            self._gates[output].set_output(True)

    # ----------------------------------------------------------------- numbers
    def _mark_nan_origin(self, origin) -> None:
        """Badge the gate where a nan was born (engine.nan_origin), and only that gate."""
        badged = self.nan_origin.node_id if self.nan_origin else None
        self.nan_origin = origin
        if badged in self._gates:
            self._gates[badged].set_nan_badge("")
        if origin is not None and origin.node_id in self._gates:
            self._gates[origin.node_id].set_nan_badge(origin.badge)

    def _show_shapes(self) -> None:
        """Thicken the wires that carry vectors and matrices and write their shapes (once per
        output port); mark the gates whose inputs' shapes do not fit, and the wires into them,
        and say a new misfit on the status bar."""
        try:
            plan = plan_of(self.document.circuit)
        except CircuitError:
            plan, shapes, problems = None, {}, {}
        else:
            if plan is self._shapes_plan:
                return  # shapes change only with the structure (a new plan)
            shapes, problems = plan.shapes, dict(plan.shape_problems)
        self._shapes_plan = plan
        for node_id, gate in self._gates.items():
            gate.tensor_shape = shapes.get(node_id, ())
        tagged = set()
        for (dst, _port), wire in self._wires.items():
            shape = shapes.get(wire.src, ())
            wire.set_shape(shape, show_tag=wire.src not in tagged)
            if shape:
                tagged.add(wire.src)
            wire.set_shape_problem(problems.get(dst, ""))
        for node_id in self.shape_problems.keys() | problems.keys():
            gate = self._gates.get(node_id)
            if gate is not None:
                gate.set_shape_problem(problems.get(node_id, ""))
        new = [(node_id, message) for node_id, message in problems.items()
               if self.shape_problems.get(node_id) != message]
        self.shape_problems = problems
        if new:  # in the circuit's names: matmul cannot multiply W (2×2) by x (3 numbers)
            self.status_message.emit(readable_problem(self.document.circuit, plan, *new[0]))

    def _show_results(self, result) -> None:
        """Put the latest values (green) and gradients (red) on every wire and on f's stub."""
        self._show_late_values()
        self._show_shapes()
        if result is None:
            self._mark_nan_origin(None)
            self._mark_output(self._current_output_of_circuit())
            for wire in self._wires.values():
                wire.set_numbers(None, None)
            stub = self.output_stub()
            if stub is not None:
                stub.set_numbers(None, None)
            return
        self._mark_output(result.output if result.output in self._gates else None)
        self._mark_nan_origin(self.document.nan_origin)
        values, grads, incomplete = result.values, result.grads, result.incomplete
        has_grads = result.has_gradients
        # a branch of a fan-out carries its own share back, not the source's whole gradient
        branches = branch_gradients(self.document.circuit, result) if has_grads else {}
        self._branches = branches  # for the wires' tooltips
        for wire in self._wires.values():
            src = wire.src
            if src in incomplete:
                wire.set_numbers(None, None)
            else:
                grad = branches.get((wire.dst, wire.port), grads.get(src))
                wire.set_numbers(values.get(src), grad if has_grads else None)
        stub = self.output_stub()
        if stub is not None:
            shape = self._gates[result.output].tensor_shape
            shown = ((as_shown(values.get(result.output), shape),
                      as_shown(grads.get(result.output), shape)) if has_grads else (None, None))
            if stub.set_numbers(*shown):
                self.overlays_grew.emit()  # f got wider: a fitted view keeps it in view

    def _show_late_values(self) -> None:
        nodes = self.document.circuit.nodes
        for node_id in self._values_later:
            gate = self._gates.get(node_id)
            if gate is not None and node_id in nodes:
                gate.refresh(nodes[node_id])
        self._values_later.clear()

    # ----------------------------------------------------------------- selection
    def _on_selection_changed(self) -> None:
        if not self._quiet:
            self.selection_ids_changed.emit(self.selected_node_ids())

    # ----------------------------------------------------------------- mouse gestures
    def mousePressEvent(self, event):
        self.end_scrub()
        editor = self.editing.editor
        if editor is not None:
            if self.editing.contains(event.scenePos()):
                super().mousePressEvent(event)
                return
            self.commit_editor()
        if event.button() == Qt.LeftButton and not self.wiring.active:
            port = port_at(self, event.scenePos())
            if port is not None:
                self.wiring.start(port, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.LeftButton and isinstance(self.mouseGrabberItem(), GateItem):
            self.snapping = True
            self._move_start = {item.node_id: item.pos() for item in self.selectedItems()
                                if isinstance(item, GateItem)}

    def mouseMoveEvent(self, event):
        if self.wiring.active:
            self.wiring.follow(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self.wiring.active and event.button() == Qt.LeftButton:
            self.wiring.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.LeftButton:
            self._finish_move()

    def _finish_move(self) -> None:
        starts, self._move_start = self._move_start, None
        self.snapping = False
        if not starts:
            return
        circuit = self.document.circuit
        moves = {}
        for node_id, start in starts.items():
            gate = self._gates.get(node_id)
            if gate is None or node_id not in circuit.nodes or gate.pos() == start:
                continue
            moves[node_id] = (circuit.nodes[node_id].pos, (gate.pos().x(), gate.pos().y()))
        if moves:
            self.document.push(MoveNodesCommand(self.document, moves))

    def cancel_gesture(self) -> bool:
        """Escape: drop a wire being drawn, or put gates being dragged back where they started
        (nothing goes on the undo stack); True if there was such a gesture."""
        if self.wiring.drop() is not None:
            self.status_message.emit("Wire cancelled")
            return True
        starts = self._move_start
        if starts is None:
            return False
        self._move_start = None
        self.snapping = False
        grabber = self.mouseGrabberItem()
        if grabber is not None:
            grabber.ungrabMouse()  # the rest of the drag moves nothing
        for node_id, start in starts.items():
            gate = self._gates.get(node_id)
            if gate is not None:
                gate.setPos(start)
        self.status_message.emit("Move cancelled")
        return True

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape and self.cancel_gesture():
            event.accept()
            return
        super().keyPressEvent(event)

    def _cancel_gestures(self) -> None:
        self.wiring.drop()
        self._move_start = None
        self.snapping = False
        self.scrubbing.end()

    # ----------------------------------------------------------------- scrubbing
    def _source_gate_at(self, pos: QPointF) -> GateItem | None:
        for item in self.items(pos):
            gate = item if isinstance(item, GateItem) else item.parentItem()
            if isinstance(gate, GateItem):
                return gate if gate.is_source else None
        return None

    def wheelEvent(self, event):
        if not event.modifiers() & Qt.ControlModifier:
            event.ignore()
            return
        gate = self._source_gate_at(event.scenePos())
        if gate is None:
            event.ignore()
            return
        fine = bool(event.modifiers() & Qt.ShiftModifier)
        self.scrubbing.wheel(gate.node_id, event.delta(), fine)
        event.accept()

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key_Control:
            self.scrubbing.end_wheel()
        super().keyReleaseEvent(event)

    # ----------------------------------------------------------------- tooltips
    def helpEvent(self, event):
        text = self._tooltip_at(event.scenePos())
        if text:
            QToolTip.showText(event.screenPos(), text)
            event.accept()
        else:
            QToolTip.hideText()
            event.ignore()

    def _tooltip_at(self, pos: QPointF) -> str:
        result = self.document.result
        circuit = self.document.circuit
        for item in self.items(pos):
            if isinstance(item, NumberLabel) and item.wire is not None and item.is_drawn():
                item = item.wire  # a wire's numbers tell what the wire does
            if isinstance(item, PortItem):
                if item.is_output:
                    return f"{item.node_id}: output (drag to an input port to wire it)"
                src = circuit.source_of(item.node_id, item.index)
                operand = f"{item.operand}<br>" if item.operand else ""  # matmul: W or x
                return (f"{operand}{item.node_id} input {item.index}: " +
                        (f"from {src}" if src else "not connected (drag from an output)"))
            if isinstance(item, WireItem):
                value, grad = self._wire_numbers(item)
                problem = (f"<br><b style='color:{theme.GRAD_RED.name()}'>"
                           f"{escape(item.shape_problem)}</b>" if item.shape_problem else "")
                if item.tensor_shape:
                    return (f"{item.src} → {item.dst} port {item.port}: "
                            f"{item.shape_text() or size_words(item.tensor_shape)}<br>"
                            f"value <b>{value}</b><br>gradient df/d{item.src} <b>{grad}</b>"
                            f"{problem}<br><i>Click to inspect every element</i>")
                return (f"{item.src} → {item.dst} port {item.port}<br>"
                        f"value <b>{value}</b>, gradient df/d{item.src} <b>{grad}</b>"
                        f"{problem}")
            gate = item if isinstance(item, GateItem) else item.parentItem()
            if isinstance(gate, GateItem) and gate.node_id in circuit.nodes:
                origin = self.nan_origin
                born = (f"<br><b>{escape(origin.cause)}</b>: {escape(origin.text)}"
                        if origin and origin.node_id == gate.node_id else "")
                for problem in (gate.shape_problem, gate.gate_problem):
                    if problem:
                        born += (f"<br><b style='color:{theme.GRAD_RED.name()}'>"
                                 f"{escape(problem)}</b>")
                if gate.tensor_shape:
                    born += ("<br><i>Select it and press I to inspect every element</i>"
                             if gate.is_source else
                             "<br><i>Double-click (or press I) to inspect every element</i>")
                return _gate_tooltip(circuit.nodes[gate.node_id], result) + born
        return ""

    def node_numbers(self, node_id: str) -> tuple:
        """A node's value and gradient in the latest pass (None where there is none)."""
        result = self.document.result
        if result is None or node_id in result.incomplete:
            return None, None
        grad = result.grads.get(node_id) if result.has_gradients else None
        return result.values.get(node_id), grad

    def wire_numbers(self, wire: WireItem) -> tuple:
        """What a wire carries in the latest pass: its source's value and the gradient that
        comes back along it (a fan-out branch's own share); None where there is none."""
        value, grad = self.node_numbers(wire.src)
        if grad is not None:
            grad = self._branches.get((wire.dst, wire.port), grad)
        return value, grad

    def request_inspection(self, node_id: str, port: int | None = None) -> None:
        """Ask for every element of a node's tensor (or of the wire into its ``port``)."""
        self.inspect_requested.emit(node_id, port)

    def is_code_gate(self, node_id: str) -> bool:
        """True when node ``node_id`` is a code gate (double-click edits its code)."""
        node = self.document.circuit.nodes.get(node_id)
        definition = node.gate.definition if node is not None else None
        return definition is not None and definition.kind == "code"

    def request_code_edit(self, node_id: str) -> None:
        """Ask for the code editor on node ``node_id``'s code gate. The press that began the
        double-click ends here: the editor is modal and takes the release, and a gate still
        grabbing the mouse would take the next press on the canvas."""
        if not self.is_code_gate(node_id):
            return
        grabber = self.mouseGrabberItem()
        if grabber is not None:
            grabber.ungrabMouse()
        self._finish_move()
        self.code_edit_requested.emit(self.document.circuit.nodes[node_id].op)

    def _wire_numbers(self, wire: WireItem) -> tuple[str, str]:
        """The wire's value and gradient with every digit (the wire shows them short)."""
        result = self.document.result
        if result is None or wire.src in result.incomplete or wire.src not in result.values:
            return "?", "—"
        value, grad = self.wire_numbers(wire)
        return full_text(value), full_text(grad)

    # ----------------------------------------------------------------- background
    @staticmethod
    def _make_grid_brush() -> QBrush:
        tile = QPixmap(theme.GRID, theme.GRID)
        tile.fill(theme.BACKGROUND)
        painter = QPainter(tile)
        painter.setPen(QPen(theme.GRID_DOT, 1.5))
        painter.drawPoint(QPointF(0.5, 0.5))
        painter.end()
        return QBrush(tile)

    def drawBackground(self, painter, rect):
        painter.fillRect(rect, theme.BACKGROUND)
        if painter.worldTransform().m11() * self.GRID >= 8:
            painter.fillRect(rect, self._grid_brush)


def full_text(number) -> str:
    """A number with every digit, as hovering shows it ('—' for none, '…' for a batch); a
    vector or matrix as its numbers (or its shape and range when big)."""
    if number is None:
        return "—"
    if is_tensor(number) and number.ndim <= 2:
        return tensor_text(number, format_full)
    try:
        return format_full(number)
    except (TypeError, ValueError):
        return "…"


def _gate_tooltip(node, result) -> str:
    """Rich text for a gate: what it computes, its local gradient, and its numbers now."""
    about = gate_tooltip(node.gate)
    numbers = ""
    if result is not None and node.id in result.values and node.id not in result.incomplete:
        value = full_text(result.values[node.id])
        numbers = (f"<br><span style='color:{theme.VALUE_GREEN.name()}'>{node.id} = "
                   f"{value}</span>")
        if result.has_gradients:
            grad = full_text(result.grads.get(node.id))
            numbers += (f", <span style='color:{theme.GRAD_RED.name()}'>"
                        f"df/d{node.id} = {grad}</span>")
    title = f"<b>{node.name}</b>" + (f" ({node.id})" if node.label else "")
    return f"{title}<br>{about}{numbers}"

