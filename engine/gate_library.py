"""The gate library: a file's own gates handed from one circuit to another (FORMAT.md 6).

A teacher *exports* some of a circuit's own gates to a ``.circuit`` file whose ``"gates"``
holds them, each with the gates it uses (directly or not), and whose canvas is empty; a student
*imports* chosen gates from it, or from any circuit file that has gates of its own.

Importing never overwrites silently. Each gate of the library is, against the circuit:
*new* (the circuit has no gate of that name), *the same* (the circuit's definition is identical,
positions inside aside, and so is every gate it uses: it is "already here" and left alone), or a
*clash* (the circuit's gate of that name is different). For a clash the caller chooses:
rename the imported gate (its uses inside the other imported gates follow the new name),
replace the circuit's gate (which keeps its port count while it is used: the circuit refuses
otherwise), or skip it (imported gates that use it then use the circuit's own, which must have
as many ports). A gate chosen brings the gates it uses along.

Definitions travel as the file's JSON, so an imported gate is read with the same checks as a
file. Code comes in as text and untrusted: it does not run until the user trusts it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .circuit import Circuit
from .circuit_file import FORMAT_TAG, circuit_from_dict, circuit_to_dict, load, save
from .circuit_reader import read_gates
from .definitions import check_gate_name, in_use_order
from .errors import CircuitError, quote
from .gates import GATES

NEW, SAME, CLASH = "new", "same", "clash"
RENAME, REPLACE, SKIP = "rename", "replace", "skip"
LIBRARY_DESCRIPTION = "Gates to import into a circuit (File → Import Gates…): "


@dataclass(frozen=True)
class ClashChoice:
    """What to do with an imported gate whose name the circuit has for a different gate:
    RENAME (to ``new_name``), REPLACE the circuit's, or SKIP it."""

    action: str
    new_name: str = ""


# --------------------------------------------------------------------------- what a gate uses
def _own_uses(definitions: dict, name: str) -> list[str]:
    return sorted(definitions[name].uses() & set(definitions))


def gates_with_uses(circuit: Circuit, names) -> list[str]:
    """``names`` and every own gate they use, directly or not, each after the gates it uses;
    CircuitError for a name the circuit has no gate of."""
    definitions = circuit.root.definitions
    for name in names:
        if name not in definitions:
            raise CircuitError(f"this file has no gate {quote(name)}")
    return in_use_order(definitions, names)


def _raw_gates(circuit: Circuit) -> dict:
    """The circuit's own gates as its file writes them (``"gates"``)."""
    root = circuit.root
    return circuit_to_dict(root).get("gates", {}) if root.definitions else {}


# --------------------------------------------------------------------------- export
def gate_library(circuit: Circuit, names, title: str | None = None) -> Circuit:
    """A circuit with no nodes whose own gates are ``names`` and the gates they use (in the
    circuit's order): what an exported library file holds."""
    wanted = set(gates_with_uses(circuit, names))
    if not wanted:
        raise CircuitError("choose at least one gate to export")
    raw = _raw_gates(circuit)
    listed = [name for name in circuit.root.definitions if name in wanted]
    return circuit_from_dict({
        "format": FORMAT_TAG, "version": 2,
        "title": title or "Gates: " + ", ".join(listed),
        "description": LIBRARY_DESCRIPTION + ", ".join(listed),
        "gates": {name: raw[name] for name in listed},
        "nodes": [], "wires": []})


def export_gates(circuit: Circuit, names, path, title: str | None = None) -> Circuit:
    """Write gates ``names`` (and the gates they use) to a library file at ``path``,
    atomically; returns the library written."""
    library = gate_library(circuit, names, title)
    save(library, path)
    return library


# --------------------------------------------------------------------------- import
def read_gate_library(path) -> Circuit:
    """The circuit file at ``path``, whose own gates are the library; CircuitError naming the
    file if it cannot be read or defines no gates."""
    library = load(path)
    if not library.definitions:
        raise CircuitError(f"{os.fspath(path)}: this file defines no gates of its own "
                           "(nothing to import)")
    return library


def _meaning(entry: dict) -> dict:
    """A definition's file entry without what does not change what it computes: positions."""
    if "nodes" not in entry:
        return entry
    nodes = [{k: v for k, v in node.items() if k != "pos"} for node in entry["nodes"]]
    return {**entry, "nodes": nodes}


def compare_gates(circuit: Circuit, library: Circuit) -> dict[str, str]:
    """For each of the library's gates: NEW, SAME (the circuit's is identical, and so is
    every gate it uses) or CLASH (the circuit has a different gate of that name)."""
    ours, theirs = _raw_gates(circuit), _raw_gates(library)
    found: dict[str, str] = {}
    for name in gates_with_uses(library, list(library.definitions)):  # the used ones first
        if name not in ours:
            found[name] = NEW
        elif (_meaning(ours[name]) == _meaning(theirs[name])
              and all(found[used] == SAME for used in _own_uses(library.definitions, name))):
            found[name] = SAME
        else:
            found[name] = CLASH
    return {name: found[name] for name in library.definitions}


def free_gate_name(circuit: Circuit, stem: str, taken=()) -> str:
    """``stem`` if no gate of the circuit's file (built-in or own) nor ``taken`` has it, else
    the first of ``sig_2``, ``sig_3``, ... that none has."""
    used = set(taken)
    name, number = stem, 2
    while name in circuit.gates or name in used:
        name = f"{stem}_{number}"
        number += 1
    return name


