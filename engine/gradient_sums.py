"""Adding up, in the numpy backward pass, the gradients that reach each node.

A node that feeds several ports receives one gradient from each, and its own gradient is their
sum (fan-out); a node smaller than what reached it (a weight over a batch of points) then has
it summed back to its own shape. ``GradientSums`` does this for ``Plan.reference_backward``
with as little memory traffic as it can, and gives the same numbers, bit for bit, as adding the
gradients one by one in the order they arrive (both summed over the points first where a
tensor step had summed one already) and summing to shape at the end:

- the second gradient to reach a node is added into a new array, and any later ones are added
  into that array in place: it is this pass's own, never a gate's or another node's;
- once the last gradient has reached a source (the plan says how many will) it is summed to the
  source's shape at once, while it is still in the cache, and the batch-sized array is freed (a
  gate's gradient keeps the batch axis until the end: its gate sends it on point by point);
- a gate may hand its upstream gradient on unchanged (add does): a node that got only that
  gets a copy of it then, while it is in the cache, so that each node's gradient is its own;
- where only the sources' gradients are wanted (training), a gate's gradient is dropped as
  soon as its gate has sent it on, so its memory is reused while it is still in the cache.
"""

from __future__ import annotations

import numpy as np

from .shapes import reduce_to, sum_own_axes, sum_to_shape


def gradients_expected(n_nodes: int, backward_steps: list) -> list[int]:
    """How many gradients a backward pass over ``backward_steps`` sends to each node: one for
    every port of those steps that the node feeds."""
    expected = [0] * n_nodes
    for _i, _forward, _backward, ports, _node in backward_steps:
        for j in ports:
            expected[j] += 1
    return expected


def sent_on(n_nodes: int, backward_steps: list) -> list[bool]:
    """Which nodes' gradients a backward pass over ``backward_steps`` reads again: the gates
    with a step of their own there, which send their gradient on to their ports."""
    read = [False] * n_nodes
    for i, *_step in backward_steps:
        read[i] = True
    return read


class GradientSums:
    """Each node's gradient so far (``grads``, None where nothing has reached it yet)."""

    def __init__(self, values: list, expected: list[int], sent_on: list[bool],
                 ranks: list[int], keep_gates: bool = True):
        self.values = values
        self._ranks = ranks  # each node's own rank (any axes in front are the batch's)
        self._keep_gates = keep_gates  # False: a gate's gradient is dropped once it is sent on
        self.grads = [None] * len(values)
        self._waiting = list(expected)
        self._sent_on = sent_on  # j's gate sends its gradient on: it keeps the batch axis
        self._own = [False] * len(values)  # grads[j] is an array made here for j alone
        self._passed = [False] * len(values)  # grads[j] is another node's gradient, as it is

    def receive(self, i: int, ports: tuple, sent: tuple) -> None:
        """Add what node ``i``'s gate sent back to each of its ports (``sent``, in order)."""
        upstream = self.grads[i]
        for j, grad in zip(ports, sent):
            self.add(j, grad, grad is upstream)
        if not self._keep_gates:
            self.grads[i] = None

    def add(self, j: int, grad, passed: bool = False) -> None:
        """Add ``grad`` to what reached node ``j`` (``passed``: it is another node's gradient,
        handed on unchanged); once the last has come, make it j's shape and j's own array."""
        if type(grad) is np.ndarray and grad.ndim == self._ranks[j] \
                and grad.shape != np.shape(self.values[j]):
            # no batch: each port's broadcast terms summed at once, as the expanded scalar
            # circuit sums them (engine/gradient_groups.py)
            grad, passed = sum_to_shape(grad, np.shape(self.values[j]), in_order=True), False
        held = self.grads[j]
        if held is None:
            held = grad
            self._passed[j] = passed
        else:
            if np.shape(grad) != np.shape(held):  # a tensor step summed one over the points
                value, rank = self.values[j], self._ranks[j]
                in_order = np.ndim(held) == np.ndim(grad) == rank  # no batch: see sum_to_shape
                held = reduce_to(held, value, rank, in_order)
                grad = reduce_to(grad, value, rank, in_order)
                self._own[j] = False  # the sum is reduce_to's, maybe a number
            if self._own[j] and np.shape(grad) == np.shape(held):
                np.add(held, grad, out=held)
            else:
                held = held + grad
                self._own[j] = type(held) is np.ndarray
                self._passed[j] = False
        self._waiting[j] -= 1
        if not self._waiting[j]:
            shape = np.shape(self.values[j])
            if np.shape(held) != shape:
                if np.ndim(held) == len(shape) == self._ranks[j]:  # no batch: see sum_to_shape
                    held = sum_to_shape(held, shape, in_order=True)
                elif not self._sent_on[j]:
                    held = sum_to_shape(held, shape)
                else:  # its gate reads it per point, but at the gate's own shape
                    held = sum_own_axes(held, shape, self._ranks[j])
            elif self._passed[j] and self._keep_gates and type(held) is np.ndarray:
                held = held.copy()  # now, while it is in the cache
        self.grads[j] = held
