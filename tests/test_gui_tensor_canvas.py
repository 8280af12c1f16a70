"""Vectors and matrices on the canvas, driven through the real window and mouse: a tensor wire
drawn thicker with its shape written on it, the lecture's ||W x||^2 numbers on the wires (green
values above, red gradients below), a thumbnail for an 8×8 tensor, the tensor inspector opened
by a click, a double-click and the I key and kept current, shapes that do not fit marked on the
gate and the wires into it, and a tensor carried by one bigger dot in the animated passes.

Expected numbers are computed here with numpy, independently of the engine.
"""

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPainterPath

import engine
from engine import format_number
from gui.canvas.tensor_wire_pictures import NumbersPicture, ThumbnailPicture
from gui.canvas.tensor_wire_tag import MATRIX_WIDTH, VECTOR_WIDTH
from gui.common import theme
from gui.common.heatmap import COLOUR_TABLE, colour_indices
from gui.flow.animation import DONE, SPEED_MAX
from gui.flow.dots import (DOTS_PER_TRAIN, GRAD_POSITIVE, MAX_RADIUS, TENSOR_MIN_RADIUS,
                           VALUE_POSITIVE, DotTrain, dot_radius, dot_style)
from gui.model.commands import SetValuesCommand
from tests.gui_helpers import drag, make_window, mouse, settle, show_at

W = np.array([[0.1, 0.5], [-0.3, 0.8]])
X = np.array([0.2, 0.4])


def wx_circuit(w=W, x=X) -> engine.Circuit:
    """The lecture's f = ||W x||^2 as W, x -> matmul -> pow (p = 2) -> sum, and a lone scalar
    wire s -> n beside it (f is chosen as the output)."""
    circuit = engine.Circuit()
    circuit.add_node("input", "W", value=w, pos=(0, 0))
    circuit.add_node("input", "x", value=x, pos=(0, 160))
    circuit.add_node("matmul", "q", pos=(200, 80))
    circuit.add_node("pow", "p", params={"p": 2.0}, pos=(400, 80))
    circuit.add_node("sum", "f", pos=(600, 80))
    circuit.add_node("input", "s", value=1.5, pos=(0, 300))
    circuit.add_node("neg", "n", pos=(200, 300))
    for src, dst, port in (("W", "q", 0), ("x", "q", 1), ("q", "p", 0), ("p", "f", 0),
                           ("s", "n", 0)):
        circuit.connect(src, dst, port)
    circuit.set_output("f")
    return circuit


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path)
    show_at(win, qtbot, (1400, 900))
    return win


def open_circuit(window, tmp_path, circuit, name="tensors.circuit"):
    path = tmp_path / name
    engine.save(circuit, path)
    assert window.open_path(path)
    window.document.flush()
    settle()
    window.view.fit_all()
    window.scene.arrange_labels()
    settle()
    return window.scene, window.view


def view_point(view, scene_point) -> QPoint:
    return view.mapFromScene(scene_point)


def free_point_on(wire, scene):
    """A point on the wire, away from its ends, with no number, tag or gate over it."""
    path = wire.path()
    for percent in np.linspace(0.1, 0.9, 33):
        point = path.pointAtPercent(float(percent))
        on_top = [item for item in scene.items(point) if item is not wire
                  and item.isVisible() and item.zValue() >= wire.zValue()]
        if not on_top:
            return point
    raise AssertionError("every point of the wire is covered")


def painted_thickness(view, wire, scene) -> int:
    """How many pixels thick the wire is painted where nothing covers it (counted across it,
    on the viewport's picture, in the wire's colour)."""
    point = view_point(view, free_point_on(wire, scene))
    image = view.viewport().grab().toImage()
    wire_colour = theme.WIRE
    count = 0
    for dy in range(-15, 16):
        pixel = QColor(image.pixel(point.x(), point.y() + dy))
        if (abs(pixel.red() - wire_colour.red()) + abs(pixel.green() - wire_colour.green())
                + abs(pixel.blue() - wire_colour.blue())) < 60:
            count += 1
    return count


