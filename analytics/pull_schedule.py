"""When figures are read: the post schedule that decays with age, and each platform's daily account read.

Pure functions over settings (no database), so the planner and the tests share one definition.

Posts: a published post is read on a grid anchored at its publish time. Each window of the schedule
(`KAWO_METRICS_POST_SCHEDULE`, per platform in `KAWO_METRICS_POST_SCHEDULE_BY_PLATFORM`) says up to which
age it applies and how often it reads: by default every 30 minutes on day one, every 6 hours to day 7,
daily to day 30, weekly to day 90, then never again. The grid makes planning deterministic: two planners
compute the same due time for the same post, so the pull table's unique key keeps one of them. A
planner that was down reads once for the current slot, not once per missed slot.

`KAWO_METRICS_TIME_SCALE` divides the post schedule's clock (ages and intervals), for tests and demos:
at 3600, "day one" lasts 24 s and "every 30 minutes" is every 0.5 s. Account reads are not scaled.

Accounts: a platform's day D is ready `delay_hours` after midnight ending D in the platform's zone (WeChat's
data cube by about 08:00 Beijing time, YouTube Analytics two to three days behind); the daily read asks for
the last `lookback_days` ready days, so figures a platform flagged late are read again and restated. On
connecting, a backfill asks for `backfill_days` (as far back as the platform keeps; the connector records
what it could not serve as too old). `chunk_days` > 0 asks that many days per call (Instagram answers
some metrics with one total for the whole range, so it is asked one day at a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

DAY = 86400.0
DEFAULT_POST_SCHEDULE: tuple[tuple[float, float], ...] = (
    (1 * DAY, 1800.0),  # day one: every 30 minutes
    (7 * DAY, 6 * 3600.0),  # to day 7: every 6 hours
    (30 * DAY, DAY),  # to day 30: daily
    (90 * DAY, 7 * DAY),  # to day 90: weekly
)
# WeChat's article figures reach only up to yesterday, and for 30 days: read them daily.
DEFAULT_POST_SCHEDULE_BY_PLATFORM: dict[str, tuple[tuple[float, float], ...]] = {
    "wechat_oa": ((30 * DAY, DAY),),
}

DEFAULT_ACCOUNT_READ = {
    "zone": "UTC",
    "delay_hours": 2.0,
    "lookback_days": 3,
    "backfill_days": 90,
    "chunk_days": 0,
}
# Only what differs from the default. Sources: /work/shared/PLATFORMS.md and the connectors' docstrings.
DEFAULT_ACCOUNT_READ_BY_PLATFORM: dict[str, dict] = {
    # Figures of "now" only (followers): history cannot be asked for.
    "x": {"lookback_days": 1, "backfill_days": 1},
    "mastodon": {"lookback_days": 1, "backfill_days": 1},
    "bluesky": {"lookback_days": 1, "backfill_days": 1},
    "tiktok": {"lookback_days": 1, "backfill_days": 1},
    "weibo": {"zone": "Asia/Shanghai", "lookback_days": 1, "backfill_days": 1},
    "kuaishou": {"zone": "Asia/Shanghai", "lookback_days": 1, "backfill_days": 1},
    "bilibili": {"zone": "Asia/Shanghai", "lookback_days": 1, "backfill_days": 1},
    # Page Insights days are Pacific days; figures can be restated for a few days.
    "facebook": {"zone": "America/Los_Angeles", "delay_hours": 4.0, "backfill_days": 90},
    # Insights are up to 48 h late; views/profile_views come as one total per range: one day a call.
    "instagram": {"lookback_days": 3, "backfill_days": 28, "chunk_days": 1},
    # Community Management API: organisation statistics for the last 12 months.
    "linkedin": {"backfill_days": 365},
    # Analytics API: two to three days behind, Pacific days.
    "youtube": {"zone": "America/Los_Angeles", "delay_hours": 6.0, "lookback_days": 4, "backfill_days": 90},
    # Data cube: T+1, ready by about 08:00 Beijing time.
    "wechat_oa": {"zone": "Asia/Shanghai", "delay_hours": 9.0, "backfill_days": 60},
    # Data from the day after authorisation, 30 days back at most.
    "douyin": {"zone": "Asia/Shanghai", "delay_hours": 6.0, "backfill_days": 30},
}


def time_scale() -> float:
    scale = float(getattr(settings, "KAWO_METRICS_TIME_SCALE", 1.0) or 1.0)
    return scale if scale > 0 else 1.0


def post_schedule(platform: str) -> tuple[tuple[float, float], ...]:
    """(up to age in seconds, read every seconds) windows, youngest first."""
    by_platform = {
        **DEFAULT_POST_SCHEDULE_BY_PLATFORM,
        **getattr(settings, "KAWO_METRICS_POST_SCHEDULE_BY_PLATFORM", {}),
    }
    if platform in by_platform:
        return tuple(by_platform[platform])
    return tuple(getattr(settings, "KAWO_METRICS_POST_SCHEDULE", DEFAULT_POST_SCHEDULE))


def post_horizon(platform: str) -> timedelta:
    """How long after publishing a post is read at all (real time, scale applied)."""
    windows = post_schedule(platform)
    return timedelta(seconds=windows[-1][0] / time_scale()) if windows else timedelta(0)


def longest_post_horizon(platforms) -> timedelta:
    return max((post_horizon(p) for p in platforms), default=timedelta(0))


def post_slot(platform: str, published_at: datetime, now: datetime) -> datetime | None:
    """The grid point of the schedule this post is in at `now` (the last one at or before `now`), or None
    when it is past the schedule's last window (or not published yet)."""
    scale = time_scale()
    age = (now - published_at).total_seconds() * scale
    if age < 0:
        return None
    start = 0.0
    for horizon, every in post_schedule(platform):
        if age < horizon:
            slot_age = start + ((age - start) // every) * every
            return published_at + timedelta(seconds=slot_age / scale)
        start = horizon
    return None


def next_post_slot(platform: str, published_at: datetime, after: datetime) -> datetime | None:
    """The first grid point strictly after `after` (what the planner will pull next), or None."""
    scale = time_scale()
    age = (after - published_at).total_seconds() * scale
    start = 0.0
    for horizon, every in post_schedule(platform):
        # this window's grid points: start, start + every, ... (below horizon)
        following = start if age < start else start + ((age - start) // every + 1) * every
        if following < horizon:
            return published_at + timedelta(seconds=following / scale)
        start = horizon
    return None


@dataclass(frozen=True)
class AccountRead:
    zone: ZoneInfo
    delay: timedelta
    lookback_days: int
    backfill_days: int
    chunk_days: int


def account_read(platform: str) -> AccountRead:
    overrides = getattr(settings, "KAWO_METRICS_ACCOUNT_READ", {})
    conf = {
        **DEFAULT_ACCOUNT_READ,
        **overrides.get("default", {}),
        **DEFAULT_ACCOUNT_READ_BY_PLATFORM.get(platform, {}),
        **overrides.get(platform, {}),
    }
    return AccountRead(
        zone=ZoneInfo(conf["zone"]),
        delay=timedelta(hours=float(conf["delay_hours"])),
        lookback_days=max(1, int(conf["lookback_days"])),
        backfill_days=max(1, int(conf["backfill_days"])),
        chunk_days=max(0, int(conf["chunk_days"])),
    )


def ready_at(read: AccountRead, day: date) -> datetime:
    """When the platform's figures of `day` (its own calendar) are ready to be read."""
    return datetime.combine(day + timedelta(days=1), time.min, read.zone) + read.delay


def last_ready_day(platform: str, now: datetime) -> tuple[date, datetime]:
    """The latest platform day whose figures are ready at `now`, and the moment it became ready (the daily
    read's due time)."""
    read = account_read(platform)
    day = now.astimezone(read.zone).date()
    while ready_at(read, day) > now:
        day -= timedelta(days=1)
    return day, ready_at(read, day)


def day_chunks(platform: str, since: date, until: date) -> list[tuple[date, date]]:
    """The ranges one account read asks for, one call each."""
    size = account_read(platform).chunk_days
    if size <= 0:
        return [(since, until)]
    chunks, start = [], since
    while start <= until:
        end = min(until, start + timedelta(days=size - 1))
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks
