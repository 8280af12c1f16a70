"""One input port's local Jacobian as an equation a student reads: upstream · Jacobian = result.

``PortJacobianView`` shows an ``engine.LocalJacobian`` (d(gate)/d(one input)) at the numbers of
the last pass, laid out so the product can be read off: the input's values over the Jacobian,
one per column; the upstream gradient dq a column left of it, one number per row (per element
of the gate's output); the result dq·J a row under it, each number its column weighted by dq
and added up; under that, the numbers the backward pass actually sends to the input, the same
ones. The sentences beside it say what the rows and columns are and that the backward pass
never forms the matrix. Small matrices (``fits_as_numbers``) are tables of numbers tinted as
heatmaps, bigger ones (up to ``engine.MAX_JACOBIAN_SIDE`` elements a side) heatmap images whose
strips are as long as the picture is wide; beyond that, or where forming it would cost too
much, the view says why and still shows the upstream gradient and what the backward pass sends.
A port where both sides are numbers shows its 1×1 Jacobian as what it is, the gate's local
gradient, in one sentence.

``show_jacobian`` updates the view in place (the panel makes a new view only when the kind of
picture or a shape changes, ``kind_of``), so a running ascent does not rebuild the widgets.
"""

from __future__ import annotations

from html import escape

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine import LocalJacobian, format_number
from gui.common import theme
from gui.common.heatmap import HeatmapView
from gui.common.matrix_table import MatrixTable
from gui.common.tensor_inspector import fits_as_numbers
from gui.model.value_text import size_words

NUMBERS, PICTURE, REFUSED, SCALAR = "numbers", "picture", "refused", "scalar"
STRIP_HEIGHT = 62  # px: a vector's heatmap strip with its range and readout lines
STRIP_PX = 18  # px: the strip's picture
COLUMN_PX = 24  # px: the upstream gradient's column left of the Jacobian
PICTURE_SIZE = 300  # px: the longer side of a Jacobian's heatmap
MIN_PICTURE_SIDE = 16  # px: its shorter side, however long and thin the matrix
TEXT_WIDTH = 240  # px: the least width of the sentences beside the numbers
ROW_PADDING_PX = 2  # a table row is the font's height and this: the matrix fits a low dock
CELL_PADDING_PX = 14  # a column is its widest number and this
_RED = theme.GRAD_RED.name()
_GREEN = theme.VALUE_GREEN.name()
_SOFT = theme.SOFT_INK.name()


def kind_of(jacobian: LocalJacobian) -> str:
    """How a Jacobian is shown: SCALAR, REFUSED, NUMBERS or PICTURE."""
    if jacobian.is_scalar:
        return SCALAR
    if jacobian.matrix is None:
        return REFUSED
    return NUMBERS if fits_as_numbers(jacobian.size) else PICTURE


