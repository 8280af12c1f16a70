"""The live plots of gradient ascent: the output per iteration, and each input's trajectory.

The top plot has one curve per ascent run, named by its method ("analytic", "numerical",
"random"), so strategies can be compared on the same axes: the last ``MAX_RUNS`` runs stay, the
oldest goes first, and ``clear`` (Reset plot) empties it. The bottom plot follows the current
run: one curve per movable number (each element of a vector or matrix input is one, "W[0,1]",
drawn in its input's colour; ``MAX_TRAJECTORIES`` of them, shared out among the inputs) with
its value per iteration, each input named in a legend above its data (``gui.ascent.legend``:
as many names to a row as the plot is wide, so none is cut off and none covers a line), as the
runs are on the top plot.

Drawing follows pyqtgraph's PlotSpeedTest: the curve items are made once per run, and each
frame only appends the new points to a growing numpy buffer and calls ``setData`` on the items
(clipped to the view and downsampled, so long runs stay cheap). The plots, the buffers and the
ranges (widened in jumps, reset with the curves) are the app's shared ones
(``gui.common.plots``).
"""

from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from gui.ascent.legend import fit_legend, fitted_legend
from gui.common.plots import GrowingSeries, PlotRange, make_plot

MAX_RUNS = 5
MIN_PLOT_HEIGHT = 140
MAX_TRAJECTORIES = 12
METHOD_COLORS = {"analytic": "#1565c0", "numerical": "#ef6c00", "random": "#6a1b9a"}
TRAJECTORY_COLORS = ["#1b8a2f", "#c62828", "#1565c0", "#ef6c00", "#6a1b9a", "#00838f",
                     "#8d6e63", "#ad1457", "#558b2f", "#283593", "#f9a825", "#546e7a"]


class _Run:
    """One run's curve on the output plot and the data behind it."""

    def __init__(self, ascent, curve):
        self._ascent = weakref.ref(ascent)  # old runs must not keep their steppers alive
        self.curve = curve
        self.output = GrowingSeries(1)
        self.seen = 0  # how many points of ascent.history are in the buffer

    @property
    def ascent(self):
        """The run's stepper, or None once nothing else holds it."""
        return self._ascent()


def movable_numbers(ascent) -> list[tuple[str, str, tuple]]:
    """(name, input id, element index) of every number the ascent moves: an input's own
    number, or each element of a vector or matrix input ("W[0,1]")."""
    numbers = []
    for node_id in ascent.movable:
        shape = np.shape(ascent.trajectories[node_id][0])
        if not shape:
            numbers.append((node_id, node_id, ()))
        for index in np.ndindex(shape) if shape else ():
            numbers.append((f"{node_id}[{','.join(map(str, index))}]", node_id, index))
    return numbers


def shared_out(numbers: list, limit: int) -> list:
    """At most ``limit`` of ``numbers``, taken from each input in turn (so a big matrix does
    not crowd out the other inputs), in their own order."""
    by_input: dict[str, list] = {}
    for number in numbers:
        by_input.setdefault(number[1], []).append(number)
    chosen, depth = set(), 0
    while len(chosen) < min(limit, len(numbers)):
        for series in by_input.values():
            if depth < len(series) and len(chosen) < limit:
                chosen.add(series[depth])
        depth += 1
    return [number for number in numbers if number in chosen]


def run_name(method: str, minimize: bool, taken: set) -> str:
    """The legend name of a run: its method, "(min)" when minimising, a number if repeated."""
    base = method + (" (min)" if minimize else "")
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base} #{count}"
    return name


