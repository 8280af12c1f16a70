"""A legend above a plot's data, in as many columns as the plot's width holds.

pyqtgraph draws a legend over the data, in the columns it is given: on a narrow plot the last
names fall off its right edge and the box covers the curves that start under it. The legend
made here sits in the plot's title row instead (the data area starts under it), and each time
the plot is resized or its entries change, it takes as many columns as fit and as many rows as
it then needs.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt

TITLE_ROW = 0  # the PlotItem layout's row for the title (unused: no plot here has one)


def fitted_legend(plot: pg.PlotWidget) -> pg.LegendItem:
    """A legend for ``plot``'s named curves, above its data, refitted when the plot resizes."""
    item = plot.getPlotItem()
    legend = pg.LegendItem(offset=(0, 0), frame=False, horSpacing=6, verSpacing=-6)
    item.legend = legend  # PlotItem adds and removes named curves' entries through it
    legend.setParentItem(item)
    item.vb.sigResized.connect(lambda _view: fit_legend(plot, legend))
    return legend


def fit_legend(plot: pg.PlotWidget, legend: pg.LegendItem) -> None:
    """Give ``legend`` as many columns as the data area's width holds, and the title row its
    height (none when it is hidden or empty)."""
    item = plot.getPlotItem()
    view = item.vb.geometry()
    shown = legend.isVisible() and bool(legend.items)
    if shown:
        for columns in range(len(legend.items), 0, -1):  # the most that fit
            legend.setColumnCount(columns)
            if legend_width(legend) <= view.width():
                break
        legend.updateSize()
        legend.anchor(itemPos=(0, 0), parentPos=(0, 0), offset=(view.left(), 0))
    height = legend.boundingRect().height() if shown else 0
    item.layout.setRowFixedHeight(TITLE_ROW, height)


def legend_width(legend: pg.LegendItem) -> float:
    """The width ``legend`` takes in its current columns."""
    return legend.layout.effectiveSizeHint(Qt.PreferredSize).width()
