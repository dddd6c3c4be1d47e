"""Content tasks. Thin: ids in, call a service. Explicit names."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="content.import_validate")
def import_validate(job_id: int) -> str:
    """Read and check an uploaded import file; the job ends `ready` (with a preview) or `invalid`."""
    from .imports import jobs

    return jobs.import_job_validate(job_id=job_id)


@shared_task(name="content.import_commit")
def import_commit(job_id: int) -> str:
    """Import every post of a `committing` job in one transaction, or none."""
    from .imports import jobs

    return jobs.import_job_commit(job_id=job_id)


@shared_task(name="content.import_files_expire")
def import_files_expire() -> int:
    from .imports.jobs import import_files_expire as expire

    return expire()
