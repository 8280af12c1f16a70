"""The canvas view, driven by real events on its viewport: rubber-band selection, Delete and
undo, drops from the palette, wheel zoom, fit, pans, quick add (Tab, "sig", Enter), right-click.

The circuit is FORMAT.md's f = (x + y) * z at x = -2, y = 5, z = -4 (CS231n lecture 4), whose
gates sit at x (0, 0), y (0, 80), z (0, 160), q (160, 40) and f (320, 100).
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import (QDragEnterEvent, QDragMoveEvent, QDropEvent,  # noqa: E402
                           QWheelEvent)
from PySide6.QtGui import QFontMetricsF  # noqa: E402
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLineEdit, QWidget  # noqa: E402

import engine  # noqa: E402
from tests.helpers import EXAMPLES, examples_that_run  # noqa: E402
from gui.canvas.scene import CanvasScene  # noqa: E402
from gui.canvas.view import (GATE_MIME, LEFT_OUT_HINT, MAX_ZOOM, MIN_ZOOM,  # noqa: E402
                             SMALL_NUMBERS_HINT, CanvasView, readable_zoom)
from gui.common.number_entry import refusal  # noqa: E402
from gui.model.document import Document  # noqa: E402
from gui.canvas.editing import EditActions  # noqa: E402
from gui.canvas.quick_add import match_gates  # noqa: E402
from tests.helpers import add_mul_circuit  # noqa: E402
from tests.gui_helpers import (drag, install_edit_keys, install_view_keys,  # noqa: E402
                               make_window, mouse, settle)
from gui.canvas.obstacles import LABEL_OVERLAP_COST  # noqa: E402
from gui.canvas.readable_text import MIN_TEXT_SCALE, numbers_drawn_at  # noqa: E402
from gui.canvas.wire_item import NumberLabel, covered_cost  # noqa: E402
from gui.common import theme  # noqa: E402


@pytest.fixture
def canvas(qtbot):
    doc = Document(add_mul_circuit())
    scene = CanvasScene(doc)
    view = CanvasView(scene)
    actions = EditActions(doc, scene, view)
    install_edit_keys(actions, view)  # the keys the window's actions give the canvas
    install_view_keys(view)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    view.set_zoom(1.0)
    view.centerOn(QPointF(200, 100))
    doc.flush()
    return doc, scene, view, actions


def at(view, x, y) -> QPoint:
    """The viewport position of scene point (x, y)."""
    return view.mapFromScene(QPointF(x, y))


def wheel(view, pos: QPoint, notches: int, modifiers=Qt.NoModifier):
    event = QWheelEvent(QPointF(pos), QPointF(view.viewport().mapToGlobal(pos)), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.NoButton, modifiers, Qt.NoScrollPhase,
                        False)
    QApplication.sendEvent(view.viewport(), event)


def scroll(view) -> tuple[int, int]:
    return view.horizontalScrollBar().value(), view.verticalScrollBar().value()


# ----------------------------------------------------------------------------- selection, delete
def test_rubber_band_selects_exactly_the_gates_inside(canvas):
    _doc, scene, view, _actions = canvas
    drag(view, at(view, -30, -40), at(view, 250, 130))
    assert scene.selected_node_ids() == ["x", "y", "q"]
    assert view.objectName() == "canvas_view"


def test_rubber_band_on_a_gate_drags_it_instead(canvas):
    doc, scene, view, _actions = canvas
    drag(view, at(view, 190, 65), at(view, 250, 125))
    assert doc.circuit.nodes["q"].pos == (220.0, 100.0)  # moved 60, 60 on the 20 px grid
    assert scene.selected_node_ids() == ["q"]


def test_delete_key_removes_the_selection_and_undo_brings_it_back(canvas, qtbot):
    doc, scene, view, _actions = canvas
    drag(view, at(view, -30, -40), at(view, 250, 130))
    qtbot.keyClick(view.viewport(), Qt.Key_Delete)
    assert sorted(doc.circuit.nodes) == ["f", "z"]
    assert [(w.src, w.dst, w.port) for w in doc.circuit.wires()] == [("z", "f", 1)]
    assert scene.gate_item("x") is None and scene.gate_item("q") is None
    assert scene.wire_item("q", 0) is None and scene.wire_item("f", 0) is None
    assert doc.undo_stack.count() == 1

    doc.undo_stack.undo()
    doc.flush()
    assert sorted(doc.circuit.nodes) == ["f", "q", "x", "y", "z"]
    assert len(doc.circuit.wires()) == 4
    for node_id in "xyq":
        assert scene.gate_item(node_id) is not None
    # the seeds' numbers are back on the wires: q = 3, df/dq = z = -4, df/dx = -4
    assert scene.wire_item("f", 0).value_text() == "3.00"
    assert scene.wire_item("f", 0).grad_text() == "-4.00"
    assert scene.wire_item("q", 0).grad_text() == "-4.00"


def test_backspace_deletes_a_selected_wire(canvas, qtbot):
    doc, scene, view, _actions = canvas
    scene.wire_item("f", 1).setSelected(True)
    qtbot.keyClick(view.viewport(), Qt.Key_Backspace)
    assert doc.circuit.source_of("f", 1) is None
    assert len(doc.circuit.nodes) == 5 and scene.wire_item("f", 1) is None
    doc.undo_stack.undo()
    assert doc.circuit.source_of("f", 1) == "z" and scene.wire_item("f", 1) is not None


def test_ctrl_a_selects_every_gate(canvas, qtbot):
    _doc, scene, view, _actions = canvas
    qtbot.keyClick(view.viewport(), Qt.Key_A, Qt.ControlModifier)
    assert scene.selected_node_ids() == ["x", "y", "z", "q", "f"]


def test_arrow_keys_nudge_the_selection_by_grid_steps(canvas, qtbot):
    doc, scene, view, _actions = canvas
    scene.select_nodes(["q", "f"])
    qtbot.keyClick(view.viewport(), Qt.Key_Right)
    qtbot.keyClick(view.viewport(), Qt.Key_Down, Qt.ShiftModifier)
    assert doc.circuit.nodes["q"].pos == (180, 140) and doc.circuit.nodes["f"].pos == (340, 200)
    assert scene.gate_item("q").pos() == QPointF(180, 140)
    doc.undo_stack.undo()
    assert doc.circuit.nodes["q"].pos == (180, 40)
    qtbot.keyClick(view.viewport(), Qt.Key_Escape)
    assert scene.selected_node_ids() == []


# ----------------------------------------------------------------------------- zoom, fit, pan
def test_wheel_zooms_under_the_mouse(canvas):
    _doc, _scene, view, _actions = canvas
    pos = at(view, 195, 65)  # the middle of q
    before = view.mapToScene(pos)
    wheel(view, pos, 2)
    assert view.zoom_factor() > 1.2
    assert view.transform().m11() == view.transform().m22()
    after = view.mapToScene(pos)
    assert abs(after.x() - before.x()) < 2 and abs(after.y() - before.y()) < 2
    wheel(view, pos, -4)
    assert view.zoom_factor() < 1.0


def test_zoom_is_clamped(canvas):
    _doc, _scene, view, _actions = canvas
    for _ in range(40):
        view.zoom_in()
    assert view.zoom_factor() == pytest.approx(MAX_ZOOM)
    for _ in range(80):
        wheel(view, QPoint(100, 100), -3)
    assert view.zoom_factor() == pytest.approx(MIN_ZOOM)


def test_ctrl_plus_and_minus_zoom(canvas, qtbot):
    _doc, _scene, view, _actions = canvas
    qtbot.keyClick(view.viewport(), Qt.Key_Equal, Qt.ControlModifier)
    assert view.zoom_factor() == pytest.approx(1.25)
    qtbot.keyClick(view.viewport(), Qt.Key_Minus, Qt.ControlModifier)
    qtbot.keyClick(view.viewport(), Qt.Key_Minus, Qt.ControlModifier)
    assert view.zoom_factor() == pytest.approx(0.8)


def test_ctrl_wheel_over_an_input_scrubs_it_instead_of_zooming(canvas):
    doc, _scene, view, _actions = canvas
    wheel(view, at(view, 40, 100), 3, Qt.ControlModifier)  # over y = 5
    assert doc.circuit.nodes["y"].value == pytest.approx(5.3)
    assert view.zoom_factor() == 1.0
    wheel(view, at(view, 100, 300), 3, Qt.ControlModifier)  # empty canvas: zoom
    assert view.zoom_factor() > 1.0


def test_f_fits_every_gate_in_view(canvas, qtbot):
    doc, scene, view, _actions = canvas
    doc.circuit.add_node("const", "far", value=1.0, pos=(2000, 1500))
    view.set_zoom(4.0)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert not visible.contains(scene.gate_item("far").sceneBoundingRect())
    qtbot.keyClick(view.viewport(), Qt.Key_F)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for node_id in doc.circuit.nodes:
        assert visible.contains(scene.gate_item(node_id).sceneBoundingRect()), node_id
    assert view.zoom_factor() < 1.0


def shown_view(qtbot, circuit, width: int, height: int):
    """A canvas view of ``circuit`` on screen at this size: (scene, view)."""
    scene = CanvasScene(Document(circuit))
    view = CanvasView(scene)
    install_view_keys(view)  # F: the window's Fit
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return scene, view


def test_first_show_fits_the_circuit(qtbot):
    scene, view = shown_view(qtbot, add_mul_circuit(), 800, 500)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(scene.content_rect())


def test_resizing_keeps_the_circuit_fitted_until_the_user_zooms(qtbot):
    scene, view = shown_view(qtbot, add_mul_circuit(), 300, 200)
    # too small for the numbers to be read at their size: the whole circuit, numbers enlarged
    assert MIN_TEXT_SCALE < view.zoom_factor() < readable_zoom()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(scene.content_rect())
    assert scene.number_scale() > 1.0
    qtbot.waitUntil(lambda: scene.labels_pending() == 0)  # placed for their size
    assert readable_numbers_problems(view, scene) == []
    view.resize(900, 700)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(scene.content_rect())
    assert view.zoom_factor() > readable_zoom() and scene.number_scale() == 1.0
    wheel(view, QPoint(150, 100), 3)
    zoom = view.zoom_factor()
    view.resize(600, 400)
    assert view.zoom_factor() == zoom


def test_middle_drag_pans(canvas):
    doc, scene, view, _actions = canvas
    before = scroll(view)
    start, end = QPoint(400, 300), QPoint(300, 250)
    under = view.mapToScene(start)
    drag(view, start, end, button=Qt.MiddleButton)
    assert scroll(view) == (before[0] + 100, before[1] + 50)
    assert view.mapToScene(end) == under  # the canvas followed the hand
    assert doc.circuit.nodes["q"].pos == (160, 40) and scene.selected_node_ids() == []


def test_space_and_left_drag_pans_without_selecting(canvas, qtbot):
    doc, scene, view, _actions = canvas
    before = scroll(view)
    qtbot.keyPress(view.viewport(), Qt.Key_Space)
    drag(view, at(view, -30, -40), at(view, 250, 130))  # would be a rubber band without Space
    qtbot.keyRelease(view.viewport(), Qt.Key_Space)
    assert scroll(view) != before
    assert scene.selected_node_ids() == []
    drag(view, at(view, -30, -40), at(view, 250, 130))  # Space released: a rubber band again
    assert scene.selected_node_ids() == ["x", "y", "q"]


# ----------------------------------------------------------------------------- adding gates
def drag_event(kind, pos: QPoint, mime):
    """A drag enter/move event (PySide6 6.12 takes a QPointF, older versions a QPoint)."""
    try:
        return kind(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    except TypeError:
        return kind(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)


def drop_gate(view, name: str, pos: QPoint, mime_type=GATE_MIME) -> QDropEvent:
    mime = QMimeData()
    mime.setData(mime_type, name.encode("utf-8"))
    viewport = view.viewport()
    enter = drag_event(QDragEnterEvent, pos, mime)
    QApplication.sendEvent(viewport, enter)
    move = drag_event(QDragMoveEvent, pos, mime)
    QApplication.sendEvent(viewport, move)
    if not move.isAccepted():
        return None
    drop = QDropEvent(QPointF(pos), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(viewport, drop)
    return drop


def test_dropping_a_gate_from_the_palette_adds_it_at_the_snapped_point(canvas):
    doc, scene, view, _actions = canvas
    drop = drop_gate(view, "sigmoid", at(view, 503, 318))
    assert drop is not None and drop.isAccepted()
    added = [n for n in doc.circuit.nodes.values() if n.op == "sigmoid"]
    assert len(added) == 1
    node = added[0]
    # centred under the cursor: the 70x50 body's top-left is (503-35, 318-25) snapped to 20 px
    assert node.pos == (460.0, 300.0)
    item = scene.gate_item(node.id)
    assert (item.pos().x(), item.pos().y()) == node.pos
    assert scene.selected_node_ids() == [node.id]
    doc.undo_stack.undo()
    assert node.id not in doc.circuit.nodes and scene.gate_item(node.id) is None


def test_a_dropped_input_gets_a_readable_name_and_the_seed_value(canvas):
    doc, _scene, view, _actions = canvas
    drop_gate(view, "input", at(view, 500, 300))
    assert "w" in doc.circuit.nodes  # x, y, z are taken
    assert doc.circuit.nodes["w"].value == 0.0


def test_drops_of_other_data_are_refused(canvas):
    doc, _scene, view, _actions = canvas
    assert drop_gate(view, "sigmoid", at(view, 500, 300), "text/plain") is None
    assert drop_gate(view, "mull", at(view, 500, 300)) is None
    assert len(doc.circuit.nodes) == 5 and doc.undo_stack.count() == 0


def test_tab_opens_quick_add_and_sig_enter_adds_a_sigmoid_at_the_mouse(canvas, qtbot):
    doc, scene, view, _actions = canvas
    mouse(view, QEvent.MouseMove, at(view, 500, 300), Qt.NoButton, Qt.NoButton)
    qtbot.keyClick(view.viewport(), Qt.Key_Tab)
    popup = view.quick_add
    assert popup is not None and popup.isVisible()
    qtbot.keyClicks(popup.edit, "sig")
    assert popup.current_choice() == ("gate", "sigmoid")
    qtbot.keyClick(popup.edit, Qt.Key_Return)
    assert not popup.isVisible()
    added = [n for n in doc.circuit.nodes.values() if n.op == "sigmoid"]
    assert len(added) == 1
    x, y = added[0].pos
    assert abs(x + 35 - 500) <= 10 and abs(y + 25 - 300) <= 10
    assert scene.selected_node_ids() == [added[0].id]


def test_tab_beside_other_widgets_opens_quick_add_instead_of_moving_the_focus(qtbot):
    doc = Document(add_mul_circuit())
    view = CanvasView(CanvasScene(doc))
    window = QWidget()
    layout = QHBoxLayout(window)
    layout.addWidget(QLineEdit())
    layout.addWidget(view)
    layout.addWidget(QLineEdit())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    view.setFocus()
    for target in (view.viewport(), view):
        qtbot.keyClick(target, Qt.Key_Tab)
        assert view.quick_add.isVisible()
        view.quick_add.close()


def test_quick_add_arrows_escape_and_numbers(canvas, qtbot):
    doc, _scene, view, _actions = canvas
    popup = view.open_quick_add(QPointF(600, 300))
    qtbot.keyClicks(popup.edit, "x")
    first = popup.current_choice()
    qtbot.keyClick(popup.edit, Qt.Key_Down)
    assert popup.current_choice() != first
    qtbot.keyClick(popup.edit, Qt.Key_Escape)
    assert not popup.isVisible() and len(doc.circuit.nodes) == 5

    popup = view.open_quick_add(QPointF(600, 300))
    qtbot.keyClicks(popup.edit, "-2.5")
    assert popup.entries()[0] == "const = -2.50"  # as the canvas will write it
    assert popup.list.item(0).toolTip() == "const = -2.5"
    qtbot.keyClick(popup.edit, Qt.Key_Enter)
    consts = [n for n in doc.circuit.nodes.values() if n.op == "const"]
    assert len(consts) == 1 and consts[0].value == -2.5

    popup = view.open_quick_add(QPointF(600, 300))
    qtbot.keyClicks(popup.edit, "1e999")  # not finite: no const, and the words of every field
    assert popup.entries() == [refusal("1e999")] and popup.current_choice() is None
    qtbot.keyClick(popup.edit, Qt.Key_Escape)

    popup = view.open_quick_add(QPointF(600, 300))
    qtbot.keyClicks(popup.edit, "zzz")
    assert len(popup.entries()) == 1 and popup.entries()[0].startswith("No gate matches “zzz”")
    assert popup.current_choice() is None
    qtbot.keyClick(popup.edit, Qt.Key_Enter)  # nothing to add: nothing added
    assert len(doc.circuit.nodes) == 6
    qtbot.keyClick(popup.edit, Qt.Key_Backspace)
    qtbot.keyClick(popup.edit, Qt.Key_Backspace)
    qtbot.keyClick(popup.edit, Qt.Key_Backspace)
    assert len(popup.entries()) > 1  # every gate again


def test_double_click_on_empty_canvas_opens_quick_add(canvas, qtbot):
    _doc, _scene, view, _actions = canvas
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=at(view, 500, 400))
    assert view.quick_add is not None and view.quick_add.isVisible()
    view.quick_add.close()


def test_double_click_on_an_input_edits_its_value_not_quick_add(canvas, qtbot):
    _doc, scene, view, _actions = canvas
    qtbot.mouseDClick(view.viewport(), Qt.LeftButton, pos=at(view, 40, 20))
    assert view.quick_add is None
    assert scene.value_editor() is not None


@pytest.mark.parametrize("text, gate", [("sig", "sigmoid"), ("1/x", "recip"), ("times", "mul"),
                                        ("+", "add"), ("max", "max"), ("ln", "log"),
                                        ("σ", "sigmoid"), ("plus", "add"), ("-", "sub")])
def test_quick_add_matches_names_symbols_and_words(text, gate):
    assert match_gates(text)[0] == gate


@pytest.mark.parametrize("text, first, absent", [
    ("sig", "sigmoid", "neg"),  # neg's description says "sign": a name's prefix wins alone
    ("1/x", "recip", "div"), ("times", "mul", "add"), ("relu", "relu", "max"),
    ("max", "max", "relu"),  # relu's formula is max(0, a): names before descriptions
])
def test_quick_add_offers_names_symbols_and_aliases_before_descriptions(canvas, qtbot, text,
                                                                       first, absent):
    _doc, _scene, view, _actions = canvas
    popup = view.open_quick_add(QPointF(600, 300))
    qtbot.keyClicks(popup.edit, text)
    entries = [entry.split()[0] for entry in popup.entries()]
    assert entries[0] == first and popup.current_choice() == ("gate", first)
    assert absent not in entries
    popup.close()


def test_quick_add_searches_descriptions_when_no_name_matches(canvas, qtbot):
    _doc, _scene, view, _actions = canvas
    popup = view.open_quick_add(QPointF(600, 300))
    qtbot.keyClicks(popup.edit, "sign")  # no name, symbol or alias: neg "flips the sign"
    assert popup.current_choice() == ("gate", "neg")
    popup.close()


# ----------------------------------------------------------------------------- context menus
def test_right_click_picks_the_menu_of_what_is_under_the_mouse(canvas):
    _doc, scene, view, _actions = canvas
    gate_menu = view.menu_at(at(view, 195, 65))
    assert gate_menu.objectName() == "gate_menu"
    assert scene.selected_node_ids() == ["q"]  # right-click selects the gate it is on
    wire = scene.wire_item("f", 1)
    middle = wire.path().pointAtPercent(0.5)
    assert view.menu_at(view.mapFromScene(middle)).objectName() == "wire_menu"
    assert view.menu_at(at(view, 600, 400)).objectName() == "canvas_menu"


# ----------------------------------------------------------------------------- escape cancels
def test_escape_during_a_gate_drag_puts_the_gates_back(canvas, qtbot):
    doc, scene, view, _actions = canvas
    scene.select_nodes(["x", "q"])
    start, end = at(view, 190, 65), at(view, 290, 165)
    mouse(view, QEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton)
    for i in range(1, 4):
        mouse(view, QEvent.MouseMove, start + (end - start) * (i / 3), Qt.NoButton,
              Qt.LeftButton)
    assert scene.gate_item("q").pos() != QPointF(160, 40)  # the drag is under way
    qtbot.keyClick(view.viewport(), Qt.Key_Escape)
    assert scene.gate_item("q").pos() == QPointF(160, 40)
    assert scene.gate_item("x").pos() == QPointF(0, 0)
    mouse(view, QEvent.MouseMove, end + QPoint(30, 30), Qt.NoButton, Qt.LeftButton)
    mouse(view, QEvent.MouseButtonRelease, end + QPoint(30, 30), Qt.LeftButton, Qt.NoButton)
    assert scene.gate_item("q").pos() == QPointF(160, 40)  # the rest of the drag moved nothing
    assert doc.circuit.nodes["q"].pos == (160, 40) and doc.circuit.nodes["x"].pos == (0, 0)
    assert doc.undo_stack.count() == 0
    assert scene.selected_node_ids() == ["x", "q"]  # Escape cancelled the drag, not the selection
    wire = scene.wire_item("q", 0)
    assert wire.path().pointAtPercent(1.0) == scene.port_scene_pos("q", 0)
    qtbot.keyClick(view.viewport(), Qt.Key_Escape)  # no drag now: Escape clears the selection
    assert scene.selected_node_ids() == []


def test_escape_while_drawing_a_wire_drops_it(canvas, qtbot):
    doc, scene, view, _actions = canvas
    start = view.mapFromScene(scene.port_scene_pos("x", -1))
    target = view.mapFromScene(scene.port_scene_pos("f", 0))
    mouse(view, QEvent.MouseButtonPress, start, Qt.LeftButton, Qt.LeftButton)
    mouse(view, QEvent.MouseMove, target, Qt.NoButton, Qt.LeftButton)
    qtbot.keyClick(view.viewport(), Qt.Key_Escape)
    mouse(view, QEvent.MouseButtonRelease, target, Qt.LeftButton, Qt.NoButton)
    assert doc.circuit.source_of("f", 0) == "q" and doc.undo_stack.count() == 0


def test_quick_add_never_scrolls_sideways_and_long_descriptions_have_tooltips(canvas, qtbot):
    _doc, _scene, view, _actions = canvas
    popup = view.open_quick_add(QPointF(600, 300))
    qtbot.waitExposed(popup)
    listing = popup.list
    assert listing.horizontalScrollBarPolicy() == Qt.ScrollBarAlwaysOff
    assert not listing.horizontalScrollBar().isVisible()
    assert listing.textElideMode() == Qt.ElideRight
    for row in range(listing.count()):
        item = listing.item(row)
        gate = engine.GATES[item.data(Qt.UserRole)[1]]
        assert gate.doc in item.toolTip() and gate.formula in item.toolTip()
    popup.close()


def test_zoomed_out_past_readable_numbers_the_view_says_how_to_read_them(canvas):
    _doc, _scene, view, _actions = canvas
    hint = view.small_numbers_hint
    assert not hint.isVisible()
    centre = view.viewport().rect().center()
    while view.zoom_factor() >= MIN_TEXT_SCALE:
        wheel(view, centre, -1)
    assert hint.isVisible() and "Zoom in" in hint.text()
    assert hint.geometry().bottom() < view.viewport().height()  # in the corner, in view
    wheel(view, centre, 3)
    assert view.zoom_factor() > MIN_TEXT_SCALE and not hint.isVisible()
    view.set_zoom(MIN_TEXT_SCALE)  # exactly the limit: still drawn, wherever the wire is
    assert not hint.isVisible()
    assert numbers_drawn_at(MIN_TEXT_SCALE * (1 - 1e-12)) and not numbers_drawn_at(0.39)


def number_height_on_screen(view, label) -> float:
    """How tall a number's text is drawn in the viewport, in px: its plate less the padding."""
    padding = 2 * NumberLabel.PAD_Y * label.scale()
    return (label.sceneBoundingRect().height() - padding) * view.transform().m22()


