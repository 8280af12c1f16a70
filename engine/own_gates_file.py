"""A file's own gates in the circuit file (FORMAT.md 6): the top-level ``"gates"`` object.

Reading checks every definition with messages that name the place (``gates.sig.ports: unknown
port 'a'``, ``gates.A: uses itself (A -> B -> A)``), then builds the definitions in the order
their uses need (a definition used by another first), each compound gate's inside with the same
strict reading as the file's own nodes and wires. Code is read as text and never run here.
Writing gives each definition back with the keys this version does not know.
"""

from __future__ import annotations

from .definitions import (CodeDefinition, CompoundDefinition, check_gate_name, in_use_order,
                          uses_itself)
from .errors import CircuitError, quote
from .circuit import Circuit
from .file_values import a_list, an_object, kind
from .gates import GATES

MAX_CODE_CHARS = 200_000
COMPOUND_KEYS = ("ports", "nodes", "wires", "output")
CODE_KEYS = ("ports", "code")


def _ports(raw: dict, place: str) -> tuple[str, ...]:
    if "ports" not in raw:
        raise CircuitError(f"{place}.ports: missing (a list of port names)")
    ports = a_list(raw["ports"], f"{place}.ports")
    for k, port in enumerate(ports):
        if not isinstance(port, str) or not port:
            raise CircuitError(f"{place}.ports[{k}]: must be a name, not {quote(port)}")
    return tuple(ports)


def _raw_uses(raw: dict) -> set[str]:
    nodes = raw.get("nodes")
    if not isinstance(nodes, list):
        return set()
    return {node.get("op") for node in nodes if isinstance(node, dict)
            and isinstance(node.get("op"), str)}


class _RawUses:
    """``uses()`` of a definition not built yet, read from its raw nodes."""

    def __init__(self, raw: dict):
        self._uses = _raw_uses(raw)

    def uses(self) -> set[str]:
        return self._uses


def _in_build_order(raw_gates: dict) -> list[str]:
    """The definitions' names, each after those it uses; CircuitError on one using itself."""
    stand_ins = {name: _RawUses(raw) for name, raw in raw_gates.items()}
    for name in raw_gates:
        chain = uses_itself(stand_ins, name)
        if chain:
            raise CircuitError(f"gates.{name}: uses itself ({' -> '.join(chain)})")
    return in_use_order(stand_ins, raw_gates)


def read_own_gates(circuit, raw_gates, fill) -> None:
    """Define ``raw_gates`` (the file's ``"gates"``) in ``circuit``; ``fill(inside, data)``
    reads a compound gate's nodes, wires and output into its inside."""
    if raw_gates is None:
        return
    raw_gates = an_object(raw_gates, "gates", '{"sig": {"ports": ["a"], "nodes": [...]}}')
    for name, raw in raw_gates.items():
        place = f"gates.{name}"
        check_gate_name(name, GATES, place)
        raw = an_object(raw, place, '{"ports": ["x", "y"], "code": "class ..."}')
        if ("code" in raw) == ("nodes" in raw):
            raise CircuitError(f"{place}: needs either \"code\" (a code gate) or \"nodes\" "
                               "(a compound gate)")
    for name in _in_build_order(raw_gates):
        raw, place = raw_gates[name], f"gates.{name}"
        ports = _ports(raw, place)
        if "code" in raw:
            code = raw["code"]
            if not isinstance(code, str):
                raise CircuitError(f"{place}.code: must be Python source text, not {kind(code)}")
            if len(code) > MAX_CODE_CHARS:
                raise CircuitError(f"{place}.code: longer than {MAX_CODE_CHARS} characters")
            definition = CodeDefinition(name, ports, code,
                                        {k: v for k, v in raw.items() if k not in CODE_KEYS})
        else:
            inside = Circuit(name, owner=circuit)  # define_gate ties it to the file
            try:
                fill(inside, raw)
            except CircuitError as error:
                raise CircuitError(f"{place}.{error}") from None
            definition = CompoundDefinition(
                name, ports, inside, {k: v for k, v in raw.items() if k not in COMPOUND_KEYS})
        try:
            circuit.define_gate(definition)
        except CircuitError as error:
            message = str(error)
            raise CircuitError(message if message.startswith("gates.") else
                               f"{place}: {message}") from None


def own_gates_to_dict(circuit, inside_to_dict) -> dict:
    """The file's ``"gates"`` object; ``inside_to_dict(inside)`` writes a compound gate's
    nodes, wires and output."""
    written = {}
    for name, definition in circuit.definitions.items():
        entry = {"ports": list(definition.ports)}
        if definition.kind == "code":
            entry["code"] = definition.code
        else:
            entry.update(inside_to_dict(definition.circuit))
        entry.update((k, v) for k, v in definition.extra.items() if k not in entry)
        written[name] = entry
    return written
