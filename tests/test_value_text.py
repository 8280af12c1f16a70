"""How the editors name and preview a source's value: undo texts, previews, exact copies."""

import numpy as np
import pytest

from gui.model.value_text import edit_text, frozen, same_value, value_preview, value_tooltip

W = np.array([[0.1, 0.5], [-0.3, 0.8]])


@pytest.mark.parametrize("old, new, text", [
    (1.0, 2.5, "Set W = 2.50"),
    (W, [[0.1, 3.0], [-0.3, 0.8]], "Set W[0, 1] = 3.00"),
    (W, np.ones((2, 2)), "Fill W with ones"),
    (W, np.zeros((2, 2)), "Fill W with zeros"),
    (W, np.full((2, 2), 0.5), "Fill W with 0.50"),
    (W, [[1.0, 2.0], [3.0, 4.0]], "Set W (2×2)"),
    (W, np.zeros((3, 2)), "Reshape W to 3×2"),
    (W, np.zeros(4), "Reshape W to 4"),
    (W, 0.0, "Reshape W to a number"),
    (0.0, np.zeros(3), "Reshape W to 3"),
    (np.zeros(3), [0.0, 0.0, -1.0], "Set W[2] = -1.00"),
])
def test_an_edit_is_named_by_what_it_did(old, new, text):
    assert edit_text("W", frozen(old), frozen(new)) == text


def test_previews_cut_long_tensors_short_and_tooltips_give_every_digit():
    assert value_preview(0.5) == "0.50"
    assert value_preview(np.array([0.2, 0.4])) == "[0.20, 0.40]"
    assert value_preview(W) == "2×2 [0.10, 0.50; -0.30, 0.80]"
    assert value_preview(np.arange(8.0)) == "[0.00, 1.00, 2.00, 3.00, …] (8)"
    assert value_preview(np.arange(6.0).reshape(3, 2)) == "3×2 [0.00, 1.00; 2.00, 3.00, …]"
    assert value_preview(np.array([np.nan, np.inf])) == "[nan, inf]"
    assert value_preview(W, 1) == "2×2 [0.10, …]"
    assert value_preview(W, 0) == "2×2 […]"
    assert value_tooltip("W", W) == "W: matrix 2×2\n0.1  0.5\n-0.3  0.8"
    assert value_tooltip("x", 1 / 3) == "x = 0.3333333333333333"


def test_a_frozen_value_is_a_read_only_copy_and_values_compare_by_shape_and_numbers():
    mine = np.array([1.0, 2.0])
    kept = frozen(mine)
    mine[0] = 5.0
    assert kept[0] == 1.0 and not kept.flags.writeable
    assert type(frozen(np.float64(2.0))) is float
    assert frozen([[1, 2]]).shape == (1, 2)
    assert same_value(W, W.copy()) and not same_value(W, W.T)
    assert not same_value(np.zeros(1), 0.0)  # a vector of one is not the number
    assert not same_value(np.zeros((1, 2)), np.zeros(2))
