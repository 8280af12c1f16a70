"""The code editor of code gates (gui/common/code_editor.py, python_highlighter.py).

Code is typed as a student types it, key by key, into the real widget: the indentation after
Enter, Tab and Shift+Tab is what a Python editor gives. The colours are read back from the
layout of each line (what the highlighter told Qt to draw), the error marks from the editor's
extra selections and from the pixels of its gutter.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QPoint, Qt  # noqa: E402
from PySide6.QtGui import (QColor, QFont, QHelpEvent, QTextCharFormat, QTextCursor,  # noqa: E402
                           QTextFormat)
from PySide6.QtWidgets import QApplication, QToolTip  # noqa: E402

from gui.common import code_editor as code_editor_module  # noqa: E402
from gui.common.code_editor import CodeEditor  # noqa: E402
from gui.common.python_highlighter import PythonHighlighter  # noqa: E402
from tests.gui_helpers import show_at  # noqa: E402

GUIDE_GATE = '''class MultiplyGate:
    """z = x * y, as in the hacker's guide."""

    def forward(self, x, y):
        self.x, self.y = x, y  # keep the inputs for backward
        return x * y

    def backward(self, dz):
        return self.y * dz, self.x * dz
'''


def shown(editor, qtbot, size=(520, 320)):
    qtbot.addWidget(editor)
    show_at(editor, qtbot, size)
    editor.setFocus()
    return editor


def lines(editor):
    return editor.code().split("\n")


def move_to(editor, line, column=0):
    cursor = QTextCursor(editor.document().findBlockByNumber(line - 1))
    cursor.movePosition(QTextCursor.Right, QTextCursor.MoveAnchor, column)
    editor.setTextCursor(cursor)


# ------------------------------------------------------------------ indentation keys
def test_enter_keeps_the_indentation_and_goes_deeper_after_a_colon(qtbot):
    editor = shown(CodeEditor(), qtbot)
    qtbot.keyClicks(editor, "class MultiplyGate:")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.keyClicks(editor, "def forward(self, x, y):")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.keyClicks(editor, "self.x = x")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.keyClicks(editor, "return x * y")
    qtbot.keyClick(editor, Qt.Key_Enter)  # the keypad's Enter too; a line after return dedents
    qtbot.keyClicks(editor, "def backward(self, dz):")
    assert lines(editor) == ["class MultiplyGate:",
                             "    def forward(self, x, y):",
                             "        self.x = x",
                             "        return x * y",
                             "    def backward(self, dz):"]


def test_tab_indents_to_the_next_stop_and_shift_tab_takes_one_level_off(qtbot):
    editor = shown(CodeEditor(), qtbot)
    qtbot.keyClick(editor, Qt.Key_Tab)
    assert editor.code() == "    "
    qtbot.keyClicks(editor, "x")
    qtbot.keyClick(editor, Qt.Key_Tab)  # from column 5 to the stop at 8
    qtbot.keyClicks(editor, "# x")
    assert editor.code() == "    x   # x"
    qtbot.keyClick(editor, Qt.Key_Home)
    qtbot.keyClick(editor, Qt.Key_Tab)
    assert editor.code() == "        x   # x"
    qtbot.keyClick(editor, Qt.Key_Backtab, Qt.ShiftModifier)  # what Shift+Tab sends
    assert editor.code() == "    x   # x"
    qtbot.keyClick(editor, Qt.Key_Tab, Qt.ShiftModifier)
    qtbot.keyClick(editor, Qt.Key_Tab, Qt.ShiftModifier)  # nothing left to take off
    assert editor.code() == "x   # x"


def test_tab_and_shift_tab_move_every_selected_line_in_one_undo_step(qtbot):
    editor = shown(CodeEditor("a = 1\nb = 2\nc = 3"), qtbot)
    move_to(editor, 1)
    qtbot.keyClick(editor, Qt.Key_Down, Qt.ShiftModifier)
    qtbot.keyClick(editor, Qt.Key_End, Qt.ShiftModifier)
    qtbot.keyClick(editor, Qt.Key_Tab)
    assert lines(editor) == ["    a = 1", "    b = 2", "c = 3"]
    qtbot.keyClick(editor, Qt.Key_Tab)
    assert lines(editor) == ["        a = 1", "        b = 2", "c = 3"]
    qtbot.keyClick(editor, Qt.Key_Backtab, Qt.ShiftModifier)
    assert lines(editor) == ["    a = 1", "    b = 2", "c = 3"]
    qtbot.keyClick(editor, Qt.Key_Z, Qt.ControlModifier)
    assert lines(editor) == ["        a = 1", "        b = 2", "c = 3"]


def test_backspace_in_the_indentation_goes_back_a_whole_level(qtbot):
    editor = shown(CodeEditor("def f(x):"), qtbot)
    move_to(editor, 1, len("def f(x):"))
    qtbot.keyClick(editor, Qt.Key_Return)
    assert lines(editor) == ["def f(x):", "    "]
    qtbot.keyClick(editor, Qt.Key_Backspace)
    assert lines(editor) == ["def f(x):", ""]
    qtbot.keyClicks(editor, "y = 1")
    qtbot.keyClick(editor, Qt.Key_Backspace)  # outside the indentation: one character
    assert lines(editor) == ["def f(x):", "y = "]


def test_a_read_only_editor_shows_code_that_keys_do_not_change(qtbot):
    editor = shown(CodeEditor(GUIDE_GATE, read_only=True), qtbot)
    qtbot.keyClicks(editor, "oops")
    qtbot.keyClick(editor, Qt.Key_Tab)
    qtbot.keyClick(editor, Qt.Key_Return)
    assert editor.code() == GUIDE_GATE
    assert editor.isReadOnly()
    metrics = editor.fontMetrics()  # monospace: every letter as wide as every other
    assert metrics.horizontalAdvance("i") == metrics.horizontalAdvance("W")


# ------------------------------------------------------------------ colouring
def format_at(editor, line, column) -> QTextCharFormat:
    """The format the highlighter gave the character at (line, column)."""
    block = editor.document().findBlockByNumber(line - 1)
    for span in block.layout().formats():
        if span.start <= column < span.start + span.length:
            return QTextCharFormat(span.format)  # a copy: the range is a temporary
    return QTextCharFormat()


def colour_at(editor, line, column) -> str:
    return format_at(editor, line, column).foreground().color().name()


def test_keywords_comments_strings_and_names_get_their_colours(qtbot):
    editor = shown(CodeEditor(GUIDE_GATE), qtbot)
    keyword, comment = PythonHighlighter.KEYWORD, PythonHighlighter.COMMENT
    assert colour_at(editor, 1, 0) == keyword.foreground().color().name()  # class
    assert format_at(editor, 1, 0).fontWeight() == QFont.Bold
    assert colour_at(editor, 1, 6) == PythonHighlighter.DEFINED_NAME.foreground().color().name()
    assert colour_at(editor, 4, 4) == keyword.foreground().color().name()  # def
    assert colour_at(editor, 4, 16) == PythonHighlighter.SELF.foreground().color().name()
    comment_column = lines(editor)[4].index("#")
    assert colour_at(editor, 5, comment_column + 3) == comment.foreground().color().name()
    assert format_at(editor, 5, comment_column).fontItalic()
    assert colour_at(editor, 5, comment_column - 3) != comment.foreground().color().name()
    assert colour_at(editor, 2, 8) == PythonHighlighter.STRING.foreground().color().name()
    # a plain name is left in the editor's ink
    x_column = lines(editor)[5].index("x")
    assert not format_at(editor, 6, x_column).hasProperty(QTextFormat.ForegroundBrush)


def test_a_hash_in_a_string_and_a_quote_in_a_comment_are_read_as_python_reads_them(qtbot):
    editor = shown(CodeEditor("s = 'a # b'  # it's 1\nn = max(2.5e-3, 0x1F)"), qtbot)
    string = PythonHighlighter.STRING.foreground().color().name()
    comment = PythonHighlighter.COMMENT.foreground().color().name()
    text = lines(editor)
    assert colour_at(editor, 1, text[0].index("#")) == string
    assert colour_at(editor, 1, text[0].index("'s")) == comment
    assert colour_at(editor, 2, text[1].index("max")) == \
        PythonHighlighter.BUILTIN.foreground().color().name()
    number = PythonHighlighter.NUMBER.foreground().color().name()
    assert colour_at(editor, 2, text[1].index("2.5e-3")) == number
    assert colour_at(editor, 2, text[1].index("0x1F") + 3) == number


def test_a_triple_quoted_string_is_coloured_across_its_lines_and_ends_where_it_closes(qtbot):
    editor = shown(CodeEditor('x = """first\ndef not_code # not a comment\nend""" + y  # c\n'
                              "def after():"), qtbot)
    string = PythonHighlighter.STRING.foreground().color().name()
    keyword = PythonHighlighter.KEYWORD.foreground().color().name()
    assert colour_at(editor, 1, 6) == string
    assert colour_at(editor, 2, 0) == string  # "def" inside the string
    assert colour_at(editor, 2, 14) == string  # "#" inside the string
    assert colour_at(editor, 3, 0) == string
    assert colour_at(editor, 3, lines(editor)[2].index("y")) != string
    assert colour_at(editor, 3, lines(editor)[2].index("# c")) == \
        PythonHighlighter.COMMENT.foreground().color().name()
    assert colour_at(editor, 4, 0) == keyword
    # closing the string by typing changes the colour of the lines below it
    move_to(editor, 1, len('x = """first'))
    qtbot.keyClicks(editor, '"""')
    assert colour_at(editor, 2, 0) == keyword


# ------------------------------------------------------------------ error marks
def wavy_lines(editor):
    return [selection.cursor.blockNumber() + 1 for selection in editor.extraSelections()
            if selection.format.underlineStyle() == QTextCharFormat.WaveUnderline]


def test_mark_error_underlines_its_line_and_follows_it_while_lines_are_added(qtbot):
    editor = shown(CodeEditor(GUIDE_GATE), qtbot)
    editor.mark_error(9, "backward returns 2 gradients")
    assert wavy_lines(editor) == [9]
    assert editor.error_lines() == [9]
    underline = next(s for s in editor.extraSelections()
                     if s.format.underlineStyle() == QTextCharFormat.WaveUnderline)
    assert underline.format.underlineColor() == code_editor_module.ERROR_RED
    assert underline.cursor.selectedText() == "return self.y * dz, self.x * dz"
    move_to(editor, 1)
    qtbot.keyClick(editor, Qt.Key_Return)  # a line above it: the mark moves down with it
    assert wavy_lines(editor) == [10]
    assert editor.error_message(10) == "backward returns 2 gradients"
    editor.clear_errors()
    assert wavy_lines(editor) == [] and editor.error_lines() == []


def test_the_marked_line_has_its_message_as_tooltip(qtbot):
    editor = shown(CodeEditor(GUIDE_GATE), qtbot)
    editor.mark_error(6, "NameError: name 'z' is not defined")
    block = editor.document().findBlockByNumber(5)
    middle = editor.blockBoundingGeometry(block).translated(editor.contentOffset()).center()
    point = QPoint(40, round(middle.y()))
    QApplication.sendEvent(editor.viewport(), QHelpEvent(
        QEvent.ToolTip, point, editor.viewport().mapToGlobal(point)))
    assert QToolTip.text() == "NameError: name 'z' is not defined"
    QToolTip.hideText()


def test_a_line_beyond_the_text_marks_the_last_line(qtbot):
    editor = shown(CodeEditor("a = 1\nb = 2"), qtbot)
    editor.mark_error(40, "at the end")
    assert editor.error_lines() == [2]


# ------------------------------------------------------------------ the gutter
def ink_in_gutter_row(editor, line, colour=None):
    """How many pixels of the gutter's row of ``line`` are not the gutter's background (or are
    close to ``colour``)."""
    block = editor.document().findBlockByNumber(line - 1)
    row = editor.blockBoundingGeometry(block).translated(editor.contentOffset()).toRect()
    image = editor.gutter.grab().toImage()
    count = 0
    for y in range(max(row.top(), 0), min(row.bottom(), image.height())):
        for x in range(image.width() - 2):  # the edge line on the right is not a number
            pixel = QColor(image.pixel(x, y))
            if colour is None:
                count += pixel != code_editor_module.GUTTER_FILL
            else:
                count += all(abs(a - b) < 40 for a, b in zip(pixel.getRgb()[:3],
                                                             colour.getRgb()[:3]))
    return count


def test_the_gutter_paints_the_numbers_of_the_lines_there_are(qtbot):
    editor = shown(CodeEditor("a = 1\nb = 2\nc = 3"), qtbot)
    assert ink_in_gutter_row(editor, 1) > 0
    assert ink_in_gutter_row(editor, 3) > 0
    editor.mark_error(2, "wrong")
    QApplication.processEvents()
    assert ink_in_gutter_row(editor, 2, code_editor_module.ERROR_RED) > 20
    assert ink_in_gutter_row(editor, 1, code_editor_module.ERROR_RED) == 0


def test_the_gutter_grows_when_line_numbers_get_another_digit(qtbot):
    editor = shown(CodeEditor("\n".join(f"x{i} = {i}" for i in range(9))), qtbot)
    narrow = editor.gutter.width()
    assert editor.viewport().geometry().left() >= narrow
    move_to(editor, 9, len("x8 = 8"))
    for _ in range(91):
        qtbot.keyClick(editor, Qt.Key_Return)
    assert editor.blockCount() == 100
    wider = editor.gutter.width()
    assert wider > narrow
    assert editor.viewport().geometry().left() >= wider
