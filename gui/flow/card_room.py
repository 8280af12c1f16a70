"""Where a caption card may go: what it must keep off, looked up in a grid of cells.

Placing the cards of a big net tries thousands of spots. Asking the scene each time what lies
under a spot walks every item while Qt's own index is being rebuilt (for two seconds after a
circuit is opened), so ``CardRoom`` takes one picture of what is shown (gates, numbers on the
wires, cards) and answers from a grid of ``CELL``-pixel cells. What is in the way and what
covering it costs is ``gui.canvas.obstacles``' rule, as for the numbers on the wires: a number, a
gate's body and name, or a card (wires, cheap to cover, are left out); a card ``blocks`` where
it would overlap another card, (unless told otherwise) a gate, or (if told) a number. A spot
that reaches out of the views showing the scene costs as much as covering a number
(``outside``): on a fitted view a card would be cut off there.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF

from gui.canvas.obstacles import CARD, COVER_COSTS, GATE, NUMBER, obstacle_kind

CELL = 256.0


class CardRoom:
    """The shown gates, numbers and cards of a scene, for quick overlap look-ups."""

    def __init__(self, scene, leave_out=()):
        self._cells: dict[tuple[int, int], list] = {}
        self._cards: dict[int, tuple] = {}
        self._shown = [view.mapToScene(view.viewport().rect()).boundingRect()
                       for view in scene.views() if view.isVisible()]
        left_out = {id(item) for item in leave_out}
        for item in scene.items():
            if id(item) in left_out or not item.isVisible():
                continue
            kind = obstacle_kind(item)
            if kind == NUMBER:
                self._add((item.sceneBoundingRect(), NUMBER, id(item)))
            elif kind == CARD:
                self.add_card(item)
            elif kind == GATE:  # its body and name, not the room it keeps for ports
                rect = item.shape().translated(item.pos()).boundingRect()
                self._add((rect, GATE, id(item)))

    @staticmethod
    def _keys(rect: QRectF):
        for i in range(int(rect.left() // CELL), int(rect.right() // CELL) + 1):
            for j in range(int(rect.top() // CELL), int(rect.bottom() // CELL) + 1):
                yield i, j

    def _add(self, entry) -> None:
        for key in self._keys(entry[0]):
            self._cells.setdefault(key, []).append(entry)

    def add_card(self, card) -> None:
        """Count ``card``, where it is now, as shown."""
        self.remove_card(card)
        entry = (card.sceneBoundingRect(), CARD, id(card))
        self._cards[id(card)] = entry
        self._add(entry)

    def remove_card(self, card) -> None:
        """Stop counting ``card`` (hidden, or about to move)."""
        entry = self._cards.pop(id(card), None)
        if entry is not None:
            for key in self._keys(entry[0]):
                self._cells[key].remove(entry)

    def _over(self, rect: QRectF, leave_out: int):
        seen = set()
        for key in self._keys(rect):
            for entry in self._cells.get(key, ()):
                if entry[2] != leave_out and entry[2] not in seen and entry[0].intersects(rect):
                    seen.add(entry[2])
                    yield entry[1]

    def cost(self, rect: QRectF, card=None) -> int:
        """What a card (other than ``card``) at ``rect`` would cover."""
        return sum(COVER_COSTS[kind] for kind in self._over(rect, id(card)))

    def outside(self, rect: QRectF) -> bool:
        """True if ``rect`` reaches out of every view that shows the scene (none shown: no)."""
        return bool(self._shown) and not any(shown.contains(rect) for shown in self._shown)

    def blocks(self, rect: QRectF, card=None, by_gates: bool = True,
               by_numbers: bool = False) -> bool:
        """True if a card at ``rect`` would overlap another card, (if ``by_gates``) a gate or
        (if ``by_numbers``) a number on a wire."""
        kinds = (CARD,) + ((GATE,) if by_gates else ()) + ((NUMBER,) if by_numbers else ())
        return any(kind in kinds for kind in self._over(rect, id(card)))
