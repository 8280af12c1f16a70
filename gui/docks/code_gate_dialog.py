"""The *New Code Gate…* and *Edit Code Gate…* dialog: a gate's name, its ports and its Python
code (FORMAT.md 6), checked against a numerical gradient before it is used.

The dialog knows no engine: it is given two callables.

- ``template(name, ports) -> str``: the code a new gate starts with (the hacker's guide's
  class with ``forward`` and ``backward``). The editor is refilled from it when the name or the
  ports change, for as long as the user has not edited the code.
- ``check(name, ports, code) -> CheckResult``: runs the gate against centred differences. It
  may take seconds (a gate that loops forever is stopped after 2 s), so *Apply* runs it in a
  worker thread of the QThreadPool: the window stays responsive, the result area says
  "Checking…" and Apply and OK wait. A failure is shown in red with its line marked in the
  editor; a pass in green.

*OK* checks (unless the text is what was just checked) and closes when the gate passes; a
failing gate is kept only if the user says so (the canvas marks it ✗). The accepted gate is
``gate()`` (and the ``accepted_gate`` signal); ``outcome()`` is its last check. *Cancel* and
Escape leave the document as it was (the dialog never touches it), asking first when the user
has changed something.

Ports are typed as Python names separated by commas (or spaces): they become ``forward``'s
arguments, so each must be a Python name and not a keyword, at least 1 and at most 16, no two
alike. A bad name or port list is refused with a message saying which and why.

API:
    CodeGateDialog(template, check, name="", ports=("x",), code=None, name_problem=None,
                   parent=None, ports_rule=None)      code None: a new gate (the template's code)
        name_problem(name) -> message | None: what the circuit refuses, e.g. a built-in
        gate's name or another gate of the file (not this gate's own name when editing it)
        ports_rule(ports) -> message | None: what the circuit refuses of valid ports, e.g.
        another number of them for a gate in use
        .gate() -> CodeGate   .outcome() -> CheckResult | None   .is_checking() -> bool
        .apply()  (what the Apply button does)   .result_state: idle/checking/passed/failed
        signals checked(object gate, object outcome), accepted_gate(object gate)
        parts: .name_edit, .ports_edit, .editor (CodeEditor), .field_message, .result_label,
               .apply_button, .ok_button, .cancel_button
        .ask_keep_failing(outcome) -> bool, .ask_discard() -> bool: the two questions
    CheckResult (Protocol: passed, message, error_line), CheckOutcome (a dataclass of it),
    CodeGate(name, ports, code), ports_from_text(text) -> [names], ports_problem(ports)
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QVBoxLayout, QWidget)

from gui.common.code_editor import CodeEditor
from gui.common.collector_pause import pause_collector, resume_collector

MAX_PORTS = 16
_SEPARATORS = re.compile(r"[,\s]+")

PASS_GREEN = "#1b7f30"
FAIL_RED = "#c62828"
QUIET_INK = "#546e7a"
_RESULT_STYLES = {
    "idle": f"color: {QUIET_INK}; background: #f5f6f7; border-left: 4px solid #cfd8dc;",
    "checking": f"color: {QUIET_INK}; background: #f5f6f7; border-left: 4px solid #90a4ae;",
    "passed": f"color: {PASS_GREEN}; background: #edf7ee; border-left: 4px solid {PASS_GREEN};",
    "failed": f"color: {FAIL_RED}; background: #fdecec; border-left: 4px solid {FAIL_RED};",
}
IDLE_TEXT = ("Apply checks the gate's backward against centred differences, at random inputs "
             "and at the circuit's inputs.")
CHECKING_TEXT = "Checking…"


class CheckResult(Protocol):
    """What ``check`` returns: whether the gate passed, what to tell the user, and the line of
    the code the message is about (1-based) if any."""

    passed: bool
    message: str
    error_line: int | None


@dataclass(frozen=True)
class CheckOutcome:
    """A plain ``CheckResult``."""

    passed: bool
    message: str
    error_line: int | None = None


@dataclass(frozen=True)
class CodeGate:
    """A code gate as the dialog edits it (FORMAT.md 6: a name, ``ports`` and ``code``)."""

    name: str
    ports: tuple[str, ...]
    code: str


def ports_from_text(text: str) -> list[str]:
    """The port names typed in ``text``, separated by commas or spaces."""
    return [part for part in _SEPARATORS.split(text.strip()) if part]


def ports_problem(ports: Sequence[str]) -> str | None:
    """Why ``ports`` cannot be a code gate's ports, or None when they can."""
    if not ports:
        return "A gate needs at least one port: type its name, e.g. x."
    if len(ports) > MAX_PORTS:
        return f"A gate has at most {MAX_PORTS} ports; these are {len(ports)}."
    for port in ports:
        if not port.isidentifier():
            return (f"Port '{port}' is not a Python name: ports are forward's arguments "
                    "(letters, digits and _, not starting with a digit).")
        if keyword.iskeyword(port) or port == "self":
            return f"Port '{port}' is a Python keyword; forward's arguments cannot be named so."
    repeated = sorted({port for port in ports if ports.count(port) > 1})
    if repeated:
        return f"Port '{repeated[0]}' is named twice; each port needs a name of its own."
    return None


