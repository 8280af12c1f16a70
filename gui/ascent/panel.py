"""The gradient-ascent dock: the hacker's guide's "pull" on the output, with a live plot.

Step nudges every movable input once along its gradient (each input gets an arrow on the canvas
for the move it took); Run/Pause keeps stepping from a timer while the canvas values, the
output curve and the inputs' trajectories update live (the arrows too, ten times a second, and
when the run stops they show its last step). The controls choose the step size
(arrows step it through 1, 2, 5 × 10^k), maximise or minimise, the method (analytic gradient,
numerical gradient, or the guide's first strategy, random local search) and the speed. Each run
is its own curve, named by its method, so strategies can be compared on one plot; Reset plot
clears them.

``AscentPanel`` lays out the controls and wires them to an ``AscentRunner`` (the stepping, the
undo steps) and an ``AscentPlot`` (the curves), plus ``MoveArrows`` on the canvas.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QGridLayout, QHBoxLayout, QLabel, QLayout,
                               QPushButton, QSpinBox, QStyle, QVBoxLayout, QWidget)

from gui.ascent.plot import AscentPlot
from gui.ascent.runner import DEFAULT_MAX_STEPS, EDITED, REPLACED, RESET, AscentRunner
from gui.ascent.move_arrows import MoveArrows
from gui.common.widgets import LogStepSpinBox
from engine import CircuitError, format_readout, suggested_minimize

METHODS = [("analytic", "analytic"), ("numerical", "numerical"),
           ("random", "random search")]
PLOT_DELAY_MS = 4  # after a frame: the canvas redraws first, then the plot
ARROWS_EVERY_S = 0.1  # while running, the arrows follow at 10 frames a second (they are many)
FORM_COLUMNS = 2  # pairs of label and field per row where the dock is wide enough


def _signature(circuit) -> tuple:
    """What an ascent's curves are about: the circuit's output and the inputs it moves."""
    try:
        output = circuit.output_id()
    except CircuitError:
        output = None
    return output, tuple(circuit.movable_inputs())


class AscentPanel(QWidget):
    """Step, Run/Pause, Reset plot and the settings of gradient ascent, over its live plots."""

    def __init__(self, document, scene=None, parent=None):
        super().__init__(parent)
        self.setObjectName("ascent_panel")
        self.document = document
        self._plotted: tuple | None = None  # _signature of the circuit the curves are of
        self._direction_suggested = False  # the direction shown is the file's suggestion
        self.runner = AscentRunner(document, self)
        self.arrows = MoveArrows(scene) if scene is not None else None
        self._arrows_shown = 0.0
        self._plot_ascent = None
        self._plot_timer = QTimer(self)
        self._plot_timer.setObjectName("ascent_plot_timer")
        self._plot_timer.setSingleShot(True)
        self._plot_timer.setInterval(PLOT_DELAY_MS)
        self._plot_timer.timeout.connect(self._update_plot)
        self._make_widgets()
        self._connect()
        self._show_running(False)
        self._take_suggested_direction()

    # ----------------------------------------------------------------- building
    def _make_widgets(self) -> None:
        self.step_button = QPushButton("Step", self)
        self.step_button.setObjectName("ascent_step_button")
        self.step_button.setToolTip("Move every free input once along its gradient "
                                    "(one undo step)")
        self.run_button = QPushButton("Run", self)
        self.run_button.setObjectName("ascent_run_button")
        self.run_button.setCheckable(True)
        self.run_button.setToolTip("Keep stepping until paused, converged or the step limit")
        self.reset_button = QPushButton("Reset plot", self)
        self.reset_button.setObjectName("ascent_reset_button")
        self.reset_button.setToolTip("Clear the curves and the arrows; the next step starts "
                                     "a new curve")

        self.step_size = LogStepSpinBox(self)
        self.step_size.setObjectName("ascent_step_size")
        self.step_size.setDecimals(6)
        self.step_size.setRange(1e-6, 100.0)
        self.step_size.setValue(self.runner.step_size)
        self.step_size.setToolTip("How far each step moves: step size × gradient")
        self.direction = QComboBox(self)
        self.direction.setObjectName("ascent_direction")
        self.direction.addItem("maximise", False)
        self.direction.addItem("minimise", True)
        self.direction.setToolTip("Pull the output up (gradient ascent) or down (descent)")
        self.method = QComboBox(self)
        self.method.setObjectName("ascent_method")
        for name, title in METHODS:
            self.method.addItem(title, name)
        self.method.setToolTip("Analytic: the backward pass. Numerical: (f(x+h) - f(x)) / h "
                               "per input. Random search: try a random nudge, keep it if f "
                               "improved (the guide's first strategy)")
        self.speed = QSpinBox(self)
        self.speed.setObjectName("ascent_speed")
        self.speed.setRange(0, 100_000)
        self.speed.setSpecialValueText("max")
        self.speed.setSuffix(" steps/s")
        self.speed.setValue(self.runner.steps_per_second)
        self.speed.setToolTip("Steps per second while running (max: as fast as the window "
                              "allows, redrawing about 60 times a second)")
        self.max_steps = QSpinBox(self)
        self.max_steps.setObjectName("ascent_max_steps")
        self.max_steps.setRange(0, 10_000_000)
        self.max_steps.setSpecialValueText("never")
        self.max_steps.setValue(DEFAULT_MAX_STEPS)
        self.max_steps.setToolTip("A run stops after this many steps")
        self.tolerance = LogStepSpinBox(self)
        self.tolerance.setObjectName("ascent_tolerance")
        self.tolerance.setDecimals(15)
        self.tolerance.setRange(1e-15, 1.0)
        self.tolerance.setValue(self.runner.tolerance)
        self.tolerance.setToolTip("A run stops after a step that improves the output by less "
                                  "than this (the guide's loop uses 0.000005); random search "
                                  "keeps trying after a rejected nudge")
        self.status = QLabel(self)
        self.status.setObjectName("ascent_status")
        self.status.setWordWrap(True)
        self.plot = AscentPlot(self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.step_button)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.reset_button)
        self.fields = [(QLabel(label, self), box) for label, box in (
            ("Step size", self.step_size), ("Speed", self.speed),
            ("Direction", self.direction), ("Stop after", self.max_steps),
            ("Method", self.method), ("Stop if gain <", self.tolerance))]
        self.form = QGridLayout()
        self.form.setVerticalSpacing(4)
        self.form_columns = 0  # pairs of label and field per row (set by _fit)
        controls = QVBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addLayout(buttons)
        controls.addLayout(self.form)
        controls.addWidget(self.status)
        controls.addStretch(1)
        self.controls = QWidget(self)
        self.controls.setObjectName("ascent_controls")
        self.controls.setLayout(controls)
        # under the canvas the dock is wide and short: the plots beside the controls; where
        # that would cut a control (a narrow dock), the plots go under them
        self.body = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.body.setContentsMargins(6, 6, 6, 6)
        self.body.setSizeConstraint(QLayout.SetNoConstraint)  # minimumSizeHint decides
        self.body.addWidget(self.controls)
        self.body.addWidget(self.plot, 1)
        self._fit(FORM_COLUMNS)

    # ----------------------------------------------------------------- fitting the dock
    def _form_width(self, columns: int) -> int:
        """The width the fields need with ``columns`` pairs of label and field per row."""
        spacing = self.style().pixelMetric(QStyle.PM_LayoutHorizontalSpacing)
        spacing = spacing if spacing >= 0 else self.form.spacing()
        total = 0
        for column in range(columns):
            pairs = self.fields[column::columns]
            total += max(label.sizeHint().width() for label, _box in pairs)
            total += max(box.sizeHint().width() for _label, box in pairs)
        return total + spacing * (2 * columns - 1)

    def _fit(self, columns: int) -> None:
        """Lay the fields out ``columns`` pairs to a row (no-op if they already are)."""
        if columns == self.form_columns:
            return
        for label, box in self.fields:
            self.form.removeWidget(label)
            self.form.removeWidget(box)
        for index, (label, box) in enumerate(self.fields):
            row, column = divmod(index, columns)
            self.form.addWidget(label, row, 2 * column)
            self.form.addWidget(box, row, 2 * column + 1)
        for column in range(2 * FORM_COLUMNS):
            self.form.setColumnStretch(column, 1 if column % 2 and column < 2 * columns else 0)
        self.form_columns = columns

    def _arrange(self, width: int) -> None:
        """Fields two to a row where they fit, the plots beside them where both fit."""
        margins = self.body.contentsMargins()
        room = width - margins.left() - margins.right()
        wide_form = self._form_width(FORM_COLUMNS)
        beside = room >= wide_form + self.body.spacing() + self.plot.minimumSizeHint().width()
        self._fit(FORM_COLUMNS if beside or room >= wide_form else 1)
        direction = QBoxLayout.LeftToRight if beside else QBoxLayout.TopToBottom
        if self.body.direction() != direction:
            self.body.setDirection(direction)
            self.updateGeometry()  # its height changes: the dock's scroll area follows

    def minimumSizeHint(self):
        # as narrow as the fields one to a row (then the plots go under them), as low as
        # the way they are laid out now needs
        margins = self.body.contentsMargins()
        width = max(self._form_width(1), self.plot.minimumSizeHint().width(),
                    self.controls.layout().itemAt(0).minimumSize().width())
        return QSize(width + margins.left() + margins.right(),
                     self.body.minimumSize().height())

    def resizeEvent(self, event):
        self._arrange(event.size().width())
        super().resizeEvent(event)

    def _connect(self) -> None:
        runner = self.runner
        self.step_button.clicked.connect(self.step)
        self.run_button.clicked.connect(lambda _checked=False: self.toggle_run())
        self.reset_button.clicked.connect(self.reset)
        self.step_size.valueChanged.connect(runner.set_step_size)
        self.direction.currentIndexChanged.connect(
            lambda _i: runner.set_minimize(self.direction.currentData()))
        self.method.currentIndexChanged.connect(
            lambda _i: runner.set_method(self.method.currentData()))
        self.speed.valueChanged.connect(runner.set_speed)
        self.max_steps.valueChanged.connect(lambda n: setattr(runner, "max_steps", n))
        self.tolerance.valueChanged.connect(lambda tol: setattr(runner, "tolerance", tol))
        runner.session_started.connect(self.plot.start_run)
        runner.session_started.connect(self._note_plotted)
        runner.advanced.connect(self._advanced)
        runner.running_changed.connect(self._show_running)
        runner.status_message.connect(self.status.setText)
        runner.invalidated.connect(self._clear_arrows)
        runner.stopped.connect(self._stopped)
        # another circuit: the old one's curves and words no longer apply
        self.document.circuit_replaced.connect(self._circuit_replaced)

    # ----------------------------------------------------------------- actions
    def step(self) -> None:
        """One step of gradient ascent (one undo step)."""
        self.runner.step()

    def run(self) -> None:
        """Start running."""
        self.runner.run()
        self._show_running(self.runner.running)

    def pause(self) -> None:
        """Pause the run."""
        self.runner.pause()

    def toggle_run(self) -> None:
        """Run if paused, pause if running."""
        if self.runner.running:
            self.pause()
        else:
            self.run()

    def reset(self) -> None:
        """Stop, clear the plot and the arrows; the next step starts a new curve."""
        self.runner.reset()
        self._plot_timer.stop()
        self._plot_ascent = None
        self.plot.clear()
        self._clear_arrows()

    def _circuit_replaced(self) -> None:
        # curves of the same inputs and output stay, to compare (the same file opened again)
        if _signature(self.document.circuit) != self._plotted:
            self.reset()
            self.status.setText("")
        self._take_suggested_direction()

    def _take_suggested_direction(self) -> None:
        """The direction the file suggests (a loss: minimise); a file that suggests none goes
        back to maximising if the last one's suggestion had changed it."""
        minimize = suggested_minimize(self.document.circuit)
        if minimize is None and not self._direction_suggested:
            return
        self._direction_suggested = minimize is not None
        self.direction.setCurrentIndex(self.direction.findData(bool(minimize)))

    def _note_plotted(self, _ascent) -> None:
        self._plotted = _signature(self.document.circuit)

    # ----------------------------------------------------------------- showing
    def _advanced(self, ascent) -> None:
        if self.runner.running:
            # the plot redraws in its own turn of the event loop, after the canvas's redraw,
            # so neither waits for the other
            self._plot_ascent = ascent
            if not self._plot_timer.isActive():
                self._plot_timer.start()
        else:
            self.plot.update_run(ascent)
        now = time.perf_counter()
        if not self.runner.running or now - self._arrows_shown >= ARROWS_EVERY_S:
            self._show_arrows(ascent)
            self._arrows_shown = now
        if self.runner.running:
            self.status.setText(f"step {self.runner.run_steps} of this run: {ascent.output} = "
                                f"{format_readout(ascent.value)}")

    def _update_plot(self) -> None:
        if self._plot_ascent is not None:
            self.plot.update_run(self._plot_ascent)
            self._plot_ascent = None

    def _stopped(self, reason: str) -> None:
        self._plot_timer.stop()
        self._update_plot()
        ascent = self.runner.ascent
        if ascent is not None and reason not in (EDITED, REPLACED, RESET):
            self._show_arrows(ascent)  # the last step's moves, however fast the run went

    def _show_arrows(self, ascent) -> None:
        if self.arrows is not None:
            self.arrows.show_moves(ascent.last_moves)

    def _clear_arrows(self) -> None:
        if self.arrows is not None:
            self.arrows.clear()

    def _show_running(self, running: bool) -> None:
        self.run_button.setChecked(running)
        self.run_button.setText("Pause" if running else "Run")
        for widget in (self.direction, self.method):
            widget.setEnabled(not running)
