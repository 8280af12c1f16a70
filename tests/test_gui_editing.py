"""Copy, cut, paste, duplicate and delete on the canvas, and the right-click menus' actions.

Each edit must be one undo step, keep the wires among the copied gates, give pasted gates fresh
ids, and leave both the engine circuit and the drawing in the same state. The circuit is
FORMAT.md's f = (x + y) * z at x = -2, y = 5, z = -4 (q = 3, f = -12; CS231n lecture 4).
"""

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QMimeData, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QAction, QGuiApplication  # noqa: E402

import engine  # noqa: E402
import gui.canvas.context_menus as context_menus  # noqa: E402
from gui.canvas.scene import CanvasScene  # noqa: E402
from gui.canvas.view import CanvasView  # noqa: E402
from gui.canvas.context_menus import (build_canvas_menu, build_gate_menu,  # noqa: E402
                               build_wire_menu)
from gui.common.number_entry import refusal  # noqa: E402
from gui.model.commands import ConnectCommand  # noqa: E402
from gui.model.document import Document  # noqa: E402
from gui.canvas.editing import FRAGMENT_MIME, EditActions  # noqa: E402
from tests.gui_helpers import install_edit_keys  # noqa: E402
from tests.helpers import add_mul_circuit  # noqa: E402


@pytest.fixture
def canvas(qtbot):
    doc = Document(add_mul_circuit())
    scene = CanvasScene(doc)
    view = CanvasView(scene)
    actions = EditActions(doc, scene, view)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    messages = []
    actions.status_message.connect(messages.append)
    QGuiApplication.clipboard().clear()
    return doc, scene, view, actions, messages


def assert_beside_without_overlap(scene, circuit, originals, copies) -> None:
    """The copies sit right of or below their originals (one common shift), and no copy's
    drawing (body, name, ports) touches any other gate's."""
    shifts = {(circuit.nodes[c].pos[0] - circuit.nodes[o].pos[0],
               circuit.nodes[c].pos[1] - circuit.nodes[o].pos[1])
              for o, c in zip(originals, copies)}
    assert len(shifts) == 1
    (dx, dy), = shifts
    assert (dx > 0 and dy == 0) or (dx == 0 and dy > 0)
    for copy in copies:
        box = scene.gate_item(copy).sceneBoundingRect()
        for other in circuit.nodes:
            if other != copy:
                assert not box.intersects(scene.gate_item(other).sceneBoundingRect()), (
                    copy, other)


def wires_of(circuit, ids) -> set:
    ids = set(ids)
    return {(w.src, w.dst, w.port) for w in circuit.wires() if w.src in ids or w.dst in ids}


def drawn_wires(scene, circuit) -> set:
    """The wires the scene draws, read back from its items."""
    found = set()
    for wire in circuit.wires():
        item = scene.wire_item(wire.dst, wire.port)
        if item is not None:
            found.add((item.src, item.dst, item.port))
    return found


# ----------------------------------------------------------------------------- copy and paste
def test_copy_puts_the_fragment_on_the_clipboard_as_a_circuit_file(canvas):
    doc, scene, _view, actions, messages = canvas
    scene.select_nodes(["x", "y", "q"])
    actions.copy()
    mime = QGuiApplication.clipboard().mimeData()
    data = json.loads(bytes(mime.data(FRAGMENT_MIME)).decode("utf-8"))
    assert data["format"] == "circuitgrad"
    assert [n["id"] for n in data["nodes"]] == ["x", "y", "q"]
    assert {(w["from"], w["to"], w["port"]) for w in data["wires"]} == {("x", "q", 0),
                                                                       ("y", "q", 1)}
    assert json.loads(mime.text()) == data  # plain text too, for a text editor
    fragment = engine.loads(mime.text())
    assert fragment.nodes["y"].value == 5.0 and fragment.nodes["q"].pos == (160, 40)
    assert messages[-1] == "Copied 3 gates"
    assert doc.undo_stack.count() == 0  # copying is not an edit


