"""The decision-boundary picture as numbers: the grid over the plane, its colours, the zero line.

A classifier's score s(x, y) is sampled on a grid of points covering the plot. The picture
shows its sign by hue (TensorFlow Playground's colours: blue where s > 0, orange where s < 0)
and its size by intensity: the colour is ``tanh(s / scale)`` of the way from a pale neutral to
the full hue, so the band |s| < scale (the SVM's margin for scale 1) fades into the boundary
and far from it the colour is full. Values that are not finite numbers get a grey of their own.

The image is what pyqtgraph's ImageItem draws fastest: row-major float32, row 0 at the
smallest y, holding lookup-table indices (levels 0..256, so index = floor(pixel)); index 0 is
the grey for nan/inf, 1..255 run from full orange through neutral (128) to full blue.

The decision boundary is the zero contour of the sampled score, found by marching squares
(vectorised: each grid cell whose corners differ in sign holds one segment, a saddle cell two,
resolved by the value at its centre). Along each cell edge the crossing is linearly
interpolated, so for a linear score a*x + b*y + c the segments lie exactly on the line.

Nothing here imports Qt: the plot widget (gui/boundary_plot.py) only hands these arrays over.
"""

from __future__ import annotations

import numpy as np

NEGATIVE_RGB = (245, 147, 34)  # TensorFlow Playground's orange: score < 0, label -1
POSITIVE_RGB = (8, 119, 189)  # its blue: score > 0, label +1
NEUTRAL_RGB = (246, 246, 244)  # score 0
NOT_FINITE_RGB = (160, 160, 160)  # nan or inf
FULL = 0.6  # the background's strongest colour: paler than the points' colours
LEVELS = (0.0, 256.0)  # the levels to draw ``shade`` images with
NOT_FINITE_INDEX = 0.5
CENTRE_INDEX = 128.0
HALF_RANGE = 127.0  # indices 1..255 hold tanh values -1..1


