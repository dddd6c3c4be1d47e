"""The post table: ONE read for the JSON API, the report page and the downloads (issue 12, acceptance 5).

`post_page` takes the period's published posts that pass the filters, ranks them and returns one page
with its figures and details. Sorting by the publishing time or by a common metric ranks in SQL: the
sort metric is resolved per post (the first feeder its platform has, README "Definitions"; engagements
fall back to the sum of their components) over the filtered posts, then full figures are read for the
page only, so a page costs a fixed number of queries whatever the size. Sorting by an engagement rate
(whose denominator may be the account's followers on the day of publishing) reads the figures of every
filtered post and ranks them in Python. Either way posts without the figure come last, and equals are
newest first (then the higher id first).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import F, Q

from channels_app.models import SocialAccount
from content.models import Post, PostTarget, PostTargetMedia

from ..metrics import COMMON_METRICS, Level, feeders
from .accounts import account_series
from .days import day_bounds, local_date
from .posts import PostFigures, common_post_value, post_figures
from .rates import RATE_DENOMINATORS, post_engagement_rate

NO_MEDIA = "text"  # the media-type filter's name for posts without media


@dataclass(frozen=True)
class PostFilters:
    account_ids: tuple[int, ...] = ()
    platforms: tuple[str, ...] = ()
    campaign_ids: tuple[int, ...] = ()
    tag_ids: tuple[int, ...] = ()
    author_ids: tuple[int, ...] = ()
    media_kinds: tuple[str, ...] = ()  # "image", "video" or NO_MEDIA


def filters_of(*, accounts=None, platforms=None, campaign=None, tags=None, author=None, media_type=None):
    """PostFilters from the API's and the report page's parameters (one campaign, author, media type)."""
    return PostFilters(
        account_ids=tuple(accounts or ()),
        platforms=tuple(platforms or ()),
        campaign_ids=(campaign,) if campaign else (),
        tag_ids=tuple(tags or ()),
        author_ids=(author,) if author else (),
        media_kinds=(media_type,) if media_type else (),
    )


SORT_KEYS = ("published_at", *COMMON_METRICS, *RATE_DENOMINATORS)


@dataclass
class PostRow:
    figure: PostFigures
    rates: dict[str, float | None]
    # Filled for the rows of one page only (post_details).
    title: str = ""
    text: str = ""
    campaign: dict | None = None
    tags: list[dict] | None = None
    author: dict | None = None
    media_type: str = NO_MEDIA
    account: dict | None = None
    url: str = ""


@dataclass
class Page:
    total: int  # posts that pass the filters
    rows: list[PostRow]  # the page, details filled


def filtered_targets(workspace, start: date, end: date, filters: PostFilters):
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
 ORDER BY COALESCE(direct, parts) {direction} NULLS LAST, published_at DESC, id DESC
 {limit}
"""


def _ranked_ids(workspace, targets, *, sort: str, descending: bool, as_of: date, limit, offset) -> list[int]:
    if sort == "published_at":
        ordered = targets.order_by("-published_at" if descending else "published_at", "-pk")
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


