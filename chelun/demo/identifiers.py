"""Synthetic identifiers for demo people and companies: ID numbers, mobile numbers, number plates, unified social
credit codes. Pure; each allocator remembers what it handed out so every value is unique within one seed run.

Caution (as for chelun.core.idcard.make_synthetic_id): these values are well-formed and may coincide with real ones;
they are for demo databases only.
"""

from __future__ import annotations

import datetime as dt
import random

from chelun.core.idcard import make_synthetic_id

__all__ = [
    "DEMO_DRIVER_PHONE",
    "PLATE_LETTERS",
    "IdNumberAllocator",
    "PhoneAllocator",
    "PlateAllocator",
    "credit_code",
]

# The demo driver who logs in with a one-time code; no generated phone takes it.
DEMO_DRIVER_PHONE = "13800000001"

# 号牌 letters of the prefecture-level divisions (川A 成都 … 川Z 眉山).
PLATE_LETTERS: dict[str, str] = {
    "510100": "A",  # 成都
    "510700": "B",  # 绵阳
    "510300": "C",  # 自贡
    "510400": "D",  # 攀枝花
    "510500": "E",  # 泸州
    "510600": "F",  # 德阳
    "510800": "H",  # 广元
    "510900": "J",  # 遂宁
    "511000": "K",  # 内江
    "511100": "L",  # 乐山
    "512000": "M",  # 资阳
    "511500": "Q",  # 宜宾
    "511300": "R",  # 南充
    "511700": "S",  # 达州
    "511800": "T",  # 雅安
    "513200": "U",  # 阿坝
    "513300": "V",  # 甘孜
    "513400": "W",  # 凉山
    "511600": "X",  # 广安
    "511900": "Y",  # 巴中
    "511400": "Z",  # 眉山
}

# Mobile number prefixes of the three carriers, weighted towards the older, most common ones.
_PHONE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159", "178", "182",
    "183", "184", "187", "188", "198", "130", "131", "132", "155", "156", "166", "175", "176", "185", "186",
    "133", "153", "173", "177", "180", "181", "189", "191", "199",
)  # fmt: skip


class PhoneAllocator:
    """Unique 11-digit mobile numbers (1[3-9]x…); the demo driver's number is reserved."""

    def __init__(self) -> None:
        self._used = {DEMO_DRIVER_PHONE}

    def next(self, rng: random.Random) -> str:
        while True:
            phone = f"{rng.choice(_PHONE_PREFIXES)}{rng.randrange(10**8):08d}"
            if phone not in self._used:
                self._used.add(phone)
                return phone


class IdNumberAllocator:
    """Unique ID numbers: each (region, birth date, gender) gets sequence codes from a random start upwards."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, dt.date, str], int] = {}

    def next(self, rng: random.Random, region_code: str, birth: dt.date, gender: str) -> str:
        key = (region_code, birth, gender)
        sequence = self._next.get(key)
        if sequence is None:
            sequence = rng.randint(1, 400)
        if sequence > 499:  # 499 people of one gender born on one day in one county: never at demo scale
            raise ValueError(f"no ID sequence left for {key}")
        self._next[key] = sequence + 1
        return make_synthetic_id(region_code, birth, sequence, gender)


_PLATE_LETTERS_BODY = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates


class PlateAllocator:
    """Unique truck number plates: 川 + prefecture letter + five characters (a semi-trailer gets its own 挂 plate)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def next(self, rng: random.Random, prefecture_code: str, *, trailer: bool = False) -> str:
        letter = PLATE_LETTERS[prefecture_code]
        size = 4 if trailer else 5
        while True:
            body = f"{rng.randrange(10**size):0{size}d}"
            if rng.random() < 0.35:  # many newer plates carry one letter
                at = rng.randrange(size)
                body = body[:at] + rng.choice(_PLATE_LETTERS_BODY) + body[at + 1 :]
            plate = f"川{letter}{body}{'挂' if trailer else ''}"
            if plate not in self._used:
                self._used.add(plate)
                return plate


# GB 32100-2015 (统一社会信用代码) and GB 11714-1997 (组织机构代码) check characters.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code_check(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, region_code: str) -> str:
    """A well-formed 18-character unified social credit code of a company (登记管理部门 9, 企业 1) in a region."""
    body = "".join(rng.choice("0123456789") for _ in range(2)) + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6)
    )
    first17 = f"91{region_code}{body}{_org_code_check(body)}"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]
