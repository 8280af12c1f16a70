"""df/d(node) as a sum over paths: the chain rule written out along every route to the output.

Backpropagation computes every gradient in one sweep, but what it computes has a simple
reading (CS231n lecture 4): the gradient of the output f with respect to a node is, summed
over every path from that node to f, the product of the local gradients along the path. In
the lecture's sigmoid neuron, x0 reaches f along one path,
x0 → w0x0 → dot → z → ×−1 → exp → +1 → 1/x → f,
whose local gradients are 2 (mul: the other input, w0) × 1 × 1 × −1 × 0.37 × 1 × −0.53,
and their product 0.39 is df/dx0. Where a value fans out, each branch is a path of its
own and their products add up.

The local gradient of a gate's input port k is the gate's backward function (``engine.GATES``)
called with an upstream gradient of 1, taken at the values of a ``Result``. A path's product is
multiplied from the output end, in the order the backward pass multiplies, so the sum over
all paths equals the backward pass's gradient up to rounding.

The number of paths can grow exponentially with depth (a ladder of fan-outs doubles it at
every rung), so paths are counted and summed by dynamic programming over the graph, and only
the first ``limit`` of them are listed. Only single numbers are explained, not batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autodiff import Result
from .circuit import Circuit, Wire
from .errors import CircuitError, quote


@dataclass(frozen=True)
class Factor:
    """One local gradient on a path: d(gate)/d(source) through input ``port`` of ``gate``."""

    gate: str
    op: str
    port: int
    source: str
    local: float


@dataclass(frozen=True)
class GradientPath:
    """One route from the node to the output: its nodes, its factors and their product."""

    nodes: tuple[str, ...]
    factors: tuple[Factor, ...]
    product: float


@dataclass(frozen=True)
class Branch:
    """The chain rule's first step along one wire out of the node: df/d(gate) × local = term."""

    gate: str
    port: int
    upstream: float  # df/d(gate), summed over the gate's own paths
    local: float
    term: float


@dataclass(frozen=True)
class PathsExplanation:
    """df/d(node) as the sum over its paths to the output of the products of local gradients."""

    node_id: str
    output: str
    paths: tuple[GradientPath, ...]  # the first ``limit`` paths
    count: int  # how many paths there are in all
    total: float  # the sum of the products over all paths
    branches: tuple[Branch, ...]  # one per wire out of the node that leads to the output

    @property
    def truncated(self) -> bool:
        """True when there are more paths than the listed ones."""
        return self.count > len(self.paths)

    @property
    def shown_total(self) -> float:
        """The sum of the products of the listed paths only."""
        return float(sum(path.product for path in self.paths))


def _post_order(circuit: Circuit, node_id: str, reaching: set[str]) -> list[str]:
    """The nodes on some path from ``node_id`` to the output, each after every node it feeds."""
    order: list[str] = []
    done: set[str] = set()
    stack: list[tuple[str, int]] = [(node_id, 0)]
    while stack:  # iterative depth-first search: deep chains do not hit the recursion limit
        current, k = stack.pop()
        consumers = circuit.consumers_of(current)
        while k < len(consumers):
            dst = consumers[k][0]
            k += 1
            if dst in reaching and dst not in done:
                stack.append((current, k))
                stack.append((dst, 0))
                break
        else:
            done.add(current)
            order.append(current)
    return order


def _number(result: Result, node_id: str) -> np.float64:
    try:
        value = result.values[node_id]
    except KeyError:
        raise CircuitError(f"there are no numbers for {quote(node_id)} yet: run the circuit "
                           "first") from None
    if np.ndim(value) != 0:
        raise CircuitError(f"{quote(node_id)} holds a batch of numbers: only single numbers can be "
                           "explained")
    return np.float64(value)


