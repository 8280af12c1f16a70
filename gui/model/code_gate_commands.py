"""The undo commands of code gates (FORMAT.md 6): a new one placed on the canvas, and an
edited one's code replaced, each one undo step.

A code gate's definition (``engine.CodeDefinition``) belongs to the file; these commands only
call ``Circuit.define_gate`` and ``Circuit.remove_gate_definition`` and the node commands, so
the canvas and the palette follow from the circuit's change notifications. Undo puts back the
very definition object that was there, with what the session knew of it (trusted, its check).
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from gui.model.commands import AddNodeCommand


class NewCodeGateCommand(AddNodeCommand):
    """Define a new code gate and place one node of it (at ``pos``, its top-left corner)."""

    def __init__(self, document, definition, pos, node_id: str):
        super().__init__(document, definition.name, pos, node_id=node_id)
        self.setText(f"New code gate {definition.name}")
        self.definition = definition

    def redo(self):
        self.circuit.define_gate(self.definition)
        super().redo()

    def undo(self):
        super().undo()
        self.circuit.remove_gate_definition(self.definition.name)


class ReplaceCodeGateCommand(QUndoCommand):
    """Give code gate ``definition.name`` a new definition (its code, ports, check); undo
    gives it back the old one."""

    def __init__(self, document, definition):
        super().__init__(f"Edit code gate {definition.name}")
        self.file = document.circuit.root  # the file's gates, whatever level is shown
        self.new = definition
        self.old = self.file.definitions[definition.name]

    def redo(self):
        self.file.define_gate(self.new)

    def undo(self):
        self.file.define_gate(self.old)
