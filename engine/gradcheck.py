"""The gradient check: compare the backward pass with slopes measured by nudging the sources.

The lecture's advice: "we always use the analytic gradient in practice, but numerical gradients
are useful for debugging (gradient check)". For every source (input or const) we nudge its value
by +-eps, holding the others, and measure the centred difference (f(x+eps) - f(x-eps)) / 2eps.
The analytic gradient comes from the normal ``engine.run``, so it goes through every gate's
backward in the gate table: a row with a wrong local gradient shows up here as a "fail".

The verdict follows ``torch.autograd.gradcheck``: an entry is "ok" iff
``|analytic - numerical| <= atol + rtol * |numerical|``.

Corners are not mistakes. Where a gate has a kink (the gate table's ``kink`` column: relu or
abs seeing exactly 0, max/min with a tie), its left and right slopes differ and the analytic
gradient follows a convention (0 for relu/abs, an even split for ties). So we also measure the
one-sided slopes; when they disagree, or when the check mismatches while such a gate sits at its
kink, the entry's status is "kink" and its note names the gates.

Vectors and matrices: each element of a tensor source is a parameter of its own, nudged alone
(f(W + eps e_ij) - f(W - eps e_ij)) / 2eps and judged as a number is, kinks per element (a relu
of a vector at 0 in one element). The source's entry is its worst element (a fail before a kink
before an ok, then the largest relative error), with ``index`` naming that element and
``elements`` holding the entry of every element, in numpy's order.

Non-finite numbers: an entry whose two gradients are the same infinity is "ok"; any other
non-finite gradient (nan, or inf on one side only) is a "fail" with a note, and its rel_error
is inf.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .autodiff import plan_of, run
from .circuit import Circuit
from .errors import CircuitError, quote
from .gates import GATE_LIST
from .tensor_values import shape_text

_TINY = np.finfo(np.float64).tiny


@dataclass(frozen=True)
class GradCheckEntry:
    """The verdict for one source (for a tensor, its worst element ``index``, and every
    element's entry in ``elements``): both gradients, their relative error, "ok"/"fail"/"kink".
    """

    node_id: str
    analytic: float
    numerical: float
    rel_error: float
    status: str
    note: str = ""
    index: tuple = ()  # the element of a tensor source this entry is about; () for a number
    elements: tuple = ()  # a tensor source's entries, one per element; () for a number

    @property
    def element_text(self) -> str:
        """The element as written after the source's name: "[1, 0]", "" for a number."""
        return f"[{', '.join(str(k) for k in self.index)}]" if self.index else ""


@dataclass(frozen=True)
class GradCheckReport:
    """Every source's entry, the output's id, and whether nothing failed."""

    entries: list
    output: str
    passed: bool
    value: float = math.nan  # the output's value at the checked point

    def entry(self, node_id: str) -> GradCheckEntry:
        """The entry of one source; KeyError if it was not checked."""
        for entry in self.entries:
            if entry.node_id == node_id:
                return entry
        raise KeyError(node_id)

    @property
    def failures(self) -> list:
        """The entries whose status is "fail"."""
        return [entry for entry in self.entries if entry.status == "fail"]


def relative_error(analytic: float, numerical: float) -> float:
    """|a - n| / max(|a|, |n|): 0 when both are 0 (or the same infinity), inf if not finite."""
    if analytic == numerical:
        return 0.0
    if not (math.isfinite(analytic) and math.isfinite(numerical)):
        return math.inf
    return abs(analytic - numerical) / max(abs(analytic), abs(numerical), _TINY)


def close(analytic: float, numerical: float, atol: float, rtol: float) -> bool:
    """torch.autograd.gradcheck's test: |analytic - numerical| <= atol + rtol * |numerical|."""
    return abs(analytic - numerical) <= atol + rtol * abs(numerical)


def _per_element(xs: list, out) -> list:
    """A gate's (inputs, output) element by element, broadcast to one shape (the gates with a
    kink work element by element); one pair for numbers."""
    if np.ndim(out) == 0 and all(np.ndim(x) == 0 for x in xs):
        return [(xs, out)]
    arrays = np.broadcast_arrays(*xs, out)
    return [([a[k] for a in arrays[:-1]], arrays[-1][k]) for k in np.ndindex(arrays[-1].shape)]


class _KinkFinder:
    """Finds the gates with a kink (the table's ``kink`` column) that sit at it when one
    source (or one element of it) is nudged; a tensor gate is at its kink where any of its
    elements is."""

    def __init__(self, plan, base: list, eps: float):
        self.steps = [(i, ports, node) for i, _f, _b, ports, node in plan.steps
                      if node.gate.kink is not None]
        # each gate's side of its kink at the unnudged values, element by element
        self.base_sides = {i: self._sides(i, ports, node, base) for i, ports, node in self.steps}
        self.near = {node.id for i, ports, node in self.steps
                     if any(node.gate.kink.near(xs, out, eps)
                            for xs, out in _per_element([base[j] for j in ports], base[i]))}

    @staticmethod
    def _sides(i: int, ports, node, values: list) -> tuple:
        side = node.gate.kink.side
        return tuple(side(xs, out) for xs, out in
                     _per_element([values[j] for j in ports], values[i]))

    def gates(self, plus: list, minus: list) -> list[str]:
        """The kink gates whose side changes, or that sit at their kink and feel the nudge."""
        found = []
        for i, ports, node in self.steps:
            sides = {self.base_sides[i], self._sides(i, ports, node, plus),
                     self._sides(i, ports, node, minus)}
            moved = any(np.any(plus[j] != minus[j]) for j in ports)
            if len(sides) > 1 or (moved and node.id in self.near):
                found.append(node.id)
        return found


def _kink_note(gates: list[str], circuit: Circuit, left: float, right: float) -> str:
    slopes = f"left slope {left:.6g}, right slope {right:.6g}"
    if not gates:
        kinked = "/".join(gate.name for gate in GATE_LIST if gate.kink is not None)
        return f"the function has a corner here ({slopes}); no {kinked} is at a kink"
    named = ", ".join(f"{gate_id} ({circuit.nodes[gate_id].op})" for gate_id in gates)
    return f"at a kink: {named} ({slopes})"


def check_gradients(circuit: Circuit, inputs: dict | None = None, *, eps: float = 1e-6,
                    atol: float = 1e-5, rtol: float = 1e-3) -> GradCheckReport:
    """Compare every source's analytic gradient (every element's, for a tensor) with its
    centred difference; CircuitError if the circuit cannot run."""
    if not (math.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a number > 0, not {eps!r}")
    inputs = dict(inputs or {})
    plan = plan_of(circuit)
    plan.source_values(inputs)  # CircuitError for ids that are not sources
    for node_id, value in inputs.items():
        if np.shape(value) != np.shape(circuit.nodes[node_id].value):
            raise CircuitError(f"{quote(node_id)}: the gradient check takes a value of its "
                               f"shape {np.shape(circuit.nodes[node_id].value)}, not a batch")
    result = run(circuit, inputs)
    if plan.output_index is None or np.ndim(result.value) != 0:
        raise CircuitError(f"the output {plan.output} is a {shape_text(np.shape(result.value))} "
                           "tensor: the check compares the slopes of one number (end the "
                           "circuit with sum)")
    base = plan.forward(inputs)
    f0 = float(base[plan.output_index])
    finder = _KinkFinder(plan, base, eps)
    entries = []
    for _i, node in plan.sources:
        value = np.asarray(result.values[node.id], dtype=np.float64)
        analytic = np.asarray(result.grads[node.id], dtype=np.float64)
        elements = []
        for index in np.ndindex(value.shape):  # () once for a number
            plus, minus = value.copy(), value.copy()
            plus[index] += eps
            minus[index] -= eps
            values_plus = plan.forward({**inputs, node.id: plus[()]})
            values_minus = plan.forward({**inputs, node.id: minus[()]})
            f_plus = float(values_plus[plan.output_index])
            f_minus = float(values_minus[plan.output_index])
            x, step_plus, step_minus = value[index], plus[index], minus[index]
            with np.errstate(all="ignore"):
                # the steps actually taken (x + eps rounds for large x)
                numerical = float(np.float64(f_plus - f_minus) / (step_plus - step_minus))
                right = float(np.float64(f_plus - f0) / (step_plus - x))
                left = float(np.float64(f0 - f_minus) / (x - step_minus))
            kink_gates = finder.gates(values_plus, values_minus)
            elements.append(replace(
                _judge(circuit, node.id, float(analytic[index]), numerical, left, right,
                       kink_gates, atol, rtol, f0), index=index))
        entries.append(elements[0] if value.ndim == 0 else
                       replace(_worst(elements), elements=tuple(elements)))
    order = {node_id: k for k, node_id in enumerate(circuit.nodes)}
    entries.sort(key=lambda entry: order[entry.node_id])
    return GradCheckReport(entries, plan.output, all(e.status != "fail" for e in entries), f0)


_SEVERITY = {"ok": 0, "kink": 1, "fail": 2}


def _worst(elements: list) -> GradCheckEntry:
    """The element to show for a whole tensor: a fail before a kink before an ok, then the
    largest relative error (nan counts as the largest), the first of equals."""
    def badness(entry):
        error = entry.rel_error
        return _SEVERITY[entry.status], math.inf if math.isnan(error) else error
    return max(elements, key=badness)


def _judge(circuit: Circuit, node_id: str, analytic: float, numerical: float, left: float,
           right: float, kink_gates: list, atol: float, rtol: float,
           f0: float = 0.0) -> GradCheckEntry:
    rel = relative_error(analytic, numerical)
    if not (math.isfinite(analytic) and math.isfinite(numerical)):
        if analytic == numerical:
            return GradCheckEntry(node_id, analytic, numerical, rel, "ok", "both infinite")
        why = (f"the output is {f0} here, so no slope can be measured" if not math.isfinite(f0)
               else "a gradient is not finite")
        return GradCheckEntry(node_id, analytic, numerical, rel, "fail",
                              f"not finite: analytic {analytic}, numerical {numerical} ({why})")
    agrees = close(analytic, numerical, atol, rtol)
    corner = (math.isfinite(left) and math.isfinite(right)
              and abs(left - right) > atol + rtol * max(abs(left), abs(right)))
    if corner or (kink_gates and not agrees):
        return GradCheckEntry(node_id, analytic, numerical, rel, "kink",
                              _kink_note(kink_gates, circuit, left, right))
    if agrees:
        return GradCheckEntry(node_id, analytic, numerical, rel, "ok")
    return GradCheckEntry(node_id, analytic, numerical, rel, "fail",
                          f"the backward pass gives {analytic:.6g}, nudging gives "
                          f"{numerical:.6g}")
