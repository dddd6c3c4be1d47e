"""Business time: when a first response is due, counting only the workspace's business hours in its own
time zone (a comment at 17:50 on Friday with a 60-minute target, hours 09:00-18:00 Monday to Friday, is
due at 09:50 on Monday). Pure functions; the times given and returned are aware."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo


def business_deadline(
    start: datetime, minutes: int, *, tz: tzinfo, days: set[int], opens: time, closes: time
) -> datetime | None:
    """`minutes` of business time after `start`; None when the hours are empty (no business day, or a
    day that closes before it opens)."""
    if not days or closes <= opens:
        return None
    left = timedelta(minutes=minutes)
    cursor = start.astimezone(tz)
    for _day in range(400):  # a year and some: enough for any target on any calendar
        day_open = datetime.combine(cursor.date(), opens, tzinfo=tz)
        day_close = datetime.combine(cursor.date(), closes, tzinfo=tz)
        if cursor.weekday() in days and cursor < day_close:
            begin = max(cursor, day_open)
            available = day_close - begin
            if left <= available:
                return begin + left
            left -= available
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=tz)
    return None


def business_minutes(
    start: datetime, end: datetime, *, tz: tzinfo, days: set[int], opens: time, closes: time
) -> float | None:
    """The business time between `start` and `end`, in minutes (the inverse of business_deadline: a
    comment at 17:50 on Friday answered at 09:50 on Monday took 20 minutes with hours 09:00-18:00 Monday
    to Friday). None when the hours are empty; 0 when `end` is not after `start`."""
    if not days or closes <= opens:
        return None
    if end <= start:
        return 0.0
    total = timedelta()
    cursor, end = start.astimezone(tz), end.astimezone(tz)
    while cursor < end:
        day_open = datetime.combine(cursor.date(), opens, tzinfo=tz)
        day_close = datetime.combine(cursor.date(), closes, tzinfo=tz)
        if cursor.weekday() in days:
            begin, finish = max(cursor, day_open), min(end, day_close)
            if finish > begin:
                total += finish - begin
        cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), tzinfo=tz)
    return total.total_seconds() / 60
