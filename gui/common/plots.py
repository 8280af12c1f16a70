"""The app's plots made one way: ``make_plot`` and the pieces the live curves share.

Every plot (gradient ascent's output and trajectories, training's loss and accuracy, the
decision boundary) comes from ``make_plot``: a white background, labelled axes without SI
prefixes ("0.91", not "910 (x0.001)"), axes cached as pixmaps (curves touching them would make
them repaint each frame), and a bottom axis that numbers only as many ticks as fit side by side
(``SparseAxis``: "2000   6000" on a narrow plot, never "2000400060008000").

Live curves follow pyqtgraph's PlotSpeedTest: their items are made once, and each frame appends
the new points to a ``GrowingSeries`` and calls ``setData``. The axes' ranges are set by
``PlotRange`` rather than by pyqtgraph's auto-range, which re-ranges while painting and so
paints every plot twice per frame: it widens them in jumps (the x axis by half again when the
data reach its end, the y axis with 10% headroom), and ``reset`` puts the plot back to its
empty range (another circuit's curves must not leave their ranges behind).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QGraphicsItem

BACKGROUND = "w"
LABEL_GAP_PX = 18  # between two numbers on the bottom axis
MAX_LABELS = 8
EMPTY_X = (0.0, 10.0)
EMPTY_Y = (0.0, 1.0)


class SparseAxis(pg.AxisItem):
    """An axis whose numbered ticks never run into each other, however narrow the plot: the
    numbered step is the smallest 1-2-5 step whose labels are a label's width apart on screen
    (at most ``MAX_LABELS`` of them); the ticks halfway between carry no number."""

    def __init__(self, orientation: str, **options):
        super().__init__(orientation, **options)
        self.setStyle(maxTextLevel=0)

    def tickSpacing(self, minVal, maxVal, size):
        span = abs(maxVal - minVal)
        if self.orientation not in ("bottom", "top") or not (
                math.isfinite(span) and span > 0 and size > 0):
            return super().tickSpacing(minVal, maxVal, size)
        font = self.style.get("tickFont") or self.font()
        rough = _nice_at_least(span / MAX_LABELS)
        texts = self.tickStrings([minVal, maxVal], 1.0, rough)
        label_px = max(QFontMetrics(font).horizontalAdvance(text) for text in texts) \
            + LABEL_GAP_PX
        # the numbered ticks at least a label apart on screen, and no more than MAX_LABELS
        spacing = _nice_at_least(max(span * label_px / size, span / MAX_LABELS))
        return [(spacing, 0.0), (spacing / 2, 0.0)]


def _nice_at_least(step: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is at least ``step``."""
    power = 10.0 ** math.floor(math.log10(step))
    for mantissa in (1, 2, 5, 10):
        if mantissa * power >= step * (1 - 1e-9):
            return mantissa * power
    return 10 * power


def make_plot(name: str, left: str, bottom: str, *, view_box: pg.ViewBox | None = None,
              grid: bool = True, min_size: tuple[int, int] = (150, 140)) -> pg.PlotWidget:
    """A plot of the app: white, labelled, sparse bottom ticks, ranges set by the caller."""
    plot = pg.PlotWidget(background=BACKGROUND, viewBox=view_box,
                         axisItems={"bottom": SparseAxis("bottom")})
    plot.setObjectName(name)
    item = plot.getPlotItem()
    item.setLabel("left", left)
    item.setLabel("bottom", bottom)
    if grid:
        item.showGrid(x=True, y=True, alpha=0.25)
    plot.setMinimumSize(*min_size)
    plot.setMouseEnabled(x=False, y=False)  # the ranges follow the data
    item.hideButtons()
    item.setMenuEnabled(False)
    item.vb.disableAutoRange()
    for axis_name in ("left", "bottom"):
        axis = item.getAxis(axis_name)
        axis.enableAutoSIPrefix(False)
        axis.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    return plot


class GrowingSeries:
    """Rows of numbers appended a few at a time, kept in a numpy buffer that doubles."""

    def __init__(self, width: int):
        self._data = np.empty((64, width))
        self.size = 0

    def extend(self, rows) -> None:
        """Append ``rows`` (a sequence of rows of ``width`` numbers)."""
        rows = np.asarray(rows, dtype=float).reshape(-1, self._data.shape[1])
        needed = self.size + len(rows)
        if needed > len(self._data):
            bigger = np.empty((max(needed, 2 * len(self._data)), self._data.shape[1]))
            bigger[:self.size] = self._data[:self.size]
            self._data = bigger
        self._data[self.size:needed] = rows
        self.size = needed

    def column(self, k: int) -> np.ndarray:
        """Column ``k`` of the rows so far (a view)."""
        return self._data[:self.size, k]


class PlotRange:
    """The shown ranges of one plot, widened in jumps to hold every point given so far."""

    GROWTH = 1.5
    MIN_X = 10
    HEADROOM = 0.1

    def __init__(self, plot: pg.PlotWidget, empty_y: tuple[float, float] | None = EMPTY_Y):
        self.plot = plot
        self.empty_y = empty_y  # None: the y axis is not this range's (e.g. accuracy 0-100%)
        self.reset()

    def reset(self) -> None:
        """Forget the data seen and show the empty ranges again."""
        self.x_end = 0.0
        self.low = self.high = None  # the data's extent
        self.shown = None  # (low, high) on the y axis now
        self.plot.setXRange(*EMPTY_X, padding=0.02)
        if self.empty_y is not None:
            self.plot.setYRange(*self.empty_y, padding=0)

    def include(self, last_x: float, low: float, high: float) -> None:
        """Make room for points up to ``last_x`` with values in [low, high]."""
        if last_x > self.x_end:
            self.x_end = max(float(self.MIN_X), self.x_end * self.GROWTH, float(last_x))
            self.plot.setXRange(0, self.x_end, padding=0.02)
        if not (np.isfinite(low) and np.isfinite(high)):
            return
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)
        if self.shown is not None and self.shown[0] <= self.low and self.high <= self.shown[1]:
            return
        span = max(self.high - self.low, 1e-6 * max(abs(self.low), abs(self.high)), 1e-9)
        self.shown = (self.low - self.HEADROOM * span, self.high + self.HEADROOM * span)
        self.plot.setYRange(*self.shown, padding=0)
