"""The side panels: the gate palette, the property panel and the inputs panel.

Numbers are the seeds': f = (x + y) * z at x = -2, y = 5, z = -4 is -12, with q = 3 and
df/dx = df/dy = z = -4, df/dz = q = 3 (CS231n lecture 4). Changed values are checked against
arithmetic done here, by hand: x = -3 gives (-3 + 5) * -4 = -8.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QTextDocument  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit  # noqa: E402

import engine  # noqa: E402
from gui.model.document import Document  # noqa: E402
from gui.canvas.gate_glyphs import GATE_MIME, gate_icon, gate_tooltip  # noqa: E402
from gui.docks.inputs_panel import GRAD, KIND, NAME, VALUE, InputsPanel  # noqa: E402
from gui.docks.palette import PaletteWidget  # noqa: E402
from gui.docks.property_panel import PropertyPanel  # noqa: E402
from gui.common.number_entry import refusal  # noqa: E402
from tests.helpers import add_mul_circuit  # noqa: E402
from helpers import build  # noqa: E402

GATE_NAMES = [gate.name for gate in engine.GATE_LIST]


def plain(html: str) -> str:
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def tick(qtbot, checkbox) -> None:
    """Click a check box on its indicator (a wide box ignores clicks right of its text)."""
    qtbot.mouseClick(checkbox, Qt.LeftButton, pos=QPoint(8, checkbox.height() // 2))


def type_into(qtbot, edit: QLineEdit, text: str) -> None:
    """Replace what a line edit holds by typing, then press Enter (as a user does)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


