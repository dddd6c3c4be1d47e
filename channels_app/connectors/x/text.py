"""X's weighted character count (twitter-text v3 configuration).

The rule, from twitter-text's `config/v3.json`: the text is NFC-normalised; every code point weighs 2
("defaultWeight" 200 at scale 100) except those in a few ranges that weigh 1 (Latin, Greek, Cyrillic,
Hebrew, Arabic, Devanagari ... up to U+10FF, and some general punctuation); an emoji sequence weighs 2 as
a whole however many code points it has; every URL weighs 23 ("transformedURLLength") whatever its
length. The limit is 280 weighted characters. So 280 Latin letters fit, but only 140 CJK characters.
"""

from __future__ import annotations

import unicodedata

import regex

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23

# (first, last, weight) from twitter-text v3; everything else weighs 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# URLs with a scheme, and bare domains with a common TLD (twitter-text autolinks "example.com" too).
_TLDS = (
    "com|net|org|edu|gov|io|co|ai|app|dev|info|biz|me|tv|ly|cn|hk|tw|jp|kr|uk|de|fr|es|it|nl|se|no|fi"
    "|ru|br|in|au|ca|us|eu|ch|at|be|pl|cz|sg|my|id|vn|th|ph|nz|mx|ar|cl|za|xyz|site|online|shop|news"
)
_URL = regex.compile(
    r"(?<![\w@.\-/])(?:https?://[^\s<>\"]+|(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+(?:"
    + _TLDS
    + r")\b(?:/[^\s<>\"]*)?)",
    regex.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?)]}'\"。，！？、）"
# An emoji: a pictograph beyond the light ranges, a flag, or anything with the emoji presentation selector
# or a keycap ("1\ufe0f\u20e3"). "©" alone stays a light character, as in twitter-text.
_EMOJI = regex.compile(
    r"[\p{Extended_Pictographic}--[\x00-\u10FF]]|\p{Regional_Indicator}|\uFE0F|\u20E3", regex.V1
)


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL, trailing punctuation excluded."""
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING_PUNCT:
            end -= 1
        spans.append((start, end))
    return spans


def _char_weight(char: str) -> int:
    code = ord(char)
    for first, last in _LIGHT_RANGES:
        if first <= code <= last:
            return 1
    return 2


def weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for start, end in [*find_urls(text), (len(text), len(text))]:
        for grapheme in regex.findall(r"\X", text[pos:start]):
            if _EMOJI.search(grapheme):
                total += 2  # an emoji sequence (ZWJ family, flag, skin tone) counts once
            else:
                total += sum(_char_weight(c) for c in grapheme)
        if end > start:
            total += URL_WEIGHT
        pos = end
    return total
