"""Tensors as tables (gui/common/matrix_table.py) and the matrix editor (matrix_editor.py).

The matrix is the lecture's W = [[0.1, 0.5], [-0.3, 0.8]] (FORMAT.md 5). Every edit is driven
as a user makes it: a click on the cell, the number typed, Enter or Tab; the fill buttons
clicked; the shape boxes stepped with the arrow keys or typed into. Each user edit must emit
``value_committed`` exactly once, with the whole new value worked out here by hand.
"""

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLineEdit  # noqa: E402

from gui.common.matrix_editor import MatrixEditor, random_value, resized  # noqa: E402
from gui.common.matrix_table import MatrixTable  # noqa: E402
from gui.common.number_entry import refusal  # noqa: E402
from tests.gui_helpers import show_at  # noqa: E402

W = np.array([[0.1, 0.5], [-0.3, 0.8]])


def shown(widget, qtbot, size=(420, 300)):
    qtbot.addWidget(widget)
    show_at(widget, qtbot, size)
    widget.activateWindow()
    return widget


def cell_text(table, row, column, role=Qt.DisplayRole):
    return table.model().index(row, column).data(role)


def click_cell(qtbot, table, row, column):
    centre = table.visualRect(table.model().index(row, column)).center()
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=centre)


def open_editor(table) -> QLineEdit:
    return table.viewport().findChild(QLineEdit)


def type_in_cell(qtbot, table, row, column, text, key=Qt.Key_Return):
    """Click the cell, type ``text`` (the first key opens the cell's editor, as in a
    spreadsheet) and press ``key``."""
    click_cell(qtbot, table, row, column)
    qtbot.keyClicks(table, text[0])
    editor = open_editor(table)
    assert editor is not None and editor.text() == text[0]
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, key)
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.EditingState or
                    open_editor(table) is not editor)


class Committed:
    """The values an editor emitted."""

    def __init__(self, editor):
        self.values = []
        editor.value_committed.connect(self.values.append)


# ------------------------------------------------------------------ the read-only table
def test_a_matrix_reads_as_the_app_writes_numbers_with_every_digit_on_hover(qtbot):
    table = shown(MatrixTable(W, "W"), qtbot)
    assert (table.model().rowCount(), table.model().columnCount()) == (2, 2)
    assert [[cell_text(table, r, c) for c in range(2)] for r in range(2)] == [
        ["0.10", "0.50"], ["-0.30", "0.80"]]
    assert cell_text(table, 1, 0, Qt.ToolTipRole) == "W[1, 0] = -0.3"
    assert table.model().headerData(1, Qt.Vertical) == "1"
    assert table.model().headerData(1, Qt.Horizontal) == "1"


def test_cells_are_tinted_red_above_zero_blue_below_and_white_at_zero(qtbot):
    table = shown(MatrixTable([[0.8, -0.8, 0.0]], "v"), qtbot)
    red, blue, zero = (cell_text(table, 0, c, Qt.BackgroundRole).color() for c in range(3))
    assert red.red() > red.blue() + 60 and blue.blue() > blue.red() + 60
    assert min(zero.red(), zero.green(), zero.blue()) > 230


def test_nan_and_inf_are_shown_as_text_and_tinted_apart(qtbot):
    table = shown(MatrixTable([np.nan, np.inf, -np.inf, 1.0], "g"), qtbot)
    assert [cell_text(table, 0, c) for c in range(4)] == ["nan", "inf", "-inf", "1.00"]
    tints = {cell_text(table, 0, c, Qt.BackgroundRole).color().name() for c in range(4)}
    assert len(tints) == 4
    assert cell_text(table, 0, 0, Qt.ToolTipRole) == "g[0] = nan"


