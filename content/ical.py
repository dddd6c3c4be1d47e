"""A person's private iCal feed: the planned posts of every workspace they may see posts of.

The URL carries a secret (only its SHA-256 is stored, see content.services.ical_feed_create); a revoked or
unknown secret is a 404 and so is a person who lost access to everything. Access is re-checked on every
fetch, so leaving a workspace or losing an agency grant takes its posts out of the feed at once.
Events are in UTC; calendar apps show them in the reader's own time zone.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from .models import IcalFeed, Post, TargetStatus
from .selectors import calendar_posts_for_user
from .services import ical_secret_hash

PAST = timedelta(days=60)
FUTURE = timedelta(days=400)
EVENT_LENGTH = timedelta(minutes=15)
SHOWN_STATUSES = [s for s in TargetStatus.values if s != TargetStatus.CANCELLED]


def feed_for_secret(secret: str) -> IcalFeed | None:
    return (
        IcalFeed.objects.select_related("user")
        .filter(secret_hash=ical_secret_hash(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def build_calendar(posts, *, name: str = "KAWO") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//KAWO OSS//Content calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    host = getattr(settings, "KAWO_ICAL_UID_HOST", "kawo-oss.local")
    for post in posts:
        targets = list(post.targets.all())
        accounts = ", ".join(f"{t.account.platform}:{t.account.handle}" for t in targets)
        first_text = next((t.text for t in targets if t.text), "")
        event = Event()
        event.add("uid", f"post-{post.pk}@{host}")
        event.add("dtstamp", post.updated_at)
        event.add("dtstart", post.scheduled_at)
        event.add("dtend", post.scheduled_at + EVENT_LENGTH)
        summary = post.title or first_text[:60] or f"Post {post.pk}"
        event.add("summary", f"[{post.workspace.name}] {summary}")
        event.add("description", f"{accounts}\n{post.get_status_display()}\n\n{first_text}")
        event.add("categories", [post.workspace.name])
        event.add("status", "CONFIRMED" if post.status == TargetStatus.SCHEDULED else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical()


@require_GET
def feed_view(request, secret: str):
    feed = feed_for_secret(secret)
    if feed is None:
        raise Http404
    now = timezone.now()
    IcalFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    posts: list[Post] = list(
        calendar_posts_for_user(user=feed.user, start=now - PAST, end=now + FUTURE, status=SHOWN_STATUSES)
    )
    body = build_calendar(posts, name=feed.name or "KAWO")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
