"""The import template people download from the import page: the columns in the order the importer
lists them (content.importers.COLUMNS) and example rows that name this workspace's own connected
accounts (`platform:handle`, never ambiguous) at times written in the workspace's time zone, so the
template uploaded again as it is parses without a problem. CSV (UTF-8 with a BOM, which Excel opens
correctly in Chinese) or XLSX (every cell text, so no program turns a time into a serial number)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from channels_app.models import SocialAccount
from core.errors import NotFound

from .. import importers

KINDS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXAMPLE_TIMES = (time(9, 30), time(18, 0))
PLACEHOLDER_ACCOUNT = "weibo:your_account"


def template_rows(workspace) -> list[dict]:
    """One or two example rows: the workspace's first connected accounts, tomorrow and the day after at
    09:30 and 18:00 wall time in the workspace's time zone."""
    accounts = list(
        SocialAccount.objects.filter(workspace=workspace, disconnected_at__isnull=True).order_by("id")[:2]
    )
    names = [f"{a.platform}:{a.handle}" for a in accounts] or [PLACEHOLDER_ACCOUNT]
    today = timezone.now().astimezone(workspace.tzinfo).date()
    examples = [
        {"text": _("Our spring collection is here!"), "title": _("Spring launch")},
        {"text": _("Behind the scenes: how we made it."), "title": _("Behind the scenes")},
    ]
    rows = []
    for index, example in enumerate(examples):
        day = today + timedelta(days=index + 1)
        when = datetime.combine(day, EXAMPLE_TIMES[index])
        rows.append(
            {
                **{column: "" for column in importers.COLUMNS},
                "accounts": names[index % len(names)],
                "scheduled_at": when.strftime("%Y-%m-%d %H:%M"),
                "is_paid_or_kol": "no",
                **example,
            }
        )
    return rows


def import_template(workspace, *, kind: str) -> tuple[bytes, str, str]:
    """(file bytes, content type, file name) of the template as `kind` (csv or xlsx)."""
    if kind not in KINDS:
        raise NotFound(_("No such template."))
    rows = template_rows(workspace)
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(importers.COLUMNS)
        for row in rows:
            writer.writerow([row[column] for column in importers.COLUMNS])
        data = out.getvalue().encode("utf-8-sig")
    else:
        import xlsxwriter

        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
        sheet = book.add_worksheet(_("Posts")[:31])
        bold = book.add_format({"bold": True})
        for col, column in enumerate(importers.COLUMNS):
            sheet.write_string(0, col, column, bold)
            sheet.set_column(col, col, 40 if column == "text" else 18)
            for index, row in enumerate(rows, start=1):
                sheet.write_string(index, col, row[column])
        book.close()
        data = buffer.getvalue()
    return data, KINDS[kind], f"kawo-import-template.{kind}"
