"""Data sets: labelled 2D points for a circuit to classify.

A ``Dataset`` is n points (x, y) with a label +1 or -1 each: the hacker's guide's six points,
or one of the generated shapes TensorFlow Playground made familiar (circle, xor, two Gaussian
blobs, a two-armed spiral, two moons). Column 0 of the points is what an input with
``feature: 0`` is bound to when training, column 1 what ``feature: 1`` is bound to.

Every generator takes ``(n, noise, seed)``: ``n`` points, half of them +1 (the odd one out is
-1), ``noise`` the standard deviation of Gaussian jitter added to each coordinate, and a seed
that makes the same call give the same points. The shapes live in about [-2.5, 2.5] squared,
the scale of the guide's six points. ``DATASETS`` names them for the GUI and the command line.

Data sets are immutable: ``add_point`` and ``remove_nearest`` (the boundary plot's clicks)
return new ones. ``to_dict`` / ``from_dict`` are the ``"dataset"`` key a circuit file may
carry (``{"name": ..., "points": [[x, y], ...], "labels": [1, -1, ...]}``), read strictly:
anything else is refused with a CircuitError naming the place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .circuit import Circuit
from .errors import CircuitError, quote
from .file_values import a_list, an_object, finite_number

DEFAULT_POINTS = 100
MAX_POINTS = 100_000
EXTRA_KEY = "dataset"  # the top-level key of a circuit file that holds its data set

# The hacker's guide's SVM example: six points and their labels, exactly.
GUIDE_POINTS = ((1.2, 0.7), (-0.3, -0.5), (3.0, 0.1), (-0.1, -1.0), (-1.0, 1.1), (2.1, -3.0))
GUIDE_LABELS = (1, -1, 1, -1, -1, 1)


FEATURE_NAMES = ("x", "y")  # what columns 0 and 1 of a 2D data set are called


def feature_name(feature: int | tuple) -> str:
    """The name of data column ``feature``: "x", "y", then "col 2", "col 3"...; of a vector
    input's columns (0, 1): "(x, y)"."""
    if isinstance(feature, tuple):
        return "(" + ", ".join(feature_name(column) for column in feature) + ")"
    return FEATURE_NAMES[feature] if 0 <= feature < len(FEATURE_NAMES) else f"col {feature}"


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Dataset:
    """n labelled points: ``points`` a float array (n, 2), ``labels`` a float array of +-1."""

    points: np.ndarray
    labels: np.ndarray
    name: str = "custom"

    def __post_init__(self):
        points = np.array(self.points, dtype=np.float64)
        labels = np.array(self.labels, dtype=np.float64)
        if points.size == 0:
            points = points.reshape(0, 2)
        if points.ndim != 2 or points.shape[1] != 2:
            raise CircuitError(f"a data set's points must be pairs (x, y), not an array of "
                               f"shape {points.shape}")
        if labels.ndim != 1 or len(labels) != len(points):
            raise CircuitError(f"a data set needs one label per point ({len(points)} points, "
                               f"labels of shape {labels.shape})")
        if not np.isfinite(points).all():
            row = int(np.flatnonzero(~np.isfinite(points).all(axis=1))[0])
            raise CircuitError(f"point {row}: coordinates must be finite numbers")
        wrong = np.flatnonzero((labels != 1.0) & (labels != -1.0))
        if len(wrong):
            raise CircuitError(f"point {int(wrong[0])}: the label must be +1 or -1, "
                               f"not {labels[wrong[0]]:g}")
        if not isinstance(self.name, str):
            raise CircuitError(f"a data set's name must be a string, not {self.name!r}")
        object.__setattr__(self, "points", _frozen(points))
        object.__setattr__(self, "labels", _frozen(labels))

    def __len__(self) -> int:
        return len(self.labels)

    def __eq__(self, other) -> bool:
        return (isinstance(other, Dataset) and self.name == other.name
                and np.array_equal(self.points, other.points)
                and np.array_equal(self.labels, other.labels))

    __hash__ = None

    @property
    def x(self) -> np.ndarray:
        """Column 0 (what ``feature: 0`` inputs are bound to)."""
        return self.points[:, 0]

    @property
    def y(self) -> np.ndarray:
        """Column 1 (what ``feature: 1`` inputs are bound to)."""
        return self.points[:, 1]

    def bounds(self, margin: float = 0.5) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) around the points plus ``margin`` (a square if empty)."""
        if not len(self):
            return (-3.0, 3.0, -3.0, 3.0)
        low, high = self.points.min(axis=0) - margin, self.points.max(axis=0) + margin
        return (float(low[0]), float(high[0]), float(low[1]), float(high[1]))

    # ------------------------------------------------------------------ editing (new objects)
    def add_point(self, x: float, y: float, label: int) -> Dataset:
        """A copy with the point (x, y) labelled ``label`` (+1 or -1) appended."""
        return Dataset(np.vstack([self.points, [[x, y]]]), np.append(self.labels, label),
                       self.name)

    def nearest(self, x: float, y: float) -> int | None:
        """The index of the point closest to (x, y), or None if there are none."""
        if not len(self):
            return None
        return int(np.argmin(np.hypot(self.x - x, self.y - y)))

    def remove_nearest(self, x: float, y: float, within: float | None = None) -> Dataset:
        """A copy without the point closest to (x, y) (unchanged if none is ``within``)."""
        index = self.nearest(x, y)
        if index is None:
            return self
        if within is not None and math.hypot(*(self.points[index] - (x, y))) > within:
            return self
        return Dataset(np.delete(self.points, index, axis=0), np.delete(self.labels, index),
                       self.name)

    # ------------------------------------------------------------------ the circuit file
    def to_dict(self) -> dict:
        """The data set as a circuit file stores it (plain lists; labels as integers)."""
        return {"name": self.name, "points": self.points.tolist(),
                "labels": [int(label) for label in self.labels]}

    @classmethod
    def from_dict(cls, data, place: str = EXTRA_KEY) -> Dataset:
        """The data set a circuit file's dict describes; CircuitError naming the place."""
        an_object(data, place, '{"points": [[x, y], ...], "labels": [1, -1, ...]}')
        for key in ("points", "labels"):
            if key not in data:
                raise CircuitError(f"{place}.{key}: missing")
            a_list(data[key], f"{place}.{key}")
        points, labels = data["points"], data["labels"]
        if len(points) > MAX_POINTS:
            raise CircuitError(f"{place}.points: {len(points)} points is more than the limit "
                               f"of {MAX_POINTS}")
        if len(labels) != len(points):
            raise CircuitError(f"{place}.labels: {len(labels)} labels for {len(points)} points "
                               "(one label per point)")
        for i, point in enumerate(points):
            if not (isinstance(point, list) and len(point) == 2):
                raise CircuitError(f"{place}.points[{i}]: must be [x, y], not {quote(point)}")
            for k, coordinate in enumerate(point):
                finite_number(coordinate, f"{place}.points[{i}][{k}]")
        for i, label in enumerate(labels):
            if isinstance(label, bool) or label not in (1, -1):
                raise CircuitError(f"{place}.labels[{i}]: must be 1 or -1, not {quote(label)}")
        name = data.get("name", "custom")
        if not isinstance(name, str):
            raise CircuitError(f"{place}.name: must be a string, not {quote(name)}")
        return cls(np.array(points, dtype=np.float64).reshape(-1, 2), labels, name)