# --------------------------------------------------------------------- palette
@pytest.fixture
def palette(qtbot):
    widget = PaletteWidget()
    qtbot.addWidget(widget)
    widget.resize(200, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_palette_lists_every_gate_of_the_table_in_groups(palette):
    assert palette.objectName() == "palette"
    assert palette.gate_names() == GATE_NAMES
    assert len(palette.gate_names()) == len(engine.GATE_LIST)
    tree = palette.tree
    titles = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    built_in = [group for group in engine.GROUP_TITLES if group != "own"]
    assert titles == [engine.GROUP_TITLES[group] for group in built_in]
    for i, group in enumerate(built_in):
        header = tree.topLevelItem(i)
        children = [header.child(j).text(0) for j in range(header.childCount())]
        shaped = (["vector input", "matrix input", "vector const", "matrix const"]
                  if group == "tensor" else [])  # sources made with a shape come first
        assert children == shaped + [g.name for g in engine.GATE_LIST if g.group == group]


def test_shaped_source_entries_carry_a_gate_spec_and_filter_by_their_words(qtbot, palette):
    entry = palette.shaped_entry("input 2×2")
    assert entry.text(0) == "matrix input"
    assert bytes(palette.tree.mimeData([entry]).data(GATE_MIME)).decode() == "input 2×2"
    assert "2×2 matrix of zeros" in plain(entry.toolTip(0))
    qtbot.keyClicks(palette.filter_edit, "vector")
    assert not palette.shaped_entry("input 2").isHidden()
    assert entry.isHidden() and palette.gate_names(visible_only=True) == []
    with qtbot.waitSignal(palette.gate_activated) as signal:
        qtbot.keyClick(palette.filter_edit, Qt.Key_Return)
    assert signal.args == ["input 2"]


@pytest.mark.parametrize("name", GATE_NAMES)
def test_each_entry_has_icon_and_a_tooltip_with_formula_and_gradient(palette, name):
    gate = engine.GATES[name]
    item = palette.item(name)
    assert item.text(0) == name
    assert not item.icon(0).isNull()
    text = plain(item.toolTip(0))
    assert gate.formula in text
    assert gate.doc in text
    if gate.local_gradient != "-":
        assert gate.local_gradient in text
    if gate.intuition:
        assert gate.intuition in text


def test_tooltips_carry_the_seeds_intuitions():
    assert "distribut" in plain(gate_tooltip("add"))
    assert "rout" in plain(gate_tooltip("max"))
    assert "switch" in plain(gate_tooltip("mul"))


def test_gate_icons_are_cached_and_show_a_drawing():
    icon = gate_icon("sigmoid")
    assert gate_icon("sigmoid") is icon
    image = icon.pixmap(32, 32).toImage()
    opaque = sum(1 for x in range(32) for y in range(32) if image.pixelColor(x, y).alpha() > 0)
    assert opaque > 200  # a body with a symbol, not an empty square


def test_typing_sig_in_the_filter_leaves_sigmoid(qtbot, palette):
    qtbot.keyClicks(palette.filter_edit, "sig")
    assert palette.gate_names(visible_only=True) == ["sigmoid"]
    tree = palette.tree
    hidden = [tree.topLevelItem(i).isHidden() for i in range(tree.topLevelItemCount())]
    assert hidden == [True, True, False, True]  # only the nonlinearities' header stays
    palette.filter_edit.clear()
    assert palette.gate_names(visible_only=True) == GATE_NAMES


def test_enter_in_the_filter_activates_the_match(qtbot, palette):
    qtbot.keyClicks(palette.filter_edit, "rel")
    with qtbot.waitSignal(palette.gate_activated) as signal:
        qtbot.keyClick(palette.filter_edit, Qt.Key_Return)
    assert signal.args == ["relu"]


def test_down_from_the_filter_walks_into_the_list_and_escape_clears(qtbot, palette):
    qtbot.keyClicks(palette.filter_edit, "m")
    qtbot.keyClick(palette.filter_edit, Qt.Key_Down)
    assert palette.tree.hasFocus()
    assert palette.gate_name_current() == palette.gate_names(visible_only=True)[0]
    palette.filter_edit.setFocus()
    qtbot.keyClick(palette.filter_edit, Qt.Key_Escape)
    assert palette.filter_edit.text() == ""
    assert palette.gate_names(visible_only=True) == GATE_NAMES


def test_drag_payload_is_the_gate_name_under_the_gate_mime_type(palette):
    item = palette.item("mul")
    mime = palette.tree.mimeData([item])
    assert mime.hasFormat(GATE_MIME)
    assert bytes(mime.data(GATE_MIME)).decode("utf-8") == "mul"
    assert GATE_MIME in palette.tree.mimeTypes()
    assert palette.tree.mimeData([palette.tree.topLevelItem(0)]) is None  # a header drags nothing


def test_double_click_and_enter_on_an_entry_emit_gate_activated(qtbot, palette):
    tree = palette.tree
    item = palette.item("exp")
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    with qtbot.waitSignal(palette.gate_activated) as signal:
        qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=centre)  # a double click's press
        qtbot.mouseDClick(tree.viewport(), Qt.LeftButton, pos=centre)
    assert signal.args == ["exp"]
    tree.setCurrentItem(palette.item("div"))
    with qtbot.waitSignal(palette.gate_activated) as signal:
        qtbot.keyClick(tree, Qt.Key_Return)
    assert signal.args == ["div"]


# --------------------------------------------------------------------- property panel
@pytest.fixture
def panel(qtbot):
    document = Document(add_mul_circuit())
    widget = PropertyPanel(document)
    qtbot.addWidget(widget)
    widget.resize(260, 480)
    widget.show()
    qtbot.waitExposed(widget)
    return document, widget


def test_nothing_selected_shows_a_hint_and_several_show_their_count(panel):
    document, widget = panel
    assert widget.objectName() == "property_panel"
    assert widget.stack.currentIndex() == 0
    assert widget.empty_title.text() == "No gate selected"
    widget.show_selection(["x", "q"])
    assert widget.empty_title.text() == "2 gates selected"
    widget.show_selection(["q"])
    assert widget.stack.currentIndex() == 1
    assert widget.id_edit.text() == "q"


