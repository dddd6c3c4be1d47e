"""The adapter to the platform connectors: their own limits (length in their own unit, media count, kind
and size) come from `Connector.validate`, never from a copy kept here.

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

# Connector rules about how the bytes travel, not about the content: "<platform>.media_data" says the payload
# doesn't carry the file's bytes. At compose time the file is in storage and the publish step loads it, so
# the check never has the bytes: these findings would block every post with media. (A missing public URL,
# "<platform>.media_url", is kept: MediaInfo.url carries it.)
PAYLOAD_ONLY_RULES = frozenset({"media_data"})


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
                )
            connector = connector_instance(cls, platform)
            try:
                connector_findings = connector.validate(payload)
            except NotImplementedError:
                connector_findings = None
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
            if found.rule.partition(".")[2] in PAYLOAD_ONLY_RULES:
                continue
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


FIRST_COMMENT_LENGTH = "first_comment_length"  # "<platform>.first_comment_length"


def first_comment_findings(
    text: str, *, platforms: Sequence[str], connectors: Mapping[str, type] | None
) -> list[ComplianceFinding]:
    """The first comment's length on each platform that posts one, counted by the connector's own rule
    (`count_text`: X's weighted characters...) against its comment limit (`capabilities.comment_limit`):
    Facebook's comments have their own (8,000 characters, posts 63,206), Instagram's is its caption's, and
    on X and Mastodon the first comment is a reply, a post of its own, with the text limit. Platforms
    without first comments get nothing here (content.services refuses a first comment for them)."""
    registry = registered_connectors() if connectors is None else connectors
    findings: list[ComplianceFinding] = []
    for platform in dict.fromkeys(platforms):
        cls = registry.get(platform)
        caps = getattr(cls, "capabilities", None)
        if caps is None or not caps.first_comment or caps.comment_limit is None:
            continue
        connector = connector_instance(cls, platform)
        try:
            used = connector.count_text(text)
        finally:
            close = getattr(connector, "close", None)
            if close is not None:
                close()
        if used > caps.comment_limit:
            params = {
                "used": used,
                "unit": caps.text_unit,
                "platform": getattr(cls, "display_name", "") or platform,
                "limit": caps.comment_limit,
            }
            findings.append(
                ComplianceFinding(
                    rule=f"{platform}.{FIRST_COMMENT_LENGTH}",
                    severity=Severity.BLOCKING,
                    message=_(
                        "The first comment is %(used)s %(unit)s; %(platform)s allows at most %(limit)s."
                    )
                    % params,
                    platform=platform,
                    params=params,
                )
            )
    return findings
