"""Typed numbers: one reading and one refusal for every field where a value is typed."""

import pytest

from gui.common.number_entry import MAX_QUOTED, as_number, parse_number, refusal


@pytest.mark.parametrize("text, number", [("-2", -2.0), (" 0.5 ", 0.5), ("1e-3", 0.001),
                                          ("−0.5", -0.5), ("+3", 3.0), ("1e300", 1e300)])
def test_the_spellings_people_type_are_read(text, number):
    assert parse_number(text) == number and as_number(text) == number


@pytest.mark.parametrize("text", ["abc", "", "  ", "nan", "inf", "-inf", "1e999", "1,5", "2x"])
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
