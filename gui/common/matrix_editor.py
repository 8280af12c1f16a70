"""The matrix editor: an input's or a const's value edited as a table, with its shape chosen.

An input or const holds a number, a vector or a matrix (FORMAT.md 5). ``MatrixEditor`` shows
the value in an editable ``MatrixTable`` (type into a cell, Enter moves down, Tab moves right)
above a shape chooser (``number`` / ``vector (n)`` / ``matrix (m×n)`` and the sizes) and three
fills:

- *Fill random*: a normal draw rounded to two decimals, so every number is exactly what the
  table shows. A matrix of n columns gets standard deviation 1/√n (CS231n's calibrated
  ``w = np.random.randn(n) / sqrt(n)``: W·x then spreads about as much as x does); a vector or
  a number standard deviation 1 (the lecture's ``x = np.random.randn(3, 1)``).
- *Zeros* and *Ones*.

Changing the shape keeps the block that the old and the new shape share at the top left (a
number is a 1×1 block, a vector one row); new elements are 0.

Every user edit (a typed cell, a fill, a new shape) emits ``value_committed`` exactly once
with the whole new value, a float for a number, else a float64 array, so the caller can push
one undo command for it; an edit that changes nothing emits nothing. ``set_value`` shows a
value without emitting (the caller's answer to the document's change notification, or to an
undo). A refused cell emits nothing; its message shows under the table and in ``refused``.

API:
    MatrixEditor(value=0.0, name="", parent=None)
        .set_value(value, name=None)  .value() -> float | ndarray  .rng (numpy Generator)
        signals value_committed(object), refused(str)
        .fill_text: while value_committed is emitted for Fill random, "random numbers"
        parts: .table (MatrixTable), .kind_box, .rows_box, .columns_box, .random_button,
               .zeros_button, .ones_button, .message
    resized(value, shape) -> the value with ``shape``, its top-left block kept
    random_value(shape, rng) -> a random value as Fill random makes it
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from gui.common import theme
from gui.common.heatmap import MAX_DRAWN_SIDE, as_matrix, matrix_shape
from gui.common.matrix_table import MatrixTable
from gui.common.undo_keys import leave_undo_to_window

NUMBER, VECTOR, MATRIX = "number", "vector (n)", "matrix (m×n)"
KINDS = (NUMBER, VECTOR, MATRIX)
MAX_SIDE = MAX_DRAWN_SIDE  # elements a side: the largest the heatmaps draw
RANDOM_DECIMALS = 2


def shape_of(kind: str, rows: int, columns: int) -> tuple[int, ...]:
    """The shape a kind and sizes stand for: (), (columns,) or (rows, columns)."""
    return {NUMBER: (), VECTOR: (columns,), MATRIX: (rows, columns)}[kind]


def as_value(array: np.ndarray):
    """A float for shape (), else the float64 array itself."""
    return float(array) if array.ndim == 0 else array


def resized(value, shape: tuple[int, ...]):
    """``value`` given ``shape``: the top-left block both shapes share is kept (a number is a
    1×1 block, a vector one row), new elements are 0."""
    old = as_matrix(value)
    new = np.zeros(matrix_shape(shape))
    rows, columns = min(old.shape[0], new.shape[0]), min(old.shape[1], new.shape[1])
    new[:rows, :columns] = old[:rows, :columns]
    return as_value(new.reshape(shape))


def random_value(shape: tuple[int, ...], rng: np.random.Generator):
    """Fill random's value (see the module docstring): normal, standard deviation 1/√n for a
    matrix of n columns and 1 otherwise, rounded to two decimals."""
    scale = 1.0 / math.sqrt(shape[1]) if len(shape) == 2 else 1.0
    drawn = np.round(rng.normal(0.0, scale, shape), RANDOM_DECIMALS) + 0.0  # no -0.0
    return as_value(np.asarray(drawn, dtype=np.float64))


class MatrixEditor(QWidget):
    """An input's or const's value as an editable table with shape and fill controls."""

    value_committed = Signal(object)  # the whole new value, once per user edit
    refused = Signal(str)  # a typed cell was not a finite number: why, naming the cell

    def __init__(self, value=0.0, name: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("matrix_editor")
        self.rng = np.random.default_rng()
        self.table = MatrixTable(value, name, editable=True, parent=self)
        self.table.setObjectName("matrix_editor_table")
        self.kind_box = QComboBox(self)
        self.kind_box.setObjectName("matrix_kind")
        self.kind_box.addItems(KINDS)
        self.kind_box.setToolTip("A number, a vector of n elements, or a matrix of m rows "
                                 "and n columns")
        self.rows_box = self._size_box("matrix_rows", "m: rows")
        self.columns_box = self._size_box("matrix_columns", "n: elements of a vector, columns "
                                          "of a matrix")
        self.random_button = QPushButton("Fill random", self)
        self.random_button.setToolTip(
            "Normal random numbers rounded to two decimals: standard deviation 1/√n for a "
            "matrix of n columns, 1 for a vector or a number")
        self.zeros_button = QPushButton("Zeros", self)
        self.ones_button = QPushButton("Ones", self)
        for button in (self.random_button, self.zeros_button, self.ones_button):
            # in a dialog, Enter typed into a size must not press a fill (it would lose numbers)
            button.setAutoDefault(False)
            button.setDefault(False)
        self.fill_text = ""  # what the last committed edit filled in ("random numbers"), if any
        leave_undo_to_window(self.rows_box, self.columns_box, self.table)
        self.message = QLabel(self)
        self.message.setObjectName("matrix_editor_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {theme.GRAD_RED.name()}")
        self.message.hide()
        self._layout()
        self._show_shape()
        self.kind_box.currentIndexChanged.connect(self._on_shape_chosen)
        self.rows_box.valueChanged.connect(self._on_shape_chosen)
        self.columns_box.valueChanged.connect(self._on_shape_chosen)
        self.random_button.clicked.connect(
            lambda: self._commit(random_value(self.table.matrix_model.shape, self.rng),
                                 "random numbers"))
        self.zeros_button.clicked.connect(lambda: self._fill(0.0))
        self.ones_button.clicked.connect(lambda: self._fill(1.0))
        self.table.matrix_model.value_edited.connect(self._on_cell_edited)
        self.table.matrix_model.refused.connect(self._on_refused)

    def _size_box(self, name: str, tip: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setObjectName(name)
        box.setRange(1, MAX_SIDE)
        box.setToolTip(tip)
        box.setKeyboardTracking(False)  # typing "12" is one new size, not 1 and then 12
        return box

    def _layout(self) -> None:
        shape_row = QHBoxLayout()
        shape_row.addWidget(QLabel("Shape", self))
        shape_row.addWidget(self.kind_box)
        shape_row.addWidget(self.rows_box)
        shape_row.addWidget(QLabel("×", self))
        shape_row.addWidget(self.columns_box)
        shape_row.addStretch(1)
        fill_row = QHBoxLayout()
        for button in (self.random_button, self.zeros_button, self.ones_button):
            fill_row.addWidget(button)
        fill_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(shape_row)
        layout.addLayout(fill_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    # ------------------------------------------------------------ showing
    def set_value(self, value, name: str | None = None) -> None:
        """Show ``value`` (a number, vector or matrix) without emitting anything."""
        self.table.set_value(value, name)
        self._show_shape()

    def value(self):
        """The value shown: a float for a number, else a new float64 array."""
        return self.table.value()

    def _show_shape(self) -> None:
        shape = self.table.matrix_model.shape
        blockers = [QSignalBlocker(box) for box in (self.kind_box, self.rows_box,
                                                    self.columns_box)]
        self.kind_box.setCurrentIndex(len(shape))
        self.rows_box.setValue(shape[0] if len(shape) == 2 else 1)
        self.columns_box.setValue(shape[-1] if shape else 1)
        self.rows_box.setEnabled(len(shape) == 2)
        self.columns_box.setEnabled(len(shape) >= 1)
        del blockers

    # ------------------------------------------------------------- edits
    def _on_shape_chosen(self) -> None:
        shape = shape_of(self.kind_box.currentText(), self.rows_box.value(),
                         self.columns_box.value())
        if shape != self.table.matrix_model.shape:
            self._commit(resized(self.value(), shape))
        self._show_shape()

    def _fill(self, number: float) -> None:
        shape = self.table.matrix_model.shape
        if not np.array_equal(self.value(), np.full(shape, number)):
            self._commit(as_value(np.full(shape, number)))

    def _commit(self, value, fill_text: str = "") -> None:
        self._say("")
        self.set_value(value)
        self.fill_text = fill_text
        self.value_committed.emit(self.value())
        self.fill_text = ""

    def _on_cell_edited(self) -> None:
        self._say("")
        self.fill_text = ""
        self.value_committed.emit(self.value())

    def _on_refused(self, message: str) -> None:
        self._say(message)
        self.refused.emit(message)

    def _say(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))
