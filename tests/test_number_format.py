"""How numbers read: one short format (the canvas's), every digit on hover, and in a sentence
about one number enough digits that 99.99938 never reads as 100.00."""

import math

import pytest

from engine import format_full, format_number, format_precise, format_readout


@pytest.mark.parametrize("x, short", [
    (0.7310585786300049, "0.73"), (2.0, "2.00"), (-4.0, "-4.00"), (-12.0, "-12.00"),
    (0.0, "0.00"), (-0.0, "0.00"),  # zero reads 0.00 whatever its sign
    (1.2e30, "1.2e+30"), (0.001, "0.001"), (math.nan, "nan"), (-math.inf, "-inf")])
def test_the_one_short_format(x, short):
    assert format_number(x) == short


def test_hover_gives_every_digit_and_the_sign_of_zero():
    assert format_full(-0.19661193324148185) == "-0.19661193324148185"
    assert float(format_full(0.1 + 0.2)) == 0.1 + 0.2
    assert format_full(-0.0) == "-0.0"


@pytest.mark.parametrize("x, readout", [
    (0.7310585786300049, "0.73"), (2.0, "2.00"), (-0.0, "0.00"), (1.2e30, "1.2e+30"),
    (99.9949, "99.99"),  # the canvas's text whenever it does not look whole
    (123456.7, "1.2e+05"), (math.nan, "nan"),
    # the guide's custom gate after gradient ascent: 100.00 would say the maximum was reached
    (100 - (3.487488988616036 - 3.512326611377091) ** 2, "99.9994"),
    (100.004, "100.004"),
    (-2.0000001, "-2.0000001"),  # six digits would still look whole: every digit
])
def test_a_readout_is_the_canvas_text_unless_that_looks_whole_and_is_not(x, readout):
    assert format_readout(x) == readout


def test_an_editor_holds_ten_digits_and_a_zero_without_its_sign():
    assert format_precise(3.487488988616036) == "3.487488989"
    assert format_precise(-0.0) == format_precise(0.0) == "0"
