"""Chinese resident identity card numbers (GB 11643-1999, 18 digits).

Layout: 6-digit region code, 8-digit birth date (YYYYMMDD), 3-digit
sequence code (odd = male, even = female) and an ISO 7064 MOD 11-2 check
character (0-9 or X). Pure functions: plain strings and dates in and out.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal

__all__ = [
    "IdNumberError",
    "birth_date_from_id",
    "gender_from_id",
    "id_check_digit",
    "make_synthetic_id",
    "normalize_id_number",
    "validate_id_number",
]

Gender = Literal["male", "female"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_MAP = "10X98765432"
_ID_RE = re.compile(r"\d{17}[\dX]")
_DIGITS17_RE = re.compile(r"\d{17}")
_REGION_RE = re.compile(r"[1-9]\d{5}")

# GB/T 2260 province-level codes, the first two digits of every division code (and so of every ID number); 83 is
# the code of residence permits for Taiwan residents. "999999" or "000000" is no place.
_PROVINCE_CODES = frozenset(
    f"{code}" for code in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50)
) | frozenset(f"{code}" for code in (51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83))

# The 18-digit format dates from 1999 and covers living residents; anything
# born before 1900 is certainly a typo, not a centenarian truck driver.
_MIN_BIRTH_YEAR = 1900


class IdNumberError(ValueError):
    """Invalid ID number; ``message`` is user-facing (Chinese), ``code`` is stable."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def normalize_id_number(s: str) -> str:
    """Canonical form without validation: NFKC, all whitespace removed, upper-case.

    NFKC folds full-width digits and "Ｘ" that Chinese IMEs often produce.
    """
    return "".join(unicodedata.normalize("NFKC", s).split()).upper()


def id_check_digit(first17: str) -> str:
    """Check character ('0'-'9' or 'X') for the first 17 digits of an ID number."""
    # \d also matches non-ASCII digits (e.g. Arabic-Indic); isascii() rules them out.
    if not (first17.isascii() and _DIGITS17_RE.fullmatch(first17)):
        raise IdNumberError("身份证号前 17 位必须是数字", "id_chars")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_MAP[total % 11]


def _parse_birth(number: str) -> date:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("身份证号中的出生日期无效", "id_birth_date") from None


def validate_id_number(s: str, *, today: date | None = None) -> str:
    """Validate an 18-digit ID number; return it normalised (no spaces, 'x' -> 'X').

    ``today`` (default: the current date) bounds the birth date; pass it in
    tests or batch jobs for reproducible results.
    Error codes: id_length, id_chars, id_region (no province-level division starts so), id_birth_date,
    id_check_digit.
    """
    if not isinstance(s, str):
        raise IdNumberError("身份证号必须是文本", "id_chars")
    number = normalize_id_number(s)
    if len(number) != 18:
        raise IdNumberError(f"身份证号应为 18 位，当前为 {len(number)} 位", "id_length")
    if not (number.isascii() and _ID_RE.fullmatch(number)):
        raise IdNumberError("身份证号只能包含数字，最后一位可以是 X", "id_chars")

    if number[:2] not in _PROVINCE_CODES or number[2:6] == "0000":
        raise IdNumberError("身份证号前 6 位不是有效的地区代码", "id_region")

    birth = _parse_birth(number)
    if today is None:
        today = date.today()
    if birth.year < _MIN_BIRTH_YEAR or birth > today:
        raise IdNumberError("身份证号中的出生日期无效", "id_birth_date")

    if id_check_digit(number[:17]) != number[17]:
        raise IdNumberError("身份证号校验位不正确，请核对号码", "id_check_digit")
    return number


def birth_date_from_id(s: str) -> date:
    """Birth date encoded in a (validated) ID number."""
    return _parse_birth(validate_id_number(s))


def gender_from_id(s: str) -> Gender:
    """'male' or 'female' from the parity of the 17th digit."""
    number = validate_id_number(s)
    return "male" if int(number[16]) % 2 else "female"


# Sequence codes run 001-999; keeping 000 out means 499 usable values per
# gender and date (male 001..997 odd, female 002..998 even).
_MAX_SEQUENCE = 499


def make_synthetic_id(region_code: str, birth: date, sequence: int, gender: str) -> str:
    """Build a well-formed ID number deterministically (for demo / test data).

    ``sequence`` is 1..499 and maps to the odd (male) or even (female)
    3-digit sequence code ``2*sequence - 1`` or ``2*sequence``.
    Caution: the result is indistinguishable from a real number and may
    belong to a real person; never mix such data with production records.
    """
    if not (region_code.isascii() and _REGION_RE.fullmatch(region_code)):
        raise IdNumberError("地区代码必须是 6 位数字且不能以 0 开头", "id_region")
    if not _MIN_BIRTH_YEAR <= birth.year <= 9999:
        raise IdNumberError("出生日期无效", "id_birth_date")
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise IdNumberError("顺序号必须是整数", "id_sequence")
    if not 1 <= sequence <= _MAX_SEQUENCE:
        raise IdNumberError(f"顺序号必须在 1 到 {_MAX_SEQUENCE} 之间", "id_sequence")
    if gender == "male":
        seq_code = 2 * sequence - 1
    elif gender == "female":
        seq_code = 2 * sequence
    else:
        raise IdNumberError("性别必须是 male 或 female", "id_gender")
    first17 = f"{region_code}{birth:%Y%m%d}{seq_code:03d}"
    return first17 + id_check_digit(first17)
