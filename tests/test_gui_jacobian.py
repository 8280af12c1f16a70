"""The Jacobian view: click a gate and read its local Jacobian for each input beside the upstream
gradient and their product; the lecture's relu on 8 numbers is the identity with zeros where the
input was clamped, and the product is the gradient the run sends back."""

import html
import re

import numpy as np
import pytest
from PySide6.QtWidgets import QDockWidget, QMenu

import engine
from gui.common.heatmap import COLOUR_TABLE, CENTRE
from gui.docks import jacobian_view
from tests.gui_helpers import click_gate, make_window
from tests.helpers import EXAMPLES, build


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.show()
    qtbot.waitExposed(window)
    dock = window.docks["jacobian_dock"]
    dock.show()
    dock.raise_()
    return window


def shown_ports(qtbot, window, count):
    """The panel's port views once it has drawn ``count`` of them."""
    panel = window.jacobian_panel
    qtbot.waitUntil(lambda: len(panel.port_views) == count and not panel.redraws.scheduled)
    return panel.port_views


def plain(label) -> str:
    """A rich-text label's words, as the user reads them."""
    return html.unescape(re.sub("<[^>]+>", "", label.text()))


def open_circuit(window, circuit):
    assert window.files.open_circuit(circuit)
    window.document.flush()


def relu_then_sum(x) -> engine.Circuit:
    return build({"x": ("input", x), "h": "relu", "f": "sum"}, {"h": ["x"], "f": ["h"]})


def test_the_window_docks_the_jacobian_view_once_with_a_view_toggle(window):
    panel = window.jacobian_panel
    dock = window.findChild(QDockWidget, "jacobian_dock")
    assert dock is not None and dock.widget() is panel and dock.windowTitle() == "Jacobian"
    view_menu = window.menuBar().findChild(QMenu, "menu_view")
    assert any(a.objectName() == "action_toggle_jacobian_dock" for a in view_menu.actions())
    assert "Select a gate" in plain(panel.header)


def test_clicking_the_relu_shows_the_identity_with_zeros_where_x_was_clamped(window, qtbot):
    assert window.open_path(EXAMPLES / "relu_jacobian.circuit")
    window.document.flush()
    click_gate(qtbot, window, "h")
    (port,) = shown_ports(qtbot, window, 1)
    result = window.document.result
    x, w = result.values["x"], result.values["w"]
    assert port.kind == jacobian_view.NUMBERS
    matrix = port.jacobian_table.matrix_model.value()
    assert matrix.shape == (8, 8)
    assert np.array_equal(np.diag(matrix), (x > 0) * 1.0)  # ones where x > 0 ...
    assert np.array_equal(matrix, np.diag((x > 0) * 1.0))  # ... and 0 everywhere else
    assert 0 < np.trace(matrix) < 8
    # x over the matrix, upstream dh = w (f = w · h) down its left, dh·J under it
    assert np.array_equal(port.input_table.value(), x)
    assert np.array_equal(port.upstream_table.value(), w.reshape(8, 1))
    product = port.result_table.value()
    assert np.array_equal(product, w * (x > 0))
    # what the backward pass sends: the same numbers, the run's gradient of x
    assert np.array_equal(port.backward_table.value(), result.grads["x"])
    assert np.allclose(product, result.grads["x"], rtol=0, atol=0)
    caption, note = plain(port.caption), plain(port.note)
    assert "dh · J = dx" in caption and "one row per element of h" in caption
    assert "never forms this 8×8 matrix (64 numbers)" in note
    assert "The full matrix is never needed" in note


def test_an_edit_of_x_updates_the_same_view_in_place(window, qtbot):
    open_circuit(window, relu_then_sum([1.0, -1.0, 2.0]))
    window.scene.select_nodes(["h"])
    (port,) = shown_ports(qtbot, window, 1)
    assert np.array_equal(np.diag(port.jacobian_table.value()), [1.0, 0.0, 1.0])
    window.document.circuit.set_value("x", [-1.0, 3.0, 0.0])
    qtbot.waitUntil(lambda: np.array_equal(np.diag(port.jacobian_table.value()),
                                           [0.0, 1.0, 0.0]))
    assert window.jacobian_panel.port_views == [port]


def test_the_matmul_of_w_x_shows_both_jacobians(window, qtbot):
    w = np.array([[0.1, 0.5], [-0.3, 0.8]])
    x = np.array([0.2, 0.4])
    open_circuit(window, build({"W": ("input", w), "x": ("input", x), "q": "matmul",
                                "p": ("pow", {"params": {"p": 2.0}}), "f": "sum"},
                               {"q": ["W", "x"], "p": ["q"], "f": ["p"]}))
    window.scene.select_nodes(["q"])
    d_w, d_x = shown_ports(qtbot, window, 2)
    assert np.array_equal(d_x.jacobian_table.value(), w)
    assert np.array_equal(d_w.jacobian_table.value(), np.kron(np.eye(2), x[None, :]))
    assert np.allclose(d_w.upstream_table.value().ravel(), [0.44, 0.52], rtol=1e-12)
    # FORMAT.md 5's df/dW, row by row, and df/dx
    assert np.allclose(d_w.backward_table.value(), [0.088, 0.176, 0.104, 0.208], rtol=1e-12)
    assert np.allclose(d_x.result_table.value(), [-0.112, 0.636], rtol=1e-12)
    assert "matrices read row by row" in plain(d_w.caption)


