"""Expand to scalars: a tensor gate written out as the circuit of number gates it stands for.

The bridge between the two halves of the lecture: ``q = W·x`` is, element by element,
``q[0] = W[0,0]·x[0] + W[0,1]·x[1]``, a circuit of the first half's mul and add gates, and its
gradients are the first half's switch and distribute rules applied per element.

What is expanded. A wire that carries a vector into a gate that takes a vector cannot be half
expanded: no gate picks one element out of a vector or stacks numbers into one. So expanding a
gate expands its *tensor region*: the gate and every node joined to it by wires that carry a
tensor, upstream and downstream. A tensor input or const becomes one number per element; a
tensor gate that computes one of its inputs is expanded as well; so are the gates its tensor
output feeds, until every wire that leaves the region carries a single number. Expanding the
matmul of ``||W x||²`` therefore expands W, x, the pow and the sum too, which is the circuit a
student would draw by hand, with the same df/dW. Expanding the whole circuit expands every
region. A node of more than ``MAX_ELEMENTS`` elements in the region is refused, naming it.

How each node becomes numbers:

- an input or const: one per element, id ``W_0_1`` and label ``W[0,1]``, the same trainable
  flag; a vector input bound to data columns ``[0, 1]`` gives ``x_0`` bound to column 0 and
  ``x_1`` to column 1;
- an element-by-element gate: one gate of its kind (and params) per output element, each port
  wired to the element numpy's broadcasting pairs it with (a number added to a vector feeds every
  element's gate);
- ``matmul``: per output element one mul per term (labelled as the lecture writes it,
  ``W[0,1]·x[1]``) and one add of the terms, left to right (past ``MAX_PORTS`` terms a chain of
  adds);
- ``sum``: adds in the order numpy adds (its pairwise sum: up to 7 elements left to right, from
  8 on eight running sums of every eighth element, combined as a tree, then the rest);
- ``transpose``: no gate: the elements of its input, rewired.

A node that leaves the region as a number (a sum, a vector·vector matmul) keeps its id, so the
wires out of the region, the output f and the labels still find it.

A vector or matrix output f: the tensor run seeds its gradient with ones, as if its elements
were added up into f. The expansion says so with add gates summing the elements, labelled
``Σ q`` and made the output, so the expanded circuit runs and every gradient is the tensor
circuit's (its f is then that sum).

Exactness: the expanded circuit, on the scalar fast path, computes every value and every
gradient of the region bit for bit as the tensor circuit does (on its numpy passes too, but for
the last bit of exp, log, tanh and sigmoid, which numpy's maths library and Python's may not
share). The tensor side keeps to the scalar circuit's order for values this small outside a
batch (engine/scalar_order.py: a matmul's terms left to right with no fused multiply-add, a
gradient's terms from the last to the first) and computes its element gates' elements with the
fast path's own kernels (engine/small_elements.py); the expansion makes its nodes in that order
(the plan runs them so), and where a number feeds several ports of which one sends it several
terms, ×1 gates gather each such port's share as the tensor pass does
(engine/gradient_groups.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from .autodiff import plan_of
from .circuit import Circuit, Node, Wire
from .errors import CircuitError, shown
from .gates import GATES, MAX_PORTS
from .gradient_groups import grouped_ports
from .layout import COLUMN_WIDTH, ROW_SPACING, auto_layout
from .scalar_order import MAX_ELEMENTS  # every value this small computes as its expansion
from .tensor_values import shape_text

# numpy's pairwise sum: below this many elements it adds left to right, from it on it keeps
# this many running sums (numpy/_core/src/umath/loops_utils.h.src)
_PAIRWISE_BLOCK = 8


@dataclass(frozen=True)
class Expansion:
    """What expanding does to a circuit: the region's nodes go, scalar nodes and wires come.

    ``elements`` maps each expanded node to an object array of its shape holding the id of the
    node that now computes each element. ``moves`` shifts the nodes right of the region that do
    not feed it further right, to make room. ``apply`` makes the change through Circuit
    methods.
    """

    region: tuple[str, ...]
    nodes: tuple[Node, ...]
    wires: tuple[Wire, ...]
    elements: dict = field(default_factory=dict)
    moves: dict = field(default_factory=dict)
    output: str | None = None  # the output f afterwards

    def apply(self, circuit: Circuit) -> None:
        """Replace the region by its scalar circuit in ``circuit``."""
        for node_id in self.region:
            circuit.remove_node(node_id)
        for node in self.nodes:
            circuit.add_node(node.op, node.id, value=node.value, params=node.params,
                             inputs=node.n_inputs if node.gate.variadic else None,
                             pos=node.pos, label=node.label, feature=node.feature,
                             trainable=node.trainable)
        for wire in self.wires:
            circuit.connect(wire.src, wire.dst, wire.port)
        for node_id, pos in self.moves.items():
            circuit.move(node_id, pos)
        if self.output is not None and _output_or_none(circuit) != self.output:
            circuit.set_output(self.output)


def expanded(circuit: Circuit, nodes: str | Iterable[str] | None = None) -> Circuit:
    """A copy of ``circuit`` with the tensor region of ``nodes`` (a node id or several; None:
    every tensor) in scalar gates; CircuitError saying why if it cannot be expanded."""
    twin = circuit.copy()
    expansion_of(circuit, nodes).apply(twin)
    return twin


def expansion_of(circuit: Circuit, nodes: str | Iterable[str] | None = None) -> Expansion:
    """How to expand the tensor region of ``nodes`` (a node id or several, those on single
    numbers left out; None: every tensor of the circuit); CircuitError saying why not (nothing
    to expand, shapes unknown, too many elements)."""
    plan = plan_of(circuit)
    shapes = plan.shapes
    if nodes is None:
        starts = [n for n in plan.order if _touches_tensor(circuit, shapes, n)]
        if not starts:
            raise CircuitError("the circuit has no vectors or matrices: nothing to expand")
        selected = None
    else:
        chosen = [nodes] if isinstance(nodes, str) else list(nodes)
        for node_id in chosen:
            circuit.node(node_id)
        starts = [n for n in chosen if n not in shapes or _touches_tensor(circuit, shapes, n)]
        if not starts:
            what = (_named(circuit, chosen[0]) + " works" if len(chosen) == 1
                    else "the selected gates work")
            raise CircuitError(f"{what} on single numbers already: there is nothing to expand")
        selected = starts[0]
    region: set[str] = set()
    for start in starts:
        if start not in region:
            region |= _region(circuit, shapes, start)
    ordered = [n for n in plan.order if n in region]
    _check(circuit, plan, ordered, selected)
    builder = _Builder(circuit, region, shapes, grouped_ports(circuit, plan, region))
    for region_node in ordered:
        builder.expand(circuit.nodes[region_node])
    return builder.expansion(ordered)


def _output_or_none(circuit: Circuit) -> str | None:
    try:
        return circuit.output_id()
    except CircuitError:
        return None


def _named(circuit: Circuit, node_id: str) -> str:
    op = circuit.nodes[node_id].op
    return shown(node_id) if op == node_id else f"{shown(node_id)} ({op})"


def _is_tensor(shapes: dict, node_id: str | None) -> bool:
    return node_id is not None and bool(shapes.get(node_id, ()))


def _touches_tensor(circuit: Circuit, shapes: dict, node_id: str) -> bool:
    return _is_tensor(shapes, node_id) or any(
        _is_tensor(shapes, src) for src in circuit.inputs_of(node_id))


def _region(circuit: Circuit, shapes: dict, start: str) -> set[str]:
    """``start`` and every node joined to it by wires that carry a tensor (or whose shape is
    not known: ``_check`` refuses those)."""
    region = {start}
    queue = [start]
    while queue:
        node_id = queue.pop()
        neighbours = [src for src in circuit.inputs_of(node_id)
                      if src is not None and (src not in shapes or shapes[src])]
        if node_id not in shapes or shapes[node_id]:
            neighbours += [dst for dst, _port in circuit.consumers_of(node_id)]
        for other in neighbours:
            if other not in region:
                region.add(other)
                queue.append(other)
    return region


def _check(circuit: Circuit, plan, ordered: list[str], selected: str | None) -> None:
    """CircuitError if a node of the region cannot be expanded, naming it and why."""
    shape_problems = dict(plan.shape_problems)

    def joined(node_id: str) -> str:
        if selected is None or node_id == selected:
            return ""
        return (f" (it is joined to {shown(selected)} by wires that carry vectors or "
                "matrices, so it would be expanded too)")

    for node_id in ordered:
        node = circuit.nodes[node_id]
        if node_id in shape_problems:
            raise CircuitError(f"cannot expand: {shape_problems[node_id]}")
        if node_id not in plan.shapes:
            raise CircuitError(f"cannot expand: {_named(circuit, node_id)} cannot be computed "
                               f"yet (a port upstream is not connected){joined(node_id)}")
        if not node.gate.elementwise and node.gate.scalar_form not in _SCALAR_FORMS:
            raise CircuitError(f"cannot expand: expand does not know how to write "
                               f"{_named(circuit, node_id)} in single numbers yet")
        for shape in [plan.shapes[node_id]] + [plan.shapes[src]
                                               for src in circuit.inputs_of(node_id)]:
            count = math.prod(shape)
            if count > MAX_ELEMENTS:
                what = ("its value" if shape == plan.shapes[node_id] else "an input")
                raise CircuitError(
                    f"cannot expand {_named(circuit, node_id)}: {what} has {count} elements "
                    f"({shape_text(shape)}); expanding makes gates for every element and "
                    f"stops at {MAX_ELEMENTS}, so the circuit stays readable{joined(node_id)}")


def _index_id(node_id: str, index: tuple) -> str:
    return "_".join([node_id, *map(str, index)])


def _index_label(name: str, index: tuple) -> str:
    return f"{name}[{','.join(map(str, index))}]"


class _Builder:
    """Makes the scalar nodes and wires, one region node at a time, in plan order."""

    def __init__(self, circuit: Circuit, region: set[str], shapes: dict, grouped: dict):
        self.circuit = circuit
        self.region = region
        self.shapes = shapes
        self.grouped = grouped  # the (consumer, port)s fed through ×1 gates
        self.copied: dict[str, str] = {}  # each ×1 gate -> the element it passes on
        self.taken = set(circuit.nodes) - region
        self.nodes: list[Node] = []
        self.made: dict[str, Node] = {}  # the same nodes by id
        self.wires: list[Wire] = []
        self.elements: dict[str, np.ndarray] = {}

    # ----------------------------------------------------------------- making nodes
    def _fresh(self, wanted: str) -> str:
        node_id, number = wanted, 2
        while node_id in self.taken:
            node_id = f"{wanted}_{number}"
            number += 1
        self.taken.add(node_id)
        return node_id

    def _keep(self, node: Node) -> None:
        self.nodes.append(node)
        self.made[node.id] = node

    def _gate(self, op: str, wanted: str, sources: list[str], *, label=None,
              params=None) -> str:
        node_id = self._fresh(wanted)
        gate = GATES[op]
        full_params = dict(gate.param_defaults)
        full_params.update(params or {})
        self._keep(Node(node_id, op, None, full_params, len(sources), None, label))
        for port, src in enumerate(sources):
            self.wires.append(Wire(src, node_id, port))
        return node_id

    def _sum_chain(self, items: list[str], wanted: str, label=None) -> str:
        """``items`` added left to right: one add of up to MAX_PORTS ports, then a chain of adds
        each taking the sum so far and up to MAX_PORTS - 1 more (one item: the item itself)."""
        if len(items) == 1:
            return items[0]
        total, rest, step = None, list(items), 1
        while rest:
            room = MAX_PORTS if total is None else MAX_PORTS - 1
            taken, rest = rest[:room], rest[room:]
            ports = taken if total is None else [total] + taken
            last = not rest
            total = self._gate("add", wanted if last else f"{wanted}_s{step}", ports,
                               label=label if last else None)
            step += 1
        return total

    def _element_names(self, node: Node, index: tuple) -> tuple[str, str | None]:
        """The id and label of the node computing element ``index`` of ``node``: its own id and
        label when it is a single number."""
        if not index and not self.shapes[node.id]:
            return node.id, node.label
        return _index_id(node.id, index), _index_label(node.name, index)

    def _product_label(self, a: str, b: str) -> str:
        """A term of a matmul as the lecture writes it: "W[0,1]·x[1]"."""
        return "·".join(self._node(self.copied.get(n, n)).name for n in (a, b))

    def _node(self, node_id: str) -> Node:
        made = self.made.get(node_id)
        return made if made is not None else self.circuit.nodes[node_id]

    def _inputs(self, node: Node) -> list[np.ndarray]:
        """Each port's elements: an expanded node's, or a number's own id (or the ×1 gates
        that gather the port's gradient, engine/gradient_groups.py)."""
        sources = self.circuit.inputs_of(node.id)
        inputs = [self.elements[src] if src in self.elements else np.array(src, dtype=object)
                  for src in sources]
        # the last port's first: the scalar backward pass adds their sums from the first port
        for port in reversed(range(len(sources))):
            if (node.id, port) in self.grouped:
                inputs[port] = self._copies(sources[port], inputs[port], node)
        return inputs

    def _copies(self, source: str, elements: np.ndarray, consumer: Node) -> np.ndarray:
        """A ×1 gate for each element of ``source``, between it and a port of ``consumer``."""
        copies = np.empty(elements.shape, dtype=object)
        for index in np.ndindex(elements.shape):
            element = str(elements[index])
            copies[index] = self._gate(
                "scale", f"{_index_id(source, index)}_{consumer.id}", [element],
                label=f"{self._node(element).name} to {consumer.name}", params={"c": 1.0})
            self.copied[copies[index]] = element
        return copies

    # ----------------------------------------------------------------- per kind of node
    def expand(self, node: Node) -> None:
        """Make the scalar nodes computing ``node``'s elements."""
        shape = self.shapes[node.id]
        if node.gate.is_source:
            out = self._source(node, shape)
        elif node.gate.elementwise:
            out = self._elementwise(node, shape)
        else:
            out = _SCALAR_FORMS[node.gate.scalar_form](self, node, shape)
        self.elements[node.id] = out

    def _source(self, node: Node, shape: tuple) -> np.ndarray:
        out = np.empty(shape, dtype=object)
        value = np.asarray(node.value)
        columns = node.feature if isinstance(node.feature, tuple) else None
        for index in np.ndindex(shape):
            node_id, label = self._element_names(node, index)
            node_id = self._fresh(node_id)
            feature = columns[index[0]] if columns is not None else None
            self._keep(Node(node_id, node.op, float(value[index]), {}, 0, None, label, feature,
                            node.trainable))
            out[index] = node_id
        return out

    def _elementwise(self, node: Node, shape: tuple) -> np.ndarray:
        ports = [np.broadcast_to(elements, shape) for elements in self._inputs(node)]
        out = np.empty(shape, dtype=object)
        for index in np.ndindex(shape):
            node_id, label = self._element_names(node, index)
            out[index] = self._gate(node.op, node_id, [port[index] for port in ports],
                                    label=label, params=node.params)
        return out

    def _matmul(self, node: Node, shape: tuple) -> np.ndarray:
        a, b = self._inputs(node)
        rows = a if a.ndim == 2 else a[None, :]
        columns = b if b.ndim == 2 else b[:, None]
        terms = rows.shape[1]
        out = np.empty(shape, dtype=object)
        flat = out.reshape(-1)  # a view: the (rows, columns) product in out's order
        for i in range(rows.shape[0]):
            for j in range(columns.shape[1]):
                k = i * columns.shape[1] + j
                index = np.unravel_index(k, shape) if shape else ()
                node_id, label = self._element_names(node, tuple(int(n) for n in index))
                if terms == 1:
                    flat[k] = self._gate("mul", node_id, [rows[i, 0], columns[0, j]],
                                         label=label)
                    continue
                products = [self._gate("mul", f"{node_id}_t{t}", [rows[i, t], columns[t, j]],
                                       label=self._product_label(rows[i, t], columns[t, j]))
                            for t in range(terms)]
                flat[k] = self._sum_chain(products, node_id, label)
        return out

    def _sum(self, node: Node, shape: tuple) -> np.ndarray:
        (elements,) = self._inputs(node)
        items = list(elements.reshape(-1))
        node_id, label = self._element_names(node, ())
        if len(items) < _PAIRWISE_BLOCK:
            return np.array(self._sum_chain(items, node_id, label), dtype=object)
        # numpy's pairwise sum of 8 to 128 elements: eight running sums of every eighth
        # element, ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the rest in turn
        whole = len(items) - len(items) % _PAIRWISE_BLOCK
        rest = items[whole:]
        level = [self._sum_chain(items[j:whole:_PAIRWISE_BLOCK], f"{node_id}_r{j}")
                 for j in range(_PAIRWISE_BLOCK)]
        depth = 1
        while len(level) > 1:
            top = len(level) == 2 and not rest
            level = [self._gate("add", node_id if top else f"{node_id}_p{depth}_{n // 2}",
                                level[n:n + 2], label=label if top else None)
                     for n in range(0, len(level), 2)]
            depth += 1
        total = level[0]
        if rest:
            total = self._sum_chain([total] + rest, node_id, label)
        return np.array(total, dtype=object)

    def _transpose(self, node: Node, shape: tuple) -> np.ndarray:
        (elements,) = self._inputs(node)
        return elements.T

    # ----------------------------------------------------------------- the result
    def expansion(self, ordered: list[str]) -> Expansion:
        """The Expansion: the nodes placed, the wires out of the region, the output."""
        circuit = self.circuit
        outgoing = []
        for node_id in ordered:
            for dst, port in circuit.consumers_of(node_id):
                if dst not in self.region:
                    outgoing.append(Wire(str(self.elements[node_id][()]), dst, port))
        output = _output_or_none(circuit)
        if output in self.region:
            output = (self._total(circuit.nodes[output]) if self.shapes[output]
                      else str(self.elements[output][()]))
        positions, moves = self._placed(ordered)
        nodes = tuple(Node(n.id, n.op, n.value, n.params, n.n_inputs, positions.get(n.id),
                           n.label, n.feature, n.trainable) for n in self.nodes)
        return Expansion(tuple(ordered), nodes, tuple(self.wires + outgoing),
                         dict(self.elements), moves, output)

    def _total(self, output: Node) -> str:
        """An add of a tensor output's elements, labelled "Σ q": the tensor run seeds the
        output's gradient with ones, as if its elements were added up, and this says so."""
        items = [str(n) for n in self.elements[output.id].reshape(-1)]
        return self._sum_chain(items, f"sum_{output.id}", label=f"Σ {output.name}")

    def _placed(self, ordered: list[str]) -> tuple[dict, dict]:
        """Positions for the new nodes, laid out left to right where the region was, and the
        moves that make room for them: the nodes right of the region's left edge that do not
        feed it shift right by the width it gained (and a column more while one would sit on
        a new node)."""
        circuit = self.circuit
        old = [circuit.nodes[n].pos for n in ordered if circuit.nodes[n].pos is not None]
        if not old:
            return {}, {}
        sketch = Circuit()
        for node in self.nodes:
            sketch.add_node(node.op, node.id, value=node.value, params=node.params,
                            inputs=node.n_inputs if node.gate.variadic else None)
        for wire in self.wires:
            if wire.src in sketch.nodes:
                sketch.connect(wire.src, wire.dst, wire.port)
        layout = auto_layout(sketch)
        left, top = min(x for x, _y in old), min(y for _x, y in old)
        positions = {node_id: (left + x, top + y) for node_id, (x, y) in layout.items()}
        feeding = set().union(*(circuit.upstream_of(n) for n in ordered))
        beside = {node.id: node.pos for node in circuit.nodes.values()
                  if node.id not in feeding and node.pos is not None and node.pos[0] > left}
        shift = (max(x for x, _y in layout.values()) - (max(x for x, _y in old) - left)
                 if layout else 0.0)
        if not beside or shift <= 0:
            return positions, {}
        while any(abs(x + shift - new_x) < COLUMN_WIDTH and abs(y - new_y) < ROW_SPACING
                  for x, y in beside.values() for new_x, new_y in positions.values()):
            shift += COLUMN_WIDTH
        return positions, {node_id: (x + shift, y) for node_id, (x, y) in beside.items()}


# a tensor gate's row says which of these writes it in number gates (its ``scalar_form``)
_SCALAR_FORMS = {"sum_of_products": _Builder._matmul, "pairwise_sum": _Builder._sum,
                 "rewiring": _Builder._transpose}
