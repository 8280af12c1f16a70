"""A tensor as a picture: numbers of rank 0, 1 or 2 turned into a QImage, one pixel per element.

The colours are pyqtgraph's ``CET-D1`` map (``COLOUR_MAP``), blue through white to red,
symmetric around 0: white is exactly 0, full red is +limit and full blue -limit, where the
limit is the largest magnitude among the finite elements (``symmetric_limit``) unless the
caller gives one (to share a scale between pictures). It is perceptually even and reads well
on the theme's near-white background (zero cells are told from the background by the frame a
view draws around the picture). Elements that are not finite numbers get colours of their own,
outside the map, which a legend can name (``NOT_FINITE_COLOURS``, ``legend_html``): nan black,
+inf yellow, -inf cyan.

Rank 1 is drawn as one row, rank 0 as a single pixel (``as_matrix``). Colouring is one
vectorised lookup in a 256-entry table (``COLOUR_TABLE``: 253 map colours, then nan, +inf and
-inf), so a 4096×4096 matrix colours in well under a second.

API:
    as_matrix(value) -> 2-D float64 array (rank 0 -> 1×1, rank 1 -> 1×n)
    matrix_shape(shape) -> the (rows, columns) a value of ``shape`` is drawn as
    symmetric_limit(value) -> float, the colours' ±limit
    extent_of(value) -> Extent(low, high, counts) with .limit, .range_text(), .legend_html()
    colour_indices(value, limit=None) -> uint8 array of indices into COLOUR_TABLE
    heatmap_image(value, limit=None) -> QImage (ARGB32, one pixel per element)
    range_text(value) -> "-0.52 … 0.73" (and how many elements are nan or ±inf)
    legend_html(value) -> coloured squares naming the non-finite kinds present ("" if none)
    element_name(name, rank, row, column) -> "W[1, 0]", "x[3]" or "f"
    HeatmapView(value=None, name="", parent=None): the picture, its range and the element
        under the mouse; .set_value(value, name=None, limit=None)  .image()  .limit
        signal cell_hovered(object): the index of the element under the mouse, or None

``HeatmapView`` scales the picture with nearest-neighbour sampling (crisp cells, square where
they fit; a long vector is stretched to a strip at least ``MIN_STRIP_PX`` or a quarter of the
room tall, a tall column as wide), shows the range and
legend underneath, and the element under the mouse as ``W[1, 0] = -0.30`` (the readout line
and the tooltip, which has every digit); ``cell_hovered`` reports that element's index. Beyond
``MAX_DRAWN_SIDE`` elements a side it draws nothing and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from engine import format_full, format_number
from gui.common import theme

COLOUR_MAP = "CET-D1"  # pyqtgraph's perceptually even blue-white-red
MAP_COLOURS = 253  # odd, so that one entry is exactly the map's middle (0)
CENTRE = MAP_COLOURS // 2
NAN_INDEX, POS_INF_INDEX, NEG_INF_INDEX = MAP_COLOURS, MAP_COLOURS + 1, MAP_COLOURS + 2
NOT_FINITE_COLOURS = {  # outside the map's hues, so a legend can name them
    "nan": QColor("#000000"),
    "inf": QColor("#ffd600"),
    "-inf": QColor("#00e5ff"),
}
MAX_DRAWN_SIDE = 4096
MIN_STRIP_PX = 14  # the least height (width) of the picture of a long row (column)
MIN_SIDE_FRACTION = 0.25  # ... or this much of the room, if that is more
FRAME = QColor("#90a4ae")


def _colour_table() -> np.ndarray:
    """The 256 colours ``colour_indices`` point into, as ARGB32 words (0xAARRGGBB)."""
    rgb = pg.colormap.get(COLOUR_MAP).getLookupTable(0.0, 1.0, nPts=MAP_COLOURS, alpha=False)
    rgb = np.concatenate([np.asarray(rgb, dtype=np.uint32).reshape(MAP_COLOURS, 3),
                          [[c.red(), c.green(), c.blue()] for c in NOT_FINITE_COLOURS.values()]])
    return (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)


COLOUR_TABLE = _colour_table()


def matrix_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """The (rows, columns) a value of ``shape`` is drawn as: () -> (1, 1), (n,) -> (1, n)."""
    return (1,) * (2 - len(shape)) + tuple(shape)


def as_matrix(value) -> np.ndarray:
    """``value`` (a number or an array of rank <= 2) as a 2-D float64 array: a number is 1×1,
    a vector one row."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim > 2:
        raise ValueError(f"a heatmap shows rank 0, 1 or 2, not shape {array.shape}")
    return array.reshape(1, -1) if array.ndim < 2 else array


