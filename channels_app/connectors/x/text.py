"""X's weighted character count: a port of twitter-text 3.1.0's `parseTweet` (configuration v3).

X counts a post with its own library, twitter-text; this module does what its JavaScript package does,
step by step, so that a post we accept is a post X accepts and the other way round:
1. The text is NFC-normalised.
2. URLs are found by twitter-text's `extractUrlsWithIndices`: a URL needs a valid top-level domain (its
   list of gTLDs and ccTLDs, in `twitter_text.json`) or an explicit http(s) scheme; it starts after
   anything but a letter, digit, "@", "$" or "#" (so Chinese text may touch it: "详情见https://kawo.cn"),
   its host stops at ASCII punctuation and at spaces, and its TLD at anything but a letter or digit
   ("https://kawo.cn，中" ends at the comma); its path takes only ASCII, Latin-accented and Cyrillic
   letters and URL punctuation (so CJK after a path ends the URL). Without a scheme, the text glued to
   the domain is read as part of it and only the ASCII domain is linked ("见kawo.cn了解" links "kawo.cn"),
   as long as that glued label stays a valid one (63 characters once punycode-encoded): after a long
   Chinese sentence without a space X links nothing. Every URL weighs 23 (t.co), whatever its length.
3. Emoji are found by twemoji-parser 11's regex (what twitter-text uses): each whole sequence (ZWJ
   families, skin tones, flags, keycaps) weighs 2.
4. Every other character weighs 1 in the ranges U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
   U+2032-U+2037, and 2 everywhere else (CJK, full-width punctuation...).
The limit is 280: 280 Latin letters fit, but only 140 Chinese characters.

Faithful to the JavaScript, quirks included: the text is walked in UTF-16 code units (a character outside
the BMP that is not an emoji weighs 2, as one surrogate pair), and twitter-text's regexes are
case-insensitive the way JavaScript's non-Unicode regexes are (both sides upper-cased code unit by code
unit, never mapping a non-ASCII unit onto an ASCII one). The regexes below are built from the same pieces
as twitter-text's `src/regexp/*.js`, named alike. tests/peers/counting.py checks the result against the
twitter-text npm package itself, run in Node.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23  # "transformedURLLength"

# twitter-text's config v3: weights scaled by 100; every code unit outside these ranges weighs 200.
_SCALE = 100
_DEFAULT_WEIGHT = 200  # an emoji sequence weighs this too
_RANGES = ((0x0000, 0x10FF, 100), (0x2000, 0x200D, 100), (0x2010, 0x201F, 100), (0x2032, 0x2037, 100))
_MAX_URL_LENGTH = 4096
_MAX_TCO_SLUG_LENGTH = 40
_MAX_DOMAIN_LABEL_LENGTH = 63

# The valid TLDs and the emoji regex, exported from the npm packages by
# `node tests/peers/twitter-text/count.js --export` (a test checks they still match the pinned packages).
DATA = json.loads((Path(__file__).with_name("twitter_text.json")).read_text(encoding="utf-8"))


# --- JavaScript's case-insensitive matching ------------------------------------------------------------
# A JavaScript regex with the "i" flag (and no "u") compares Canonicalize(a) with Canonicalize(b), where
# Canonicalize upper-cases one UTF-16 code unit and keeps it when the result is not one code unit or when
# it would turn a non-ASCII unit into an ASCII one ("ı" stays "ı", it never matches "i"). Python's
# re.IGNORECASE folds differently (it lets "ı" and "ſ" match "i" and "s"), so the port upper-cases the
# text and the pattern itself and matches case-sensitively: the same answers, index for index.

# Case pairs that Unicode 16 and 17 added; JavaScript engines (Node 20's ICU) know them, Python 3.11's
# Unicode 14 database does not.
_UPPER_ADDED_AFTER_UNICODE_14 = {
    0x019B: 0xA7DC,
    0x0264: 0xA7CB,
    0x1C8A: 0x1C89,
    0xA7CD: 0xA7CC,
    0xA7CF: 0xA7CE,
    0xA7D3: 0xA7D2,
    0xA7D5: 0xA7D4,
    0xA7DB: 0xA7DA,
}


def js_canonicalize(unit: int) -> int:
    """ECMAScript's Canonicalize(ch) for a non-Unicode, case-insensitive regex: one code unit in, one out."""
    if unit in _UPPER_ADDED_AFTER_UNICODE_14:
        return _UPPER_ADDED_AFTER_UNICODE_14[unit]
    upper = chr(unit).upper()
    if len(upper) != 1 or ord(upper) > 0xFFFF:
        return unit
    if unit >= 128 and ord(upper) < 128:
        return unit
    return ord(upper)


