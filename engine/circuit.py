"""The circuit: the document people build, edit, run and save.

A circuit is a set of nodes (each an instance of a gate from the gate table, with one output)
and wires (from a node's output to one input port of another node). It is the single source of
truth: the GUI edits it only through the methods below, and redraws when it is told of a change.

The output f is the explicit choice if there is one, else the only node that feeds nothing.
The output rule keeps f from vanishing while a circuit is being built: an edit run through
``keeping_output`` that would lose an output that was only implicit (a new gate is a second node
feeding nothing, a deleted wire leaves two) makes that node the explicit output, and
``unpin_output`` takes the pin back; wiring the explicit output into a gate that feeds nothing
moves f along to that gate, so a circuit grows from its output either way. A wire is drawn under
the whole rule by ``connect_keeping_output``, and ``undo_connect`` takes all of it back.

Every change calls the subscribed listeners with a ``Change``. Changes that alter the shape of
the graph (nodes, wires, ports, ids, the output) bump ``structure_version``, which is what the
autodiff's cached evaluation plan is keyed on; value, params, position and label changes do not.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

import numpy as np

from .definitions import (MAX_OWN_GATES, CodeDefinition, CompoundDefinition, check_gate_name,
                          code_fingerprint, uses_itself)
from .errors import CircuitError, first_and_last, quote, shown, shown_chain, with_article
from .gate_table import GateTable
from .gates import GATES, MAX_PORTS, Gate
from .tensor_values import checked_value, is_tensor


@dataclass
class Node:
    """One gate on the canvas. ``extra`` keeps file keys this version does not know."""

    id: str
    op: str
    value: object = None  # a float, or a frozen float64 array (engine/tensor_values.py)
    params: dict = field(default_factory=dict)
    n_inputs: int = 0
    pos: tuple[float, float] | None = None
    label: str | None = None
    feature: int | tuple | None = None  # a data column, or (0, 1) for a (2,) input
    trainable: bool = True
    extra: dict = field(default_factory=dict)
    # the gate table of the file it is in (engine/gate_table.py); None: the built-in gates
    table: object = field(default=None, repr=False, compare=False)

    @property
    def gate(self) -> Gate:
        """The gate table row of this node."""
        return (self.table or GATES)[self.op]

    @property
    def name(self) -> str:
        """What the canvas shows: the label if there is one, else the id."""
        return self.label or self.id

    @property
    def needs_version_2(self) -> bool:
        """True for what only a version-2 file holds: a vector or matrix value, a tensor gate,
        a binding to several data columns."""
        return is_tensor(self.value) or not self.gate.elementwise or type(self.feature) is tuple

    @property
    def is_data(self) -> bool:
        """True for an input bound to a data feature (never moved by ascent or training)."""
        return self.gate.variable and self.feature is not None

    @property
    def is_movable(self) -> bool:
        """True for inputs that gradient ascent and training may move."""
        return self.gate.variable and self.trainable and self.feature is None


@dataclass(frozen=True)
class Wire:
    """A wire from ``src``'s output into input ``port`` of ``dst``."""

    src: str
    dst: str
    port: int


@dataclass(frozen=True)
class ConnectEdit:
    """What ``connect_keeping_output`` did, so ``undo_connect`` can take it back."""

    wire: Wire
    replaced: str | None  # the src of the wire it replaced
    pinned: str | None  # the implicit output the rule pinned
    moved_output: bool  # the output f followed the wire from its src to its dst


@dataclass(frozen=True)
class Change:
    """What changed: ``kind`` is one of the names in ``Circuit`` methods' docstrings."""

    kind: str
    node_id: str | None = None
    wire: Wire | None = None
    field: str | None = None
    old: object = None
    new: object = None


Listener = Callable[[Change], None]

_ID_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


MAX_COORDINATE = 1e6  # the canvas runs from -1e6 to 1e6 each way


