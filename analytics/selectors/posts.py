"""Post-level figures: each published post's latest values, in common metrics and raw.

A post's value of a metric is the latest rollup on or before the cut-off day (platforms report running
totals for posts). Its common value takes the first feeder its platform has a value for (registry
order), so a post read both before and after Meta's rename is not counted twice; engagements fall back
to likes + comments + shares + saves where the platform reports no total of its own. Only posts we
published (a PostTarget with `published_at`) take part: the period is the workspace's calendar days.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection

from content.models import PostTarget

from ..metrics import COMMON_METRICS, Level, feeders
from .accounts import account_series
from .days import day_bounds, local_date


@dataclass
class PostFigures:
    target_id: int
    post_id: int
    account_id: int
    platform: str
    published_at: datetime
    # The workspace's calendar day of publishing.
    published_on: date
    raw: dict[str, float] = field(default_factory=dict)
    common: dict[str, float | None] = field(default_factory=dict)
    # The account's followers on the day of publishing (the last reading on or before it).
    followers: float | None = None


# Each period post's latest rollup of each metric on or before the cut-off day, read through the posts
# of the period (one join on the rollups' target index, migration 0003) rather than every rollup of the
# workspace's accounts: an overview reads two periods of thousands of posts (bench/analytics_reports.py).
LATEST_SQL = """
SELECT target_id, metric, value FROM (
    SELECT r.target_id, r.metric, r.value,
           ROW_NUMBER() OVER (PARTITION BY r.target_id, r.metric ORDER BY r.date DESC) AS pick
      FROM analytics_postdailymetric r
      JOIN content_posttarget t ON t.id = r.target_id AND t.account_id = r.account_id
     WHERE t.workspace_id = %s AND t.published_at >= %s AND t.published_at < %s {accounts}
       AND r.workspace_id = %s AND r.date <= %s
) AS latest
WHERE pick = 1
"""


def common_post_value(platform: str, raw: dict[str, float], common: str) -> float | None:
    """A post's value of `common` from its raw values (see the module docstring)."""
    for metric in feeders(platform, common, level=Level.POST):
        if metric.key in raw:
            return raw[metric.key] * metric.to_common
    components = COMMON_METRICS[common].components
    if components:
        parts = [common_post_value(platform, raw, part) for part in components]
        present = [part for part in parts if part is not None]
        return sum(present) if present else None
    return None


def post_figures(
    workspace, *, start: date, end: date, as_of: date | None = None, account_ids=None
) -> list[PostFigures]:
    """Every post published on the workspace's days `start`..`end`, with its values as of `as_of`
    (default `end`) and its account's followers on its publishing day."""
    as_of = as_of or end
    lower, upper = day_bounds(workspace, start, end)
    targets = PostTarget.objects.filter(workspace=workspace, published_at__gte=lower, published_at__lt=upper)
    account_filter, account_params = "", []
    if account_ids is not None:
        account_ids = list(account_ids)
        targets = targets.filter(account_id__in=account_ids)
        placeholders = ", ".join(["%s"] * len(account_ids))
        account_filter = f"AND t.account_id IN ({placeholders})" if account_ids else "AND 1 = 0"
        account_params = account_ids
    figures = {
        pk: PostFigures(
            target_id=pk,
            post_id=post_id,
            account_id=account_id,
            platform=platform,
            published_at=published_at,
            published_on=local_date(workspace, published_at),
        )
        for pk, post_id, account_id, platform, published_at in targets.values_list(
            "pk", "post_id", "account_id", "account__platform", "published_at"
        )
    }
    if not figures:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            LATEST_SQL.format(accounts=account_filter),
            [workspace.pk, lower, upper, *account_params, workspace.pk, as_of],
        )
        for target_id, metric, value in cursor.fetchall():
            if target_id in figures:
                figures[target_id].raw[metric] = value
    for figure in figures.values():
        figure.common = {key: common_post_value(figure.platform, figure.raw, key) for key in COMMON_METRICS}
    _attach_followers(workspace, figures.values(), until=end)
    return sorted(figures.values(), key=lambda f: (f.published_at, f.target_id))


def _attach_followers(workspace, figures, *, until: date) -> None:
    by_account = defaultdict(list)
    for figure in figures:
        by_account[figure.account_id].append(figure)
    series = account_series(workspace, metric="followers", until=until, account_ids=list(by_account))
    for account_id, account_figures in by_account.items():
        readings = series.get(account_id) or []
        days = [day for day, _ in readings]
        for figure in account_figures:
            index = bisect.bisect_right(days, figure.published_on) - 1
            if index >= 0:
                figure.followers = readings[index][1]
            elif readings:
                # No reading yet on the day of publishing (account connected later): its first reading.
                figure.followers = readings[0][1]
