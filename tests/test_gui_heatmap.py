"""Heatmaps of tensors (gui/common/heatmap.py): one pixel per element, blue-white-red around 0.

The matrix is the lecture's W = [[0.1, 0.5], [-0.3, 0.8]] (FORMAT.md 5): its largest magnitude
is 0.8, so 0.8 is the map's full red, 0 its white and -0.8 would be its full blue. Expected
colours are read here from pyqtgraph's colour map itself (``ColorMap.map`` at the element's
place), not from the module's own table.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from gui.common.heatmap import (COLOUR_MAP, NOT_FINITE_COLOURS, HeatmapView,  # noqa: E402
                                heatmap_image, legend_html, range_text, symmetric_limit)
from tests.gui_helpers import show_at  # noqa: E402

W = np.array([[0.1, 0.5], [-0.3, 0.8]])
CHANNEL_TOLERANCE = 4  # the table has 253 steps; the map's own colour may fall between two


def map_colour(place: float) -> QColor:
    """pyqtgraph's CET-D1 colour at ``place`` in 0..1 (0 is -limit, 1/2 is 0, 1 is +limit)."""
    return pg.colormap.get(COLOUR_MAP).map(place, mode=pg.ColorMap.QCOLOR)


def assert_close(pixel: int, expected: QColor) -> None:
    got = QColor.fromRgba(pixel)
    for a, b in ((got.red(), expected.red()), (got.green(), expected.green()),
                 (got.blue(), expected.blue())):
        assert abs(a - b) <= CHANNEL_TOLERANCE, (got.name(), expected.name())


def test_the_lectures_W_is_drawn_one_pixel_per_element_around_its_largest_magnitude():
    image = heatmap_image(W)
    assert (image.width(), image.height()) == (2, 2)
    assert symmetric_limit(W) == 0.8
    for (row, column), element in np.ndenumerate(W):
        assert_close(image.pixel(column, row), map_colour((element / 0.8 + 1) / 2))
    assert_close(image.pixel(1, 1), map_colour(1.0))  # 0.8: the full red end
    red = QColor.fromRgba(image.pixel(1, 1))
    blue = QColor.fromRgba(image.pixel(0, 1))  # -0.3
    assert red.red() > red.blue() and blue.blue() > blue.red()


def test_zero_is_white_and_the_colours_are_symmetric_around_it():
    image = heatmap_image([-2.0, 0.0, 2.0])
    assert (image.width(), image.height()) == (3, 1)  # a vector is one row
    assert_close(image.pixel(1, 0), map_colour(0.5))
    centre = QColor.fromRgba(image.pixel(1, 0))
    assert min(centre.red(), centre.green(), centre.blue()) > 220  # near white
    assert_close(image.pixel(0, 0), map_colour(0.0))
    assert_close(image.pixel(2, 0), map_colour(1.0))


def test_a_given_limit_clips_beyond_it_and_all_zeros_is_all_white():
    image = heatmap_image([[-5.0, 0.5, 5.0]], limit=1.0)
    assert_close(image.pixel(0, 0), map_colour(0.0))
    assert_close(image.pixel(1, 0), map_colour(0.75))
    assert_close(image.pixel(2, 0), map_colour(1.0))
    huge = heatmap_image([[1e300, -1e300, 1e-320]], limit=1e-300)  # no overflow warning
    assert_close(huge.pixel(0, 0), map_colour(1.0))
    assert_close(huge.pixel(1, 0), map_colour(0.0))
    assert_close(huge.pixel(2, 0), map_colour(0.5))
    zeros = heatmap_image(np.zeros((2, 3)))
    assert {zeros.pixel(x, y) for x in range(3) for y in range(2)} == {zeros.pixel(0, 0)}
    assert_close(zeros.pixel(0, 0), map_colour(0.5))


def test_a_number_is_a_single_pixel():
    image = heatmap_image(-3.0)
    assert (image.width(), image.height()) == (1, 1)
    assert_close(image.pixel(0, 0), map_colour(0.0))


def test_nan_and_infinities_get_their_own_colours_and_the_rest_keeps_its_scale():
    value = np.array([[np.nan, np.inf], [-np.inf, 0.5], [-0.5, 0.0]])
    image = heatmap_image(value)
    assert QColor.fromRgba(image.pixel(0, 0)) == NOT_FINITE_COLOURS["nan"]
    assert QColor.fromRgba(image.pixel(1, 0)) == NOT_FINITE_COLOURS["inf"]
    assert QColor.fromRgba(image.pixel(0, 1)) == NOT_FINITE_COLOURS["-inf"]
    assert len({colour.name() for colour in NOT_FINITE_COLOURS.values()}) == 3
    assert symmetric_limit(value) == 0.5  # from the finite elements only
    assert_close(image.pixel(1, 1), map_colour(1.0))
    assert_close(image.pixel(0, 2), map_colour(0.0))
    legend = legend_html(value)
    for kind, colour in NOT_FINITE_COLOURS.items():
        assert f"color:{colour.name()}'>■</span> {kind}" in legend