# ----------------------------------------------------------------------------- thick, shaped
def test_a_tensor_wire_is_drawn_thicker_and_labelled_with_its_shape(window, tmp_path):
    scene, view = open_circuit(window, tmp_path, wx_circuit())
    matrix, vector, scalar = (scene.wire_item("q", 0), scene.wire_item("q", 1),
                              scene.wire_item("n", 0))
    assert matrix.shape_text() == "2×2" and vector.shape_text() == "2"
    assert scene.wire_item("p", 0).shape_text() == "2"  # q = W x is a vector of 2
    assert scalar.shape_text() == ""
    assert matrix.pen_width() == MATRIX_WIDTH > vector.pen_width() == VECTOR_WIDTH \
        > scalar.pen_width() == theme.WIRE_WIDTH
    # as painted: the matrix wire is the thickest, the number wire the thinnest
    thick = [painted_thickness(view, wire, scene) for wire in (matrix, vector, scalar)]
    assert thick[0] > thick[1] > thick[2] >= 1
    # the tag sits on the wire near its start and says the shape
    tag = matrix.shape_tag
    assert tag.isVisible() and tag.text == "2×2"
    start = matrix.path().pointAtPercent(0.0)
    assert (tag.scenePos() - start).manhattanLength() < 40


def test_fanned_out_wires_write_their_shape_once(window, tmp_path):
    circuit = wx_circuit()
    circuit.add_node("sum", "t", pos=(200, 200))
    circuit.connect("x", "t", 0)
    scene, _view = open_circuit(window, tmp_path, circuit)
    shown = [scene.wire_item(dst, port).shape_text() for dst, port in (("q", 1), ("t", 0))]
    assert sorted(shown) == ["", "2"]
    assert scene.wire_item("t", 0).pen_width() == VECTOR_WIDTH  # both are thick


# ----------------------------------------------------------------------------- numbers
def test_the_lectures_numbers_are_on_the_wires_green_above_red_below(window, tmp_path):
    scene, _view = open_circuit(window, tmp_path, wx_circuit())
    q = W @ X  # computed here: [0.22, 0.26]
    dq = 2 * q  # d(sum q_i^2)/dq: [0.44, 0.52]
    dW, dx = np.outer(dq, X), W.T @ dq
    wire = scene.wire_item("p", 0)  # q -> p carries q and df/dq
    assert wire.value_text() == "[" + ", ".join(format_number(v) for v in q) + "]"
    assert wire.grad_text() == "[" + ", ".join(format_number(v) for v in dq) + "]"
    assert wire.value_text() == "[0.22, 0.26]" and wire.grad_text() == "[0.44, 0.52]"
    # written out number by number, the value above the wire and the gradient below
    value_label, grad_label = wire.labels()
    assert isinstance(value_label.picture, NumbersPicture)
    middle = wire.path().pointAtPercent(wire.label_spot()).y()
    assert value_label.sceneBoundingRect().bottom() <= middle + 0.5
    assert grad_label.sceneBoundingRect().top() >= middle - 0.5
    assert value_label.isVisible() and grad_label.isVisible()
    # W's wire carries the matrix and df/dW, x's the vector and df/dx
    matrix = scene.wire_item("q", 0)
    assert matrix.value_text() == "[[0.10, 0.50], [-0.30, 0.80]]"
    assert matrix.grad_text() == "[" + ", ".join(
        "[" + ", ".join(format_number(v) for v in row) + "]" for row in dW) + "]"
    assert scene.wire_item("q", 1).grad_text() == "[" + ", ".join(
        format_number(v) for v in dx) + "]"
    # W's pill shows its matrix instead of one number
    assert scene.gate_item("W").value_item.text == "[[0.10, 0.50], [-0.30, 0.80]]"
    assert scene.gate_item("W").holds_tensor


