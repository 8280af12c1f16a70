"""The gradient check of a file's own gates, each tested as one gate.

The circuit's gradient check nudges its inputs and compares whole paths; a wrong local gradient
deep inside a gate of one's own shows there only as a wrong number somewhere upstream. Here each
use of an own gate (compound or code) is checked as the hacker's guide checks a gate: its
backward against centred differences of its forward, port by port, at random inputs and at the
values the circuit feeds it now (``engine.gate_check``'s test, through the gate's row, so the
same for every kind of own gate). A compound gate whose inside is right passes; a gate that
cannot run says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autodiff import run
from .circuit import Circuit
from .gate_check import GateCheck, check_gate_functions
from .gates import gate_number


@dataclass(frozen=True)
class OwnGateCheck:
    """The verdict on one use of an own gate (``node_id``, whose op is ``op``)."""

    node_id: str
    op: str
    check: GateCheck

    @property
    def passed(self) -> bool:
        return self.check.passed


def _numbers(values) -> list:
    return [gate_number(value) for value in values]


def check_own_gate(circuit: Circuit, node_id: str, values: dict | None = None,
                   rng=0) -> GateCheck:
    """Check the own gate at ``node_id`` as one gate, at random inputs and at the port values
    of ``values`` (a pass's values by id; default: a run of the circuit now)."""
    node = circuit.node(node_id)
    row = node.gate
    label = node.op if node_id == node.op else f"{node.op} ({node_id})"
    if row.problem:
        return GateCheck(False, message=f"{label} cannot be checked: {row.problem}")
    sources = circuit.inputs_of(node_id)
    if None in sources:
        return GateCheck(False, message=f"{label} cannot be checked: a port is not connected")
    if values is None:
        values = run(circuit, allow_incomplete=True).values
    at = [values[src] for src in sources]
    ports = (row.definition.ports if row.definition is not None else
             tuple(f"a{k}" for k in range(len(sources))))

    def forward(inputs):
        with np.errstate(all="ignore"):
            return row.forward(_numbers(inputs), node.params)

    def forward_backward(inputs, dz):
        xs = _numbers(inputs)
        with np.errstate(all="ignore"):
            out = row.forward(xs, node.params)
            return out, row.backward(xs, out, gate_number(dz), node.params)

    shapes = [np.shape(value) for value in at]
    if any(not np.all(np.isfinite(value)) for value in at):
        at = None  # no slope to measure there: the random inputs only
    return check_gate_functions(label, ports, forward, forward_backward, shapes, at, rng)


def check_own_gates(circuit: Circuit, values: dict | None = None, rng=0) -> list[OwnGateCheck]:
    """``check_own_gate`` for every use of an own gate in ``circuit``, in the file's order."""
    uses = [node for node in circuit.nodes.values() if node.gate.group == "own"]
    if uses and values is None:
        values = run(circuit, allow_incomplete=True).values
    return [OwnGateCheck(node.id, node.op, check_own_gate(circuit, node.id, values, rng))
            for node in uses]
