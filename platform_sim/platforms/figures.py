"""What the global platforms' metric endpoints read: platform_sim.metrics' growth model, applied to the
simulator's accounts and posts at one instant.

The instant is the wall clock, or the account option `metrics_now` (epoch seconds) when a test pins it:
a post's figures grow continuously, so a test that wants to compare a figure with the model (or ask
about a post "31 days old") pins the clock instead of racing it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .. import metrics
from ..state import Account, Post, SimState


def clock(account: Account | None) -> float:
    pinned = (account.options.get("metrics_now") if account is not None else None) or 0
    return float(pinned) if pinned else time.time()


def post_figures(state: SimState, post: Post) -> dict[str, int]:
    """The post's lifetime figures (common names, metrics.POST_FIGURES) at its account's clock."""
    account = state.account(post.platform, post.account_id)
    return metrics.post_figures(
        post.id,
        created_at=post.created_at,
        now=clock(account),
        followers=account.followers if account is not None else 0,
        boost=float(post.extra.get("boost", 1.0)),
    )


def post_age_days(state: SimState, post: Post) -> float:
    return (clock(state.account(post.platform, post.account_id)) - post.created_at) / metrics.DAY


def removed(account: Account | None, key: str) -> bool:
    return account is not None and metrics.removed(account.options, key)


@dataclass(frozen=True)
class Day:
    day: date
    end: datetime  # the end of the UTC day (the next midnight)
    figures: dict[str, int]  # metrics.account_day: views, reach, profile_visits, new_followers
    followers: int  # followers at the end of the day
    late: bool  # within the account's `metrics_late_days` most recent days


def day_index(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def today(account: Account) -> date:
    return datetime.fromtimestamp(clock(account), UTC).date()


def followers_at(account: Account, when: float) -> int:
    return metrics.followers_on(
        account.external_id, followers_now=account.followers, created_at=account.created_at, when=when
    )


def account_days(account: Account, since: date, until: date) -> list[Day]:
    """The account's daily figures for since..until (inclusive, UTC days), never past its clock's today."""
    last = min(until, today(account))
    late_from = today(account) - timedelta(days=metrics.late_days(account.options) - 1)
    days = []
    day = since
    while day <= last:
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        days.append(
            Day(
                day=day,
                end=end,
                figures=metrics.account_day(
                    account.external_id, followers=account.followers, day_index=day_index(day)
                ),
                followers=followers_at(account, end.timestamp()),
                late=metrics.late_days(account.options) > 0 and day >= late_from,
            )
        )
        day += timedelta(days=1)
    return days
