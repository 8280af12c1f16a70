"""Whether a file's code gates run: asked when the file opens, checked in the background once
trusted, and the status bar told what the checks found and when a gate stops while running.

Code gates (FORMAT.md 6) are Python that runs with the user's permissions, so a file's code
runs only after the user has seen it. When a file with untrusted code gates opens (File ->
Open, Open Recent, Examples, a file dropped on the window or named on the command line, a
restored autosave: ``circuit_opened``), a file whose code the user trusted before
(``TrustedCode`` remembers its ``circuit.code_fingerprint()``) is trusted again without asking;
any other file asks (``ask(file_name, code_gates) -> bool``: the window's trust dialog). *Trust
and run* remembers the fingerprint; *Open without running* leaves the gates untrusted: they are
drawn as such, the circuit does not run through them, and saving keeps their code. Gates ->
Trust Code Gates… (``ask_again``) asks again for the file that is open.

Trusting checks every code gate against the numerical gradient (``engine.trust_code``), which
runs their code, up to the code host's time limit (2 s) per call. So it runs in a worker
thread of the QThreadPool on a snapshot of the circuit (``gui.model.code_snapshot``), with a
busy cursor, while the window keeps painting; back on the GUI thread, each gate's trust and
check are given to the document's circuit (unless another file was opened meanwhile or the
gate's code changed), which tells the canvas (``gate_status``) and runs the passes. The status
bar then says which gates passed and which did not, with the first failure's message.

A trusted gate can still stop while the passes run: a runaway on inputs it was not checked at
is stopped after the time limit, and the engine marks the gate's definition failed and leaves
it out (``result.gate_problems``). After each pass, a gate that newly stopped is named on the
status bar with the reason, and the canvas is told so it marks the gate ✗.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QApplication

import engine
from engine import CircuitError
from gui.common.collector_pause import pause_collector, resume_collector
from gui.files.trust_dialog import TrustDialog
from gui.files.trusted_code import TrustedCode
from gui.model.code_snapshot import detached_copy, same_code


def code_gates_of(circuit) -> dict[str, dict]:
    """The file's code gates as the trust dialog shows them: name -> ports and code."""
    return {name: {"ports": list(definition.ports), "code": definition.code}
            for name, definition in circuit.root.definitions.items()
            if definition.kind == "code"}


def ask_with_dialog(parent, file_name: str, code_gates: dict) -> bool:
    """Show the trust dialog (modal) on ``code_gates``; True for *Trust and run*."""
    dialog = TrustDialog(file_name, code_gates, parent)
    dialog.exec()
    return dialog.trusted()


