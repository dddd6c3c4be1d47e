"""The benchmark as a file: CSV (the brands table), XLSX (brands and top posts, one sheet each) or PDF
(both tables, set like analytics' report). Rendering reuses analytics.exports.render (BOM'd CSV,
pandas + XlsxWriter, WeasyPrint with the system's CJK font); the figures are the benchmark endpoint's
(competitors.api.views.benchmark_data), so the file and the page never disagree."""

from __future__ import annotations

import pandas as pd
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from analytics.exports.render import CONTENT_TYPES, to_csv, to_xlsx
from core.errors import NotFound

from . import selectors
from .api.views import benchmark_data

FORMATS = tuple(CONTENT_TYPES)


def _brand_columns() -> list[tuple[str, str]]:
    return [
        ("name", _("Brand")),
        ("followers", _("Followers")),
        ("net_growth", _("Net growth")),
        ("posts", _("Posts")),
        ("posts_per_week", _("Posts per week")),
        ("engagements", _("Engagements")),
        ("engagements_per_post", _("Engagements per post")),
        ("engagement_rate_by_followers", _("Engagement rate by followers")),
        ("engagement_share", _("Share of voice (engagements)")),
        ("post_share", _("Share of posts")),
    ]


def _post_columns() -> list[tuple[str, str]]:
    return [
        ("brand_name", _("Brand")),
        ("platform_name", _("Platform")),
        ("account", _("Account")),
        ("published_at", _("Published")),
        ("engagements", _("Engagements")),
        ("text", _("Text")),
        ("url", _("Link")),
    ]


def _frames(data: dict) -> list[tuple[str, pd.DataFrame]]:
    names = {b["key"]: b["name"] for b in data["brands"]}
    brands = [{label: b.get(key) for key, label in _brand_columns()} for b in data["brands"]]
    posts = [
        {label: ({**p, "brand_name": names.get(p["brand"], "")}).get(key) for key, label in _post_columns()}
        for p in data["top_posts"]
    ]
    return [
        (_("Benchmark"), pd.DataFrame(brands, columns=[label for _k, label in _brand_columns()])),
        (_("Top posts"), pd.DataFrame(posts, columns=[label for _k, label in _post_columns()])),
    ]


def benchmark_export(workspace, *, start, end, file_format: str) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of the benchmark of start..end (workspace days)."""
    if file_format not in FORMATS:
        raise NotFound(_("No such format."))
    data = benchmark_data(workspace, selectors.benchmark(workspace, start=start, end=end))
    frames = _frames(data)
    name = f"kawo-benchmark-{start.isoformat()}-{end.isoformat()}.{file_format}"
    if file_format == "csv":
        body = to_csv(frames[0][1])
    elif file_format == "xlsx":
        body = to_xlsx(frames)
    else:
        from PIL import ImageFile
        from weasyprint import HTML

        ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint turns it on; see analytics.exports.render
        html = render_to_string(
            "competitors/benchmark_report.html",
            {
                "workspace": workspace,
                "title": _("Competitor benchmark"),
                "start": start,
                "end": end,
                "tables": [
                    (
                        title,
                        list(frame.columns),
                        frame.astype(object).where(frame.notna(), "").values.tolist(),
                    )
                    for title, frame in frames
                ],
            },
        )
        body = HTML(string=html).write_pdf()
    return body, CONTENT_TYPES[file_format], name
