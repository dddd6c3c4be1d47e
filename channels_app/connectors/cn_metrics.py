"""What the Chinese platforms' metric calls share: Beijing days, windows, and the "unavailable" records.

WeChat, Douyin, Weibo, Kuaishou and Bilibili count days in China Standard Time (UTC+8), so a daily figure
for 2026-12-01 covers up to 2026-12-01T16:00Z; `period_end` says so in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone

from .base import MetricUnavailable

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(BEIJING).date()


def yesterday(now: datetime | None = None) -> date:
    return today(now) - timedelta(days=1)


def day_end(day: date) -> datetime:
    """The end of a Beijing day, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), BEIJING).astimezone(UTC)


def days(since: date, until: date) -> list[date]:
    return [since + timedelta(days=n) for n in range((until - since).days + 1)]


def windows(since: date, until: date, span: int) -> Iterator[tuple[date, date]]:
    """Consecutive windows of at most `span` days covering since..until."""
    start = since
    while start <= until:
        end = min(until, start + timedelta(days=span - 1))
        yield start, end
        start = end + timedelta(days=1)


def parse_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def unavailable(
    keys: Iterable[str], entity: str, external_id: str, reason: str, detail: str = "", replaced_by: str = ""
) -> list[MetricUnavailable]:
    return [
        MetricUnavailable(
            key=key,
            entity=entity,
            external_id=external_id,
            reason=reason,
            detail=detail,
            replaced_by=replaced_by,
        )
        for key in keys
    ]


def span_text(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
