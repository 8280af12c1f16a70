"""Undo commands: every edit a user makes, as a QUndoCommand that only calls Circuit methods.

Each command remembers what it needs to put things back, and its text names the edit so the
Edit menu can say "Undo Connect x → q". Commands never touch graphics items: the scene redraws
from the circuit's change notifications.

Edits that can lose the circuit's output (a new gate, a pasted fragment, a deleted wire) run
under the circuit's output rule (``Circuit.keeping_output``): the pin it makes belongs to the
same command, and undo takes it back with the edit.

A command is complete once it is pushed: nothing changes it afterwards. Scrubs merge by their
gesture (``gesture``: one key per scrub), so ending a scrub needs no change to the last command.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from PySide6.QtGui import QUndoCommand

from engine import Node, Wire, format_readout
from gui.model.value_text import edit_text, frozen

MERGE_SET_VALUE = 1001


def _restore_node(circuit, node: Node) -> None:
    variadic = circuit.gates[node.op].variadic  # the file's table: an own gate too
    circuit.add_node(node.op, node.id, value=node.value, params=node.params,
                     inputs=node.n_inputs if variadic else None, pos=node.pos,
                     label=node.label, feature=node.feature, trainable=node.trainable,
                     extra=node.extra)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


class _CircuitCommand(QUndoCommand):
    """An edit of the circuit shown when it was made (the file's, or the inside of one of its
    gates): undone or redone while another level is shown, it still edits that circuit."""

    def __init__(self, document, text: str):
        super().__init__(text)
        self.document = document
        self.circuit = document.circuit
        self.pinned: str | None = None

    def _keeping_output(self, edit) -> None:
        """Do ``edit`` under the circuit's output rule, remembering the pin it makes."""
        self.pinned = self.circuit.keeping_output(edit)

    def _unpin(self) -> None:
        self.circuit.unpin_output(self.pinned)
        self.pinned = None


class AddNodeCommand(_CircuitCommand):
    """Place a new gate; its id is chosen once so redo recreates the same node."""

    def __init__(self, document, op: str, pos=None, *, node_id: str | None = None,
                 value=None, params: dict | None = None,
                 inputs: int | None = None, label: str | None = None):
        super().__init__(document, f"Add {op} gate")
        self.node_id = node_id or document.circuit.unique_id(op)
        self.kwargs = dict(value=None if value is None else frozen(value), params=params,
                           inputs=inputs, pos=pos, label=label)
        self.op = op

    def redo(self):
        self._keeping_output(lambda: self.circuit.add_node(self.op, self.node_id, **self.kwargs))

    def undo(self):
        self._unpin()
        self.circuit.remove_node(self.node_id)


class RemoveNodesCommand(_CircuitCommand):
    """Delete gates together with every wire touching them."""

    def __init__(self, document, node_ids, text: str | None = None):
        ids = [node_id for node_id in document.circuit.nodes if node_id in set(node_ids)]
        super().__init__(document, text or (f"Delete {ids[0]}" if len(ids) == 1
                                            else f"Delete {len(ids)} gates"))
        self.node_ids = ids
        self.snapshots: list[Node] = []
        self.wires: list[Wire] = []
        self.output = None

    def redo(self):
        circuit = self.circuit
        self.snapshots = [replace(circuit.nodes[i], params=dict(circuit.nodes[i].params))
                          for i in self.node_ids]
        doomed = set(self.node_ids)
        self.wires = [w for w in circuit.wires() if w.src in doomed or w.dst in doomed]
        self.output = circuit.explicit_output

        def remove():
            for node_id in self.node_ids:
                circuit.remove_node(node_id)
        self._keeping_output(remove)

    def undo(self):
        circuit = self.circuit
        for node in self.snapshots:
            _restore_node(circuit, node)
        for wire in self.wires:
            circuit.connect(wire.src, wire.dst, wire.port)
        if self.output != circuit.explicit_output:
            circuit.set_output(self.output)