def _named(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def checks_text(file_name: str, checks: dict) -> str:
    """What the status bar says after trusting: which gates pass, which fail and why."""
    passed = [name for name, check in checks.items() if check.passed]
    failed = [name for name, check in checks.items() if not check.passed]
    if not failed:
        many = len(passed) != 1
        return (f"Trusted {file_name}: code gate{'s' if many else ''} {_named(passed)} "
                f"pass{'' if many else 'es'} {'their' if many else 'its'} check and run")
    first = checks[failed[0]].message
    passing = f"{_named(passed)} pass{'' if len(passed) != 1 else 'es'}; " if passed else ""
    return (f"Trusted {file_name}: {passing}{_named(failed)} "
            f"fail{'' if len(failed) != 1 else 's'} and do{'' if len(failed) != 1 else 'es'} "
            f"not run ({first})")


def _end_busy(running: dict) -> None:
    """Take the busy cursor back if trusts were still running (the window is closing)."""
    if running:
        running.clear()
        QApplication.restoreOverrideCursor()


def _trust_in_worker(snapshot, token: int, report) -> None:
    """In a worker thread: trust and check the snapshot's code gates, then report back
    (started with the garbage collector paused: ``gui.common.collector_pause``)."""
    try:
        try:
            outcome = engine.trust_code(snapshot)
        except Exception as error:  # a bug in a check must not leave the window busy
            outcome = f"{type(error).__name__}: {error}"
        report.done.emit(token, snapshot, outcome)
    finally:
        resume_collector()


class _TrustReport(QObject):
    """Lives in the GUI thread, so ``done`` emitted from the worker arrives queued."""

    done = Signal(int, object, object)  # token, snapshot, {name: GateCheck} or an error text


class CodeTrust(QObject):
    """Asks about a file's code, trusts it in the background and reports what its gates do."""

    status_message = Signal(str)
    checked = Signal(dict)  # name -> GateCheck, once a trust's checks are in the document

    def __init__(self, document, settings, ask, parent=None):
        super().__init__(parent)
        self.document = document
        self.store = TrustedCode(settings)  # the fingerprints, in the app's QSettings
        self.ask = ask  # ask(file_name, code_gates) -> True for "Trust and run"
        self._report = _TrustReport()  # unparented: the worker holds it as long as it runs
        self._report.done.connect(self._trusted)
        self._token = 0
        self._running: dict[int, tuple] = {}  # token -> (file circuit, file name)
        self._stopped: dict[str, tuple] = {}  # gate name -> (definition, failure) reported
        document.results_changed.connect(self._report_stopped)
        self.destroyed.connect(partial(_end_busy, self._running))

    @property
    def file(self):
        """The file's circuit (whatever level of it is shown)."""
        return self.document.circuit.root

    def is_trusting(self) -> bool:
        """Whether code gates are being checked in the background."""
        return bool(self._running)

    # ----------------------------------------------------------------- asking
    def circuit_opened(self, file_name: str) -> None:
        """A file was opened: trust its code if the user did before, else ask."""
        if not engine.untrusted_code_gates(self.file):
            return
        if self.store.is_trusted(self.file.code_fingerprint()):
            self.trust(file_name)
        else:
            self._ask(file_name)

    def ask_again(self) -> bool:
        """Gates -> Trust Code Gates…: show the open file's code and ask (True if trusted)."""
        file_name = self.document.display_name
        if not code_gates_of(self.file):
            self.status_message.emit(f"{file_name} has no code gates")
            return False
        if not engine.untrusted_code_gates(self.file):
            self.status_message.emit(f"The code gates of {file_name} are trusted already")
            return False
        return self._ask(file_name)

    def _ask(self, file_name: str) -> bool:
        if self.ask(file_name, code_gates_of(self.file)):
            self.store.remember(self.file.code_fingerprint())
            self.trust(file_name)
            return True
        untrusted = engine.untrusted_code_gates(self.file)
        self.status_message.emit(
            f"Opened {file_name} without running its code: {_named(untrusted)} "
            f"{'are' if len(untrusted) != 1 else 'is'} not run (Gates → Trust Code Gates… "
            "runs them)")
        return False

    def remember_if_trusted(self) -> None:
        """Remember the open file's code as trusted when every code gate of it is (the user
        wrote or edited it here), so reopening it does not ask."""
        if code_gates_of(self.file) and not engine.untrusted_code_gates(self.file):
            self.store.remember(self.file.code_fingerprint())

    # ----------------------------------------------------------------- trusting
    def trust(self, file_name: str) -> bool:
        """Trust and check every code gate of the open file in a worker thread; False (saying
        why) if the circuit could not be copied for it."""
        try:
            snapshot = detached_copy(self.file)
        except CircuitError as error:
            self.status_message.emit(f"Cannot check the code gates of {file_name}: {error}")
            return False
        self._token += 1
        token, report = self._token, self._report
        if not self._running:
            QApplication.setOverrideCursor(Qt.BusyCursor)
        self._running[token] = (self.file, file_name)
        self.status_message.emit(f"Checking the code gates of {file_name}…")
        pause_collector()
        QThreadPool.globalInstance().start(lambda: _trust_in_worker(snapshot, token, report))
        return True

    def _trusted(self, token: int, snapshot, outcome) -> None:
        file, file_name = self._running.pop(token)
        if not self._running:
            QApplication.restoreOverrideCursor()
        if file is not self.file:
            return  # another file was opened meanwhile
        if isinstance(outcome, str):
            self.status_message.emit(f"The code gates of {file_name} could not be checked: "
                                     f"{outcome}")
            return
        for name, check in outcome.items():
            definition = file.definitions.get(name)
            copied = snapshot.definitions[name]
            if same_code(definition, copied):
                definition.trusted, definition.check = True, check
                definition.failure = copied.failure
                file.gate_status_changed(name)
        self.status_message.emit(checks_text(file_name, outcome))
        self.checked.emit(outcome)

    # ----------------------------------------------------------------- while the passes run
    def _report_stopped(self, _result) -> None:
        file = self.file
        newly = []
        for name, definition in file.definitions.items():
            if definition.kind != "code" or not definition.failure:
                continue
            if self._stopped.get(name) != (id(definition), definition.failure):
                self._stopped[name] = (id(definition), definition.failure)
                newly.append(definition)
        for definition in newly:
            file.gate_status_changed(definition.name)  # the canvas marks it ✗
        if newly:
            first = newly[0]
            self.status_message.emit(
                f"Code gate {first.name} stopped: {first.failure}. The circuit leaves it out "
                "until its code is edited (double-click it)")