def _local_gradients(circuit: Circuit, result: Result, gate_id: str) -> list[np.float64]:
    """d(gate)/d(input k) for every port k: the gate's backward with an upstream of 1."""
    node = circuit.nodes[gate_id]
    xs = [_number(result, src) for src in circuit.inputs_of(gate_id)]
    out = _number(result, gate_id)
    with np.errstate(all="ignore"):
        grads = node.gate.backward(xs, out, np.float64(1.0), node.params)
    return [np.float64(g) for g in grads]


def gradient_paths(circuit: Circuit, result: Result, node_id: str | Wire,
                   limit: int = 64) -> PathsExplanation:
    """df/d(node) as a sum over its paths to the output (a wire: its source node's paths);
    lists at most ``limit`` paths. CircuitError if the output cannot be computed."""
    if isinstance(node_id, Wire):
        node_id = node_id.src
    circuit.node(node_id)
    output = result.output
    if output is None or not result.has_gradients or output not in circuit.nodes:
        raise CircuitError("the output cannot be computed yet, so there are no gradients to "
                           "explain" + (": " + "; ".join(result.problems)
                                        if result.problems else ""))
    if node_id == output:
        return PathsExplanation(node_id, output, (GradientPath((output,), (), 1.0),), 1, 1.0,
                                ())
    reaching = circuit.upstream_of(output)  # the nodes with a path to the output
    if node_id not in reaching:
        return PathsExplanation(node_id, output, (), 0, 0.0, ())

    order = _post_order(circuit, node_id, reaching)  # the output first, node_id last
    local = {gate: _local_gradients(circuit, result, gate) for gate in order[:-1]}
    grad: dict[str, np.float64] = {}
    count: dict[str, int] = {}
    with np.errstate(all="ignore"):
        for current in order:
            if current == output:
                grad[current], count[current] = np.float64(1.0), 1
                continue
            total, paths = np.float64(0.0), 0
            for dst, port in circuit.consumers_of(current):
                if dst in reaching:
                    total = total + grad[dst] * local[dst][port]
                    paths += count[dst]
            grad[current], count[current] = total, paths
        branches = tuple(Branch(dst, port, float(grad[dst]), float(local[dst][port]),
                                float(grad[dst] * local[dst][port]))
                         for dst, port in circuit.consumers_of(node_id) if dst in reaching)
    listed = tuple(_list_paths(circuit, node_id, output, reaching, local, limit))
    return PathsExplanation(node_id, output, listed, count[node_id], float(grad[node_id]),
                            branches)


def _list_paths(circuit: Circuit, node_id: str, output: str, reaching: set[str],
                local: dict, limit: int):
    """Yield the first ``limit`` paths from ``node_id`` to ``output``, depth first."""
    if limit <= 0:
        return
    found = 0
    nodes = [node_id]
    factors: list[Factor] = []
    edges = [0]  # per node on the current path: the next consumer edge to try
    while nodes:
        current = nodes[-1]
        if current == output:
            yield _path(nodes, factors)
            found += 1
            if found >= limit:
                return
            _backtrack(nodes, factors, edges)
            continue
        consumers = circuit.consumers_of(current)
        k = edges[-1]
        while k < len(consumers) and consumers[k][0] not in reaching:
            k += 1
        if k == len(consumers):
            _backtrack(nodes, factors, edges)
            continue
        edges[-1] = k + 1
        dst, port = consumers[k]
        factors.append(Factor(dst, circuit.nodes[dst].op, port, current,
                              float(local[dst][port])))
        nodes.append(dst)
        edges.append(0)


def _backtrack(nodes: list, factors: list, edges: list) -> None:
    nodes.pop()
    edges.pop()
    if factors:
        factors.pop()


def _path(nodes: list, factors: list) -> GradientPath:
    product = np.float64(1.0)
    with np.errstate(all="ignore"):
        for factor in reversed(factors):  # from the output end, as the backward pass does
            product = product * factor.local
    return GradientPath(tuple(nodes), tuple(factors), float(product))