class ConnectCommand(_CircuitCommand):
    """Draw a wire src -> dst:port, replacing the wire that was there (undo puts it back),
    under the circuit's output rule (``Circuit.connect_keeping_output``: wiring the explicit
    output f into a gate that feeds nothing moves f along to that gate)."""

    def __init__(self, document, src: str, dst: str, port: int):
        old = document.circuit.source_of(dst, port)
        text = (f"Connect {src} → {dst}" if old is None or old == src
                else f"Connect {src} → {dst} (replacing {old})")
        super().__init__(document, text)
        self.src, self.dst, self.port = src, dst, port
        self.edit = None  # what the circuit did, to take back

    def redo(self):
        self.edit = self.circuit.connect_keeping_output(self.src, self.dst, self.port)

    def undo(self):
        self.circuit.undo_connect(self.edit)


class DisconnectCommand(_CircuitCommand):
    """Remove the wire into dst:port."""

    def __init__(self, document, dst: str, port: int):
        src = document.circuit.source_of(dst, port)
        super().__init__(document, f"Delete wire {src} → {dst}")
        self.src, self.dst, self.port = src, dst, port

    def redo(self):
        self._keeping_output(lambda: self.circuit.disconnect(self.dst, self.port))

    def undo(self):
        self._unpin()
        self.circuit.connect(self.src, self.dst, self.port)


class SetValueCommand(_CircuitCommand):
    """Set an input's or const's value (a number, vector or matrix; a new shape is a change of
    structure, which the plan re-infers); the steps of one scrub (same ``gesture``) of one node
    merge into one undo step. The command keeps read-only copies of both values."""

    def __init__(self, document, node_id: str, value, *, gesture: int | None = None):
        self.node_id, self.new = node_id, frozen(value)
        self.old = document.circuit.node(node_id).value
        super().__init__(document, edit_text(node_id, self.old, self.new))
        self.gesture = gesture

    def id(self):
        return MERGE_SET_VALUE if self.gesture is not None else -1

    def mergeWith(self, other):
        if other.gesture != self.gesture or other.node_id != self.node_id:
            return False
        self.new = other.new
        self.setText(edit_text(self.node_id, self.old, self.new))
        return True

    def redo(self):
        self.circuit.set_value(self.node_id, self.new)

    def undo(self):
        self.circuit.set_value(self.node_id, self.old)


class SetValuesCommand(_CircuitCommand):
    """Set several sources at once (e.g. the inputs after a gradient-ascent run): one step."""

    def __init__(self, document, new_values: dict, text: str, old_values: dict | None = None):
        super().__init__(document, text)
        self.new = {node_id: frozen(value) for node_id, value in new_values.items()}
        self.old = {node_id: frozen(value) for node_id, value in (
            old_values or {i: document.circuit.node(i).value for i in new_values}).items()}

    def redo(self):
        for node_id, value in self.new.items():
            self.circuit.set_value(node_id, value)

    def undo(self):
        for node_id, value in self.old.items():
            self.circuit.set_value(node_id, value)


class SetParamCommand(_CircuitCommand):
    """Set a param (c of scale/offset, p of pow)."""

    def __init__(self, document, node_id: str, name: str, value: float):
        super().__init__(document, f"Set {node_id}.{name} = {format_readout(value)}")
        self.node_id, self.name, self.new = node_id, name, float(value)
        self.old = document.circuit.node(node_id).params[name]

    def redo(self):
        self.circuit.set_param(self.node_id, self.name, self.new)

    def undo(self):
        self.circuit.set_param(self.node_id, self.name, self.old)


class SetInputCountCommand(_CircuitCommand):
    """Change how many ports an add/mul/max/min gate has. Fewer ports drop the wires on the
    ports that go, which the text says ("Set inputs of q to 2 (removes 2 wires)"); undo
    restores them."""

    def __init__(self, document, node_id: str, count: int):
        circuit = document.circuit
        self.dropping = [Wire(src, node_id, port)
                         for port, src in enumerate(circuit.inputs_of(node_id))
                         if port >= count and src is not None]
        text = f"Set inputs of {node_id} to {count}"
        if self.dropping:
            text += f" (removes {_count(len(self.dropping), 'wire')})"
        super().__init__(document, text)
        self.node_id, self.new = node_id, count
        self.old = circuit.node(node_id).n_inputs
        self.dropped: list[Wire] = []

    def status_text(self) -> str:
        """What the status bar says after this edit: the wires it removed, if any."""
        if not self.dropping:
            return ""
        wires = ", ".join(f"{wire.src} → {wire.dst}" for wire in self.dropping)
        them = "it" if len(self.dropping) == 1 else "them"
        return (f"Set inputs of {self.node_id} to {self.new}: removed "
                f"{_count(len(self.dropping), 'wire')} ({wires}); Undo puts {them} back")

    def redo(self):
        def resize():
            self.dropped = self.circuit.set_input_count(self.node_id, self.new)
        self._keeping_output(resize)

    def undo(self):
        self._unpin()
        self.circuit.set_input_count(self.node_id, self.old)
        for wire in self.dropped:
            self.circuit.connect(wire.src, wire.dst, wire.port)


