"""Forward and backward passes: the chain rule, gate by gate, in topological order.

A ``Plan`` is what a circuit's structure compiles to: the nodes in topological order (Kahn's
algorithm, iterative, so a 5000-deep chain is fine), each step's gate functions and the
positions of its inputs, and the steps the backward pass needs (those upstream of the output).
It is cached on the circuit and rebuilt only when ``structure_version`` changes, so an
optimisation loop pays only for the arithmetic.

The forward pass computes every node's value; the backward pass seeds df/df = 1 at the output
and walks the steps in reverse, multiplying each upstream gradient by the gate's local gradient
and adding what reaches each input to what reached it before, so fan-out is right. Any source
may be bound to a numpy array (a batch); values broadcast, and the gradient of a node that was
not batched is summed over the batch.

Those numpy passes are the reference. When every source is a single number, ``forward`` and
``backward`` first try the scalar fast path (``engine/scalar_kernels.py``: the same steps on
Python floats, several times faster), which gives up on anything non-finite and leaves that
run to the reference passes. In a circuit holding a vector or matrix, the reference passes
compute an element gate of at most 64 elements outside a batch with those same kernels,
element by element (``engine/small_elements.py``), as Expand to Scalars computes it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from heapq import heappop, heappush

import numpy as np

from . import batch_split
from .circuit import Circuit
from .errors import CircuitError, GateRunError, quote, shown
from .gradient_sums import GradientSums, gradients_expected, sent_on
from .scalar_kernels import Floats, compile_program
from .shapes import ShapeError, sum_to_shape
from .small_elements import small_element_steps
from .tensor_steps import TensorStep, infer_shape, tensor_step

_NUMBER_TYPES = (int, float, np.integer, np.floating)


def as_number(value):
    """A float64 scalar or a float64 array: the only kinds of numbers the passes handle."""
    if np.ndim(value) == 0:
        return np.float64(value)
    return np.asarray(value, dtype=np.float64)


class Plan:
    """A circuit's structure compiled for evaluation: order, steps, output."""

    def __init__(self, circuit: Circuit):
        self.version = circuit.structure_version
        self.order = topological_order(circuit)
        self.index = {node_id: i for i, node_id in enumerate(self.order)}
        nodes = [circuit.nodes[node_id] for node_id in self.order]
        self.nodes = nodes
        self.sources = []
        self.steps = []
        self.incomplete: set[str] = set()
        index = self.index
        # Each node's own shape (no batch axes), by plan index; None where it is unknown.
        shapes: list = [None] * len(nodes)
        self.shape_problems: list[tuple[str, str]] = []
        # own gates that cannot run (not trusted, failing their check, broken inside)
        self.gate_problems: list[tuple[str, str]] = []
        self._kinds: dict[int, TensorStep] = {}  # steps that need more than numpy's broadcast
        for i, node in enumerate(nodes):
            gate = node.gate
            if gate.is_source:
                self.sources.append((i, node))
                shapes[i] = np.shape(node.value)
                if type(node.feature) is tuple and shapes[i] != (len(node.feature),):
                    self._shape_problem(circuit, node, f"bound to data columns "
                                        f"{list(node.feature)}, so its value must be a vector "
                                        f"of {len(node.feature)} numbers, not shape {shapes[i]}")
                continue
            if gate.problem:  # named even where what feeds it cannot run either
                self.gate_problems.append((node.id, f"{self._place(circuit, node)}: "
                                                    f"{gate.problem}"))
                self.incomplete.add(node.id)
                continue
            ports = circuit.inputs_of(node.id)
            if None in ports or (self.incomplete and not self.incomplete.isdisjoint(ports)):
                self.incomplete.add(node.id)
                continue
            positions = tuple([index[src] for src in ports])
            in_shapes = [shapes[j] for j in positions]
            try:
                shapes[i] = infer_shape(gate, in_shapes)
            except ShapeError as error:
                self._shape_problem(circuit, node, str(error))
                self.incomplete.add(node.id)
                continue
            kind = tensor_step(gate, in_shapes, shapes[i])
            if kind is not None:
                self._kinds[i] = kind
            self.steps.append((i, gate.forward, gate.backward, positions, node))
        if any(shapes):  # a vector or matrix: small element gates as the expansion computes them
            self.steps = small_element_steps(self.steps, shapes)
        self.shapes = {node.id: shape for node, shape in zip(nodes, shapes)
                       if shape is not None}
        self._ranks = [0 if shape is None else len(shape) for shape in shapes]
        self.problems = circuit.problems() + [message for _id, message in
                                              self.shape_problems + self.gate_problems]
        try:
            self.output = circuit.output_id()
        except CircuitError:
            self.output = None
        self.output_index = None if self.output is None else self.index[self.output]
        self.backward_steps = self._steps_upstream_of_output()
        self._source_ids = frozenset(node.id for _i, node in self.sources)
        self._scalar = None if self.incomplete else compile_program(
            len(nodes), self.steps, self.backward_steps, self.output_index)

    def _shape_problem(self, circuit: Circuit, node, what: str) -> None:
        self.shape_problems.append((node.id, f"{self._place(circuit, node)}: {what}"))

    @staticmethod
    def _place(circuit: Circuit, node) -> str:
        place = f"nodes[{list(circuit.nodes).index(node.id)}] ({node.id})"
        return place if circuit.defining is None else f"gates.{circuit.defining}.{place}"

    def _steps_upstream_of_output(self):
        if self.output is None or self.output in self.incomplete:
            return []
        needed = {self.output_index}
        upstream = []
        for step in reversed(self.steps):
            if step[0] in needed:
                upstream.append(step)
                needed.update(step[3])
        return upstream

    def _check_overrides(self, overrides: dict) -> None:
        if not self._source_ids.issuperset(overrides):
            key = next(key for key in overrides if key not in self._source_ids)
            raise CircuitError(f"{quote(key)} is not an input or const of this circuit")
        batched = None  # (id, number of batch axes) of the first batched override
        for key, value in overrides.items():
            shape = self.shapes[key]
            if shape and np.shape(value)[-len(shape):] != shape:
                raise CircuitError(f"{shown(key)}: a value of shape {np.shape(value)} cannot "
                                   f"take the place of its value of shape {shape}")
            axes = np.ndim(value) - len(shape)
            if axes and batched is None:
                batched = (key, axes)
            elif axes and axes != batched[1]:
                raise CircuitError(f"{shown(key)} is given a batch of {axes} axes and "
                                   f"{shown(batched[0])} one of {batched[1]}: every batched "
                                   "value of a run must have the same batch axes")

    def source_values(self, overrides: dict | None = None) -> list:
        """The values of the sources (node values, or the overrides given by id)."""
        overrides = overrides or {}
        self._check_overrides(overrides)
        return [(i, as_number(overrides.get(node.id, node.value))) for i, node in self.sources]

    def _float_sources(self, overrides: dict | None) -> list | None:
        """The sources as (index, Python float) pairs, or None if one is not a single number."""
        if overrides:
            self._check_overrides(overrides)
            pairs = [(i, overrides.get(node.id, node.value)) for i, node in self.sources]
        else:
            pairs = [(i, node.value) for i, node in self.sources]
        for k, (i, x) in enumerate(pairs):
            if type(x) is not float:
                if not isinstance(x, _NUMBER_TYPES):
                    return None
                pairs[k] = (i, float(x))
        return pairs

    def forward(self, overrides: dict | None = None) -> list:
        """Every node's value, in plan order (nan where the circuit is incomplete)."""
        values = self.scalar_forward(overrides)
        if values is None:
            values = self.reference_forward(overrides)
        return values

    def backward(self, values: list, seed=None, *, sources_only: bool = False) -> list:
        """Every node's df/d(node), in plan order (0 where a node does not reach the output).

        ``seed`` is the output's upstream gradient (default 1; an array over a batch gives,
        for training, dL/dscore per point). ``sources_only``: only the sources' gradients are
        wanted (training); on the numpy path the gates' are then None, and a batched pass keeps
        none of them longer than it needs it (about a third faster).
        """
        grads = None if seed is not None else self.scalar_backward(values)
        if grads is None:
            grads = self.reference_backward(values, seed, sources_only=sources_only)
        return grads

    def scalar_forward(self, overrides: dict | None = None) -> Floats | None:
        """``forward`` on the scalar fast path, or None where only the numpy path can do it."""
        if self._scalar is None:
            return None
        sources = self._float_sources(overrides)
        return None if sources is None else self._scalar.forward(sources)

    def scalar_backward(self, values: list) -> Floats | None:
        """``backward`` on the scalar fast path (for values the fast forward made), or None."""
        if self._scalar is None or type(values) is not Floats:
            return None
        return self._scalar.backward(values)

    def reference_forward(self, overrides: dict | None = None) -> list:
        """``forward`` on numpy: the definition of what the circuit computes."""
        split = batch_split.forward(self, overrides) if overrides else None
        if split is not None:  # a big batch: the same pass, in chunks on two threads
            return split
        values = [np.float64(np.nan)] * len(self.nodes)
        for i, value in self.source_values(overrides):
            values[i] = value
        kinds = self._kinds
        with np.errstate(all="ignore"):
            for i, forward, _backward, ports, node in self.steps:
                if i in kinds:
                    values[i] = kinds[i].forward(forward, [values[j] for j in ports],
                                                 node.params)
                else:
                    values[i] = forward([values[j] for j in ports], node.params)
        return values

    @cached_property
    def _gradient_sums_plan(self) -> tuple[list[int], list[bool], list[int]]:
        steps = self.backward_steps
        return (gradients_expected(len(self.nodes), steps), sent_on(len(self.nodes), steps),
                self._ranks)

    def reference_backward(self, values: list, seed=None, *, sources_only: bool = False) -> list:
        """``backward`` on numpy: the definition of every gradient."""
        values = [np.float64(v) if type(v) is float else v for v in values]
        zero = np.float64(0.0)
        if self.output_index is None:
            return [zero] * len(self.nodes)
        split = batch_split.backward(self, values, seed, sources_only)
        if split is not None:  # a big batch: the same pass, in chunks on two threads
            return split
        sums = GradientSums(values, *self._gradient_sums_plan,
                            keep_gates=not sources_only)
        grads = sums.grads  # None: nothing has reached the node yet
        ones = np.ones_like(values[self.output_index])
        grads[self.output_index] = ones if seed is None else ones * as_number(seed)
        kinds = self._kinds
        with np.errstate(all="ignore"):
            for i, _forward, backward, ports, node in self.backward_steps:
                if i in kinds:
                    sent = kinds[i].backward(backward, [values[j] for j in ports], values[i],
                                             grads[i], node.params)
                else:
                    sent = backward([values[j] for j in ports], values[i], grads[i],
                                    node.params)
                sums.receive(i, ports, sent)
        # A gate may pass its upstream gradient on as it is (add does): copy the arrays that
        # more than one node received, so each node's gradient is its own array.
        seen = set()
        for i, (grad, value) in enumerate(zip(grads, values)):
            if grad is None:
                grads[i] = zero
            elif np.shape(grad) != np.shape(value):
                grads[i] = sum_to_shape(grad, np.shape(value))
            elif isinstance(grad, np.ndarray):
                if id(grad) in seen:
                    grads[i] = grad.copy()
                seen.add(id(grad))
        if sources_only:
            sources = {i for i, _node in self.sources}
            grads = [grad if i in sources else None for i, grad in enumerate(grads)]
        return grads


