"""The gate-table rows of a file's own gates: a compound gate runs its inside.

A compound gate's forward runs its sub-circuit with the ports' values put in its port inputs
and gives the sub-circuit's output; its backward runs the sub-circuit's backward pass seeded
with the upstream gradient and gives what reaches each port input. So its value and gradients
are its inside's, and its local gradient (the backward with an upstream gradient of 1) is what
the inside's chain rule works out: the lecture's sigmoid gate built of ``*-1``, ``exp``, ``+1``
and ``1/x`` gives 0.73 × (1 − 0.73) = 0.20 at 1.0.

An inside made only of element-by-element gates on numbers is an element-by-element gate
itself (numpy broadcasting, any shape, batches included); an inside with tensors fixes the
shapes of its ports to those of its port inputs.

A 1-port compound gate that computes what a built-in gate computes (the sigmoid gate) says so
in its row's ``same_as`` (engine/gate_twins.py), for the captions. Code gates' rows are in
engine/code_gate_rows.py.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .autodiff import as_number, plan_of
from .gate_twins import row_twin
from .gates import Gate
from .shapes import ShapeError, sum_to_shape


def own_row(definition) -> Gate:
    """The gate-table row for an own gate's definition."""
    if definition.kind == "code":
        from .code_gate_rows import code_row  # imported on use: it starts no worker on import
        return code_row(definition)
    return compound_row(definition)


def inside_problem(definition) -> str:
    """Why a compound gate's inside cannot run ("" when it can)."""
    inner = definition.circuit
    plan = plan_of(inner)
    name = definition.name  # its ports are checked by Circuit.define_gate and kept by its edits
    if plan.output is None:
        return f"the inside of {name} has no output"
    if plan.problems or plan.output in plan.incomplete:
        reasons = plan.problems or [f"its output {plan.output} cannot be computed"]
        return f"the inside of {name} cannot run: {reasons[0]}"
    return ""


def _is_elementwise(inner) -> bool:
    return all(node.gate.elementwise and np.ndim(node.value) == 0
               for node in inner.nodes.values())


def compound_row(definition) -> Gate:
    """The row of a compound gate (see the module docstring)."""
    inner = definition.circuit
    ports = definition.ports
    name = definition.name
    problem = inside_problem(definition)
    elementwise = _is_elementwise(inner) if not problem else True

    def run_inside(xs):
        plan = plan_of(inner)
        return plan, plan.forward(dict(zip(ports, xs)))

    def forward(xs, params, ranks=None):
        if elementwise and len(xs) > 1:
            xs = np.broadcast_arrays(*xs) if len({np.shape(x) for x in xs}) > 1 else xs
        plan, values = run_inside(xs)
        return as_number(values[plan.output_index])

    def backward(xs, out, upstream, params, ranks=None):
        shapes = [np.shape(x) for x in xs]
        spread = elementwise and len(set(shapes)) > 1
        if spread:
            xs = np.broadcast_arrays(*xs)
        plan, values = run_inside(xs)
        grads = plan.backward(values, seed=upstream)
        sent = [as_number(grads[plan.index[port]]) for port in ports]
        if spread:
            sent = [sum_to_shape(g, shape) for g, shape in zip(sent, shapes)]
        return tuple(sent)

    shape_rule = None
    if not elementwise:
        own_shapes = [plan_of(inner).shapes.get(port, ()) for port in ports]

        def shape_rule(op, shapes):
            if list(shapes) != own_shapes:
                raise ShapeError(f"{op} takes shapes {', '.join(map(str, own_shapes))} at its "
                                 f"ports ({', '.join(ports)}), not "
                                 f"{', '.join(map(str, shapes))}")
            return plan_of(inner).shapes[plan_of(inner).output]

    count = len(inner.nodes) - len(ports)
    row = Gate(
        name=name, symbol=name, group="own", min_ports=len(ports), max_ports=len(ports),
        forward=forward, backward=backward,
        formula=f"{name}({', '.join(ports)}): a gate made of {count} gates",
        local_gradient="what its inside's backward pass sends to each port",
        doc=f"This file's own gate {name}, a sub-circuit of {count} gates; Open shows its "
            "inside.",
        shape_rule=shape_rule, port_names=ports if len(ports) > 1 else (),
        definition=definition, problem=problem, local_origin="its inside's backward pass")
    return replace(row, same_as=row_twin(row))
