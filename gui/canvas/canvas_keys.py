"""The keys the canvas handles itself, declared once: the view acts on them, Help lists them.

They are not window actions because what they do depends on the canvas: the arrows move the
selected gates (or pan when none is selected), Escape cancels a drag in progress or else clears
the selection or else goes out of the compound gate whose inside is shown, Space is held while
dragging to pan, Tab (which elsewhere moves the focus) opens quick add at the mouse, I opens
the tensor inspector on the selected gate or wire, and Enter opens the selected compound gate
(elsewhere it confirms what is typed).
They work while the canvas has the keyboard focus and no number is being typed on it. Every
other key (Delete, zoom, Fit, ...) is a window action, declared in ``gui/window_parts.py``,
which lists these rows after its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QKeyCombination, Qt
from PySide6.QtGui import QKeySequence

NUDGE, CANCEL, HOLD_TO_PAN, QUICK_ADD = "nudge", "cancel", "hold to pan", "quick add"
INSPECT, OPEN_GATE = "inspect", "open gate"
ARROW_DIRECTIONS = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, -1),
                    Qt.Key_Down: (0, 1)}
_ARROWS = ("Left", "Right", "Up", "Down")


@dataclass(frozen=True)
class CanvasKey:
    """Keys that do one job on the canvas: Help's row (``label``, ``keys``) and the job."""

    label: str
    keys: tuple[str, ...]
    job: str
    grid_steps: int = 0  # how far a nudge moves

    def key_sequences(self) -> list[QKeySequence]:
        """Its keys as key sequences."""
        return [QKeySequence(key) for key in self.keys]


CANVAS_KEYS = (
    CanvasKey("Nudge the selection a grid step (pan if none)", _ARROWS, NUDGE, 1),
    CanvasKey("Nudge the selection five grid steps", tuple(f"Shift+{k}" for k in _ARROWS),
              NUDGE, 5),
    CanvasKey("Cancel a drag; else clear the selection; else go out of the gate shown",
              ("Escape",), CANCEL),
    CanvasKey("Pan: hold and drag", ("Space",), HOLD_TO_PAN),
    CanvasKey("Add a gate at the mouse (type its name)", ("Tab",), QUICK_ADD),
    CanvasKey("Inspect every element of the selected vector or matrix", ("I",), INSPECT),
    CanvasKey("Open the selected compound gate (show its inside)", ("Return", "Enter"),
              OPEN_GATE),
)


def canvas_key(event) -> CanvasKey | None:
    """The declared canvas key a key event is (the keypad's arrows are the arrows), or None."""
    modifiers = event.modifiers() & ~Qt.KeypadModifier
    pressed = QKeySequence(QKeyCombination(modifiers, Qt.Key(event.key())))
    for part in CANVAS_KEYS:
        if pressed in part.key_sequences():
            return part
    return None


def canvas_key_rows() -> list[tuple[str, str]]:
    """(what it does, its keys as the platform writes them) for Help."""
    return [(part.label, ", ".join(k.toString(QKeySequence.NativeText)
                                   for k in part.key_sequences()))
            for part in CANVAS_KEYS]
