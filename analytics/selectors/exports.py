"""The tables reports and exports are made of: the post table (filters, sort, pages), the overview (per
platform and per account, against the previous period), campaigns, tags and follower growth.

Built on the numbers selectors (posts, accounts, rates, tags), so a figure in an export is the figure on
the page. The post table ranks in SQL: it resolves the sort metric per post (the first feeder its platform
has, README "Definitions"; engagements fall back to the sum of their components) over the filtered posts,
then reads full figures for the page only, so a page costs a fixed number of queries whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from channels_app.models import Platform, SocialAccount
from content.models import Campaign, Post, TagGroup

from ..metrics import COMMON_METRICS
from . import reports
from .accounts import account_daily, account_values_on
from .post_table import NO_MEDIA, PostFilters, filtered_targets, post_page
from .posts import PostFigures, post_figures
from .rates import rate_of
from .tags import tag_performance
from .workspace_settings import lead_engagement_rate

POST_METRICS = ("views", "reach", "engagements", "likes", "comments", "shares", "saves", "video_plays")
SORTS = ("published_at", *COMMON_METRICS)
PLATFORM_NAMES = dict(Platform.choices)


@dataclass
class PostRow:
    figures: PostFigures
    account_name: str
    title: str
    text: str
    url: str
    campaign: str
    tags: list[str]
    author: str
    media_kinds: list[str]
    rates: dict[str, float | None] = field(default_factory=dict)


@dataclass
class PostsPage:
    total: int
    sort: str
    descending: bool
    rows: list[PostRow]


def posts_table(
    workspace,
    *,
    start: date,
    end: date,
    filters: PostFilters = PostFilters(),  # noqa: B008 (frozen)
    sort: str = "engagements",
    descending: bool = True,
    limit: int | None = 50,
    offset: int = 0,
    as_of: date | None = None,
) -> PostsPage:
    """The post table of the downloads: `post_table.post_page` (the one read the JSON API and the report
    page make too), with each row's details as text for the files."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort: {sort}")
    page = post_page(
        workspace,
        start=start,
        end=end,
        filters=filters,
        sort=f"-{sort}" if descending else sort,
        limit=limit,
        offset=offset,
        as_of=as_of,
    )
    rows = [
        PostRow(
            figures=row.figure,
            account_name=(row.account or {}).get("display_name") or (row.account or {}).get("handle", ""),
            title=row.title,
            text=row.text,
            url=row.url,
            campaign=row.campaign["name"] if row.campaign else "",
            tags=[tag["name"] for tag in row.tags or ()],
            author=row.author["name"] if row.author else "",
            media_kinds=[row.media_type],
            rates=row.rates,
        )
        for row in page.rows
    ]
    return PostsPage(total=page.total, sort=sort, descending=descending, rows=rows)


# --- overview ------------------------------------------------------------------------------------------


@dataclass
class OverviewRow:
    """One account, one platform or the whole workspace, for the period and the one before."""

    key: str  # account id, platform or "total"
    label: str
    platform: str
    accounts: int
    current: dict[str, float | None]
    previous: dict[str, float | None]

    def change_ratio(self, metric: str) -> float | None:
        now, before = self.current.get(metric), self.previous.get(metric)
        if now is None or not before:
            return None
        return (now - before) / before


@dataclass
class Overview:
    start: date
    end: date
    previous_start: date
    previous_end: date
    lead_rate: str
    total: OverviewRow
    platforms: list[OverviewRow]
    accounts: list[OverviewRow]
    # Sum over accounts of followers per day (the chart's line), and the top posts by engagements.
    followers_daily: list[tuple[date, float]]
    top_posts: list[PostFigures]

    @property
    def metrics(self) -> tuple[str, ...]:
        return OVERVIEW_METRICS


# Account figures (from the accounts' own metrics), then the period's posts' figures.
OVERVIEW_METRICS = (
    "followers",
    "follower_growth",
    "posts",
    "views",
    "reach",
    "engagements",
    "engagement_rate",
)


def _sum(values) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _row_figures(group: reports.Group, rate: str) -> dict[str, float | None]:
    """OVERVIEW_METRICS of one group of `reports.overview`."""
    totals = group.totals
    return {
        "followers": totals["followers"],
        "follower_growth": totals["follower_growth"],
        "posts": float(group.posts),
        "views": totals["views"],
        "reach": totals["reach"],
        "engagements": totals["engagements"],
        "engagement_rate": group.rates[rate].value,
    }


def _followers_total_daily(workspace, start: date, end: date) -> list[tuple[date, float]]:
    """The workspace's followers on each day: every account's last reading on or before that day, summed
    (accounts are read on different days; a day without a reading keeps the account's last value)."""
    last = {
        pk: value
        for pk, value in account_values_on(workspace, metric="followers", day=start - timedelta(1)).items()
        if value is not None
    }
    readings = defaultdict(dict)
    for value in account_daily(workspace, metric="followers", start=start, end=end):
        readings[value.date][value.account_id] = value.value
    series, day = [], start
    while day <= end:
        last.update(readings.get(day, {}))
        if last:
            series.append((day, sum(last.values())))
        day += timedelta(days=1)
    return series