class AscentPlot(QWidget):
    """The output per iteration (a curve per run) over the inputs' trajectories (current run)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ascent_plot")
        layout = QGridLayout(self)  # side by side: the dock under the canvas is wide
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.output_plot = make_plot("ascent_output_plot", "output", "iteration",
                                     min_size=(150, MIN_PLOT_HEIGHT))
        self.output_legend = fitted_legend(self.output_plot)
        self.trajectory_plot = make_plot("ascent_trajectory_plot", "inputs", "iteration",
                                         min_size=(150, MIN_PLOT_HEIGHT))
        self.trajectory_legend = fitted_legend(self.trajectory_plot)
        self.trajectory_note = QLabel(self)  # always there: showing it would relayout the dock
        self.trajectory_note.setObjectName("ascent_trajectory_note")
        layout.addWidget(self.output_plot, 0, 0, 2, 1)
        layout.addWidget(self.trajectory_plot, 0, 1)
        layout.addWidget(self.trajectory_note, 1, 1)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)
        layout.setRowStretch(0, 1)
        self.runs: list[_Run] = []
        self.trajectory_curves: dict[str, pg.PlotDataItem] = {}  # of the current run
        self._trajectory_pool: list[pg.PlotDataItem] = []  # kept for the next run
        self._trajectory_ids: list[str] = []  # the names of the curves
        self._series: list[tuple[str, str, tuple]] = []  # (name, input id, element index)
        self._trajectories = GrowingSeries(1)
        self._trajectory_seen = 0
        self.output_range = PlotRange(self.output_plot)
        self.trajectory_range = PlotRange(self.trajectory_plot)

    def sizeHint(self):
        # small: the dock's scroll area gives the plots whatever room is left, not more
        return QSize(480, MIN_PLOT_HEIGHT)

    # ----------------------------------------------------------------- runs
    @property
    def current(self) -> _Run | None:
        """The run being drawn now (the newest)."""
        return self.runs[-1] if self.runs else None

    def curve(self, ascent=None) -> pg.PlotDataItem | None:
        """The output curve of ``ascent``'s run (the current run if None)."""
        for run in reversed(self.runs):
            if ascent is None or run.ascent is ascent:
                return run.curve
        return None

    def start_run(self, ascent) -> None:
        """Add a curve for a new run (dropping the oldest past MAX_RUNS) and its trajectories."""
        while len(self.runs) >= MAX_RUNS:
            self._drop(self.runs.pop(0))
            self._rerange_output()
        for run in self.runs:
            run.curve.setPen(pg.mkPen(run.curve.opts["pen"].color(), width=1.2))
        name = run_name(ascent.method, ascent.minimize, {r.curve.name() for r in self.runs})
        pen = pg.mkPen(METHOD_COLORS.get(ascent.method, "#263238"), width=1,
                       style=Qt.DashLine if ascent.minimize else Qt.SolidLine)
        curve = self.output_plot.plot(name=name, pen=pen)
        curve.setClipToView(True)
        curve.setDownsampling(auto=True, method="peak")
        self.runs.append(_Run(ascent, curve))
        fit_legend(self.output_plot, self.output_legend)
        self._start_trajectories(ascent)
        self.update_run(ascent)

    def _start_trajectories(self, ascent) -> None:
        # the curves of the last run are reused (recoloured): making plot items is what costs
        numbers = movable_numbers(ascent)
        self._series = shared_out(numbers, MAX_TRAJECTORIES)
        ids = [name for name, _node_id, _index in self._series]
        pool = self._trajectory_pool
        for curve in pool[len(ids):]:
            self.trajectory_plot.removeItem(curve)
        del pool[len(ids):]
        legend = self.trajectory_legend
        legend.clear()  # one entry per input: a matrix's elements share its colour and name
        legend.show()
        self.trajectory_curves = {}
        inputs = list(dict.fromkeys(node_id for _name, node_id, _index in self._series))
        named = set()
        for k, (name, node_id, _index) in enumerate(self._series):
            if k < len(pool):
                curve = pool[k]
                curve.setData([], [])
            else:
                curve = self.trajectory_plot.plot()
                curve.setClipToView(True)
                curve.setDownsampling(auto=True, method="peak")
                pool.append(curve)
            number = inputs.index(node_id)
            curve.setPen(pg.mkPen(TRAJECTORY_COLORS[number % len(TRAJECTORY_COLORS)], width=1))
            curve.opts["name"] = name
            if node_id not in named:
                named.add(node_id)
                legend.addItem(curve, node_id)
            self.trajectory_curves[name] = curve
        self._trajectory_ids = ids
        fit_legend(self.trajectory_plot, self.trajectory_legend)
        hidden = len(numbers) - len(ids)
        what = "inputs" if len(numbers) == len(ascent.movable) else "numbers"
        self.trajectory_note.setText(f"trajectories of {len(ids)} of {len(numbers)} {what}"
                                     if hidden > 0 else "")
        self._trajectories = GrowingSeries(max(len(ids), 1))
        self._trajectory_seen = 0
        self.trajectory_range.reset()

    def update_run(self, ascent) -> None:
        """Append what ``ascent`` did since the last update and redraw its curves once."""
        run = next((r for r in reversed(self.runs) if r.ascent is ascent), None)
        if run is None:
            return
        history = ascent.history
        if len(history) > run.seen:
            new = np.asarray(history[run.seen:], dtype=float)
            run.output.extend(new)
            run.seen = len(history)
            y = run.output.column(0)
            with np.errstate(all="ignore"):
                self.output_range.include(len(y) - 1, np.nanmin(new) if np.isfinite(new).any()
                                          else np.nan, np.nanmax(new)
                                          if np.isfinite(new).any() else np.nan)
            run.curve.setData(np.arange(len(y)), y, skipFiniteCheck=True)
        if run is not self.current or not self._trajectory_ids:
            return
        count = len(ascent.trajectories[self._series[0][1]])
        if count > self._trajectory_seen:
            seen = self._trajectory_seen
            columns = [np.asarray(ascent.trajectories[node_id][seen:count])[(slice(None),) + index]
                       for _name, node_id, index in self._series]
            rows = np.column_stack(columns)
            self._trajectories.extend(rows)
            self._trajectory_seen = count
            self.trajectory_range.include(count - 1, float(rows.min()), float(rows.max()))
            x = np.arange(self._trajectories.size)
            for k, node_id in enumerate(self._trajectory_ids):
                self.trajectory_curves[node_id].setData(x, self._trajectories.column(k),
                                                        skipFiniteCheck=True)

    def clear(self) -> None:
        """Forget every run (Reset plot)."""
        for run in self.runs:
            self._drop(run)
        self.runs = []
        fit_legend(self.output_plot, self.output_legend)
        for curve in self._trajectory_pool:
            curve.setData([], [])
        self.trajectory_legend.hide()
        fit_legend(self.trajectory_plot, self.trajectory_legend)
        self.trajectory_curves = {}
        self._trajectory_ids = []
        self._series = []
        self._trajectory_seen = 0
        self.trajectory_note.setText("")
        self.output_range.reset()
        self.trajectory_range.reset()

    def _rerange_output(self) -> None:
        self.output_range.reset()
        for run in self.runs:
            y = run.output.column(0)
            finite = y[np.isfinite(y)]
            if len(finite):
                self.output_range.include(len(y) - 1, float(finite.min()), float(finite.max()))

    def _drop(self, run: _Run) -> None:
        self.output_plot.removeItem(run.curve)  # also takes it out of the legend
