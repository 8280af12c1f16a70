"""How a gate looks and reads outside the canvas: its small icon and its tooltip.

The palette, quick-add and menus show each gate as a tiny picture of its canvas body (a pill
for inputs and consts, a rounded box for operations) with its symbol inside, drawn with
QPainter in the canvas's colours. The tooltip is built from the gate table row only (formula,
local gradient, one-line doc and the seeds' intuition: add distributes, max routes, mul
switches), so nothing about a gate is typed twice.

``GATE_MIME`` is the drag-and-drop type that carries a gate name from the palette to the canvas.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QIcon, QPainter, QPen, QPixmap

import engine
from gui.common import theme

GATE_MIME = "application/x-circuitgrad-gate"

# (fill, border) of the icon body by kind: sources as on the canvas, operations tinted by group
_LOOKS = {
    "variable": (theme.INPUT_FILL, theme.INPUT_BORDER),
    "constant": (theme.CONST_FILL, theme.CONST_BORDER),
    "arithmetic": (theme.GATE_FILL, theme.INK),
    "nonlinear": (QColor("#fff4e5"), QColor("#b35c00")),
    "own": (theme.OWN_GATE_FILL, theme.INK),  # a file's own gates, as on the canvas
}

PORTS_MIN_SIZE = 28  # smaller icons leave the port dots out: they would read as braces
WIDE_RATIO = 1.5  # the canvas's gate bodies are about 70 x 50
_icons: dict[tuple[str, int, bool], QIcon] = {}


def _gate_row(gate) -> engine.Gate:
    """A built-in gate's row by its name, or the row given (a file's own gate is found only
    in its file's table: ``circuit.gates[name]``)."""
    return engine.GATES[gate] if isinstance(gate, str) else gate


def _look(gate: engine.Gate) -> tuple[QColor, QColor]:
    kind = ("variable" if gate.variable else "constant") if gate.is_source else gate.group
    return _LOOKS.get(kind) or _LOOKS["arithmetic"]


def _symbol_font(symbol: str, box: QRectF) -> QFont:
    """The biggest bold font that fits the symbol in the box (single characters drawn larger)."""
    font = QFont(theme.SYMBOL_FONT)
    size = max(6, int(box.height() * (0.95 if len(symbol) == 1 else 0.75)))
    while size > 6:
        font.setPixelSize(size)
        if QFontMetricsF(font).horizontalAdvance(symbol) <= box.width() * 0.82:
            break
        size -= 1
    font.setPixelSize(size)
    return font


def _paint(painter: QPainter, gate: engine.Gate, width: int, size: int) -> None:
    fill, border = _look(gate)
    pen_width = max(1.0, size / 20)
    inset = pen_width / 2 + size * 0.06
    if gate.is_source:
        body = QRectF(inset, size * 0.14, width - 2 * inset, size * 0.72)
        radius = body.height() / 2
    else:
        body = QRectF(inset, inset, width - 2 * inset, size - 2 * inset)
        radius = size * 0.18
    painter.setPen(QPen(border, pen_width))
    painter.setBrush(fill)
    painter.drawRoundedRect(body, radius, radius)
    if not gate.is_source and size >= PORTS_MIN_SIZE:
        # two port stubs on the left (one for single-input gates) and the output on the right
        painter.setPen(Qt.NoPen)
        painter.setBrush(theme.PORT_FILL)
        dot = size * 0.07
        ports = (0.5,) if gate.max_ports == 1 else (0.33, 0.67)
        for fraction in ports:
            y = body.top() + body.height() * fraction
            painter.drawEllipse(QRectF(body.left() - dot, y - dot, 2 * dot, 2 * dot))
        y = body.center().y()
        painter.drawEllipse(QRectF(body.right() - dot, y - dot, 2 * dot, 2 * dot))
    painter.setPen(border if gate.is_source else theme.INK)
    painter.setFont(_symbol_font(gate.symbol, body))
    painter.drawText(body, Qt.AlignCenter, gate.symbol)


def gate_pixmap(name: str | engine.Gate, size: int = 32, wide: bool = False) -> QPixmap:
    """A picture of the gate ``name`` (or row), ``size`` pixels high (and 1.5 times as wide
    if ``wide``)."""
    gate = _gate_row(name)
    width = round(size * WIDE_RATIO) if wide else size
    pixmap = QPixmap(width, size)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setRenderHint(QPainter.TextAntialiasing)
    _paint(painter, gate, width, size)
    painter.end()
    return pixmap


def gate_icon(name: str | engine.Gate, size: int = 32, wide: bool = False) -> QIcon:
    """The gate's icon (its body shape with its symbol), made once and cached; ``name`` is a
    built-in gate's name or a row (an own gate's look depends only on its name and kind)."""
    key = (name, size, wide) if isinstance(name, str) else (
        name.name, name.group, name.symbol, size, wide)
    icon = _icons.get(key)
    if icon is None:
        icon = QIcon()
        icon.addPixmap(gate_pixmap(name, size, wide))
        icon.addPixmap(gate_pixmap(name, size * 2, wide))  # sharp on high-DPI screens
        _icons[key] = icon
    return icon


def gate_tooltip(gate) -> str:
    """Rich text about a gate (a table row or its name): formula, local gradient, doc, intuition."""
    gate = _gate_row(gate)
    rows = [("value", gate.formula)]
    if gate.local_gradient and gate.local_gradient != "-":
        rows.append(("local gradient", gate.local_gradient))
    if gate.params:
        rows.append(("params", ", ".join(
            f"{name} (new gates: {gate.param_defaults.get(name, 0):g})" for name in gate.params)))
    if gate.variadic:
        rows.append(("inputs", f"{gate.min_ports} to {gate.max_ports}"))
    table = "".join(
        f"<tr><td style='color:#607d8b; padding-right:8px'>{escape(key)}</td>"
        f"<td>{escape(text)}</td></tr>" for key, text in rows)
    html = [f"<p style='margin:0'><b>{escape(gate.name)}</b>"
            f" &nbsp;<span style='color:#607d8b'>{escape(gate.symbol)}</span></p>",
            f"<table cellspacing='0' style='margin-top:4px'>{table}</table>",
            f"<p style='margin:4px 0 0 0'>{escape(gate.doc)}</p>"]
    if gate.intuition:
        html.append(f"<p style='margin:4px 0 0 0'><i>{escape(gate.intuition)}</i></p>")
    return "<qt>" + "".join(html) + "</qt>"
