"""The gradient-ascent dock fits the window: at the default size, beside a classifier's column
or not, no control's text is cut ("60 steps/", "maximis") and nothing scrolls sideways; in a
narrow dock the plots go under the controls; and the inputs' legend names every input, above
the data, inside the plot (sigmoid_neuron_primitive lost x1 off its right edge)."""

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QScrollArea,
                               QWidget)

from tests.gui_helpers import make_window, settle, show_at
from tests.helpers import EXAMPLES

DEFAULT = (1400, 900)
NEURON_INPUTS = ("w0", "x0", "w1", "x1", "w2")


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, DEFAULT)
    return window


def open_and_step(window, qtbot, example):
    """Open ``example``, bring the ascent dock to the front and take one step with its
    button."""
    assert window.open_path(EXAMPLES / example)
    window.docks["ascent_dock"].raise_()
    settle()
    qtbot.mouseClick(window.ascent_panel.step_button, Qt.LeftButton)
    settle()


def cut_controls(panel) -> list:
    """The panel's controls narrower than their text needs (a wrapping label wraps instead)."""
    kinds = (QLabel, QAbstractButton, QComboBox, QAbstractSpinBox)
    return [(type(w).__name__, w.objectName(), getattr(w, "text", str)())
            for w in panel.findChildren(QWidget)
            if isinstance(w, kinds) and w.isVisible() and w.sizeHint().width() > w.width()
            and not (isinstance(w, QLabel) and w.wordWrap())]


def scrolls_sideways(window) -> bool:
    area = window.docks["ascent_dock"].findChild(QScrollArea)
    return area.horizontalScrollBar().maximum() > 0


@pytest.mark.parametrize("example", ["linear_svm.circuit", "sigmoid_neuron_primitive.circuit"])
def test_no_control_is_cut_at_the_default_size(window, qtbot, example):
    open_and_step(window, qtbot, example)
    panel = window.ascent_panel
    assert window.docks["boundary_dock"].isVisible() == (example == "linear_svm.circuit")
    assert panel.status.text()  # the step's words are there too
    assert cut_controls(panel) == []
    assert not scrolls_sideways(window)
    # wide and short: the plots beside the controls, whole
    assert panel.plot.x() >= panel.controls.geometry().right()
    assert panel.plot.geometry().right() <= panel.width()
    assert panel.plot.width() >= panel.plot.minimumSizeHint().width()


def test_a_narrow_dock_puts_the_plots_under_the_controls(window, qtbot):
    open_and_step(window, qtbot, "linear_svm.circuit")
    dock, panel = window.docks["ascent_dock"], window.ascent_panel
    dock.setFloating(True)
    dock.resize(400, 520)
    settle()
    assert panel.width() <= 400
    assert panel.form_columns == 1  # two fields to a row no longer fit
    assert cut_controls(panel) == []
    assert not scrolls_sideways(window)
    assert panel.plot.y() >= panel.controls.geometry().bottom()
    dock.resize(900, 260)  # and back beside them when there is room
    settle()
    assert panel.form_columns == 2 and panel.plot.x() >= panel.controls.geometry().right()
    assert cut_controls(panel) == []


def legend_rects(view, legend) -> dict:
    """Each legend entry's text, and its rectangle in the plot widget's pixels."""
    return {label.text: view.mapFromScene(label.sceneBoundingRect()).boundingRect()
            for _sample, label in legend.items}


def badly_placed_entries(view, legend) -> list:
    """The legend entries cut off by the plot's edge or drawn over its data."""
    data = QRectF(view.mapFromScene(view.getPlotItem().vb.sceneBoundingRect()).boundingRect())
    return [name for name, rect in legend_rects(view, legend).items()
            if not view.viewport().rect().contains(rect) or QRectF(rect).intersects(data)]


@pytest.mark.parametrize("width", [None, 420])
def test_every_input_is_named_in_the_legend_inside_the_plot(window, qtbot, width):
    open_and_step(window, qtbot, "sigmoid_neuron_primitive.circuit")
    if width is not None:  # a narrow dock: the legend takes more rows
        dock = window.docks["ascent_dock"]
        dock.setFloating(True)
        dock.resize(width, 600)
        settle()
    plot = window.ascent_panel.plot
    legend = plot.trajectory_legend
    assert sorted(legend_rects(plot.trajectory_plot, legend)) == sorted(NEURON_INPUTS)
    assert badly_placed_entries(plot.trajectory_plot, legend) == []
    assert list(legend_rects(plot.output_plot, plot.output_legend)) == ["analytic"]
    assert badly_placed_entries(plot.output_plot, plot.output_legend) == []
