"""A wire carrying a vector or matrix is a bus: drawn thicker, with its shape written on it.

As on a schematic's bus, a short slash crosses the wire near its source and the shape is
written beside it (``2×2``, ``8`` for a vector of 8: ``engine.shape_text``). The slash and the
shape are a ``ShapeTag``, a child of the wire placed at ``TAG_ALONG`` px from its start;
wires fanning out of one port carry the same shape, so only the first of them shows it (the
scene chooses). Numbers on the wires keep off the tag where they can, as off a wire: enlarged
on a zoomed-out view, they rather cover it than be left out.

``wire_width`` is how thick a wire of a shape is drawn: numbers ``theme.WIRE_WIDTH``, vectors
and matrices thicker (a matrix more).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPen
from PySide6.QtWidgets import QGraphicsItem

from engine import shape_text
from gui.canvas.obstacles import TAG, Obstacle
from gui.common import theme

VECTOR_WIDTH = 3.5
MATRIX_WIDTH = 5.0
TAG_ALONG = 22.0  # px from the wire's start to its slash
SLASH = 6.0  # half the slash's height


def wire_width(shape: tuple) -> float:
    """How thick a wire carrying a value of ``shape`` is drawn."""
    return (theme.WIRE_WIDTH, VECTOR_WIDTH, MATRIX_WIDTH)[min(len(shape), 2)]


class ShapeTag(Obstacle, QGraphicsItem):
    """The slash across a tensor wire and its shape written above the wire."""

    obstacle = TAG  # the wires' numbers keep off it where they can

    def __init__(self, shape: tuple, parent: QGraphicsItem):
        super().__init__(parent)
        self.shape_tuple = shape
        self.text = shape_text(shape)
        metrics = theme.metrics("TAG_FONT")
        width = metrics.horizontalAdvance(self.text) + 4
        self._text_rect = QRectF(2.0, -SLASH - metrics.height() - 1, width, metrics.height())
        self._rect = QRectF(-SLASH, -SLASH, 2 * SLASH, 2 * SLASH).united(self._text_rect)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setZValue(0.4)  # over the wires, under their numbers

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None):
        painter.setPen(QPen(theme.SOFT_INK, 1.4))
        painter.drawLine(QPointF(-SLASH / 2, SLASH), QPointF(SLASH / 2, -SLASH))
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(theme.LABEL_FILL))
        painter.drawRoundedRect(self._text_rect, 2, 2)
        painter.setFont(theme.TAG_FONT)
        painter.setPen(theme.SOFT_INK)
        painter.drawText(self._text_rect, Qt.AlignCenter, self.text)
