"""Make Gate: part of a circuit collapsed into one compound gate, as the lecture does with the
sigmoid's ``*-1``, ``exp``, ``+1``, ``1/x``; and its way back, putting a gate's inside in place.

``gate_making`` works out what making a gate of the selected nodes does, without doing it: the
wires that enter the selection become the gate's ports (one port per outside node feeding it,
ordered top to bottom on the canvas unless an order is given), the one value that leaves it
becomes the gate's output. A selection from which two values leave, or none, or that holds an
input (an input stays outside: it is what a port is wired to), is refused with a message that
says which. ``apply`` makes the change through Circuit methods.

``gate_unpacking`` is the reverse for one node of a compound gate: its inside's gates are put
on the canvas around it with fresh ids, wired to what fed its ports and to what it fed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autodiff import run
from .circuit import Circuit, Node, Wire
from .definitions import CompoundDefinition, check_gate_name
from .errors import CircuitError, quote, shown
from .gate_inside import inside_of
from .gates import GATES


@dataclass(frozen=True)
class GateMaking:
    """What making a gate does: ``selection`` goes, one ``node_id`` of gate ``name`` comes."""

    name: str
    definition: CompoundDefinition
    selection: tuple[str, ...]
    node_id: str
    pos: tuple[float, float] | None
    sources: tuple[str, ...]  # the outside node feeding each port, in port order
    consumers: tuple[tuple[str, int], ...]  # where its output goes
    becomes_output: bool

    def apply(self, circuit: Circuit) -> None:
        """Replace the selection by one gate in ``circuit``."""
        circuit.define_gate(self.definition)
        for node_id in self.selection:
            circuit.remove_node(node_id)
        circuit.add_node(self.name, self.node_id, pos=self.pos)
        for port, src in enumerate(self.sources):
            circuit.connect(src, self.node_id, port)
        for dst, port in self.consumers:
            circuit.connect(self.node_id, dst, port)
        if self.becomes_output:
            circuit.set_output(self.node_id)


def _leaving(circuit: Circuit, chosen: set) -> dict[str, list[tuple[str, int]]]:
    leaving: dict[str, list] = {}
    for node_id in circuit.nodes:
        if node_id in chosen:
            for dst, port in circuit.consumers_of(node_id):
                if dst not in chosen:
                    leaving.setdefault(node_id, []).append((dst, port))
    return leaving


def _output_inside(circuit: Circuit, chosen: set) -> str | None:
    try:
        output = circuit.output_id()
    except CircuitError:
        return None
    return output if output in chosen else None


def _the_leaving_value(circuit: Circuit, chosen: set, leaving: dict) -> str:
    output = _output_inside(circuit, chosen)
    leaves = list(leaving) + ([output] if output is not None and output not in leaving else [])
    if len(leaves) > 1:
        named = ", ".join(shown(node_id) for node_id in leaves)
        raise CircuitError(f"{len(leaves)} values leave the selection ({named}): a gate has "
                           "one output, so select the part that ends in one of them")
    if not leaves:
        raise CircuitError("nothing leaves the selection: a gate needs an output")
    return leaves[0]


def _current_values(circuit: Circuit) -> dict:
    try:
        return run(circuit, allow_incomplete=True).values
    except CircuitError:
        return {}


def _placeholder(value) -> object:
    """A port input's value inside: the number that reaches the port now (0 if it is not
    finite or not known)."""
    if value is None or not np.all(np.isfinite(value)):
        return 0.0 if np.ndim(value) == 0 else np.zeros(np.shape(value))
    return value


def _centre(circuit: Circuit, node_ids) -> tuple[float, float] | None:
    spots = [circuit.nodes[node_id].pos for node_id in node_ids
             if circuit.nodes[node_id].pos is not None]
    if not spots:
        return None
    return (sum(x for x, _y in spots) / len(spots), sum(y for _x, y in spots) / len(spots))


def gate_making(circuit: Circuit, node_ids, name: str,
                port_order: list[str] | None = None) -> GateMaking:
    """What making gate ``name`` of ``node_ids`` would do; CircuitError naming why not.

    ``port_order`` lists the outside nodes feeding the selection in the order their ports
    should have (default: top to bottom on the canvas).
    """
    chosen = [node_id for node_id in circuit.nodes if node_id in set(node_ids)]
    if not chosen:
        raise CircuitError("select the gates to make into one gate")
    check_gate_name(name, GATES, "the gate's name")
    if name in circuit.root.definitions:
        raise CircuitError(f"this file already has a gate called {quote(name)}")
    for node_id in chosen:
        node = circuit.nodes[node_id]
        if node.gate.variable:
            raise CircuitError(f"{shown(node_id)} is an input: leave inputs outside the "
                               "selection; what feeds the selection becomes the gate's ports")
    selected = set(chosen)
    out = _the_leaving_value(circuit, selected, _leaving(circuit, selected))
    sources = []
    for node_id in chosen:
        for src in circuit.inputs_of(node_id):
            if src is not None and src not in selected and src not in sources:
                sources.append(src)
    if port_order is not None:
        if sorted(port_order) != sorted(sources):
            raise CircuitError("the port order must list each node feeding the selection "
                               f"once: {', '.join(sources)}")
        sources = list(port_order)
    else:
        rank = {node_id: i for i, node_id in enumerate(circuit.nodes)}
        sources.sort(key=lambda src: ((circuit.nodes[src].pos or (0.0, 0.0))[1], rank[src]))
    if not sources:
        raise CircuitError("nothing enters the selection: a gate needs at least one port")
    inside = Circuit(name, owner=circuit.root)  # tells the file nothing until it is defined
    values = _current_values(circuit)
    taken = set(chosen)
    port_of = {}
    for src in sources:
        port_id = _fresh_id(src if src.isidentifier() else "a", taken)
        port_of[src] = port_id
        inside.add_node("input", port_id, value=_placeholder(values.get(src)))
    for node_id in chosen:
        node = circuit.nodes[node_id]
        inside.add_node(node.op, node_id, value=node.value if node.gate.is_source else None,
                        params=node.params, inputs=node.n_inputs if node.gate.variadic else None,
                        pos=node.pos, label=node.label, extra=node.extra)
    for node_id in chosen:
        for port, src in enumerate(circuit.inputs_of(node_id)):
            if src is not None:
                inside.connect(port_of.get(src, src), node_id, port)
    inside.set_output(out)
    _place_ports(inside, circuit, port_of)
    consumers = tuple((dst, port) for dst, port in circuit.consumers_of(out)
                      if dst not in selected)
    definition = CompoundDefinition(name, tuple(port_of[src] for src in sources), inside)
    return GateMaking(name, definition, tuple(chosen), circuit.unique_id(name),
                      _centre(circuit, chosen), tuple(sources), consumers,
                      _output_inside(circuit, selected) is not None)


def _place_ports(inside: Circuit, circuit: Circuit, port_of: dict) -> None:
    """Put each port input left of the gates it feeds, at its outside source's height."""
    xs = [node.pos[0] for node in inside.nodes.values() if node.pos is not None]
    left = (min(xs) if xs else 0.0) - 160.0
    for k, (src, port_id) in enumerate(port_of.items()):
        pos = circuit.nodes[src].pos
        inside.move(port_id, (left, pos[1] if pos is not None else 80.0 * k))


