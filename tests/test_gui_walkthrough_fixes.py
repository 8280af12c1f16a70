"""A new user's walk through building the lecture's ||W x||² in the window, defect by defect.

Each test drives the real widgets with mouse and key events (the palette's drag, Enter in the
shape chooser, Ctrl+Z in a spin box, Enter in a vector's table, the inputs panel, matmul's
ports) and checks what the user sees or what the circuit then holds.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, Qt  # noqa: E402
from PySide6.QtGui import QDrag  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton  # noqa: E402

from gui.canvas.source_table import SourceTableDialog  # noqa: E402
from tests.gui_helpers import mouse, settle  # noqa: E402
from tests.test_gui_tensor_editing import (click_gate, drop_gate, gate_point,  # noqa: E402,F401
                                           open_circuit, type_in_cell, type_size, value_of,
                                           window)


def drag_from_palette(qtbot, window, monkeypatch, spec_text: str, drop_at: QPoint) -> list:
    """Press on a palette entry and move the mouse with the button held, as a user starts a
    drag; the drag Qt then runs carries its payload to the canvas and drops it at ``drop_at``
    (offscreen there is no system drag loop: the test plays it). Returns the drops made."""
    drops = []

    def play_drag(drag, *_actions):
        drops.append(drop_gate(window.view, drag.mimeData(), drop_at))
        return Qt.CopyAction

    monkeypatch.setattr(QDrag, "exec", play_drag)
    tree = window.palette.tree
    entry = window.palette.shaped_entry(spec_text)
    tree.scrollToItem(entry)
    start = tree.visualItemRect(entry).center()
    mouse(tree, QEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton)
    for step in range(1, 6):
        mouse(tree, QEvent.MouseMove, start + QPoint(12 * step, 4 * step), Qt.NoButton,
              Qt.LeftButton)
    mouse(tree, QEvent.MouseButtonRelease, start + QPoint(60, 20), Qt.LeftButton, Qt.NoButton)
    settle()
    return drops


# ------------------------------------------------------------------------- 1. palette drags
@pytest.mark.parametrize("spec_text, node_id, zeros", [
    ("input 2", "x", np.zeros(2)), ("input 2×2", "W", np.zeros((2, 2))),
    ("const 2", None, np.zeros(2)), ("const 2×2", None, np.zeros((2, 2)))])
def test_dragging_a_shaped_source_from_the_palette_drops_it_on_the_canvas(
        qtbot, window, monkeypatch, spec_text, node_id, zeros):
    drops = drag_from_palette(qtbot, window, monkeypatch, spec_text, QPoint(300, 200))
    assert len(drops) == 1 and drops[0].isAccepted()
    nodes = list(window.document.circuit.nodes.values())
    assert len(nodes) == 1 and nodes[0].op == spec_text.split()[0]
    assert node_id is None or nodes[0].id == node_id
    assert np.array_equal(nodes[0].value, zeros) and nodes[0].value.shape == zeros.shape
    assert window.document.undo_stack.count() == 1
    assert window.errors == []
