"""A file's own gates travelling with copied gates.

A copied ``sig`` node means nothing without the definition of ``sig``: the fragment on the
clipboard (a small circuit file) carries copies of the own gates its nodes use, and of those
these use (``carry_gates``). Pasting into a file that lacks one of them brings it along in the
same undo step (``gates_to_bring``); pasting into a file that has a gate of that name defined
otherwise is refused, naming the gate, because the pasted nodes would silently compute
something else. Pasting into the file they came from finds the same definitions and brings
nothing.
"""

from __future__ import annotations

from engine import Circuit, CircuitError, circuit_to_dict


def used_gates(circuit: Circuit, ops) -> list[str]:
    """The own gates of ``circuit``'s file among ``ops`` and those they use, in file order."""
    definitions = circuit.root.definitions
    wanted: set[str] = set()
    todo = [op for op in ops if op in definitions]
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.add(name)
            todo += [op for op in definitions[name].uses() if op in definitions]
    return [name for name in definitions if name in wanted]


def carry_gates(circuit: Circuit, part: Circuit, ops) -> None:
    """Define in ``part`` copies of the own gates of ``circuit``'s file that ``ops`` use."""
    names = used_gates(circuit, ops)
    if names:
        twin = circuit.root.copy()  # its definitions are copies, free to be given to part
        for name in names:
            part.define_gate(twin.definitions[name])


def _written(circuit: Circuit, name: str) -> dict:
    """Own gate ``name`` as its file writes it."""
    holder = Circuit()
    carry_gates(circuit, holder, [name])
    return circuit_to_dict(holder)["gates"][name]


def gates_to_bring(circuit: Circuit, part: Circuit) -> list:
    """The definitions of ``part`` (a pasted fragment) that ``circuit``'s file lacks;
    CircuitError when the file has a gate of the same name that is defined otherwise."""
    mine = circuit.root.definitions
    bring = []
    for name, definition in part.definitions.items():
        if name not in mine:
            bring.append(definition)
        elif _written(part, name) != _written(circuit, name):
            raise CircuitError(f"this file has a gate of its own called {name} that is not "
                               f"the copied {name}; rename one of them (or expand the copied "
                               "one) first")
    return bring
