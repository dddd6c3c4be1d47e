"""Bulk import of posts from a CSV or XLSX file (see content.imports.files for what is read and how).

All or nothing: every row is parsed and validated first (ids and names looked up in the workspace, tag
rules checked); one bad row imports nothing and the error lists every problem as {sheet, row, column,
message} with `row` the file's own row number (the header is row 1) and `sheet` the workbook's sheet
(None for CSV). Only then are the posts created, in one transaction, each exactly as
content.services.post_create makes one (version, compliance, audit row), in batches
(content.imports.bulk). Large files go through an import job (content.imports.jobs), which runs these
steps on a Celery worker with progress.

Columns (header names, any order, case-insensitive):
- accounts (required): one or more accounts separated by ";" — an account id, `platform:handle` or a
  handle that is unique in the workspace.
- text (required): the post's text, used for every account.
- scheduled_at: the planned time, ISO 8601 (`2026-12-01T09:30:00+08:00`) or `YYYY-MM-DD HH:MM` in the
  workspace's time zone (an XLSX date cell is read the same way).
- title, first_comment
- campaign: a campaign's name or id.
- tags: tag names separated by ";" (`Group/Tag` where two groups share a tag name).
- media: media ids separated by ";".
- is_paid_or_kol: yes/no, true/false, 1/0 (empty: no).

Duplicates: a row that names an account with the same scheduled time and the same text as a post the
workspace already has (not deleted), or as an earlier row of the same file, is a duplicate. Duplicates are
not problems: `find_duplicates` lists them, and the person chooses when committing to skip them (the
default: only the duplicated accounts of a row are left out; a row left with none is skipped) or to
import them anyway (`drop_duplicates`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Workspace
from channels_app.models import SocialAccount
from core import timezones
from core.audit import audit_record
from core.errors import ValidationFailed

from . import services
from .imports import bulk
from .imports.files import FileProblems, SourceRow, Table, read_table
from .models import Campaign, MediaAsset, Post, PostTarget, Tag, TagGroup

MAX_ROWS = 5000
MAX_BYTES = 20 * 1024 * 1024
COLUMNS = (
    "accounts",
    "text",
    "scheduled_at",
    "title",
    "first_comment",
    "campaign",
    "tags",
    "media",
    "is_paid_or_kol",
)
REQUIRED = ("accounts", "text")
TRUE = {"1", "yes", "y", "true", "是", "x"}
FALSE = {"", "0", "no", "n", "false", "否"}
MAX_REPORTED = 1000  # problems kept and shown; the count says how many there were


def where(problem: dict) -> str:
    """“Sheet “March”, row 3, text” (or “Row 3, text”): where a problem is, for messages."""
    if problem.get("sheet"):
        return _("Sheet “%(sheet)s”, row %(row)s, %(column)s") % problem
    if problem["row"]:
        return _("Row %(row)s, %(column)s") % problem
    return _("The file")


class ImportRejected(ValidationFailed):
    default_code = "import_invalid"

    def __init__(self, rows: list[dict], *, count: int | None = None):
        self.rows = rows[:MAX_REPORTED]
        self.count = count if count is not None else len(rows)
        first = rows[0]
        message = _("%(count)s problem(s) found; nothing was imported. %(where)s: %(message)s") % {
            "count": self.count,
            "where": where(first),
            "message": first["message"],
        }
        super().__init__(message, field="file")


@dataclass
class _Row:
    number: int
    values: dict
    sheet: str | None = None
    errors: list[dict] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(
            {"sheet": self.sheet, "row": self.number, "column": column, "message": str(message)}
        )


# --- reading files ----------------------------------------------------------------------------------


def read_file(file, *, sheet: str | None = None) -> Table:
    """The rows of a CSV or XLSX upload (content.imports.files), or ImportRejected naming what is wrong."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImportRejected(
            [{"sheet": None, "row": 0, "column": "file", "message": _("The file is larger than 20 MB.")}]
        )
    data = file.read()
    if len(data) > MAX_BYTES:
        raise ImportRejected(
            [{"sheet": None, "row": 0, "column": "file", "message": _("The file is larger than 20 MB.")}]
        )
    try:
        return read_table(
            data,
            name=getattr(file, "name", "") or "",
            sheet=sheet or None,
            columns=COLUMNS,
            required=REQUIRED,
            max_rows=MAX_ROWS,
        )
    except FileProblems as problems:
        raise ImportRejected(problems.problems) from None


