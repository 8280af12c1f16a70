"""Templates: a dialog that builds a classifier circuit, ready to train, as a new document.

Four shapes from the engine's templates: the hacker's guide's linear classifier
``a*x + b*y + c``, the guide's 2-layer net of three hidden ReLU units, a net with N hidden
units (relu, tanh or sigmoid) and the lecture's 3-layer net (two hidden layers of N), whose
parameters start at random from a seed. A net is built either of **tensor layers** (the
lecture's ``W2·act(W1·x + b1) + b2``: a handful of matrix gates, 1 to 256 units, x one input
of shape (2,)) or of **scalar gates** (one gate per weight, as the hacker's guide draws it: up
to 32 units); tensor layers are the default above 16 units, where the scalar drawing gets
too big to read, and the only way for the 3-layer net. The circuit comes laid out on the grid,
with x and y bound to the data, and with a data set inside (by default the six points for the
linear classifier, the circle for the nets, the spiral for the 3-layer net), so Train works at
once. Opening it replaces the document the way File → New does: unsaved edits are
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
         ("hidden", "A net with N hidden units"),
         ("deep", "A 3-layer net: two hidden layers of N units")]
GATES_CHOICES = [("tensor", "tensor layers (W·x + b: a few matrix gates)"),
                 ("scalar", "scalar gates (one gate per weight)")]
SCALAR_DEFAULT_MAX = 16  # above this many units a net is built of tensor layers by default
DEFAULT_DATA = {"linear": "six_points", "guide": "circle", "hidden": "circle", "deep": "spiral"}
FORMULAS = {
    "linear": "score = a·x + b·y + c: the sign of the score is the predicted label.",
    "guide": "score = a4·n1 + b4·n2 + c4·n3 + d4 with n_i = max(0, a_i·x + b_i·y + c_i).",
    "hidden": "score = w1·n1 + … + wN·nN + d with n_i = activation(a_i·x + b_i·y + c_i).",
    "hidden tensor": "score = W2·h1 + b2 with h1 = activation(W1·x + b1): the lecture's "
                     "2-layer net; W1 is N×2, b1 and W2 vectors of N.",
    "deep": "score = W3·h2 + b3, h2 = activation(W2·h1 + b2), h1 = activation(W1·x + b1): "
            "the lecture's 3-layer net; W2 is N×N.",
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
        self.hidden.setRange(1, engine.MAX_LAYER_WIDTH)
        self.hidden.setValue(8)
        self.hidden.setToolTip("How many hidden units (neurons) per hidden layer: up to "
                               f"{engine.MAX_HIDDEN} as scalar gates, "
                               f"{engine.MAX_LAYER_WIDTH} as tensor layers")
        self.gates = QComboBox(self)
        self.gates.setObjectName("template_gates")
        for name, title in GATES_CHOICES:
            self.gates.addItem(title, name)
        self.gates.setToolTip("Tensor layers: the lecture's W·x + b, a few gates whatever the "
                              "width. Scalar gates: every weight a gate of its own")
        self.activation = QComboBox(self)
        self.activation.setObjectName("template_activation")
        for name in engine.ACTIVATIONS:
            self.activation.addItem(name, name)
        self.seed = QSpinBox(self)
        self.seed.setObjectName("template_seed")
        self.seed.setRange(0, 2 ** 31 - 1)
        self.seed.setToolTip("The parameters start at random from this seed (scalar gates: "
                             "uniform in [-0.5, 0.5); tensor layers: He's normal weights)")
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
        form.addRow("Gates", self.gates)
        form.addRow("Activation", self.activation)
        form.addRow("Seed", self.seed)
        form.addRow("Data set", self.data)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.formula)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.hidden.valueChanged.connect(self._size_changed)
        self.gates.currentIndexChanged.connect(self._show_formula)
        self._kind_changed()

    def choose(self, kind: str, n_hidden: int = 8, activation: str = "relu", seed: int = 0,
               data: str | None = None, gates: str | None = None) -> None:
        """Set every field at once (``data`` None: the template's default data set; ``gates``
        None: the default for the size)."""
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.hidden.setValue(n_hidden)
        self._size_changed()
        if gates is not None and self._gates_item(gates).isEnabled():
            self.gates.setCurrentIndex(self.gates.findData(gates))
        self.activation.setCurrentIndex(self.activation.findData(activation))
        self.seed.setValue(seed)
        if data is not None:
            self.data.setCurrentIndex(self.data.findData(data))

    def choice(self) -> dict:
        """Every field, as ``choose`` takes them."""
        return dict(kind=self.kind.currentData(), n_hidden=self.hidden.value(),
                    activation=self.activation.currentData(), seed=self.seed.value(),
                    data=self.data.currentData(), gates=self.gates.currentData())

    def _gates_item(self, name: str):
        return self.gates.model().item(self.gates.findData(name))

    def _kind_changed(self, _index: int = 0) -> None:
        kind = self.kind.currentData()
        self.hidden.setEnabled(kind in ("hidden", "deep"))
        self.activation.setEnabled(kind in ("hidden", "deep"))
        self.seed.setEnabled(kind != "linear")
        self.data.setCurrentIndex(self.data.findData(DEFAULT_DATA[kind]))
        self._size_changed()

    def _size_changed(self, _value: int = 0) -> None:
        """Scalar gates only for a 2-layer net of at most 32 units; the default by size."""
        kind, units = self.kind.currentData(), self.hidden.value()
        scalar_possible = kind == "hidden" and units <= engine.MAX_HIDDEN
        self._gates_item("scalar").setEnabled(scalar_possible)
        self.gates.setEnabled(kind in ("hidden", "deep"))
        tensor = not scalar_possible or units > SCALAR_DEFAULT_MAX
        self.gates.setCurrentIndex(self.gates.findData("tensor" if tensor else "scalar"))
        self._show_formula()

    def _show_formula(self, _index: int = 0) -> None:
        kind = self.kind.currentData()
        tensor = kind == "hidden" and self.gates.currentData() == "tensor"
        self.formula.setText(FORMULAS["hidden tensor" if tensor else kind])

    def circuit(self):
        """The chosen template as a new engine Circuit, with its data set inside."""
        kind, seed = self.kind.currentData(), self.seed.value()
        units, activation = self.hidden.value(), self.activation.currentData()
        if kind == "linear":
            circuit = engine.linear_classifier()
        elif kind == "guide":
            circuit = engine.two_layer_relu_net(seed)
        elif kind == "deep":
            circuit = engine.three_layer_net(units, activation, seed)
        elif self.gates.currentData() == "tensor":
            circuit = engine.two_layer_net(units, activation, seed)
        else:
            circuit = engine.hidden_layer_net(units, activation, seed)
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
