"""Best time to post: the posts of a period grouped by the weekday and hour they were published, in the
workspace's time zone, with each cell's average of a metric per post."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .posts import post_figures
from .rates import RATE_DENOMINATORS, post_engagement_rate


@dataclass(frozen=True)
class BestTimeCell:
    weekday: int  # 0 = Monday ... 6 = Sunday
    hour: int  # 0-23, local
    posts: int
    average: float


def best_time_to_post(
    workspace, *, start: date, end: date, metric: str = "engagements", account_ids=None
) -> list[BestTimeCell]:
    """Only cells with posts, best average first (ties: more posts first, then earlier in the week)."""
    zone = workspace.tzinfo
    cells: dict[tuple[int, int], list[float]] = defaultdict(list)
    for figure in post_figures(workspace, start=start, end=end, account_ids=account_ids):
        if metric in RATE_DENOMINATORS:
            value = post_engagement_rate(figure, metric)
        else:
            value = figure.common.get(metric)
        if value is None:
            continue
        local = figure.published_at.astimezone(zone)
        cells[(local.weekday(), local.hour)].append(value)
    result = [
        BestTimeCell(weekday=weekday, hour=hour, posts=len(values), average=statistics.fmean(values))
        for (weekday, hour), values in cells.items()
    ]
    return sorted(result, key=lambda c: (-c.average, -c.posts, c.weekday, c.hour))
