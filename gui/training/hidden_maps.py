"""A hidden layer's pictures as numbers: every unit's map in one atlas, and the warped grid.

Select a hidden layer (a gate whose value is a vector of h units) and each unit is a function
of the point (x, y): TensorFlow Playground draws one small map per neuron. ``unit_atlas`` lays
the h maps (each sampled on the same small grid over the plane) out as tiles of ONE image, in
reading order (unit 0 top left), so pyqtgraph draws 256 maps as fast as one: each tile shaded
like the boundary plot (``boundary_image.shade``), on its own scale (a unit's own range, as
``boundary_image.robust_scale`` finds it, so a weak unit's shape shows too), and separated from
its neighbours by a grey gap. All units are shaded and laid out in a few numpy calls.

The lecture's "space warping": a layer of 2 units maps every point of the plane to a point
(h_0, h_1), and the data that no line separates in (x, y) may be separable there.
``grid_lines`` gives the points of the input grid's lines (the net then maps them), so the
warped grid can be drawn as curves.

Nothing here imports Qt: ``gui/training/hidden_view.py`` hands the arrays to pyqtgraph.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from gui.training.boundary_image import NOT_FINITE_INDEX, shade

GAP = 2  # pixels of grey between tiles
GRID_LINES = 11  # lines of the input grid along each axis
LINE_SAMPLES = 48  # points along each grid line


def atlas_columns(units: int) -> int:
    """How many tiles across: a grid as square as possible."""
    return max(1, math.ceil(math.sqrt(units)))


def unit_scales(values: np.ndarray) -> np.ndarray:
    """Each unit's own colour scale (``robust_scale`` of its map), for ``values`` (ny, nx,
    units) at once."""
    magnitudes = np.abs(np.asarray(values, dtype=np.float64))
    finite = np.isfinite(magnitudes)
    if finite.all():  # the usual case: numpy's percentile works on every unit at once
        scales = 0.5 * np.percentile(magnitudes, 95, axis=(0, 1))
    else:  # nanpercentile goes unit by unit in Python: only where it must
        magnitudes[~finite] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a unit with no finite value
            scales = 0.5 * np.nanpercentile(magnitudes, 95, axis=(0, 1))
    return np.where(np.isfinite(scales) & (scales > 1e-12), scales, 1.0)


def unit_atlas(values: np.ndarray) -> tuple[np.ndarray, int, int]:
    """The atlas image of ``values`` (ny, nx, units): lookup-table indices (row 0 at the
    bottom, as the boundary plot's images), and the tiles' (rows, columns)."""
    ny, nx, units = values.shape
    columns = atlas_columns(units)
    rows = math.ceil(units / columns)
    tiles = np.full((rows * columns, ny + GAP, nx + GAP), NOT_FINITE_INDEX, dtype=np.float32)
    tiles[:units, :ny, :nx] = np.moveaxis(shade(values, unit_scales(values)), 2, 0)
    # unit 0 on the top row: the image's last rows; each tile's gap above and right of it
    grid = tiles.reshape(rows, columns, ny + GAP, nx + GAP)[::-1]
    image = grid.transpose(0, 2, 1, 3).reshape(rows * (ny + GAP), columns * (nx + GAP))
    return np.ascontiguousarray(image[:-GAP, :-GAP]), rows, columns


def tile_of(x: float, y: float, ny: int, nx: int, rows: int, columns: int,
            units: int) -> int | None:
    """The unit whose tile holds atlas pixel (x, y) (y up from the bottom), or None."""
    column, row_from_bottom = int(x // (nx + GAP)), int(y // (ny + GAP))
    if not (0 <= column < columns and 0 <= row_from_bottom < rows) or x < 0 or y < 0:
        return None
    if x - column * (nx + GAP) >= nx or y - row_from_bottom * (ny + GAP) >= ny:
        return None  # in a gap
    unit = (rows - 1 - row_from_bottom) * columns + column
    return unit if unit < units else None


def grid_lines(x_range, y_range, count: int = GRID_LINES,
               samples: int = LINE_SAMPLES) -> np.ndarray:
    """The input grid's lines as points (2 * count, samples, 2): ``count`` vertical lines
    (x fixed) across ``x_range``, then ``count`` horizontal ones (y fixed)."""
    xs = np.linspace(x_range[0], x_range[1], count)
    ys = np.linspace(y_range[0], y_range[1], count)
    along_y = np.linspace(y_range[0], y_range[1], samples)
    along_x = np.linspace(x_range[0], x_range[1], samples)
    lines = np.empty((2 * count, samples, 2))
    lines[:count, :, 0] = xs[:, np.newaxis]
    lines[:count, :, 1] = along_y[np.newaxis, :]
    lines[count:, :, 0] = along_x[np.newaxis, :]
    lines[count:, :, 1] = ys[:, np.newaxis]
    return lines