def _label(text: str = "", name: str = "", rich: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.RichText if rich else Qt.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class PortJacobianView(QWidget):
    """One port's Jacobian equation (see the module docstring); ``names`` are the gate's and
    the input's names as the canvas writes them."""

    def __init__(self, jacobian: LocalJacobian, gate_name: str, input_name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"jacobian_port_{jacobian.port}")
        self.kind = kind_of(jacobian)
        self.gate_name, self.input_name = gate_name, input_name
        self.upstream_name, self.result_name = f"d{gate_name}", f"d{input_name}"
        self.jacobian_table = self.upstream_table = self.result_table = None
        self.backward_table = self.input_table = None
        self.jacobian_picture = self.upstream_picture = self.result_picture = None
        self.backward_picture = self.input_picture = None
        self.title = _label(name="jacobian_title")
        self.caption = _label(name="jacobian_caption")
        self.note = _label(name="jacobian_note")
        words = QVBoxLayout()  # the sentences, beside the numbers (the dock is wide, not tall)
        for label in (self.title, self.caption, self.note):
            label.setMinimumWidth(TEXT_WIDTH)
            words.addWidget(label)
        words.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 8)
        layout.setSpacing(16)
        if self.kind == NUMBERS:
            layout.addLayout(self._number_grid(jacobian))
        elif self.kind in (PICTURE, REFUSED):
            layout.addLayout(self._picture_grid(jacobian))
        layout.addLayout(words, 1)
        self.show_jacobian(jacobian)

    # ----------------------------------------------------------------- building
    def _number_grid(self, jacobian: LocalJacobian) -> QGridLayout:
        """The input over J and dq as a column left of it (row by row), dq·J and the backward's
        product under J (column by column)."""
        rows, columns = jacobian.size
        self.input_table = self._table(np.zeros(columns), self.input_name)
        self.input_table.setObjectName("jacobian_input")
        self.input_table.horizontalHeader().hide()
        self.upstream_table = self._table(np.zeros((rows, 1)), self.upstream_name)
        self.jacobian_table = self._table(np.zeros((rows, columns)), "J")
        self.result_table = self._table(np.zeros(columns), self.result_name)
        self.backward_table = self._table(np.zeros(columns), self.result_name)
        self.upstream_table.setObjectName("jacobian_upstream")
        self.jacobian_table.setObjectName("jacobian_matrix")
        self.result_table.setObjectName("jacobian_result")
        self.backward_table.setObjectName("jacobian_backward")
        self.upstream_table.verticalHeader().hide()
        for table in (self.result_table, self.backward_table):
            table.horizontalHeader().hide()
        self._header_width = self.jacobian_table.verticalHeader().sizeHint().width()
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        top, right = Qt.AlignLeft | Qt.AlignTop, Qt.AlignRight | Qt.AlignVCenter
        grid.addWidget(_label(f"<span style='color:{_GREEN}'>{escape(self.input_name)}</span>"
                              " (input)"), 0, 0, right)
        grid.addWidget(self.input_table, 0, 1, top)
        grid.addWidget(_label(f"<b style='color:{_RED}'>{escape(self.upstream_name)}</b>"),
                       1, 0, Qt.AlignHCenter | Qt.AlignBottom)
        grid.addWidget(_label(f"<b>·</b> &nbsp;∂{escape(self.gate_name)}/∂"
                              f"{escape(self.input_name)}"), 1, 1, Qt.AlignLeft | Qt.AlignBottom)
        grid.addWidget(self.upstream_table, 2, 0, top)
        grid.addWidget(self.jacobian_table, 2, 1, top)
        grid.addWidget(_label(f"= {escape(self.upstream_name)}·J"), 3, 0, right)
        grid.addWidget(self.result_table, 3, 1, top)
        grid.addWidget(_label("backward<br>pass sends"), 4, 0, right)
        grid.addWidget(self.backward_table, 4, 1, top)
        grid.setColumnStretch(2, 1)
        return grid

    @staticmethod
    def _table(value, name: str) -> MatrixTable:
        table = MatrixTable(value, name)
        row = QFontMetrics(table.font()).height() + ROW_PADDING_PX
        table.verticalHeader().setMinimumSectionSize(row)
        table.verticalHeader().setDefaultSectionSize(row)
        table.horizontalHeader().setFixedHeight(row + ROW_PADDING_PX)
        table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        return table

    def _picture_grid(self, jacobian: LocalJacobian) -> QGridLayout:
        """Heatmaps laid out as the tables are: the input over J, the upstream a column left
        of it, dq·J and the backward's product under it, each strip as long as J's picture is
        wide (and the column as tall), so that their cells line up with J's."""
        rows, columns = jacobian.size
        width, height = _picture_size(rows, columns)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        right = Qt.AlignRight | Qt.AlignVCenter
        self.input_picture = self._strip(self.input_name, "jacobian_input", width)
        self.backward_picture = self._strip(self.result_name, "jacobian_backward", width)
        grid.addWidget(_label(f"<span style='color:{_GREEN}'>{escape(self.input_name)}</span>"
                              " (input)"), 0, 0, right)
        grid.addWidget(self.input_picture, 0, 1)
        upstream = f"<b style='color:{_RED}'>{escape(self.upstream_name)}</b>"
        if jacobian.matrix is None:
            self.upstream_picture = self._strip(self.upstream_name, "jacobian_upstream", width)
            grid.addWidget(_label(upstream), 1, 0, right)
            grid.addWidget(self.upstream_picture, 1, 1)
        else:
            self.upstream_picture = _picture(self.upstream_name, "jacobian_upstream",
                                             COLUMN_PX, height, Qt.AlignRight)
            self.jacobian_picture = _picture("J", "jacobian_matrix", width, height)
            self.result_picture = self._strip(self.result_name, "jacobian_result", width)
            grid.addWidget(_label(upstream), 1, 0, Qt.AlignRight | Qt.AlignBottom)
            grid.addWidget(_label(f"<b>·</b> &nbsp;∂{escape(self.gate_name)}/∂"
                                  f"{escape(self.input_name)}"), 1, 1)
            grid.addWidget(self.upstream_picture, 2, 0, Qt.AlignRight | Qt.AlignTop)
            grid.addWidget(self.jacobian_picture, 2, 1, Qt.AlignLeft | Qt.AlignTop)
            grid.addWidget(_label(f"= {escape(self.upstream_name)}·J"), 3, 0, right)
            grid.addWidget(self.result_picture, 3, 1)
        grid.addWidget(_label("backward<br>pass sends"), 4, 0, right)
        grid.addWidget(self.backward_picture, 4, 1)
        grid.setColumnStretch(2, 1)
        return grid

    @staticmethod
    def _strip(name: str, object_name: str, width: int) -> HeatmapView:
        view = _picture(name, object_name, width, STRIP_PX)
        view.setFixedHeight(STRIP_HEIGHT)
        return view

    # ----------------------------------------------------------------- showing numbers
    def show_jacobian(self, jacobian: LocalJacobian) -> None:
        """Show ``jacobian`` (of the same ``kind_of`` as the one the view was made for)."""
        gate, source = escape(self.gate_name), escape(self.input_name)
        rows, columns = jacobian.size
        self.title.setText(
            f"<b>∂{gate}/∂{source}</b> <span style='color:{_SOFT}'>· port {jacobian.port}: "
            f"{source} ({size_words(jacobian.in_shape)}) → {gate} "
            f"({size_words(jacobian.out_shape)})</span>")
        if self.kind == SCALAR:
            self._show_scalar(jacobian)
            return
        product = jacobian.product()
        if self.kind == NUMBERS:
            self.input_table.set_value(np.ravel(jacobian.input_value))
            self.upstream_table.set_value(np.reshape(jacobian.upstream, (rows, 1)))
            self.jacobian_table.set_value(jacobian.matrix)
            self.result_table.set_value(np.ravel(product))
            self.backward_table.set_value(np.ravel(jacobian.vjp))
            self._fit_tables()
        else:
            self.input_picture.set_value(np.ravel(jacobian.input_value))
            self.backward_picture.set_value(np.ravel(jacobian.vjp))
            if self.jacobian_picture is None:
                self.upstream_picture.set_value(np.ravel(jacobian.upstream))
            else:
                self.upstream_picture.set_value(np.reshape(jacobian.upstream, (rows, 1)))
                self.jacobian_picture.set_value(jacobian.matrix)
                self.result_picture.set_value(np.ravel(product))
        self.caption.setText(self._caption(jacobian))
        self.note.setText(self._note(jacobian))

    def _fit_tables(self) -> None:
        """Every table as big as its numbers and no bigger, the columns under J as wide as
        J's, so that they line up with its columns."""
        under_j = (self.input_table, self.jacobian_table, self.result_table,
                   self.backward_table)
        column = max(_widest(table) for table in under_j)
        for table in under_j:
            table.horizontalHeader().setDefaultSectionSize(column)
            _fit(table, self._header_width)
        self.upstream_table.horizontalHeader().setDefaultSectionSize(
            _widest(self.upstream_table))
        _fit(self.upstream_table, self._header_width)

    def _caption(self, jacobian: LocalJacobian) -> str:
        rows, columns = jacobian.size
        up, down = escape(self.upstream_name), escape(self.result_name)
        gate, source = escape(self.gate_name), escape(self.input_name)
        flat = " (matrices read row by row)" if len(jacobian.in_shape) == 2 or \
            len(jacobian.out_shape) == 2 else ""
        if self.kind == REFUSED:
            reason = jacobian.reason.replace("dq", self.upstream_name)
            return f"<span style='color:#b45309'>Not drawn: {escape(reason)}.</span>"
        return (f"The local Jacobian is {rows}×{columns}: one row per element of {gate}, one "
                f"column per element of {source}{flat}. The upstream gradient {up} weights "
                f"its rows and each column adds up: <b>{up} · J = {down}</b>.")

    def _note(self, jacobian: LocalJacobian) -> str:
        rows, columns = jacobian.size
        source = escape(self.input_name)
        if self.kind == REFUSED:
            return (f"The backward pass still sends {source} its {columns} numbers (the last "
                    "strip): it never needs the matrix.")
        how = escape(self._how(jacobian))
        return (f"The backward pass never forms this {rows}×{columns} matrix "
                f"({rows * columns} numbers): {how}, and sends {source} the same {columns} "
                f"numbers as {escape(self.upstream_name)}·J. The full matrix is never needed.")

    def _how(self, jacobian: LocalJacobian) -> str:
        """The engine's words for the backward's shortcut, with the upstream by its name."""
        return jacobian.how.replace("dq", self.upstream_name)

    def _show_scalar(self, jacobian: LocalJacobian) -> None:
        gate, source = escape(self.gate_name), escape(self.input_name)
        local = float(jacobian.matrix[0, 0])
        self.caption.setText(
            f"Both are numbers, so the Jacobian is 1×1: the local gradient "
            f"<b>∂{gate}/∂{source} = {format_number(local)}</b>.")
        self.note.setText(
            f"upstream · local = result: {format_number(jacobian.upstream)} × "
            f"{format_number(local)} = <b style='color:{_RED}'>"
            f"{format_number(jacobian.vjp)}</b>, what the backward pass sends to {source}.")


