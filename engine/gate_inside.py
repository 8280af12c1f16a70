"""The numbers inside one use of a compound gate: what flows through it in the circuit's run.

Opening a compound gate shows its inside (a circuit of its own). Seen from the use it was
opened from, its port inputs take the values that reach that node's ports, and its output's
upstream gradient is that node's gradient in the run: so the inside's gradients are exactly
those that flow through the gate there (the lecture's sigmoid gate at z = 1 in its neuron shows
1.00 at its port and 0.73 × (1 − 0.73) = 0.20 coming back to it). Nothing of the definition
changes: the values are given to the run, not written into the port inputs.
"""

from __future__ import annotations

import numpy as np

from .autodiff import Result, plan_of, run
from .circuit import Circuit
from .errors import CircuitError


def inside_of(circuit: Circuit, node_id: str) -> Circuit | None:
    """The inside of node ``node_id``'s compound gate, or None if it is no compound gate."""
    definition = circuit.node(node_id).gate.definition
    return definition.circuit if definition is not None and definition.kind == "compound" \
        else None


def run_inside(circuit: Circuit, result: Result | None, node_id: str) -> Result:
    """The forward and backward pass of the inside of compound gate ``node_id`` (a node of
    ``circuit``) with the numbers of ``result``, ``circuit``'s run: its port inputs take the
    values reaching the node's ports and its output is seeded with the node's gradient. Where
    the run has no numbers for the node (a port not connected, no output), the inside runs
    with its own values, seeded with 1."""
    inner = inside_of(circuit, node_id)
    if inner is None:
        raise CircuitError(f"{node_id} is no compound gate: it has no inside to open")
    ports = circuit.node(node_id).gate.definition.ports
    sources = circuit.inputs_of(node_id)
    if result is None or node_id in result.incomplete or None in sources \
            or any(src not in result.values for src in sources):
        return run(inner, allow_incomplete=True)
    values = [result.values[src] for src in sources]
    plan = plan_of(inner)
    if len({np.shape(v) for v in values}) > 1 and all(
            plan.shapes.get(port) == () for port in ports):
        values = np.broadcast_arrays(*values)  # a gate of numbers given arrays: element-wise
    seed = result.grads.get(node_id) if result.has_gradients else None
    try:
        return run(inner, dict(zip(ports, values)), allow_incomplete=True, seed=seed)
    except (CircuitError, ValueError):  # the use's numbers do not fit the inside's shapes
        return run(inner, allow_incomplete=True)
