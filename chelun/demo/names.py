"""Synthetic Chinese names for people and companies. Pure: every function takes the caller's random.Random.

Han names draw a surname by rough frequency (the common national surnames, with Sichuan favourites such as 罗, 何,
邓, 曾, 唐, 彭, 蒲 weighted up) and a one- or two-character given name. In the Tibetan areas (甘孜, 阿坝, 木里) and
the Yi areas (凉山, 峨边, 马边) a share of people get Tibetan or Yi names in their usual Chinese transcription.
Company trade names (字号) are two-character combinations, with the best-known national brands left out.
"""

from __future__ import annotations

import itertools
import random
from bisect import bisect

__all__ = [
    "company_trade_name",
    "ethnic_share",
    "person_name",
]

# (surname, relative weight). Rough orders of magnitude, not census figures.
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("李", 7.9), ("王", 7.2), ("张", 7.0), ("刘", 5.4), ("陈", 4.8), ("杨", 3.3), ("黄", 2.2), ("赵", 2.0),
    ("吴", 1.8), ("周", 1.8), ("徐", 1.3), ("孙", 1.0), ("马", 1.0), ("朱", 1.0), ("胡", 1.1), ("郭", 0.9),
    ("何", 1.4), ("高", 0.9), ("林", 0.8), ("罗", 1.5), ("郑", 0.8), ("梁", 0.7), ("谢", 0.8), ("宋", 0.6),
    ("唐", 1.0), ("许", 0.5), ("韩", 0.5), ("冯", 0.6), ("邓", 1.0), ("曹", 0.5), ("彭", 0.9), ("曾", 0.9),
    ("肖", 0.7), ("田", 0.5), ("董", 0.4), ("袁", 0.6), ("潘", 0.4), ("于", 0.3), ("蒋", 0.6), ("蔡", 0.4),
    ("余", 0.6), ("杜", 0.5), ("叶", 0.4), ("程", 0.3), ("苏", 0.4), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3),
    ("任", 0.5), ("沈", 0.3), ("姚", 0.3), ("卢", 0.3), ("姜", 0.3), ("崔", 0.2), ("钟", 0.4), ("谭", 0.4),
    ("陆", 0.2), ("汪", 0.3), ("范", 0.3), ("金", 0.2), ("石", 0.3), ("廖", 0.5), ("贾", 0.2), ("夏", 0.2),
    ("付", 0.4), ("方", 0.2), ("白", 0.2), ("邹", 0.3), ("孟", 0.2), ("熊", 0.4), ("秦", 0.2), ("邱", 0.3),
    ("江", 0.3), ("尹", 0.2), ("薛", 0.1), ("段", 0.2), ("雷", 0.3), ("侯", 0.2), ("龙", 0.2), ("史", 0.1),
    ("陶", 0.2), ("黎", 0.2), ("贺", 0.2), ("毛", 0.2), ("郝", 0.1), ("龚", 0.2), ("邵", 0.1), ("万", 0.2),
    ("严", 0.2), ("向", 0.3), ("汤", 0.1), ("文", 0.2), ("赖", 0.2), ("蒲", 0.3), ("冉", 0.2), ("苟", 0.2),
    ("敬", 0.1), ("母", 0.1), ("鲜", 0.1), ("税", 0.05), ("刁", 0.05), ("代", 0.2), ("左", 0.1), ("岳", 0.1),
)  # fmt: skip

# Given-name characters common for people born 1965–2000.
_MALE_CHARS = (
    "建国华军伟强勇明平刚林斌波涛杰磊鹏超辉兵峰亮飞宇俊浩文志海东成德福贵富春云川江祥荣忠良顺学兴金永龙洪"
    "伦贤彬胜奎全清松宏红友安权中先光家正仁义万双长世昌旭阳鑫凯帅锋毅"
)
_FEMALE_CHARS = "芳丽娟敏静燕玲红霞梅琴英兰萍艳婷莉秀慧琳雪晓春蓉凤桂琼群利洁倩颖佳"
# Characters that also stand alone as a given name (李伟, 王芳); 家 or 先 alone would look odd.
_MALE_SINGLE = "伟强勇军磊涛斌波杰鹏超辉兵峰亮飞宇俊浩林刚平明华斌彬毅凯锋龙军成忠勇"
_FEMALE_SINGLE = "芳丽娟敏静燕玲红霞梅琴英兰萍艳婷莉慧琳雪蓉凤琼洁倩颖"

