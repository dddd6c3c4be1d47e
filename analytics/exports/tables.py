"""Export tables as pandas DataFrames, with headings in the active language.

Each kind reads the same selectors the report pages read (analytics.selectors.exports), so a figure in a
file is the figure on the page. Rates are percentages (0.0123 -> 1.23) under a heading that names the
denominator; a missing figure is an empty cell, never 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..metrics import COMMON_METRICS
from ..models import ExportKind
from ..selectors import exports as tables
from ..selectors.exports import PostFilters

# A long post export reports its progress every this many rows (ExportJob.progress).
PROGRESS_EVERY = 500

RATE_LABELS = {
    "engagement_rate_by_followers": lambda: _("Engagement rate by followers (%)"),
    "engagement_rate_by_reach": lambda: _("Engagement rate by reach (%)"),
    "engagement_rate_by_views": lambda: _("Engagement rate by views (%)"),
}


@dataclass(frozen=True)
class ExportRequest:
    kind: str
    start: date
    end: date
    filters: PostFilters = PostFilters()  # noqa: RUF009 (frozen)
    sort: str = "engagements"
    descending: bool = True

    def as_params(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "filters": {key: list(value) for key, value in vars(self.filters).items() if value},
            "sort": self.sort,
            "descending": self.descending,
        }

    @classmethod
    def from_params(cls, kind: str, params: dict) -> ExportRequest:
        filters = {key: tuple(value) for key, value in (params.get("filters") or {}).items()}
        return cls(
            kind=kind,
            start=date.fromisoformat(params["start"]),
            end=date.fromisoformat(params["end"]),
            filters=PostFilters(**filters),
            sort=params.get("sort", "engagements"),
            descending=params.get("descending", True),
        )


def metric_label(key: str) -> str:
    if key in RATE_LABELS:
        return RATE_LABELS[key]()
    if key == "posts":
        return _("Posts")
    if key == "engagement_rate":
        return _("Engagement rate (%)")
    return str(COMMON_METRICS[key].name)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def _local(workspace, moment) -> str:
    return moment.astimezone(workspace.tzinfo).strftime("%Y-%m-%d %H:%M")


def posts_frame(workspace, request: ExportRequest, *, progress=None) -> pd.DataFrame:
    """Every post of the period; `progress(done, total)` after the read and every PROGRESS_EVERY rows."""
    page = tables.posts_table(
        workspace,
        start=request.start,
        end=request.end,
        filters=request.filters,
        sort=request.sort,
        descending=request.descending,
        limit=None,
    )
    records = []
    total = len(page.rows)
    if progress:
        progress(1, 2)  # the read is about half the work; the rows' records the other half
    for index, row in enumerate(page.rows, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(1 + index / total, 2)
        f = row.figures
        record = {
            _("Published"): _local(workspace, f.published_at),
            _("Account"): row.account_name,
            _("Platform"): f.platform,
            _("Title"): row.title,
            _("Text"): row.text,
            _("Campaign"): row.campaign,
            _("Tags"): ", ".join(row.tags),
            _("Author"): row.author,
            _("Media"): ", ".join(row.media_kinds),
            _("Link"): row.url,
        }
        for key in tables.POST_METRICS:
            record[metric_label(key)] = f.common.get(key)
        record[_("Followers on the day")] = f.followers
        for key, value in row.rates.items():
            record[metric_label(key)] = _percent(value)
        records.append(record)
    return _frame(records, _posts_columns())


def _posts_columns() -> list[str]:
    fixed = [_("Published"), _("Account"), _("Platform"), _("Title"), _("Text"), _("Campaign"), _("Tags")]
    fixed += [_("Author"), _("Media"), _("Link")]
    return [
        *fixed,
        *(metric_label(k) for k in tables.POST_METRICS),
        _("Followers on the day"),
        *(metric_label(k) for k in RATE_LABELS),
    ]


def overview_frame(workspace, request: ExportRequest, report=None) -> pd.DataFrame:
    """One row per account, then one per platform, then the workspace's total: each metric for the period,
    the previous period and the change."""
    report = report or tables.overview(workspace, start=request.start, end=request.end)
    records = []
    rows = [
        *((_("Account"), r) for r in report.accounts),
        *((_("Platform"), r) for r in report.platforms),
        (_("Total"), report.total),
    ]
    for level, row in rows:
        record = {_("Level"): level, _("Name"): row.label or _("All accounts"), _("Platform"): row.platform}
        record[_("Accounts")] = row.accounts
        for key in tables.OVERVIEW_METRICS:
            scale = _percent if key == "engagement_rate" else (lambda v: v)
            label = metric_label(key)
            record[label] = scale(row.current.get(key))
            record[_("%(metric)s, previous period") % {"metric": label}] = scale(row.previous.get(key))
            record[_("%(metric)s, change (%%)") % {"metric": label}] = _percent(row.change_ratio(key))
        records.append(record)
    return pd.DataFrame.from_records(records)


def campaigns_frame(workspace, request: ExportRequest) -> pd.DataFrame:
    rate, rows = tables.campaign_report(workspace, start=request.start, end=request.end)
    records = [
        {
            _("Campaign"): row.name or _("No campaign"),
            _("Posts"): row.posts,
            metric_label("views"): row.views,
            metric_label("reach"): row.reach,
            metric_label("engagements"): row.engagements,
            metric_label(rate): _percent(row.engagement_rate),
        }
        for row in rows
    ]
    columns = [_("Campaign"), _("Posts"), *(metric_label(k) for k in ("views", "reach", "engagements"))]
    return _frame(records, [*columns, metric_label(rate)])


def tags_frame(workspace, request: ExportRequest) -> pd.DataFrame:
    rows = tables.tag_report(workspace, start=request.start, end=request.end)
    benchmark = {"median": _("median of the tags"), "mean": _("average of the group's posts")}
    records = [
        {
            _("Tag group"): row.group,
            _("Tag"): row.tag,
            _("Posts"): row.posts,
            _("Engagements per post"): row.value,
            _("Performance (%)"): _percent(row.performance),
            _("Compared with"): benchmark.get(row.benchmark, row.benchmark),
            _("Base"): row.base,
        }
        for row in rows
    ]
    columns = [_("Tag group"), _("Tag"), _("Posts"), _("Engagements per post"), _("Performance (%)")]
    return _frame(records, [*columns, _("Compared with"), _("Base")])


def followers_frame(workspace, request: ExportRequest) -> pd.DataFrame:
    rows = tables.follower_growth(workspace, start=request.start, end=request.end)
    records = [
        {
            _("Date"): row.date.isoformat(),
            _("Account"): row.account_name,
            _("Platform"): row.platform,
            metric_label("followers"): row.followers,
            pgettext("difference", "Change"): row.change,
        }
        for row in rows
    ]
    return _frame(
        records,
        [_("Date"), _("Account"), _("Platform"), metric_label("followers"), pgettext("difference", "Change")],
    )


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=columns)


SINGLE: dict[str, Callable] = {
    ExportKind.POSTS: posts_frame,
    ExportKind.ACCOUNTS: overview_frame,
    ExportKind.CAMPAIGNS: campaigns_frame,
    ExportKind.TAGS: tags_frame,
    ExportKind.FOLLOWERS: followers_frame,
}


def sheet_title(kind: str) -> str:
    return str(ExportKind(kind).label)


def export_frames(workspace, request: ExportRequest, *, progress=None) -> list[tuple[str, pd.DataFrame]]:
    """[(sheet title, frame)]: one table, or every table for the report workbook. `progress(done, total)`
    is called after each table."""
    kinds = list(SINGLE) if request.kind == ExportKind.REPORT else [request.kind]
    frames = []
    for index, kind in enumerate(kinds, start=1):
        if kind == ExportKind.POSTS and progress:

            def part(done, total, index=index):
                progress(index - 1 + done / total, len(kinds))

            frames.append((sheet_title(kind), posts_frame(workspace, request, progress=part)))
        else:
            frames.append((sheet_title(kind), SINGLE[kind](workspace, request)))
        if progress:
            progress(index, len(kinds))
    return frames