def _picture_size(rows: int, columns: int) -> tuple[int, int]:
    """The size of a rows × columns heatmap with square cells, its longer side
    ``PICTURE_SIZE`` (and the frame's pixel around it)."""
    longer = max(rows, columns)
    return (max(MIN_PICTURE_SIDE, round(PICTURE_SIZE * columns / longer)) + 2,
            max(MIN_PICTURE_SIDE, round(PICTURE_SIZE * rows / longer)) + 2)


def _picture(name: str, object_name: str, width: int, height: int,
             side=Qt.AlignLeft) -> HeatmapView:
    """A heatmap whose picture is exactly ``width`` × ``height``, on the ``side`` of the view
    (its range and readout lines may be wider)."""
    view = HeatmapView(name=name)
    view.setObjectName(object_name)
    view.canvas.setFixedSize(width, height)
    view.layout().setAlignment(view.canvas, side)
    return view


def _widest(table: MatrixTable) -> int:
    """The width a column needs for the widest number (or column number) of ``table``."""
    metrics = QFontMetrics(table.font())
    values = np.ravel(table.value())
    texts = {format_number(v) for v in values} | {str(table.matrix_model.columnCount() - 1)}
    return max(metrics.horizontalAdvance(text) for text in texts) + CELL_PADDING_PX


def _fit(table: MatrixTable, header_width: int) -> None:
    """Make a table exactly as big as its cells and headers (no scrolling inside it), its row
    numbers ``header_width`` wide (they line up with the Jacobian's columns)."""
    vertical, horizontal = table.verticalHeader(), table.horizontalHeader()
    width = 0
    if not vertical.isHidden():
        vertical.setFixedWidth(header_width)
        width = header_width
    width += sum(table.columnWidth(c) for c in range(table.model().columnCount()))
    height = 0 if horizontal.isHidden() else horizontal.height()
    height += sum(table.rowHeight(r) for r in range(table.model().rowCount()))
    frame = 2 * table.frameWidth()
    table.setFixedSize(width + frame, height + frame)
