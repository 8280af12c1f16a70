"""df/d(node) as a sum over paths: the chain rule written out along every route to the output.

Backpropagation computes every gradient in one sweep, but what it computes has a simple
reading (CS231n lecture 4): the gradient of the output f with respect to a node is, summed
over every path from that node to f, the product of the local gradients along the path. In
the lecture's sigmoid neuron, x0 reaches f along one path,
x0 → w0x0 → dot → z → ×−1 → exp → +1 → 1/x → f,
whose local gradients are 2 (mul: the other input, w0) × 1 × 1 × −1 × 0.37 × 1 × −0.53,
and their product 0.39 is df/dx0. Where a value fans out, each branch is a path of its
own and their products add up.

The local gradient of a gate's input port k is the backward function of the gate's row
called with an upstream gradient of 1, taken at the values of a ``Result``; a file's own gate
is one gate here, one factor on a path (the lecture's sigmoid gate: 0.20). A path's product is
multiplied from the output end, in the order the backward pass multiplies, so the sum over
all paths equals the backward pass's gradient up to rounding.

The number of paths can grow exponentially with depth (a ladder of fan-outs doubles it at
every rung), so paths are counted and summed by dynamic programming over the graph, and only
the first ``limit`` of them are listed. Only single numbers are explained, not batches.

Vectors and matrices (the lecture's "Vectorized operations"): the local gradient of a port
becomes a Jacobian, the matrix of d(every output element)/d(every input element), and df/dW is
the product of the local Jacobians along each path, from the output end: for ||W x||^2,
df/dW = J_sum · J_pow · J_matmul,W, a 1×4 row that, laid out in W's shape, is the backward
pass's dW. When any value on the paths is a tensor, every factor is a Jacobian (a number is a
1×1 one), computed column by column from the gate's backward, one upstream basis vector at a
time; a path's product and the total then have the node's shape. The backward pass never forms
these matrices; a Jacobian of more than ``MAX_JACOBIAN`` numbers is not formed here either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autodiff import Result
from .chain_rule import port_gradients
from .circuit import Circuit, Wire
from .errors import CircuitError, quote
from .gates import gate_number
from .tensor_values import shape_text

MAX_JACOBIAN = 65_536  # numbers (256 × 256): bigger local Jacobians are not written out


@dataclass(frozen=True)
class Factor:
    """One local gradient on a path: d(gate)/d(source) through input ``port`` of ``gate``."""

    gate: str
    op: str
    port: int
    source: str
    local: object  # a number; where tensors flow, the Jacobian (out elements × in elements)


@dataclass(frozen=True)
class GradientPath:
    """One route from the node to the output: its nodes, its factors and their product."""

    nodes: tuple[str, ...]
    factors: tuple[Factor, ...]
    product: object  # a number, or an array of the node's shape


@dataclass(frozen=True)
class Branch:
    """The chain rule's first step along one wire out of the node: df/d(gate) × local = term."""

    gate: str
    port: int
    upstream: object  # df/d(gate), summed over the gate's own paths
    local: object
    term: object


@dataclass(frozen=True)
class PathsExplanation:
    """df/d(node) as the sum over its paths to the output of the products of local gradients."""

    node_id: str
    output: str
    paths: tuple[GradientPath, ...]  # the first ``limit`` paths
    count: int  # how many paths there are in all
    total: object  # the sum of the products over all paths (the node's shape)
    branches: tuple[Branch, ...]  # one per wire out of the node that leads to the output

    @property
    def truncated(self) -> bool:
        """True when there are more paths than the listed ones."""
        return self.count > len(self.paths)

    @property
    def shown_total(self):
        """The sum of the products of the listed paths only."""
        total = sum(np.asarray(path.product, dtype=np.float64) for path in self.paths)
        return float(total) if np.ndim(total) == 0 else total


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
    if any(np.ndim(result.values.get(n, 0.0)) != 0 for n in order):
        return _jacobian_paths(circuit, result, node_id, order, reaching, limit)
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


