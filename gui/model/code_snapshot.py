"""A copy of the document's circuit that a worker thread may check code gates on.

Checking a code gate (``engine.check_code_candidate``, ``engine.trust_code``) runs its code,
which can take up to the code host's time limit (2 s) per call, so the GUI checks off its own
thread. The worker must not touch the document's circuit: a check runs passes on it and tells
its listeners (the document, which answers on the GUI thread) what changed. It works on a
snapshot instead: the file's whole circuit copied through its file form, with what the session
knows of each code gate (trusted, its last check, a failure) carried over, so values that flow
through the file's other code gates are the ones the document computes.
"""

from __future__ import annotations

import engine

SESSION_STATE = ("trusted", "check", "failure")  # what a file does not save of a code gate


def detached_copy(circuit):
    """A copy of ``circuit``'s file (its root circuit) that no one listens to, with the
    session's trust, checks and failures of its code gates; CircuitError if it cannot be
    copied."""
    root = circuit.root
    copy = engine.circuit_from_dict(engine.circuit_to_dict(root))
    for name, definition in root.definitions.items():
        if definition.kind == "code":
            copied = copy.definitions[name]
            for state in SESSION_STATE:
                setattr(copied, state, getattr(definition, state))
            copy.gate_status_changed(name)  # its row is made again, with that state
    return copy


def same_code(one, other) -> bool:
    """Whether two code gate definitions have the same name, ports and code."""
    return one is not None and other is not None and one.kind == other.kind == "code" and \
        one.fingerprint() == other.fingerprint()