def test_zoomed_out_numbers_may_cover_a_shape_tag_rather_than_be_left_out(window, tmp_path):
    circuit = wx_circuit()  # laid out tighter, as in the lecture's slide
    for node_id, pos in {"W": (0, 0), "x": (0, 160), "q": (160, 80), "p": (320, 80),
                         "f": (480, 80)}.items():
        circuit.move(node_id, pos)
    scene, view = open_circuit(window, tmp_path, circuit)
    view.set_zoom(0.7)
    scene.arrange_labels()
    assert scene.number_scale() > 1  # enlarged to be read
    wire = scene.wire_item("p", 0)  # q -> p: 90 px between the gates, its tag near q
    assert wire.shape_tag.isVisible()
    assert all(label.is_drawn() for label in wire.labels())
    assert wire.value_text() == "[0.22, 0.26]" and wire.grad_text() == "[0.44, 0.52]"
    # W's pill, enlarged, reads as its shape (its numbers would spill out of it); its wire's
    # numbers are not left out first for it
    pill = scene.gate_item("W").value_item
    assert pill.shows_shape() and pill.shape_text == "⟨2×2⟩"
    assert pill.scale() > 1
    assert not scene.gate_item("W").shows_value_enlarged()
    view.set_zoom(1.5)
    assert not pill.shows_shape() and pill.scale() == 1.0


def test_the_numbers_follow_an_edit(window, tmp_path):
    scene, _view = open_circuit(window, tmp_path, wx_circuit())
    new_x = np.array([1.0, -2.0])
    window.document.push(SetValuesCommand(window.document, {"x": new_x}, "Set x"))
    window.document.flush()
    q = W @ new_x
    wire = scene.wire_item("p", 0)
    assert wire.value_text() == "[" + ", ".join(format_number(v) for v in q) + "]"
    assert wire.grad_text() == "[" + ", ".join(format_number(v) for v in 2 * q) + "]"


def test_a_pill_grows_with_its_tensor_and_its_wires_follow(window, tmp_path):
    scene, _view = open_circuit(window, tmp_path, wx_circuit())
    gate = scene.gate_item("W")
    height = gate.body_rect().height()
    window.document.push(SetValuesCommand(window.document, {"W": np.ones((4, 2))}, "Set W"))
    window.document.flush()
    assert gate.body_rect().height() > height  # four rows of numbers
    wire = scene.wire_item("q", 0)
    assert wire.path().pointAtPercent(0.0) == gate.output_pos()
    assert wire.shape_text() == "4×2" and scene.wire_item("p", 0).shape_text() == "4"


def test_a_big_tensor_shows_a_thumbnail_of_its_values_and_gradients(window, tmp_path):
    rng = np.random.default_rng(4)
    big_w, big_x = rng.normal(size=(8, 8)), rng.normal(size=8)
    scene, view = open_circuit(window, tmp_path, wx_circuit(big_w, big_x))
    wire = scene.wire_item("q", 0)
    assert wire.shape_text() == "8×8"
    value_label, grad_label = wire.labels()
    assert isinstance(value_label.picture, ThumbnailPicture)
    assert isinstance(grad_label.picture, ThumbnailPicture)
    grad_w = np.outer(2 * (big_w @ big_x), big_x)
    for label, array in ((value_label, big_w), (grad_label, grad_w)):
        picture = label.picture
        assert (picture.image.width(), picture.image.height()) == (8, 8)
        low, high = format_number(array.min()), format_number(array.max())
        assert picture.range == f"{low} … {high}"
        assert label.text.startswith("8×8")
    # painted: the thumbnail's cells have the heatmap's colours of the elements
    image = view.viewport().grab().toImage()
    rect = value_label.mapRectToScene(value_label.picture.thumbnail_rect(
        value_label.boundingRect().adjusted(value_label.PAD_X, value_label.PAD_Y,
                                            -value_label.PAD_X, -value_label.PAD_Y)))
    colours = COLOUR_TABLE[colour_indices(big_w)]
    for row, column in ((0, 0), (3, 5), (7, 7)):
        centre = QPointF(rect.left() + (column + 0.5) * rect.width() / 8,
                         rect.top() + (row + 0.5) * rect.height() / 8)
        pixel = image.pixel(view_point(view, centre))
        assert pixel & 0xFFFFFF == int(colours[row, column]) & 0xFFFFFF
    # the source's pill shows a thumbnail too
    assert isinstance(scene.gate_item("W").value_item.picture, ThumbnailPicture)


