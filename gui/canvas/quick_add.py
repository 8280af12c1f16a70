"""Quick add: press Tab (or double-click the empty canvas), type a few letters, press Enter.

The popup filters the gate table as you type. A gate matches on its name ("sig" -> sigmoid), its
symbol ("1/x" -> recip, "σ"), the everyday words of its row's ``aliases`` ("times" -> mul,
"plus" -> add), and only when none of those matches, the words of its description ("sign" ->
neg): "sig" offers sigmoid and not neg, whose description says "sign". Names that start with the
text come first.
Typing a number offers a const with that value. A source's name and a shape makes a vector or
matrix of zeros (``gui.canvas.source_shapes``): "input 2x3" offers a 2×3 matrix input, "const
4" a const vector of 4 (and the const 4), "matrix" or "vector 8" an input of that kind. Up/Down
move the highlight, Enter adds the highlighted entry, Escape closes. The file's own gates
(``circuit.gates.own()``: ``sig`` made with Make Gate) are listed after the built-in ones and
found the same way.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

import engine
from gui.canvas.source_shapes import parse_gate_spec
from gui.common.number_entry import as_number, refusal

POPUP_WIDTH = 440

def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _score(gate, text: str) -> int | None:
    """How well ``text`` matches ``gate``'s name, symbol or aliases (lower is better), or None."""
    name, symbol = gate.name.lower(), gate.symbol.lower().replace("−", "-")
    if text in (name, symbol):
        return 0
    if name.startswith(text):
        return 1
    if symbol.startswith(text) and len(text) > 1 or text in gate.aliases:
        return 2
    if any(alias.startswith(text) for alias in gate.aliases):
        return 3
    if text in name:
        return 4
    return None


def _described(gate, text: str) -> bool:
    """Whether a word of ``gate``'s description starts with ``text`` (three letters or more)."""
    described = _words(" ".join((gate.doc, gate.formula, gate.intuition)))
    return len(text) >= 3 and any(word.startswith(text) for word in described)


def match_gates(text: str, rows=None) -> list[str]:
    """The names of the gates matching ``text``, best first (every gate for empty text); the
    descriptions are searched only when no name, symbol or alias matches. ``rows`` are the
    gates to search (default the built-in ones; a file's own gates follow them)."""
    rows = engine.GATE_LIST if rows is None else rows
    text = text.strip().lower().replace("−", "-")
    if not text:
        return [gate.name for gate in rows]
    scored = []
    for order, gate in enumerate(rows):
        score = _score(gate, text)
        if score is not None:
            scored.append((score, order, gate.name))
    if scored:
        return [name for _score_, _order, name in sorted(scored)]
    return [gate.name for gate in rows if _described(gate, text)]


def _gate_icon(name):
    try:
        from gui.canvas.gate_glyphs import gate_icon
    except ImportError:
        return None
    return gate_icon(name)