_CANON = {unit: js_canonicalize(unit) for unit in range(0x10000)}
_CANON = {unit: canon for unit, canon in _CANON.items() if canon != unit}  # for str.translate


def _units(text: str) -> str:
    """`text` as JavaScript sees it: one character per UTF-16 code unit (surrogate pairs split)."""
    if not text or max(text) <= "\uffff":
        return text
    out = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(chr(0xD800 + (code >> 10)))
            out.append(chr(0xDC00 + (code & 0x3FF)))
        else:
            out.append(char)
    return "".join(out)


def _code_points(units: str) -> str:
    """Surrogate pairs joined again (lone surrogates kept), as punycode.js's ucs2decode reads a string."""
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


# --- building the case-insensitive regexes -------------------------------------------------------------


def _members(*parts: str | tuple[int, int]) -> set[int]:
    """Code units of a character class: strings of characters and (first, last) ranges."""
    units: set[int] = set()
    for part in parts:
        if isinstance(part, tuple):
            units.update(range(part[0], part[1] + 1))
        else:
            units.update(ord(char) for char in part)
    return units


def _cls(*parts: str | tuple[int, int], negate: bool = False) -> str:
    """A character class, case-insensitive as in JavaScript: it holds the canonical form of each member
    and is matched against the canonicalised text."""
    units = sorted({js_canonicalize(unit) for unit in _members(*parts)})
    ranges: list[list[int]] = []
    for unit in units:
        if ranges and unit == ranges[-1][1] + 1:
            ranges[-1][1] = unit
        else:
            ranges.append([unit, unit])
    body = "".join(
        f"\\u{first:04x}" if first == last else f"\\u{first:04x}-\\u{last:04x}" for first, last in ranges
    )
    return f"[{'^' if negate else ''}{body}]"


def _lit(text: str) -> str:
    return re.escape(_units(text).translate(_CANON))


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(_lit(word) for word in words)


_LOWER = (ord("a"), ord("z"))
_UPPER = (ord("A"), ord("Z"))
_DIGITS = (ord("0"), ord("9"))

# regexp/punct.js, spacesGroup.js, invalidCharsGroup.js, directionalMarkersGroup.js
_PUNCT = "!'#%&'()*+,\\-./:;<=>?@[]^_{|}~$"
_SPACES = ((0x09, 0x0D), "\x20\x85\xa0\u1680\u180e", (0x2000, 0x200A), "\u2028\u2029\u202f\u205f\u3000")
_INVALID_CHARS = "\ufffe\ufeff\uffff"
_DIRECTIONAL_MARKERS = ((0x202A, 0x202E), "\u061c\u200e\u200f\u2066\u2067\u2068\u2069")
# regexp/latinAccentChars.js, cyrillicLettersAndMarks.js
_LATIN_ACCENTS = (
    (0xC0, 0xD6),
    (0xD8, 0xF6),
    (0xF8, 0xFF),
    (0x0100, 0x024F),
    "\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb",
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
)
_CYRILLIC = ((0x0400, 0x04FF),)