def test_paste_keeps_internal_wires_and_makes_fresh_ids(canvas, qtbot):
    doc, scene, view, actions, messages = canvas
    install_edit_keys(actions, view)
    scene.select_nodes(["x", "y", "q"])
    actions.copy()
    before = set(doc.circuit.nodes)
    new_ids = actions.paste()
    assert len(new_ids) == 3 and not set(new_ids) & before
    circuit = doc.circuit
    x2, y2, q2 = new_ids
    assert (circuit.nodes[x2].op, circuit.nodes[y2].op, circuit.nodes[q2].op) == (
        "input", "input", "add")
    assert (circuit.nodes[x2].value, circuit.nodes[y2].value) == (-2.0, 5.0)
    assert wires_of(circuit, new_ids) == {(x2, q2, 0), (y2, q2, 1)}
    assert drawn_wires(scene, circuit) >= {(x2, q2, 0), (y2, q2, 1)}
    assert_beside_without_overlap(scene, circuit, ["x", "y", "q"], new_ids)
    assert scene.selected_node_ids() == new_ids
    assert messages[-1] == "Pasted 3 gates"
    assert doc.undo_stack.count() == 1
    # the pasted q2 = x2 + y2 = 3 is computed like q (and feeds nothing)
    doc.flush()
    assert doc.result.values[q2] == 3.0

    second = actions.paste()  # the next paste finds its own free place
    assert_beside_without_overlap(scene, circuit, ["x", "y", "q"], second)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert set(doc.circuit.nodes) == before
    for node_id in new_ids + second:
        assert scene.gate_item(node_id) is None


def test_ctrl_c_and_ctrl_v_through_the_installed_shortcuts(canvas, qtbot):
    doc, scene, view, actions, _messages = canvas
    install_edit_keys(actions, view)
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    scene.select_nodes(["q"])
    qtbot.keyClick(view.viewport(), Qt.Key_C, Qt.ControlModifier)
    qtbot.keyClick(view.viewport(), Qt.Key_V, Qt.ControlModifier)
    assert len(doc.circuit.nodes) == 6
    (pasted,) = scene.selected_node_ids()
    assert pasted != "q" and doc.circuit.nodes[pasted].op == "add"
    qtbot.keyClick(view.viewport(), Qt.Key_Z, Qt.ControlModifier)
    assert len(doc.circuit.nodes) == 5 and scene.gate_item(pasted) is None
    qtbot.keyClick(view.viewport(), Qt.Key_Y, Qt.ControlModifier)
    assert pasted in doc.circuit.nodes and scene.gate_item(pasted) is not None


def test_paste_at_a_point_puts_the_fragment_there(canvas):
    doc, scene, _view, actions, _messages = canvas
    scene.select_nodes(["y", "q"])
    actions.copy()
    new_ids = actions.paste(at=QPointF(401, 299))
    positions = sorted(doc.circuit.nodes[i].pos for i in new_ids)
    # the fragment's top-left corner (0, 40) goes to (400, 300), the snapped point
    assert positions == [(400, 340), (560, 300)]


def test_paste_into_another_document_keeps_free_ids(canvas, qtbot):
    _doc, scene, _view, actions, _messages = canvas
    scene.select_nodes(["x", "y", "q"])
    actions.copy()
    other = Document()
    other_scene = CanvasScene(other)
    other_actions = EditActions(other, other_scene)
    assert other_actions.paste() == ["x", "y", "q"]
    other.flush()
    assert other.result.values["q"] == 3.0  # -2 + 5


