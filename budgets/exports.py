"""A budget as a file: CSV (its tables one after another, each under its title), XLSX (one sheet per table)
or PDF (the tables set like analytics' report). Rendering reuses analytics.exports.render (BOM'd CSV,
pandas + XlsxWriter, WeasyPrint with the system's CJK font).

The tables: lines (planned, paid, committed, waiting, left; a total row), spend entries (amount in their
own currency and in the budget's), and totals by category and by campaign. Every figure is in the
budget's currency (the workspace's reporting currency when it was made) and comes from
`selectors.budget_totals`, the figures the page shows, rounded half up to the currency's minor unit only
here. For an agency person the file holds their agency's lines alone, as the page does.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from analytics.exports.render import BOM, CONTENT_TYPES, to_xlsx
from content.models import Campaign
from core.errors import NotFound

from . import selectors
from .forms import line_label
from .models import Budget, Category, SpendKind, SpendStatus
from .money import money_round

FORMATS = tuple(CONTENT_TYPES)


def budget_tables(budget: Budget, *, agency_id: int | None = None) -> list[tuple[str, pd.DataFrame]]:
    """(title, table) pairs of the budget, amounts as Decimals rounded to the currency's minor unit."""
    code = budget.currency
    entries = list(selectors.entries_of(budget, agency_id=agency_id))
    totals = selectors.budget_totals(budget, entries=entries, agency_id=agency_id)

    def m(amount):
        return None if amount is None else money_round(amount, code)

    line_columns = [
        _("Line"),
        _("Category"),
        _("Managed by agency"),
        _("Planned"),
        _("Paid"),
        _("Committed"),
        _("Waiting"),
        _("Left"),
    ]
    lines = [
        [
            line_label(item.line),
            str(Category(item.line.category).label),
            item.line.agency.name if item.line.agency_id else "",
            m(item.planned),
            m(item.figures.actual),
            m(item.figures.committed),
            m(item.figures.pending),
            m(item.remaining),
        ]
        for item in totals.lines
    ]
    lines.append(
        [
            _("Total"),
            "",
            "",
            m(totals.planned),
            m(totals.figures.actual),
            m(totals.figures.committed),
            m(totals.figures.pending),
            m(totals.remaining),
        ]
    )
    names = dict(Campaign.objects.filter(workspace_id=budget.workspace_id).values_list("pk", "name"))
    spend_columns = [
        _("Date"),
        _("Line"),
        _("Vendor"),
        _("Campaign"),
        _("Kind"),
        _("Status"),
        _("Amount"),
        _("Currency"),
        _("In %(code)s") % {"code": code},
    ]
    spend = [
        [
            entry.spent_on.isoformat(),
            line_label(entry.line),
            entry.vendor,
            names.get(entry.campaign_id, ""),
            str(SpendKind(entry.kind).label),
            str(SpendStatus(entry.status).label),
            money_round(entry.amount, entry.currency),
            entry.currency,
            m(totals.converted.get(entry.pk)),
        ]
        for entry in entries
    ]
    figure_columns = [_("Paid"), _("Committed"), _("Used")]
    categories = [
        [
            str(Category(key).label),
            m(totals.planned_by_category.get(key)),
            m(f.actual),
            m(f.committed),
            m(f.used),
        ]
        for key, f in totals.categories.items()
    ]
    campaigns = [
        [
            names.get(key, _("No campaign")) if key else _("No campaign"),
            m(f.actual),
            m(f.committed),
            m(f.used),
        ]
        for key, f in sorted(totals.campaigns.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]
    return [
        (_("Lines"), pd.DataFrame(lines, columns=line_columns)),
        (_("Spend"), pd.DataFrame(spend, columns=spend_columns)),
        (_("By category"), pd.DataFrame(categories, columns=[_("Category"), _("Planned"), *figure_columns])),
        (_("By campaign"), pd.DataFrame(campaigns, columns=[_("Campaign"), *figure_columns])),
    ]


def _csv(tables: list[tuple[str, pd.DataFrame]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (title, frame) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(list(frame.columns))
        for row in frame.astype(object).where(frame.notna(), "").values.tolist():
            writer.writerow(row)
    return (BOM + buffer.getvalue()).encode("utf-8")


def budget_export(
    budget: Budget, *, file_format: str, agency_id: int | None = None
) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of the budget in `file_format` (csv, xlsx or pdf)."""
    if file_format not in FORMATS:
        raise NotFound(_("No such format."))
    tables = budget_tables(budget, agency_id=agency_id)
    name = f"kawo-budget-{slugify(budget.name) or budget.pk}-{budget.starts_on.isoformat()}.{file_format}"
    if file_format == "csv":
        body = _csv(tables)
    elif file_format == "xlsx":
        body = to_xlsx(tables)
    else:
        from PIL import ImageFile
        from weasyprint import HTML

        ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint turns it on; see analytics.exports.render
        html = render_to_string(
            "budgets/report.html",
            {
                "workspace": budget.workspace,
                "budget": budget,
                "tables": [
                    (
                        title,
                        list(frame.columns),
                        frame.astype(object).where(frame.notna(), "").values.tolist(),
                    )
                    for title, frame in tables
                ],
            },
        )
        body = HTML(string=html).write_pdf()
    return body, CONTENT_TYPES[file_format], name
