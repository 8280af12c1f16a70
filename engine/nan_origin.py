"""Where a nan (or an inf) was born, and why, in words.

The passes follow PyTorch: a number that stops being finite is not an error, it flows on (exp
overflows to inf, 0 × inf is nan, and every gradient upstream of that is nan too). What a
student then needs is the place it started. ``nan_origin`` reads a ``Result`` and finds:

- in the backward pass (the gradients), the first gate, in the order the backward pass visits
  them, that received a finite upstream gradient and sent a non-finite one down a port; why:
  "0 × inf" (a zero upstream gradient times an infinite local gradient), a local gradient that
  is itself infinite or undefined there, or a product that overflowed; failing that, the node
  whose consumers each sent back a finite gradient that, added up (a fan-out), overflowed;
- in the forward pass (the values), the first gate in topological order whose inputs were all
  finite and whose value is not: a pole (1/0, where the table's ``pole`` says the gate is
  infinite), an overflow past float64's largest number (any other inf), or a number outside
  the gate's domain (ln of a negative number).

A gradient's origin is reported first (it is what turns every gradient nan); the value that
fed it, if that was born non-finite, is named in the same explanation. The gate table says the
rest: how a gate is written (``infix``), its local gradient, its ``domain`` and its ``nan_hint``
(exp: the one-gate sigmoid computes 1 / (1 + e^−a) without overflowing).

Vectors and matrices: the story is told at the first element that stopped being finite, and
names it ("element [1, 0] of q"). Element by element gates line their elements up with their
inputs' (broadcasting them), so the numbers at that element are told; a tensor gate (matmul)
mixes its inputs' elements, so its inputs are told whole (small ones written out, big ones by
their shape, ``engine/value_format.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .autodiff import Result, plan_of
from .chain_rule import fan_out_sum
from .circuit import Circuit
from .gates import gate_number, infix_text
from .number_format import format_number
from .value_format import value_text

LARGEST = "about 1.8e308"  # float64's largest finite number, as the explanations say it
UPSTREAM_OF = ("The gradients upstream of it are computed from this one, so they are not "
               "finite either (as in PyTorch).")


@dataclass(frozen=True)
class NanOrigin:
    """Where a non-finite number was born: the gate, which pass, a short cause and the story."""

    node_id: str
    in_gradient: bool  # born in the backward pass (a gradient), else in the forward pass
    cause: str  # short, for a badge: "0 × inf", "exp overflowed to inf"
    text: str  # the whole explanation, in sentences
    hint: str = ""  # the gate table's ``nan_hint`` for the gate whose value went non-finite
    reason: str = ""  # the clause saying why ("exp(1997.00) = inf: ... so it overflowed")

    def concerns(self, result: Result, node_id: str) -> bool:
        """True for the gate where it was born and for a node it reached (a value, or a
        gradient, that is not finite)."""
        if node_id == self.node_id:
            return True
        reached = [result.values.get(node_id, 0.0)]
        if result.has_gradients:
            reached.append(result.grads.get(node_id, 0.0))
        return not all(_finite(number) for number in reached)

    @property
    def badge(self) -> str:
        """A few characters for the gate on the canvas: the cause when it is short."""
        return self.cause if len(self.cause) <= 10 else "not finite"


def _called(node) -> str:
    """A gate as the explanations name it: "q (add)", or "exp" when its name is its op."""
    return node.name if node.name == node.op else f"{node.name} ({node.op})"


def _finite(number) -> bool:
    if type(number) is float:  # most numbers: a single-number run gives Python floats
        return math.isfinite(number)
    return bool(np.all(np.isfinite(number)))


def _first_bad(out, inputs: list, also: tuple = (), elementwise: bool = True):
    """At the first element where ``out`` is not finite while every input is, the numbers of
    ``out``, the inputs and ``also`` there as floats; None if there is none. A tensor gate's
    elements do not line up with its inputs' (matmul): then ``out``'s first non-finite element
    where every input is finite, and the inputs and ``also`` whole."""
    numbers = [np.asarray(x, dtype=float) for x in (out, *inputs, *also)]
    arrays = None
    if elementwise:
        try:
            arrays = np.broadcast_arrays(*numbers)
        except ValueError:  # shapes that do not fit: judged whole, as a tensor gate's
            pass
    if arrays is None:
        if not all(np.isfinite(x).all() for x in numbers[1:len(inputs) + 1]):
            return None
        bad = np.argwhere(~np.isfinite(numbers[0]))
        if not len(bad):
            return None
        return [float(numbers[0][tuple(bad[0])]), *(x[()] for x in numbers[1:])]
    born = ~np.isfinite(arrays[0])
    for array in arrays[1:len(inputs) + 1]:
        born &= np.isfinite(array)
    if not born.any():
        return None
    at = tuple(np.argwhere(born)[0])
    return [float(array[at]) for array in arrays]


def _element(number, node_id: str) -> str:
    """' (element [1, 0] of q)' for the first non-finite element of a tensor, else ''."""
    if np.ndim(number) == 0:
        return ""
    bad = np.argwhere(~np.isfinite(np.asarray(number, dtype=float)))
    if not len(bad):
        return ""
    return f" (element [{', '.join(str(int(k)) for k in bad[0])}] of {node_id})"


def _written(node, inputs: list) -> str:
    """The gate's expression with these numbers: 'exp(1997.00)', '1 / 0.00'."""
    return infix_text(node.gate, [value_text(x) for x in inputs], node.params, format_number)


