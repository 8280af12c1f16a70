"""Captions the animated passes put beside gates: what each gate does with the numbers.

A ``Caption`` is a small card: a title line in colour (the gate's pattern, "mul switches: ...")
and one equation per line ("0.20 × 2.00 = 0.39 → x0"). The gate being worked on shows its card
whole and on top; once the pass moves on, the card folds to its short lines (the equations
without where they go), a little faded and under the wires' numbers, so the canvas keeps the
story of the pass without getting crowded. Cards sit above their gate (``ABOVE``), below it
(``BELOW``) or left of it (``LEFT``: the sums where a source's value fans out, in the free
space left of the inputs).

Where many cards would show at once (a wide level of a big net, or the whole run after End),
they cannot all fit: ``arrange`` shows them in an order of priority (the selected gate's, then
the gates being worked on, then the most recent), each where it covers least, folds a whole
card that would cover anything, and keeps hidden every card that would overlap a card already
shown or a gate, and every folded card that would cover a number on a wire (the numbers land
after the cards of their level are placed: a folded card is moved off them, or goes) or reach
out of the view (cut off). Cards never cover each other, a gate or, once folded, a number;
selecting a gate brings its card forward.

Zoomed out, a card is drawn enlarged (``set_text_scale``, by ``readable_scale``) so its text
stays as big as the menus' text; it is placed by its enlarged size.

Captions are overlays: they hold their text only, never document state, and the flow
controller removes them whenever the document changes.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QGraphicsItem

from gui.canvas.obstacles import CARD, LABEL_OVERLAP_COST, Obstacle
from gui.canvas.readable_text import text_scale
from gui.flow.card_room import CardRoom

ABOVE, BELOW, LEFT = -1, 1, 2
TITLE_WIDTH = 42  # characters: longer titles wrap
PAD_X, PAD_Y, GAP = 6.0, 3.0, 3.0
CARD_FILL = QColor(255, 255, 255, 238)
NUDGE = 16.0  # how far a card moves off its spot to clear what is in the way
BLOCKED_COST = 10_000  # a spot where the card would overlap another card or a gate


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


def readable_scale(zoom: float) -> float:
    """How much to enlarge a card seen at ``zoom`` so its lines read as big as the menus'."""
    return text_scale(_metrics("mono").height(), zoom)


