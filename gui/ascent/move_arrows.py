"""Arrows on the canvas for the moves gradient ascent just made: the guide's "pull" made visible.

After each ascent step every movable input gets an arrow beside its gate (to the left of the
pill): pointing up for a move that raised the value, down for one that lowered it, longer for
bigger moves (lengths are relative to the largest move of that step, so the input pulled hardest
has the longest arrow), with the move itself written next to it ("+0.0315"). An input the step
left where it was (a rejected random try) shows a small dot and "0".

A vector or matrix input moves every element by its own amount: its arrow shows the element
that moved most (``shown_move``), so the input pulled hardest still has the longest arrow.

The arrows are overlay items: children of the gate items, so they follow a dragged gate and go
away with it. They hold no document state; ``MoveArrows`` clears them when the document is
replaced or the circuit is edited (they describe a move that no longer applies).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem
from shiboken6 import isValid

from gui.common import theme

ARROW_Z = 60
MIN_LENGTH = 8.0  # the smallest non-zero move still gets a visible arrow
MAX_LENGTH = 34.0
HEAD = 6.0
GAP = 8.0  # between the arrow and the gate's body
WIDEST_TEXT = "+0.000000"  # "{:+.3g}" is never wider
UP_COLOR = theme.VALUE_GREEN
DOWN_COLOR = theme.GRAD_RED


def shown_move(move) -> float:
    """The move an arrow shows: the input's own, or a tensor's element that moved most (its
    sign kept; a non-finite element first, as a number shows it)."""
    if np.ndim(move) == 0:
        return float(move)
    moves = np.asarray(move, dtype=float).ravel()
    sizes = np.where(np.isfinite(moves), np.abs(moves), np.inf)
    return float(moves[int(np.argmax(sizes))])


def move_text(move: float) -> str:
    """The move as drawn beside its arrow: "+0.0315", "-0.00105", "0"."""
    if move == 0:
        return "0"
    return f"{move:+.3g}"


def arrow_length(move: float, largest: float) -> float:
    """The arrow's length for ``move`` when the step's largest move is ``largest``."""
    if move == 0 or not math.isfinite(move) or largest <= 0 or not math.isfinite(largest):
        return 0.0
    return MIN_LENGTH + (MAX_LENGTH - MIN_LENGTH) * min(abs(move) / largest, 1.0)


class MoveArrowItem(QGraphicsItem):
    """One input's last move: a vertical arrow (up for +, down for -) and the delta as text."""

    def __init__(self, gate):
        super().__init__(gate)
        self.setZValue(ARROW_Z)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setAcceptHoverEvents(False)
        self.move = 0.0
        self.length = 0.0
        self.text = ""
        self._rect = QRectF()

    @property
    def direction(self) -> int:
        """+1 when the arrow points up (the value went up), -1 down, 0 for no move."""
        return (self.move > 0) - (self.move < 0)

    def set_move(self, move: float, largest: float, body: QRectF) -> None:
        """Show ``move`` (scaled against the step's ``largest`` move) beside ``body``."""
        # the bounding box is fixed, so a running ascent repaints arrows without re-indexing
        # them in the scene every frame
        if self._rect.isNull():
            self.prepareGeometryChange()
            metrics = theme.metrics("NUMBER_FONT")
            text_width = metrics.horizontalAdvance(WIDEST_TEXT) + 4
            half = max(MAX_LENGTH / 2, metrics.height() / 2) + 2
            self._rect = QRectF(-text_width - HEAD - 4, -half, text_width + 2 * HEAD + 4,
                                2 * half)
        place = QPointF(body.left() - GAP, body.center().y())
        if self.pos() != place:
            self.setPos(place)
        move = float(move)
        length, text = arrow_length(move, largest), move_text(move)
        if (move, length, text) != (self.move, self.length, self.text):
            self.move, self.length, self.text = move, length, text
            self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None):
        color = UP_COLOR if self.move > 0 else DOWN_COLOR if self.move < 0 else theme.SOFT_INK
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        if self.length > 0:
            tip_y = -self.direction * self.length / 2
            tail_y = -tip_y
            pen = QPen(color, 2.0)
            pen.setCapStyle(Qt.RoundCap)
            painter.setPen(pen)
            painter.drawLine(QPointF(0, tail_y), QPointF(0, tip_y + self.direction * HEAD * 0.6))
            head = QPolygonF([QPointF(0, tip_y),
                              QPointF(-HEAD / 2, tip_y + self.direction * HEAD),
                              QPointF(HEAD / 2, tip_y + self.direction * HEAD)])
            painter.setPen(Qt.NoPen)
            painter.setBrush(QBrush(color))
            painter.drawPolygon(head)
        else:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QBrush(color))
            painter.drawEllipse(QPointF(0, 0), 2.0, 2.0)
        painter.setFont(theme.NUMBER_FONT)
        painter.setPen(color)
        text_rect = QRectF(self._rect.left(), self._rect.top(),
                           self._rect.width() - 2 * HEAD, self._rect.height())
        painter.drawText(text_rect, Qt.AlignRight | Qt.AlignVCenter, self.text)

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never in the way of clicks on the canvas


class MoveArrows:
    """The arrows of the last ascent step, one per movable input, kept in step with the scene."""

    def __init__(self, scene):
        self.scene = scene
        self._arrows: dict[str, MoveArrowItem] = {}
        document = scene.document
        document.circuit_replaced.connect(self._forget)

    def arrows(self) -> dict:
        """The arrows on the canvas now: node id -> MoveArrowItem."""
        self._drop_dead()
        return dict(self._arrows)

    def show_moves(self, moves: dict) -> None:
        """Draw an arrow for each input's move (node id -> move); inputs not in ``moves`` lose
        theirs."""
        self._drop_dead()
        moves = {node_id: shown_move(move) for node_id, move in moves.items()}
        finite = [abs(m) for m in moves.values() if math.isfinite(m)]
        largest = max(finite, default=0.0)
        for node_id in [i for i in self._arrows if i not in moves]:
            self._remove(node_id)
        grew = False
        for node_id, move in moves.items():
            gate = self.scene.gate_item(node_id)
            if gate is None:
                self._remove(node_id)
                continue
            arrow = self._arrows.get(node_id)
            if arrow is None or arrow.parentItem() is not gate:
                self._remove(node_id)
                arrow = self._arrows[node_id] = MoveArrowItem(gate)
                grew = True
            arrow.set_move(move, largest, gate.body_rect())
        if grew:
            self.scene.overlays_grew.emit()  # a fitted canvas makes room for them

    def clear(self) -> None:
        """Take every arrow off the canvas."""
        for node_id in list(self._arrows):
            self._remove(node_id)

    def _remove(self, node_id: str) -> None:
        arrow = self._arrows.pop(node_id, None)
        if arrow is not None and isValid(arrow):
            if arrow.scene() is not None:
                arrow.scene().removeItem(arrow)
            arrow.setParentItem(None)

    def _drop_dead(self) -> None:
        # a gate deleted (or the scene rebuilt) takes its child arrows with it
        for node_id in [i for i, a in self._arrows.items() if not isValid(a)]:
            del self._arrows[node_id]

    def _forget(self) -> None:
        self._arrows = {i: a for i, a in self._arrows.items() if isValid(a)}
        self.clear()
