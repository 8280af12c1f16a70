"""The tensor inspector: a node's whole value and gradient, side by side.

A wire on the canvas can only hint at a big tensor (its shape, a thumbnail); the inspector shows
all of it: the value (green title) on the left, the gradient df/dW (red title) on the right,
titled with the node's name and shape as the engine writes it (``W  2×2``, ``x  8``; a number
by its name alone). Each side is a table of numbers (``MatrixTable``) or a heatmap
(``HeatmapView``); the *Numbers* / *Heatmap* toggle chooses, and it chooses by itself when
another node or shape is shown: numbers up to
``NUMBERS_MAX_ROWS`` × ``NUMBERS_MAX_COLUMNS``, a heatmap beyond. Showing the same node again
(after each pass) keeps the user's choice, the tables' scrolling and the current cell. A
missing gradient (no backward pass yet) says so. Only the chosen view is filled; the other is
filled when it is chosen, so a big tensor is not coloured twice on every pass.

API:
    TensorInspector(parent=None)
        .show_tensors(name, value, grad)  (grad None: no gradient to show)
        .show_heatmaps(on)  .showing_heatmaps() -> bool
        parts: .title, .numbers_button, .heatmap_button, .value_table, .grad_table,
               .value_heatmap, .grad_heatmap, .grad_missing
    TensorInspectorDialog(parent=None): the inspector in a window of its own
        .inspector  .show_tensors(name, value, grad)
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QDialog, QGridLayout, QHBoxLayout, QLabel,
                               QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from engine import shape_of, shape_text
from gui.common import theme
from gui.common.heatmap import HeatmapView, matrix_shape
from gui.common.matrix_table import MatrixTable

NUMBERS_MAX_ROWS = 32
NUMBERS_MAX_COLUMNS = 12
NUMBERS_PAGE, HEATMAP_PAGE = 0, 1
NO_GRADIENT = "No gradient yet: run a backward pass."


def fits_as_numbers(shape: tuple[int, ...]) -> bool:
    """True when a tensor of ``shape`` reads best as a table of numbers, not a heatmap."""
    rows, columns = matrix_shape(shape)
    return rows <= NUMBERS_MAX_ROWS and columns <= NUMBERS_MAX_COLUMNS


class TensorInspector(QWidget):
    """A node's value and gradient side by side, as tables or heatmaps (see the docstring)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("tensor_inspector")
        self._shown: tuple[str, tuple[int, ...]] | None = None  # (name, shape) on show
        self._tensors = ("", 0.0, None)  # the name, value and gradient shown
        self._fresh: set[int] = set()  # the pages (numbers, heatmap) that show them
        self.title = QLabel(self)
        self.title.setObjectName("tensor_inspector_title")
        self.title.setStyleSheet("font-weight: bold; font-size: 14px")
        self.numbers_button = self._toggle("Numbers", "Every element as a number")
        self.heatmap_button = self._toggle("Heatmap", "Every element as a coloured cell: blue "
                                           "below 0, white at 0, red above")
        group = QButtonGroup(self)
        group.addButton(self.numbers_button)
        group.addButton(self.heatmap_button)
        self.numbers_button.setChecked(True)
        self.heatmap_button.toggled.connect(self._show_page)
        self.value_caption = self._caption(theme.VALUE_GREEN)
        self.grad_caption = self._caption(theme.GRAD_RED)
        self.value_table, self.value_heatmap, self.value_stack = self._side("value")
        self.grad_table, self.grad_heatmap, self.grad_stack = self._side("grad")
        self.grad_missing = QLabel(NO_GRADIENT, self)
        self.grad_missing.setObjectName("tensor_inspector_no_grad")
        self.grad_missing.setAlignment(Qt.AlignCenter)
        self.grad_missing.setStyleSheet(f"color: {theme.SOFT_INK.name()}")
        self.grad_stack.addWidget(self.grad_missing)
        self._layout()

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setAutoRaise(True)
        return button

    def _caption(self, colour) -> QLabel:
        caption = QLabel(self)
        caption.setStyleSheet(f"color: {colour.name()}; font-weight: bold")
        return caption

    def _side(self, which: str) -> tuple[MatrixTable, HeatmapView, QStackedWidget]:
        table = MatrixTable(parent=self)
        table.setObjectName(f"tensor_inspector_{which}_table")
        heatmap = HeatmapView(parent=self)
        heatmap.setObjectName(f"tensor_inspector_{which}_heatmap")
        stack = QStackedWidget(self)
        stack.addWidget(table)
        stack.addWidget(heatmap)
        return table, heatmap, stack

    def _layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.numbers_button)
        header.addWidget(self.heatmap_button)
        sides = QGridLayout()
        sides.addWidget(self.value_caption, 0, 0)
        sides.addWidget(self.grad_caption, 0, 1)
        sides.addWidget(self.value_stack, 1, 0)
        sides.addWidget(self.grad_stack, 1, 1)
        sides.setRowStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(sides, 1)

    def show_tensors(self, name: str, value, grad=None) -> None:
        """Show node ``name``'s ``value`` and ``grad`` (numbers or arrays of rank <= 2; grad
        None when there is none), in place of what was shown."""
        shape = shape_of(value)
        self.title.setText(f"{name}  {shape_text(shape)}" if shape else name)
        self.value_caption.setText(f"value {name}")
        self.grad_caption.setText(f"gradient df/d{name}")
        self._tensors = (name, value, grad)
        self._fresh.clear()
        if self._shown != (name, shape):  # another node or shape: choose the view anew
            self._shown = (name, shape)
            self.show_heatmaps(not fits_as_numbers(shape))
        self._show_page()

    def show_heatmaps(self, on: bool) -> None:
        """Show both sides as heatmaps (True) or as tables of numbers (False)."""
        (self.heatmap_button if on else self.numbers_button).setChecked(True)
        self._show_page()

    def showing_heatmaps(self) -> bool:
        """True when the sides are heatmaps, False when they are tables of numbers."""
        return self.heatmap_button.isChecked()

    def _show_page(self) -> None:
        page = HEATMAP_PAGE if self.showing_heatmaps() else NUMBERS_PAGE
        name, value, grad = self._tensors
        if page not in self._fresh:
            self._fresh.add(page)
            self.value_stack.widget(page).set_value(value, name)
            if grad is not None:
                self.grad_stack.widget(page).set_value(grad, f"df/d{name}")
        self.value_stack.setCurrentIndex(page)
        self.grad_stack.setCurrentWidget(
            self.grad_stack.widget(page) if grad is not None else self.grad_missing)


class TensorInspectorDialog(QDialog):
    """The inspector in a window of its own (modeless: it can stay open while editing)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Tensor inspector")
        self.inspector = TensorInspector(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.inspector)
        self.resize(640, 360)

    def show_tensors(self, name: str, value, grad=None) -> None:
        """Show ``name``'s value and gradient (see ``TensorInspector.show_tensors``)."""
        self.inspector.show_tensors(name, value, grad)
        self.setWindowTitle(f"Inspect {self.inspector.title.text()}")