def test_shows_a_gate_with_its_formula_and_the_seeds_numbers(panel):
    document, widget = panel
    widget.show_node("q")
    assert widget.op_label.text() == "add gate"
    assert engine.GATES["add"].formula in widget.formula_label.text()
    assert float(widget.result_value.text()) == 3.0
    assert float(widget.result_grad.text()) == -4.0
    assert widget.inputs_spin.isVisibleTo(widget) and widget.inputs_spin.value() == 2
    assert not widget.value_edit.isVisibleTo(widget)
    assert not widget.trainable_check.isVisibleTo(widget)
    widget.show_node("x")
    assert float(widget.value_edit.text()) == -2.0
    assert float(widget.result_grad.text()) == -4.0
    assert widget.trainable_check.isVisibleTo(widget)
    assert not widget.inputs_spin.isVisibleTo(widget)
    widget.show_node("f")
    assert widget.output_check.isChecked()
    assert float(widget.result_value.text()) == -12.0
    assert float(widget.result_grad.text()) == 1.0


def test_rename_by_typing_changes_the_id_and_undo_restores(qtbot, panel):
    document, widget = panel
    widget.show_node("q")
    type_into(qtbot, widget.id_edit, "sum")
    circuit = document.circuit
    assert "sum" in circuit.nodes and "q" not in circuit.nodes
    assert circuit.source_of("f", 0) == "sum"
    assert widget.node_id == "sum" and widget.id_edit.text() == "sum"
    document.undo_stack.undo()
    assert "q" in circuit.nodes and "sum" not in circuit.nodes
    assert widget.id_edit.text() == "q"


def test_a_duplicate_or_bad_id_is_refused_with_a_message(qtbot, panel):
    document, widget = panel
    widget.show_node("q")
    type_into(qtbot, widget.id_edit, "y")
    assert "already" in widget.error_label.text()
    assert widget.error_label.isVisibleTo(widget)
    assert set(document.circuit.nodes) == {"x", "y", "z", "q", "f"}
    assert document.undo_stack.count() == 0
    type_into(qtbot, widget.id_edit, "2 words")
    assert widget.error_label.text().startswith("id:")
    assert "q" in document.circuit.nodes and document.undo_stack.count() == 0
    type_into(qtbot, widget.id_edit, "q")  # back to its own id: no edit, no message
    assert not widget.error_label.isVisibleTo(widget)


def test_escape_in_a_field_puts_the_current_id_back_and_clears_the_error(qtbot, panel):
    document, widget = panel
    widget.show_node("q")
    type_into(qtbot, widget.id_edit, "y")  # taken: refused
    assert widget.error_label.isVisibleTo(widget) and widget.id_edit.text() == "y"
    qtbot.keyClick(widget.id_edit, Qt.Key_Escape)
    assert widget.id_edit.text() == "q"
    assert not widget.error_label.isVisibleTo(widget) and widget.error_label.text() == ""
    widget.id_edit.clearFocus()  # leaving the field now commits nothing
    assert set(document.circuit.nodes) == {"x", "y", "z", "q", "f"}
    assert document.undo_stack.count() == 0
    widget.show_node("x")
    type_into(qtbot, widget.value_edit, "lots")
    assert widget.error_label.text().startswith("value:")
    qtbot.keyClick(widget.value_edit, Qt.Key_Escape)
    assert float(widget.value_edit.text()) == -2.0 and widget.error_label.text() == ""


def test_value_edit_changes_the_value_and_everything_downstream(qtbot, panel):
    document, widget = panel
    widget.show_node("x")
    type_into(qtbot, widget.value_edit, "-3")
    document.flush()
    assert document.circuit.nodes["x"].value == -3.0
    assert document.result.values["q"] == -3.0 + 5.0
    assert document.result.value == (-3.0 + 5.0) * -4.0
    assert float(widget.result_value.text()) == -3.0
    type_into(qtbot, widget.value_edit, "lots")
    assert widget.error_label.text() == f"value: {refusal('lots')}"
    assert widget.value_edit.text() == "-3"  # the number the gate keeps, shown again
    assert document.circuit.nodes["x"].value == -3.0
    assert document.undo_stack.count() == 1


