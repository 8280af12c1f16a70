"""Where Expand to Scalars adds ×1 gates, so that a gradient adds up as the tensor pass adds it.

The tensor backward pass adds up a node's gradient port by port: each port the node feeds sends
its share whole (a matmul's ``Wᵀ·dq``, a broadcast number's sum over the vector), and the
shares are added in the order the pass reaches them (``GradientSums``: the gates in reverse
plan order, a gate's ports from the first). The scalar circuit has a gate per term and adds
every term into the number as it comes (``+=``, the gates in reverse plan order). Where a node
feeds one port, or ports that each send one term, the two agree bit for bit
(engine/scalar_order.py adds a port's terms in the scalar circuit's order). Where it feeds two
ports or more and one of them sends several terms, the scalar circuit would add the terms of
all its ports in one running sum, and a floating-point sum depends on how it is grouped.

So the expansion gathers such a port's terms as the tensor pass does: a ``scale`` gate of
c = 1 per element (exact: ``1·a`` is ``a``, ``1·dq`` is ``dq``) between the node and the port,
which adds up that port's share before the node adds it to the others. The ×1 gates are made
just before their gate's own (a gate's last port first), and the plan runs nodes in the order
they were made where the wires allow, so the scalar backward pass reaches the shares in the
tensor pass's order. A transpose is only rewiring in the expansion: its gradient, gathered
from its own ports, counts as the terms its elements send on.
"""

from __future__ import annotations

import math


def grouped_ports(circuit, plan, region: set[str]) -> set[tuple[str, int]]:
    """The (consumer, port) pairs of the region whose input gets ×1 gates."""
    reaching: dict[str, list[tuple[str, int]]] = {}  # the ports, in the tensor pass's order
    for _i, _forward, _backward, ports, node in plan.backward_steps:
        for port, j in enumerate(ports):
            reaching.setdefault(plan.order[j], []).append((node.id, port))
    shapes = plan.shapes
    received: dict[str, int] = {}  # terms each element of a node gets in the scalar circuit
    grouped = set()
    for node_id in reversed(plan.order):  # a transpose before the node it reads
        ports = reaching.get(node_id, [])
        if node_id not in region and not any(consumer in region for consumer, _port in ports):
            continue
        terms = [_terms(circuit, shapes, region, received, consumer, port)
                 for consumer, port in ports]
        chosen = set()
        if len(ports) >= 2:
            chosen = {pair for pair, count in zip(ports, terms) if count >= 2}
        received[node_id] = sum(1 if pair in chosen else count
                                for pair, count in zip(ports, terms))
        grouped.update(chosen)
    return grouped


def _terms(circuit, shapes: dict, region: set[str], received: dict, consumer: str,
           port: int) -> int:
    """How many terms ``consumer``'s ``port`` sends each element of what feeds it in the
    scalar circuit."""
    if consumer not in region:
        return 1
    node = circuit.nodes[consumer]
    sources = circuit.inputs_of(consumer)
    if node.gate.elementwise:  # a broadcast element feeds every element it was stretched to
        return math.prod(shapes[consumer]) // math.prod(shapes[sources[port]])
    if node.gate.scalar_form == "sum_of_products":  # da = dq·bᵀ: b's columns; db = aᵀ·dq
        a, b = (shapes[src] for src in sources)
        other = b[1:] if port == 0 else a[:-1]
        return math.prod(other)
    if node.gate.scalar_form == "rewiring":
        return received.get(consumer, 1)
    return 1  # a sum sends every element its one gradient