# validDomainChars: anything but punctuation, spaces, invalid characters and directional marks ("/"
# again: twitter-text's supplant leaves the regex delimiters in the class).
_DOMAIN_CHAR = _cls(_PUNCT, *_SPACES, _INVALID_CHARS, *_DIRECTIONAL_MARKERS, "/", negate=True)
_SUBDOMAIN = f"(?:(?:{_DOMAIN_CHAR}(?:[_\\-]|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_DOMAIN_NAME = f"(?:(?:{_DOMAIN_CHAR}(?:-|{_DOMAIN_CHAR})*)?{_DOMAIN_CHAR}\\.)"
_TLD_END = f"(?={_cls(_DIGITS, _LOWER, _UPPER, '@+-', negate=True)}|\\Z)"
_GTLD = f"(?:(?:{_alternatives(DATA['gtlds'])}){_TLD_END})"
_CCTLD = f"(?:(?:{_alternatives(DATA['cctlds'])}){_TLD_END})"
_PUNYCODE = f"(?:{_lit('xn--')}{_cls('-', _DIGITS, _LOWER)}+)"
_DOMAIN = f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|{_PUNYCODE}))"

_URL_PRECEDING_CLASS = _cls(_UPPER, _LOWER, _DIGITS, "@＠$#＃", _INVALID_CHARS, negate=True)
_URL_PRECEDING = f"(?:{_URL_PRECEDING_CLASS}|{_cls(*_DIRECTIONAL_MARKERS)}|^)"
_PATH_CHAR = _cls(_LOWER, *_CYRILLIC, _DIGITS, "!*';:=+,.$/%#[]-\u2013_~@|&", *_LATIN_ACCENTS)
_BALANCED_PARENS = f"\\((?:{_PATH_CHAR}+|(?:{_PATH_CHAR}*\\({_PATH_CHAR}+\\){_PATH_CHAR}*))\\)"
# validUrlPathEndingChars is "[...]|(?:<balanced parens>)" and validUrlPath pastes it in without
# parentheses, so its "|" splits the whole first branch: a path segment is either characters ending in
# an ending character, or balanced parentheses alone ("/!(x)" links only "/"). Kept as twitter-text has it.
_PATH_ENDING_CHAR = _cls("+-", _LOWER, *_CYRILLIC, _DIGITS, "=_#/", *_LATIN_ACCENTS)
_PATH = (
    f"(?:(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_ENDING_CHAR}|(?:{_BALANCED_PARENS}))"
    f"|(?:@{_PATH_CHAR}+/))"
)
_QUERY_CHAR = _cls(_LOWER, _DIGITS, "!?*'@();:&=+$/%#[]-_.,~|")
_QUERY_ENDING = _cls(_LOWER, _DIGITS, "-_&=#/")
_PROTOCOL = f"{_lit('http')}{_lit('s')}?://"

# regexp/extractUrl.js ("gi"): before, then the URL = protocol? domain (:port)? path? query?
_EXTRACT_URL = re.compile(
    f"(?P<before>{_URL_PRECEDING})"
    f"(?P<url>(?P<protocol>{_PROTOCOL})?"
    f"(?P<domain>{_DOMAIN})"
    f"(?::(?P<port>[0-9]+))?"
    f"(?P<path>/{_PATH}*)?"
    f"(?P<query>\\?{_QUERY_CHAR}*{_QUERY_ENDING})?)"
)
# regexp/validAsciiDomain.js, (?:(?:[\-a-z0-9<latin accents>]+)\.)+(?:<TLD>), runs as _ascii_domains.
_ASCII_LABEL = re.compile(f"{_cls('-', _LOWER, _DIGITS, *_LATIN_ACCENTS)}+")
# Pieces of the above for _url_matches' shortcuts.
_TLD_AT = re.compile(f"(?:{_GTLD}|{_CCTLD}|{_PUNYCODE})")
_DOT = re.compile(r"\.")
_HTTP = re.compile(_lit("http"))
_URL_CANDIDATE = re.compile(f"{_URL_PRECEDING_CLASS}(?={_DOMAIN_CHAR})")
_LABEL = re.compile(f"(?:{_DOMAIN_CHAR}|[_\\-])*")
_INVALID_URL_WITHOUT_PROTOCOL_PRECEDING = re.compile(r"[-_./]\Z")
_VALID_TCO_URL = re.compile(
    f"{_PROTOCOL}{_lit('t.co/')}({_cls(_LOWER, _DIGITS)}+)(?:\\?{_QUERY_CHAR}*{_QUERY_ENDING})?"
)
# twemoji-parser's regex (no "i" flag), written in UTF-16 surrogates: matched against `_units(text)`.
_EMOJI = re.compile(DATA["emoji"])


