"""A tensor as a table of numbers: a Qt model over a numpy array, and the view that shows it.

``MatrixModel`` serves a number, a vector (one row) or a matrix to any Qt item view without
copying it into items: cells are read from the array only when they are painted, so a 256×256
matrix shows at once. Numbers read as everywhere else (``format_number``: -0.53, 1.2e+30, nan,
inf), every digit on hover, and each cell is tinted with the heatmap's colours
(gui/common/heatmap.py: blue below 0, white at 0, red above, nan/±inf their own), paled so
the digits stay readable. Rows and columns are numbered from 0, as numpy indexes them.

An editable model (``editable=True``) reads a typed cell with the app's number parsing
(gui/common/number_entry.py): a finite number replaces the element and the model emits
``value_edited``; anything else is refused, the old number stays, and ``refused`` carries a
message naming the cell and the text (``W[1, 0]: 'abc' is not a finite number …``). An editor
left with the precise number it opened with changes nothing.

``MatrixTable`` is the view: read-only by default; ``editable=True`` makes it a small
spreadsheet (typing into a cell starts editing it, Enter commits and moves down, in a vector
on to its next element, Tab commits and moves right, a refused entry keeps the cursor on its
cell). ``MatrixEditor`` (gui/common/matrix_editor.py) adds the shape and fill controls.

API:
    MatrixModel(value=0.0, name="", editable=False)
        .set_value(value, name=None)  .value() -> float | ndarray  .shape  .rank  .limit
        signals value_edited(), refused(str)
    MatrixTable(value=0.0, name="", editable=False, parent=None)
        .set_value(value, name=None)  .value()  .matrix_model
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QTableView

from engine import format_full, format_number, format_precise
from gui.common import theme
from gui.common.heatmap import COLOUR_TABLE, as_matrix, colour_indices, element_name, \
    symmetric_limit
from gui.common.number_entry import edited_number

TINT = 0.45  # how much of the heatmap colour a cell keeps (the rest is white)
NUMBER_SAMPLE = "-00000.00"  # as wide as the widest short number
CELL_PADDING_PX = 12


def _tint(argb: int) -> QBrush:
    colour = QColor.fromRgba(int(argb))
    white = 255 * (1 - TINT)
    return QBrush(QColor(round(colour.red() * TINT + white), round(colour.green() * TINT + white),
                         round(colour.blue() * TINT + white)))


TINTS = [_tint(argb) for argb in COLOUR_TABLE]


class MatrixModel(QAbstractTableModel):
    """A number, vector or matrix as a table model (see the module docstring)."""

    value_edited = Signal()  # a typed cell changed the value (read it with ``value()``)
    refused = Signal(str)  # a typed cell was not a finite number: why, naming the cell

    def __init__(self, value=0.0, name: str = "", editable: bool = False, parent=None):
        super().__init__(parent)
        self.editable = editable
        self.name = name
        self._set(value)

    def _set(self, value) -> None:
        array = np.array(value, dtype=np.float64)  # a copy of its own, writeable
        self.rank = array.ndim
        self._matrix = as_matrix(array)
        self._recolour()

    def _recolour(self) -> None:
        self.limit = symmetric_limit(self._matrix)
        self._indices = colour_indices(self._matrix, self.limit)

    def set_value(self, value, name: str | None = None) -> None:
        """Show ``value`` (a number or an array of rank <= 2) instead. A value of the same
        shape only refreshes the cells (views keep their current cell, scrolling and editor)."""
        if name is not None:
            self.name = name
        if np.shape(value) == self.shape:
            self._matrix[...] = as_matrix(np.asarray(value, dtype=np.float64))
            self._recolour()
            self._all_changed()
            return
        self.beginResetModel()
        self._set(value)
        self.endResetModel()

    def _all_changed(self) -> None:
        self.dataChanged.emit(self.index(0, 0),
                              self.index(self.rowCount() - 1, self.columnCount() - 1))

    @property
    def shape(self) -> tuple[int, ...]:
        """The value's shape: (), (n,) or (m, n)."""
        return self._matrix.shape[2 - self.rank:]

    def value(self):
        """The value shown: a float for a number, else a new float64 array of ``shape``."""
        if self.rank == 0:
            return float(self._matrix[0, 0])
        return self._matrix.reshape(self.shape).copy()

    def element_name(self, row: int, column: int) -> str:
        """How cell (row, column) is written: ``W[1, 0]``, ``x[3]``, ``f`` (``[1, 0]`` with no
        name)."""
        return element_name(self.name, self.rank, row, column) or "the number"

    # ----------------------------------------------------------- Qt's model
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._matrix.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._matrix.shape[1]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.DisplayRole:
            return format_number(self._matrix[row, column])
        if role == Qt.EditRole:
            return format_precise(self._matrix[row, column])
        if role == Qt.BackgroundRole:
            return TINTS[self._indices[row, column]]
        if role == Qt.ForegroundRole:
            return theme.INK
        if role == Qt.ToolTipRole:
            return f"{self.element_name(row, column)} = {format_full(self._matrix[row, column])}"
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole:
            return None
        if self.rank == 0 or (orientation == Qt.Vertical and self.rank == 1):
            return ""  # a number has no rows or columns to number, a vector no rows
        return str(section)

    def flags(self, index):
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        return flags | Qt.ItemIsEditable if self.editable else flags

    def setData(self, index, text, role=Qt.EditRole) -> bool:
        if role != Qt.EditRole or not self.editable or not index.isValid():
            return False
        row, column = index.row(), index.column()
        old = self._matrix[row, column]
        try:
            number = edited_number(str(text), format_precise(old))
        except ValueError as error:
            self.refused.emit(f"{self.element_name(row, column)}: {error}")
            return False
        if number is None or number == old:
            return False
        self._matrix[row, column] = number
        self._recolour()  # the limit may have moved: every tint may change
        self._all_changed()
        self.value_edited.emit()
        return True


