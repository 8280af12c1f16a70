"""Watch it flow: the forward and backward passes animated on the canvas, gate by gate.

The forward pass visits the gates in topological order (``engine.chain_rule.forward_schedule``).
At each gate, dots carry the values of its input wires from their sources to it; each wire's
green number appears when its dots arrive, and the gate shows what it computed
("q = -2.00 + 5.00 = 3.00"). The backward pass starts with df/df = 1.00 at the output and
visits the gates upstream of it in reverse order: each gate shows its chain rule ("exp scales by
the local gradient", "-0.53 × 0.37 = -0.20 → times_minus_1") and red dots carry what it sends
back down each input wire, whose red number appears when they arrive. Where a node's output
fans out, each wire shows the gradient its branch sent back and, once every branch is in, the
node shows them adding up ("-0.20 + 0.40 = 0.20"). When the pass is done, every wire's
thickness shows the |gradient| that came back along it, until the circuit changes.

``FlowController`` runs it: ``play``, ``pause``, ``step`` (one gate, at once), ``play_step``
(one gate, animated, then pause: the Step button), ``restart``, ``finish`` (jump to the end),
``cancel`` (back to the plain canvas). ``phase`` is "idle", "forward", "backward" or "done" and
``visited`` lists the gates in the order their numbers arrived. A 16 ms timer moves the dots
while something moves and stops otherwise. The numbers come from one snapshot of the document's
result taken when a run starts; any edit of the document cancels the run and removes every
overlay (dots, captions, wire widths).

``install(window)`` adds the Flow toolbar and the Run menu's actions to a main window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsItem

from engine import (CircuitError, PassStep, backward_schedule, fan_out_sum, forward_caption,
                    forward_schedule, format_number, gate_chain_rule)
from gui.common import theme
from gui.flow.captions import ABOVE, BELOW, LEFT, Caption
from gui.flow.dots import FRAME_MS, DotTrain, dot_speed, frame_step, wire_width

IDLE, FORWARD, BACKWARD, DONE = "idle", "forward", "backward", "done"
SPEED_MIN, SPEED_MAX, SPEED_DEFAULT = 1, 10, 5
_FRAME_LIMIT = 0.05  # a late frame moves the dots as if 50 ms had passed, at most
VIEW_MARGIN = 80  # px kept round the gate being worked on when the view follows it (its card)


def speed_factor(speed: int) -> float:
    """The slider's speed as a factor on the dots' speed (x1 at the default, x2 per 1.5)."""
    return 2.0 ** ((speed - SPEED_DEFAULT) / 1.5)


@dataclass
class _Flight:
    """One number travelling along one wire."""

    src: str
    dst: str
    port: int
    number: object
    train: DotTrain
    speed: float
    landed: bool = False


@dataclass
class _Stage:
    """One gate of a pass and the numbers travelling to it (forward) or from it (backward)."""

    phase: str
    step: PassStep
    flights: list = field(default_factory=list)


def _alive(item) -> bool:
    return item is not None and shiboken6.isValid(item)


class FlowController(QObject):
    """Plays the animated passes over a document's canvas."""

    phase_changed = Signal(str)
    state_changed = Signal()  # playing, paused, a gate done: for buttons to follow
    status_message = Signal(str)

    def __init__(self, document, scene, parent=None):
        super().__init__(parent)
        self.setObjectName("flow_controller")
        self.document = document
        self.scene = scene
        self.phase = IDLE
        self.visited: list[str] = []
        self.speed = SPEED_DEFAULT
        self._playing = False
        self._pause_after_stage = False
        self._stages: list[_Stage] = []
        self._next = 0
        self._current: _Stage | None = None
        self._draining: list[DotTrain] = []
        self._result = None
        self._rules = {}
        self._captions: dict[tuple[str, str], Caption] = {}  # (kind, node id) -> caption
        self._branch_grads: dict[tuple[str, int], object] = {}
        self._pending: dict[str, int] = {}  # node id -> branches still to arrive
        self._fans_out: set[str] = set()
        self._hidden: dict[tuple[str, int], list[bool]] = {}  # (dst, port) -> [value, grad]
        self._stub_hidden = [False, False]
        self._timer = QTimer(self)
        self._timer.setObjectName("flow_timer")
        self._timer.setInterval(FRAME_MS)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        document.changed.connect(self._on_document_changed)
        document.circuit_replaced.connect(self._on_document_replaced)

    # ----------------------------------------------------------------- state
    @property
    def playing(self) -> bool:
        """True while the passes play on their own (not paused, not finished)."""
        return self._playing

    @property
    def timer_active(self) -> bool:
        """True while the frame timer runs (only while dots move)."""
        return self._timer.isActive()

    def set_speed(self, speed: int) -> None:
        """The speed slider's value, SPEED_MIN to SPEED_MAX."""
        self.speed = max(SPEED_MIN, min(SPEED_MAX, int(speed)))
        factor = speed_factor(self.speed)
        for flight in self._current.flights if self._current else ():
            flight.speed = dot_speed(flight.number, factor)

    def captions(self) -> list[str]:
        """The texts of the captions on the canvas now, in the order they appeared."""
        return [caption.text() for caption in self._captions.values() if _alive(caption)]

    def caption_of(self, node_id: str, kind: str = "") -> str:
        """The text of a gate's caption ('' if none); ``kind``: "forward", "backward" or
        "fan_out" (default: whichever it has, backward first)."""
        kinds = (kind,) if kind else ("backward", "fan_out", "forward")
        for k in kinds:
            caption = self._captions.get((k, node_id))
            if _alive(caption):
                return caption.text()
        return ""

    def shown_value(self, dst: str, port: int) -> str:
        """The green number visible on the wire into ``port`` of ``dst`` ('' if hidden)."""
        wire = self.scene.wire_item(dst, port)
        if wire is None or not wire.value_label.isVisible():
            return ""
        return wire.value_text()

    def shown_grad(self, dst: str, port: int) -> str:
        """The red number visible on the wire into ``port`` of ``dst`` ('' if hidden): the
        gradient that came back along it (its branch's share where the source fans out)."""
        wire = self.scene.wire_item(dst, port)
        if wire is None or not wire.grad_label.isVisible():
            return ""
        return wire.grad_text()

    # ----------------------------------------------------------------- commands
    def play(self) -> None:
        """Play the passes from where they are (from the start when idle or done)."""
        if self.phase in (IDLE, DONE) and not self._begin():
            return
        self._playing = True
        self._pause_after_stage = False
        self._start_timer()
        self.state_changed.emit()

    def pause(self) -> None:
        """Freeze the dots where they are."""
        self._playing = False
        self._pause_after_stage = False
        self._timer.stop()
        self.state_changed.emit()

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        self.pause() if self._playing else self.play()

    def step(self) -> bool:
        """Advance one gate at once (its numbers arrive now); False when there is none left."""
        self._playing = self._pause_after_stage = False
        if self.phase in (IDLE, DONE):
            if self.phase == DONE or not self._begin():
                self.state_changed.emit()
                return False
        self._drop_trains()
        if self._current is None:
            if self._next >= len(self._stages):
                self._timer.stop()
                return False
            self._launch_next()
        self._land_all()
        self._timer.stop()
        self.state_changed.emit()
        return True

    def play_step(self) -> None:
        """Animate the next gate and pause when its numbers have arrived (the Step button).
        Pressed again while that gate's dots still move, it lands them at once."""
        if self._current is not None and self._timer.isActive() and not self._playing:
            self.step()
            return
        if self.phase in (IDLE, DONE) and not self._begin():
            return
        self._playing = False
        self._pause_after_stage = True
        if self._current is None:
            if self._next >= len(self._stages):
                return
            self._launch_next()
        self._start_timer()
        self.state_changed.emit()

    def restart(self) -> None:
        """Back to the start of the forward pass (still playing if it was)."""
        was_playing = self._playing
        self.cancel(quiet=True)
        if self._begin():
            if was_playing:
                self.play()
            else:
                self.status_message.emit("Ready: press Play or Step to send the values forward")
        self.state_changed.emit()

    def finish(self) -> None:
        """Jump to the end: every number arrived, captions and wire widths shown."""
        if self.phase == IDLE and not self._begin():
            return
        while self.step():
            pass
        self._drop_trains()
        self._timer.stop()
        self.state_changed.emit()

    def cancel(self, quiet: bool = False) -> None:
        """Stop and clear every overlay: the canvas shows its plain numbers again."""
        self._timer.stop()
        self._playing = self._pause_after_stage = False
        self._clear_overlays()
        was = self.phase
        self._set_phase(IDLE)
        if was != IDLE and not quiet:
            self.state_changed.emit()

    # ----------------------------------------------------------------- document
    def _on_document_changed(self, _change) -> None:
        if self.phase != IDLE:
            self.cancel()
            self.status_message.emit("The circuit changed: the animation stopped")

    def _on_document_replaced(self) -> None:
        if self.phase != IDLE:
            self.cancel()

    # ----------------------------------------------------------------- a run
    def _begin(self) -> bool:
        """Take a snapshot of the numbers, hide them, and stand before the first gate."""
        self._clear_overlays()
        self.document.flush()
        result = self.document.result
        circuit = self.document.circuit
        if result is None or result.problems:
            problems = "; ".join(result.problems) if result is not None else "nothing to run"
            self.status_message.emit(f"Cannot animate the passes: {problems}")
            self._set_phase(IDLE)
            return False
        try:
            forward = forward_schedule(circuit)
            backward = backward_schedule(circuit)
        except CircuitError as error:
            self.status_message.emit(f"Cannot animate the passes: {error}")
            return False
        self._result = result
        self._rules = {}
        self._stages = ([_Stage(FORWARD, step) for step in forward]
                        + [_Stage(BACKWARD, step) for step in backward])
        self._next = 0
        self._current = None
        self.visited = []
        self._pending = {}
        for step in backward:
            for wire in step.wires:
                self._pending[wire.src] = self._pending.get(wire.src, 0) + 1
        self._fans_out = {node_id for node_id, count in self._pending.items()
                          if count > 1 or (count and node_id == result.output)}
        for wire in self.scene.wire_items():
            self._hide(wire.dst, wire.port, value=True, grad=True)
        self._stub_hidden = [True, True]
        self._apply_stub()
        self._set_phase(FORWARD)
        if not self._stages:
            self._finish_run()
        return True

    def _rule(self, node_id: str):
        if node_id not in self._rules:
            self._rules[node_id] = gate_chain_rule(self.document.circuit, self._result, node_id)
        return self._rules[node_id]

    def _fold_captions(self) -> None:
        for caption in self._captions.values():
            if _alive(caption):
                caption.set_active(False)

    def _keep_in_view(self, node_id: str) -> None:
        """Scroll the canvas, if need be, so the gate being worked on is in view (a big
        circuit seen zoomed in); the view does not move while the gate is visible."""
        gate = self.scene.gate_item(node_id)
        if gate is None:
            return
        for view in self.scene.views():
            shown = view.mapToScene(view.viewport().rect()).boundingRect()
            if not shown.contains(gate.sceneBoundingRect()):
                view.ensureVisible(gate, VIEW_MARGIN, VIEW_MARGIN)

    def _launch_next(self) -> None:
        self._fold_captions()
        stage = self._stages[self._next]
        self._next += 1
        node_id = stage.step.node_id
        self._keep_in_view(node_id)
        backward = stage.phase == BACKWARD
        if backward and self.phase == FORWARD:
            self._enter_backward()
        factor = speed_factor(self.speed)
        rule = self._rule(node_id) if backward else None
        for wire in stage.step.wires:
            item = self.scene.wire_item(wire.dst, wire.port)
            if item is None:
                continue
            number = rule.ports[wire.port].sent if backward else self._result.values[wire.src]
            train = DotTrain(item.path(), number, backward=backward, reverse=backward)
            self.scene.addItem(train)
            stage.flights.append(_Flight(wire.src, wire.dst, wire.port, number, train,
                                         dot_speed(number, factor)))
        self._current = stage
        if backward:
            short = [port.caption(format_number) for port in rule.ports]
            lines = [f"{text} → {port.source}" for text, port in zip(short, rule.ports)]
            self._show_caption("backward", node_id, rule.pattern_text, lines, theme.GRAD_RED,
                               ABOVE, short)
            self.status_message.emit(
                f"Backward: {node_id} got df/d{node_id} = {format_number(rule.upstream)}; "
                f"{rule.pattern_text}")
        else:
            sources = ", ".join(wire.src for wire in stage.step.wires)
            self.status_message.emit(f"Forward: {sources} → {node_id}")

    def _enter_backward(self) -> None:
        for key in [key for key in self._captions if key[0] == "forward"]:
            self._remove(self._captions.pop(key))
        self._stub_hidden[1] = False  # df/df = 1.00: where the backward pass starts
        self._apply_stub()
        self._set_phase(BACKWARD)

    def _land(self, flight: _Flight) -> None:
        flight.landed = True
        if self._current.phase == FORWARD:
            self._hide(flight.dst, flight.port, value=False)
            return
        self._branch_grads[(flight.dst, flight.port)] = flight.number
        self._hide(flight.dst, flight.port, grad=False)  # the wire's red number is its branch's
        self._pending[flight.src] -= 1
        if self._pending[flight.src] == 0 and flight.src in self._fans_out:
            circuit = self.document.circuit
            fan = fan_out_sum(circuit, self._result, flight.src)
            side = LEFT if circuit.nodes[flight.src].gate.is_source else BELOW
            self._show_caption("fan_out", flight.src,
                               f"{flight.src} fans out: the branches add up",
                               [fan.caption(format_number)], theme.GRAD_RED, side)

    def _land_all(self) -> None:
        for flight in self._current.flights:
            if not flight.landed:
                self._land(flight)
        self._complete_stage(drain=False)

    def _complete_stage(self, drain: bool) -> None:
        stage, self._current = self._current, None
        for flight in stage.flights:
            if drain:
                self._draining.append(flight.train)
            else:
                self._remove(flight.train)
        node_id = stage.step.node_id
        self.visited.append(node_id)
        if stage.phase == FORWARD:
            text = forward_caption(self.document.circuit, self._result, node_id, format_number)
            self._show_caption("forward", node_id, "", [f"{node_id} = {text}"],
                               theme.VALUE_GREEN, ABOVE, [text])
            if node_id == self._result.output:
                self._stub_hidden[0] = False
                self._apply_stub()
        if self._next >= len(self._stages):
            self._finish_run()
        self.state_changed.emit()

    def _finish_run(self) -> None:
        sizes = [abs(float(g)) for g in self._branch_grads.values()]
        largest = max((size for size in sizes if math.isfinite(size)), default=0.0)
        for wire in self.scene.wire_items():
            key = (wire.dst, wire.port)
            wire.set_flow_width(wire_width(self._branch_grads.get(key, 0.0), largest))
            self._hide(wire.dst, wire.port, value=False, grad=False)
        self._stub_hidden = [False, False]
        self._apply_stub()
        # the last gate's card stays whole (its step is the one just taken); the rest folded
        self._playing = self._pause_after_stage = False
        self._set_phase(DONE)
        self.status_message.emit("Backward pass done: every gradient has arrived; wire "
                                 "thickness shows |gradient| until the circuit changes")

    # ----------------------------------------------------------------- frames
    def _start_timer(self) -> None:
        if not self._timer.isActive():
            self._clock.start()
            self._timer.start()

    def _tick(self) -> None:
        dt = min(self._clock.restart() / 1000.0, _FRAME_LIMIT)
        for train in list(self._draining):  # the dots of gates already done leave the wire
            if not _alive(train):
                self._draining.remove(train)
                continue
            train.set_lead(train.lead + frame_step(max(train.length, 200.0) * 2.0, dt))
            if train.drained:
                self._draining.remove(train)
                self._remove(train)
        if self._current is not None:
            for flight in self._current.flights:
                train = flight.train
                train.set_lead(train.lead + frame_step(flight.speed, dt))
                if not flight.landed and train.arrived:
                    self._land(flight)
            if all(flight.landed for flight in self._current.flights):
                self._complete_stage(drain=True)
                if self._pause_after_stage:
                    self._pause_after_stage = False
                    self.state_changed.emit()
        if self._current is None and self._playing and self._next < len(self._stages):
            self._launch_next()
        moving = self._current is not None and (self._playing or self._pause_after_stage)
        if not moving and not self._draining:
            self._timer.stop()
            if self.phase == DONE and self._playing:
                self._playing = False
                self.state_changed.emit()

    # ----------------------------------------------------------------- overlays
    def _set_phase(self, phase: str) -> None:
        if phase != self.phase:
            self.phase = phase
            self.phase_changed.emit(phase)

    def _hide(self, dst: str, port: int, value: bool | None = None,
              grad: bool | None = None) -> None:
        hidden = self._hidden.setdefault((dst, port), [False, False])
        if value is not None:
            hidden[0] = value
        if grad is not None:
            hidden[1] = grad
        wire = self.scene.wire_item(dst, port)
        if wire is not None:
            wire.set_numbers_visible(not hidden[0], not hidden[1])

    def _apply_stub(self) -> None:
        stub = self.scene.output_stub()
        if _alive(stub):
            stub.set_numbers_visible(not self._stub_hidden[0], not self._stub_hidden[1])

    def _show_caption(self, kind: str, node_id: str, title: str, lines: list[str], color,
                      side: int, short_lines: list[str] | None = None) -> None:
        gate = self.scene.gate_item(node_id)
        if gate is None:
            return
        old = self._captions.pop((kind, node_id), None)
        if old is not None:
            self._remove(old)
        caption = Caption(title, lines, color, side, short_lines)
        self.scene.addItem(caption)
        caption.place(gate.sceneBoundingRect())
        self._captions[(kind, node_id)] = caption

    def _remove(self, item: QGraphicsItem) -> None:
        if _alive(item) and item.scene() is not None:
            item.scene().removeItem(item)

    def _drop_trains(self) -> None:
        for train in self._draining:
            self._remove(train)
        self._draining = []

    def _clear_overlays(self) -> None:
        """Remove dots and captions; show every number and the normal widths."""
        self._drop_trains()
        if self._current is not None:
            for flight in self._current.flights:
                self._remove(flight.train)
        self._current = None
        for caption in self._captions.values():
            self._remove(caption)
        self._captions = {}
        self._branch_grads = {}
        self._hidden = {}
        self._stages = []
        self._next = 0
        self.visited = []
        for wire in self.scene.wire_items():
            if _alive(wire):
                wire.set_numbers_visible(True, True)
                wire.set_flow_width(None)
        self._stub_hidden = [False, False]
        self._apply_stub()

