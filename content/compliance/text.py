"""Text helpers: a normalised copy of the text that maps back to exact spans, term matching, links.

Spans are offsets into the original text in Python characters (code points). Matching runs on a normalised
copy (NFKC per character, so full-width "ＮＯ．１" reads "NO.1"; Unicode format characters such as zero-width
spaces dropped, so "最\u200b佳" reads "最佳"), and every normalised character remembers which original
character it came from. A match in the copy is reported as the original characters it covers, so the span
is exact even when the text holds emoji, full-width forms or invisible characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import regex

_HAN = regex.compile(r"\p{Han}")
# Characters that separate Latin-script words: everything except letters, digits and marks of scripts that
# write with spaces. Han, Hiragana and Katakana are written without spaces, so they separate Latin words
# ("买cheap货" holds the word "cheap") and never need a boundary themselves.
_SCRIPTIO_CONTINUA = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")


@dataclass(frozen=True)
class NormalizedText:
    original: str
    text: str  # the normalised copy
    origin: tuple[int, ...]  # origin[i]: index in `original` of the character text[i] came from

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering normalised characters [start, end)."""
        if end <= start:
            return (self.origin[start], self.origin[start])
        return (self.origin[start], self.origin[end - 1] + 1)

    @property
    def has_han(self) -> bool:
        return _HAN.search(self.text) is not None


def normalize(text: str) -> NormalizedText:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cf":  # zero-width space/joiner, soft hyphen, BOM, bidi marks
            continue
        for piece in unicodedata.normalize("NFKC", char):
            chars.append(piece)
            origin.append(index)
    return NormalizedText(original=text, text="".join(chars), origin=tuple(origin))


def utf16_offset(text: str, index: int) -> int:
    """The UTF-16 code-unit offset of character `index` (characters outside the BMP take two units)."""
    return index + sum(1 for char in text[:index] if ord(char) > 0xFFFF)


def _is_word_char(char: str) -> bool:
    return (char.isalnum() or unicodedata.category(char).startswith("M")) and not _SCRIPTIO_CONTINUA.match(
        char
    )


def term_pattern(term: str) -> str:
    """A regular expression for `term`: substring for CJK, whole word at each Latin-script edge.

    The boundary applies only at an edge whose character is a Latin-script word character: "#ad" must not
    be followed by a letter ("#adidas"), "双11" must not be followed by a digit ("双111"), "促销" matches
    anywhere. Case-insensitivity comes from the flags the caller compiles with.
    """
    term = normalize(term).text.strip()
    pattern = regex.escape(term)
    # Inner whitespace matches any run of whitespace ("paid  partnership").
    pattern = regex.sub(r"(?:\\\s)+", r"\\s+", pattern)
    if term and _is_word_char(term[0]):
        pattern = r"(?<![\p{L}\p{N}\p{M}_](?<![\p{Han}\p{Hiragana}\p{Katakana}]))" + pattern
    if term and _is_word_char(term[-1]):
        pattern = pattern + r"(?![\p{L}\p{N}\p{M}_](?<![\p{Han}\p{Hiragana}\p{Katakana}]))"
    return pattern


@dataclass(frozen=True)
class TermMatch:
    term: str  # the term as given
    start: int  # original span
    end: int


def find_terms(normalized: NormalizedText, terms: Iterable[str]) -> Iterator[TermMatch]:
    """Every occurrence of every term, case-insensitively (overlapping matches of different terms too)."""
    for term in terms:
        if not normalize(term).text.strip():
            continue
        compiled = regex.compile(term_pattern(term), regex.IGNORECASE)
        for match in compiled.finditer(normalized.text):
            start, end = normalized.span(match.start(), match.end())
            yield TermMatch(term=term, start=start, end=end)


# A link: a URL with a scheme, or a bare host name with at least one dot and a letter TLD
# ("youtube.com/watch?v=1", "www.google.com"). It stops at whitespace, at any non-ASCII character (Chinese
# text often runs straight on after a link) and drops trailing punctuation.
_LINK = regex.compile(
    r"""
    (?<![A-Za-z0-9_@.\-/])                           # not inside an e-mail address or a longer word
    (?:
        (?i:https?|ftp)://[^\s<>"'\u0080-\U0010ffff]+  # with a scheme
      |
        (?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9\-])
        (?::\d{1,5})?
        (?:[/?\#][^\s<>"'\u0080-\U0010ffff]*)?
    )
    """,
    # Not IGNORECASE: case-insensitive, the non-ASCII range would take in "k" and "s" (the Kelvin sign and
    # the long s fold to them) and cut "facebook" short.
    regex.VERBOSE,
)
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Link:
    url: str
    host: str  # lower-case, without "www." stripping or port
    start: int  # original span
    end: int


def find_links(normalized: NormalizedText) -> Iterator[Link]:
    for match in _LINK.finditer(normalized.text):
        url = match.group(0)
        stripped = url.rstrip(_TRAILING)
        if not stripped:
            continue
        host = host_of(stripped)
        if not host:
            continue
        start, end = normalized.span(match.start(), match.start() + len(stripped))
        yield Link(url=stripped, host=host, start=start, end=end)


def host_of(url: str) -> str:
    candidate = url if "://" in url else f"http://{url}"
    try:
        host = urlsplit(candidate).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def host_in(host: str, domains: Iterable[str]) -> str | None:
    """The entry of `domains` that `host` is, or is a subdomain of; None when none."""
    host = host.lower().rstrip(".")
    for domain in domains:
        domain = domain.lower().strip().rstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return domain
    return None