def pill_value_height_on_screen(view, value_item) -> float:
    """How tall a source's value is drawn in the viewport, in px: a line of its font."""
    line = theme.metrics("VALUE_FONT").height() * value_item.scale()
    return line * view.transform().m22()


def shown_numbers(scene) -> list:
    """The numbers drawn on the wires and on f's stub."""
    stub = scene.output_stub()
    labels = [label for wire in scene.wire_items() for label in wire.labels()]
    labels += [stub.value_label, stub.grad_label] if stub is not None else []
    return [label for label in labels if label.is_drawn()]


def readable_numbers_problems(view, scene) -> list:
    """What keeps the numbers in view from being read: numbers (and pills' values) drawn less
    tall than the menu's text, and numbers covering another number or a gate (by the scene's
    own measure, ``covered_cost``)."""
    menu = QFontMetricsF(QApplication.font()).height()
    problems = [("small", label.text) for label in shown_numbers(scene)
                if number_height_on_screen(view, label) < menu - 1e-6]
    problems += [("small pill", gate.node_id) for gate in scene.gate_items()
                 if gate.value_item is not None
                 and pill_value_height_on_screen(view, gate.value_item) < menu - 1e-6]
    skip_stub = [scene.output_stub()] if scene.output_stub() is not None else []
    for label in shown_numbers(scene):
        owner = [item for item in scene.wire_items() if label in item.labels()] or skip_stub
        cost = covered_cost(scene, label.sceneBoundingRect(), (label, *owner),
                            visible_only=True)
        if cost >= LABEL_OVERLAP_COST:
            problems.append(("covers", label.text))
    return problems


