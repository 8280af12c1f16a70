"""The circuit file: reading and writing ``*.circuit`` files (FORMAT.md section 1).

A circuit file is UTF-8 JSON: a ``format`` tag, a ``version``, a title, a list of nodes and a
list of wires, and optionally the id of the output node. Reading is strict: anything that is
not that shape is refused with a ``CircuitError`` whose message names the place
(``nodes[3].op: unknown gate 'mull' (did you mean 'mul'?)``), so a hand-written file either
loads exactly as written or says what to fix. Nothing in a file is ever executed.

Reading goes text -> limits (size, nesting depth) -> JSON -> migrations from older versions ->
validation of the whole dict -> a ``Circuit`` built only through its public methods. Keys this
version does not know, on nodes and at the top level, are kept in ``extra`` and written back.

Writing is the reverse, in a stable layout (one node or wire per line, as in FORMAT.md), and
``save`` is atomic: the new text goes to a temporary file in the same folder, which replaces
the old file only once it is completely on disk; on any failure the old file is untouched.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
import tempfile
from typing import Callable

import numpy as np

from .circuit import MAX_COORDINATE, Circuit
from .errors import CircuitError
from .gates import GATES, MAX_PORTS

FORMAT_TAG = "circuitgrad"
CURRENT_VERSION = 1

# MIGRATIONS[v] turns a version-v dict into a version-(v + 1) dict; they run in sequence.
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000

_NODE_KEYS = ("id", "op", "value", "params", "inputs", "pos", "label", "feature", "trainable")
_TOP_KEYS = ("format", "version", "title", "nodes", "wires", "output")
_WIRE_KEYS = ("from", "to", "port")

# A JSON string literal (the unrolled form is linear-time on long texts).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NON_FINITE = re.compile(r"-?(?:NaN|Infinity)")


# --------------------------------------------------------------------------- reading text
class _NonFiniteLiteral(ValueError):
    """Raised by the JSON parser on NaN, Infinity and -Infinity."""


def _refuse_constant(name: str):
    raise _NonFiniteLiteral(name)


def _refuse_duplicate_keys(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise CircuitError(f"duplicate key {_quote(key)} in one JSON object "
                                   "(each key may appear once)")
            seen.add(key)
    return result


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _nesting_depth(text: str) -> int:
    """How deeply the JSON in ``text`` nests arrays and objects (brackets in strings ignored)."""
    skeleton = _JSON_STRING.sub('""', text).encode("utf-8", "replace")
    chars = np.frombuffer(skeleton, dtype=np.uint8)
    opening = (chars == ord("[")) | (chars == ord("{"))
    closing = (chars == ord("]")) | (chars == ord("}"))
    steps = opening.astype(np.int8)[opening | closing] - closing.astype(np.int8)[opening | closing]
    return int(np.cumsum(steps, dtype=np.int64).max(initial=0))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise CircuitError(f"line {line}, column {column}: not UTF-8 text "
                           f"(byte 0x{data[error.start]:02x} cannot be decoded)") from None


def parse_json(text: str | bytes) -> object:
    """The JSON value in ``text`` (str or UTF-8 bytes), within the size and depth limits."""
    size = len(text)
    if size > MAX_FILE_BYTES:
        raise CircuitError(f"the file is too large ({size / 1e6:.1f} MB; "
                           f"the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB)")
    if isinstance(text, (bytes, bytearray)):
        text = _decode(bytes(text))
    text = text.removeprefix("\ufeff")
    if _nesting_depth(text) > MAX_DEPTH:
        raise CircuitError(f"the JSON nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_refuse_constant,
                          object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise CircuitError(f"line {error.lineno}, column {error.colno}: "
                           f"not valid JSON: {error.msg}") from None
    except _NonFiniteLiteral as error:
        masked = _JSON_STRING.sub(lambda m: '"' + " " * (len(m.group()) - 2) + '"', text)
        found = _NON_FINITE.search(masked)
        where = "" if found is None else "line {}, column {}: ".format(
            *_line_column(text, found.start()))
        raise CircuitError(f"{where}{error} is not allowed: numbers in a circuit file "
                           "must be finite") from None
    except RecursionError:
        raise CircuitError(f"the JSON nests deeper than {MAX_DEPTH} levels") from None
    except CircuitError:
        raise
    except ValueError as error:  # e.g. an integer literal with thousands of digits
        raise CircuitError(f"not valid JSON: {error}") from None


# --------------------------------------------------------------------------- validation
def _quote(text) -> str:
    """A value as a message shows it: strings in single quotes, the rest as JSON would."""
    if isinstance(text, str):
        return "'" + text.replace("\n", "\\n") + "'"
    try:
        shown = json.dumps(text, allow_nan=True)
    except (TypeError, ValueError):
        shown = repr(text)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _a(op: str) -> str:
    """A gate name with its article, as a sentence says it: "a 'mul'", "an 'add'"."""
    return ("an '" if op[:1] in "aeio" else "a '") + op + "'"


def _coordinate_in(value, place: str) -> float:
    """A position's coordinate: a finite number on the canvas."""
    number = _finite_number(value, place)
    if abs(number) > MAX_COORDINATE:
        raise CircuitError(f"{place}: {_quote(value)} is off the canvas (positions run from "
                           f"{-MAX_COORDINATE:g} to {MAX_COORDINATE:g})")
    return number


