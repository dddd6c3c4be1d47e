"""Thin tasks: ids in, the service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="competitors.pull_rival", ignore_result=True)
def pull_rival(rival_id: int) -> str:
    from .services.pulls import rival_pull

    return rival_pull(rival_id).status


@shared_task(name="competitors.plan_pulls", ignore_result=True)
def plan_pulls() -> int:
    from .services.pulls import rivals_plan

    return len(rivals_plan())


@shared_task(name="competitors.import_rivals", ignore_result=True)
def import_rivals(job_id: int) -> str:
    from .services.imports import rival_import_run

    return rival_import_run(job_id=job_id)


@shared_task(name="competitors.benchmark_schedules_send", ignore_result=True)
def benchmark_schedules_send() -> int:
    """Hourly: each active benchmark schedule's last whole week or month, emailed once."""
    from .services.schedules import benchmark_schedules_send_due

    return benchmark_schedules_send_due()
