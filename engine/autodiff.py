"""Forward and backward passes: the chain rule, gate by gate, in topological order.

A ``Plan`` is what a circuit's structure compiles to: the nodes in topological order (Kahn's
algorithm, iterative, so a 5000-deep chain is fine), each step's gate functions and the
positions of its inputs, and the steps the backward pass needs (those upstream of the output).
It is cached on the circuit and rebuilt only when ``structure_version`` changes, so an
optimisation loop pays only for the arithmetic.

The forward pass computes every node's value; the backward pass seeds df/df = 1 at the output
and walks the steps in reverse, multiplying each upstream gradient by the gate's local gradient
and adding (``+``, never assignment) what reaches each input, so fan-out is right. Any source
may be bound to a numpy array (a batch); values broadcast, and the gradient of a node that was
not batched is summed over the batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .circuit import Circuit
from .errors import CircuitError
from .gates import GATES


def as_number(value):
    """A float64 scalar or a float64 array: the only kinds of numbers the passes handle."""
    if np.ndim(value) == 0:
        return np.float64(value)
    return np.asarray(value, dtype=np.float64)


def _sum_to_shape(grad, shape):
    """Sum a broadcast gradient back to the shape of the value it belongs to."""
    grad = np.asarray(grad, dtype=np.float64)
    if grad.shape == shape:
        return grad
    if grad.ndim < len(shape):  # a batched node that does not reach the output: its 0 per point
        grad = grad + np.zeros(shape)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


class Plan:
    """A circuit's structure compiled for evaluation: order, steps, output."""

    def __init__(self, circuit: Circuit):
        self.version = circuit.structure_version
        self.order = topological_order(circuit)
        self.index = {node_id: i for i, node_id in enumerate(self.order)}
        nodes = [circuit.nodes[node_id] for node_id in self.order]
        self.nodes = nodes
        self.sources = [(i, node) for i, node in enumerate(nodes) if node.gate.is_source]
        self.steps = []
        self.incomplete: set[str] = set()
        for i, node in enumerate(nodes):
            if node.gate.is_source:
                continue
            ports = circuit.inputs_of(node.id)
            if any(src is None or src in self.incomplete for src in ports):
                self.incomplete.add(node.id)
                continue
            gate = GATES[node.op]
            self.steps.append((i, gate.forward, gate.backward,
                               tuple(self.index[src] for src in ports), node))
        self.problems = circuit.problems()
        try:
            self.output = circuit.output_id()
        except CircuitError:
            self.output = None
        self.output_index = None if self.output is None else self.index[self.output]
        self.backward_steps = self._steps_upstream_of_output()

    def _steps_upstream_of_output(self):
        if self.output is None or self.output in self.incomplete:
            return []
        needed = {self.output_index}
        upstream = []
        for step in reversed(self.steps):
            if step[0] in needed:
                upstream.append(step)
                needed.update(step[3])
        return upstream

    def source_values(self, overrides: dict | None = None) -> list:
        """The values of the sources (node values, or the overrides given by id)."""
        overrides = overrides or {}
        for key in overrides:
            if key not in self.index or not self.nodes[self.index[key]].gate.is_source:
                raise CircuitError(f"'{key}' is not an input or const of this circuit")
        return [(i, as_number(overrides.get(node.id, node.value))) for i, node in self.sources]

    def forward(self, overrides: dict | None = None) -> list:
        """Every node's value, in plan order (nan where the circuit is incomplete)."""
        values = [np.float64(np.nan)] * len(self.nodes)
        for i, value in self.source_values(overrides):
            values[i] = value
        with np.errstate(all="ignore"):
            for i, forward, _backward, ports, node in self.steps:
                values[i] = forward([values[j] for j in ports], node.params)
        return values

    def backward(self, values: list) -> list:
        """Every node's df/d(node), in plan order (0 where a node does not reach the output)."""
        grads = [np.float64(0.0)] * len(self.nodes)
        if not self.backward_steps and self.output_index is None:
            return grads
        grads[self.output_index] = np.ones_like(values[self.output_index])
        with np.errstate(all="ignore"):
            for i, _forward, backward, ports, node in self.backward_steps:
                sent = backward([values[j] for j in ports], values[i], grads[i], node.params)
                for j, grad in zip(ports, sent):
                    grads[j] = grads[j] + grad
        for i, (grad, value) in enumerate(zip(grads, values)):
            if np.shape(grad) != np.shape(value):
                grads[i] = _sum_to_shape(grad, np.shape(value))
        return grads


@dataclass
class Result:
    """What one forward + backward pass computed (numbers are floats or numpy arrays)."""

    output: str | None
    value: object
    values: dict
    grads: dict
    order: list
    incomplete: frozenset
    problems: list


def topological_order(circuit: Circuit) -> list[str]:
    """Node ids so that every node comes after the nodes feeding it (insertion order on ties)."""
    pending = {node_id: 0 for node_id in circuit.nodes}
    feeds: dict[str, list[str]] = {node_id: [] for node_id in circuit.nodes}
    for wire in circuit.wires():
        pending[wire.dst] += 1
        feeds[wire.src].append(wire.dst)
    ready = [node_id for node_id, count in pending.items() if count == 0]
    ready.reverse()
    order = []
    while ready:
        node_id = ready.pop()
        order.append(node_id)
        for dst in reversed(feeds[node_id]):
            pending[dst] -= 1
            if pending[dst] == 0:
                ready.append(dst)
    if len(order) != len(circuit.nodes):
        raise CircuitError("the circuit has a cycle")
    return order


def plan_of(circuit: Circuit) -> Plan:
    """The circuit's cached plan, rebuilt only after a structural change."""
    plan = getattr(circuit, "_plan", None)
    if plan is None or plan.version != circuit.structure_version:
        plan = Plan(circuit)
        circuit._plan = plan
    return plan


def _plain(number):
    return float(number) if np.ndim(number) == 0 else number


def run(circuit: Circuit, inputs: dict | None = None, *, allow_incomplete: bool = False) -> Result:
    """Forward and backward pass; ``inputs`` overrides source values by id (scalars or arrays).

    Raises CircuitError if the circuit cannot run, unless ``allow_incomplete``: then nodes that
    cannot be computed are nan and listed in ``incomplete``, and gradients are computed only if
    the output can be.
    """
    plan = plan_of(circuit)
    if plan.problems and not allow_incomplete:
        raise CircuitError("the circuit cannot run: " + "; ".join(plan.problems))
    values = plan.forward(inputs)
    grads = plan.backward(values)
    return Result(
        output=plan.output,
        value=None if plan.output_index is None else _plain(values[plan.output_index]),
        values={node_id: _plain(v) for node_id, v in zip(plan.order, values)},
        grads={node_id: _plain(g) for node_id, g in zip(plan.order, grads)},
        order=list(plan.order),
        incomplete=frozenset(plan.incomplete),
        problems=list(plan.problems),
    )