def embedded_dataset(circuit: Circuit) -> Dataset | None:
    """The data set saved inside the circuit (its ``"dataset"`` key), or None."""
    data = circuit.extra.get(EXTRA_KEY)
    return None if data is None else Dataset.from_dict(data)


def embed_dataset(circuit: Circuit, dataset: Dataset | None) -> None:
    """Store ``dataset`` inside the circuit (saved with it); None removes it."""
    circuit.set_extra(EXTRA_KEY, None if dataset is None else dataset.to_dict())


# --------------------------------------------------------------------------- generators
def _check(n, noise) -> tuple[int, float]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= MAX_POINTS:
        raise ValueError(f"the number of points must be a whole number from 2 to "
                         f"{MAX_POINTS}, not {n!r}")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a number >= 0, not {noise!r}")
    return int(n), float(noise)


def _finish(name: str, positive: np.ndarray, negative: np.ndarray, noise: float,
            rng: np.random.Generator) -> Dataset:
    """The two classes jittered by ``noise`` and shuffled together."""
    points = np.vstack([positive, negative])
    labels = np.concatenate([np.ones(len(positive)), -np.ones(len(negative))])
    if noise:
        points = points + rng.normal(0.0, noise, size=points.shape)
    order = rng.permutation(len(labels))
    return Dataset(points[order], labels[order], name)


