"""Files from export tables: CSV (UTF-8 with a BOM, so Excel opens Chinese right), XLSX (pandas with
XlsxWriter, one sheet per table) and the PDF report (WeasyPrint: HTML with charts drawn as SVG on the
server, no JavaScript; Chinese set in the system's Noto Sans CJK SC, named by family in the CSS)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pandas as pd
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

from ..selectors.exports import Overview
from .tables import metric_label

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# The media types of the files above, without parameters (what the API schema documents).
MEDIA_TYPES = tuple(media.split(";")[0] for media in CONTENT_TYPES.values())
BOM = "\ufeff"
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def to_csv(frame: pd.DataFrame) -> bytes:
    return (BOM + frame.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def to_xlsx(frames: list[tuple[str, pd.DataFrame]]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        used: set[str] = set()
        for title, frame in frames:
            name = SHEET_FORBIDDEN.sub(" ", title)[:31] or "Sheet"
            while name in used:
                name = name[:28] + f"_{len(used)}"
            used.add(name)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            for column, heading in enumerate(frame.columns):
                sheet.set_column(column, column, min(max(len(str(heading)) + 2, 10), 40))
            sheet.freeze_panes(1, 0)
    return buffer.getvalue()


# --- the PDF report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    kind: str  # "current" or "previous"


CHART_WIDTH, CHART_HEIGHT, MARGIN = 640.0, 220.0, 40.0


def _number(value) -> str:
    if value is None:
        return "–"
    return formats.number_format(
        round(value, 2), decimal_pos=0 if float(value).is_integer() else 2, use_l10n=True
    )


def line_chart(points: list[tuple]) -> dict:
    """SVG coordinates of a line through (day, value) points, with the first and last day and the range."""
    if not points:
        return {"empty": True}
    values = [value for _day, value in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (CHART_WIDTH - 2 * MARGIN) / max(len(points) - 1, 1)
    inner = CHART_HEIGHT - 2 * MARGIN
    coordinates = [
        (MARGIN + index * step, CHART_HEIGHT - MARGIN - (value - low) / span * inner)
        for index, (_day, value) in enumerate(points)
    ]
    return {
        "empty": False,
        "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates),
        "first_day": points[0][0].isoformat(),
        "last_day": points[-1][0].isoformat(),
        "low": _number(low),
        "high": _number(high),
        "last_x": coordinates[-1][0],
        "last_y": coordinates[-1][1],
    }


def bar_chart(groups: list[tuple[str, float | None, float | None]]) -> dict:
    """SVG bars for (label, current, previous) groups: two bars per group, scaled to the largest."""
    largest = max([v for _label, a, b in groups for v in (a, b) if v is not None] or [0]) or 1.0
    inner = CHART_HEIGHT - 2 * MARGIN
    slot = (CHART_WIDTH - 2 * MARGIN) / max(len(groups), 1)
    width = min(slot / 3, 40)
    bars = []
    for index, (label, current, previous) in enumerate(groups):
        left = MARGIN + index * slot + (slot - 2 * width) / 2
        for offset, kind, value in ((0, "previous", previous), (width, "current", current)):
            height = (value or 0) / largest * inner
            bars.append(
                Bar(left + offset, CHART_HEIGHT - MARGIN - height, width, height, label, _number(value), kind)
            )
    labels = [
        (MARGIN + index * slot + slot / 2, label) for index, (label, _now, _before) in enumerate(groups)
    ]
    return {"bars": bars, "labels": labels, "empty": not groups}


def _metric_rows(row, metrics) -> list[dict]:
    result = []
    for key in metrics:
        rate = key == "engagement_rate"
        current, previous = row.current.get(key), row.previous.get(key)
        change = row.change_ratio(key)
        result.append(
            {
                "label": metric_label(key),
                "current": _percent_text(current) if rate else _number(current),
                "previous": _percent_text(previous) if rate else _number(previous),
                "change": _percent_text(change, signed=True),
                "up": change is not None and change > 0,
                "down": change is not None and change < 0,
            }
        )
    return result


def _percent_text(value, *, signed: bool = False) -> str:
    if value is None:
        return "–"
    text = formats.number_format(value * 100, decimal_pos=2, use_l10n=True, force_grouping=True) + "%"
    return ("+" + text) if signed and value > 0 else text


def to_pdf(workspace, report: Overview) -> bytes:
    """The overview as a PDF: headline figures against the previous period, follower line chart,
    engagements per platform bar chart, the platform and account tables and the top posts."""
    from PIL import ImageFile
    from weasyprint import HTML  # imported here: it loads Pango, which only the PDF path needs

    # WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when imported; our reports
    # embed no raster image, and uploads must keep refusing cut-off files (content.media_inspect).
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    metrics = report.metrics
    context = {
        "workspace": workspace,
        "report": report,
        "rate_label": metric_label(report.lead_rate),
        "headline": _metric_rows(report.total, metrics),
        "columns": [metric_label(key) for key in metrics],
        "platforms": [(row.label, _values(row, metrics)) for row in report.platforms],
        "accounts": [(row.label, row.platform, _values(row, metrics)) for row in report.accounts],
        "followers_chart": line_chart(report.followers_daily),
        "engagements_chart": bar_chart(
            [
                (row.label, row.current.get("engagements"), row.previous.get("engagements"))
                for row in report.platforms
            ]
        ),
        "top_posts": [
            {
                "published": figure.published_at.astimezone(workspace.tzinfo).strftime("%Y-%m-%d %H:%M"),
                "platform": figure.platform,
                "engagements": _number(figure.common.get("engagements")),
                "views": _number(figure.common.get("views")),
            }
            for figure in report.top_posts
        ],
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "margin": MARGIN,
        "title": _("Analytics report"),
    }
    html = render_to_string("analytics/exports/report.html", context)
    return HTML(string=html).write_pdf()


def _values(row, metrics) -> list[str]:
    return [
        _percent_text(row.current.get(key)) if key == "engagement_rate" else _number(row.current.get(key))
        for key in metrics
    ]
