"""Watch it flow: the forward and backward passes animated on the canvas, level by level.

The forward pass visits the gates in levels of the same depth (``gui.flow.levels``): all the
gates of a level move together, as one step. At each gate, dots carry the values of its input
wires from their sources to it; each wire's green number appears when its dots arrive, and the
gate shows what it computed ("q = -2.00 + 5.00 = 3.00"). The backward pass starts with
df/df = 1.00 at the output and visits the gates upstream of it level by level, the output's
level first: each gate shows its chain rule ("exp scales by the local gradient",
"-0.53 × 0.37 = -0.20 → times_minus_1") and red dots carry what it sends back down each input
wire, whose red number appears when they arrive. Where a node's output fans out, each wire
shows the gradient its branch sent back and, once every branch is in, the node shows them
adding up ("-0.20 + 0.40 = 0.20"). When the pass is done, every wire's thickness shows the
|gradient| that came back along it, until the circuit changes. A pass takes as many steps as
the circuit is deep, each about ``dots.TRAVEL_SECONDS`` at the default speed.

``FlowController`` runs it: ``play``, ``pause``, ``step`` (one level, at once), ``play_step``
(one level, animated, then pause: the Step button), ``restart``, ``finish`` (jump to the end),
``cancel`` (back to the plain canvas), ``step_into`` and ``step_out`` (a compound gate's inside's
steps in a card beside it: gui/flow/inside_steps.py). ``phase`` is "idle", "forward", "backward"
or "done", ``levels`` lists the steps of the run (the ids of each level's gates) and ``visited``
the gates in the order the passes reached them. Captions that would cover each other or a gate
are kept hidden (``captions.arrange``); selecting a gate shows its own; zoomed out, cards are
enlarged to be read (``captions.readable_scale``) and arranged again. The view follows the
gates being worked on only when it is zoomed in beyond the fit (a fitted view already shows them
all), and End and Restart bring it back to where the run started. A 16 ms timer moves the dots
while something moves and stops otherwise. The numbers come from one snapshot of the document's
result taken when a run starts; any edit of the document cancels the run and removes every
overlay (dots, captions, wire widths).

``install(window)`` adds the Flow toolbar and the Run menu's actions to a main window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shiboken6
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsItem

from engine import (CircuitError, PassStep, backward_schedule, fan_out_sum, forward_caption,
                    forward_schedule, format_number, gate_chain_rule, inside_of, inside_pass,
                    value_text)
from gui.common import theme
from gui.flow.captions import ABOVE, BELOW, LEFT, Caption, arrange, readable_scale
from gui.flow.dots import FRAME_MS, DotTrain, dot_speed, size_of, wire_width
from gui.flow.inside_steps import InsideSteps
from gui.flow.levels import backward_levels, forward_levels

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
    landed: bool = False


@dataclass
class _Stage:
    """One level of a pass: its gates and the numbers travelling to them (forward) or from
    them (backward)."""

    phase: str
    steps: list[PassStep]
    flights: list = field(default_factory=list)

    @property
    def node_ids(self) -> list[str]:
        return [step.node_id for step in self.steps]


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
        self._captions_changed = False  # captions folded or went: arrange them all again
        self._new_captions: list[Caption] = []  # to fit in among those shown
        self._working: set[tuple[str, str]] = set()  # the captions of the level now: whole
        self._batch = False  # while End runs every step: arrange the captions once, after
        self.hidden_captions = 0  # how many captions are kept hidden for want of room
        self._flights_left: dict[str, int] = {}  # forward: gate -> its values still on the way
        self._branch_grads: dict[tuple[str, int], object] = {}
        self._pending: dict[str, int] = {}  # node id -> branches still to arrive
        self._fans_out: set[str] = set()
        self._hidden: dict[tuple[str, int], list[bool]] = {}  # (dst, port) -> [value, grad]
        self._stub_hidden = [False, False]
        self._inside: InsideSteps | None = None  # the compound gate stepped into
        self._start_places = {}  # view -> where it was when the run started
        self._followed = False  # the view scrolled to follow the gates since then
        self._timer = QTimer(self)
        self._timer.setObjectName("flow_timer")
        self._timer.setInterval(FRAME_MS)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        document.changed.connect(self._on_document_changed)
        document.circuit_replaced.connect(self._on_document_replaced)
        scene.selectionChanged.connect(self._on_selection_changed)
        scene.view_zoom_changed.connect(self._on_view_zoom_changed)

    # ----------------------------------------------------------------- state
    @property
    def playing(self) -> bool:
        """True while the passes play on their own (not paused, not finished)."""
        return self._playing

    @property
    def timer_active(self) -> bool:
        """True while the frame timer runs (only while dots move)."""
        return self._timer.isActive()

    @property
    def levels(self) -> list[list[str]]:
        """The steps of the run: the ids of each level's gates, forward then backward."""
        return [stage.node_ids for stage in self._stages]

    def set_speed(self, speed: int) -> None:
        """The speed slider's value, SPEED_MIN to SPEED_MAX."""
        self.speed = max(SPEED_MIN, min(SPEED_MAX, int(speed)))
        factor = speed_factor(self.speed)
        for flight in self._current.flights if self._current else ():
            flight.train.set_speed(dot_speed(flight.number, flight.train.length, factor))

    def captions(self) -> list[str]:
        """The texts of the captions of the run now (shown, or hidden for want of room), in
        the order they appeared."""
        return [caption.text() for caption in self._captions.values() if _alive(caption)]

    def caption_items(self) -> list[Caption]:
        """The caption cards of the run now, shown or hidden."""
        return [caption for caption in self._captions.values() if _alive(caption)]

    def caption_of(self, node_id: str, kind: str = "") -> str:
        """The text of a gate's caption ('' if none; it may be hidden for want of room);
        ``kind``: "forward", "backward" or "fan_out" (default: whichever it has, backward
        first)."""
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
        self.step_out()
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
        """Advance one level at once (its numbers arrive now); False when there is none left.
        Stepped into a compound gate: show its inside's next step (past the last: step out)."""
        if self._inside is not None:
            self._step_inside()
            return True
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
        self._arrange_captions()
        self.state_changed.emit()
        return True

    def play_step(self) -> None:
        """Animate the next level and pause when its numbers have arrived (the Step button).
        Pressed again while that level's dots still move, it lands them at once. Stepped into
        a compound gate, it shows the inside's next step."""
        if self._inside is not None:
            self._step_inside()
            return
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
        self._arrange_captions()
        self._start_timer()
        self.state_changed.emit()

    def restart(self) -> None:
        """Back to the start of the forward pass (still playing if it was), and the view back
        to where it was when the run started."""
        was_playing = self._playing
        self.cancel(quiet=True)
        self._return_to_start()
        if self._begin():
            if was_playing:
                self.play()
            else:
                self.status_message.emit("Ready: press Play or Step to send the values forward")
        self.state_changed.emit()

    def finish(self) -> None:
        """Jump to the end: every number arrived, captions and wire widths shown, and the view
        back to where it was when the run started."""
        self.step_out()
        if self.phase == IDLE and not self._begin():
            return
        self._return_to_start()
        self._batch = True
        try:
            while self.step():
                pass
        finally:
            self._batch = False
        self._captions_changed = True
        self._arrange_captions(retry_hidden=True)
        if self.phase == DONE:
            self._say_done()
        self._drop_trains()
        self._timer.stop()
        self.state_changed.emit()

    # ----------------------------------------------------------------- stepping into a gate
    @property
    def inside(self) -> InsideSteps | None:
        """The compound gate stepped into and the steps of its inside shown, or None."""
        return self._inside

    def gate_to_step_into(self) -> str | None:
        """The compound gate of the level being worked on (or just done), if any."""
        if self._inside is not None or self.phase not in (FORWARD, BACKWARD):
            return None
        stage = self._current or (self._stages[self._next - 1] if self._next else None)
        circuit = self.document.circuit
        for node_id in stage.node_ids if stage is not None else ():
            if node_id in circuit.nodes and inside_of(circuit, node_id) is not None:
                return node_id
        return None

    def step_into(self) -> bool:
        """Pause, and show the first step of the inside of the level's compound gate, with
        this use's numbers (gui/flow/inside_steps.py); False if there is none."""
        node_id = self.gate_to_step_into()
        if node_id is None:
            return False
        stage = self._current or self._stages[self._next - 1]
        if self._current is not None:  # its numbers arrive now: the gate has its own
            self._playing = self._pause_after_stage = False
            self._land_all()
            self._timer.stop()
        else:
            self.pause()
        try:
            passes = inside_pass(self.document.circuit, self._result, node_id,
                                 backward=stage.phase == BACKWARD)
        except CircuitError as error:
            self.status_message.emit(f"Cannot step into {node_id}: {error}")
            return False
        self._inside = InsideSteps(passes)
        self._show_inside()
        return True

    def step_out(self) -> None:
        """Put the inside's card away; the passes go on from where they were."""
        if self._inside is None:
            return
        node_id, self._inside = self._inside.gate_id, None
        card = self._captions.pop(("inside", node_id), None)
        if card is not None:
            self._remove(card)
        self._captions_changed = True
        self._arrange_captions(retry_hidden=True)
        self.status_message.emit(f"Back out of {node_id}: Step goes on with the passes")
        self.state_changed.emit()

    def _step_inside(self) -> None:
        if self._inside.advance():
            self._show_inside()
        else:
            self.step_out()

    def _show_inside(self) -> None:
        inside = self._inside
        color = theme.GRAD_RED if inside.passes.backward else theme.VALUE_GREEN
        self._show_caption("inside", inside.gate_id, inside.title(), inside.lines(), color,
                           BELOW)
        self._captions_changed = True
        self._arrange_captions(retry_hidden=True)
        self.status_message.emit(inside.message())
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

    def _on_view_zoom_changed(self, zoom: float) -> None:
        scale = readable_scale(zoom)
        resized = [card.set_text_scale(scale) for card in self.caption_items()]
        if any(resized):
            self._captions_changed = True
            self._arrange_captions(retry_hidden=True)

    def _on_selection_changed(self) -> None:
        if self._captions and _alive(self.scene):
            self._captions_changed = True
            self._arrange_captions(retry_hidden=True)

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
        self._start_places = {view: view.place() for view in self.scene.views()}
        self._followed = False
        self._stages = ([_Stage(FORWARD, level) for level in forward_levels(forward)]
                        + [_Stage(BACKWARD, level) for level in backward_levels(backward)])
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
        self._working = set()
        for caption in self._captions.values():
            if _alive(caption) and caption.active:
                caption.set_active(False)
                self._captions_changed = True

    def _keep_in_view(self, node_ids: list[str]) -> None:
        """Scroll a view zoomed in beyond the fit, if need be, so a gate being worked on is in
        view: the view does not move while one of them is visible, else it shows the first.
        (A view at the fit or further out shows the circuit whole: it never moves.)"""
        gates = [gate for gate in map(self.scene.gate_item, node_ids) if gate is not None]
        if not gates:
            return
        for view in self.scene.views():
            shown = view.mapToScene(view.viewport().rect()).boundingRect()
            if (not any(shown.contains(gate.sceneBoundingRect()) for gate in gates)
                    and view.zoomed_in_beyond_fit()):
                view.ensureVisible(gates[0], VIEW_MARGIN, VIEW_MARGIN)
                self._followed = True

    def _return_to_start(self) -> None:
        """Put the views the run scrolled back where they were when it started."""
        if self._followed:
            self._followed = False
            for view, place in self._start_places.items():
                if _alive(view):
                    view.return_to(place)

    def _launch_next(self) -> None:
        self._fold_captions()
        stage = self._stages[self._next]
        self._next += 1
        if not self._batch:
            self._keep_in_view(stage.node_ids)
        backward = stage.phase == BACKWARD
        if backward and self.phase == FORWARD:
            self._enter_backward()
        factor = speed_factor(self.speed)
        for step in stage.steps:
            rule = self._rule(step.node_id) if backward else None
            self._flights_left[step.node_id] = 0
            for wire in step.wires:
                item = self.scene.wire_item(wire.dst, wire.port)
                if item is None:
                    continue
                number = (rule.ports[wire.port].sent if backward
                          else self._result.values[wire.src])
                train = DotTrain(item.path(), number, backward=backward, reverse=backward)
                train.set_speed(dot_speed(number, train.length, factor))
                self.scene.addItem(train)
                stage.flights.append(_Flight(wire.src, wire.dst, wire.port, number, train))
                self._flights_left[step.node_id] += 1
            if backward:
                self._show_rule(rule)
        self._current = stage
        if not self._batch:
            self.status_message.emit(self._level_message(stage))
            self.state_changed.emit()  # Step Into follows the level being worked on

    def _show_rule(self, rule) -> None:
        short = [port.caption(format_number) for port in rule.ports]
        lines = [f"{text} → {port.source}" for text, port in zip(short, rule.ports)]
        self._show_caption("backward", rule.node_id, rule.pattern_text, lines, theme.GRAD_RED,
                           ABOVE, short)

    def _level_message(self, stage: _Stage) -> str:
        """The status bar's line for a level: its gate (and what it does), or how many."""
        count = sum(1 for other in self._stages if other.phase == stage.phase)
        number = self._stages.index(stage) + 1
        if stage.phase == BACKWARD:
            number -= len(self._stages) - count
        where = f"step {number} of {count}"
        if len(stage.steps) > 1:
            names = ", ".join(stage.node_ids[:4]) + (", …" if len(stage.steps) > 4 else "")
            verb = "send their gradients back" if stage.phase == BACKWARD else "compute"
            return (f"{stage.phase.capitalize()}, {where}: {len(stage.steps)} gates {verb} "
                    f"together ({names})")
        step = stage.steps[0]
        node_id = step.node_id
        if stage.phase == BACKWARD:
            rule = self._rule(node_id)
            return (f"Backward, {where}: {node_id} got df/d{node_id} = "
                    f"{value_text(rule.upstream)}; {rule.pattern_text}")
        sources = ", ".join(wire.src for wire in step.wires)
        return f"Forward, {where}: {sources} → {node_id}"

    def _enter_backward(self) -> None:
        for key in [key for key in self._captions if key[0] == "forward"]:
            self._remove(self._captions.pop(key))
        self._captions_changed = True
        self._stub_hidden[1] = False  # df/df = 1.00: where the backward pass starts
        self._apply_stub()
        self._set_phase(BACKWARD)

    def _land(self, flight: _Flight) -> None:
        flight.landed = True
        if self._current.phase == FORWARD:
            self._hide(flight.dst, flight.port, value=False)
            self._flights_left[flight.dst] -= 1
            if self._flights_left[flight.dst] == 0:  # every value it needs is in
                self._show_forward(flight.dst)
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
        self.visited.extend(stage.node_ids)
        if stage.phase == FORWARD:
            for node_id in stage.node_ids:
                if ("forward", node_id) not in self._captions:
                    self._show_forward(node_id)
        if self._next >= len(self._stages):
            self._finish_run()
        self.state_changed.emit()

    def _show_forward(self, node_id: str) -> None:
        """The gate's caption once its values are in: what it computed."""
        text = forward_caption(self.document.circuit, self._result, node_id, format_number)
        self._show_caption("forward", node_id, "", [f"{node_id} = {text}"],
                           theme.VALUE_GREEN, ABOVE, [text])
        if node_id == self._result.output:
            self._stub_hidden[0] = False
            self._apply_stub()

    def _finish_run(self) -> None:
        sizes = {key: size_of(g) for key, g in self._branch_grads.items()}
        largest = max((size for size in sizes.values() if math.isfinite(size)), default=0.0)
        for wire in self.scene.wire_items():
            key = (wire.dst, wire.port)
            wire.set_flow_width(wire_width(sizes.get(key, 0.0), largest))
            self._hide(wire.dst, wire.port, value=False, grad=False)
        self._stub_hidden = [False, False]
        self._apply_stub()
        # the last gate's card stays whole (its step is the one just taken); the rest folded
        self._playing = self._pause_after_stage = False
        self._set_phase(DONE)
        if not self._batch:  # End says it once its captions are arranged
            self._captions_changed = True
            self._arrange_captions(retry_hidden=True)
            self._say_done()

    def _say_done(self) -> None:
        hidden = ""
        if self.hidden_captions:
            hidden = (f"; {self.hidden_captions} chain-rule cards are hidden where they would "
                      "cover others: select a gate to see its own")
        self.status_message.emit("Backward pass done: every gradient has arrived; wire "
                                 "thickness shows |gradient| until the circuit changes"
                                 + hidden)

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
            train.move_on(2 * dt)
            if train.drained:
                self._draining.remove(train)
                self._remove(train)
        if self._current is not None:
            for flight in self._current.flights:
                flight.train.move_on(dt)
                if not flight.landed and flight.train.arrived:
                    self._land(flight)
            if all(flight.landed for flight in self._current.flights):
                self._complete_stage(drain=True)
                if self._pause_after_stage:
                    self._pause_after_stage = False
                    self.state_changed.emit()
        if self._current is None and self._playing and self._next < len(self._stages):
            self._launch_next()
        self._arrange_captions()
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
        caption.set_text_scale(readable_scale(self.scene.view_zoom))
        caption.setVisible(False)  # ``_arrange_captions`` shows it if it fits
        self.scene.addItem(caption)
        caption.set_anchor(gate.sceneBoundingRect())
        self._captions[(kind, node_id)] = caption
        self._new_captions.append(caption)
        self._working.add((kind, node_id))

    def _arrange_captions(self, retry_hidden: bool = False) -> None:
        """Show the captions that fit without covering each other or a gate: all of them
        again (the selected gates' first, then the level being worked on, then the most
        recent) when cards folded or went, else only the new ones, where there is room.
        Cards already hidden for want of room are tried again only if ``retry_hidden``."""
        if self._batch:
            return
        new, self._new_captions = self._new_captions, []
        if self._captions_changed:
            self._captions_changed = False
            selected = set(self.scene.selected_node_ids())
            ranked, wanted = [], []
            for rank, (key, card) in enumerate(reversed(self._captions.items())):
                if not _alive(card):
                    continue
                stepped_into = key[0] == "inside"  # always shown whole, first
                card.set_active(key[1] in selected or key in self._working or stepped_into)
                ranked.append((key[1] not in selected and not stepped_into, not card.active,
                               rank, card))
                if key[1] in selected or stepped_into:
                    wanted.append(card)
            ranked.sort(key=lambda entry: entry[:3])
            arrange([entry[3] for entry in ranked], retry_hidden, wanted)
        else:
            arrange([card for card in new if _alive(card)])  # among those shown, if room
        self.hidden_captions = sum(not card.isVisible() for card in self.caption_items())

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
        self._inside = None
        self._new_captions = []
        self._working = set()
        self.hidden_captions = 0
        self._flights_left = {}
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

