"""A gate's local Jacobian, made visible: the matrix the backward pass never forms.

For a gate q = g(a0, a1, ...) and one input port k, the local Jacobian is the matrix of
d(q element i)/d(ak element j): one row per element of the output, one column per element of
the input (both flattened in numpy's row-major order; a number is 1 element, so a scalar gate's
Jacobian is 1×1, its local gradient). The backward pass needs only the vector-Jacobian product
dq·J, the rows weighted by the upstream gradient and added up, and every gate computes that
directly (relu multiplies dq by 1 where a > 0 and 0 elsewhere, matmul sends dq·xᵀ and Wᵀ·dq);
the CS231n lecture's 4096-wide relu would have a 4096 × 4096 Jacobian, "almost an identity
matrix but some of them are 0".

``local_jacobian`` builds the matrix from the gate row's own backward function, never from
finite differences: row i is the backward pass's answer to a one-hot upstream gradient at output
element i. Element-by-element gates are vectorised: output element i reads only the input
element numpy's broadcasting puts under it, so one backward call with an upstream of ones gives
every row's single nonzero at once (``rows_one_hot`` is the plain one-row-at-a-time reference,
which the tests compare). Tensor gates (matmul, sum, transpose) get their one-hot rows in
chunks, as a stack of upstream gradients with the batch axis in front (``ranks`` tells the gate
which axes are its own). Beyond ``MAX_JACOBIAN_SIDE`` elements on a side the matrix is not
formed, nor where a tensor gate's rows would cost more than ``MAX_WORK`` numbers (matmul makes
every port's gradient for each row: W's too, when only x's is wanted), and ``reason`` says why;
the upstream gradient and the product the backward pass computes are given all the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .autodiff import Result, as_number, plain_number, plan_of
from .circuit import Circuit
from .errors import CircuitError, quote
from .shapes import sum_to_shape
from .tensor_steps import tensor_step

MAX_JACOBIAN_SIDE = 4096  # elements on a side of the largest Jacobian formed (and drawn)
# A tensor gate's backward works out every port's gradient for each one-hot row: at most this
# many numbers in all (about a second), and this many per call
MAX_WORK = 1 << 28
CHUNK_ELEMENTS = 1 << 22
_ELEMENTWISE_HOW = "it multiplies dq by the local gradient element by element"


@dataclass(frozen=True)
class LocalJacobian:
    """One input port's local Jacobian at the values of a run, and the products around it.

    ``matrix`` has shape (output size, input size), or is None when ``reason`` says why it was
    not formed. ``upstream`` is df/d(output) (the output's shape), ``vjp`` what the gate's
    backward sends to the port (the input's shape): the port's contribution to df/d(input).
    ``how`` says how the backward pass gets it ("it multiplies dq by the local gradient element
    by element").
    """

    node_id: str
    port: int
    source: str  # the node feeding the port
    out_shape: tuple
    in_shape: tuple
    matrix: np.ndarray | None
    reason: str
    upstream: object
    vjp: object
    how: str  # how the backward pass gets ``vjp`` without the matrix, as a clause
    input_value: object  # the input's value in the run (the Jacobian is taken there)

    @property
    def size(self) -> tuple[int, int]:
        """(output elements, input elements): the matrix's shape, formed or not."""
        return int(np.prod(self.out_shape)), int(np.prod(self.in_shape))

    @property
    def is_scalar(self) -> bool:
        """True when both sides are single numbers: the Jacobian is the local gradient."""
        return self.out_shape == () and self.in_shape == ()

    def product(self):
        """upstream · Jacobian, reshaped to the input's shape (None when not formed): the same
        numbers as ``vjp``, worked out the long way."""
        if self.matrix is None:
            return None
        flat = np.ravel(self.upstream) @ self.matrix
        return float(flat[0]) if self.in_shape == () else flat.reshape(self.in_shape)


def local_jacobians(circuit: Circuit, result: Result, node_id: str) -> list[LocalJacobian]:
    """``local_jacobian`` for every input port of gate ``node_id``, in port order."""
    node = _gate_node(circuit, node_id)
    return [local_jacobian(circuit, result, node_id, port)
            for port in range(len(circuit.inputs_of(node.id)))]


def local_jacobian(circuit: Circuit, result: Result, node_id: str, port: int) -> LocalJacobian:
    """The local Jacobian d(node)/d(input ``port``) at the values of ``result`` (a run of
    ``circuit``), with the upstream gradient and the product the backward pass computes.

    CircuitError if the node is not a gate of the circuit, the port is not connected, or the
    run did not compute the gate's value (an open port upstream) or ran a batch of points.
    """
    node = _gate_node(circuit, node_id)
    sources = circuit.inputs_of(node_id)
    if not 0 <= port < len(sources):
        raise CircuitError(f"{quote(node_id)} has no port {port}")
    if sources[port] is None:
        raise CircuitError(f"port {port} of {quote(node_id)} is not connected")
    if node_id in result.incomplete or node_id not in result.values:
        raise CircuitError(f"{quote(node_id)} has no value: an input port upstream is not "
                           "connected")
    xs = [as_number(result.values[src]) for src in sources]
    out = as_number(result.values[node_id])
    plan = plan_of(circuit)
    in_shapes = [plan.shapes.get(src) for src in sources]
    out_shape = plan.shapes.get(node_id)
    if out_shape is None or [np.shape(x) for x in xs] != in_shapes or np.shape(out) != out_shape:
        raise CircuitError(f"{quote(node_id)} was run on a batch of points: its Jacobian is "
                           "one per point")
    upstream = as_number(result.grads.get(node_id, 0.0)) + np.zeros(out_shape)
    backward = GateBackward(node, xs, out, in_shapes, out_shape)
    vjp = backward.port_gradient(upstream, port)
    in_shape = in_shapes[port]
    out_size, in_size = int(np.prod(out_shape)), int(np.prod(in_shape))
    reason = too_big_reason(node.gate, out_size, in_size) or backward.too_much_work()
    matrix = None if reason else backward.jacobian(port)
    return LocalJacobian(node_id, port, sources[port], out_shape, in_shape, matrix, reason,
                         plain_number(upstream), plain_number(vjp), _how(node.gate),
                         plain_number(xs[port]))


def too_big_reason(gate, out_size: int, in_size: int) -> str:
    """Why a Jacobian of out_size × in_size is not formed ("" when it is small enough)."""
    if max(out_size, in_size) <= MAX_JACOBIAN_SIDE:
        return ""
    return (f"the Jacobian would be {out_size} × {in_size} = {_count(out_size * in_size)} "
            f"numbers; the backward pass never forms it: {_how(gate)}")


def _how(gate) -> str:
    return _ELEMENTWISE_HOW if gate.elementwise else \
        f"it works out the product directly ({gate.local_gradient})"


def _count(number: int) -> str:
    """A count as people read it: 64, 40000, 1.6e9."""
    if number < 1_000_000:
        return str(number)
    mantissa, exponent = f"{number:.2g}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _gate_node(circuit: Circuit, node_id: str):
    node = circuit.nodes.get(node_id)
    if node is None:
        raise CircuitError(f"{quote(node_id)} is not a node of this circuit")
    if node.gate.is_source:
        raise CircuitError(f"{quote(node_id)} is {node.op}: it has no input port, so no "
                           "local Jacobian")
    return node



class GateBackward:
    """A gate's backward function at one set of input values, called as the plan calls it."""

    def __init__(self, node, xs: list, out, in_shapes: list, out_shape: tuple):
        self.gate = node.gate
        self.params = node.params
        self.xs = xs
        self.out = out
        self.in_shapes = in_shapes
        self.out_shape = out_shape
        self.step = tensor_step(self.gate, in_shapes, out_shape)

    def port_gradient(self, upstream, port: int):
        """What the backward pass sends to ``port`` for this upstream gradient, summed back to
        the port's shape (as the plan does)."""
        with np.errstate(all="ignore"):
            if self.step is None:
                sent = self.gate.backward(self.xs, self.out, upstream, self.params)
            else:
                sent = self.step.backward(self.gate.backward, self.xs, self.out, upstream,
                                          self.params)
        return sum_to_shape(sent[port], self.in_shapes[port], in_order=True)

    def _numbers_per_row(self) -> int:
        """How many numbers one backward call makes per upstream row: every port's gradient
        and the upstream itself."""
        return int(np.prod(self.out_shape)) + sum(int(np.prod(s)) for s in self.in_shapes)

    def too_much_work(self) -> str:
        """Why the one-hot rows of a tensor gate are not worked out ("" when they are cheap)."""
        rows = int(np.prod(self.out_shape))
        work = rows * self._numbers_per_row()
        if self.gate.elementwise or work <= MAX_WORK:
            return ""
        return (f"forming it would take {rows} backward passes through {self.gate.name}, "
                f"each making every port's gradient, {_count(work)} numbers in all; the "
                f"backward pass never forms it: {_how(self.gate)}")

    def jacobian(self, port: int) -> np.ndarray:
        """The (output size, input size) matrix, vectorised as the module docstring says."""
        if self.gate.elementwise:
            return self.rows_elementwise(port)
        return self.rows_stacked(port)

    def rows_one_hot(self, port: int) -> np.ndarray:
        """The reference: row i is the port's gradient for a one-hot upstream at output i."""
        out_size = int(np.prod(self.out_shape))
        rows = np.zeros((out_size, int(np.prod(self.in_shapes[port]))))
        for i in range(out_size):
            one_hot = np.zeros(out_size)
            one_hot[i] = 1.0
            rows[i] = np.ravel(self.port_gradient(one_hot.reshape(self.out_shape), port))
        return rows

    def rows_elementwise(self, port: int) -> np.ndarray:
        """An element-by-element gate's rows: output i's slope w.r.t. the one input element
        broadcasting puts under it (the backward with an upstream of ones), 0 elsewhere."""
        with np.errstate(all="ignore"):
            sent = self.gate.backward(self.xs, self.out, np.ones(self.out_shape), self.params)
        slopes = np.broadcast_to(sent[port], self.out_shape).ravel()
        in_shape = self.in_shapes[port]
        in_size = int(np.prod(in_shape))
        read = np.broadcast_to(np.arange(in_size).reshape(in_shape), self.out_shape).ravel()
        rows = np.zeros((slopes.size, in_size))
        rows[np.arange(slopes.size), read] = slopes
        return rows

    def rows_stacked(self, port: int) -> np.ndarray:
        """A tensor gate's one-hot rows, a chunk of upstream gradients per call (the chunk's
        axis in front, as a batch of points), falling back to ``rows_one_hot`` for a gate
        that does not take a stacked upstream."""
        out_size = int(np.prod(self.out_shape))
        in_shape = self.in_shapes[port]
        in_size = int(np.prod(in_shape))
        ranks = tuple(len(shape) for shape in self.in_shapes)
        chunk = max(1, CHUNK_ELEMENTS // self._numbers_per_row())
        rows = np.zeros((out_size, in_size))
        for start in range(0, out_size, chunk):
            stop = min(out_size, start + chunk)
            one_hots = np.zeros((stop - start, out_size))
            one_hots[np.arange(stop - start), np.arange(start, stop)] = 1.0
            upstream = one_hots.reshape((stop - start,) + self.out_shape)
            with np.errstate(all="ignore"):
                sent = self.gate.backward(self.xs, self.out, upstream, self.params, ranks)
            block = np.asarray(sent[port], dtype=np.float64)
            if block.shape != (stop - start,) + in_shape:
                return self.rows_one_hot(port)
            rows[start:stop] = block.reshape(stop - start, in_size)
        return rows

