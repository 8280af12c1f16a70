"""Captions the animated passes put beside gates: what each gate does with the numbers.

A ``Caption`` is a small card: a title line in colour (the gate's pattern, "mul switches: ...")
and one equation per line ("0.20 × 2.00 = 0.39 → x0"). The gate being worked on shows its card
whole and on top; once the pass moves on, the card folds to its short lines (the equations
without where they go), a little faded and under the wires' numbers, so the canvas keeps the
story of the pass without getting crowded. Cards sit above their gate (``ABOVE``), below it
(``BELOW``) or left of it (``LEFT``: the sums where a source's value fans out, in the free
space left of the inputs).

Captions are overlays: they hold their text only, never document state, and the flow
controller removes them whenever the document changes.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem

from gui.canvas.wire_item import covered_cost

ABOVE, BELOW, LEFT = -1, 1, 2
TITLE_WIDTH = 42  # characters: longer titles wrap
PAD_X, PAD_Y, GAP = 6.0, 3.0, 3.0
CARD_FILL = QColor(255, 255, 255, 238)
NUDGE = 16.0  # how far a card moves off its spot to clear what is in the way


@lru_cache(maxsize=None)
def _font(kind: str) -> QFont:
    if kind == "mono":
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.Monospace)
        font.setPixelSize(11)
    else:
        font = QFont("DejaVu Sans")
        font.setStyleHint(QFont.SansSerif)
        font.setPixelSize(11)
        font.setBold(True)
    return font


@lru_cache(maxsize=None)
def _metrics(kind: str) -> QFontMetricsF:
    return QFontMetricsF(_font(kind))


class Caption(QGraphicsItem):
    """A card with a coloured title and equations, anchored above or below a gate."""

    covers_text = True  # other cards and numbers keep off it (wire_item.covered_cost)

    def __init__(self, title: str, lines: list[str], color: QColor, side: int = ABOVE,
                 short_lines: list[str] | None = None):
        super().__init__()
        self.title = title
        self.lines = list(lines)
        self.short_lines = list(lines if short_lines is None else short_lines)
        self.color = QColor(color)
        self.side = side
        self.active = True
        self._rect = QRectF()
        self._anchor = QRectF()
        self.setZValue(70)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self._layout()

    def text(self) -> str:
        """The whole caption: title and equations, one per line."""
        return "\n".join(([self.title] if self.title else []) + self.lines)

    def set_active(self, active: bool) -> None:
        """Whole and on top (the gate being worked on), or folded to its equations."""
        if active == self.active:
            return
        self.active = active
        # folded, a card goes under the wires' numbers (z 0.5) and the gates (z 1)
        self.setZValue(70 if active else 0.45)
        self.setOpacity(1.0 if active else 0.9)
        self._layout()
        self.place(self._anchor)

    def _shown(self) -> list[tuple[str, str]]:
        if not self.active:
            return [("mono", line) for line in self.short_lines]
        rows = [("title", line) for line in textwrap.wrap(self.title, TITLE_WIDTH)]
        return rows + [("mono", line) for line in self.lines]

    def _layout(self) -> None:
        self.prepareGeometryChange()
        rows = self._shown()
        width = max((_metrics(kind).horizontalAdvance(text) for kind, text in rows), default=0)
        height = sum(_metrics(kind).height() for kind, _ in rows)
        self._rect = QRectF(-width / 2 - PAD_X, 0, width + 2 * PAD_X, height + 2 * PAD_Y)
        self.update()

    def place(self, anchor: QRectF) -> None:
        """Sit above (or below, or left of) ``anchor``, a gate's rectangle in the scene: centred
        if nothing is in the way there, else at the nearby spot where the least is covered."""
        self._anchor = QRectF(anchor)
        if anchor.isNull():
            return
        base = self._base_pos(anchor)
        best, best_cost = base, None
        for dx, dy in self._nudges():
            self.setPos(base + QPointF(dx, dy))
            cost = self._cost()
            if best_cost is None or cost < best_cost:
                best, best_cost = self.pos(), cost
            if cost == 0:
                return
        self.setPos(best)

    def _base_pos(self, anchor: QRectF) -> QPointF:
        x = anchor.center().x()
        if self.side == ABOVE:
            return QPointF(x, anchor.top() - GAP - self._rect.height())
        if self.side == BELOW:
            return QPointF(x, anchor.bottom() + GAP)
        return QPointF(anchor.left() - GAP - self._rect.width() / 2,
                       anchor.center().y() - self._rect.height() / 2)

    def _nudges(self):
        """Offsets from the base spot to try, nearest first: sideways along the gate, then
        further from it."""
        width, height = self._rect.width(), self._rect.height()
        away = -1 if self.side == ABOVE else 1
        if self.side == LEFT:
            return [(0.0, 0.0), (0.0, -height / 2 - 6), (0.0, height / 2 + 6),
                    (-NUDGE, 0.0), (0.0, -height - 12), (0.0, height + 12)]
        shifts = [0.0, 0.3 * width, -0.3 * width, 0.6 * width, -0.6 * width]
        return [(dx, away * lift) for lift in (0.0, NUDGE, 2 * NUDGE) for dx in shifts]

    def _cost(self) -> int:
        """What the card covers where it is (what is hidden now does not count)."""
        scene = self.scene()
        return 0 if scene is None else covered_cost(scene, self.sceneBoundingRect(), (self,),
                                                    visible_only=True)

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        border = QColor(self.color)
        border.setAlphaF(1.0 if self.active else 0.45)
        painter.setPen(QPen(border, 1.4 if self.active else 0.9))
        painter.setBrush(QBrush(CARD_FILL))
        painter.drawRoundedRect(self._rect, 4, 4)
        y = self._rect.top() + PAD_Y
        ink = QColor(self.color).darker(135)
        if not self.active:
            ink.setAlphaF(0.8)
        for kind, text in self._shown():
            height = _metrics(kind).height()
            painter.setFont(_font(kind))
            painter.setPen(self.color if kind == "title" else ink)
            painter.drawText(QRectF(self._rect.left(), y, self._rect.width(), height),
                             Qt.AlignCenter, text)
            y += height
