"""Analytics upkeep. Thin: call a service; explicit names."""

from __future__ import annotations

from celery import shared_task

from .partitions import partitions_ensure


@shared_task(name="analytics.partitions_ensure")
def ensure_partitions() -> list[str]:
    """Daily: the snapshot table's partitions for this month and the next three (PostgreSQL only)."""
    return partitions_ensure()
