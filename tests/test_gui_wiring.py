"""Gestures on the canvas, driven by real mouse, wheel and key events on a view's viewport:
drawing, refusing, replacing and picking up wires; moving gates on the grid; editing and
scrubbing a source's value. Each test checks the engine circuit and what is drawn.

The circuit is the seeds' f = (x + y) * z at x = -2, y = 5, z = -4.
"""

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent, QMouseEvent, QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QGraphicsView, QLineEdit  # noqa: E402

from gui.canvas.editing import EditActions  # noqa: E402
from gui.canvas.scene import CanvasScene  # noqa: E402
from gui.common.number_entry import refusal  # noqa: E402
from gui.model.document import Document  # noqa: E402
from tests.gui_helpers import install_edit_keys  # noqa: E402
from tests.helpers import add_mul_circuit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

NO_MODIFIERS = Qt.KeyboardModifier.NoModifier


class Mouse:
    """Real mouse and wheel events on the view's viewport, at scene coordinates."""

    def __init__(self, view):
        self.view = view
        self.viewport = view.viewport()

    def _send(self, kind, at, button, buttons, modifiers=NO_MODIFIERS):
        local = QPointF(self.view.mapFromScene(at))
        event = QMouseEvent(kind, local, QPointF(self.viewport.mapToGlobal(local.toPoint())),
                            button, buttons, modifiers)
        QApplication.sendEvent(self.viewport, event)

    def press(self, at, modifiers=NO_MODIFIERS):
        self._send(QEvent.MouseButtonPress, at, Qt.LeftButton, Qt.LeftButton, modifiers)

    def move(self, at, modifiers=NO_MODIFIERS):
        self._send(QEvent.MouseMove, at, Qt.NoButton, Qt.LeftButton, modifiers)

    def release(self, at, modifiers=NO_MODIFIERS):
        self._send(QEvent.MouseButtonRelease, at, Qt.LeftButton, Qt.NoButton, modifiers)

    def drag(self, start, end, steps=4, modifiers=NO_MODIFIERS):
        self.press(start, modifiers)
        for i in range(1, steps + 1):
            self.move(start + (end - start) * (i / steps), modifiers)
        self.release(end, modifiers)

    def double_click(self, at):
        self.press(at)
        self.release(at)
        self._send(QEvent.MouseButtonDblClick, at, Qt.LeftButton, Qt.LeftButton)
        self.release(at)

    def wheel(self, at, notches=1, modifiers=Qt.ControlModifier):
        local = QPointF(self.view.mapFromScene(at))
        event = QWheelEvent(local, QPointF(self.viewport.mapToGlobal(local.toPoint())),
                            QPoint(), QPoint(0, 120 * notches), Qt.NoButton, modifiers,
                            Qt.NoScrollPhase, False)
        QApplication.sendEvent(self.viewport, event)


def make_canvas(qtbot, circuit):
    doc = Document(circuit)
    scene = CanvasScene(doc)
    view = QGraphicsView(scene)
    view.resize(900, 600)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    doc.flush()
    messages = []
    scene.status_message.connect(messages.append)
    return doc, scene, Mouse(view), messages


@pytest.fixture
def canvas(qtbot):
    return make_canvas(qtbot, add_mul_circuit())


def body_centre(scene, node_id):
    gate = scene.gate_item(node_id)
    return gate.pos() + gate.body_rect().center()


# ----------------------------------------------------------------- wiring
def test_drawing_a_wire_from_an_output_to_an_input_connects_them(qtbot):
    doc, scene, mouse, _ = make_canvas(qtbot, add_mul_circuit(wired=False))
    assert doc.circuit.source_of("q", 0) is None
    start, end = scene.port_scene_pos("x", -1), scene.port_scene_pos("q", 0)
    mouse.press(start)
    mouse.move(start + QPointF(40, 20))
    q = scene.gate_item("q")
    assert q.input_ports[0].valid_target and q.input_ports[1].valid_target
    assert not scene.gate_item("x").output_port.valid_target
    mouse.move(end)
    mouse.release(end)
    assert doc.circuit.source_of("q", 0) == "x"
    wire = scene.wire_item("q", 0)
    assert (wire.src, wire.dst, wire.port) == ("x", "q", 0)
    assert not q.input_ports[0].valid_target  # the lights go out after the drop
    doc.flush()
    assert wire.value_text() == "-2.00" and wire.grad_text() == "-4.00"
    assert scene.output_stub().value_text() == "-12.00"
    assert doc.undo_stack.count() == 1
    # the Edit menu says "Undo " + this, and the README quotes it
    assert doc.undo_stack.undoText() == "Connect x → q"
    assert '"Undo Connect x → q"' in (ROOT / "README.md").read_text(encoding="utf-8")


