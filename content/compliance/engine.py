"""`check`: every compliance rule over one text, for the platforms it will be posted to."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .blocked_domains import BLOCKED_IN_MAINLAND_DOMAINS, CHINESE_PLATFORMS
from .findings import FIRST_COMMENT, BannedWord, ComplianceFinding
from .platforms import first_comment_findings, platform_findings
from .rules import (
    DEFAULT_DISCLOSURE_MARKERS,
    adlaw_findings,
    banned_word_findings,
    blocked_link_findings,
    disclosure_findings,
)
from .text import normalize, utf16_offset


def check(
    text: str,
    *,
    platforms: Sequence[str],
    media: Sequence[Any] = (),
    banned_words: Iterable[BannedWord] = (),
    is_paid_or_kol: bool = False,
    disclosure_markers: Sequence[str] | None = None,
    blocked_domains: Iterable[str] | None = None,
    adlaw_allowed_words: Iterable[str] = (),
    link: str = "",
    title: str = "",
    options: Mapping[str, Any] | None = None,
    articles: Sequence[Any] = (),
    connectors: Mapping[str, type] | None = None,
) -> list[ComplianceFinding]:
    """All findings for `text` posted to `platforms`, sorted by span (findings without a span last).

    - adlaw.absolute_claim (blocking): absolute claims China's Advertising Law forbids, in any post; words
      in `adlaw_allowed_words` (the workspace's, added to adlaw_terms.ALLOWED_WORDS) are not claims.
    - banned_word (the word's own severity): the workspace's lists (`banned_words`: BannedWord, or any
      object with `word`, `severity`, `note`).
    - disclosure.missing (blocking): a paid or KOL post without one of `disclosure_markers`
      (default: rules.DEFAULT_DISCLOSURE_MARKERS).
    - link.blocked_in_mainland (blocking, per Chinese platform): links in the text or `link` to
      `blocked_domains` (default: blocked_domains.BLOCKED_IN_MAINLAND_DOMAINS, subdomains included).
    - <platform>.<rule> from each platform's connector (`connectors`: defaults to the registry); errors
      become blocking, warnings warnings. platform.limits_unchecked (info) where no connector validates.

    `media` is a sequence of content.media_inspect.MediaInfo (set `filename` and `url` where known);
    `articles` a WeChat push's articles 2-8 (connectors.base.Article), for the connector's limits on them.
    """
    normalized = normalize(text)
    findings: list[ComplianceFinding] = []
    findings += adlaw_findings(normalized, adlaw_allowed_words)
    findings += banned_word_findings(normalized, banned_words)
    if is_paid_or_kol:
        markers = DEFAULT_DISCLOSURE_MARKERS if disclosure_markers is None else tuple(disclosure_markers)
        findings += disclosure_findings(normalized, markers)
    findings += blocked_link_findings(
        normalized,
        platforms=platforms,
        blocked_domains=BLOCKED_IN_MAINLAND_DOMAINS if blocked_domains is None else blocked_domains,
        chinese_platforms=CHINESE_PLATFORMS,
        link=link,
    )
    findings += platform_findings(
        text,
        platforms=platforms,
        media=media,
        connectors=connectors,
        link=link,
        title=title,
        options=options,
        articles=articles,
    )
    findings = [_with_utf16(text, f) for f in findings]
    return sorted(findings, key=ComplianceFinding.sort_key)


def check_first_comment(
    text: str,
    *,
    platforms: Sequence[str],
    banned_words: Iterable[BannedWord] = (),
    blocked_domains: Iterable[str] | None = None,
    adlaw_allowed_words: Iterable[str] = (),
    connectors: Mapping[str, type] | None = None,
) -> list[ComplianceFinding]:
    """All findings for a first comment posted under a post on `platforms`; each names the first comment
    (`field="first_comment"`) and its span is an offset into `text`, the first comment.

    The text rules apply as to the post (adlaw.absolute_claim, banned_word, link.blocked_in_mainland): a
    claim or a banned word is as public in the first comment as in the post. The disclosure belongs to the
    post itself, so it is not asked for here. The platform's limit is the first comment's length by the
    connector's own count (`<platform>.first_comment_length`, blocking; platforms.first_comment_findings).
    """
    findings = _word_findings(text, platforms, banned_words, blocked_domains, adlaw_allowed_words)
    findings += first_comment_findings(text, platforms=platforms, connectors=connectors)
    findings = [dataclasses.replace(_with_utf16(text, f), field=FIRST_COMMENT) for f in findings]
    return sorted(findings, key=ComplianceFinding.sort_key)


def check_words(
    text: str,
    *,
    field: str,
    platforms: Sequence[str],
    banned_words: Iterable[BannedWord] = (),
    blocked_domains: Iterable[str] | None = None,
    adlaw_allowed_words: Iterable[str] = (),
) -> list[ComplianceFinding]:
    """The word rules (adlaw.absolute_claim, banned_word, link.blocked_in_mainland) over another part of
    what is published: the title (`field="title"`) or a media item's alt text
    (`field="media.<index>.alt_text"`). A claim is as public in a WeChat article's title or an image's
    description as in the text. Spans are offsets into `text`; platform limits are the connectors'."""
    findings = _word_findings(text, platforms, banned_words, blocked_domains, adlaw_allowed_words)
    findings = [dataclasses.replace(_with_utf16(text, f), field=field) for f in findings]
    return sorted(findings, key=ComplianceFinding.sort_key)


def _word_findings(text, platforms, banned_words, blocked_domains, adlaw_allowed_words) -> list:
    """The rules about words, wherever they are published: absolute claims, banned words, links blocked
    in mainland China (no `link` field: that belongs to the post's own check)."""
    normalized = normalize(text)
    findings: list[ComplianceFinding] = []
    findings += adlaw_findings(normalized, adlaw_allowed_words)
    findings += banned_word_findings(normalized, banned_words)
    findings += blocked_link_findings(
        normalized,
        platforms=platforms,
        blocked_domains=BLOCKED_IN_MAINLAND_DOMAINS if blocked_domains is None else blocked_domains,
        chinese_platforms=CHINESE_PLATFORMS,
        link="",
    )
    return findings


def has_blocking(findings: Iterable[ComplianceFinding]) -> bool:
    """True when any finding stops scheduling."""
    return any(f.blocking for f in findings)


def _with_utf16(text: str, finding: ComplianceFinding) -> ComplianceFinding:
    if finding.start is None or finding.end is None:
        return finding
    return dataclasses.replace(
        finding, start_utf16=utf16_offset(text, finding.start), end_utf16=utf16_offset(text, finding.end)
    )
