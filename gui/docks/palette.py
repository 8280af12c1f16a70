"""The palette: every gate of the engine's table, grouped, ready to be dragged onto the canvas.

The list is built from ``engine.GATE_LIST`` and ``engine.GROUP_TITLES`` (adding a gate to the
table adds it here). Each entry shows the gate's icon and name, and its tooltip gives the
formula, the local gradient and the seeds' intuition. Typing in the filter box hides the gates
whose name or symbol does not match. Dragging an entry carries the gate name under
``GATE_MIME``; double-click or Enter emits ``gate_activated(name)`` instead (the main window adds
the gate in the middle of the view).

The group of vectors and matrices starts with the sources made with a shape, "vector input",
"matrix input", "vector const" and "matrix const" (the lecture's x of 2 and W of 2×2, zeros):
their payload is a gate spec (``input 2×2``, see ``gui.canvas.source_shapes``) instead of a
gate name; the new source's table then opens in the properties, to type its numbers and choose
another shape.

Given the document, the palette also lists the open file's own gates (``circuit.gates.own()``,
the ``sig`` made with Make Gate…) in a group of their own, "This file's gates", kept up to date
as gates are defined, changed or removed and when another file opens; they are dragged and
activated like any gate. Right-click one to remove it from the file while no node uses it
(one undo step), or for a code gate to edit its code (``code_edit_requested(name)``).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import (QAbstractItemView, QLineEdit, QMenu, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

import engine
from gui.canvas.gate_glyphs import GATE_MIME, WIDE_RATIO, gate_icon, gate_pixmap, gate_tooltip
from gui.canvas.source_shapes import GateSpec, palette_specs, parse_gate_spec
from gui.model.commands import RemoveGateCommand
from gui.model.value_text import kind_of

ICON_SIZE = 22
GATE_ROLE = Qt.UserRole
SHAPED_GROUP = "tensor"  # the group whose list starts with the sources made with a shape
OWN_GROUP = "own"  # the open file's own gates
OWN_GATE_CHANGES = ("gate_defined", "definition_changed", "gate_status")


def shaped_tooltip(spec: GateSpec) -> str:
    """What a palette entry for a source made with a shape makes, and how to get others."""
    kind = kind_of(spec.shape)
    return (f"<b>{kind} {spec.op}</b>: a {spec.op} holding a {engine.shape_text(spec.shape)} "
            f"{kind} of zeros.<br>Type its numbers and choose another shape in Properties "
            f"(or double-click it on the canvas). Quick add (Tab) makes any shape: "
            f"<i>{spec.op} 8</i>, <i>{spec.op} 3x4</i>.")


def gate_mime_data(name: str) -> QMimeData:
    """The drag payload for the gate called ``name``: GATE_MIME holding the name in UTF-8."""
    mime = QMimeData()
    mime.setData(GATE_MIME, name.encode("utf-8"))
    mime.setText(name)
    return mime


class GateTree(QTreeWidget):
    """The grouped gate list; builds the drag itself so the payload is exactly GATE_MIME."""

    activated_gate = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("palette_tree")
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setIconSize(QSize(round(ICON_SIZE * WIDE_RATIO), ICON_SIZE))
        self.setIndentation(8)
        self.setRootIsDecorated(False)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.itemDoubleClicked.connect(self._on_double_click)
        self.own_rows: dict[str, engine.Gate] = {}  # the open file's own gates listed

    def gate_name(self, item: QTreeWidgetItem | None) -> str | None:
        """The gate an item stands for (None for group headers)."""
        return None if item is None else item.data(0, GATE_ROLE)

    def mimeTypes(self):
        return [GATE_MIME]

    def mimeData(self, items):
        names = [self.gate_name(item) for item in items if self.gate_name(item)]
        return gate_mime_data(names[0]) if names else None

    def startDrag(self, supported_actions):
        name = self.gate_name(self.currentItem())
        if not name:
            return
        drag = QDrag(self)
        drag.setMimeData(gate_mime_data(name))
        spec = parse_gate_spec(name)  # a gate's name, or a shaped source's spec: input 2×2
        pixmap = gate_pixmap(self.own_rows.get(name) or (spec.op if spec else name), 36,
                             wide=True)
        drag.setPixmap(pixmap)
        drag.setHotSpot(pixmap.rect().center())
        drag.exec(Qt.CopyAction)
        # the gate is on the canvas now (or the drag was dropped): nothing stays highlighted
        self.clearSelection()
        self.setCurrentItem(None)

    def keyPressEvent(self, event):
        name = self.gate_name(self.currentItem())
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and name:
            self.activated_gate.emit(name)
            return
        super().keyPressEvent(event)

    def _on_double_click(self, item, _column):
        name = self.gate_name(item)
        if name:
            self.activated_gate.emit(name)


class PaletteWidget(QWidget):
    """A filter box over the grouped list of gates."""

    gate_activated = Signal(str)
    code_edit_requested = Signal(str)  # a code gate's name: open the code gate editor on it

    def __init__(self, parent=None, document=None):
        super().__init__(parent)
        self.setObjectName("palette")
        self.document = document
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("palette_filter")
        self.filter_edit.setPlaceholderText("Filter gates…")
        self.filter_edit.setClearButtonEnabled(True)
        self.tree = GateTree(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._shaped: dict[str, QTreeWidgetItem] = {}  # gate spec -> entry
        self._groups: list[QTreeWidgetItem] = []
        self._own_header: QTreeWidgetItem | None = None
        self._own_shown: list = []  # what the own group shows, to rebuild it only on change
        self._build()
        self.filter_edit.textChanged.connect(self.set_filter)
        self.filter_edit.returnPressed.connect(self._activate_first_match)
        self.tree.activated_gate.connect(self.gate_activated)
        self.filter_edit.installEventFilter(self)
        if document is not None:
            self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
            self.tree.customContextMenuRequested.connect(self._menu_requested)
            document.changed.connect(self._on_change)
            document.circuit_replaced.connect(self.refresh_own_gates)
            self.refresh_own_gates()

    def eventFilter(self, watched, event):
        # Down walks from the filter box into the list; Escape clears the filter
        if watched is self.filter_edit and event.type() == QEvent.KeyPress:
            if event.key() == Qt.Key_Down:
                visible = self.gate_names(visible_only=True)
                if visible:
                    if self.gate_name_current() not in visible:
                        self.tree.setCurrentItem(self._items[visible[0]])
                    self.tree.setFocus()
                return True
            if event.key() == Qt.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                return True
        return super().eventFilter(watched, event)

    def gate_name_current(self) -> str | None:
        """The gate of the highlighted entry (None if a header or nothing is highlighted)."""
        return self.tree.gate_name(self.tree.currentItem())

    def _header(self, title: str) -> QTreeWidgetItem:
        header_font = self.tree.font()
        header_font.setBold(True)
        header = QTreeWidgetItem(self.tree, [title])
        header.setFlags(Qt.ItemIsEnabled)
        header.setFont(0, header_font)
        header.setForeground(0, self.palette().placeholderText())
        self._groups.append(header)
        return header

    def _build(self) -> None:
        for group, title in engine.GROUP_TITLES.items():
            if not any(gate.group == group for gate in engine.GATE_LIST):
                continue  # the file's own gates have a group of their own (none built in)
            header = self._header(title)
            if group == SHAPED_GROUP:
                for spec in palette_specs():
                    item = self._entry(header, f"{kind_of(spec.shape)} {spec.op}", spec.op,
                                       spec.text)
                    item.setToolTip(0, shaped_tooltip(spec))
                    self._shaped[spec.text] = item
            for gate in engine.GATE_LIST:
                if gate.group != group:
                    continue
                item = self._entry(header, gate.name, gate.name, gate.name)
                item.setToolTip(0, gate_tooltip(gate))
                self._items[gate.name] = item
            header.setExpanded(True)

    def show_own_gates(self, rows) -> None:
        """List ``rows`` (the file's own gates, ``circuit.gates.own()``) in their group, last
        (no group while there are none)."""
        shown = [(row.name, row.formula, row.problem) for row in rows]
        if shown == self._own_shown:
            return
        self._own_shown = shown
        for name in self.tree.own_rows:
            self._items.pop(name, None)
        if self._own_header is not None:
            self._groups.remove(self._own_header)
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(self._own_header))
            self._own_header = None
        self.tree.own_rows = {row.name: row for row in rows}
        if not rows:
            return
        self._own_header = header = self._header(engine.GROUP_TITLES[OWN_GROUP])
        for row in rows:
            item = self._entry(header, row.name, row, row.name)
            problem = f"<p style='color:#c62828'>{escape(row.problem)}</p>" if row.problem else ""
            item.setToolTip(0, gate_tooltip(row).replace("</qt>", problem + "</qt>"))
            self._items[row.name] = item
        header.setExpanded(True)
        self.set_filter(self.filter_edit.text())

    def refresh_own_gates(self) -> None:
        """List the document's own gates as they are now."""
        self.show_own_gates(self.document.circuit.gates.own())

    def _on_change(self, change) -> None:
        if change.kind in OWN_GATE_CHANGES:
            self.refresh_own_gates()

    def own_gate_menu(self, name: str) -> QMenu:
        """The right-click menu of own gate ``name``: remove it from the file (while no node
        uses it)."""
        menu = QMenu(self)
        menu.setObjectName("own_gate_menu")
        users = self.document.circuit.uses_of(name)
        text = "Remove from this file"
        if users:
            text += f" (used by {', '.join(users[:3])}{', …' if len(users) > 3 else ''})"
        action = menu.addAction(text)
        action.setObjectName("palette_remove_gate")
        action.setEnabled(not users)
        action.triggered.connect(
            lambda _checked=False: self.document.push(RemoveGateCommand(self.document, name)))
        if self.tree.own_rows[name].definition.kind == "code":
            edit = menu.addAction("Edit Code Gate…")
            edit.setObjectName("palette_edit_code")
            edit.triggered.connect(lambda _checked=False: self.code_edit_requested.emit(name))
        return menu

    def _menu_requested(self, pos) -> None:
        name = self.tree.gate_name(self.tree.itemAt(pos))
        if name in self.tree.own_rows:
            self.own_gate_menu(name).exec(self.tree.viewport().mapToGlobal(pos))

    @staticmethod
    def _entry(header, text: str, icon, payload: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(header, [text])
        item.setIcon(0, gate_icon(icon, ICON_SIZE, wide=True))
        item.setData(0, GATE_ROLE, payload)
        item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
        return item

    def shaped_entry(self, spec_text: str) -> QTreeWidgetItem:
        """The entry of a source made with a shape (``input 2×2``: "matrix input")."""
        return self._shaped[spec_text]

    def gate_names(self, visible_only: bool = False) -> list[str]:
        """The gates listed, in palette order (only those the filter shows, if asked)."""
        return [name for name, item in self._items.items()
                if not (visible_only and item.isHidden())]

    def item(self, name: str) -> QTreeWidgetItem:
        """The list entry of the gate called ``name``."""
        return self._items[name]

    def set_filter(self, text: str) -> None:
        """Show only the gates whose name or symbol contains ``text`` (case-insensitive)."""
        needle = text.strip().lower()
        for name, item in self._items.items():
            symbol = (self.tree.own_rows.get(name) or engine.GATES[name]).symbol.lower()
            item.setHidden(bool(needle) and needle not in name and needle not in symbol)
        for item in self._shaped.values():
            item.setHidden(bool(needle) and needle not in item.text(0))
        for header in self._groups:
            children = [header.child(i) for i in range(header.childCount())]
            header.setHidden(all(child.isHidden() for child in children))
        visible = self.gate_names(visible_only=True)
        if visible and needle:
            self.tree.setCurrentItem(self._items[visible[0]])

    def _activate_first_match(self) -> None:
        visible = self.gate_names(visible_only=True) or [
            spec for spec, item in self._shaped.items() if not item.isHidden()]
        if visible and self.filter_edit.text().strip():
            self.gate_activated.emit(visible[0])

    def sizeHint(self):
        return QSize(200, 420)

    def minimumSizeHint(self):
        # every gate's name and group's title whole, beside the list's scroll bar
        tree, margins = self.tree, self.layout().contentsMargins()
        width = (tree.sizeHintForColumn(0) + 2 * tree.frameWidth()
                 + tree.verticalScrollBar().sizeHint().width() + margins.left() + margins.right())
        return QSize(width, super().minimumSizeHint().height())