def test_malformed_or_foreign_clipboard_changes_nothing(canvas):
    doc, _scene, _view, actions, messages = canvas
    actions.paste()
    assert messages[-1].startswith("Nothing to paste")
    QGuiApplication.clipboard().setText("hello")
    assert actions.paste() == []
    assert messages[-1].startswith("Nothing to paste")
    mime = QMimeData()
    mime.setData(FRAGMENT_MIME, b'{"format": "circuitgrad", "version": 1, "nodes": '
                                b'[{"id": "a", "op": "mull"}]}')
    QGuiApplication.clipboard().setMimeData(mime)
    assert actions.paste() == []
    assert messages[-1].startswith("Cannot paste") and "mull" in messages[-1]
    QGuiApplication.clipboard().setText('{"nodes": [')
    assert actions.paste() == []
    assert messages[-1].startswith("Cannot paste")
    assert len(doc.circuit.nodes) == 5 and doc.undo_stack.count() == 0


# ----------------------------------------------------------------------------- duplicate, cut
def test_duplicate_copies_the_selection_with_its_wires_in_one_step(canvas):
    doc, scene, _view, actions, messages = canvas
    QGuiApplication.clipboard().setText("untouched")
    scene.select_nodes(["x", "y", "q"])
    new_ids = actions.duplicate()
    x2, y2, q2 = new_ids
    assert wires_of(doc.circuit, new_ids) == {(x2, q2, 0), (y2, q2, 1)}
    assert_beside_without_overlap(scene, doc.circuit, ["x", "y", "q"], new_ids)
    assert scene.selected_node_ids() == new_ids
    assert QGuiApplication.clipboard().text() == "untouched"
    assert doc.undo_stack.count() == 1 and messages[-1] == "Duplicated 3 gates"
    doc.undo_stack.undo()
    assert len(doc.circuit.nodes) == 5


def test_cut_then_undo_is_one_step(canvas):
    doc, scene, _view, actions, _messages = canvas
    scene.select_nodes(["x", "y", "q"])
    actions.cut()
    assert sorted(doc.circuit.nodes) == ["f", "z"]
    assert scene.gate_item("q") is None and scene.wire_item("f", 0) is None
    assert doc.undo_stack.count() == 1
    assert doc.undo_stack.undoText().startswith("Cut")
    doc.undo_stack.undo()
    assert sorted(doc.circuit.nodes) == ["f", "q", "x", "y", "z"]
    assert drawn_wires(scene, doc.circuit) == {("x", "q", 0), ("y", "q", 1), ("q", "f", 0),
                                               ("z", "f", 1)}
    doc.flush()
    assert doc.result.value == -12.0  # (x + y) * z is whole again
    doc.undo_stack.redo()
    pasted = actions.paste()  # the cut gates are free ids again: they come back as they were
    assert pasted == ["x", "y", "q"]


def test_delete_selection_with_gates_and_a_wire_is_one_step(canvas):
    doc, scene, _view, actions, _messages = canvas
    scene.select_nodes(["x"])
    scene.wire_item("f", 1).setSelected(True)
    actions.delete_selection()
    assert "x" not in doc.circuit.nodes and doc.circuit.source_of("f", 1) is None
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.circuit.source_of("f", 1) == "z" and doc.circuit.source_of("q", 0) == "x"


# ----------------------------------------------------------------------------- context menus
def find_action(menu, name: str):
    return menu.findChild(QAction, name)


def trigger(menu, name: str) -> None:
    action = find_action(menu, name)
    assert action is not None, name
    assert action.isEnabled(), name
    action.trigger()


def test_gate_menu_make_output(canvas):
    doc, _scene, view, actions, _messages = canvas
    assert doc.circuit.explicit_output is None
    menu = build_gate_menu(actions, "q", view)
    trigger(menu, "ctx_make_output")
    assert doc.circuit.explicit_output == "q"
    doc.flush()
    assert doc.result.output == "q" and doc.result.value == 3.0
    doc.undo_stack.undo()
    assert doc.circuit.explicit_output is None


