"""The tensor examples read well at the window's default size: fitted to the canvas, every
number drawn on a wire is whole in view, clear of the gates' bodies and near an end of its
wire, where a student looks for it (the 11-line numpy net's y and l2 numbers once sat halfway
along a wire 200 px from either gate); relu_jacobian's x → relu numbers leave relu's input
port clear (they once came within 3 px of it)."""

import math

import pytest
from PySide6.QtCore import QPointF

from gui.canvas.obstacles import NUMBER, obstacle_kind
from gui.common import theme
from tests.gui_helpers import make_window, settle, show_at
from tests.helpers import EXAMPLES

NEAR_AN_END_PX = 150  # a number's centre from its wire's nearer port, on screen
PORT_CLEARANCE_PX = 10


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, (1400, 900))  # the window's default size
    return window


def opened(window, name):
    assert window.open_path(EXAMPLES / name)
    window.document.flush()
    window.view.fit_all()
    settle()
    return [item for item in window.scene.items() if obstacle_kind(item) == NUMBER
            and getattr(item, "wire", None) is not None  # not f's, beside the output gate
            and item.isVisible() and item.text and not item.left_out]


def on_screen(view, point):
    return view.mapFromScene(point)


def screen_distance(view, a, b) -> float:
    a, b = on_screen(view, a), on_screen(view, b)
    return math.hypot(a.x() - b.x(), a.y() - b.y())


@pytest.mark.parametrize("name", ["numpy_net_11_lines.circuit", "relu_jacobian.circuit"])
def test_an_examples_numbers_are_in_view_off_the_gates_and_near_their_wires_ends(window,
                                                                                name):
    numbers = opened(window, name)
    scene, view = window.scene, window.view
    assert len(numbers) >= 6
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    bodies = [(node_id, gate.mapRectToScene(gate.body_rect()))
              for node_id, gate in ((n, scene.gate_item(n))
                                    for n in window.document.circuit.nodes)]
    for number in numbers:
        rect, wire = number.sceneBoundingRect(), number.wire
        assert shown.contains(rect), f"{number.text!r} reaches out of the view"
        for node_id, body in bodies:
            assert not rect.intersects(body), f"{number.text!r} covers {node_id}"
        ends = (wire.src_gate.output_pos(), wire.dst_gate.input_pos(wire.port))
        nearest = min(screen_distance(view, rect.center(), end) for end in ends)
        assert nearest <= NEAR_AN_END_PX, (
            f"{number.text!r} sits {nearest:.0f} px from both ends of {wire.src} → {wire.dst}")


def test_relus_input_port_stays_clear_of_the_numbers_coming_in(window):
    numbers = [n for n in opened(window, "relu_jacobian.circuit") if n.wire.dst == "h"]
    assert len(numbers) == 2  # x's value and gradient
    port = window.scene.gate_item("h").input_pos(0)
    for number in numbers:
        rect = number.sceneBoundingRect()
        closest = QPointF(max(rect.left(), min(port.x(), rect.right())),
                             max(rect.top(), min(port.y(), rect.bottom())))
        gap = screen_distance(window.view, closest, port) - theme.PORT_RADIUS * \
            window.view.transform().m11()
        assert gap >= PORT_CLEARANCE_PX, f"{number.text!r} is {gap:.0f} px from relu's port"
