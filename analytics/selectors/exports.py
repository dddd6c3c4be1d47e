"""The tables reports and exports are made of: the post table (filters, sort, pages), the overview (per
platform and per account, against the previous period), campaigns, tags and follower growth.

Built on the numbers selectors (posts, accounts, rates, tags), so a figure in an export is the figure on
the page. The post table ranks in SQL: it resolves the sort metric per post (the first feeder its platform
has, README "Definitions"; engagements fall back to the sum of their components) over the filtered posts,
then reads full figures for the page only, so a page costs a fixed number of queries whatever the size.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import F, Q

from channels_app.models import Platform, SocialAccount
from content.models import Campaign, Post, PostTarget, PostTargetMedia, TagGroup

from ..metrics import COMMON_METRICS, Level, feeders
from . import reports
from .accounts import account_daily, account_series, account_values_on
from .days import day_bounds, local_date
from .posts import PostFigures, common_post_value, post_figures
from .rates import RATE_DENOMINATORS, post_engagement_rate, rate_of
from .tags import tag_performance
from .workspace_settings import lead_engagement_rate

POST_METRICS = ("views", "reach", "engagements", "likes", "comments", "shares", "saves", "video_plays")
SORTS = ("published_at", *COMMON_METRICS)
NO_MEDIA = "text"  # the media-type filter's name for posts without media
PLATFORM_NAMES = dict(Platform.choices)


@dataclass(frozen=True)
class PostFilters:
    account_ids: tuple[int, ...] = ()
    platforms: tuple[str, ...] = ()
    campaign_ids: tuple[int, ...] = ()
    tag_ids: tuple[int, ...] = ()
    author_ids: tuple[int, ...] = ()
    media_kinds: tuple[str, ...] = ()  # "image", "video" or NO_MEDIA


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


def _filtered_targets(workspace, start: date, end: date, filters: PostFilters):
    lower, upper = day_bounds(workspace, start, end)
    targets = PostTarget.objects.filter(
        workspace=workspace, published_at__gte=lower, published_at__lt=upper, post__deleted_at__isnull=True
    )
    if filters.account_ids:
        targets = targets.filter(account_id__in=filters.account_ids)
    if filters.platforms:
        targets = targets.filter(account__platform__in=filters.platforms)
    if filters.campaign_ids:
        targets = targets.filter(post__campaign_id__in=filters.campaign_ids)
    if filters.author_ids:
        targets = targets.filter(post__author_id__in=filters.author_ids)
    if filters.tag_ids:
        tagged = Post.tags.through.objects.filter(tag_id__in=filters.tag_ids).values("post_id")
        targets = targets.filter(post_id__in=tagged)
    if filters.media_kinds:
        kinds = [kind for kind in filters.media_kinds if kind != NO_MEDIA]
        condition = Q(pk__in=PostTargetMedia.objects.filter(media__kind__in=kinds).values("target_id"))
        if NO_MEDIA in filters.media_kinds:
            condition |= ~Q(pk__in=PostTargetMedia.objects.values("target_id"))
        targets = targets.filter(condition)
    return targets


def _feeder_values(workspace, common: str) -> tuple[str, list]:
    """VALUES rows (platform, common, metric, priority, scale) for `common` (and its components)."""
    names = (common, *COMMON_METRICS[common].components)
    platforms = SocialAccount.objects.filter(workspace=workspace).values_list("platform", flat=True)
    rows, params = [], []
    for platform in sorted(set(platforms)):
        for name in names:
            for priority, metric in enumerate(feeders(platform, name, level=Level.POST)):
                rows.append("(%s, %s, %s, %s, CAST(%s AS DOUBLE PRECISION))")
                params += [platform, name, metric.key, priority, metric.to_common]
    return ", ".join(rows), params


RANK_SQL = """
WITH feeder (platform, common, metric, priority, scale) AS (VALUES {values}),
t AS ({targets}),
latest AS (
    SELECT target_id, metric, value FROM (
        SELECT r.target_id, r.metric, r.value,
               ROW_NUMBER() OVER (PARTITION BY r.target_id, r.metric ORDER BY r.date DESC) AS newest
          FROM analytics_postdailymetric r
         WHERE r.workspace_id = %s AND r.date <= %s
           AND r.account_id IN (SELECT account_id FROM t) AND r.target_id IN (SELECT id FROM t)
           AND r.metric IN (SELECT metric FROM feeder)
    ) AS readings WHERE newest = 1
),
resolved AS (
    SELECT l.target_id, f.common, l.value * f.scale AS value,
           ROW_NUMBER() OVER (PARTITION BY l.target_id, f.common ORDER BY f.priority) AS pick
      FROM latest l JOIN t ON t.id = l.target_id
      JOIN feeder f ON f.platform = t.platform AND f.metric = l.metric
),
per_target AS (
    -- Grouped from t itself (not joined to it afterwards): the planner cannot misjudge a second join.
    SELECT t.id, t.published_at, MAX(r.value) FILTER (WHERE r.common = %s) AS direct,
           SUM(r.value) FILTER (WHERE r.common <> %s) AS parts
      FROM t LEFT JOIN resolved r ON r.target_id = t.id AND r.pick = 1
     GROUP BY t.id, t.published_at
)
SELECT id FROM per_target
 ORDER BY COALESCE(direct, parts) {direction} NULLS LAST, published_at DESC, id
 {limit}
