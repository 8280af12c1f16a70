"""A tensor circuit's small element-by-element gates, computed by the scalar fast path's kernels.

Expand to Scalars (engine/expand.py) promises the tensor circuit's numbers bit for bit, and the
expanded circuit runs on the scalar fast path (engine/scalar_kernels.py), which calls Python's
maths library for exp, log, tanh, sigmoid and a general pow. numpy's array functions come from
another library and differ from it in the last bit of some numbers. So in a circuit that holds
a vector or a matrix, an element-by-element gate whose value has at most
``scalar_order.MAX_ELEMENTS`` elements and no batch axes is computed element by element by its
row's own Python-float kernels, the very functions the fast path calls. That includes a gate on
single numbers there (a tanh after a sum), which the expansion keeps as it is. Each element's
gradient to each port is computed on its own, as the expanded gate sends it, and the plan sums
them as before. Where a kernel raises or a number comes out inf or nan, the gate's numpy
functions redo that gate, as the fast path gives a run it cannot finish to the numpy passes.

A batched or bigger value stays on numpy, and so does a circuit of numbers only: its numpy
passes are the reference the fast path is held to (the two may differ in the last bit of a
maths-library function, as they always have).
"""

from __future__ import annotations

import math

import numpy as np

from .scalar_kernels import FLOAT_ERRORS, operands, step_kernels
from .scalar_order import MAX_ELEMENTS


class ElementKernels:
    """One gate's kernels laid out over its elements: the forward and backward functions the
    plan calls in place of the gate's numpy functions (same arguments, same results' shapes)."""

    def __init__(self, gate, node, in_shapes: list, out_shape: tuple, kernels: tuple):
        self.gate = gate
        self.ranks = tuple(len(shape) for shape in in_shapes)
        self.stretched = tuple(shape != out_shape for shape in in_shapes)  # by broadcasting
        self.out_shape = out_shape
        size = self.size = math.prod(out_shape)
        n_ports = len(in_shapes)
        self.out_start = n_ports * size  # values: each port's elements, then the output's
        forward_kernel, backward_kernel = kernels
        self.forward_steps, self.backward_steps = [], []
        for k in range(size):
            a, b = operands(n_ports, tuple(port * size + k for port in range(n_ports)), node)
            self.forward_steps.append((forward_kernel, self.out_start + k, a, b))
            self.backward_steps.append((backward_kernel, self.out_start + k, a, b))

    def _unbatched(self, xs) -> bool:
        """True when no input has batch axes (the values are numpy numbers and arrays)."""
        for x, rank in zip(xs, self.ranks):
            if x.ndim != rank:
                return False
        return True

    def _floats(self, xs) -> list:
        """Every port's elements, broadcast to the output's shape, as Python floats."""
        numbers = []
        for x, stretched in zip(xs, self.stretched):
            numbers += (np.broadcast_to(x, self.out_shape) if stretched else x).ravel().tolist()
        return numbers

    def _shaped(self, numbers: list):
        if not self.out_shape:
            return np.float64(numbers[0])
        return np.array(numbers).reshape(self.out_shape)

    def forward(self, xs, params):
        """The gate's value, element by element where the inputs are unbatched and finite."""
        if self._unbatched(xs):
            v = self._floats(xs) + [0.0] * self.size
            try:
                for kernel, i, a, b in self.forward_steps:
                    v[i] = kernel(v, a, b)
                finite = math.isfinite(sum(v))
            except FLOAT_ERRORS:
                finite = False
            if finite:
                return self._shaped(v[self.out_start:])
        return self.gate.forward(xs, params)

    def backward(self, xs, out, g, params) -> tuple:
        """Each port's gradient at the output's shape, element by element where it can."""
        if self._unbatched(xs) and g.shape == self.out_shape:
            v = self._floats(xs) + out.ravel().tolist()
            # each slot gets one term, added to -0.0 as the fast path adds it (the term's bits)
            grads = [-0.0] * self.out_start + g.ravel().tolist()
            try:
                for kernel, i, a, b in self.backward_steps:
                    kernel(v, grads, i, a, b)
                finite = math.isfinite(sum(v) + sum(grads))
            except FLOAT_ERRORS:
                finite = False
            if finite:
                size = self.size
                return tuple(self._shaped(grads[start:start + size])
                             for start in range(0, self.out_start, size))
        return self.gate.backward(xs, out, g, params)


def small_element_steps(steps: list, shapes: list) -> list:
    """A tensor circuit's plan steps ``(i, forward, backward, ports, node)``, those of its
    element-by-element gates of at most MAX_ELEMENTS elements with kernels computing on Python
    floats (see the module docstring); ``shapes`` are the nodes' own shapes by plan index."""
    made = []
    for step in steps:
        i, _forward, _backward, ports, node = step
        gate = node.gate
        kernels = step_kernels(gate, len(ports)) if gate.elementwise else None
        if kernels is not None and math.prod(shapes[i]) <= MAX_ELEMENTS:
            elements = ElementKernels(gate, node, [shapes[j] for j in ports], shapes[i], kernels)
            step = (i, elements.forward, elements.backward, ports, node)
        made.append(step)
    return made