def test_drawing_a_wire_from_an_input_back_to_an_output(qtbot):
    doc, scene, mouse, _ = make_canvas(qtbot, add_mul_circuit(wired=False))
    mouse.drag(scene.port_scene_pos("q", 0), scene.port_scene_pos("x", -1))
    assert doc.circuit.source_of("q", 0) == "x"
    assert scene.wire_item("q", 0).src == "x"


def test_a_wire_that_would_close_a_cycle_is_refused_and_says_why(canvas):
    doc, scene, mouse, messages = canvas
    start, end = scene.port_scene_pos("f", -1), scene.port_scene_pos("q", 1)
    mouse.press(start)
    mouse.move(end)
    assert not scene.gate_item("q").input_ports[1].valid_target  # q feeds f: not lit
    mouse.release(end)
    assert doc.circuit.source_of("q", 1) == "y"
    assert scene.wire_item("q", 1).src == "y" and scene.wire_item("q", 1).isVisible()
    assert doc.undo_stack.count() == 0
    assert messages[-1] == "Cannot connect f to q: would close a cycle f -> q -> f"
    assert "→" not in messages[-1]  # one arrow style, the engine's (FORMAT.md)


def test_joining_two_outputs_or_two_inputs_is_refused(canvas):
    doc, scene, mouse, messages = canvas
    wires = doc.circuit.wires()
    mouse.drag(scene.port_scene_pos("x", -1), scene.port_scene_pos("y", -1))
    assert "both ends are outputs" in messages[-1]
    doc.circuit.disconnect("f", 1)
    mouse.drag(scene.port_scene_pos("f", 1), scene.port_scene_pos("q", 0))
    assert "both ends are inputs" in messages[-1]
    assert len(doc.circuit.wires()) == len(wires) - 1


def test_dropping_on_an_occupied_input_replaces_its_wire_and_undo_restores_it(canvas):
    doc, scene, mouse, _ = canvas
    doc.circuit.set_output("f")  # y will feed nothing: keep f the output
    mouse.drag(scene.port_scene_pos("z", -1), scene.port_scene_pos("q", 1))
    assert doc.circuit.source_of("q", 1) == "z"
    assert scene.wire_item("q", 1).src == "z"
    doc.flush()
    assert scene.output_stub().value_text() == f"{(-2 + -4) * -4:.2f}"
    assert doc.undo_stack.undoText() == "Connect z → q (replacing y)"
    doc.undo_stack.undo()
    assert doc.circuit.source_of("q", 1) == "y"
    assert scene.wire_item("q", 1).src == "y"
    doc.flush()
    assert scene.output_stub().value_text() == "-12.00"


def test_dragging_from_a_wired_input_picks_its_wire_up(canvas):
    doc, scene, mouse, _ = canvas
    mouse.drag(scene.port_scene_pos("f", 1), scene.port_scene_pos("q", 1))  # z now into q:1
    assert doc.circuit.source_of("f", 1) is None
    assert doc.circuit.source_of("q", 1) == "z"
    assert scene.wire_item("f", 1) is None and scene.wire_item("q", 1).src == "z"
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.circuit.source_of("f", 1) == "z" and doc.circuit.source_of("q", 1) == "y"
    assert scene.wire_item("f", 1).src == "z" and scene.wire_item("f", 1).isVisible()


def test_a_picked_up_wire_dropped_on_empty_canvas_is_deleted(canvas):
    doc, scene, mouse, _ = canvas
    mouse.drag(scene.port_scene_pos("q", 0), QPointF(100, 300))
    assert doc.circuit.source_of("q", 0) is None
    assert scene.wire_item("q", 0) is None
    assert not scene.gate_item("q").input_ports[0].connected
    doc.undo_stack.undo()
    assert scene.wire_item("q", 0).src == "x"