def test_zooming_out_enlarges_the_numbers_and_places_them_again(canvas, qtbot):
    _doc, scene, view, _actions = canvas
    scene.arrange_labels()
    label = scene.wire_item("q", 0).value_label
    natural = label.boundingRect().height()
    centre = view.viewport().rect().center()
    while view.zoom_factor() > 0.5:
        wheel(view, centre, -1)
    assert scene.number_scale() > 1.0
    assert scene.labels_pending() == len(scene.wire_items())  # placed again at their size
    qtbot.waitUntil(lambda: scene.labels_pending() == 0)
    assert label.sceneBoundingRect().height() == pytest.approx(natural * scene.number_scale())
    assert readable_numbers_problems(view, scene) == []
    view.set_zoom(2.0)  # readable as they are: their natural size again
    assert scene.number_scale() == 1.0
    qtbot.waitUntil(lambda: scene.labels_pending() == 0)
    assert label.sceneBoundingRect().height() == pytest.approx(natural)


def test_fit_shows_the_whole_of_a_32_unit_net(qtbot):
    scene, view = shown_view(qtbot, engine.hidden_layer_net(32), 600, 560)
    view.fit_all()
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    for node_id in ("x", "y", "a1", "a32", "d", "score"):
        assert shown.contains(scene.gate_item(node_id).sceneBoundingRect()), node_id


