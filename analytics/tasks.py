"""Analytics upkeep. Thin: call a service; explicit names."""

from __future__ import annotations

from celery import shared_task

from .partitions import partitions_ensure


@shared_task(name="analytics.partitions_ensure")
def ensure_partitions() -> list[str]:
    """Daily: the snapshot table's partitions for this month and the next three (PostgreSQL only)."""
    return partitions_ensure()


@shared_task(name="analytics.export_run")
def export_run(job_id: int) -> str:
    """An export job: build the file and store it (analytics.exports.jobs)."""
    from .exports.jobs import export_job_run

    return export_job_run(job_id=job_id)


@shared_task(name="analytics.scheduled_reports_send")
def scheduled_reports_send() -> int:
    """Hourly: email each scheduled report whose last complete period was not sent yet, once."""
    from .exports.schedules import scheduled_reports_send_due

    return scheduled_reports_send_due()
