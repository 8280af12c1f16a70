"""The canvas: what it draws (gates, wires, green values above, red gradients below) and how it
follows the document (rebuild, undo/redo of add and delete, renames, the output), and the one rule
for what text on it keeps off (the wires' numbers and the flow's cards).

The numbers are the seeds': f = (x + y) * z at x = -2, y = 5, z = -4 is -12, with q = 3,
df/dx = df/dy = z = -4, df/dz = q = 3 and df/dq = z = -4 (CS231n lecture 4).
"""

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPointF, QRectF  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QGraphicsView  # noqa: E402

import engine  # noqa: E402
from gui.common import theme  # noqa: E402
from gui.canvas.scene import CanvasScene  # noqa: E402
from gui.model.commands import (AddNodeCommand, MoveNodesCommand, RemoveNodesCommand,  # noqa: E402
                          RenameCommand,
                          SetFeatureCommand, SetInputCountCommand, SetOutputCommand,
                          SetTrainableCommand, SetValueCommand)
from gui.model.document import Document  # noqa: E402
from gui.canvas.obstacles import (CARD, GATE, LABEL_OVERLAP_COST, NUMBER, WIRE,  # noqa: E402
                                  obstacle_kind)
from gui.canvas.port_item import PortItem  # noqa: E402
from gui.canvas.wire_item import NumberLabel, covered_cost  # noqa: E402
from gui.flow.captions import Caption  # noqa: E402
from gui.flow.card_room import CardRoom  # noqa: E402
from tests.helpers import add_mul_circuit  # noqa: E402


@pytest.fixture
def canvas(qtbot):
    doc = Document(add_mul_circuit())
    scene = CanvasScene(doc)
    view = QGraphicsView(scene)
    qtbot.addWidget(view)
    doc.flush()
    return doc, scene, view


