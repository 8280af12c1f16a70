"""The question asked when a file with code gates is opened: run its Python code or not.

Code gates (FORMAT.md 6) are Python that runs with the user's permissions, so a file's code
runs only after the user has seen it. ``TrustDialog`` names the file, says plainly what
trusting it means, and shows every code gate: a list of the gates (name and ports) beside the
chosen gate's full source in a read-only, coloured ``CodeEditor``. Its two buttons are
*Trust and run* and *Open without running*; the safe one is the default, so Enter and Escape
both open the file without running anything. ``exec()`` returns Accepted only for *Trust and
run* (``trusted()`` says the same afterwards).

The gates come as the file has them: a mapping from a gate's name to its definition with
``"ports"`` and ``"code"`` (only code gates; compound gates need no trust).

API:
    TrustDialog(file_name, code_gates: {name: {"ports": [...], "code": "..."}}, parent=None)
        .trusted() -> bool   .show_gate(name)   .editor_of(name) -> CodeEditor
        parts: .gate_list (QListWidget), .sources (QStackedWidget), .ports_label,
               .trust_button, .safe_button
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget,
                               QSplitter, QStackedWidget, QStyle, QVBoxLayout, QWidget)

from gui.common.code_editor import CodeEditor

TRUST_TEXT = "Trust and run"
SAFE_TEXT = "Open without running"


def gate_title(name: str, ports) -> str:
    """How a gate is listed: its name and its ports, as forward takes them."""
    return f"{name}({', '.join(ports)})"


class TrustDialog(QDialog):
    """Shows every code gate of a file and asks whether to run them."""

    def __init__(self, file_name: str, code_gates: Mapping[str, Mapping],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trust_dialog")
        shown_name = Path(file_name).name or file_name
        self.setWindowTitle(f"Run the code in {shown_name}?")
        self._editors: dict[str, CodeEditor] = {}
        self._ports: dict[str, list[str]] = {}
        self.gate_list = QListWidget(self)
        self.gate_list.setObjectName("trust_gate_list")
        self.gate_list.setSpacing(2)
        self.sources = QStackedWidget(self)
        for name, definition in code_gates.items():
            ports = [str(port) for port in definition.get("ports", [])]
            self.gate_list.addItem(gate_title(name, ports))
            editor = CodeEditor(str(definition.get("code", "")), read_only=True,
                                parent=self.sources)
            editor.setObjectName(f"trust_source_{name}")
            self._editors[name] = editor
            self._ports[name] = ports
            self.sources.addWidget(editor)
        self._names = list(self._editors)
        self.ports_label = QLabel(self)
        self.ports_label.setObjectName("trust_ports")
        self.gate_list.currentRowChanged.connect(self._show_row)

        buttons = QDialogButtonBox(self)
        self.trust_button = buttons.addButton(TRUST_TEXT, QDialogButtonBox.AcceptRole)
        self.safe_button = buttons.addButton(SAFE_TEXT, QDialogButtonBox.RejectRole)
        self.trust_button.setAutoDefault(False)
        self.safe_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self._lay_out(shown_name, buttons)
        self.gate_list.setCurrentRow(0)
        self.safe_button.setFocus()
        self.resize(820, 560)

    def _lay_out(self, shown_name: str, buttons: QDialogButtonBox) -> None:
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxWarning).pixmap(40, 40))
        icon.setAlignment(Qt.AlignTop)
        count = len(self._names)
        title = QLabel(f"“{shown_name}” contains Python code", self)
        title.setObjectName("trust_title")
        title.setTextFormat(Qt.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        warning = QLabel(
            f"Its {count} code gate{'s' if count != 1 else ''} "
            f"{'are' if count != 1 else 'is'} Python that runs on this computer with your "
            "permissions when the circuit is computed: it can read, change or delete your "
            "files. Trust this file only if you know where it comes from and have read its "
            "code below.\n\n"
            "Opened without running, the code gates are shown as untrusted and the circuit "
            "does not compute through them; nothing of the file is lost when you save it.",
            self)
        warning.setObjectName("trust_warning")
        warning.setTextFormat(Qt.PlainText)
        warning.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(warning)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(heading, 1)

        source_side = QWidget(self)
        source_layout = QVBoxLayout(source_side)
        source_layout.setContentsMargins(0, 0, 0, 0)
        source_layout.addWidget(self.ports_label)
        source_layout.addWidget(self.sources, 1)
        splitter = QSplitter(Qt.Horizontal, self)
        splitter.addWidget(self.gate_list)
        splitter.addWidget(source_side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 600])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel(f"Code gates ({count})", self))
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def trusted(self) -> bool:
        """Whether the user chose *Trust and run*."""
        return self.result() == QDialog.Accepted

    def editor_of(self, name: str) -> CodeEditor:
        """The read-only editor showing gate ``name``'s source."""
        return self._editors[name]

    def show_gate(self, name: str) -> None:
        """Show gate ``name``'s source (as clicking it in the list does)."""
        self.gate_list.setCurrentRow(self._names.index(name))

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        self.sources.setCurrentIndex(row)
        name = self._names[row]
        ports = self._ports[name]
        lines = len(self.editor_of(name).code().splitlines())
        plural = "s" if len(ports) != 1 else ""
        self.ports_label.setText(f"<b>{html.escape(name)}</b>: {len(ports)} port{plural} "
                                 f"({html.escape(', '.join(ports))}), {lines} lines of Python")
