"""A gate's port on the canvas: where wires start (the output, on the right) and end (inputs).

Ports are small circles that are easier to hit than to see. An input port with no wire is drawn
hollow and orange, because it keeps the circuit from running. While a wire is being dragged,
the ports it may end on light up green. The port knows its gate and its index (-1 for the
output); it holds no document state.

Where the order of a gate's operands matters (matmul: q = W·x is not x·W), each input port is
named from the gate table's ``port_names``: the name is written small inside the gate beside
the port, and the port's tooltip says which operand it is (``port_tooltip``).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from gui.common import theme

OUTPUT = -1
OPERANDS = ("left operand", "right operand")
NAME_GAP = 3  # px between a port's edge and its name


def port_tooltip(gate, index: int) -> str:
    """Which operand input port ``index`` of ``gate`` (an engine.Gate row) is, or "" where the
    order does not matter: ``left operand: the matrix W in q = W·x``."""
    names = gate.port_names
    if gate.definition is not None and index < len(names):  # a file's own gate: its port
        return f"port {index + 1} of {gate.name}: {names[index]}"
    if index >= len(names) or index >= len(OPERANDS):
        return ""
    product = "q = " + (gate.compact_infix or gate.infix).format(*names)
    what = "the matrix" if index == 0 else "the vector or matrix"
    return f"{OPERANDS[index]}: {what} {names[index]} in {product} (wire {names[index]} here)"


class PortItem(QGraphicsItem):
    """One port of a gate: ``index`` >= 0 for input ports, ``OUTPUT`` (-1) for the output."""

    def __init__(self, gate, index: int, pos: QPointF):
        super().__init__(gate)
        self.gate = gate
        self.index = index
        self.connected = index == OUTPUT
        self.valid_target = False
        self.hot = False  # under the mouse while a wire is dragged
        self.name = ""  # the operand it stands for, written beside it (matmul: W, x)
        self.operand = ""  # which operand it is, for its tooltip (``port_tooltip``)
        self.setPos(pos)
        self.setFlag(QGraphicsItem.ItemHasNoContents)
        self.setAcceptedMouseButtons(Qt.LeftButton)
        self.setCursor(Qt.CrossCursor)

    @property
    def node_id(self) -> str:
        """The id of the gate this port belongs to."""
        return self.gate.node_id

    @property
    def is_output(self) -> bool:
        """True for the gate's output port."""
        return self.index == OUTPUT

    def set_name(self, name: str, operand: str) -> None:
        """Name the operand this input port stands for (drawn beside it; ``operand`` leads its
        tooltip)."""
        if name != self.name:
            self.gate.update()
        self.name, self.operand = name, operand

    def set_connected(self, connected: bool) -> None:
        """Draw the port filled (a wire ends here) or hollow orange (nothing is wired in)."""
        if connected != self.connected:
            self.connected = connected
            self.gate.update()

    def set_valid_target(self, valid: bool) -> None:
        """Light the port up as a place the dragged wire may be dropped."""
        if valid != self.valid_target:
            self.valid_target = valid
            self.gate.update()

    def set_hot(self, hot: bool) -> None:
        """Enlarge the port while the dragged wire hovers over it."""
        if hot != self.hot:
            self.hot = hot
            self.gate.update()

    # ----------------------------------------------------------------- QGraphicsItem
    def boundingRect(self) -> QRectF:
        r = theme.PORT_HIT_RADIUS
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def paint(self, painter, option, widget=None):
        pass  # ItemHasNoContents: the gate draws its ports

    def paint_port(self, painter) -> None:
        """Draw the port (called by its gate's paint, in the gate's coordinates)."""
        centre = self.pos()
        radius = theme.PORT_RADIUS + (2 if self.hot else 0)
        if self.valid_target:
            painter.setPen(QPen(theme.PORT_VALID.darker(130), 1.5))
            painter.setBrush(QBrush(theme.PORT_VALID))
            radius += 1
        elif self.connected:
            painter.setPen(QPen(theme.PORT_FILL, 1.0))
            painter.setBrush(QBrush(theme.PORT_FILL))
        else:
            painter.setPen(QPen(theme.PORT_OPEN, 2.0))
            painter.setBrush(QBrush(theme.BACKGROUND))
        painter.drawEllipse(centre, radius, radius)
        if self.name:
            painter.setFont(theme.PORT_NAME_FONT)
            painter.setPen(theme.SOFT_INK)
            left = theme.PORT_RADIUS + NAME_GAP
            painter.drawText(QRectF(centre.x() + left, centre.y() - 8, 16, 16),
                             Qt.AlignLeft | Qt.AlignVCenter, self.name)
