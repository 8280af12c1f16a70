"""The main window: docks, named actions and shortcuts, every example's numbers, the title's
unsaved star, the Edit menu naming what undo will undo, keys on the canvas, the status bar,
the remembered layout and the Help dialog."""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu

import engine
from gui.model.commands import AddNodeCommand, ConnectCommand, SetValueCommand
from tests.gui_helpers import make_window as new_window, settle
from tests.helpers import examples_that_run

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"

CONTRACT_ACTIONS = [
    "action_new", "action_open", "action_save", "action_save_as", "action_export_png",
    "action_export_svg", "action_quit", "action_undo", "action_redo", "action_cut",
    "action_copy", "action_paste", "action_duplicate", "action_delete", "action_select_all",
    "action_zoom_in", "action_zoom_out", "action_fit", "action_shortcuts"]


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Windows with settings in a temp ini file (``settings_name``) and a temp recovery
    folder, answering without modal dialogs."""
    return lambda settings_name="settings.ini": new_window(qtbot, tmp_path, settings_name)


@pytest.fixture
def window(make_window):
    return make_window()


def shown_title(window):
    """The title as the window system shows it ([*] replaced by * or nothing)."""
    return window.windowHandle().title()


def sigmoid(t):
    return 1 / (1 + math.exp(-t))


def source_values(name):
    data = json.loads((EXAMPLES / f"{name}.circuit").read_text(encoding="utf-8"))
    return {n["id"]: n["value"] for n in data["nodes"] if n["op"] in ("input", "const")}


def layered_net(v, layers):
    """W_L·relu(... relu(W1·x + b1) ...) + b_L, written out in numpy."""
    h = np.array(v["x"])
    for k in range(1, layers):
        h = np.maximum(0.0, np.array(v[f"W{k}"]) @ h + np.array(v[f"b{k}"]))
    return float(np.array(v[f"W{layers}"]) @ h + v[f"b{layers}"])


def two_layer(v):
    relu = [max(0.0, v[f"a{i}"] * v["x"] + v[f"b{i}"] * v["y"] + v[f"c{i}"]) for i in (1, 2, 3)]
    return v["a4"] * relu[0] + v["b4"] * relu[1] + v["c4"] * relu[2] + v["d4"]


def numpy_net_loss(v):
    l1 = 1 / (1 + np.exp(-(np.array(v["X"]) @ v["syn0"])))
    l2 = 1 / (1 + np.exp(-(l1 @ v["syn1"])))
    return float(np.sum((np.array(v["y"]) - l2) ** 2))


# what each example computes, written independently of the engine, and the seeds' figures
EXAMPLE_MATH = {
    "multiply": (lambda v: v["x"] * v["y"], -6),
    "add_mul": (lambda v: (v["x"] + v["y"]) * v["z"], -12),
    "custom_gate": (lambda v: 100 - (v["x"] - v["y"]) ** 2, 99),
    "neuron": (lambda v: sigmoid(v["a"] * v["x"] + v["b"] * v["y"] + v["c"]), 0.8808),
    "sigmoid_neuron": (lambda v: sigmoid(v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]),
                       0.73),
    "sigmoid_neuron_primitive": (
        lambda v: sigmoid(v["w0"] * v["x0"] + v["w1"] * v["x1"] + v["w2"]), 0.73),
    "linear_svm": (lambda v: v["a"] * v["x"] + v["b"] * v["y"] + v["c"], None),
    "two_layer_net": (two_layer, None),
    "spiral_2layer_h100": (lambda v: layered_net(v, 2), None),
    "spiral_3layer": (lambda v: layered_net(v, 3), None),
    "wx_squared": (lambda v: float(np.sum((np.array(v["W"]) @ v["x"]) ** 2)), 0.116),
    "numpy_net_11_lines": (numpy_net_loss, None),
    "relu_jacobian": (lambda v: float(np.dot(v["w"], np.maximum(0.0, v["x"]))), None),
}


# ------------------------------------------------------------------ structure
def test_window_has_the_canvas_the_named_docks_and_every_contract_action(window):
    assert window.objectName() == "main_window"
    assert window.centralWidget() is window.view
    assert window.view.objectName() == "canvas_view"
    assert window.scene.objectName() == "canvas_scene"
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    assert docks["palette_dock"].widget().objectName() == "palette"
    assert docks["properties_dock"].widget().objectName() == "property_panel"
    assert docks["inputs_dock"].widget().objectName() == "inputs_panel"
    for name in CONTRACT_ACTIONS:
        assert window.findChild(QAction, name) is not None, name
    assert window.findChild(QMenu, "menu_recent") is window.menu_recent
    assert window.findChild(QMenu, "menu_examples") is window.menu_examples


def test_standard_shortcuts_are_on_the_actions(window):
    def keys(name):
        return [k.toString() for k in window.findChild(QAction, name).shortcuts()]

    assert keys("action_new") == ["Ctrl+N"]
    assert keys("action_open") == ["Ctrl+O"]
    assert keys("action_save") == ["Ctrl+S"]
    assert keys("action_save_as") == ["Ctrl+Shift+S"]
    assert keys("action_undo") == ["Ctrl+Z"]
    assert keys("action_redo") == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert [keys(n) for n in ("action_cut", "action_copy", "action_paste", "action_duplicate",
                              "action_select_all")] == [
        ["Ctrl+X"], ["Ctrl+C"], ["Ctrl+V"], ["Ctrl+D"], ["Ctrl+A"]]
    assert keys("action_delete") == ["Del", "Backspace"]
    assert "Ctrl+=" in keys("action_zoom_in")
    assert keys("action_zoom_out") == ["Ctrl+-"]
    assert keys("action_fit") == ["F"]


def test_examples_menu_lists_every_example_by_its_title(window):
    titles = {json.loads(p.read_text(encoding="utf-8"))["title"]
              for p in EXAMPLES.glob("*.circuit")}
    shown = {a.text() for a in window.menu_examples.actions()}
    assert shown == titles and len(titles) == len(list(EXAMPLES.glob("*.circuit")))


def test_view_menu_toggles_the_docks(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    toggle = window.findChild(QAction, "action_toggle_inputs_dock")
    assert window.inputs_dock.isVisible()
    toggle.trigger()
    assert not window.inputs_dock.isVisible()
    toggle.trigger()
    assert window.inputs_dock.isVisible()


# ------------------------------------------------------------------ the examples' numbers
@pytest.mark.parametrize("name", sorted(EXAMPLE_MATH))
def test_every_example_opens_in_the_window_and_shows_its_numbers(window, name):
    path = EXAMPLES / f"{name}.circuit"
    assert sorted(EXAMPLE_MATH) == sorted(Path(p).stem for p in examples_that_run())
    assert window.open_path(path)
    window.document.flush()
    formula, seed = EXAMPLE_MATH[name]
    expected = formula(source_values(name))
    result = window.document.result
    assert result.problems == []
    assert result.value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    if seed is not None:
        assert round(result.value, len(str(seed).partition(".")[2])) == seed
    label = window.result_label.text()
    assert f"{result.output} = {engine.format_readout(expected)}" == label
    assert window.scene.gate_item(result.output) is not None
    assert len(window.scene.wire_items()) == len(window.document.circuit.wires())


def test_add_mul_shows_f_minus_12_and_sigmoid_neuron_0_73_in_the_status_bar(window):
    window.open_path(EXAMPLES / "add_mul.circuit")
    window.document.flush()
    assert window.document.result.value == -12
    assert "-12.00" in window.result_label.text()
    window.open_path(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    window.document.flush()
    assert "0.73" in window.result_label.text()


# ------------------------------------------------------------------ title and undo
def test_title_names_the_file_and_stars_after_an_edit_until_saved(window, qtbot, tmp_path):
    path = tmp_path / "add_mul.circuit"
    shutil.copy(EXAMPLES / "add_mul.circuit", path)
    window.show()
    qtbot.waitExposed(window)
    window.open_path(path)
    assert shown_title(window) == "add_mul.circuit — circuitgrad"
    assert not window.isWindowModified()
    window.document.push(SetValueCommand(window.document, "x", 3.0))
    assert window.isWindowModified()
    assert shown_title(window) == "add_mul.circuit* — circuitgrad"
    assert window.save_to(path)
    assert shown_title(window) == "add_mul.circuit — circuitgrad"
    assert engine.load(path).node("x").value == 3.0
    window.document.undo_stack.undo()  # back to what is no longer on disk: dirty again
    assert shown_title(window) == "add_mul.circuit* — circuitgrad"


def test_edit_menu_names_what_undo_will_undo(window):
    window.action_new.trigger()
    assert not window.action_undo.isEnabled()
    window.document.push(AddNodeCommand(window.document, "mul", (0, 0)))
    assert window.action_undo.text().replace("&", "") == "Undo Add mul gate"
    window.document.push(AddNodeCommand(window.document, "input", (0, 100), node_id="x",
                                        value=2.0))
    window.document.push(ConnectCommand(window.document, "x", "mul", 0))
    assert window.action_undo.text().replace("&", "") == "Undo Connect x → mul"
    window.action_undo.trigger()
    assert window.document.circuit.wires() == []
    assert window.action_redo.text().replace("&", "") == "Redo Connect x → mul"
    window.action_redo.trigger()
    assert window.document.circuit.source_of("mul", 0) == "x"


def test_keys_on_the_canvas_delete_undo_redo_through_the_window_actions(window, qtbot):
    window.open_path(EXAMPLES / "add_mul.circuit")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.view.setFocus()
    qtbot.waitUntil(lambda: window.view.hasFocus())
    window.scene.select_nodes(["q"])
    viewport = window.view.viewport()
    qtbot.keyClick(viewport, Qt.Key_Delete)
    assert "q" not in window.document.circuit.nodes
    assert window.scene.gate_item("q") is None
    qtbot.keyClick(viewport, Qt.Key_Z, Qt.ControlModifier)
    assert window.document.circuit.inputs_of("q") == ["x", "y"]
    assert window.scene.gate_item("q") is not None
    qtbot.keyClick(viewport, Qt.Key_Y, Qt.ControlModifier)
    assert "q" not in window.document.circuit.nodes
    qtbot.keyClick(viewport, Qt.Key_Z, Qt.ControlModifier)
    qtbot.keyClick(viewport, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert "q" not in window.document.circuit.nodes
    qtbot.keyClick(viewport, Qt.Key_Z, Qt.ControlModifier)
    window.scene.select_nodes(["x", "y"])
    qtbot.keyClick(viewport, Qt.Key_C, Qt.ControlModifier)
    qtbot.keyClick(viewport, Qt.Key_V, Qt.ControlModifier)
    assert len(window.document.circuit.nodes) == 7
    pasted = window.scene.selected_node_ids()
    assert len(pasted) == 2 and not {"x", "y"} & set(pasted)
    qtbot.keyClick(viewport, Qt.Key_A, Qt.ControlModifier)
    assert len(window.scene.selected_node_ids()) == 7


# ------------------------------------------------------------------ status bar
def test_status_bar_lists_the_ports_that_keep_the_circuit_from_running(window):
    window.action_new.trigger()
    doc = window.document
    doc.push(AddNodeCommand(doc, "input", (0, 0), node_id="x", value=1.0))
    doc.push(AddNodeCommand(doc, "add", (160, 0), node_id="q"))
    doc.push(ConnectCommand(doc, "x", "q", 0))
    doc.flush()
    assert "q (add) port 1 is not connected" in window.result_label.text()
    doc.push(AddNodeCommand(doc, "input", (0, 80), node_id="y", value=5.0))
    doc.push(ConnectCommand(doc, "y", "q", 1))
    doc.flush()
    assert window.result_label.text() == "q = 6.00"


def test_a_dangling_open_port_keeps_f_and_adds_a_soft_note(window, qtbot):
    """f = (x + y) * z still runs with a stray add gate q2 beside it: the status bar keeps
    f = -12.00 in green and notes the open ports, softly; only when f itself cannot be
    computed does it warn."""
    window.open_path(EXAMPLES / "add_mul.circuit")
    doc = window.document
    doc.push(AddNodeCommand(doc, "add", (160, 240), node_id="q2"))
    doc.flush()
    assert window.result_label.text() == "f = -12.00"
    assert "#1b5e20" in window.result_label.styleSheet()  # green, not the warning orange
    assert window.result_note.text() == ("2 unconnected ports (q2 port 0, q2 port 1) "
                                         "do not affect f")
    assert window.result_note.isVisibleTo(window)
    doc.push(ConnectCommand(doc, "x", "q2", 0))
    doc.flush()
    assert window.result_note.text() == "1 unconnected port (q2 port 1) does not affect f"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.circuit.disconnect("q", 1)  # now f itself cannot be computed: a real warning
    doc.flush()
    assert window.result_label.text().startswith("⚠") and "q (add) port 1" in (
        window.result_label.text())
    assert "#b45309" in window.result_label.styleSheet()
    assert not window.result_note.isVisibleTo(window)


def test_a_passing_message_is_cleared_when_the_next_gesture_starts(window, qtbot):
    from gui.main_window import STATUS_TIMEOUT_MS
    assert STATUS_TIMEOUT_MS == 4000
    window.open_path(EXAMPLES / "add_mul.circuit")
    window.show()
    qtbot.waitExposed(window)
    window.scene.select_nodes(["q"])
    window.action_delete.trigger()
    assert window.statusBar().currentMessage() == "Deleted 1 gate"
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton,
                     pos=window.view.viewport().rect().topLeft() + QPoint(5, 5))
    assert window.statusBar().currentMessage() == ""


def test_status_bar_shows_the_canvas_and_edit_messages(window, qtbot):
    window.open_path(EXAMPLES / "add_mul.circuit")
    with qtbot.waitSignal(window.edit_actions.status_message) as said:
        window.scene.select_nodes(["x"])
        window.action_copy.trigger()
    assert said.args[0] and window.statusBar().currentMessage() == said.args[0]
    window.scene.status_message.emit("a wire into x would close a cycle")
    assert window.statusBar().currentMessage() == "a wire into x would close a cycle"


def test_lowering_a_gates_inputs_in_properties_names_the_dropped_wire_in_the_status_bar(
        window, qtbot):
    from gui.model.commands import ConnectCommand, SetInputCountCommand
    window.open_path(EXAMPLES / "add_mul.circuit")
    doc = window.document
    doc.push(SetInputCountCommand(doc, "q", 3))
    doc.push(ConnectCommand(doc, "z", "q", 2))
    window.show()
    qtbot.waitExposed(window)
    window.scene.select_nodes(["q"])
    spin = window.property_panel.inputs_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2")
    qtbot.keyClick(spin, Qt.Key_Return)
    assert doc.circuit.inputs_of("q") == ["x", "y"]
    assert window.statusBar().currentMessage() == (
        "Set inputs of q to 2: removed 1 wire (z → q); Undo puts it back")
    assert doc.undo_stack.undoText() == "Set inputs of q to 2 (removes 1 wire)"


def test_palette_activation_adds_that_gate_to_the_canvas(window):
    window.action_new.trigger()
    window.palette.gate_activated.emit("sigmoid")
    [node] = window.document.circuit.nodes.values()
    assert node.op == "sigmoid"
    assert window.scene.gate_item(node.id) is not None


# ------------------------------------------------------------------ remembered layout
def test_window_size_and_dock_layout_are_remembered(make_window, qtbot):
    first = make_window()
    first.show()
    qtbot.waitExposed(first)
    first.resize(760, 560)  # inside the offscreen screen (800 x 800): Qt clamps to it
    first.inputs_dock.hide()
    first.close()
    second = make_window()
    second.show()
    qtbot.waitExposed(second)
    assert (second.width(), second.height()) == (760, 560)
    assert not second.inputs_dock.isVisible()
    assert second.palette_dock.isVisible()


def test_a_fresh_window_is_1400_by_900_or_what_fits_the_screen(window):
    from PySide6.QtCore import QRect

    from gui.main_window import default_size

    class Screen:
        def __init__(self, width, height):
            self.room = QRect(0, 0, width, height)

        def availableGeometry(self):
            return self.room

    assert default_size(Screen(1920, 1080)) == (1400, 900)
    assert default_size(Screen(1366, 768)) == (1326, 708)  # a laptop: the whole window fits
    assert default_size(None) == (1400, 900)
    assert (window.width(), window.height()) == default_size(window.screen())


# ------------------------------------------------------------------ help
def test_help_lists_every_shortcut_from_the_actions(window):
    window.action_shortcuts.trigger()
    table = window.help_dialog.shortcuts_table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    for action in (window.action_redo, window.action_duplicate, window.action_fit):
        keys = ", ".join(k.toString(QKeySequence.NativeText) for k in action.shortcuts())
        assert keys in rows.values()
    assert rows["Redo"] == "Ctrl+Shift+Z, Ctrl+Y"
    assert rows["Save As"] == "Ctrl+Shift+S"
    # the tools' actions too (Run menu), and every action with a key, whichever menu has it
    assert rows["Check Gradients"] == "Ctrl+G"
    from PySide6.QtGui import QAction
    keyed = [a for a in window.findChildren(QAction) if a.shortcuts() and a.parent() is window]
    assert len(keyed) >= 20
    for action in keyed:
        keys = ", ".join(k.toString(QKeySequence.NativeText) for k in action.shortcuts())
        assert keys in rows.values(), action.objectName()
    # and the canvas's own keys (tests/test_gui_canvas_keys.py presses each)
    assert rows["Nudge the selection a grid step (pan if none)"] == "Left, Right, Up, Down"
    window.help_dialog.close()


def test_help_names_undo_and_redo_plainly_even_after_an_edit(window):
    window.open_path(EXAMPLES / "add_mul.circuit")
    doc = window.document
    doc.push(SetValueCommand(doc, "x", 3.0))
    doc.undo_stack.undo()  # both "Undo Set x = 3.00" and "Redo Set x = 3.00" are live now
    doc.undo_stack.redo()
    doc.undo_stack.push(SetValueCommand(doc, "y", 1.0))
    doc.undo_stack.undo()
    assert window.action_undo.text().replace("&", "") == "Undo Set x = 3.00"
    window.action_shortcuts.trigger()
    table = window.help_dialog.shortcuts_table
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert "Undo" in names and "Redo" in names
    assert not any(name.startswith(("Undo ", "Redo ")) for name in names)
    assert "Fit Circuit" in names
    window.help_dialog.close()


def test_the_canvas_menu_and_the_view_menu_call_fitting_the_same(window):
    menu = window.view.menu_at(QPoint(5, 5))  # empty canvas
    fit = menu.findChild(QAction, "ctx_fit")
    assert fit.text().replace("&", "") == window.action_fit.text().replace("&", "") == (
        "Fit Circuit")
    menu.deleteLater()


def test_gate_reference_links_every_gate_to_its_formula(window):
    window.action_gate_reference.trigger()
    browser = window.help_dialog.gate_reference
    text = browser.toHtml()
    plain = browser.toPlainText()
    for gate in engine.GATE_LIST:
        assert f'href="#gate-{gate.name}"' in text
        assert f'name="gate-{gate.name}"' in text
        assert gate.formula in plain and gate.local_gradient in plain
        if gate.intuition:
            assert gate.intuition in plain
    window.show_gate_reference("mul")
    assert window.help_dialog.tabs.currentWidget() is browser
    window.help_dialog.close()


# ------------------------------------------------------------------ panels and drops
def test_the_right_dock_keeps_its_width_whatever_is_selected(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    window.open_path(EXAMPLES / "two_layer_net.circuit")
    settle()  # the classifier column has come in, Properties a tab in it
    window.classifier_column.set_shown(False)  # Properties in a column of its own again
    settle()
    doc = window.document
    doc.circuit.set_label("a1", "the weight from x into the first hidden unit of the net")
    window.resizeDocks([window.properties_dock], [210], Qt.Horizontal)  # a narrow dock
    QApplication.processEvents()
    width = window.properties_dock.width()
    assert width <= 230
    for node_id in ("a1", "h1", "n1", "score", "x"):
        window.scene.select_nodes([node_id])
        QApplication.processEvents()
        assert window.properties_dock.width() == width, node_id
    window.scene.select_nodes([])
    QApplication.processEvents()
    assert window.properties_dock.width() == width


def test_the_property_panel_follows_the_canvas_selection(window):
    window.open_path(EXAMPLES / "add_mul.circuit")
    window.scene.select_nodes(["q"])
    assert window.property_panel.node_id == "q"
    window.scene.select_nodes([])
    assert window.property_panel.node_id is None


def test_choosing_a_row_of_the_inputs_panel_selects_that_gate(window):
    window.open_path(EXAMPLES / "add_mul.circuit")
    window.inputs_panel.node_selected.emit("z")
    assert window.scene.selected_node_ids() == ["z"]
    assert window.property_panel.node_id == "z"


def test_a_circuit_file_dropped_on_the_window_opens(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(EXAMPLES / "multiply.circuit"))])
    drop = QDropEvent(QPoint(5, 5), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    window.dropEvent(drop)
    window.document.flush()
    assert window.document.path == EXAMPLES / "multiply.circuit"
    assert window.document.result.value == -2 * 3


def test_an_output_that_is_a_vector_reads_as_one_in_the_status_bar():
    circuit = engine.Circuit()
    circuit.add_node("input", "W", value=[[1.0, 2.0], [3.0, 4.0]])
    circuit.add_node("input", "x", value=[1.0, 1.0])
    circuit.add_node("matmul", "q")
    circuit.connect("W", "q", 0)
    circuit.connect("x", "q", 1)
    from gui.main_window import result_summary
    assert result_summary(engine.run(circuit)) == (
        "q = [3.00, 7.00] (not one number: the gradients are those of the sum of its elements)")
