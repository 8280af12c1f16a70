"""One number format in the window: every number shown reads as the canvas writes it (two
decimals: 2.00, -0.20, and 0.00 for a zero of either sign), every digit on hover, ten digits
only in the fields where a number is typed. The CS231n neuron (w0 = 2, x0 = -1, w1 = -3,
x1 = -2, w2 = -3) gives z = 1, f = σ(1) = 0.73 and df/dw0 = x0 σ(1)(1 − σ(1)) = -0.1966."""

import math

import pytest
from PySide6.QtCore import Qt

from tests.gui_helpers import click_gate, make_window
from tests.helpers import EXAMPLES, build

SIGMOID_1 = 1 / (1 + math.exp(-1.0))


@pytest.fixture
def window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.show()
    qtbot.waitExposed(window)
    return window


def hover_number(label) -> float:
    """The number a readout's hover gives in full ("df/dw0 = -0.19661193324148185")."""
    return float(label.toolTip().split(" = ")[1])


def test_properties_last_pass_reads_as_the_canvas_with_every_digit_on_hover(window, qtbot):
    assert window.open_path(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    window.document.flush()
    click_gate(qtbot, window, "w0")
    properties = window.property_panel
    wire = window.scene.wire_item("w0x0", 0)  # w0 -> w0x0 carries w0 and df/dw0
    assert properties.result_value.text() == wire.value_text() == "2.00"
    assert properties.result_grad.text() == wire.grad_text() == "-0.20"
    grad = -1.0 * SIGMOID_1 * (1 - SIGMOID_1)  # x0 σ'(z), worked out here
    assert hover_number(properties.result_grad) == pytest.approx(grad, rel=1e-12)
    assert hover_number(properties.result_grad) == window.document.result.grads["w0"]
    assert properties.result_value.toolTip() == "w0 = 2.0"
    assert properties.value_edit.text() == "2"  # the editor: the precise number to type over

    click_gate(qtbot, window, "w1")
    assert properties.result_value.text() == "-3.00"
    click_gate(qtbot, window, "f")
    assert properties.result_value.text() == window.scene.output_stub().value_text() == "0.73"
    assert hover_number(properties.result_value) == pytest.approx(SIGMOID_1, rel=1e-12)


def test_a_zero_reads_0_00_whatever_its_sign_and_hover_keeps_the_sign(window, qtbot):
    # the lecture's one-gate neuron at w0 = -2000: z = 2003, σ'(z) = 0, df/dw0 = x0 × 0 = -0.0
    assert window.open_path(EXAMPLES / "sigmoid_neuron.circuit")
    window.document.flush()
    click_gate(qtbot, window, "w0")
    edit = window.property_panel.value_edit
    edit.selectAll()
    qtbot.keyClicks(edit, "-2000")
    qtbot.keyClick(edit, Qt.Key_Return)
    window.document.flush()
    grad = window.document.result.grads["w0"]
    assert grad == 0.0 and math.copysign(1.0, grad) == -1.0  # -0.0, as torch gives it
    properties, inputs = window.property_panel, window.inputs_panel
    assert properties.result_grad.text() == "0.00"
    assert properties.result_grad.toolTip() == "df/dw0 = -0.0"
    from gui.docks.inputs_panel import GRAD, VALUE
    assert inputs.cell_text("w0", GRAD) == "0.00"
    assert inputs.table.item(inputs.row_of("w0"), GRAD).toolTip() == "df/dw0 = -0.0"
    assert inputs.cell_text("w0", VALUE) == properties.result_value.text() == "-2000.00"

    # a value of -0.0: mul(0, -1); and a source holding -0.0, edited
    window.document.replace_circuit(build({"x": ("input", 0.0), "y": ("input", -1.0),
                                           "n": ("input", -0.0), "m": "mul", "s": "add"},
                                          {"m": ["x", "y"], "s": ["m", "n"]}))
    window.document.flush()
    click_gate(qtbot, window, "m")
    assert properties.result_value.text() == window.scene.wire_item("s", 0).value_text() == "0.00"
    assert properties.result_value.toolTip() == "m = -0.0"
    click_gate(qtbot, window, "n")
    assert properties.value_edit.text() == "0"  # the editor too shows no sign on a zero
    properties.value_edit.setFocus()
    qtbot.keyClick(properties.value_edit, Qt.Key_Return)  # left as shown: nothing changes
    value = window.document.circuit.nodes["n"].value
    assert window.document.undo_stack.count() == 0 and math.copysign(1.0, value) == -1.0


def test_the_canvas_tooltips_give_every_digit(window):
    assert window.open_path(EXAMPLES / "sigmoid_neuron_primitive.circuit")
    window.document.flush()
    scene = window.scene
    gate = scene.gate_item("w0")
    text = scene._tooltip_at(gate.mapToScene(gate.body_rect().center()))
    grad = window.document.result.grads["w0"]
    assert f"df/dw0 = {grad!r}" in text and "-0.20" not in text
    wire = scene.wire_item("w0x0", 0)
    on_wire = scene._tooltip_at(wire.path().pointAtPercent(0.5))
    assert f"<b>{grad!r}</b>" in on_wire and "w0 → w0x0 port 0" in on_wire
