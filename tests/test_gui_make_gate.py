"""Make Gate… and Expand Gate in the window, driven by real mouse and key events: the
lecture's four sigmoid gates (``*-1``, ``exp``, ``+1``, ``1/x``) rubber-banded and made one
gate ``sig`` with Ctrl+Alt+G, the same 0.73 and gradients, one undo step that Ctrl+Z takes
back exactly; a selection two values leave is refused saying which; the dialog's port order
is the wiring; Expand Gate puts the inside back; the palette, quick add, copy and paste, save
and reopen know the file's own gates.
"""

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from gui.canvas.context_menus import build_canvas_menu, build_gate_menu  # noqa: E402
from gui.canvas.make_gate_dialog import MakeGateDialog  # noqa: E402
from gui.model.commands import ConnectCommand  # noqa: E402
from gui.window_parts import ACTIONS  # noqa: E402
from tests.gui_helpers import (click_gate, drag, make_window, settle, show_at,  # noqa: E402
                               when_modal)
from tests.helpers import EXAMPLES  # noqa: E402
from tests.test_gui_tensor_editing import drop_gate  # noqa: E402

SIGMOID_GATES = ["times_minus_1", "exp", "plus_1", "f"]
INPUTS = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}


def neuron_numbers():
    """The lecture's neuron worked out by hand: f = σ(w0·x0 + w1·x1 + w2) and its gradients."""
    v = INPUTS
    z = v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]
    f = 1.0 / (1.0 + math.exp(-z))
    local = f * (1.0 - f)
    return f, {"w0": v["x0"] * local, "x0": v["w0"] * local, "w1": v["x1"] * local,
               "x1": v["w1"] * local, "w2": local}


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    assert window.open_path(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    show_at(window, qtbot, (1400, 900))
    window.view.fit_all()
    settle()
    return window


def scene_point(window, x, y) -> QPoint:
    return window.view.mapFromScene(QPointF(x, y))


def rubber_band_sigmoid_gates(window):
    """Drag a rectangle on empty canvas round *-1, exp, +1 and 1/x (and nothing else)."""
    drag(window.view, scene_point(window, 690, 150), scene_point(window, 1350, 300))
    assert sorted(window.scene.selected_node_ids()) == sorted(SIGMOID_GATES)


def answer_dialog(qtbot, answer) -> list:
    """Call ``answer(dialog)`` on the Make Gate dialog as soon as it is shown (it is modal);
    returns the list the dialogs seen are put in."""
    return when_modal(MakeGateDialog, answer)


def name_it(qtbot, name):
    """Type ``name`` over the suggested one and press OK with the mouse."""
    def answer(dialog):
        qtbot.keyClicks(dialog.name_edit, name)
        qtbot.mouseClick(dialog.ok, Qt.LeftButton)
    return answer


def press(qtbot, window, key, modifiers):
    """A key on the canvas; the window is made active first (offscreen Qt leaves no window
    active after a modal dialog closes, and a window's shortcuts need it active)."""
    if QApplication.activeWindow() is not window:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window.view.viewport(), key, modifiers)
    window.document.flush()
    settle()


def make_sig(qtbot, window):
    rubber_band_sigmoid_gates(window)
    seen = answer_dialog(qtbot, name_it(qtbot, "sig"))
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier | Qt.AltModifier)
    assert len(seen) == 1


