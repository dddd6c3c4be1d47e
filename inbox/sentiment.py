"""Sentiment of a fan's words, offline: SnowNLP (its Naive Bayes model ships inside the package; nothing is
downloaded) for Chinese, a small lexicon with negation for English. A score from 0 (negative) to 1
(positive) and a label; text with neither Chinese nor English words is neutral with no score.

SnowNLP loads its model on first use (a few seconds), once per process; ingest runs in workers, so the
cost is paid once per worker, not per item.
"""

from __future__ import annotations

import re
from functools import lru_cache

POSITIVE_ABOVE = 0.6
NEGATIVE_BELOW = 0.4

_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z']+")

_EN_POSITIVE = frozenset(
    [
        "love",
        "loved",
        "loving",
        "like",
        "liked",
        "great",
        "good",
        "awesome",
        "amazing",
        "excellent",
        "perfect",
        "fantastic",
        "wonderful",
        "happy",
        "thanks",
        "thank",
        "best",
        "beautiful",
        "nice",
        "cool",
        "brilliant",
        "recommend",
        "helpful",
        "fast",
        "easy",
        "enjoy",
        "enjoyed",
        "glad",
        "pleased",
        "superb",
        "favourite",
        "favorite",
        "impressed",
        "works",
    ]
)
_EN_NEGATIVE = frozenset(
    [
        "hate",
        "hated",
        "bad",
        "terrible",
        "awful",
        "worst",
        "broken",
        "broke",
        "refund",
        "scam",
        "disappointed",
        "disappointing",
        "poor",
        "slow",
        "angry",
        "useless",
        "rude",
        "never",
        "problem",
        "problems",
        "issue",
        "issues",
        "fail",
        "failed",
        "failing",
        "wrong",
        "late",
        "missing",
        "fake",
        "horrible",
        "sucks",
        "complaint",
        "waste",
    ]
)
_EN_NEGATORS = frozenset({"not", "no", "never", "don't", "doesn't", "didn't", "isn't", "wasn't", "can't"})


@lru_cache(maxsize=1)
def _snownlp():
    from snownlp import SnowNLP  # imported on first Chinese text only: its model takes seconds to load

    return SnowNLP


def _english_score(text: str) -> float | None:
    words = _WORD.findall(text.lower())
    total = 0
    hits = 0
    for index, word in enumerate(words):
        polarity = (word in _EN_POSITIVE) - (word in _EN_NEGATIVE)
        if not polarity:
            continue
        if index and words[index - 1] in _EN_NEGATORS:
            # "not good" is negative; "not bad" or "no refund" is no praise either: it counts as nothing.
            polarity = min(-polarity, 0)
        total += polarity
        hits += 1
    if not hits:
        return 0.5 if words else None
    return 0.5 + 0.5 * total / hits


def sentiment_score(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    if _HAN.search(text):
        return float(_snownlp()(text).sentiments)
    return _english_score(text)


def sentiment_label(score: float | None) -> str:
    if score is None:
        return "neutral"
    if score >= POSITIVE_ABOVE:
        return "positive"
    if score <= NEGATIVE_BELOW:
        return "negative"
    return "neutral"


def sentiment_of(text: str) -> tuple[str, float | None]:
    score = sentiment_score(text)
    return sentiment_label(score), score
