"""Edit -> Expand to Scalars: the selected tensor gates (none selected: the whole circuit)
replaced by the circuit of number gates they stand for, as one undo step.

The engine decides what is expanded and refuses what it cannot (``engine.expansion_of``: a
gate's whole tensor region, at most ``engine.EXPAND_MAX_ELEMENTS`` elements per node); this
only asks it, pushes the command and says in the status bar what happened or why not.
"""

from __future__ import annotations

from engine import CircuitError, expansion_of
from gui.model.commands import ExpandCommand


def _gates(count: int) -> str:
    return f"{count} gate" + ("" if count == 1 else "s")


def expand_to_scalars(edit_actions, node_ids=None) -> bool:
    """Expand ``node_ids`` (default: the selection; nothing selected: every tensor); True if
    the circuit changed."""
    circuit = edit_actions.document.circuit
    if node_ids is None:
        node_ids = edit_actions.scene.selected_node_ids() or None
    try:
        expansion = expansion_of(circuit, node_ids)
    except CircuitError as error:
        edit_actions.status_message.emit(f"Cannot expand to scalars: {error}")
        return False
    region = expansion.region
    named = region[0] if len(region) == 1 else f"{len(region)} tensor nodes"
    listed = "" if len(region) == 1 else f" ({', '.join(region)})"
    edit_actions.document.push(ExpandCommand(edit_actions.document, expansion,
                                             f"Expand {named} to scalars"))
    edit_actions.scene.select_nodes([])
    edit_actions.status_message.emit(
        f"Expanded {named}{listed} into {_gates(len(expansion.nodes))} on single numbers; "
        "Undo puts the tensors back")
    return True
