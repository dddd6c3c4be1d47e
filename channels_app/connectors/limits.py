"""A platform's hard limits on what we send, checked in one place for the composer and the connectors.

The limit table is each connector's own, kept once: its `Capabilities` (text length in the platform's
unit, bytes, media kinds, counts and sizes, the first comment's limit) and the platform rules its
`validate` adds on top (Bluesky's image types and alt text, WeChat's articles, titles...). Two callers
read it through this module and nothing else:

- the composer's compliance (content.compliance.platforms) shows `payload_findings` (errors and
  warnings), `first_comment_excess` and, in the inbox, `reply_excess`;
- every connector's `publish` and `reply` (base.Connector wraps them) refuse, before any HTTP call, what
  `hard_limit_violations` / `reply_violations` return - the error findings of the same lists, with the
  same messages - by raising errors.OverLimits (a Rejected: retrying cannot help).

So a connector called directly (a script, a new task, a bug upstream) cannot send content over its
platform's limits, and says why in the words the composer would have used.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .base import Finding, PostPayload

# Connector rules about how the bytes travel, not about the content: "<platform>.media_data" says the
# payload doesn't carry the file's bytes. At compose time the file is in storage and the publish step
# loads it, so the composer never has the bytes: these findings would block every post with media there.
PAYLOAD_ONLY_RULES = frozenset({"media_data"})

FIRST_COMMENT_LENGTH = "first_comment_length"  # "<platform>.first_comment_length"
REPLY_LENGTH = "reply_length"  # "<platform>.reply_length"


def payload_findings(
    connector: Any, payload: PostPayload, *, composing: bool = False
) -> list[Finding] | None:
    """Every finding of the platform's own rules for `payload` (errors block, warnings need an
    override). `composing`: leave out the rules about bytes the composer never holds. None: the
    connector does not validate (yet), so nothing was checked."""
    try:
        findings = list(connector.validate(payload))
    except NotImplementedError:
        return None
    if composing:
        findings = [f for f in findings if f.rule.partition(".")[2] not in PAYLOAD_ONLY_RULES]
    return findings


def _excess(connector: Any, text: str, limit: int | None, label: str | None) -> dict[str, Any] | None:
    if not text or limit is None:
        return None
    used = connector.count_text(text)
    if used <= limit:
        return None
    return {
        "used": used,
        "unit": connector.capabilities.text_unit,
        "platform": label or getattr(connector, "display_name", "") or connector.platform,
        "limit": limit,
    }


def first_comment_excess(connector: Any, text: str, *, label: str | None = None) -> dict[str, Any] | None:
    """The message's params when the first comment is over the platform's comment limit, counted by its
    own rule (`count_text`) against `capabilities.comment_limit` (Facebook's comments have their own; on X
    and Mastodon it is a reply, a post, with the text limit); None when it fits or is not posted."""
    caps = connector.capabilities
    if not caps.first_comment:
        return None
    return _excess(connector, text, caps.comment_limit, label)


def first_comment_message(params: dict[str, Any]) -> str:
    return _("The first comment is %(used)s %(unit)s; %(platform)s allows at most %(limit)s.") % params


def reply_excess(connector: Any, text: str, *, label: str | None = None) -> dict[str, Any] | None:
    """The message's params when an answer to a fan is over the platform's limit for it (the comment
    limit: a comment or a reply post); None when it fits."""
    return _excess(connector, text, connector.capabilities.comment_limit, label)


def reply_message(params: dict[str, Any]) -> str:
    return _("The reply is %(used)s %(unit)s; %(platform)s allows at most %(limit)s.") % params


def hard_limit_violations(connector: Any, payload: PostPayload) -> list[Finding]:
    """What the platform refuses in `payload`: the error findings of `payload_findings` and the first
    comment's length. Empty: it may be sent."""
    violations = [f for f in payload_findings(connector, payload) or [] if f.severity == "error"]
    params = first_comment_excess(connector, payload.first_comment)
    if params is not None:
        violations.append(
            Finding(f"{connector.platform}.{FIRST_COMMENT_LENGTH}", first_comment_message(params))
        )
    return violations


def reply_violations(connector: Any, text: str) -> list[Finding]:
    params = reply_excess(connector, text)
    if params is None:
        return []
    return [Finding(f"{connector.platform}.{REPLY_LENGTH}", reply_message(params))]
