"""Editing a source's value in place: double-click an input or const, type, press Enter.

The editor is a line edit laid over the gate, holding the value with full precision. Enter (or
a click elsewhere, which takes the focus away) commits it as one ``SetValueCommand``; Escape
closes it and changes nothing, and so does leaving it with the text it opened with (the value
keeps the digits the editor did not show). Text that is not a finite number changes nothing
either, and the scene's ``status_message`` says why in the words every value field uses
(``gui.common.number_entry``).

A vector or matrix is edited as a table instead: the double-click opens its ``SourceTable`` in a
window beside the canvas (``gui.canvas.source_table``), where each typed cell, fill or new
shape is one undo step.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QLineEdit

from engine import format_precise, is_tensor
from gui.common import theme
from gui.common.number_entry import edited_number
from gui.canvas.source_table import SourceTableDialog
from gui.model.commands import SetValueCommand
from gui.model.opened_ports import use_value_note
from gui.model.value_text import same_value


class _EditorField(QLineEdit):
    """The line edit over the gate: Enter commits, Escape cancels, leaving it commits."""

    def __init__(self, editing, node_id: str, text: str):
        super().__init__(text)
        self.editing = editing
        self.node_id = node_id
        self.shown = text  # what it opened with: left as it is, it changes nothing
        self.setObjectName("value_editor")
        self.setAlignment(Qt.AlignCenter)
        self.setFont(theme.VALUE_FONT)
        self.returnPressed.connect(self._commit)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape:
            self.editing.close()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        if self.editing.editor is self:
            self._commit()

    def _commit(self):
        self.editing.commit()


class ValueEditor:
    """The in-place value editor of one canvas scene (at most one open at a time)."""

    def __init__(self, scene):
        self.scene = scene
        self.editor: QLineEdit | None = None
        self._proxy = None
        self._closed = []  # proxies of closed editors waiting for their deferred delete
        self.table_dialog: SourceTableDialog | None = None  # made at the first tensor edited

    def contains(self, pos) -> bool:
        """True when the open editor covers the scene point ``pos``."""
        return self._proxy is not None and self._proxy.sceneBoundingRect().contains(pos)

    def open(self, node_id: str) -> None:
        """Open an editor for a source's value over its gate."""
        self.close()
        node = self.scene.document.circuit.nodes.get(node_id)
        gate = self.scene.gate_item(node_id)
        if node is None or gate is None or not node.gate.is_source:
            return
        note = use_value_note(self.scene.document, node_id)
        if note:
            self.scene.status_message.emit(f"{node_id} cannot be edited here: {note}")
            return
        if is_tensor(node.value):
            self.open_table(node_id)
            return
        editor = _EditorField(self, node_id, format_precise(node.value))
        proxy = self.scene.addWidget(editor)
        body = gate.body_rect()
        proxy.setGeometry(QRectF(gate.pos().x() + 6, gate.pos().y() + body.height() / 2 - 12,
                                 body.width() - 12, 24))
        proxy.setZValue(100)
        self.editor, self._proxy = editor, proxy
        editor.selectAll()
        proxy.setFocus()
        editor.setFocus()

    def open_table(self, node_id: str) -> SourceTableDialog:
        """Open the window that edits a source's value as a table."""
        if self.table_dialog is None:
            views = self.scene.views()
            self.table_dialog = SourceTableDialog(self.scene.document,
                                                  views[0].window() if views else None)
            self.table_dialog.table.status_message.connect(self.scene.status_message)
        self.table_dialog.show_node(node_id)
        return self.table_dialog

    def commit(self) -> None:
        """Apply the open editor's text as its node's value, unless it is the text the editor
        opened with (text that is no number: a status message)."""
        editor = self.editor
        if editor is None:
            return
        node_id, text, shown = editor.node_id, editor.text(), editor.shown
        self.close()
        document = self.scene.document
        node = document.circuit.nodes.get(node_id)
        if node is None:
            return
        try:
            value = edited_number(text, shown)
        except ValueError as error:
            self.scene.status_message.emit(f"{node_id}: {error}")
            return
        if value is not None and not same_value(value, node.value):
            document.push(SetValueCommand(document, node_id, value))

    def close(self) -> None:
        """Close the editor without applying it."""
        proxy = self._proxy
        self.editor = self._proxy = None
        if proxy is not None:
            proxy.hide()
            # deleted later: this may run inside the editor's own key event (Enter, Escape).
            # Until Qt deletes it (then, or with the scene's items on New and Open), the editor
            # widget is Python's: dropping the last reference here would free it under Qt's
            # feet, so the closed editors are kept until Qt is done with them
            proxy.deleteLater()
            self._closed = [p for p in self._closed if shiboken6.isValid(p)]
            self._closed.append(proxy)