# ----------------------------------------------------------------- vectors and matrices
def _jacobians(circuit: Circuit, result: Result, gate_id: str) -> list[np.ndarray]:
    """The gate's local Jacobian for every port: row i is what its backward sends that port
    for an upstream gradient of 1 at output element i (and 0 elsewhere), flattened."""
    node = circuit.nodes[gate_id]
    xs = [gate_number(result.values[src]) for src in circuit.inputs_of(gate_id)]
    out = gate_number(result.values[gate_id])
    for x in xs:
        if np.size(out) * np.size(x) > MAX_JACOBIAN:
            raise CircuitError(
                f"the local Jacobian of {gate_id} would be {np.size(out)}×{np.size(x)} numbers "
                f"({shape_text(np.shape(out))} by {shape_text(np.shape(x))}), too big to write "
                "out (the backward pass never forms it)")
    rows = [np.zeros((np.size(out), np.size(x))) for x in xs]
    with np.errstate(all="ignore"):
        for i in range(np.size(out)):
            basis = np.zeros(np.size(out))  # its own each time: a gate may pass it on as it is
            basis[i] = 1.0
            sent = port_gradients(node, xs, out, basis.reshape(np.shape(out))[()])
            for jacobian, grad in zip(rows, sent):
                jacobian[i] = np.ravel(grad)
    return rows


def _shaped(row: np.ndarray, shape: tuple):
    """A 1 × n row of a product of Jacobians laid out in a value's shape."""
    return float(row[0, 0]) if shape == () else row.reshape(shape)


def _jacobian_paths(circuit: Circuit, result: Result, node_id: str, order: list,
                    reaching: set, limit: int) -> PathsExplanation:
    """``gradient_paths`` where tensors flow: every local gradient is a Jacobian."""
    output = result.output
    local = {gate: _jacobians(circuit, result, gate) for gate in order[:-1]}
    grad: dict[str, np.ndarray] = {}  # df/d(node) as a 1 × (its elements) row
    count: dict[str, int] = {}
    with np.errstate(all="ignore"):
        for current in order:
            if current == output:  # the seed: 1 for every element of the output
                grad[current] = np.ones((1, np.size(result.values[output])))
                count[current] = 1
                continue
            total = np.zeros((1, np.size(result.values[current])))
            paths = 0
            for dst, port in circuit.consumers_of(current):
                if dst in reaching:
                    total = total + grad[dst] @ local[dst][port]
                    paths += count[dst]
            grad[current], count[current] = total, paths
        shape = np.shape(result.values[node_id])
        branches = tuple(Branch(dst, port, _shaped(grad[dst], np.shape(result.values[dst])),
                                local[dst][port], _shaped(grad[dst] @ local[dst][port], shape))
                         for dst, port in circuit.consumers_of(node_id) if dst in reaching)
    listed = tuple(_list_jacobian_paths(circuit, node_id, output, reaching, local, limit,
                                        result))
    return PathsExplanation(node_id, output, listed, count[node_id],
                            _shaped(grad[node_id], shape), branches)


def _list_jacobian_paths(circuit, node_id, output, reaching, local, limit, result):
    """The first ``limit`` paths, each factor a Jacobian, each product in the node's shape."""
    shape = np.shape(result.values[node_id])
    seed = np.ones((1, np.size(result.values[output])))

    def product(factors: list):
        row = seed
        for factor in reversed(factors):  # from the output end
            row = row @ factor.local
        return _shaped(row, shape)

    return _list_paths(circuit, node_id, output, reaching, local, limit, product)


def _list_paths(circuit: Circuit, node_id: str, output: str, reaching: set[str],
                local: dict, limit: int, product=None):
    """Yield the first ``limit`` paths from ``node_id`` to ``output``, depth first, each with
    ``product`` of its factors (by default, of numbers)."""
    product = product or _scalar_product
    if limit <= 0:
        return
    found = 0
    nodes = [node_id]
    factors: list[Factor] = []
    edges = [0]  # per node on the current path: the next consumer edge to try
    while nodes:
        current = nodes[-1]
        if current == output:
            with np.errstate(all="ignore"):
                yield GradientPath(tuple(nodes), tuple(factors), product(factors))
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
        factor = local[dst][port]
        factors.append(Factor(dst, circuit.nodes[dst].op, port, current,
                              factor if np.ndim(factor) else float(factor)))
        nodes.append(dst)
        edges.append(0)


def _backtrack(nodes: list, factors: list, edges: list) -> None:
    nodes.pop()
    edges.pop()
    if factors:
        factors.pop()


def _scalar_product(factors: list) -> float:
    product = np.float64(1.0)
    for factor in reversed(factors):  # from the output end, as the backward pass does
        product = product * factor.local
    return float(product)