@pytest.mark.parametrize("drop_on", ["empty canvas", "another port"])
def test_undo_while_carrying_a_picked_up_wire_drops_it_and_the_release_changes_nothing(
        canvas, qtbot, drop_on):
    """z -> f:1 is drawn (one step), picked up again, and Ctrl+Z takes the wire away while it
    is carried: the carried wire is dropped, and releasing it (on empty canvas, which would
    delete it, or on q:1, which would move it) changes nothing and raises nothing."""
    doc, scene, mouse, messages = canvas
    doc.circuit.disconnect("f", 1)
    install_edit_keys(EditActions(doc, scene), mouse.view)
    mouse.view.setFocus()
    mouse.drag(scene.port_scene_pos("z", -1), scene.port_scene_pos("f", 1))
    assert doc.circuit.source_of("f", 1) == "z" and doc.undo_stack.count() == 1
    mouse.press(scene.port_scene_pos("f", 1))  # picks the wire up
    mouse.move(QPointF(200, 300))
    assert scene.wiring.active
    qtbot.keyClick(mouse.viewport, Qt.Key_Z, Qt.ControlModifier)
    assert doc.circuit.source_of("f", 1) is None and scene.wire_item("f", 1) is None
    assert not scene.wiring.active and messages[-1].startswith("Wire cancelled")
    end = QPointF(100, 300) if drop_on == "empty canvas" else scene.port_scene_pos("q", 1)
    mouse.move(end)
    mouse.release(end)
    assert doc.circuit.source_of("f", 1) is None and doc.circuit.source_of("q", 1) == "y"
    assert doc.undo_stack.count() == 1 and doc.undo_stack.index() == 0
    doc.undo_stack.redo()
    assert doc.circuit.source_of("f", 1) == "z" and scene.wire_item("f", 1).isVisible()


# ----------------------------------------------------------------- moving gates
def test_dragging_a_gate_snaps_it_to_the_grid_in_one_undo_step(canvas):
    doc, scene, mouse, _ = canvas
    start = body_centre(scene, "q")
    mouse.drag(start, start + QPointF(33, 17), steps=6)
    grid = CanvasScene.GRID
    expected = (round((160 + 33) / grid) * grid, round((40 + 17) / grid) * grid)
    assert doc.circuit.nodes["q"].pos == expected == (200, 60)
    assert scene.gate_item("q").pos().toTuple() == expected
    wire = scene.wire_item("q", 0)
    assert wire.path().pointAtPercent(1.0) == scene.port_scene_pos("q", 0)
    assert scene.wire_item("f", 0).path().pointAtPercent(0.0) == scene.port_scene_pos("q", -1)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.circuit.nodes["q"].pos == (160, 40)
    assert scene.gate_item("q").pos().toTuple() == (160, 40)
    assert wire.path().pointAtPercent(1.0) == scene.port_scene_pos("q", 0)


def test_dragging_a_selection_moves_every_selected_gate_in_one_step(canvas):
    doc, scene, mouse, _ = canvas
    scene.select_nodes(["q", "f"])
    start = body_centre(scene, "q")
    mouse.drag(start, start + QPointF(40, 40))
    assert doc.circuit.nodes["q"].pos == (200, 80)
    assert doc.circuit.nodes["f"].pos == (360, 140)
    assert doc.undo_stack.count() == 1


def test_clicking_selects_and_ctrl_click_adds(canvas, qtbot):
    _doc, scene, mouse, _ = canvas
    with qtbot.waitSignal(scene.selection_ids_changed):
        mouse.press(body_centre(scene, "q"))
        mouse.release(body_centre(scene, "q"))
    assert scene.selected_node_ids() == ["q"]
    mouse.press(body_centre(scene, "f"), Qt.ControlModifier)
    mouse.release(body_centre(scene, "f"), Qt.ControlModifier)
    assert scene.selected_node_ids() == ["q", "f"]


def test_a_click_without_moving_pushes_nothing(canvas):
    doc, scene, mouse, _ = canvas
    mouse.press(body_centre(scene, "q"))
    mouse.release(body_centre(scene, "q"))
    assert doc.undo_stack.count() == 0


# ----------------------------------------------------------------- editing values
def test_double_click_edits_a_source_in_place(canvas, qtbot):
    doc, scene, mouse, _ = canvas
    mouse.double_click(body_centre(scene, "x"))
    editor = scene.value_editor()
    assert editor is not None and editor.text() == "-2"
    editor.selectAll()
    qtbot.keyClicks(editor, "1.5")
    qtbot.keyClick(editor, Qt.Key_Return)
    assert doc.circuit.nodes["x"].value == 1.5
    assert scene.value_editor() is None
    doc.flush()
    assert scene.gate_item("x").value_item.text == "1.50"
    assert scene.output_stub().value_text() == f"{(1.5 + 5) * -4:.2f}"
    doc.undo_stack.undo()
    assert doc.circuit.nodes["x"].value == -2.0


