"""Templates: a dialog that builds a classifier circuit, ready to train, as a new document.

Three shapes from the engine's templates: the hacker's guide's linear classifier
``a*x + b*y + c``, the guide's 2-layer net of three hidden ReLU units, or a net with N hidden
units (1 to 32; relu, tanh or sigmoid) whose parameters start at random from a seed. The
circuit comes laid out on the grid, with x and y bound to the data, and with a data set inside
(by default the six points for the linear classifier and the circle for the nets), so Train
works at once. Opening it replaces the document the way File → New does: unsaved edits are
asked about first (``FileActions.open_circuit``). The dialog opens on the choice last made in
the same window (for as long as the window is open).
"""

from __future__ import annotations

import weakref

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QSpinBox, QVBoxLayout)

import engine
from engine import DEFAULT_POINTS, embed_dataset, make_dataset
from gui.training.data_panel import DATASET_TITLES

KINDS = [("linear", "Linear classifier: a*x + b*y + c"),
         ("guide", "The guide's 2-layer net (3 hidden ReLU units)"),
         ("hidden", "A net with N hidden units")]
DEFAULT_DATA = {"linear": "six_points", "guide": "circle", "hidden": "circle"}
FORMULAS = {
    "linear": "score = a·x + b·y + c: the sign of the score is the predicted label.",
    "guide": "score = a4·n1 + b4·n2 + c4·n3 + d4 with n_i = max(0, a_i·x + b_i·y + c_i).",
    "hidden": "score = w1·n1 + … + wN·nN + d with n_i = activation(a_i·x + b_i·y + c_i).",
}
NO_DATA = ""
_last_choice: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # window -> choice()


class TemplateDialog(QDialog):
    """Choose a template, its size, activation, seed and data set."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("template_dialog")
        self.setWindowTitle("New circuit from a template")
        self.kind = QComboBox(self)
        self.kind.setObjectName("template_kind")
        for name, title in KINDS:
            self.kind.addItem(title, name)
        self.hidden = QSpinBox(self)
        self.hidden.setObjectName("template_hidden")
        self.hidden.setRange(1, engine.MAX_HIDDEN)
        self.hidden.setValue(8)
        self.hidden.setToolTip("How many hidden units (neurons)")
        self.activation = QComboBox(self)
        self.activation.setObjectName("template_activation")
        for name in engine.ACTIVATIONS:
            self.activation.addItem(name, name)
        self.seed = QSpinBox(self)
        self.seed.setObjectName("template_seed")
        self.seed.setRange(0, 2 ** 31 - 1)
        self.seed.setToolTip("The parameters start uniform in [-0.5, 0.5) from this seed")
        self.data = QComboBox(self)
        self.data.setObjectName("template_data")
        self.data.addItem("none", NO_DATA)
        for name, title in DATASET_TITLES.items():
            self.data.addItem(title, name)
        self.data.setToolTip(f"The data set saved in the circuit ({DEFAULT_POINTS} points; "
                             "the training dock can generate another)")
        self.formula = QLabel(self)
        self.formula.setObjectName("template_formula")
        self.formula.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Template", self.kind)
        form.addRow("Hidden units", self.hidden)
        form.addRow("Activation", self.activation)
        form.addRow("Seed", self.seed)
        form.addRow("Data set", self.data)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.formula)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def choose(self, kind: str, n_hidden: int = 8, activation: str = "relu", seed: int = 0,
               data: str | None = None) -> None:
        """Set every field at once (``data`` None: the template's default data set)."""
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.hidden.setValue(n_hidden)
        self.activation.setCurrentIndex(self.activation.findData(activation))
        self.seed.setValue(seed)
        if data is not None:
            self.data.setCurrentIndex(self.data.findData(data))

    def choice(self) -> dict:
        """Every field, as ``choose`` takes them."""
        return dict(kind=self.kind.currentData(), n_hidden=self.hidden.value(),
                    activation=self.activation.currentData(), seed=self.seed.value(),
                    data=self.data.currentData())

    def _kind_changed(self, _index: int = 0) -> None:
        kind = self.kind.currentData()
        self.hidden.setEnabled(kind == "hidden")
        self.activation.setEnabled(kind == "hidden")
        self.seed.setEnabled(kind != "linear")
        self.data.setCurrentIndex(self.data.findData(DEFAULT_DATA[kind]))
        self.formula.setText(FORMULAS[kind])

    def circuit(self):
        """The chosen template as a new engine Circuit, with its data set inside."""
        kind, seed = self.kind.currentData(), self.seed.value()
        if kind == "linear":
            circuit = engine.linear_classifier()
        elif kind == "guide":
            circuit = engine.two_layer_relu_net(seed)
        else:
            circuit = engine.hidden_layer_net(self.hidden.value(),
                                                 self.activation.currentData(), seed)
        data = self.data.currentData()
        if data != NO_DATA:
            embed_dataset(circuit, make_dataset(data, DEFAULT_POINTS))
        return circuit


def ask_template(parent) -> object | None:
    """Show the dialog (on the last choice made for ``parent``); the circuit, or None."""
    dialog = TemplateDialog(parent)
    if parent is not None and parent in _last_choice:
        dialog.choose(**_last_choice[parent])
    try:
        if dialog.exec() != QDialog.Accepted:
            return None
        if parent is not None:
            _last_choice[parent] = dialog.choice()
        return dialog.circuit()
    finally:
        dialog.deleteLater()