def gates(scene):
    return [scene.gate_item(node_id) for node_id in scene.document.circuit.nodes]


def screen_rect(view, item):
    """Where ``item`` is drawn in the viewport."""
    return view.mapFromScene(item.sceneBoundingRect()).boundingRect()


@pytest.mark.parametrize("column", [False, True], ids=["default", "classifier_column"])
@pytest.mark.parametrize("name", examples_that_run())
def test_fit_shows_every_example_whole_with_numbers_as_tall_as_the_menu_text(
        qtbot, tmp_path, name, column):
    window = make_window(qtbot, tmp_path)
    window.resize(1400, 900)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_path(EXAMPLES / name)
    window.classifier_column.set_shown(column)
    settle()  # the column moves its docks one per turn of the event loop
    window.document.flush()
    view, scene = window.view, window.scene
    view.set_zoom(4.0)  # elsewhere first: F has all the work to do
    window.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view.viewport(), Qt.Key_F)
    qtbot.waitUntil(lambda: scene.labels_pending() == 0)
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    for gate in scene.gate_items():
        assert shown.contains(gate.sceneBoundingRect()), gate.node_id
    stub = scene.output_stub()  # f's value arrow, with f and 1.00 on it
    for item in (stub, stub.value_label, stub.grad_label):
        assert shown.contains(item.sceneBoundingRect())
    hint = view.small_numbers_hint
    if not numbers_drawn_at(view.zoom_factor()):
        # an overview, too far out for any numbers: only the widest examples in the narrow
        # canvas beside the classifier column, with the hint to zoom in on no gate
        assert column and name in ("two_layer_net.circuit", "sigmoid_neuron_primitive.circuit")
        assert hint.isVisible() and hint.text() == SMALL_NUMBERS_HINT
        assert not any(hint.geometry().intersects(screen_rect(view, g)) for g in gates(scene))
        return
    for label in shown_numbers(scene):
        assert shown.contains(label.sceneBoundingRect()), label.text
    assert readable_numbers_problems(view, scene) == []
    # numbers with no room are left out (a source's value first: its pill shows it), and
    # the hint says so where it covers nothing
    tensors = any(engine.is_tensor(node.value) for node in window.document.circuit.nodes.values())
    if not tensors:  # a long chain of tensor wires (the 3-layer net) may keep fewer
        assert len(shown_numbers(scene)) >= len(scene.wire_items())
    # every number, or its source's pill (a vector's or matrix's numbers take more room: some
    # may be left out, and the hint says so)
    if not column and name != "two_layer_net.circuit" and not tensors:
        assert scene.numbers_left_out() == 0
    if scene.numbers_left_out() == 0:
        assert not hint.isVisible()
    elif hint.isVisible():
        assert hint.text() == LEFT_OUT_HINT and not view.covers_something(hint.geometry())


@pytest.mark.parametrize("units", [8, 32])
def test_the_hint_to_zoom_in_on_a_fitted_big_net_covers_no_gate(qtbot, units):
    scene, view = shown_view(qtbot, engine.hidden_layer_net(units), 600, 560)
    scene.document.flush()
    qtbot.keyClick(view.viewport(), Qt.Key_F)
    hint = view.small_numbers_hint
    assert hint.isVisible() and hint.text() == SMALL_NUMBERS_HINT
    gates = [screen_rect(view, scene.gate_item(n)) for n in scene.document.circuit.nodes]
    assert not any(hint.geometry().intersects(gate) for gate in gates)
    assert view.viewport().rect().contains(hint.geometry())
    # panned so that gates come under its corner, it moves to a free one
    drag(view, QPoint(300, 280), QPoint(300 - 150, 280 + 200), Qt.MiddleButton)
    gates = [screen_rect(view, scene.gate_item(n)) for n in scene.document.circuit.nodes]
    free = [c for c in view.hint_corners() if not any(c.intersects(g) for g in gates)]
    assert free and hint.geometry() == free[0]
