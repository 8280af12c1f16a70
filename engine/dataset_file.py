"""Data-set files: labelled 2D points as CSV, one point per row: ``x,y,label``.

Reading is forgiving about form and strict about content:

- a header row is optional (a first row none of whose fields is a number, like ``x,y,label``,
  is one);
- blank lines and lines starting with ``#`` are skipped; spaces around fields are fine;
- labels are +1 and -1 (written ``1``, ``+1``, ``-1``, ``1.0``...). Files labelled the other
  common way, with 0 and 1, are read too: when every label is 0 or 1, 0 means -1. A file
  mixing 0 with -1 is refused, since there is no telling what its 0 means;
- anything else (a missing or extra column, a number that is not finite, another label, a file
  without a single point) is refused with a CircuitError naming the file and the line.

Writing gives ``x,y,label`` with a header, coordinates in full precision (``repr`` of the
float, so a round trip gives the same numbers) and labels 1 / -1, atomically: the old file
survives any failure (``atomic_write``). Reading shares ``text_files`` with the circuit file:
the same size limit and the same messages for a file that cannot be read.
"""

from __future__ import annotations

import csv
import io
import math
import os

import numpy as np

from .atomic_write import write_atomically
from .datasets import MAX_POINTS, Dataset
from .errors import CircuitError, quote
from .text_files import read_text

HEADER = ("x", "y", "label")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def parse_csv(text: str, name: str = "custom") -> Dataset:
    """The data set in CSV ``text``; CircuitError with the line number for a bad row."""
    points, labels, lines = [], [], []
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")), skipinitialspace=True,
                      strict=True)
    header_allowed = True
    try:
        for row in rows:
            line = rows.line_num
            fields = [field.strip() for field in row]
            if not any(fields) or fields[0].startswith("#"):
                continue
            if header_allowed and all(_number(field) is None for field in fields):
                header_allowed = False  # a header names its columns: none is a number
                continue
            header_allowed = False
            if len(fields) != 3:
                raise CircuitError(f"line {line}: expected 3 fields x,y,label, found "
                                   f"{len(fields)}")
            x, y, label = (_number(field) for field in fields)
            for value, field, what in ((x, fields[0], "x"), (y, fields[1], "y"),
                                       (label, fields[2], "label")):
                if value is None:
                    raise CircuitError(f"line {line}: {what} {quote(field)} is not a number")
                if not math.isfinite(value):
                    raise CircuitError(f"line {line}: {what} {quote(field)} is not finite")
            if label not in (1.0, -1.0, 0.0):
                raise CircuitError(f"line {line}: label {quote(fields[2])} must be 1 or -1 "
                                   "(or 0 and 1 throughout)")
            if len(points) == MAX_POINTS:
                raise CircuitError(f"line {line}: more than {MAX_POINTS} points")
            points.append((x, y))
            labels.append(label)
            lines.append(line)
    except csv.Error as error:
        raise CircuitError(f"line {rows.line_num}: not valid CSV: {error}") from None
    if not points:
        raise CircuitError("no data rows: expected one point per line as x,y,label "
                           "(comma-separated)")
    labels = np.array(labels, dtype=np.float64)
    if (labels == 0.0).any():
        if (labels == -1.0).any():
            zero = lines[int(np.flatnonzero(labels == 0.0)[0])]
            minus = lines[int(np.flatnonzero(labels == -1.0)[0])]
            raise CircuitError(f"line {zero}: label 0 in a file that also uses -1 (line "
                               f"{minus}); use 1 and -1, or 0 and 1 throughout")
        labels = np.where(labels == 0.0, -1.0, 1.0)
    return Dataset(np.array(points, dtype=np.float64).reshape(-1, 2), labels, name)


def load_csv(path) -> Dataset:
    """The data set in the CSV file at ``path``, named after the file; CircuitError if unusable."""
    text = read_text(path, "a CSV file")
    name = os.path.splitext(os.path.basename(os.fspath(path)))[0] or "custom"
    try:
        return parse_csv(text, name)
    except CircuitError as error:
        raise CircuitError(f"{os.fspath(path)}: {error}") from None


def dumps_csv(dataset: Dataset) -> str:
    """The CSV text of ``dataset``: a header, then ``x,y,label`` per point."""
    rows = [",".join(HEADER)]
    rows += [f"{x!r},{y!r},{int(label)}"
             for (x, y), label in zip(dataset.points.tolist(), dataset.labels)]
    return "\n".join(rows) + "\n"


def save_csv(dataset: Dataset, path) -> None:
    """Write ``dataset`` to ``path`` as CSV, atomically; CircuitError naming the path."""
    write_atomically(path, lambda: dumps_csv(dataset).encode("utf-8"))
