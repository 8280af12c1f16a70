"""What text on the canvas keeps off, one rule for the wires' numbers and the caption cards:
each item of a real scene has its kind, and a spot costs the same whether a wire's number
(``covered_cost``) or a card (``CardRoom``) asks.

The circuit is FORMAT.md's f = (x + y) * z, whose gates sit at x (0, 0), y (0, 80), z (0, 160),
q (160, 40) and f (320, 100).
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPointF, QRectF  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QGraphicsView  # noqa: E402

from gui.canvas.obstacles import (CARD, GATE, LABEL_OVERLAP_COST, NUMBER, WIRE,  # noqa: E402
                                  obstacle_kind)
from gui.canvas.port_item import PortItem  # noqa: E402
from gui.canvas.scene import CanvasScene  # noqa: E402
from gui.canvas.wire_item import NumberLabel, covered_cost  # noqa: E402
from gui.flow.captions import Caption  # noqa: E402
from gui.flow.card_room import CardRoom  # noqa: E402
from gui.model.document import Document  # noqa: E402
from tests.helpers import add_mul_circuit  # noqa: E402


@pytest.fixture
def scene(qtbot):
    doc = Document(add_mul_circuit())
    scene = CanvasScene(doc)
    view = QGraphicsView(scene)
    qtbot.addWidget(view)
    view.show()
    doc.flush()
    return scene


def test_each_item_has_its_kind(scene):
    wire = scene.wire_item("f", 0)  # q -> f, carrying 3 and -4
    assert obstacle_kind(scene.gate_item("q")) == GATE
    assert obstacle_kind(wire) == WIRE
    assert wire.value_label.text == "3.00" and obstacle_kind(wire.value_label) == NUMBER
    empty = NumberLabel(QColor("green"), 1)
    assert obstacle_kind(empty) == ""  # an empty label is not in the way
    assert obstacle_kind(Caption("q = x + y", ["3 = -2 + 5"], QColor("green"))) == CARD
    ports = [item for item in scene.items() if isinstance(item, PortItem)]
    assert ports and all(obstacle_kind(port) == "" for port in ports)


def test_a_spot_costs_the_same_to_a_number_and_to_a_card(scene):
    card = Caption("q = x + y", ["3 = -2 + 5"], QColor("green"))
    scene.addItem(card)
    card.setPos(QPointF(600, 400))  # far from the circuit
    room = CardRoom(scene, leave_out=[card])
    gate = scene.gate_item("q")
    body = gate.shape().translated(gate.pos()).boundingRect()
    spots = [QRectF(1000, 1000, 40, 20),  # nothing there
             body.adjusted(10, 10, -10, -10),  # on q's body
             scene.wire_item("f", 0).value_label.sceneBoundingRect()]  # on q's value, 3.00
    for spot in spots:
        wires = [item for item in scene.items(spot) if obstacle_kind(item) == WIRE
                 and item.shape().intersects(spot)]
        assert covered_cost(scene, spot, (card,)) == room.cost(spot, card) + len(wires)
    assert room.cost(spots[0]) == 0 and room.cost(spots[1]) == LABEL_OVERLAP_COST
    assert room.cost(spots[2]) >= LABEL_OVERLAP_COST