def test_gate_menu_delete_duplicate_freeze_bind_and_ports(canvas, monkeypatch):
    doc, scene, view, actions, _messages = canvas
    trigger(build_gate_menu(actions, "x", view), "ctx_freeze")
    assert doc.circuit.nodes["x"].trainable is False
    trigger(build_gate_menu(actions, "x", view), "ctx_bind_y")
    assert doc.circuit.nodes["x"].feature == 1
    trigger(build_gate_menu(actions, "x", view), "ctx_unbind")
    assert doc.circuit.nodes["x"].feature is None
    trigger(build_gate_menu(actions, "q", view), "ctx_add_port")
    assert doc.circuit.nodes["q"].n_inputs == 3
    assert find_action(build_gate_menu(actions, "q", view), "ctx_freeze") is None
    trigger(build_gate_menu(actions, "z", view), "ctx_duplicate")
    assert len(doc.circuit.nodes) == 6
    trigger(build_gate_menu(actions, "f", view), "ctx_delete")
    assert "f" not in doc.circuit.nodes and scene.gate_item("f") is None
    monkeypatch.setattr(context_menus, "ask_text", lambda *args: "total")
    trigger(build_gate_menu(actions, "q", view), "ctx_rename")
    assert "total" in doc.circuit.nodes and scene.gate_item("total") is not None
    trigger(build_gate_menu(actions, "z", view), "ctx_cut")
    assert "z" not in doc.circuit.nodes and doc.undo_stack.undoText() == "Cut 1 gate"
    actions.paste()
    assert "z" in doc.circuit.nodes or "z2" in doc.circuit.nodes


def test_gate_menu_set_value_reads_numbers_as_every_value_field_does(canvas, monkeypatch):
    doc, _scene, view, actions, messages = canvas
    monkeypatch.setattr(context_menus, "ask_text", lambda *args: " −0.5 ")
    trigger(build_gate_menu(actions, "x", view), "ctx_edit_value")
    assert doc.circuit.nodes["x"].value == -0.5 and doc.undo_stack.undoText() == "Set x = -0.50"
    monkeypatch.setattr(context_menus, "ask_text", lambda *args: "nan")
    trigger(build_gate_menu(actions, "x", view), "ctx_edit_value")
    assert messages[-1] == f"x: {refusal('nan')}"
    assert doc.circuit.nodes["x"].value == -0.5 and doc.undo_stack.count() == 1


def test_gate_menu_set_value_left_as_shown_keeps_every_digit(canvas, monkeypatch):
    doc, _scene, view, actions, _messages = canvas
    doc.circuit.set_value("x", -0.8807970779778823)
    shown = []

    def press_ok(_parent, _title, _label, text):  # OK on the text the dialog opened with
        shown.append(text)
        return text
    monkeypatch.setattr(context_menus, "ask_text", press_ok)
    trigger(build_gate_menu(actions, "x", view), "ctx_edit_value")
    assert shown == ["-0.880797078"]
    assert doc.circuit.nodes["x"].value == -0.8807970779778823
    assert doc.undo_stack.count() == 0


def test_removing_a_wired_port_from_the_menu_says_which_wire_goes(canvas):
    doc, _scene, view, actions, messages = canvas
    assert not find_action(build_gate_menu(actions, "q", view), "ctx_remove_port").isEnabled()
    trigger(build_gate_menu(actions, "q", view), "ctx_add_port")
    assert messages == [] and doc.undo_stack.undoText() == "Set inputs of q to 3"
    doc.push(ConnectCommand(doc, "z", "q", 2))
    trigger(build_gate_menu(actions, "q", view), "ctx_remove_port")
    assert doc.circuit.inputs_of("q") == ["x", "y"]
    assert doc.undo_stack.undoText() == "Set inputs of q to 2 (removes 1 wire)"
    assert messages == ["Set inputs of q to 2: removed 1 wire (z → q); Undo puts it back"]


def test_gate_menu_acts_on_the_whole_selection(canvas):
    doc, scene, view, actions, _messages = canvas
    scene.select_nodes(["x", "y"])
    trigger(build_gate_menu(actions, "x", view), "ctx_delete")
    assert sorted(doc.circuit.nodes) == ["f", "q", "z"]
    assert doc.undo_stack.count() == 1


