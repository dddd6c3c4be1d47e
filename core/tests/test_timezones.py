"""core.timezones: a wall time in a zone to an instant, over every zone the workspace settings offer and
every UTC-offset change of 2026-2030 (exhaustively at the edges of each change, and by hypothesis
between them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.dateparse import parse_datetime
from hypothesis import given, settings
from hypothesis import strategies as st

from core import timezones as tz
from core.errors import ValidationFailed
from core.tests.clock_kit import all_transitions, offered_zones

NY = ZoneInfo("America/New_York")
FAST = settings(max_examples=150, deadline=None, database=None)


def _wall(instant: datetime, zone) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def test_the_zones_offered_are_every_iana_zone_and_2026_to_2030_has_offset_changes():
    zones = offered_zones()
    assert "America/New_York" in zones and "Asia/Shanghai" in zones and "Europe/London" in zones
    assert len(zones) > 400
    changes = all_transitions()
    assert len(changes) > 1000
    assert {name for name, *_rest in changes} >= {"America/New_York", "Europe/London", "Australia/Lord_Howe"}


def test_new_york_spring_forward_and_fall_back():
    # 2027-03-14: 02:00 -> 03:00. 02:30 does not exist; with "nearest" it is 03:30 EDT.
    with pytest.raises(tz.WallTimeRefused) as caught:
        tz.wall_to_instant(datetime(2027, 3, 14, 2, 30), NY)
    assert caught.value.code == "nonexistent_time"
    assert caught.value.fields == {"scheduled_at": [caught.value.message]}
    assert "the clocks go forward from 02:00 to 03:00" in caught.value.message
    assert [o.label for o in caught.value.options] == ["03:30 (UTC-4)"]
    moved = tz.wall_to_instant(datetime(2027, 3, 14, 2, 30), NY, choice="nearest")
    assert moved.instant == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert moved.how == "moved_forward" and "moved forward to 03:30 (UTC-4)" in moved.note
    # 2027-11-07: 02:00 -> 01:00. 01:30 happens twice.
    with pytest.raises(tz.WallTimeRefused) as caught:
        tz.wall_to_instant(datetime(2027, 11, 7, 1, 30), NY, field="start")
    assert caught.value.code == "ambiguous_time" and list(caught.value.fields) == ["start"]
    assert [(o.choice, o.label) for o in caught.value.options] == [
        ("first", "01:30 (UTC-4)"),
        ("second", "01:30 (UTC-5)"),
    ]
    first = tz.wall_to_instant(datetime(2027, 11, 7, 1, 30), NY, choice="first")
    second = tz.wall_to_instant(datetime(2027, 11, 7, 1, 30), NY, choice="second")
    assert (first.instant, second.instant) == (
        datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
        datetime(2027, 11, 7, 6, 30, tzinfo=UTC),
    )
    assert (tz.time_label(first.instant, NY), tz.time_label(second.instant, NY)) == (
        "01:30 (UTC-4)",
        "01:30 (UTC-5)",
    )
    # an explicit offset always wins, whatever the choice
    given_offset = datetime(2027, 11, 7, 1, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert tz.wall_to_instant(given_offset, NY, choice="first").instant == second.instant
    # an ordinary time is just that
    plain = tz.wall_to_instant(datetime(2027, 11, 7, 10, 0), NY)
    assert (plain.how, plain.note, tz.time_label(plain.instant, NY)) == ("exact", "", "10:00")


def test_a_choice_that_is_not_one_is_refused_on_its_field():
    with pytest.raises(ValidationFailed) as caught:
        tz.wall_to_instant(datetime(2027, 11, 7, 1, 30), NY, choice="later")
    assert list(caught.value.fields) == ["time_choice"]


def test_refusals_and_notes_speak_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(tz.WallTimeRefused) as gap:
            tz.wall_to_instant(datetime(2027, 3, 14, 2, 30), NY)
        with pytest.raises(tz.WallTimeRefused) as overlap:
            tz.wall_to_instant(datetime(2027, 11, 7, 1, 30), NY)
        note = tz.wall_to_instant(datetime(2027, 3, 14, 2, 30), NY, choice="nearest").note
        in_file = tz.refusal_for_files(overlap.value)
    assert "不存在" in gap.value.message and "03:30 (UTC-4)" in gap.value.message
    assert "出现两次" in overlap.value.message and "01:30 (UTC-5)" in overlap.value.message
    assert "已顺延到 03:30 (UTC-4)" in note
    assert "2027-11-07 01:30-05:00" in in_file


def test_midnight_that_does_not_exist_starts_the_day_where_the_clocks_land():
    # Santiago skips 00:00-01:00 on 2027-09-05: the day starts at 01:00 (UTC-3).
    santiago = ZoneInfo("America/Santiago")
    start = tz.day_start(datetime(2027, 9, 5).date(), santiago)
    assert start == datetime(2027, 9, 5, 4, 0, tzinfo=UTC)
    assert _wall(start, santiago) == datetime(2027, 9, 5, 1, 0)


def test_every_offset_change_of_every_offered_zone_in_2026_to_2030():
    """At each change: the wall times just outside it name one instant; inside a gap they are refused
    and "nearest" moves them forward by the gap; inside an overlap both instants are offered, in order,
    labelled by distinct offsets; range bounds are the earliest instant not before the wall time."""
    minute = timedelta(minutes=1)
    for name, change, before, after in all_transitions():
        zone = ZoneInfo(name)
        shift = after - before
        start_wall = (change + before).replace(tzinfo=None)  # the wall clock as the change happens
        end_wall = (change + after).replace(tzinfo=None)  # and just after it
        if shift > timedelta(0):  # a gap: [start_wall, end_wall) does not exist
            before_gap = tz.wall_to_instant(start_wall - minute, zone)
            assert before_gap.instant == change - minute, name
            assert tz.wall_to_instant(end_wall, zone).instant == change, name
            for inside in (start_wall, start_wall + shift / 2):
                with pytest.raises(tz.WallTimeRefused) as caught:
                    tz.wall_to_instant(inside, zone)
                assert caught.value.code == "nonexistent_time", (name, inside)
                moved = tz.wall_to_instant(inside, zone, choice="nearest")
                assert _wall(moved.instant, zone) == inside + shift, (name, inside)
                assert [o.instant for o in caught.value.options] == [moved.instant]
                assert tz.range_bound(inside, zone) == change, (name, inside)
        else:  # an overlap: [end_wall, start_wall) happens twice
            assert tz.wall_to_instant(end_wall - minute, zone).instant == change + shift - minute, name
            assert tz.wall_to_instant(start_wall, zone).instant == change - shift, name
            for inside in (end_wall, end_wall - shift / 2):
                with pytest.raises(tz.WallTimeRefused) as caught:
                    tz.wall_to_instant(inside, zone)
                assert caught.value.code == "ambiguous_time", (name, inside)
                first, second = caught.value.options
                assert first.instant < second.instant and second.instant - first.instant == -shift, name
                assert first.label != second.label, name
                assert tz.wall_to_instant(inside, zone, choice="first").instant == first.instant
                assert tz.wall_to_instant(inside, zone, choice="second").instant == second.instant
                assert tz.range_bound(inside, zone) == first.instant


transitions_st = st.sampled_from(all_transitions())


@st.composite
def instants_near_changes(draw):
    """(zone, instant) within four hours of one of the offered zones' offset changes, to the minute."""
    name, change, _before, _after = draw(transitions_st)
    minutes = draw(st.integers(min_value=-240, max_value=240))
    return ZoneInfo(name), change + timedelta(minutes=minutes)


