"""The File menu's work: New, Open, Open Recent, Examples, Save, Save As, Export, restore.

Everything that can lose work goes through ``confirm_discard`` first (Save / Discard / Cancel
when the document has unsaved edits). Loading happens completely before the document is
touched: a file the engine refuses is reported with the engine's message (which names the
place in the file) and the open document, its undo history and its path stay as they were.
Once a file is the document, ``file_opened`` says so (the window then asks whether its code
gates may run: ``gui.files.code_trust``).
Saving goes through ``Document.save`` (atomic in the engine): a failed save says why and the
old file is left as it was.

The questions and messages themselves (file dialogs, message boxes, the status bar) are
methods of the window (``ask_unsaved``, ``ask_open_path``, ``ask_save_path``, ``show_error``,
``show_status``...), so tests answer them by replacing those methods, without modal dialogs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

import engine
from engine import CircuitError

from gui.files import export
from gui.files.app_settings import AppSettings
from gui.model.commands import SetTitleCommand

FILE_FILTER = "Circuits (*.circuit);;All files (*)"
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
DEFAULT_TITLE = "untitled"  # engine.Circuit()'s title


def examples_folder() -> Path:
    """The bundled example circuits, next to main.py."""
    return Path(__file__).resolve().parents[2] / "assets" / "examples"


def described_examples(folder=None) -> list[tuple[str, Path, str]]:
    """(title, path, description: what it teaches, "" if none) of every example circuit,
    sorted by title; unreadable files are skipped."""
    folder = Path(folder) if folder is not None else examples_folder()
    found = []
    for path in sorted(folder.glob("*.circuit")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            title = data.get("title") or path.stem
            description = data.get("description")
        except (OSError, ValueError, AttributeError):
            continue
        found.append((str(title), path, description if isinstance(description, str) else ""))
    found.sort(key=lambda item: item[0].lower())
    return found


class FileActions(QObject):
    """Opens, saves and exports the window's document, asking the window's prompts."""

    # a file became the document (Open, Open Recent, Examples, restore): its name as shown
    file_opened = Signal(str)

    def __init__(self, window, settings: AppSettings, autosave=None):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.autosave = autosave

    @property
    def document(self):
        """The window's document."""
        return self.window.document

    # ----------------------------------------------------------------- unsaved changes
    def confirm_discard(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded, or clean)."""
        if not self.document.is_dirty:
            return True
        answer = self.window.ask_unsaved()
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    # ----------------------------------------------------------------- new and open
    def new(self) -> bool:
        """Replace the document with an empty circuit (after asking about unsaved edits)."""
        return self.open_circuit(engine.Circuit(),
                                 "New circuit: drag gates from the palette, or press Tab")

    def open_dialog(self) -> bool:
        """Ask for a file and open it."""
        if not self.confirm_discard():
            return False
        path = self.window.ask_open_path(self.settings.last_folder(), FILE_FILTER)
        return bool(path) and self.open_path(path, confirmed=True)

    def open_path(self, path, confirmed: bool = False) -> bool:
        """Open the circuit at ``path``; a refused file is reported and nothing changes."""
        if not confirmed and not self.confirm_discard():
            return False
        path = Path(path)
        try:
            circuit = engine.load(path)
        except CircuitError as error:
            self.window.show_error("Cannot open the circuit", str(error))
            self.window.show_status(f"Not opened: {error}")
            return False
        self._replace(circuit, path)
        self.settings.add_recent(path)
        self.settings.set_last_folder(path.resolve().parent)
        self.window.recent_files_changed()
        self.window.show_status(f"Opened {path.name}")
        self.file_opened.emit(path.name)
        return True

    def open_example(self, path) -> bool:
        """Open a bundled example as an untitled copy (Save asks where, never over the asset)."""
        if not self.confirm_discard():
            return False
        try:
            circuit = engine.load(path)
        except CircuitError as error:
            self.window.show_error("Cannot open the example", str(error))
            return False
        self._replace(circuit, None)
        self.window.show_status(f"Example: {circuit.title}")
        self.file_opened.emit(self.document.display_name)
        return True

    def open_circuit(self, circuit, message: str = "") -> bool:
        """Make a circuit built in the app (New's empty one, a template) the document, untitled
        (after asking about unsaved edits)."""
        if not self.confirm_discard():
            return False
        self._replace(circuit, None)
        self.window.show_status(message or f"New circuit: {circuit.title}")
        return True

    def open_recent(self, path) -> bool:
        """Open a recent file; a file that is gone is dropped from the list with a message."""
        if not os.path.isfile(path):
            self.settings.remove_recent(path)
            self.window.recent_files_changed()
            self.window.show_error("Cannot open the circuit",
                                   f"{path}: the file no longer exists; "
                                   "it was removed from the recent files.")
            return False
        return self.open_path(path)

    def restore(self, recovery) -> bool:
        """Open an autosaved copy as a dirty document that remembers its original path."""
        try:
            circuit = recovery.load()
        except CircuitError as error:
            self.window.show_error("Cannot restore the autosaved circuit", str(error))
            recovery.discard()
            return False
        self._replace(circuit, recovery.original_path)
        self.document.undo_stack.resetClean()  # restored edits are not saved anywhere yet
        recovery.discard()
        self.window.show_status(f"Restored {recovery.describe()}; save it to keep it")
        self.file_opened.emit(self.document.display_name)
        return True

    def _replace(self, circuit, path) -> None:
        self.document.replace_circuit(circuit, path)
        if self.autosave is not None:
            self.autosave.discard()
        self.window.document_replaced()

    # ----------------------------------------------------------------- save
    def save(self) -> bool:
        """Save to the document's file, or ask for one if it has none."""
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        """Ask for a file name and save there."""
        suggested = self.document.path or (Path(self.settings.last_folder())
                                           / f"{_file_stem(self.document.display_name)}.circuit")
        path = self.window.ask_save_path("Save circuit", os.fspath(suggested), FILE_FILTER)
        if not path:
            return False
        if not Path(path).suffix:
            path = f"{path}.circuit"
        return self.save_to(path)

    def save_to(self, path) -> bool:
        """Save to ``path``; on failure say why (the old file is untouched) and return False.

        A circuit still titled "untitled" takes the file's name as its title (the title is
        what the Examples menu, exports and a class's copies show).
        """
        path = Path(path)
        existed = path.exists()
        naming = None
        if (self.document.file_circuit.title or "").strip() in ("", DEFAULT_TITLE):
            naming = SetTitleCommand(self.document, path.stem)
            self.document.push(naming)
        try:
            self.document.save(path)
        except CircuitError as error:
            if naming is not None:  # take the title back, leaving nothing to redo
                self.document.undo_stack.undo()
                naming.setObsolete(True)
                self.document.undo_stack.redo()  # an obsolete command is dropped, not redone
            kept = ("The file on disk was left as it was." if existed
                    else "Nothing was written.")
            self.window.show_error("Cannot save the circuit", f"{error}\n\n{kept}")
            self.window.show_status(f"Not saved: {error}")
            return False
        if self.autosave is not None:
            self.autosave.discard()
        self.settings.add_recent(path)
        self.settings.set_last_folder(path.resolve().parent)
        self.window.recent_files_changed()
        self.window.show_status(f"Saved {path.name}")
        return True

    # ----------------------------------------------------------------- export
    def export_png(self) -> bool:
        """Ask for a file name and write the canvas as a PNG."""
        return self._export("Export PNG", "PNG images (*.png)", ".png", export.export_png)

    def export_svg(self) -> bool:
        """Ask for a file name and write the canvas as an SVG drawing."""
        return self._export("Export SVG", "SVG drawings (*.svg)", ".svg",
                            lambda scene, path: export.export_svg(
                                scene, path, title=self.document.circuit.title))

    def _export(self, title: str, file_filter: str, suffix: str, write) -> bool:
        stem = (self.document.path.stem if self.document.path
                else _file_stem(self.document.display_name))
        suggested = Path(self.settings.last_folder()) / f"{stem}{suffix}"
        path = self.window.ask_save_path(title, os.fspath(suggested), file_filter)
        if not path:
            return False
        if not Path(path).suffix:
            path = f"{path}{suffix}"
        try:
            write(self.window.scene, path)
        except CircuitError as error:
            self.window.show_error("Cannot export", str(error))
            return False
        self.window.show_status(f"Exported {Path(path).name}")
        return True


def _file_stem(name: str) -> str:
    """A file name made from a title: letters, digits, - and _ only."""
    stem = Path(name).stem if name.endswith(".circuit") else name
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem).strip("_")
    while "__" in cleaned:
        cleaned = cleaned.replace("__", "_")
    return (cleaned or "untitled")[:60]
