"""The figures report pages and the analytics API show: an overview against the previous period, the post
table, campaigns, top posts, follower growth and the best-time grid. Each is built from the same few
reads (post_figures, account_period_values, account_daily) so a report costs a fixed number of queries
whatever the number of posts or accounts. Definitions: README.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from channels_app.models import SocialAccount
from content.models import Campaign, Post, PostTarget, PostTargetMedia

from .accounts import account_daily, account_period_values, account_values_on
from .days import day_bounds, previous_period
from .posts import PostFigures, post_figures
from .rates import RATE_DENOMINATORS, Rate, post_engagement_rate, rate_of
from .workspace_settings import lead_engagement_rate

# Summed over the posts published in a period (each read as of the period's last day).
POST_TOTALS = (
    "views",
    "reach",
    "engagements",
    "likes",
    "comments",
    "shares",
    "saves",
    "video_plays",
    "watch_time",
    "link_clicks",
)
# The accounts' own figures for the period (followers: the last value; the others: the period's sum).
ACCOUNT_TOTALS = ("followers", "follower_growth", "profile_visits")
# What the post table and top posts can be sorted by (besides the publishing time).
POST_SORT_KEYS = ("published_at", *POST_TOTALS, *RATE_DENOMINATORS)
MEDIA_TYPES = ("text", "image", "video")


@dataclass(frozen=True)
class Change:
    current: float | None
    previous: float | None
    change: float | None
    change_ratio: float | None


def change_of(current: float | None, previous: float | None) -> Change:
    change = current - previous if current is not None and previous is not None else None
    ratio = change / previous if change is not None and previous else None
    return Change(current, previous, change, ratio)


def rates_in_order(workspace) -> list[str]:
    """The three rate keys, the workspace's lead rate first."""
    lead = lead_engagement_rate(workspace)
    return [lead, *(rate for rate in RATE_DENOMINATORS if rate != lead)]


def _post_sum(figures: Iterable[PostFigures], metric: str) -> float | None:
    values = [f.common[metric] for f in figures if f.common.get(metric) is not None]
    return sum(values) if values else None


