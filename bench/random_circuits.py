"""Random scalar circuits for the benchmarks, as a plain spec that any engine can replay.

A spec is a list of ``(id, op, input ids)`` in creation order (sources first, with their value
in place of the input ids). Every gate takes its first input from a node nothing uses yet, so
the whole circuit feeds its last gate, which is the output: the backward pass has every node
to do, in circuitgrad and in micrograd alike.
"""

from __future__ import annotations

import math
import random

from engine import Circuit

# The ops micrograd has too ("pow" is pow 2).
OPS = ("add", "mul", "relu", "pow", "neg", "sub")
# Two thirds tanh and sigmoid, some exp, the rest add and mul: gates whose scalar kernels call
# Python's maths library.
TRANSCENDENTAL_OPS = ("tanh", "sigmoid") * 3 + ("exp", "add", "mul")
BINARY = {"add", "mul", "sub"}


_VALUE = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "sub": lambda a, b: a - b,
          "relu": lambda a: max(a, 0.0), "pow": lambda a: a * a, "neg": lambda a: -a,
          "tanh": math.tanh, "sigmoid": lambda a: 1.0 / (1.0 + math.exp(-a)), "exp": math.exp}


def random_spec(n_gates: int, n_sources: int | None = None, *, seed: int = 0,
                bound: float = 2.0, ops: tuple = OPS) -> list:
    """A random circuit of ``n_gates`` gates of ``ops`` (a repeated op is drawn more often)
    over ``n_sources`` inputs (n_gates // 10 if None).

    Ops whose value would leave [-bound, bound] are redrawn, so values stay moderate however
    deep the circuit is (and the fast path is what gets measured).
    """
    rng = random.Random(seed)
    n_sources = max(2, n_gates // 10) if n_sources is None else n_sources
    spec = [(f"x{k}", "input", rng.uniform(-1.0, 1.0)) for k in range(n_sources)]
    ids = [node_id for node_id, _op, _value in spec]
    value = {node_id: number for node_id, _op, number in spec}
    unused = list(ids)
    for k in range(n_gates):
        gates_left = n_gates - 1 - k
        shrink = len(unused) > gates_left + 1  # two unused inputs, or some would stay unused
        first = unused.pop(rng.randrange(len(unused)))
        while True:
            op = rng.choice(("add", "mul", "sub")) if shrink else rng.choice(ops)
            inputs = [first]
            if op in BINARY:
                from_unused = len(unused) > 0 and (shrink or rng.random() < 0.5)
                inputs.append(unused[rng.randrange(len(unused))] if from_unused
                              else rng.choice(ids))
            number = _VALUE[op](*(value[src] for src in inputs))
            if abs(number) <= bound:
                break
        if len(inputs) == 2 and inputs[1] in unused:
            unused.remove(inputs[1])
        node_id = f"g{k}"
        spec.append((node_id, op, inputs))
        ids.append(node_id)
        value[node_id] = number
        unused.append(node_id)
    assert unused == [spec[-1][0]], "every node feeds the output"
    return spec


def build_circuit(spec: list) -> Circuit:
    """The spec as a circuit (wires made deepest source first, so each cycle check is O(1))."""
    circuit = Circuit("random")
    wires = []
    for position, (node_id, op, rest) in enumerate(spec):
        if op in ("input", "const"):
            circuit.add_node(op, node_id, value=rest)
            continue
        params = {"p": 2.0} if op == "pow" else None
        inputs = len(rest) if op in BINARY else None
        circuit.add_node(op, node_id, params=params, inputs=inputs)
        wires.extend((position, src, node_id, port) for port, src in enumerate(rest))
    rank = {node_id: position for position, (node_id, _op, _rest) in enumerate(spec)}
    wires.sort(key=lambda wire: rank[wire[1]], reverse=True)
    for _position, src, dst, port in wires:
        circuit.connect(src, dst, port)
    circuit.set_output(spec[-1][0])
    return circuit
