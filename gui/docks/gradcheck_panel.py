"""The gradient check in the window: the backward pass against slopes measured by nudging.

"Check gradients" (Run menu, Ctrl+G) runs ``engine.check_gradients`` on the document's circuit:
every input and const is nudged by ±1e-6 and the centred difference is compared with the
gradient the backward pass gave. The panel's table shows, per source, both gradients and their
relative error (written as the canvas writes numbers, every digit on hover), with the verdict:
✓ ok, ✗ fail (red: a gate's local gradient is wrong), ⚠ kink (amber: relu/abs at 0 or a max/min
tie, where the slope from the left and from the right differ, with the engine's note naming the
gates). On the canvas each checked source gets the same mark as a badge beside its gate. Click a
row to select that source on the canvas.

Each element of a vector or matrix input is a parameter of its own (``engine.check_gradients``
nudges it alone). The table is a tree: a tensor input's row shows its worst element (its index
in the element column, "[0, 1] of 2×2") and opens, with the arrow, on one row per element (made
when first opened, so a big matrix costs nothing until then).

The verdicts describe the circuit as it was checked: any edit that could change a number
(not moving or relabelling a gate) takes the badges off and empties the table. Small circuits
are checked at once; a big one (the check costs two forward passes per number it nudges) is
checked on a copy in a worker thread, so the window stays responsive, and a result the user
edited the circuit under is thrown away.
"""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import (QAbstractItemView, QGraphicsItem, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)
from shiboken6 import isValid

from engine import (CircuitError, check_gradients, check_own_gates, format_full, format_number,
                    plan_of, shape_text)
from gui.common import theme
from gui.model.opened_ports import use_port_values
from gui.docks.own_gate_rows import SECTION_TITLE, gate_statuses, port_row_texts, with_gates

INPUT, ELEMENT, ANALYTIC, NUMERICAL, REL_ERROR, STATUS, NOTE = range(7)
HEADERS = ("input", "element", "analytic", "numerical", "rel. error", "status", "note")
ID_ROLE = Qt.UserRole
ENTRY_ROLE = Qt.UserRole + 1  # a tensor row's entry, for its element rows made when opened

AMBER = QColor("#b26a00")
GLYPHS = {"ok": "✓", "fail": "✗", "kink": "⚠"}
COLORS = {"ok": theme.VALUE_GREEN, "fail": theme.GRAD_RED, "kink": AMBER}
FILLS = {"fail": QColor("#fde8e8"), "kink": QColor("#fff3dc")}
BADGE_Z = 70
BADGE_RADIUS = 8.0
SYNC_LIMIT = 300_000  # element evaluations (elements × (2 numbers + 1)) checked in place
POLL_MS = 40
MIN_HEIGHT = 40
# edits that cannot change any number: the verdicts still hold
_HARMLESS = {("node_changed", "pos"), ("node_changed", "label"), ("title_changed", None)}


class BadgeItem(QGraphicsItem):
    """A source's verdict on the canvas: ✓, ✗ or ⚠ on a coloured disc at its top-left."""

    def __init__(self, gate, status: str):
        super().__init__(gate)
        self.status = status
        self.setZValue(BADGE_Z)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setAcceptHoverEvents(False)
        self.setPos(QPointF(2.0, 1.0))

    @property
    def glyph(self) -> str:
        """The mark drawn: ✓, ✗ or ⚠."""
        return GLYPHS[self.status]

    def boundingRect(self) -> QRectF:
        r = BADGE_RADIUS + 1
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never in the way of clicks and tooltips on the gate

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(QBrush(COLORS[self.status]))
        painter.drawEllipse(QPointF(0, 0), BADGE_RADIUS, BADGE_RADIUS)
        painter.setPen(QColor("white"))
        painter.setFont(theme.font(11, True))
        painter.drawText(self.boundingRect(), Qt.AlignCenter, self.glyph)