@dataclass
class Result:
    """What one forward + backward pass computed (numbers are floats or numpy arrays)."""

    output: str | None
    value: object
    values: dict
    grads: dict
    order: list
    incomplete: frozenset
    problems: list
    shape_problems: list = field(default_factory=list)  # (node id, message) pairs
    gate_problems: list = field(default_factory=list)  # (node id, message): own gates that
    # cannot run

    @property
    def has_gradients(self) -> bool:
        """True when the output could be computed, so the gradients mean something."""
        return self.output is not None and self.output not in self.incomplete

    @property
    def no_gradient_reason(self) -> str:
        """Why this pass gave no gradients, as one sentence ("" when it gave them)."""
        if self.output is None:
            return "No gradient: the circuit has no output yet."
        if self.output in self.incomplete:
            if self.shape_problems:
                return f"No gradient: shapes do not fit at {self.shape_problems[0][1]}."
            if self.gate_problems:
                return f"No gradient: {self.gate_problems[0][1]}."
            return (f"No gradient: the output {self.output} cannot be computed "
                    "(an input port upstream is not connected).")
        return ""


def topological_order(circuit: Circuit) -> list[str]:
    """Node ids so that every node comes after the nodes feeding it (insertion order on ties)."""
    feeds = {node_id: [dst for dst, _port in circuit.consumers_of(node_id)]
             for node_id in circuit.nodes}
    order = kahn_order(feeds)
    if len(order) != len(circuit.nodes):
        raise CircuitError("the circuit has a cycle")
    return order