def test_an_invalid_value_then_tab_shows_the_kept_value_and_why(qtbot, panel):
    """Clearing the value and pressing Tab used to leave the field empty while x kept -2."""
    document, widget = panel
    widget.show_node("x")
    edit = widget.value_edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key_Delete)
    qtbot.keyClick(edit, Qt.Key_Tab)
    assert not edit.hasFocus()
    assert edit.text() == "-2" and document.circuit.nodes["x"].value == -2.0
    assert widget.error_label.text() == f"value: {refusal('')}"
    assert widget.error_label.isVisibleTo(widget)
    assert document.undo_stack.count() == 0
    type_into(qtbot, edit, "inf")  # a finite number is needed: Enter refuses it the same way
    assert edit.text() == "-2" and widget.error_label.text() == f"value: {refusal('inf')}"


def test_a_refused_param_shows_the_kept_number_and_enter_on_it_changes_nothing(qtbot):
    document, widget, edit = scale_gate_panel(qtbot)
    type_into(qtbot, edit, "two")
    assert edit.text() == "-1" and widget.error_label.text() == f"c: {refusal('two')}"
    document.circuit.set_param("s", "c", 0.123456789012345)  # more digits than shown
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key_Return)  # nothing typed: the number is not rounded to 10 digits
    assert document.circuit.nodes["s"].params["c"] == 0.123456789012345


def test_a_value_typed_then_typed_back_to_what_is_shown_changes_nothing(panel, qtbot):
    document, widget = panel
    document.circuit.set_value("x", -0.8807970779778823)
    widget.show_node("x")
    edit = widget.value_edit
    assert edit.text() == "-0.880797078"
    edit.setFocus()
    edit.end(False)
    qtbot.keyClick(edit, Qt.Key_5)  # typed, then taken back: the text is what was shown
    qtbot.keyClick(edit, Qt.Key_Backspace)
    assert edit.isModified() and edit.text() == "-0.880797078"
    qtbot.keyClick(edit, Qt.Key_Return)
    assert document.circuit.nodes["x"].value == -0.8807970779778823
    assert document.undo_stack.count() == 0


def test_lowering_an_add_gate_from_four_inputs_to_two_says_which_wires_go(qtbot):
    document = Document(build({"a": ("input", 1.0), "b": ("input", 2.0), "c": ("input", 3.0),
                               "d": ("input", 4.0), "q": "add"}, {"q": ["a", "b", "c", "d"]}))
    widget = PropertyPanel(document)
    qtbot.addWidget(widget)
    widget.show()
    widget.show_node("q")
    messages = []
    widget.status_message.connect(messages.append)
    spin = widget.inputs_spin
    assert spin.value() == 4
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2")
    qtbot.keyClick(spin, Qt.Key_Return)
    document.flush()
    assert document.circuit.inputs_of("q") == ["a", "b"] and document.result.value == 3.0
    assert document.undo_stack.undoText() == "Set inputs of q to 2 (removes 2 wires)"
    assert messages == ["Set inputs of q to 2: removed 2 wires (c → q, d → q); "
                        "Undo puts them back"]
    document.undo_stack.undo()
    document.flush()
    assert document.circuit.inputs_of("q") == ["a", "b", "c", "d"]
    assert document.result.value == 10.0
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "5")  # more ports drop nothing and say nothing more
    qtbot.keyClick(spin, Qt.Key_Return)
    assert document.undo_stack.undoText() == "Set inputs of q to 5" and len(messages) == 1


def scale_gate_panel(qtbot):
    """The panel showing s = c * a at a = 3: the document, the panel and c's field."""
    document = Document(build({"a": ("input", 3.0), "s": "scale"}, {"s": ["a"]}))
    widget = PropertyPanel(document)
    qtbot.addWidget(widget)
    widget.show()
    widget.show_node("s")
    return document, widget, widget.findChild(QLineEdit, "property_param_c")


def test_param_edit_on_a_scale_gate(qtbot):
    document, widget, edit = scale_gate_panel(qtbot)
    assert edit is not None and float(edit.text()) == -1.0  # the lecture's *-1 gate by default
    type_into(qtbot, edit, "2.5")
    document.flush()
    assert document.circuit.nodes["s"].params == {"c": 2.5}
    assert document.result.value == 2.5 * 3.0
    assert document.result.grads["a"] == 2.5
    document.undo_stack.undo()
    assert document.circuit.nodes["s"].params == {"c": -1.0}
    assert float(edit.text()) == -1.0


