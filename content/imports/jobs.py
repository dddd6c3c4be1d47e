"""Import jobs: a bulk import as steps on a Celery worker, so that a 5,000-row file never depends on a web
worker's timeout.

1. `import_job_create` (the upload request): stores the file under MEDIA_ROOT, makes the job `pending`
   and enqueues its validation after commit. Nothing is parsed in the request.
2. `import_job_validate` (task `content.import_validate`): reads the file strictly, validates every row
   against the workspace and stores what was read (encoding, separator, sheets), a preview and every
   problem by sheet, row and column: `ready` or `invalid`. Progress: `validated_rows` of `total_rows`.
   A ready job also lists its duplicates (rows repeating an existing post or an earlier row: same
   account, scheduled time and text; content.importers.find_duplicates).
3. `import_job_commit_request` (the commit request): `ready` -> `committing` with the person's choice
   for duplicates (skip them, the default, or import them anyway), enqueues the commit.
4. `import_job_commit` (task `content.import_commit`): reads and validates again (the workspace may have
   changed since the preview), then writes every post in ONE transaction together with the job's move
   to `committed`: all or nothing, and a task delivered twice finds the job committed and does nothing.
   Duplicates are found again at that moment and left out when the person chose to skip them.
   Progress while it writes: rows done so far (written or skipped), kept in the cache (the transaction
   hides the rows).

The worker writes its messages in the language of the person who uploaded the file.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from core.audit import audit_record
from core.errors import Conflict, ValidationFailed

from .. import importers
from ..models import ImportJob
from .files import SourceRow, Table

logger = logging.getLogger(__name__)

S = ImportJob.Status
# The one transition table: from -> the statuses a job may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.VALIDATING, S.FAILED}),
    # validating -> validating: a validation task delivered again after its worker died starts over.
    S.VALIDATING: frozenset({S.VALIDATING, S.READY, S.INVALID, S.FAILED}),
    S.READY: frozenset({S.COMMITTING}),
    # committing -> invalid: the workspace changed between the preview and the commit.
    S.COMMITTING: frozenset({S.COMMITTED, S.INVALID, S.FAILED}),
    S.INVALID: frozenset(),
    S.COMMITTED: frozenset(),
    S.FAILED: frozenset(),
}
PREVIEW_ROWS = 20  # the first rows shown, besides every row with a problem
PREVIEW_PROBLEM_ROWS = 200
PREVIEW_DUPLICATE_ROWS = 30  # duplicates past the first rows shown (every one is listed in `duplicates`)
PREVIEW_CELL_CHARS = 300
ACTIVE = (S.PENDING, S.VALIDATING, S.COMMITTING)


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def _move(job_id: int, current: tuple[str, ...], new: str, **fields) -> bool:
    """Move the job from one of `current` to `new` (and set `fields`) if it is still there: a
    conditional UPDATE, so two requests or two deliveries cannot both move it."""
    allowed = [status for status in current if can_move(status, new)]
    return bool(ImportJob.objects.filter(pk=job_id, status__in=allowed).update(status=new, **fields))


def _progress_key(job_id: int) -> str:
    return f"kawo:import-job:{job_id}:written"


def written_so_far(job: ImportJob) -> int:
    """Posts written so far: while committing, the live count the worker keeps in the cache."""
    if job.status == S.COMMITTING:
        return int(cache.get(_progress_key(job.pk)) or 0)
    return job.committed_rows


def import_jobs_recent(workspace, *, limit: int = 10) -> list[ImportJob]:
    """The workspace's latest import jobs, newest first (without their previews and problems)."""
    return list(
        ImportJob.objects.filter(workspace=workspace)
        .select_related("created_by")
        .defer("preview", "errors", "posts")
        .order_by("-id")[:limit]
    )


def _enqueue(task_name: str, job_id: int) -> None:
    def send() -> None:
        from .. import tasks

        try:
            getattr(tasks, task_name).delay(job_id)
        except OperationalError as exc:  # the broker is unreachable: say so on the job
            logger.warning("could not enqueue %s for import job %s: %s", task_name, job_id, exc)
            with translation.override(ImportJob.objects.get(pk=job_id).language):
                message = _(
                    "The import could not be queued (the task queue is unreachable); upload it again."
                )
            ImportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(status=S.FAILED, message=message)

    transaction.on_commit(send)


# --- upload ------------------------------------------------------------------------------------------


