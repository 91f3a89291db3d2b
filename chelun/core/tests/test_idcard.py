"""Tests for chelun.core.idcard (pure, no Django)."""

from __future__ import annotations

from datetime import date

import pytest

from chelun.core.idcard import (
    IdNumberError,
    birth_date_from_id,
    gender_from_id,
    id_check_digit,
    make_synthetic_id,
    normalize_id_number,
    validate_id_number,
)

TODAY = date(2025, 1, 1)

# Example from GB 11643-1999. Hand check of the first 17 digits:
# 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167,
# 167 mod 11 = 2 -> "10X98765432"[2] = "X".
STANDARD_FEMALE = "11010519491231002X"
# Built by hand: 51010419850615001 -> weighted sum 230, 230 mod 11 = 10 -> "2".
HAND_MALE = "510104198506150012"


def test_check_digit_standard_examples() -> None:
    assert id_check_digit("11010519491231002") == "X"
    # The standard's other example 440524188001010014: sum 195, 195 mod 11 = 8 -> "4".
    assert id_check_digit("44052418800101001") == "4"
    assert id_check_digit("51010419850615001") == "2"


@pytest.mark.parametrize(
    "bad",
    [
        "1101051949123100",
        "110105194912310021",
        "11010519491231A02",
        "１１０１０５１９４９１２３１００２",
    ],
)
def test_check_digit_rejects_non_17_ascii_digits(bad: str) -> None:
    with pytest.raises(IdNumberError) as exc_info:
        id_check_digit(bad)
    assert exc_info.value.code == "id_chars"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (STANDARD_FEMALE, STANDARD_FEMALE),
        ("11010519491231002x", STANDARD_FEMALE),  # lower-case x
        (" 110105 19491231 002x ", STANDARD_FEMALE),  # spaces anywhere
        (
            "１１０１０５１９４９１２３１００２Ｘ",
            STANDARD_FEMALE,
        ),  # full-width IME input
        (HAND_MALE, HAND_MALE),
    ],
)
def test_validate_id_number_normalises(raw: str, expected: str) -> None:
    assert validate_id_number(raw, today=TODAY) == expected


def test_normalize_id_number() -> None:
    assert normalize_id_number(" 11010519491231002x\t") == STANDARD_FEMALE


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_length"),
        ("11010519491231002", "id_length"),  # 17 digits
        ("11010519491231002XX", "id_length"),
        ("110105194912310", "id_length"),  # old 15-digit format is not accepted
        ("1101051949123100XX", "id_chars"),  # X only allowed last
        ("11010519491231002Y", "id_chars"),
        ("1101O519491231002X", "id_chars"),  # letter O instead of zero
        ("11010519491231002-", "id_chars"),
        ("11010519490230002X", "id_birth_date"),  # Feb 30
        ("11010519491331002X", "id_birth_date"),  # month 13
        ("11010519490000002X", "id_birth_date"),
        ("11010519000229002X", "id_birth_date"),  # 1900 was not a leap year
        ("440524188001010014", "id_birth_date"),  # valid checksum, but born 1880
        ("11010520250102002X", "id_birth_date"),  # after TODAY
        ("110105194912310021", "id_check_digit"),
        ("11010519491231003X", "id_check_digit"),  # one digit changed
        ("510104198506150013", "id_check_digit"),
    ],
)
def test_validate_id_number_errors(raw: str, code: str) -> None:
    with pytest.raises(IdNumberError) as exc_info:
        validate_id_number(raw, today=TODAY)
    assert exc_info.value.code == code
    assert isinstance(exc_info.value, ValueError)
    assert exc_info.value.message == str(exc_info.value)


def test_validate_id_number_length_message_is_chinese() -> None:
    with pytest.raises(IdNumberError) as exc_info:
        validate_id_number("12345", today=TODAY)
    assert exc_info.value.message == "身份证号应为 18 位，当前为 5 位"


def test_leap_day_is_valid() -> None:
    number = make_synthetic_id("510104", date(2000, 2, 29), 7, "female")
    assert number == "51010420000229014" + id_check_digit("51010420000229014")
    assert birth_date_from_id(number) == date(2000, 2, 29)


def test_birth_date_and_gender() -> None:
    assert birth_date_from_id(STANDARD_FEMALE) == date(1949, 12, 31)
    assert gender_from_id(STANDARD_FEMALE) == "female"  # 17th digit 2 is even
    assert birth_date_from_id(HAND_MALE) == date(1985, 6, 15)
    assert gender_from_id(HAND_MALE) == "male"  # 17th digit 1 is odd


def test_birth_date_from_id_validates() -> None:
    with pytest.raises(IdNumberError) as exc_info:
        birth_date_from_id("110105194912310021")
    assert exc_info.value.code == "id_check_digit"


@pytest.mark.parametrize(
    ("sequence", "gender", "expected"),
    [
        (1, "male", "510104198506150012"),
        (1, "female", "510104198506150020"),
        (499, "male", "510104198506159973"),
        (499, "female", "51010419850615998" + id_check_digit("51010419850615998")),
    ],
)
def test_make_synthetic_id(sequence: int, gender: str, expected: str) -> None:
    number = make_synthetic_id("510104", date(1985, 6, 15), sequence, gender)
    assert number == expected
    assert validate_id_number(number, today=TODAY) == number
    assert gender_from_id(number) == gender


def test_make_synthetic_id_is_deterministic_and_distinct() -> None:
    numbers = {
        make_synthetic_id("510104", date(1990, 1, 1), seq, g) for seq in range(1, 500) for g in ("male", "female")
    }
    assert len(numbers) == 998


@pytest.mark.parametrize(
    ("region", "birth", "sequence", "gender", "code"),
    [
        ("51010", date(1985, 6, 15), 1, "male", "id_region"),
        ("010104", date(1985, 6, 15), 1, "male", "id_region"),
        ("51010a", date(1985, 6, 15), 1, "male", "id_region"),
        ("510104", date(1899, 12, 31), 1, "male", "id_birth_date"),
        ("510104", date(1985, 6, 15), 0, "male", "id_sequence"),
        ("510104", date(1985, 6, 15), 500, "female", "id_sequence"),
        ("510104", date(1985, 6, 15), 1, "M", "id_gender"),
    ],
)
def test_make_synthetic_id_errors(region: str, birth: date, sequence: int, gender: str, code: str) -> None:
    with pytest.raises(IdNumberError) as exc_info:
        make_synthetic_id(region, birth, sequence, gender)
    assert exc_info.value.code == code
