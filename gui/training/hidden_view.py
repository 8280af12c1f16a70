"""A hidden layer's units as small multiples, and a 2-unit layer's warped plane.

Shown in the boundary dock in place of the single map when the selected gate is a vector (a
hidden layer of a tensor net, ``h1 = relu(W1·x + b1)``): one small map per unit, like
TensorFlow Playground's neurons, all in one image (``hidden_maps.unit_atlas``), so the 256
units of the widest layer redraw as fast as one map. Hovering a tile names its unit.

A layer of exactly 2 units also gets the lecture's "space warping" picture below: the input
grid's lines and the data points as the layer maps them, in the layer's own coordinates
(h[0], h[1]); while the net trains the grid folds until a line can separate the two colours.

The widget only draws what it is given (``show_units``, ``show_warp``): the boundary plot
evaluates the circuit through the training session.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.common.plots import make_plot
from gui.training.boundary_image import LEVELS, NEGATIVE_RGB, POSITIVE_RGB, colour_table
from gui.training.hidden_maps import tile_of, unit_atlas

GRID_PEN = (95, 99, 104, 150)
POINT_SIZE = 8


class HiddenLayerView(QWidget):
    """Small multiples of a layer's units; the warped grid for a layer of 2."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("hidden_layer_view")
        self._units = 0
        self._tiles = (0, 0, 1, 1)  # rows, columns, tile height, tile width
        self._name = ""
        self.caption = QLabel(self)
        self.caption.setObjectName("hidden_layer_caption")
        self.caption.setWordWrap(True)
        self.atlas_plot = make_plot("hidden_units_plot", "", "", grid=False, min_size=(200, 160))
        item = self.atlas_plot.getPlotItem()
        for axis in ("left", "bottom"):
            item.hideAxis(axis)
        item.vb.setAspectLocked(True)
        item.vb.invertY(False)
        self.atlas_item = pg.ImageItem(axisOrder="row-major")
        self.atlas_item.setLookupTable(colour_table())
        self.atlas_plot.addItem(self.atlas_item)
        self.atlas_plot.scene().sigMouseMoved.connect(self._hovered)

        self.warp_plot = make_plot("space_warp_plot", "h[1]", "h[0]", min_size=(200, 180))
        self.warp_plot.setTitle("the plane as the layer maps it", size="9pt")
        self.grid_item = pg.PlotCurveItem(pen=pg.mkPen(GRID_PEN, width=1), connect="finite")
        self.points_item = pg.ScatterPlotItem(pen=pg.mkPen("w", width=1), size=POINT_SIZE)
        self.warp_plot.addItem(self.grid_item)
        self.warp_plot.addItem(self.points_item)
        self._brushes = np.array([pg.mkBrush(*NEGATIVE_RGB), pg.mkBrush(*POSITIVE_RGB)],
                                 dtype=object)
        self.warp_plot.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.caption)
        layout.addWidget(self.atlas_plot, 3)
        layout.addWidget(self.warp_plot, 2)

    # ----------------------------------------------------------------- drawing
    def show_units(self, name: str, values: np.ndarray) -> None:
        """Draw one map per unit of ``values`` (ny, nx, units) as tiles, unit 0 top left."""
        ny, nx, units = values.shape
        image, rows, columns = unit_atlas(values)
        self.atlas_item.setImage(image, autoLevels=False, levels=LEVELS)
        height, width = image.shape
        if (self._units, self._tiles) != (units, (rows, columns, ny, nx)):
            self.atlas_item.setRect(QRectF(0, 0, width, height))
            self.atlas_plot.getPlotItem().vb.setRange(xRange=(0, width), yRange=(0, height),
                                                      padding=0.02)
        self._units, self._tiles, self._name = units, (rows, columns, ny, nx), name
        self.caption.setText(f"<b>{name}</b>: {units} unit{'s' if units != 1 else ''}, each "
                             "tile one unit's value over the plane (blue &gt; 0, orange &lt; 0, "
                             "each on its own scale)")

    def show_warp(self, lines: np.ndarray | None, points: np.ndarray | None = None,
                  labels: np.ndarray | None = None) -> None:
        """The grid's ``lines`` (L, S, 2) and the data ``points`` (N, 2) in the layer's
        coordinates; None hides the picture (a layer that is not 2 units wide)."""
        if lines is None:
            self.warp_plot.hide()
            return
        gaps = np.full((lines.shape[0], 1, 2), np.nan)
        path = np.concatenate([lines, gaps], axis=1).reshape(-1, 2)
        self.grid_item.setData(path[:, 0], path[:, 1])
        if points is not None and len(points):
            positive = np.asarray(labels) > 0
            self.points_item.setData(pos=points, symbol=np.where(positive, "o", "s"),
                                     brush=self._brushes[positive.astype(int)])
            shown = np.concatenate([path[np.isfinite(path).all(axis=1)], points])
        else:
            self.points_item.setData([], [])
            shown = path[np.isfinite(path).all(axis=1)]
        if len(shown):
            low, high = shown.min(axis=0), shown.max(axis=0)
            pad = 0.05 * np.maximum(high - low, 1e-6)
            self.warp_plot.getPlotItem().vb.setRange(
                xRange=(low[0] - pad[0], high[0] + pad[0]),
                yRange=(low[1] - pad[1], high[1] + pad[1]), padding=0)
        self.warp_plot.show()

    # ----------------------------------------------------------------- reading it
    def tile_count(self) -> int:
        """How many tiles (units) the atlas shows."""
        return self._units

    def atlas_image(self) -> np.ndarray | None:
        """The atlas as drawn: lookup-table indices, row 0 at the bottom."""
        return self.atlas_item.image

    def unit_at(self, x: float, y: float) -> int | None:
        """The unit whose tile holds atlas pixel (x, y), or None."""
        rows, columns, ny, nx = self._tiles
        return tile_of(x, y, ny, nx, rows, columns, self._units)

    def _hovered(self, scene_pos) -> None:
        point = self.atlas_plot.getPlotItem().vb.mapSceneToView(scene_pos)
        unit = self.unit_at(point.x(), point.y())
        self.atlas_plot.setToolTip("" if unit is None else f"{self._name}[{unit}]: unit {unit}")
