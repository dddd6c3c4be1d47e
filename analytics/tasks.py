"""Analytics upkeep and metric pulls. Thin: call a service; explicit names.

The pull tasks run on the "metrics" queue (CELERY_TASK_ROUTES): publishing workers consume only the
default queue, so a publish never waits behind a big pull. The planner stays on the default queue: it
only writes and queues rows, and must keep time while the metrics queue is long.
"""

from __future__ import annotations

from celery import shared_task

from .partitions import partitions_ensure
from .services.pulls import pull_account_run, pull_posts_run, pulls_plan


@shared_task(name="analytics.partitions_ensure")
def ensure_partitions() -> list[str]:
    """Daily: the snapshot table's partitions for this month and the next three (PostgreSQL only)."""
    return partitions_ensure()


@shared_task(name="analytics.plan_pulls")
def plan_pulls() -> dict:
    """Beat (every KAWO_METRICS_PLAN_SECONDS): plan the reads that are due and queue them."""
    return pulls_plan()


@shared_task(name="analytics.pull_account")
def pull_account(pull_id: str) -> str:
    """One account read (daily, or the backfill of a new connection)."""
    return pull_account_run(pull_id)


@shared_task(name="analytics.pull_posts")
def pull_posts(account_id: int, pull_ids: list[str]) -> str:
    """The figures of some posts of one account, in one connector call."""
    return pull_posts_run(account_id, pull_ids)


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


@shared_task(name="analytics.export_files_expire")
def export_files_expire() -> int:
    from .exports.jobs import export_files_expire as expire

    return expire()
