"""The gate library's two dialogs: which own gates to export, and what to import and how.

Both list gates with a checkbox each and say which gates come along because a chosen one uses
them (the engine writes or imports those too). The import dialog says, for each of the
library's gates, whether it is new here, already here (identical) or clashes with a different
gate of the same name; a clash gets Rename (to an editable name, ``sig_2`` at first), Replace
and Skip, none chosen at first: OK waits until every clash that matters has a choice. OK asks
the engine what the import would do (``engine.gate_import``); a refusal (a name taken, a
replacement that would change the ports of a gate in use) is shown in the dialog, which stays
open, and the circuit is not touched.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QRadioButton, QScrollArea,
                               QVBoxLayout, QWidget)

import engine
from engine import CLASH, RENAME, REPLACE, SAME, SKIP, CircuitError, ClashChoice

STATES = {engine.NEW: "new here", SAME: "already here (identical)"}
MAX_LIST_HEIGHT = 360  # px: a longer list scrolls
CHOICE_INDENT = 24  # px: a clash's choices sit under its gate


def describe(definition) -> str:
    """A gate as the dialogs list it: "sig: compound gate, 1 port (a)"."""
    count = len(definition.ports)
    return (f"{definition.name}: {definition.kind} gate, {count} port{'s' if count != 1 else ''}"
            f" ({', '.join(definition.ports)})")


def brought_along(circuit, chosen: list[str]) -> list[str]:
    """The gates that come with ``chosen`` because they use them, not chosen themselves."""
    return [name for name in engine.gates_with_uses(circuit, chosen) if name not in chosen]


def _label(text: str, parent: QWidget, name: str = "", wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.PlainText)
    if name:
        label.setObjectName(name)
    return label


def _scrolling(content: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return area


def _fit(area: QScrollArea) -> None:
    """Make ``area`` wide enough for its content and as high, up to MAX_LIST_HEIGHT."""
    content = area.widget().sizeHint()
    frame = 2 * area.frameWidth()
    area.setMinimumWidth(content.width() + area.verticalScrollBar().sizeHint().width() + frame)
    area.setMinimumHeight(min(content.height() + frame, MAX_LIST_HEIGHT))


class _GateListDialog(QDialog):
    """A dialog with a checkbox per gate, a note on gates brought along, a message line and
    OK / Cancel."""

    def __init__(self, title: str, name: str, intro: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.boxes: dict[str, QCheckBox] = {}
        self.rows = QWidget(self)
        self.grid = QGridLayout(self.rows)
        self.note = _label("", self, "brought_along_note")
        self.message = _label("", self, "dialog_message")
        self.message.setStyleSheet("color: #b45309;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(_label(intro, self))
        self.list_area = _scrolling(self.rows, self)
        layout.addWidget(self.list_area)
        layout.addWidget(self.note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _rows_done(self) -> None:
        """The list is filled: size it, and show the note and the message."""
        self.grid.setColumnStretch(2, 1)
        _fit(self.list_area)
        self._refresh()

    def _add_box(self, definition, row: int, checked: bool) -> QCheckBox:
        box = QCheckBox(describe(definition), self.rows)
        box.setObjectName(f"gate_box_{definition.name}")
        box.setChecked(checked)
        box.toggled.connect(self._refresh)
        self.grid.addWidget(box, row, 0)
        self.boxes[definition.name] = box
        return box

    def chosen(self) -> list[str]:
        """The gates checked, in the list's order."""
        return [name for name, box in self.boxes.items() if box.isChecked()]

    def _show_brought_along(self, circuit) -> None:
        along = brought_along(circuit, self.chosen())
        self.note.setText(f"Comes along, used by a gate chosen: {', '.join(along)}"
                          if along else "")
        self.note.setVisible(bool(along))

    def _refresh(self) -> None:
        """Update the note, the message and OK after a change (each dialog its own way)."""
        raise NotImplementedError


class ExportGatesDialog(_GateListDialog):
    """File -> Export Gates: which of the file's own gates to write to a library file."""

    def __init__(self, circuit, preselected, parent=None):
        super().__init__("Export Gates", "export_gates_dialog",
                         "Write these gates to a circuit file that others can import them "
                         "from (File → Import Gates…):", parent)
        self.circuit = circuit
        for row, definition in enumerate(circuit.definitions.values()):
            self._add_box(definition, row, definition.name in preselected)
        self._rows_done()

    def _refresh(self) -> None:
        self._show_brought_along(self.circuit)
        self.ok_button.setEnabled(bool(self.chosen()))
        self.message.setText("" if self.chosen() else "Check at least one gate.")