def push_input_count(document, node_id: str, count: int, say: Callable[[str], None],
                     push: Callable | None = None) -> None:
    """Give gate ``node_id`` ``count`` ports as one undo step (with ``push``, else the
    document's), then ``say`` which wires that removed, if it removed any."""
    command = SetInputCountCommand(document, node_id, count)
    (push or document.push)(command)
    if command.status_text():
        say(command.status_text())


class MoveNodesCommand(_CircuitCommand):
    """Move gates: one command per drag, holding each gate's start and end position."""

    def __init__(self, document, moves: dict):
        count = len(moves)
        super().__init__(document, f"Move {next(iter(moves))}" if count == 1
                         else f"Move {count} gates")
        self.moves = dict(moves)  # node id -> (old pos, new pos)

    def redo(self):
        for node_id, (_old, new) in self.moves.items():
            self.circuit.move(node_id, new)

    def undo(self):
        for node_id, (old, _new) in self.moves.items():
            self.circuit.move(node_id, old)


class RenameCommand(_CircuitCommand):
    """Change a node's id (its wires follow)."""

    def __init__(self, document, node_id: str, new_id: str):
        super().__init__(document, f"Rename {node_id} to {new_id}")
        self.old, self.new = node_id, new_id

    def redo(self):
        self.circuit.rename(self.old, self.new)

    def undo(self):
        self.circuit.rename(self.new, self.old)


class _SetFieldCommand(_CircuitCommand):
    """Set one simple node field through its Circuit setter, remembering the old value."""

    setter_name = ""
    field_name = ""

    def __init__(self, document, node_id: str, new, text: str):
        super().__init__(document, text)
        self.node_id, self.new = node_id, new
        self.old = getattr(document.circuit.node(node_id), self.field_name)

    def redo(self):
        getattr(self.circuit, self.setter_name)(self.node_id, self.new)

    def undo(self):
        getattr(self.circuit, self.setter_name)(self.node_id, self.old)


class SetLabelCommand(_SetFieldCommand):
    """Set the name shown on a gate instead of its id."""

    setter_name, field_name = "set_label", "label"

    def __init__(self, document, node_id: str, label: str | None):
        super().__init__(document, node_id, label or None, f"Label {node_id}")


class SetFeatureCommand(_SetFieldCommand):
    """Bind an input to a data column, or unbind it."""

    setter_name, field_name = "set_feature", "feature"

    def __init__(self, document, node_id: str, feature: int | None):
        super().__init__(document, node_id, feature,
                         f"Unbind {node_id}" if feature is None
                         else f"Bind {node_id} to feature {feature}")


class SetTrainableCommand(_SetFieldCommand):
    """Freeze or free an input."""

    setter_name, field_name = "set_trainable", "trainable"

    def __init__(self, document, node_id: str, trainable: bool):
        super().__init__(document, node_id, bool(trainable),
                         f"{'Free' if trainable else 'Freeze'} {node_id}")


class SetTitleCommand(_CircuitCommand):
    """Give the circuit a new title (Save names an untitled circuit after its file)."""

    def __init__(self, document, title: str):
        super().__init__(document, f"Title {title}")
        self.circuit = document.file_circuit  # the file's title, whatever level is shown
        self.old, self.new = self.circuit.title, title

    def redo(self):
        self.circuit.set_title(self.new)

    def undo(self):
        self.circuit.set_title(self.old)


class SetOutputCommand(_CircuitCommand):
    """Choose which node is the circuit's output f."""

    def __init__(self, document, node_id: str | None):
        super().__init__(document, f"Make {node_id} the output" if node_id else "Clear output")
        self.new = node_id
        self.old = document.circuit.explicit_output

    def redo(self):
        self.circuit.set_output(self.new)

    def undo(self):
        self.circuit.set_output(self.old)


