"""The circuit file: reading and writing ``*.circuit`` files (FORMAT.md section 1).

A circuit file is UTF-8 JSON: a ``format`` tag, a ``version``, a title, a list of nodes and a
list of wires, and optionally the id of the output node. Reading is strict: anything that is
not that shape is refused with a ``CircuitError`` whose message names the place
(``nodes[3].op: unknown gate 'mull' (did you mean 'mul'?)``), so a hand-written file either
loads exactly as written or says what to fix. Nothing in a file is ever executed.

Reading goes text -> strict JSON (``strict_json``: limits, NaN, duplicate keys, text that is
not Unicode) -> migrations from older versions -> the checked build of a ``Circuit``
(``circuit_reader``). Writing is the reverse, in a stable layout (one node or wire per line, as
in FORMAT.md), refusing up front what reading would refuse, so that every file written loads
back; ``save`` is atomic (``atomic_write``): on any failure the old file is untouched.
"""

from __future__ import annotations

import json
import os
from typing import Callable

from .atomic_write import write_atomically
from .circuit import Circuit
from .circuit_reader import (NODE_KEYS, TOP_KEYS, build_circuit, check_node_count,
                             check_shapes)
from .errors import CircuitError, quote
from .file_values import kind
from .own_gates_file import own_gates_to_dict
from .strict_json import check_storable, parse_json
from .tensor_values import value_to_json
from .text_files import check_size, read_text

FORMAT_TAG = "circuitgrad"
CURRENT_VERSION = 2

# MIGRATIONS[v] turns a version-v dict into a version-(v + 1) dict; they run in sequence.
# Version 2 (tensors, a file's own gates) only adds to version 1: a version-1 file reads as is.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {1: lambda data: data}


# --------------------------------------------------------------------------- reading
def _check_format_and_version(data: dict) -> int:
    if "format" not in data:
        raise CircuitError(f'format: missing (a circuit file starts with '
                           f'"format": "{FORMAT_TAG}")')
    if data["format"] != FORMAT_TAG:
        raise CircuitError(f"format: expected '{FORMAT_TAG}', not {quote(data['format'])} "
                           "(this is not a circuitgrad file)")
    if "version" not in data:
        raise CircuitError("version: missing")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise CircuitError(f"version: must be a whole number, not {quote(version)}")
    if version < 1:
        raise CircuitError(f"version: {version} is not a version (versions start at 1)")
    if version > CURRENT_VERSION:
        raise CircuitError(f"version: this file is version {version}; this circuitgrad reads "
                           f"up to version {CURRENT_VERSION} (a newer circuitgrad wrote it)")
    return version


def migrate(data: dict) -> dict:
    """``data`` brought up to CURRENT_VERSION by the MIGRATIONS, one version at a time."""
    version = _check_format_and_version(data)
    while version < CURRENT_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise CircuitError(f"version: cannot read version {version} files "
                               f"(no migration to version {version + 1})")
        data = step(dict(data))
        version += 1
        if not isinstance(data, dict):
            raise CircuitError(f"version: the migration to version {version} failed")
        data["version"] = version
    return data


def _circuit_from_checked_json(data) -> Circuit:
    if not isinstance(data, dict):
        raise CircuitError(f"the file must hold one JSON object {{...}}, not {kind(data)}")
    return build_circuit(migrate(data))


def circuit_from_dict(data) -> Circuit:
    """The circuit a parsed file describes; CircuitError naming the place if it is not valid."""
    check_storable(data)
    return _circuit_from_checked_json(data)


def loads(text: str | bytes) -> Circuit:
    """The circuit in a file's text (str or UTF-8 bytes); CircuitError if it is not valid."""
    return _circuit_from_checked_json(parse_json(text))


def load(path) -> Circuit:
    """The circuit in the file at ``path``; CircuitError (naming the path) if unusable."""
    text = read_text(path, "a circuit file")
    try:
        return loads(text)
    except CircuitError as error:
        raise CircuitError(f"{os.fspath(path)}: {error}") from None


# --------------------------------------------------------------------------- writing
def _coordinate(number: float):
    return int(number) if float(number).is_integer() and abs(number) < 2 ** 53 else number


