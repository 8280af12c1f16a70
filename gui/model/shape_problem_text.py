"""Where shapes do not fit, said in the circuit's own names instead of the engine's.

The engine names a misfit by its place in the file and by numpy's shapes (``nodes[2] (q): matmul
cannot multiply shapes (2, 2) and (3,)``, as FORMAT.md pins it). A student reads better what
the gate was given, by the names of the nodes wired in: ``matmul cannot multiply W (2×2) by x
(3 numbers)``. The window shows this text and keeps the engine's in the tooltip.
"""

from __future__ import annotations

from engine import shape_text


def shape_words(shape: tuple) -> str:
    """``2×2`` for a matrix, ``3 numbers`` for a vector, ``a number`` for a number."""
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"{shape[0]} number" + ("" if shape[0] == 1 else "s")
    return shape_text(shape)


def readable_problem(circuit, plan, node_id: str, message: str) -> str:
    """The shape problem ``message`` at ``node_id`` in the names of what is wired into it;
    the engine's ``message`` itself when a port is open or a shape is unknown."""
    node = circuit.nodes.get(node_id)
    if node is None:
        return message
    operands = []
    for port in range(node.n_inputs):
        source = circuit.source_of(node_id, port)
        shape = plan.shapes.get(source) if source is not None else None
        if shape is None:
            return message
        operands.append(f"{circuit.node(source).name} ({shape_words(shape)})")
    # the engine's verb ("matmul cannot multiply", "add cannot combine") with the operands
    what = message.split(": ", 1)[-1].split(" shapes ", 1)[0]
    if what.endswith("multiply") and len(operands) == 2:
        return f"{what} {operands[0]} by {operands[1]}"
    return f"{what} " + ", ".join(operands[:-1]) + f" and {operands[-1]}"


def readable_text(circuit, plan, text: str) -> str:
    """``text`` with every engine shape message of ``plan`` put in the circuit's names."""
    for node_id, message in plan.shape_problems:
        text = text.replace(message, readable_problem(circuit, plan, node_id, message))
    return text