@transaction.atomic
def import_job_create(*, actor, workspace, file, sheet: str = "") -> ImportJob:
    """Store an uploaded CSV/XLSX of posts and queue its validation. Only the size is checked here."""
    size = getattr(file, "size", None) or 0
    if size > importers.MAX_BYTES:
        raise ValidationFailed(_("The file is larger than 20 MB."), code="import_invalid", field="file")
    name = (getattr(file, "name", "") or "upload")[-255:]
    job = ImportJob(
        workspace=workspace,
        original_name=name,
        size=size,
        sheet=(sheet or "").strip()[:100],
        created_by=actor if getattr(actor, "pk", None) else None,
        language=translation.get_language() or "en",
    )
    job.file.save(name, file, save=False)
    job.save()
    audit_record(
        actor=actor,
        action="post.import_upload",
        target=job,
        workspace=workspace,
        after={"file": name, "size": size, "sheet": job.sheet},
    )
    _enqueue("import_validate", job.pk)
    return job


# --- validate ----------------------------------------------------------------------------------------


def _read_and_check(job: ImportJob, *, progress=None) -> tuple[Table | None, list, list[dict], int]:
    """(table or None, posts to create (one per row of table.rows), problems (at most MAX_REPORTED), how
    many problems)."""
    with job.file.open("rb") as handle:
        data = handle.read()
    upload = _Upload(data, job.original_name)
    try:
        table = importers.read_file(upload, sheet=job.sheet or None)
    except importers.ImportRejected as rejected:
        return None, [], rejected.rows, rejected.count
    ImportJob.objects.filter(pk=job.pk).update(
        total_rows=len(table.rows),
        encoding=table.encoding,
        delimiter=table.delimiter,
        sheets=[sheet.as_dict() for sheet in table.sheets] if table.kind == "xlsx" else [],
    )
    try:
        posts = importers.validate_rows(job.workspace, table.rows, progress=progress)
    except importers.ImportRejected as rejected:
        return table, [], rejected.rows, rejected.count
    return table, posts, [], 0