def _why_value(node, inputs: list, out: float) -> tuple[str, str]:
    """(short cause, clause) for a gate whose finite inputs gave a non-finite value."""
    gate = node.gate
    written = f"{_written(node, inputs)} = {format_number(out)}"
    needs = f" (it needs {gate.domain})" if gate.domain else ""
    if math.isinf(out) and gate.pole is not None and gate.pole(inputs, node.params):
        return (f"{node.op} at 0 is {format_number(out)}",
                f"{written} because {gate.name} is infinite at 0{needs}")
    if math.isinf(out):
        return (f"{node.op} overflowed to {format_number(out)}",
                f"{written} is past float64's largest number ({LARGEST}), so it overflowed")
    if gate.domain:
        return (f"{node.op} is undefined here",
                f"{written} because {gate.name} is undefined there{needs}")
    return (f"{node.op} overflowed inside",
            f"{written} because a part of it overflowed to inf first, and inf − inf or "
            f"0 × inf is not a number")


def _value_origin(circuit: Circuit, result: Result) -> NanOrigin | None:
    plan = plan_of(circuit)
    for _i, _forward, _backward, ports, node in plan.steps:
        if node.id in result.incomplete:
            continue
        out = result.values[node.id]
        if _finite(out):
            continue
        inputs = [result.values[plan.order[j]] for j in ports]
        numbers = _first_bad(out, inputs, elementwise=node.gate.elementwise)
        if numbers is None:
            continue
        cause, reason = _why_value(node, numbers[1:], numbers[0])
        reason += _element(out, node.id)
        text = f"The first number that is not finite is born at {_called(node)}: {reason}."
        return NanOrigin(node.id, False, cause, text, node.gate.nan_hint, reason)
    return None


def _gradient_origin(circuit: Circuit, result: Result,
                     value_origin: NanOrigin | None) -> NanOrigin | None:
    plan = plan_of(circuit)
    grads = result.grads
    for i, _forward, backward, ports, node in plan.backward_steps:
        # a gate sent something non-finite only to a node whose gradient is not finite
        if all(_finite(grads[plan.order[j]]) for j in ports) or not _finite(grads[node.id]):
            continue
        upstream = gate_number(grads[node.id])
        inputs = [gate_number(result.values[plan.order[j]]) for j in ports]
        out = gate_number(result.values[node.id])
        with np.errstate(all="ignore"):
            sent = backward(inputs, out, upstream, node.params)
            local = backward(inputs, out, np.ones_like(upstream), node.params)
        for port, grad in enumerate(sent):
            numbers = _first_bad(grad, [upstream], also=(local[port],),
                                 elementwise=node.gate.elementwise)
            if numbers is None:
                continue
            bad_grad, up, local_here = numbers
            return _explain_gradient(circuit, node, port, ports, plan, up, local_here, bad_grad,
                                     value_origin, result.values,
                                     _element(grad, circuit.nodes[plan.order[ports[port]]].id))
    return None


