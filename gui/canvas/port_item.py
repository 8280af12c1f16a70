"""A gate's port on the canvas: where wires start (the output, on the right) and end (inputs).

Ports are small circles that are easier to hit than to see. An input port with no wire is drawn
hollow and orange, because it keeps the circuit from running. While a wire is being dragged,
the ports it may end on light up green. The port knows its gate and its index (-1 for the
output); it holds no document state.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from gui.common import theme

OUTPUT = -1


class PortItem(QGraphicsItem):
    """One port of a gate: ``index`` >= 0 for input ports, ``OUTPUT`` (-1) for the output."""

    def __init__(self, gate, index: int, pos: QPointF):
        super().__init__(gate)
        self.gate = gate
        self.index = index
        self.connected = index == OUTPUT
        self.valid_target = False
        self.hot = False  # under the mouse while a wire is dragged
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
