"""The adapter to the platform connectors: their own limits (length in their own unit, media count, kind
and size) come from channels_app.connectors.limits (`Connector.validate` and the capabilities), never from
a copy kept here. The connectors refuse the same errors, with the same messages, before they send.

A platform with no registered connector yet, or whose connector does not validate yet, gets one info
finding saying that its limits were not checked, so nobody mistakes silence for a pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from .findings import ComplianceFinding, Severity

PLATFORM_LIMITS_UNCHECKED = "platform.limits_unchecked"

_SEVERITY = {"error": Severity.BLOCKING, "warning": Severity.WARNING, "info": Severity.INFO}

# Which rules the composer leaves out (the bytes it never holds) is the limits module's to say:
# channels_app.connectors.limits.PAYLOAD_ONLY_RULES.


def registered_connectors() -> Mapping[str, type]:
    # Imported here, not at module level: the registry imports every connector, and the compliance engine
    # must stay importable (and usable for the text rules) while connectors are being added.
    from channels_app.connectors.registry import CONNECTORS

    return CONNECTORS


def connector_instance(cls: type, platform: str) -> Any:
    """A connector configured like the publishing pipeline's (validate makes no HTTP call)."""
    from django.conf import settings

    conf = dict(getattr(settings, "PLATFORMS", {}).get(platform, {}))
    base_url = conf.pop("base_url", "")
    return cls(base_url=base_url, app={key: str(value) for key, value in conf.items()})


# MediaItem fields a MediaInfo does not carry, and why no platform rule can need them from here.
MEDIA_ITEM_NOT_FROM_INFO: dict[str, str] = {
    "data": "the bytes: rules read their size and kind, which are carried",
    "checksum": "the bytes' sha256: it identifies them for the approval hash, no rule reads it",
}


def to_media_item(info: Any) -> Any:
    """A connector's MediaItem for one content.media_inspect.MediaInfo: every attribute a connector's
    rules may read (a test checks each MediaItem field is here or in MEDIA_ITEM_NOT_FROM_INFO)."""
    from channels_app.connectors.base import MediaItem

    return MediaItem(
        kind=info.kind,
        filename=info.filename,
        content_type=info.mime,
        size=info.size,
        url=info.url,
        alt_text=getattr(info, "alt_text", ""),
    )


def platform_findings(
    text: str,
    *,
    platforms: Sequence[str],
    media: Sequence[Any],
    connectors: Mapping[str, type] | None,
    link: str = "",
    title: str = "",
    options: Mapping[str, Any] | None = None,
    articles: Sequence[Any] = (),
) -> list[ComplianceFinding]:
    registry = registered_connectors() if connectors is None else connectors
    findings: list[ComplianceFinding] = []
    payload = None
    for platform in dict.fromkeys(platforms):
        cls = registry.get(platform)
        connector_findings = None
        if cls is not None:
            if payload is None:
                from channels_app.connectors.base import PostPayload

                payload = PostPayload(
                    text=text,
                    media=tuple(to_media_item(m) for m in media),
                    link=link,
                    title=title,
                    options=dict(options or {}),
                    articles=tuple(articles),
                )
            from channels_app.connectors.limits import payload_findings

            connector = connector_instance(cls, platform)
            try:
                connector_findings = payload_findings(connector, payload, composing=True)
            finally:
                close = getattr(connector, "close", None)  # the base class has it since its HTTP client
                if close is not None:
                    close()
        if connector_findings is None:
            findings.append(
                ComplianceFinding(
                    rule=PLATFORM_LIMITS_UNCHECKED,
                    severity=Severity.INFO,
                    message=_("%(platform)s limits (length, media) were not checked: no connector yet.")
                    % {"platform": platform},
                    platform=platform,
                    params={"platform": platform},
                )
            )
            continue
        for found in connector_findings:
            findings.append(
                ComplianceFinding(
                    rule=found.rule,
                    severity=_SEVERITY.get(found.severity, Severity.BLOCKING),
                    message=str(found.message),
                    start=found.start,
                    end=found.end,
                    platform=platform,
                )
            )
    return findings


def first_comment_findings(
    text: str, *, platforms: Sequence[str], connectors: Mapping[str, type] | None
) -> list[ComplianceFinding]:
    """The first comment's length on each platform that posts one (channels_app.connectors.limits.
    first_comment_excess: the connector's own count against `capabilities.comment_limit`; Facebook's
    comments have their own limit, on X and Mastodon the first comment is a reply, a post, with the text
    limit). Platforms without first comments get nothing here (content.services refuses a first comment
    for them)."""
    from channels_app.connectors.limits import (
        FIRST_COMMENT_LENGTH,
        first_comment_excess,
        first_comment_message,
    )

    registry = registered_connectors() if connectors is None else connectors
    findings: list[ComplianceFinding] = []
    for platform in dict.fromkeys(platforms):
        cls = registry.get(platform)
        caps = getattr(cls, "capabilities", None)
        if caps is None or not caps.first_comment or caps.comment_limit is None:
            continue
        connector = connector_instance(cls, platform)
        try:
            params = first_comment_excess(connector, text, label=getattr(cls, "display_name", "") or platform)
        finally:
            close = getattr(connector, "close", None)
            if close is not None:
                close()
        if params is not None:
            findings.append(
                ComplianceFinding(
                    rule=f"{platform}.{FIRST_COMMENT_LENGTH}",
                    severity=Severity.BLOCKING,
                    message=first_comment_message(params),
                    platform=platform,
                    params=params,
                )
            )
    return findings
