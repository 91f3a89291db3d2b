"""Money: integer 分 (fen) everywhere; 元 (yuan) only as text at the edge. The one home for turning one into the other.

Pure (no Django): pages, exports, schemas and forms all call these, so "12.34 元" is written one way.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: One entry of 1 亿元 or more is a typing slip (an operator's month of costs is tens of thousands of 元).
MAX_ENTRY_FEN = 100_000_000 * 100
_YUAN_TEXT = re.compile(r"^(\d+)(?:\.(\d+))?$")


class YuanParseError(ValueError):
    """Typed 元 text that is not an amount; `message` is Chinese and `code` names the rule."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def yuan_text(fen: int, *, thousands: bool = False) -> str:
    """12345 -> "123.45"; with `thousands`, 1234567 -> "12,345.67". Exact: integer arithmetic, no float."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    whole_text = f"{whole:,}" if thousands else str(whole)
    return f"{sign}{whole_text}.{cents:02d}"


def yuan_decimal(fen: int) -> Decimal:
    """12345 -> Decimal("123.45"), for spreadsheet cells that must stay numbers."""
    return Decimal(int(fen)).scaleb(-2)


def parse_yuan(text: str, *, max_fen: int = MAX_ENTRY_FEN) -> int:
    """ "12.34" (元) -> 1234 (分), exactly: parsed as a Decimal, never a float. Refuses negatives, more than two
    decimals written, anything that is not a plain number ("1e3", "NaN", "1,000") and amounts of `max_fen` or more.
    Raises YuanParseError."""
    text = (text or "").strip()
    if text.startswith("-"):
        raise YuanParseError("金额不能为负数", "negative")
    match = _YUAN_TEXT.match(text)
    if match is None:
        raise YuanParseError("请输入金额（元），如 12.34", "invalid")
    if len(match.group(2) or "") > 2:
        raise YuanParseError("金额最多精确到分（两位小数）", "max_decimal_places")
    fen = int(Decimal(text) * 100)
    if fen >= max_fen:
        raise YuanParseError("金额过大，请检查单位（元）", "too_large")
    return fen
