"""Wall-clock times in a workspace's time zone, and the instants they name.

People plan in wall-clock time ("2027-11-07 01:30" in America/New_York); the database stores instants.
Most wall times name exactly one instant, but around a clock change one names none (the clocks jump over
it: 02:30 on the spring-forward day) or two (the clocks go back over it: 01:30 on the fall-back day).

`wall_to_instant` is the one place that turns a wall time into an instant, and it says what it did:

- an explicit UTC offset always wins (`2027-11-07T01:30:00-05:00` is that instant, whatever the zone);
- a time that names one instant is that instant;
- a time that names two needs a choice, `first` or `second` (each shown with its UTC offset, e.g.
  "01:30 (UTC-4)" / "01:30 (UTC-5)"); without one it is refused (`ambiguous_time`);
- a time that names none is refused (`nonexistent_time`) with a message that offers the valid time (the
  same wall time moved forward past the gap: 02:30 becomes 03:30); with the choice `nearest` it is moved
  there, and the result's `note` says so, for every place that shows the result.

Refusals are `ValidationFailed` errors on the caller's field, in the active language, with the options a
person can pick from (`WallTimeRefused.options`). Instants are compared in UTC everywhere: Python never
finds an aware datetime inside a repeated or skipped hour equal to one in another zone (PEP 495), so
comparing a wall time "in the zone" with stored UTC instants silently fails exactly at clock changes.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from django.utils.translation import gettext as _

from .errors import ValidationFailed

FIRST, SECOND, NEAREST = "first", "second", "nearest"
CHOICES = (FIRST, SECOND, NEAREST)

EXACT, OFFSET, MOVED_FORWARD = "exact", "offset", "moved_forward"  # WallTime.how, besides FIRST / SECOND


def zone_of(zone: tzinfo | str) -> tzinfo:
    return zoneinfo.ZoneInfo(zone) if isinstance(zone, str) else zone


def zone_name(zone: tzinfo) -> str:
    return getattr(zone, "key", None) or str(zone)


def offset_label(offset: timedelta) -> str:
    """UTC-4, UTC+5:30, UTC+0."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _hm(value: datetime) -> str:
    return value.strftime("%H:%M")


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _local_wall(instant: datetime, zone: tzinfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None, fold=0)


def instants_of(wall: datetime, zone: tzinfo) -> list[datetime]:
    """Every instant (UTC, in order) whose wall-clock time in `zone` is `wall`: one, none (a gap) or
    two (an overlap)."""
    wall = wall.replace(tzinfo=None, fold=0)
    found = set()
    for fold in (0, 1):
        instant = _utc(wall.replace(tzinfo=zone, fold=fold))
        if _local_wall(instant, zone) == wall:
            found.add(instant)
    return sorted(found)


def _forward(wall: datetime, zone: tzinfo) -> datetime:
    """The instant a skipped wall time moves forward to: the same time read with the offset from before
    the gap (02:30 -> 03:30 when the clocks jump from 02:00 to 03:00)."""
    wall = wall.replace(tzinfo=None, fold=0)
    return max(_utc(wall.replace(tzinfo=zone, fold=fold)) for fold in (0, 1))


def _transition_in(low: datetime, high: datetime, zone: tzinfo) -> datetime:
    """The first instant in (low, high] whose UTC offset differs from low's (to the second)."""
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high


def _gap(wall: datetime, zone: tzinfo) -> tuple[datetime, datetime, datetime]:
    """For a skipped wall time: (the transition instant, the wall time the clocks left, the one they
    jumped to)."""
    wall = wall.replace(tzinfo=None, fold=0)
    offsets = sorted({wall.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1)})
    low = (wall - offsets[-1]).replace(tzinfo=UTC)  # still before the change
    high = (wall - offsets[0]).replace(tzinfo=UTC)  # already after it
    change = _transition_in(low, high, zone)
    # The wall time just before the change, read with the old offset, and just after, with the new one.
    before_offset = (change - timedelta(seconds=1)).astimezone(zone).utcoffset()
    left = (change + before_offset).replace(tzinfo=None)
    arrived = _local_wall(change, zone)
    return change, left, arrived


