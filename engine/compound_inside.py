"""Stepping into a compound gate: its inside's own pass, with the numbers of one use.

The animated passes treat a compound gate as one gate. Stepping into it shows how its inside
worked its number out at this use: forward, its port inputs take the values the file's run
fed its ports, and each gate inside computes its own; backward, the inside's output starts with
the gradient the gate got (its upstream gradient, not 1) and each gate inside sends its share
back, until the port inputs hold what the gate sends down its ports. For the lecture's sigmoid
gate at the neuron (z = 1.00, df/dsig = 1.00): 1/x scales by −0.53, +1 passes it, exp scales
by 0.37, ×−1 by −1, and z gets 0.20, the gate's own local gradient times 1.00.

The steps are written as the outer captions are (``forward_caption``, ``gate_chain_rule``), on
the inside's circuit and a run of it with those numbers, so a gate inside that is itself a
compound gate is one gate here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .autodiff import Result
from .chain_rule import backward_schedule, forward_caption, forward_schedule, gate_chain_rule
from .circuit import Circuit
from .errors import CircuitError, quote
from .gate_inside import inside_of, run_inside
from .number_format import format_number
from .value_format import value_text


@dataclass(frozen=True)
class InsideStep:
    """One gate of the inside's pass: what its caption says (``title``: the backward
    pattern, "" forward) and its equations."""

    node_id: str
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class InsidePass:
    """A compound gate's inside at one use, one pass: where it starts and its steps."""

    gate_id: str
    op: str
    backward: bool
    start: str  # "z = 1.00 from z" (forward), "f starts with 1.00, the gradient sig got"
    steps: tuple[InsideStep, ...]
    inside: Circuit
    result: Result


def inside_pass(circuit: Circuit, result: Result, node_id: str, backward: bool,
                fmt=format_number) -> InsidePass:
    """The inside's forward (or backward) pass of compound gate ``node_id`` with the numbers of
    ``result`` (the file's run); CircuitError if the gate has no inside or no numbers."""
    node = circuit.node(node_id)
    inside = inside_of(circuit, node_id)
    if inside is None:
        raise CircuitError(f"{quote(node_id)} is {node.op}, a gate without an inside to step "
                           "into")
    sources = circuit.inputs_of(node_id)
    if None in sources or node_id not in result.values:
        raise CircuitError(f"{quote(node_id)} cannot be computed: a port is not connected")
    ports = node.gate.definition.ports
    fed = {port: result.values[src] for port, src in zip(ports, sources)}
    upstream = result.grads.get(node_id, 0.0)
    inner = run_inside(circuit, result, node_id)
    if inner.gate_problems or inner.shape_problems or not inner.has_gradients:
        raise CircuitError("its inside cannot run: " + "; ".join(inner.problems))
    output = inner.output

    def write(number) -> str:  # a number, or a tensor element by element
        return value_text(number, fmt)
    if backward:
        start = f"{output} starts with {write(upstream)}, the gradient {node_id} got"
        steps = [_backward_step(inside, inner, step.node_id, fmt)
                 for step in backward_schedule(inside)]
        steps.append(InsideStep("", f"{node_id} sends back what reached its ports",
                                tuple(f"d{port} = {write(inner.grads[port])} → {src}"
                                      for port, src in zip(ports, sources))))
    else:
        start = ", ".join(f"{port} = {write(value)} from {src}"
                          for (port, value), src in zip(fed.items(), sources))
        steps = [_forward_step(inside, inner, step.node_id, fmt)
                 for step in forward_schedule(inside)]
        steps.append(InsideStep("", f"{node_id} gives its inside's output",
                                (f"{node_id} = {output} = {write(inner.values[output])}",)))
    return InsidePass(node_id, node.op, backward, start, tuple(steps), inside, inner)


def _backward_step(inside: Circuit, inner: Result, node_id: str, fmt) -> InsideStep:
    rule = gate_chain_rule(inside, inner, node_id)
    lines = tuple(f"{node_id}: {port.caption(fmt)} → {port.source}" for port in rule.ports)
    return InsideStep(node_id, rule.pattern_text, lines)


def _forward_step(inside: Circuit, inner: Result, node_id: str, fmt) -> InsideStep:
    return InsideStep(node_id, "", (f"{node_id} = {forward_caption(inside, inner, node_id, fmt)}",))