def test_rename_to_a_taken_id_is_refused_with_a_message(canvas, monkeypatch):
    doc, _scene, view, actions, messages = canvas
    monkeypatch.setattr(context_menus, "ask_text", lambda *args: "x")
    trigger(build_gate_menu(actions, "q", view), "ctx_rename")
    assert "q" in doc.circuit.nodes and messages[-1] == "There is already a gate 'x'"
    assert doc.undo_stack.count() == 0


def test_wire_menu_deletes_the_wire(canvas):
    doc, scene, view, actions, _messages = canvas
    trigger(build_wire_menu(actions, "f", 0, view), "ctx_delete_wire")
    assert doc.circuit.source_of("f", 0) is None and scene.wire_item("f", 0) is None


def test_canvas_menu_adds_gates_by_group_and_pastes_here(canvas):
    doc, scene, view, actions, _messages = canvas
    menu = build_canvas_menu(actions, QPointF(600, 300), view)
    for group in engine.GROUP_TITLES:
        assert menu.findChild(type(menu), f"ctx_add_group_{group}") is not None
    trigger(menu, "ctx_add_sigmoid")
    (sigmoid,) = [n for n in doc.circuit.nodes.values() if n.op == "sigmoid"]
    assert sigmoid.pos == (560, 280)  # the 70x50 body centred on (600, 300), snapped
    scene.select_nodes(["q"])
    actions.copy()
    trigger(build_canvas_menu(actions, QPointF(0, 400), view), "ctx_paste")
    (pasted,) = scene.selected_node_ids()
    assert doc.circuit.nodes[pasted].pos == (0, 400)
    trigger(build_canvas_menu(actions, QPointF(0, 0), view), "ctx_select_all")
    assert len(scene.selected_node_ids()) == 7


# ----------------------------------------------------------------------------- the output stays
def build_with_commands(doc) -> None:
    """f = (x + y) * z through undo commands, with no explicit output (f is the only sink)."""
    from gui.model.commands import AddNodeCommand, ConnectCommand
    for op, node_id, value, pos in (("input", "x", -2.0, (0, 0)), ("input", "y", 5.0, (0, 80)),
                                    ("input", "z", -4.0, (0, 160)), ("add", "q", None, (160, 40)),
                                    ("mul", "f", None, (320, 100))):
        doc.push(AddNodeCommand(doc, op, pos, node_id=node_id, value=value))
    for src, dst, port in (("x", "q", 0), ("y", "q", 1), ("q", "f", 0), ("z", "f", 1)):
        doc.push(ConnectCommand(doc, src, dst, port))


@pytest.fixture
def built(qtbot):
    doc = Document()
    scene = CanvasScene(doc)
    build_with_commands(doc)
    doc.flush()
    return doc, scene


def test_building_from_nothing_with_commands_ends_with_f_as_the_output(built):
    """While gates are dropped one by one the output is pinned, and wiring the output into the
    next gate moves it along: the finished circuit's output is f, (x + y) * z = -12."""
    doc, scene = built
    assert doc.circuit.output_id() == "f"
    assert doc.result.value == (-2.0 + 5.0) * -4.0
    assert scene.output_stub().value_text() == "-12.00"


def test_a_dangling_gate_added_to_an_implicit_output_keeps_f_the_output(built):
    from gui.model.commands import AddNodeCommand
    doc, scene = built
    circuit = doc.circuit
    circuit.set_output(None)  # f is the output only because it is the one node feeding nothing
    doc.undo_stack.clear()
    doc.push(AddNodeCommand(doc, "add", (160, 240), node_id="q2"))
    doc.flush()
    assert circuit.explicit_output == "f" and doc.undo_stack.count() == 1
    assert doc.result.output == "f" and doc.result.value == -12.0
    assert doc.result.has_gradients
    assert [doc.result.grads[i] for i in "xyz"] == [-4.0, -4.0, 3.0]  # the seeds' gradients
    assert scene.wire_item("f", 1).grad_text() == "3.00"
    assert scene.gate_item("f").is_output and not scene.gate_item("q2").is_output
    doc.undo_stack.undo()  # the gate goes, and so does the pin
    assert circuit.explicit_output is None and "q2" not in circuit.nodes
    assert circuit.output_id() == "f"
    doc.undo_stack.redo()
    assert circuit.explicit_output == "f" and "q2" in circuit.nodes


