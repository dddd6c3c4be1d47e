"""An objective's progress, computed from stored data only (analytics' rollups and budgets' spend; never
a platform call): the actual figure so far, the pace and the previous period's figure.

What each KPI counts, over the scope's accounts (workspace, a platform, an account) or posts (a campaign,
a tag), on the workspace's calendar days (its time zone), both ends inclusive, up to today:

* follower growth: the change in followers (analytics' `follower_growth`), summed over the accounts;
* views: the views of the posts published in the period, as last read;
* engagement rate: engagements / the named denominator (followers, reach or views) of the period's posts
  (analytics' `rate_of`: the denominator-weighted rate, posts without the denominator left out);
* posts per week: posts published in the period / (days elapsed / 7);
* cost per engagement: counted spend (paid and committed, approved, converted to the workspace's
  reporting currency at each entry's date) / engagements of the period's posts;
* share of voice: our engagements / (ours + the named rivals'), from competitors' benchmark (its
  BrandFigures: the own posts' and each benchmarked brand's posts' engagements in the period);
* inbox first-response time: the median wait, in business-hour minutes (inbox's SLA clock), of the fan
  items sent in the period and answered.

The previous period (the same length just before) is computed the same way, its posts as last read.

Pace (thresholds documented in objectives/README.md): a total (follower growth, views) is projected
linearly to the period's end (actual x period days / days elapsed); a rate (engagement rate, posts per
week) is its value so far; the score is projection / target, or target / actual for cost per engagement
and first-response time (lower is better: the target is a maximum). Score >= 1: on track; >= 0.9:
at risk; below: behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from analytics import selectors as analytics
from budgets.models import SpendEntry, SpendStatus
from budgets.selectors import rates_of
from channels_app.models import SocialAccount
from competitors.selectors import benchmark
from content.models import Post
from inbox.selectors import first_response_minutes

from .models import Kpi, Objective, Scope

ON_TRACK_AT = 1.0
AT_RISK_AT = 0.9
TOTAL_KPIS = {Kpi.FOLLOWER_GROWTH, Kpi.VIEWS}
# The target is a maximum: the score is target / actual.
LOWER_IS_BETTER = {Kpi.COST_PER_ENGAGEMENT, Kpi.FIRST_RESPONSE_TIME}


class Pace:
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Progress:
    actual: float | None
    projected: float | None
    score: float | None
    pace: str
    previous: float | None
    days_elapsed: int
    days_total: int
    # Spend entries left out of cost per engagement: no exchange rate at their date.
    left_out: int = 0
    # The actual figure as a share of the target (the progress bar; for cost per engagement the score).
    share: float | None = None

    @property
    def change(self) -> float | None:
        if self.actual is None or self.previous is None:
            return None
        return self.actual - self.previous


def _account_ids(objective: Objective) -> list[int] | None:
    if objective.scope == Scope.PLATFORM:
        return list(
            SocialAccount.objects.filter(
                workspace=objective.workspace, platform=objective.platform
            ).values_list("pk", flat=True)
        )
    if objective.scope == Scope.ACCOUNT:
        return [objective.account_id]
    return None


def _post_ids(objective: Objective) -> set[int] | None:
    posts = Post.objects.filter(workspace=objective.workspace)
    if objective.scope == Scope.CAMPAIGN:
        return set(posts.filter(campaign_id=objective.campaign_id).values_list("pk", flat=True))
    if objective.scope == Scope.TAG:
        return set(posts.filter(tags=objective.tag_id).values_list("pk", flat=True))
    return None


def _figures(objective: Objective, start: date, end: date, as_of: date):
    figures = analytics.post_figures(
        objective.workspace, start=start, end=end, as_of=as_of, account_ids=_account_ids(objective)
    )
    post_ids = _post_ids(objective)
    if post_ids is not None:
        figures = [f for f in figures if f.post_id in post_ids]
    return figures


def _engagements(figures) -> float:
    return sum(f.common.get("engagements") or 0 for f in figures)


def _spend(objective: Objective, start: date, end: date) -> tuple[Decimal, int]:
    entries = SpendEntry.objects.filter(
        workspace=objective.workspace, status=SpendStatus.APPROVED, spent_on__range=(start, end)
    )
    if objective.scope == Scope.PLATFORM:
        entries = entries.filter(line__platform=objective.platform)
    elif objective.scope == Scope.CAMPAIGN:
        campaign = objective.campaign_id
        entries = entries.filter(campaign_id=campaign) | entries.filter(
            campaign__isnull=True, budget__campaign_id=campaign
        )
    rates = rates_of(objective.workspace)
    total, left_out = Decimal(0), 0
    for amount, currency, on in entries.values_list("amount", "currency", "spent_on"):
        converted = rates.convert(amount, currency, objective.workspace.currency, on)
        if converted is None:
            left_out += 1
        else:
            total += converted
    return total, left_out


def _share_of_voice(objective: Objective, start: date, end: date, as_of: date) -> float | None:
    """Our engagements / (ours + the named rivals') over the period, from the benchmark's figures (a rival
    no longer benchmarked drops out of it)."""
    rivals = {f"brand:{pk}" for pk in objective.rivals.values_list("pk", flat=True)}
    result = benchmark(objective.workspace, start=start, end=end, top=0, own_as_of=as_of)
    ours = sum(b.engagements for b in result.brands if b.own)
    theirs = sum(b.engagements for b in result.brands if b.key in rivals)
    return ours / (ours + theirs) if ours + theirs else None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def kpi_value(
    objective: Objective, start: date, end: date, *, as_of: date | None = None
) -> tuple[float | None, int]:
    """The KPI's figure over the workspace days [start, end] (posts' values as last read on or before
    `as_of`, default `end`), and the spend entries it left out."""
    kpi = objective.kpi
    if kpi == Kpi.FOLLOWER_GROWTH:
        values = analytics.account_period_values(
            objective.workspace,
            metric="follower_growth",
            start=start,
            end=end,
            account_ids=_account_ids(objective),
        )
        present = [v for v in values.values() if v is not None]
        return (sum(present) if present else None), 0
    if kpi == Kpi.SHARE_OF_VOICE:
        return _share_of_voice(objective, start, end, max(as_of or end, end)), 0
    if kpi == Kpi.FIRST_RESPONSE_TIME:
        waits = first_response_minutes(
            objective.workspace, start=start, end=end, account_ids=_account_ids(objective)
        )
        return _median(waits), 0
    figures = _figures(objective, start, end, max(as_of or end, end))
    if kpi == Kpi.VIEWS:
        present = [f.common.get("views") for f in figures if f.common.get("views") is not None]
        return (sum(present) if present else None), 0
    if kpi == Kpi.ENGAGEMENT_RATE:
        return analytics.rate_of(figures, f"engagement_rate_{objective.rate_basis}").value, 0
    if kpi == Kpi.POSTS_PER_WEEK:
        days = (end - start).days + 1
        return len(figures) * 7 / days, 0
    # cost per engagement
    spend, left_out = _spend(objective, start, end)
    engagements = _engagements(figures)
    if not engagements:
        return None, left_out
    return float(spend) / engagements, left_out


def _score(objective: Objective, projected: float | None) -> float | None:
    target = float(objective.target)
    if projected is None:
        return None
    if objective.kpi in LOWER_IS_BETTER:
        if projected > 0:
            return target / projected
        # Every fan answered at once meets any maximum; nothing spent has no cost to judge.
        return ON_TRACK_AT if objective.kpi == Kpi.FIRST_RESPONSE_TIME else None
    return projected / target


def pace_of(score: float | None) -> str:
    if score is None:
        return Pace.NO_DATA
    if score >= ON_TRACK_AT:
        return Pace.ON_TRACK
    if score >= AT_RISK_AT:
        return Pace.AT_RISK
    return Pace.BEHIND


def objective_progress(objective: Objective, *, today: date | None = None) -> Progress:
    """Progress as of `today` (default: today in the workspace's zone)."""
    workspace = objective.workspace
    today = today or analytics.local_date(workspace, timezone.now())
    start, end = objective.starts_on, objective.ends_on
    total_days = (end - start).days + 1
    prev_start, prev_end = analytics.previous_period(start, end)
    # The previous period's posts as last read (today), so a week-old post is not compared unread.
    previous, _ = kpi_value(objective, prev_start, prev_end, as_of=min(today, end))
    if today < start:
        return Progress(None, None, None, Pace.NOT_STARTED, previous, 0, total_days)
    cut = min(today, end)
    elapsed = (cut - start).days + 1
    actual, left_out = kpi_value(objective, start, cut)
    projected = actual
    if actual is not None and objective.kpi in TOTAL_KPIS:
        projected = actual * total_days / elapsed
    score = _score(objective, projected)
    share = None
    if actual is not None:
        share = score if objective.kpi in LOWER_IS_BETTER else actual / float(objective.target)
    return Progress(actual, projected, score, pace_of(score), previous, elapsed, total_days, left_out, share)
