"""Each example's description (what it teaches) shows where a student reads it: as the status
tip and tooltip of its File → Examples entry, and in the Explain panel once it is opened."""

import json

import pytest
from PySide6.QtCore import Qt

from tests.gui_helpers import make_window, show_at
from tests.helpers import EXAMPLES


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, (1400, 900))
    return window


def _description(name: str) -> str:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["description"]


def _entry(window, name: str):
    return next(a for a in window.menu_examples.actions() if a.data() == str(EXAMPLES / name))


def test_every_examples_entry_carries_its_description(window):
    for path in sorted(EXAMPLES.glob("*.circuit")):
        entry = _entry(window, path.name)
        assert entry.statusTip() == _description(path.name)
        assert entry.toolTip() == _description(path.name)


def _walk_to(qtbot, menu, action) -> None:
    """Press Down in ``menu`` until ``action`` is highlighted."""
    for _ in menu.actions():
        if menu.activeAction() is action:
            break
        qtbot.keyClick(menu, Qt.Key_Down)
    assert menu.activeAction() is action


def test_walking_to_an_example_shows_its_description_and_opening_it_explains_it(window,
                                                                                 qtbot):
    bar = window.menuBar()
    file_menu = window.menu_examples.menuAction().associatedObjects()[0]
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.actionGeometry(file_menu.menuAction()).center())
    qtbot.waitUntil(file_menu.isVisible)
    _walk_to(qtbot, file_menu, window.menu_examples.menuAction())
    qtbot.keyClick(file_menu, Qt.Key_Right)
    menu = window.menu_examples
    qtbot.waitUntil(menu.isVisible)
    entry = _entry(window, "numpy_net_11_lines.circuit")
    _walk_to(qtbot, menu, entry)
    description = _description("numpy_net_11_lines.circuit")
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == description)
    qtbot.keyClick(menu, Qt.Key_Return)
    assert window.document.circuit.title.startswith("The 11-line numpy net")
    panel = window.explain_panel
    qtbot.waitUntil(lambda: description in panel.text().replace("\n", " "))
    assert window.document.circuit.title in panel.text()
