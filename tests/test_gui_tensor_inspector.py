"""The tensor inspector (gui/common/tensor_inspector.py): a node's value and gradient side by side.

Numbers are the lecture's ||W x||^2 (FORMAT.md 5): W = [[0.1, 0.5], [-0.3, 0.8]] and
df/dW = [[0.088, 0.176], [0.104, 0.208]]. The toggle is clicked with the mouse and the heatmap
hovered as a user does.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402

import engine  # noqa: E402
from gui.common.matrix_editor import MatrixEditor  # noqa: E402

from gui.common.tensor_inspector import (NO_GRADIENT, TensorInspector,  # noqa: E402
                                         TensorInspectorDialog)
from tests.gui_helpers import show_at  # noqa: E402
from tests.test_gui_matrix_table import type_in_cell  # noqa: E402
from tests.test_tensors import WX_SQUARED  # noqa: E402

W = np.array([[0.1, 0.5], [-0.3, 0.8]])
DW = np.array([[0.088, 0.176], [0.104, 0.208]])


@pytest.fixture
def inspector(qtbot):
    widget = TensorInspector()
    qtbot.addWidget(widget)
    show_at(widget, qtbot, (640, 320))
    return widget


def texts(table):
    model = table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_a_small_matrix_shows_as_numbers_titled_with_its_name_and_shape(inspector):
    inspector.show_tensors("W", W, DW)
    assert inspector.title.text() == "W  2×2"
    assert not inspector.showing_heatmaps()
    assert inspector.value_stack.currentWidget() is inspector.value_table
    assert inspector.grad_stack.currentWidget() is inspector.grad_table
    assert inspector.value_table.isVisible() and inspector.grad_table.isVisible()
    assert texts(inspector.value_table) == [["0.10", "0.50"], ["-0.30", "0.80"]]
    assert texts(inspector.grad_table) == [["0.088", "0.176"], ["0.104", "0.208"]]
    assert inspector.grad_table.model().index(0, 0).data(Qt.ToolTipRole) == "df/dW[0, 0] = 0.088"
    assert inspector.grad_caption.text() == "gradient df/dW"


def test_the_toggle_shows_both_as_heatmaps_and_a_cell_reads_on_hover(qtbot, inspector):
    inspector.show_tensors("W", W, DW)
    qtbot.mouseClick(inspector.heatmap_button, Qt.LeftButton)
    assert inspector.showing_heatmaps()
    assert inspector.grad_heatmap.isVisible() and not inspector.grad_table.isVisible()
    image = inspector.grad_heatmap.image()
    assert (image.width(), image.height()) == (2, 2)
    canvas = inspector.grad_heatmap.canvas
    rect = canvas.image_rect()
    qtbot.mouseMove(canvas, QPoint(round(rect.left() + rect.width() * 0.75),
                                   round(rect.top() + rect.height() * 0.25)))
    assert inspector.grad_heatmap.readout.text() == "df/dW[0, 1] = 0.176"
    assert inspector.grad_heatmap.range_label.text() == "0.088 … 0.208"
    qtbot.mouseClick(inspector.numbers_button, Qt.LeftButton)
    assert inspector.value_table.isVisible() and not inspector.value_heatmap.isVisible()


def test_showing_the_same_node_again_updates_in_place_and_keeps_the_choice(qtbot, inspector):
    inspector.show_tensors("W", W, DW)
    qtbot.mouseClick(inspector.heatmap_button, Qt.LeftButton)
    inspector.show_tensors("W", W - DW, DW * 0)  # after a step of gradient descent
    assert inspector.showing_heatmaps()
    assert inspector.value_heatmap.range_label.text() == "-0.404 … 0.592"
    assert inspector.grad_heatmap.range_label.text() == "0.00"
    qtbot.mouseClick(inspector.numbers_button, Qt.LeftButton)
    assert texts(inspector.value_table) == [["0.012", "0.324"], ["-0.404", "0.592"]]


def test_a_big_tensor_shows_as_heatmaps_and_a_small_one_as_numbers_again(inspector):
    rng = np.random.default_rng(3)
    inspector.show_tensors("W1", rng.normal(size=(100, 2)), rng.normal(size=(100, 2)))
    assert inspector.title.text() == "W1  100×2"
    assert inspector.showing_heatmaps() and inspector.value_heatmap.isVisible()
    assert inspector.value_heatmap.image().height() == 100
    inspector.show_tensors("x", np.array([0.2, 0.4]), np.array([-0.112, 0.636]))
    assert inspector.title.text() == "x  2"
    assert not inspector.showing_heatmaps()
    assert texts(inspector.grad_table) == [["-0.112", "0.636"]]


def test_no_gradient_says_so_and_nan_inf_show_as_text(inspector):
    inspector.show_tensors("q", np.array([0.22, 0.26]), None)
    assert inspector.grad_stack.currentWidget() is inspector.grad_missing
    assert inspector.grad_missing.isVisible() and inspector.grad_missing.text() == NO_GRADIENT
    inspector.show_tensors("q", np.array([np.nan, np.inf]), np.array([-np.inf, 1.0]))
    assert inspector.grad_table.isVisible()
    assert texts(inspector.value_table) == [["nan", "inf"]]
    assert texts(inspector.grad_table) == [["-inf", "1.00"]]
    inspector.show_heatmaps(True)
    assert "1 -inf" in inspector.grad_heatmap.range_label.text()


def test_a_number_is_titled_by_its_name_alone(inspector):
    inspector.show_tensors("f", 0.116, 1.0)
    assert inspector.title.text() == "f"
    assert texts(inspector.value_table) == [["0.116"]]


def test_the_dialog_shows_the_same_in_its_own_window(qtbot):
    dialog = TensorInspectorDialog()
    qtbot.addWidget(dialog)
    dialog.show_tensors("W", W, DW)
    assert dialog.windowTitle() == "Inspect W  2×2"
    assert texts(dialog.inspector.value_table)[1] == ["-0.30", "0.80"]


def test_an_edit_in_the_matrix_editor_runs_and_the_inspector_shows_the_new_gradient(
        qtbot, inspector):
    """The lecture's ||W x||^2 run by the engine: W[0, 0] typed as 1 makes q = W x =
    [1 * 0.2 + 0.5 * 0.4, -0.3 * 0.2 + 0.8 * 0.4] = [0.4, 0.26] and df/dW = 2 q xᵀ =
    [[0.16, 0.32], [0.104, 0.208]] (worked out here by hand)."""
    circuit = engine.loads(WX_SQUARED)
    result = engine.run(circuit)
    inspector.show_tensors("W", circuit.nodes["W"].value, result.grads["W"])
    assert texts(inspector.grad_table) == [["0.088", "0.176"], ["0.104", "0.208"]]
    editor = MatrixEditor(circuit.nodes["W"].value, "W")
    qtbot.addWidget(editor)
    show_at(editor, qtbot, (360, 220))

    def commit(value):  # what the window's undo command will do, and the redraw after it
        circuit.set_value("W", value)
        rerun = engine.run(circuit)
        inspector.show_tensors("W", circuit.nodes["W"].value, rerun.grads["W"])

    editor.value_committed.connect(commit)
    type_in_cell(qtbot, editor.table, 0, 0, "1")
    np.testing.assert_allclose(engine.run(circuit).values["q"], [0.4, 0.26])
    assert texts(inspector.value_table) == [["1.00", "0.50"], ["-0.30", "0.80"]]
    assert texts(inspector.grad_table) == [["0.16", "0.32"], ["0.104", "0.208"]]
    tooltip = inspector.grad_table.model().index(0, 1).data(Qt.ToolTipRole)
    assert tooltip.startswith("df/dW[0, 1] = ")
    assert float(tooltip.split(" = ")[1]) == pytest.approx(0.32)  # every digit on hover