def test_nothing_finite_draws_without_crashing():
    image = heatmap_image(np.full((2, 2), np.nan))
    assert QColor.fromRgba(image.pixel(1, 1)) == NOT_FINITE_COLOURS["nan"]
    assert range_text(np.full((2, 2), np.nan)) == "no finite element · 4 nan"
    assert legend_html(W) == ""


@pytest.mark.parametrize("value, text", [
    ([-0.52, 0.1, 0.73], "-0.52 … 0.73"),
    (W, "-0.30 … 0.80"),
    (2.0, "2.00"),
    ([[1e-3, 2e6]], "0.001 … 2e+06"),
    ([np.nan, 1.0, np.inf, -np.inf, -1.0], "-1.00 … 1.00 · 1 nan, 1 inf, 1 -inf"),
])
def test_range_text(value, text):
    assert range_text(value) == text


def test_a_4096_square_matrix_becomes_a_4096_square_image():
    rows = np.linspace(-1.0, 1.0, 4096)
    value = np.add.outer(rows, np.zeros(4096))  # each row one number, -1 at the top
    value[100, 200] = np.nan
    image = heatmap_image(value)
    assert (image.width(), image.height()) == (4096, 4096)
    assert_close(image.pixel(0, 0), map_colour(0.0))
    assert_close(image.pixel(4095, 4095), map_colour(1.0))
    assert QColor.fromRgba(image.pixel(200, 100)) == NOT_FINITE_COLOURS["nan"]


# ------------------------------------------------------------------ the view
@pytest.fixture
def view(qtbot):
    widget = HeatmapView(name="W")
    qtbot.addWidget(widget)
    show_at(widget, qtbot, (300, 300))
    return widget


def cell_centre(view, row: int, column: int) -> QPoint:
    rect = view.canvas.image_rect()
    rows, columns = view.image().height(), view.image().width()
    return QPoint(round(rect.left() + (column + 0.5) * rect.width() / columns),
                  round(rect.top() + (row + 0.5) * rect.height() / rows))


def test_hovering_a_cell_reads_its_element(qtbot, view):
    view.set_value(W)
    assert view.range_label.text() == "-0.30 … 0.80"
    with qtbot.waitSignal(view.cell_hovered) as hovered:
        qtbot.mouseMove(view.canvas, cell_centre(view, 1, 0))
    assert hovered.args == [(1, 0)]
    assert view.readout.text() == "W[1, 0] = -0.30"
    assert view.canvas.toolTip() == "W[1, 0] = -0.3"
    qtbot.mouseMove(view.canvas, cell_centre(view, 0, 1))
    assert view.readout.text() == "W[0, 1] = 0.50"


def test_the_cells_are_square_and_crisp(view):
    view.set_value(W)
    rect = view.canvas.image_rect()
    assert rect.width() == pytest.approx(rect.height())
    grab = view.canvas.grab().toImage()
    left = cell_centre(view, 0, 0)
    near_edge = QPoint(round(rect.left() + rect.width() / 2) - 2, left.y())
    assert grab.pixel(left) == grab.pixel(near_edge)  # no blending towards the next cell
    assert_close(grab.pixel(left), map_colour((0.1 / 0.8 + 1) / 2))


def test_hovering_a_vector_names_its_element_by_one_index(qtbot, view):
    view.set_value(np.array([0.2, 0.4, -1.5, np.inf]), name="x")
    assert view.image().height() == 1
    assert view.canvas.image_rect().height() >= 14  # a strip, not a hairline
    with qtbot.waitSignal(view.cell_hovered) as hovered:
        qtbot.mouseMove(view.canvas, cell_centre(view, 0, 3))
    assert hovered.args == [(3,)]
    assert view.readout.text() == "x[3] = inf"
    qtbot.mouseMove(view.canvas, cell_centre(view, 0, 2))
    assert view.readout.text() == "x[2] = -1.50"
    assert "1 inf" in view.range_label.text()
    assert "■</span> inf" in view.range_label.text()


def test_leaving_the_picture_clears_the_readout(qtbot, view):
    view.set_value([[1.0, 2.0, 3.0]])  # a wide picture: room above and below it
    qtbot.mouseMove(view.canvas, cell_centre(view, 0, 1))
    assert view.readout.text() == "W[0, 1] = 2.00"
    with qtbot.waitSignal(view.cell_hovered) as hovered:
        qtbot.mouseMove(view.canvas, QPoint(5, 2))
    assert hovered.args == [None]
    assert view.readout.text().strip() == ""


def test_a_number_reads_as_its_name(qtbot, view):
    view.set_value(0.73, name="f")
    qtbot.mouseMove(view.canvas, cell_centre(view, 0, 0))
    assert view.readout.text() == "f = 0.73"


def test_a_4096_square_heatmap_is_shown_and_beyond_it_says_why_not(view):
    view.set_value(np.ones((4096, 4096)))
    assert (view.image().width(), view.image().height()) == (4096, 4096)
    view.set_value(np.ones((4097, 3)))
    assert view.image() is None
    assert view.range_label.text().startswith("Too big to draw: 4097×3 (at most 4096")
