"""Strict JSON: the one JSON the program reads, and the only JSON it writes.

The standard json module does the reading; its hooks make it strict: NaN and Infinity are
refused with their line and column (``parse_constant``), so is a key given twice in one object
(``object_pairs_hook``), and nesting deep enough to hit Python's recursion limit becomes a
named refusal. One linear walk over the parsed value then checks what json cannot: nesting
deeper than MAX_DEPTH levels, and text that is not Unicode (a lone surrogate such as the
escape ``"\\ud800"``: valid JSON syntax, but it cannot be written as UTF-8, so it cannot be an
id, a title or any other text of a file).

A writer runs the same walk (``check_storable``) over what it is about to write, which also
refuses keys that are not strings, so a file the program writes always reads back.
"""

from __future__ import annotations

import json
import re
import sys

from .errors import CircuitError, quote, shown
from .text_files import check_size, decode_utf8, line_and_column

MAX_DEPTH = 64

_SCALARS = (str, int, float, bool, type(None))
# Where a lone surrogate could come from: a \uD800-\uDFFF escape in JSON text, or a raw one in
# a str handed to parse_json. Texts without either (nearly all) skip the walk over strings.
_SURROGATE_SOURCE = re.compile("\\\\u[dD][89abcdefABCDEF]|[\ud800-\udfff]")
# A JSON string (an unterminated one runs to the end) or a non-finite constant outside strings;
# scanning with it is linear, whatever the text.
_STRING_OR_CONSTANT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|(-?(?:NaN|Infinity))', re.DOTALL)


class _NonFiniteLiteral(ValueError):
    """Raised by the JSON parser on NaN, Infinity and -Infinity."""


def _refuse_constant(name: str):
    raise _NonFiniteLiteral(name)


def _refuse_duplicate_keys(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise CircuitError(f"duplicate key {quote(key)} in one JSON object "
                                   "(each key may appear once)")
            seen.add(key)
    return result


def _where_non_finite(text: str) -> str:
    """"line L, column C: " of the first NaN or Infinity outside strings ("" if none)."""
    for match in _STRING_OR_CONSTANT.finditer(text):
        if match.group(1):
            return line_and_column(text, match.start(1)) + ": "
    return ""


def _too_deep() -> str:
    """The reason given for nesting deeper than MAX_DEPTH."""
    return f"the JSON nests deeper than {MAX_DEPTH} levels"


def parse_json(text: str | bytes) -> object:
    """The JSON value in ``text`` (str or UTF-8 bytes), strictly; CircuitError saying why not."""
    check_size(len(text))
    if isinstance(text, (bytes, bytearray)):
        text = decode_utf8(bytes(text))
    text = text.removeprefix("\ufeff")
    try:
        value = json.loads(text, parse_constant=_refuse_constant,
                           object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as error:
        raise CircuitError(f"line {error.lineno}, column {error.colno}: "
                           f"not valid JSON: {error.msg}") from None
    except _NonFiniteLiteral as error:
        raise CircuitError(f"{_where_non_finite(text)}{error} is not allowed: numbers in a "
                           "circuit file must be finite") from None
    except RecursionError:
        raise CircuitError(_too_deep()) from None
    except CircuitError:
        raise
    except ValueError as error:  # an integer literal longer than Python converts
        if "integer string conversion" not in str(error):
            raise CircuitError(f"not valid JSON: {error}") from None
        raise CircuitError(f"not valid JSON: a number has more than "
                           f"{sys.get_int_max_str_digits()} digits") from None
    check_storable(value, texts=_SURROGATE_SOURCE.search(text) is not None)
    return value


# --------------------------------------------------------------------------- the walk
def _is_text(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _container(value) -> dict | list | tuple | None:
    """``value`` if it is a JSON container, a numpy array as its lists, else None."""
    if type(value) in (dict, list, tuple):
        return value
    listed = value.tolist() if hasattr(value, "tolist") else None
    return listed if type(listed) in (dict, list) else None


def _entries(container) -> tuple:
    """(its items, whether they are an object's) for reading a container."""
    if type(container) is dict:
        return iter(container.items()), True
    return enumerate(container), False


def _place(path: list) -> str:
    """A path of keys and indices as messages name a place: nodes[3].id (cut to fit)."""
    parts = [f"[{key}]" if isinstance(key, int) else f".{key}" for key in path]
    return shown("".join(parts).removeprefix("."))


def _first_problem(value, texts: bool) -> str | None:
    """What a file cannot hold, the first in reading order, as a message naming its place."""

    def at(path: list, reason: str) -> str:
        place = _place(path)
        return f"{place}: {reason}" if place else reason

    def not_text(text: str) -> str:
        return f"{quote(text)} holds a lone surrogate, which is not text (UTF-8 cannot store it)"

    container = _container(value)
    if container is None:
        return not_text(value) if texts and isinstance(value, str) and \
            not _is_text(value) else None
    path, stack = [], [_entries(container)]
    while stack:
        items, in_object = stack[-1]
        for key, child in items:
            if in_object:
                if type(key) is not str:
                    return at(path, f"the key {quote(key)} is not a string (JSON keys are text)")
                if texts and not _is_text(key):
                    return at(path, "the key " + not_text(key))
            if type(child) in _SCALARS:
                if texts and type(child) is str and not _is_text(child):
                    return at(path + [key], not_text(child))
                continue
            child = _container(child)
            if child is None:
                continue  # a number (a numpy scalar) or what json.dumps will refuse itself
            if len(stack) == MAX_DEPTH:
                return at(path + [key], _too_deep())
            path.append(key)
            stack.append(_entries(child))
            break
        else:
            stack.pop()
            if path:
                path.pop()
    return None


def check_storable(value, *, texts: bool = True) -> None:
    """CircuitError naming the place if ``value`` holds what a JSON file of ours cannot: nesting
    deeper than MAX_DEPTH, a key that is not a string, or (if ``texts``) text that is not
    Unicode. Lists, tuples and numpy arrays (anything with ``tolist``) count as lists."""
    problem = _first_problem(value, texts)
    if problem is not None:
        raise CircuitError(problem)
