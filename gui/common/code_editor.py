"""A Python code editor: the box a student writes a code gate's ``forward`` and ``backward`` in.

``CodeEditor`` is a QPlainTextEdit in the system's fixed-width font, with line numbers in a
gutter on its left (after Qt's Code Editor example), Python colouring (``PythonHighlighter``)
and the indentation keys of a code editor:

- Tab indents to the next multiple of four spaces (every selected line, when several are);
  Shift+Tab takes up to four spaces off the line (or off every selected line);
- Enter starts the new line at the indentation of the line above, four spaces deeper after a
  line ending in ``:`` and four less after ``return``, ``pass``, ``raise``, ``break`` or
  ``continue``; Backspace in the indentation goes back to the previous multiple of four.

``mark_error(line, message)`` marks a line (1 = the first, as Python's tracebacks count): a
pale red band with a wavy red underline under its text, its number in red in the gutter, and
the message as the tooltip of the line and of its number. A mark follows its line while lines
are added or removed above it; ``clear_errors()`` takes every mark away. ``read_only=True``
makes an editor that shows code (the trust dialog's): selectable, not editable.

API:
    CodeEditor(code="", read_only=False, parent=None)
        .code() -> str   .set_code(text)  (the marks go with the old text)
        .mark_error(line, message)  .clear_errors()
        .error_lines() -> [line, ...]  .error_message(line) -> str | None
        .gutter (the line-number widget)  .gutter_width() -> int  .highlighter
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (QColor, QFontDatabase, QPainter, QPalette, QTextCharFormat,
                           QTextCursor, QTextFormat)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from gui.common.python_highlighter import PythonHighlighter

INDENT = 4
_DEDENT_AFTER = re.compile(r"^\s*(?:return|pass|raise|break|continue)\b")

GUTTER_FILL = QColor("#f3f4f6")
GUTTER_EDGE = QColor("#e0e3e7")
GUTTER_INK = QColor("#9aa0a6")
GUTTER_CURRENT_INK = QColor("#37474f")
GUTTER_PADDING = 6  # px either side of the numbers
CURRENT_LINE_FILL = QColor("#f2f6fc")
ERROR_RED = QColor("#d32f2f")
ERROR_LINE_FILL = QColor("#fdecec")
READ_ONLY_BASE = QColor("#fafafa")


class CodeEditor(QPlainTextEdit):
    """Python source with line numbers, colouring, indentation keys and error marks."""

    def __init__(self, code: str = "", read_only: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("code_editor")
        self.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.setTabStopDistance(INDENT * self.fontMetrics().horizontalAdvance(" "))
        self.highlighter = PythonHighlighter(self.document())
        self.gutter = _LineNumberGutter(self)
        self._errors: list[tuple[QTextCursor, str]] = []
        self.blockCountChanged.connect(self._fit_gutter)
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._show_marks)
        self.setReadOnly(read_only)
        if read_only:
            palette = self.palette()
            palette.setColor(QPalette.Base, READ_ONLY_BASE)
            self.setPalette(palette)
        self.set_code(code)

    # ----------------------------------------------------------------- text
    def code(self) -> str:
        """The source as typed."""
        return self.toPlainText()

    def set_code(self, text: str) -> None:
        """Show ``text`` in place of the source (the error marks go with the old text)."""
        self._errors.clear()
        self.setPlainText(text)
        self._fit_gutter()
        self._show_marks()

    # ----------------------------------------------------------------- error marks
    def mark_error(self, line: int, message: str) -> None:
        """Mark ``line`` (1-based; clamped to the text's lines) with ``message``."""
        block = self.document().findBlockByNumber(min(max(line, 1), self.blockCount()) - 1)
        self._errors.append((QTextCursor(block), message))
        self._show_marks()
        self.gutter.update()

    def clear_errors(self) -> None:
        """Take every error mark away."""
        self._errors.clear()
        self._show_marks()
        self.gutter.update()

    def error_lines(self) -> list[int]:
        """The lines marked (1-based), where they are now."""
        return sorted({cursor.blockNumber() + 1 for cursor, _ in self._errors})

    def error_message(self, line: int) -> str | None:
        """The messages of ``line`` (one a line), or None when it has no mark."""
        messages = [text for cursor, text in self._errors if cursor.blockNumber() + 1 == line]
        return "\n".join(messages) if messages else None

    def _show_marks(self) -> None:
        selections = []
        if not self.isReadOnly():
            selections.append(_line_band(self.textCursor().block(), CURRENT_LINE_FILL))
        for cursor, _ in self._errors:
            block = cursor.block()
            selections.append(_line_band(block, ERROR_LINE_FILL))
            underline = _wavy_underline(block)
            if underline is not None:
                selections.append(underline)
        self.setExtraSelections(selections)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            line = self.cursorForPosition(event.pos()).blockNumber() + 1
            self._show_error_tip(event, line)
            return True
        return super().viewportEvent(event)

    def _show_error_tip(self, event, line: int) -> None:
        message = self.error_message(line)
        if message:
            QToolTip.showText(event.globalPos(), message, self)
        else:
            QToolTip.hideText()
            event.ignore()

    # ----------------------------------------------------------------- keys
    def keyPressEvent(self, event) -> None:
        if self.isReadOnly() or not self._indentation_key(event):
            super().keyPressEvent(event)

    def _indentation_key(self, event) -> bool:
        """Do what a code editor does for Tab, Shift+Tab, Enter and Backspace; False for
        every other key (and for Backspace outside the indentation)."""
        key, modifiers = event.key(), event.modifiers()
        plain = not modifiers & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier)
        if key == Qt.Key_Tab and not modifiers & ~Qt.KeypadModifier:
            self._indent()
        elif key == Qt.Key_Backtab or (key == Qt.Key_Tab and modifiers & Qt.ShiftModifier):
            self._dedent()
        elif key in (Qt.Key_Return, Qt.Key_Enter) and plain:
            self._new_line()
        elif key == Qt.Key_Backspace and plain:
            return self._back_to_indent_stop()
        else:
            return False
        return True

    def _indent(self) -> None:
        cursor = self.textCursor()
        if _spans_lines(cursor):
            self._for_each_selected_line(lambda line: line.insertText(" " * INDENT))
            return
        column = cursor.positionInBlock()
        cursor.insertText(" " * (INDENT - column % INDENT))

    def _dedent(self) -> None:
        def dedent(line: QTextCursor) -> None:
            text = line.block().text()
            spaces = len(text) - len(text.lstrip(" "))
            width = 1 if text.startswith("\t") else min(spaces, INDENT)
            line.movePosition(QTextCursor.Right, QTextCursor.KeepAnchor, width)
            line.removeSelectedText()

        self._for_each_selected_line(dedent)

    def _for_each_selected_line(self, edit) -> None:
        """Call ``edit`` with a cursor at the start of every line the selection touches (the
        cursor's line without a selection), all as one undo step."""
        cursor = self.textCursor()
        document = self.document()
        first = document.findBlock(cursor.selectionStart()).blockNumber()
        last = document.findBlock(cursor.selectionEnd()).blockNumber()
        if cursor.hasSelection() and last > first and cursor.selectionEnd() == \
                document.findBlockByNumber(last).position():
            last -= 1  # a selection that ends at a line's start does not take that line
        cursor.beginEditBlock()
        for number in range(first, last + 1):
            edit(QTextCursor(document.findBlockByNumber(number)))
        cursor.endEditBlock()

    def _new_line(self) -> None:
        cursor = self.textCursor()
        before = cursor.block().text()[:cursor.positionInBlock()]
        depth = len(before) - len(before.lstrip(" "))
        if before.rstrip().endswith(":"):
            depth += INDENT
        elif _DEDENT_AFTER.match(before):
            depth = max(0, depth - INDENT)
        cursor.beginEditBlock()
        cursor.insertText("\n" + " " * depth)
        cursor.endEditBlock()
        self.ensureCursorVisible()

    def _back_to_indent_stop(self) -> bool:
        """Backspace in a line's indentation: remove spaces back to the previous multiple of
        four. False (nothing done) elsewhere."""
        cursor = self.textCursor()
        column = cursor.positionInBlock()
        before = cursor.block().text()[:column]
        if cursor.hasSelection() or not before or before.strip(" "):
            return False
        width = column - (column - 1) // INDENT * INDENT
        cursor.movePosition(QTextCursor.Left, QTextCursor.KeepAnchor, width)
        cursor.removeSelectedText()
        return True

    # ----------------------------------------------------------------- the gutter
    def gutter_width(self) -> int:
        """Room for the largest line number (at least two digits) and the padding."""
        digits = max(2, len(str(self.blockCount())))
        return self.fontMetrics().horizontalAdvance("9") * digits + 2 * GUTTER_PADDING

    def _fit_gutter(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self._place_gutter()
        self.gutter.update()

    def _place_gutter(self) -> None:
        contents = self.contentsRect()
        self.gutter.setGeometry(QRect(contents.left(), contents.top(), self.gutter_width(),
                                      contents.height()))

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self.gutter.scroll(0, dy)
        else:
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_gutter()

    def _paint_gutter(self, event) -> None:
        painter = QPainter(self.gutter)
        painter.fillRect(event.rect(), GUTTER_FILL)
        painter.setPen(GUTTER_EDGE)
        edge = self.gutter.width() - 1
        painter.drawLine(edge, event.rect().top(), edge, event.rect().bottom())
        marked = set(self.error_lines())
        current = self.textCursor().blockNumber()
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        width, height = self.gutter.width(), self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                number = block.blockNumber() + 1
                row = QRect(0, top, width, height)
                if number in marked:
                    painter.fillRect(row, ERROR_RED)
                    painter.setPen(Qt.white)
                elif block.blockNumber() == current and not self.isReadOnly():
                    painter.setPen(GUTTER_CURRENT_INK)
                else:
                    painter.setPen(GUTTER_INK)
                painter.drawText(row.adjusted(0, 0, -GUTTER_PADDING, 0),
                                 Qt.AlignRight | Qt.AlignVCenter, str(number))
            block = block.next()
            top = bottom
        painter.end()

    def _gutter_tooltip(self, event) -> None:
        # the gutter and the viewport share their top edge
        cursor = self.cursorForPosition(QPoint(0, event.pos().y()))
        self._show_error_tip(event, cursor.blockNumber() + 1)


class _LineNumberGutter(QWidget):
    """The strip of line numbers on the editor's left; the editor paints it."""

    def __init__(self, editor: CodeEditor):
        super().__init__(editor)
        self.setObjectName("code_editor_gutter")
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:
        self.editor._paint_gutter(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            self.editor._gutter_tooltip(event)
            return True
        return super().event(event)


def _spans_lines(cursor: QTextCursor) -> bool:
    document = cursor.document()
    return document.findBlock(cursor.selectionStart()) != \
        document.findBlock(cursor.selectionEnd())


def _line_band(block, colour: QColor) -> QTextEdit.ExtraSelection:
    """A full-width band of ``colour`` behind ``block``."""
    selection = QTextEdit.ExtraSelection()
    selection.format.setBackground(colour)
    selection.format.setProperty(QTextFormat.FullWidthSelection, True)
    selection.cursor = QTextCursor(block)
    return selection


def _wavy_underline(block) -> QTextEdit.ExtraSelection | None:
    """A wavy red underline under the text of ``block`` (its indentation left out); None for
    a blank line."""
    text = block.text()
    start = len(text) - len(text.lstrip())
    if start == len(text):
        return None
    selection = QTextEdit.ExtraSelection()
    underline = QTextCharFormat()
    underline.setUnderlineStyle(QTextCharFormat.WaveUnderline)
    underline.setUnderlineColor(ERROR_RED)
    selection.format = underline
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + start)
    cursor.setPosition(block.position() + len(text), QTextCursor.KeepAnchor)
    selection.cursor = cursor
    return selection
