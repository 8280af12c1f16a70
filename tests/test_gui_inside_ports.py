"""A compound gate's port inputs, seen inside a gate opened from a use: the use's numbers.

The lecture's sigmoid gate ``sig`` (its port input ``a`` stores 0.0) used by ``s`` on z = 1.
Opened from ``s``, the Inputs dock shows a = 1.00 with s's local gradient 0.73 × (1 − 0.73) =
0.20 and the gradient check runs at a = 1 (f = 0.73), not at the stored 0 (f = 0.50, slope
0.25); a's value cannot be edited there (it comes from the use), and trainable/data, which mean
nothing inside a gate, are not offered. Undoing Make Gate from inside says where we are now.
"""

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from gui.canvas.make_gate_dialog import MakeGateDialog
from gui.docks.gradcheck_panel import ANALYTIC, ELEMENT, INPUT, NUMERICAL, STATUS
from gui.docks.inputs_panel import GRAD, VALUE
from tests.gui_helpers import click_gate, settle
from tests.test_gui_make_gate import make_sig, press
from tests.test_gui_make_gate import window as made_window  # noqa: F401 (a fixture)
from tests.test_gui_open_gate import double_click, gate_point, window, window_on  # noqa: F401
from tests.test_gui_view import wheel

SIG_1 = 1 / (1 + math.exp(-1.0))
NOTE = "the value of port 0 of sig comes from the use it was opened from (s)"


def test_the_inputs_dock_and_the_check_use_the_uses_port_value(qtbot, window):
    document = window.document
    double_click(qtbot, window, "s")
    panel = window.inputs_panel
    assert panel.cell_text("a", VALUE) == "1.00"  # the use's z, not the stored 0.00
    assert panel.cell_text("a", GRAD) == f"{SIG_1 * (1 - SIG_1):.2f}" == "0.20"
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier)  # Check Gradients
    report = window.gradcheck_panel.report
    assert report.value == pytest.approx(SIG_1, rel=1e-12)
    (entry,) = report.entries
    assert entry.numerical == pytest.approx(SIG_1 * (1 - SIG_1), rel=1e-6)
    text = window.gradcheck_panel.status.text()
    assert text.startswith("✓ The gradient matches the slope measured by nudging the input")
    assert "(r = 0.73)" in text and "use s this gate was opened from" in text
    assert document.file_circuit.definitions["sig"].circuit.nodes["a"].value == 0.0
    # opened from no use (the palette), the inside's own values, editable as before
    qtbot.keyClick(window.view.viewport(), Qt.Key_Escape)
    assert document.open_definition("sig") == ""
    document.flush()
    settle()
    assert panel.cell_text("a", VALUE) == "0.00" and panel.cell_text("a", GRAD) == "0.25"
    assert panel.table.item(panel.row_of("a"), VALUE).flags() & Qt.ItemIsEditable
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier)
    assert window.gradcheck_panel.report.value == pytest.approx(0.5)
    assert "opened from" not in window.gradcheck_panel.status.text()