def test_paste_and_deleting_a_wire_keep_an_implicit_output(canvas):
    doc, scene, _view, actions, _messages = canvas
    circuit = doc.circuit
    assert circuit.explicit_output is None
    scene.select_nodes(["x", "y", "q"])
    actions.copy()
    pasted = actions.paste()
    doc.flush()
    assert circuit.explicit_output == "f" and doc.result.value == -12.0
    assert doc.result.grads["z"] == 3.0 and doc.result.grads[pasted[0]] == 0.0
    doc.undo_stack.undo()
    assert circuit.explicit_output is None
    scene.select_nodes([])
    scene.wire_item("f", 1).setSelected(True)  # z -> f: z would feed nothing
    actions.delete_selection()
    assert circuit.explicit_output == "f" and circuit.output_id() == "f"
    doc.undo_stack.undo()
    assert circuit.explicit_output is None and circuit.source_of("f", 1) == "z"


def test_wiring_the_output_into_a_free_gate_moves_f_there_and_undo_moves_it_back(built):
    from gui.model.commands import AddNodeCommand, ConnectCommand
    doc, scene = built
    circuit = doc.circuit
    doc.push(AddNodeCommand(doc, "scale", (480, 100), node_id="g", params={"c": 2.0}))
    doc.push(ConnectCommand(doc, "f", "g", 0))
    doc.flush()
    assert circuit.output_id() == "g" and doc.result.value == -24.0  # 2 * (x + y) * z
    doc.undo_stack.undo()
    assert circuit.output_id() == "f" and circuit.source_of("g", 0) is None


# ----------------------------------------------------------------------------- where copies land
def move_mouse(view, scene_point) -> None:
    """A real mouse move (no button) over the canvas."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication
    local = QPointF(view.mapFromScene(scene_point))
    event = QMouseEvent(QEvent.MouseMove, local,
                        QPointF(view.viewport().mapToGlobal(local.toPoint())),
                        Qt.NoButton, Qt.NoButton, Qt.NoModifier)
    QApplication.sendEvent(view.viewport(), event)


def test_ctrl_v_pastes_at_the_mouse_when_it_is_over_the_canvas(canvas, qtbot):
    doc, scene, view, actions, _messages = canvas
    install_edit_keys(actions, view)
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    scene.select_nodes(["y", "q"])
    qtbot.keyClick(view.viewport(), Qt.Key_C, Qt.ControlModifier)
    move_mouse(view, QPointF(401, 299))
    qtbot.keyClick(view.viewport(), Qt.Key_V, Qt.ControlModifier)
    pasted = scene.selected_node_ids()
    # the fragment's top-left corner (0, 40) goes to the snapped mouse point (400, 300)
    assert sorted(doc.circuit.nodes[i].pos for i in pasted) == [(400, 340), (560, 300)]
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Leave))  # the mouse went to a menu
    assert view.mouse_over_canvas() is None
    scene.select_nodes(["y", "q"])
    beside = actions.paste()
    assert_beside_without_overlap(scene, doc.circuit, ["y", "q"], beside)


def test_duplicate_lands_beside_even_in_a_crowded_row(canvas):
    """Gates right of the original and below it push the copy further out, never on top."""
    doc, scene, view, actions, _messages = canvas
    from gui.model.commands import AddNodeCommand
    doc.push(AddNodeCommand(doc, "neg", (480, 100), node_id="n1"))
    doc.push(AddNodeCommand(doc, "neg", (320, 200), node_id="n2"))
    move_mouse(view, QPointF(10, 10))  # duplicate never follows the mouse
    (copy,) = actions.duplicate(["f"])
    assert_beside_without_overlap(scene, doc.circuit, ["f"], [copy])