class QuickAddPopup(QFrame):
    """A small frameless popup: a line edit over a filtered list of gates."""

    gate_chosen = Signal(str)  # the gate's name
    number_chosen = Signal(float)  # a typed number: add a const with this value

    def __init__(self, parent=None, gate_table=None):
        super().__init__(parent, Qt.Popup | Qt.FramelessWindowHint)
        self.setObjectName("quick_add")
        # the current file's gate table (``circuit.gates``), asked for at each search
        self.gate_table = gate_table or (lambda: engine.GATES)
        self.setFrameShape(QFrame.StyledPanel)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("quick_add_edit")
        self.edit.setPlaceholderText("Type a gate: add, sig, 1/x, 2.5, input 2x3 …")
        self.edit.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("quick_add_list")
        self.list.setFocusPolicy(Qt.NoFocus)
        # long descriptions end in "…" (the tooltip has them whole): never a sideways scroll
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.ElideRight)
        self.list.setWordWrap(False)
        self.list.itemActivated.connect(self._choose)
        self.list.itemClicked.connect(self._choose)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self.resize(POPUP_WIDTH, 280)
        self.edit.textChanged.connect(self.refilter)
        self.edit.installEventFilter(self)
        self.refilter("")

    def refilter(self, text: str) -> None:
        """Show the entries matching ``text`` and highlight the best one."""
        self.list.clear()
        spec = parse_gate_spec(text, self.gate_table())
        if spec is not None and spec.shape:
            item = QListWidgetItem(f"{spec.title}   — zeros: type its numbers in Properties")
            item.setToolTip(f"{spec.title}: a new {spec.op} holding zeros of shape "
                            f"{engine.shape_text(spec.shape)}")
            item.setData(Qt.UserRole, ("gate", spec.text))
            icon = _gate_icon(spec.op)
            if icon is not None:
                item.setIcon(icon)
            self.list.addItem(item)
        words = text.split(None, 1)
        number = as_number(text)
        if number is None and len(words) == 2 and words[0].lower() == "const":
            number = as_number(words[1])  # "const 4": the number 4 too, after the vector
        if number is not None:
            item = QListWidgetItem(f"const = {engine.format_readout(number)}")
            item.setToolTip(f"const = {engine.format_full(number)}")
            item.setData(Qt.UserRole, ("number", number))
            icon = _gate_icon("const")
            if icon is not None:
                item.setIcon(icon)
            self.list.addItem(item)
        table = self.gate_table()
        own = table.own() if hasattr(table, "own") else []
        for name in match_gates(text, [*engine.GATE_LIST, *own]):
            gate = table[name]
            item = QListWidgetItem(f"{name}   {gate.symbol}   — {gate.doc}")
            item.setToolTip(f"{name}: {gate.doc}\n{gate.formula}\n"
                            f"local gradient: {gate.local_gradient}")
            item.setData(Qt.UserRole, ("gate", name))
            icon = _gate_icon(gate)
            if icon is not None:
                item.setIcon(icon)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:  # say so, rather than show an empty list that Enter does nothing with
            typed = text.strip()
            item = QListWidgetItem(refusal(text) if typed[:1] in set("0123456789.+-−") else
                                   f"No gate matches “{typed}”: try a name (sigmoid), "
                                   "a symbol (1/x) or a number")
            item.setFlags(Qt.NoItemFlags)
            self.list.addItem(item)

    def entries(self) -> list[str]:
        """The texts of the listed entries, in order (for tests and accessibility)."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def current_choice(self):
        """("gate", name) or ("number", value) for the highlighted entry, or None."""
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.UserRole)

    def popup_at(self, global_pos: QPoint) -> None:
        """Show the popup with its top-left corner at ``global_pos``, empty and focused."""
        self.edit.clear()
        self.refilter("")
        self.move(global_pos)
        self.show()
        self.raise_()
        self.activateWindow()
        self.edit.setFocus(Qt.PopupFocusReason)

    def accept_current(self) -> None:
        """Add the highlighted entry and close."""
        item = self.list.currentItem()
        if item is not None:
            self._choose(item)

    def _choose(self, item) -> None:
        kind, payload = item.data(Qt.UserRole)
        self.close()
        if kind == "number":
            self.number_chosen.emit(float(payload))
        else:
            self.gate_chosen.emit(payload)

    def _move_highlight(self, step: int) -> None:
        count = self.list.count()
        if count:
            self.list.setCurrentRow(max(0, min(count - 1, self.list.currentRow() + step)))

    def eventFilter(self, watched, event):
        if watched is self.edit and event.type() == QEvent.KeyPress:
            key = event.key()
            if key in (Qt.Key_Down, Qt.Key_Up):
                self._move_highlight(1 if key == Qt.Key_Down else -1)
                return True
            if key in (Qt.Key_PageDown, Qt.Key_PageUp):
                self._move_highlight(5 if key == Qt.Key_PageDown else -5)
                return True
            if key in (Qt.Key_Return, Qt.Key_Enter):
                self.accept_current()
                return True
            if key == Qt.Key_Escape:
                self.close()
                return True
        return super().eventFilter(watched, event)