@st.composite
def any_instants(draw):
    """(zone, instant) anywhere in 2026-2030 in any offered zone, to the minute."""
    zone = ZoneInfo(draw(st.sampled_from(offered_zones())))
    minutes = draw(st.integers(min_value=0, max_value=5 * 366 * 24 * 60))
    return zone, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)


@FAST
@given(st.one_of(instants_near_changes(), any_instants()))
def test_the_wall_time_of_an_instant_and_its_occurrence_name_that_instant(case):
    zone, instant = case
    wall = _wall(instant, zone)
    resolved = tz.wall_to_instant(wall, zone, choice=tz.occurrence(instant, zone) or None)
    assert resolved.instant == instant
    # the label says which of two repeated wall times it is
    label = tz.time_label(instant, zone, with_date=True)
    assert label.startswith(wall.strftime("%Y-%m-%d %H:%M"))
    assert ("(UTC" in label) == bool(tz.occurrence(instant, zone))


@FAST
@given(instants_near_changes(), st.integers(min_value=0, max_value=180))
def test_two_instants_one_minute_or_more_apart_never_share_a_label(case, minutes):
    zone, instant = case
    other = instant + timedelta(minutes=minutes + 1)
    assert tz.time_label(instant, zone, with_date=True) != tz.time_label(other, zone, with_date=True)


@FAST
@given(instants_near_changes(), st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_an_explicit_offset_always_wins(case, offset_minutes):
    zone, instant = case
    fixed = timezone(timedelta(minutes=offset_minutes))
    for choice in (None, "first", "second", "nearest"):
        assert tz.wall_to_instant(instant.astimezone(fixed), zone, choice=choice).instant == instant


@FAST
@given(instants_near_changes())
def test_a_refusal_offers_instants_whose_wall_time_is_the_one_asked_or_after_the_gap(case):
    zone, instant = case
    wall = _wall(instant, zone) + timedelta(minutes=30)  # sometimes inside a gap or an overlap
    try:
        resolved = tz.wall_to_instant(wall, zone)
    except tz.WallTimeRefused as refused:
        if refused.code == "ambiguous_time":
            assert [_wall(o.instant, zone) for o in refused.options] == [wall, wall]
        else:
            (option,) = refused.options
            assert _wall(option.instant, zone) > wall
            assert tz.instants_of(wall, zone) == []
        # what a file is told to write reads back as the offered instants
        message = tz.refusal_for_files(refused)
        for option in refused.options:
            if refused.code == "ambiguous_time":
                written = tz.written_with_offset(option)
                assert written in message
                assert parse_datetime(written) == option.instant
            else:
                written = option.wall.strftime("%Y-%m-%d %H:%M")
                assert written in message
                assert tz.wall_to_instant(parse_datetime(written), zone).instant == option.instant
    else:
        assert _wall(resolved.instant, zone) == wall
