"""Exports: build a file now (small ones), or as an ExportJob on a Celery worker (long ones).

1. `export_job_create` (the request): checks the kind, format and period, makes the job `pending` and
   enqueues `analytics.export_run` after commit.
2. `export_job_run` (the task): `pending` -> `running` with a conditional UPDATE (a task delivered twice
   runs once), builds the file in the requester's language, stores it under MEDIA_ROOT, `done` with the
   file, or `failed` with the reason. `progress` (0-100) moves as each table is built.

File names carry the workspace's name and the period: `Acme Tea_posts_2027-01-01_2027-01-31.csv`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from core.audit import audit_record
from core.errors import ValidationFailed

from ..models import ExportFormat, ExportJob, ExportKind
from ..selectors.exports import SORTS, overview, posts_count
from . import render
from .tables import ExportRequest, export_frames

logger = logging.getLogger(__name__)

S = ExportJob.Status
# Exports of at most this many posts answer at once; larger ones run on a worker.
DIRECT_MAX_POSTS = 2_000
MAX_PERIOD_DAYS = 366
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    name: str
    content_type: str
    rows: int


def export_check(*, kind: str, fmt: str, request: ExportRequest) -> None:
    """Refuse (400, by field) a kind, format, period or sort the exports do not offer."""
    if kind not in ExportKind.values:
        raise ValidationFailed(_("Unknown export."), field="kind")
    if fmt not in ExportFormat.values:
        raise ValidationFailed(_("Unknown format."), field="format")
    if fmt == ExportFormat.PDF and kind != ExportKind.REPORT:
        raise ValidationFailed(_("PDF is offered for the analytics report only."), field="format")
    if fmt == ExportFormat.CSV and kind == ExportKind.REPORT:
        raise ValidationFailed(_("The report has several tables: export it as XLSX or PDF."), field="format")
    if request.end < request.start:
        raise ValidationFailed(_("The period ends before it starts."), field="end")
    if (request.end - request.start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed(_("A period is at most 366 days."), field="end")
    if request.sort not in SORTS:
        raise ValidationFailed(_("Unknown sort."), field="sort")


def export_file_name(workspace, kind: str, start: date, end: date, fmt: str) -> str:
    name = UNSAFE_IN_NAMES.sub("-", workspace.name).strip(" .-") or f"workspace-{workspace.pk}"
    return f"{name}_{kind}_{start.isoformat()}_{end.isoformat()}.{fmt}"


def export_build(workspace, *, fmt: str, request: ExportRequest, progress=None) -> ExportFile:
    """The file, in the active language."""
    export_check(kind=request.kind, fmt=fmt, request=request)
    name = export_file_name(workspace, request.kind, request.start, request.end, fmt)
    if fmt == ExportFormat.PDF:
        report = overview(workspace, start=request.start, end=request.end)
        if progress:
            progress(1, 2)
        content = render.to_pdf(workspace, report)
        return ExportFile(content, name, render.CONTENT_TYPES[fmt], len(report.accounts))
    frames = export_frames(workspace, request, progress=progress)
    rows = sum(len(frame) for _title, frame in frames)
    content = render.to_csv(frames[0][1]) if fmt == ExportFormat.CSV else render.to_xlsx(frames)
    return ExportFile(content, name, render.CONTENT_TYPES[fmt], rows)


def export_is_small(workspace, request: ExportRequest) -> bool:
    return (
        posts_count(workspace, start=request.start, end=request.end, filters=request.filters)
        <= DIRECT_MAX_POSTS
    )


# --- jobs -----------------------------------------------------------------------------------------------


@transaction.atomic
def export_job_create(*, actor, workspace, fmt: str, request: ExportRequest) -> ExportJob:
    export_check(kind=request.kind, fmt=fmt, request=request)
    job = ExportJob.objects.create(
        workspace=workspace,
        kind=request.kind,
        format=fmt,
        params=request.as_params(),
        language=translation.get_language() or "en",
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="analytics.export_request",
        target=job,
        workspace=workspace,
        after={"kind": job.kind, "format": job.format, **job.params},
    )
    job_id = job.pk

    def send() -> None:
        from .. import tasks

        try:
            tasks.export_run.delay(job_id)
        except OperationalError as exc:  # the broker is unreachable: say so on the job
            logger.warning("could not enqueue export job %s: %s", job_id, exc)
            with translation.override(job.language):
                message = _("The export could not be queued (the task queue is unreachable); try again.")
            ExportJob.objects.filter(pk=job_id, status=S.PENDING).update(status=S.FAILED, message=message)

    transaction.on_commit(send)
    return job


def export_job_run(*, job_id: int) -> str:
    """The task's work. Does nothing for a job that is not pending (a task delivered twice)."""
    if not ExportJob.objects.filter(pk=job_id, status=S.PENDING).update(status=S.RUNNING, progress=1):
        return "skipped"
    job = ExportJob.objects.select_related("workspace").get(pk=job_id)

    def progress(done: int, total: int) -> None:
        # Up to 90: writing the file is the last tenth.
        ExportJob.objects.filter(pk=job_id).update(progress=max(1, int(done / total * 90)))

    with translation.override(job.language):
        try:
            built = export_build(
                job.workspace,
                fmt=job.format,
                request=ExportRequest.from_params(job.kind, job.params),
                progress=progress,
            )
        except Exception as exc:  # the job says it failed; the worker goes on
            logger.exception("export job %s failed", job_id)
            ExportJob.objects.filter(pk=job_id).update(
                status=S.FAILED, message=str(exc)[:500] or _("The export failed."), finished_at=timezone.now()
            )
            return "failed"
    job.file.save(built.name, ContentFile(built.content), save=False)
    ExportJob.objects.filter(pk=job_id, status=S.RUNNING).update(
        status=S.DONE,
        progress=100,
        rows=built.rows,
        file=job.file.name,
        file_name=built.name,
        finished_at=timezone.now(),
    )
    return "done"


# --- cleanup --------------------------------------------------------------------------------------------


def export_files_expire(*, now=None, days: int | None = None) -> int:
    """Delete the file of every export finished more than `days` (settings.KAWO_EXPORT_FILE_RETENTION_DAYS)
    ago and mark the job expired (`expired_at`, no file): the pages show "expired" instead of a dead link
    and the download answers 410. Returns how many files were expired."""
    now = now or timezone.now()
    days = settings.KAWO_EXPORT_FILE_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    expired = 0
    old = ExportJob.objects.filter(
        status__in=(S.DONE, S.FAILED), expired_at__isnull=True, finished_at__lt=cutoff
    ).only("pk", "file")
    for job in old.iterator():
        if not ExportJob.objects.filter(pk=job.pk, expired_at__isnull=True).update(expired_at=now, file=""):
            continue
        if job.file:
            job.file.storage.delete(job.file.name)
        expired += 1
    if expired:
        logger.info("expired %s export file(s) older than %s days", expired, days)
    return expired
