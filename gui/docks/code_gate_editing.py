"""Gates -> New Code Gate… and Edit Code Gate…: the code gate dialog wired to the engine and
to the document.

*New Code Gate…* opens the dialog (``code_gate_dialog``) on a free name with the engine's
template (``engine.code_gate_template``: the hacker's guide's class shape); a name that is a
built-in gate's or another gate's of the file is refused there. *Edit Code Gate…* (a code
gate's double-click, its context menu, or the menu on the selected one) opens it on the gate's
code; the gate keeps its name, and while nodes use it, its number of ports.

*Apply* checks with ``engine.check_code_candidate`` (random inputs, and where the gate is used,
the shapes and values its ports get now) without changing the file, in the dialog's worker
thread, on a snapshot of the circuit made when the dialog opened (``gui.model.code_snapshot``):
the document's circuit is never touched off the GUI thread. The verdict becomes the dialog's
outcome with the line to mark: the line the code failed on, or for a wrong gradient the
``return`` of ``backward``; the engine's ``GateCheck`` stays with it.

On *OK* one undo command writes the gate: a new one is defined and one node of it placed at
the middle of the view, selected (``NewCodeGateCommand``); an edited one gets its new
definition (``ReplaceCodeGateCommand``). Either way the definition is trusted (the user wrote
or read the code) and carries the check it passed or, when kept failing, failed: then the
canvas marks it ✗ and the circuit leaves it out until it is fixed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QPointF, Qt, Signal

import engine
from engine import CircuitError
from gui.canvas.gate_item import gate_size
from gui.docks.code_gate_dialog import CodeGateDialog
from gui.model.code_gate_commands import NewCodeGateCommand, ReplaceCodeGateCommand
from gui.model.code_snapshot import detached_copy

NEW_GATE_STEM = "my_gate"
NEW_GATE_PORTS = ("x", "y")


@dataclass(frozen=True)
class CodeCheckOutcome:
    """The dialog's check result (passed, message, error_line) with the engine's GateCheck."""

    passed: bool
    message: str
    error_line: int | None
    gate_check: object  # engine.GateCheck: what the gate's definition keeps


def backward_return_line(code: str) -> int | None:
    """The line of the last ``return`` in ``backward`` (its ``def`` line if it has none);
    None when the code has no backward or does not parse."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "backward":
            returns = [inner.lineno for inner in ast.walk(node)
                       if isinstance(inner, ast.Return)]
            return max(returns) if returns else node.lineno
    return None


def marked_line(gate_check, code: str) -> int | None:
    """The line of ``code`` a failed check is about: where the code failed, or for a wrong
    gradient the return of backward; None when no line is to blame (a runaway)."""
    if gate_check.passed:
        return None
    if gate_check.error is not None:
        return gate_check.error.line
    return backward_return_line(code) if gate_check.failures else None


def outcome_of(gate_check, code: str) -> CodeCheckOutcome:
    """The dialog's outcome of an engine check of ``code``."""
    return CodeCheckOutcome(gate_check.passed, gate_check.message,
                            marked_line(gate_check, code), gate_check)


def candidate_check(circuit):
    """The dialog's ``check(name, ports, code)`` for gates of ``circuit``'s file, run on a
    snapshot taken now (it runs in a worker thread)."""
    snapshot = detached_copy(circuit)

    def check(name, ports, code) -> CodeCheckOutcome:
        return outcome_of(engine.check_code_candidate(snapshot, name, ports, code), code)

    return check


