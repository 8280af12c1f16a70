"""The live decision-boundary plot: the circuit's score over the plane, the data on top.

A circuit whose inputs are bound to data x and y (feature 0 and 1) is a classifier: it gives
every point of the plane a score, and the sign of the score is the predicted label. The plot
samples the score on a grid covering the view (100 x 100 by default) and shows it as a heatmap
(``gui.training.boundary_image``: blue where it is positive, orange where negative, paler near
zero, grey where it is not a number), the zero line as the decision boundary, and the data
set's points on top (+1 blue circles, -1 orange squares). The view covers the data with a
margin, the aspect ratio locked so a circle looks round.

Select one gate on the canvas and the map shows that gate's own value instead (TensorFlow
Playground's per-neuron maps): each hidden unit of a net is a simple cut of the plane, and the
output adds the cuts up -- the lecture's "space warping", visible. Its name and formula are the
plot's title. "Show the output" pins the map to the output whatever is selected. A gate whose
value is a vector (a tensor net's hidden layer) has a map per element: they show as small
multiples, and a layer of 2 also as the warped plane (``hidden_view.HiddenLayerView``).

A click on the plot adds a +1 point, Shift+click a -1 point, Ctrl+click removes the point
nearest the click (within ``REMOVE_RADIUS_PX`` pixels): each one undo step, through the
``TrainingSession``. The view does not pan or zoom, so a click is always just a click.

Drawing follows pyqtgraph's ImageItem example: the plot items are made once, and a redraw only
hands them new arrays (``setImage(..., autoLevels=False, levels=...)`` with a fixed lookup
table). Redraws are coalesced: whatever arrives in one turn of the event loop (a training
frame's ``params_changed``, the document's ``results_changed`` outside a run, a selection),
the grid is evaluated once, and not at all while the plot is hidden (it catches up when shown).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout,
                               QWidget)

from engine import CircuitError, format_number, infix_text
from gui.training.boundary_image import (LEVELS, NEGATIVE_RGB, POSITIVE_RGB, colour_table,
                                join_segments, plane_grid, robust_scale, shade, zero_contour)
from gui.training.hidden_maps import grid_lines
from gui.training.hidden_view import HiddenLayerView
from gui.common.plots import make_plot
from gui.common.widgets import SquareFrame
from gui.common.deferred import after_events

RESOLUTION = 100  # grid points along each axis (at most)
GRID_WORK = 1_500_000  # numbers one pass over the grid may compute: a wide net gets a coarser
MIN_RESOLUTION = 40  # grid (h = 100: about 70 x 70), which the smooth image hides
UNIT_RESOLUTION = 32  # grid points along each axis of one unit's small map
MAX_UNIT_MAPS = 256  # a layer wider than this shows its first 256 units
OUTPUT_SCALE = 1.0  # the output's colour is full at |score| >~ 2 (tanh(2) = 0.96)
MIN_MARGIN = 0.5  # the view reaches this far (or 10% of the data's span) past the points
MARGIN_FRACTION = 0.1
DEFAULT_RANGE = (-3.0, 3.0, -3.0, 3.0)  # without data
REMOVE_RADIUS_PX = 20
MAX_TITLE = 70  # characters of formula in the title
TITLE_POINTS = 10
TITLE_MARGIN_PX = 24
POINT_SIZE = 11
BOUNDARY_COLOUR = "#202124"

NO_DATA_HINT = ("Bind two inputs to data x and y (Properties → data)\n"
                "or build a classifier from Train → New from Template…")
CLICK_HELP = ("Click: add a +1 point · Shift+click: add a −1 point · "
              "Ctrl+click: remove the nearest point")


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


def gate_expression(circuit, node_id: str) -> str:
    """What gate ``node_id`` computes from its inputs' names: ``relu(h1)``, ``a·x + b·y + c``."""
    node = circuit.nodes[node_id]
    names = [circuit.nodes[src].name if src in circuit.nodes else "?"
             for src in circuit.inputs_of(node_id)]
    # the table's infix form, compact: a·x for a product, h^2 for a power, params as typed
    text = infix_text(node.gate, names, node.params, lambda number: f"{number:g}", compact=True)
    return text if len(text) <= MAX_TITLE else text[:MAX_TITLE - 1] + "…"


