"""Tests for chelun.core.money (pure, no Django)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chelun.core.money import YuanParseError, parse_yuan, yuan_decimal, yuan_text


@pytest.mark.parametrize(
    ("fen", "plain", "grouped"),
    [
        (0, "0.00", "0.00"),
        (5, "0.05", "0.05"),
        (12345, "123.45", "123.45"),
        (123456789, "1234567.89", "1,234,567.89"),
        (-1050, "-10.50", "-10.50"),
        (-123456789, "-1234567.89", "-1,234,567.89"),
    ],
)
def test_yuan_text(fen: int, plain: str, grouped: str) -> None:
    assert yuan_text(fen) == plain
    assert yuan_text(fen, thousands=True) == grouped


def test_yuan_text_is_exact_where_float_is_not() -> None:
    # 2**53 + 1 fen cannot be represented as a float divided by 100
    assert yuan_text(2**53 + 1) == "90071992547409.93"


def test_yuan_decimal() -> None:
    assert yuan_decimal(12345) == Decimal("123.45")
    assert yuan_decimal(-1) == Decimal("-0.01")
    assert str(yuan_decimal(100)) == "1.00"


@pytest.mark.parametrize(("text", "fen"), [("12.34", 1234), ("12", 1200), ("0.5", 50), (" 7.05 ", 705)])
def test_parse_yuan(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-1", "negative"),
        ("1e3", "invalid"),
        ("NaN", "invalid"),
        ("1,000", "invalid"),
        ("", "invalid"),
        ("1.234", "max_decimal_places"),
        ("100000000", "too_large"),
    ],
)
def test_parse_yuan_refuses(text: str, code: str) -> None:
    with pytest.raises(YuanParseError) as caught:
        parse_yuan(text)
    assert caught.value.code == code


def test_parse_yuan_cap_is_a_parameter() -> None:
    assert parse_yuan("99.99", max_fen=10000) == 9999
    with pytest.raises(YuanParseError):
        parse_yuan("100", max_fen=10000)