def _finite_number(value, place: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CircuitError(f"{place}: must be a finite number, not {_kind(value)} "
                           f"({_quote(value)})")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise CircuitError(f"{place}: must be a finite number, not {_quote(value)}")
    return number


def _whole_number(value, place: str, lowest: int, highest: int | None = None) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool)
    if ok and value >= lowest and (highest is None or value <= highest):
        return value
    wanted = (f"a whole number >= {lowest}" if highest is None
              else f"a whole number from {lowest} to {highest}")
    raise CircuitError(f"{place}: must be {wanted}, not {_quote(value)}")


def _object(value, place: str, example: str) -> dict:
    if not isinstance(value, dict):
        raise CircuitError(f"{place}: must be an object like {example}, not {_kind(value)}")
    return value


def _list(value, place: str) -> list:
    if not isinstance(value, list):
        raise CircuitError(f"{place}: must be a list, not {_kind(value)}")
    return value


def _unknown_gate(op: str, place: str) -> CircuitError:
    close = difflib.get_close_matches(op.lower(), list(GATES), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else " (the gates are: " + \
        ", ".join(GATES) + ")"
    return CircuitError(f"{place}: unknown gate {_quote(op)}{hint}")


def _check_format_and_version(data: dict) -> int:
    if "format" not in data:
        raise CircuitError(f'format: missing (a circuit file starts with '
                           f'"format": "{FORMAT_TAG}")')
    if data["format"] != FORMAT_TAG:
        raise CircuitError(f"format: expected '{FORMAT_TAG}', not {_quote(data['format'])} "
                           "(this is not a circuitgrad file)")
    if "version" not in data:
        raise CircuitError("version: missing")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise CircuitError(f"version: must be a whole number, not {_quote(version)}")
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


def _node_fields(raw, i: int, seen: dict) -> dict:
    """The keyword arguments of ``Circuit.add_node`` for ``nodes[i]``, all checked."""
    place = f"nodes[{i}]"
    raw = _object(raw, place, '{"id": "x", "op": "input", "value": 1.0}')
    if "id" not in raw:
        raise CircuitError(f"{place}.id: missing")
    node_id = raw["id"]
    if not isinstance(node_id, str) or not node_id.strip():
        raise CircuitError(f"{place}.id: must be a non-empty string, not {_quote(node_id)}")
    if node_id in seen:
        raise CircuitError(f"{place}.id: duplicate id {_quote(node_id)} "
                           f"(nodes[{seen[node_id]}] has it too)")
    seen[node_id] = i
    if "op" not in raw:
        raise CircuitError(f"{place}.op: missing (one of: {', '.join(GATES)})")
    op = raw["op"]
    if not isinstance(op, str):
        raise CircuitError(f"{place}.op: must be a gate name, not {_kind(op)}")
    if op not in GATES:
        raise _unknown_gate(op, f"{place}.op")
    gate = GATES[op]
    fields = {"op": op, "node_id": node_id}

    if gate.is_source:
        if "value" not in raw:
            raise CircuitError(f"{place}.value: missing ({_a(op)} node needs a number)")
        fields["value"] = _finite_number(raw["value"], f"{place}.value")
    elif "value" in raw:
        raise CircuitError(f"{place}.value: not allowed on {_a(op)} gate (only input and "
                           "const nodes have a value)")

    if gate.params:
        example = "{" + ", ".join(f'"{name}": 1.0' for name in gate.params) + "}"
        if "params" not in raw:
            raise CircuitError(f"{place}.params: missing ({_a(op)} gate needs {example})")
        params = _object(raw["params"], f"{place}.params", example)
        for name in params:
            if name not in gate.params:
                raise CircuitError(f"{place}.params.{name}: {_a(op)} gate has no param "
                                   f"{_quote(name)} (it takes {', '.join(gate.params)})")
        for name in gate.params:
            if name not in params:
                raise CircuitError(f"{place}.params.{name}: missing")
        fields["params"] = {name: _finite_number(params[name], f"{place}.params.{name}")
                            for name in gate.params}
    elif raw.get("params") not in (None, {}):
        raise CircuitError(f"{place}.params: not allowed on {_a(op)} gate (it takes none)")

    if "inputs" in raw:
        count = raw["inputs"]
        if gate.variadic:
            fields["inputs"] = _whole_number(count, f"{place}.inputs", gate.min_ports,
                                             gate.max_ports)
        elif count != gate.min_ports or isinstance(count, bool):
            raise CircuitError(f"{place}.inputs: {_a(op)} gate has exactly {gate.min_ports} "
                               f"input{'s' if gate.min_ports != 1 else ''}, not "
                               f"{_quote(count)}")

    pos = raw.get("pos")
    if pos is not None:
        if not (isinstance(pos, list) and len(pos) == 2):
            raise CircuitError(f"{place}.pos: must be [x, y] with two finite numbers, "
                               f"not {_quote(pos)}")
        fields["pos"] = tuple(_coordinate_in(value, f"{place}.pos[{k}]")
                              for k, value in enumerate(pos))

    label = raw.get("label")
    if label is not None and not isinstance(label, str):
        raise CircuitError(f"{place}.label: must be a string, not {_kind(label)}")
    fields["label"] = label

    for key in ("feature", "trainable"):
        if raw.get(key) is not None and not gate.variable:
            raise CircuitError(f"{place}.{key}: only allowed on an 'input' node, "
                               f"not on {_a(op)} gate")
    if raw.get("feature") is not None:
        fields["feature"] = _whole_number(raw["feature"], f"{place}.feature", 0)
    trainable = raw.get("trainable", True)
    if trainable is not None and not isinstance(trainable, bool):
        raise CircuitError(f"{place}.trainable: must be true or false, not {_quote(trainable)}")
    fields["trainable"] = trainable is not False

    fields["extra"] = {key: value for key, value in raw.items() if key not in _NODE_KEYS}
    return fields


def _check_wire(raw, i: int, nodes: dict, taken: dict) -> tuple[str, str, int]:
    place = f"wires[{i}]"
    raw = _object(raw, place, '{"from": "x", "to": "q", "port": 0}')
    ends = []
    for key in ("from", "to"):
        if key not in raw:
            raise CircuitError(f"{place}.{key}: missing")
        node_id = raw[key]
        if not isinstance(node_id, str):
            raise CircuitError(f"{place}.{key}: must be a node id, not {_kind(node_id)}")
        if node_id not in nodes:
            raise CircuitError(f"{place}.{key}: no node {_quote(node_id)}")
        ends.append(node_id)
    src, dst = ends
    if "port" not in raw:
        raise CircuitError(f"{place}.port: missing")
    port = raw["port"]
    if isinstance(port, bool) or not isinstance(port, int):
        raise CircuitError(f"{place}.port: must be a whole number, not {_quote(port)}")
    fields = nodes[dst]
    gate = GATES[fields["op"]]
    count = fields.get("inputs", gate.default_ports())
    if not 0 <= port < count:
        if count == 0:
            raise CircuitError(f"{place}.port: {dst} ({gate.name}) has no input ports")
        raise CircuitError(f"{place}.port: {dst} ({gate.name}) has no port {port} "
                           f"(its ports are 0 to {count - 1})")
    if (dst, port) in taken:
        raise CircuitError(f"{place}: port {port} of {dst} already has a wire "
                           f"(from {taken[(dst, port)]})")
    taken[(dst, port)] = src
    return src, dst, port


def _topological_rank(node_ids: list, wires: list) -> dict | None:
    """Each node's rank in a topological order of ``wires`` (Kahn), or None on a cycle."""
    pending = dict.fromkeys(node_ids, 0)
    feeds: dict[str, list] = {node_id: [] for node_id in node_ids}
    for src, dst, _port in wires:
        pending[dst] += 1
        feeds[src].append(dst)
    ready = [node_id for node_id, count in pending.items() if count == 0]
    rank = {}
    while ready:
        node_id = ready.pop()
        rank[node_id] = len(rank)
        for dst in feeds[node_id]:
            pending[dst] -= 1
            if pending[dst] == 0:
                ready.append(dst)
    return rank if len(rank) == len(pending) else None


def _first_cycle(node_ids: list, wires: list) -> tuple[int, list]:
    """The index of the first wire that closes a cycle and the cycle it closes."""
    low, high = 0, len(wires) - 1  # wires[:high + 1] has a cycle; find the shortest prefix
    while low < high:
        middle = (low + high) // 2
        if _topological_rank(node_ids, wires[:middle + 1]) is None:
            high = middle
        else:
            low = middle + 1
    src, dst, _port = wires[high]
    outgoing: dict[str, list] = {}
    for frm, to, _port in wires[:high]:
        outgoing.setdefault(frm, []).append(to)
    came_from = {dst: None}
    queue = [dst]
    for current in queue:
        if current == src:
            break
        for nxt in outgoing.get(current, ()):
            if nxt not in came_from:
                came_from[nxt] = current
                queue.append(nxt)
    path, current = [], src
    while current is not None:
        path.append(current)
        current = came_from[current]
    return high, [src] + path[::-1]


def circuit_from_dict(data) -> Circuit:
    """The circuit a parsed file describes; CircuitError naming the place if it is not valid."""
    if not isinstance(data, dict):
        raise CircuitError(f"the file must hold one JSON object {{...}}, not {_kind(data)}")
    data = migrate(data)
    title = data.get("title", "untitled")
    if not isinstance(title, str):
        raise CircuitError(f"title: must be a string, not {_kind(title)}")
    if "nodes" not in data:
        raise CircuitError("nodes: missing (a list of nodes)")
    raw_nodes = _list(data["nodes"], "nodes")
    if len(raw_nodes) > MAX_NODES:
        raise CircuitError(f"nodes: {len(raw_nodes)} nodes is more than the limit of "
                           f"{MAX_NODES}")
    raw_wires = _list(data.get("wires", []), "wires")
    if len(raw_wires) > MAX_NODES * MAX_PORTS:
        raise CircuitError(f"wires: {len(raw_wires)} wires is more than the limit of "
                           f"{MAX_NODES * MAX_PORTS}")

    seen: dict[str, int] = {}
    node_fields = [_node_fields(raw, i, seen) for i, raw in enumerate(raw_nodes)]
    by_id = {fields["node_id"]: fields for fields in node_fields}
    wires, taken, wire_error = [], {}, None
    for i, raw in enumerate(raw_wires):
        try:
            wires.append(_check_wire(raw, i, by_id, taken))
        except CircuitError as error:
            wire_error = error
            break
    rank = _topological_rank(list(by_id), wires)
    if rank is None:
        index, cycle = _first_cycle(list(by_id), wires)
        raise CircuitError(f"wires[{index}]: would close a cycle {' -> '.join(cycle)}")
    if wire_error is not None:
        raise wire_error

    output = data.get("output")
    if output is not None:
        if not isinstance(output, str):
            raise CircuitError(f"output: must be a node id, not {_kind(output)}")
        if output not in by_id:
            raise CircuitError(f"output: no node {_quote(output)}")

    circuit = Circuit(title)
    for i, fields in enumerate(node_fields):
        try:
            circuit.add_node(**fields)
        except CircuitError as error:  # pragma: no cover - the checks above come first
            raise CircuitError(f"nodes[{i}]: {error}") from None
    # Deepest sources first: then nothing feeds a wire's source yet when it is connected, and
    # the circuit's cycle check is immediate. The writer orders wires by destination anyway.
    for src, dst, port in sorted(wires, key=lambda wire: -rank[wire[0]]):
        circuit.connect(src, dst, port)
    if output is not None:
        circuit.set_output(output)
    circuit.extra.update((key, value) for key, value in data.items() if key not in _TOP_KEYS)
    return circuit


# --------------------------------------------------------------------------- writing
def _coordinate(number: float):
    return int(number) if float(number).is_integer() and abs(number) < 2 ** 53 else number


def _node_to_dict(node) -> dict:
    gate = GATES[node.op]
    entry = {"id": node.id, "op": node.op}
    if gate.is_source:
        entry["value"] = float(node.value)
    if gate.params:
        entry["params"] = {name: float(node.params[name]) for name in gate.params}
    if gate.variadic and node.n_inputs != 2:
        entry["inputs"] = node.n_inputs
    if node.pos is not None:
        entry["pos"] = [_coordinate(node.pos[0]), _coordinate(node.pos[1])]
    if node.label:
        entry["label"] = node.label
    if node.feature is not None:
        entry["feature"] = node.feature
    if node.gate.variable and not node.trainable:
        entry["trainable"] = False
    for key, value in node.extra.items():
        if key not in _NODE_KEYS:
            entry[key] = value
    return entry


def circuit_to_dict(circuit: Circuit) -> dict:
    """The circuit as the dict its file holds (known keys first, then the kept unknown ones)."""
    data = {"format": FORMAT_TAG, "version": CURRENT_VERSION, "title": circuit.title,
            "nodes": [_node_to_dict(node) for node in circuit.nodes.values()]}
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
    for key, value in circuit.extra.items():
        if key not in _TOP_KEYS:
            data[key] = value
    return data


def _plain_json(value):
    """What json.dumps cannot write by itself: numpy numbers and arrays."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"a {type(value).__name__} cannot be written to a circuit file")


def _json(value, indent: int | None = None, ascii_only: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ascii_only, allow_nan=False, default=_plain_json,
                      indent=indent, separators=(", ", ": ") if indent is None else None)


def dumps(circuit: Circuit, *, ascii_only: bool = False) -> str:
    """The circuit's file text: 2-space indent, one node or wire per line, stable key order."""
    data = circuit_to_dict(circuit)
    lines = []
    try:
        for key, value in data.items():
            if key in ("nodes", "wires") and value:
                items = ",\n".join("    " + _json(item, ascii_only=ascii_only) for item in value)
                text = "[\n" + items + "\n  ]"
            else:
                text = _json(value, indent=2, ascii_only=ascii_only).replace("\n", "\n  ")
            lines.append(f"  {_json(key, ascii_only=ascii_only)}: {text}")
    except (TypeError, ValueError, RecursionError) as error:
        raise CircuitError(f"cannot write {_quote(key)}: {error}") from None
    return "{\n" + ",\n".join(lines) + "\n}\n"


def loads(text: str | bytes) -> Circuit:
    """The circuit in a file's text (str or UTF-8 bytes); CircuitError if it is not valid."""
    return circuit_from_dict(parse_json(text))


def load(path) -> Circuit:
    """The circuit in the file at ``path``; CircuitError (naming the path) if unusable."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                size = os.fstat(file.fileno()).st_size
                raise CircuitError(f"{os.fspath(path)}: the file is too large "
                                   f"({size / 1e6:.1f} MB; the limit is "
                                   f"{MAX_FILE_BYTES // (1024 * 1024)} MB)")
    except FileNotFoundError:
        raise CircuitError(f"{os.fspath(path)}: no such file") from None
    except IsADirectoryError:
        raise CircuitError(f"{os.fspath(path)}: is a folder, not a circuit file") from None
    except PermissionError:
        raise CircuitError(f"{os.fspath(path)}: permission denied") from None
    except OSError as error:
        raise CircuitError(f"{os.fspath(path)}: cannot read ({error.strerror or error})") \
            from None
    try:
        return loads(data)
    except CircuitError as error:
        raise CircuitError(f"{os.fspath(path)}: {error}") from None


def _fsync_folder(folder: str) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows cannot open folders; the file itself is already synced
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def save(circuit: Circuit, path) -> None:
    """Write the circuit to ``path`` atomically: on any failure the old file is untouched."""

    def payload() -> bytes:
        text = dumps(circuit)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates from \\ud800 escapes: write them escaped
            return dumps(circuit, ascii_only=True).encode("ascii")

    write_atomically(path, payload)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path, payload: Callable[[], bytes]) -> None:
    """Write ``payload()`` to ``path`` via a synced temporary file; CircuitError on failure."""
    target = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(target)
    temp = None
    try:
        data = payload()
        if os.path.isdir(target):
            raise CircuitError("is a folder")
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_current_umask()  # what open() would have given a new file
        handle, temp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(target) + ".",
                                        suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
        temp = None
        _fsync_folder(folder)
    except CircuitError as error:
        raise CircuitError(f"{os.fspath(path)}: cannot save: {error}") from None
    except OSError as error:
        reason = (f"the folder {folder} does not exist" if not os.path.isdir(folder)
                  else error.strerror or str(error))
        raise CircuitError(f"{os.fspath(path)}: cannot save: {reason}") from None
    except Exception as error:  # anything else (a full disk in disguise, a bug): still safe
        raise CircuitError(f"{os.fspath(path)}: cannot save: {error}") from None
    finally:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass
