"""The inputs panel: every input and const of the circuit with its value and gradient, live.

This is the lecture's table of "what happens if I nudge x": one row per source, its value
(editable: type a number and press Enter, one undo step), df/dx in red from the last backward
pass, and a marker for sources that gradient ascent and training leave alone (frozen inputs,
inputs bound to a data column, consts). Numbers read as on the canvas (``format_number``:
-0.53, 1.2e+30); hovering a number shows every digit of it, and editing a value starts from the
precise number. Numbers are refreshed after every pass; the rows are
rebuilt only when sources come, go or change kind. Selecting a row emits ``node_selected(id)``
so the main window can select that gate on the canvas.

A vector or matrix source shows a compact preview of its value and gradient (``2×2 [0.10,
0.50; -0.30, 0.80]``, every number on hover); its value is not typed into the cell but edited
as a table: double-click the row (or press Enter on it) and its ``SourceTable`` opens in a
window.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QStyledItemDelegate,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

import numpy as np

from gui.canvas.source_table import SourceTableDialog
from gui.common import theme
from gui.model.commands import SetValueCommand
from gui.model.opened_ports import use_port_values, use_value_note
from gui.model.value_text import same_value, value_preview, value_tooltip
from engine import feature_name, format_precise, is_tensor
from gui.common.number_entry import parse_number, unchanged

NAME, VALUE, GRAD, KIND = range(4)
HEADERS = ("name", "value", "gradient", "kind")
NUMBER_SAMPLE = "-00000.00"  # as wide as the widest short number: the columns keep still
WIDEST_PREVIEW = 1.5  # a tensor's preview may make a number column this many times wider
PREVIEW_ELEMENTS = 2  # numbers a tensor's preview shows at most (fewer if they do not fit)
ID_ROLE = Qt.UserRole
PRECISE_ROLE = Qt.UserRole + 1  # a value cell's number written precisely, for its editor
# what makes a source row need rebuilding (values and results only update the numbers)
_ROW_FIELDS = ("label", "feature", "trainable")


def source_marker(node) -> tuple[str, str]:
    """A short marker for a source and the sentence explaining it ("" when it is free)."""
    if not node.gate.variable:
        return node.op, node.gate.doc
    if isinstance(node.feature, tuple):  # a vector input taking several columns
        return f"data {', '.join(feature_name(c) for c in node.feature)}", (
            f"Bound to columns {', '.join(str(c) for c in node.feature)} of the data set: "
            "training feeds it, ascent never moves it.")
    if node.feature is not None:
        return f"data {feature_name(node.feature)}", (
            f"Bound to column {node.feature} of the data set: training feeds it, ascent never "
            "moves it.")
    if not node.trainable:
        return "frozen", "Frozen: ascent and training leave it alone."
    return "", "Free: ascent and training may move it."


class _PreciseValueDelegate(QStyledItemDelegate):
    """Edits a value cell starting from the precise number, not the short one it shows
    (committed unchanged, it changes nothing)."""

    def setEditorData(self, editor, index):
        precise = index.data(PRECISE_ROLE)
        if precise is None:
            super().setEditorData(editor, index)
        else:
            editor.setText(precise)

    def setModelData(self, editor, model, index):
        precise = index.data(PRECISE_ROLE)
        if precise is None or not unchanged(editor.text(), precise):
            super().setModelData(editor, model, index)


class InputsPanel(QWidget):
    """A live table of the circuit's inputs and consts."""

    node_selected = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("inputs_panel")
        self.document = document
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("inputs_table")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.horizontalHeaderItem(GRAD).setToolTip("df/dx: how the output f reacts "
                                                         "when this source is nudged")
        self.table.horizontalHeaderItem(KIND).setToolTip(
            "const, frozen, or bound to a data column: the sources that gradient ascent and "
            "training leave alone (empty: free)")
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.DoubleClicked
                                   | QAbstractItemView.EditKeyPressed
                                   | QAbstractItemView.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self._value_delegate = _PreciseValueDelegate(self.table)
        self.table.setItemDelegateForColumn(VALUE, self._value_delegate)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.Stretch)
        for column in (VALUE, GRAD, KIND):
            # fitted by _fit_columns once per pass (ResizeToContents would re-measure the
            # whole column after every cell set: O(rows^2))
            header.setSectionResizeMode(column, QHeaderView.Fixed)
        header.setHighlightSections(False)
        self._number_width = self.table.fontMetrics().horizontalAdvance(NUMBER_SAMPLE) + 10
        self._widest_column = round(self._number_width * WIDEST_PREVIEW)
        self._one_number_width = 0  # the widest preview cut to one number, this pass
        self.message = QLabel(self)
        self.message.setObjectName("inputs_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.GRAD_RED.name()};")
        self.message.hide()
        self.empty = QLabel("No inputs yet: drag an input from the palette.", self)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addWidget(self.message)

        self._rows: dict[str, int] = {}
        self._stale = True
        self.table_dialog: SourceTableDialog | None = None  # made at the first tensor edited
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.cellDoubleClicked.connect(self._open_table_of_row)
        self.table.installEventFilter(self)
        self.table.itemSelectionChanged.connect(self._on_selection)
        document.changed.connect(self._on_change)
        document.circuit_replaced.connect(self._on_circuit_replaced)
        document.results_changed.connect(self._show_results)
        self._show_results(document.result)

    # ----------------------------------------------------------------- queries
    def source_ids(self) -> list[str]:
        """The ids listed, top to bottom."""
        return [self.table.item(row, NAME).data(ID_ROLE) for row in range(self.table.rowCount())]

    def row_of(self, node_id: str) -> int:
        """The table row of a source (KeyError if it is not listed)."""
        return self._rows[node_id]

    def cell_text(self, node_id: str, column: int) -> str:
        """The text shown in a source's row (columns NAME, VALUE, GRAD, KIND)."""
        return self.table.item(self._rows[node_id], column).text()

    def select_source(self, node_id: str | None) -> None:
        """Highlight a source's row without emitting node_selected (e.g. from the canvas)."""
        with QSignalBlocker(self.table):
            self.table.clearSelection()
            if node_id in self._rows:
                self.table.selectRow(self._rows[node_id])

    # ----------------------------------------------------------------- following the model
    def _on_circuit_replaced(self) -> None:
        """Another document: its rows come with the next pass, with nothing selected."""
        self._stale = True
        with QSignalBlocker(self.table):
            self.table.clearSelection()
            self.table.setCurrentItem(None)
        self._say("")

    def _on_change(self, change) -> None:
        circuit = self.document.circuit
        node = circuit.nodes.get(change.node_id) if change.node_id else None
        if change.kind == "node_removed":
            self._stale = self._stale or change.node_id in self._rows
        elif change.kind in ("node_added", "node_renamed"):
            self._stale = self._stale or (node is not None and node.gate.is_source)
        elif change.kind == "node_changed" and change.field in _ROW_FIELDS:
            self._stale = self._stale or change.node_id in self._rows

    @contextmanager
    def _bulk_update(self):
        """Fill many cells at once: no signals, and columns fitted to their contents once."""
        try:
            with QSignalBlocker(self.table):
                yield
        finally:
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Size the number and kind columns to their contents; the number columns are at least
        as wide as a precise number, so they do not jump while values change."""
        header = self.table.horizontalHeader()
        for column in (VALUE, GRAD, KIND):
            width = max(self.table.sizeHintForColumn(column), header.sectionSizeHint(column))
            if column != KIND:  # a long preview ends in "…" (hover shows it whole)
                width = min(max(width, self._number_width),
                            max(self._widest_column, self._one_number_width))
            if header.sectionSize(column) != width:
                header.resizeSection(column, width)

    def _rebuild(self) -> None:
        sources = [node for node in self.document.circuit.nodes.values() if node.gate.is_source]
        with self._bulk_update():
            self.table.setRowCount(len(sources))
            self._rows = {}
            for row, node in enumerate(sources):
                self._rows[node.id] = row
                name = QTableWidgetItem(node.name)
                name.setData(ID_ROLE, node.id)
                name.setToolTip(node.id if node.label else "")
                name.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                value = QTableWidgetItem()
                value.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsEditable)
                value.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                value.setForeground(theme.VALUE_GREEN)
                grad = QTableWidgetItem()
                grad.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                grad.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                marker, explanation = source_marker(node)
                kind = QTableWidgetItem(marker)
                kind.setToolTip(explanation)
                kind.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable)
                kind.setForeground(self.palette().placeholderText())
                for column, item in ((NAME, name), (VALUE, value), (GRAD, grad), (KIND, kind)):
                    self.table.setItem(row, column, item)
        self.table.setVisible(bool(sources))
        self.empty.setVisible(not sources)
        self._stale = False

    def _show_results(self, result) -> None:
        circuit = self.document.circuit
        if self._stale or any(node_id not in circuit.nodes for node_id in self._rows):
            self._rebuild()  # (results can come before the change that makes the rows stale)
        use_values = use_port_values(self.document)  # inside a gate opened from a use
        self._one_number_width = 0
        with self._bulk_update():
            for node_id, row in self._rows.items():
                node = circuit.nodes[node_id]
                self._show_value(self.table.item(row, VALUE), node, use_values)
                grad_item = self.table.item(row, GRAD)
                if result is None or not result.has_gradients:
                    grad_item.setText("—")
                    grad_item.setToolTip(result.no_gradient_reason if result is not None
                                         else "No gradient: the circuit cannot run.")
                    grad_item.setForeground(self.palette().placeholderText())
                    grad_item.setBackground(Qt.NoBrush)
                    continue
                grad = result.grads.get(node_id)
                marked = grad is not None and not np.isfinite(grad).all()
                grad_item.setText("—" if grad is None
                                  else self._preview(grad))
                grad_item.setToolTip(value_tooltip(f"df/d{node_id}", grad)
                                     if grad is not None else "")
                grad_item.setForeground(theme.MARKED_TEXT if marked else theme.GRAD_RED)
                grad_item.setBackground(theme.MARKED_FILL if marked else Qt.NoBrush)

    # ----------------------------------------------------------------- edits
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != VALUE:
            return
        node_id = self.table.item(item.row(), NAME).data(ID_ROLE)
        node = self.document.circuit.nodes.get(node_id)
        if node is None:
            return
        try:
            value = parse_number(item.text())
        except ValueError as error:
            self._say(f"{node_id}: {error}")
            with QSignalBlocker(self.table):
                self._show_value(item, node)
            return
        self._say("")
        if not same_value(value, node.value):
            self.document.push(SetValueCommand(self.document, node_id, value))
        else:
            with QSignalBlocker(self.table):
                self._show_value(item, node)

    def _preview(self, value) -> str:
        """A number as the canvas writes it, or a tensor's preview with as many of its first
        numbers as fit in the widest number column (``2×2 [0.10, …]``; hover gives them all), and
        never fewer than one (``3×4 [-1.2e-05, …]`` widens the column)."""
        if not is_tensor(value):
            return value_preview(value)
        room = self._widest_column - 10
        for count in range(PREVIEW_ELEMENTS, 1, -1):
            text = value_preview(value, count)
            if self.table.fontMetrics().horizontalAdvance(text) <= room:
                return text
        text = value_preview(value, 1)  # at least the first number: the column widens for it
        self._one_number_width = max(self._one_number_width,
                                     self.table.fontMetrics().horizontalAdvance(text) + 10)
        return text

    def _show_value(self, item: QTableWidgetItem, node, use_values=None) -> None:
        """A source's value as the canvas shows it, precisely in the editor, every digit on
        hover; a vector's or matrix's preview, edited in its table (not in the cell). A port
        input of a gate opened from a use shows the use's number, read-only."""
        if use_values is None:
            use_values = use_port_values(self.document)
        value = use_values.get(node.id, node.value)
        note = use_value_note(self.document, node.id)
        item.setText(self._preview(value))
        tensor = is_tensor(value)
        item.setData(PRECISE_ROLE, None if tensor else format_precise(value))
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        item.setFlags(flags if tensor or note else flags | Qt.ItemIsEditable)
        item.setToolTip(value_tooltip(node.id, value) + (
            f"\nRead-only here: {note}." if note
            else "\nDouble-click (or press Enter) to edit its numbers in a table." if tensor
            else "\nDouble-click (or type) to set a new value."))

    def eventFilter(self, watched, event):
        if (watched is self.table and event.type() == QEvent.KeyPress
                and event.key() in (Qt.Key_Return, Qt.Key_Enter)
                and self.table.state() != QAbstractItemView.EditingState
                and self.table.currentRow() >= 0):
            if self.open_table(self.source_ids()[self.table.currentRow()]) is not None:
                return True
        return super().eventFilter(watched, event)

    def _open_table_of_row(self, row: int, _column: int) -> None:
        self.open_table(self.source_ids()[row])

    def open_table(self, node_id: str) -> SourceTableDialog | None:
        """Open the table editor of a vector or matrix source (None for a number: it is typed
        into its cell)."""
        node = self.document.circuit.nodes.get(node_id)
        if node is None or not is_tensor(node.value):
            return None
        note = use_value_note(self.document, node_id)
        if note:
            self._say(f"{node_id}: {note}")
            return None
        if self.table_dialog is None:
            self.table_dialog = SourceTableDialog(self.document, self.window())
            self.table_dialog.table.status_message.connect(self._say)
        self.table_dialog.show_node(node_id)
        return self.table_dialog

    def _say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def _on_selection(self) -> None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        if len(rows) == 1:
            self.node_selected.emit(self.table.item(rows.pop(), NAME).data(ID_ROLE))