def _halves(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def six_points(n: int = 6, noise: float = 0.0, seed: int = 0) -> Dataset:
    """The hacker's guide's six points (``n`` is ignored; noise > 0 jitters them)."""
    _check(6, noise)
    points = np.array(GUIDE_POINTS, dtype=np.float64)
    if noise:
        points = points + np.random.default_rng(seed).normal(0.0, noise, size=points.shape)
    return Dataset(points, GUIDE_LABELS, "six_points")


def circle(n: int = DEFAULT_POINTS, noise: float = 0.0, seed: int = 0) -> Dataset:
    """+1 inside a disc of radius 1, -1 in a ring from radius 1.5 to 2.2 around it."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    inside, outside = _halves(n)

    def ring(count, low, high):
        radius = np.sqrt(rng.uniform(low ** 2, high ** 2, count))  # uniform over the area
        angle = rng.uniform(0.0, 2 * np.pi, count)
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])

    return _finish("circle", ring(inside, 0.0, 1.0), ring(outside, 1.5, 2.2), noise, rng)


def xor(n: int = DEFAULT_POINTS, noise: float = 0.0, seed: int = 0) -> Dataset:
    """+1 where x and y have the same sign, -1 where they differ (kept 0.2 off the axes)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    same, differ = _halves(n)

    def quadrants(count, flip):
        magnitude = rng.uniform(0.2, 2.2, size=(count, 2))
        sign = rng.choice([-1.0, 1.0], size=count)
        return magnitude * np.column_stack([sign, sign * flip])

    return _finish("xor", quadrants(same, 1.0), quadrants(differ, -1.0), noise, rng)


def blobs(n: int = DEFAULT_POINTS, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two Gaussian blobs (spread 0.5): +1 around (1, 1), -1 around (-1, -1)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    plus, minus = _halves(n)
    return _finish("blobs", rng.normal((1.0, 1.0), 0.5, size=(plus, 2)),
                   rng.normal((-1.0, -1.0), 0.5, size=(minus, 2)), noise, rng)


def spiral(n: int = DEFAULT_POINTS, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two interleaved spiral arms turning 1.75 times out to radius 2.2, one per label."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)

    def arm(count, turn):
        t = np.linspace(0.0, 1.0, count, endpoint=False) + 0.5 / max(count, 1)
        angle = 1.75 * 2 * np.pi * t + turn
        return np.column_stack([2.2 * t * np.sin(angle), 2.2 * t * np.cos(angle)])

    plus, minus = _halves(n)
    return _finish("spiral", arm(plus, 0.0), arm(minus, np.pi), noise, rng)


def moons(n: int = DEFAULT_POINTS, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two interleaving half circles (scikit-learn's moons, centred and scaled by 1.5)."""
    n, noise = _check(n, noise)
    rng = np.random.default_rng(seed)
    upper, lower = _halves(n)
    a = np.linspace(0.0, np.pi, upper)
    b = np.linspace(0.0, np.pi, lower)
    top = np.column_stack([np.cos(a), np.sin(a)])
    bottom = np.column_stack([1.0 - np.cos(b), 0.5 - np.sin(b)])
    shift = np.array([0.5, 0.25])
    return _finish("moons", 1.5 * (top - shift), 1.5 * (bottom - shift), noise, rng)


DATASETS: dict[str, Callable[..., Dataset]] = {
    "six_points": six_points,
    "circle": circle,
    "xor": xor,
    "blobs": blobs,
    "spiral": spiral,
    "moons": moons,
}


def make_dataset(name: str, n: int = DEFAULT_POINTS, noise: float = 0.0,
                 seed: int = 0) -> Dataset:
    """The data set ``DATASETS[name](n, noise, seed)``; ValueError naming the choices."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set '{name}' (one of: {', '.join(DATASETS)})")
    return DATASETS[name](n, noise, seed)
