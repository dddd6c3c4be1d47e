"""Day boundaries in the workspace's calendar: a day is midnight to midnight in `workspace.timezone`
(an Asia/Shanghai day starts at 16:00 UTC the day before). Rollup dates are those days already."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta


def day_bounds(workspace, start: date, end: date) -> tuple[datetime, datetime]:
    """[first instant of `start`, first instant after `end`) in the workspace's zone, as aware datetimes."""
    zone = workspace.tzinfo
    return datetime.combine(start, time.min, zone), datetime.combine(end + timedelta(days=1), time.min, zone)


def local_date(workspace, moment: datetime) -> date:
    return moment.astimezone(workspace.tzinfo).date()


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before [start, end] (both inclusive)."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)
