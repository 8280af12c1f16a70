"""What text put on the canvas keeps off, and what covering it costs: one rule for the numbers
on the wires (``wire_item.covered_cost``, where a wire places its numbers) and for the flow's
caption cards (``gui.flow.card_room``, where a card is placed).

An item is in the way of text by its kind (``obstacle_kind``): a number shown on a wire, a
gate's body and name, or a caption card costs ``LABEL_OVERLAP_COST`` to cover; a wire costs
``WIRE_CROSSING_COST`` to cross, and so does a tensor wire's shape tag (numbers rather go
elsewhere, but a tag never makes a number be left out). Canvas items declare their kind with
the ``Obstacle`` mixin's ``obstacle`` class attribute; anything else (ports, the output's stub,
hints) is not in the way.
"""

from __future__ import annotations

NUMBER, GATE, CARD, WIRE, TAG = "number", "gate", "card", "wire", "tag"
LABEL_OVERLAP_COST = 100  # text over a number, a gate or a card
WIRE_CROSSING_COST = 1
COVER_COSTS = {NUMBER: LABEL_OVERLAP_COST, GATE: LABEL_OVERLAP_COST, CARD: LABEL_OVERLAP_COST,
               WIRE: WIRE_CROSSING_COST, TAG: WIRE_CROSSING_COST}


class Obstacle:
    """A canvas item that text keeps off; ``obstacle`` is its kind (NUMBER, GATE, CARD, WIRE,
    TAG)."""

    obstacle = ""


def obstacle_kind(item) -> str:
    """What ``item`` is to text put over it: NUMBER, GATE, CARD, WIRE, TAG, or "" (not in the
    way)."""
    return item.obstacle if isinstance(item, Obstacle) else ""
