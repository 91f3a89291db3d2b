"""Chinese word segmentation for the knowledge base (jieba, search mode). Pure: no Django.

Search mode also emits the shorter words inside long ones (中华人民共和国 → 中华, 人民, 共和国 ...), so a query
for a part finds the whole. The platform's own terms are added to the dictionary so they stay one word.
Punctuation and one-character function words are dropped; a query made only of single characters keeps them.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from functools import cache

import jieba

DOMAIN_WORDS = ("暖心之家", "急难愁盼", "清廉交通", "挂牌督办", "两稳一保", "网络货运", "货车司机", "运费", "拖欠")
_STOPWORDS_TEXT = """
的 了 和 与 及 或 在 是 我 你 他 她 它 们 吗 呢 吧 啊 被 把 对 为 有 就 也 都 要 怎么 怎么办 如何 什么 哪里
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]")
MAX_TOKEN = 32


@cache
def _segmenter() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    jieba.setLogLevel(logging.WARNING)  # the first use prints a "building prefix dict" banner otherwise
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=200_000)
    return tokenizer


def tokens(text: str) -> list[str]:
    """Index words of `text`, in order, repeated as often as they occur; lower-cased; no punctuation."""
    words = [w.strip().lower() for w in _segmenter().cut_for_search(text or "")]
    words = [w[:MAX_TOKEN] for w in words if w and _WORDLIKE.search(w) and w not in STOPWORDS]
    longer = [w for w in words if len(w) > 1]
    return longer or words


def weighted_tokens(title: str, body: str) -> dict[str, int]:
    """token -> weight for one entry: each occurrence counts 1, in the title 3."""
    counts: Counter[str] = Counter()
    for word in tokens(title):
        counts[word] += 3
    for word in tokens(body):
        counts[word] += 1
    return {word: min(count, 32_000) for word, count in counts.items()}
