"""The training dock: data set, loss and its settings, Train/Pause, Step, Reset, live curves.

The second half of the hacker's guide in one panel. The data set part (``DataPanel``) chooses
the points; a line says which inputs are data and which are the parameters training moves;
the settings choose the loss (the guide's SVM hinge loss, or logistic), the step size, the L2
regularisation strength, full-batch or stochastic steps (one random point per step, the
guide's loop) and how many steps each frame takes. Train/Pause runs the ``TrainingSession``
from its timer while the canvas numbers, the text ("accuracy 100% (6/6), loss 0.245") and the
loss and accuracy curves follow; Step takes one step; Reset parameters draws new random
values from the seed. Each is one undo step.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QSpinBox, QTabWidget, QVBoxLayout, QWidget)

from engine import LOSSES, is_tensor, shape_text
from gui.common.deferred import after_events
from gui.common.widgets import LogStepSpinBox
from gui.training.data_panel import DataPanel
from gui.training.plots import TrainingPlots
from gui.training.session import MAX_STEPS_PER_FRAME, TrainingSession, first_column

LOSS_TITLES = {"hinge": "hinge (the guide's SVM)", "logistic": "logistic (cross-entropy)"}
BATCH_TITLES = {"full": "full batch", "stochastic": "stochastic"}
MAX_LISTED = 8  # parameters named in the roles line


def roles_text(circuit) -> str:
    """Which inputs are data and which are parameters: ``Data: x, y · Parameters: a, b, c``."""
    nodes = circuit.nodes.values()
    data = sorted((n for n in nodes if n.is_data), key=lambda n: first_column(n.feature))
    params = [n.id + (f" ({shape_text(np.shape(n.value))})" if is_tensor(n.value) else "")
              for n in nodes if n.is_movable]
    frozen = [n.id for n in nodes if n.gate.variable and not n.trainable and not n.is_data]

    def listing(ids):
        shown = ", ".join(ids[:MAX_LISTED])
        return shown + (f" … ({len(ids)})" if len(ids) > MAX_LISTED else "")

    parts = ["Data: " + (", ".join(f"{n.id} (feature {_columns(n.feature)})" for n in data)
                         if data else "none: bind an input to x or y")]
    parts.append("Parameters: " + (listing(params) if params else "none"))
    if frozen:
        parts.append("Frozen: " + listing(frozen))
    return " · ".join(parts)


def _columns(feature) -> str:
    return f"[{', '.join(map(str, feature))}]" if isinstance(feature, tuple) else str(feature)


class TrainingPanel(QWidget):
    """The controls and the curves of training, driving a ``TrainingSession``."""

    def __init__(self, session: TrainingSession, parent=None):
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.session = session
        self.document = session.document
        self._make_widgets()
        # after edits the text follows once per turn of the event loop
        self._status_timer = after_events(self, self._show_summary)
        self._connect()
        self._show_running(False)
        self._show_roles()
        self._show_summary()

    # ----------------------------------------------------------------- building
    def _make_widgets(self) -> None:
        session = self.session
        self.data_panel = DataPanel(session, self)
        data_page = QWidget(self)
        data_layout = QVBoxLayout(data_page)
        data_layout.setContentsMargins(6, 6, 6, 6)
        data_layout.addWidget(self.data_panel)
        self.roles = QLabel(self)
        self.roles.setObjectName("training_roles")
        self.roles.setWordWrap(True)
        self.roles.setToolTip("Inputs bound to a data feature take the points' x and y; the "
                              "other inputs are the parameters training moves, unless frozen")
        data_layout.addWidget(self.roles)

        self.loss = QComboBox(self)
        self.loss.setObjectName("training_loss")
        for name in LOSSES:
            self.loss.addItem(LOSS_TITLES[name], name)
        self.loss.setToolTip("Hinge: a point pulls its score towards its label while "
                             "label × score < 1. Logistic: sigmoid plus cross-entropy")
        self.step_size = LogStepSpinBox(self)
        self.step_size.setObjectName("training_step_size")
        self.step_size.setDecimals(6)
        self.step_size.setRange(1e-6, 100.0)
        self.step_size.setValue(session.step_size)
        self.step_size.setToolTip("How far each step moves: step size × gradient")
        self.reg = LogStepSpinBox(self)
        self.reg.setObjectName("training_reg")
        self.reg.setDecimals(6)
        self.reg.setRange(0.0, 100.0)
        self.reg.setValue(session.reg)
        self.reg.setToolTip("L2 regularisation: pulls every weight towards 0 (biases are "
                            "not pulled, like the guide's c)")
        self.batch = QComboBox(self)
        self.batch.setObjectName("training_batch")
        for name, title in BATCH_TITLES.items():
            self.batch.addItem(title, name)
        self.batch.setToolTip("Full batch: every point in every step. Stochastic: random "
                              "points each step (one: the guide's loop)")
        self.batch_size = QSpinBox(self)
        self.batch_size.setObjectName("training_batch_size")
        self.batch_size.setRange(1, 10_000)
        self.batch_size.setValue(session.batch_size)
        self.batch_size.setPrefix("points per step: ")
        self.steps_per_frame = QSpinBox(self)
        self.steps_per_frame.setObjectName("training_steps_per_frame")
        self.steps_per_frame.setRange(1, MAX_STEPS_PER_FRAME)
        self.steps_per_frame.setValue(session.steps_per_frame)
        self.steps_per_frame.setToolTip("Steps between two redraws while training")

        self.train_button = QPushButton("Train", self)
        self.train_button.setObjectName("training_train_button")
        self.train_button.setCheckable(True)
        self.train_button.setToolTip("Keep training until paused (the whole run is one undo "
                                     "step)")
        self.step_button = QPushButton("Step", self)
        self.step_button.setObjectName("training_step_button")
        self.step_button.setToolTip("One training step (one undo step)")
        self.reset_button = QPushButton("Reset", self)
        self.reset_button.setObjectName("training_reset_button")
        self.reset_button.setToolTip("Reset parameters: give every parameter a random value "
                                     "in [-0.5, 0.5) from the seed (one undo step)")
        self.reset_seed = QSpinBox(self)
        self.reset_seed.setObjectName("training_reset_seed")
        self.reset_seed.setRange(0, 2 ** 31 - 1)
        self.reset_seed.setPrefix("seed ")
        self.status = QLabel(self)
        self.status.setObjectName("training_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plots = TrainingPlots(self)

        # a column beside the canvas, under the boundary plot: the buttons and the summary
        # first, then the data and the settings as two pages, the curves at the bottom
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.step_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.reset_seed)
        settings_page = QWidget(self)
        settings = QGridLayout(settings_page)
        settings.setContentsMargins(6, 6, 6, 6)
        settings.setVerticalSpacing(4)
        settings.addWidget(QLabel("Loss", self), 0, 0)
        settings.addWidget(self.loss, 0, 1, 1, 3)
        settings.addWidget(QLabel("Step size", self), 1, 0)
        settings.addWidget(self.step_size, 1, 1)
        settings.addWidget(QLabel("Regularisation", self), 1, 2)
        settings.addWidget(self.reg, 1, 3)
        settings.addWidget(QLabel("Batch", self), 2, 0)
        settings.addWidget(self.batch, 2, 1)
        settings.addWidget(self.batch_size, 2, 2, 1, 2)
        settings.addWidget(QLabel("Steps per frame", self), 3, 0, 1, 2)
        settings.addWidget(self.steps_per_frame, 3, 2, 1, 2)
        settings.setColumnStretch(1, 1)
        settings.setColumnStretch(3, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.pages = QTabWidget(self)
        self.pages.setObjectName("training_pages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(data_page, "Data")
        self.pages.addTab(settings_page, "Settings")
        self.pages.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        layout.addWidget(self.pages)
        layout.addWidget(self.plots, 1)

    def _connect(self) -> None:
        session = self.session
        self.train_button.clicked.connect(lambda _checked=False: self.toggle_train())
        self.step_button.clicked.connect(lambda _checked=False: self.step())
        self.reset_button.clicked.connect(lambda _checked=False: self.reset_params())
        self.loss.currentIndexChanged.connect(self._settings_changed)
        self.batch.currentIndexChanged.connect(self._settings_changed)
        for box in (self.step_size, self.reg, self.batch_size, self.steps_per_frame):
            box.valueChanged.connect(self._settings_changed)
        session.running_changed.connect(self._show_running)
        session.trained.connect(self._trained)
        session.history_reset.connect(self.plots.clear)
        session.params_changed.connect(self._summary_later)
        session.dataset_changed.connect(self._summary_later)
        session.settings_reset.connect(self._show_settings)
        self.document.changed.connect(self._on_change)
        self.document.circuit_replaced.connect(self._show_roles)
        self._settings_changed()

    # ----------------------------------------------------------------- actions
    def toggle_train(self) -> None:
        """Train if paused, pause if training."""
        self.session.toggle()
        self._show_running(self.session.running)

    def step(self) -> None:
        """One training step."""
        self.session.step()

    def reset_params(self) -> None:
        """Random parameters from the seed box's seed."""
        self.session.reset_params(self.reset_seed.value())

    def _settings_changed(self, *_args) -> None:
        self.session.configure(loss=self.loss.currentData(), step_size=self.step_size.value(),
                               reg=self.reg.value(), batch=self.batch.currentData(),
                               batch_size=self.batch_size.value(),
                               steps_per_frame=self.steps_per_frame.value())
        self.batch_size.setEnabled(self.batch.currentData() == "stochastic")
        self._summary_later()

    # ----------------------------------------------------------------- showing
    def _show_settings(self) -> None:
        """Show the session's settings (another circuit starts from the defaults)."""
        session = self.session
        boxes = (self.loss, self.batch, self.step_size, self.reg, self.batch_size,
                 self.steps_per_frame)
        for box in boxes:
            box.blockSignals(True)
        self.loss.setCurrentIndex(self.loss.findData(session.loss))
        self.batch.setCurrentIndex(self.batch.findData(session.batch))
        self.step_size.setValue(session.step_size)
        self.reg.setValue(session.reg)
        self.batch_size.setValue(session.batch_size)
        self.steps_per_frame.setValue(session.steps_per_frame)
        for box in boxes:
            box.blockSignals(False)
        self.batch_size.setEnabled(session.batch == "stochastic")

    def _trained(self, trainer) -> None:
        self.plots.update_from(trainer)
        self._summary_later()

    def _summary_later(self, *_args) -> None:
        self._status_timer.start()

    def _show_summary(self) -> None:
        session = self.session
        summary = session.summary()
        if summary is not None:
            text = summary.text() + (f", step {summary.steps}" if summary.steps else "")
        elif session.dataset is None and session.dataset_problem:
            text = (f"The circuit's data set is not usable: {session.dataset_problem}. "
                    "Generate or load another.")
        elif session.dataset is None:
            text = "No data set yet."
        else:
            text = f"Cannot train: {session.problem or 'the data set is empty'}"
        self.status.setText(text)

    def _on_change(self, change) -> None:
        if change.kind in ("node_added", "node_removed", "node_renamed") or (
                change.kind == "node_changed" and change.field in ("feature", "trainable")):
            self._show_roles()

    def _show_roles(self) -> None:
        self.roles.setText(roles_text(self.document.circuit))

    def _show_running(self, running: bool) -> None:
        self.train_button.setChecked(running)
        self.train_button.setText("Pause" if running else "Train")
