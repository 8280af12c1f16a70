"""The decision-boundary plot: the guide's SVM a*x + b*y + c = x - 2y - 1 over the plane (its sign
in the heatmap, its zero line on the line), a training step that moves it, clicks that add and
remove points (undoable), a hidden unit's own map, the hint without data inputs, nan in grey."""

import math

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QAction, QMouseEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

import engine
from engine.datasets import embed_dataset, make_dataset, six_points
from engine.templates import linear_classifier, two_layer_relu_net
from gui.training.boundary_image import (NEGATIVE_RGB, NOT_FINITE_RGB, colour_table, join_segments,
                                plane_grid, shade, zero_contour)
from gui.training.boundary_plot import NO_DATA_HINT, BoundaryPlot
from gui.model.commands import SetFeatureCommand, SetValueCommand
from gui.main_window import MainWindow
from gui.window_parts import DOCK_PARTS
from tests.gui_helpers import click_at, make_window
from tests.helpers import build

GUIDE = [((1.2, 0.7), 1), ((-0.3, -0.5), -1), ((3.0, 0.1), 1), ((-0.1, -1.0), -1),
         ((-1.0, 1.1), -1), ((2.1, -3.0), 1)]


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    return window


@pytest.fixture
def session(window):
    return window.training_session


@pytest.fixture
def plot(qtbot, window, session):
    window.resize(1400, 900)  # room for every column, whatever the test screen's size
    window.show()
    qtbot.waitExposed(window)
    return window.boundary_plot


def open_circuit(window, circuit, dataset=None):
    if dataset is not None:
        embed_dataset(circuit, dataset)
    window.document.replace_circuit(circuit)
    window.document.flush()
    settle()  # the new title lays the plot out again: the view's range settles


def settle():
    """Let the event loop run the pending (zero-delay) redraws."""
    for _ in range(5):
        QApplication.processEvents()


def linear_score(window, x, y):
    """a*x + b*y + c with the circuit's current a, b, c, written out by hand."""
    nodes = window.document.circuit.nodes
    return nodes["a"].value * x + nodes["b"].value * y + nodes["c"].value