def _position(pos, node_id: str) -> tuple[float, float] | None:
    """``pos`` as a canvas position (None: none); CircuitError if it is off the canvas."""
    if pos is None:
        return None
    x, y = (float(c) for c in pos)
    if not (abs(x) <= MAX_COORDINATE and abs(y) <= MAX_COORDINATE):
        raise CircuitError(f"{node_id}: position ({x:g}, {y:g}) is off the canvas (x and y "
                           f"run from {-MAX_COORDINATE:g} to {MAX_COORDINATE:g})")
    return (x, y)


def _named(node_id: str, op: str) -> str:
    """A gate as messages name it: "q (add)", or just "mul" when its id is its op."""
    return shown(node_id) if node_id == op else f"{shown(node_id)} ({op})"


def _finite(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CircuitError(f"{what}: {value!r} is not a number") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise CircuitError(f"{what}: {value!r} is not a finite number")
    return number


class Circuit:
    """A circuit of gates and wires, with editing methods and change notifications."""

    def __init__(self, title: str = "untitled", *, owner: Circuit | None = None):
        self.title = title
        # A compound gate's inside is a circuit owned by the file's circuit, whose table and
        # definitions it uses; ``defining`` is the name of the gate it is the inside of.
        self.owner = owner
        self.defining: str | None = None
        self.definitions: dict = {} if owner is None else owner.definitions
        self.definitions_version = 0
        self.gates = GateTable(self) if owner is None else owner.gates
        self.nodes: dict[str, Node] = {}
        self._wires: dict[tuple[str, int], str] = {}  # (dst, port) -> src
        self._outgoing: dict[str, dict[tuple[str, int], None]] = {}  # src -> {(dst, port)}
        self.explicit_output: str | None = None
        self.extra: dict = {}
        self.structure_version = 0
        self._next_suffix: dict[str, int] = {}
        self._listeners: list[Listener] = []

    # ----------------------------------------------------------------- notifications
    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(change)`` after every change."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener``."""
        self._listeners.remove(listener)

    def _notify(self, change: Change, structural: bool) -> None:
        if structural:
            self.structure_version += 1
        for listener in list(self._listeners):
            listener(change)
        if self.owner is not None and self.defining is not None:
            self.owner._definition_changed(self.defining, structural, change)

    # ----------------------------------------------------------------- queries
    def node(self, node_id: str) -> Node:
        """The node with this id; CircuitError if there is none."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise CircuitError(f"no node {quote(node_id)}") from None

    def wires(self) -> list[Wire]:
        """Every wire, in the order they were made."""
        return [Wire(src, dst, port) for (dst, port), src in self._wires.items()]

    def source_of(self, dst: str, port: int) -> str | None:
        """The id of the node wired into ``port`` of ``dst``, or None."""
        return self._wires.get((dst, port))

    def inputs_of(self, node_id: str) -> list[str | None]:
        """The node ids wired into each port of ``node_id`` (None where unconnected)."""
        node = self.node(node_id)
        return [self._wires.get((node_id, port)) for port in range(node.n_inputs)]

    def consumers_of(self, node_id: str) -> list[tuple[str, int]]:
        """The (node id, port) pairs that ``node_id``'s output feeds."""
        return list(self._outgoing.get(node_id, ()))

    def unconnected_ports(self) -> list[tuple[str, int]]:
        """Every (node id, port) with no wire, in node order."""
        return [(node.id, port) for node in self.nodes.values()
                for port in range(node.n_inputs) if (node.id, port) not in self._wires]

    def sinks(self) -> list[str]:
        """The nodes whose output feeds nothing."""
        return [node_id for node_id in self.nodes if not self._outgoing.get(node_id)]

    def output_id(self) -> str:
        """The output node: the explicit one, else the only node that feeds nothing."""
        if self.explicit_output is not None:
            return self.explicit_output
        sinks = self.sinks()
        if len(sinks) == 1:
            return sinks[0]
        if not sinks:
            raise CircuitError("the circuit has no nodes" if not self.nodes else
                               "no output: every node feeds another")
        raise CircuitError(f"no output: {len(sinks)} nodes feed nothing "
                           f"({shown_chain(sinks, ', ')}); "
                           "choose one as the output")

    def implicit_output(self) -> str | None:
        """The output when it is not chosen explicitly and exactly one node feeds nothing."""
        if self.explicit_output is not None:
            return None
        sinks = self.sinks()
        return sinks[0] if len(sinks) == 1 else None

    def keeping_output(self, edit: Callable[[], object]) -> str | None:
        """Do ``edit`` (a function editing this circuit) under the output rule: if it loses an
        output that was only implicit, pin that node as the explicit output. Returns the id
        pinned (None if none was); ``unpin_output`` with it takes the pin back."""
        before = self.implicit_output()
        edit()
        if (before is not None and before in self.nodes and self.explicit_output is None
                and self.implicit_output() != before):
            self.set_output(before)
            return before
        return None

    def unpin_output(self, pinned: str | None) -> None:
        """Take back the pin ``keeping_output`` made (nothing if the output was chosen since)."""
        if pinned is not None and self.explicit_output == pinned:
            self.set_output(None)

    def connect_keeping_output(self, src: str, dst: str, port: int) -> ConnectEdit:
        """Wire src into dst:port, replacing the wire there, under the output rule: an output
        that was only implicit and is lost gets pinned, and a wire from the explicit output f
        into a gate that feeds nothing moves f along to that gate. Returns what
        ``undo_connect`` needs."""
        moves = self.explicit_output == src and not self._outgoing.get(dst)
        replaced = []
        pinned = self.keeping_output(lambda: replaced.append(
            self.connect(src, dst, port, replace_existing=True)))
        if moves:
            self.set_output(dst)
        return ConnectEdit(Wire(src, dst, port), replaced[0], pinned, moves)

    def undo_connect(self, edit: ConnectEdit) -> None:
        """Take back ``connect_keeping_output``: the output's move or pin, the wire, and the
        wire it replaced."""
        wire = edit.wire
        if edit.moved_output:
            self.set_output(wire.src)
        self.unpin_output(edit.pinned)
        self.disconnect(wire.dst, wire.port)
        if edit.replaced is not None:
            self.connect(edit.replaced, wire.dst, wire.port)

    def problems(self) -> list[str]:
        """Everything that keeps the circuit from running, one message each (empty if none)."""
        found = [f"{_named(node_id, self.nodes[node_id].op)} port {port} is not connected"
                 for node_id, port in self.unconnected_ports()]
        try:
            self.output_id()
        except CircuitError as error:
            found.append(str(error))
        return found

    def validate(self) -> None:
        """Raise CircuitError listing every unconnected port and a missing output."""
        found = self.problems()
        if found:
            raise CircuitError("the circuit cannot run: " + "; ".join(first_and_last(found)))

    def cycle_path(self, src: str, dst: str) -> list[str] | None:
        """The cycle a wire src -> dst would close, as [src, dst, ..., src], or None."""
        if src == dst:
            return [src, src]
        source = self.nodes.get(src)
        if not self._outgoing.get(dst) or (source is not None and not any(
                (src, port) in self._wires for port in range(source.n_inputs))):
            return None  # nothing downstream of dst or upstream of src: O(1) in either order
        came_from = {dst: None}
        queue = deque([dst])
        while queue:
            current = queue.popleft()
            if current == src:
                path = []
                while current is not None:
                    path.append(current)
                    current = came_from[current]
                return [src] + path[::-1]
            for nxt, _port in self._outgoing.get(current, ()):
                if nxt not in came_from:
                    came_from[nxt] = current
                    queue.append(nxt)
        return None

    def upstream_of(self, node_id: str) -> set[str]:
        """``node_id`` and every node that feeds it, directly or not (a wire from ``node_id``
        into one of them would close a cycle)."""
        return self._reach(node_id, lambda n: (src for src in self.inputs_of(n)
                                               if src is not None))

    def downstream_of(self, node_id: str) -> set[str]:
        """``node_id`` and every node it feeds, directly or not (a wire from one of them into
        ``node_id`` would close a cycle)."""
        return self._reach(node_id, lambda n: (dst for dst, _port in self._outgoing.get(n, ())))

    @staticmethod
    def _reach(node_id: str, neighbours) -> set[str]:
        """``node_id`` and every node reached from it by repeated ``neighbours(node)``."""
        seen = {node_id}
        queue = deque([node_id])
        while queue:
            for other in neighbours(queue.popleft()):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        return seen

    def unique_id(self, stem: str) -> str:
        """A fresh id built from ``stem`` (``mul``, ``mul2``, ``mul3``, ...)."""
        stem = re.sub(r"[^A-Za-z0-9_]", "_", stem) or "n"
        if stem[0].isdigit():
            stem = "n" + stem
        if stem not in self.nodes:
            return stem
        number = self._next_suffix.get(stem, 2)
        while f"{stem}{number}" in self.nodes:
            number += 1
        self._next_suffix[stem] = number + 1
        return f"{stem}{number}"

    def movable_inputs(self) -> list[str]:
        """The ids of inputs that ascent and training may move."""
        return [node.id for node in self.nodes.values() if node.is_movable]

    # ----------------------------------------------------------------- editing
    def add_node(self, op: str, node_id: str | None = None, *, value=None,
                 params: dict | None = None, inputs: int | None = None,
                 pos: Iterable[float] | None = None, label: str | None = None,
                 feature: int | tuple | None = None, trainable: bool = True,
                 extra: dict | None = None) -> Node:
        """Add a gate (change ``node_added``); missing value/params/ports get the defaults."""
        if op not in self.gates:
            raise CircuitError(f"unknown gate '{op}'")
        self._check_use(op)
        gate = self.gates[op]
        node_id = self.unique_id(op) if node_id is None else node_id
        self._check_new_id(node_id)
        if gate.is_source:
            if value is None and isinstance(feature, (list, tuple)):
                value = [0.0] * len(feature)  # one number per data column it takes
            value = 0.0 if value is None else checked_value(value, f"{node_id}: value")
        elif value is not None:
            raise CircuitError(f"{node_id}: {with_article(op)} gate has no value")
        full_params = dict(gate.param_defaults)
        for name, number in (params or {}).items():
            if name not in gate.params:
                raise CircuitError(f"{node_id}: {with_article(op)} gate has no param '{name}'")
            full_params[name] = _finite(number, f"{node_id}: params.{name}")
        ports = gate.default_ports() if inputs is None else self._check_ports(gate, inputs)
        if feature is not None and not gate.variable:
            raise CircuitError(f"{node_id}: only inputs can be bound to a data feature")
        node = Node(node_id, op, value, full_params, ports,
                    _position(pos, node_id), label,
                    self._check_feature(node_id, feature), bool(trainable), dict(extra or {}),
                    self.gates)
        self.nodes[node_id] = node
        self._notify(Change("node_added", node_id), structural=True)
        return node

    def remove_node(self, node_id: str) -> list[Wire]:
        """Remove a node and its wires (``wire_removed`` each, then ``node_removed``); a port
        of the compound gate this circuit is the inside of stays."""
        self.node(node_id)
        refusal = self.removal_refusal(node_id)
        if refusal:
            raise CircuitError(refusal)
        node = self.nodes[node_id]
        removed = [Wire(src, node_id, port) for port in range(node.n_inputs)
                   if (src := self._wires.get((node_id, port))) is not None]
        removed += [Wire(node_id, dst, port) for dst, port in self.consumers_of(node_id)]
        for wire in removed:
            self.disconnect(wire.dst, wire.port)
        if self.explicit_output == node_id:
            self.set_output(None)
        self.nodes.pop(node_id)
        self._outgoing.pop(node_id, None)
        self._notify(Change("node_removed", node_id, old=node), structural=True)
        return removed

    def removal_refusal(self, node_id: str) -> str:
        """Why ``remove_node`` refuses to remove this node ("" when it does not): a port of
        the compound gate this circuit is the inside of stays."""
        definition = self.definitions.get(self.defining) if self.defining else None
        if definition is not None and node_id in definition.ports:
            return (f"{shown(node_id)} is a port of {definition.name}; it stays while the "
                    "gate has that port")
        return ""

    def can_connect(self, src: str, dst: str, port: int) -> str | None:
        """Why a wire src -> dst:port cannot be made (None if it can; a full port is fine)."""
        for node_id in (src, dst):
            if node_id not in self.nodes:
                return f"no node {quote(node_id)}"
        target = self.nodes[dst]
        if not 0 <= port < target.n_inputs:
            named = f"{shown(dst)} ({target.op})"
            return (f"{named} has no input port {port} (its ports are 0 to "
                    f"{target.n_inputs - 1})" if target.n_inputs else
                    f"{named} has no input ports")
        cycle = self.cycle_path(src, dst)
        if cycle:
            return "would close a cycle " + shown_chain(cycle)
        return None

    def connect(self, src: str, dst: str, port: int, *,
                replace_existing: bool = False) -> str | None:
        """Wire src into dst:port (``wire_added``); returns the src it replaced, if any."""
        reason = self.can_connect(src, dst, port)
        if reason:
            raise CircuitError(reason)
        previous = self._wires.get((dst, port))
        if previous is not None:
            if not replace_existing:
                raise CircuitError(f"{shown(dst)} port {port} already has a wire from "
                                   f"{shown(previous)}")
            self.disconnect(dst, port)
        self._wires[(dst, port)] = src
        self._outgoing.setdefault(src, {})[(dst, port)] = None
        self._notify(Change("wire_added", dst, wire=Wire(src, dst, port)), structural=True)
        return previous

    def disconnect(self, dst: str, port: int) -> str:
        """Remove the wire into dst:port (``wire_removed``); returns its source id."""
        src = self._wires.pop((dst, port), None)
        if src is None:
            raise CircuitError(f"{dst} port {port} has no wire")
        del self._outgoing[src][(dst, port)]
        self._notify(Change("wire_removed", dst, wire=Wire(src, dst, port)), structural=True)
        return src

    def set_value(self, node_id: str, value) -> None:
        """Set an input's or const's value, a number, vector or matrix (``node_changed``,
        field ``value``); a change of shape is a change of structure (shapes are inferred
        once per structure)."""
        node = self.node(node_id)
        if not node.gate.is_source:
            raise CircuitError(f"{node_id}: {with_article(node.op)} gate has no value")
        old, node.value = node.value, checked_value(value, f"{node_id}: value")
        reshaped = np.shape(old) != np.shape(node.value)
        self._notify(Change("node_changed", node_id, field="value", old=old, new=node.value),
                     structural=reshaped)

    def set_param(self, node_id: str, name: str, value: float) -> None:
        """Set one param of a scale/offset/pow gate (``node_changed``, field ``params``)."""
        node = self.node(node_id)
        if name not in node.gate.params:
            raise CircuitError(f"{node_id}: {with_article(node.op)} gate has no param '{name}'")
        old = dict(node.params)
        node.params = {**node.params, name: _finite(value, f"{node_id}: params.{name}")}
        self._notify(Change("node_changed", node_id, field="params", old=old,
                            new=dict(node.params)), structural=False)

    def set_input_count(self, node_id: str, count: int) -> list[Wire]:
        """Change the number of ports of add/mul/max/min; wires on dropped ports are removed."""
        node = self.node(node_id)
        count = self._check_ports(node.gate, count)
        dropped = [Wire(src, node_id, port) for port in range(count, node.n_inputs)
                   if (src := self._wires.get((node_id, port))) is not None]
        for wire in dropped:
            self.disconnect(wire.dst, wire.port)
        old, node.n_inputs = node.n_inputs, count
        self._notify(Change("node_changed", node_id, field="n_inputs", old=old, new=count),
                     structural=True)
        return dropped

    def move(self, node_id: str, pos: Iterable[float] | None) -> None:
        """Place a node on the canvas (``node_changed``, field ``pos``)."""
        node = self.node(node_id)
        old = node.pos
        node.pos = _position(pos, node_id)
        self._notify(Change("node_changed", node_id, field="pos", old=old, new=node.pos),
                     structural=False)

    def set_label(self, node_id: str, label: str | None) -> None:
        """Set the name shown instead of the id (``node_changed``, field ``label``)."""
        node = self.node(node_id)
        old, node.label = node.label, (label or None)
        self._notify(Change("node_changed", node_id, field="label", old=old, new=node.label),
                     structural=False)

    def set_feature(self, node_id: str, feature: int | tuple | None) -> None:
        """Bind an input to data column ``feature`` (or to several, ``(0, 1)``, for a vector
        input), or unbind it with None. Binding to several columns or from several is a
        change of structure: the plan checks the input's shape against them."""
        node = self.node(node_id)
        if not node.gate.variable:
            raise CircuitError(f"{node_id}: only inputs can be bound to a data feature")
        old, node.feature = node.feature, self._check_feature(node_id, feature)
        self._notify(Change("node_changed", node_id, field="feature", old=old, new=node.feature),
                     structural=type(old) is tuple or type(node.feature) is tuple)

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Freeze (False) or free (True) an input."""
        node = self.node(node_id)
        if not node.gate.variable:
            raise CircuitError(f"{node_id}: only inputs can be frozen")
        old, node.trainable = node.trainable, bool(trainable)
        self._notify(Change("node_changed", node_id, field="trainable", old=old,
                            new=node.trainable), structural=False)

    def rename(self, node_id: str, new_id: str) -> None:
        """Change a node's id, keeping its wires (``node_renamed``, old and new ids)."""
        node = self.node(node_id)
        if new_id == node_id:
            return
        self._check_new_id(new_id)
        self.nodes = {(new_id if key == node_id else key): value
                      for key, value in self.nodes.items()}
        node.id = new_id
        self._wires = {((new_id if dst == node_id else dst), port):
                       (new_id if src == node_id else src)
                       for (dst, port), src in self._wires.items()}
        self._rebuild_outgoing()
        if self.explicit_output == node_id:
            self.explicit_output = new_id
        definition = self.definitions.get(self.defining) if self.defining else None
        if definition is not None and node_id in definition.ports:
            definition.ports = tuple(new_id if port == node_id else port
                                     for port in definition.ports)
        self._notify(Change("node_renamed", new_id, old=node_id, new=new_id), structural=True)

    def set_output(self, node_id: str | None) -> None:
        """Choose the output node (None: the only node that feeds nothing)."""
        if node_id is not None:
            self.node(node_id)
        old, self.explicit_output = self.explicit_output, node_id
        self._notify(Change("output_changed", node_id, old=old, new=node_id), structural=True)

    def set_title(self, title: str) -> None:
        """Set the circuit's title (``title_changed``)."""
        old, self.title = self.title, title
        self._notify(Change("title_changed", old=old, new=title), structural=False)

    def set_extra(self, key: str, value) -> None:
        """Set (or with None remove) an optional top-level key kept in the file."""
        old = self.extra.get(key)
        if value is None:
            self.extra.pop(key, None)
        else:
            self.extra[key] = value
        self._notify(Change("extra_changed", field=key, old=old, new=value), structural=False)

    # ----------------------------------------------------------------- own gates
    @property
    def root(self) -> Circuit:
        """The file's circuit: itself, or for a compound gate's inside, its owner."""
        return self if self.owner is None else self.owner

    def new_inside(self, name: str) -> Circuit:
        """An empty circuit to be the inside of compound gate ``name`` of this file."""
        inside = Circuit(name, owner=self.root)
        inside.defining = name
        return inside

    def define_gate(self, definition) -> None:
        """Add, or replace, one of the file's own gates (``gate_defined``).

        A replacement keeps the number of ports while the gate is in use; no definition may
        use itself, directly or through others.
        """
        root = self.root
        name = check_gate_name(definition.name, GATES, f"gates.{definition.name}")
        old = root.definitions.get(name)
        if old is None and len(root.definitions) >= MAX_OWN_GATES:
            raise CircuitError(f"a file has at most {MAX_OWN_GATES} gates of its own")
        self._check_definition(definition)
        if old is not None and len(old.ports) != len(definition.ports) and root.uses_of(name):
            raise CircuitError(f"{name} is in use with {len(old.ports)} ports; it cannot "
                               f"get {len(definition.ports)}")
        trial = dict(root.definitions)
        trial[name] = definition
        chain = uses_itself(trial, name)
        if chain:
            raise CircuitError(f"gates.{name}: uses itself ({' -> '.join(chain)})")
        if definition.kind == "compound":
            definition.circuit.owner = root
            definition.circuit.defining = name
            definition.circuit.definitions = root.definitions
            definition.circuit.gates = root.gates
            for node in definition.circuit.nodes.values():
                node.table = root.gates
        if old is not None and old is not definition and old.kind == "compound":
            old.circuit.defining = None  # an inside that is no longer the gate's tells nothing
        root.definitions[name] = definition
        root._definitions_changed(Change("gate_defined", field=name, old=old, new=definition))

    def remove_gate_definition(self, name: str):
        """Remove one of the file's own gates (``gate_defined`` with new None); refused
        while a node uses it. Returns the definition."""
        root = self.root
        if name not in root.definitions:
            raise CircuitError(f"this file has no gate {quote(name)}")
        users = root.uses_of(name)
        if users:
            raise CircuitError(f"{name} is still used by {', '.join(users[:3])}"
                               + (" and others" if len(users) > 3 else ""))
        old = root.definitions.pop(name)
        root._definitions_changed(Change("gate_defined", field=name, old=old, new=None))
        return old

    def gate_status_changed(self, name: str) -> None:
        """Say that a code gate's trust, check or failure changed (``gate_status``)."""
        self.root._definitions_changed(Change("gate_status", field=name))

    def uses_of(self, name: str) -> list[str]:
        """Where own gate ``name`` is used: node ids, "gate/node" inside other definitions."""
        root = self.root
        found = [node.id for node in root.nodes.values() if node.op == name]
        for other, definition in root.definitions.items():
            if definition.kind == "compound":
                found += [f"{other}/{node.id}" for node in definition.circuit.nodes.values()
                          if node.op == name]
        return found

    def code_fingerprint(self) -> str:
        """A sha256 of the file's code gates ("" if none): what trusting the file remembers."""
        return code_fingerprint(self.root.definitions)

    def _check_use(self, op: str) -> None:
        """CircuitError if putting gate ``op`` in this circuit would make a gate use itself."""
        refusal = self.use_refusal(op)
        if refusal:
            raise CircuitError(refusal)

    def use_refusal(self, op: str) -> str:
        """Why gate ``op`` cannot be put in this circuit ("" when it can): a gate cannot use
        itself, directly or not."""
        if self.defining is None or op not in self.definitions:
            return ""
        chain = uses_itself(self.definitions, self.defining, (self.defining, op))
        if chain:
            return (f"{op} cannot be used inside {self.defining}: a gate cannot use itself "
                    f"({' -> '.join(chain)})")
        return ""

    @staticmethod
    def _check_definition(definition) -> None:
        ports = definition.ports
        if not 1 <= len(ports) <= MAX_PORTS:
            raise CircuitError(f"gates.{definition.name}.ports: a gate has 1 to "
                               f"{MAX_PORTS} ports, not {len(ports)}")
        if len(set(ports)) != len(ports):
            raise CircuitError(f"gates.{definition.name}.ports: a port is named twice")
        if definition.kind == "compound":
            inside = definition.circuit
            for port in ports:
                node = inside.nodes.get(port)
                if node is None:
                    raise CircuitError(f"gates.{definition.name}.ports: unknown port "
                                       f"{quote(port)} (no node of that id inside)")
                if not node.gate.variable:
                    raise CircuitError(f"gates.{definition.name}.ports: {quote(port)} is "
                                       f"{with_article(node.op)} node; a port is an input")
        else:
            for port in ports:
                if not isinstance(port, str) or not port.isidentifier():
                    raise CircuitError(f"gates.{definition.name}.ports: {quote(port)} is not "
                                       "a Python name (a code gate's ports are its forward's "
                                       "arguments)")

    def own_gate_failed(self) -> None:
        """A code gate failed while running (its definition says why): plans and rows are made
        again, without a notification (the run that found it is still going on)."""
        self.definitions_version += 1
        self.structure_version += 1
        for definition in self.definitions.values():
            if definition.kind == "compound":
                definition.circuit.structure_version += 1

    def _definitions_changed(self, change: Change) -> None:
        """A definition came, went or changed: every plan and row is made again."""
        self.definitions_version += 1
        for definition in self.definitions.values():
            if definition.kind == "compound":
                definition.circuit.structure_version += 1
        self._notify(change, structural=True)

    def _definition_changed(self, name: str, structural: bool, change: Change) -> None:
        """An edit inside compound gate ``name`` (``definition_changed``, with the inner
        change as ``new``)."""
        self.definitions_version += 1  # rows say what their inside computes (``same_as``)
        if structural:
            for definition in self.definitions.values():
                if definition.kind == "compound" and definition.name != name:
                    definition.circuit.structure_version += 1
        self._notify(Change("definition_changed", field=name, new=change), structural)

    @staticmethod
    def _copied_definition(definition, twin: Circuit):
        if definition.kind == "code":
            return replace(definition, extra=dict(definition.extra))
        inside = twin.new_inside(definition.name)
        inside.title = definition.circuit.title
        definition.circuit._copy_into(inside)
        return replace(definition, circuit=inside, extra=dict(definition.extra))

    # ----------------------------------------------------------------- helpers
    def copy(self) -> Circuit:
        """An independent copy with the same nodes, wires, keys and own gates (and no
        listeners). A compound gate's inside copies as a file of its own."""
        twin = Circuit(self.title)
        for name, definition in self.root.definitions.items():
            twin.definitions[name] = self._copied_definition(definition, twin)
        self._copy_into(twin)
        return twin

    def _copy_into(self, twin: Circuit) -> None:
        twin.nodes = {key: replace(node, params=dict(node.params), extra=dict(node.extra),
                                   table=twin.gates)
                      for key, node in self.nodes.items()}
        twin._wires = dict(self._wires)
        twin._rebuild_outgoing()
        twin.explicit_output = self.explicit_output
        twin.extra = dict(self.extra)

    def _rebuild_outgoing(self) -> None:
        self._outgoing = {}
        for (dst, port), src in self._wires.items():
            self._outgoing.setdefault(src, {})[(dst, port)] = None

    def _check_new_id(self, node_id: str) -> None:
        if not isinstance(node_id, str) or not node_id.strip():
            raise CircuitError("a node id must be a non-empty string")
        if node_id in self.nodes:
            raise CircuitError(f"there is already a node {quote(node_id)}")

    @staticmethod
    def _check_ports(gate: Gate, count) -> int:
        if isinstance(count, bool) or not isinstance(count, int):
            raise CircuitError(f"the number of inputs must be a whole number, not {count!r}")
        if not gate.min_ports <= count <= gate.max_ports:
            if not gate.variadic:
                plural = "input" if gate.min_ports == 1 else "inputs"
                raise CircuitError(f"{with_article(gate.name)} gate has exactly "
                                   f"{gate.min_ports} {plural}")
            raise CircuitError(f"{with_article(gate.name)} gate takes {gate.min_ports} to "
                               f"{gate.max_ports} inputs, not {count}")
        return count

    @staticmethod
    def _check_feature(node_id: str, feature) -> int | tuple | None:
        """A data column (a whole number >= 0), or a list of them for a vector input that
        takes several columns ([0, 1]: each point's (x, y)) as a tuple."""
        if feature is None:
            return None
        columns = feature if isinstance(feature, (list, tuple)) else [feature]
        for column in columns:
            if isinstance(column, bool) or not isinstance(column, int) or column < 0:
                raise CircuitError(f"{node_id}: feature must be a whole number >= 0 or a list "
                                   f"of them, not {feature!r}")
        if isinstance(feature, (list, tuple)):
            if not feature:
                raise CircuitError(f"{node_id}: feature must not be an empty list")
            return tuple(feature)
        return feature


def is_plain_id(text: str) -> bool:
    """True for ids made of letters, digits and underscores (what the editor suggests)."""
    return bool(_ID_PATTERN.match(text))
