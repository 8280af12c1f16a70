"""The window onto the canvas: zoom, pan, fit, rubber-band selection, drops and quick add.

The view never edits the circuit itself. What it adds to the scene's gestures:
- zoom with the wheel, anchored under the mouse (Ctrl+wheel over an input or const is the
  scene's value scrub, so Ctrl+wheel only zooms when the scene did not take it), clamped to
  [0.03, 8]; pan with the middle button or with Space held and the left button; fit the
  circuit on first show and when another circuit is opened;
- rubber-band selection on the empty canvas (of what lies wholly inside the band);
- the canvas's own keys (``gui.canvas.canvas_keys``): Escape cancels a drag in progress or else
  clears the selection or else goes out of the compound gate shown, Enter opens the selected
  compound gate, the arrow keys move the selected gates one grid step (Shift: five),
  Space held pans. The window's actions (``gui/window_parts.py``) call the rest: zoom in, out
  and back to 100% (``zoom_in``, ``zoom_out``, ``reset_zoom``), Fit (``fit_all``), Delete and
  Select All (``EditActions``);
- drops of a gate from the palette (``GATE_MIME``, payload the gate's name) and quick add (Tab,
  or double-click on the empty canvas) add a gate centred at the mouse, snapped to the grid;
  Ctrl+V pastes at the mouse too (``mouse_over_canvas``);
- right-click opens the menu of what is under the mouse (``gui.canvas.context_menus``).

Fit shows the whole circuit, f's numbers on its stub included, at most at 150 %. Zoomed out
below the size where the numbers can be read, the scene enlarges them (and the pills' values,
and the flow's cards) to the menus' text size (``gui.canvas.readable_text``): the view tells it
its zoom whenever that changes; numbers that then find no free spot are left out, and a hint
says so. Only an overview too far out for even that (below ``MIN_TEXT_SCALE``: a net of 8
hidden units or more) shows no numbers, with a hint to zoom in. Hints sit in a corner of the
view where they cover no gate (the overview keeps a margin free for its hint).
While the view stays fitted (until the user zooms or pans) it fits again when it is resized and
when something beside the gates (ascent's arrows, a wider f) no longer fits in it.

The scene's own ``drawBackground`` paints the dot grid (only when zoomed in enough to see it).
The view is given a very large scene rect so the canvas pans freely past the circuit's edges;
the scroll bars are hidden because they would be tiny and mean nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QCursor, QPainter, QTransform
from PySide6.QtWidgets import QApplication, QGraphicsSceneWheelEvent, QGraphicsView, QLabel

import engine
from gui.common import theme
from gui.model.commands import MoveNodesCommand
from gui.canvas.canvas_keys import (ARROW_DIRECTIONS, CANCEL, HOLD_TO_PAN, INSPECT, NUDGE,
                                    OPEN_GATE, QUICK_ADD, canvas_key)
from gui.canvas.context_menus import build_canvas_menu, build_gate_menu, build_wire_menu
from gui.canvas.gate_glyphs import GATE_MIME
from gui.canvas.source_shapes import parse_gate_spec
from gui.canvas.gate_item import GateItem
from gui.canvas.quick_add import QuickAddPopup
from gui.canvas.readable_text import menu_text_height, numbers_drawn_at
from gui.canvas.port_item import PortItem
from gui.canvas.tensor_wire_inspector import CanvasInspector, target_of
from gui.canvas.wire_item import NumberLabel, WireItem

MIN_ZOOM = 0.03  # a 32-unit net (9000 px tall) still fits a laptop's canvas
MAX_ZOOM = 8.0
WHEEL_STEP = 1.0015  # zoom factor per eighth of a degree of wheel rotation (120 per notch)
KEY_STEP = 1.25
FIT_MAX_ZOOM = 1.5  # a tiny circuit is fitted at a comfortable size, not blown up
SMALL_NUMBERS_HINT = "Zoom in to see the numbers on the wires (Ctrl+= or the wheel)"
LEFT_OUT_HINT = ("Some numbers are left out for room: zoom in to see them, or hover a wire "
                 "to read its numbers")
HINT_MARGIN = 8  # px between a hint and the view's edges
FIT_MARGIN = 40.0
FIT_ROUNDS = 4  # fits tried while enlarged numbers (f's) make the circuit wider
CANVAS_LIMIT = engine.circuit.MAX_COORDINATE  # where gates can be: the scene reaches that far


def readable_zoom() -> float:
    """The least zoom at which a wire's number, at its natural size, is as tall on screen as
    the menu's text (zoomed out further, the scene enlarges the numbers)."""
    return menu_text_height() / theme.metrics("NUMBER_FONT").height()


