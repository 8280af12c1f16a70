"""A gate on the canvas: its shape, symbol, name and ports, and the gestures that start on it.

Operations are rounded rectangles with their symbol (+, ×, max, σ, 1/x, ...) big in the middle;
inputs and consts are pills that show their value. The name (label or id) sits above the body,
input ports are spread evenly down the left side and the output port is on the right. The
output gate has a double border and an "f" tag; inputs bound to data carry a "data x" (or
"data y") tag and frozen inputs a lock. Zoomed out, a pill's value and f's numbers are drawn
enlarged (``set_text_scale``) so they stay as big as the menus' text.

A file's own gate (a compound gate made with Make Gate) is a box as wide as its name, with a
second border inside it; its ports are named when it has several. An own gate that cannot run
(its row's ``problem``) is drawn red and dashed with a "cannot run" tag, like a gate whose
inputs' shapes do not fit.

The item only displays the node it was last refreshed with: moving it (Qt's movable-item drag,
snapped to the grid by the scene; a plain drag anywhere on a gate, its number included, moves
it), scrubbing its value (Shift+drag on the number) and editing it in place all go through the
scene, which turns them into undo commands.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from gui.common import theme
from engine import display_symbol, feature_name, format_number, is_tensor, shape_text
from gui.canvas.code_gate_marks import code_gate_mark, paint_code_gate_mark
from gui.canvas.obstacles import GATE, Obstacle
from gui.canvas.port_item import OUTPUT, PortItem, port_tooltip
from gui.canvas.tensor_wire_pictures import tensor_picture
from gui.canvas.wire_item import OutputStubItem

NAME_HEIGHT = 15
SHAPE_TAG = "shapes"  # the red tag of a gate whose inputs' shapes do not fit
GATE_PROBLEM_TAG = "cannot run"  # the red tag of an own gate that cannot run
OWN_NAME_PAD = 16.0  # px left and right of an own gate's name in its box
INNER_BORDER = 3.5  # px between a compound gate's border and its second one inside
# held while dragging a source's number: scrub its value (Shift where the desktop takes
# Alt+drag to move windows)
SCRUB_MODIFIERS = Qt.AltModifier | Qt.ShiftModifier


TENSOR_PILL_PAD = (14.0, 6.0)  # room round a vector's or matrix's picture in its pill
TENSOR_PILL_RADIUS = 10.0


def pill_picture(value):
    """How a source's vector or matrix is drawn in its pill (None for a number)."""
    return tensor_picture(value, font_name="NUMBER_FONT") if is_tensor(value) else None