class _ClickViewBox(pg.ViewBox):
    """A ViewBox that reports left clicks in data coordinates (and never pans or zooms)."""

    clicked = Signal(float, float, object)  # x, y, Qt.KeyboardModifiers

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.LeftButton:
            ev.accept()
            point = self.mapSceneToView(ev.scenePos())
            self.clicked.emit(point.x(), point.y(), ev.modifiers())
        else:
            super().mouseClickEvent(ev)


class _SmoothImage(pg.ImageItem):
    """An image scaled up smoothly (bilinear), so the 100 x 100 grid shows no steps."""

    def paint(self, painter, *args):
        painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
        super().paint(painter, *args)


class _PassiveScatter(pg.ScatterPlotItem):
    """Data points that let clicks through to the plot (a click on a point adds or removes)."""

    def mouseClickEvent(self, ev):
        ev.ignore()


class BoundaryPlot(QWidget):
    """The score (or one gate's value) over the plane, the zero line, the data points."""

    status_message = Signal(str)

    def __init__(self, session, scene=None, parent=None, resolution: int = RESOLUTION):
        super().__init__(parent)
        self.setObjectName("boundary_plot")
        self.session = session
        self.document = session.document
        self.resolution = int(resolution)
        self._values: np.ndarray | None = None
        self._xs = self._ys = None
        self._segments = np.empty((0, 2, 2))
        self._selected: str | None = None
        self._shown: str | None = None  # the gate mapped now (None: the output)
        self._hint = ""
        self._title = None
        self._rect = None
        self._range = DEFAULT_RANGE
        self._dataset = None
        self._dirty = True
        self._build()
        self._timer = after_events(self, self.refresh, "boundary_redraw_timer")
        session.params_changed.connect(self.schedule)
        session.dataset_changed.connect(self._dataset_changed)
        self.document.results_changed.connect(self._results_changed)
        self.view_box.sigRangeChanged.connect(self.schedule)
        if scene is not None:
            scene.selection_ids_changed.connect(self._selection_changed)
        self._dataset_changed(session.dataset)
        self._fit(session.dataset)

    # ----------------------------------------------------------------- building
    def _build(self) -> None:
        self.view_box = _ClickViewBox(enableMenu=False)
        self.view_box.setMouseEnabled(x=False, y=False)
        self.view_box.setAspectLocked(True)
        self.view_box.disableAutoRange()
        self.view_box.clicked.connect(self._clicked)
        self.plot = make_plot("boundary_plot_view", "y", "x", view_box=self.view_box,
                              grid=False, min_size=(220, 220))
        self.plot.setCursor(Qt.CrossCursor)
        self.plot.setToolTip(CLICK_HELP)
        self.plot.getPlotItem().layout.setContentsMargins(2, 2, 14, 2)  # off the edge

        # by label: [-1, +1] (indexed by label > 0, a brush per point without a Python loop)
        self._brushes = np.array([pg.mkBrush(*NEGATIVE_RGB), pg.mkBrush(*POSITIVE_RGB)],
                                 dtype=object)
        self._title_font = QFont(self.font())
        self._title_font.setPointSize(TITLE_POINTS)
        self.image_item = _SmoothImage(axisOrder="row-major")
        self.image_item.setLookupTable(colour_table())
        self.image_item.setZValue(-10)
        self.contour_item = pg.PlotCurveItem(pen=pg.mkPen(BOUNDARY_COLOUR, width=2),
                                             connect="pairs", antialias=True)
        # one item for both classes, drawn in the data set's order: a point added later is on
        # top, so a -1 point clicked into the +1 cluster is seen (and the other way round)
        self.points_item = _PassiveScatter(pen=pg.mkPen("w", width=1.5))
        # painted once into a pixmap while the view stays put: the map redraws under it many
        # times a second, and 100 000 points take tens of milliseconds to paint
        self.points_item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        for graphic in (self.image_item, self.contour_item, self.points_item):
            self.plot.addItem(graphic)

        self.hint_label = QLabel(self.plot)  # over the plot, centred in resizeEvent
        self.hint_label.setObjectName("boundary_hint")
        self.hint_label.setAlignment(Qt.AlignCenter)
        self.hint_label.setWordWrap(True)
        self.hint_label.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.hint_label.setStyleSheet("QLabel { background: rgba(255, 255, 255, 230); "
                                      "color: #3c4043; border: 1px solid #bdc1c6; "
                                      "border-radius: 6px; padding: 10px; }")
        self.hint_label.hide()

        self.key_label = QLabel(self)
        self.key_label.setObjectName("boundary_key")
        self.key_label.setTextFormat(Qt.RichText)
        self.key_label.setWordWrap(True)
        # two lines, always: a key that grew would shrink the plot and move its grid
        self.key_label.setFixedHeight(2 * self.key_label.fontMetrics().lineSpacing() + 4)
        self.pin_box = QCheckBox("Show the output", self)
        self.pin_box.setObjectName("boundary_pin_output")
        self.pin_box.setToolTip("Keep showing the circuit's output when a gate is selected "
                                "(otherwise the map shows the selected gate's own value)")
        self.pin_box.toggled.connect(self.schedule)
        row = QHBoxLayout()
        row.setContentsMargins(6, 0, 6, 2)
        row.addWidget(self.key_label, 1)
        row.addWidget(self.pin_box, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.square = SquareFrame(self.plot, self)  # the plane keeps its aspect in any dock
        self.plot.installEventFilter(self)
        layout.addWidget(self.square, 1)
        self.hidden_view = HiddenLayerView(self)
        self.hidden_view.hide()
        layout.addWidget(self.hidden_view, 1)
        layout.addLayout(row)
        self._set_key("score", "score = 0", OUTPUT_SCALE)

    def _set_key(self, what: str, line: str, scale: float, note: str = "") -> None:
        blue, orange = _hex(POSITIVE_RGB), _hex(NEGATIVE_RGB)
        self.key_label.setText(
            f"<span style='color:{blue}'>●</span> +1 &nbsp; "
            f"<span style='color:{orange}'>■</span> −1 &nbsp; "
            f"<span style='color:{BOUNDARY_COLOUR}'>━</span> {line}<br>"
            f"<span style='color:#5f6368'>shade: {what} "
            f"<span style='color:{blue}'><b>&gt; 0</b></span> / "
            f"<span style='color:{orange}'><b>&lt; 0</b></span>, pale near 0</span>")
        self.key_label.setToolTip((note + "\n" if note else "")
                                  + f"The colour is full where |{what}| is "
                                  f"{format_number(2 * scale)} or more; grey where it is not "
                                  "a number.")

    # ----------------------------------------------------------------- public
    def schedule(self, *_args) -> None:
        """Redraw at the next turn of the event loop (many calls in one turn: one redraw)."""
        self._dirty = True
        if self.isVisible():
            self._timer.start()

    def _results_changed(self, _result) -> None:
        if not self.session.running:  # a training frame's params_changed has redrawn it
            self.schedule()

    def refresh(self) -> None:
        """Evaluate the grid and redraw now."""
        self._timer.stop()
        self._dirty = False
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        node_id = self.shown_node()
        if node_id is not None and self.session.node_shape(node_id):
            self._show_layer(node_id, (x0, x1), (y0, y1))
            return
        self._show_single_map()
        nx = ny = self.grid_side()
        xs, ys, points = plane_grid((x0, x1), (y0, y1), nx, ny)
        values, hint = self._evaluate(points, node_id)
        line_id = self._line_source(node_id) if values is not None else None
        line_values = values
        if line_id is not None:
            line_values, _hint = self._evaluate(points, line_id)
        self._shown = node_id
        self._xs, self._ys, self._values = xs, ys, values
        self._show_hint(hint)
        if values is None:
            self.image_item.clear()
            self._segments = np.empty((0, 2, 2))
            self.contour_item.setData([], [])
            self._set_title("")
            self._set_key("score", "score = 0", OUTPUT_SCALE)  # no gate's map is shown
            return
        scale = OUTPUT_SCALE if node_id is None else robust_scale(values)
        self.image_item.setImage(shade(values, scale), autoLevels=False, levels=LEVELS)
        dx, dy = (x1 - x0) / (nx - 1), (y1 - y0) / (ny - 1)
        rect = (x0 - dx / 2, y0 - dy / 2, nx * dx, ny * dy)  # pixel centres on the grid
        if rect != self._rect:
            self._rect = rect
            self.image_item.setRect(QRectF(*rect))
        self._segments = (zero_contour(line_values, xs, ys) if line_values is not None
                          else np.empty((0, 2, 2)))
        ends = self._segments.reshape(-1, 2)
        self.contour_item.setData(ends[:, 0], ends[:, 1])
        self._show_title(node_id, line_id, scale)

    def grid_side(self) -> int:
        """The grid's points along each axis: ``resolution``, fewer for a circuit whose pass
        computes many numbers per point (a wide tensor net), so a redraw stays a few ms."""
        per_point = self.session.numbers_per_point()
        side = int(math.sqrt(GRID_WORK / per_point)) if per_point > 0 else self.resolution
        return max(min(MIN_RESOLUTION, self.resolution), min(self.resolution, side))

    def _show_single_map(self) -> None:
        if self.hidden_view.isVisibleTo(self):
            self.hidden_view.hide()
            self.square.show()

    def _show_layer(self, node_id: str, x_range, y_range) -> None:
        """Small multiples of a vector gate's elements; a layer of 2 also warps the plane."""
        _xs, _ys, points = plane_grid(x_range, y_range, UNIT_RESOLUTION, UNIT_RESOLUTION)
        values, hint = self._evaluate(points, node_id)
        self._shown = node_id
        if values is None:
            self._show_single_map()
            self._show_hint(hint)
            return
        units = values.reshape(UNIT_RESOLUTION, UNIT_RESOLUTION, -1)
        name = self.document.circuit.nodes[node_id].name
        formula = gate_expression(self.document.circuit, node_id)
        self.hidden_view.show_units(f"{name} = {formula}", units[:, :, :MAX_UNIT_MAPS])
        warp = None
        if units.shape[2] == 2:
            lines = grid_lines(x_range, y_range)
            warp, _hint = self._evaluate(lines, node_id)
        if warp is not None:
            dataset = self.session.dataset
            mapped = labels = None
            if dataset is not None and len(dataset):
                mapped, _hint = self._evaluate(dataset.points, node_id)
                labels = dataset.labels
            self.hidden_view.show_warp(warp, mapped, labels)
        else:
            self.hidden_view.show_warp(None)
        self._show_hint("")
        self._set_title(f"hidden layer {name}")
        self._set_key(f"{name}[i]", f"{name}: one tile per unit", 1.0,
                      "Each tile is one unit's map, on its own scale.")
        if not self.hidden_view.isVisibleTo(self):
            self.square.hide()
            self.hidden_view.show()

    def shown_node(self) -> str | None:
        """The gate whose values the map shows (None: the circuit's output)."""
        circuit = self.document.circuit
        node = circuit.nodes.get(self._selected) if self._selected else None
        if self.pin_box.isChecked() or node is None or node.gate.is_source:
            return None
        try:
            if circuit.output_id() == node.id:
                return None
        except CircuitError:
            pass
        return node.id

    def image_data(self) -> np.ndarray | None:
        """The values on the grid (ny, nx) as now drawn, row 0 at the smallest y (None: none)."""
        self._catch_up()
        return self._values

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """The grid's x (columns) and y (rows) coordinates behind ``image_data``."""
        self._catch_up()
        return self._xs, self._ys

    def contour_segments(self) -> np.ndarray:
        """The decision boundary's segments (m, 2, 2) in data coordinates."""
        self._catch_up()
        return self._segments

    def boundary_points(self) -> np.ndarray:
        """The ends of the decision boundary's segments (k, 2)."""
        return self.contour_segments().reshape(-1, 2)

    def contour_paths(self) -> list[np.ndarray]:
        """The decision boundary as polylines, each an (n, 2) array."""
        return join_segments(self.contour_segments())

    def hint(self) -> str:
        """The hint shown instead of a map ("" when there is a map)."""
        self._catch_up()
        return self._hint

    def title(self) -> str:
        """The plot's title: what the map shows."""
        self._catch_up()
        return self._title or ""

    # ----------------------------------------------------------------- evaluation
    def _evaluate(self, points, node_id):
        """The values over ``points`` and "", or None and the hint to show instead."""
        if not self.session.data_inputs():
            return None, NO_DATA_HINT
        try:
            if node_id is not None:
                return self.session.node_values(points, node_id), ""
            return self.session.scores(points), ""
        except CircuitError as error:
            return None, f"The circuit cannot be evaluated yet:\n{error}"

    def _line_source(self, node_id: str | None) -> str | None:
        """The gate whose zero line to draw instead of ``node_id``'s own (None: its own).

        A relu is exactly 0 wherever it is off, so its zero set is a region, not a line: the
        line drawn is where its input crosses 0, the edge where the unit switches on (so for
        every gate whose kink is at its input's 0, in the gate table).
        """
        if node_id is None:
            return None
        circuit = self.document.circuit
        kink = circuit.nodes[node_id].gate.kink
        if kink is None or not kink.at_input_zero:
            return None
        source = circuit.source_of(node_id, 0)
        return source if source in circuit.nodes else None

    def _catch_up(self) -> None:
        if self._dirty or self._timer.isActive():
            self.refresh()

    def _show_title(self, node_id: str | None, line_id: str | None, scale: float) -> None:
        circuit = self.document.circuit
        try:
            shown = node_id if node_id is not None else circuit.output_id()
        except CircuitError:
            self._set_title("output")
            return
        node = circuit.nodes[shown]
        if node_id is None:
            kind = "output"
        elif node.gate.group == "nonlinear":
            kind = "hidden unit"
        else:
            kind = "gate"
        formula = gate_expression(circuit, shown) if not node.gate.is_source else ""
        self._set_title(f"{kind} {node.name}" + (f" = {formula}" if formula else ""))
        if node_id is None:
            self._set_key("score", "score = 0", scale)
        elif line_id is not None:
            line_name = circuit.nodes[line_id].name
            self._set_key(node.name, f"{node.name} turns on", scale,
                          f"The line is where {node.name}'s input {line_name} is 0: "
                          f"{node.name} = relu({line_name}) is 0 on one side of it.")
        else:
            self._set_key(node.name, f"{node.name} = 0", scale)

    def _set_title(self, text: str) -> None:
        if text != self._title:
            self._title = text
            self._show_title_text()

    def _show_title_text(self) -> None:
        """The title, cut to the plot's width: a wider one would widen the plot's layout past
        the dock for good (pyqtgraph's title keeps its widest size as its minimum)."""
        title = self.plot.getPlotItem().titleLabel
        axis = self.plot.getPlotItem().getAxis("left")  # the title is as wide as the map
        room = max(40, self.plot.width() - axis.minimumWidth() - TITLE_MARGIN_PX)
        metrics = QFontMetrics(self._title_font)
        shown = metrics.elidedText(self._title or "", Qt.ElideRight, room)
        self.plot.setTitle(shown, size=f"{TITLE_POINTS}pt", color="#202124")
        title.setMinimumWidth(0)
        title.setToolTip(self._title if shown != self._title else "")

    def _show_hint(self, text: str) -> None:
        if text == self._hint:
            return
        self._hint = text
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))
        self._place_hint()

    def _place_hint(self) -> None:
        if not self._hint:
            return
        width = max(160, min(self.plot.width() - 24, 360))
        self.hint_label.setFixedWidth(width)
        self.hint_label.adjustSize()
        self.hint_label.move((self.plot.width() - width) // 2,
                             (self.plot.height() - self.hint_label.height()) // 2)
        self.hint_label.raise_()

    # ----------------------------------------------------------------- the data set
    def _dataset_changed(self, dataset) -> None:
        previous, self._dataset = self._dataset, dataset
        points = np.zeros((0, 2)) if dataset is None else dataset.points
        labels = np.zeros(0) if dataset is None else dataset.labels
        positive = labels > 0
        self.points_item.setData(
            pos=points, symbol=np.where(positive, "o", "s"),
            size=np.where(positive, POINT_SIZE, POINT_SIZE - 1),
            brush=self._brushes[positive.astype(int)])
        if self._needs_new_range(previous, dataset):
            self._fit(dataset)
        self.schedule()

    def _needs_new_range(self, previous, dataset) -> bool:
        """True unless the data set gained or lost one point that the view still shows."""
        if dataset is None or previous is None or not len(dataset):
            return previous is not dataset
        if dataset.name != previous.name or abs(len(dataset) - len(previous)) != 1:
            return True
        xmin, xmax, ymin, ymax = self._range
        low, high = dataset.points.min(axis=0), dataset.points.max(axis=0)
        return bool(low[0] < xmin or high[0] > xmax or low[1] < ymin or high[1] > ymax)

    def _fit(self, dataset) -> None:
        if dataset is None or not len(dataset):
            self._range = DEFAULT_RANGE
        else:
            low, high = dataset.points.min(axis=0), dataset.points.max(axis=0)
            margin = max(MIN_MARGIN, MARGIN_FRACTION * float(np.max(high - low)))
            self._range = (low[0] - margin, high[0] + margin, low[1] - margin,
                           high[1] + margin)
        xmin, xmax, ymin, ymax = self._range
        self.view_box.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0)

    # ----------------------------------------------------------------- gestures
    def _clicked(self, x: float, y: float, modifiers) -> None:
        if modifiers & Qt.ControlModifier:
            pixel = max(self.view_box.viewPixelSize())
            if self.session.remove_nearest(x, y, within=REMOVE_RADIUS_PX * pixel):
                self.status_message.emit("Removed the point nearest the click")
            else:
                self.status_message.emit("No point near the click to remove")
            return
        label = -1 if modifiers & Qt.ShiftModifier else 1
        self.session.add_point(x, y, label)
        self.status_message.emit(f"Added a {'+1' if label > 0 else '−1'} point at "
                                 f"({format_number(x)}, {format_number(y)})")

    def _selection_changed(self, ids) -> None:
        self._selected = ids[0] if len(ids) == 1 else None
        self.schedule()

    # ----------------------------------------------------------------- Qt
    def showEvent(self, event):
        super().showEvent(event)
        if self._dirty:
            self._timer.start()

    def eventFilter(self, watched, event):
        # the plot's own size, not this widget's: the square frame sizes the plot after us
        if watched is self.plot and event.type() == QEvent.Resize:
            self._place_hint()
            if self._title:
                self._show_title_text()
        return super().eventFilter(watched, event)
