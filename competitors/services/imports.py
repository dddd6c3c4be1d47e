"""Importing rival posts and follower readings from a CSV or XLSX file, for data a team gets any other way
(README.md, "Import"). One Celery task (`competitors.import_rivals`) reads the stored file with content's
strict reader (content.imports.files: encodings, separators, sheets, row/column problems), checks every
row against the rival accounts this workspace benchmarks, and loads every row or none: the posts and
readings are written with bulk statements in ONE transaction together with the job's move to `done`.

Progress: `validated_rows` of `total_rows` while checking (committed as it goes); while loading, rows
written so far are kept in the cache (the transaction hides the rows) and read by `written_so_far`.

Every stored value is tagged with the source `import`.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import datetime, time

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from channels_app.models import Platform
from content.imports.files import FileProblems, problem, read_table
from core.audit import audit_record
from core.errors import NotFound, ValidationFailed

from ..models import RivalAccount, RivalImport, RivalPost, RivalSnapshot
from ..text import hashtags

logger = logging.getLogger(__name__)

SOURCE = "import"
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_REPORTED = 500  # problems kept on the job (the count says how many there were)
BATCH = 2_000
PROGRESS_EVERY = 1_000
COLUMNS = (
    "platform",
    "account",
    "post_id",
    "published_at",
    "text",
    "url",
    "media_kind",
    "likes",
    "comments",
    "shares",
    "views",
    "followers",
)
REQUIRED = ("platform", "account", "published_at")
FIGURES = ("likes", "comments", "shares", "views")
S = RivalImport.Status
ACTIVE = (S.PENDING, S.VALIDATING, S.WRITING)


@dataclass
class _PostRow:
    rival: RivalAccount
    post_id: str
    published_at: datetime
    text: str
    url: str
    media_kind: str
    figures: dict[str, float]


@dataclass
class _Reading:
    rival: RivalAccount
    captured_at: datetime
    followers: float


def _progress_key(job_id: int) -> str:
    return f"kawo:rival-import:{job_id}:written"


def written_so_far(job: RivalImport) -> int:
    if job.status == S.WRITING:
        return int(cache.get(_progress_key(job.pk)) or 0)
    return job.written_rows


# --- template ------------------------------------------------------------------------------------------


def import_template(workspace, *, kind: str) -> tuple[bytes, str, str]:
    """(bytes, content type, file name): the columns and two example rows (a post, a follower reading)
    naming one of the workspace's benchmarked rival accounts, times in the workspace's zone."""
    kinds = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    if kind not in kinds:
        raise NotFound(_("No such template."))
    rival = RivalAccount.objects.filter(brand__benchmarked_in__workspace=workspace).order_by("id").first()
    platform, handle = (rival.platform, rival.handle) if rival else ("weibo", "rival_handle")
    day = timezone.now().astimezone(workspace.tzinfo).date()
    stamp = datetime.combine(day, time(10, 0)).strftime("%Y-%m-%d %H:%M")
    post = {
        "platform": platform,
        "account": handle,
        "post_id": "1234567890",
        "published_at": stamp,
        "text": _("New flavour out today #spring"),
        "url": "",
        "media_kind": "image",
        "likes": "120",
        "comments": "14",
        "shares": "3",
        "views": "",
        "followers": "",
    }
    reading = {column: "" for column in COLUMNS} | {
        "platform": platform,
        "account": handle,
        "published_at": stamp,
        "followers": "48200",
    }
    rows = [post, reading]
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[c] for c in COLUMNS])
        return out.getvalue().encode("utf-8-sig"), kinds[kind], "kawo-competitor-import-template.csv"
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("rivals")
    for col, column in enumerate(COLUMNS):
        sheet.write_string(0, col, column)
        for index, row in enumerate(rows, start=1):
            sheet.write_string(index, col, row[column])
    book.close()
    return buffer.getvalue(), kinds[kind], "kawo-competitor-import-template.xlsx"


# --- upload --------------------------------------------------------------------------------------------


@transaction.atomic
def rival_import_create(*, actor, workspace, file) -> RivalImport:
    """Store an uploaded file and queue its check and load. Only the size is checked here."""
    size = getattr(file, "size", None) or 0
    if size > MAX_BYTES:
        raise ValidationFailed(_("The file is larger than 20 MB."), code="import_invalid", field="file")
    name = (getattr(file, "name", "") or "upload")[-255:]
    job = RivalImport(
        workspace=workspace,
        original_name=name,
        size=size,
        created_by=actor if getattr(actor, "pk", None) else None,
        language=translation.get_language() or "en",
    )
    job.file.save(name, file, save=False)
    job.save()
    audit_record(
        actor=actor,
        action="competitor.import",
        target=job,
        workspace=workspace,
        after={"file": name, "size": size},
    )
    job_id = job.pk

    def send() -> None:
        from ..tasks import import_rivals

        try:
            import_rivals.delay(job_id)
        except OperationalError as exc:
            logger.warning("could not enqueue rival import %s: %s", job_id, exc)
            with translation.override(job.language):
                message = _(
                    "The import could not be queued (the task queue is unreachable); upload it again."
                )
            RivalImport.objects.filter(pk=job_id, status__in=ACTIVE).update(status=S.FAILED, message=message)

    transaction.on_commit(send)
    return job


# --- check ---------------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, workspace):
        self.tz = workspace.tzinfo
        self.accounts: dict[tuple[str, str], RivalAccount] = {}
        for rival in RivalAccount.objects.filter(brand__benchmarked_in__workspace=workspace):
            self.accounts.setdefault((rival.platform, rival.external_id.lower()), rival)
            self.accounts[(rival.platform, rival.handle.lower().lstrip("@"))] = rival
        self.platforms = {p.value: p.value for p in Platform} | {
            str(p.label).lower(): p.value for p in Platform
        }
        self.seen_posts: dict[tuple[int, str], int] = {}

    def when(self, value) -> datetime | None:
        if isinstance(value, datetime):
            parsed = value
        else:
            text = str(value).strip().replace("/", "-")
            parsed = parse_datetime(text)
            if parsed is None:
                day = parse_date(text)
                parsed = datetime.combine(day, time(0, 0)) if day else None
        if parsed is None:
            return None
        if timezone.is_naive(parsed):
            parsed = parsed.replace(tzinfo=self.tz)
        return parsed

    @staticmethod
    def number(value) -> float | None | str:
        text = str(value).strip().replace(",", "")
        if text == "":
            return None
        try:
            number = float(text)
        except ValueError:
            return "bad"
        return number if number >= 0 and number == number and number != float("inf") else "bad"

    def row(self, source) -> tuple[_PostRow | _Reading | None, list[dict]]:
        values, number, sheet = source.values, source.number, source.sheet
        problems = list(source.problems)

        def bad(column, message):
            problems.append(problem(number, column, message, sheet))

        platform_text = str(values.get("platform", "")).strip().lower()
        platform = self.platforms.get(platform_text)
        if not platform_text:
            bad("platform", _("Name the platform (for example weibo or douyin)."))
        elif platform is None:
            bad("platform", _("“%(value)s” is not a platform KAWO knows.") % {"value": platform_text})
        handle = str(values.get("account", "")).strip().lstrip("@").lower()
        rival = self.accounts.get((platform, handle)) if platform else None
        if not handle:
            bad("account", _("Name the rival account (its handle or id)."))
        elif platform and rival is None:
            bad(
                "account",
                _("No competitor account @%(handle)s on this platform is benchmarked in this workspace.")
                % {"handle": handle},
            )
        when = self.when(values.get("published_at", ""))
        if when is None:
            bad("published_at", _("Write the time as YYYY-MM-DD HH:MM (the workspace's time zone)."))
        elif when > timezone.now() + timezone.timedelta(days=1):
            bad("published_at", _("The time is in the future."))
        figures = {}
        for column in (*FIGURES, "followers"):
            value = self.number(values.get(column, ""))
            if value == "bad":
                bad(column, _("Write a whole number of zero or more."))
            elif value is not None:
                figures[column] = value
        post_id = str(values.get("post_id", "")).strip()
        url = str(values.get("url", "")).strip()
        if url and not url.startswith(("http://", "https://")):
            bad("url", _("Write a full address starting with https://."))
        if not post_id and "followers" not in figures:
            bad("post_id", _("A row is a post (give its post id) or a follower reading (give followers)."))
        if post_id and rival is not None:
            earlier = self.seen_posts.setdefault((rival.pk, post_id), number)
            if earlier != number:
                bad("post_id", _("The same post is in row %(row)s already.") % {"row": earlier})
        if problems or rival is None or when is None:
            return None, problems
        if not post_id:
            return _Reading(rival=rival, captured_at=when, followers=figures["followers"]), []
        return (
            _PostRow(
                rival=rival,
                post_id=post_id[:200],
                published_at=when,
                text=str(values.get("text", "")),
                url=url[:500],
                media_kind=str(values.get("media_kind", "")).strip().lower()[:20],
                figures={k: v for k, v in figures.items() if k in FIGURES},
            ),
            [],
        )


def _check(job: RivalImport, *, progress) -> tuple[list, list[dict], int]:
    """(rows to load, problems (at most MAX_REPORTED), how many problems)."""
    with job.file.open("rb") as handle:
        data = handle.read()
    try:
        table = read_table(
            data, name=job.original_name, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS
        )
    except FileProblems as rejected:
        return [], rejected.problems[:MAX_REPORTED], len(rejected.problems)
    RivalImport.objects.filter(pk=job.pk).update(total_rows=len(table.rows))
    checker = _Checker(job.workspace)
    loaded, problems, count = [], [], 0
    for index, source in enumerate(table.rows, start=1):
        item, found = checker.row(source)
        if found:
            count += len(found)
            problems += found[: max(0, MAX_REPORTED - len(problems))]
        elif item is not None:
            loaded.append(item)
        if index % PROGRESS_EVERY == 0:
            progress(index)
    if not table.rows:
        return [], [problem(0, "file", _("The file has no rows under its header."))], 1
    return loaded, problems, count


# --- load ----------------------------------------------------------------------------------------------


def _write(items: list, *, now: datetime, progress) -> tuple[int, int]:
    posts = [item for item in items if isinstance(item, _PostRow)]
    readings = [item for item in items if isinstance(item, _Reading)]
    done = 0
    for start in range(0, len(posts), BATCH):
        batch = posts[start : start + BATCH]
        rows, snapshots = [], []
        for item in batch:
            parts = [item.figures[k] for k in ("likes", "comments", "shares") if k in item.figures]
            rows.append(
                RivalPost(
                    rival=item.rival,
                    platform_post_id=item.post_id,
                    published_at=item.published_at,
                    text=item.text,
                    url=item.url,
                    media_kind=item.media_kind,
                    hashtags=hashtags(item.text),
                    likes=item.figures.get("likes"),
                    comments=item.figures.get("comments"),
                    shares=item.figures.get("shares"),
                    views=item.figures.get("views"),
                    engagements=sum(parts) if parts else None,
                    figures_at=now if item.figures else None,
                    source=SOURCE,
                    track_until=item.published_at,  # an imported post is not re-read
                )
            )
            snapshots += [
                RivalSnapshot(
                    rival=item.rival,
                    platform_post_id=item.post_id,
                    metric=metric,
                    value=value,
                    captured_at=now,
                    source=SOURCE,
                )
                for metric, value in item.figures.items()
            ]
        RivalPost.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["rival", "platform_post_id"],
            update_fields=[
                "published_at", "text", "url", "media_kind", "hashtags", "likes", "comments", "shares",
                "views", "engagements", "figures_at", "source", "updated_at",
            ],
        )  # fmt: skip
        RivalSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
        done += len(batch)
        progress(done)
    for start in range(0, len(readings), BATCH):
        batch = readings[start : start + BATCH]
        RivalSnapshot.objects.bulk_create(
            [
                RivalSnapshot(
                    rival=r.rival,
                    platform_post_id="",
                    metric="followers",
                    value=r.followers,
                    captured_at=r.captured_at,
                    source=SOURCE,
                )
                for r in batch
            ],
            ignore_conflicts=True,
        )
        done += len(batch)
        progress(done)
    return len(posts), len(readings)


def rival_import_run(*, job_id: int) -> str:
    """The task's work: check every row, then load every row or none. A job past `pending` or
    `validating` (a task delivered twice) is left alone."""
    if not RivalImport.objects.filter(pk=job_id, status__in=(S.PENDING, S.VALIDATING)).update(
        status=S.VALIDATING, validated_rows=0
    ):
        return "skipped"
    job = RivalImport.objects.select_related("workspace").get(pk=job_id)
    key = _progress_key(job_id)
    with translation.override(job.language):
        try:
            items, problems, count = _check(
                job, progress=lambda n: RivalImport.objects.filter(pk=job_id).update(validated_rows=n)
            )
            if problems:
                RivalImport.objects.filter(pk=job_id).update(
                    status=S.INVALID,
                    errors=problems,
                    error_count=count,
                    validated_rows=F("total_rows"),
                    finished_at=timezone.now(),
                )
                return S.INVALID
            total = RivalImport.objects.filter(pk=job_id).values_list("total_rows", flat=True).get()
            RivalImport.objects.filter(pk=job_id).update(status=S.WRITING, validated_rows=total)
            cache.set(key, 0, timeout=3600)
            with transaction.atomic():
                posts, readings = _write(
                    items, now=timezone.now(), progress=lambda n: cache.set(key, n, timeout=3600)
                )
                RivalImport.objects.filter(pk=job_id, status=S.WRITING).update(
                    status=S.DONE,
                    written_rows=len(items),
                    posts=posts,
                    readings=readings,
                    finished_at=timezone.now(),
                )
        except Exception:
            logger.exception("rival import %s failed", job_id)
            message = _("Something went wrong while importing; nothing was imported. Try again, or tell us.")
            RivalImport.objects.filter(pk=job_id, status__in=ACTIVE).update(status=S.FAILED, message=message)
            raise
    return S.DONE


def rival_imports_recent(workspace, *, limit: int = 10) -> list[RivalImport]:
    return list(RivalImport.objects.filter(workspace=workspace).defer("errors").order_by("-id")[:limit])