def kahn_order(feeds: dict[str, list[str]]) -> list[str]:
    """Kahn's algorithm on ``feeds`` (each node -> the nodes its output feeds): the nodes so
    that each comes after the nodes feeding it, and of the nodes ready to come next, the first
    inserted (a heap of insertion places). So nodes listed in an order the wires allow run in
    that order: Expand to Scalars relies on it to have the scalar backward pass add each
    gradient's terms in a known order (engine/scalar_order.py). On a cycle, the order stops
    short: the nodes on a cycle, and those downstream of one, are left out."""
    pending = dict.fromkeys(feeds, 0)
    for dsts in feeds.values():
        for dst in dsts:
            pending[dst] += 1
    ids = list(feeds)
    place = {node_id: k for k, node_id in enumerate(ids)}
    ready = [k for k, node_id in enumerate(ids) if pending[node_id] == 0]  # sorted: a heap
    order = []
    while ready:
        node_id = ids[heappop(ready)]
        order.append(node_id)
        for dst in feeds[node_id]:
            pending[dst] -= 1
            if pending[dst] == 0:
                heappush(ready, place[dst])
    return order


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector (if it runs) while a plan is built.

    A plan makes a few long-lived objects per gate; for a big circuit the collector would scan
    the whole heap again and again while they are made (half the build time at 100 000 gates),
    and it finds nothing: a plan holds no cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def plan_of(circuit: Circuit) -> Plan:
    """The circuit's cached plan, rebuilt only after a structural change."""
    plan = getattr(circuit, "_plan", None)
    if plan is None or plan.version != circuit.structure_version:
        with _collector_paused():
            plan = Plan(circuit)
        circuit._plan = plan
    return plan