class GradCheckBadges:
    """The badges of the last check, one per checked source, kept in step with the scene."""

    def __init__(self, scene):
        self.scene = scene
        self._badges: dict[str, BadgeItem] = {}

    def badges(self) -> dict:
        """The badges on the canvas now: node id -> BadgeItem."""
        self._badges = {i: b for i, b in self._badges.items() if isValid(b)}
        return dict(self._badges)

    def show(self, statuses: dict) -> None:
        """Badge each source (node id -> "ok"/"fail"/"kink"); others lose theirs."""
        self.clear()
        for node_id, status in statuses.items():
            gate = self.scene.gate_item(node_id)
            if gate is not None:
                self._badges[node_id] = BadgeItem(gate, status)

    def clear(self) -> None:
        """Take every badge off the canvas."""
        for badge in self._badges.values():
            if isValid(badge):
                if badge.scene() is not None:
                    badge.scene().removeItem(badge)
                badge.setParentItem(None)
        self._badges = {}


class _Job:
    """A check running on a copy of the circuit in a worker thread."""

    def __init__(self, circuit, generation: int, inputs=None):
        self.generation = generation
        self.inputs = inputs
        self.report = None
        self.gate_checks = []
        self.error: Exception | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(circuit,), daemon=True,
                                       name="gradient check")
        self.thread.start()

    def _run(self, circuit) -> None:
        try:
            self.report = check_gradients(circuit, self.inputs)
            self.gate_checks = check_own_gates(circuit)
        except Exception as error:  # shown to the user on the GUI thread
            self.error = error
        finally:
            self.done.set()