class _Upload:
    """The stored file as the importer reads an upload (name, size, read())."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name, self.size = data, name, len(data)

    def read(self) -> bytes:
        return self.data


def _preview(table: Table | None, problems: list[dict]) -> list[dict]:
    """The first rows and every row with a problem (or a duplicate), as read."""
    if table is None:
        return []
    flagged = {(p["sheet"], p["row"]) for p in problems}
    chosen: list[SourceRow] = []
    extra = 0
    for index, row in enumerate(table.rows):
        if index < PREVIEW_ROWS:
            chosen.append(row)
        elif (row.sheet, row.number) in flagged and extra < PREVIEW_PROBLEM_ROWS:
            chosen.append(row)
            extra += 1
    return [{"sheet": row.sheet, "row": row.number, "values": _shown(row.values)} for row in chosen]


def _shown(values: dict) -> dict:
    shown = {}
    for column, value in values.items():
        text = value.isoformat(sep=" ") if hasattr(value, "isoformat") else str(value)
        shown[column] = text if len(text) <= PREVIEW_CELL_CHARS else text[:PREVIEW_CELL_CHARS] + "…"
    return shown


def import_job_validate(*, job_id: int) -> str:
    """The validation task's work: read, check, preview; `ready` or `invalid`. Does nothing for a job that
    is past validation (a task delivered twice)."""
    if not _move(job_id, (S.PENDING, S.VALIDATING), S.VALIDATING, validated_rows=0, message=""):
        return "skipped"
    job = ImportJob.objects.select_related("workspace").get(pk=job_id)
    with translation.override(job.language):
        try:
            table, posts, problems, count = _read_and_check(
                job, progress=lambda n: ImportJob.objects.filter(pk=job_id).update(validated_rows=n)
            )
            duplicates = []
            if not problems and table is not None:
                found = importers.find_duplicates(job.workspace, table.rows, posts)
                duplicates = importers.duplicate_problems(table.rows, found)
        except Exception:
            _fail(job_id, (S.VALIDATING,))
            raise
        status = S.INVALID if problems else S.READY
        _move(
            job_id,
            (S.VALIDATING,),
            status,
            errors=problems,
            error_count=count,
            duplicates=duplicates[: importers.MAX_REPORTED],
            duplicate_count=len(duplicates),
            preview=_preview(table, problems + duplicates[:PREVIEW_DUPLICATE_ROWS]),
            validated_rows=len(table.rows) if table is not None else 0,
            validated_at=timezone.now(),
        )
    return status


def _fail(job_id: int, current: tuple[str, ...]) -> None:
    logger.exception("import job %s failed", job_id)
    message = _("Something went wrong while importing; nothing was imported. Try again, or tell us.")
    _move(job_id, current, S.FAILED, message=message)


# --- commit ------------------------------------------------------------------------------------------


@transaction.atomic
def import_job_commit_request(*, actor, job: ImportJob, skip_duplicates: bool = True) -> ImportJob:
    """Import a validated job's posts (on a worker): `ready` -> `committing`. Anything else is a conflict:
    a job with problems, one being checked, one already imported, or one whose file was cleaned up.
    `skip_duplicates`: leave out rows that repeat an existing post or an earlier row (the default), or
    import them anyway."""
    if ImportJob.objects.filter(pk=job.pk, file_expired_at__isnull=False).exists():
        raise Conflict(
            _("The uploaded file of this import has expired and was deleted; upload it again."),
            code="import_file_expired",
        )
    skip_duplicates = bool(skip_duplicates)
    if not _move(
        job.pk,
        (S.READY,),
        S.COMMITTING,
        committed_by_id=getattr(actor, "pk", None),
        skip_duplicates=skip_duplicates,
    ):
        job.refresh_from_db()
        raise Conflict(
            _("This import cannot be committed now (it is “%(status)s”).")
            % {"status": job.get_status_display()},
            code="import_not_ready",
        )
    cache.set(_progress_key(job.pk), 0, timeout=3600)
    audit_record(
        actor=actor,
        action="post.import_commit",
        target=job,
        workspace=job.workspace,
        after={"skip_duplicates": skip_duplicates, "duplicates": job.duplicate_count},
    )
    _enqueue("import_commit", job.pk)
    job.refresh_from_db()
    return job


def import_job_commit(*, job_id: int) -> str:
    """The commit task's work: every post of the file, or none. The job's move to `committed` is in the
    same transaction as the posts."""
    job = ImportJob.objects.select_related("workspace", "committed_by").get(pk=job_id)
    if job.status != S.COMMITTING:
        return "skipped"
    key = _progress_key(job_id)
    with translation.override(job.language):
        try:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job_id)
                if locked.status != S.COMMITTING:
                    return "skipped"
                table, posts, problems, count = _read_and_check(job)
                if problems:
                    _move(job_id, (S.COMMITTING,), S.INVALID, errors=problems, error_count=count)
                    return S.INVALID
                skipped = 0
                if locked.skip_duplicates:
                    found = importers.find_duplicates(job.workspace, table.rows, posts)
                    posts, skipped = importers.drop_duplicates(posts, found)
                cache.set(key, skipped, timeout=3600)
                created = importers.posts_write(
                    actor=job.committed_by,
                    workspace=job.workspace,
                    posts=posts,
                    file_name=job.original_name,
                    progress=lambda n: cache.set(key, skipped + n, timeout=3600),
                )
                _move(
                    job_id,
                    (S.COMMITTING,),
                    S.COMMITTED,
                    committed_rows=len(created),
                    skipped_rows=skipped,
                    posts=[post.pk for post in created],
                    committed_at=timezone.now(),
                )
        except Exception:
            _fail(job_id, (S.COMMITTING,))
            raise
    cache.delete(key)
    return S.COMMITTED


# --- cleanup --------------------------------------------------------------------------------------------

# Jobs whose file nobody needs any more: settled ones, and `ready` ones nobody committed (abandoned).
EXPIRABLE = (S.READY, S.INVALID, S.COMMITTED, S.FAILED)


def import_files_expire(*, now=None, days: int | None = None) -> int:
    """Delete the uploaded file of every settled or abandoned import uploaded more than `days`
    (settings.KAWO_IMPORT_FILE_RETENTION_DAYS) ago and mark the job `file_expired_at`; the job, its preview
    and its problems stay. Each job is marked with a conditional UPDATE first (a `ready` job is marked only
    while still `ready`, so a commit that won the race keeps its file), then its file is deleted. Returns
    how many files were expired."""
    now = now or timezone.now()
    days = settings.KAWO_IMPORT_FILE_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    expired = 0
    candidates = ImportJob.objects.filter(
        status__in=EXPIRABLE, file_expired_at__isnull=True, created_at__lt=cutoff
    ).only("pk", "status", "file")
    for job in candidates.iterator():
        marked = ImportJob.objects.filter(pk=job.pk, status=job.status, file_expired_at__isnull=True).update(
            file_expired_at=now
        )
        if not marked:
            continue
        if job.file:
            job.file.storage.delete(job.file.name)
        expired += 1
    if expired:
        logger.info("expired %s import upload(s) older than %s days", expired, days)
    return expired
