"""Tensor nets in the window: Train → New from Template builds the lecture's 2-layer net of
tensor layers by real clicks and keys, Step trains it, a selected hidden layer shows one map
per unit as small multiples (their values checked against the net written out in numpy), a
2-unit layer shows the plane warped, and a live run redraws the boundary."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox

import engine
from gui.training.boundary_image import plane_grid, robust_scale, shade
from gui.training.boundary_plot import UNIT_RESOLUTION
from gui.training.hidden_maps import GAP
from tests.gui_helpers import click_gate, make_window, settle, show_at
from tests.test_gui_templates import answer_template_dialog, press_button, type_into


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, (1400, 900))
    return window


def build_net_through_the_dialog(qtbot, window, units: str) -> engine.Circuit:
    def choose(dialog):
        dialog.kind.setFocus()
        qtbot.keyClick(dialog.kind, Qt.Key_Down)
        qtbot.keyClick(dialog.kind, Qt.Key_Down)  # "A net with N hidden units"
        type_into(qtbot, dialog.hidden.lineEdit(), units)
        dialog.gates.setFocus()
        qtbot.keyClicks(dialog.gates, "tensor")  # the default above 16 units, chosen below
        dialog.data.setFocus()
        qtbot.keyClicks(dialog.data, "two")  # the two-armed spiral
        press_button(qtbot, dialog, QDialogButtonBox.Ok)

    answer_template_dialog(qtbot, choose)
    window.findChild(QAction, "action_templates").trigger()
    window.document.flush()
    settle()
    return window.document.circuit


def hidden_by_hand(circuit, points):
    w1, b1 = circuit.nodes["W1"].value, circuit.nodes["b1"].value
    return np.maximum(0.0, points @ w1.T + b1)


def test_the_h100_net_built_by_clicks_trains_and_shows_its_100_units(qtbot, window):
    circuit = build_net_through_the_dialog(qtbot, window, "100")
    assert sorted(node.op for node in circuit.nodes.values() if not node.gate.is_source) == [
        "add", "add", "matmul", "matmul", "relu"]
    assert circuit.nodes["W1"].value.shape == (100, 2)
    assert engine.embedded_dataset(circuit).name == "spiral"
    session = window.training_session
    assert (session.loss, session.step_size) == ("logistic", 0.3)  # the net's suggestion
    seen = [circuit.nodes["W1"].value.copy()]
    for _ in range(3):
        qtbot.mouseClick(window.training_panel.step_button, Qt.LeftButton)
        seen.append(circuit.nodes["W1"].value.copy())
    settle()
    assert session.trainer.steps == 3
    assert not np.array_equal(seen[1], seen[0]) and not np.array_equal(seen[3], seen[2])
    window.document.undo_stack.undo()  # each Step is one undo step, the whole matrix in it
    assert np.array_equal(circuit.nodes["W1"].value, seen[2])

    plot = window.boundary_plot
    click_gate(qtbot, window, "h1")
    settle()
    view = plot.hidden_view
    assert view.isVisible() and not plot.square.isVisible()
    assert view.tile_count() == 100
    image = view.atlas_image()
    side = UNIT_RESOLUTION
    assert image.shape == (10 * side + 9 * GAP, 10 * side + 9 * GAP)  # 10 x 10 tiles
    # unit 7's tile (top row, column 7) is relu(W1[7]·p + b1[7]) over the plot's plane,
    # shaded on its own scale: neutral (128) where the unit is off, blue where it is on
    (x0, x1), (y0, y1) = plot.view_box.viewRange()
    _xs, _ys, points = plane_grid((x0, x1), (y0, y1), side, side)
    unit7 = hidden_by_hand(window.document.circuit, points)[..., 7]
    top = image.shape[0] - side
    tile = image[top:, 7 * (side + GAP):7 * (side + GAP) + side]
    assert np.allclose(tile, shade(unit7, robust_scale(unit7)), atol=1e-3)
    assert (tile == 128).any() and (tile > 200).any()  # off somewhere, strongly on elsewhere
    assert view.unit_at(7 * (side + GAP) + 1, top + 1) == 7

    click_gate(qtbot, window, "score")  # the output: the single map again
    settle()
    assert plot.square.isVisible() and not view.isVisible()


def test_a_2_unit_layer_shows_the_plane_as_the_layer_maps_it(qtbot, window):
    circuit = build_net_through_the_dialog(qtbot, window, "2")
    assert circuit.nodes["W1"].value.shape == (2, 2)
    assert window.boundary_plot.hidden_view.warp_plot.isVisible() is False
    click_gate(qtbot, window, "h1")
    settle()
    view = window.boundary_plot.hidden_view
    assert view.tile_count() == 2 and view.warp_plot.isVisible()
    data = window.training_session.dataset
    mapped = np.column_stack(view.points_item.getData())
    assert np.allclose(mapped, hidden_by_hand(window.document.circuit, data.points))
    xs, ys = view.grid_item.getData()
    assert np.isnan(xs).sum() == 22  # 11 + 11 grid lines, each ended by a gap


def test_training_live_redraws_the_boundary_and_the_unit_maps(qtbot, window):
    circuit = engine.two_layer_net(20, "relu", seed=1)
    engine.embed_dataset(circuit, engine.make_dataset("spiral", 100))
    window.document.replace_circuit(circuit)
    window.document.flush()
    settle()
    plot = window.boundary_plot
    first = plot.image_data().copy()
    session = window.training_session
    session.train()
    qtbot.waitUntil(lambda: session.trainer.steps >= 30, timeout=20_000)
    session.pause()
    settle()
    assert not np.allclose(plot.image_data(), first)
    assert plot.image_data().shape == (plot.grid_side(), plot.grid_side())
    click_gate(qtbot, window, "h1")
    settle()
    atlas = plot.hidden_view.atlas_image().copy()
    session.train()
    qtbot.waitUntil(lambda: session.trainer.steps >= 60, timeout=20_000)
    session.pause()
    settle()
    assert plot.hidden_view.tile_count() == 20
    assert not np.array_equal(plot.hidden_view.atlas_image(), atlas)