class MatrixTable(QTableView):
    """A table of a tensor's numbers, read-only unless ``editable`` (then a small spreadsheet:
    type to edit, Enter moves down (along a vector), Tab moves right)."""

    def __init__(self, value=0.0, name: str = "", editable: bool = False, parent=None):
        super().__init__(parent)
        self.matrix_model = MatrixModel(value, name, editable, self)
        self.setModel(self.matrix_model)
        self._refused = False
        self.matrix_model.refused.connect(self._on_refused)
        metrics = QFontMetrics(self.font())
        self.horizontalHeader().setDefaultSectionSize(
            metrics.horizontalAdvance(NUMBER_SAMPLE) + CELL_PADDING_PX)
        self.horizontalHeader().setMinimumSectionSize(24)
        self.verticalHeader().setDefaultSectionSize(metrics.height() + 6)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                             | QAbstractItemView.AnyKeyPressed if editable
                             else QAbstractItemView.NoEditTriggers)

    def set_value(self, value, name: str | None = None) -> None:
        """Show ``value`` (a number or an array of rank <= 2) instead, keeping the current cell
        where it still exists."""
        current = self.currentIndex()
        self.matrix_model.set_value(value, name)
        if current.isValid():
            self.setCurrentIndex(self.matrix_model.index(current.row(), current.column()))

    def value(self):
        """The value shown (see ``MatrixModel.value``)."""
        return self.matrix_model.value()

    def _on_refused(self, _message: str) -> None:
        self._refused = True

    def closeEditor(self, editor, hint):
        refused, self._refused = self._refused, False
        if refused:  # stay on the cell whose entry was refused
            hint = QAbstractItemDelegate.NoHint
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.SubmitModelCache:  # Enter: on to the next cell
            self._move_down()

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.matrix_model.editable \
                and self.state() != QAbstractItemView.EditingState:
            self._move_down()
            return
        super().keyPressEvent(event)

    def _move_down(self) -> None:
        """On to the next cell: the one below, or in a vector (shown as one row) the next
        element, as Tab goes."""
        current = self.currentIndex()
        if not current.isValid():
            return
        if self.matrix_model.rank == 1:
            if current.column() + 1 < self.matrix_model.columnCount():
                self.setCurrentIndex(current.siblingAtColumn(current.column() + 1))
        elif current.row() + 1 < self.matrix_model.rowCount():
            self.setCurrentIndex(current.siblingAtRow(current.row() + 1))
