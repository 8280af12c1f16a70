"""How a vector or matrix is drawn on the canvas: its numbers when small, a thumbnail when big.

A wire carrying a tensor shows it where a wire carrying a number shows that number (green value
above, red gradient below), and a source's pill shows its tensor value the same way:

- up to ``MAX_NUMBERS_SIDE`` × ``MAX_NUMBERS_SIDE`` elements, every number, written as the
  lecture's slides write them: a matrix in brackets, a vector as a column (``NumbersPicture``);
- bigger, a heatmap thumbnail of the elements (``gui.common.heatmap``'s colours: blue below 0,
  white at 0, red above) framed in the label's colour, with the elements' range beside the wire
  (``ThumbnailPicture``).

A picture knows its size and paints itself into a rectangle of that size; the label holding it
(``wire_item.NumberLabel``, ``gate_item.ValueItem``) draws the plate around it and places it.
``text`` says in one line what the picture shows (the tooltips, the tests and the flow read it).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QPainter, QPen

from engine import format_number, shape_text
from gui.common import theme
from gui.common.heatmap import extent_of, heatmap_image, matrix_shape, range_text

MAX_NUMBERS_SIDE = 4  # up to 4×4 elements: the numbers themselves; beyond: a thumbnail
THUMBNAIL_SIDE = 48.0  # px, the longer side of a thumbnail
THUMBNAIL_MIN_SIDE = 8.0  # px, the shorter side of a long vector's strip
CELL_GAP = 6.0  # px between two columns of numbers
BRACKET = 4.0  # px, the width of a bracket (its serifs)
BRACKET_GAP = 3.0  # px between a bracket and the numbers


def as_drawn(value) -> np.ndarray:
    """The tensor as the numbers are laid out: a matrix as it is, a vector as one column."""
    array = np.asarray(value, dtype=np.float64)
    return array.reshape(-1, 1) if array.ndim == 1 else array


def fits_as_numbers(shape: tuple) -> bool:
    """True when a tensor of ``shape`` is written out number by number on the canvas."""
    return max(shape, default=1) <= MAX_NUMBERS_SIDE


def tensor_text(value, number_text=format_number) -> str:
    """A tensor in one line: ``[0.22, 0.26]``, ``[[0.10, 0.50], [-0.30, 0.80]]`` when small
    (each number written by ``number_text``); its shape and range (``8×8: -0.52 … 0.73``) when
    big."""
    array = np.asarray(value, dtype=np.float64)
    if not fits_as_numbers(array.shape):
        return f"{shape_text(array.shape)}: {range_text(array)}"
    if array.ndim == 1:
        return "[" + ", ".join(number_text(x) for x in array) + "]"
    return "[" + ", ".join(tensor_text(row, number_text) for row in array) + "]"


class NumbersPicture:
    """Every number of a small tensor, right-aligned in columns between brackets."""

    def __init__(self, value, font_name: str = "NUMBER_FONT"):
        array = np.asarray(value, dtype=np.float64)
        self.text = tensor_text(array)
        self.marked = not bool(np.isfinite(array).all())
        drawn = as_drawn(array)
        self._cells = [[format_number(x) for x in row] for row in drawn]
        self._cell_marked = ~np.isfinite(drawn)
        self._font = theme.font(*theme.FONTS[font_name])
        self._marked_font = theme.font(theme.FONTS[font_name][0], True)
        metrics = theme.metrics(font_name)
        bold = theme.metrics("NUMBER_FONT_MARKED") if font_name == "NUMBER_FONT" else metrics
        self._line = metrics.height()
        self._widths = [max((bold if marked else metrics).horizontalAdvance(text)
                            for text, marked in zip(column, column_marked))
                        for column, column_marked in zip(zip(*self._cells),
                                                         zip(*self._cell_marked))]
        inner = sum(self._widths) + CELL_GAP * (len(self._widths) - 1)
        self._size = QSizeF(inner + 2 * (BRACKET + BRACKET_GAP), self._line * len(self._cells))

    def size(self) -> QSizeF:
        """Its width and height in scene pixels."""
        return QSizeF(self._size)

    def paint(self, painter: QPainter, rect: QRectF, color) -> None:
        """Draw the numbers (in ``color``; nan and inf bold in the marked colour) and the
        brackets into ``rect``."""
        painter.setPen(QPen(color, 1.0))
        _paint_brackets(painter, rect)
        x = rect.left() + BRACKET + BRACKET_GAP
        for column, width in enumerate(self._widths):
            for row, texts in enumerate(self._cells):
                marked = bool(self._cell_marked[row, column])
                painter.setFont(self._marked_font if marked else self._font)
                painter.setPen(theme.MARKED_TEXT if marked else color)
                cell = QRectF(x, rect.top() + row * self._line, width, self._line)
                painter.drawText(cell, Qt.AlignRight | Qt.AlignVCenter, texts[column])
            x += width + CELL_GAP


def _paint_brackets(painter: QPainter, rect: QRectF) -> None:
    top, bottom = rect.top() + 1.0, rect.bottom() - 1.0
    for edge, serif in ((rect.left() + 1.0, BRACKET - 1.0), (rect.right() - 1.0, 1.0 - BRACKET)):
        painter.drawPolyline([QPointF(edge + serif, top), QPointF(edge, top),
                              QPointF(edge, bottom), QPointF(edge + serif, bottom)])


class ThumbnailPicture:
    """A big tensor as a heatmap thumbnail, framed in the label's colour, with its range on the
    side away from the wire (``range_below``: under the thumbnail, else above it)."""

    def __init__(self, value, range_below: bool = True):
        array = np.asarray(value, dtype=np.float64)
        extent = extent_of(array)  # one look at every element serves the text, mark and image
        self.range = extent.range_text()
        self.text = f"{shape_text(array.shape)}: {self.range}"
        self.marked = bool(extent.counts)
        self.image = heatmap_image(array, extent.limit)
        self.range_below = range_below
        rows, columns = matrix_shape(array.shape)
        cell = THUMBNAIL_SIDE / max(rows, columns)
        self._thumbnail = QSizeF(max(columns * cell, THUMBNAIL_MIN_SIDE),
                                 max(rows * cell, THUMBNAIL_MIN_SIDE))
        metrics = theme.metrics("TAG_FONT")
        self._range_height = metrics.height()
        width = max(self._thumbnail.width(), metrics.horizontalAdvance(self.range))
        self._size = QSizeF(width, self._thumbnail.height() + 2.0 + self._range_height)

    def size(self) -> QSizeF:
        """Its width and height in scene pixels."""
        return QSizeF(self._size)

    def thumbnail_rect(self, rect: QRectF) -> QRectF:
        """Where the heatmap is drawn inside ``rect`` (centred, on the wire's side)."""
        top = rect.top() if self.range_below else rect.bottom() - self._thumbnail.height()
        return QRectF(rect.center().x() - self._thumbnail.width() / 2, top,
                      self._thumbnail.width(), self._thumbnail.height())

    def paint(self, painter: QPainter, rect: QRectF, color) -> None:
        """Draw the thumbnail (crisp cells, a frame in ``color``) and the range."""
        thumbnail = self.thumbnail_rect(rect)
        smooth = painter.testRenderHint(QPainter.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, False)
        painter.drawImage(thumbnail, self.image)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, smooth)
        painter.setPen(QPen(color, 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(thumbnail.adjusted(-0.5, -0.5, 0.5, 0.5))
        top = thumbnail.bottom() + 2.0 if self.range_below else rect.top()
        painter.setFont(theme.TAG_FONT)
        painter.setPen(theme.MARKED_TEXT if self.marked else color)
        painter.drawText(QRectF(rect.left(), top, rect.width(), self._range_height),
                         Qt.AlignCenter, self.range)


def tensor_picture(value, range_below: bool = True, font_name: str = "NUMBER_FONT"):
    """The picture of a vector or matrix: its numbers if small, else a thumbnail."""
    if fits_as_numbers(np.shape(value)):
        return NumbersPicture(value, font_name)
    return ThumbnailPicture(value, range_below)
