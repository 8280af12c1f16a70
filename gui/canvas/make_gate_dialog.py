"""The Make Gate dialog: the new gate's name and the order of its ports.

Each port is an outside node that feeds the selection, listed in port order ("z", or
"a (from dot)" when the port's name is not its source's); Move Up and Move Down change the
order. Every change asks the engine what the making would be (``engine.gate_making``), so the
dialog says why a name cannot be taken (a built-in gate's, one of the file's own, not a word)
before OK, and OK is enabled only when the engine accepts. ``making`` is the accepted
``engine.GateMaking``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QPushButton, QVBoxLayout)

import engine
from engine import CircuitError
from gui.common import theme


def port_row(port: str, source: str) -> str:
    """A port's row: its name, and where it is fed from when that is another name."""
    return port if port == source else f"{port} (from {source})"


class MakeGateDialog(QDialog):
    """Ask for the name of a gate made of ``node_ids`` and the order of its ports."""

    def __init__(self, circuit, node_ids, parent=None):
        super().__init__(parent)
        self.setObjectName("make_gate_dialog")
        self.setWindowTitle("Make Gate")
        self.circuit = circuit
        self.node_ids = list(node_ids)
        self.spare_name = engine.free_gate_name(circuit, "gate")
        first = engine.gate_making(circuit, self.node_ids, self.spare_name)
        self.sources = list(first.sources)  # the outside nodes feeding it, in port order
        self.making: engine.GateMaking | None = None
        self.name_edit = QLineEdit(self.spare_name, self)
        self.name_edit.setObjectName("make_gate_name")
        self.name_edit.selectAll()
        self.message = QLabel(self)
        self.message.setObjectName("make_gate_message")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.PlainText)
        self.ports = QListWidget(self)
        self.ports.setObjectName("make_gate_ports")
        self.up = QPushButton("Move &Up", self)
        self.up.setObjectName("make_gate_up")
        self.down = QPushButton("Move &Down", self)
        self.down.setObjectName("make_gate_down")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.Ok)
        self._lay_out()
        self.name_edit.textChanged.connect(self._update)
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.ports.currentRowChanged.connect(self._enable_moves)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._update()
        self.ports.setCurrentRow(0)
        self.name_edit.setFocus()

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        moves = QVBoxLayout()
        moves.addWidget(self.up)
        moves.addWidget(self.down)
        moves.addStretch(1)
        ports = QHBoxLayout()
        ports.addWidget(self.ports, 1)
        ports.addLayout(moves)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(QLabel(f"Its ports, in order ({len(self.sources)}):", self))
        layout.addLayout(ports)
        layout.addWidget(self.buttons)

    def port_rows(self) -> list[str]:
        """The ports' rows, in port order."""
        return [self.ports.item(row).text() for row in range(self.ports.count())]

    def _update(self) -> None:
        name = self.name_edit.text().strip()
        try:
            self.making = engine.gate_making(self.circuit, self.node_ids, name, self.sources)
        except CircuitError as error:
            self.making = None
            self.message.setText(str(error))
            self.message.setStyleSheet(f"color: {theme.GRAD_RED.name()};")
        else:
            count = len(self.making.selection)
            self.message.setText(
                f"{count} gates become one gate named {name}; Undo puts them back.")
            self.message.setStyleSheet("color: palette(placeholder-text);")
        self.ok.setEnabled(self.making is not None)
        shown = self.making or engine.gate_making(self.circuit, self.node_ids, self.spare_name,
                                                  self.sources)
        row = self.ports.currentRow()
        self.ports.clear()
        self.ports.addItems([port_row(port, source) for port, source in
                             zip(shown.definition.ports, shown.sources)])
        self.ports.setCurrentRow(row)

    def _move(self, step: int) -> None:
        row = self.ports.currentRow()
        other = row + step
        if row < 0 or not 0 <= other < len(self.sources):
            return
        self.sources[row], self.sources[other] = self.sources[other], self.sources[row]
        self._update()
        self.ports.setCurrentRow(other)

    def _enable_moves(self, row: int) -> None:
        self.up.setEnabled(row > 0)
        self.down.setEnabled(0 <= row < len(self.sources) - 1)


def ask_gate_making(parent, circuit, node_ids) -> engine.GateMaking | None:
    """Show the dialog; the making the user accepted, or None if cancelled."""
    dialog = MakeGateDialog(circuit, node_ids, parent)
    accepted = dialog.exec() == QDialog.Accepted
    making = dialog.making if accepted else None
    dialog.deleteLater()
    return making
