"""After the animated passes, no chain-rule card covers a number on a wire: the numbers land
after the cards of their level are placed, so a folded card left over one is moved off it or
hidden (the 11-line numpy net's folded σ and matmul cards used to sit over four gradients),
and a folded card never reaches out of the view, cut off."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSlider

from gui.canvas.obstacles import NUMBER, obstacle_kind
from gui.flow.animation import DONE
from gui.flow.captions import Caption
from tests.gui_helpers import make_window, settle, show_at
from tests.helpers import EXAMPLES


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    show_at(window, qtbot, (1400, 900))  # the window's default size
    return window


def shown_numbers(scene):
    return [item for item in scene.items() if obstacle_kind(item) == NUMBER and item.isVisible()
            and item.text and not item.left_out]


@pytest.mark.parametrize("name", ["numpy_net_11_lines.circuit", "wx_squared.circuit"])
def test_after_play_no_card_covers_a_number_on_a_wire(window, qtbot, name):
    assert window.open_path(EXAMPLES / name)
    window.document.flush()
    window.view.fit_all()
    settle()
    speed = window.findChild(QSlider, "flow_speed")
    speed.setValue(speed.maximum())
    play = window.flow_toolbar.widgetForAction(window.actions_by_name["action_flow_play"])
    qtbot.mouseClick(play, Qt.LeftButton)
    flow = window.flow_controller
    qtbot.waitUntil(lambda: flow.phase == DONE, timeout=60_000)
    settle()
    cards = [card for card in flow.caption_items() if card.isVisible()]
    assert cards  # the story of the pass stays
    numbers = shown_numbers(window.scene)
    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    for card in cards:
        assert card.active or shown.contains(card.sceneBoundingRect()), (
            f"the folded card {card.text()!r} is cut off by the view's edge")
        for number in numbers:
            assert not card.sceneBoundingRect().intersects(number.sceneBoundingRect()), (
                f"{card.text()!r} covers {number.text!r}")
