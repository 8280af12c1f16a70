"""Help: the keyboard shortcuts and the gate reference, in one dialog with two tabs.

The shortcuts table is built from the window's declared keys (``gui/window_parts.py``: the
actions' stable names and keys, then the canvas's own keys), where every shortcut is declared
once. Mouse gestures on the canvas (wheel zoom, dragging a wire, scrubbing a value) follow in a
second part of the table.
The gate reference is built from the engine's gate table: one section per gate with its
symbol, formula, local gradient and the seeds' intuition; the index at the top links every gate
to its section (anchor ``gate-<name>``), and ``show_gate(name)`` jumps there.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView,
                               QTableWidget, QTableWidgetItem, QTabWidget, QTextBrowser,
                               QVBoxLayout)

import engine
from gui.window_parts import shortcut_rows

GESTURES = [
    ("Place a gate", "Drag it from the palette, or Tab / double-click the canvas and type"),
    ("Draw a wire", "Drag from an output port to an input port (or the reverse)"),
    ("Move a wire", "Drag its end off an input port (drop on empty canvas to delete it)"),
    ("Move gates", "Drag a gate (anywhere on it, its number too); Escape cancels the drag"),
    ("Edit a value", "Double-click an input or const"),
    ("Scrub a value", "Ctrl+wheel over an input or const (add Shift for steps of 0.01), or "
                      "Shift+drag (or Alt+drag) its number sideways (add Ctrl for 0.01)"),
    ("Select", "Click, Ctrl+click, or drag a rubber band on empty canvas"),
    ("Zoom", "Mouse wheel"),
    ("Pan", "Middle-drag, or hold Space and drag"),
    ("Context menu", "Right-click a gate, a wire or the canvas"),
]


def gate_anchor(name: str) -> str:
    """The anchor of a gate's section in the reference."""
    return f"gate-{name}"


def gate_reference_html() -> str:
    """Every gate of the engine's table: symbol, formula, local gradient and intuition."""
    esc = html.escape
    parts = ["<h2>Gate reference</h2>",
             "<p>Values flow forward (green on the wires), gradients flow back (red). "
             "A gate's gradient to each input is the upstream gradient times its "
             "<i>local gradient</i>.</p>"]
    for group, title in engine.GROUP_TITLES.items():
        links = [f'<a href="#{gate_anchor(g.name)}">{esc(g.name)}</a>'
                 for g in engine.GATE_LIST if g.group == group]
        parts.append(f"<p><b>{esc(title)}:</b> {' · '.join(links)}</p>")
    for group, title in engine.GROUP_TITLES.items():
        parts.append(f"<h3>{esc(title)}</h3>")
        for gate in (g for g in engine.GATE_LIST if g.group == group):
            ports = (f"{gate.min_ports} to {gate.max_ports} inputs" if gate.variadic
                     else f"{gate.min_ports} input{'s' if gate.min_ports != 1 else ''}")
            params = (f" · params: {esc(', '.join(gate.params))}" if gate.params else "")
            parts.append(
                f'<h4><a name="{gate_anchor(gate.name)}">'
                f'<span style="font-size:large">{esc(gate.symbol)}</span>'
                f" &nbsp;<code>{esc(gate.name)}</code></a></h4>"
                f"<p>{esc(gate.doc)}<br><small>{ports}{params}</small></p>"
                "<table cellspacing='0' cellpadding='3'>"
                f"<tr><td><b>Formula</b></td><td><code>{esc(gate.formula)}</code></td></tr>"
                f"<tr><td><b>Local gradient</b></td>"
                f"<td><code>{esc(gate.local_gradient)}</code></td></tr>"
                "</table>"
                + (f"<p><i>{esc(gate.intuition)}</i></p>" if gate.intuition else ""))
    return "\n".join(parts)


class HelpDialog(QDialog):
    """Two tabs: the keyboard shortcuts (from the declared actions) and the gate reference."""

    SHORTCUTS_TAB = 0
    GATES_TAB = 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("help_dialog")
        self.setWindowTitle("circuitgrad help")
        self.resize(720, 620)
        self.tabs = QTabWidget(self)
        self.shortcuts_table = self._make_table(shortcut_rows())
        self.tabs.addTab(self.shortcuts_table, "Keyboard shortcuts")
        self.gate_reference = QTextBrowser(self)
        self.gate_reference.setObjectName("gate_reference")
        self.gate_reference.setOpenLinks(True)
        self.gate_reference.setHtml(gate_reference_html())
        self.tabs.addTab(self.gate_reference, "Gate reference")
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    def _make_table(self, rows) -> QTableWidget:
        everything = rows + [("", "")] + GESTURES
        table = QTableWidget(len(everything), 2, self)
        table.setObjectName("shortcuts_table")
        table.setHorizontalHeaderLabels(["Action", "Keys / gesture"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setAlternatingRowColors(True)
        for row, (name, keys) in enumerate(everything):
            table.setItem(row, 0, QTableWidgetItem(name))
            table.setItem(row, 1, QTableWidgetItem(keys))
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        return table

    def show_shortcuts(self) -> None:
        """Bring the shortcuts tab to the front."""
        self.tabs.setCurrentIndex(self.SHORTCUTS_TAB)

    def show_gate(self, name: str | None = None) -> None:
        """Bring the gate reference to the front, scrolled to gate ``name`` if given."""
        self.tabs.setCurrentIndex(self.GATES_TAB)
        if name:
            self.gate_reference.scrollToAnchor(gate_anchor(name))
