"""The gradient check's section for a file's own gates: each use checked as one gate.

Below the inputs' rows, the Check gradients table lists every use of a gate of the file's own
(compound or code) with ``engine.check_own_gates``' verdict: its backward against centred
differences of its forward, port by port, at random inputs and at the values the circuit feeds
it. A row shows the port whose numbers are worst (the failing one, if any), both numbers and
their relative error, ✓ or ✗, and the verdict's sentence; the gate gets the same badge on the
canvas.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from engine import CHECKED_AT_CIRCUIT_INPUTS as CIRCUIT_INPUTS
from engine import format_number
from gui.common import theme

SECTION_TITLE = "This file's gates, each checked as a gate"


def gate_statuses(checks) -> dict:
    """node id -> "ok" or "fail", one per use of an own gate."""
    return {check.node_id: "ok" if check.passed else "fail" for check in checks}


def _shown_entry(check):
    """The entry a row shows: the first failure, else the first port at the circuit's inputs
    (the numbers the canvas shows), else the largest relative error."""
    entries = check.check.entries
    if check.check.failures:
        return check.check.failures[0]
    here = [entry for entry in entries if entry.where.startswith(CIRCUIT_INPUTS)]
    return here[0] if here else max(entries, key=lambda entry: entry.rel_error, default=None)


def add_gate_section(table, circuit, checks) -> QTreeWidgetItem:
    """Add the section (a title row, opened, with one row per check) to ``table``, whose
    columns are the gradient check panel's; returns its title row."""
    from gui.docks.gradcheck_panel import (ANALYTIC, COLORS, ELEMENT, FILLS, GLYPHS, ID_ROLE,
                                           INPUT, NOTE, NUMERICAL, REL_ERROR, STATUS)
    section = QTreeWidgetItem(table)
    section.setText(INPUT, SECTION_TITLE)
    section.setFirstColumnSpanned(True)
    font = section.font(INPUT)
    font.setBold(True)
    section.setFont(INPUT, font)
    for check in checks:
        row = QTreeWidgetItem(section)
        status = "ok" if check.passed else "fail"
        entry = _shown_entry(check)
        node = circuit.nodes.get(check.node_id)
        cells = {INPUT: node.name if node is not None else check.node_id,
                 STATUS: f"{GLYPHS[status]} {status}", NOTE: check.check.message}
        if entry is not None:
            cells.update({ELEMENT: f"port {entry.port}", ANALYTIC: format_number(entry.analytic),
                          NUMERICAL: format_number(entry.numerical),
                          REL_ERROR: format_number(entry.rel_error)})
        for column, text in cells.items():
            row.setText(column, text)
        for column in range(table.columnCount()):
            row.setData(column, ID_ROLE, check.node_id)
            if column in (ANALYTIC, NUMERICAL, REL_ERROR):
                row.setTextAlignment(column, Qt.AlignRight | Qt.AlignVCenter)
            if status in FILLS:
                row.setBackground(column, FILLS[status])
        row.setToolTip(NOTE, check.check.message)
        if entry is not None:
            row.setToolTip(ELEMENT, f"at {entry.where}")
        row.setForeground(STATUS, COLORS[status])
    section.setExpanded(True)
    return section


def with_gates(text: str, color, checks) -> tuple:
    """The status line with the own gates' verdicts added; red if one of them failed."""
    failed = [check.node_id for check in checks if not check.passed]
    if failed:
        return (f"{text} ✗ Own gate{'s' if len(failed) > 1 else ''} {', '.join(failed)} "
                "failed the gate check (see the table).", theme.GRAD_RED)
    names = ", ".join(check.node_id for check in checks)
    verb = "passes" if len(checks) == 1 else "pass"
    return f"{text} ✓ Own gate{'s' if len(checks) > 1 else ''} {names} {verb} the gate check.", \
        color