def test_input_count_three_on_an_add_gate(qtbot, panel):
    document, widget = panel
    widget.show_node("q")
    spin = widget.inputs_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    qtbot.keyClick(spin, Qt.Key_Return)
    assert document.circuit.nodes["q"].n_inputs == 3
    assert ("q", 2) in document.circuit.unconnected_ports()
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert document.circuit.nodes["q"].n_inputs == 2 and spin.value() == 2


def test_feature_binding_and_trainable(qtbot, panel):
    document, widget = panel
    widget.show_node("y")
    combo = widget.feature_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key_Down)  # none -> x (column 0)
    assert document.circuit.nodes["y"].feature == 0
    qtbot.keyClick(combo, Qt.Key_Down)  # -> y (column 1)
    assert document.circuit.nodes["y"].feature == 1
    assert document.circuit.nodes["y"].is_data
    assert not widget.trainable_check.isEnabled()  # data is never trained anyway
    qtbot.keyClick(combo, Qt.Key_Down)  # -> other column
    assert document.circuit.nodes["y"].feature == 2
    assert widget.feature_spin.isVisibleTo(widget)
    document.undo_stack.undo()
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.circuit.nodes["y"].feature is None and combo.currentIndex() == 0
    tick(qtbot, widget.trainable_check)
    assert document.circuit.nodes["y"].trainable is False
    assert not widget.trainable_check.isChecked()


def test_output_checkbox_makes_the_gate_the_output(qtbot, panel):
    document, widget = panel
    widget.show_node("q")
    assert not widget.output_check.isChecked()
    tick(qtbot, widget.output_check)
    document.flush()
    assert document.circuit.explicit_output == "q"
    assert document.result.output == "q" and document.result.value == 3.0
    assert document.result.grads["x"] == 1.0  # add distributes the seed 1 unchanged
    assert float(widget.result_grad.text()) == 1.0
    tick(qtbot, widget.output_check)
    assert document.circuit.explicit_output is None
    document.undo_stack.undo()
    assert document.circuit.explicit_output == "q"


def test_label_and_following_deletes(qtbot, panel):
    document, widget = panel
    widget.show_node("z")
    type_into(qtbot, widget.label_edit, "weight")
    assert document.circuit.nodes["z"].label == "weight"
    document.circuit.remove_node("z")  # e.g. deleted on the canvas
    assert widget.node_id is None and widget.stack.currentIndex() == 0


def test_refreshing_from_the_model_pushes_no_command(panel):
    document, widget = panel
    for node_id in ("x", "q", "f", "y"):
        widget.show_node(node_id)
    document.circuit.set_value("y", 7.0)
    document.circuit.set_feature("y", 1)
    document.flush()
    assert document.undo_stack.count() == 0
    assert float(widget.value_edit.text()) == 7.0


# --------------------------------------------------------------------- inputs panel
@pytest.fixture
def inputs(qtbot):
    document = Document(add_mul_circuit())
    widget = InputsPanel(document)
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    return document, widget


def edit_cell(qtbot, widget, node_id: str, text: str) -> None:
    """Open the value cell's editor with F2, type, press Enter."""
    table = widget.table
    table.setFocus()
    table.setCurrentCell(widget.row_of(node_id), VALUE)
    qtbot.keyClick(table, Qt.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key_Return)
    # the delegate commits and closes its editor through a queued call
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.EditingState)


def test_inputs_panel_lists_the_seeds_inputs_with_values_and_gradients(inputs):
    document, widget = inputs
    assert widget.objectName() == "inputs_panel"
    assert widget.source_ids() == ["x", "y", "z"]
    values = [float(widget.cell_text(i, VALUE)) for i in ("x", "y", "z")]
    grads = [float(widget.cell_text(i, GRAD)) for i in ("x", "y", "z")]
    assert values == [-2.0, 5.0, -4.0]
    assert grads == [-4.0, -4.0, 3.0]
    assert widget.table.item(0, GRAD).foreground().color() == widget.table.item(
        2, GRAD).foreground().color()
    assert widget.table.item(0, GRAD).foreground().color().red() > 150  # red text


