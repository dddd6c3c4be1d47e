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
from content.models import Campaign, Post

from .accounts import account_daily, account_period_values, account_values_on
from .days import previous_period
from .post_table import post_page
from .posts import PostFigures, post_figures
from .rates import RATE_DENOMINATORS, Rate, rate_of
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


def top_posts(workspace, *, start: date, end: date, metric: str = "engagements", limit: int = 10):
    """The period's best posts by `metric` (a common post metric or a rate), with their details."""
    return post_page(workspace, start=start, end=end, sort=f"-{metric}", limit=limit).rows


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