def corners_and_centre(xs, ys):
    rows, cols = len(ys), len(xs)
    return [(0, 0), (0, cols - 1), (rows - 1, 0), (rows - 1, cols - 1), (rows // 2, cols // 2)]


def colour_at(plot, row, col):
    """The RGB the heatmap paints at grid point (row, col): its lookup-table entry."""
    index = int(np.floor(plot.image_item.image[row, col]))
    return colour_table()[index][:3]


# --------------------------------------------------------------------------- the window
def test_the_window_docks_the_plot_once_and_lists_it_in_the_train_menu(window, session, plot):
    dock = window.findChild(QDockWidget, "boundary_dock")
    assert dock is not None and dock.widget() is plot
    assert plot.objectName() == "boundary_plot" and isinstance(plot, BoundaryPlot)
    assert plot.session is session
    docks = [d.objectName() for d in window.findChildren(QDockWidget)]
    assert docks.count("boundary_dock") == 1
    menu = window.menuBar().findChild(QMenu, "menu_train")
    assert "action_toggle_boundary_dock" in [a.objectName() for a in menu.actions()]
    view_menu = window.menuBar().findChild(QMenu, "menu_view")
    assert "action_toggle_boundary_dock" in [a.objectName() for a in view_menu.actions()]


def canvas_width(window):
    settle()
    return window.view.width()


def test_the_plot_shows_itself_for_a_classifier_and_the_canvas_keeps_its_width(window, plot):
    toggle = window.findChild(QAction, "action_toggle_boundary_dock")
    open_circuit(window, build({"a": ("input", 2.0), "b": ("input", 3.0), "f": "mul"},
                               {"f": ["a", "b"]}))
    assert not plot.isVisible() and not toggle.isChecked()
    wide = canvas_width(window)
    properties = window.properties_dock.width()

    open_circuit(window, linear_classifier(), six_points())
    assert plot.isVisible() and toggle.isChecked()
    # one column on the right: Properties and Inputs become tabs beside Training
    assert window.properties_dock in window.tabifiedDockWidgets(window.docks["training_dock"])
    assert wide - 200 < canvas_width(window) < wide - 100

    open_circuit(window, build({"a": ("input", 2.0), "f": "exp"}, {"f": ["a"]}))
    assert not plot.isVisible()
    assert canvas_width(window) == wide and window.properties_dock.width() == properties


def test_the_plot_sits_above_the_training_panel_in_one_column(window, plot):
    open_circuit(window, linear_classifier(), six_points())
    training, plot_dock = window.docks["training_dock"], window.docks["boundary_dock"]
    assert training.isVisible()
    assert window.dockWidgetArea(training) == window.dockWidgetArea(plot_dock)
    assert plot_dock.x() == training.x() and plot_dock.y() < training.y()
    assert plot_dock.x() > window.view.x()


def test_close_buttons_and_menus_give_the_column_back_to_the_canvas(window, plot):
    toggle = window.findChild(QAction, "action_toggle_boundary_dock")
    training = window.docks["training_dock"]
    open_circuit(window, linear_classifier(), six_points())
    narrow = canvas_width(window)
    window.docks["boundary_dock"].close()  # its close button: the training panel takes its height
    assert not plot.isVisible() and not toggle.isChecked()
    assert canvas_width(window) == narrow and training.height() > window.height() / 2
    training.close()  # the column is gone: Properties and Inputs get their column back
    wide = canvas_width(window)
    properties = window.properties_dock.width()
    assert wide > narrow + 100 and window.inputs_dock.y() > window.properties_dock.y()
    toggle.trigger()  # the plot alone: a column of its own, beside Properties and Inputs
    assert plot.isVisible() and toggle.isChecked()
    assert canvas_width(window) < narrow
    assert plot.width() == DOCK_PARTS["boundary_dock"].size
    toggle.trigger()
    assert not plot.isVisible() and canvas_width(window) == wide
    assert window.properties_dock.width() == properties


def test_binding_a_first_input_to_data_shows_the_plot(window, plot):
    open_circuit(window, build({"a": ("input", 2.0), "b": ("input", 3.0), "f": "mul"},
                               {"f": ["a", "b"]}))
    assert not plot.isVisible()
    window.document.push(SetFeatureCommand(window.document, "a", 0))
    settle()
    assert plot.isVisible()
    window.document.undo_stack.undo()  # unbinding leaves the user's dock where it is
    settle()
    assert plot.isVisible() and plot.hint() == NO_DATA_HINT


# --------------------------------------------------------------------------- the heatmap
def test_the_heatmap_has_the_sign_of_the_guides_svm_score(window, plot):
    open_circuit(window, linear_classifier(), six_points())
    values = plot.image_data()
    xs, ys = plot.grid()
    assert values.shape == (100, 100) == (len(ys), len(xs))
    # the grid covers the six points with a margin
    assert xs[0] < -1.0 and xs[-1] > 3.0 and ys[0] < -3.0 and ys[-1] > 1.1
    for row, col in corners_and_centre(xs, ys):
        expected = xs[col] - 2 * ys[row] - 1  # a = 1, b = -2, c = -1
        assert values[row, col] == pytest.approx(expected)
        red, _green, blue = colour_at(plot, row, col)
        assert (blue > red) == (expected > 0)  # blue where the score is positive, else orange
    # every grid point, not only the corners: the sign is the sign of x - 2y - 1
    grid_x, grid_y = np.meshgrid(xs, ys)
    assert np.array_equal(np.sign(values), np.sign(grid_x - 2 * grid_y - 1))
    assert "output score" in plot.title() and plot.hint() == ""


def test_the_zero_line_lies_on_the_line_x_minus_2y_minus_1(window, plot):
    open_circuit(window, linear_classifier(), six_points())
    points = plot.boundary_points()
    assert len(points) > 50
    assert np.abs(points[:, 0] - 2 * points[:, 1] - 1).max() < 1e-9
    paths = plot.contour_paths()
    assert len(paths) == 1  # one unbroken line across the view
    xs, ys = plot.grid()
    ends = paths[0][[0, -1]]
    on_edge = (np.isclose(ends[:, 0], xs[0]) | np.isclose(ends[:, 0], xs[-1])
               | np.isclose(ends[:, 1], ys[0]) | np.isclose(ends[:, 1], ys[-1]))
    assert on_edge.all()


def test_a_training_step_moves_the_boundary(window, session, plot):
    open_circuit(window, linear_classifier(), six_points())
    before = plot.image_data().copy()
    assert session.step()
    settle()
    after = plot.image_data()
    assert not np.allclose(before, after)
    xs, ys = plot.grid()
    grid_x, grid_y = np.meshgrid(xs, ys)
    assert np.allclose(after, linear_score(window, grid_x, grid_y))


def test_editing_a_parameter_redraws_and_undo_redraws_back(window, plot):
    open_circuit(window, linear_classifier(), six_points())
    window.document.push(SetValueCommand(window.document, "c", 2.5))
    settle()
    xs, ys = plot.grid()
    grid_x, grid_y = np.meshgrid(xs, ys)
    assert np.allclose(plot.image_data(), grid_x - 2 * grid_y + 2.5)
    window.document.undo_stack.undo()
    settle()
    xs, ys = plot.grid()
    grid_x, grid_y = np.meshgrid(xs, ys)
    assert np.allclose(plot.image_data(), grid_x - 2 * grid_y - 1)


def test_redraws_are_coalesced_and_the_items_made_once(window, plot, monkeypatch):
    open_circuit(window, linear_classifier(), six_points())
    settle()
    items = list(plot.plot.getPlotItem().items)
    image_item = plot.image_item
    evaluations = []
    original = plot._evaluate
    monkeypatch.setattr(plot, "_evaluate", lambda *args: evaluations.append(1)
                        or original(*args))
    for k in range(5):  # five edits in one turn of the event loop
        window.document.push(SetValueCommand(window.document, "c", -1.0 + k / 10))
    assert not evaluations
    settle()
    assert len(evaluations) == 1
    assert plot.image_item is image_item and plot.plot.getPlotItem().items == items


# --------------------------------------------------------------------------- clicks
def test_clicks_add_and_remove_points_each_one_undo_step(qtbot, window, session, plot):
    open_circuit(window, linear_classifier(), six_points())
    settle()
    stack = window.document.undo_stack
    start = stack.index()
    pixel = max(plot.plot.getViewBox().viewPixelSize())

    click_at(qtbot, plot, 0.5, 1.5)
    assert len(session.dataset) == 7
    assert session.dataset.points[-1] == pytest.approx((0.5, 1.5), abs=2 * pixel)
    assert session.dataset.labels[-1] == 1

    click_at(qtbot, plot, 2.5, -1.5, Qt.ShiftModifier)
    assert len(session.dataset) == 8
    assert session.dataset.points[-1] == pytest.approx((2.5, -1.5), abs=2 * pixel)
    assert session.dataset.labels[-1] == -1

    click_at(qtbot, plot, 3.0, 0.1, Qt.ControlModifier)  # on the guide's point [3.0, 0.1]
    assert len(session.dataset) == 7
    remaining = [tuple(p) for p in session.dataset.points]
    assert (3.0, 0.1) not in remaining and (1.2, 0.7) in remaining
    assert stack.index() == start + 3

    # the points drawn are the data set's
    assert len(plot.points_item.data) == 7

    for _ in range(3):
        stack.undo()
    assert [(tuple(p), int(label)) for p, label in zip(session.dataset.points,
                                                       session.dataset.labels)] == GUIDE
    settle()
    symbols = [spot.symbol() for spot in plot.points_item.points()]
    assert sorted(symbols) == ["o", "o", "o", "s", "s", "s"]


def test_ctrl_click_far_from_every_point_removes_nothing(qtbot, window, session, plot):
    open_circuit(window, linear_classifier(), six_points())
    settle()
    index = window.document.undo_stack.index()
    click_at(qtbot, plot, 1.0, -2.0, Qt.ControlModifier)  # the nearest point is 1.1 away
    assert len(session.dataset) == 6 and window.document.undo_stack.index() == index


def test_ctrl_click_removes_the_nearest_point_only_within_20_pixels(qtbot, window, session,
                                                                   plot):
    """As the README says: the point nearest the click, if one lies within 20 pixels."""
    open_circuit(window, linear_classifier(), six_points())
    settle()
    messages = []
    window.statusBar().messageChanged.connect(messages.append)
    point = viewport_pos(plot, 3.0, 0.1)  # the guide's point [3.0, 0.1], far from the others
    for dx, removed in ((26, False), (14, True)):
        qtbot.mouseClick(plot.plot.viewport(), Qt.LeftButton, Qt.ControlModifier,
                         point + QPoint(dx, 0))
        assert (len(session.dataset) == 5) is removed, dx
    assert "No point near the click to remove" in messages
    assert "Removed the point nearest the click" in messages
    assert (3.0, 0.1) not in [tuple(p) for p in session.dataset.points]


def viewport_pos(plot, x, y):
    return plot.plot.mapFromScene(plot.plot.getViewBox().mapViewToScene(QPointF(x, y)))


def test_clicks_and_drags_do_not_pan_the_view(qtbot, window, session, plot):
    open_circuit(window, linear_classifier(), six_points())
    view_range = plot.plot.getViewBox().viewRange()
    click_at(qtbot, plot, 0.5, 1.5)
    settle()
    assert plot.plot.getViewBox().viewRange() == view_range
    # a drag (press, moves with the button held, release) neither pans nor adds a point
    viewport = plot.plot.viewport()
    start, end = viewport_pos(plot, 0.0, 0.0), viewport_pos(plot, 2.0, -2.0)
    qtbot.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    for k in range(1, 6):
        point = QPointF(start + (end - start) * (k / 5))
        QApplication.sendEvent(viewport, QMouseEvent(
            QEvent.MouseMove, point, viewport.mapToGlobal(point), Qt.NoButton, Qt.LeftButton,
            Qt.NoModifier))
    qtbot.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, end)
    settle()
    assert plot.plot.getViewBox().viewRange() == view_range
    assert len(session.dataset) == 7  # the click's point only


# --------------------------------------------------------------------------- per-gate maps
def batched_values(window, plot, node_id):
    """engine.run over the plot's current grid, all points at once: node_id's values."""
    xs, ys = plot.grid()
    grid_x, grid_y = np.meshgrid(xs, ys)
    return engine.run(window.document.circuit, {"x": grid_x, "y": grid_y}).values[node_id]


def test_selecting_a_hidden_unit_shows_its_own_map(window, plot):
    circuit = two_layer_relu_net(seed=3)
    open_circuit(window, circuit, make_dataset("circle", 60, 0.1, 0))
    assert np.allclose(plot.image_data(), batched_values(window, plot, "score"))
    window.scene.select_nodes(["n1"])
    settle()
    assert plot.shown_node() == "n1"
    assert plot.title() == "hidden unit n1 = relu(h1)"
    assert np.allclose(plot.image_data(), batched_values(window, plot, "n1"))
    xs, ys = plot.grid()
    grid_x, grid_y = np.meshgrid(xs, ys)
    v = {k: node.value for k, node in window.document.circuit.nodes.items()}
    by_hand = np.maximum(0.0, v["a1"] * grid_x + v["b1"] * grid_y + v["c1"])
    assert np.allclose(plot.image_data(), by_hand)
    assert (by_hand == 0).any() and (by_hand > 0).any()  # the unit's edge is in view
    # the line drawn is where the unit switches on: a1*x + b1*y + c1 = 0
    points = plot.boundary_points()
    assert len(points) and np.abs(v["a1"] * points[:, 0] + v["b1"] * points[:, 1]
                                  + v["c1"]).max() < 1e-9

    window.scene.select_nodes(["h2"])  # a gate that is not a nonlinearity
    settle()
    assert plot.title() == "gate h2 = a2x + b2y + c2"
    assert np.allclose(plot.image_data(), batched_values(window, plot, "h2"))

    plot.pin_box.setChecked(True)  # "Show the output" whatever is selected
    settle()
    assert plot.shown_node() is None
    assert np.allclose(plot.image_data(), batched_values(window, plot, "score"))
    plot.pin_box.setChecked(False)
    settle()
    assert plot.shown_node() == "h2"
    window.scene.select_nodes(["x"])  # an input: the output
    settle()
    assert plot.shown_node() is None
    assert np.allclose(plot.image_data(), batched_values(window, plot, "score"))
    window.scene.select_nodes(["n1", "n2"])  # more than one gate: the output
    settle()
    assert plot.shown_node() is None and plot.title().startswith("output score")


# --------------------------------------------------------------------------- fallbacks
def test_without_data_inputs_the_plot_shows_a_hint(window, plot):
    open_circuit(window, build({"a": ("input", 2.0), "b": ("input", 3.0), "f": "mul"},
                               {"f": ["a", "b"]}))
    window.findChild(QAction, "action_toggle_boundary_dock").trigger()  # shown by hand
    settle()
    assert plot.hint() == NO_DATA_HINT
    assert plot.image_data() is None and len(plot.boundary_points()) == 0
    assert plot.hint_label.isVisible() and "Bind two inputs" in plot.hint_label.text()
    open_circuit(window, linear_classifier(), six_points())
    assert plot.hint() == "" and not plot.hint_label.isVisible()
    assert plot.image_data() is not None


def test_nan_and_inf_scores_are_grey_and_nothing_breaks(window, plot):
    # score = log(x) + y: -inf on x = 0, nan for x < 0
    circuit = build({"x": ("input", {"value": 1.0, "feature": 0}),
                     "y": ("input", {"value": 1.0, "feature": 1}), "l": "log", "f": "add"},
                    {"l": ["x"], "f": ["l", "y"]})
    open_circuit(window, circuit, six_points())
    values = plot.image_data()
    xs, ys = plot.grid()
    assert xs[0] < 0 < xs[-1]
    left, right = xs < 0, xs > 0
    assert np.isnan(values[:, left]).all()
    assert np.isfinite(values[:, right]).all()
    grey = colour_at(plot, 0, 0)
    assert tuple(grey) == NOT_FINITE_RGB
    assert np.isfinite(plot.boundary_points()).all()
    with np.errstate(all="ignore"):
        expected = np.log(xs[right][0]) + ys  # the first column right of 0
    assert np.allclose(values[:, np.flatnonzero(right)[0]], expected)


# --------------------------------------------------------------------------- the numbers
def test_zero_contour_of_a_circle_lies_on_it():
    xs, ys, points = plane_grid((-2, 2), (-2, 2), 81, 81)
    radius = np.hypot(points[..., 0], points[..., 1])
    segments = zero_contour(radius - 1.5, xs, ys)
    ends = segments.reshape(-1, 2)
    # linear interpolation of a curved function: off by at most a fraction of a cell
    assert np.abs(np.hypot(ends[:, 0], ends[:, 1]) - 1.5).max() < 0.01
    paths = join_segments(segments)
    assert len(paths) == 1 and np.allclose(paths[0][0], paths[0][-1])  # closed


def test_zero_contour_resolves_a_saddle_and_skips_nan():
    xs, ys = np.array([0.0, 1.0]), np.array([0.0, 1.0])
    # corners: bottom-left +1, bottom-right -1, top-left -1, top-right +1; centre 0.5 > 0
    segments = zero_contour(np.array([[1.0, -1.0], [-1.0, 2.0]]), xs, ys)
    assert len(segments) == 2
    # bottom edge at x = 0.5, right edge at y = 1/3, left edge at y = 0.5, top edge at x = 1/3;
    # the positive centre joins bottom-left and top-right: the cuts go around the others
    cuts = sorted(sorted(map(tuple, np.round(segment, 9).tolist())) for segment in segments)
    third = round(1 / 3, 9)
    assert cuts == [[(0.0, 0.5), (third, 1.0)], [(0.5, 0.0), (1.0, third)]]
    assert len(zero_contour(np.array([[1.0, np.nan], [-1.0, 2.0]]), xs, ys)) == 0


def test_shade_maps_sign_and_size_to_the_lookup_table():
    image = shade(np.array([[-100.0, -0.5, 0.0, 0.5, 100.0, np.nan, np.inf]]))
    assert image.dtype == np.float32
    index = np.floor(image[0]).astype(int)
    assert index[5] == index[6] == 0  # nan and inf: the grey entry
    assert index[0] == 1 and index[4] == 255 and index[2] == 128
    assert index[0] < index[1] < index[2] < index[3] < index[4]
    assert 128 + 127 * math.tanh(0.5) == pytest.approx(image[0, 3], abs=1e-4)
    table = colour_table()
    assert table.shape == (256, 4) and table.dtype == np.uint8
    assert table[1][0] > table[1][2] and table[255][2] > table[255][0]  # orange, blue


def test_a_long_title_is_cut_to_the_plot_and_never_widens_it(window, plot):
    from engine.templates import hidden_layer_net
    open_circuit(window, hidden_layer_net(12, "relu"), six_points())
    width = plot.plot.width()
    assert width > 300
    assert plot.title().startswith("output score = m1 + m2") and "m12" in plot.title()
    item = plot.plot.getPlotItem()
    assert item.size().width() <= width + 1  # the map and its axes stay inside the dock
    shown = item.titleLabel.text
    assert shown.endswith("…") and "m12" not in shown
    open_circuit(window, linear_classifier(), six_points())
    assert item.size().width() <= width + 1
    assert plot.title() == "output score = ax + by + c" == item.titleLabel.text
    # the guide's point (3.0, 0.1) is inside the view
    (x0, x1), (y0, y1) = plot.view_box.viewRange()
    assert x0 < 3.0 < x1 and y0 < 0.1 < y1


def test_a_new_window_does_not_bring_back_the_column_for_an_empty_document(window, plot, qtbot,
                                                                           tmp_path):
    open_circuit(window, linear_classifier(), six_points())
    assert plot.isVisible()
    window.close()  # saves the layout, the classifier column shown
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
    again = MainWindow(settings=settings, recovery_folder=tmp_path / "recovery")
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert not again.docks["boundary_dock"].isVisible()
    assert not again.docks["training_dock"].isVisible()


def test_deleting_the_mapped_unit_leaves_no_word_of_it_in_the_key(window, plot):
    from gui.model.commands import RemoveNodesCommand
    open_circuit(window, two_layer_relu_net(), six_points())
    window.scene.select_nodes(["n2"])
    settle()
    assert "n2 turns on" in plot.key_label.text()
    window.document.push(RemoveNodesCommand(window.document, ["n2"]))
    settle()
    assert "n2" not in plot.key_label.text() and "score = 0" in plot.key_label.text()


def test_a_minus_one_point_clicked_into_the_plus_one_cluster_is_drawn_on_top(
        qtbot, window, session, plot):
    open_circuit(window, linear_classifier(), six_points())
    x, y = 1.2, 0.7  # the guide's +1 point
    click_at(qtbot, plot, x, y, Qt.ShiftModifier)
    assert session.dataset.labels[-1] == -1
    settle()
    view_box = plot.plot.getViewBox()
    centre = plot.plot.mapFromScene(view_box.mapViewToScene(QPointF(x, y)))
    image = plot.plot.grab().toImage()
    ratio = image.devicePixelRatio()
    colour = image.pixelColor(round(centre.x() * ratio), round(centre.y() * ratio))
    drawn = (colour.red(), colour.green(), colour.blue())
    assert drawn == pytest.approx(NEGATIVE_RGB, abs=40)  # the orange square, not the circle


@pytest.mark.parametrize("width", [260, 700])
def test_the_plane_stays_square_whatever_the_docks_shape(qtbot, window, session, plot, width):
    open_circuit(window, linear_classifier(), six_points())
    dock = window.findChild(QDockWidget, "boundary_dock")
    window.resizeDocks([dock], [width], Qt.Horizontal)
    settle()
    view = plot.plot
    assert view.width() == pytest.approx(view.height(), abs=1)
    assert view.width() == min(plot.square.width(), plot.square.height())
