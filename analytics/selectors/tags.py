"""Tag performance, as KAWO computes it: within one tag group (a content pillar category), each tag's
average per post against a base, `performance = tag value / base - 1` (0.34 = 34% above the base).

The base (`benchmark="auto"`, KAWO's rule): with more than six tags in the group, the median of the
tags' values; with six or fewer, the average per post over every post in the group (total / posts,
each post counted once even when it carries two of the group's tags). `"median"` or `"mean"` force one.
A "post" is one published post on one account (a PostTarget). Tags without posts in the period are
listed with no value and are left out of the base.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from content.models import Post, Tag

from .posts import PostFigures, post_figures
from .rates import RATE_DENOMINATORS, post_engagement_rate

AUTO_MEDIAN_ABOVE_TAGS = 6


@dataclass(frozen=True)
class TagRow:
    tag_id: int
    name: str
    posts: int
    value: float | None
    performance: float | None


@dataclass(frozen=True)
class TagPerformance:
    metric: str
    benchmark: str  # "median" or "mean", after resolving "auto"
    base: float | None
    rows: list[TagRow]


def _post_value(figure: PostFigures, metric: str) -> float | None:
    if metric in RATE_DENOMINATORS:
        return post_engagement_rate(figure, metric)
    return figure.common.get(metric)


def tag_performance(
    workspace,
    *,
    group,
    metric: str = "engagements",
    start: date,
    end: date,
    benchmark: str = "auto",
    account_ids=None,
) -> TagPerformance:
    if group.workspace_id != workspace.pk:
        raise ValueError("the tag group is not in this workspace")
    if benchmark not in ("auto", "median", "mean"):
        raise ValueError(f"unknown benchmark: {benchmark}")
    tags = list(Tag.objects.filter(workspace=workspace, group=group).order_by("name", "pk"))
    figures = post_figures(workspace, start=start, end=end, account_ids=account_ids)
    post_tags = defaultdict(set)
    for post_id, tag_id in Post.tags.through.objects.filter(
        tag__in=tags, post_id__in={f.post_id for f in figures}
    ).values_list("post_id", "tag_id"):
        post_tags[post_id].add(tag_id)
    per_tag: dict[int, list[float]] = defaultdict(list)
    group_values: list[float] = []
    for figure in figures:
        tag_ids = post_tags.get(figure.post_id)
        value = _post_value(figure, metric)
        if not tag_ids or value is None:
            continue
        group_values.append(value)
        for tag_id in tag_ids:
            per_tag[tag_id].append(value)
    tag_values = {tag.pk: statistics.fmean(per_tag[tag.pk]) for tag in tags if per_tag.get(tag.pk)}
    resolved = benchmark
    if benchmark == "auto":
        resolved = "median" if len(tags) > AUTO_MEDIAN_ABOVE_TAGS else "mean"
    if resolved == "median":
        base = statistics.median(tag_values.values()) if tag_values else None
    else:
        base = statistics.fmean(group_values) if group_values else None
    rows = [
        TagRow(
            tag_id=tag.pk,
            name=tag.name,
            posts=len(per_tag.get(tag.pk, ())),
            value=tag_values.get(tag.pk),
            performance=(tag_values[tag.pk] / base - 1) if tag.pk in tag_values and base else None,
        )
        for tag in tags
    ]
    return TagPerformance(metric=metric, benchmark=resolved, base=base, rows=rows)