def test_bad_text_changes_nothing_and_says_so(canvas, qtbot):
    doc, scene, mouse, messages = canvas
    mouse.double_click(body_centre(scene, "y"))
    editor = scene.value_editor()
    editor.selectAll()
    qtbot.keyClicks(editor, "abc")
    qtbot.keyClick(editor, Qt.Key_Return)
    assert messages[-1] == f"y: {refusal('abc')}"  # the words of every value field
    assert doc.circuit.nodes["y"].value == 5.0 and doc.undo_stack.count() == 0


def test_escape_cancels_the_edit(canvas, qtbot):
    doc, scene, mouse, _ = canvas
    mouse.double_click(body_centre(scene, "z"))
    editor = scene.value_editor()
    editor.selectAll()
    qtbot.keyClicks(editor, "7")
    qtbot.keyClick(editor, Qt.Key_Escape)
    assert scene.value_editor() is None
    assert doc.circuit.nodes["z"].value == -4.0 and doc.undo_stack.count() == 0


@pytest.mark.parametrize("leave", ["enter", "click on the canvas", "focus elsewhere"])
def test_leaving_the_editor_untouched_keeps_every_digit_of_the_value(canvas, qtbot, leave):
    """The editor opens on x = -sigmoid(2) to ten digits; leaving it without typing is no
    edit: the value keeps its 17 digits and no undo step is made."""
    doc, scene, mouse, _ = canvas
    doc.circuit.set_value("x", -0.8807970779778823)
    doc.flush()
    mouse.double_click(body_centre(scene, "x"))
    editor = scene.value_editor()
    assert editor.text() == "-0.880797078"
    if leave == "enter":
        qtbot.keyClick(editor, Qt.Key_Return)
    elif leave == "click on the canvas":
        mouse.press(QPointF(600, 400))
        mouse.release(QPointF(600, 400))
    else:
        other = QLineEdit()
        qtbot.addWidget(other)
        other.show()
        other.activateWindow()
        other.setFocus()
        qtbot.waitUntil(lambda: scene.value_editor() is None)  # the focus left it
    assert scene.value_editor() is None
    assert doc.circuit.nodes["x"].value == -0.8807970779778823
    assert doc.undo_stack.count() == 0


def test_ctrl_wheel_scrubs_a_source_in_one_undo_step(canvas):
    doc, scene, mouse, _ = canvas
    over_x = scene.gate_item("x").pos() + QPointF(8, 8)  # on the pill, off the number
    for _ in range(3):
        mouse.wheel(over_x)
    assert doc.circuit.nodes["x"].value == pytest.approx(-2.0 + 3 * 0.1)
    doc.flush()
    assert scene.wire_item("q", 0).value_text() == "-1.70"
    assert scene.output_stub().value_text() == f"{(-1.7 + 5) * -4:.2f}"
    assert doc.undo_stack.count() == 1
    mouse.wheel(over_x, notches=-1, modifiers=Qt.ControlModifier | Qt.ShiftModifier)
    assert doc.circuit.nodes["x"].value == pytest.approx(-1.71)
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.circuit.nodes["x"].value == -2.0


def test_a_new_scrub_gesture_is_a_new_undo_step(canvas):
    doc, scene, mouse, _ = canvas
    over_x = scene.gate_item("x").pos() + QPointF(8, 8)
    mouse.wheel(over_x)
    mouse.wheel(over_x)
    release = QKeyEvent(QEvent.KeyRelease, Qt.Key_Control, NO_MODIFIERS)
    QApplication.sendEvent(mouse.viewport, release)  # letting go of Ctrl ends the gesture
    mouse.wheel(over_x)
    assert doc.circuit.nodes["x"].value == pytest.approx(-1.7)
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.circuit.nodes["x"].value == pytest.approx(-1.8)


def test_ending_a_scrub_leaves_the_pushed_command_as_it_was(canvas):
    doc, scene, mouse, _ = canvas
    over_x = scene.gate_item("x").pos() + QPointF(8, 8)
    mouse.wheel(over_x)
    pushed = doc.undo_stack.command(0)
    before = dict(vars(pushed))
    release = QKeyEvent(QEvent.KeyRelease, Qt.Key_Control, NO_MODIFIERS)
    QApplication.sendEvent(mouse.viewport, release)
    assert vars(pushed) == before and pushed.text() == "Set x = -1.90"