def test_hovering_a_tensor_wire_or_gate_tells_its_shape_and_numbers(window, tmp_path):
    scene, _view = open_circuit(window, tmp_path, wx_circuit())
    wire = scene.wire_item("q", 0)
    text = scene._tooltip_at(free_point_on(wire, scene))
    assert "W → q port 0: 2×2" in text
    assert "value <b>[[0.1, 0.5], [-0.3, 0.8]]</b>" in text  # every digit, as for a number
    assert "Click to inspect" in text
    on_numbers = scene._tooltip_at(wire.value_label.sceneBoundingRect().center())
    assert on_numbers == scene._tooltip_at(free_point_on(wire, scene))
    gate = scene.gate_item("q")
    text = scene._tooltip_at(gate.mapToScene(gate.body_rect().center()))
    q = [W[i, 0] * X[0] + W[i, 1] * X[1] for i in (0, 1)]  # each product, then their sum
    assert f"q = [{float(q[0])!r}, {float(q[1])!r}]" in text
    assert f"df/dq = [{float(2 * q[0])!r}, {float(2 * q[1])!r}]" in text
    assert "Double-click" in text


# ----------------------------------------------------------------------------- inspector
def inspector_numbers(window):
    inspector = window.view.inspector.dialog.inspector
    return inspector.value_table.value(), inspector.grad_table.value(), inspector.title.text()


def test_a_click_on_a_tensor_wire_opens_the_inspector_and_it_follows_the_values(
        window, tmp_path, qtbot):
    scene, view = open_circuit(window, tmp_path, wx_circuit())
    wire = scene.wire_item("q", 0)  # W -> q
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view_point(
        view, free_point_on(wire, scene)))
    dialog = view.inspector.dialog
    assert dialog is not None and dialog.isVisible()
    value, grad, title = inspector_numbers(window)
    np.testing.assert_allclose(value, W)
    np.testing.assert_allclose(grad, np.outer(2 * (W @ X), X))
    assert title.startswith("W")
    # a new pass updates it in place
    new_w = np.array([[1.0, 2.0], [3.0, 4.0]])
    window.document.push(SetValuesCommand(window.document, {"W": new_w}, "Set W"))
    window.document.flush()
    value, grad, _title = inspector_numbers(window)
    np.testing.assert_allclose(value, new_w)
    np.testing.assert_allclose(grad, np.outer(2 * (new_w @ X), X))


def test_a_click_on_a_wires_numbers_inspects_it_and_a_click_on_a_number_wire_does_not(
        window, tmp_path, qtbot):
    scene, view = open_circuit(window, tmp_path, wx_circuit())
    scalar = scene.wire_item("n", 0)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view_point(view, free_point_on(scalar, scene)))
    assert view.inspector.dialog is None
    label = scene.wire_item("p", 0).grad_label  # the numbers of q -> p
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view_point(view, label.sceneBoundingRect().center()))
    value, grad, title = inspector_numbers(window)
    np.testing.assert_allclose(value, W @ X)
    np.testing.assert_allclose(grad, 2 * (W @ X))
    assert title.startswith("q")


