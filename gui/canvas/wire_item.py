"""Wires on the canvas, and the numbers they carry: value in green above, gradient in red below.

A wire runs from its source gate's output port to one input port of its destination gate, as a
smooth cubic curve that leaves and enters horizontally. It carries the source's value and the
gradient that flows back along it: the source's df/dsrc, or, where the source fans out, the
share its consumer sends back down this branch (the branches add up to df/dsrc). The numbers
sit at the curve's middle like on the CS231n slides, or, where other numbers or a gate already
sit there (wires fanning out of one port), at the first free spot further along the curve.
Enlarged to be read on a zoomed-out view, numbers may find no free spot at all: then the wire
leaves out (``left_out``) first the value a source's pill already shows, then whichever number
is still in the way; its tooltip and a closer zoom show them.
Numbers live in ``NumberLabel`` items that sit above every wire (so no wire crosses their
digits) and are marked orange when nan or inf. The output gate gets a short
``OutputStubItem`` to its right carrying f and its seed 1.00. Zoomed out, the scene enlarges the
numbers (``set_text_scale``, ``gui.canvas.readable_text``) so they stay as big as the menus' text.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem

from gui.canvas.obstacles import (COVER_COSTS, GATE, LABEL_OVERLAP_COST, NUMBER, WIRE,
                                   Obstacle, obstacle_kind)
from gui.canvas.readable_text import numbers_drawn_at
from gui.canvas.tensor_wire_pictures import tensor_picture
from gui.canvas.tensor_wire_tag import TAG_ALONG, ShapeTag, wire_width
from gui.common import theme
from engine import format_number, is_marked, is_tensor

ABOVE, BELOW = -1, 1
BATCH = "…"  # shown for a batch of values (one per data point): the canvas shows one
# where along a wire its numbers may sit (fractions of its length), best first: the middle,
# then spots further out for wires whose middle is taken
LABEL_SPOTS = (0.5, 0.35, 0.65, 0.25, 0.75, 0.42, 0.58, 0.18, 0.82)
_LABEL_Z = 0.5  # above every wire, below every gate


def as_shown(number, shape: tuple):
    """``number`` if it has ``shape``'s rank (a number, a vector, a matrix), else ``BATCH``: a
    batch of values, one per data point, of which the canvas shows none."""
    if number is None or np.ndim(number) == len(shape):
        return number
    return BATCH


def number_text(number) -> tuple[str, bool]:
    """The text shown for a number and whether it is marked (nan, inf); '' for no number."""
    if number is None:
        return "", False
    if number is BATCH:
        return BATCH, False
    try:
        x = float(number)
    except (TypeError, ValueError):
        return "…", False  # a batch of values: the canvas shows single numbers only
    return format_number(x), is_marked(x)


class NumberLabel(Obstacle, QGraphicsItem):
    """A short number drawn on a light plate; orange and bold when marked (nan, inf). A vector
    or matrix is drawn as its numbers or a thumbnail (``tensor_wire_pictures``), and ``text``
    says it in one line."""

    PAD_X, PAD_Y = 3.0, 1.0

    def __init__(self, color, side: int, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.color = color
        self.side = side  # ABOVE: the label's bottom edge is at y = 0; BELOW: its top edge
        self.text = ""
        self.marked = False
        self.picture = None  # how a tensor is drawn (None for a number)
        self.wire = None  # the wire carrying this number (a click on a tensor inspects it)
        self.left_out = False  # no room for it, enlarged: not drawn, not in the way
        self._rect = QRectF()
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setAcceptHoverEvents(False)

    def set_number(self, number) -> bool:
        """Show ``number``, a vector or a matrix (None shows nothing); True if the label's size
        changed."""
        picture = tensor_picture(number, self.side == BELOW) if is_tensor(number) else None
        if picture is None:
            text, marked = number_text(number)
            if self.picture is None and text == self.text and marked == self.marked:
                return False
        else:
            text, marked = picture.text, picture.marked
        old_rect = QRectF(self._rect)
        self.prepareGeometryChange()
        self.text, self.marked, self.picture = text, marked, picture
        if not text:
            self._rect = QRectF()
        else:
            if picture is not None:
                size = picture.size()
                width, height = size.width() + 2 * self.PAD_X, size.height() + 2 * self.PAD_Y
            else:
                metrics = theme.metrics("NUMBER_FONT_MARKED" if marked else "NUMBER_FONT")
                width = metrics.horizontalAdvance(text) + 2 * self.PAD_X
                height = metrics.height() + 2 * self.PAD_Y
            top = -height if self.side == ABOVE else 0.0
            self._rect = QRectF(-width / 2, top, width, height)
        self.update()
        return self._rect != old_rect

    @property
    def obstacle(self) -> str:
        """Text keeps off a number shown (an empty or left-out label is not in the way)."""
        return NUMBER if self.text and not self.left_out else ""

    def set_left_out(self, left_out: bool) -> None:
        """Leave the number out (no room for it) or draw it again."""
        if left_out != self.left_out:
            self.left_out = left_out
            self.update()

    def is_drawn(self) -> bool:
        """True if the label shows a number now (it may still be too small to see)."""
        return bool(self.text) and not self.left_out and self.isVisible()

    def width(self) -> float:
        """The label's width in scene units (enlarged by its scale)."""
        return self._rect.width() * self.scale()

    def set_text_scale(self, scale: float) -> bool:
        """Draw the label ``scale`` times its natural size, around its anchor (the middle of
        its bottom edge above a wire, of its top edge below); True if that changed it."""
        if scale == self.scale():
            return False
        self.setScale(scale)
        return True

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None):
        if not self.text or self.left_out:
            return
        zoom = option.levelOfDetailFromTransform(painter.worldTransform()) / self.scale()
        if not numbers_drawn_at(zoom):
            return  # an overview: drawing the numbers would only slow it down
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(theme.MARKED_FILL if self.marked else theme.LABEL_FILL))
        painter.drawRoundedRect(self._rect, 3, 3)
        if self.picture is not None:
            self.picture.paint(painter, self._rect.adjusted(self.PAD_X, self.PAD_Y,
                                                            -self.PAD_X, -self.PAD_Y), self.color)
            return
        painter.setFont(theme.NUMBER_FONT_MARKED if self.marked else theme.NUMBER_FONT)
        painter.setPen(theme.MARKED_TEXT if self.marked else self.color)
        painter.drawText(self._rect, Qt.AlignCenter, self.text)


