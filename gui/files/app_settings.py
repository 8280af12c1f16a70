"""What the app remembers between runs: recent files and the window's size and dock layout
(with the sizes the docks want when there is room, so a layout squeezed by a small window is
not what the next run starts from).

A thin wrapper over QSettings so the rest of the GUI never spells a settings key. The window
passes its own QSettings in tests (an ini file in a temporary folder); the app's real settings
live where Qt puts them for the organisation and application name "circuitgrad".
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10

_RECENT_KEY = "files/recent"
_GEOMETRY_KEY = "window/geometry"
_STATE_KEY = "window/state"
_DOCK_SIZES_KEY = "window/dock_sizes"
_FOLDER_KEY = "files/last_folder"


class AppSettings:
    """Recent files (newest first, at most ten) and the main window's geometry and state."""

    def __init__(self, settings: QSettings | None = None):
        self.qsettings = settings if settings is not None else QSettings()

    # ----------------------------------------------------------------- recent files
    def recent_files(self) -> list[str]:
        """The recently opened or saved files, newest first."""
        value = self.qsettings.value(_RECENT_KEY, [])
        if isinstance(value, str):  # QSettings returns a lone string for a one-item list
            value = [value]
        return [str(item) for item in (value or []) if item][:MAX_RECENT]

    def add_recent(self, path) -> list[str]:
        """Put ``path`` at the top of the recent files; returns the new list."""
        entry = os.path.abspath(os.fspath(path))
        files = [entry] + [f for f in self.recent_files() if not _same_file(f, entry)]
        self._set_recent(files[:MAX_RECENT])
        return self.recent_files()

    def remove_recent(self, path) -> list[str]:
        """Drop ``path`` from the recent files; returns the new list."""
        entry = os.path.abspath(os.fspath(path))
        self._set_recent([f for f in self.recent_files() if not _same_file(f, entry)])
        return self.recent_files()

    def clear_recent(self) -> None:
        """Forget every recent file."""
        self._set_recent([])

    def _set_recent(self, files: list[str]) -> None:
        self.qsettings.setValue(_RECENT_KEY, files)
        self.qsettings.sync()

    # ----------------------------------------------------------------- folders
    def last_folder(self) -> str:
        """The folder of the last file opened or saved (the home folder at first)."""
        return str(self.qsettings.value(_FOLDER_KEY, str(Path.home())))

    def set_last_folder(self, folder) -> None:
        """Remember the folder the file dialogs should start in."""
        self.qsettings.setValue(_FOLDER_KEY, os.fspath(folder))

    # ----------------------------------------------------------------- window layout
    def save_window(self, window, dock_sizes: str = "") -> None:
        """Store the window's geometry, its docks' layout and the sizes its docks want."""
        self.qsettings.setValue(_GEOMETRY_KEY, window.saveGeometry())
        self.qsettings.setValue(_STATE_KEY, window.saveState())
        self.qsettings.setValue(_DOCK_SIZES_KEY, dock_sizes)
        self.qsettings.sync()

    def dock_sizes(self) -> str:
        """The sizes the docks want, as the window stored them ("" if none)."""
        value = self.qsettings.value(_DOCK_SIZES_KEY, "")
        return value if isinstance(value, str) else ""

    def restore_window(self, window) -> bool:
        """Give the window its stored geometry and dock layout; False when none is stored."""
        geometry = self.qsettings.value(_GEOMETRY_KEY)
        state = self.qsettings.value(_STATE_KEY)
        restored = False
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            restored = window.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not state.isEmpty():
            restored = window.restoreState(state) and restored
        return restored


def _same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.normpath(a)) == os.path.normcase(os.path.normpath(b))
