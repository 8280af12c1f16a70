"""The port inputs of a compound gate's inside, as shown after opening it.

Inside a gate a port input stands for what reaches that port. Opened from a use, its number is
the use's (``engine.run_inside`` gives it to the run; the value stored in the definition is
not used there), so the Inputs dock, the Properties panel and the gradient check show that
number and refuse to edit it (editing it would change nothing one sees). At every inside
level a port input is never trained nor bound to a data column: those controls do not apply.
"""

from __future__ import annotations

import numpy as np


def port_index(document, node_id: str) -> int | None:
    """Which port of the gate shown ``node_id`` is (None: not a port, or the file's level)."""
    if not document.levels:
        return None
    definition = document.file_circuit.definitions.get(document.levels[-1].name)
    ports = list(getattr(definition, "ports", ()))
    return ports.index(node_id) if node_id in ports else None


def use_value_note(document, node_id: str) -> str:
    """Why ``node_id``'s value cannot be edited here ("" when it can)."""
    index = port_index(document, node_id)
    if index is None or document.levels[-1].use is None:
        return ""
    return (f"the value of port {index} of {document.levels[-1].name} comes from the use it "
            f"was opened from ({document.levels[-1].use})")


def use_port_values(document) -> dict:
    """The numbers the use the shown inside was opened from gives its port inputs (port id ->
    value; {} at the file's level, opened from no use, or when the use's numbers do not fit a
    port's own shape, e.g. a gate of numbers given arrays)."""
    result, circuit = document.result, document.circuit
    if result is None or not document.levels or document.levels[-1].use is None:
        return {}
    values = {}
    for node_id in document.file_circuit.definitions[document.levels[-1].name].ports:
        value = result.values.get(node_id)
        if value is not None and node_id in circuit.nodes \
                and np.shape(value) == np.shape(circuit.nodes[node_id].value):
            values[node_id] = value
    return values