def covered_cost(scene, box: QRectF, skip, visible_only: bool = False) -> int:
    """How much text put in ``box`` would be in the way (``obstacles``: over another number,
    a gate's body or name, or a card, across a wire). ``skip`` are the items of the text."""
    cost = 0
    for item in scene.items(box, Qt.IntersectsItemBoundingRect):
        if item in skip or (visible_only and not item.isVisible()):
            continue
        kind = obstacle_kind(item)
        if kind == GATE:  # its body and name, not the room its bounding rect keeps for ports
            covered = item.shape().translated(item.pos()).intersects(box)
        elif kind == WIRE:
            covered = item.isVisible() and item.shape().intersects(box)
        else:
            covered = bool(kind)
        cost += COVER_COSTS[kind] if covered else 0
    return cost


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth curve leaving ``start`` and entering ``end`` horizontally.

    Forward (end right of start) it is one symmetric cubic; backward it swings out to the
    right of ``start``, loops through a point between the two (off to the side when they are
    level) and comes into ``end`` from its left.
    """
    dx = end.x() - start.x()
    path = QPainterPath(start)
    if dx >= 20:
        reach = max(dx * 0.5, 40.0)
        path.cubicTo(QPointF(start.x() + reach, start.y()), QPointF(end.x() - reach, end.y()),
                     end)
        return path
    reach = 60.0
    mid = (start + end) / 2
    if abs(end.y() - start.y()) < 80:
        mid.setY(max(start.y(), end.y()) + 50)
    path.cubicTo(QPointF(start.x() + reach, start.y()), QPointF(start.x() + reach, mid.y()),
                 QPointF(mid.x(), mid.y()))
    path.cubicTo(QPointF(end.x() - reach, mid.y()), QPointF(end.x() - reach, end.y()), end)
    return path


def wire_middle(start: QPointF, end: QPointF) -> QPointF:
    """The middle of ``wire_path(start, end)`` (where its numbers go)."""
    if end.x() - start.x() >= 20:
        return (start + end) / 2  # the middle of a symmetric cubic is the midpoint of its ends
    return wire_path(start, end).pointAtPercent(0.5)


class WireItem(Obstacle, QGraphicsPathItem):
    """The wire from ``src``'s output into ``port`` of ``dst``, with its two numbers."""

    obstacle = WIRE  # numbers may cross it, at a small cost

    def __init__(self, src_gate, dst_gate, port: int):
        super().__init__()
        self.src_gate = src_gate
        self.dst_gate = dst_gate
        self.port = port
        self.value_label = NumberLabel(theme.VALUE_GREEN, ABOVE)
        self.grad_label = NumberLabel(theme.GRAD_RED, BELOW)
        for label in self.labels():
            label.setZValue(_LABEL_Z)
            label.wire = self
        self.setZValue(0)
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self._hover = False
        self._shape = None
        self._flow_width = None  # set by the backward animation to show |gradient|
        self.tensor_shape: tuple = ()  # the shape of what it carries (the plan's)
        self.shape_tag: ShapeTag | None = None  # the slash and shape a tensor wire shows
        self.shape_problem = ""  # why its gate cannot take the shapes it brings (marked red)
        self._spot = LABEL_SPOTS[0]
        self.update_path()

    @property
    def src(self) -> str:
        """The id of the node whose output feeds this wire."""
        return self.src_gate.node_id

    @property
    def dst(self) -> str:
        """The id of the node this wire feeds."""
        return self.dst_gate.node_id

    def labels(self) -> tuple[NumberLabel, NumberLabel]:
        """The value and gradient labels (top-level scene items the scene adds and removes)."""
        return self.value_label, self.grad_label

    def value_text(self) -> str:
        """The value shown above the wire (green), '' when there is none."""
        return self.value_label.text

    def grad_text(self) -> str:
        """The gradient shown below the wire (red), '' when there is none."""
        return self.grad_label.text

    def set_numbers(self, value, grad) -> None:
        """Show the source's value and gradient (None shows nothing)."""
        value, grad = (as_shown(number, self.tensor_shape) for number in (value, grad))
        had_numbers = bool(self.value_label.text or self.grad_label.text)
        resized = self.value_label.set_number(value)
        resized = self.grad_label.set_number(grad) or resized
        if resized:
            # numbers that only grew or shrank stay where they are unless they now cover
            # another number or a gate (they change width all the time while training);
            # first numbers get the best spot
            self._place_labels(keep_if_clear=had_numbers)

    def set_shape(self, shape: tuple, show_tag: bool) -> None:
        """Carry values of ``shape``: a vector or matrix makes the wire thicker and, with
        ``show_tag`` (the first wire out of its port), writes the shape on it."""
        shape = tuple(shape)
        if shape != self.tensor_shape:
            self.tensor_shape = shape
            self._update_pen()
        wanted = show_tag and bool(shape)
        if self.shape_tag is not None and (not wanted or self.shape_tag.shape_tuple != shape):
            self.shape_tag.setParentItem(None)
            if self.scene() is not None:
                self.scene().removeItem(self.shape_tag)
            self.shape_tag = None
        if wanted and self.shape_tag is None:
            self.shape_tag = ShapeTag(shape, self)
            self._place_tag()

    def shape_text(self) -> str:
        """The shape written on the wire ("" for a number, or when another wire out of the
        same port writes it)."""
        return self.shape_tag.text if self.shape_tag is not None else ""

    def set_shape_problem(self, message: str) -> None:
        """Mark the wire red and dashed with ``message`` (its gate cannot take the shape it
        brings); "" unmarks it."""
        if message != self.shape_problem:
            self.shape_problem = message
            self.update()

    def _update_pen(self) -> None:
        # the pen is only used for the bounding rect: room for the thick stroke
        width = self.pen_width()
        self.setPen(QPen() if width == theme.WIRE_WIDTH else QPen(theme.WIRE, width + 1.5))
        self.update()

    def _place_tag(self) -> None:
        if self.shape_tag is not None:
            path = self.path()
            self.shape_tag.setPos(path.pointAtPercent(path.percentAtLength(TAG_ALONG)))

    def set_numbers_visible(self, value: bool, grad: bool) -> None:
        """Show or hide the two numbers (the animated passes reveal them as dots arrive)."""
        self.value_label.setVisible(value)
        self.grad_label.setVisible(grad)

    def set_flow_width(self, width: float | None) -> None:
        """Draw the wire ``width`` thick (None: the normal width); shows |gradient| after a
        backward animation."""
        if width != self._flow_width:
            self._flow_width = width
            self._update_pen()

    def pen_width(self) -> float:
        """The width the wire is drawn with (without hover or selection): thicker for a
        vector or matrix, or as the backward animation set it."""
        return wire_width(self.tensor_shape) if self._flow_width is None else self._flow_width

    def set_visible_with_labels(self, visible: bool) -> None:
        """Hide or show the wire with its numbers (a wire being picked up is hidden)."""
        self.setVisible(visible)
        self.value_label.setVisible(visible)
        self.grad_label.setVisible(visible)

    def update_path(self) -> None:
        """Follow the gates: recompute the curve and move the numbers to its middle."""
        self._start = self.src_gate.output_pos()
        self._end = self.dst_gate.input_pos(self.port)
        self._shape = None
        self.setPath(wire_path(self._start, self._end))
        self._place_tag()
        self._place_labels()

    def _place_labels(self, keep_if_clear: bool = False) -> None:
        # follow the curve at the spot chosen last (cheap, while gates are dragged), and ask
        # the scene, if it can, to choose the spot again once the gesture's events are done
        self._put_labels(self._spot)
        request = getattr(self.scene(), "queue_label_placement", None)
        if request is not None:
            request(self, keep_if_clear)

    def set_label_scale(self, scale: float) -> bool:
        """Draw the numbers ``scale`` times their natural size (placed again by the scene);
        True if that changed them."""
        resized = self.value_label.set_text_scale(scale)
        return self.grad_label.set_text_scale(scale) or resized

    def lift_labels(self) -> None:
        """Take the numbers out of the way of others until ``choose_label_spot`` puts them
        down (where they are now is about to change)."""
        for label in self.labels():
            label.set_left_out(True)

    def labels_left_out(self) -> bool:
        """True if a number of this wire is left out for want of room."""
        return any(label.text and label.left_out for label in self.labels())

    def labels_in_the_way(self) -> bool:
        """True when the numbers, where they are, cover another number or a gate."""
        scene = self.scene()
        return scene is not None and self._labels_cost(scene) >= LABEL_OVERLAP_COST

    def choose_label_spot(self, pill_value_later: bool = False) -> float:
        """Put the numbers at the middle, unless other numbers, a gate or other wires are in
        the way there: then at the spot along the curve where the fewest are (wires fanning
        out of one port spread their numbers out; the middle wins ties). Enlarged numbers
        with no spot free of other numbers and gates are left out, the value a source's pill
        shows first, until the rest find one; with ``pill_value_later`` that value is left
        out from the start (the scene places it once the other numbers have their room).
        Returns the spot."""
        for label in self.labels():
            label.set_left_out(False)
        scene = self.scene()
        if scene is None or not (self.value_label.text or self.grad_label.text):
            self._put_labels(LABEL_SPOTS[0])
            return self._spot
        if self.value_label.scale() == 1.0:  # at their natural size numbers are always drawn
            return self._best_spot(scene)[0]
        shows_pill_value = self.src_gate.shows_value_enlarged()
        self.value_label.set_left_out(pill_value_later and shows_pill_value)
        spot, cost = self._best_spot(scene)
        if cost >= LABEL_OVERLAP_COST and shows_pill_value and not self.value_label.left_out:
            self.value_label.set_left_out(True)  # its pill shows it
            spot, cost = self._best_spot(scene)
        while cost >= LABEL_OVERLAP_COST:
            own = (self, *self.labels())
            drawn = [label for label in self.labels() if label.text and not label.left_out]
            if not drawn:
                break
            worst = max(drawn, key=lambda label: covered_cost(
                scene, label.sceneBoundingRect(), own))
            worst.set_left_out(True)
            spot, cost = self._best_spot(scene)
        return spot

    def _best_spot(self, scene) -> tuple[float, int]:
        """Put the numbers at the first spot where they cover nothing, else where they cover
        least; returns the spot and what they cover there."""
        best_spot, best_cost = LABEL_SPOTS[0], None
        for spot in LABEL_SPOTS:
            self._put_labels(spot)
            cost = self._labels_cost(scene)
            if best_cost is None or cost < best_cost:
                best_spot, best_cost = spot, cost
            if cost == 0:
                return spot, cost
        self._put_labels(best_spot)
        return best_spot, best_cost

    def label_spot(self) -> float:
        """Where along the wire (0 at its source, 1 at its end) its numbers are drawn."""
        return self._spot

    def _put_labels(self, spot: float) -> None:
        # shift the labels sideways into the free corners of a steep wire
        self._spot = spot
        start, end = self._start, self._end
        dx, dy = end.x() - start.x(), end.y() - start.y()
        if spot == 0.5:
            # the middle of a forward wire is the midpoint of its ends; its slope, 2 dy/dx
            point = wire_middle(start, end)
            slope = 2.0 * dy / max(abs(dx), 1.0)
        else:
            point = self.path().pointAtPercent(spot)
            slope = self.path().slopeAtPercent(spot)
        steep = min(1.0, abs(slope)) if dx >= 20 else 0.0
        sign = 1.0 if slope > 0 else -1.0
        gap = 2.0 * self.value_label.scale()
        self.value_label.setPos(point.x() + sign * steep * (self.value_label.width() / 2 + gap),
                                point.y() - gap)
        self.grad_label.setPos(point.x() - sign * steep * (self.grad_label.width() / 2 + gap),
                               point.y() + gap)

    def _labels_cost(self, scene) -> int:
        """How much this wire's numbers are in the way where they are now (numbers hidden for
        a moment, as in the animated passes, count: they come back)."""
        own = (self, self.value_label, self.grad_label)
        return sum(covered_cost(scene, label.sceneBoundingRect(), own)
                   for label in own[1:] if label.text and not label.left_out)

    # ----------------------------------------------------------------- QGraphicsItem
    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def hoverEnterEvent(self, event):
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self._hover = False
        self.update()

    def paint(self, painter, option, widget=None):
        selected = self.isSelected()
        color = theme.WIRE_SELECTED if selected else theme.WIRE
        width = self.pen_width() + (1.5 if selected or self._hover else 0.0)
        style = Qt.SolidLine
        if self.shape_problem:
            color, style = (theme.WIRE_SELECTED if selected else theme.GRAD_RED), Qt.DashLine
        painter.setPen(QPen(color, width, style, Qt.RoundCap))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())