def _present_sum(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return sum(present) if present else None


@dataclass(frozen=True)
class Group:
    """The figures of a set of posts and accounts (the workspace, one platform or one account)."""

    posts: int
    totals: dict[str, float | None]
    rates: dict[str, Rate]


def _group(figures: list[PostFigures], account_values: dict[str, dict[int, float | None]], accounts) -> Group:
    totals = {metric: _post_sum(figures, metric) for metric in POST_TOTALS}
    for metric in ACCOUNT_TOTALS:
        totals[metric] = _present_sum(account_values[metric].get(a) for a in accounts)
    rates = {rate: rate_of(figures, rate) for rate in RATE_DENOMINATORS}
    return Group(posts=len(figures), totals=totals, rates=rates)


@dataclass(frozen=True)
class OverviewPart:
    key: str  # "workspace", a platform key, or an account id
    current: Group
    previous: Group


@dataclass(frozen=True)
class Overview:
    start: date
    end: date
    previous_start: date
    previous_end: date
    rate_order: list[str]
    workspace: OverviewPart
    platforms: list[OverviewPart]
    accounts: list[OverviewPart]
    account_rows: dict[int, SocialAccount]
    # The current period's posts (the downloads' top posts are picked from them).
    figures: list[PostFigures]


def _account_values(workspace, start, end, account_ids) -> dict[str, dict[int, float | None]]:
    return {
        metric: account_period_values(workspace, metric=metric, start=start, end=end, account_ids=account_ids)
        for metric in ACCOUNT_TOTALS
    }


def overview(workspace, *, start: date, end: date, account_ids=None) -> Overview:
    """The period's figures and the previous period's (same length, just before), for the workspace,
    each platform and each account. Post figures are the posts published in the period; account figures
    are the accounts' own (see ACCOUNT_TOTALS)."""
    accounts = SocialAccount.objects.filter(workspace=workspace).order_by("platform", "handle", "pk")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    account_rows = {account.pk: account for account in accounts}
    ids = list(account_rows)
    before_start, before_end = previous_period(start, end)
    periods = {}
    for name, (first, last) in {"current": (start, end), "previous": (before_start, before_end)}.items():
        figures = post_figures(workspace, start=first, end=last, account_ids=ids)
        periods[name] = (figures, _account_values(workspace, first, last, ids))

    # Each period's posts by account, once: a part takes the lists of its accounts (no pass over every
    # post per part: 200 accounts and thousands of posts).
    by_account = {name: defaultdict(list) for name in periods}
    for name, (figures, _values) in periods.items():
        for figure in figures:
            by_account[name][figure.account_id].append(figure)

    def part(key, account_ids: list[int]) -> OverviewPart:
        groups = {}
        for name, (figures, values) in periods.items():
            if len(account_ids) == len(ids):
                chosen = figures
            else:
                chosen = sorted(
                    (f for a in account_ids for f in by_account[name].get(a, ())),
                    key=lambda f: (f.published_at, f.target_id),
                )
            groups[name] = _group(chosen, values, account_ids)
        return OverviewPart(key=key, **groups)

    platforms = defaultdict(list)
    for account_id, account in account_rows.items():
        platforms[account.platform].append(account_id)
    return Overview(
        start=start,
        end=end,
        previous_start=before_start,
        previous_end=before_end,
        rate_order=rates_in_order(workspace),
        workspace=part("workspace", ids),
        platforms=[part(platform, platforms[platform]) for platform in sorted(platforms)],
        accounts=[part(account_id, [account_id]) for account_id in ids],
        account_rows=account_rows,
        figures=periods["current"][0],
    )


# --- the post table -----------------------------------------------------------------------------------


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
    media_type: str = "text"
    account: dict | None = None
    url: str = ""


def _filtered_target_ids(
    workspace, *, start, end, platforms=None, campaign=None, tags=None, author=None, media_type=None
) -> set[int] | None:
    """The ids of the period's published targets that pass the filters; None when no filter is given."""
    if not (platforms or campaign or tags or author or media_type):
        return None
    lower, upper = day_bounds(workspace, start, end)
    targets = PostTarget.objects.filter(workspace=workspace, published_at__gte=lower, published_at__lt=upper)
    if platforms:
        targets = targets.filter(account__platform__in=list(platforms))
    if campaign:
        targets = targets.filter(post__campaign_id=campaign)
    if tags:
        targets = targets.filter(post__tags__in=list(tags))
    if author:
        targets = targets.filter(post__author_id=author)
    if media_type == "text":
        targets = targets.filter(media_links__isnull=True)
    elif media_type:
        targets = targets.filter(media_links__position=0, media_links__media__kind=media_type)
    return set(targets.values_list("pk", flat=True))


def _sort_value(row: PostRow, key: str):
    if key == "published_at":
        return row.figure.published_at.timestamp()
    if key in RATE_DENOMINATORS:
        return row.rates.get(key)
    return row.figure.common.get(key)


def post_table(
    workspace,
    *,
    start: date,
    end: date,
    sort: str = "-published_at",
    accounts=None,
    platforms=None,
    campaign=None,
    tags=None,
    author=None,
    media_type=None,
) -> list[PostRow]:
    """Every post published in the period that passes the filters, sorted by `sort` (a POST_SORT_KEYS
    key, "-" first for descending; posts without the figure last either way, then newest first)."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in POST_SORT_KEYS:
        raise ValueError(f"unknown sort key: {key}")
    keep = _filtered_target_ids(
        workspace,
        start=start,
        end=end,
        platforms=platforms,
        campaign=campaign,
        tags=tags,
        author=author,
        media_type=media_type,
    )
    account_ids = list(accounts) if accounts else None
    rows = [
        PostRow(figure, {rate: post_engagement_rate(figure, rate) for rate in RATE_DENOMINATORS})
        for figure in post_figures(workspace, start=start, end=end, account_ids=account_ids)
        if keep is None or figure.target_id in keep
    ]
    # Newest first among equals (a stable sort on the tie-breaker first, then on the key).
    rows.sort(key=lambda row: (-row.figure.published_at.timestamp(), -row.figure.target_id))
    present = [row for row in rows if _sort_value(row, key) is not None]
    missing = [row for row in rows if _sort_value(row, key) is None]
    present.sort(key=lambda row: _sort_value(row, key), reverse=descending)
    return present + missing


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


def top_posts(workspace, *, start: date, end: date, metric: str = "engagements", limit: int = 10):
    """The period's best posts by `metric` (a common post metric or a rate), with their details."""
    return post_details(workspace, post_table(workspace, start=start, end=end, sort=f"-{metric}")[:limit])


# --- campaigns ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignFigures:
    campaign: Campaign
    posts: int
    totals: dict[str, float | None]
    rates: dict[str, Rate]


def campaign_report(workspace, *, start: date, end: date, campaign_ids=None) -> list[CampaignFigures]:
    """Per campaign: the figures of its posts published in the period (campaigns without posts there are
    listed with zero posts)."""
    campaigns = Campaign.objects.filter(workspace=workspace).order_by("-starts_on", "name", "pk")
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=list(campaign_ids))
    campaigns = list(campaigns)
    figures = post_figures(workspace, start=start, end=end)
    campaign_of = dict(
        Post.objects.filter(
            workspace=workspace, pk__in={f.post_id for f in figures}, campaign__isnull=False
        ).values_list("pk", "campaign_id")
    )
    by_campaign = defaultdict(list)
    for figure in figures:
        if figure.post_id in campaign_of:
            by_campaign[campaign_of[figure.post_id]].append(figure)
    result = []
    for campaign in campaigns:
        chosen = by_campaign.get(campaign.pk, [])
        result.append(
            CampaignFigures(
                campaign=campaign,
                posts=len(chosen),
                totals={metric: _post_sum(chosen, metric) for metric in POST_TOTALS},
                rates={rate: rate_of(chosen, rate) for rate in RATE_DENOMINATORS},
            )
        )
    return result


# --- follower growth ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowerSeries:
    dates: list[date]
    # account id -> followers on each date (the last reading on or before it; None before the first).
    accounts: dict[int, list[float | None]]
    # The sum over the accounts that have a value that day.
    total: list[float | None]
    # total minus the previous day's total (None on the first day or when either is missing).
    growth: list[float | None]


def follower_series(workspace, *, start: date, end: date, account_ids=None) -> FollowerSeries:
    """Each account's followers on each day of the period, carried forward over days without a reading,
    and their total; the growth is the day-over-day change of the total."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    opening = account_values_on(
        workspace, metric="followers", day=start - timedelta(days=1), account_ids=account_ids
    )
    readings = defaultdict(dict)
    for value in account_daily(workspace, metric="followers", start=start, end=end, account_ids=account_ids):
        readings[value.account_id][value.date] = value.value
    accounts = {}
    for account_id, before in opening.items():
        current, series = before, []
        for day in days:
            current = readings[account_id].get(day, current)
            series.append(current)
        accounts[account_id] = series
    total = [_present_sum(series[index] for series in accounts.values()) for index in range(len(days))]
    growth = [None] + [
        total[i] - total[i - 1] if total[i] is not None and total[i - 1] is not None else None
        for i in range(1, len(days))
    ]
    return FollowerSeries(dates=days, accounts=accounts, total=total, growth=growth)
