"""The document's data set: the points training learns from, kept in the circuit's file.

The data set lives in the circuit (``circuit.extra["dataset"]``, saved with the file).
``DatasetStore.dataset`` is that data set as an engine ``Dataset``, kept in sync with the
document: every change of the key (``set_dataset``, ``add_point``, ``remove_nearest``, their
undo and redo) and every other document (New, Open) updates it and emits ``dataset_changed``.
Each edit of the data set is one undo step (``SetExtraCommand``). A saved data set that cannot
be read is reported (``problem``, a status message) and treated as none.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine import CircuitError, Dataset
from engine import EXTRA_KEY
from gui.model.commands import SetExtraCommand

_PARSED_CACHE = 8  # data sets whose dict was read lately: undo and redo need not read again


class DatasetStore(QObject):
    """The circuit's data set as an engine ``Dataset``; its edits are undo steps."""

    dataset_changed = Signal(object)  # the new engine Dataset (or None)
    status_message = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.problem = ""  # why the circuit's saved data set cannot be used ("" if it can)
        self._parsed: list[tuple[dict, Dataset]] = []
        self._dataset: Dataset | None = None
        self._load()
        document.changed.connect(self._on_change)
        document.circuit_replaced.connect(self._on_replaced)

    @property
    def dataset(self) -> Dataset | None:
        """The circuit's data set (its ``"dataset"`` key), or None."""
        return self._dataset

    def has_points(self) -> bool:
        """True when there is a data set with at least one point."""
        return self._dataset is not None and len(self._dataset) > 0

    def set_dataset(self, dataset: Dataset | None, text: str | None = None) -> None:
        """Make ``dataset`` the circuit's data set (None removes it): one undo step."""
        if text is None:
            text = ("Remove the data set" if dataset is None
                    else f"Data set {dataset.name} ({len(dataset)} points)")
        self._push(dataset, text)

    def add_point(self, x: float, y: float, label: int) -> None:
        """Add the point (x, y) labelled +1 or -1: one undo step."""
        base = self._dataset if self._dataset is not None \
            else Dataset(np.zeros((0, 2)), [], "custom")
        label = 1 if label > 0 else -1
        self._push(base.add_point(float(x), float(y), label),
                   f"Add a {'+1' if label > 0 else '-1'} point")

    def remove_nearest(self, x: float, y: float, within: float | None = None) -> bool:
        """Remove the point nearest (x, y) (if one is ``within``): one undo step; else False."""
        if not self.has_points():
            return False
        smaller = self._dataset.remove_nearest(float(x), float(y), within)
        if len(smaller) == len(self._dataset):
            return False
        self._push(smaller, "Remove a point")
        return True

    def _push(self, dataset: Dataset | None, text: str) -> None:
        value = None if dataset is None else dataset.to_dict()
        if value is not None:
            self._remember(value, dataset)
        self.document.push(SetExtraCommand(self.document, EXTRA_KEY, value, text))

    def _remember(self, value: dict, dataset: Dataset) -> None:
        self._parsed = [(value, dataset)] + self._parsed[:_PARSED_CACHE - 1]

    def _parse(self, value) -> Dataset | None:
        self.problem = ""
        if value is None:
            return None
        for known, dataset in self._parsed:
            if known is value:  # the dict a command holds: no need to read it again
                return dataset
        try:
            dataset = Dataset.from_dict(value)
        except CircuitError as error:
            self.problem = str(error)
            self.status_message.emit(f"The circuit's data set is not usable: {error}")
            return None
        self._remember(value, dataset)
        return dataset

    def _load(self) -> None:
        self._dataset = self._parse(self.document.circuit.extra.get(EXTRA_KEY))

    def _on_change(self, change) -> None:
        if change.kind == "extra_changed" and change.field == EXTRA_KEY:
            self._load()
            self.dataset_changed.emit(self._dataset)

    def _on_replaced(self) -> None:
        self._parsed = []
        self._load()
        self.dataset_changed.emit(self._dataset)
