"""Reading a circuit file's dict (of the current version) into a ``Circuit``, strictly.

The file's shape is checked here, field by field, with messages that name the place
(``nodes[3].op: unknown gate 'mull' (did you mean 'mul'?)``). The graph is checked by the
``Circuit`` itself, as it is built through its public methods: a duplicate id by ``add_node``, a
missing node, a port out of range and a wire that closes a cycle by ``can_connect``, two wires
into one port by ``connect``; the only thing added here is the place, ``nodes[i]`` or
``wires[i]``. Cycles are first looked for with the plan's topological order (Kahn's algorithm),
which also gives an order of connecting in which the circuit's cycle check never has to search,
so that a file of 200 000 nodes loads in linear time. A wire's own faults (its shape, a missing
node, a port out of range, a wire into its own node) are named first; then, of the wires that
close a cycle or go into a port that already has one, the first in the file.

Keys this version does not know, on nodes and at the top level, are kept in ``extra``.
"""

from __future__ import annotations

import difflib

from .autodiff import kahn_order, plan_of
from .circuit import MAX_COORDINATE, Circuit
from .errors import CircuitError, article, quote, shown
from .file_values import a_list, an_object, finite_number, kind, whole_number
from .gates import MAX_PORTS
from .own_gates_file import read_own_gates
from .tensor_values import value_from_json

MAX_NODES = 200_000

NODE_KEYS = ("id", "op", "value", "params", "inputs", "pos", "label", "feature", "trainable")
TOP_KEYS = ("format", "version", "title", "gates", "nodes", "wires", "output")


def check_node_count(count: int) -> None:
    """CircuitError if a file of ``count`` nodes is over MAX_NODES (for the reader and writer)."""
    if count > MAX_NODES:
        raise CircuitError(f"nodes: {count} nodes is more than the limit of {MAX_NODES}")


def _a(op: str) -> str:
    """A gate name with its article, as a sentence says it: "a 'mul'", "an 'add'"."""
    return f"{article(op)} '{op}'"


def _coordinate(value, place: str) -> float:
    """A position's coordinate: a finite number on the canvas."""
    number = finite_number(value, place)
    if abs(number) > MAX_COORDINATE:
        raise CircuitError(f"{place}: {quote(value)} is off the canvas (positions run from "
                           f"{-MAX_COORDINATE:g} to {MAX_COORDINATE:g})")
    return number