def render(scene) -> QImage:
    rect = scene.content_rect().adjusted(-20, -20, 20, 20)
    image = QImage(int(rect.width()), int(rect.height()), QImage.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    scene.render(painter, QRectF(image.rect()), rect)
    painter.end()
    return image


def test_every_node_and_wire_is_drawn(canvas):
    doc, scene, _view = canvas
    for node_id in "xyzqf":
        assert scene.gate_item(node_id).node_id == node_id
    for wire in doc.circuit.wires():
        item = scene.wire_item(wire.dst, wire.port)
        assert (item.src, item.dst, item.port) == (wire.src, wire.dst, wire.port)
    assert scene.objectName() == "canvas_scene"
    assert scene.gate_item("nope") is None and scene.wire_item("q", 5) is None


def test_gates_sit_at_their_positions_with_ports_left_and_right(canvas):
    _doc, scene, _view = canvas
    q = scene.gate_item("q")
    assert (q.pos().x(), q.pos().y()) == (160, 40)
    port0, port1 = scene.port_scene_pos("q", 0), scene.port_scene_pos("q", 1)
    out = scene.port_scene_pos("q", -1)
    assert port0.x() == port1.x() == 160 and out.x() > 160
    assert 40 < port0.y() < out.y() < port1.y()
    assert len(q.input_ports) == engine.GATES["add"].default_ports()


def test_values_green_above_and_gradients_red_below(canvas):
    _doc, scene, _view = canvas
    x, y, z, q = -2.0, 5.0, -4.0, 3.0
    expected = {("q", 0): (x, z), ("q", 1): (y, z), ("f", 0): (q, z), ("f", 1): (z, q)}
    for (dst, port), (value, grad) in expected.items():
        wire = scene.wire_item(dst, port)
        assert wire.value_text() == f"{value:.2f}"
        assert wire.grad_text() == f"{grad:.2f}"
        middle = (wire.path().pointAtPercent(0.0) + wire.path().pointAtPercent(1.0)) / 2
        value_box = wire.value_label.sceneBoundingRect()
        grad_box = wire.grad_label.sceneBoundingRect()
        assert value_box.bottom() <= middle.y() <= grad_box.top()
        assert wire.value_label.color == theme.VALUE_GREEN
        assert wire.grad_label.color == theme.GRAD_RED
    assert scene.wire_item("q", 0).value_text() == "-2.00"
    assert scene.wire_item("q", 0).grad_text() == "-4.00"
    assert scene.wire_item("f", 0).value_text() == "3.00"


def test_the_output_shows_f_and_its_seed_gradient(canvas):
    _doc, scene, _view = canvas
    f = scene.gate_item("f")
    assert f.is_output and not scene.gate_item("q").is_output
    stub = scene.output_stub()
    assert stub.parentItem() is f
    assert stub.value_text() == f"{(-2.0 + 5.0) * -4.0:.2f}" == "-12.00"
    assert stub.grad_text() == "1.00"


def test_numbers_follow_a_value_change(canvas):
    doc, scene, _view = canvas
    doc.circuit.set_value("x", 1.0)  # q = 6, f = -24
    doc.flush()
    assert scene.wire_item("q", 0).value_text() == "1.00"
    assert scene.wire_item("f", 0).value_text() == "6.00"
    assert scene.wire_item("f", 1).grad_text() == "6.00"
    assert scene.output_stub().value_text() == "-24.00"


def test_inf_and_nan_are_shown_and_marked():
    c = engine.Circuit()
    c.add_node("const", "a", value=1.0, pos=(0, 0))
    c.add_node("const", "b", value=0.0, pos=(0, 80))
    c.add_node("div", "d", pos=(160, 40))
    c.add_node("exp", "f", pos=(320, 40))
    c.connect("a", "d", 0)
    c.connect("b", "d", 1)
    c.connect("d", "f", 0)
    doc = Document(c)
    scene = CanvasScene(doc)
    doc.flush()
    wire = scene.wire_item("f", 0)  # carries d = 1/0
    assert wire.value_text() == "inf" and wire.value_label.marked
    assert scene.output_stub().value_text() == "inf"
    assert scene.output_stub().value_label.marked
    doc.circuit.set_value("a", 0.0)  # 0/0
    doc.flush()
    assert wire.value_text() == "nan" and wire.value_label.marked
    assert not render(scene).isNull()


def test_a_batch_result_or_no_result_never_crashes(canvas):
    _doc, scene, _view = canvas
    scene._show_results(None)
    assert scene.wire_item("q", 0).value_text() == ""
    batch = engine.run(scene.document.circuit, {"x": [1.0, 2.0]})
    scene._show_results(batch)
    assert scene.wire_item("q", 0).value_text() == "…"
    assert scene.output_stub().value_text() == "…"  # not a vector of 2


def test_unconnected_ports_are_marked_and_an_incomplete_circuit_shows_no_guesses(canvas):
    doc, scene, _view = canvas
    doc.circuit.disconnect("q", 1)
    doc.flush()
    q = scene.gate_item("q")
    assert q.input_ports[0].connected and not q.input_ports[1].connected
    assert scene.wire_item("f", 0).value_text() == ""  # q cannot be computed
    assert scene.wire_item("q", 0).value_text() == "-2.00"
    assert scene.wire_item("q", 0).grad_text() == ""  # y and f feed nothing: no output
    assert scene.output_stub() is None
    doc.circuit.set_output("f")
    doc.flush()
    assert scene.output_stub().value_text() == ""


def test_undo_and_redo_of_add_and_delete_update_the_items(canvas):
    doc, scene, _view = canvas
    doc.push(AddNodeCommand(doc, "exp", (480, 100), node_id="e"))
    assert scene.gate_item("e") is not None
    doc.undo_stack.undo()
    assert scene.gate_item("e") is None
    doc.push(RemoveNodesCommand(doc, ["q"]))
    assert scene.gate_item("q") is None
    assert scene.wire_item("q", 0) is None and scene.wire_item("f", 0) is None
    assert not scene.gate_item("f").input_ports[0].connected
    doc.undo_stack.undo()
    doc.flush()
    assert scene.gate_item("q") is not None
    assert scene.wire_item("f", 0).value_text() == "3.00"
    assert scene.gate_item("f").input_ports[0].connected
    doc.undo_stack.redo()
    assert scene.gate_item("q") is None


def test_rename_keeps_the_drawing(canvas):
    doc, scene, _view = canvas
    doc.push(RenameCommand(doc, "q", "s"))
    assert scene.gate_item("q") is None
    assert scene.gate_item("s").node_id == "s"
    assert scene.wire_item("s", 0).src == "x"
    assert scene.wire_item("f", 0).src == "s"


def test_changing_the_number_of_ports_redraws_them(canvas):
    doc, scene, _view = canvas
    doc.push(SetInputCountCommand(doc, "q", 3))
    q = scene.gate_item("q")
    assert len(q.input_ports) == 3
    assert [p.connected for p in q.input_ports] == [True, True, False]
    wire = scene.wire_item("q", 1)
    assert wire.path().pointAtPercent(1.0) == scene.port_scene_pos("q", 1)
    doc.undo_stack.undo()
    assert len(scene.gate_item("q").input_ports) == 2


def test_choosing_another_output_moves_the_stub(canvas):
    doc, scene, _view = canvas
    doc.push(SetOutputCommand(doc, "q"))
    doc.flush()
    assert scene.gate_item("q").is_output and not scene.gate_item("f").is_output
    assert scene.output_stub().parentItem() is scene.gate_item("q")
    assert scene.output_stub().value_text() == "3.00"
    assert scene.output_stub().grad_text() == "1.00"


def test_data_and_frozen_inputs_are_drawn_differently(canvas):
    doc, scene, _view = canvas
    doc.push(SetFeatureCommand(doc, "x", 0))
    doc.push(SetTrainableCommand(doc, "y", False))
    assert scene.gate_item("x").feature == 0
    assert scene.gate_item("y").frozen and not scene.gate_item("z").frozen
    assert not render(scene).isNull()


def test_a_loaded_circuit_without_positions_is_laid_out_without_becoming_dirty(canvas):
    """The layout is part of the load: the positions are in the circuit before the document
    takes it, so no change is announced and nothing is written outside the undo stack."""
    doc, scene, _view = canvas
    placed = {node_id: node.pos for node_id, node in add_mul_circuit().nodes.items()}
    bare = add_mul_circuit()
    for node_id in bare.nodes:
        bare.move(node_id, None)
    changes = []
    doc.changed.connect(changes.append)
    doc.replace_circuit(bare)
    doc.flush()
    assert {i: node.pos for i, node in bare.nodes.items()} == placed  # FORMAT.md's layout
    assert changes == [] and doc.undo_stack.count() == 0 and not doc.is_dirty
    assert {i: scene.gate_item(i).pos().toTuple() for i in bare.nodes} == placed
    assert scene.output_stub().value_text() == "-12.00"
    doc.undo_stack.undo()  # nothing to take back: the positions stay
    assert {i: node.pos for i, node in bare.nodes.items()} == placed


def test_a_new_document_lays_out_its_circuit_too(qtbot):
    bare = add_mul_circuit()
    for node_id in bare.nodes:
        bare.move(node_id, None)
    doc = Document(bare)
    assert all(node.pos is not None for node in doc.circuit.nodes.values())
    assert doc.undo_stack.count() == 0 and not doc.is_dirty


def test_selection_by_id(canvas, qtbot):
    _doc, scene, _view = canvas
    with qtbot.waitSignal(scene.selection_ids_changed) as signal:
        scene.select_nodes(["f", "x"])
    assert signal.args == [["x", "f"]]
    assert scene.selected_node_ids() == ["x", "f"]


def test_snap_and_content_rect(canvas):
    _doc, scene, _view = canvas
    snapped = scene.snap(scene.gate_item("q").pos() + scene.gate_item("q").pos() / 7)
    assert snapped.x() % CanvasScene.GRID == 0 and snapped.y() % CanvasScene.GRID == 0
    rect = scene.content_rect()
    for node_id in "xyzqf":
        assert rect.contains(scene.gate_item(node_id).sceneBoundingRect())


def test_a_500_gate_circuit_builds(qtbot):
    c = engine.Circuit()
    previous = None
    for i in range(250):
        c.add_node("input", f"a{i}", value=math.sin(i), pos=(0, 80 * i))
        node = c.add_node("add", f"s{i}", pos=(160 + 160 * (i % 5), 80 * i))
        c.connect(f"a{i}", node.id, 0)
        c.connect(previous or f"a{i}", node.id, 1)
        previous = node.id
    doc = Document(c)
    scene = CanvasScene(doc)
    doc.flush()
    assert len(scene._gates) == 500
    assert scene.output_stub().parentItem() is scene.gate_item("s249")
    expected = sum(math.sin(i) for i in range(250)) + math.sin(0)
    assert scene.output_stub().value_text() == f"{expected:.2f}"


def test_tooltips_say_what_a_gate_does_and_its_numbers_now(canvas):
    _doc, scene, _view = canvas
    q = scene.gate_item("q")
    text = scene._tooltip_at(q.pos() + q.body_rect().center())
    assert engine.GATES["add"].formula in text
    assert "q = 3.0<" in text and "df/dq = -4.0<" in text  # every digit on hover
    wire = scene.wire_item("f", 1)  # z -> f carries z = -4 and df/dz = q = 3
    on_wire = scene._tooltip_at(wire.path().pointAtPercent(0.25))
    assert "z → f port 1" in on_wire
    assert "value <b>-4.0</b>" in on_wire and "df/dz <b>3.0</b>" in on_wire
    assert "from x" in scene._tooltip_at(scene.port_scene_pos("q", 0))


# ----------------------------------------------------------------------------- numbers kept apart
def overlapping_numbers(scene) -> list:
    """Pairs of wires whose numbers cover each other, and numbers lying on a gate's body or
    name, measured on the drawn items."""
    labels = [(wire, label) for wire in scene.wire_items() for label in wire.labels()
              if label.text]
    found = []
    for i, (wire, label) in enumerate(labels):
        box = label.sceneBoundingRect()
        for other, other_label in labels[i + 1:]:
            if other is not wire and box.intersects(other_label.sceneBoundingRect()):
                found.append((wire.src, wire.dst, other.src, other.dst))
        for node_id in scene.document.circuit.nodes:
            gate = scene.gate_item(node_id)
            if gate.shape().translated(gate.pos()).intersects(box):
                found.append((wire.src, wire.dst, node_id))
    return found


def test_crossing_wires_keep_their_numbers_apart(qtbot):
    """Two wires crossing in an X share their middle, and so do two wires meeting at one gate:
    their numbers move along their curves to free spots, still green above and red below."""
    c = engine.Circuit("x")
    c.add_node("input", "a", value=1.0, pos=(0, 0))
    c.add_node("input", "b", value=2.0, pos=(0, 80))
    c.add_node("neg", "p", pos=(480, 80))
    c.add_node("neg", "q", pos=(480, 0))
    c.add_node("add", "f", pos=(640, 40))
    for src, dst, port in (("a", "p", 0), ("b", "q", 0), ("p", "f", 0), ("q", "f", 1)):
        c.connect(src, dst, port)
    doc = Document(c)
    scene = CanvasScene(doc)
    doc.flush()
    crossing = [scene.wire_item("p", 0), scene.wire_item("q", 0)]
    assert ("a", "p", "b", "q") in overlapping_numbers(scene)  # all at their middles
    scene.arrange_labels()
    assert overlapping_numbers(scene) == []
    for wire in crossing:
        spot = wire.path().pointAtPercent(wire.label_spot())
        assert wire.value_label.sceneBoundingRect().bottom() <= spot.y() + 0.5
        assert wire.grad_label.sceneBoundingRect().top() >= spot.y() - 0.5
    assert [(w.value_text(), w.grad_text()) for w in crossing] == [("1.00", "-1.00"),
                                                                    ("2.00", "-1.00")]


def test_the_two_layer_net_example_shows_every_number_readable(qtbot):
    from helpers import EXAMPLES
    doc = Document(engine.load(EXAMPLES / "two_layer_net.circuit"))
    scene = CanvasScene(doc)
    doc.flush()
    scene.arrange_labels()
    assert overlapping_numbers(scene) == []
    # x fans out to three gates: their numbers sit at different places
    spots = {scene.wire_item(dst, 1).value_label.scenePos().toTuple()
             for dst in ("a1x", "a2x", "a3x")}
    assert len(spots) == 3


def test_numbers_follow_a_dragged_gate_and_find_a_free_spot_again(canvas):
    doc, scene, _view = canvas
    scene.arrange_labels()
    wire = scene.wire_item("f", 1)  # z -> f
    before = wire.value_label.scenePos()
    doc.push(MoveNodesCommand(doc, {"z": ((0, 160), (0, 260))}))
    assert wire.value_label.scenePos() != before  # moved with the curve right away
    scene.arrange_labels()
    assert overlapping_numbers(scene) == []


def test_each_branch_of_a_fan_out_shows_its_own_gradient(qtbot):
    # f = (x + z) * z at x = -2, z = -4: df/dz = -10 = -4 (through the add) + -6 (the mul)
    from helpers import build
    doc = Document(build({"x": ("input", -2.0), "z": ("input", -4.0), "q": "add", "f": "mul"},
                         {"q": ["x", "z"], "f": ["q", "z"]}))
    scene = CanvasScene(doc)
    doc.flush()
    into_add, into_mul = scene.wire_item("q", 1), scene.wire_item("f", 1)
    assert into_add.value_label.text == into_mul.value_label.text == "-4.00"  # z's value
    assert (into_add.grad_label.text, into_mul.grad_label.text) == ("-4.00", "-6.00")
    assert doc.result.grads["z"] == -10.0
    doc.push(SetValueCommand(doc, "x", 1.0))  # q = -3: the mul's branch follows
    doc.flush()
    assert (into_add.grad_label.text, into_mul.grad_label.text) == ("-4.00", "-3.00")


def test_a_circuit_just_opened_gets_its_best_number_spots_and_width_changes_keep_them(qtbot):
    from helpers import EXAMPLES
    doc = Document(engine.load(EXAMPLES / "two_layer_net.circuit"))
    scene = CanvasScene(doc)
    doc.flush()
    scene.arrange_labels()
    spots = {(w.dst, w.port): w.label_spot() for w in scene.wire_items()}
    for wire in scene.wire_items():  # a full search again moves nothing: they were placed
        assert wire.choose_label_spot() == spots[(wire.dst, wire.port)], (wire.src, wire.dst)
    moved = [w for w in scene.wire_items() if w.label_spot() != 0.5]
    assert moved  # (some wires had to leave their middle: x and y fan out three ways)
    # a number that only changes width where nothing is in the way stays where it is
    wire = scene.wire_item("m1", 0)  # n1 -> m1: a short wire with its numbers in the clear
    assert not wire.labels_in_the_way()
    before, text = wire.label_spot(), wire.value_label.text
    doc.push(SetValueCommand(doc, "a1", 123.0))  # n1 = 148.07: its number grows
    doc.flush()
    scene.arrange_labels()
    assert len(wire.value_label.text) > len(text) and wire.label_spot() == before


# ----------------------------------------------------------------------------- what text keeps off
# one rule (gui.canvas.obstacles) for the wires' numbers (covered_cost) and the cards (CardRoom)
def test_each_item_has_its_kind_of_obstacle_to_text(canvas):
    _doc, scene, _view = canvas
    wire = scene.wire_item("f", 0)  # q -> f, carrying 3 and -4
    assert obstacle_kind(scene.gate_item("q")) == GATE
    assert obstacle_kind(wire) == WIRE
    assert wire.value_label.text == "3.00" and obstacle_kind(wire.value_label) == NUMBER
    empty = NumberLabel(QColor("green"), 1)
    assert obstacle_kind(empty) == ""  # an empty label is not in the way
    assert obstacle_kind(Caption("q = x + y", ["3 = -2 + 5"], QColor("green"))) == CARD
    ports = [item for item in scene.items() if isinstance(item, PortItem)]
    assert ports and all(obstacle_kind(port) == "" for port in ports)


def test_a_spot_costs_the_same_to_a_wires_number_and_to_a_card(canvas):
    _doc, scene, _view = canvas
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