# --- extractUrlsWithIndices ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _punycode_to_ascii(label: str) -> str:
    """punycode.js 1.4.1's toASCII (what twitter-text's idna check uses), for a label in UTF-16 units."""
    prefix = ""
    if "@" in label:
        parts = label.split("@")
        prefix, label = parts[0] + "@", parts[1]
    labels = re.sub("[\x2e\u3002\uff0e\uff61]", ".", label).split(".")
    encoded = [
        "xn--" + _code_points(part).encode("punycode").decode("ascii")
        if re.search("[^\x20-\x7e]", part)
        else part
        for part in labels
    ]
    return prefix + ".".join(encoded)


def _is_valid_url(url: str, protocol: str, domain: str) -> bool:
    """twitter-text's isValidUrl with lib/idna.js's toAscii: at most 4096 characters with the protocol,
    no label empty or over 63 characters once punycode-encoded, and an "xn--" domain must be ASCII. (Its
    toAscii returns the domain itself, so the length is the URL's.) The same three conditions, cheapest
    first, so a long run of domain-like text costs one pass."""
    if len(protocol) + len(url) > _MAX_URL_LENGTH:
        return False
    for label in domain.split("."):
        # Punycode writes at least one character per code point: a longer label needs no encoding.
        if len(_code_points(label)) > _MAX_DOMAIN_LABEL_LENGTH:
            return False
        if not 1 <= len(_punycode_to_ascii(label)) <= _MAX_DOMAIN_LABEL_LENGTH:
            return False
    return not (domain[:4] == "xn--" and next(_ascii_domains(domain.translate(_CANON)), None) is None)