class Caption(Obstacle, QGraphicsItem):
    """A card with a coloured title and equations, anchored above or below a gate."""

    obstacle = CARD  # numbers and other cards keep off it (gui.canvas.obstacles)

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
        self._placed_for = None  # (anchor, size) of the last placement
        self.setZValue(70)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self._layout()

    def text(self) -> str:
        """The whole caption: title and equations, one per line."""
        return "\n".join(([self.title] if self.title else []) + self.lines)

    def set_text_scale(self, scale: float) -> bool:
        """Draw the card ``scale`` times its natural size (it grows from its top's middle);
        True if that changed it (``arrange`` then finds it a spot for its new size)."""
        if scale == self.scale():
            return False
        self.prepareGeometryChange()
        self.setScale(scale)
        return True

    def _extent(self) -> QRectF:
        """The card's rectangle around its position, as enlarged by its scale."""
        scale = self.scale()
        rect = self._rect
        return QRectF(rect.left() * scale, rect.top() * scale, rect.width() * scale,
                      rect.height() * scale)

    def set_active(self, active: bool) -> None:
        """Whole and on top (the gate being worked on), or folded to its equations."""
        if active == self.active:
            return
        self.active = active
        # folded, a card goes under the wires' numbers (z 0.5) and the gates (z 1)
        self.setZValue(70 if active else 0.45)
        self.setOpacity(1.0 if active else 0.9)
        self._layout()  # ``arrange`` finds it a spot for its new size

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

    def place(self, anchor: QRectF, room: CardRoom) -> int:
        """Sit above (or below, or left of) ``anchor``, a gate's rectangle in the scene: centred
        if nothing in ``room`` is in the way there, else at the nearby spot where the least is
        covered. Returns what is covered there (0: nothing)."""
        self._anchor = QRectF(anchor)
        if anchor.isNull():
            return 0
        self._placed_for = (QRectF(anchor), self._extent().size())
        base = self._base_pos(anchor)
        best, best_cost = base, None
        for dx, dy in self._nudges():
            spot = base + QPointF(dx, dy)
            cost = self._cost(room, spot)
            if best_cost is None or cost < best_cost:
                best, best_cost = spot, cost
            if cost == 0:
                break
        self.setPos(best)
        return best_cost

    def set_anchor(self, anchor: QRectF) -> None:
        """Sit beside ``anchor`` (a gate's rectangle in the scene), at the base spot; ``place``
        or ``arrange`` find the spot where it covers least."""
        self._anchor = QRectF(anchor)
        self._placed_for = None
        if not anchor.isNull():
            self.setPos(self._base_pos(anchor))

    def anchor(self) -> QRectF:
        """The rectangle (a gate's, in the scene) the card sits beside."""
        return QRectF(self._anchor)

    def placed_for_now(self) -> bool:
        """True if the card was placed for its anchor and size as they are now."""
        return self._placed_for == (self._anchor, self._extent().size())

    def _box(self, spot: QPointF | None = None) -> QRectF:
        scale = self.scale()  # the bounding rect's edge, enlarged with the card
        box = self._extent().adjusted(-scale, -scale, scale, scale)
        return box.translated(self.pos() if spot is None else spot)

    def _cost(self, room: CardRoom, spot: QPointF | None = None) -> int:
        """What the card covers at ``spot`` (default: where it is); a spot over another card
        or a gate costs most, as the card could not be shown there, and one out of view as
        much as a number."""
        box = self._box(spot)
        cost = room.cost(box, self)
        if cost and room.blocks(box, self):
            cost += BLOCKED_COST
        return cost + (LABEL_OVERLAP_COST if room.outside(box) else 0)

    def _base_pos(self, anchor: QRectF) -> QPointF:
        x = anchor.center().x()
        extent = self._extent()
        if self.side == ABOVE:
            return QPointF(x, anchor.top() - GAP - extent.height())
        if self.side == BELOW:
            return QPointF(x, anchor.bottom() + GAP)
        return QPointF(anchor.left() - GAP - extent.width() / 2,
                       anchor.center().y() - extent.height() / 2)

    def _nudges(self):
        """Offsets from the base spot to try, nearest first: sideways along the gate, further
        from it, then on its other side."""
        extent = self._extent()
        width, height = extent.width(), extent.height()
        nudge = NUDGE * self.scale()  # an enlarged card moves further
        away = -1 if self.side == ABOVE else 1
        if self.side == LEFT:
            return [(0.0, 0.0), (0.0, -height / 2 - 6), (0.0, height / 2 + 6),
                    (-nudge, 0.0), (0.0, -height - 12), (0.0, height + 12)]
        shifts = [0.0, 0.3 * width, -0.3 * width, 0.6 * width, -0.6 * width]
        near = [(dx, away * lift) for lift in (0.0, nudge, 2 * nudge) for dx in shifts]
        # then on the gate's other side (a card above may go below it, and the other way)
        across = -away * (self._anchor.height() + 2 * GAP + height)
        return near + [(dx, across - away * lift) for lift in (0.0, nudge, 2 * nudge, 3 * nudge)
                       for dx in shifts] + [(dx, away * 3 * nudge) for dx in shifts]

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


def arrange(cards: list[Caption], retry_hidden: bool = True, wanted=()) -> int:
    """Show the cards that fit, first come first served in ``cards``' order (the most wanted
    first), each at the spot near its gate where it covers least; a card that would overlap a
    card shown before it or a gate, or folded over a number, stays hidden. Without
    ``retry_hidden``, a card hidden for want of room at its size now stays hidden (quicker,
    while the passes play). The cards in
    ``wanted`` (the selected gates') show whole even over gates, as long as they overlap no
    card shown before them. Returns how many are hidden."""
    if not cards:
        return 0
    stay_hidden = {id(card) for card in cards if not retry_hidden and not card.isVisible()
                   and card.placed_for_now()}
    wanted = {id(card) for card in wanted}
    room = CardRoom(cards[0].scene(), leave_out=cards)
    for card in cards:
        card.setVisible(False)
    return sum(id(card) in stay_hidden or not fit_in(card, room, id(card) in wanted)
               for card in cards)


def fit_in(card: Caption, room: CardRoom, wanted: bool = False) -> bool:
    """Show ``card`` where it covers least among what ``room`` holds now; a whole card that
    would cover anything there folds to its equations (it then goes under the numbers); a card
    that would overlap a shown card or (unless ``wanted``) a gate, or a folded one that would
    cover a number on a wire or be cut off by the view's edge, stays hidden. True if shown."""
    cost = card._cost(room) if card.placed_for_now() else None
    if cost != 0:  # unless where it was is still free
        cost = card.place(card.anchor(), room)
    if not wanted and card.active and cost >= LABEL_OVERLAP_COST:
        card.set_active(False)
        card.place(card.anchor(), room)
    # a folded card left where a number came later (or with no free spot) would hide it, and
    # one reaching out of the view would be cut off
    folded = not (wanted or card.active)
    box = card._box()
    shown = not (room.blocks(box, card, by_gates=not wanted, by_numbers=folded)
                 or (folded and room.outside(box)))
    card.setVisible(shown)
    if shown:
        room.add_card(card)
    return shown
