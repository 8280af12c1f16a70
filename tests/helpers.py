"""Test helpers: build a circuit from a compact spec, and find the example circuits.

``build`` goes through the public ``Circuit`` methods only, so a test reads like the diagram:

    build({"x": ("input", -2.0), "y": ("input", 5.0), "z": ("input", -4.0),
           "q": "add", "f": "mul"},
          {"q": ["x", "y"], "f": ["q", "z"]})

A node is an op name, ``(op, value)`` for inputs and consts, or ``(op, {add_node keywords})``;
wires map each gate to the sources of its ports in order. Variadic gates get as many ports as
they are given sources.
"""

import json
from pathlib import Path

import engine

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"


def examples_that_run() -> list[str]:
    """The example files whose circuit runs as soon as it is opened: every one but the
    exercises, whose code gates run only once the file is trusted and the student has written
    their backward."""
    def has_code_gates(path: Path) -> bool:
        gates = json.loads(path.read_text(encoding="utf-8")).get("gates", {})
        return any("code" in definition for definition in gates.values())
    return sorted(path.name for path in EXAMPLES.glob("*.circuit") if not has_code_gates(path))


def build(nodes: dict, wires: dict | None = None, output: str | None = None,
          title: str = "test") -> engine.Circuit:
    """A circuit with these nodes (id -> spec) and wires (gate id -> source id per port)."""
    wires = wires or {}
    circuit = engine.Circuit(title)
    for node_id, spec in nodes.items():
        op, options = (spec, {}) if isinstance(spec, str) else spec
        if not isinstance(options, dict):
            options = {"value": options}
        options = dict(options)
        sources = wires.get(node_id, ())
        if engine.GATES[op].variadic and "inputs" not in options:
            options["inputs"] = max(2, len(sources))
        circuit.add_node(op, node_id, **options)
    for dst, sources in wires.items():
        for port, src in enumerate(sources):
            circuit.connect(src, dst, port)
    if output is not None:
        circuit.set_output(output)
    return circuit


def one_gate(op: str, ports: int, params: dict | None = None) -> engine.Circuit:
    """A circuit of one gate ``f`` fed by inputs a0, a1, ... (values set per run)."""
    nodes = {f"a{i}": ("input", 1.0) for i in range(ports)}
    nodes["f"] = (op, {"params": params} if params else {})
    return build(nodes, {"f": [f"a{i}" for i in range(ports)]})


def run_gate(op: str, values, params: dict | None = None) -> engine.Result:
    """Run one ``op`` gate on ``values`` (any floats, nan and inf included) through engine.run."""
    circuit = one_gate(op, len(values), params)
    return engine.run(circuit, {f"a{i}": value for i, value in enumerate(values)})


def port_grads(result: engine.Result, ports: int) -> list:
    """The gradients a one-gate run sent to its ports a0, a1, ..."""
    return [result.grads[f"a{i}"] for i in range(ports)]


def example(name: str) -> engine.Circuit:
    """The example circuit ``assets/examples/<name>.circuit``, read with ``engine.load``."""
    return engine.load(EXAMPLES / f"{name}.circuit")


def add_mul_circuit(wired: bool = True) -> engine.Circuit:
    """FORMAT.md's example, the lecture's f = (x + y) * z at (-2, 5, -4), with its positions;
    with ``wired=False`` the wire x -> q is missing."""
    c = engine.Circuit("f = (x + y) * z")
    c.add_node("input", "x", value=-2.0, pos=(0, 0))
    c.add_node("input", "y", value=5.0, pos=(0, 80))
    c.add_node("input", "z", value=-4.0, pos=(0, 160))
    c.add_node("add", "q", pos=(160, 40))
    c.add_node("mul", "f", pos=(320, 100))
    if wired:
        c.connect("x", "q", 0)
    c.connect("y", "q", 1)
    c.connect("q", "f", 0)
    c.connect("z", "f", 1)
    return c