@dataclass(frozen=True)
class GateUnpacking:
    """What expanding a compound gate's node does: the node goes, its inside's gates come."""

    node_id: str
    nodes: tuple[Node, ...]
    wires: tuple[Wire, ...]
    output: str | None  # the output f afterwards, when the node was it

    def apply(self, circuit: Circuit) -> None:
        """Put the gate's inside in place of its node in ``circuit``."""
        circuit.remove_node(self.node_id)
        for node in self.nodes:
            circuit.add_node(node.op, node.id, value=node.value if node.gate.is_source else None,
                             params=node.params,
                             inputs=node.n_inputs if node.gate.variadic else None,
                             pos=node.pos, label=node.label, extra=node.extra,
                             trainable=node.trainable)
        for wire in self.wires:
            circuit.connect(wire.src, wire.dst, wire.port)
        if self.output is not None:
            circuit.set_output(self.output)


def gate_unpacking(circuit: Circuit, node_id: str) -> GateUnpacking:
    """What putting compound gate node ``node_id``'s inside in its place would do."""
    node = circuit.node(node_id)
    inside = inside_of(circuit, node_id)
    if inside is None:
        raise CircuitError(f"{shown(node_id)} is not a gate made of other gates")
    definition = node.gate.definition
    fed = dict(zip(definition.ports, circuit.inputs_of(node_id)))
    origin = _centre(inside, [n for n in inside.nodes if n not in fed]) or (0.0, 0.0)
    at = node.pos or (0.0, 0.0)
    taken = set(circuit.nodes)
    new_id = {}
    nodes = []
    for inner in inside.nodes.values():
        if inner.id in fed:
            continue
        fresh = _fresh_id(inner.id, taken)
        new_id[inner.id] = fresh
        pos = None if inner.pos is None else (at[0] + inner.pos[0] - origin[0],
                                              at[1] + inner.pos[1] - origin[1])
        nodes.append(Node(fresh, inner.op, inner.value, dict(inner.params), inner.n_inputs, pos,
                          inner.label, None, inner.trainable, dict(inner.extra),
                          circuit.gates))

    def outside(inner_id):
        return fed[inner_id] if inner_id in fed else new_id[inner_id]

    wires = [Wire(outside(w.src), new_id[w.dst], w.port) for w in inside.wires()
             if outside(w.src) is not None]
    result = outside(inside.output_id())
    if result is not None:
        wires += [Wire(result, dst, port) for dst, port in circuit.consumers_of(node_id)]
    becomes_output = circuit.explicit_output == node_id
    return GateUnpacking(node_id, tuple(nodes), tuple(wires),
                         result if becomes_output else None)


def _fresh_id(stem: str, taken: set) -> str:
    fresh, number = stem, 2
    while fresh in taken:
        fresh = f"{stem}{number}"
        number += 1
    taken.add(fresh)
    return fresh