def test_wheel_without_ctrl_or_over_an_operation_changes_nothing(canvas):
    doc, scene, mouse, _ = canvas
    mouse.wheel(body_centre(scene, "x"), modifiers=NO_MODIFIERS)
    mouse.wheel(body_centre(scene, "q"))
    assert doc.undo_stack.count() == 0


def test_alt_dragging_the_number_scrubs_it_in_one_undo_step(canvas):
    doc, scene, mouse, _ = canvas
    start = body_centre(scene, "y")
    alt = Qt.AltModifier
    mouse.drag(start, start + QPointF(31, 0), steps=5, modifiers=alt)  # 6 px per step of 0.1
    assert doc.circuit.nodes["y"].value == pytest.approx(5.0 + 5 * 0.1)
    assert doc.circuit.nodes["y"].pos == (0, 80)  # the gate itself did not move
    assert doc.undo_stack.count() == 1
    mouse.drag(start, start - QPointF(12, 0), modifiers=alt)  # a second gesture: its own step
    assert doc.circuit.nodes["y"].value == pytest.approx(5.3)
    assert doc.undo_stack.count() == 2
    mouse.drag(start, start + QPointF(12, 0), modifiers=alt | Qt.ShiftModifier)  # fine: 0.01
    assert doc.circuit.nodes["y"].value == pytest.approx(5.32)
    for _ in range(3):
        doc.undo_stack.undo()
    assert doc.circuit.nodes["y"].value == 5.0


def test_shift_dragging_the_number_scrubs_it_too_and_ctrl_makes_the_steps_fine(canvas):
    doc, scene, mouse, _ = canvas
    start = body_centre(scene, "y")
    mouse.drag(start, start + QPointF(19, 0), modifiers=Qt.ShiftModifier)  # 3 steps of 0.1
    assert doc.circuit.nodes["y"].value == pytest.approx(5.3)
    assert doc.circuit.nodes["y"].pos == (0, 80) and doc.undo_stack.count() == 1
    mouse.drag(start, start - QPointF(25, 0), modifiers=Qt.ShiftModifier | Qt.ControlModifier)
    assert doc.circuit.nodes["y"].value == pytest.approx(5.26)  # 4 steps of 0.01
    assert doc.undo_stack.count() == 2


def test_undo_in_the_middle_of_a_scrub_then_dragging_on_starts_from_the_undone_value(
        canvas, qtbot):
    """Ctrl+Z while Shift+dragging y's number takes the scrub back; dragging on moves y from
    5.0 by the steps made since, in a new undo step (the undone 0.3 does not come back)."""
    doc, scene, mouse, _ = canvas
    install_edit_keys(EditActions(doc, scene), mouse.view)
    mouse.view.setFocus()
    start = body_centre(scene, "y")
    shift = Qt.ShiftModifier
    mouse.press(start, shift)
    mouse.move(start + QPointF(19, 0), shift)  # 3 steps of 0.1
    assert doc.circuit.nodes["y"].value == pytest.approx(5.3)
    qtbot.keyPress(mouse.viewport, Qt.Key_Control, shift)
    qtbot.keyClick(mouse.viewport, Qt.Key_Z, Qt.ControlModifier)
    qtbot.keyRelease(mouse.viewport, Qt.Key_Control, shift | Qt.ControlModifier)
    assert doc.circuit.nodes["y"].value == 5.0
    mouse.move(start + QPointF(31, 0), shift)  # 5 steps from the press, 2 since the undo
    assert doc.circuit.nodes["y"].value == pytest.approx(5.2)
    mouse.release(start + QPointF(31, 0), shift)
    assert doc.undo_stack.count() == 1 and doc.undo_stack.index() == 1
    doc.undo_stack.undo()
    assert doc.circuit.nodes["y"].value == 5.0
    doc.undo_stack.redo()
    assert doc.circuit.nodes["y"].value == pytest.approx(5.2)