_TIBETAN_MALE = (
    "扎西", "次仁", "尼玛", "格桑", "多吉", "洛绒", "泽仁", "降措", "四郎", "益西", "丹增", "旺堆", "曲扎",
    "登巴", "贡布", "呷绒", "邓珠", "泽郎", "阿旺", "仁青",
)  # fmt: skip
_TIBETAN_FEMALE = ("拉姆", "卓玛", "央金", "德吉", "曲珍", "志玛", "拥措")
_YI_SURNAMES = (
    "阿苦", "吉克", "沙马", "马海", "阿尔", "曲比", "俄木", "海来", "吉木", "阿吉", "勒格", "阿的", "吉伍",
    "果基", "日色", "俄底",
)  # fmt: skip
_YI_MALE = ("拉哈", "木呷", "阿呷", "日火", "伍各", "尔古", "石布", "拉且", "伍呷", "尔布", "史者", "日洛", "阿木")
_YI_FEMALE = ("阿依", "阿牛", "史莫", "日嘎", "阿果", "伍合", "阿支")

# Prefecture / county codes -> (share with Tibetan names, share with Yi names). Others: Han names only.
_ETHNIC_SHARES: dict[str, tuple[float, float]] = {
    "513300": (0.7, 0.0),  # 甘孜藏族自治州
    "513200": (0.5, 0.0),  # 阿坝藏族羌族自治州
    "513221": (0.1, 0.0),  # 汶川县 (mostly Han and Qiang)
    "513222": (0.2, 0.0),  # 理县
    "513223": (0.1, 0.0),  # 茂县
    "513422": (0.4, 0.2),  # 木里藏族自治县
    "513400": (0.0, 0.25),  # 凉山彝族自治州 (西昌 and the south-east)
    **dict.fromkeys(
        ("513423", "513428", "513429", "513430", "513431", "513432", "513434", "513435", "513436", "513437"),
        (0.0, 0.7),
    ),  # 盐源 普格 布拖 金阳 昭觉 喜德 越西 甘洛 美姑 雷波
    "511132": (0.0, 0.3),  # 峨边彝族自治县
    "511133": (0.0, 0.3),  # 马边彝族自治县
}


def ethnic_share(county_code: str, prefecture_code: str) -> tuple[float, float]:
    """(Tibetan, Yi) name shares for people whose home is `county_code`."""
    return _ETHNIC_SHARES.get(county_code) or _ETHNIC_SHARES.get(prefecture_code) or (0.0, 0.0)


_SURNAME_VALUES = tuple(s for s, _ in _SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(w for _, w in _SURNAMES))


def _han_name(rng: random.Random, gender: str) -> str:
    surname = _SURNAME_VALUES[bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]
    if rng.random() < 0.3:
        return surname + rng.choice(_MALE_SINGLE if gender == "male" else _FEMALE_SINGLE)
    chars = _MALE_CHARS if gender == "male" else _FEMALE_CHARS
    first = rng.choice(chars)
    second = rng.choice(chars)
    while second == first and rng.random() < 0.9:  # 丽丽 exists, 建建 hardly
        second = rng.choice(chars)
    return surname + first + second


def person_name(rng: random.Random, gender: str, shares: tuple[float, float] = (0.0, 0.0)) -> str:
    """A plausible name for a person of `gender` ("male"/"female"); `shares` from :func:`ethnic_share`."""
    tibetan, yi = shares
    roll = rng.random() if tibetan or yi else 1.0
    if roll < tibetan:
        second = rng.choice(_TIBETAN_MALE if gender == "male" else _TIBETAN_FEMALE)
        first = rng.choice(_TIBETAN_MALE)
        return first + second if first != second else first + rng.choice(_TIBETAN_FEMALE)
    if roll < tibetan + yi:
        return rng.choice(_YI_SURNAMES) + rng.choice(_YI_MALE if gender == "male" else _YI_FEMALE)
    return _han_name(rng, gender)


_TRADE_CHARS = (
    "顺达通运宏远安捷丰利泰鑫华恒昌盛诚锦蓉蜀川天府金源路畅驰骏腾发兴"
    "汇联合嘉润德信邦宇海鼎隆晟祥瑞康吉星辰峰成新众和万益宝平方程途迅"
)
# Combinations that are well-known national brands: leave them to their owners.
_TRADE_BLOCKLIST = frozenset({"顺丰", "德邦", "安能", "中通", "圆通", "申通", "韵达", "天天", "京东", "华为", "宝马"})


def company_trade_name(rng: random.Random, used: set[str]) -> str:
    """A fresh two-character trade name (字号), never one in `used` (which it updates)."""
    while True:
        name = rng.choice(_TRADE_CHARS) + rng.choice(_TRADE_CHARS)
        if name[0] != name[1] and name not in _TRADE_BLOCKLIST and name not in used:
            used.add(name)
            return name