def _unknown_gate(op: str, place: str, gates) -> CircuitError:
    close = difflib.get_close_matches(op.lower(), list(gates), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else " (the gates are: " + \
        ", ".join(gates) + ")"
    return CircuitError(f"{place}: unknown gate {quote(op)}{hint}")


def _params(raw: dict, gate, place: str) -> dict:
    example = "{" + ", ".join(f'"{name}": 1.0' for name in gate.params) + "}"
    if "params" not in raw:
        raise CircuitError(f"{place}.params: missing ({_a(gate.name)} gate needs {example})")
    params = an_object(raw["params"], f"{place}.params", example)
    for name in params:
        if name not in gate.params:
            raise CircuitError(f"{place}.params.{shown(name)}: {_a(gate.name)} gate has "
                               f"no param {quote(name)} (it takes {', '.join(gate.params)})")
    for name in gate.params:
        if name not in params:
            raise CircuitError(f"{place}.params.{name}: missing")
    return {name: finite_number(params[name], f"{place}.params.{name}") for name in gate.params}


def _feature(raw, place: str):
    """A data column, or a non-empty list of them (a vector input's ``[0, 1]``)."""
    if not isinstance(raw, list):
        return whole_number(raw, place, 0)
    if not raw:
        raise CircuitError(f"{place}: must list at least one data column, like [0, 1]")
    return tuple(whole_number(column, f"{place}[{k}]", 0) for k, column in enumerate(raw))


def _node_fields(raw, i: int, gates) -> dict:
    """The keyword arguments of ``Circuit.add_node`` for ``nodes[i]``, all checked against
    the file's gate table ``gates``."""
    place = f"nodes[{i}]"
    raw = an_object(raw, place, '{"id": "x", "op": "input", "value": 1.0}')
    if "id" not in raw:
        raise CircuitError(f"{place}.id: missing")
    node_id = raw["id"]
    if not isinstance(node_id, str) or not node_id.strip():
        raise CircuitError(f"{place}.id: must be a non-empty string, not {quote(node_id)}")
    if "op" not in raw:
        raise CircuitError(f"{place}.op: missing (one of: {', '.join(gates)})")
    op = raw["op"]
    if not isinstance(op, str):
        raise CircuitError(f"{place}.op: must be a gate name, not {kind(op)}")
    if op not in gates:
        raise _unknown_gate(op, f"{place}.op", gates)
    gate = gates[op]
    fields = {"op": op, "node_id": node_id}

    if gate.is_source:
        if "value" not in raw:
            raise CircuitError(f"{place}.value: missing ({_a(op)} node needs a number, "
                               "a vector or a matrix)")
        fields["value"] = value_from_json(raw["value"], f"{place}.value")
    elif "value" in raw:
        raise CircuitError(f"{place}.value: not allowed on {_a(op)} gate (only input and "
                           "const nodes have a value)")

    if gate.params:
        fields["params"] = _params(raw, gate, place)
    elif raw.get("params") not in (None, {}):
        raise CircuitError(f"{place}.params: not allowed on {_a(op)} gate (it takes none)")

    if "inputs" in raw:
        count = raw["inputs"]
        if gate.variadic:
            fields["inputs"] = whole_number(count, f"{place}.inputs", gate.min_ports,
                                            gate.max_ports)
        elif count != gate.min_ports or isinstance(count, bool):
            raise CircuitError(f"{place}.inputs: {_a(op)} gate has exactly {gate.min_ports} "
                               f"input{'s' if gate.min_ports != 1 else ''}, not "
                               f"{quote(count)}")

    pos = raw.get("pos")
    if pos is not None:
        if not (isinstance(pos, list) and len(pos) == 2):
            raise CircuitError(f"{place}.pos: must be [x, y] with two finite numbers, "
                               f"not {quote(pos)}")
        fields["pos"] = tuple(_coordinate(value, f"{place}.pos[{k}]")
                              for k, value in enumerate(pos))

    label = raw.get("label")
    if label is not None and not isinstance(label, str):
        raise CircuitError(f"{place}.label: must be a string, not {kind(label)}")
    fields["label"] = label

    for key in ("feature", "trainable"):
        if raw.get(key) is not None and not gate.variable:
            raise CircuitError(f"{place}.{key}: only allowed on an 'input' node, "
                               f"not on {_a(op)} gate")
    if raw.get("feature") is not None:
        fields["feature"] = _feature(raw["feature"], f"{place}.feature")
    trainable = raw.get("trainable", True)
    if trainable is not None and not isinstance(trainable, bool):
        raise CircuitError(f"{place}.trainable: must be true or false, not {quote(trainable)}")
    fields["trainable"] = trainable is not False

    fields["extra"] = {key: value for key, value in raw.items() if key not in NODE_KEYS}
    return fields


def _add_node(circuit: Circuit, raw, i: int) -> None:
    fields = _node_fields(raw, i, circuit.gates)
    try:
        circuit.add_node(**fields)
    except CircuitError as error:
        if fields["node_id"] in circuit.nodes:  # the circuit refused a duplicate id
            first = list(circuit.nodes).index(fields["node_id"])
            raise CircuitError(f"nodes[{i}].id: {error} (nodes[{first}] has it)") from None
        raise CircuitError(f"nodes[{i}]: {error}") from None


def _wire(circuit: Circuit, raw, i: int) -> tuple[str, str, int]:
    """``wires[i]`` as (from, to, port): its shape checked here, its ends and its port (and a
    wire into its own node) by the circuit, which has every node and no wire yet."""
    place = f"wires[{i}]"
    raw = an_object(raw, place, '{"from": "x", "to": "q", "port": 0}')
    for key in ("from", "to"):
        if key not in raw:
            raise CircuitError(f"{place}.{key}: missing")
        if not isinstance(raw[key], str):
            raise CircuitError(f"{place}.{key}: must be a node id, not {kind(raw[key])}")
        try:
            circuit.node(raw[key])
        except CircuitError as error:
            raise CircuitError(f"{place}.{key}: {error}") from None
    if "port" not in raw:
        raise CircuitError(f"{place}.port: missing")
    port = raw["port"]
    if isinstance(port, bool) or not isinstance(port, int):
        raise CircuitError(f"{place}.port: must be a whole number, not {quote(port)}")
    reason = circuit.can_connect(raw["from"], raw["to"], port)
    if reason:
        raise CircuitError(f"{place}: {reason}")
    return raw["from"], raw["to"], port


def _order(circuit: Circuit, wires: list) -> list[str]:
    """The plan's topological order of the circuit's nodes under ``wires``, taken with the nodes
    and the wires from the end of the file (the order in which loading has always made the
    wires, which is the order in which the canvas places their numbers)."""
    feeds = {node_id: [] for node_id in reversed(circuit.nodes)}
    for src, dst, _port in reversed(wires):
        feeds[src].append(dst)
    return kahn_order(feeds)


def _a_cycle(wires: list) -> list[int] | None:
    """The indices of the wires of some cycle among ``wires`` ((index, src, dst) triples), by
    an iterative depth-first search; None if they have no cycle."""
    out: dict[str, list] = {}
    for index, src, dst in wires:
        out.setdefault(src, []).append((index, dst))
        out.setdefault(dst, [])
    done: set = set()
    for root in out:
        if root in done:
            continue
        stack, depth_of, via = [(root, iter(out[root]))], {root: 0}, []  # via[k]: k -> k + 1
        while stack:
            for index, nxt in stack[-1][1]:
                if nxt in depth_of:  # back to a node on the path: a cycle
                    return via[depth_of[nxt]:] + [index]
                if nxt not in done:
                    depth_of[nxt] = len(stack)
                    stack.append((nxt, iter(out[nxt])))
                    via.append(index)
                    break
            else:
                node, _edges = stack.pop()
                del depth_of[node]
                done.add(node)
                if via:
                    via.pop()
    return None


def _first_wire_closing_a_cycle(left: set, wires: list) -> int:
    """The index of the first wire (in file order) that closes a cycle, given the nodes ``left``
    out of the topological order of all the wires (those on a cycle or downstream of one)."""
    # Of those, only the ones also upstream of a cycle (left out of the reverse order too) can
    # be on a cycle: the search among them stays small whatever hangs below a cycle.
    inner = [(i, src, dst) for i, (src, dst, _port) in enumerate(wires)
             if src in left and dst in left]
    backwards = {node_id: [] for node_id in left}
    for _i, src, dst in inner:
        backwards[dst].append(src)
    core = left.difference(kahn_order(backwards))
    inner = [(i, src, dst) for i, src, dst in inner if src in core and dst in core]
    # The answer is the least, over the cycles, of the last index of a cycle's wires: take any
    # cycle's, then look for a cycle among the wires before it, until there is none (one or
    # two searches for a file with one cycle); a file with many halves the range instead.
    low, high, attempts = 0, len(wires), 0  # the answer is in [low, high]
    while low < high:
        middle = high - 1 if attempts < 4 else (low + high) // 2
        attempts += 1
        cycle = _a_cycle([wire for wire in inner if wire[0] <= middle])
        if cycle is None:
            low = middle + 1
        else:
            high = max(cycle)
    return high


def _refuse_a_second_wire(circuit: Circuit, wires: list, refused: list) -> None:
    """Of the ports that two or more of ``wires`` go into (``refused`` lists wires the circuit
    refused), name the one whose second wire comes first in the file, as the circuit says it
    when that wire is made after the first."""
    full = {wires[i][1:] for i in refused}
    into: dict[tuple, list] = {}
    for i, (_src, dst, port) in enumerate(wires):
        if (dst, port) in full:
            into.setdefault((dst, port), []).append(i)
    first, second = min((indices[:2] for indices in into.values()), key=lambda pair: pair[1])
    circuit.disconnect(*wires[first][1:])
    circuit.connect(*wires[first])
    try:
        circuit.connect(*wires[second])
    except CircuitError as error:
        raise CircuitError(f"wires[{second}]: {error}") from None
    raise AssertionError("the circuit took two wires into one port")  # pragma: no cover


def _connect(circuit: Circuit, wires: list) -> None:
    """Connect ``wires`` (in file order), refusing the first that closes a cycle and the second
    of two into one port, naming it."""
    order = _order(circuit, wires)
    closing = None
    if len(order) < len(circuit.nodes):
        closing = _first_wire_closing_a_cycle(set(circuit.nodes).difference(order), wires)
        order = _order(circuit, wires[:closing])
    acyclic = wires[:closing]
    rank = {node_id: i for i, node_id in enumerate(order)}
    # Deepest sources first: nothing feeds a wire's source yet when it is made, so the circuit's
    # cycle check is immediate.
    refused = []
    for i in sorted(range(len(acyclic)), key=lambda k: -rank[acyclic[k][0]]):
        try:
            circuit.connect(*acyclic[i])
        except CircuitError:  # a second wire into a port: named below, in file order
            refused.append(i)
    if refused:
        _refuse_a_second_wire(circuit, acyclic, refused)
    if closing is not None:
        raise CircuitError(f"wires[{closing}]: {circuit.can_connect(*wires[closing])}")


def build_circuit(data: dict) -> Circuit:
    """The circuit a current-version file dict describes; CircuitError naming the place."""
    title = data.get("title", "untitled")
    if not isinstance(title, str):
        raise CircuitError(f"title: must be a string, not {kind(title)}")
    circuit = Circuit(title)
    read_own_gates(circuit, data.get("gates"), _fill)
    _fill(circuit, data)
    circuit.extra.update((key, value) for key, value in data.items() if key not in TOP_KEYS)
    check_shapes(circuit)
    return circuit


def _fill(circuit: Circuit, data: dict) -> None:
    """Read ``data``'s nodes, wires and output into ``circuit`` (a file's or a compound
    gate's inside)."""
    if "nodes" not in data:
        raise CircuitError("nodes: missing (a list of nodes)")
    raw_nodes = a_list(data["nodes"], "nodes")
    check_node_count(len(raw_nodes))
    raw_wires = a_list(data.get("wires", []), "wires")
    if len(raw_wires) > MAX_NODES * MAX_PORTS:
        raise CircuitError(f"wires: {len(raw_wires)} wires is more than the limit of "
                           f"{MAX_NODES * MAX_PORTS}")
    for i, raw in enumerate(raw_nodes):
        _add_node(circuit, raw, i)
    _connect(circuit, [_wire(circuit, raw, i) for i, raw in enumerate(raw_wires)])
    output = data.get("output")
    if output is not None:
        if not isinstance(output, str):
            raise CircuitError(f"output: must be a node id, not {kind(output)}")
        try:
            circuit.set_output(output)
        except CircuitError as error:
            raise CircuitError(f"output: {error}") from None


def check_shapes(circuit: Circuit) -> None:
    """CircuitError naming the first node whose inputs' shapes do not fit (FORMAT.md 5)."""
    if not any(node.needs_version_2 for node in circuit.nodes.values()) and \
            not circuit.definitions:
        return  # numbers only: every shape is ()
    problems = plan_of(circuit).shape_problems
    if problems:
        raise CircuitError(problems[0][1])


def read_gates(circuit: Circuit, raw_gates: dict) -> None:
    """Define the gates of a file's ``"gates"`` object in ``circuit``, read as a file's are
    (the gate library imports through this)."""
    read_own_gates(circuit, raw_gates, _fill)