def assert_the_neurons_numbers(document):
    f, grads = neuron_numbers()
    result = document.result
    assert result.value == pytest.approx(f) and round(result.value, 2) == 0.73
    for node_id, grad in grads.items():
        assert result.grads[node_id] == pytest.approx(grad)
    assert {k: round(result.grads[k], 2) for k in grads} == {
        "w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}


def test_ctrl_alt_g_makes_the_four_sigmoid_gates_one_gate_and_ctrl_z_takes_it_back(
        window, qtbot):
    document = window.document
    before = engine.dumps(document.circuit)
    steps = document.undo_stack.count()
    make_sig(qtbot, window)
    circuit = document.circuit
    assert document.undo_stack.count() == steps + 1
    assert "Make gate sig" in window.action_undo.text().replace("&", "")
    assert not any(node_id in circuit.nodes for node_id in SIGMOID_GATES)
    (box,) = [node for node in circuit.nodes.values() if node.op == "sig"]
    assert circuit.inputs_of(box.id) == ["z"] and circuit.output_id() == box.id
    assert window.scene.selected_node_ids() == [box.id]
    assert window.scene.gate_item(box.id).own_kind == "compound"
    assert window.scene.gate_item(box.id).symbol == "sig"
    assert_the_neurons_numbers(document)
    assert "sig" in window.palette.gate_names()
    assert window.palette.item("sig").parent().text(0) == engine.GROUP_TITLES["own"]
    assert window.statusBar().currentMessage().startswith("Made gate sig of 4 gates")
    made = engine.dumps(circuit)

    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert engine.dumps(document.circuit) == before
    assert "sig" not in window.palette.gate_names()
    assert all(window.scene.gate_item(node_id) is not None for node_id in SIGMOID_GATES)
    assert_the_neurons_numbers(document)
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert engine.dumps(document.circuit) == made
    assert "sig" in window.palette.gate_names()
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    press(qtbot, window, Qt.Key_Y, Qt.ControlModifier)
    assert engine.dumps(document.circuit) == made
    assert_the_neurons_numbers(document)


def test_a_selection_two_values_leave_is_refused_naming_them(window, qtbot):
    document = window.document
    before = engine.dumps(document.circuit)
    click_gate(qtbot, window, "w0x0")
    gate = window.scene.gate_item("w1x1")
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton, Qt.ControlModifier,
                     window.view.mapFromScene(gate.mapToScene(gate.body_rect().center())))
    assert sorted(window.scene.selected_node_ids()) == ["w0x0", "w1x1"]
    seen = answer_dialog(qtbot, lambda dialog: dialog.reject())
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier | Qt.AltModifier)
    QApplication.processEvents()
    assert seen == []  # no dialog: the selection itself is refused
    assert window.statusBar().currentMessage().startswith(
        "Cannot make a gate: 2 values leave the selection (w0x0, w1x1)")
    assert engine.dumps(document.circuit) == before


def test_the_dialog_says_why_a_name_cannot_be_taken_before_ok(window, qtbot):
    circuit = window.document.circuit
    engine.gate_making(circuit, ["exp"], "taken").apply(circuit)  # the file has "taken" now
    dialog = MakeGateDialog(circuit, ["plus_1", "f"], window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.name_edit.text() == "gate" and dialog.ok.isEnabled()
    assert dialog.port_rows() == ["taken"]  # the node of gate "taken" feeds plus_1
    for name, why in [("exp", "built-in gate's name"), ("taken", "already has a gate called"),
                      ("two words", "a word of letters"), ("", "a word of letters")]:
        dialog.name_edit.selectAll()
        qtbot.keyClick(dialog.name_edit, Qt.Key_Delete)
        qtbot.keyClicks(dialog.name_edit, name)
        assert why in dialog.message.text(), name
        assert not dialog.ok.isEnabled()
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "ok_name")
    assert dialog.ok.isEnabled() and "become one gate named ok_name" in dialog.message.text()


def test_moving_a_port_down_in_the_dialog_changes_the_wiring(window, qtbot):
    document = window.document
    drag(window.view, scene_point(window, 160, 20), scene_point(window, 450, 270))
    assert sorted(window.scene.selected_node_ids()) == ["dot", "w0x0", "w1x1"]

    def answer(dialog):
        assert dialog.port_rows() == ["w0", "x0", "w1", "x1"]  # top to bottom
        rect = dialog.ports.visualItemRect(dialog.ports.item(0))
        qtbot.mouseClick(dialog.ports.viewport(), Qt.LeftButton, pos=rect.center())
        qtbot.mouseClick(dialog.down, Qt.LeftButton)
        assert dialog.port_rows() == ["x0", "w0", "w1", "x1"]
        name_it(qtbot, "dot2")(dialog)

    seen = answer_dialog(qtbot, answer)
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier | Qt.AltModifier)
    assert len(seen) == 1
    circuit = document.circuit
    (box,) = [node for node in circuit.nodes.values() if node.op == "dot2"]
    assert circuit.inputs_of(box.id) == ["x0", "w0", "w1", "x1"]
    assert circuit.definitions["dot2"].ports == ("x0", "w0", "w1", "x1")
    assert circuit.inputs_of("z") == [box.id, "w2"]
    assert_the_neurons_numbers(document)
    item = window.scene.gate_item(box.id)
    assert [port.name for port in item.input_ports] == ["x0", "w0", "w1", "x1"]