def test_a_double_click_on_a_tensor_gate_and_the_i_key_inspect_it(window, tmp_path, qtbot):
    scene, view = open_circuit(window, tmp_path, wx_circuit())
    p = scene.gate_item("p")
    at = view_point(view, p.mapToScene(p.body_rect().center()))
    for kind, buttons in ((QEvent.MouseButtonPress, Qt.LeftButton),
                          (QEvent.MouseButtonRelease, Qt.NoButton),
                          (QEvent.MouseButtonDblClick, Qt.LeftButton),
                          (QEvent.MouseButtonRelease, Qt.NoButton)):
        mouse(view, kind, at, Qt.LeftButton, buttons)
    value, grad, title = inspector_numbers(window)
    np.testing.assert_allclose(value, (W @ X) ** 2)
    np.testing.assert_allclose(grad, np.ones(2))
    assert title.startswith("p")
    view.inspector.dialog.close()
    # the keyboard: select q (a click), press I
    q = scene.gate_item("q")
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view_point(view, q.mapToScene(q.body_rect().center())))
    assert scene.selected_node_ids() == ["q"]
    view.setFocus()
    qtbot.keyClick(view.viewport(), Qt.Key_I)
    assert view.inspector.dialog.isVisible()
    value, _grad, title = inspector_numbers(window)
    np.testing.assert_allclose(value, W @ X)
    assert title.startswith("q")
    # open, it follows the selection
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view_point(view, p.mapToScene(p.body_rect().center())))
    assert inspector_numbers(window)[2].startswith("p")
    # a number gate is not a tensor: I says so and changes nothing
    view.inspector.dialog.close()
    n = scene.gate_item("n")
    qtbot.mouseClick(view.viewport(), Qt.LeftButton,
                     pos=view_point(view, n.mapToScene(n.body_rect().center())))
    qtbot.keyClick(view.viewport(), Qt.Key_I)
    assert not view.inspector.dialog.isVisible()
    assert "vector or matrix" in window.statusBar().currentMessage()


# ----------------------------------------------------------------------------- shapes that misfit
def test_shapes_that_do_not_fit_are_marked_on_the_gate_and_its_wires(window, qtbot):
    document, scene, view = window.document, window.scene, window.view
    added = []
    for text, at in (("input 2x3", QPointF(0, 0)), ("input 2", QPointF(0, 160)),
                     ("matmul", QPointF(240, 80))):  # typed into quick add, as a user does
        popup = view.open_quick_add(at)
        qtbot.keyClicks(popup.edit, text)
        qtbot.keyClick(popup.edit, Qt.Key_Return)
        settle()
        added += scene.selected_node_ids()
    a, b, m = added
    assert np.shape(document.circuit.node(a).value) == (2, 3)
    assert np.shape(document.circuit.node(b).value) == (2,)
    document.flush()
    view.fit_all()
    settle()

    def port(node_id, index):
        return view_point(view, scene.port_scene_pos(node_id, index))

    drag(view, port(a, -1), port(m, 0))  # wired by dragging from port to port
    drag(view, port(b, -1), port(m, 1))
    document.flush()
    settle()
    assert document.circuit.inputs_of(m) == [a, b]
    message = "matmul cannot multiply shapes (2, 3) and (2,)"
    gate = scene.gate_item(m)
    assert message in gate.shape_problem
    wires = [scene.wire_item(m, 0), scene.wire_item(m, 1)]
    assert all(message in wire.shape_problem for wire in wires)
    # the status bar names it by the sources wired in (the engine's words on hover), the
    # wire's and the gate's tooltips say it
    shown = window.statusBar().currentMessage() + window.result_label.text()
    assert f"matmul cannot multiply {a} (2×3) by {b} (2 numbers)" in shown
    assert message in window.result_label.toolTip()
    assert message in scene._tooltip_at(free_point_on(wires[1], scene))
    assert message in scene._tooltip_at(gate.mapToScene(gate.body_rect().center()))
    # drawn red and dashed
    image = view.viewport().grab().toImage()
    point = view_point(view, free_point_on(wires[1], scene))
    reds = [QColor(image.pixel(point.x(), point.y() + dy)) for dy in range(-4, 5)]
    assert any(c.red() > 150 and c.green() < 100 and c.blue() < 100 for c in reds)
    # b as a vector of 3 fits: the marks go
    document.push(SetValuesCommand(document, {a: np.arange(6.0).reshape(2, 3),
                                              b: np.array([1.0, 2.0, 3.0])}, "Set a and b"))
    document.flush()
    assert gate.shape_problem == "" and not any(wire.shape_problem for wire in wires)
    assert wires[1].pen_width() == VECTOR_WIDTH and wires[1].shape_text() == "3"
    np.testing.assert_allclose(document.result.values[m],
                               np.arange(6.0).reshape(2, 3) @ np.array([1.0, 2.0, 3.0]))