def test_editing_a_value_cell_updates_the_output_and_undo_restores(qtbot, inputs):
    document, widget = inputs
    edit_cell(qtbot, widget, "x", "-3")
    document.flush()
    assert document.circuit.nodes["x"].value == -3.0
    assert document.result.value == (-3.0 + 5.0) * -4.0
    assert float(widget.cell_text("x", VALUE)) == -3.0
    assert float(widget.cell_text("z", GRAD)) == -3.0 + 5.0  # df/dz = q
    document.undo_stack.undo()
    document.flush()
    assert document.result.value == -12.0
    assert float(widget.cell_text("x", VALUE)) == -2.0


def test_bad_text_in_a_value_cell_is_refused_with_a_message(qtbot, inputs):
    document, widget = inputs
    edit_cell(qtbot, widget, "y", "five")
    assert widget.message.text() == f"y: {refusal('five')}"  # the words of every value field
    assert widget.message.isVisibleTo(widget)
    assert document.circuit.nodes["y"].value == 5.0
    assert float(widget.cell_text("y", VALUE)) == 5.0
    assert document.undo_stack.count() == 0


def test_markers_and_rows_follow_the_circuit(inputs):
    document, widget = inputs
    circuit = document.circuit
    circuit.set_trainable("x", False)
    circuit.set_feature("y", 1)
    circuit.add_node("const", "one", value=1.0)
    document.flush()
    assert widget.source_ids() == ["x", "y", "z", "one"]
    assert widget.cell_text("x", KIND) == "frozen"
    assert widget.cell_text("y", KIND) == "data y"
    assert widget.cell_text("one", KIND) == "const"
    assert widget.cell_text("z", KIND) == ""
    circuit.rename("z", "w")
    circuit.set_label("w", "weight")
    document.flush()
    assert widget.cell_text("w", NAME) == "weight"
    circuit.remove_node("x")
    document.flush()
    assert widget.source_ids() == ["y", "w", "one"]


def test_selecting_a_row_emits_node_selected(qtbot, inputs):
    document, widget = inputs
    with qtbot.waitSignal(widget.node_selected) as signal:
        qtbot.mouseClick(widget.table.viewport(), Qt.LeftButton,
                         pos=widget.table.visualItemRect(widget.table.item(2, NAME)).center())
    assert signal.args == ["z"]


# --------------------------------------------------------------------- no gradients anywhere
def test_an_output_that_cannot_be_computed_shows_no_gradient_in_any_panel(qtbot):
    """q = x + (nothing) keeps f = q * z from being computed: z still has its value -4, but no
    df/dz exists, so the inputs dock, the property panel and the canvas all show none
    (not a misleading 0)."""
    from gui.canvas.scene import CanvasScene
    circuit = build({"x": ("input", -2.0), "y": ("input", 5.0), "z": ("input", -4.0),
                     "q": "add", "f": "mul"},
                    {"f": ["q", "z"]}, output="f")
    circuit.connect("x", "q", 0)  # q's port 1 stays open, y feeds nothing yet
    document = Document(circuit)
    inputs = InputsPanel(document)
    properties = PropertyPanel(document)
    scene = CanvasScene(document)
    for widget in (inputs, properties):
        qtbot.addWidget(widget)
        widget.show()
    document.flush()
    result = document.result
    assert result.output == "f" and not result.has_gradients
    for node_id in ("x", "y", "z"):
        assert inputs.cell_text(node_id, GRAD) == "—"
        assert "cannot be computed" in inputs.table.item(inputs.row_of(node_id),
                                                          GRAD).toolTip()
    assert float(inputs.cell_text("z", VALUE)) == -4.0
    properties.show_node("z")
    assert properties.result_value.text() == "-4.00"
    assert properties.result_grad.text() == "—"
    assert "cannot be computed" in properties.result_note.text()
    wire = scene.wire_item("f", 1)
    assert wire.value_text() == "-4.00" and wire.grad_text() == ""
    assert "df/dz" not in scene._tooltip_at(scene.gate_item("z").sceneBoundingRect().center())
    circuit.connect("y", "q", 1)  # now f = (x + y) * z runs: the seeds' gradients appear
    document.flush()
    assert [float(inputs.cell_text(i, GRAD)) for i in ("x", "y", "z")] == [-4.0, -4.0, 3.0]
    assert float(properties.result_grad.text()) == 3.0
    assert wire.grad_text() == "3.00"


