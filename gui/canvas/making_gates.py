"""Edit -> Make Gate… and Expand Gate: part of the circuit made one gate of the file, and a
compound gate's inside put back in its place, each as one undo step.

The engine decides (``engine.gate_making``, ``engine.gate_unpacking``) and refuses what it
cannot do with a message that says why (two values leaving the selection, an input in it);
this asks it, asks the user for the name and the ports' order (``make_gate_dialog``), pushes
the command and says on the status bar what happened or why not. The new box, or the gates put
back, become the selection.
"""

from __future__ import annotations

from engine import CircuitError, free_gate_name, gate_making, gate_unpacking
from gui.canvas.make_gate_dialog import ask_gate_making
from gui.model.commands import ExpandCommand, MakeGateCommand


def _gates(count: int) -> str:
    return f"{count} gate" + ("" if count == 1 else "s")


def make_gate(edit_actions, node_ids=None, ask=None) -> str | None:
    """Make one gate of ``node_ids`` (default: the selection), asking its name and ports'
    order with ``ask(parent, circuit, node_ids)`` (default: the dialog); the new node's id,
    or None if refused or cancelled."""
    document, scene = edit_actions.document, edit_actions.scene
    say = edit_actions.status_message.emit
    circuit = document.circuit
    node_ids = list(node_ids) if node_ids is not None else scene.selected_node_ids()
    try:  # is this a selection a gate can be made of? (the name comes next)
        gate_making(circuit, node_ids, free_gate_name(circuit, "gate"))
    except CircuitError as error:
        say(f"Cannot make a gate: {error}")
        return None
    parent = edit_actions.view.window() if edit_actions.view is not None else None
    making = (ask or ask_gate_making)(parent, circuit, node_ids)
    if making is None:
        return None
    document.push(MakeGateCommand(document, making, f"Make gate {making.name}"))
    scene.select_nodes([making.node_id])
    ports = ", ".join(making.definition.ports)
    say(f"Made gate {making.name} of {_gates(len(making.selection))} (ports: {ports}); "
        "Undo puts them back")
    return making.node_id


def compound_node(circuit, node_ids) -> str | None:
    """The one node of a gate made of gates among ``node_ids``, or None."""
    found = [node_id for node_id in node_ids if node_id in circuit.nodes
             and getattr(circuit.nodes[node_id].gate.definition, "kind", "") == "compound"]
    return found[0] if len(found) == 1 else None


def expand_gate(edit_actions, node_id: str | None = None) -> list[str]:
    """Put compound gate node ``node_id``'s inside (default: the selected one's) in its
    place, as one undo step; the ids of the gates put back (empty if refused). The gate's
    definition stays in the file."""
    document, scene = edit_actions.document, edit_actions.scene
    say = edit_actions.status_message.emit
    circuit = document.circuit
    if node_id is None:
        node_id = compound_node(circuit, scene.selected_node_ids())
        if node_id is None:
            say("Cannot expand a gate: select one gate made of other gates (Make Gate…)")
            return []
    try:
        unpacking = gate_unpacking(circuit, node_id)
    except CircuitError as error:
        say(f"Cannot expand {node_id}: {error}")
        return []
    op = circuit.nodes[node_id].op
    document.push(ExpandCommand(document, unpacking, f"Expand gate {node_id}"))
    new_ids = [node.id for node in unpacking.nodes]
    scene.select_nodes(new_ids)
    say(f"Expanded {node_id} into {_gates(len(new_ids))}; the gate {op} stays in this file's "
        "gates")
    return new_ids