@dataclass(frozen=True)
class Extent:
    """What a tensor's picture says of it in words: the least and greatest finite elements
    (None when none is finite) and how many elements are nan, inf and -inf (the kinds
    present only). ``extent_of`` finds it in a few vectorised passes."""

    low: float | None
    high: float | None
    counts: dict[str, int]

    @property
    def limit(self) -> float:
        """The colours' ±limit: the largest finite magnitude (1.0 when that is 0 or none, so
        an all-zero tensor is all white)."""
        limit = max(-self.low, self.high) if self.low is not None else 0.0
        return limit if limit > 0.0 else 1.0

    def range_text(self) -> str:
        """``-0.52 … 0.73`` (one number if they are equal), then the non-finite elements:
        ``-0.52 … 0.73 · 2 nan, 1 inf``."""
        if self.low is None:
            text = "no finite element"
        else:
            low, high = format_number(self.low), format_number(self.high)
            text = low if low == high else f"{low} … {high}"
        if self.counts:
            text += " · " + ", ".join(f"{count} {kind}" for kind, count in self.counts.items())
        return text

    def legend_html(self) -> str:
        """Rich text naming the colour of each non-finite kind present (``■ nan ■ inf``)."""
        return " &nbsp; ".join(
            f"<span style='color:{NOT_FINITE_COLOURS[kind].name()}'>■</span> {kind}"
            for kind in self.counts)


def extent_of(value) -> Extent:
    """``value``'s ``Extent``."""
    matrix = as_matrix(value)
    finite = np.isfinite(matrix)
    if finite.all():
        return Extent(float(matrix.min()), float(matrix.max()), {})
    counts = {"nan": int(np.isnan(matrix).sum()), "inf": int(np.isposinf(matrix).sum()),
              "-inf": int(np.isneginf(matrix).sum())}
    counts = {kind: count for kind, count in counts.items() if count}
    if not finite.any():
        return Extent(None, None, counts)
    return Extent(float(np.where(finite, matrix, np.inf).min()),
                  float(np.where(finite, matrix, -np.inf).max()), counts)


def symmetric_limit(value) -> float:
    """The colours' ±limit for ``value``: its largest finite magnitude (see ``Extent``)."""
    return extent_of(value).limit


def range_text(value) -> str:
    """The finite elements' range and the non-finite count: ``-0.52 … 0.73 · 2 nan``."""
    return extent_of(value).range_text()


def legend_html(value) -> str:
    """Rich text naming the colour of each non-finite kind present (``■ nan ■ inf``), or ""."""
    return extent_of(value).legend_html()


def colour_indices(value, limit: float | None = None) -> np.ndarray:
    """Each element's index into ``COLOUR_TABLE`` (uint8, the shape of ``as_matrix(value)``):
    its place on the map between -limit and +limit (clipped beyond), or nan/+inf/-inf's own."""
    matrix = as_matrix(value)
    limit = symmetric_limit(matrix) if limit is None or not limit > 0.0 else float(limit)
    finite = np.isfinite(matrix)
    every_finite = bool(finite.all())
    with np.errstate(over="ignore"):  # beyond the limit is clipped to it below anyway
        scaled = matrix / limit
    if not every_finite:
        scaled[~finite] = 0.0
    np.clip(scaled, -1.0, 1.0, out=scaled)
    scaled *= CENTRE
    scaled += CENTRE + 0.5  # cast to an integer below, + 0.5 rounds to the nearest
    indices = scaled.astype(np.uint8)
    if not every_finite:
        indices[np.isnan(matrix)] = NAN_INDEX
        indices[np.isposinf(matrix)] = POS_INF_INDEX
        indices[np.isneginf(matrix)] = NEG_INF_INDEX
    return indices


def heatmap_image(value, limit: float | None = None) -> QImage:
    """``value`` as an image one pixel per element (rows × columns), coloured as the module
    docstring says."""
    indices = colour_indices(value, limit)
    height, width = indices.shape
    image = QImage(width, height, QImage.Format_ARGB32)  # rows of 4 * width bytes, no padding
    pixels = np.frombuffer(image.bits(), dtype=np.uint32).reshape(height, width)
    np.take(COLOUR_TABLE, indices, out=pixels)
    return image


def element_name(name: str, rank: int, row: int, column: int) -> str:
    """How the element at (row, column) of the drawn matrix is written: ``W[1, 0]``, ``x[3]``
    for a vector (drawn as one row), ``f`` for a number."""
    if rank == 0:
        return name
    return f"{name}[{column}]" if rank == 1 else f"{name}[{row}, {column}]"