def test_inputs_show_numbers_as_the_canvas_does_and_every_digit_on_hover(qtbot, inputs):
    document, widget = inputs
    x = -(0.1 + 0.2)  # -0.30000000000000004: 17 significant digits
    document.circuit.set_value("x", x)
    document.circuit.set_value("z", 1.5e30)
    document.flush()
    row = widget.row_of("x")
    assert widget.cell_text("x", VALUE) == "-0.30"  # two decimals, like the wire's number
    assert widget.table.item(row, VALUE).toolTip().startswith("x = -0.30000000000000004\n")
    assert float(widget.table.item(row, VALUE).toolTip()[4:].split()[0]) == x  # reads back
    assert widget.cell_text("z", GRAD) == "4.70"  # df/dz = q = x + 5
    assert widget.table.item(widget.row_of("z"), GRAD).toolTip() == f"df/dz = {x + 5.0!r}"
    assert widget.cell_text("z", VALUE) == "1.5e+30"
    assert widget.cell_text("x", GRAD) == "1.5e+30"  # df/dx = z
    assert widget.table.item(widget.row_of("z"), VALUE).toolTip().startswith("z = 1.5e+30\n")
    table = widget.table
    table.setFocus()
    table.setCurrentCell(row, VALUE)
    qtbot.keyClick(table, Qt.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "-0.3"  # ten digits
    qtbot.keyClick(editor, Qt.Key_Return)  # committed unchanged: nothing rounded, no step
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.EditingState)
    assert document.circuit.nodes["x"].value == x
    assert document.undo_stack.count() == 0


def test_inputs_columns_have_headers_and_room_for_the_numbers(inputs):
    document, widget = inputs
    table = widget.table
    headers = [table.horizontalHeaderItem(c).text() for c in (NAME, VALUE, GRAD, KIND)]
    assert headers == ["name", "value", "gradient", "kind"]
    document.circuit.set_value("x", -12345.678)
    document.flush()
    text = widget.cell_text("x", VALUE)
    assert text == "-12345.68"
    metrics = table.fontMetrics()
    header = table.horizontalHeader()
    assert header.sectionSize(VALUE) > metrics.horizontalAdvance(text)
    assert header.sectionSize(GRAD) > metrics.horizontalAdvance(widget.cell_text("z", GRAD))
    assert header.sectionSize(KIND) >= metrics.horizontalAdvance("kind")


def test_opening_another_document_clears_the_inputs_selection(qtbot, inputs):
    document, widget = inputs
    widget.table.selectRow(widget.row_of("z"))
    assert widget.table.selectionModel().selectedRows()
    emitted = []
    widget.node_selected.connect(emitted.append)
    document.replace_circuit(add_mul_circuit())
    document.flush()
    assert widget.source_ids() == ["x", "y", "z"]
    assert widget.table.selectionModel().selectedRows() == []
    assert widget.table.currentItem() is None
    assert emitted == []  # clearing is not a selection the canvas should follow


def test_a_dragged_entry_is_not_left_highlighted(qtbot, palette, monkeypatch):
    from PySide6.QtGui import QDrag
    dragged = []
    monkeypatch.setattr(QDrag, "exec", lambda drag, *args: dragged.append(
        bytes(drag.mimeData().data(GATE_MIME)).decode()) or Qt.CopyAction)
    tree = palette.tree
    item = palette.item("mul")
    tree.setCurrentItem(item)
    item.setSelected(True)
    tree.startDrag(Qt.CopyAction)
    assert dragged == ["mul"]
    assert tree.selectedItems() == [] and tree.currentItem() is None