# --- validating -------------------------------------------------------------------------------------


class _Lookups:
    """Everything rows may name, loaded once for the workspace (a fixed number of queries)."""

    def __init__(self, workspace: Workspace, *, media_ids: set[int]):
        self.accounts = list(SocialAccount.objects.filter(workspace=workspace, disconnected_at__isnull=True))
        self.accounts_by_id = {a.pk: a for a in self.accounts}
        self.accounts_by_key = {f"{a.platform}:{a.handle}".lower(): a for a in self.accounts}
        self.accounts_by_handle: dict[str, list] = {}
        for account in self.accounts:
            self.accounts_by_handle.setdefault(account.handle.lower(), []).append(account)
        self.campaigns = list(Campaign.objects.filter(workspace=workspace))
        self.groups = list(TagGroup.objects.filter(workspace=workspace))
        groups_by_id = {g.pk: g for g in self.groups}
        self.tags_by_name: dict[str, list[Tag]] = {}
        for tag in Tag.objects.filter(workspace=workspace):
            tag.group = groups_by_id[tag.group_id]
            self.tags_by_name.setdefault(tag.name.lower(), []).append(tag)
            self.tags_by_name.setdefault(f"{tag.group.name}/{tag.name}".lower(), []).append(tag)
        self.media = {m.pk: m for m in MediaAsset.objects.filter(workspace=workspace, pk__in=media_ids)}
        self.first_comment: dict[str, bool] = {}

    def takes_first_comment(self, platform: str) -> bool:
        if platform not in self.first_comment:
            self.first_comment[platform] = services.takes_first_comment(platform)
        return self.first_comment[platform]


def _split(value) -> list[str]:
    return [part.strip() for part in str(value).replace("；", ";").split(";") if part.strip()]


def _id(value: str) -> int | None:
    """A cell that is an id (decimal digits, any script's, within the database's integer range)."""
    value = value.strip()
    if value.isdecimal() and len(value) <= 10 and int(value) < 2**31:
        return int(value)
    return None


def _account(lookups: _Lookups, value: str):
    if _id(value) is not None:
        return lookups.accounts_by_id.get(_id(value))
    if ":" in value:
        return lookups.accounts_by_key.get(value.lower())
    found = lookups.accounts_by_handle.get(value.lstrip("@").lower(), [])
    return found[0] if len(found) == 1 else None


def _when(value, tz) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = value.strip().replace("/", "-")
        parsed = parse_datetime(text) or parse_datetime(text + ":00") or parse_datetime(text + " 00:00:00")
        if parsed is None:
            raise ValueError
    if timezone.is_naive(parsed):
        parsed = timezones.wall_to_instant(parsed, tz).instant  # a time the clocks skip or repeat: refused
    return parsed


def _text(value) -> str:
    return value if isinstance(value, str) else str(value)


