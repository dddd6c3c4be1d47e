"""Bluesky text rules: graphemes, UTF-8 bytes, and rich-text facets with byte offsets.

A post's `text` may hold at most 300 graphemes AND 3000 UTF-8 bytes (the `app.bsky.feed.post` lexicon's
`maxGraphemes` / `maxLength`). Graphemes are user-perceived characters (`\\X`): a flag, a family emoji
or a letter with combining accents is one grapheme but many code points and bytes.

Links, mentions and hashtags are not parsed by the server: the client sends `facets`, each covering a
slice of the text given in UTF-8 BYTE offsets (`byteStart` inclusive, `byteEnd` exclusive). The
detection below follows the official client's rules (`detectFacets` in @atproto/api), with two changes:
links need an explicit http(s) scheme (so "example.com" in prose stays text), and links and mentions may
touch CJK text without a space.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_TAG_GRAPHEMES = 64

_GRAPHEME = regex.compile(r"\X")
# A URL starts at the start of text or after anything but an ASCII letter, digit or URL character, and
# runs over printable ASCII. Unlike Bluesky's app this also links "详情见https://kawo.example/x了解更多"
# correctly: Chinese text often has no space around links.
_URL = regex.compile(r"(?<![A-Za-z0-9_@#/.-])(https?://[!-~]+)", regex.IGNORECASE)
# A mention is "@" + a handle (domain-like: letters, digits, dots, hyphens, at least one dot), not part of
# an e-mail address or a URL; CJK text may touch it on either side.
_MENTION = regex.compile(
    r"(?<![A-Za-z0-9_@/.+-])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
    r"(?![A-Za-z0-9.-]*[A-Za-z0-9])"
)
# A hashtag is "#" (or the full-width "＃") + a word that is not only digits; it ends at whitespace.
_TAG = regex.compile(r"(?:^|(?<=\s))[#＃]((?!\ufe0f)[^\s\u00ad\u2060\u200a-\u200d\u20e2]*[^\d\s\p{P}][^\s]*)")
_TRAILING_URL_PUNCTUATION = ".,;:!?\"'"
_TRAILING_TAG_PUNCTUATION = regex.compile(r"\p{P}+$")


def graphemes(text: str) -> list[str]:
    return _GRAPHEME.findall(text)


def grapheme_count(text: str) -> int:
    return len(graphemes(text))


def byte_length(text: str) -> int:
    return len(text.encode("utf-8"))


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of the Python (code point) index `index`."""
    return len(text[:index].encode("utf-8"))


def grapheme_overflow_start(text: str, limit: int = MAX_GRAPHEMES) -> int | None:
    """The code point index where the first grapheme past `limit` starts, or None when within it."""
    for count, cluster in enumerate(_GRAPHEME.finditer(text)):
        if count == limit:
            return cluster.start()
    return None


def byte_overflow_start(text: str, limit: int = MAX_BYTES) -> int | None:
    """The code point index of the first character that no longer fits in `limit` UTF-8 bytes."""
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode("utf-8"))
        if used > limit:
            return index
    return None


@dataclass(frozen=True)
class Span:
    """A detected facet before byte conversion: code point slice [start, end) and what it points at."""

    kind: str  # "link", "mention" or "tag"
    start: int
    end: int
    value: str  # the URI, the handle (resolved to a DID later) or the tag without "#"


def _trim_url(url: str) -> str:
    # Sentence punctuation after a link is not part of it; neither is an unbalanced closing parenthesis.
    while url and (
        url[-1] in _TRAILING_URL_PUNCTUATION or (url[-1] == ")" and url.count("(") < url.count(")"))
    ):
        url = url[:-1]
    return url


def detect_spans(text: str) -> list[Span]:
    """Links, mentions and hashtags in `text`, in order, never overlapping."""
    spans: list[Span] = []
    for match in _URL.finditer(text):
        url = _trim_url(match.group(1))
        if len(url) > len("https://"):
            spans.append(Span("link", match.start(1), match.start(1) + len(url), url))
    for match in _MENTION.finditer(text):
        handle = match.group(1).lower()
        # Start the mention at "@" so the facet covers what the reader sees.
        spans.append(Span("mention", match.start(1) - 1, match.end(1), handle))
    for match in _TAG.finditer(text):
        tag = _TRAILING_TAG_PUNCTUATION.sub("", match.group(1))
        if tag and grapheme_count(tag) <= MAX_TAG_GRAPHEMES:
            spans.append(Span("tag", match.start(1) - 1, match.start(1) + len(tag), tag))
    spans.sort(key=lambda span: (span.start, -span.end))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            continue  # inside a link, e.g. https://example.com/@someone
        kept.append(span)
    return kept


def facet(text: str, span: Span, feature: dict) -> dict:
    return {
        "$type": "app.bsky.richtext.facet",
        "index": {"byteStart": byte_offset(text, span.start), "byteEnd": byte_offset(text, span.end)},
        "features": [feature],
    }