def test_a_vector_is_one_row_without_a_row_number_and_a_number_one_cell(qtbot):
    table = shown(MatrixTable([0.2, 0.4], "x"), qtbot)
    assert (table.model().rowCount(), table.model().columnCount()) == (1, 2)
    assert table.model().headerData(0, Qt.Vertical) == ""
    assert table.value().shape == (2,)
    table.set_value(0.73, "f")
    assert (table.model().rowCount(), table.model().columnCount()) == (1, 1)
    assert cell_text(table, 0, 0, Qt.ToolTipRole) == "f = 0.73"
    assert table.value() == 0.73 and isinstance(table.value(), float)


def test_a_256_square_matrix_is_served_from_the_array(qtbot):
    value = np.arange(256 * 256, dtype=float).reshape(256, 256) / 1000
    table = shown(MatrixTable(value, "A"), qtbot)
    assert (table.model().rowCount(), table.model().columnCount()) == (256, 256)
    assert cell_text(table, 255, 254) == f"{value[255, 254]:.2f}"
    table.scrollToBottom()
    assert table.rowAt(table.viewport().height() - 2) > 200  # rows are drawn as they come


def test_the_read_only_table_cannot_be_typed_into(qtbot):
    table = shown(MatrixTable(W, "W"), qtbot)
    click_cell(qtbot, table, 0, 0)
    qtbot.keyClicks(table, "7")
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton,
                      pos=table.visualRect(table.model().index(0, 0)).center())
    assert open_editor(table) is None
    np.testing.assert_array_equal(table.value(), W)


def test_showing_the_same_shape_again_keeps_the_current_cell(qtbot):
    table = shown(MatrixTable(W, "W"), qtbot)
    click_cell(qtbot, table, 1, 1)
    table.set_value(W * 2)
    assert (table.currentIndex().row(), table.currentIndex().column()) == (1, 1)
    assert cell_text(table, 1, 1) == "1.60"


# ------------------------------------------------------------------ the editor
@pytest.fixture
def editor(qtbot):
    return shown(MatrixEditor(W, "W"), qtbot)


def test_typing_a_number_and_enter_commits_the_whole_matrix_once_and_moves_down(qtbot, editor):
    committed = Committed(editor)
    type_in_cell(qtbot, editor.table, 0, 1, "0.25")
    assert len(committed.values) == 1
    np.testing.assert_array_equal(committed.values[0], [[0.1, 0.25], [-0.3, 0.8]])
    assert committed.values[0].dtype == np.float64
    assert cell_text(editor.table, 0, 1) == "0.25"
    current = editor.table.currentIndex()
    assert (current.row(), current.column()) == (1, 1)


def test_a_caller_that_shows_the_committed_value_back_keeps_the_spreadsheet_going(
        qtbot, editor):
    """The window's round trip: commit -> undo command -> document -> ``set_value`` (with a
    read-only array, as the engine keeps its values), all inside the edit."""
    committed = Committed(editor)

    def document_round_trip(value):
        stored = np.array(value)
        stored.flags.writeable = False
        editor.set_value(stored)

    editor.value_committed.connect(document_round_trip)
    type_in_cell(qtbot, editor.table, 0, 0, "4")
    assert editor.table.currentIndex().row() == 1  # Enter moved down
    type_in_cell(qtbot, editor.table, 1, 0, "5", key=Qt.Key_Tab)
    assert editor.table.currentIndex().column() == 1
    assert len(committed.values) == 2
    np.testing.assert_array_equal(editor.value(), [[4.0, 0.5], [5.0, 0.8]])
    current = editor.table.currentIndex()
    assert (current.row(), current.column()) == (1, 1)


def test_tab_moves_right_and_each_cell_is_its_own_edit(qtbot, editor):
    committed = Committed(editor)
    type_in_cell(qtbot, editor.table, 0, 0, "-2", key=Qt.Key_Tab)
    cell_editor = open_editor(editor.table)  # Tab opened the next cell's editor
    assert editor.table.currentIndex().column() == 1
    cell_editor.selectAll()
    qtbot.keyClicks(cell_editor, "3e-1")
    qtbot.keyClick(cell_editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(committed.values) == 2)
    np.testing.assert_array_equal(committed.values[0], [[-2.0, 0.5], [-0.3, 0.8]])
    np.testing.assert_array_equal(committed.values[1], [[-2.0, 0.3], [-0.3, 0.8]])