"""


def _ranked_ids(workspace, targets, *, sort: str, descending: bool, as_of: date, limit, offset) -> list[int]:
    if sort == "published_at":
        ordered = targets.order_by("-published_at" if descending else "published_at", "pk")
        ids = ordered.values_list("pk", flat=True)
        return list(ids[offset : offset + limit] if limit is not None else ids[offset:])
    values, params = _feeder_values(workspace, sort)
    if not values:
        return _ranked_ids(
            workspace, targets, sort="published_at", descending=True, as_of=as_of, limit=limit, offset=offset
        )
    target_sql, target_params = (
        targets.order_by().values("id", "account_id", "published_at", platform=F("account__platform"))
    ).query.sql_with_params()
    limit_sql, limit_params = "OFFSET %s", [offset]
    if limit is not None:
        limit_sql, limit_params = "LIMIT %s OFFSET %s", [limit, offset]
    sql = RANK_SQL.format(
        values=values, targets=target_sql, direction="DESC" if descending else "ASC", limit=limit_sql
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *target_params, workspace.pk, as_of, sort, sort, *limit_params])
        return [row[0] for row in cursor.fetchall()]


PAGE_LATEST_SQL = """
SELECT target_id, metric, value FROM (
    SELECT r.target_id, r.metric, r.value,
           ROW_NUMBER() OVER (PARTITION BY r.target_id, r.metric ORDER BY r.date DESC) AS pick
      FROM analytics_postdailymetric r
     WHERE r.workspace_id = %s AND r.date <= %s
       AND r.account_id IN ({accounts}) AND r.target_id IN ({targets})
) AS latest
WHERE pick = 1
"""


def _page_figures(workspace, target_ids: list[int], *, as_of: date):
    """({target id: PostFigures}, {target id: PostTarget}) for the page's posts only."""
    targets = (
        PostTarget.objects.filter(workspace=workspace, pk__in=target_ids)
        .select_related("account", "post", "post__campaign", "post__author")
        .order_by()
    )
    loaded = {target.pk: target for target in targets}
    figures = {
        pk: PostFigures(
            target_id=pk,
            post_id=t.post_id,
            account_id=t.account_id,
            platform=t.account.platform,
            published_at=t.published_at,
            published_on=local_date(workspace, t.published_at),
        )
        for pk, t in loaded.items()
    }
    if figures:
        accounts = sorted({f.account_id for f in figures.values()})
        sql = PAGE_LATEST_SQL.format(
            accounts=", ".join(["%s"] * len(accounts)), targets=", ".join(["%s"] * len(figures))
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [workspace.pk, as_of, *accounts, *figures])
            for target_id, metric, value in cursor.fetchall():
                if target_id in figures:
                    figures[target_id].raw[metric] = value
        for figure in figures.values():
            figure.common = {
                key: common_post_value(figure.platform, figure.raw, key) for key in COMMON_METRICS
            }
        _followers_on_publishing_day(workspace, figures.values(), until=as_of)
    return figures, loaded


def _followers_on_publishing_day(workspace, figures, *, until: date) -> None:
    by_account = defaultdict(list)
    for figure in figures:
        by_account[figure.account_id].append(figure)
    series = account_series(workspace, metric="followers", until=until, account_ids=list(by_account))
    for account_id, account_figures in by_account.items():
        readings = series.get(account_id) or []
        days = [day for day, _ in readings]
        for figure in account_figures:
            index = bisect.bisect_right(days, figure.published_on) - 1
            if index >= 0:
                figure.followers = readings[index][1]
            elif readings:
                figure.followers = readings[0][1]


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
    """The posts published on the workspace's days `start`..`end` that pass `filters`, sorted by `sort`
    (a common metric or `published_at`; posts without the metric last), one page of `limit` from
    `offset` (`limit=None`: all), each with its figures as of `as_of` (default `end`) and its rates."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort: {sort}")
    as_of = as_of or end
    targets = _filtered_targets(workspace, start, end, filters)
    total = targets.count()
    ids = _ranked_ids(
        workspace, targets, sort=sort, descending=descending, as_of=as_of, limit=limit, offset=offset
    )
    figures, loaded = _page_figures(workspace, ids, as_of=as_of)
    post_ids = {t.post_id for t in loaded.values()}
    tags = defaultdict(list)
    for post_id, name in (
        Post.tags.through.objects.filter(post_id__in=post_ids)
        .order_by("tag__name")
        .values_list("post_id", "tag__name")
    ):
        tags[post_id].append(name)
    kinds = defaultdict(set)
    for target_id, kind in PostTargetMedia.objects.filter(target_id__in=ids).values_list(
        "target_id", "media__kind"
    ):
        kinds[target_id].add(kind)
    rows = []
    for pk in ids:
        if pk not in loaded:
            continue
        target, figure = loaded[pk], figures[pk]
        author = target.post.author
        rows.append(
            PostRow(
                figures=figure,
                account_name=target.account.display_name or target.account.handle,
                title=target.post.title,
                text=target.text,
                url=target.url,
                campaign=target.post.campaign.name if target.post.campaign else "",
                tags=tags.get(target.post_id, []),
                author=(author.full_name or author.email) if author else "",
                media_kinds=sorted(kinds.get(pk, ())) or [NO_MEDIA],
                rates={rate: post_engagement_rate(figure, rate) for rate in RATE_DENOMINATORS},
            )
        )
    return PostsPage(total=total, sort=sort, descending=descending, rows=rows)


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
    return _filtered_targets(workspace, start, end, filters).count()


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
