"""The data-set chooser: generate one of the shapes, or load and save CSV files.

The shapes are the engine's (``engine.DATASETS``): the hacker's guide's six points, a circle,
xor, two Gaussian blobs, a two-armed spiral and two moons, each with a number of points, noise
(the spread of the jitter added to every coordinate) and a seed. Generate makes the chosen
data set the circuit's (saved inside the circuit file), Load CSV… reads ``x,y,label`` rows;
each is one undo step through the ``TrainingSession``. A file the engine refuses is reported
with its message, which names the line.

The questions (which file to open, where to save) and the error dialog are methods, so tests
replace them instead of clicking through modal dialogs.
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout, QLabel,
                               QMessageBox, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from engine import DEFAULT_POINTS, CircuitError, load_csv, make_dataset, save_csv, six_points

CSV_FILTER = "Data sets (*.csv);;All files (*)"
MAX_GENERATED = 5000  # points a shape can be generated with here (files may hold more)
DATASET_TITLES = {
    "six_points": "the guide's six points",
    "circle": "circle",
    "xor": "xor",
    "blobs": "Gaussian blobs",
    "spiral": "two-armed spiral",
    "moons": "moons",
}


def describe(dataset) -> str:
    """``circle: 100 points (50 +1, 50 −1)``, or that there is none."""
    if dataset is None:
        return "No data set: choose one and press Generate, or load a CSV file"
    plus = int((dataset.labels > 0).sum())
    title = DATASET_TITLES.get(dataset.name, dataset.name)
    if dataset.name == "six_points" and dataset != six_points():
        title += ", edited"  # not "the guide's six points: 9 points"
    count = "1 point" if len(dataset) == 1 else f"{len(dataset)} points"
    return f"{title}: {count} ({plus} +1, {len(dataset) - plus} −1)"


class DataPanel(QWidget):
    """Choose, generate, load and save the circuit's data set."""

    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("data_panel")
        self.session = session
        self._folder = ""
        self._make_widgets()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.generate_button.clicked.connect(lambda _checked=False: self.generate())
        self.load_button.clicked.connect(lambda _checked=False: self.load_csv())
        self.save_button.clicked.connect(lambda _checked=False: self.save_csv())
        session.dataset_changed.connect(self._show_dataset)
        self._kind_changed()
        self._show_dataset(session.dataset)

    def _make_widgets(self) -> None:
        self.kind = QComboBox(self)
        self.kind.setObjectName("data_kind")
        for name, title in DATASET_TITLES.items():
            self.kind.addItem(title, name)
        self.kind.setToolTip("Which points to generate")
        self.points = QSpinBox(self)
        self.points.setObjectName("data_points")
        self.points.setRange(2, MAX_GENERATED)
        self.points.setValue(DEFAULT_POINTS)
        self.points.setToolTip("How many points (half of them +1)")
        self.noise = QDoubleSpinBox(self)
        self.noise.setObjectName("data_noise")
        self.noise.setRange(0.0, 2.0)
        self.noise.setSingleStep(0.05)
        self.noise.setDecimals(2)
        self.noise.setToolTip("The spread of the random jitter added to every coordinate")
        self.seed = QSpinBox(self)
        self.seed.setObjectName("data_seed")
        self.seed.setRange(0, 2 ** 31 - 1)
        self.seed.setToolTip("The same seed gives the same points")
        self.generate_button = QPushButton("Generate", self)
        self.generate_button.setObjectName("data_generate_button")
        self.generate_button.setToolTip("Make these points the circuit's data set "
                                        "(saved with the circuit; one undo step)")
        self.load_button = QPushButton("Load CSV…", self)
        self.load_button.setObjectName("data_load_button")
        self.load_button.setToolTip("Read points from a CSV file of x,y,label rows")
        self.save_button = QPushButton("Save CSV…", self)
        self.save_button.setObjectName("data_save_button")
        self.save_button.setToolTip("Write the data set to a CSV file of x,y,label rows")
        self.info = QLabel(self)
        self.info.setObjectName("data_info")
        self.info.setWordWrap(True)

        # compact rows: the panel sits in a column beside the canvas, under the plot
        self.points.setPrefix("points ")
        self.noise.setPrefix("noise ")
        self.seed.setPrefix("seed ")
        shape = QHBoxLayout()
        shape.addWidget(self.kind, 1)
        shape.addWidget(self.generate_button)
        numbers = QHBoxLayout()
        for box in (self.points, self.noise, self.seed):
            numbers.addWidget(box, 1)
        files = QHBoxLayout()
        files.addWidget(self.info, 1)
        files.addWidget(self.load_button)
        files.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(shape)
        layout.addLayout(numbers)
        layout.addLayout(files)

    # ----------------------------------------------------------------- actions
    def generate(self) -> None:
        """Make the chosen shape the circuit's data set (one undo step)."""
        name = self.kind.currentData()
        dataset = make_dataset(name, self.points.value(), self.noise.value(), self.seed.value())
        self.session.set_dataset(dataset, f"Generate {DATASET_TITLES[name]} "
                                          f"({len(dataset)} points)")

    def load_csv(self, path=None) -> bool:
        """Read a CSV file (asking which if ``path`` is None) as the data set; False if not."""
        if path is None:
            path = self.ask_open_path(self._folder, CSV_FILTER)
            if not path:
                return False
        try:
            dataset = load_csv(path)
        except CircuitError as error:
            self.show_error("Cannot load the data set", str(error))
            return False
        self._folder = os.path.dirname(os.path.abspath(path))
        self.session.set_dataset(dataset, f"Load data set {os.path.basename(path)}")
        return True

    def save_csv(self, path=None) -> bool:
        """Write the data set to a CSV file (asking where if ``path`` is None)."""
        dataset = self.session.dataset
        if dataset is None:
            self.show_error("Cannot save the data set", "There is no data set to save.")
            return False
        if path is None:
            suggested = os.path.join(self._folder, f"{dataset.name}.csv")
            path = self.ask_save_path(suggested, CSV_FILTER)
            if not path:
                return False
            if not os.path.splitext(path)[1]:
                path = f"{path}.csv"
        try:
            save_csv(dataset, path)
        except CircuitError as error:
            self.show_error("Cannot save the data set", str(error))
            return False
        self._folder = os.path.dirname(os.path.abspath(path))
        return True

    # ----------------------------------------------------------------- questions (tests replace)
    def ask_open_path(self, folder: str, file_filter: str) -> str | None:
        """Ask for a CSV file to load."""
        path, _ = QFileDialog.getOpenFileName(self, "Load data set", folder, file_filter)
        return path or None

    def ask_save_path(self, suggested: str, file_filter: str) -> str | None:
        """Ask where to save the CSV file."""
        path, _ = QFileDialog.getSaveFileName(self, "Save data set", suggested, file_filter)
        return path or None

    def show_error(self, title: str, text: str) -> None:
        """Tell the user why loading or saving failed."""
        QMessageBox.warning(self, title, text)

    # ----------------------------------------------------------------- showing
    def _kind_changed(self, _index: int = 0) -> None:
        fixed = self.kind.currentData() == "six_points"  # always the guide's six
        self.points.setEnabled(not fixed)

    def _show_dataset(self, dataset) -> None:
        self.info.setText(describe(dataset))
        self.save_button.setEnabled(dataset is not None)
        # the chooser starts from the shape in use (noise and seed are not stored with it)
        index = self.kind.findData(dataset.name) if dataset is not None else -1
        if index >= 0:
            self.kind.setCurrentIndex(index)
            if dataset.name != "six_points":
                self.points.setValue(min(max(len(dataset), 2), MAX_GENERATED))