def plane_grid(x_range, y_range, nx: int, ny: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid coordinates ``xs`` (nx), ``ys`` (ny), both ends included, and the points (ny, nx, 2)."""
    xs = np.linspace(float(x_range[0]), float(x_range[1]), int(nx))
    ys = np.linspace(float(y_range[0]), float(y_range[1]), int(ny))
    points = np.empty((len(ys), len(xs), 2))
    points[..., 0] = xs[np.newaxis, :]
    points[..., 1] = ys[:, np.newaxis]
    return xs, ys, points


def robust_scale(values: np.ndarray) -> float:
    """Half the 95th percentile of |value| over the finite values (1 if that is 0 or none)."""
    magnitudes = np.abs(values[np.isfinite(values)])
    if not magnitudes.size:
        return 1.0
    scale = 0.5 * float(np.percentile(magnitudes, 95))
    return scale if scale > 1e-12 else 1.0


def shade(values: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """The float32 image of lookup-table indices for ``values`` (see the module docstring)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    with np.errstate(all="ignore"):
        squashed = np.tanh(np.where(finite, values, 0.0) / scale)
    image = CENTRE_INDEX + HALF_RANGE * squashed
    image[~finite] = NOT_FINITE_INDEX
    return image.astype(np.float32)


def colour_table() -> np.ndarray:
    """The 256-entry RGBA lookup table that ``shade`` indexes."""
    t = (np.arange(256) - CENTRE_INDEX) / HALF_RANGE  # -1 at index 1, +1 at index 255
    strength = FULL * np.abs(t)[:, np.newaxis]
    hue = np.where(t[:, np.newaxis] < 0, NEGATIVE_RGB, POSITIVE_RGB)
    rgb = (1.0 - strength) * np.array(NEUTRAL_RGB) + strength * hue
    table = np.empty((256, 4), dtype=np.uint8)
    table[:, :3] = np.round(rgb)
    table[:, 3] = 255
    table[0, :3] = NOT_FINITE_RGB
    return table


def _crossings(low, high, a, b):
    """Where the line from value ``low`` at ``a`` to ``high`` at ``b`` crosses zero."""
    with np.errstate(all="ignore"):
        t = low / (low - high)
    return a + np.clip(np.nan_to_num(t), 0.0, 1.0) * (b - a)


def zero_contour(values: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                 level: float = 0.0) -> np.ndarray:
    """The segments (m, 2, 2) where the sampled ``values`` (ny, nx) cross ``level``."""
    v = np.asarray(values, dtype=np.float64) - level
    ny, nx = v.shape
    if nx < 2 or ny < 2:
        return np.empty((0, 2, 2))
    finite = np.isfinite(v)
    above = v > 0
    v = np.where(finite, v, 0.0)
    # the crossing on each horizontal edge (j, i)-(j, i+1) and vertical edge (j, i)-(j+1, i)
    horizontal = np.empty((ny, nx - 1, 2))
    horizontal[..., 0] = _crossings(v[:, :-1], v[:, 1:], xs[:-1], xs[1:])
    horizontal[..., 1] = ys[:, np.newaxis]
    vertical = np.empty((ny - 1, nx, 2))
    vertical[..., 0] = xs[np.newaxis, :]
    vertical[..., 1] = _crossings(v[:-1, :], v[1:, :], ys[:-1, np.newaxis], ys[1:, np.newaxis])
    h_cut = above[:, :-1] != above[:, 1:]
    v_cut = above[:-1, :] != above[1:, :]
    usable = finite[:-1, :-1] & finite[:-1, 1:] & finite[1:, :-1] & finite[1:, 1:]
    edges = {  # per cell: (crossed?, crossing point)
        "bottom": (h_cut[:-1] & usable, horizontal[:-1]),
        "top": (h_cut[1:] & usable, horizontal[1:]),
        "left": (v_cut[:, :-1] & usable, vertical[:, :-1]),
        "right": (v_cut[:, 1:] & usable, vertical[:, 1:]),
    }
    count = sum(cut.astype(np.int8) for cut, _point in edges.values())
    pieces = []

    def connect(first: str, second: str, cells: np.ndarray) -> None:
        if cells.any():
            pieces.append(np.stack([edges[first][1][cells], edges[second][1][cells]], axis=1))

    two = count == 2
    names = list(edges)
    for k, first in enumerate(names):
        for second in names[k + 1:]:
            connect(first, second, two & edges[first][0] & edges[second][0])
    saddle = count == 4
    if saddle.any():
        centre_above = (v[:-1, :-1] + v[:-1, 1:] + v[1:, :-1] + v[1:, 1:]) > 0
        joined = centre_above == above[:-1, :-1]  # the bottom-left corner's side runs through
        connect("bottom", "right", saddle & joined)
        connect("top", "left", saddle & joined)
        connect("bottom", "left", saddle & ~joined)
        connect("top", "right", saddle & ~joined)
    if not pieces:
        return np.empty((0, 2, 2))
    segments = np.concatenate(pieces)
    # a zero on a grid point makes cells touching it hold segments of no length
    step = min(abs(xs[1] - xs[0]), abs(ys[1] - ys[0]))
    lengths = np.hypot(*(segments[:, 1] - segments[:, 0]).T)
    return segments[lengths > 1e-9 * step]


def join_segments(segments: np.ndarray, digits: int = 9) -> list[np.ndarray]:
    """The segments chained into polylines (each an (n, 2) array) where their ends meet."""
    def key(point) -> tuple:
        return (round(float(point[0]), digits), round(float(point[1]), digits))

    at: dict[tuple, list[int]] = {}
    for index, (start, end) in enumerate(segments):
        at.setdefault(key(start), []).append(index)
        at.setdefault(key(end), []).append(index)
    used = np.zeros(len(segments), dtype=bool)
    paths = []
    for first in range(len(segments)):
        if used[first]:
            continue
        used[first] = True
        line = [segments[first][0], segments[first][1]]
        for forward in (True, False):
            while True:
                tip = line[-1] if forward else line[0]
                following = next((i for i in at.get(key(tip), ()) if not used[i]), None)
                if following is None:
                    break
                used[following] = True
                start, end = segments[following]
                point = end if key(start) == key(tip) else start
                if forward:
                    line.append(point)
                else:
                    line.insert(0, point)
        paths.append(np.array(line))
    return paths
