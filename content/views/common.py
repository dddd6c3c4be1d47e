"""What the content pages share: error answers for the page scripts, wall-time parsing in the workspace's
zone, post lookups inside the workspace, each platform's count."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, gettext_noop

from core.errors import DomainError

from .. import selectors, services
from ..models import Post, TargetStatus

S = TargetStatus
STATUS_ORDER = [s.value for s in S]
MAX_EVENTS_RANGE = timedelta(days=62)  # a month view with its spill-over weeks, with room to spare


def _error_json(error: DomainError) -> JsonResponse:
    # `extra`: what some errors add, e.g. the times to choose from where a wall time names none or two.
    body = {
        "code": error.code,
        "message": error.message,
        "fields": error.fields,
        **getattr(error, "extra", {}),
    }
    return JsonResponse({"error": body}, status=error.status_code)


def _wall_clock(value: str, tz) -> datetime | None:
    """A calendar time ("2026-11-28T10:00:00", an offset or Z ignored) as an aware time in `tz`; for what
    is shown (a composer's initial date), not for a time to store (`_parsed_time`, core.timezones)."""
    parsed = _parsed_time(value)
    if parsed is None:
        return None
    return parsed.replace(tzinfo=None).replace(tzinfo=tz)


def _parsed_time(value: str) -> datetime | None:
    """ "2026-11-28T10:00:00" (a wall time, naive) or with an offset (aware); None where it is not one."""
    try:
        return parse_datetime((value or "").strip().replace(" ", "+"))
    except ValueError:  # well formed but impossible, e.g. 2026-02-30
        return None


def _local_iso(value: datetime, tz) -> str:
    return value.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")


def _workspace_post(workspace, post_id) -> Post:
    return get_object_or_404(Post, workspace=workspace, pk=post_id, deleted_at__isnull=True)


def _loaded_post(workspace, post_id) -> Post:
    post = selectors.with_relations(
        Post.objects.filter(workspace=workspace, pk=post_id, deleted_at__isnull=True)
    ).first()
    if post is None:
        raise Http404
    return post


def text_count(platform: str, text: str, *, first_comment: bool = False) -> dict:
    """The length of `text` by the platform's own rule (content.services.text_counts, which asks the
    connector's count_text, the rule its validate uses too), its limit, unit and whether it is over.
    With `first_comment`, the limit is the first comment's (Facebook limits comments apart from posts)."""
    info = services.text_counts(text, [platform], first_comment=first_comment)[platform]
    limit = info["limit"]
    unit = gettext(str(info["unit"]))  # the connectors name their units in English (TEXT_UNITS)
    return {**info, "unit": unit, "over": limit is not None and info["count"] > limit}


# The connectors' `text_unit` names, for makemessages: said in the reader's language where they are shown.
TEXT_UNITS = (
    gettext_noop("characters"),
    gettext_noop("weighted characters"),
    gettext_noop("graphemes"),
    gettext_noop("UTF-16 characters"),
    gettext_noop("characters as HTML"),
    gettext_noop("bytes of description"),
    gettext_noop("Weibo characters (a Chinese character is 1, two ASCII characters are 1)"),
)
