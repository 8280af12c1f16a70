"""The one exception the engine raises for anything a user did wrong: CircuitError.

Its messages name the place and often show what a user wrote there (an id, a gate name, a
field of a file). Such text comes from files anyone may write, so messages show it only through
``quote`` (in quotes: ``unknown gate 'mull'``) or ``shown`` (bare: a cycle ``f -> q -> f``):
at most ``MAX_SHOWN`` characters, with line breaks, control characters and lone surrogates
written as escapes, so a message is one short line that any terminal can print. A chain of
names (``shown_chain``) keeps its first and last few.
"""

from __future__ import annotations

import json

MAX_SHOWN = 60
MAX_CHAIN = 12  # names in a chain (a cycle f -> q -> f) before its middle is left out
_CUT = "..."


class CircuitError(ValueError):
    """A circuit, a file or an edit that cannot be used; the message names the place."""


class GateRunError(CircuitError):
    """A file's own gate failed while the circuit ran (a code gate's exception or runaway);
    ``gate`` is its name in the file."""

    def __init__(self, message: str, gate: str):
        super().__init__(message)
        self.gate = gate


def _printable(character: str) -> str:
    """The character, or its escape if it does not print (line breaks, controls, surrogates)."""
    return character if character.isprintable() else \
        character.encode("unicode_escape").decode("ascii")


def article(word: str) -> str:
    """The indefinite article a sentence puts before ``word``: "a" mul, "an" add."""
    return "an" if word[:1] in "aeiou" else "a"


def with_article(word: str) -> str:
    """The word with its indefinite article: "a mul", "an add"."""
    return f"{article(word)} {word}"


def shown(text: str) -> str:
    """User text as a message shows it bare: at most MAX_SHOWN characters, escaped to print."""
    text = str(text)
    if len(text) <= MAX_SHOWN and text.isprintable():
        return text
    pieces = [_printable(character) for character in text[:MAX_SHOWN]]
    if len(text) <= MAX_SHOWN and sum(map(len, pieces)) <= MAX_SHOWN:
        return "".join(pieces)
    kept, room = [], MAX_SHOWN - len(_CUT)
    for piece in pieces:
        if len(piece) > room:
            break
        kept.append(piece)
        room -= len(piece)
    return "".join(kept) + _CUT


def quote(value) -> str:
    """A value as a message quotes it: a string as 'text', anything else as JSON writes it;
    at most MAX_SHOWN characters either way, escaped to print (see ``shown``)."""
    if isinstance(value, str):
        return "'" + shown(value) + "'"
    try:
        text = json.dumps(value, allow_nan=True, default=repr)
    except (TypeError, ValueError, RecursionError):  # e.g. a whole number of 5000 digits
        text = f"({type(value).__name__} too long to show)"
    return shown(text[:MAX_SHOWN + 1])


def first_and_last(items: list) -> list:
    """``items``, or of more than MAX_CHAIN only the first and last few, with a "... (N more)"
    between them: what a one-line message can list."""
    if len(items) <= MAX_CHAIN:
        return list(items)
    keep = MAX_CHAIN // 2
    return [*items[:keep], f"... ({len(items) - 2 * keep} more)", *items[-keep:]]


def shown_chain(names, separator: str = " -> ") -> str:
    """Names joined as a message shows a chain (a cycle, a list of ids): each ``shown``, and of
    a long one only the first and last few (``first_and_last``)."""
    return separator.join(first_and_last([shown(name) for name in names]))
