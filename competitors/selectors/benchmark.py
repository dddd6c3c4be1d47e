"""The benchmark of a period: our brand (the workspace's own accounts) against each competitor brand.

Definitions (hand-computed in tests/test_benchmark_numbers.py):
- followers: the sum over a brand's accounts of each account's last reading on or before the period's
  last day; net growth: that minus the same on the day before the period (an account first read inside
  the period counts from its first reading).
- posts per week: posts published in the period / (days in the period / 7).
- engagements per post: the posts' engagements / the posts that have figures.
- engagement rate by followers: sum of engagements / sum of the account's followers on each post's day
  of publishing, over the posts that have both (KAWO and analytics' own definition).
- share of voice: a brand's engagements / everyone's (engagement share), its posts / everyone's (post
  share), everyone being our brand and the benchmarked competitors.
- spike: a rival post whose engagements exceed that rival account's median over its previous N posts by
  more than K robust deviations (1.4826 x MAD), with at least MIN_HISTORY previous posts.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

import numpy as np
from django.db.models import OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from numpy.lib.stride_tricks import sliding_window_view

from analytics.selectors import post_figures as own_post_figures
from analytics.selectors.days import day_bounds, local_date
from channels_app.models import SocialAccount

from ..models import RivalAccount, RivalPost, RivalSnapshot
from .brands import benchmarked_brands

SPIKE_WINDOW = 20  # previous posts in the baseline
SPIKE_K = 3.0
SPIKE_MIN_HISTORY = 5
MAD_SCALE = 1.4826  # MAD x this estimates the standard deviation of normal data
RECENT = timedelta(days=90)  # spike baselines starting this close to the period are read in one range


@dataclass(slots=True)
class PostRow:
    brand_key: str
    account: str  # "@handle"
    platform: str
    post_id: str
    published_at: datetime
    text: str
    url: str
    engagements: float | None
    followers: float | None
    media_kind: str = ""
    hashtags: list[str] = field(default_factory=list)
    deleted: bool = False
    local: datetime | None = None  # published_at in the workspace's zone


@dataclass
class BrandFigures:
    key: str  # "own" or "brand:<id>"
    name: str
    own: bool
    followers: float | None = None
    followers_before: float | None = None
    net_growth: float | None = None
    posts: int = 0
    posts_per_week: float = 0.0
    engagements: float = 0.0
    engagements_per_post: float | None = None
    engagement_rate_by_followers: float | None = None
    engagement_share: float | None = None
    post_share: float | None = None
    media_mix: dict[str, int] = field(default_factory=dict)
    top_hashtags: list[tuple[str, int]] = field(default_factory=list)
    followers_by_day: list[float | None] = field(default_factory=list)


@dataclass(frozen=True)
class Spike:
    post_id: str
    account: str
    published_at: datetime
    engagements: float
    median: float
    mad: float
    threshold: float


@dataclass
class Benchmark:
    start: date
    end: date
    brands: list[BrandFigures]
    top_posts: list[PostRow]
    heatmap: list[dict]  # {brand, weekday, hour, posts, engagements}
    spikes: list[Spike]
    dates: list[date]


def median_mad(values: list[float]) -> tuple[float, float]:
    m = median(values)
    return m, median([abs(v - m) for v in values])


def post_spikes(series: list[tuple[str, datetime, float]], *, since: datetime | None = None) -> list[Spike]:
    """`series`: one account's posts (id, published_at, engagements), any order. A post is a spike when
    its engagements exceed median + K x 1.4826 x MAD of the SPIKE_WINDOW posts before it (at least
    SPIKE_MIN_HISTORY of them; a MAD of 0 counts as 1, so a flat history still needs a real jump).
    Posts before `since` only serve as history. Full windows are computed together with numpy (the
    benchmark asks for thousands); the first posts of an account, with a shorter history, one by one."""
    ordered = sorted(series, key=lambda item: item[1])
    first = SPIKE_MIN_HISTORY
    if since is not None:
        first = max(first, bisect_left([at for _id, at, _v in ordered], since))
    if first >= len(ordered):
        return []
    values = np.array([value for _id, _at, value in ordered], dtype=float)
    indexes = np.arange(first, len(ordered))
    medians = np.empty(len(indexes))
    mads = np.empty(len(indexes))
    short = indexes < SPIKE_WINDOW
    for n, index in enumerate(indexes[short]):
        medians[n], mads[n] = median_mad(values[:index].tolist())
    full = indexes[~short]
    if len(full):
        windows = sliding_window_view(values, SPIKE_WINDOW)[full - SPIKE_WINDOW]
        middle = np.median(windows, axis=1)
        medians[short.sum() :] = middle
        mads[short.sum() :] = np.median(np.abs(windows - middle[:, None]), axis=1)
    thresholds = medians + SPIKE_K * MAD_SCALE * np.maximum(mads, 1.0)
    spikes = []
    for n in np.flatnonzero(values[indexes] > thresholds):
        post_id, published_at, value = ordered[indexes[n]]
        spikes.append(
            Spike(post_id, "", published_at, value, float(medians[n]), float(mads[n]), float(thresholds[n]))
        )
    return spikes


def colour_of(value, values: list) -> str:
    """best / above / below / worst among the brands' values of one figure ("" without a value)."""
    known = [v for v in values if v is not None]
    if value is None or len(known) < 2:
        return ""
    if value == max(known):
        return "best"
    if value == min(known):
        return "worst"
    return "above" if value >= sum(known) / len(known) else "below"


