"""Text on the canvas kept readable when the view is zoomed out: never smaller than the menus'.

Fit shows the whole circuit, and on a small screen that can mean a zoom of 0.5, where 11 px
numbers would be 6 px high. So the text items that carry the lesson (the numbers on the wires
and on f's stub, the values in the source pills, the flow's chain-rule cards) are enlarged with
``QGraphicsItem.setScale`` by ``text_scale``: just enough that their text is at least as tall on
screen as the menu's text. Gates and wires keep their size; the scene then places the enlarged
numbers again where they cover nothing, by their scaled ``sceneBoundingRect``.

The scale goes up in steps of ``SCALE_STEP`` (so zooming with the wheel re-places the numbers
only now and then, not at every tick) and is 1 when the text is readable as it is. Below
``MIN_TEXT_SCALE`` (an overview of a big net) numbers are not drawn at all, and other text is
left at its natural size: no enlargement could keep it apart there.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication

MIN_TEXT_SCALE = 0.4  # below this zoom, the wires' numbers are not drawn (an overview)
SCALE_STEP = 2 ** (1 / 6)  # text is enlarged in steps of about 12 %


def numbers_drawn_at(zoom: float) -> bool:
    """True when the wires' numbers are drawn at this zoom (not an overview)."""
    return zoom >= MIN_TEXT_SCALE * 0.999  # far from the origin, 0.4 reads back as 0.39999...


def menu_text_height() -> float:
    """The height in pixels of a line of the menus' text (the application's font)."""
    return QFontMetricsF(QApplication.font()).height()


def text_scale(font_height: float, zoom: float) -> float:
    """How much to enlarge text whose line is ``font_height`` scene units tall so that, seen at
    ``zoom``, it is at least as tall as the menus' text: 1 if it already is (or in an
    overview, where the numbers are not drawn), else the first power of ``SCALE_STEP`` that
    is enough."""
    needed = menu_text_height() / (font_height * zoom)
    if needed <= 1.0 or not numbers_drawn_at(zoom):
        return 1.0
    steps = math.ceil(math.log(needed) / math.log(SCALE_STEP))
    while SCALE_STEP ** steps < needed:  # rounding in the logarithms
        steps += 1
    return SCALE_STEP ** steps