def _validate(row: _Row, lookups: _Lookups, workspace: Workspace) -> bulk.NewPost | None:
    v = row.values
    unreadable = {e["column"] for e in row.errors}  # cells the file reader already refused
    accounts = []
    names = _split(v.get("accounts", ""))
    if not names and "accounts" not in unreadable:
        row.error("accounts", _("Name at least one account."))
    for name in names:
        account = _account(lookups, name)
        if account is None:
            row.error("accounts", _("No connected account “%(name)s” in this workspace.") % {"name": name})
        elif account in accounts:
            row.error("accounts", _("“%(name)s” is named twice.") % {"name": name})
        else:
            accounts.append(account)
    text = _text(v.get("text", ""))
    if not text.strip() and "text" not in unreadable:
        row.error("text", _("The text is empty."))
    title = _text(v.get("title", ""))
    if len(title) > 200:
        row.error("title", _("At most 200 characters."))
    scheduled_at = None
    if v.get("scheduled_at", "") != "":
        try:
            scheduled_at = _when(v["scheduled_at"], workspace.tzinfo)
        except timezones.WallTimeRefused as refused:
            row.error("scheduled_at", timezones.refusal_for_files(refused))
        except (ValueError, TypeError):
            row.error(
                "scheduled_at",
                _("“%(value)s” is not a date and time (use 2026-12-01 09:30 or ISO 8601).")
                % {"value": v["scheduled_at"]},
            )
    campaign = None
    if v.get("campaign", "") != "":
        name = str(v["campaign"]).strip()
        matches = [c for c in lookups.campaigns if c.name == name or c.pk == _id(name)]
        if not matches:
            row.error("campaign", _("No campaign “%(name)s” in this workspace.") % {"name": name})
        else:
            campaign = matches[0]
    tags = []
    for name in _split(v.get("tags", "")):
        found = lookups.tags_by_name.get(name.lower(), [])
        if not found:
            row.error("tags", _("No tag “%(name)s” in this workspace.") % {"name": name})
        elif len(found) > 1:
            row.error("tags", _("“%(name)s” is in several groups: write Group/Tag.") % {"name": name})
        elif found[0] not in tags:
            tags.append(found[0])
    if not any(e["column"] == "tags" for e in row.errors):
        try:
            services.check_tag_rules(workspace, tags, groups=lookups.groups)
        except ValidationFailed as failed:
            for message in failed.fields.get("tags", [failed.message]):
                row.error("tags", message)
    media = []
    for value in _split(v.get("media", "")):
        if _id(value) not in lookups.media:
            row.error("media", _("No media with id %(id)s in this workspace.") % {"id": value})
        elif lookups.media[_id(value)] in media:
            row.error("media", _("The same media is attached twice."))
        else:
            media.append(lookups.media[_id(value)])
    first_comment = _text(v.get("first_comment", ""))
    if first_comment:
        for account in accounts:
            if not lookups.takes_first_comment(account.platform):
                row.error(
                    "first_comment",
                    _("%(handle)s: this platform has no first comment.") % {"handle": account.handle},
                )
    flag = str(v.get("is_paid_or_kol", "")).strip().lower()
    if flag not in TRUE | FALSE:
        row.error("is_paid_or_kol", _("Write yes or no."))
    if row.errors:
        return None
    if row.sheet:
        summary = _("Imported (sheet %(sheet)s, row %(row)s)") % {"sheet": row.sheet, "row": row.number}
    else:
        summary = _("Imported (row %(row)s)") % {"row": row.number}
    return bulk.NewPost(
        title=title,
        scheduled_at=scheduled_at,
        campaign=campaign,
        tags=tags,
        is_paid_or_kol=flag in TRUE,
        change_summary=summary,
        targets=[
            bulk.NewTarget(account=a, text=text, first_comment=first_comment, media=media) for a in accounts
        ],
    )


def validate_rows(
    workspace: Workspace,
    rows: list[SourceRow],
    *,
    progress: Callable[[int], None] | None = None,
    every: int = 500,
) -> list[bulk.NewPost]:
    """The rows as posts to create, or ImportRejected listing every problem of every row (the file
    reader's and the validation's, in row order). `progress(n)` after every `every` rows."""
    media_ids = {_id(v) for row in rows for v in _split(row.values.get("media", ""))} - {None}
    lookups = _Lookups(workspace, media_ids=media_ids)
    posts, errors = [], []
    for index, source in enumerate(rows, start=1):
        row = _Row(source.number, source.values, source.sheet, list(source.problems))
        post = _validate(row, lookups, workspace)
        errors += row.errors
        posts.append(post)
        if progress is not None and (index % every == 0 or index == len(rows)):
            progress(index)
    if errors:
        raise ImportRejected(errors)
    return posts