class _HeatmapCanvas(QWidget):
    """The picture itself, scaled without smoothing, in a thin frame; tracks the mouse."""

    hovered = Signal(object)  # (row, column) of the drawn matrix, or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(60, 30)

    def sizeHint(self) -> QSize:
        return QSize(240, 240)

    def set_image(self, image: QImage | None) -> None:
        self.image = image
        self.update()

    def image_rect(self) -> QRectF:
        """Where the picture is drawn: as large as fits with square cells, centred; a picture
        much wider than tall is stretched to be at least ``MIN_STRIP_PX`` or a quarter of the
        room high (and one much taller than wide as wide)."""
        if self.image is None or self.image.isNull():
            return QRectF()
        rows, columns = self.image.height(), self.image.width()
        room_w, room_h = max(self.width() - 2.0, 1.0), max(self.height() - 2.0, 1.0)
        cell = min(room_w / columns, room_h / rows)
        width = min(room_w, max(columns * cell, MIN_STRIP_PX, MIN_SIDE_FRACTION * room_w))
        height = min(room_h, max(rows * cell, MIN_STRIP_PX, MIN_SIDE_FRACTION * room_h))
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        """The (row, column) of the drawn matrix under ``pos``, or None outside the picture."""
        rect = self.image_rect()
        if rect.isEmpty() or not rect.contains(pos):
            return None
        row = int((pos.y() - rect.top()) / rect.height() * self.image.height())
        column = int((pos.x() - rect.left()) / rect.width() * self.image.width())
        return min(row, self.image.height() - 1), min(column, self.image.width() - 1)

    def paintEvent(self, event):
        rect = self.image_rect()
        if rect.isEmpty():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, False)
        painter.drawImage(rect, self.image)
        painter.setPen(QPen(FRAME, 1.0))
        painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        painter.end()

    def mouseMoveEvent(self, event):
        self.hovered.emit(self.cell_at(event.position()))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event):
        self.hovered.emit(None)
        super().leaveEvent(event)


class HeatmapView(QWidget):
    """A tensor's heatmap with its range (and non-finite legend) underneath and a readout of
    the element under the mouse. ``set_value`` shows another value in place."""

    cell_hovered = Signal(object)  # the hovered element's index into the value (() for a
    # number, (j,) in a vector, (i, j) in a matrix), or None when the mouse leaves it

    def __init__(self, value=None, name: str = "", parent=None):
        super().__init__(parent)
        self.name = name
        self.value: np.ndarray | None = None
        self.limit = 1.0
        self.canvas = _HeatmapCanvas(self)
        self.canvas.setObjectName("heatmap_canvas")
        self.canvas.hovered.connect(self._on_hovered)
        self.range_label = QLabel(self)
        self.range_label.setObjectName("heatmap_range")
        self.range_label.setTextFormat(Qt.RichText)
        self.readout = QLabel(" ", self)
        self.readout.setObjectName("heatmap_readout")
        self.readout.setStyleSheet(f"color: {theme.SOFT_INK.name()}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.range_label)
        layout.addWidget(self.readout)
        if value is not None:
            self.set_value(value)

    def set_value(self, value, name: str | None = None, limit: float | None = None) -> None:
        """Show ``value`` (a number or an array of rank <= 2, kept by reference: do not change
        it afterwards; ``name`` writes its elements in the readout; ``limit`` fixes the colours'
        ±limit, else the largest finite magnitude)."""
        if name is not None:
            self.name = name
        self.value = np.asarray(value, dtype=np.float64)  # kept, not copied: read only
        matrix = as_matrix(self.value)
        extent = extent_of(matrix)
        self.readout.setText(" ")
        if max(matrix.shape) > MAX_DRAWN_SIDE:
            self.canvas.set_image(None)
            self.range_label.setText(
                f"Too big to draw: {matrix.shape[0]}×{matrix.shape[1]} (at most "
                f"{MAX_DRAWN_SIDE} elements a side). {extent.range_text()}")
            return
        self.limit = extent.limit if limit is None else float(limit)
        self.canvas.set_image(heatmap_image(matrix, self.limit))
        legend = extent.legend_html()
        self.range_label.setText(extent.range_text() + (f" &nbsp; {legend}" if legend else ""))
        self.range_label.setToolTip(
            f"Colours: blue −{format_number(self.limit)} · white 0 · red "
            f"{format_number(self.limit)}")

    def image(self) -> QImage | None:
        """The picture shown, one pixel per element (None when too big or nothing shown)."""
        return self.canvas.image

    def _on_hovered(self, cell) -> None:
        if cell is None or self.value is None:
            self.readout.setText(" ")
            self.canvas.setToolTip("")
            self.cell_hovered.emit(None)
            return
        row, column = cell
        index = ((), (column,), (row, column))[self.value.ndim]
        number = float(self.value[index])
        written = element_name(self.name or "", self.value.ndim, row, column) or "value"
        self.readout.setText(f"{written} = {format_number(number)}")
        self.canvas.setToolTip(f"{written} = {format_full(number)}")
        self.cell_hovered.emit(index)
