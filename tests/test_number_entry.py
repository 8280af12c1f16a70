"""Typed numbers: one reading and one refusal for every field where a value is typed."""

import pytest

from gui.common.number_entry import (MAX_QUOTED, as_number, edited_number, parse_number,
                                     refusal, unchanged)


@pytest.mark.parametrize("text, number", [("-2", -2.0), (" 0.5 ", 0.5), ("1e-3", 0.001),
                                          ("−0.5", -0.5), ("+3", 3.0), ("1e300", 1e300),
                                          ("1.", 1.0), (".5", 0.5), ("-.5", -0.5),
                                          ("1E+3", 1000.0), ("−1e−3", -0.001)])
def test_the_spellings_people_type_are_read(text, number):
    assert parse_number(text) == number and as_number(text) == number


@pytest.mark.parametrize("text", ["abc", "", "  ", "nan", "inf", "-inf", "1e999", "1,5", "2x",
                                  "1_000", "٣", "１２", "1e1_0", "0x10", "Infinity", "NaN",
                                  "--1", "1e", "."])
def test_words_and_numbers_that_are_not_finite_are_refused_naming_the_text(text):
    with pytest.raises(ValueError) as refused:
        parse_number(text)
    assert str(refused.value) == refusal(text)
    assert as_number(text) is None


def test_the_refusal_says_what_was_typed_and_what_is_wanted():
    assert refusal(" abc ") == "'abc' is not a finite number (type one like -2, 0.5 or 1e-3)"


def test_a_long_refused_text_is_quoted_only_in_part():
    message = refusal("9" * 1_000_000 + "x")
    assert len(message) < MAX_QUOTED + 80
    assert message.startswith("'" + "9" * MAX_QUOTED + "…'")


def test_an_edit_left_as_it_was_shown_sets_no_number():
    # the field showed x = -0.8807970779778823 to ten digits: leaving it is no edit
    assert unchanged(" -0.880797078", "-0.880797078")
    assert edited_number("-0.880797078 ", "-0.880797078") is None
    assert edited_number("-0.88", "-0.880797078") == -0.88
    assert edited_number("2", "2.000000000") == 2.0  # typed: a number, even the same one
    with pytest.raises(ValueError) as refused:
        edited_number("abc", "-2")
    assert str(refused.value) == refusal("abc")