def test_a_port_inputs_value_cannot_be_edited_inside_a_use(qtbot, window):
    document = window.document
    double_click(qtbot, window, "s")
    panel = window.inputs_panel
    cell = panel.table.item(panel.row_of("a"), VALUE)
    assert not cell.flags() & Qt.ItemIsEditable and NOTE in cell.toolTip()
    rect = panel.table.visualItemRect(cell)
    qtbot.mouseDClick(panel.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert panel.table.state() != panel.table.State.EditingState
    click_gate(qtbot, window, "a")
    properties = window.property_panel
    value = properties.findChild(QLineEdit, "property_value")
    assert not value.isEnabled() and value.text() == "1" and NOTE in value.toolTip()
    assert properties.trainable_check.isHidden() and properties.feature_row.isHidden()
    double_click(qtbot, window, "a")  # the canvas's value editor is refused
    assert window.scene.value_editor() is None
    assert window.statusBar().currentMessage() == f"a cannot be edited here: {NOTE}"
    wheel(window.view, gate_point(window, "a"), 2, Qt.ControlModifier)  # a scrub: refused
    assert window.statusBar().currentMessage() == f"a cannot be scrubbed here: {NOTE}"
    assert document.undo_stack.count() == 0 and not document.is_dirty
    # inside, even opened from no use, a port input is neither trainable nor bound to data
    qtbot.keyClick(window.view.viewport(), Qt.Key_Escape)
    qtbot.keyClick(window.view.viewport(), Qt.Key_Escape)
    assert document.open_definition("sig") == ""
    settle()
    click_gate(qtbot, window, "a")
    assert value.isEnabled() and value.text() == "0"
    assert properties.trainable_check.isHidden() and properties.feature_row.isHidden()
    click_gate(qtbot, window, "n")
    qtbot.keyClick(window.view.viewport(), Qt.Key_Escape)
    qtbot.keyClick(window.view.viewport(), Qt.Key_Escape)
    assert not document.levels
    click_gate(qtbot, window, "w0")  # at the top level an input is trainable as ever
    assert not properties.trainable_check.isHidden()


def test_undoing_make_gate_from_inside_says_we_are_back_at_the_top(qtbot, made_window):
    window = made_window
    document = window.document
    make_sig(qtbot, window)
    (box,) = [n.id for n in document.circuit.nodes.values() if n.op == "sig"]
    double_click(qtbot, window, box)
    assert [level.name for level in document.levels] == ["sig"]
    assert window.statusBar().currentMessage().startswith("Editing the inside of sig")
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier)  # undo Make gate sig
    assert not document.levels and "sig" not in document.file_circuit.definitions
    assert window.statusBar().currentMessage() == (
        "Back at the top level: sig is gone (Undo Make gate sig)")
    press(qtbot, window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # redo
    double_click(qtbot, window, box)
    assert document.levels
    qtbot.mouseClick(window.breadcrumb_bar.back_button, Qt.LeftButton)
    assert window.statusBar().currentMessage() == "Back at the top level"


MUL = {"ports": ["a", "b"],
       "nodes": [{"id": "a", "op": "input", "value": 0.0, "pos": [0, 0]},
                 {"id": "b", "op": "input", "value": 0.0, "pos": [0, 80]},
                 {"id": "m", "op": "mul", "pos": [160, 40]}],
       "wires": [{"from": "a", "to": "m", "port": 0}, {"from": "b", "to": "m", "port": 1}],
       "output": "m"}
TIMES = {"format": "circuitgrad", "version": 2, "title": "times", "gates": {"times": MUL},
         "nodes": [{"id": "x", "op": "input", "value": 3.0, "pos": [0, 0]},
                   {"id": "y", "op": "input", "value": -2.0, "pos": [0, 100]},
                   {"id": "t", "op": "times", "pos": [200, 50]}],
         "wires": [{"from": "x", "to": "t", "port": 0}, {"from": "y", "to": "t", "port": 1}],
         "output": "t"}


def test_the_gradient_check_shows_a_row_per_port_of_an_own_gate(qtbot, tmp_path):
    window = window_on(qtbot, tmp_path, TIMES)
    press(qtbot, window, Qt.Key_G, Qt.ControlModifier)
    rows = window.gradcheck_panel.gate_rows()
    assert [[row.text(c) for c in (INPUT, ELEMENT, ANALYTIC, NUMERICAL, STATUS)]
            for row in rows] == [["t", "port a", "-2.00", "-2.00", "✓ ok"],  # d(xy)/dx = y
                                 ["t", "port b", "3.00", "3.00", "✓ ok"]]  # d(xy)/dy = x


def test_the_make_gate_dialog_reads_well_with_the_default_name_and_says_why_2x_is_no_name(
        qtbot, made_window):
    dialog = MakeGateDialog(made_window.document.circuit, ["plus_1", "f"], made_window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.name_edit.text() == "gate"
    assert dialog.message.text() == "2 gates become one gate named gate; Undo puts them back."
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "2x")
    assert "letters, digits and underscores that does not start with a digit, not '2x'" \
        in dialog.message.text() and not dialog.ok.isEnabled()
