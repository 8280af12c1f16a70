"""The app's undo and redo keys reach the window's Undo and Redo from inside an editing widget.

A spin box (and the line edit inside it) claims Ctrl+Z for its own text's undo, so while the
shape chooser has focus the window's Edit → Undo never hears the key, though the messages say
"Undo (Ctrl+Z) puts back the last edit". ``leave_undo_to_window(widget)`` installs a filter that
declines the key's shortcut override on that widget: the window's action then runs (one step of
the circuit's undo stack). A cell's editor open in a table is another widget, without the
filter, so the text typed in it keeps its own undo.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

# as the window's Edit menu declares them (gui/window_parts.py)
UNDO_REDO_KEYS = (QKeySequence("Ctrl+Z"), QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y"))


def is_undo_key(event) -> bool:
    """Whether a key event is the app's undo or redo key."""
    pressed = QKeySequence(event.keyCombination())
    return any(pressed.matches(key) == QKeySequence.ExactMatch for key in UNDO_REDO_KEYS)


class _UndoKeysToWindow(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.ShortcutOverride and is_undo_key(event):
            event.ignore()  # not the widget's: the window's shortcut takes it
            return True
        return False


def leave_undo_to_window(*widgets: QWidget) -> None:
    """Let the app's undo and redo keys pass from ``widgets`` to the window's actions."""
    for widget in widgets:
        keys = _UndoKeysToWindow(widget)
        widget.installEventFilter(keys)

