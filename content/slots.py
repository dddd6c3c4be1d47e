"""Posting slots as instants: where "add to queue" puts a post.

A posting slot is a wall-clock time on a weekday in the workspace's zone ("Sundays 01:30"). On most days
it names one instant. Where the clocks skip it (02:30 on a spring-forward day) the slot moves forward past
the gap, as a person who chose "nearest" would have it (03:30); where they repeat it (01:30 on a fall-back
day) the slot is the first of the two, once, as on any other day. Free slots are found by comparing
instants in UTC with the instants already taken by the accounts' posts, never wall times (an aware time
in a skipped or repeated hour never compares equal to a UTC instant, so the old comparison let every
queued post land on the same one).

Two people adding posts to the queue of one account at the same moment are serialised by a lock per
account held until their transaction ends, so the second sees the first's post and takes the next slot:
the queue never puts two posts on one instant of one account.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection

from core.timezones import NEAREST, instants_of, wall_to_instant

from .models import Post, PostingSlot

QUEUE_LOCK_SPACE = 0x51554555  # "QUEU": the first key of the per-account advisory lock


def slot_instant(day: date, at: time, zone) -> datetime:
    """The instant (UTC) a posting slot at `at` names on `day` in `zone`."""
    wall = datetime.combine(day, at)
    found = instants_of(wall, zone)
    if found:
        return found[0]
    return wall_to_instant(wall, zone, choice=NEAREST).instant


def lock_accounts(account_ids: Iterable[int]) -> None:
    """Hold the queue lock of each account until the transaction ends (PostgreSQL; SQLite serialises
    writers itself). Taken in id order, so two queues over overlapping accounts cannot deadlock."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for account_id in sorted(set(account_ids)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [QUEUE_LOCK_SPACE, int(account_id) % 2_147_483_647]
            )


def next_free_instant(
    *, workspace, account_ids: list[int], after: datetime, days: int, exclude_post_id: int | None = None
) -> datetime | None:
    """The earliest slot instant of these accounts after `after` that no other post of theirs takes, in
    the next `days` days (None: none)."""
    slots = list(PostingSlot.objects.filter(workspace=workspace, account_id__in=account_ids))
    if not slots:
        return None
    lock_accounts(account_ids)
    zone = workspace.tzinfo
    after = after.astimezone(UTC)
    horizon = after + timedelta(days=days + 2)
    taken = {
        instant.astimezone(UTC)
        for instant in Post.objects.filter(
            workspace=workspace,
            deleted_at__isnull=True,
            scheduled_at__gt=after,
            scheduled_at__lte=horizon,
            targets__account_id__in=account_ids,
        )
        .exclude(pk=exclude_post_id)
        .values_list("scheduled_at", flat=True)
    }
    first_day = after.astimezone(zone).date()
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        free = sorted(
            {
                when
                for slot in slots
                if slot.weekday == day.weekday()
                for when in [slot_instant(day, slot.time, zone)]
                if when > after and when not in taken
            }
        )
        if free:
            return free[0]
    return None