def overview(workspace, *, start: date, end: date, top: int = 5) -> Overview:
    """The overview of the workspace's days `start`..`end` against the period of the same length just
    before: followers (last value), follower growth, posts, and the period's posts' views, reach,
    engagements and the workspace's lead engagement rate; per account, per platform and in total.

    The figures are `reports.overview`'s, the one read the JSON API and the report page show (one
    implementation of the numbers): this only shapes them into rows for the files and adds the daily
    follower line and the top posts."""
    report = reports.overview(workspace, start=start, end=end)
    rate = report.rate_order[0]
    accounts = report.account_rows

    def row(key, label, platform, part: reports.OverviewPart, count: int) -> OverviewRow:
        return OverviewRow(
            key, label, platform, count, _row_figures(part.current, rate), _row_figures(part.previous, rate)
        )

    per_platform = defaultdict(int)
    for account in accounts.values():
        per_platform[account.platform] += 1
    top_posts = sorted(
        (f for f in report.figures if f.common.get("engagements") is not None),
        key=lambda f: (-f.common["engagements"], f.target_id),
    )[:top]
    return Overview(
        start=start,
        end=end,
        previous_start=report.previous_start,
        previous_end=report.previous_end,
        lead_rate=rate,
        total=row("total", "", "", report.workspace, len(accounts)),
        platforms=[
            row(
                part.key,
                str(PLATFORM_NAMES.get(part.key, part.key)),
                part.key,
                part,
                per_platform[part.key],
            )
            for part in report.platforms
        ],
        accounts=[
            row(
                str(part.key),
                accounts[part.key].display_name or accounts[part.key].handle,
                accounts[part.key].platform,
                part,
                1,
            )
            for part in report.accounts
        ],
        followers_daily=_followers_total_daily(workspace, start, end),
        top_posts=top_posts,
    )


# --- campaigns, tags, follower growth -------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignRow:
    campaign_id: int | None
    name: str
    posts: int
    views: float | None
    reach: float | None
    engagements: float | None
    engagement_rate: float | None


def campaign_report(workspace, *, start: date, end: date) -> tuple[str, list[CampaignRow]]:
    """Per campaign (and the posts without one, `campaign_id` None): the period's posts and their figures,
    with the workspace's lead engagement rate. Returns (rate key, rows)."""
    rate = lead_engagement_rate(workspace)
    figures = post_figures(workspace, start=start, end=end)
    campaign_of = dict(
        Post.objects.filter(workspace=workspace, pk__in={f.post_id for f in figures}).values_list(
            "pk", "campaign_id"
        )
    )
    grouped: dict[int | None, list[PostFigures]] = defaultdict(list)
    for figure in figures:
        grouped[campaign_of.get(figure.post_id)].append(figure)
    names = dict(Campaign.objects.filter(workspace=workspace).values_list("pk", "name"))
    rows = [
        CampaignRow(
            campaign_id=campaign_id,
            name=names.get(campaign_id, "") if campaign_id else "",
            posts=len(posts),
            views=_sum(f.common.get("views") for f in posts),
            reach=_sum(f.common.get("reach") for f in posts),
            engagements=_sum(f.common.get("engagements") for f in posts),
            engagement_rate=rate_of(posts, rate).value,
        )
        for campaign_id, posts in grouped.items()
    ]
    rows.sort(key=lambda r: (r.campaign_id is None, r.name, r.campaign_id or 0))
    return rate, rows


@dataclass(frozen=True)
class TagReportRow:
    group: str
    tag: str
    posts: int
    value: float | None
    performance: float | None
    benchmark: str
    base: float | None


def tag_report(workspace, *, start: date, end: date, metric: str = "engagements") -> list[TagReportRow]:
    """Every tag group's tag performance (KAWO's rule, analytics.selectors.tags) for the period."""
    rows = []
    for group in TagGroup.objects.filter(workspace=workspace).order_by("name", "pk"):
        result = tag_performance(workspace, group=group, metric=metric, start=start, end=end)
        rows += [
            TagReportRow(group.name, r.name, r.posts, r.value, r.performance, result.benchmark, result.base)
            for r in result.rows
        ]
    return rows


@dataclass(frozen=True)
class FollowerRow:
    date: date
    account_id: int
    account_name: str
    platform: str
    followers: float
    change: float | None


def follower_growth(workspace, *, start: date, end: date) -> list[FollowerRow]:
    """Each account's followers per stored day and the change from its previous stored day."""
    accounts = {a.pk: a for a in SocialAccount.objects.filter(workspace=workspace)}
    rows = [
        FollowerRow(
            value.date,
            value.account_id,
            accounts[value.account_id].display_name or accounts[value.account_id].handle,
            accounts[value.account_id].platform,
            value.value,
            value.delta,
        )
        for value in account_daily(workspace, metric="followers", start=start, end=end)
    ]
    rows.sort(key=lambda r: (r.date, r.platform, r.account_name, r.account_id))
    return rows


def posts_count(workspace, *, start: date, end: date, filters: PostFilters = PostFilters()) -> int:  # noqa: B008
    """How many rows the post table has (an export decides from it whether to run on a worker)."""
    return filtered_targets(workspace, start, end, filters).count()


__all__ = [
    "NO_MEDIA",
    "OVERVIEW_METRICS",
    "POST_METRICS",
    "SORTS",
    "CampaignRow",
    "FollowerRow",
    "Overview",
    "OverviewRow",
    "PostFilters",
    "PostRow",
    "PostsPage",
    "TagReportRow",
    "campaign_report",
    "follower_growth",
    "overview",
    "posts_count",
    "posts_table",
    "tag_report",
]