def gate_size(node, picture=None) -> tuple[float, float]:
    """Width and height of a node's body (gates with many ports grow taller, a source's pill
    grows round a vector or matrix: ``picture``, else made from its value)."""
    if node.gate.is_source:
        picture = picture or pill_picture(node.value)
        if picture is None:
            return float(theme.SOURCE_W), float(theme.SOURCE_H)
        pad_x, pad_y = TENSOR_PILL_PAD
        size = picture.size()
        return (max(float(theme.SOURCE_W), size.width() + 2 * pad_x),
                max(float(theme.SOURCE_H), size.height() + 2 * pad_y))
    height = max(theme.GATE_H, (node.n_inputs + 1) * theme.PORT_SPACING)
    width = float(theme.GATE_W)
    if node.gate.definition is not None:  # its name in the box, whole, right of its ports'
        name_width = theme.metrics("SMALL_SYMBOL_FONT").horizontalAdvance(node.gate.symbol)
        ports = theme.metrics("PORT_NAME_FONT")
        names = max((ports.horizontalAdvance(name) for name in node.gate.port_names), default=0)
        needed = name_width + 2 * (OWN_NAME_PAD + names)
        width = max(width, theme.GRID * -(-needed // theme.GRID))
    return width, float(height)


def _text_rect(text: str, width: float, height: float) -> QRectF:
    """Where a line of the value's font is drawn, centred in a pill of this size."""
    text_width = theme.metrics("VALUE_FONT").horizontalAdvance(text) + 8
    return QRectF((width - text_width) / 2, height / 2 - 10, text_width, 20)


class ValueItem(QGraphicsItem):
    """The number inside a source's pill: Shift+drag (or Alt+drag) it sideways to scrub,
    double-click to edit. A vector or matrix is drawn as its numbers or a thumbnail
    (``tensor_wire_pictures``; scrubbing it only says to double-click it); enlarged to be read
    on a zoomed-out view (``set_text_scale``), it would spill out of its pill, so it reads as
    its shape (``⟨2×2⟩``, ``⟨8⟩`` for a vector of 8) instead, and its wires carry its numbers.

    A plain press is left to the gate under it, so a plain drag anywhere on a pill moves the
    gate; only a press with Shift or Alt held (``SCRUB_MODIFIERS``) scrubs, in steps of 0.1, or
    0.01 with Ctrl too (or with both Shift and Alt), and the cursor turns into a horizontal
    arrow over the number while the modifier is held to say so.
    """

    PIXELS_PER_STEP = 6.0

    def __init__(self, gate):
        super().__init__(gate)
        self.gate = gate
        self.text = ""
        self.picture = None  # how a vector or matrix is drawn (None for a number)
        self.shape_text = ""  # what a vector or matrix reads as, enlarged
        self._rect = QRectF()
        self._rects = (QRectF(), QRectF())  # a tensor's: its picture's, its shape's
        self._press = None  # the scene x of the press while dragging
        self._moved = False
        self.setAcceptedMouseButtons(Qt.LeftButton)
        self.setAcceptHoverEvents(True)

    def set_value(self, value, width: float, height: float, picture=None) -> None:
        """Show ``value`` centred in a pill of this size (a vector or matrix as ``picture``,
        made from it if not given)."""
        self.prepareGeometryChange()
        self.picture = picture or pill_picture(value)
        if self.picture is not None:
            self.text = self.picture.text
            self.shape_text = f"⟨{shape_text(np.shape(value))}⟩"  # as the flow's captions
            size = self.picture.size()
            self._rects = (QRectF((width - size.width()) / 2, (height - size.height()) / 2,
                                  size.width(), size.height()),
                           _text_rect(self.shape_text, width, height))
            self._rect = self._rects[self.shows_shape()]
        else:
            self.text = format_number(value)
            self._rect = _text_rect(self.text, width, height)
        self.setTransformOriginPoint(self._rect.center())  # enlarged, it stays centred
        self.update()

    def set_text_scale(self, scale: float) -> None:
        """Draw the value ``scale`` times its natural size (a tensor, enlarged, as its
        shape)."""
        if scale == self.scale():
            return
        was = self.shows_shape()
        self.setScale(scale)
        if self.picture is not None and self.shows_shape() != was:
            self.prepareGeometryChange()
            self._rect = self._rects[self.shows_shape()]
            self.setTransformOriginPoint(self._rect.center())
            self.update()

    def shows_shape(self) -> bool:
        """True when a vector or matrix is enlarged, so it reads as its shape."""
        return self.picture is not None and self.scale() > 1.0

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None):
        if self.picture is not None and not self.shows_shape():
            self.picture.paint(painter, self._rect, theme.INK)
            return
        painter.setFont(theme.VALUE_FONT)
        painter.setPen(theme.INK)
        painter.drawText(self._rect, Qt.AlignCenter,
                         self.shape_text if self.shows_shape() else self.text)

    def _show_scrub_cursor(self, modifiers) -> None:
        if modifiers & SCRUB_MODIFIERS:
            self.setCursor(Qt.SizeHorCursor)
        else:
            self.unsetCursor()

    def hoverEnterEvent(self, event):
        self._show_scrub_cursor(event.modifiers())

    def hoverMoveEvent(self, event):
        self._show_scrub_cursor(event.modifiers())

    def hoverLeaveEvent(self, event):
        self.unsetCursor()

    def mousePressEvent(self, event):
        if not event.modifiers() & SCRUB_MODIFIERS:
            event.ignore()  # the gate under the number takes it: a plain drag moves the gate
            return
        self.scene().start_scrub(self.gate.node_id)
        self._press = event.scenePos().x()
        self._moved = False
        self.setCursor(Qt.SizeHorCursor)
        event.accept()

    def mouseMoveEvent(self, event):
        if self._press is None:
            return
        start_x = self._press
        modifiers = event.modifiers()
        fine = bool(modifiers & Qt.ControlModifier) or (
            modifiers & SCRUB_MODIFIERS) == SCRUB_MODIFIERS
        steps = int((event.scenePos().x() - start_x) / self.PIXELS_PER_STEP)
        if steps or self._moved:
            self._moved = True
            self.scene().scrub_value(self.gate.node_id, steps, fine)

    def mouseReleaseEvent(self, event):
        scene = self.scene()
        if self._press is not None and not self._moved:  # a Shift/Alt+click: select the gate
            scene.clearSelection()
            self.gate.setSelected(True)
        self._press = None
        self._show_scrub_cursor(event.modifiers())
        scene.end_scrub()

    def mouseDoubleClickEvent(self, event):
        self.scene().edit_value(self.gate.node_id)
        event.accept()


class GateItem(Obstacle, QGraphicsItem):
    """The drawing of one node; ``node_id`` names it in the document."""

    obstacle = GATE  # numbers and cards keep off its body and name (gui.canvas.obstacles)

    def __init__(self, node, connected_ports=()):
        super().__init__()
        self.node_id = node.id
        self.wires = set()  # WireItems touching this gate, updated when it moves
        self.is_output = False
        self.nan_badge = ""  # where a nan was born: its cause ("0 × inf"), shown as a red tag
        self.shape_problem = ""  # why its inputs' shapes do not fit (marked red and dashed)
        self.gate_problem = ""  # why its own gate cannot run (marked red and dashed)
        self.own_kind = ""  # "compound" or "code" for a file's own gate
        self.holds_tensor = False  # a source whose value is a vector or matrix
        self.tensor_shape: tuple = ()  # the shape of its output (the plan's, set by the scene)
        self.input_ports: list[PortItem] = []
        self.output_port = None
        self.value_item = None
        self.stub = None
        self._size = (0.0, 0.0)
        self._text_scales = (1.0, 1.0)  # (f's numbers, the pill's value): see set_text_scale
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setZValue(1)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.refresh(node, connected_ports)

    # ----------------------------------------------------------------- model -> drawing
    def refresh(self, node, connected_ports=None) -> None:
        """Redraw from ``node``; rebuild the ports if their number changed."""
        self.prepareGeometryChange()
        self.node_id = node.id
        self.op = node.op
        self.name = node.name
        self.symbol = display_symbol(node.gate, node.params)  # ×−1, +1, x^2 with a param
        definition = node.gate.definition
        self.own_kind = definition.kind if definition is not None else ""
        self.gate_problem = node.gate.problem
        self.is_source = node.gate.is_source
        self.feature = node.feature
        self.frozen = node.gate.variable and not node.trainable
        self.is_const = node.gate.is_source and not node.gate.variable
        self.code_mark = code_gate_mark(node.gate)  # ✗ or untrusted, for a code gate
        picture = pill_picture(node.value) if self.is_source else None
        self.holds_tensor = picture is not None
        size = gate_size(node, picture)
        resized = size != self._size
        self._size = size
        width, height = size
        name_width = theme.metrics("NAME_FONT").horizontalAdvance(self.name) + 6
        self._name_rect = QRectF((width - name_width) / 2, -NAME_HEIGHT - 2,
                                 name_width, NAME_HEIGHT)
        reach = theme.PORT_RADIUS + 4  # a hot port grows
        self._bounds = QRectF(-reach, -NAME_HEIGHT - 4, width + 2 * reach,
                              height + NAME_HEIGHT + 14).united(self._name_rect)
        if len(self.input_ports) != node.n_inputs or resized:
            self._rebuild_ports(node.n_inputs, connected_ports)
        elif connected_ports is not None:
            for port in self.input_ports:
                port.set_connected(port.index in connected_ports)
        names = node.gate.port_names  # matmul's W and x: which operand goes where
        for port in self.input_ports:
            port.set_name(names[port.index] if port.index < len(names) else "",
                          port_tooltip(node.gate, port.index))
        if self.is_source:
            if self.value_item is None:
                self.value_item = ValueItem(self)
            self.value_item.set_value(node.value, width, height, picture)
            self.value_item.set_text_scale(self._text_scales[1])
        if self.stub is not None:
            self.stub.place(QPointF(width, height / 2))
        if resized:  # a source's pill grew or shrank round another shape: its ports moved
            self.update_wires()
        self.update()

    def _rebuild_ports(self, count: int, connected_ports) -> None:
        scene = self.scene()
        for port in self.input_ports + ([self.output_port] if self.output_port else []):
            port.setParentItem(None)
            if scene is not None:
                scene.removeItem(port)
        width, height = self._size
        connected = set(connected_ports or ())
        self.input_ports = []
        for index in range(count):
            port = PortItem(self, index, QPointF(0, height * (index + 1) / (count + 1)))
            port.set_connected(index in connected)
            self.input_ports.append(port)
        self.output_port = PortItem(self, OUTPUT, QPointF(width, height / 2))

    def set_output(self, is_output: bool) -> None:
        """Mark (or unmark) this gate as the circuit's output f, with its stub."""
        if is_output == self.is_output:
            return
        self.is_output = is_output
        if is_output:
            self.stub = OutputStubItem(self)
            self.stub.set_text_scale(self._text_scales[0])
        elif self.stub is not None:
            self.stub.setParentItem(None)
            if self.scene() is not None:
                self.scene().removeItem(self.stub)
            self.stub = None
        self.update()

    def set_nan_badge(self, text: str) -> None:
        """Tag this gate as the place a nan was born, with a few words why ("" removes it)."""
        if text != self.nan_badge:
            self.nan_badge = text
            self.update()

    def set_shape_problem(self, message: str) -> None:
        """Mark this gate red and dashed: its inputs' shapes do not fit (``message`` says how;
        "" unmarks it)."""
        if message != self.shape_problem:
            self.shape_problem = message
            self.update()

    def set_text_scale(self, numbers: float, value: float) -> None:
        """Draw f's numbers on the stub ``numbers`` times and a pill's value ``value`` times
        their natural size (``gui.canvas.readable_text``)."""
        self._text_scales = (numbers, value)
        if self.stub is not None:
            self.stub.set_text_scale(numbers)
        if self.value_item is not None:
            self.value_item.set_text_scale(value)

    def shows_value_enlarged(self) -> bool:
        """True for a source whose pill shows its value as big as its wire's numbers (a
        vector or matrix, enlarged, shows only its shape)."""
        return self.is_source and not self.holds_tensor

    def set_port_connected(self, port: int, connected: bool) -> None:
        """Draw input ``port`` filled (wired) or hollow orange (open)."""
        if 0 <= port < len(self.input_ports):
            self.input_ports[port].set_connected(connected)

    # ----------------------------------------------------------------- geometry
    def body_rect(self) -> QRectF:
        """The body in item coordinates (the top-left is node.pos)."""
        return QRectF(0, 0, *self._size)

    def output_pos(self) -> QPointF:
        """The output port's centre in scene coordinates."""
        width, height = self._size
        pos = self.pos()
        return QPointF(pos.x() + width, pos.y() + height / 2)

    def input_pos(self, port: int) -> QPointF:
        """Input ``port``'s centre in scene coordinates."""
        width, height = self._size
        count = max(len(self.input_ports), 1)
        pos = self.pos()
        return QPointF(pos.x(), pos.y() + height * (port + 1) / (count + 1))

    def update_wires(self) -> None:
        """Make every wire touching this gate follow it."""
        for wire in self.wires:
            wire.update_path()

    # ----------------------------------------------------------------- QGraphicsItem
    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionChange:
            scene = self.scene()
            if scene is not None and scene.snapping:
                return scene.snap(value)
        elif change == QGraphicsItem.ItemPositionHasChanged:
            self.update_wires()
        return super().itemChange(change, value)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        # the body and the name above it (not the empty corners beside the name: numbers
        # and cards may sit there)
        path = QPainterPath()
        path.addRect(self.body_rect())
        path.addRect(self._name_rect)
        return path

    def mouseDoubleClickEvent(self, event):
        if self.scene().is_code_gate(self.node_id):  # its code, in the code gate editor
            self.scene().request_code_edit(self.node_id)
        elif self.is_source:
            self.scene().edit_value(self.node_id)
        elif self.scene().opens(self.node_id):
            self.scene().open_gate(self.node_id)
        elif self.tensor_shape:
            self.scene().request_inspection(self.node_id)
        event.accept()

    def paint(self, painter, option, widget=None):
        width, height = self._size
        body = QRectF(0, 0, width, height)
        radius = (TENSOR_PILL_RADIUS if self.holds_tensor else height / 2) if self.is_source \
            else theme.GATE_RADIUS
        fill, border = self._colors()
        selected = self.isSelected()
        if self.is_output:
            painter.setPen(QPen(theme.OUTPUT_BORDER, 1.5))
            painter.setBrush(Qt.NoBrush)
            outer = body.adjusted(-3.5, -3.5, 3.5, 3.5)
            painter.drawRoundedRect(outer, radius + 3.5, radius + 3.5)
        pen = QPen(theme.SELECTED if selected else border, 2.6 if selected else 1.6)
        if self.shape_problem or self.gate_problem:
            pen = QPen(theme.SELECTED if selected else theme.GRAD_RED, 2.6, Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        painter.drawRoundedRect(body, radius, radius)
        if self.own_kind == "compound":  # a gate made of gates: a second border inside
            painter.setPen(QPen(pen.color(), 1.2, pen.style()))
            painter.setBrush(Qt.NoBrush)
            inner = radius - INNER_BORDER / 2
            painter.drawRoundedRect(body.adjusted(INNER_BORDER, INNER_BORDER, -INNER_BORDER,
                                                  -INNER_BORDER), inner, inner)
        if not self.is_source:
            long_symbol = len(self.symbol) > 2
            painter.setFont(theme.SMALL_SYMBOL_FONT if long_symbol else theme.SYMBOL_FONT)
            painter.setPen(theme.INK)
            painter.drawText(body, Qt.AlignCenter, self.symbol)
        painter.setFont(theme.NAME_FONT)
        painter.setPen(theme.SELECTED if selected else theme.SOFT_INK)
        painter.drawText(self._name_rect, Qt.AlignCenter, self.name)
        self._paint_tags(painter, width, height)
        paint_code_gate_mark(painter, self.code_mark, width, height, radius)
        for port in self.input_ports:
            port.paint_port(painter)
        self.output_port.paint_port(painter)

    def _colors(self):
        if self.is_source and self.feature is not None:
            return theme.DATA_FILL, theme.DATA_BORDER
        if self.is_const:
            return theme.CONST_FILL, theme.CONST_BORDER
        if self.is_source:
            return theme.INPUT_FILL, theme.INPUT_BORDER
        if self.own_kind:
            return theme.OWN_GATE_FILL, theme.INK
        return theme.GATE_FILL, theme.INK

    def _paint_tags(self, painter, width, height) -> None:
        tags = []
        if self.is_output:
            tags.append("f")
        if self.feature is not None:
            tags.append(f"data {feature_name(self.feature)}")
        if self.nan_badge:
            tags.append(self.nan_badge)
        if self.shape_problem:
            tags.append(SHAPE_TAG)
        if self.gate_problem:
            tags.append(GATE_PROBLEM_TAG)
        right = width + 2
        painter.setFont(theme.TAG_FONT)
        metrics = theme.metrics("TAG_FONT")
        for text in tags:
            tag_width = metrics.horizontalAdvance(text) + 8
            rect = QRectF(right - tag_width, height - 5, tag_width, 12)
            painter.setPen(Qt.NoPen)
            red = (self.nan_badge, SHAPE_TAG, GATE_PROBLEM_TAG)
            painter.setBrush(QBrush(theme.GRAD_RED if text in red
                                    else theme.DATA_BORDER if text.startswith("data")
                                    else theme.TAG_FILL))
            painter.drawRoundedRect(rect, 5, 5)
            painter.setPen(theme.TAG_TEXT)
            painter.drawText(rect, Qt.AlignCenter, text)
            right -= tag_width + 3
        if self.frozen:
            self._paint_lock(painter, QPointF(width - 4, 2))

    @staticmethod
    def _paint_lock(painter, centre: QPointF) -> None:
        # a padlock on a white disc, over the pill's top-right edge: this input is frozen
        painter.setPen(QPen(theme.INK, 1.0))
        painter.setBrush(QBrush(theme.GATE_FILL))
        painter.drawEllipse(centre, 8, 8)
        painter.setPen(QPen(theme.INK, 1.4))
        painter.setBrush(Qt.NoBrush)
        painter.drawArc(QRectF(centre.x() - 3, centre.y() - 6, 6, 7), 0, 180 * 16)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(theme.INK))
        painter.drawRoundedRect(QRectF(centre.x() - 4.5, centre.y() - 2, 9, 7), 1.5, 1.5)