def plain_number(number):
    """A float for a number (a numpy scalar included), the array itself for a tensor."""
    return float(number) if np.ndim(number) == 0 else number


def run(circuit: Circuit, inputs: dict | None = None, *, allow_incomplete: bool = False,
        seed=None) -> Result:
    """Forward and backward pass; ``inputs`` overrides source values by id (scalars or arrays),
    ``seed`` is the output's upstream gradient (default 1).

    Raises CircuitError if the circuit cannot run, unless ``allow_incomplete``: then nodes that
    cannot be computed are nan and listed in ``incomplete``, and gradients are computed only if
    the output can be.
    """
    plan = plan_of(circuit)
    if plan.problems and not allow_incomplete:
        raise CircuitError("the circuit cannot run: " + "; ".join(plan.problems))
    try:
        values = plan.forward(inputs)
        grads = plan.backward(values, seed)
    except GateRunError as error:
        # the gate's definition carries the failure, so a new plan leaves the gate out
        circuit.root.definitions[error.gate].failure = str(error)
        circuit.root.own_gate_failed()
        if not allow_incomplete:
            raise
        return run(circuit, inputs, allow_incomplete=True, seed=seed)
    if type(values) is Floats and type(grads) is Floats:
        value_of, grad_of = dict(zip(plan.order, values)), dict(zip(plan.order, grads))
    else:
        value_of = {node_id: plain_number(v) for node_id, v in zip(plan.order, values)}
        grad_of = {node_id: plain_number(g) for node_id, g in zip(plan.order, grads)}
    return Result(
        output=plan.output,
        value=None if plan.output_index is None else plain_number(values[plan.output_index]),
        values=value_of,
        grads=grad_of,
        order=list(plan.order),
        incomplete=frozenset(plan.incomplete),
        problems=list(plan.problems),
        shape_problems=list(plan.shape_problems),
        gate_problems=list(plan.gate_problems),
    )
