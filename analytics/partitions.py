"""Monthly partitions of the snapshot table (PostgreSQL only; SQLite keeps one ordinary table).

A row whose month has no partition would be refused, so partitions are made ahead by the beat task
`analytics.partitions_ensure` (this month and the next three) and, for backfills that reach into older
months, by the ingest itself (`partitions_ensure_for`) before it writes. There is deliberately no
DEFAULT partition: a later month's partition cannot be created while a default one holds its rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection
from django.utils import timezone

PARENT = "analytics_metricsnapshot"
MONTHS_AHEAD = 3


def month_start(day: date, offset: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{PARENT}_y{month:%Y}m{month:%m}"


def partitions_existing() -> list[str]:
    """Names of the snapshot table's partitions, oldest first ([] where the table is not partitioned)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname",
            [PARENT],
        )
        return [row[0] for row in cursor.fetchall()]


def _create(months: list[date]) -> list[str]:
    if connection.vendor != "postgresql":
        return []
    # Read from the catalogue every time (one small query per ingest batch), never from a cache of this
    # process: a partition created in a transaction that was rolled back (or by a test whose on-commit
    # callbacks ran inside its rolled-back transaction) must not be taken for one that exists.
    existing = set(partitions_existing())
    created = []
    with connection.cursor() as cursor:
        for month in months:
            name = partition_name(month)
            if name not in existing:
                # Month bounds in UTC: a partition holds [first instant of the month, first of the next).
                lower = datetime(month.year, month.month, 1, tzinfo=UTC)
                upper_day = month_start(month, 1)
                upper = datetime(upper_day.year, upper_day.month, 1, tzinfo=UTC)
                cursor.execute(
                    f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF {PARENT} '
                    f"FOR VALUES FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
                )
                created.append(name)
    return created


def partitions_ensure(*, today: date | None = None, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the partitions of this month (UTC) and the next `months_ahead`; returns the ones created."""
    today = today or timezone.now().astimezone(UTC).date()
    return _create([month_start(today, offset) for offset in range(months_ahead + 1)])


def partitions_ensure_for(earliest: datetime, latest: datetime) -> list[str]:
    """Create the partitions every capture time between the two needs (both inclusive)."""
    first = month_start(earliest.astimezone(UTC).date())
    last = month_start(latest.astimezone(UTC).date())
    months = []
    while first <= last:
        months.append(first)
        first = month_start(first, 1)
    return _create(months)
