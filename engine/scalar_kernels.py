"""The scalar fast path: a plan's steps on plain Python floats, for single-number runs.

When every source of a circuit is a single number (no batch), numpy buys nothing: each numpy
scalar operation costs far more than the same operation on a Python float. So a plan whose
gates all declare ``scalar_forward`` / ``scalar_backward`` in the gate table is also compiled
into a ``ScalarProgram``: one tuple per step, ``(kernel, i, a, b)``, where the kernel reads its
inputs from the list of values itself, and the backward kernels add into the list of gradients
in place (``+=``, so fan-out is right). The kernels are made here, once per gate and number of
ports, from the gate table's scalar functions; nothing is generated as source code.

Python float arithmetic agrees with numpy's float64 wherever the result is finite (up to the
last bit of exp, log and tanh, whose libraries differ; a tensor circuit's small element gates
run on these kernels too, engine/small_elements.py). It differs only where Python raises
(1/0, exp(1000), log(0), a negative number to a fractional power) or where a number comes out
inf or nan (and then max/min would not propagate nan the way numpy does). So a run that raises
or leaves any non-finite value or gradient returns None, and the plan redoes it on the numpy
path, which stays the definition of what a circuit computes.
"""

from __future__ import annotations

import math


# What Python float arithmetic raises where numpy returns inf or nan.
FLOAT_ERRORS = (ArithmeticError, ValueError)


class Floats(list):
    """A list of Python floats made by the fast path (a plain list for every caller)."""

    __slots__ = ()


def _unary(gate):
    forward_one, backward_one = gate.scalar_forward, gate.scalar_backward

    def forward(v, a, _node):
        return forward_one(v[a])

    def backward(v, g, i, a, _node):
        g[a] += backward_one(v[a], v[i], g[i])

    return forward, backward


def _unary_with_param(gate):
    forward_one, backward_one = gate.scalar_forward, gate.scalar_backward
    name = gate.params[0]

    # Params are read at run time: setting one does not change the circuit's structure.
    def forward(v, a, node):
        return forward_one(v[a], node.params[name])

    def backward(v, g, i, a, node):
        g[a] += backward_one(v[a], v[i], g[i], node.params[name])

    return forward, backward


def _binary(gate):
    forward_two, backward_two = gate.scalar_forward, gate.scalar_backward

    def forward(v, a, b):
        return forward_two(v[a], v[b])

    def backward(v, g, i, a, b):
        grad_a, grad_b = backward_two(v[a], v[b], v[i], g[i])
        g[a] += grad_a
        g[b] += grad_b

    return forward, backward


def _n_ary(gate):
    fold, backward_all = gate.scalar_forward, gate.backward

    def forward(v, ports, _node):
        out = v[ports[0]]
        for j in ports[1:]:
            out = fold(out, v[j])
        return out

    def backward(v, g, i, ports, node):
        sent = backward_all([v[j] for j in ports], v[i], g[i], node.params)
        for j, grad in zip(ports, sent):
            g[j] += float(grad)  # max/min's numpy backward gives numpy scalars

    return forward, backward


def step_kernels(gate, n_ports: int) -> tuple | None:
    """The (forward, backward) step kernels of ``gate`` with ``n_ports`` ports, or None if the
    gate has no scalar kernels."""
    if gate.scalar_forward is None or gate.scalar_backward is None:
        return None
    if n_ports == 1:
        return _unary_with_param(gate) if gate.params else _unary(gate)
    if n_ports == 2:
        return _binary(gate)
    return _n_ary(gate)


def operands(n_ports: int, ports: tuple, node):
    """The (a, b) a step kernel of this many ports takes."""
    if n_ports == 1:
        return ports[0], node
    if n_ports == 2:
        return ports
    return ports, node


class ScalarProgram:
    """A plan's steps compiled for Python floats; see the module docstring."""

    def __init__(self, size: int, forward_steps: list, backward_steps: list,
                 output_index: int | None, reached: frozenset = frozenset()):
        self.size = size
        self.forward_steps = forward_steps
        self.backward_steps = backward_steps
        self.output_index = output_index
        # Gradients add up from -0.0, the float that adding to changes nothing (0.0 + -0.0 is
        # +0.0): a node's first share is then its gradient bit for bit, sign of 0 included, as
        # on the numpy path. Nodes the backward pass never reaches stay +0.0, as there.
        self._zeros = [-0.0 if i in reached else 0.0 for i in range(size)]

    def forward(self, sources) -> Floats | None:
        """Every value from (index, float) source pairs, or None if a value is not finite."""
        v = [0.0] * self.size
        for i, x in sources:
            v[i] = x
        try:
            for kernel, i, a, b in self.forward_steps:
                v[i] = kernel(v, a, b)
            total = sum(v)
        except FLOAT_ERRORS:
            return None
        return Floats(v) if math.isfinite(total) else None

    def backward(self, values: list) -> Floats | None:
        """Every df/d(node) from finite float values, or None if a gradient is not finite."""
        if self.output_index is None:
            return None
        v = list(values)
        g = list(self._zeros)
        g[self.output_index] = 1.0
        try:
            for kernel, i, a, b in self.backward_steps:
                kernel(v, g, i, a, b)
            total = sum(g)
        except FLOAT_ERRORS:
            return None
        return Floats(g) if math.isfinite(total) else None


def compile_program(size: int, steps: list, backward_steps: list,
                    output_index: int | None) -> ScalarProgram | None:
    """A plan's steps as a ScalarProgram, or None if a gate has no scalar kernels.

    ``steps`` and ``backward_steps`` are the plan's ``(i, forward, backward, ports, node)``
    tuples, the backward ones in the order the backward pass takes them.
    """
    made = {}  # (op, 1 / 2 / more ports) -> kernels: made once per kind of step
    forward_steps = []
    backward_kernels = {}
    for i, _forward, _backward, ports, node in steps:
        kind = (node.op, min(len(ports), 3))
        kernels = made.get(kind)
        if kernels is None:
            kernels = made[kind] = step_kernels(node.gate, len(ports))
            if kernels is None:
                return None
        a, b = operands(len(ports), ports, node)
        forward_steps.append((kernels[0], i, a, b))
        backward_kernels[i] = kernels[1]
    backward = [(backward_kernels[i], i, *operands(len(ports), ports, node))
                for i, _forward, _backward, ports, node in backward_steps]
    reached = frozenset(j for step in backward_steps for j in step[3])
    return ScalarProgram(size, forward_steps, backward, output_index, reached)