@dataclass(frozen=True)
class ViewPlace:
    """Where a view was: its zoom and the scene point at its centre, or fitted."""

    zoom: float
    centre: QPointF
    fitted: bool


class CanvasView(QGraphicsView):
    """A zoomable, pannable view of a CanvasScene that accepts gates dropped from the palette."""

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self._scene = scene  # QGraphicsView does not own its scene: keep it alive
        self.small_numbers_hint = QLabel(SMALL_NUMBERS_HINT, self.viewport())
        self.small_numbers_hint.hide()  # shown by ``_update_hint`` when it has something to say
        self.setObjectName("canvas_view")
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ContainsItemShape)
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSceneRect(QRectF(-CANVAS_LIMIT, -CANVAS_LIMIT, 2 * CANVAS_LIMIT,
                                 2 * CANVAS_LIMIT))
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._edit_actions = None
        self._pan_from: QPoint | None = None  # viewport position where a pan started
        self._pan_button = Qt.NoButton
        self._space_held = False
        self._fitted = False
        self._keep_fitted = False  # refit on resize until the user zooms or pans
        self._last_mouse: QPoint | None = None
        self.small_numbers_hint.setObjectName("small_numbers_hint")
        self.small_numbers_hint.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.small_numbers_hint.setWordWrap(True)
        self.small_numbers_hint.setStyleSheet(
            "QLabel { background: rgba(255, 255, 255, 225); color: #5f6368; "
            "border: 1px solid #dadce0; border-radius: 4px; padding: 2px 6px; }")
        self.quick_add: QuickAddPopup | None = None
        self._quick_add_pos = QPointF()
        self.inspector = CanvasInspector(self)  # every element of a wire's or gate's tensor
        self._click_from: QPoint | None = None  # a left press that may be a click on a wire
        scene.document.circuit_replaced.connect(self._on_circuit_replaced)
        scene.overlays_grew.connect(self._refit_if_fitted)
        scene.labels_placed.connect(self._update_hint)

    # ----------------------------------------------------------------- collaborators
    @property
    def document(self):
        """The document the scene draws."""
        return self.scene().document

    @property
    def edit_actions(self):
        """The EditActions used for drops, quick add and menus (made on first use if nobody
        attached one)."""
        if self._edit_actions is None:
            from gui.canvas.editing import EditActions
            EditActions(self.document, self.scene(), self)
        return self._edit_actions

    def set_edit_actions(self, edit_actions) -> None:
        """Use these EditActions (the main window's) for the view's drops and menus."""
        self._edit_actions = edit_actions

    # ----------------------------------------------------------------- zoom and fit
    def zoom_factor(self) -> float:
        """The current scale: 1.0 shows the scene at its natural size."""
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPoint | None = None) -> None:
        """Zoom to ``factor`` (clamped to [MIN_ZOOM, MAX_ZOOM]) keeping the scene point under
        ``anchor`` (a viewport position; default the centre) where it is."""
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self._keep_fitted = False
        if anchor is None:
            anchor = self.viewport().rect().center()
        fixed = self.mapToScene(anchor)
        self._scale_to(factor)
        self._put_scene_point_at(fixed, anchor)

    def _scale_to(self, factor: float) -> None:
        self.setTransform(QTransform.fromScale(factor, factor))
        self.scene().set_view_zoom(factor)  # the text takes the size that reads at this zoom
        self._update_hint()

    def _update_hint(self) -> None:
        """Say which numbers the view leaves out, and how to read them: all of them in an
        overview (too far out for them to be drawn), or those with no room, enlarged."""
        hint = self.small_numbers_hint
        text = (SMALL_NUMBERS_HINT if not numbers_drawn_at(self.zoom_factor())
                else LEFT_OUT_HINT if self.scene().numbers_left_out() else "")
        if text and text != hint.text():
            hint.setText(text)
        hint.setVisible(bool(text))
        self._place_hint()

    def _place_hint(self) -> None:
        """Put the hint in the first corner of the view (bottom left, bottom right, top left,
        top right) where it covers no gate (nor a number, when they are drawn); if none is
        free, the hint to zoom in on an overview goes bottom left and the one about numbers
        left out is left out too (the wires' tooltips still show them)."""
        hint = self.small_numbers_hint
        # one line if it fits, else wrapped to the view's width
        longest = max(80, self.viewport().width() - 2 * HINT_MARGIN)
        width = min(longest, hint.fontMetrics().horizontalAdvance(hint.text()) + 16)
        hint.resize(width, hint.heightForWidth(width))
        if hint.isHidden():
            return
        corners = self.hint_corners()
        spot = next((rect for rect in corners if not self.covers_something(rect)), None)
        if spot is None and hint.text() == LEFT_OUT_HINT:
            hint.hide()
            return
        hint.move((spot or corners[0]).topLeft())

    def hint_corners(self) -> list[QRect]:
        """Where the hint may go, in viewport coordinates, in order of preference."""
        area, size, m = self.viewport().rect(), self.small_numbers_hint.size(), HINT_MARGIN
        left, right = m, area.width() - size.width() - m
        top, bottom = m, area.height() - size.height() - m
        return [QRect(QPoint(x, y), size) for x, y in
                ((left, bottom), (right, bottom), (left, top), (right, top))]

    def covers_something(self, rect: QRect) -> bool:
        """True if ``rect`` (viewport coordinates) meets a gate, or a wire's number where the
        numbers are drawn."""
        numbers = numbers_drawn_at(self.zoom_factor())
        return any(isinstance(item, GateItem) or (
            numbers and isinstance(item, NumberLabel) and item.is_drawn())
            for item in self.items(rect, Qt.IntersectsItemBoundingRect))

    def zoom_by(self, step: float, anchor: QPoint | None = None) -> None:
        """Multiply the zoom by ``step``."""
        self.set_zoom(self.zoom_factor() * step, anchor)

    def zoom_in(self) -> None:
        """Zoom in one step around the centre."""
        self.zoom_by(KEY_STEP)

    def zoom_out(self) -> None:
        """Zoom out one step around the centre."""
        self.zoom_by(1 / KEY_STEP)

    def reset_zoom(self) -> None:
        """Show the canvas at its natural size (100 %)."""
        self.set_zoom(1.0)

    def fit_all(self) -> None:
        """Zoom and scroll so the whole circuit is in view, f's numbers included (at most at
        150 %), its numbers enlarged to be read if need be; a circuit too big for its numbers
        to be drawn whole is an overview, with a margin free for the hint to zoom in. Until
        the user zooms or pans, resizing the view fits again."""
        self._keep_fitted = True
        rect = self.scene().content_rect()
        if rect.isNull() or rect.isEmpty():
            self._scale_to(1.0)
            self.centerOn(QPointF(0, 0))
            return
        factor = self._fit_factor(rect)
        for _ in range(FIT_ROUNDS):
            if not numbers_drawn_at(factor):
                break
            self._scale_to(factor)  # f's numbers take their size at this zoom: fit them too
            rect = self.scene().content_rect()
            again = self._fit_factor(rect)
            if again >= factor * 0.999:
                self.centerOn(rect.center())
                return
            factor = again
        if numbers_drawn_at(factor):
            self._scale_to(factor)
            self.centerOn(rect.center())
            return
        # an overview, with a band at the bottom for the hint to zoom in
        self.small_numbers_hint.setText(SMALL_NUMBERS_HINT)
        self._place_hint()
        band = self.small_numbers_hint.sizeHint().height() + 2 * HINT_MARGIN
        area = QRectF(self.viewport().rect())
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        height = max(area.height() - band, 1.0)
        factor = max(MIN_ZOOM, min(area.width() / rect.width(), height / rect.height()))
        self._scale_to(factor)
        self.centerOn(rect.center() + QPointF(0, band / 2 / factor))

    def _fit_factor(self, content: QRectF) -> float:
        """The zoom that shows ``content`` whole with a margin (at most FIT_MAX_ZOOM)."""
        rect = content.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        area = QRectF(self.viewport().rect())
        return min(FIT_MAX_ZOOM, area.width() / rect.width(), area.height() / rect.height())

    def zoomed_in_beyond_fit(self) -> bool:
        """True if the view is zoomed in further than Fit would show the circuit (so part of
        it may be out of view)."""
        rect = self.scene().content_rect()
        if rect.isNull() or rect.isEmpty():
            return False
        return self.zoom_factor() > self._fit_factor(rect) * 1.001

    def place(self) -> ViewPlace:
        """Where the view is now (``return_to`` goes back there)."""
        centre = self.mapToScene(self.viewport().rect()).boundingRect().center()
        return ViewPlace(self.zoom_factor(), centre, self._keep_fitted)

    def return_to(self, place: ViewPlace) -> None:
        """Show what the view showed at ``place``: fitted again if it was fitted, else at its
        zoom and centre."""
        if place.fitted:
            self.fit_all()
            return
        self._keep_fitted = False
        self._scale_to(place.zoom)
        self.centerOn(place.centre)

    def _put_scene_point_at(self, scene_point: QPointF, view_point: QPoint) -> None:
        now = self.mapFromScene(scene_point)
        self._scroll_by(now.x() - view_point.x(), now.y() - view_point.y())

    def _scroll_by(self, dx: float, dy: float) -> None:
        self._keep_fitted = False
        hbar, vbar = self.horizontalScrollBar(), self.verticalScrollBar()
        hbar.setValue(hbar.value() + round(dx))
        vbar.setValue(vbar.value() + round(dy))

    def scrollContentsBy(self, dx: int, dy: int):
        super().scrollContentsBy(dx, dy)
        if not self.small_numbers_hint.isHidden():
            self._place_hint()  # the gates under it moved

    def _refit_if_fitted(self) -> None:
        if self._keep_fitted and self.isVisible():
            shown = self.mapToScene(self.viewport().rect()).boundingRect()
            if not shown.contains(self.scene().content_rect()):
                self.fit_all()

    def _on_circuit_replaced(self) -> None:
        if self.isVisible():
            self.fit_all()
        else:
            self._fitted = False

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._update_hint()
        if self._keep_fitted and self.isVisible():
            self.fit_all()

    def showEvent(self, event):
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            self.fit_all()

    # ----------------------------------------------------------------- wheel
    def wheelEvent(self, event):
        if event.modifiers() & Qt.ControlModifier and self._scene_takes_wheel(event):
            return
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(WHEEL_STEP ** delta, event.position().toPoint())
        event.accept()

    def _scene_takes_wheel(self, event) -> bool:
        """Offer a wheel event to the scene (value scrubbing); True if an item took it."""
        scene_event = QGraphicsSceneWheelEvent(QEvent.GraphicsSceneWheel)
        scene_event.setScenePos(self.mapToScene(event.position().toPoint()))
        scene_event.setScreenPos(event.globalPosition().toPoint())
        scene_event.setButtons(event.buttons())
        scene_event.setModifiers(event.modifiers())
        vertical = event.angleDelta().y() != 0
        scene_event.setDelta(event.angleDelta().y() if vertical else event.angleDelta().x())
        scene_event.setOrientation(Qt.Vertical if vertical else Qt.Horizontal)
        scene_event.setPixelDelta(event.pixelDelta())
        scene_event.setAccepted(False)
        QApplication.sendEvent(self.scene(), scene_event)
        return scene_event.isAccepted()

    # ----------------------------------------------------------------- panning and mouse
    def _is_pan_press(self, event) -> bool:
        return (event.button() == Qt.MiddleButton or
                (event.button() == Qt.LeftButton and self._space_held))

    def mousePressEvent(self, event):
        if self._is_pan_press(event):
            self._pan_from = event.position().toPoint()
            self._pan_button = event.button()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        self._click_from = (event.position().toPoint() if event.button() == Qt.LeftButton
                            else None)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        self._last_mouse = event.position().toPoint()
        if self._pan_from is not None:
            now = event.position().toPoint()
            delta = now - self._pan_from
            self._pan_from = now
            self._scroll_by(-delta.x(), -delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._pan_from is not None and event.button() == self._pan_button:
            self._pan_from = None
            self._pan_button = Qt.NoButton
            if self._space_held:
                self.viewport().setCursor(Qt.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        press, self._click_from = self._click_from, None
        super().mouseReleaseEvent(event)
        at = event.position().toPoint()
        if (press is not None and event.button() == Qt.LeftButton
                and (at - press).manhattanLength() < QApplication.startDragDistance()):
            wire = self.tensor_wire_at(at)
            if wire is not None:
                self.inspector.inspect(target_of(wire))

    def mouseDoubleClickEvent(self, event):
        if event.button() == Qt.LeftButton and self.target_at(event.position().toPoint()) is None:
            self.open_quick_add(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def target_at(self, view_pos: QPoint):
        """What a click at ``view_pos`` is on: a GateItem, a WireItem, or None (empty canvas)."""
        for item in self.items(view_pos):
            current = item
            while current is not None:
                if isinstance(current, (GateItem, WireItem)):
                    return current
                current = current.parentItem()
        return None

    def tensor_wire_at(self, view_pos: QPoint) -> WireItem | None:
        """The wire carrying a vector or matrix under ``view_pos`` (on the wire or on its
        numbers), unless a gate or port is on top there."""
        for item in self.items(view_pos):
            if isinstance(item, NumberLabel) and item.picture is not None and item.wire:
                return item.wire
            if isinstance(item, WireItem):
                return item if item.tensor_shape else None
            if isinstance(item, (GateItem, PortItem)):
                return None
        return None

    # ----------------------------------------------------------------- keys
    def _editing_text(self) -> bool:
        return self.scene().focusItem() is not None

    def _is_quick_add_key(self, event) -> bool:
        if event.type() != QEvent.KeyPress or self._editing_text():
            return False
        part = canvas_key(event)
        return part is not None and part.job == QUICK_ADD

    def event(self, event):
        # Tab would move the keyboard focus to the next widget; on the canvas it is quick add
        if self._is_quick_add_key(event):
            self.open_quick_add()
            return True
        return super().event(event)

    def keyPressEvent(self, event):
        part = None if self._editing_text() else canvas_key(event)
        if part is None:
            super().keyPressEvent(event)
            return
        if part.job == NUDGE:
            self.nudge(*ARROW_DIRECTIONS[event.key()], part.grid_steps)
        elif part.job == CANCEL:
            # a drag in progress: cancel just that; else clear the selection; else go out
            if not self.scene().cancel_gesture():
                if self.scene().selectedItems():
                    self.scene().clearSelection()
                else:
                    self.document.go_out()
        elif part.job == INSPECT:
            self.inspect_selection()
        elif part.job == OPEN_GATE:
            self.open_selection()
        elif part.job == HOLD_TO_PAN and not event.isAutoRepeat():
            self._space_held = True
            if self._pan_from is None:
                self.viewport().setCursor(Qt.OpenHandCursor)
        event.accept()

    def keyReleaseEvent(self, event):
        part = canvas_key(event)
        if part is not None and part.job == HOLD_TO_PAN and not event.isAutoRepeat():
            self._space_held = False
            if self._pan_from is None:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def open_selection(self) -> bool:
        """Show the inside of the selected compound gate; False, with a status message, if
        the selection is not one compound gate."""
        ids = self.scene().selected_node_ids()
        if len(ids) != 1 or not self.scene().opens(ids[0]):
            self.scene().status_message.emit(
                "Select one compound gate (a gate made of other gates) to open it")
            return False
        return self.scene().open_gate(ids[0])

    def inspect_selection(self) -> bool:
        """Open the tensor inspector on the selected gate or wire (one, carrying a vector or
        matrix); False, with a status message, if there is none."""
        selected = self.scene().selectedItems()
        target = target_of(selected[0]) if len(selected) == 1 else None
        if target is None or not self.inspector.inspect(target):
            self.scene().status_message.emit(
                "Select one gate or wire carrying a vector or matrix to inspect it")
            return False
        return True

    def nudge(self, dx: int, dy: int, steps: int = 1) -> None:
        """Move the selected gates ``steps`` grid steps (one undo step), or pan if none is
        selected."""
        step = self.scene().GRID * steps
        circuit = self.document.circuit
        moves = {}
        for node_id in self.scene().selected_node_ids():
            old = circuit.nodes[node_id].pos or (0.0, 0.0)
            moves[node_id] = (old, (old[0] + dx * step, old[1] + dy * step))
        if moves:
            self.document.push(MoveNodesCommand(self.document, moves))
        else:
            self._scroll_by(dx * step * self.zoom_factor(), dy * step * self.zoom_factor())

    def focusOutEvent(self, event):
        self._space_held = False
        super().focusOutEvent(event)

    # ----------------------------------------------------------------- adding gates
    def mouse_scene_pos(self) -> QPointF:
        """Where the mouse is on the canvas (the view's centre if it is outside the view)."""
        inside = self.viewport().rect()
        pos = self._last_mouse
        if pos is None or not inside.contains(pos):
            pos = self.viewport().mapFromGlobal(QCursor.pos())
        if not inside.contains(pos):
            pos = inside.center()
        return self.mapToScene(pos)

    def mouse_over_canvas(self) -> QPointF | None:
        """The scene point under the mouse while the mouse is over the canvas, else None
        (e.g. while it is on a menu or a dock)."""
        pos = self._last_mouse
        if pos is None or not self.viewport().rect().contains(pos):
            return None
        return self.mapToScene(pos)

    def viewportEvent(self, event):
        if event.type() == QEvent.Leave:
            self._last_mouse = None
        elif self._is_quick_add_key(event):  # a key sent to the viewport itself
            self.open_quick_add()
            return True
        return super().viewportEvent(event)

    def add_gate(self, op: str, scene_pos: QPointF | None = None,
                 value: float | None = None) -> str | None:
        """Add a gate centred at ``scene_pos`` (default: the middle of the view), snapped to
        the grid, and select it; returns its id."""
        if scene_pos is None:
            scene_pos = self.mapToScene(self.viewport().rect().center())
        return self.edit_actions.add_gate(op, scene_pos, value)

    def open_quick_add(self, scene_pos: QPointF | None = None) -> QuickAddPopup:
        """Open the quick-add popup; the chosen gate is added at ``scene_pos`` (default: the
        mouse)."""
        if scene_pos is None:
            scene_pos = self.mouse_scene_pos()
        if self.quick_add is None:
            self.quick_add = QuickAddPopup(self, lambda: self.document.circuit.gates)
            self.quick_add.gate_chosen.connect(
                lambda name: self.add_gate(name, self._quick_add_pos))
            self.quick_add.number_chosen.connect(
                lambda value: self.add_gate("const", self._quick_add_pos, value))
        self._quick_add_pos = scene_pos
        popup = self.quick_add
        popup.popup_at(self.viewport().mapToGlobal(self.mapFromScene(scene_pos)))
        return popup

    # ----------------------------------------------------------------- drops from the palette
    def _dropped_gate(self, event) -> str | None:
        mime = event.mimeData()
        if mime is None or not mime.hasFormat(GATE_MIME):
            return None
        name = bytes(mime.data(GATE_MIME)).decode("utf-8", errors="replace").strip()
        gates = self.scene().document.circuit.gates  # "mul", "input 2×2", the file's "sig"
        return name if parse_gate_spec(name, gates) is not None else None

    def dragEnterEvent(self, event):
        if self._dropped_gate(event) is not None:
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if self._dropped_gate(event) is not None:
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        name = self._dropped_gate(event)
        if name is None:
            super().dropEvent(event)
            return
        self.add_gate(name, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()
        self.setFocus(Qt.MouseFocusReason)

    # ----------------------------------------------------------------- context menus
    def menu_at(self, view_pos: QPoint):
        """The right-click menu for ``view_pos``: the gate's, the wire's, or the canvas's."""
        target = self.target_at(view_pos)
        actions = self.edit_actions
        if isinstance(target, GateItem):
            if not target.isSelected():
                self.scene().select_nodes([target.node_id])
            return build_gate_menu(actions, target.node_id, self)
        if isinstance(target, WireItem):
            return build_wire_menu(actions, target.dst, target.port, self)
        return build_canvas_menu(actions, self.mapToScene(view_pos), self)

    def contextMenuEvent(self, event):
        menu = self.menu_at(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()
        event.accept()
