"""The OCEAN page's figures for one period, from the product's own data (never a platform call):

* Content & Channel: the posts planned in the period (a target whose post is scheduled on one of the
  period's workspace days), by platform and by tag;
* Execution: of those planned up to now, how many were published, and published on time (at most
  ON_TIME_GRACE after the scheduled time); approvals' lead time (submission to decision) of the requests
  completed in the period, as a median in hours.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from analytics.selectors import day_bounds
from approvals.models import ApprovalRequest
from channels_app.models import Platform
from content.models import PostTarget

ON_TIME_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class Execution:
    planned_due: int
    published: int
    on_time: int
    approvals: int
    lead_time_hours: float | None


def planned_mix(workspace, start: date, end: date) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(platform label, posts) and (tag, posts) of the posts planned in the period, most first."""
    lower, upper = day_bounds(workspace, start, end)
    targets = PostTarget.objects.filter(
        workspace=workspace, post__scheduled_at__gte=lower, post__scheduled_at__lt=upper
    ).select_related("account")
    platforms = Counter(str(Platform(t.account.platform).label) for t in targets)
    tags: Counter = Counter()
    for target in targets.prefetch_related("post__tags__group"):
        for tag in target.post.tags.all():
            tags[str(tag)] += 1
    return platforms.most_common(), tags.most_common(12)


def execution(workspace, start: date, end: date) -> Execution:
    lower, upper = day_bounds(workspace, start, end)
    now = timezone.now()
    due = PostTarget.objects.filter(
        workspace=workspace, post__scheduled_at__gte=lower, post__scheduled_at__lt=min(upper, now)
    ).select_related("post")
    planned = published = on_time = 0
    for target in due:
        planned += 1
        if target.published_at is not None:
            published += 1
            if target.published_at <= target.post.scheduled_at + ON_TIME_GRACE:
                on_time += 1
    requests = ApprovalRequest.objects.filter(
        workspace=workspace, completed_at__gte=lower, completed_at__lt=upper
    ).values_list("created_at", "completed_at")
    hours = [(done - made).total_seconds() / 3600 for made, done in requests]
    return Execution(planned, published, on_time, len(hours), statistics.median(hours) if hours else None)