def name_problem_of(name: str) -> str | None:
    """Why ``name`` cannot name a code gate (whatever the circuit), or None when it can."""
    if not name:
        return "The gate needs a name: it is what the palette and the canvas show."
    if not name.isidentifier():
        return (f"'{name}' cannot name a gate: use letters, digits and _ "
                "(not starting with a digit).")
    return None


def _run_check(check: Callable, gate: CodeGate, generation: int, report: _CheckReport) -> None:
    """In a worker thread: run ``check`` and send its result back to the dialog's thread
    (started with the garbage collector paused: ``gui.common.collector_pause``)."""
    try:
        try:
            outcome = check(gate.name, list(gate.ports), gate.code)
        except Exception as error:  # a bug in the checker must not leave it "Checking…"
            outcome = CheckOutcome(False, f"The check could not run: {type(error).__name__}: "
                                          f"{error}")
        report.done.emit(generation, gate, outcome)
    finally:
        resume_collector()


class _CheckReport(QObject):
    """Lives in the dialog's thread, so ``done`` emitted from the worker arrives queued (and
    not at all once the dialog is gone)."""

    done = Signal(int, object, object)  # generation, gate, outcome


class CodeGateDialog(QDialog):
    """Name, ports and code of a code gate; Apply checks it off the GUI thread."""

    checked = Signal(object, object)  # CodeGate, its CheckResult
    accepted_gate = Signal(object)  # CodeGate

    def __init__(self, template: Callable[[str, list[str]], str],
                 check: Callable[[str, list[str], str], CheckResult], name: str = "",
                 ports: Sequence[str] = ("x",), code: str | None = None,
                 name_problem: Callable[[str], str | None] | None = None,
                 parent: QWidget | None = None,
                 ports_rule: Callable[[tuple[str, ...]], str | None] | None = None):
        super().__init__(parent)
        self.setObjectName("code_gate_dialog")
        self._template, self._check, self._name_problem = template, check, name_problem
        self._ports_rule = ports_rule
        is_new = code is None
        self.setWindowTitle("New Code Gate" if is_new else f"Edit Code Gate: {name}")
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setObjectName("code_gate_name")
        self.name_edit.setPlaceholderText("e.g. mul_gate")
        self.ports_edit = QLineEdit(", ".join(ports), self)
        self.ports_edit.setObjectName("code_gate_ports")
        self.ports_edit.setPlaceholderText("x, y")
        self.ports_edit.setToolTip("The inputs, in order: forward's arguments after self, and "
                                   "the gradients backward returns")
        self.field_message = QLabel(self)
        self.field_message.setObjectName("code_gate_field_message")
        self.field_message.setWordWrap(True)
        self.field_message.setStyleSheet(f"color: {FAIL_RED};")
        self.field_message.hide()
        self.editor = CodeEditor(parent=self)
        self.editor.setMinimumSize(560, 300)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("code_gate_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.PlainText)
        self.result_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.result_label.setMargin(8)
        self.result_state = "idle"
        buttons = QDialogButtonBox(QDialogButtonBox.Apply | QDialogButtonBox.Ok
                                   | QDialogButtonBox.Cancel, self)
        self.apply_button = buttons.button(QDialogButtonBox.Apply)
        self.ok_button = buttons.button(QDialogButtonBox.Ok)
        self.cancel_button = buttons.button(QDialogButtonBox.Cancel)
        self.apply_button.setToolTip("Check the gate against a numerical gradient "
                                     "(Ctrl+Return)")
        self.ok_button.setToolTip("Check the gate and close when it passes")
        self.apply_button.clicked.connect(self.apply)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.apply)
        self._lay_out(buttons)

        # no parent: the worker holds it too, so it outlives a dialog deleted mid-check
        self._report = _CheckReport()
        self._report.done.connect(self._check_done)
        self._generation = 0
        self._checking = False
        self._close_when_checked = False
        self._outcome: CheckResult | None = None
        self._checked_gate: CodeGate | None = None
        self._filling = False
        self._code_is_template = True
        if is_new:
            self._refill()
        else:
            self._fill(code)
            self._code_is_template = code == self._template_code()
        self._opened_as = self._typed_gate()
        self.editor.textChanged.connect(self._code_typed)
        self.name_edit.textEdited.connect(self._fields_edited)
        self.ports_edit.textEdited.connect(self._fields_edited)
        self._show_result("idle", IDLE_TEXT)
        (self.name_edit if is_new else self.editor).setFocus()
        self.resize(720, 620)

    def _lay_out(self, buttons: QDialogButtonBox) -> None:
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Ports", self.ports_edit)
        hint = QLabel("forward(self, …) takes one argument per port and returns the output; "
                      "backward(self, dz) returns one gradient per port, in order.", self)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {QUIET_INK};")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.field_message)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)

    # ----------------------------------------------------------------- what it holds
    def gate(self) -> CodeGate:
        """The gate as typed (name and ports stripped of spaces)."""
        return self._typed_gate()

    def outcome(self) -> CheckResult | None:
        """The last check's result (None before any)."""
        return self._outcome

    def is_checking(self) -> bool:
        """Whether a check is running in the worker thread."""
        return self._checking

    def _typed_gate(self) -> CodeGate:
        return CodeGate(self.name_edit.text().strip(),
                        tuple(ports_from_text(self.ports_edit.text())), self.editor.code())

    def _fields_problem(self) -> str | None:
        gate = self._typed_gate()
        problem = name_problem_of(gate.name)
        if problem is None and self._name_problem is not None:
            problem = self._name_problem(gate.name)
        problem = problem or ports_problem(gate.ports)
        if problem is None and self._ports_rule is not None:
            problem = self._ports_rule(gate.ports)
        return problem

    # ----------------------------------------------------------------- the template
    def _template_code(self) -> str:
        gate = self._typed_gate()
        return self._template(gate.name, list(gate.ports))

    def _fields_edited(self, _text: str = "") -> None:
        problem = self._fields_problem()
        self.field_message.setText(problem or "")
        self.field_message.setVisible(problem is not None)
        if problem is None and self._code_is_template:
            self._refill()

    def _refill(self) -> None:
        if self._fields_problem() is None:
            self._fill(self._template_code())

    def _fill(self, code: str) -> None:
        self._filling = True
        try:
            self.editor.set_code(code)
        finally:
            self._filling = False

    def _code_typed(self) -> None:
        if not self._filling:
            self._code_is_template = False

    # ----------------------------------------------------------------- checking
    def apply(self) -> None:
        """Check the gate as typed, in a worker thread (nothing while a check runs)."""
        if self._checking:
            return
        problem = self._fields_problem()
        if problem is not None:
            self.field_message.setText(problem)
            self.field_message.show()
            self._show_result("failed", problem)
            self._close_when_checked = False
            return
        gate = self._typed_gate()
        self.editor.clear_errors()
        self._checking = True
        self._generation += 1
        self.apply_button.setEnabled(False)
        self.ok_button.setEnabled(False)
        self._show_result("checking", CHECKING_TEXT)
        check, generation, report = self._check, self._generation, self._report
        pause_collector()
        QThreadPool.globalInstance().start(lambda: _run_check(check, gate, generation, report))

    def _check_done(self, generation: int, gate: CodeGate, outcome: CheckResult) -> None:
        if generation != self._generation:
            return  # a check the user walked away from (the dialog was closed)
        self._checking = False
        self.apply_button.setEnabled(True)
        self.ok_button.setEnabled(True)
        self._outcome, self._checked_gate = outcome, gate
        if outcome.passed:
            self._show_result("passed", f"✓ {outcome.message}")
        else:
            self._show_result("failed", f"✗ {outcome.message}")
            if outcome.error_line is not None and gate.code == self.editor.code():
                self.editor.mark_error(outcome.error_line, outcome.message)
        self.checked.emit(gate, outcome)
        if self._close_when_checked:
            self._close_when_checked = False
            self._ok()

    def _show_result(self, state: str, text: str) -> None:
        self.result_state = state
        self.result_label.setStyleSheet(f"QLabel {{ {_RESULT_STYLES[state]} }}")
        self.result_label.setText(text)

    # ----------------------------------------------------------------- closing
    def _ok(self) -> None:
        if self._checking:
            self._close_when_checked = True
            return
        gate = self._typed_gate()
        if self._outcome is None or gate != self._checked_gate:
            self._close_when_checked = True
            self.apply()
            return
        if self._outcome.passed or self.ask_keep_failing(self._outcome):
            self._finish(gate)

    def _finish(self, gate: CodeGate) -> None:
        self.accepted_gate.emit(gate)
        self.accept()

    def reject(self) -> None:
        """Cancel or Escape: nothing of the document changes; typed changes are asked about."""
        if self._typed_gate() != self._opened_as and not self.ask_discard():
            return
        self._generation += 1  # a running check's result is no longer wanted
        self._checking = False
        self._close_when_checked = False
        super().reject()

    def ask_keep_failing(self, outcome: CheckResult) -> bool:
        """Whether to keep a gate that fails its check (marked ✗ until it passes)."""
        return self._ask(QMessageBox.Warning, "Keep a failing gate?",
                         "This gate fails its check:",
                         f"{outcome.message}\n\nKept, it is marked ✗ on the canvas and the "
                         "circuit does not run through it until it passes.",
                         ("Keep It", QMessageBox.AcceptRole), "Go Back to Editing")

    def ask_discard(self) -> bool:
        """Whether to throw away what was typed in the dialog."""
        return self._ask(QMessageBox.Question, "Discard changes?",
                         "Discard the changes to this gate?",
                         "The circuit keeps the gate as it was before the dialog opened.",
                         ("Discard", QMessageBox.DestructiveRole), "Keep Editing")

    def _ask(self, icon, title: str, text: str, details: str, yes: tuple, no_text: str) -> bool:
        """A question whose safe answer ``no_text`` is the default (and Escape's); True when
        the user chose the ``yes`` button (its text and role)."""
        box = QMessageBox(icon, title, text, parent=self)
        box.setInformativeText(details)
        yes_button = box.addButton(*yes)
        no_button = box.addButton(no_text, QMessageBox.RejectRole)
        box.setDefaultButton(no_button)
        box.setEscapeButton(no_button)
        box.exec()
        return box.clickedButton() is yes_button