class _ClashRow:
    """Rename (to a name) / Replace / Skip for one clashing gate."""

    def __init__(self, dialog: ImportGatesDialog, name: str, row: int, new_name: str):
        parent = QWidget(dialog.rows)
        line = QHBoxLayout(parent)
        line.setContentsMargins(CHOICE_INDENT, 0, 0, 0)
        self.rename = QRadioButton("Rename to", parent)
        self.new_name = QLineEdit(new_name, parent)
        self.replace = QRadioButton("Replace this circuit's", parent)
        self.skip = QRadioButton("Skip", parent)
        self.group = QButtonGroup(parent)
        for widget, key in ((self.rename, "rename"), (self.new_name, "new_name"),
                            (self.replace, "replace"), (self.skip, "skip")):
            widget.setObjectName(f"{key}_{name}")
        for widget in (self.rename, self.new_name, self.replace, self.skip):
            line.addWidget(widget)
        line.addStretch(1)
        for button in (self.rename, self.replace, self.skip):
            self.group.addButton(button)
        dialog.grid.addWidget(parent, row, 0, 1, 2)
        self.new_name.setEnabled(False)
        self.group.buttonToggled.connect(lambda *_args: dialog._refresh())

    def choice(self) -> ClashChoice | None:
        """What the user chose, None if nothing yet."""
        if self.rename.isChecked():
            return ClashChoice(RENAME, self.new_name.text().strip())
        if self.replace.isChecked():
            return ClashChoice(REPLACE)
        if self.skip.isChecked():
            return ClashChoice(SKIP)
        return None

    def set_active(self, active: bool) -> None:
        for button in self.group.buttons():
            button.setEnabled(active)
        self.new_name.setEnabled(active and self.rename.isChecked())


class ImportGatesDialog(_GateListDialog):
    """File -> Import Gates: which of a library's gates to import, and for each clash whether
    to rename, replace or skip it. ``gate_import`` is the engine's plan once OK is accepted."""

    def __init__(self, circuit, library, source: str, parent=None):
        super().__init__("Import Gates", "import_gates_dialog",
                         f"Gates in {source}. Check those to import into this circuit:", parent)
        self.circuit, self.library = circuit, library
        self.gate_import: engine.GateImport | None = None
        self.states = engine.compare_gates(circuit, library)
        self.clashes: dict[str, _ClashRow] = {}
        taken = set(library.definitions)
        row = 0
        for name, definition in library.definitions.items():
            self._add_box(definition, row, True)
            state = self.states[name]
            text = f"clashes: this circuit has a different {name}" if state == CLASH \
                else STATES[state]
            if definition.kind == "code" and state != SAME:
                text += "; its code runs once you trust it"
            self.grid.addWidget(_label(text, self.rows, wrap=False), row, 1)
            row += 1
            if state == CLASH:
                new_name = engine.free_gate_name(circuit, name, taken)
                taken.add(new_name)
                self.clashes[name] = _ClashRow(self, name, row, new_name)
                row += 1
        self._rows_done()

    def _wanted(self) -> set[str]:
        return set(engine.gates_with_uses(self.library, self.chosen()))

    def _refresh(self) -> None:
        self._show_brought_along(self.library)
        wanted = self._wanted()
        undecided = []
        for name, clash in self.clashes.items():
            clash.set_active(name in wanted)
            if name in wanted and clash.choice() is None:
                undecided.append(name)
        if not wanted:
            self.message.setText("Check at least one gate.")
        elif undecided:
            self.message.setText(f"Choose Rename, Replace or Skip for {', '.join(undecided)}.")
        else:
            self.message.setText("")
        self.ok_button.setEnabled(bool(wanted) and not undecided)

    def choices(self) -> dict:
        """Each wanted clash's choice."""
        wanted = self._wanted()
        return {name: clash.choice() for name, clash in self.clashes.items()
                if name in wanted and clash.choice() is not None}

    def accept(self) -> None:
        try:
            self.gate_import = engine.gate_import(self.circuit, self.library, self.chosen(),
                                                  self.choices())
        except CircuitError as error:
            self.message.setText(str(error))
            return
        super().accept()
