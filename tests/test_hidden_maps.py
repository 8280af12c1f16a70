"""The hidden layer's pictures as numbers: the atlas puts unit k's map, shaded on its own
scale, in tile k (reading order, unit 0 top left, row 0 of the image at the bottom), with
grey gaps; tile_of finds the unit under a pixel; grid_lines are the input grid's lines."""

import numpy as np

from gui.training.boundary_image import NOT_FINITE_INDEX, robust_scale, shade
from gui.training.hidden_maps import GAP, grid_lines, tile_of, unit_atlas


def test_each_unit_is_its_own_tile_on_its_own_scale():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(4, 5, 7)) * np.arange(1, 8)  # units of growing size
    values[0, 0, 3] = np.nan
    image, rows, columns = unit_atlas(values)
    assert (rows, columns) == (3, 3)
    assert image.shape == (3 * 4 + 2 * GAP, 3 * 5 + 2 * GAP) and image.dtype == np.float32
    for unit in range(7):
        row, column = divmod(unit, 3)
        bottom, left = (2 - row) * (4 + GAP), column * (5 + GAP)
        tile = values[:, :, unit]
        expected = shade(tile, robust_scale(tile))
        assert np.allclose(image[bottom:bottom + 4, left:left + 5], expected, atol=1e-4)
        assert tile_of(left + 2, bottom + 1, 4, 5, rows, columns, 7) == unit
    assert np.all(image[4:4 + GAP, :] == NOT_FINITE_INDEX)  # the gap above the bottom row
    assert np.all(image[:4, 2 * (5 + GAP):] == NOT_FINITE_INDEX)  # the 8th and 9th tiles: none
    assert tile_of(5, 1, 4, 5, rows, columns, 7) is None  # in a gap
    assert tile_of(2 * (5 + GAP) + 1, 1, 4, 5, rows, columns, 7) is None  # an empty tile


def test_grid_lines_run_along_the_other_axis():
    lines = grid_lines((-1, 1), (0, 2), count=3, samples=4)
    assert lines.shape == (6, 4, 2)
    assert np.allclose(lines[0, :, 0], -1) and np.allclose(lines[0, :, 1], [0, 2 / 3, 4 / 3, 2])
    assert np.allclose(lines[5, :, 1], 2) and np.allclose(lines[5, :, 0], np.linspace(-1, 1, 4))