def _explain_gradient(circuit, node, port, ports, plan, up, local, bad_grad,
                      value_origin, values: dict, element: str = "") -> NanOrigin:
    source = circuit.nodes[plan.order[ports[port]]].name
    head = (f"The gradients stop being finite at {_called(node)}: it sends "
            f"{format_number(bad_grad)} down to {source}{element} from an upstream gradient "
            f"of {value_text(up)}.")
    gate = node.gate
    local_text = (f"its local gradient {gate.local_gradient} is {value_text(local)}"
                  if gate.max_ports == 1 else
                  f"its local gradient for {source} is {value_text(local)} "
                  f"({gate.local_gradient})")
    own = [values[plan.order[j]] for j in ports] + [values[node.id]]
    if np.ndim(local) != 0 or np.ndim(up) != 0:  # a tensor gate: a Jacobian times a tensor
        cause = "the product overflowed"
        why = (f"Its backward multiplies the upstream gradient {value_text(up)} by its local "
               f"Jacobian, and the result is past float64's largest number ({LARGEST}) there.")
    elif math.isfinite(local):
        cause = "the product overflowed"
        why = (f"Upstream × local = {format_number(up)} × {format_number(local)} is past "
               f"float64's largest number ({LARGEST}).")
    elif up == 0.0 and math.isinf(local):
        cause = "0 × inf"
        why = (f"Here {local_text}, and the upstream gradient is 0: 0 × inf is nan, so the "
               "backward pass cannot tell how much nudging it would matter.")
    elif all(_finite(number) for number in own):
        cause = "local gradient overflowed"
        why = (f"Here {local_text}: at these finite numbers it is past float64's largest "
               f"number ({LARGEST}).")
    else:
        cause = f"local gradient {value_text(local)}"
        why = f"Here {local_text}."
    hint = ""
    if value_origin is not None:
        born = circuit.nodes[value_origin.node_id]
        if born.id == node.id:
            why += f" Its value is not finite either: {value_origin.reason}."
        else:
            why += (f" The first value that is not finite is that of {_called(born)}: "
                    f"{value_origin.reason}.")
        hint = value_origin.hint
    else:
        given = [source.name for _i, source in plan.sources if not _finite(values[source.id])]
        if given:  # the non-finite number came in with a source's value
            cause = f"{given[0]} is not finite"
            why += f" It comes in with the value of {', '.join(given)}, which is not finite."
    hint = hint or gate.nan_hint
    return NanOrigin(node.id, True, cause, f"{head} {why} {UPSTREAM_OF}", hint)


def _fan_out_origin(circuit: Circuit, result: Result) -> NanOrigin | None:
    """The first node, in the order the backward pass reaches them, whose gradient is not
    finite though every share its consumers sent back is (named in the order they are added):
    the shares overflowed when the backward pass added them up."""
    plan = plan_of(circuit)
    for node_id in reversed(plan.order):
        if node_id in plan.incomplete or _finite(result.grads.get(node_id, 0.0)):
            continue
        fan = fan_out_sum(circuit, result, node_id)
        seed = [fan.seed] if fan.seed else []
        if len(fan.branches) + len(seed) < 2:
            continue
        numbers = _first_bad(fan.total, [branch.grad for branch in fan.branches] + seed)
        if numbers is None:
            continue
        total, shares = numbers[0], numbers[1:len(fan.branches) + 1]
        dsts = [branch.dst for branch in fan.branches]
        named = ", ".join(
            f"{circuit.nodes[branch.dst].name}"
            + (f" port {branch.port}" if dsts.count(branch.dst) > 1 else "")
            + f": {value_text(share)}" for branch, share in zip(fan.branches, shares))
        if seed:
            named += ", and 1 as the output"
        count = len(fan.branches)
        text = (f"The gradients stop being finite at {_called(circuit.nodes[node_id])}: the "
                f"gradients its {count} consumer{'s' if count > 1 else ''} send back ({named}) "
                f"are each finite, but they add up to {format_number(total)}, past float64's "
                f"largest number ({LARGEST}). {UPSTREAM_OF}")
        return NanOrigin(node_id, True, "gradients add up past the largest float", text)
    return None


def nan_origin(circuit: Circuit, result: Result | None) -> NanOrigin | None:
    """Where the first non-finite gradient (else value) of ``result`` was born, and why; None
    when every number is finite."""
    if result is None or (_all_finite(result.values) and _all_finite(result.grads)):
        return None
    value_origin = _value_origin(circuit, result)
    if result.has_gradients and not _all_finite(result.grads):
        origin = (_gradient_origin(circuit, result, value_origin)
                  or _fan_out_origin(circuit, result))
        if origin is not None:
            return origin
    return value_origin


def _all_finite(numbers: dict) -> bool:
    with np.errstate(all="ignore"):
        try:
            total = sum(numbers.values(), 0.0)
        except ValueError:  # tensors whose shapes do not broadcast together: one by one
            return all(_finite(number) for number in numbers.values())
    # a sum is finite only if every term is (the other way round it may overflow: then look)
    return _finite(total) or all(_finite(number) for number in numbers.values())