@dataclass(frozen=True)
class GateImport:
    """What importing does: ``steps`` define each imported gate, in the order their uses
    need; the other fields say what became of each gate for the status bar."""

    steps: tuple  # (name in the circuit, its new definition), the used ones first
    imported: tuple[str, ...]  # the library's names imported, in the library's order
    renamed: tuple[tuple[str, str], ...]  # (library name, name in the circuit)
    replaced: tuple[str, ...]
    skipped: tuple[str, ...]
    already: tuple[str, ...]  # identical to the circuit's: left alone

    def apply(self, circuit: Circuit) -> tuple:
        """Define the imported gates in ``circuit``; returns what ``take_back`` needs (the
        definitions replaced). On a refusal nothing is left changed."""
        root, done = circuit.root, []
        try:
            for name, definition in self.steps:
                old = root.definitions.get(name)
                root.define_gate(definition)
                done.append((name, old))
        except CircuitError:
            self.take_back(circuit, tuple(done))
            raise
        return tuple(done)

    @staticmethod
    def take_back(circuit: Circuit, done: tuple) -> None:
        """Undo ``apply``: the gates it added go, the ones it replaced come back."""
        root = circuit.root
        for name, old in reversed(done):
            if old is None:
                root.remove_gate_definition(name)
            else:
                root.define_gate(old)

    def summary(self) -> str:
        """One line for the status bar: what was imported, skipped, already here."""
        renamed = dict(self.renamed)
        shown = [f"{name} as {renamed[name]}" if name in renamed else
                 f"{name}, replacing this circuit's" if name in self.replaced else name
                 for name in self.imported]
        count = len(self.imported)
        parts = [f"Imported {count} gate{'s' if count != 1 else ''} ({', '.join(shown)})"
                 if count else "Imported nothing"]
        if self.skipped:
            parts.append(f"skipped {len(self.skipped)}")
        if self.already:
            parts.append(f"{len(self.already)} already here ({', '.join(self.already)})")
        code = [name for name, definition in self.steps if definition.kind == "code"]
        if code:
            parts.append(f"code not trusted yet: {', '.join(code)}")
        return "; ".join(parts)


def _choices_for(circuit: Circuit, wanted: list[str], status: dict, choices: dict) -> dict:
    """The name each imported gate gets in the circuit; CircuitError for a clash without a
    choice or a new name that cannot be used."""
    final = {}
    for name in wanted:
        if status[name] != CLASH:
            final[name] = name
            continue
        choice = choices.get(name)
        if choice is None:
            raise CircuitError(f"this circuit has a different gate {quote(name)}: choose to "
                               "rename the imported one, replace this circuit's, or skip it")
        if choice.action == RENAME:
            new = check_gate_name(choice.new_name, GATES, f"the new name for {name}")
            if new in circuit.root.definitions:
                raise CircuitError(f"the new name for {name}: this circuit already has a gate "
                                   f"called {quote(new)}")
            final[name] = new
        elif choice.action in (REPLACE, SKIP):
            final[name] = name
        else:
            raise CircuitError(f"{name}: {quote(choice.action)} is not a choice (rename, "
                               "replace or skip)")
    return final


def _renamed_entry(entry: dict, final: dict) -> dict:
    """A compound gate's file entry with its uses of renamed gates renamed."""
    if "nodes" not in entry:
        return entry
    nodes = [{**node, "op": final.get(node["op"], node["op"])} for node in entry["nodes"]]
    return {**entry, "nodes": nodes}


def gate_import(circuit: Circuit, library: Circuit, names, choices: dict | None = None
                ) -> GateImport:
    """What importing the library's gates ``names`` (with the gates they use) into
    ``circuit`` does, with ``choices`` (name -> ClashChoice) for each clash; CircuitError
    naming why it cannot be done (the circuit is not changed here)."""
    choices = choices or {}
    root = circuit.root
    wanted = gates_with_uses(library, names)
    status = compare_gates(root, library)
    final = _choices_for(root, wanted, status, choices)
    skipped = [name for name in wanted if status[name] == CLASH and choices[name].action == SKIP]
    taking = [name for name in wanted if status[name] != SAME and name not in skipped]
    names_taken = [final[name] for name in taking]
    doubled = sorted({new for new in names_taken if names_taken.count(new) > 1})
    if doubled:
        raise CircuitError(f"two imported gates would both be called {quote(doubled[0])}")
    for name in taking:
        for used in _own_uses(library.definitions, name):
            theirs = len(library.definitions[used].ports)
            ours = len(root.definitions[used].ports) if used in skipped else theirs
            if ours != theirs:
                raise CircuitError(f"{name} uses {used} with {theirs} port"
                                   f"{'s' if theirs != 1 else ''}; this circuit's {used} has "
                                   f"{ours}: rename or replace {used} instead of skipping it")
    raw = _raw_gates(library)
    trial = root.copy()
    steps = []
    for name in taking:  # the used ones first: each is read against those defined before it
        new = final[name]
        try:
            read_gates(trial, {new: _renamed_entry(raw[name], final)})
        except CircuitError as error:
            reason = str(error).removeprefix(f"gates.{new}: ")
            raise CircuitError(f"cannot import {name}: {reason}") from None
        steps.append((new, trial.definitions[new]))
    order = list(library.definitions)
    return GateImport(
        steps=tuple(steps),
        imported=tuple(sorted(taking, key=order.index)),
        renamed=tuple((name, final[name]) for name in taking if final[name] != name),
        replaced=tuple(name for name in taking if status[name] == CLASH
                       and choices[name].action == REPLACE),
        skipped=tuple(sorted(skipped, key=order.index)),
        already=tuple(name for name in order if name in wanted and status[name] == SAME))
