"""Figures for the Chinese platforms' metric endpoints, read from platform_sim.metrics on Beijing days.

WeChat, Douyin, Kuaishou, Weibo and Bilibili count their days in China Standard Time (UTC+8): a `ref_date`
of 2026-12-01 covers 2026-11-30T16:00Z to 2026-12-01T16:00Z. Daily account figures come from
metrics.account_day keyed by the date's day number; cumulative followers from metrics.followers_on with
the account's current followers taken as the figure at the start of today (Beijing), so a whole day's
answers agree with each other and tests can compute them. Not a platform module (no routes).
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone

from .. import metrics
from ..state import Account, Post

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
EPOCH = date(1970, 1, 1)


def beijing_date(ts: float) -> date:
    return datetime.fromtimestamp(ts, BEIJING).date()


def today(now: float | None = None) -> date:
    return beijing_date(time.time() if now is None else now)


def yesterday(now: float | None = None) -> date:
    return today(now) - timedelta(days=1)


def day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=BEIJING).timestamp()


def day_end(day: date) -> float:
    return day_start(day + timedelta(days=1))


def day_index(day: date) -> int:
    return (day - EPOCH).days


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def account_day(account: Account, day: date) -> dict[str, int]:
    """views, reach, profile_visits, new_followers of one Beijing day."""
    return metrics.account_day(account.external_id, followers=account.followers, day_index=day_index(day))


def followers_at_end(account: Account, day: date, now: float | None = None) -> int:
    """Followers at the end of `day`: the account's followers are today's, and grew into them."""
    reference = day_start(today(now))
    return metrics.followers_on(
        account.external_id, followers_now=account.followers, created_at=reference, when=day_end(day)
    )


def lost_followers(account: Account, day: date) -> int:
    """Unfollows of a day: a fifth of the day's new followers, so net growth is positive."""
    return account_day(account, day)["new_followers"] // 5


def post_figures(account: Account, post: Post, at: float | None = None) -> dict[str, int]:
    """A post's lifetime figures at `at` (default now), by common name (metrics.POST_FIGURES)."""
    return metrics.post_figures(
        post.id,
        created_at=post.created_at,
        now=time.time() if at is None else at,
        followers=account.followers,
        boost=float(post.extra.get("boost", 1.0)),
    )


def is_late(account: Account, day: date, now: float | None = None) -> bool:
    """The most recent `metrics_late_days` days (up to yesterday) are not final yet."""
    late = metrics.late_days(account.options)
    return late > 0 and day > yesterday(now) - timedelta(days=late)


def removed(account: Account, key: str) -> bool:
    return metrics.removed(account.options, key)


def without_removed(account: Account, fields: dict) -> dict:
    """A removed metric is a field the platform no longer sends."""
    return {k: v for k, v in fields.items() if not removed(account, k)}