def test_enter_without_editing_moves_down_as_in_a_spreadsheet(qtbot, editor):
    click_cell(qtbot, editor.table, 0, 0)
    qtbot.keyClick(editor.table, Qt.Key_Return)
    assert editor.table.currentIndex().row() == 1


def test_a_bad_entry_is_refused_naming_the_cell_and_the_text_and_the_old_value_stays(
        qtbot, editor):
    committed = Committed(editor)
    messages = []
    editor.refused.connect(messages.append)
    type_in_cell(qtbot, editor.table, 0, 1, "abc")
    assert committed.values == []
    assert messages == [f"W[0, 1]: {refusal('abc')}"]
    assert editor.message.isVisible() and editor.message.text() == messages[0]
    assert cell_text(editor.table, 0, 1) == "0.50"
    np.testing.assert_array_equal(editor.value(), W)
    current = editor.table.currentIndex()
    assert (current.row(), current.column()) == (0, 1)  # the cursor stays on the bad cell
    type_in_cell(qtbot, editor.table, 0, 1, "nan")
    assert committed.values == [] and "'nan' is not a finite number" in editor.message.text()
    type_in_cell(qtbot, editor.table, 0, 1, "1")
    assert len(committed.values) == 1 and not editor.message.isVisible()


def test_an_editor_left_as_it_opened_changes_nothing(qtbot, editor):
    committed = Committed(editor)
    click_cell(qtbot, editor.table, 0, 0)
    qtbot.keyClick(editor.table, Qt.Key_F2)  # opens the editor on the precise number
    cell_editor = open_editor(editor.table)
    assert cell_editor.text() == "0.1"
    qtbot.keyClick(cell_editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: editor.table.state() != QAbstractItemView.EditingState)
    type_in_cell(qtbot, editor.table, 0, 0, "0.10")  # the same number typed again
    assert committed.values == []


def test_a_number_commits_a_float(qtbot):
    editor = shown(MatrixEditor(2.5, "b"), qtbot)
    committed = Committed(editor)
    assert editor.kind_box.currentText() == "number"
    assert not editor.rows_box.isEnabled() and not editor.columns_box.isEnabled()
    type_in_cell(qtbot, editor.table, 0, 0, "-4")
    assert committed.values == [-4.0] and type(committed.values[0]) is float


def test_fill_random_draws_normal_numbers_scaled_by_one_over_root_n_to_two_decimals(
        qtbot, editor):
    committed = Committed(editor)
    editor.rng = np.random.default_rng(7)
    qtbot.mouseClick(editor.random_button, Qt.LeftButton)
    expected = np.round(np.random.default_rng(7).normal(0.0, 1 / math.sqrt(2), (2, 2)), 2)
    assert len(committed.values) == 1
    np.testing.assert_array_equal(committed.values[0], expected)
    np.testing.assert_array_equal(editor.value(), expected)


def test_fill_random_spreads_as_documented():
    rng = np.random.default_rng(0)
    matrix = random_value((200, 100), rng)
    assert matrix.std() == pytest.approx(0.1, rel=0.03)  # 1 / sqrt(100 columns)
    assert np.array_equal(matrix, np.round(matrix, 2))
    assert random_value((4000,), rng).std() == pytest.approx(1.0, rel=0.05)
    assert isinstance(random_value((), rng), float)
    small = random_value((500, 500), rng)
    assert (small == 0).any() and not np.signbit(small[small == 0]).any()  # no -0.0