class GradCheckPanel(QWidget):
    """The Check gradients command's table, status line and canvas badges."""

    status_message = Signal(str)
    checked = Signal(object)  # the engine.GradCheckReport shown

    def __init__(self, document, scene, parent=None):
        super().__init__(parent)
        self.setObjectName("gradcheck_panel")
        self.document = document
        self.scene = scene
        self.report = None
        self.gate_checks = []  # engine.OwnGateCheck per use of an own gate
        self._use_inputs = {}  # the port numbers of the use the check ran at (inside a gate)
        self.gate_section: QTreeWidgetItem | None = None
        self.sync_limit = SYNC_LIMIT
        self.badges = GradCheckBadges(scene)
        self._generation = 0
        self._job: _Job | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._poll_job)

        self.button = QPushButton("Check gradients", self)
        self.button.setObjectName("gradcheck_button")
        self.button.setToolTip("Compare every input's gradient from the backward pass with "
                               "the slope measured by nudging it (Ctrl+G)")
        self.button.clicked.connect(self.check)
        self.status = QLabel(self)
        self.status.setObjectName("gradcheck_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.table = QTreeWidget(self)
        self.table.setObjectName("gradcheck_table")
        self.table.setColumnCount(len(HEADERS))
        self.table.setHeaderLabels(HEADERS)
        header_item = self.table.headerItem()
        header_item.setToolTip(ELEMENT, "A vector or matrix input's worst element; open the "
                                        "row for every element")
        header_item.setToolTip(ANALYTIC, "df/dx from the backward pass")
        header_item.setToolTip(NUMERICAL, "(f(x + h) − f(x − h)) / 2h with h = 1e-6: the slope "
                                          "measured by nudging x")
        header_item.setToolTip(REL_ERROR, "|analytic − numerical| / max(|analytic|, "
                                          "|numerical|)")
        self.table.setRootIsDecorated(True)
        self.table.setUniformRowHeights(True)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setMinimumHeight(MIN_HEIGHT)  # the dock may shrink on small screens
        header = self.table.header()
        header.setStretchLastSection(False)
        for column in (INPUT, ELEMENT, ANALYTIC, NUMERICAL, REL_ERROR, STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(NOTE, QHeaderView.Stretch)
        header.setHighlightSections(False)
        self.table.itemSelectionChanged.connect(self._select_on_canvas)
        self.table.itemExpanded.connect(self._fill_elements)

        top = QHBoxLayout()
        top.addWidget(self.button)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._say("Press Check gradients (Ctrl+G) to compare the backward pass with slopes "
                  "measured by nudging each input.")

        document.changed.connect(self._on_change)
        document.circuit_replaced.connect(self._on_circuit_replaced)

    # ----------------------------------------------------------------- public API
    @property
    def running(self) -> bool:
        """True while a check runs in the worker thread."""
        return self._job is not None

    def check(self) -> None:
        """Run the gradient check on the document's circuit and show its verdicts."""
        if self._job is not None:
            return
        circuit = self.document.circuit
        inputs = self._use_inputs = use_port_values(self.document)
        sources = sum(1 for node in circuit.nodes.values() if node.gate.is_source)
        numbers = sum(int(np.size(node.value)) for node in circuit.nodes.values()
                      if node.gate.is_source)
        # a pass costs about one evaluation per element of every node
        elements = sum(int(np.prod(shape)) for shape in plan_of(circuit).shapes.values())
        if max(elements, len(circuit.nodes)) * (2 * numbers + 1) <= self.sync_limit:
            try:
                report = check_gradients(circuit, inputs)
            except (CircuitError, ValueError) as error:
                self._refuse(error)
                return
            self._show(report, check_own_gates(circuit))
            return
        self.clear()
        what = f"{sources} inputs" if numbers == sources else \
            f"{numbers} numbers of {sources} inputs"
        self._say(f"Checking {what}… (two forward passes each)")
        self.button.setEnabled(False)
        self._job = _Job(circuit.copy(), self._generation, inputs)
        self._poll.start()

    def statuses(self) -> dict:
        """The verdict shown for each source: node id -> "ok", "fail" or "kink"."""
        if self.report is None:
            return {}
        return {entry.node_id: entry.status for entry in self.report.entries}

    def clear(self, why: str = "") -> None:
        """Empty the table and take the badges off (``why``: the status line to show)."""
        self.report = None
        self.gate_checks = []
        self.gate_section = None
        self.table.clear()
        self.badges.clear()
        if why:
            self._say(why)

    # ----------------------------------------------------------------- running
    def _poll_job(self) -> None:
        job = self._job
        if job is None or not job.done.is_set():
            return
        self._job = None
        self._poll.stop()
        self.button.setEnabled(True)
        if job.generation != self._generation:
            self._say("The circuit changed during the check: press Check gradients again.")
        elif job.error is not None:
            self._refuse(job.error)
        else:
            self._show(job.report, job.gate_checks)

    def _refuse(self, error: Exception) -> None:
        self.clear()
        text = f"Cannot check the gradients: {error}"
        self._say(text, theme.GRAD_RED)
        self.status_message.emit(text)

    def _on_circuit_replaced(self) -> None:
        self._generation += 1
        self.clear("A new circuit: press Check gradients (Ctrl+G) to check it.")

    def _on_change(self, change) -> None:
        if (change.kind, change.field) in _HARMLESS:
            return
        self._generation += 1
        if self.report is not None:
            self.clear("The circuit changed since the check: press Check gradients again.")

    # ----------------------------------------------------------------- showing
    def _say(self, text: str, color: QColor | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {color.name()};" if color is not None else "")

    def _show(self, report, gate_checks=()) -> None:
        self.report = report
        self.gate_checks = list(gate_checks)
        self.gate_section = None
        self.table.clear()
        for entry in report.entries:
            row = QTreeWidgetItem(self.table)
            self._fill_row(row, entry)
            if entry.elements:  # opened on demand: the element rows are made then
                row.setData(INPUT, ENTRY_ROLE, entry)
                row.setChildIndicatorPolicy(QTreeWidgetItem.ShowIndicator)
        if self.gate_checks:
            self._add_gate_section()
        self.badges.show({**self.statuses(), **gate_statuses(self.gate_checks)})
        text, color = summary(report)
        if self.gate_checks:
            text, color = with_gates(text, color, self.gate_checks)
        if self._use_inputs and self.document.levels:
            text += (f" Checked at the numbers of the use {self.document.levels[-1].use} "
                     "this gate was opened from.")
        self._say(text, color)
        self.status_message.emit(text)
        self.checked.emit(report)

    def _add_gate_section(self) -> None:
        """The own gates' section: a title row, opened, with one row per port of each use."""
        section = self.gate_section = QTreeWidgetItem(self.table)
        section.setText(INPUT, SECTION_TITLE)
        section.setFirstColumnSpanned(True)
        font = section.font(INPUT)
        font.setBold(True)
        section.setFont(INPUT, font)
        for check, texts in ((check, texts) for check in self.gate_checks
                             for texts in port_row_texts(self.document.circuit, check)):
            row = QTreeWidgetItem(section)
            status = texts["status"]
            for column, header in enumerate(HEADERS):
                row.setText(column, texts.get(header, ""))
                row.setData(column, ID_ROLE, check.node_id)
                if column in (ANALYTIC, NUMERICAL, REL_ERROR):
                    row.setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)
                if status in FILLS:
                    row.setBackground(column, FILLS[status])
            row.setText(STATUS, f"{GLYPHS[status]} {status}")
            row.setForeground(STATUS, COLORS[status])
            row.setFont(STATUS, font)  # bold, as the inputs' verdicts
            row.setToolTip(ELEMENT, texts.get("where", ""))
            row.setToolTip(NOTE, texts["note"])
        section.setExpanded(True)

    def rows(self) -> list[QTreeWidgetItem]:
        """The table's rows, one per checked source (a tensor's element rows are its children;
        the file's own gates are in a section of their own, ``gate_rows``)."""
        rows = [self.table.topLevelItem(k) for k in range(self.table.topLevelItemCount())]
        return [row for row in rows if row is not self.gate_section]

    def gate_rows(self) -> list[QTreeWidgetItem]:
        """The rows of the own-gates section: one per port of each use of a file's own gate."""
        section = self.gate_section if isValid(self.gate_section) else None
        return [section.child(k) for k in range(section.childCount())] if section else []

    def _fill_elements(self, row: QTreeWidgetItem) -> None:
        entry = row.data(INPUT, ENTRY_ROLE)
        if entry is None or row.childCount():
            return
        self.table.setUpdatesEnabled(False)
        try:
            for element in entry.elements:
                self._fill_row(QTreeWidgetItem(row), element, element_row=True)
        finally:
            self.table.setUpdatesEnabled(True)

    def _fill_row(self, row: QTreeWidgetItem, entry, element_row: bool = False) -> None:
        node = self.document.circuit.nodes[entry.node_id]
        element = entry.element_text
        if entry.elements and not element_row:
            element += f" of {shape_text(np.shape(node.value))}"
        numbers = {ANALYTIC: entry.analytic, NUMERICAL: entry.numerical,
                   REL_ERROR: entry.rel_error}
        cells = ["" if element_row else node.name, element,
                 *(format_number(numbers[c]) for c in (ANALYTIC, NUMERICAL, REL_ERROR)),
                 f"{GLYPHS[entry.status]} {entry.status}", entry.note]
        fill = FILLS.get(entry.status)
        for column, text in enumerate(cells):
            row.setText(column, text)
            row.setData(column, ID_ROLE, entry.node_id)
            if column in (ANALYTIC, NUMERICAL, REL_ERROR):
                row.setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)
            if fill is not None:
                row.setBackground(column, fill)
            tips = [f"{HEADERS[column]} = {format_full(numbers[column])}"] \
                if column in numbers else []  # the short number's every digit
            row.setToolTip(column, "\n".join(tips + [entry.note] if entry.note else tips))
        row.setForeground(STATUS, COLORS[entry.status])
        font = row.font(STATUS)
        font.setBold(True)
        row.setFont(STATUS, font)

    def _select_on_canvas(self) -> None:
        items = self.table.selectedItems()
        if not items:
            return
        node_id = items[0].data(INPUT, ID_ROLE)
        if node_id is None:  # a section's title
            return
        self.scene.select_nodes([node_id])
        gate = self.scene.gate_item(node_id)
        for view in self.scene.views() if gate is not None else ():
            view.ensureVisible(gate, 40, 40)


def summary(report) -> tuple[str, QColor]:
    """The status line after a check, and its colour (a tensor counts one gradient per
    element)."""
    entries = [element for entry in report.entries for element in entry.elements or (entry,)]
    f = f"{report.output} = {format_number(report.value)}"
    if not entries:
        return f"There are no inputs to check ({f}).", theme.SOFT_INK
    failed = [e for e in entries if e.status == "fail"]
    kinks = [e for e in entries if e.status == "kink"]
    if failed:
        names = ", ".join(e.node_id + e.element_text for e in failed[:8])
        names += ", …" if len(failed) > 8 else ""
        return (f"✗ {len(failed)} of {len(entries)} gradients do not match the measured slope "
                f"({names}): a local gradient on their paths is wrong.", theme.GRAD_RED)
    if kinks:
        return (f"⚠ {len(entries) - len(kinks)} ok, {len(kinks)} at a kink, where the slope "
                f"from the left and from the right differ ({f}).", AMBER)
    if len(entries) == 1:
        return (f"✓ The gradient matches the slope measured by nudging the input ({f}).",
                theme.VALUE_GREEN)
    return (f"✓ All {len(entries)} gradients match the slopes measured by nudging each input "
            f"({f}).", theme.VALUE_GREEN)