def test_expand_gate_puts_the_four_gates_back_and_the_gate_stays_in_the_palette(
        window, qtbot):
    document = window.document
    make_sig(qtbot, window)
    made = engine.dumps(document.circuit)
    window.scene.clearSelection()
    click_gate(qtbot, window, "sig")
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    circuit = document.circuit
    assert "sig" not in circuit.nodes
    ops = sorted(node.op for node in circuit.nodes.values() if not node.gate.is_source)
    assert ops == sorted(["mul", "mul", "add", "add", "scale", "exp", "offset", "recip"])
    assert sorted(window.scene.selected_node_ids()) == sorted(SIGMOID_GATES)
    assert_the_neurons_numbers(document)
    assert "sig" in circuit.definitions and "sig" in window.palette.gate_names()
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert engine.dumps(document.circuit) == made

    # the gate's right-click menu does the same
    menu = build_gate_menu(window.edit_actions, "sig", window.view)
    menu.findChild(type(menu.actions()[0]), "ctx_expand_gate").trigger()
    document.flush()
    assert "sig" not in document.circuit.nodes and "exp" in document.circuit.nodes


def test_an_unused_own_gate_is_removed_from_the_palette_in_one_undo_step(window, qtbot):
    document = window.document
    make_sig(qtbot, window)
    menu = window.palette.own_gate_menu("sig")
    (remove,) = menu.actions()
    assert not remove.isEnabled() and "used by sig" in remove.text()
    window.scene.clearSelection()
    click_gate(qtbot, window, "sig")
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    expanded = engine.dumps(document.circuit)
    (remove,) = window.palette.own_gate_menu("sig").actions()
    assert remove.isEnabled()
    remove.trigger()
    assert "sig" not in document.circuit.definitions
    assert "sig" not in window.palette.gate_names()
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert engine.dumps(document.circuit) == expanded
    assert "sig" in window.palette.gate_names()


def test_sig_from_the_palette_makes_a_second_use_and_survives_save_and_reopen(
        window, qtbot, tmp_path):
    document = window.document
    make_sig(qtbot, window)
    palette = window.palette
    mime = palette.tree.mimeData([palette.item("sig")])
    drop_gate(window.view, mime, scene_point(window, 700, 420))
    uses = [node.id for node in document.circuit.nodes.values() if node.op == "sig"]
    assert len(uses) == 2
    second = next(node_id for node_id in uses if node_id != "sig")
    assert window.scene.gate_item(second).own_kind == "compound"
    assert document.circuit.unconnected_ports() == [(second, 0)]
    # wire the neuron's z into it too: the same 0.73 comes out
    document.push(ConnectCommand(document, "z", second, 0))
    document.flush()
    assert document.result.values[second] == pytest.approx(neuron_numbers()[0])

    path = tmp_path / "sig.circuit"
    assert window.save_to(path)
    saved = engine.dumps(document.circuit)
    assert window.open_path(EXAMPLES / "add_mul.circuit")
    assert "sig" not in palette.gate_names()
    assert window.open_path(path)
    settle()
    assert engine.dumps(window.document.circuit) == saved
    assert "sig" in palette.gate_names()
    assert window.scene.gate_item(second).own_kind == "compound"
    assert_the_neurons_numbers(window.document)


def test_double_click_in_the_palette_and_quick_add_find_the_files_gate(window, qtbot):
    document = window.document
    make_sig(qtbot, window)
    tree = window.palette.tree
    item = window.palette.item("sig")
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=centre)  # a double click's press
    qtbot.mouseDClick(tree.viewport(), Qt.LeftButton, pos=centre)
    settle()
    assert len([n for n in document.circuit.nodes.values() if n.op == "sig"]) == 2
    assert "sig(z)" in item.toolTip(0)

    popup = window.view.open_quick_add(QPointF(600, 500))
    qtbot.keyClicks(popup.edit, "sig")
    assert popup.current_choice() == ("gate", "sig")  # the file's sig before sigmoid
    assert ("gate", "sigmoid") in [popup.list.item(i).data(Qt.UserRole)
                                   for i in range(popup.list.count())]
    qtbot.keyClick(popup.edit, Qt.Key_Return)
    assert len([n for n in document.circuit.nodes.values() if n.op == "sig"]) == 3

    menu = build_canvas_menu(window.edit_actions, QPointF(600, 600), window.view)
    group = menu.findChild(type(menu), "ctx_add_group_own")
    assert group.isEnabled() and group.title() == engine.GROUP_TITLES["own"]
    group.findChild(type(menu.actions()[0]), "ctx_add_sig").trigger()
    assert len([n for n in document.circuit.nodes.values() if n.op == "sig"]) == 4


