"""Bulk import of posts from a CSV (UTF-8, or GB18030 as Excel in China saves it) or XLSX file.

All or nothing: every row is parsed and validated first (ids and names looked up in the workspace, tag
rules checked); one bad row imports nothing and the error lists every problem as {row, column, message}
with `row` the file's own row number (the header is row 1). Only then are the posts created, in one
transaction, through content.services.post_create (so each gets its version, compliance and audit row).

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
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Workspace
from channels_app.models import SocialAccount
from core import timezones
from core.audit import audit_record
from core.errors import DomainError, ValidationFailed

from . import services
from .models import Campaign, MediaAsset, Post, Tag, TagGroup

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


class ImportRejected(ValidationFailed):
    default_code = "import_invalid"

    def __init__(self, rows: list[dict]):
        self.rows = rows
        first = rows[0]
        message = _(
            "%(count)s problem(s) found; nothing was imported. Row %(row)s, %(column)s: %(message)s"
        ) % {
            "count": len(rows),
            "row": first["row"],
            "column": first["column"],
            "message": first["message"],
        }
        super().__init__(message, field="file")


@dataclass
class _Row:
    number: int
    values: dict
    errors: list[dict] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append({"row": self.number, "column": column, "message": str(message)})


# --- reading files ----------------------------------------------------------------------------------


def _cell(value) -> str | datetime:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_rows(file) -> list[tuple[int, dict]]:
    """[(row number, {column: value})] from a CSV or XLSX upload; the header is row 1."""
    name = getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImportRejected([{"row": 0, "column": "file", "message": _("The file is larger than 20 MB.")}])
    data = file.read()
    if PurePath(name).suffix.lower() == ".xlsx" or data[:4] == b"PK\x03\x04":
        table = _xlsx_table(data)
    else:
        table = _csv_table(data)
    if not table:
        raise ImportRejected([{"row": 1, "column": "file", "message": _("The file is empty.")}])
    header = [str(h).strip().lower() for h in table[0]]
    problems = []
    for index, column in enumerate(header, start=1):
        if column and column not in COLUMNS:
            problems.append(
                {
                    "row": 1,
                    "column": column,
                    "message": _("Unknown column %(index)s “%(column)s”; the columns are: %(columns)s.")
                    % {"index": index, "column": column, "columns": ", ".join(COLUMNS)},
                }
            )
    for column in REQUIRED:
        if column not in header:
            problems.append({"row": 1, "column": column, "message": _("The column is missing.")})
    if problems:
        raise ImportRejected(problems)
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {header[i]: _cell(v) for i, v in enumerate(cells) if i < len(header) and header[i]}
        if all(v == "" for v in values.values()):
            continue  # blank lines are not rows
        rows.append((number, values))
    if not rows:
        raise ImportRejected(
            [{"row": 2, "column": "file", "message": _("The file has no rows under its header.")}]
        )
    if len(rows) > MAX_ROWS:
        raise ImportRejected(
            [
                {
                    "row": 0,
                    "column": "file",
                    "message": _("Import at most %(max)s rows at once.") % {"max": MAX_ROWS},
                }
            ]
        )
    return rows


def _csv_table(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportRejected([{"row": 0, "column": "file", "message": _("The file is not UTF-8 text.")}])
    return [row for row in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_table(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportRejected(
            [{"row": 0, "column": "file", "message": _("The file is not a readable XLSX workbook.")}]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


# --- validating -------------------------------------------------------------------------------------


class _Lookups:
    """Everything rows may name, loaded once for the workspace (a fixed number of queries)."""

    def __init__(self, workspace: Workspace):
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
        self.media_ids = set(MediaAsset.objects.filter(workspace=workspace).values_list("pk", flat=True))


def _split(value) -> list[str]:
    return [part.strip() for part in str(value).replace("；", ";").split(";") if part.strip()]


def _account(lookups: _Lookups, value: str):
    if value.isdigit():
        return lookups.accounts_by_id.get(int(value))
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


def _validate(row: _Row, lookups: _Lookups, workspace: Workspace) -> dict | None:
    v = row.values
    accounts = []
    names = _split(v.get("accounts", ""))
    if not names:
        row.error("accounts", _("Name at least one account."))
    for name in names:
        account = _account(lookups, name)
        if account is None:
            row.error("accounts", _("No connected account “%(name)s” in this workspace.") % {"name": name})
        elif account in accounts:
            row.error("accounts", _("“%(name)s” is named twice.") % {"name": name})
        else:
            accounts.append(account)
    text = v.get("text", "")
    if not isinstance(text, str) or not text.strip():
        row.error("text", _("The text is empty."))
    title = v.get("title", "") or ""
    if isinstance(title, str) and len(title) > 200:
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
        matches = [c for c in lookups.campaigns if c.name == name or (name.isdigit() and c.pk == int(name))]
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
        if not value.isdigit() or int(value) not in lookups.media_ids:
            row.error("media", _("No media with id %(id)s in this workspace.") % {"id": value})
        else:
            media.append(int(value))
    flag = str(v.get("is_paid_or_kol", "")).strip().lower()
    if flag not in TRUE | FALSE:
        row.error("is_paid_or_kol", _("Write yes or no."))
    if row.errors:
        return None
    first_comment = v.get("first_comment", "") or ""
    return {
        "title": str(title),
        "scheduled_at": scheduled_at,
        "campaign": campaign.pk if campaign else None,
        "tags": [t.pk for t in tags],
        "is_paid_or_kol": flag in TRUE,
        "targets": [
            {"account": a.pk, "text": str(text), "first_comment": str(first_comment), "media": media}
            for a in accounts
        ],
    }


# --- importing --------------------------------------------------------------------------------------


def posts_import(*, actor, workspace: Workspace, file) -> list[Post]:
    """Import every row of `file` as a draft post, or nothing (ImportRejected with every problem)."""
    rows = [_Row(number, values) for number, values in read_rows(file)]
    lookups = _Lookups(workspace)
    parsed = [(row, _validate(row, lookups, workspace)) for row in rows]
    errors = [error for row in rows for error in row.errors]
    if errors:
        raise ImportRejected(errors)
    banned = services.workspace_banned_words(workspace)
    created: list[Post] = []
    with transaction.atomic():
        for row, data in parsed:
            try:
                created.append(
                    services.post_create(
                        actor=actor,
                        workspace=workspace,
                        change_summary=_("Imported (row %(row)s)") % {"row": row.number},
                        _banned_words=banned,
                        _tag_groups=lookups.groups,
                        **data,
                    )
                )
            except DomainError as failed:
                # Raised inside the transaction: every post created so far is rolled back.
                column = next(iter(failed.fields), "file").split(".")[0]
                raise ImportRejected(
                    [{"row": row.number, "column": column, "message": failed.message}]
                ) from None
        audit_record(
            actor=actor,
            action="post.import",
            workspace=workspace,
            after={"rows": len(created), "file": file.name},
        )
    return created
