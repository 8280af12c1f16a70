"""The live plots of training: the loss and the accuracy on the data set after every step.

Both follow the session's current trainer (its ``loss_history`` and ``accuracy_history``),
one curve each, made once: each frame appends only the steps that are new to a numpy buffer and
calls ``setData`` (clipped to the view and downsampled, so long trainings stay cheap). When the
trainer is dropped (a new structure, a reset, another document) the curves start again. Like
the gradient-ascent plot, the ranges are set here rather than by pyqtgraph's auto-range (which
would paint each plot twice per frame): the step axis widens in jumps, the loss axis holds
every loss seen, and accuracy is always 0 to 100%.
"""

from __future__ import annotations

import weakref

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QWidget

from gui.common.plots import GrowingSeries, PlotRange, make_plot

LOSS_COLOR = "#c62828"
ACCURACY_COLOR = "#1565c0"
MIN_HEIGHT = 110


def _curve(plot: pg.PlotWidget, color: str) -> pg.PlotDataItem:
    curve = plot.plot(pen=pg.mkPen(color, width=1.5))
    curve.setClipToView(True)
    curve.setDownsampling(auto=True, method="peak")
    return curve


class TrainingPlots(QWidget):
    """Loss per step beside accuracy per step, for the session's current trainer."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("training_plots")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.loss_plot = make_plot("training_loss_plot", "loss", "step",
                                   min_size=(140, MIN_HEIGHT))
        self.accuracy_plot = make_plot("training_accuracy_plot", "accuracy %", "step",
                                       min_size=(140, MIN_HEIGHT))
        self.accuracy_plot.setYRange(0, 102, padding=0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.accuracy_plot)
        self.loss_curve = _curve(self.loss_plot, LOSS_COLOR)
        self.accuracy_curve = _curve(self.accuracy_plot, ACCURACY_COLOR)
        self.loss_range = PlotRange(self.loss_plot)
        self.step_range = PlotRange(self.accuracy_plot, empty_y=None)  # 0-100% stays
        self._trainer = lambda: None
        self._series = GrowingSeries(3)  # step, loss, accuracy %

    def sizeHint(self):
        # small: the panel scrolls to its preferred height, and the curves take what is left
        return QSize(300, MIN_HEIGHT)

    @property
    def steps_shown(self) -> int:
        """How many steps the curves hold."""
        return self._series.size

    def clear(self) -> None:
        """Empty both curves (the next update starts from the trainer's first step)."""
        self._trainer = lambda: None
        self._series = GrowingSeries(3)
        self.loss_curve.setData([], [])
        self.accuracy_curve.setData([], [])
        self.loss_range.reset()
        self.step_range.reset()

    def update_from(self, trainer) -> None:
        """Append the steps ``trainer`` took since the last update, and redraw."""
        if self._trainer() is not trainer:
            self.clear()
            self._trainer = weakref.ref(trainer)  # a dropped trainer must not stay alive
        seen = self._series.size
        losses = trainer.loss_history[seen:]
        if not losses:
            return
        accuracies = trainer.accuracy_history[seen:seen + len(losses)]
        rows = [(seen + k + 1, loss, 100.0 * accuracy)
                for k, (loss, accuracy) in enumerate(zip(losses, accuracies))]
        self._series.extend(rows)
        steps = self._series.column(0)
        loss = self._series.column(1)
        self.loss_curve.setData(steps, loss)
        self.accuracy_curve.setData(steps, self._series.column(2))
        new = loss[seen:]
        finite = new[np.isfinite(new)]
        low, high = (finite.min(), finite.max()) if len(finite) else (np.nan, np.nan)
        self.loss_range.include(steps[-1], float(low), float(high))
        self.step_range.include(steps[-1], np.nan, np.nan)
