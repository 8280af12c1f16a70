"""File -> Export Gates… and File -> Import Gates…: handing a set of gates to a class.

Export asks which of the file's own gates to write (those used by the selected gates checked
at first, or all of them when the selection uses none), then where, and writes a circuit file
whose ``"gates"`` holds them and the gates they use (``engine.export_gates``: atomic, an old
file is left as it was on failure). Import asks for a circuit file, reads its gates (a file
the engine refuses is reported with its message and nothing changes), then asks which to
import and how to settle each name clash (``ImportGatesDialog``); OK defines them in the
circuit as one undo step (``ImportGatesCommand``). The palette follows the circuit's
``gate_defined`` changes by itself.

The dialogs are opened with ``open()`` (modal to the window, not blocking), and the current
one is ``dialog``, so a test can click in it; the file questions are the window's methods.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject

import engine
from engine import CircuitError

from gui.files.file_actions import FILE_FILTER
from gui.files.gate_library_dialogs import ExportGatesDialog, ImportGatesDialog
from gui.model.commands import ImportGatesCommand


def _same_file(path, other) -> bool:
    return Path(path).resolve() == Path(other).resolve()


def preselected_gates(circuit, node_ids) -> list[str]:
    """The own gates the nodes ``node_ids`` are, in the file's order; all of the file's own
    gates when none of those nodes is one."""
    used = {circuit.nodes[node_id].op for node_id in node_ids}
    return [name for name in circuit.definitions if name in used] or list(circuit.definitions)


class GateLibraryActions(QObject):
    """Exports the document's own gates to a file, and imports a file's gates into it."""

    def __init__(self, window, settings, selected_node_ids):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.selected_node_ids = selected_node_ids  # () -> ids of the selected gates
        self.dialog = None

    @property
    def document(self):
        """The window's document."""
        return self.window.document

    def _show(self, dialog, on_ok) -> None:
        """Open ``dialog`` modal to the window; ``on_ok(dialog)`` runs when it is accepted."""
        self.dialog = dialog
        dialog.accepted.connect(lambda: on_ok(dialog))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def can_export(self) -> bool:
        """True when the document's circuit has gates of its own."""
        return bool(self.document.circuit.definitions)

    # ----------------------------------------------------------------- export
    def export_gates(self) -> None:
        """Ask which gates to export; on OK ask where, and write them."""
        circuit = self.document.circuit
        if not circuit.definitions:
            self.window.show_status("This circuit has no gates of its own to export")
            return
        preselected = preselected_gates(circuit, self.selected_node_ids())
        self._show(ExportGatesDialog(circuit, preselected, self.window),
                   lambda dialog: self.write_gates(dialog.chosen()))

    def write_gates(self, names: list[str]) -> bool:
        """Ask where, then write gates ``names`` (with those they use) to a library file."""
        stem = self.document.path.stem if self.document.path else "gates"
        suggested = Path(self.settings.last_folder()) / f"{stem}_gates.circuit"
        path = self.window.ask_save_path("Export Gates", os.fspath(suggested), FILE_FILTER)
        if not path:
            return False
        if not Path(path).suffix:
            path = f"{path}.circuit"
        if self.document.path is not None and _same_file(path, self.document.path):
            self.window.show_error("Cannot export the gates",
                                   f"{Path(path).name} is this circuit's own file: exporting "
                                   "there would replace the circuit by its gates alone. "
                                   "Choose another file.")
            return False
        try:
            library = engine.export_gates(self.document.circuit, names, path)
        except CircuitError as error:
            self.window.show_error("Cannot export the gates", str(error))
            self.window.show_status(f"Not exported: {error}")
            return False
        written = list(library.definitions)
        self.window.show_status(f"Wrote {len(written)} gate{'s' if len(written) != 1 else ''} "
                                f"({', '.join(written)}) to {Path(path).name}")
        return True

    # ----------------------------------------------------------------- import
    def import_gates(self) -> None:
        """Ask for a circuit file, then which of its gates to import and how."""
        path = self.window.ask_library_path(self.settings.last_folder(), FILE_FILTER)
        if not path:
            return
        try:
            library = engine.read_gate_library(path)
        except CircuitError as error:
            self.window.show_error("Cannot import gates", str(error))
            self.window.show_status(f"Not imported: {error}")
            return
        self._show(ImportGatesDialog(self.document.circuit, library, Path(path).name,
                                     self.window),
                   lambda dialog: self.define_gates(dialog.gate_import))

    def define_gates(self, gate_import) -> None:
        """Define the imported gates as one undo step, and say what became of each."""
        if gate_import.imported:
            self.document.push(ImportGatesCommand(self.document, gate_import))
        self.window.show_status(gate_import.summary())

    def follow(self, export_action) -> None:
        """Keep ``export_action`` enabled exactly while the circuit has gates of its own."""
        def update(*_args):
            export_action.setEnabled(self.can_export())

        self.document.changed.connect(
            lambda change: update() if change.kind == "gate_defined" else None)
        self.document.circuit_replaced.connect(update)
        update()