def _overlap(first: datetime, second: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
    """For a repeated wall time with its two instants: (the wall time the clocks went back from, the one
    they went back to)."""
    change = _transition_in(first, second, zone)
    before_offset = (change - timedelta(seconds=1)).astimezone(zone).utcoffset()
    return (change + before_offset).replace(tzinfo=None), _local_wall(change, zone)


@dataclass(frozen=True)
class TimeOption:
    """One instant a person can pick for a wall time that names none or two."""

    choice: str  # FIRST, SECOND or NEAREST
    instant: datetime  # UTC
    wall: datetime  # naive: the wall-clock time of `instant` in the zone
    label: str  # "01:30 (UTC-4)"
    text: str  # the option as a person reads it ("The first 01:30 (UTC-4), before the clocks go back")

    def as_dict(self) -> dict:
        return {
            "choice": self.choice,
            "instant": self.instant.isoformat().replace("+00:00", "Z"),
            "wall": self.wall.isoformat(timespec="seconds"),
            "label": self.label,
            "text": self.text,
        }


class WallTimeRefused(ValidationFailed):
    """A wall time that names no instant or two, without the choice that settles it."""

    def __init__(self, message: str, *, code: str, field: str, options: list[TimeOption], facts: dict):
        super().__init__(message, code=code, field=field)
        self.options = options
        self.facts = facts  # time, date, zone, from, to (and valid): what the message is made of
        self.extra = {"options": [option.as_dict() for option in options]}


@dataclass(frozen=True)
class WallTime:
    """What `wall_to_instant` did."""

    instant: datetime  # UTC
    zone: tzinfo
    asked: datetime  # the wall time asked for (naive), or the aware time given
    how: str  # EXACT, OFFSET, FIRST, SECOND or MOVED_FORWARD
    note: str  # "" for EXACT and OFFSET; otherwise a sentence saying what was done

    @property
    def local(self) -> datetime:
        return self.instant.astimezone(self.zone)

    @property
    def label(self) -> str:
        return time_label(self.instant, self.zone)


def is_repeated(instant: datetime, zone: tzinfo) -> bool:
    """Whether the wall-clock time of `instant` in `zone` happens twice (a fall-back overlap)."""
    return len(instants_of(_local_wall(instant, zone), zone)) > 1


def occurrence(instant: datetime, zone: tzinfo) -> str:
    """FIRST or SECOND where the wall time of `instant` happens twice, else ""."""
    found = instants_of(_local_wall(instant, zone), zone)
    if len(found) < 2:
        return ""
    return FIRST if _utc(instant) == found[0] else SECOND


def time_label(instant: datetime, zone: tzinfo, *, with_date: bool = False) -> str:
    """ "01:30", with its UTC offset where that wall time happens twice: "01:30 (UTC-5)"."""
    local = instant.astimezone(zone)
    shown = local.strftime("%Y-%m-%d %H:%M") if with_date else _hm(local)
    if is_repeated(instant, zone):
        shown += f" ({offset_label(local.utcoffset())})"
    return shown


def _option(choice: str, instant: datetime, zone: tzinfo, text: str) -> TimeOption:
    local = instant.astimezone(zone)
    label = f"{_hm(local)} ({offset_label(local.utcoffset())})"
    return TimeOption(choice, instant, _local_wall(instant, zone), label, text % {"label": label})


def options_for(wall: datetime, zone: tzinfo | str) -> list[TimeOption]:
    """The choices a wall time needs: FIRST and SECOND where it happens twice, NEAREST where it does not
    exist, none where it names one instant."""
    zone = zone_of(zone)
    found = instants_of(wall, zone)
    if len(found) == 2:
        return [
            _option(FIRST, found[0], zone, _("The first %(label)s, before the clocks go back")),
            _option(SECOND, found[1], zone, _("The second %(label)s, after the clocks go back")),
        ]
    if not found:
        return [_option(NEAREST, _forward(wall, zone), zone, _("%(label)s, moved forward past the gap"))]
    return []


def _facts(wall: datetime, zone: tzinfo) -> dict:
    return {"time": _hm(wall), "date": wall.strftime("%Y-%m-%d"), "zone": zone_name(zone)}


def wall_to_instant(
    value: datetime, zone: tzinfo | str, *, choice: str | None = None, field: str = "scheduled_at"
) -> WallTime:
    """The instant `value` names in `zone`, and what was done to find it (see the module's docstring).

    `value` is naive (a wall time) or aware (an explicit offset, which wins). `choice` is FIRST or SECOND
    for a repeated time, NEAREST to move a skipped one forward; it is ignored where it is not needed.
    Refusals are `WallTimeRefused` on `field`."""
    zone = zone_of(zone)
    if value.tzinfo is not None and value.utcoffset() is not None:
        return WallTime(_utc(value), zone, value, OFFSET, "")
    wall = value.replace(tzinfo=None, fold=0)
    choice = choice or None
    if choice is not None and choice not in CHOICES:
        raise ValidationFailed(
            _("Choose first, second or nearest."), code="invalid_choice", field="time_choice"
        )
    found = instants_of(wall, zone)
    if len(found) == 1:
        return WallTime(found[0], zone, wall, EXACT, "")
    options = options_for(wall, zone)
    facts = _facts(wall, zone)
    if len(found) == 2:
        went_from, went_to = _overlap(found[0], found[1], zone)
        facts.update({"from": _hm(went_from), "to": _hm(went_to)})
        chosen = {option.choice: option for option in options}.get(choice)
        if chosen is not None:
            if choice == FIRST:
                note = _("%(time)s happens twice on %(date)s in %(zone)s: this is the first one, %(label)s.")
            else:
                note = _("%(time)s happens twice on %(date)s in %(zone)s: this is the second one, %(label)s.")
            note %= {**facts, "label": chosen.label}
            return WallTime(chosen.instant, zone, wall, choice, note)
        raise WallTimeRefused(
            _(
                "%(time)s happens twice on %(date)s in %(zone)s (the clocks go back from %(from)s to "
                "%(to)s). Choose the first, %(first)s, or the second, %(second)s."
            )
            % {**facts, "first": options[0].label, "second": options[1].label},
            code="ambiguous_time",
            field=field,
            options=options,
            facts=facts,
        )
    _change, left, arrived = _gap(wall, zone)
    facts.update({"from": _hm(left), "to": _hm(arrived), "valid": options[0].label})
    if choice == NEAREST:
        note = (
            _(
                "%(time)s does not exist on %(date)s in %(zone)s (the clocks go forward from %(from)s to "
                "%(to)s): moved forward to %(valid)s."
            )
            % facts
        )
        return WallTime(options[0].instant, zone, wall, MOVED_FORWARD, note)
    raise WallTimeRefused(
        _(
            "%(time)s does not exist on %(date)s in %(zone)s (the clocks go forward from %(from)s to "
            "%(to)s). The valid time is %(valid)s: choose it, or pick another time."
        )
        % facts,
        code="nonexistent_time",
        field=field,
        options=options,
        facts=facts,
    )


def written_with_offset(option: TimeOption) -> str:
    """How a file writes the option's instant: "2027-11-07 01:30-05:00"."""
    minutes = int((option.wall - option.instant.astimezone(UTC).replace(tzinfo=None)).total_seconds() // 60)
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return option.wall.strftime("%Y-%m-%d %H:%M") + f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def refusal_for_files(refused: WallTimeRefused) -> str:
    """The refusal as a file's reader needs it: a file has no choice to make, so it says what to write
    (the time with its UTC offset where it happens twice; the valid time where it does not exist)."""
    facts = refused.facts
    if refused.code == "ambiguous_time":
        first, second = refused.options
        return _(
            "%(time)s happens twice on %(date)s in %(zone)s (the clocks go back from %(from)s to %(to)s): "
            "write it with its UTC offset, %(first_written)s for the first, %(first)s, or "
            "%(second_written)s for the second, %(second)s."
        ) % {
            **facts,
            "first": first.label,
            "second": second.label,
            "first_written": written_with_offset(first),
            "second_written": written_with_offset(second),
        }
    (valid,) = refused.options
    return _(
        "%(time)s does not exist on %(date)s in %(zone)s (the clocks go forward from %(from)s to %(to)s). "
        "The valid time is %(valid)s: write %(valid_written)s, or another time."
    ) % {**facts, "valid_written": valid.wall.strftime("%Y-%m-%d %H:%M")}


def range_bound(wall: datetime, zone: tzinfo | str) -> datetime:
    """The instant a range given in wall-clock time starts or ends at: the earliest instant whose wall
    time is not before `wall` (a skipped time is where the clocks jumped to; a repeated one, the first).
    An aware `wall` is that instant."""
    zone = zone_of(zone)
    if wall.tzinfo is not None and wall.utcoffset() is not None:
        return _utc(wall)
    found = instants_of(wall, zone)
    if found:
        return found[0]
    return _gap(wall, zone)[0]


def day_start(day, zone: tzinfo | str) -> datetime:
    """The first instant of a calendar day in `zone` (not always 00:00: some zones skip midnight)."""
    return range_bound(datetime(day.year, day.month, day.day), zone)
