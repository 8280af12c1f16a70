"""A user's text file, read safely: its bytes within a size limit, decoded as UTF-8.

Both kinds of file the program reads (circuit files and data-set CSV files) come through here,
so a missing file, a folder, a file without permission, one too large and one that is not
UTF-8 text are refused the same way, with a CircuitError naming the path (and, for bytes that
are not UTF-8, the line and the column).
"""

from __future__ import annotations

import os

from .errors import CircuitError

MAX_FILE_BYTES = 20 * 1024 * 1024


def check_size(size: int) -> None:
    """CircuitError if a file of ``size`` bytes (or characters) is over MAX_FILE_BYTES."""
    if size > MAX_FILE_BYTES:
        raise CircuitError(f"the file is too large ({size / 1e6:.1f} MB; the limit is "
                           f"{MAX_FILE_BYTES // (1024 * 1024)} MB)")


def line_and_column(text: str | bytes, offset: int) -> str:
    """"line L, column C" of ``offset`` in ``text`` (both counted from 1, columns in characters
    of a str or bytes of bytes)."""
    newline = "\n" if isinstance(text, str) else b"\n"
    line = text.count(newline, 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(newline, 0, offset) + 1) + 1}"


def decode_utf8(data: bytes) -> str:
    """``data`` as text (a leading byte-order mark dropped); CircuitError at the first bad byte,
    with its line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CircuitError(f"{line_and_column(data, error.start)}: not UTF-8 text "
                           f"(byte 0x{data[error.start]:02x} cannot be decoded)") from None


def read_text(path, kind: str) -> str:
    """The text of the UTF-8 file at ``path`` (at most MAX_FILE_BYTES); CircuitError naming
    the path. ``kind`` says what the file should have been ("a circuit file", "a CSV file")."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                check_size(os.fstat(file.fileno()).st_size)
        return decode_utf8(data)
    except CircuitError as error:
        raise CircuitError(f"{name}: {error}") from None
    except FileNotFoundError:
        raise CircuitError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CircuitError(f"{name}: is a folder, not {kind}") from None
    except PermissionError:
        raise CircuitError(f"{name}: permission denied") from None
    except OSError as error:
        raise CircuitError(f"{name}: cannot read ({error.strerror or error})") from None