class CodeGateEditing(QObject):
    """Opens the code gate dialog and turns what it accepts into one undo step."""

    status_message = Signal(str)
    gate_written = Signal(str)  # a code gate was defined or given new code (its name)

    def __init__(self, document, scene, view, parent_widget=None):
        super().__init__(parent_widget)
        self.document, self.scene, self.view = document, scene, view
        self.parent_widget = parent_widget
        self.dialog: CodeGateDialog | None = None  # the one open, if any

    @property
    def file(self):
        """The file's circuit, which holds its gates (whatever level is shown)."""
        return self.document.circuit.root

    # ----------------------------------------------------------------- what the dialog refuses
    def name_problem(self, name: str) -> str | None:
        """Why a new code gate cannot be called ``name`` in this file, or None."""
        if name in engine.GATES:
            return f"'{name}' is a built-in gate's name; choose another."
        if name in self.file.definitions:
            return f"This file already has a gate called '{name}'; choose another name."
        return None

    def _ports_rule(self, name: str):
        """A gate in use keeps its number of ports (its nodes' wires go to them)."""
        count = len(self.file.definitions[name].ports)
        users = self.file.uses_of(name)

        def rule(ports) -> str | None:
            if users and len(ports) != count:
                return (f"{name} is used by {', '.join(users[:3])}"
                        f"{' and others' if len(users) > 3 else ''} with {count} "
                        f"port{'s' if count != 1 else ''}: it must keep {count}.")
            return None

        return rule

    # ----------------------------------------------------------------- opening the dialog
    def new_gate(self) -> CodeGateDialog | None:
        """Open the dialog for a new code gate (None, saying why, if it cannot open)."""
        return self._open(engine.free_gate_name(self.file, NEW_GATE_STEM), NEW_GATE_PORTS, None)

    def edit_gate(self, name: str) -> CodeGateDialog | None:
        """Open the dialog on code gate ``name``'s code (None, saying why, if there is none)."""
        definition = self.file.definitions.get(name)
        if definition is None or definition.kind != "code":
            self.status_message.emit(f"This file has no code gate called '{name}'")
            return None
        return self._open(name, definition.ports, definition.code)

    def edit_selected(self) -> CodeGateDialog | None:
        """Edit the code gate of the selected node (the first one selected that has one)."""
        circuit = self.document.circuit
        for node_id in self.scene.selected_node_ids():
            if self.scene.is_code_gate(node_id):
                return self.edit_gate(circuit.nodes[node_id].op)
        self.status_message.emit("Select a code gate to edit its code (or double-click it)")
        return None

    def _open(self, name: str, ports, code: str | None) -> CodeGateDialog | None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            return self.dialog
        try:
            check = candidate_check(self.file)
        except CircuitError as error:
            self.status_message.emit(f"Cannot check code gates in this circuit: {error}")
            return None
        editing = code is not None
        dialog = CodeGateDialog(engine.code_gate_template, check, name=name, ports=ports,
                                code=code, parent=self.parent_widget,
                                name_problem=None if editing else self.name_problem,
                                ports_rule=self._ports_rule(name) if editing else None)
        if editing:
            dialog.name_edit.setReadOnly(True)
            dialog.name_edit.setToolTip("A gate keeps its name; New Code Gate… makes another")
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.accepted_gate.connect(
            lambda gate: self._write(gate, dialog.outcome(), editing))
        dialog.destroyed.connect(self._forget_dialog)
        self.dialog = dialog
        dialog.open()  # window-modal; the window keeps painting while it is open
        return dialog

    def _forget_dialog(self, *_args) -> None:
        self.dialog = None

    # ----------------------------------------------------------------- writing the gate
    def _write(self, gate, outcome, editing: bool) -> None:
        gate_check = getattr(outcome, "gate_check", None)
        if gate_check is None:  # the check itself could not run: its message is the verdict
            gate_check = engine.GateCheck(False, message=outcome.message)
        if editing:
            old = self.file.definitions.get(gate.name)
            if old is None or old.kind != "code":
                self.status_message.emit(f"Not written: the gate '{gate.name}' is gone")
                return
            definition = engine.CodeDefinition(gate.name, gate.ports, gate.code,
                                               extra=dict(old.extra), trusted=True,
                                               check=gate_check)
            self.document.push(ReplaceCodeGateCommand(self.document, definition))
        else:
            problem = self.name_problem(gate.name)
            if problem:
                self.status_message.emit(f"Not written: {problem}")
                return
            definition = engine.CodeDefinition(gate.name, gate.ports, gate.code,
                                               trusted=True, check=gate_check)
            command = NewCodeGateCommand(self.document, definition,
                                         self._middle_corner(definition),
                                         self.document.circuit.unique_id(gate.name))
            self.document.push(command)
            self.scene.select_nodes([command.node_id])
        verdict = ("it passes its check and runs" if gate_check.passed else
                   "it fails its check, so it is marked ✗ and the circuit does not run "
                   "through it until it passes")
        self.status_message.emit(f"{'Edited' if editing else 'New'} code gate {gate.name}: "
                                 f"{verdict}")
        self.gate_written.emit(gate.name)

    def _middle_corner(self, definition) -> tuple[float, float]:
        """Where a new gate's top-left corner goes for its node to sit in the middle of the
        view (its size measured on a node of it in a throwaway circuit)."""
        probe = engine.Circuit()
        probe.define_gate(replace(definition))
        width, height = gate_size(probe.add_node(definition.name, "probe"))
        view = self.view
        middle = view.mapToScene(view.viewport().rect().center())
        corner = self.scene.snap(QPointF(middle.x() - width / 2, middle.y() - height / 2))
        return corner.x(), corner.y()