def test_copy_paste_of_a_made_gate_within_the_file_and_into_a_new_one(window, qtbot):
    document = window.document
    make_sig(qtbot, window)
    click_gate(qtbot, window, "sig")
    press(qtbot, window, Qt.Key_D, Qt.ControlModifier)
    assert len([n for n in document.circuit.nodes.values() if n.op == "sig"]) == 2
    click_gate(qtbot, window, "sig")
    press(qtbot, window, Qt.Key_C, Qt.ControlModifier)
    definition = engine.circuit_to_dict(document.circuit)["gates"]["sig"]
    press(qtbot, window, Qt.Key_V, Qt.ControlModifier)  # into the same file: nothing to bring
    assert len([n for n in document.circuit.nodes.values() if n.op == "sig"]) == 3
    assert list(document.circuit.definitions) == ["sig"]
    assert engine.circuit_to_dict(document.circuit)["gates"]["sig"] == definition

    window.files.new()
    settle()
    assert window.document.circuit.definitions == {}
    press(qtbot, window, Qt.Key_V, Qt.ControlModifier)
    circuit = window.document.circuit
    (pasted,) = circuit.nodes.values()
    assert pasted.op == "sig" and engine.circuit_to_dict(circuit)["gates"]["sig"] == definition
    assert "sig" in window.palette.gate_names()
    assert window.document.undo_stack.count() == 1
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert circuit.nodes == {} and circuit.definitions == {}
    assert "sig" not in window.palette.gate_names()

    # a file whose own "sig" is another gate: refused, naming it, nothing changes
    other = engine.load(EXAMPLES / "add_mul.circuit")
    engine.gate_making(other, ["f"], "sig").apply(other)
    assert window.files.open_circuit(other)
    before = engine.dumps(window.document.circuit)
    press(qtbot, window, Qt.Key_V, Qt.ControlModifier)
    assert window.statusBar().currentMessage().startswith(
        "Cannot paste: this file has a gate of its own called sig that is not the copied sig")
    assert engine.dumps(window.document.circuit) == before


def test_an_own_gate_that_cannot_run_is_drawn_red_and_dashed_with_why(qtbot, tmp_path):
    text = engine.dumps(engine.load(EXAMPLES / "add_mul.circuit"))
    circuit = engine.loads(text)
    inside = circuit.new_inside("half")
    inside.add_node("input", "a")
    inside.add_node("mul", "m")
    inside.connect("a", "m", 0)  # its second port is left open: the inside cannot run
    inside.set_output("m")
    circuit.define_gate(engine.CompoundDefinition("half", ("a",), inside))
    circuit.add_node("half", "h", pos=(400, 300))
    circuit.connect("f", "h", 0)
    window = make_window(qtbot, tmp_path)
    assert window.files.open_circuit(circuit)
    show_at(window, qtbot, (1400, 900))
    item = window.scene.gate_item("h")
    assert "the inside of half cannot run" in item.gate_problem
    centre = item.mapToScene(item.body_rect().center())
    assert "the inside of half cannot run" in window.scene._tooltip_at(centre)
    assert "half" in window.palette.gate_names()
    assert "cannot run" in window.palette.item("half").toolTip(0)


def test_the_edit_menu_and_the_selections_right_click_menu_make_the_gate(window, qtbot):
    edit_menu = window.menus["menu_edit"].actions()
    assert window.action_make_gate in edit_menu and window.action_expand_gate in edit_menu
    keys = {part.name: [k.toString() for k in part.key_sequences()]
            for part in ACTIONS if part.keys}
    taken = [name for name, sequences in keys.items()
             if {"Ctrl+Alt+G", "Ctrl+Shift+G"} & set(sequences)]
    assert sorted(taken) == ["action_expand_gate", "action_make_gate"]  # no other action's
    rubber_band_sigmoid_gates(window)
    menu = build_gate_menu(window.edit_actions, "exp", window.view)
    make = menu.findChild(type(menu.actions()[0]), "ctx_make_gate")
    assert make.text() == "Make Gate…"
    seen = answer_dialog(qtbot, name_it(qtbot, "sigma"))
    make.trigger()
    window.document.flush()
    assert len(seen) == 1 and window.scene.selected_node_ids() == ["sigma"]
    assert window.document.circuit.node("sigma").op == "sigma"
    assert_the_neurons_numbers(window.document)