class Readings:
    """One account's readings, oldest first, answering "the last value before" by bisection."""

    __slots__ = ("times", "values")

    def __init__(self) -> None:
        self.times: list = []
        self.values: list[float] = []

    def add(self, at, value: float) -> None:
        self.times.append(at)
        self.values.append(value)

    def __bool__(self) -> bool:
        return bool(self.times)

    def before(self, moment) -> float | None:
        """The last value read before `moment` (None when every reading is later)."""
        index = bisect_left(self.times, moment)
        return self.values[index - 1] if index else None

    def first(self) -> float | None:
        return self.values[0] if self.values else None


def _followers_on(readings: Readings | None, day_end: datetime) -> float | None:
    """The last reading before `day_end`."""
    return readings.before(day_end) if readings else None


def _last_before(
    queryset, *, key: str, order: str, moment: datetime, ids: list[int], fields: tuple[str, ...]
):
    """Per id, the `fields` of the last row of `queryset` (filtered by `key` = id) whose `order` column is
    before `moment`: one statement whose correlated subqueries each read one index entry (no window over
    an account's whole history, and portable to SQLite)."""
    last = queryset.filter(**{key: OuterRef("pk"), f"{order}__lt": moment}).order_by(f"-{order}")
    annotated = RivalAccount.objects.filter(pk__in=ids).annotate(
        **{f"last_{name}": Subquery(last.values(name)[:1]) for name in fields}
    )
    return annotated.values_list("pk", *(f"last_{name}" for name in fields))


def _utc_bounds(workspace, start: date, end: date) -> tuple[datetime, datetime]:
    """analytics' day_bounds in UTC: the database's datetimes are UTC, and aware datetimes with the same
    tzinfo compare without a zone lookup (the benchmark compares tens of thousands)."""
    lower, upper = day_bounds(workspace, start, end)
    return lower.astimezone(UTC), upper.astimezone(UTC)


def _rival_rows(workspace, brands, lower, upper) -> tuple[list[PostRow], dict, dict]:
    """Posts of the period and every account's follower readings (up to the period's end)."""
    accounts = {account.pk: (brand, account) for brand in brands for account in brand.accounts.all()}
    ids = list(accounts)
    readings: dict[int, Readings] = defaultdict(Readings)
    # Readings from two days before the period, plus each account's last one before that: every
    # "last reading before" the benchmark asks for is among them (not two years of history).
    bound = lower - timedelta(days=2)
    followers = RivalSnapshot.objects.filter(platform_post_id="", metric="followers")
    earlier = [
        (rival_id, at, value)
        for rival_id, at, value in _last_before(
            followers,
            key="rival_id",
            order="captured_at",
            moment=bound,
            ids=ids,
            fields=("captured_at", "value"),
        )
        if at is not None
    ]
    recent = followers.filter(rival_id__in=ids, captured_at__gte=bound, captured_at__lt=upper).values_list(
        "rival_id", "captured_at", "value"
    )
    for rival_id, at, value in sorted([*earlier, *recent]):
        readings[rival_id].add(at, value)
    rows = []
    midnights: dict[date, datetime] = {}  # the end of each local day (one zone lookup per day, not per post)
    zone = workspace.tzinfo
    fields = (
        "rival_id", "platform_post_id", "published_at", "text", "url", "engagements", "media_kind",
        "tags_text", "deleted_at",
    )  # fmt: skip
    period = (
        RivalPost.objects.filter(rival_id__in=ids, published_at__gte=lower, published_at__lt=upper)
        .annotate(tags_text=Cast("hashtags", TextField()))  # decoded below in one call, not one per post
        .values_list(*fields)
    )
    found = list(period)
    all_tags = json.loads("[" + ",".join(row[7] or "[]" for row in found) + "]")
    for (rival_id, post_id, published_at, text, url, engagements, media_kind, _raw, deleted_at), tags in zip(
        found, all_tags, strict=True
    ):
        brand, account = accounts[rival_id]
        local = published_at.astimezone(zone)
        day = local.date()
        if day not in midnights:
            midnights[day] = _utc_bounds(workspace, day, day)[1]
        series = readings.get(rival_id)
        followers = _followers_on(series, midnights[day])
        if followers is None and series:
            followers = series.first()  # first read only later: its first reading
        rows.append(
            PostRow(
                brand_key=f"brand:{brand.pk}",
                account=f"@{account.handle}",
                platform=account.platform,
                post_id=post_id,
                published_at=published_at,
                text=text[:280],
                url=url,
                engagements=engagements,
                followers=followers,
                media_kind=media_kind,
                hashtags=tags if isinstance(tags, list) else [],
                deleted=deleted_at is not None,
                local=local,
            )
        )
    return rows, readings, accounts


