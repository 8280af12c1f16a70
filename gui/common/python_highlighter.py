"""Python syntax colouring for the code editor: keywords, builtins, ``self``, the names after
``def`` and ``class``, decorators, numbers, strings (triple-quoted ones across lines) and
comments, in the colours of a light IDE theme.

Each line is coloured in two passes: the word rules first, then one scan from left to right
for strings and comments, which paint over them, so a ``#`` inside a string and a quote inside
a comment are read as Python reads them. A triple-quoted string left open at the end of a line
is remembered in the block's state (which quote opened it), and the next line starts inside it.
"""

from __future__ import annotations

import builtins
import keyword
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat

OUTSIDE, IN_SINGLE_TRIPLE, IN_DOUBLE_TRIPLE = 0, 1, 2  # block states
_TRIPLE_OF_STATE = {IN_SINGLE_TRIPLE: "'''", IN_DOUBLE_TRIPLE: '"""'}
_STATE_OF_TRIPLE = {"'''": IN_SINGLE_TRIPLE, '"""': IN_DOUBLE_TRIPLE}

_BUILTIN_NAMES = sorted(name for name in dir(builtins) if not name.startswith("_"))


def _char_format(colour: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    result = QTextCharFormat()
    result.setForeground(QColor(colour))
    if bold:
        result.setFontWeight(QFont.Bold)
    result.setFontItalic(italic)
    return result


def _words(names) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(name) for name in names) + r")\b")


class PythonHighlighter(QSyntaxHighlighter):
    """Colours Python source in a QTextDocument (give it the editor's document)."""

    KEYWORD = _char_format("#0033b3", bold=True)
    BUILTIN = _char_format("#7b1fa2")
    SELF = _char_format("#94558d", italic=True)
    DEFINED_NAME = _char_format("#00627a", bold=True)
    DECORATOR = _char_format("#9e880d")
    NUMBER = _char_format("#1750eb")
    STRING = _char_format("#067d17")
    COMMENT = _char_format("#8c8c8c", italic=True)

    _WORD_RULES = (
        (_words(_BUILTIN_NAMES), BUILTIN),
        (_words(keyword.kwlist), KEYWORD),
        (re.compile(r"\b(?:self|cls)\b"), SELF),
        (re.compile(r"^\s*@[\w.]+"), DECORATOR),
        (re.compile(r"\b(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+"
                    r"|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?j?)\b"), NUMBER),
    )
    _DEFINED = re.compile(r"\b(?:def|class)\s+([A-Za-z_]\w*)")
    _STRING_OR_COMMENT_START = re.compile(r"#|'''|\"\"\"|'|\"")

    def highlightBlock(self, text: str) -> None:
        for pattern, char_format in self._WORD_RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), char_format)
        for match in self._DEFINED.finditer(text):
            self.setFormat(match.start(1), match.end(1) - match.start(1), self.DEFINED_NAME)
        self._strings_and_comments(text)

    def _strings_and_comments(self, text: str) -> None:
        self.setCurrentBlockState(OUTSIDE)
        position = 0
        state = self.previousBlockState()
        if state in _TRIPLE_OF_STATE:
            position = self._colour_string(text, 0, 0, _TRIPLE_OF_STATE[state])
        while position < len(text):
            match = self._STRING_OR_COMMENT_START.search(text, position)
            if match is None:
                return
            opener = match.group()
            if opener == "#":
                self.setFormat(match.start(), len(text) - match.start(), self.COMMENT)
                return
            position = self._colour_string(text, match.start(), match.end(), opener)
            # the string's prefix (r, b, f...) is part of it
            prefix = re.search(r"[rRbBuUfF]{1,2}$", text[:match.start()])
            if prefix and (prefix.start() == 0 or not text[prefix.start() - 1].isalnum()):
                self.setFormat(prefix.start(), match.start() - prefix.start(), self.STRING)

    def _colour_string(self, text: str, start: int, body: int, quote: str) -> int:
        """Colour the string from ``start`` whose text begins at ``body`` and which ``quote``
        closes; returns where the line goes on after it. A triple-quoted string still open at
        the end of the line leaves its state to the next line."""
        end = _closing_quote(text, body, quote)
        if end < 0:
            self.setCurrentBlockState(_STATE_OF_TRIPLE.get(quote, OUTSIDE))
            self.setFormat(start, len(text) - start, self.STRING)
            return len(text)
        self.setFormat(start, end + len(quote) - start, self.STRING)
        return end + len(quote)


def _closing_quote(text: str, position: int, quote: str) -> int:
    """Where ``quote`` closes the string from ``position`` on (a backslash escapes the next
    character), or -1 if not on this line."""
    while position < len(text):
        if text[position] == "\\":
            position += 2
            continue
        if text.startswith(quote, position):
            return position
        position += 1
    return -1
