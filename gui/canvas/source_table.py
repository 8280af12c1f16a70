"""A source's value edited as a table: the matrix editor bound to one input or const.

``SourceTable`` shows a node's value in ``MatrixEditor`` (gui/common/matrix_editor.py: a typed
cell, Enter moves down; the shape chooser; Fill random / Zeros / Ones) and turns each edit it
commits into one ``SetValueCommand`` on the document: one cell, one fill or one new shape is
one undo step. It follows the document as every view does: an undo, a scrub or another panel's
edit shows up in the table, a rename is followed, a deleted node empties it.

A new shape is a change of structure: the plan infers the shapes again, and where they no
longer fit (a 3×2 W into a matmul with a vector of 2) the table says so under itself, naming
the node and both shapes, until an edit or Undo makes them fit again; nothing is refused and
nothing crashes. Properties embeds a ``SourceTable``; a double-click on a vector or matrix
source on the canvas, or on its row of the inputs panel, opens one in ``SourceTableDialog``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

import numpy as np

import engine
from engine import CircuitError, shape_text
from gui.common import theme
from gui.common.matrix_editor import MatrixEditor, random_value
from gui.model.commands import SetValueCommand
from gui.model.shape_problem_text import readable_problem
from gui.model.value_text import kind_of, same_value

MAX_PROBLEMS_SHOWN = 3
NARROWEST_KIND_PX = 64  # the shape chooser's parts in a narrow dock
NARROWEST_SIZE_PX = 44
ROWS_ALWAYS_SHOWN = 4  # a short dock still shows this many rows of the table (fewer if fewer)


FILLS = ("Random", "Zeros", "Ones")  # as the matrix editor fills (the gate's menu offers them)


def filled(value, fill: str, rng: np.random.Generator | None = None):
    """``value``'s shape filled as the matrix editor's Fill random / Zeros / Ones fill it."""
    shape = engine.shape_of(value)
    if fill == "Random":
        return random_value(shape, rng or np.random.default_rng())
    return np.full(shape, 0.0 if fill == "Zeros" else 1.0)


def source_title(node) -> str:
    """``W  matrix input 2×2``, ``b  vector const 3``, ``x  input``: a source and its shape."""
    shape = engine.shape_of(node.value)
    if not shape:
        return f"{node.name}  {node.op}"
    return f"{node.name}  {kind_of(shape)} {node.op} {shape_text(shape)}"


class SourceTable(QWidget):
    """The matrix editor of one source of ``document`` (``show_node`` chooses which)."""

    status_message = Signal(str)  # what an edit did beyond what the table shows

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("source_table")
        self.document = document
        self.node_id: str | None = None
        self._readable = ""  # the shape misfits in the circuit's names
        self.editor = MatrixEditor(parent=self)
        # in a narrow dock the shape chooser shrinks (its kind cut short, "matr…") rather
        # than widen the dock; with room it is as wide as it likes
        for box, width in ((self.editor.kind_box, NARROWEST_KIND_PX),
                           (self.editor.rows_box, NARROWEST_SIZE_PX),
                           (self.editor.columns_box, NARROWEST_SIZE_PX)):
            box.setMinimumWidth(width)
        self.problems = QLabel(self)
        self.problems.setObjectName("source_table_problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {theme.GRAD_RED.name()}")
        self.problems.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.problems)
        self.editor.value_committed.connect(self._commit)
        document.changed.connect(self._on_change)
        document.results_changed.connect(self._show_problems)
        document.circuit_replaced.connect(lambda: self.show_node(None))

    @property
    def node(self):
        """The engine Node shown (None when none is)."""
        return self.document.circuit.nodes.get(self.node_id) if self.node_id else None

    def show_node(self, node_id: str | None) -> None:
        """Edit the value of source ``node_id`` (None, or a gate that is no source: nothing)."""
        node = self.document.circuit.nodes.get(node_id) if node_id else None
        self.node_id = node.id if node is not None and node.gate.is_source else None
        self.setEnabled(self.node_id is not None)
        if self.node_id is not None:
            self._show_value(node)
        self._show_problems()

    def _show_value(self, node) -> None:
        self.editor.set_value(node.value, node.name)
        table = self.editor.table
        rows = min(table.matrix_model.rowCount(), ROWS_ALWAYS_SHOWN)
        header = table.horizontalHeader().sizeHint().height()
        # a narrow dock scrolls the columns: the scroll bar must not take the rows' room
        scroll_bar = table.horizontalScrollBar().sizeHint().height()
        table.setMinimumHeight(header + 2 * table.frameWidth() + scroll_bar
                               + rows * table.verticalHeader().defaultSectionSize())

    def _on_change(self, change) -> None:
        if self.node_id is None:
            return
        if change.kind == "node_removed" and change.node_id == self.node_id:
            self.show_node(None)
            return
        renamed = change.kind == "node_renamed" and change.old == self.node_id
        if renamed:
            self.node_id = change.new
        elif change.node_id != self.node_id:
            return
        node = self.node
        if renamed or change.field == "label" or not same_value(self.editor.value(),
                                                                node.value):
            self._show_value(node)

    def _commit(self, value) -> None:
        node = self.node
        if node is None or same_value(value, node.value):
            return
        reshaped = engine.shape_of(value) != engine.shape_of(node.value)
        try:
            command = SetValueCommand(self.document, node.id, value)
            if self.editor.fill_text:  # "Fill W with random numbers", as Ones says "with ones"
                command.setText(f"Fill {node.id} with {self.editor.fill_text}")
            self.document.push(command)
        except CircuitError as error:  # refused by the circuit: show what it holds, say why
            self._show_value(node)
            self.status_message.emit(str(error))
            return
        self._show_problems()
        if reshaped and self.problems.isVisible():
            self.status_message.emit(f"{node.id} is now {shape_text(engine.shape_of(value))}: "
                                     f"{self._readable}")

    def _show_problems(self, _result=None) -> None:
        """Say where the circuit's shapes do not fit (they keep it from running)."""
        circuit = self.document.circuit
        plan = engine.plan_of(circuit)
        misfits = [] if self.node_id is None else plan.shape_problems
        problems = [message for _node, message in misfits]  # the engine's words: the tooltip
        readable = [readable_problem(circuit, plan, node_id, message)  # W (2×2) by x (3 numbers)
                    for node_id, message in misfits]
        self._readable = "; ".join(readable)
        shown = readable[:MAX_PROBLEMS_SHOWN]
        if len(problems) > len(shown):
            shown.append(f"… and {len(problems) - len(shown)} more")
        text = ("Shapes do not fit: " + "; ".join(shown) + ". Undo (Ctrl+Z) puts back the "
                "last edit.") if problems else ""
        self.problems.setText(text)
        self.problems.setToolTip("; ".join(problems))
        self.problems.setVisible(bool(problems))


class SourceTableDialog(QDialog):
    """A window holding one source's ``SourceTable``: it stays open beside the canvas while
    the numbers flow, titled with the source and its shape, and closes when the source goes."""

    def __init__(self, document, parent=None):
        super().__init__(parent, Qt.Tool)
        self.setObjectName("source_table_dialog")
        self.setAttribute(Qt.WA_DeleteOnClose, False)
        self.document = document
        self.table = SourceTable(document, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.table)
        document.changed.connect(self._retitle)
        document.circuit_replaced.connect(self.close)
        self.resize(360, 300)

    def show_node(self, node_id: str) -> None:
        """Show and raise the window, editing ``node_id``."""
        self.table.show_node(node_id)
        self._retitle()
        self.show()
        self.raise_()
        self.activateWindow()
        self.table.editor.table.setFocus()

    def _retitle(self, _change=None) -> None:
        node = self.table.node
        if node is None:
            self.close()
            return
        self.setWindowTitle(source_title(node))