def _next_midnight(workspace, moment: datetime) -> datetime:
    day = local_date(workspace, moment)
    return day_bounds(workspace, day, day)[1]


def _own_rows(
    workspace, start: date, end: date, as_of: date | None = None
) -> tuple[list[PostRow], dict[date, float | None]]:
    rows = []
    accounts = {a.pk: a for a in SocialAccount.objects.filter(workspace=workspace)}
    for figure in own_post_figures(workspace, start=start, end=end, as_of=as_of):
        account = accounts.get(figure.account_id)
        rows.append(
            PostRow(
                brand_key="own",
                account=f"@{account.handle}" if account else "",
                platform=figure.platform,
                post_id=str(figure.target_id),
                published_at=figure.published_at,
                text="",
                url="",
                engagements=figure.common.get("engagements"),
                followers=figure.followers,
            )
        )
    return rows, accounts


def _own_followers(workspace, days: list[date]) -> list[float | None]:
    """Per day, the sum over the own accounts of each one's last followers value on or before that day
    (analytics.selectors.account_values_on for each day, from one read of the series)."""
    from analytics.selectors.accounts import account_series

    series = account_series(workspace, metric="followers", until=days[-1], account_ids=None)
    values = []
    for day in days:
        known = []
        for readings in series.values():
            index = bisect_left(readings, (day, float("inf")))
            if index:
                known.append(readings[index - 1][1])
        values.append(sum(known) if known else None)
    return values


