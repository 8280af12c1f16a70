"""Trusting a file's code gates, and checking each before it is used (FORMAT.md 6).

Code from a file runs only once the user trusts it (``trust_code``: the app asks after showing
the code; the command line's ``--trust``). Every trusted code gate is then defined in the code
host and checked against the numerical gradient (engine/gate_check.py) at random inputs of the
shapes its ports get in the circuit, then at the values the circuit feeds it now. Only a gate
that passes runs in the circuit; the others keep their check, whose message names each wrong
port with both numbers, and are left out of runs (``Plan.gate_problems``) until they are fixed.
"""

from __future__ import annotations

import numpy as np

from .autodiff import plan_of, run
from .code_gate_rows import ensure_defined
from .code_runner import CodeGateError, shared_host
from .definitions import CodeDefinition
from .errors import CircuitError
from .gate_check import GateCheck, check_code_gate


def code_definitions(circuit) -> list:
    """The file's code gates' definitions, in the file's order."""
    return [d for d in circuit.root.definitions.values() if d.kind == "code"]


def _uses(circuit, name: str) -> list[tuple[object, str]]:
    """(circuit, node id) of every node using gate ``name``: the file's, then insides'."""
    root = circuit.root
    places = [(root, node.id) for node in root.nodes.values() if node.op == name]
    for definition in root.definitions.values():
        if definition.kind == "compound":
            inside = definition.circuit
            places += [(inside, node.id) for node in inside.nodes.values() if node.op == name]
    return places


def _port_shapes_and_values(circuit, name: str):
    """The shapes its ports get where it is first used, and the values fed to them now
    (None where not known)."""
    for place, node_id in _uses(circuit, name):
        sources = place.inputs_of(node_id)
        if None in sources:
            continue
        shapes = plan_of(place).shapes
        if any(src not in shapes for src in sources):
            continue
        try:
            values = run(place, allow_incomplete=True).values
            fed = [values[src] for src in sources]
            known = all(np.all(np.isfinite(v)) for v in fed)
        except CircuitError:
            fed, known = None, False
        return [shapes[src] for src in sources], fed if known else None
    return None, None


def check_code_definition(circuit, name: str, host=None, rng=None) -> GateCheck:
    """Check one trusted code gate now (define it, then its gradient check); the result is
    kept on its definition and the file is told (``gate_status``)."""
    definition = circuit.root.definitions[name]
    if not definition.trusted:
        raise CircuitError(f"code gate {name} is not trusted: trust it before checking it")
    host = host or shared_host()
    definition.failure = ""
    try:
        key = ensure_defined(definition, host)
    except CodeGateError as error:
        check = GateCheck(False, [], error, str(error))
    else:
        shapes, fed = _port_shapes_and_values(circuit, name)
        check = check_code_gate(host, key, definition.ports, shapes=shapes, at=fed, rng=rng)
    definition.check = check
    circuit.gate_status_changed(name)
    return check


def check_code_candidate(circuit, name: str, ports, code: str, host=None,
                         rng=None) -> GateCheck:
    """Check code a user is writing for gate ``name`` (new, or replacing its code) without
    changing the circuit: at random inputs, and where the gate is used, at the shapes and
    values its ports get now."""
    host = host or shared_host()
    candidate = CodeDefinition(name, tuple(ports), code, trusted=True)
    try:
        key = ensure_defined(candidate, host)
    except CodeGateError as error:
        return GateCheck(False, [], error, str(error))
    try:
        shapes, fed = (None, None)
        if name in circuit.root.definitions:
            shapes, fed = _port_shapes_and_values(circuit, name)
            if shapes is not None and len(shapes) != len(candidate.ports):
                shapes, fed = None, None
        return check_code_gate(host, key, candidate.ports, shapes=shapes, at=fed, rng=rng)
    finally:
        host.forget(key)  # a draft: a restarted host does not run its code again


def check_code(circuit, host=None, rng=None) -> dict[str, GateCheck]:
    """Check every trusted code gate of the file, a gate fed by another after it (so the
    values it is fed now come from gates that passed); name -> its check."""
    checks = {}
    for definition in code_definitions(circuit):
        definition.check = None
    pending = [d.name for d in code_definitions(circuit) if d.trusted]
    progress = True
    while pending and progress:
        progress = False
        for name in list(pending):
            shapes, _fed = _port_shapes_and_values(circuit, name)
            if shapes is None and _uses(circuit, name):
                continue  # what feeds it cannot run yet
            checks[name] = check_code_definition(circuit, name, host, rng)
            pending.remove(name)
            progress = True
    for name in pending:  # fed by gates that did not pass: checked at random inputs only
        checks[name] = check_code_definition(circuit, name, host, rng)
    return checks


def trust_code(circuit, host=None, rng=None) -> dict[str, GateCheck]:
    """Trust every code gate of the file (the user chose to, after seeing the code), and check
    each: name -> its check. Only the gates that pass run."""
    for definition in code_definitions(circuit):
        definition.trusted = True
    return check_code(circuit, host, rng)


def untrusted_code_gates(circuit) -> list[str]:
    """The names of the file's code gates that are not trusted."""
    return [d.name for d in code_definitions(circuit) if not d.trusted]