def test_undo_after_the_press_and_before_the_first_step_scrubs_from_the_undone_value(
        canvas, qtbot):
    """y was set to 6 (one step). Shift+press on y's number, Ctrl+Z before the mouse has moved
    a whole step (y is 5 again), then drag 2 steps: y is 5.2, not the undone 6 plus 0.2."""
    doc, scene, mouse, _ = canvas
    install_edit_keys(EditActions(doc, scene), mouse.view)
    mouse.view.setFocus()
    mouse.double_click(body_centre(scene, "y"))
    editor = scene.value_editor()
    editor.selectAll()
    qtbot.keyClicks(editor, "6")
    qtbot.keyClick(editor, Qt.Key_Return)
    assert doc.circuit.nodes["y"].value == 6.0 and doc.undo_stack.count() == 1
    mouse.view.setFocus()
    start = body_centre(scene, "y")
    shift = Qt.ShiftModifier
    mouse.press(start, shift)
    mouse.move(start + QPointF(3, 0), shift)  # half a step: nothing pushed yet
    assert doc.circuit.nodes["y"].value == 6.0 and doc.undo_stack.count() == 1
    qtbot.keyClick(mouse.viewport, Qt.Key_Z, Qt.ControlModifier)
    assert doc.circuit.nodes["y"].value == 5.0
    mouse.move(start + QPointF(13, 0), shift)  # 2 steps of 0.1
    mouse.release(start + QPointF(13, 0), shift)
    assert doc.circuit.nodes["y"].value == pytest.approx(5.2)
    doc.undo_stack.undo()
    assert doc.circuit.nodes["y"].value == 5.0


def test_undo_during_a_wheel_scrub_makes_the_next_notch_a_new_step_from_there(canvas, qtbot):
    doc, scene, mouse, _ = canvas
    install_edit_keys(EditActions(doc, scene), mouse.view)
    mouse.view.setFocus()
    over_x = scene.gate_item("x").pos() + QPointF(8, 8)
    mouse.wheel(over_x)
    mouse.wheel(over_x)
    qtbot.keyClick(mouse.viewport, Qt.Key_Z, Qt.ControlModifier)
    assert doc.circuit.nodes["x"].value == -2.0
    mouse.wheel(over_x)
    assert doc.circuit.nodes["x"].value == pytest.approx(-1.9)
    assert doc.undo_stack.count() == 1


@pytest.mark.parametrize("direction", [(60, 0), (60, 40), (0, 60)],
                         ids=["sideways", "diagonal", "down"])
def test_a_plain_drag_on_the_number_moves_the_source(canvas, direction):
    """Whatever the direction, a drag without Alt moves the pill (one undo step) and leaves its
    value alone."""
    doc, scene, mouse, _ = canvas
    number = scene.gate_item("y").value_item
    start = number.sceneBoundingRect().center()
    assert number.contains(number.mapFromScene(start))
    mouse.drag(start, start + QPointF(*direction))
    assert doc.circuit.nodes["y"].value == 5.0
    assert doc.circuit.nodes["y"].pos == (0 + direction[0], 80 + direction[1])
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Move y"
    assert scene.selected_node_ids() == ["y"]


def test_the_number_shows_a_scrub_cursor_only_while_alt_is_held(canvas):
    doc, scene, mouse, _ = canvas
    number = scene.gate_item("x").value_item
    at = number.sceneBoundingRect().center()
    mouse._send(QEvent.MouseMove, at, Qt.NoButton, Qt.NoButton)
    assert not number.hasCursor()
    mouse._send(QEvent.MouseMove, at + QPointF(1, 0), Qt.NoButton, Qt.NoButton, Qt.AltModifier)
    assert number.hasCursor() and number.cursor().shape() == Qt.SizeHorCursor
    mouse._send(QEvent.MouseMove, at, Qt.NoButton, Qt.NoButton)
    assert not number.hasCursor()


# ----------------------------------------------------------------- inside the real view
def test_gestures_work_inside_the_canvas_view(qtbot):
    canvas_view = pytest.importorskip("gui.canvas.view")
    doc = Document(add_mul_circuit(wired=False))
    scene = CanvasScene(doc)
    view = canvas_view.CanvasView(scene)
    view.resize(900, 600)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    mouse = Mouse(view)
    mouse.drag(scene.port_scene_pos("x", -1), scene.port_scene_pos("q", 0))
    assert doc.circuit.source_of("q", 0) == "x"
    assert scene.selected_node_ids() == []  # the press did not start a rubber band
    zoom = view.zoom_factor()
    over_z = scene.gate_item("z").pos() + QPointF(8, 8)
    mouse.wheel(over_z)
    mouse.wheel(over_z)
    assert doc.circuit.nodes["z"].value == pytest.approx(-3.8)
    assert view.zoom_factor() == zoom  # Ctrl+wheel over a source scrubs, it does not zoom
    assert doc.undo_stack.count() == 2  # the wire, then one scrub step
    start = body_centre(scene, "f")
    mouse.drag(start, start + QPointF(40, -20))
    assert doc.circuit.nodes["f"].pos == (360, 80)