def benchmark(
    workspace,
    *,
    start: date,
    end: date,
    top: int = 10,
    include_own: bool = True,
    own_as_of: date | None = None,
) -> Benchmark:
    """`own_as_of`: the own posts' values as read on that day (default `end`; a rival post's figures are
    always its latest reading, so a past period compared "as last read" passes today)."""
    brands = benchmarked_brands(workspace)
    lower, upper = _utc_bounds(workspace, start, end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    rival_rows, readings, accounts = _rival_rows(workspace, brands, lower, upper)
    own_rows: list[PostRow] = []
    entries: list[BrandFigures] = []
    if include_own:
        own_rows, _own_accounts = _own_rows(workspace, start, end, own_as_of)
        own = BrandFigures(key="own", name=workspace.name, own=True)
        # Followers per day of the own accounts (analytics' rollups), first value = the day before.
        series = _own_followers(workspace, [start - timedelta(days=1), *days])
        own.followers_before, own.followers_by_day = series[0], series[1:]
        own.followers = series[-1]
        entries.append(own)
    day_ends = [_utc_bounds(workspace, d, d)[1] for d in days]
    before_end = lower
    for brand in brands:
        figures = BrandFigures(key=f"brand:{brand.pk}", name=brand.name, own=False)
        by_day: list[float | None] = [None] * len(days)
        before_total: float | None = None
        for account in brand.accounts.all():
            series = readings.get(account.pk)
            if not series:
                continue
            before = _followers_on(series, before_end)
            if before is None:
                # First read inside the period: its growth counts from its first reading.
                before = series.first() if series.times[0] < upper else None
            if before is not None:
                before_total = (before_total or 0) + before
            for index, day_end in enumerate(day_ends):
                value = _followers_on(series, day_end)
                if value is not None:
                    by_day[index] = (by_day[index] or 0) + value
        figures.followers_by_day = by_day
        figures.followers = by_day[-1] if by_day else None
        figures.followers_before = before_total
        entries.append(figures)

    all_rows = own_rows + rival_rows
    weeks = len(days) / 7.0
    rows_of: dict[str, list[PostRow]] = defaultdict(list)
    for row in all_rows:
        rows_of[row.brand_key].append(row)
    for entry in entries:
        rows = rows_of[entry.key]
        with_figures = [r for r in rows if r.engagements is not None]
        entry.posts = len(rows)
        entry.posts_per_week = entry.posts / weeks if weeks else 0.0
        entry.engagements = sum(r.engagements for r in with_figures)
        entry.engagements_per_post = entry.engagements / len(with_figures) if with_figures else None
        rated = [r for r in with_figures if r.followers]
        denominator = sum(r.followers for r in rated)
        entry.engagement_rate_by_followers = (
            sum(r.engagements for r in rated) / denominator if denominator else None
        )
        if entry.followers is not None and entry.followers_before is not None:
            entry.net_growth = entry.followers - entry.followers_before
        mix: dict[str, int] = defaultdict(int)
        tags: dict[str, int] = defaultdict(int)
        for r in rows:
            if r.media_kind:
                mix[r.media_kind] += 1
            for tag in r.hashtags:
                tags[tag] += 1
        entry.media_mix = dict(mix)
        entry.top_hashtags = sorted(tags.items(), key=lambda item: (-item[1], item[0]))[:5]
    total_engagements = sum(entry.engagements for entry in entries)
    total_posts = sum(entry.posts for entry in entries)
    for entry in entries:
        entry.engagement_share = entry.engagements / total_engagements if total_engagements else None
        entry.post_share = entry.posts / total_posts if total_posts else None

    heat: dict[tuple[str, int, int], list[float]] = defaultdict(list)
    for row in all_rows:
        local = row.local or row.published_at.astimezone(workspace.tzinfo)
        heat[(row.brand_key, local.weekday(), local.hour)].append(row.engagements or 0.0)
    heatmap = [
        {"brand": key, "weekday": weekday, "hour": hour, "posts": len(values), "engagements": sum(values)}
        for (key, weekday, hour), values in sorted(heat.items())
    ]
    top_posts = sorted(
        (r for r in rival_rows if r.engagements is not None), key=lambda r: (-r.engagements, r.post_id)
    )[:top]
    spikes = _spikes(accounts, lower, upper)
    return Benchmark(start, end, entries, top_posts, heatmap, spikes, days)


def _spikes(accounts: dict, lower: datetime, upper: datetime) -> list[Spike]:
    """Spikes among the period's rival posts, each against its account's previous posts."""
    found = []
    series: dict[int, list[tuple[str, datetime, float]]] = defaultdict(list)
    posts = RivalPost.objects.filter(engagements__isnull=False)
    fields = ("rival_id", "published_at", "platform_post_id", "engagements")
    # The period's posts and, per account, the SPIKE_WINDOW posts before it (the first ones' baseline):
    # each account's oldest baseline post is found by one index read, then the posts from there on.
    ids = list(accounts)
    nth = posts.filter(rival_id=OuterRef("pk"), published_at__lt=lower).order_by("-published_at")
    starts = RivalAccount.objects.filter(pk__in=ids).annotate(
        since=Subquery(nth.values("published_at")[SPIKE_WINDOW - 1 : SPIKE_WINDOW])
    )
    # Accounts whose baseline starts within RECENT of the period share one range read (and each drops its
    # own older rows here); the few that post rarely get a range each.
    since_of = dict(starts.values_list("pk", "since"))
    recent = [since for since in since_of.values() if since is not None and since >= lower - RECENT]
    ranges = Q(published_at__gte=min(recent)) if recent else Q(pk__in=[])
    for rival_id, since in since_of.items():
        if since is None or since < lower - RECENT:
            ranges |= Q(rival_id=rival_id, published_at__gte=since) if since else Q(rival_id=rival_id)
    found_rows = posts.filter(ranges, rival_id__in=ids, published_at__lt=upper).values_list(*fields)
    rows = (
        [row for row in found_rows if since_of[row[0]] is None or row[1] >= since_of[row[0]]] if ids else []
    )
    for rival_id, published_at, post_id, value in sorted(rows, key=lambda r: (r[0], r[1])):
        series[rival_id].append((post_id, published_at, value))
    for rival_id, items in series.items():
        handle = f"@{accounts[rival_id][1].handle}"
        for spike in post_spikes(items, since=lower):
            found.append(
                Spike(
                    spike.post_id,
                    handle,
                    spike.published_at,
                    spike.engagements,
                    spike.median,
                    spike.mad,
                    spike.threshold,
                )
            )
    return sorted(found, key=lambda s: s.published_at, reverse=True)