def _page_figures(workspace, target_ids: list[int], *, as_of: date) -> dict[int, PostFigures]:
    """{target id: PostFigures} for the page's posts only (two queries, and one for the followers)."""
    figures = {
        pk: PostFigures(
            target_id=pk,
            post_id=post_id,
            account_id=account_id,
            platform=platform,
            published_at=published_at,
            published_on=local_date(workspace, published_at),
        )
        for pk, post_id, account_id, platform, published_at in PostTarget.objects.filter(
            workspace=workspace, pk__in=target_ids
        ).values_list("pk", "post_id", "account_id", "account__platform", "published_at")
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
    return figures


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


def _rates(figure: PostFigures) -> dict[str, float | None]:
    return {rate: post_engagement_rate(figure, rate) for rate in RATE_DENOMINATORS}


def _sort_value(row: PostRow, key: str):
    if key == "published_at":
        return row.figure.published_at.timestamp()
    if key in RATE_DENOMINATORS:
        return row.rates.get(key)
    return row.figure.common.get(key)


def _ranked_by_rate(workspace, targets, *, start, end, as_of, filters, key, descending) -> list[PostRow]:
    keep = set(targets.values_list("pk", flat=True))
    accounts = list(filters.account_ids) or None
    rows = [
        PostRow(figure, _rates(figure))
        for figure in post_figures(workspace, start=start, end=end, as_of=as_of, account_ids=accounts)
        if figure.target_id in keep
    ]
    # Newest first among equals (a stable sort on the tie-breaker first, then on the key).
    rows.sort(key=lambda row: (-row.figure.published_at.timestamp(), -row.figure.target_id))
    present = [row for row in rows if _sort_value(row, key) is not None]
    missing = [row for row in rows if _sort_value(row, key) is None]
    present.sort(key=lambda row: _sort_value(row, key), reverse=descending)
    return present + missing


def post_page(
    workspace,
    *,
    start: date,
    end: date,
    filters: PostFilters = PostFilters(),  # noqa: B008 (frozen)
    sort: str = "-published_at",
    limit: int | None = None,
    offset: int = 0,
    as_of: date | None = None,
) -> Page:
    """The posts published on the workspace's days `start`..`end` that pass `filters`, sorted by `sort`
    (a SORT_KEYS key, "-" first for descending), one page of `limit` from `offset` (`limit=None`: all),
    each with its figures as of `as_of` (default `end`), its three rates and its details."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        raise ValueError(f"unknown sort key: {key}")
    as_of = as_of or end
    targets = filtered_targets(workspace, start, end, filters)
    if key in RATE_DENOMINATORS:
        ranked = _ranked_by_rate(
            workspace,
            targets,
            start=start,
            end=end,
            as_of=as_of,
            filters=filters,
            key=key,
            descending=descending,
        )
        chosen = ranked[offset : offset + limit] if limit is not None else ranked[offset:]
        return Page(total=len(ranked), rows=post_details(workspace, chosen))
    total = targets.count()
    ids = _ranked_ids(
        workspace, targets, sort=key, descending=descending, as_of=as_of, limit=limit, offset=offset
    )
    figures = _page_figures(workspace, ids, as_of=as_of)
    rows = [PostRow(figures[pk], _rates(figures[pk])) for pk in ids if pk in figures]
    return Page(total=total, rows=post_details(workspace, rows))


def post_details(workspace, rows: list[PostRow]) -> list[PostRow]:
    """Fill title, text, campaign, tags, author, media type and account of `rows` (one page) in five
    queries, whatever their number."""
    if not rows:
        return rows
    target_ids = [row.figure.target_id for row in rows]
    post_ids = {row.figure.post_id for row in rows}
    targets = {
        pk: (text, url, account)
        for pk, text, url, account in PostTarget.objects.filter(
            workspace=workspace, pk__in=target_ids
        ).values_list("pk", "text", "url", "account_id")
    }
    posts = {
        values["pk"]: values
        for values in Post.objects.filter(workspace=workspace, pk__in=post_ids).values(
            "pk",
            "title",
            "campaign_id",
            "campaign__name",
            "campaign__color",
            "author_id",
            "author__full_name",
            "author__email",
        )
    }
    tags = defaultdict(list)
    for post_id, tag_id, name, color in (
        Post.tags.through.objects.filter(post_id__in=post_ids)
        .order_by("tag__name")
        .values_list("post_id", "tag_id", "tag__name", "tag__color")
    ):
        tags[post_id].append({"id": tag_id, "name": name, "color": color})
    media = {
        target_id: kind
        for target_id, kind in PostTargetMedia.objects.filter(
            target_id__in=target_ids, position=0
        ).values_list("target_id", "media__kind")
    }
    accounts = {
        pk: {"id": pk, "handle": handle, "display_name": name, "platform": platform}
        for pk, handle, name, platform in SocialAccount.objects.filter(
            workspace=workspace, pk__in={row.figure.account_id for row in rows}
        ).values_list("pk", "handle", "display_name", "platform")
    }
    for row in rows:
        text, url, account_id = targets.get(row.figure.target_id, ("", "", row.figure.account_id))
        post = posts.get(row.figure.post_id, {})
        row.text, row.url, row.title = text, url, post.get("title", "")
        row.campaign = (
            {"id": post["campaign_id"], "name": post["campaign__name"], "color": post["campaign__color"]}
            if post.get("campaign_id")
            else None
        )
        row.author = (
            {"id": post["author_id"], "name": post["author__full_name"] or post["author__email"]}
            if post.get("author_id")
            else None
        )
        row.tags = tags.get(row.figure.post_id, [])
        row.media_type = media.get(row.figure.target_id, "text")
        row.account = accounts.get(account_id)
    return rows