# ----------------------------------------------------------------------------- dots
def test_a_tensor_travels_as_one_bigger_dot():
    q = W @ X
    train = DotTrain(straight_path(), q, backward=False, reverse=False)
    scalar = DotTrain(straight_path(), 0.22, backward=False, reverse=False)
    train.set_speed(100.0)
    scalar.set_speed(100.0)
    train.set_lead(200.0)
    scalar.set_lead(200.0)
    assert len(train.points()) == 1 and len(scalar.points()) == DOTS_PER_TRAIN
    assert train.radius > MAX_RADIUS >= scalar.radius
    assert dot_radius(np.array([0.0, 100.0])) > dot_radius(np.array([0.0, 0.1]))
    # green forward and red back, whatever the signs of its elements (W's are mixed)
    assert dot_style(W, backward=False) == (VALUE_POSITIVE, False)
    assert dot_style(-W, backward=True) == (GRAD_POSITIVE, False)


def straight_path() -> QPainterPath:
    path = QPainterPath(QPointF(0, 0))
    path.lineTo(QPointF(400, 0))
    return path


def test_the_animated_passes_run_on_a_tensor_circuit(window, tmp_path, qtbot):
    scene, _view = open_circuit(window, tmp_path, wx_circuit())
    flow = window.flow_controller
    flow.set_speed(SPEED_MAX)
    seen = {}  # each train's wire (its middle) and direction -> (its dots, their radius)

    def finished() -> bool:
        for item in scene.items():
            if isinstance(item, DotTrain):
                seen[(item.path.pointAtPercent(0.5).toTuple(), item.reverse)] = (
                    item.count, item.radius)
        return flow.phase == DONE and not flow.timer_active

    flow.play()
    qtbot.waitUntil(finished, timeout=30_000)
    assert window.errors == []
    # forward along the four tensor wires and s -> n, back along the tensor wires (n is not
    # upstream of f): a tensor rides as one bigger dot, a number as a train of small ones
    tensors = [radius for count, radius in seen.values() if count == 1]
    numbers = [radius for count, radius in seen.values() if count == DOTS_PER_TRAIN]
    assert len(tensors) == 8 and len(numbers) == 1 and len(seen) == 9
    assert min(tensors) >= TENSOR_MIN_RADIUS > MAX_RADIUS >= numbers[0]
    # the numbers are back on the wires
    wire = scene.wire_item("p", 0)
    assert wire.value_text() == "[0.22, 0.26]" and wire.grad_text() == "[0.44, 0.52]"
    assert wire.value_label.isVisible() and wire.grad_label.isVisible()


def test_no_mouse_event_leaves_an_error(window, tmp_path):
    # hover and press across every wire and gate of a tensor circuit (tooltips included)
    scene, view = open_circuit(window, tmp_path, wx_circuit())
    for item in scene.wire_items() + scene.gate_items():
        point = view_point(view, item.sceneBoundingRect().center())
        mouse(view, QEvent.MouseMove, point, Qt.NoButton, Qt.NoButton)
        assert scene._tooltip_at(view.mapToScene(point)) is not None
    assert window.errors == []