def _node_to_dict(node) -> dict:
    gate = node.gate
    entry = {"id": node.id, "op": node.op}
    if gate.is_source:
        entry["value"] = value_to_json(node.value)
    if gate.params:
        entry["params"] = {name: float(node.params[name]) for name in gate.params}
    if gate.variadic and node.n_inputs != 2:
        entry["inputs"] = node.n_inputs
    if node.pos is not None:
        entry["pos"] = [_coordinate(node.pos[0]), _coordinate(node.pos[1])]
    if node.label:
        entry["label"] = node.label
    if node.feature is not None:
        entry["feature"] = (list(node.feature) if isinstance(node.feature, tuple)
                            else node.feature)
    if node.gate.variable and not node.trainable:
        entry["trainable"] = False
    for key, value in node.extra.items():
        if key not in NODE_KEYS:
            entry[key] = value
    return entry


def version_needed(circuit: Circuit) -> int:
    """2 for a circuit with gates of its own, a tensor value, a tensor gate or a vector
    feature; else 1, so that programs that read only version 1 keep reading what needs nothing
    newer."""
    inside = [definition.circuit for definition in circuit.definitions.values()
              if definition.kind == "compound"]
    return 2 if circuit.definitions or any(
        node.needs_version_2 for part in [circuit, *inside] for node in part.nodes.values()) else 1


def circuit_to_dict(circuit: Circuit) -> dict:
    """The circuit as the dict its file holds (known keys first, then the kept unknown ones)."""
    data = {"format": FORMAT_TAG, "version": version_needed(circuit), "title": circuit.title}
    if circuit.definitions:
        data["gates"] = own_gates_to_dict(circuit, _graph_to_dict)
    data.update(_graph_to_dict(circuit))
    for key, value in circuit.extra.items():
        if key not in TOP_KEYS:
            data[key] = value
    return data


def _graph_to_dict(circuit: Circuit) -> dict:
    """A circuit's nodes, wires and output (a file's, or a compound gate's inside)."""
    data = {"nodes": [_node_to_dict(node) for node in circuit.nodes.values()]}
    order = {node_id: i for i, node_id in enumerate(circuit.nodes)}
    wires = sorted(circuit.wires(), key=lambda wire: (order[wire.dst], wire.port))
    data["wires"] = [{"from": wire.src, "to": wire.dst, "port": wire.port} for wire in wires]
    output = circuit.explicit_output
    if output is None:
        try:
            output = circuit.output_id()
        except CircuitError:
            output = None
    if output is not None:
        data["output"] = output
    return data


def _plain_json(value):
    """What json.dumps cannot write by itself: numpy numbers and arrays."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"a {type(value).__name__} cannot be written to a circuit file")


def _json(value, indent: int | None = None) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_plain_json,
                      indent=indent, separators=(", ", ": ") if indent is None else None)


def dumps(circuit: Circuit) -> str:
    """The circuit's file text: 2-space indent, one node or wire per line, stable key order.

    CircuitError, naming the place, for what the file could not be read back with: too many
    nodes, shapes that do not fit, nesting too deep, text that is not Unicode, a number that is
    not finite, a value JSON cannot hold."""
    check_node_count(len(circuit.nodes))
    check_shapes(circuit)
    data = circuit_to_dict(circuit)
    check_storable(data)
    lines = []
    try:
        for key, value in data.items():
            if key == "gates":
                text = _gates_text(value)
            else:
                text = _member_text(key, value, "  ")
            lines.append(f"  {_json(key)}: {text}")
    except (TypeError, ValueError, RecursionError) as error:
        raise CircuitError(f"cannot write {quote(key)}: {error}") from None
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _member_text(key: str, value, indent: str) -> str:
    """One top-level (or definition-level) member: nodes and wires one per line."""
    if key in ("nodes", "wires") and value:
        items = ",\n".join(indent + "  " + _json(item) for item in value)
        return "[\n" + items + "\n" + indent + "]"
    if key == "ports":
        return _json(value)
    return _json(value, indent=2).replace("\n", "\n" + indent)


def _gates_text(gates: dict) -> str:
    """The file's own gates: one definition after another, their nodes one per line."""
    entries = []
    for name, definition in gates.items():
        members = ",\n".join(f"      {_json(key)}: {_member_text(key, value, '      ')}"
                              for key, value in definition.items())
        entries.append(f"    {_json(name)}: {{\n{members}\n    }}")
    return "{\n" + ",\n".join(entries) + "\n  }"


def save(circuit: Circuit, path) -> None:
    """Write the circuit to ``path`` atomically: on any failure the old file is untouched."""

    def payload() -> bytes:
        data = dumps(circuit).encode("utf-8")
        check_size(len(data))
        return data

    write_atomically(path, payload)