def _ascii_domains(canon: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each match of twitter-text's validAsciiDomain ("gi") in a canonicalised domain, in
    linear time. From a start, the regex's labels are forced (a label runs to the next "."), and it keeps
    as many as still leave a TLD right after the last dot: the last such dot of the chain of labels. Every
    start inside the same label has the same chain, so the leftmost match starts where the scan reaches
    the label, and a chain without such a dot holds no match at all."""
    position = 0
    length = len(canon)
    while position < length:
        run = _ASCII_LABEL.search(canon, position)
        if run is None:
            return
        dot_ends = []
        label: re.Match | None = run
        while label is not None and label.end() < length and canon[label.end()] == ".":
            dot_ends.append(label.end() + 1)
            label = _ASCII_LABEL.match(canon, label.end() + 1)
        end = next((tld.end() for at in reversed(dot_ends) if (tld := _TLD_AT.match(canon, at))), None)
        if end is None:
            position = label.end() if label is not None else dot_ends[-1]
            continue
        yield run.start(), end
        position = end


def _url_matches(canon: str) -> Iterator[re.Match]:
    """The matches of twitter-text's extractUrl regex over the canonicalised text, in order, as its
    `while (extractUrl.exec(text))` loop finds them; in about linear time where trying the regex at every
    position would take quadratic time (a long run of Chinese text and a dot, say).

    Two facts make that possible without changing a single answer. A domain ends with "." and a valid TLD
    (or "xn--"): without such a dot nothing matches. And a match at position p is "one character, then a
    URL at p + 1" (or a URL at 0); when that fails after a character that may precede a URL, it fails the
    same way from every later position of the same domain label (the rest of the domain is the same, and
    the label's tail is just as valid), except after an underscore (only subdomains may hold one) and
    where "http" starts.
    """
    if not any(_TLD_AT.match(canon, dot.end()) for dot in _DOT.finditer(canon)):
        return
    http = [found.start() for found in _HTTP.finditer(canon)]
    length = len(canon)
    position = 0
    while position < length:
        if position:  # past 0 ("^"), a match starts with a character that may precede a URL, then a domain
            candidate = _URL_CANDIDATE.search(canon, position)
            if candidate is None:
                return
            position = candidate.start()
        match = _EXTRACT_URL.match(canon, position)
        if match:
            yield match
            position = match.end()
            continue
        start = position + 1
        if start < length and _URL_CANDIDATE.match(canon, position):
            label_end = _LABEL.match(canon, start).end()
            following = label_end - 1
            underscore = canon.rfind("_", start, label_end)
            if underscore != -1:
                following = min(following, underscore)
            scheme = bisect.bisect_right(http, start)
            if scheme < len(http) and http[scheme] < label_end:
                following = min(following, http[scheme] - 1)
            position = max(following, position + 1)
        else:
            position += 1


def _extract_urls(units: str) -> list[tuple[str, int, int]]:
    """(url, start, end) of each URL in UTF-16 units, as twitter-text's extractUrlsWithIndices."""
    if not units or "." not in units:
        return []
    canon = units.translate(_CANON)
    urls: list[tuple[str, int, int]] = []
    for match in _url_matches(canon):
        before = units[slice(*match.span("before"))]
        start, end = match.span("url")
        url = units[start:end]
        protocol = units[slice(*match.span("protocol"))] if match.group("protocol") else ""
        domain_start, domain_end = match.span("domain")
        domain = units[domain_start:domain_end]
        if not _is_valid_url(url, protocol or "https://", domain):
            continue
        if not protocol:
            # Without a scheme only the ASCII domains count: "中文kawo.cn" links "kawo.cn".
            if _INVALID_URL_WITHOUT_PROTOCOL_PRECEDING.search(before):
                continue
            found = 0
            ascii_end = 0
            for ascii_start_in_domain, ascii_end_in_domain in _ascii_domains(canon[domain_start:domain_end]):
                ascii_domain = domain[ascii_start_in_domain:ascii_end_in_domain]
                ascii_start = domain.find(ascii_domain, ascii_end)
                ascii_end = ascii_start + len(ascii_domain)
                urls.append((ascii_domain, start + ascii_start, start + ascii_end))
                found += 1
            if not found:
                continue
            if match.group("path"):
                # The last ASCII domain takes the path (twitter-text: url.replace(domain, lastUrl.url)).
                ascii_domain, ascii_start, _end = urls[-1]
                urls[-1] = (url.replace(domain, ascii_domain, 1), ascii_start, end)
        else:
            tco = _VALID_TCO_URL.match(canon[start:end])
            if tco:
                # A t.co link takes no more path; one with a slug over 40 characters is no link at all.
                if tco.group(1) and len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                    continue
                url = url[: tco.end()]
                end = start + len(url)
            urls.append((url, start, end))
    return urls


# --- parseTweet ----------------------------------------------------------------------------------------


# Each code unit's weight in characters (config weights / scale): 1 in the light ranges, else 2.
_WEIGHTS = bytearray([_DEFAULT_WEIGHT // _SCALE]) * 0x10000
for _first, _last, _weight in _RANGES:
    _WEIGHTS[_first : _last + 1] = bytes([_weight // _SCALE]) * (_last - _first + 1)


def weighted_length(text: str) -> int:
    """The length X gives `text` (twitter-text's parseTweet(text).weightedLength); the limit is 280."""
    units = _units(unicodedata.normalize("NFC", text))
    # What starts at an index weighs as a whole: a URL 23 (it wins over an emoji at the same index), an
    # emoji sequence 2. (weight, code units)
    entities = {match.start(): (2, len(match.group())) for match in _EMOJI.finditer(units)}
    entities.update({start: (URL_WEIGHT, len(url)) for url, start, _end in _extract_urls(units)})
    total = 0
    index = 0
    length = len(units)
    while index < length:
        entity = entities.get(index)
        if entity is not None:
            total += entity[0]
            index += entity[1]
            continue
        code = ord(units[index])
        if 0xD800 <= code <= 0xDBFF and index + 1 < length and 0xDC00 <= ord(units[index + 1]) <= 0xDFFF:
            index += 1  # a surrogate pair weighs as its low surrogate does (what twitter-text looks up)
            code = ord(units[index])
        total += _WEIGHTS[code]
        index += 1
    return total