def test_a_vector_of_100_is_drawn_as_a_heatmap_image(window, qtbot):
    x = np.linspace(-1.0, 1.0, 100)
    open_circuit(window, relu_then_sum(x))
    window.scene.select_nodes(["h"])
    (port,) = shown_ports(qtbot, window, 1)
    assert port.kind == jacobian_view.PICTURE and port.jacobian_table is None
    image = port.jacobian_picture.image()
    assert (image.width(), image.height()) == (100, 100)
    white, red = COLOUR_TABLE[CENTRE], COLOUR_TABLE[-4]  # 0, and the map's top (+1)
    for i in range(100):
        assert image.pixel(i, i) == (red if x[i] > 0 else white)
        assert image.pixel((i + 1) % 100, i) == white
    assert np.array_equal(port.backward_picture.value, window.document.result.grads["x"])


def test_too_big_to_draw_says_why_and_still_shows_what_the_backward_sends(window, qtbot):
    open_circuit(window, relu_then_sum(np.linspace(-1.0, 1.0, 5000)))
    window.scene.select_nodes(["h"])
    (port,) = shown_ports(qtbot, window, 1)
    assert port.kind == jacobian_view.REFUSED
    assert port.jacobian_picture is None and port.jacobian_table is None
    assert ("Not drawn: the Jacobian would be 5000 × 5000 = 2.5e7 numbers; the backward pass "
            "never forms it: it multiplies dh by the local gradient element by element"
            in plain(port.caption))
    assert "The backward pass still sends x its 5000 numbers" in plain(port.note)
    assert np.array_equal(port.backward_picture.value, window.document.result.grads["x"])


def test_a_scalar_gate_says_its_local_gradient_is_its_1_by_1_jacobian(window, qtbot):
    assert window.open_path(EXAMPLES / "add_mul.circuit")  # f = (x + y) * z at (-2, 5, -4)
    window.document.flush()
    click_gate(qtbot, window, "f")
    d_q, d_z = shown_ports(qtbot, window, 2)
    assert d_q.kind == jacobian_view.SCALAR
    assert "the Jacobian is 1×1: the local gradient ∂f/∂q = -4.00" in plain(d_q.caption)
    assert "1.00 × -4.00 = -4.00, what the backward pass sends to q" in plain(d_q.note)
    assert "∂f/∂z = 3.00" in plain(d_z.caption)


def test_a_source_or_nothing_selected_says_why_there_is_no_jacobian(window, qtbot):
    open_circuit(window, relu_then_sum([1.0, -2.0]))
    panel = window.jacobian_panel
    window.scene.select_nodes(["x"])
    qtbot.waitUntil(lambda: "has no input port" in plain(panel.header))
    assert panel.port_views == []
    window.scene.select_nodes([])
    qtbot.waitUntil(lambda: "Select a gate" in plain(panel.header))


def test_behind_another_tab_it_waits_and_draws_when_its_tab_is_chosen(window, qtbot):
    open_circuit(window, relu_then_sum([1.0, -2.0, 3.0]))
    panel = window.jacobian_panel
    window.scene.select_nodes(["h"])
    shown_ports(qtbot, window, 1)
    window.docks["explain_dock"].raise_()
    window.scene.select_nodes(["f"])
    qtbot.wait(300)
    assert panel.redraws.pending and panel.jacobians[0].node_id == "h"  # still h's, not f's
    window.docks["jacobian_dock"].raise_()
    qtbot.waitUntil(lambda: not panel.redraws.pending)
    (port,) = shown_ports(qtbot, window, 1)
    assert np.array_equal(port.jacobian_table.value(), np.ones((1, 3)))  # sum's row of ones


def test_a_closed_jacobian_dock_waits_and_draws_when_shown_again(window, qtbot):
    open_circuit(window, relu_then_sum([1.0, -2.0]))
    toggle = window.actions_by_name["action_toggle_jacobian_dock"]
    toggle.trigger()  # View -> Jacobian: closes the dock
    qtbot.waitUntil(lambda: not window.jacobian_panel.isVisible())
    window.scene.select_nodes(["h"])
    qtbot.wait(300)
    panel = window.jacobian_panel
    assert panel.port_views == [] and panel.redraws.pending
    toggle.trigger()
    window.docks["jacobian_dock"].raise_()  # back among the tabs: its tab chosen
    (port,) = shown_ports(qtbot, window, 1)
    assert np.array_equal(port.jacobian_table.value(), [[1.0, 0.0], [0.0, 0.0]])
