from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from inbox.business_hours import business_deadline, business_minutes

SH = ZoneInfo("Asia/Shanghai")
WEEK = {0, 1, 2, 3, 4}


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (datetime(2026, 12, 7, 10, 0, tzinfo=SH), 60, datetime(2026, 12, 7, 11, 0, tzinfo=SH)),  # Monday
        (datetime(2026, 12, 4, 17, 50, tzinfo=SH), 60, datetime(2026, 12, 7, 9, 50, tzinfo=SH)),  # Friday
        (datetime(2026, 12, 5, 12, 0, tzinfo=SH), 30, datetime(2026, 12, 7, 9, 30, tzinfo=SH)),  # Saturday
        (datetime(2026, 12, 7, 7, 0, tzinfo=SH), 15, datetime(2026, 12, 7, 9, 15, tzinfo=SH)),  # before 9
        (datetime(2026, 12, 7, 10, 0, tzinfo=SH), 9 * 60 + 60, datetime(2026, 12, 8, 11, 0, tzinfo=SH)),
    ],
)
def test_first_response_counts_business_time_only(start, minutes, due):
    assert business_deadline(start, minutes, tz=SH, days=WEEK, opens=time(9), closes=time(18)) == due


def test_no_business_hours_means_no_deadline():
    start = datetime(2026, 12, 7, 10, 0, tzinfo=SH)
    assert business_deadline(start, 60, tz=SH, days=set(), opens=time(9), closes=time(18)) is None
    assert business_deadline(start, 60, tz=SH, days=WEEK, opens=time(18), closes=time(9)) is None


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (datetime(2026, 12, 7, 10, 0, tzinfo=SH), 60, datetime(2026, 12, 7, 11, 0, tzinfo=SH)),
        (datetime(2026, 12, 4, 17, 50, tzinfo=SH), 60, datetime(2026, 12, 7, 9, 50, tzinfo=SH)),
        (datetime(2026, 12, 5, 12, 0, tzinfo=SH), 30, datetime(2026, 12, 7, 9, 30, tzinfo=SH)),
        (datetime(2026, 12, 7, 7, 0, tzinfo=SH), 15, datetime(2026, 12, 7, 9, 15, tzinfo=SH)),
        (datetime(2026, 12, 7, 10, 0, tzinfo=SH), 9 * 60 + 60, datetime(2026, 12, 8, 11, 0, tzinfo=SH)),
    ],
)
def test_business_minutes_is_the_inverse_of_the_deadline(start, minutes, due):
    hours = {"tz": SH, "days": WEEK, "opens": time(9), "closes": time(18)}
    assert business_minutes(start, due, **hours) == minutes
    assert business_minutes(due, start, **hours) == 0
    assert business_minutes(start, due, tz=SH, days=set(), opens=time(9), closes=time(18)) is None