class AddFragmentCommand(_CircuitCommand):
    """Add several nodes and the wires among them at once (paste, duplicate, templates).

    ``nodes`` are engine Nodes whose ids are already free in the circuit; ``wires`` connect
    them (or connect existing nodes into them). ``definitions`` are own gates they use that
    the file lacks (pasted from another file): defined first, removed again by undo.
    """

    def __init__(self, document, nodes: list[Node], wires: list[Wire], text: str,
                 definitions=()):
        super().__init__(document, text)
        self.nodes = nodes
        self.wires = wires
        self.definitions = list(definitions)

    @property
    def node_ids(self) -> list[str]:
        """The ids of the nodes this command adds."""
        return [node.id for node in self.nodes]

    def redo(self):
        for definition in self.definitions:
            self.circuit.define_gate(definition)

        def add():
            for node in self.nodes:
                _restore_node(self.circuit, node)
            for wire in self.wires:
                self.circuit.connect(wire.src, wire.dst, wire.port)
        self._keeping_output(add)

    def undo(self):
        self._unpin()
        for node in reversed(self.nodes):
            self.circuit.remove_node(node.id)
        for definition in reversed(self.definitions):
            self.circuit.remove_gate_definition(definition.name)


class SetExtraCommand(_CircuitCommand):
    """Set (or with None remove) a top-level key the file keeps, e.g. the data set."""

    def __init__(self, document, key: str, value, text: str):
        super().__init__(document, text)
        self.circuit = document.file_circuit  # a key of the file, whatever level is shown
        self.key, self.new = key, value
        self.old = self.circuit.extra.get(key)

    def redo(self):
        self.circuit.set_extra(self.key, self.new)

    def undo(self):
        self.circuit.set_extra(self.key, self.old)


class ExpandCommand(_CircuitCommand):
    """Replace tensor gates by the scalar gates they stand for (an ``engine.Expansion``).

    Undo puts the circuit back exactly as it was, the order of its nodes and wires included
    (that order is the file's and the passes' tie-break), so it rebuilds the whole circuit
    from what it was before.
    """

    def __init__(self, document, expansion, text: str):
        super().__init__(document, text)
        self.expansion = expansion
        self.nodes: list[Node] = []
        self.wires: list[Wire] = []
        self.output: str | None = None

    def redo(self):
        circuit = self.circuit
        self.nodes = [replace(node, params=dict(node.params), extra=dict(node.extra))
                      for node in circuit.nodes.values()]
        self.wires = circuit.wires()
        self.output = circuit.explicit_output
        self.expansion.apply(circuit)

    def undo(self):
        circuit = self.circuit
        for node_id in reversed(list(circuit.nodes)):
            circuit.remove_node(node_id)
        for node in self.nodes:
            _restore_node(circuit, node)
        for wire in self.wires:
            circuit.connect(wire.src, wire.dst, wire.port)
        if circuit.explicit_output != self.output:
            circuit.set_output(self.output)


class MakeGateCommand(ExpandCommand):
    """Replace the selected gates by one gate made of them (an ``engine.GateMaking``), which
    defines the gate in the file. Undo puts the circuit back exactly, as ExpandCommand does,
    and removes the definition."""

    def undo(self):
        super().undo()
        self.circuit.remove_gate_definition(self.expansion.name)


class RemoveGateCommand(_CircuitCommand):
    """Remove one of the file's own gates that no node uses; undo defines it again (last in
    the file's list of gates)."""

    def __init__(self, document, name: str):
        super().__init__(document, f"Remove gate {name} from this file")
        self.name = name
        self.definition = None

    def redo(self):
        self.definition = self.circuit.remove_gate_definition(self.name)

    def undo(self):
        self.circuit.define_gate(self.definition)


class ImportGatesCommand(_CircuitCommand):
    """Define gates imported from a library (an ``engine.GateImport``) as one step; undo
    removes the gates it added and puts back, as they were, the ones it replaced."""

    def __init__(self, document, gate_import):
        super().__init__(document, f"Import {_count(len(gate_import.imported), 'gate')}")
        self.gate_import = gate_import
        self.done = ()  # what apply did, for take_back

    def redo(self):
        self.done = self.gate_import.apply(self.circuit)

    def undo(self):
        self.gate_import.take_back(self.circuit, self.done)
        self.done = ()
