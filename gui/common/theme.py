"""The canvas's look in one place: colours, fonts and sizes shared by gates, ports and wires.

Values are green and gradients red, as on the CS231n slides. Sizes are in scene units (pixels at
zoom 1); fonts use pixel sizes so a circuit looks the same on every screen and in exports.
Fonts (``theme.SYMBOL_FONT``, ...) are made on first use, because Qt cannot make fonts before
the QApplication exists and this module may be imported earlier.
"""

from functools import lru_cache

from PySide6.QtGui import QColor, QFont, QFontMetricsF

GRID = 20  # snap step for moved gates, and the spacing of the background dots

# gate bodies; node.pos is the top-left corner of the body
GATE_W = 70
GATE_H = 50
SOURCE_W = 80
SOURCE_H = 40
PORT_SPACING = 16  # minimum distance between two input ports (gates grow for many ports)
GATE_RADIUS = 8
PORT_RADIUS = 5
PORT_HIT_RADIUS = 9  # ports are easier to hit than to see
STUB_LENGTH = 64  # the output's short wire carrying f and its seed gradient
WIRE_WIDTH = 2.0

VALUE_GREEN = QColor("#1b8a2f")
GRAD_RED = QColor("#c62828")
MARKED_FILL = QColor("#ffb74d")  # behind nan and inf
MARKED_TEXT = QColor("#7a2e00")
LABEL_FILL = QColor(255, 255, 255, 215)  # behind numbers, so wires never cross the digits

BACKGROUND = QColor("#fbfbf8")
GRID_DOT = QColor("#d5d8dc")
INK = QColor("#263238")  # borders, symbols
SOFT_INK = QColor("#546e7a")  # ids and labels
GATE_FILL = QColor("#ffffff")
INPUT_FILL = QColor("#e3f0fd")
INPUT_BORDER = QColor("#1565c0")
CONST_FILL = QColor("#eceff1")
CONST_BORDER = QColor("#607d8b")
DATA_FILL = QColor("#ede7f6")
DATA_BORDER = QColor("#5e35b1")
OWN_GATE_FILL = QColor("#f1f5fb")  # a file's own gate (made of gates, or of code)
OUTPUT_BORDER = QColor("#263238")
SELECTED = QColor("#1e88e5")
WIRE = QColor("#78909c")
WIRE_SELECTED = QColor("#1e88e5")
WIRE_DRAFT = QColor("#1e88e5")
PORT_FILL = QColor("#455a64")
PORT_OPEN = QColor("#ef6c00")  # an unconnected input port: hollow, orange
PORT_VALID = QColor("#43a047")  # a port a dragged wire may end on
TAG_FILL = QColor("#263238")
TAG_TEXT = QColor("#ffffff")


@lru_cache(maxsize=None)
def font(pixel_size: int, bold: bool = False) -> QFont:
    """A sans-serif font of ``pixel_size`` scene pixels (needs the QApplication)."""
    result = QFont("DejaVu Sans")
    result.setStyleHint(QFont.SansSerif)
    result.setPixelSize(pixel_size)
    result.setBold(bold)
    return result


@lru_cache(maxsize=None)
def metrics(name: str) -> QFontMetricsF:
    """The metrics of the font called ``name`` ("VALUE_FONT", ...), made once."""
    return QFontMetricsF(font(*FONTS[name]))


FONTS = {
    "SYMBOL_FONT": (18, True),
    "SMALL_SYMBOL_FONT": (13, True),  # for long symbols (max, tanh, relu, x^2.5)
    "NAME_FONT": (11, False),
    "VALUE_FONT": (13, True),  # a source's value inside its pill
    "NUMBER_FONT": (11, False),  # numbers on wires
    "NUMBER_FONT_MARKED": (11, True),
    "TAG_FONT": (9, True),
    "PORT_NAME_FONT": (9, False),  # the operand a port stands for (matmul's W and x)
}


def __getattr__(name: str):
    if name in FONTS:
        return font(*FONTS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