class OutputStubItem(QGraphicsItem):
    """A short arrow right of the output gate carrying f's value and its seed gradient 1.00."""

    LABEL_LEFT = 8.0  # where the numbers may start, right of the gate's output port

    def __init__(self, gate):
        super().__init__(gate)
        self.value_label = NumberLabel(theme.VALUE_GREEN, ABOVE, self)
        self.grad_label = NumberLabel(theme.GRAD_RED, BELOW, self)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.place(gate.output_pos() - gate.pos())

    def place(self, port: QPointF) -> None:
        """Start the stub at the output port (in the gate's coordinates)."""
        self.setPos(port)
        self._place_labels()

    def _place_labels(self) -> None:
        # centred on the stub, unless enlarged numbers would reach back over the gate's port
        middle = theme.STUB_LENGTH / 2 + 4
        for label, y in ((self.value_label, -2), (self.grad_label, 2)):
            label.setPos(max(middle, self.LABEL_LEFT + label.width() / 2),
                         y * label.scale())

    def set_numbers(self, value, grad) -> bool:
        """Show f and df/df; True if either number changed size."""
        resized = self.value_label.set_number(value)
        resized = self.grad_label.set_number(grad) or resized
        if resized:
            self._place_labels()
        return resized

    def set_text_scale(self, scale: float) -> None:
        """Draw f and df/df ``scale`` times their natural size."""
        if self.value_label.set_text_scale(scale) | self.grad_label.set_text_scale(scale):
            self._place_labels()

    def set_numbers_visible(self, value: bool, grad: bool) -> None:
        """Show or hide f and df/df (the animated passes reveal them)."""
        self.value_label.setVisible(value)
        self.grad_label.setVisible(grad)

    def value_text(self) -> str:
        """The output's value as shown."""
        return self.value_label.text

    def grad_text(self) -> str:
        """The output's seed gradient as shown."""
        return self.grad_label.text

    def boundingRect(self) -> QRectF:
        return QRectF(0, -6, theme.STUB_LENGTH + 2, 12)

    def paint(self, painter, option, widget=None):
        length = theme.STUB_LENGTH
        painter.setPen(QPen(theme.WIRE, theme.WIRE_WIDTH, Qt.SolidLine, Qt.RoundCap))
        painter.drawLine(QPointF(6, 0), QPointF(length, 0))
        painter.setPen(Qt.NoPen)
        painter.setBrush(QBrush(theme.WIRE))
        painter.drawPolygon([QPointF(length + 2, 0), QPointF(length - 6, -5),
                             QPointF(length - 6, 5)])
