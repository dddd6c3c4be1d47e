"""The text rules. Each takes the normalised text and returns findings with exact spans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import regex
from django.utils.translation import gettext as _

from .adlaw_terms import ABSOLUTE_CLAIM_TERMS, ALLOWED_WORDS, LATIN_CLAIM_PATTERNS
from .findings import ComplianceFinding, Severity
from .text import NormalizedText, find_links, find_terms, host_in, normalize

ADLAW_ABSOLUTE_CLAIM = "adlaw.absolute_claim"
BANNED_WORD = "banned_word"
DISCLOSURE_MISSING = "disclosure.missing"
LINK_BLOCKED_IN_MAINLAND = "link.blocked_in_mainland"

# Disclosure labels a paid or KOL post can carry. Chinese internet-advertising rules ask for "广告"; global
# platforms' branded-content policies for "#ad", "#sponsored" or the platform's paid-partnership label.
DEFAULT_DISCLOSURE_MARKERS: tuple[str, ...] = (
    "广告",
    "赞助",
    "#ad",
    "#sponsored",
    "#advertisement",
    "#paidpartnership",
    "paid partnership",
)


@lru_cache(maxsize=64)
def _adlaw_matcher(extra_allowed: frozenset[str] = frozenset()) -> tuple[regex.Pattern, frozenset[str]]:
    """One alternation of every claim term and allowed word, longest first, then a lone 最.

    At each position the longest listed word wins, so "全网第一" is one claim (not also "第一"), "最近" is an
    allowed word (not the claim "最"), and "最后一波" would beat "最后" if it were listed.
    """
    allowed = frozenset(ALLOWED_WORDS) | extra_allowed
    words = sorted(set(ABSOLUTE_CLAIM_TERMS) | allowed, key=lambda w: (-len(w), w))
    alternation = "|".join(regex.escape(w) for w in words)
    # A 最 not starting a listed word is a superlative all the same: report it with the character it
    # qualifies ("最香"), or alone when nothing Chinese follows.
    pattern = regex.compile(f"(?:{alternation})|最\\p{{Han}}?")
    return pattern, allowed


@lru_cache(maxsize=1)
def _latin_claims() -> tuple[regex.Pattern, ...]:
    return tuple(regex.compile(p, regex.IGNORECASE) for p in LATIN_CLAIM_PATTERNS)


def adlaw_findings(text: NormalizedText, allowed_words: Iterable[str] = ()) -> list[ComplianceFinding]:
    """`allowed_words`: the workspace's own additions to ALLOWED_WORDS (names such as 最高人民法院)."""
    extra = frozenset(w for w in (normalize(word).text.strip() for word in allowed_words) if w)
    pattern, allowed = _adlaw_matcher(extra)
    matches: list[tuple[int, int, str]] = []
    for match in pattern.finditer(text.text):
        if match.group(0) in allowed:
            continue
        matches.append((match.start(), match.end(), match.group(0)))
    if text.has_han:
        for latin in _latin_claims():
            for match in latin.finditer(text.text):
                matches.append((match.start(), match.end(), match.group(0)))
    findings = []
    for start, end, term in matches:
        orig_start, orig_end = text.span(start, end)
        findings.append(
            ComplianceFinding(
                rule=ADLAW_ABSOLUTE_CLAIM,
                severity=Severity.BLOCKING,
                message=_(
                    "“%(term)s” is an absolute claim, which China's Advertising Law (art. 9(3)) forbids in "
                    "advertising."
                )
                % {"term": term},
                start=orig_start,
                end=orig_end,
                params={"term": term},
            )
        )
    return findings


def _severity(value: object) -> Severity:
    try:
        return Severity(str(value))
    except ValueError:
        raise ValueError(f"unknown severity {value!r}; use one of {[s.value for s in Severity]}") from None


def banned_word_findings(text: NormalizedText, banned_words: Iterable) -> list[ComplianceFinding]:
    """Workspace lists: case-insensitive, whole words in Latin script, substrings in Chinese/Japanese."""
    findings = []
    for entry in banned_words:
        severity = _severity(entry.severity)
        note = getattr(entry, "note", "") or ""
        for match in find_terms(text, [entry.word]):
            if note:
                message = _("“%(word)s” is on this workspace's banned-word list: %(note)s") % {
                    "word": entry.word,
                    "note": note,
                }
            else:
                message = _("“%(word)s” is on this workspace's banned-word list.") % {"word": entry.word}
            findings.append(
                ComplianceFinding(
                    rule=BANNED_WORD,
                    severity=severity,
                    message=message,
                    start=match.start,
                    end=match.end,
                    params={"word": entry.word, "note": note},
                )
            )
    return findings


def disclosure_findings(text: NormalizedText, markers: Sequence[str]) -> list[ComplianceFinding]:
    """A paid or KOL post must carry one of `markers`."""
    if next(find_terms(text, markers), None) is not None:
        return []
    shown = ", ".join(markers)
    return [
        ComplianceFinding(
            rule=DISCLOSURE_MISSING,
            severity=Severity.BLOCKING,
            message=_("A paid or KOL post must be labelled as advertising: add one of %(markers)s.")
            % {"markers": shown},
            params={"markers": list(markers)},
        )
    ]


def blocked_link_findings(
    text: NormalizedText,
    *,
    platforms: Sequence[str],
    blocked_domains: Iterable[str],
    chinese_platforms: Mapping[str, str],
    link: str = "",
) -> list[ComplianceFinding]:
    """Links that don't open in mainland China, once per Chinese platform the post goes to.

    Links in the text carry their span; the post's separate `link` field has none.
    """
    targets = [p for p in dict.fromkeys(platforms) if p in chinese_platforms]
    if not targets:
        return []
    domains = tuple(blocked_domains)
    found: list[tuple[str, str, int | None, int | None]] = []
    for item in find_links(text):
        domain = host_in(item.host, domains)
        if domain:
            found.append((item.url, domain, item.start, item.end))
    if link:
        for item in find_links(normalize(link)):
            domain = host_in(item.host, domains)
            if domain:
                found.append((item.url, domain, None, None))
    findings = []
    for url, domain, start, end in found:
        for platform in targets:
            findings.append(
                ComplianceFinding(
                    rule=LINK_BLOCKED_IN_MAINLAND,
                    severity=Severity.BLOCKING,
                    message=_(
                        "%(domain)s is blocked in mainland China: %(platform)s followers there cannot open "
                        "%(url)s."
                    )
                    % {"domain": domain, "platform": chinese_platforms[platform], "url": url},
                    start=start,
                    end=end,
                    platform=platform,
                    params={"domain": domain, "url": url},
                )
            )
    return findings
