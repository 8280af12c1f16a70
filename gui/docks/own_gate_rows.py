"""The gradient check's section for a file's own gates: each use checked as one gate.

Below the inputs' rows, the Check gradients table lists every use of a gate of the file's own
(compound or code) with ``engine.check_own_gates``' verdict: its backward against centred
differences of its forward, port by port, at random inputs and at the values the circuit feeds
it. A row per port shows its first failure, else its numbers at the circuit's inputs (the
numbers the canvas shows), with both numbers and their relative error, ✓ or ✗, and the
verdict's sentence; the gate gets the same badge on the canvas. This module says what the rows
and the status line read; the panel lays them out.
"""

from __future__ import annotations

from engine import CHECKED_AT_CIRCUIT_INPUTS, format_number
from gui.common import theme

SECTION_TITLE = "This file's gates, each checked as a gate"


def gate_statuses(checks) -> dict:
    """node id -> "ok" or "fail", one per use of an own gate."""
    return {check.node_id: "ok" if check.passed else "fail" for check in checks}


def _shown_entry(check, entries=None):
    entries = check.check.entries if entries is None else entries
    failures = [entry for entry in entries if not entry.ok]
    if failures:
        return failures[0]
    here = [entry for entry in entries if entry.where.startswith(CHECKED_AT_CIRCUIT_INPUTS)]
    return here[0] if here else max(entries, key=lambda entry: entry.rel_error, default=None)


def gate_row_texts(circuit, check, entries=None) -> dict:
    """What a use's row reads, by column name ("input", "element", "analytic", "numerical",
    "rel. error", "note"; "where": the shown numbers' inputs), and its "status" (of the port
    whose ``entries`` are given: default, the whole gate's)."""
    node = circuit.nodes.get(check.node_id)
    name = node.name if node is not None else check.node_id
    passed = check.passed if entries is None else all(entry.ok for entry in entries)
    status = "ok" if passed else "fail"
    texts = {"status": status, "note": check.check.message, "input": name}
    entry = _shown_entry(check, entries)
    if entry is not None:
        texts.update({"element": f"port {entry.port}", "where": f"at {entry.where}",
                      "analytic": format_number(entry.analytic),
                      "numerical": format_number(entry.numerical),
                      "rel. error": format_number(entry.rel_error)})
    return texts


def port_row_texts(circuit, check) -> list[dict]:
    """A use's rows, one per port in port order (``gate_row_texts`` of each port's entries);
    one row for the gate when it has no entries (its code failed)."""
    ports: dict = {}
    for entry in check.check.entries:
        ports.setdefault(entry.port, []).append(entry)
    if not ports:
        return [gate_row_texts(circuit, check)]
    return [gate_row_texts(circuit, check, entries) for entries in ports.values()]


def with_gates(text: str, color, checks) -> tuple:
    """The status line with the own gates' verdicts added; red if one of them failed."""
    failed = [check.node_id for check in checks if not check.passed]
    if failed:
        return (f"{text} ✗ Own gate{'s' if len(failed) > 1 else ''} {', '.join(failed)} "
                "failed the gate check (see the table).", theme.GRAD_RED)
    names = ", ".join(check.node_id for check in checks)
    verb = "passes" if len(checks) == 1 else "pass"
    return (f"{text} ✓ Own gate{'s' if len(checks) > 1 else ''} {names} {verb} the gate "
            "check.", color)