# --- duplicates -------------------------------------------------------------------------------------


def _key(account, scheduled_at, text: str) -> tuple:
    return (account.pk if hasattr(account, "pk") else account, scheduled_at, text)


def find_duplicates(
    workspace: Workspace, rows: list[SourceRow], posts: list[bulk.NewPost]
) -> dict[int, list]:
    """{index of a row in `rows`: the accounts of that row that duplicate an existing post's target or an
    earlier row's (same account, same scheduled time, same text)}. Two queries at most."""
    account_ids = {t.account.pk for post in posts if post for t in post.targets}
    texts = {t.text for post in posts if post for t in post.targets}
    existing: set[tuple] = set()
    if account_ids and texts:
        found = PostTarget.objects.filter(
            workspace=workspace,
            account_id__in=account_ids,
            text__in=texts,
            post__deleted_at__isnull=True,
        ).values_list("account_id", "post__scheduled_at", "text")
        existing = {_key(account, when, text) for account, when, text in found}
    seen = set(existing)
    duplicates: dict[int, list] = {}
    for index, post in enumerate(posts):
        if post is None:
            continue
        for target in post.targets:
            key = _key(target.account, post.scheduled_at, target.text)
            if key in seen:
                duplicates.setdefault(index, []).append(target.account)
            seen.add(key)
    return duplicates


def duplicate_problems(rows: list[SourceRow], duplicates: dict[int, list]) -> list[dict]:
    """The duplicates as the job keeps them: [{sheet, row, column, message, accounts}] in row order."""
    found = []
    for index in sorted(duplicates):
        row = rows[index]
        handles = ", ".join(a.handle for a in duplicates[index])
        found.append(
            {
                "sheet": row.sheet,
                "row": row.number,
                "column": "accounts",
                "accounts": [a.pk for a in duplicates[index]],
                "message": _("%(handles)s already has a post with this text at this time.")
                % {"handles": handles},
            }
        )
    return found


def drop_duplicates(posts: list[bulk.NewPost], duplicates: dict[int, list]) -> tuple[list, int]:
    """The posts without their duplicated targets, rows left with none dropped; and how many rows were
    dropped."""
    kept, skipped = [], 0
    for index, post in enumerate(posts):
        if index in duplicates:
            doubled = {a.pk for a in duplicates[index]}
            targets = [t for t in post.targets if t.account.pk not in doubled]
            if not targets:
                skipped += 1
                continue
            post.targets = targets
        kept.append(post)
    return kept, skipped


# --- importing --------------------------------------------------------------------------------------


def posts_write(
    *,
    actor,
    workspace: Workspace,
    posts: list[bulk.NewPost],
    file_name: str,
    progress: Callable[[int], None] | None = None,
) -> list[Post]:
    """Create the validated posts in one transaction (all or none) with one `post.import` audit row."""
    with transaction.atomic():
        created = bulk.posts_create_many(
            actor=actor,
            workspace=workspace,
            posts=posts,
            banned_words=services.workspace_banned_words(workspace),
            progress=progress,
        )
        audit_record(
            actor=actor,
            action="post.import",
            workspace=workspace,
            after={"rows": len(created), "file": file_name},
        )
    return created


def posts_import(*, actor, workspace: Workspace, file, sheet: str | None = None) -> list[Post]:
    """Import every row of `file` as a draft post, or nothing (ImportRejected with every problem)."""
    table = read_file(file, sheet=sheet)
    posts = validate_rows(workspace, table.rows)
    return posts_write(
        actor=actor, workspace=workspace, posts=posts, file_name=getattr(file, "name", "") or ""
    )
