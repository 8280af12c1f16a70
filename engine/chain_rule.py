"""The chain rule, gate by gate: the schedule of the two passes and what each gate does.

This is what the animated passes show, computed here so it can be tested without a window.
The forward pass visits the gates in the plan's topological order; the values of the wires
into a gate arrive at it, and it computes its own. The backward pass starts at the output with
df/df = 1.00 and visits the gates upstream of the output in reverse order. A gate that has its
upstream gradient df/dgate multiplies it by the local gradient of each input port (its
backward function called with an upstream gradient of 1) and sends the product down that
port's wire:

    upstream × local = sent          (the exp gate of the CS231n neuron: -0.53 × 0.37 = -0.20)

How a gate shares its gradient out follows a pattern (CS231n lecture 4): add distributes (every
input gets the upstream gradient), max and min route (the losing input gets 0), mul switches
(each input gets the other's value times the upstream gradient), and every other gate scales by
its local gradient. Where a node's output feeds several ports, the branch gradients its
consumers send back add up to its gradient (``fan_out_sum``); each branch's wire carries its
own share (``branch_gradients``).

Vectors and matrices: a step where a tensor flows is written as the lecture writes it, with
names first and numbers after, small tensors written out and big ones by their shape
(``engine/value_format.py``): forward ``q = W·x = [[0.10, 0.50], [-0.30, 0.80]] · [0.20, 0.40] =
[0.22, 0.26]``; backward, for a tensor gate, the row's ``backward_infix`` (``dW = dq·xᵀ = ...``,
``dx = Wᵀ·dq = ...``: its local gradient is a Jacobian, never formed, so ``local`` is None),
and for an element-by-element gate ``dq = dsq ⊙ local = ...`` (its local gradient is one
number per element). What a port is sent is always summed back to that port's shape.

Captions are formatted with ``format_short`` (the canvas's two-decimals rule) unless a
number formatter is given; tensors are written with it element by element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .autodiff import Result, plain_number, plan_of
from .circuit import Circuit, Wire
from .errors import CircuitError, quote, with_article
from .gates import display_symbol, gate_number, infix_text
from .local_captions import gate_locals, own_local_text
from .number_format import format_number
from .shapes import sum_to_shape
from .value_format import value_text

Formatter = Callable[[object], str]
_PORT = re.compile(r"\{(\d+)\}")


def format_short(x) -> str:
    """The canvas's short form of a number; a small tensor written out, a big one's shape."""
    return value_text(x)


def _writer(fmt: Formatter) -> Formatter:
    """``fmt`` for numbers, and for tensors element by element (or their shape)."""
    if fmt is format_short:
        return fmt
    return lambda x: value_text(x, fmt)


def is_tensor_step(xs, out) -> bool:
    """True when a vector or matrix goes in or comes out of a gate."""
    return np.ndim(out) != 0 or any(np.ndim(x) != 0 for x in xs)


# ----------------------------------------------------------------- the schedule of the passes
@dataclass(frozen=True)
class PassStep:
    """One gate of a pass, with the wires into it (forward: values arrive along them;
    backward: the gate sends its gradients back along them)."""

    node_id: str
    wires: tuple[Wire, ...]


def _step_of(circuit: Circuit, node_id: str) -> PassStep:
    sources = circuit.inputs_of(node_id)
    return PassStep(node_id, tuple(Wire(src, node_id, port) for port, src in enumerate(sources)
                                   if src is not None))


def forward_schedule(circuit: Circuit) -> list[PassStep]:
    """The gates that can be computed, in topological order (the engine's plan order)."""
    plan = plan_of(circuit)
    return [_step_of(circuit, step[4].id) for step in plan.steps]


def backward_schedule(circuit: Circuit) -> list[PassStep]:
    """The gates upstream of the output in reverse order, the output first (its df/df = 1)."""
    plan = plan_of(circuit)
    return [_step_of(circuit, step[4].id) for step in plan.backward_steps]


def backward_set(circuit: Circuit) -> frozenset:
    """The ids of the gates the backward pass visits (those upstream of the output)."""
    return frozenset(step[4].id for step in plan_of(circuit).backward_steps)


# ----------------------------------------------------------------- one gate's chain rule
@dataclass(frozen=True)
class PortRule:
    """What a gate sends down one input port: upstream × local = sent."""

    port: int
    source: str
    upstream: object
    local: object  # None for a tensor gate: its local gradient is a Jacobian, never formed
    sent: object
    # a step where a tensor flows: what is sent, as the lecture writes it with names
    # ("dW = dq·xᵀ"), and the same template's operands, to write it with numbers
    formula: str = ""
    template: str = ""
    operands: dict | None = None

    def caption(self, fmt: Formatter = format_short) -> str:
        """'-0.53 × 0.37 = -0.20'; a tensor step: 'dW = dq·xᵀ = [0.44, 0.52]·[0.20, 0.40]ᵀ =
        [[0.09, 0.18], [0.10, 0.21]]'."""
        write = _writer(fmt)
        if not self.formula:
            return f"{write(self.upstream)} × {write(self.local)} = {write(self.sent)}"
        numbers = self.template.format(**{key: write(value)
                                          for key, value in self.operands.items()})
        return f"{self.formula} = {numbers} = {write(self.sent)}"


@dataclass(frozen=True)
class GateChainRule:
    """A gate's backward step: its upstream gradient df/dgate and what each port gets."""

    node_id: str
    op: str
    upstream: object
    ports: tuple[PortRule, ...]
    pattern: str  # "distributes", "routes", "switches" or "scales"
    pattern_text: str

    def captions(self, fmt: Formatter = format_short) -> list[str]:
        """One 'upstream × local = sent' caption per port."""
        return [rule.caption(fmt) for rule in self.ports]


# How each pattern of the table's ``pattern`` column reads; "scales" is written per gate below.
_PATTERN_TEXTS = {
    "distributes": "{op} distributes: every input gets the upstream gradient",
    "routes": "{op} routes: the losing input gets 0",
    "switches": "{op} switches: each input gets {other} × the upstream gradient",
}


def _pattern(node, sources, xs, out) -> tuple[str, str]:
    gate = node.gate
    if gate.pattern in _PATTERN_TEXTS:
        other = "the other's value" if len(sources) == 2 else "the product of the others"
        return gate.pattern, _PATTERN_TEXTS[gate.pattern].format(op=node.op, other=other)
    if gate.local_origin:  # no formula of its own (a file's own gate): the numbers it computed
        return gate.pattern, own_local_text(node, sources, xs, out, gate_locals(node, xs, out))
    name = display_symbol(gate, node.params)  # as drawn on the gate: 1/x, ×−1, +1, exp
    local = gate.local_gradient
    if gate.passes_gradient:
        return gate.pattern, f"{name} passes the gradient through (local gradient 1)"
    if gate.local_param:
        local = f"{gate.local_param} = {node.params[gate.local_param]:g}"
    elif node.params:
        local += " (" + ", ".join(f"{k} = {v:g}" for k, v in node.params.items()) + ")"
    return gate.pattern, f"{name} scales by its local gradient {local}"


def _gate_numbers(circuit: Circuit, result: Result, node_id: str):
    node = circuit.node(node_id)
    if node.gate.is_source:
        raise CircuitError(f"{quote(node_id)} is {with_article(node.op)}: "
                           "it has no input ports")
    sources = circuit.inputs_of(node_id)
    if None in sources or node_id in result.incomplete or node_id not in result.values:
        raise CircuitError(f"{quote(node_id)} cannot be computed: a port is not connected")
    xs = [gate_number(result.values[src]) for src in sources]
    return node, sources, xs, result.values[node_id]


def gate_chain_rule(circuit: Circuit, result: Result, node_id: str) -> GateChainRule:
    """The chain rule at one gate: df/dgate, and per port the local gradient and what is sent."""
    node, sources, xs, out = _gate_numbers(circuit, result, node_id)
    upstream = result.grads.get(node_id, 0.0)
    if is_tensor_step(xs, out):
        ports = _tensor_port_rules(node, sources, xs, out, gate_number(upstream))
    else:
        with np.errstate(all="ignore"):
            locals_ = node.gate.backward(xs, out, np.float64(1.0), node.params)
            sent = node.gate.backward(xs, out, upstream, node.params)
        ports = tuple(PortRule(port, src, plain_number(upstream), plain_number(local),
                               plain_number(grad))
                      for port, (src, local, grad) in enumerate(zip(sources, locals_, sent)))
    pattern, text = _pattern(node, sources, xs, out)
    return GateChainRule(node_id, node.op, plain_number(upstream), ports, pattern, text)


def port_gradients(node, xs, out, upstream) -> tuple:
    """What the gate sends down each port: its backward, summed back to each port's shape."""
    with np.errstate(all="ignore"):
        sent = node.gate.backward(xs, out, upstream, node.params)
    return tuple(sum_to_shape(grad, np.shape(x), in_order=True)[()]
                 if np.shape(grad) != np.shape(x) else grad
                 for grad, x in zip(sent, xs))


def _tensor_port_rules(node, sources, xs, out, upstream) -> tuple:
    """The port rules of a step where a tensor flows, written as the lecture writes them."""
    sent = port_gradients(node, xs, out, upstream)
    operands = {"g": upstream, **{f"p{k}": x for k, x in enumerate(xs)}}
    names = {"g": f"d{node.id}", **{f"p{k}": src for k, src in enumerate(sources)}}
    locals_ = None
    if node.gate.elementwise:  # element by element: one local gradient per element
        with np.errstate(all="ignore"):
            locals_ = node.gate.backward(xs, out, np.ones_like(out), node.params)
    rules = []
    for port, (src, grad) in enumerate(zip(sources, sent)):
        local = None
        if locals_ is None:  # "{0}" is port 0: a name of its own, "{p0}"
            # a gate without the lecture's formula (a file's own): the Jacobian's product
            backward_infix = node.gate.backward_infix or ("Jᵀ·{g}",) * len(sources)
            template = _PORT.sub(r"{p\1}", backward_infix[port])
            used = {key: value for key, value in operands.items() if f"{{{key}}}" in template}
        else:
            local = locals_[port]
            template = "{g} ⊙ {local}"
            if np.shape(xs[port]) != np.shape(local):  # broadcast: its elements add up
                template = f"Σ({template})"
            used = {"g": upstream, "local": local}
        formula = f"d{src} = " + template.format(**{**names, "local": "local"})
        rules.append(PortRule(port, src, plain_number(upstream), _maybe_plain(local),
                              plain_number(grad), formula, template, used))
    return tuple(rules)


def _maybe_plain(number):
    return None if number is None else plain_number(number)



def _sum_text(terms, fmt: Formatter) -> str:
    """'0.20 - 0.40 + 1.00': a sum written with the signs of its terms."""
    text = fmt(terms[0])
    for term in terms[1:]:
        if np.ndim(term) == 0 and float(term) < 0:
            text += f" - {fmt(-float(term))}"
        else:
            text += f" + {fmt(term)}"
    return text


def forward_caption(circuit: Circuit, result: Result, node_id: str,
                    fmt: Formatter = format_short) -> str:
    """What a gate computes with the numbers that reached it: '-2.00 + 5.00 = 3.00'; where a
    tensor flows, with names first: 'W·x = [[0.10, 0.50], [-0.30, 0.80]] · [0.20, 0.40] =
    [0.22, 0.26]'."""
    node, sources, xs, out = _gate_numbers(circuit, result, node_id)
    write = _writer(fmt)
    if is_tensor_step(xs, out):
        names = infix_text(node.gate, list(sources), node.params, fmt,
                           compact=not node.gate.elementwise)  # W·x, as the lecture writes it
        numbers = infix_text(node.gate, [write(x) for x in xs], node.params, fmt)
        return f"{names} = {numbers} = {write(out)}"
    if node.gate.adds_inputs:  # a sum: written with the signs of its terms
        written = _sum_text(xs, write)
    else:
        written = infix_text(node.gate, [write(x) for x in xs], node.params, fmt)
    return f"{written} = {write(out)}"


# ----------------------------------------------------------------- fan-out
@dataclass(frozen=True)
class Branch:
    """The gradient one consumer (``dst``, ``port``) sent back to a node."""

    dst: str
    port: int
    grad: object


@dataclass(frozen=True)
class FanOut:
    """A node's gradient as the sum of what its branches sent back (plus 1 at the output)."""

    node_id: str
    branches: tuple[Branch, ...]
    seed: float  # 1.0 at the output (df/df), else 0.0
    total: object

    @property
    def fans_out(self) -> bool:
        """True when more than one term adds up to the node's gradient."""
        return len(self.branches) + (self.seed != 0.0) > 1

    def caption(self, fmt: Formatter = format_short) -> str:
        """'-0.20 + 0.40 = 0.20': the branch gradients adding up to the node's gradient."""
        write = _writer(fmt)
        terms = ([self.seed] if self.seed else []) + [b.grad for b in self.branches]
        if not terms:
            return f"0 = {write(self.total)}"
        return f"{_sum_text(terms, write)} = {write(self.total)}"


def _sent_down(circuit: Circuit, result: Result, dst: str) -> tuple:
    """What gate ``dst`` sends down each of its ports: upstream × local, port by port."""
    node, _sources, xs, out = _gate_numbers(circuit, result, dst)
    sent = port_gradients(node, xs, out, gate_number(result.grads.get(dst, 0.0)))
    return tuple(plain_number(grad) for grad in sent)


def _branches(circuit: Circuit, result: Result, consumers, visited: frozenset) -> list[Branch]:
    """The gradient each consumer (dst, port) sends back; 0 from a gate the backward pass does
    not visit (it does not reach the output: nothing comes back along that wire)."""
    sent: dict[str, tuple] = {}
    branches = []
    for dst, port in consumers:
        if dst in visited and dst not in sent:
            sent[dst] = _sent_down(circuit, result, dst)
        branches.append(Branch(dst, port, sent[dst][port] if dst in visited else 0.0))
    return branches


def fan_out_sum(circuit: Circuit, result: Result, node_id: str) -> FanOut:
    """The branch gradients the consumers of ``node_id`` sent back, and their sum (its grad)."""
    circuit.node(node_id)
    visited = backward_set(circuit)
    order = {step_id: k for k, step_id in enumerate(
        step.node_id for step in backward_schedule(circuit))}
    consumers = sorted((pair for pair in circuit.consumers_of(node_id) if pair[0] in visited),
                       key=lambda pair: (order[pair[0]], pair[1]))
    branches = _branches(circuit, result, consumers, visited)
    seed = 1.0 if node_id == result.output else 0.0
    total = np.float64(seed)
    with np.errstate(all="ignore"):
        for branch in branches:  # in the order the engine adds them up
            total = total + branch.grad
    return FanOut(node_id, tuple(branches), seed, plain_number(total))


def branch_gradients(circuit: Circuit, result: Result) -> dict:
    """What the wires out of a node that fans out (or out of the output) carry back:
    ``{(dst, port): gradient}``, each the gradient its consumer sent down that port.

    A node feeding one port gets exactly what that wire carries, its own gradient, so such wires
    are not listed. A branch into a gate that does not reach the output carries nothing back (0).
    """
    visited = backward_set(circuit)
    branches = {}
    for node_id in circuit.nodes:
        consumers = circuit.consumers_of(node_id)
        if len(consumers) >= 2 or node_id == result.output:
            for branch in _branches(circuit, result, consumers, visited):
                branches[(branch.dst, branch.port)] = branch.grad
    return branches