def test_zeros_and_ones_fill_and_a_fill_that_changes_nothing_is_no_edit(qtbot, editor):
    committed = Committed(editor)
    qtbot.mouseClick(editor.zeros_button, Qt.LeftButton)
    qtbot.mouseClick(editor.zeros_button, Qt.LeftButton)
    qtbot.mouseClick(editor.ones_button, Qt.LeftButton)
    assert len(committed.values) == 2
    np.testing.assert_array_equal(committed.values[0], np.zeros((2, 2)))
    np.testing.assert_array_equal(committed.values[1], np.ones((2, 2)))
    assert cell_text(editor.table, 1, 1) == "1.00"


def test_the_shape_boxes_resize_keeping_the_top_left_block(qtbot, editor):
    committed = Committed(editor)
    assert (editor.kind_box.currentText(), editor.rows_box.value(),
            editor.columns_box.value()) == ("matrix (m×n)", 2, 2)
    editor.columns_box.setFocus()
    qtbot.keyClick(editor.columns_box, Qt.Key_Up)
    np.testing.assert_array_equal(committed.values[-1], [[0.1, 0.5, 0.0], [-0.3, 0.8, 0.0]])
    editor.rows_box.setFocus()
    qtbot.keyClick(editor.rows_box, Qt.Key_Down)
    np.testing.assert_array_equal(committed.values[-1], [[0.1, 0.5, 0.0]])
    assert len(committed.values) == 2
    assert editor.table.model().columnCount() == 3 and editor.table.model().rowCount() == 1


def test_typing_a_size_is_one_edit_not_one_per_digit(qtbot, editor):
    committed = Committed(editor)
    editor.rows_box.setFocus()
    editor.rows_box.selectAll()
    qtbot.keyClicks(editor.rows_box, "12")
    qtbot.keyClick(editor.rows_box, Qt.Key_Return)
    assert len(committed.values) == 1
    assert committed.values[0].shape == (12, 2)
    np.testing.assert_array_equal(committed.values[0][:2], W)
    assert not committed.values[0][2:].any()


def test_the_kind_box_turns_a_matrix_into_a_vector_and_a_number(qtbot, editor):
    committed = Committed(editor)
    editor.kind_box.setFocus()
    qtbot.keyClick(editor.kind_box, Qt.Key_Up)
    assert editor.kind_box.currentText() == "vector (n)"
    np.testing.assert_array_equal(committed.values[-1], [0.1, 0.5])
    assert committed.values[-1].shape == (2,)
    assert not editor.rows_box.isEnabled() and editor.columns_box.isEnabled()
    assert editor.table.model().headerData(0, Qt.Vertical) == ""
    qtbot.keyClick(editor.kind_box, Qt.Key_Up)
    assert committed.values[-1] == 0.1 and type(committed.values[-1]) is float
    qtbot.keyClick(editor.kind_box, Qt.Key_Down)
    qtbot.keyClick(editor.kind_box, Qt.Key_Down)
    np.testing.assert_array_equal(committed.values[-1], [[0.1]])
    assert len(committed.values) == 4


def test_set_value_shows_without_committing(qtbot, editor):
    committed = Committed(editor)
    editor.set_value(np.array([1.0, 2.0, 3.0]), "x")
    QApplication.processEvents()
    assert committed.values == []
    assert (editor.kind_box.currentText(), editor.columns_box.value()) == ("vector (n)", 3)
    assert cell_text(editor.table, 0, 2, Qt.ToolTipRole) == "x[2] = 3.0"


@pytest.mark.parametrize("value, shape, expected", [
    (W, (3, 1), [[0.1], [-0.3], [0.0]]),
    (W, (2,), [0.1, 0.5]),
    (W, (), 0.1),
    (2.0, (2, 2), [[2.0, 0.0], [0.0, 0.0]]),
    (np.array([1.0, 2.0]), (3,), [1.0, 2.0, 0.0]),
])
def test_resized_keeps_the_overlapping_top_left_block(value, shape, expected):
    result = resized(value, shape)
    assert np.shape(result) == shape
    np.testing.assert_array_equal(result, expected)
