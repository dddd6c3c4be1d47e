"""Progress and pace against figures computed by hand, for each KPI kind, over a custom period that
crosses a month boundary in Asia/Shanghai.

Workspace in Asia/Shanghai, reporting currency CNY; period 2027-01-25 .. 2027-02-07 (14 days), read on
2027-02-02 (9 days elapsed); the previous period is 2027-01-11 .. 2027-01-24.

    post  published (Shanghai)   (UTC)              views  reach  interactions  counts in
    P1    01-25 00:30            01-24 16:30        1000   800    80            this period
    P2    02-01 01:00            01-31 17:00        500    200    20            this period (01-31 in UTC)
    P3    01-24 23:30            01-24 15:30        300    100    10            the previous period

Instagram follower_count (new followers per day): 01-24: 25, 01-25: 30, 02-01: 40, 02-03: 99 (after
today: not counted yet).
Spend (CNY, approved): 50 on 01-26, 10 on 02-05 (after today), 7 on 01-20 (previous period).
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.tests.factories import WorkspaceFactory
from analytics.services import snapshots_ingest
from analytics.tests.factories import reading
from budgets.tests.factories import BudgetLineFactory, SpendEntryFactory
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import CampaignFactory, PostTargetFactory
from objectives.models import Kpi, PeriodKind, RateBasis, Scope
from objectives.progress import Pace, objective_progress, pace_of
from objectives.tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db

START, END, TODAY = date(2027, 1, 25), date(2027, 2, 7), date(2027, 2, 2)


def local(y, m, d, h, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def scene():
    ws = WorkspaceFactory(timezone="Asia/Shanghai", currency="CNY")
    ig = SocialAccountFactory(workspace=ws, platform="instagram", credentials=False)
    rows = []
    read = local(2027, 2, 1, 20)
    for published, views, reach, interactions in [
        (local(2027, 1, 25, 0, 30), 1000, 800, 80),
        (local(2027, 2, 1, 1), 500, 200, 20),
        (local(2027, 1, 24, 23, 30), 300, 100, 10),
    ]:
        target = PostTargetFactory(post__workspace=ws, account=ig, published_at=published, status="published")
        for key, value in (("views", views), ("reach", reach), ("total_interactions", interactions)):
            rows.append(reading(ig, key, value, read, post=f"p-{target.pk}", target=target))
    for day, value in ((24, 25), (25, 30), (32, 40), (34, 99)):
        moment = local(2027, 1, 1, 23) + timedelta(days=day - 1)
        rows.append(reading(ig, "follower_count", value, moment))
    snapshots_ingest(rows, workspace=ws)
    line = BudgetLineFactory(
        budget__workspace=ws, budget__starts_on=date(2027, 1, 1), budget__ends_on=date(2027, 3, 31)
    )
    for on, amount in ((date(2027, 1, 26), "50"), (date(2027, 2, 5), "10"), (date(2027, 1, 20), "7")):
        SpendEntryFactory(line=line, spent_on=on, amount=Decimal(amount), currency="CNY")
    return ws


def _objective(ws, kpi, target, **extra):
    return ObjectiveFactory(
        workspace=ws,
        period=PeriodKind.CUSTOM,
        starts_on=START,
        ends_on=END,
        kpi=kpi,
        target=Decimal(target),
        **extra,
    )


def test_views_are_projected_linearly_and_behind(scene):
    progress = objective_progress(_objective(scene, Kpi.VIEWS, "3000"), today=TODAY)
    assert progress.actual == 1500  # P1 + P2: P2 is February 1st in Shanghai
    assert progress.days_elapsed == 9 and progress.days_total == 14
    assert progress.projected == pytest.approx(1500 * 14 / 9)  # 2333.33
    assert progress.score == pytest.approx(2333.333 / 3000, rel=1e-4)  # 0.778
    assert progress.pace == Pace.BEHIND
    assert progress.previous == 300  # P3, 23:30 on January 24 in Shanghai
    assert progress.change == 1200
    assert progress.share == pytest.approx(0.5)


def test_engagement_rate_by_reach_is_on_track(scene):
    objective = _objective(scene, Kpi.ENGAGEMENT_RATE, "0.1", rate_basis=RateBasis.BY_REACH)
    progress = objective_progress(objective, today=TODAY)
    assert progress.actual == pytest.approx((80 + 20) / (800 + 200))  # 0.1
    assert progress.projected == progress.actual  # a rate is not projected
    assert progress.pace == Pace.ON_TRACK
    assert progress.previous == pytest.approx(10 / 100)


def test_engagement_rate_by_views(scene):
    objective = _objective(scene, Kpi.ENGAGEMENT_RATE, "0.1", rate_basis=RateBasis.BY_VIEWS)
    progress = objective_progress(objective, today=TODAY)
    assert progress.actual == pytest.approx(100 / 1500)  # 0.0667: score 0.667
    assert progress.pace == Pace.BEHIND


def test_posts_per_week_is_at_risk(scene):
    progress = objective_progress(_objective(scene, Kpi.POSTS_PER_WEEK, "1.6"), today=TODAY)
    assert progress.actual == pytest.approx(2 * 7 / 9)  # 1.556 a week
    assert progress.score == pytest.approx((14 / 9) / 1.6)  # 0.972
    assert progress.pace == Pace.AT_RISK
    assert progress.previous == pytest.approx(1 * 7 / 14)


def test_follower_growth_sums_the_days_so_far(scene):
    progress = objective_progress(_objective(scene, Kpi.FOLLOWER_GROWTH, "120"), today=TODAY)
    assert progress.actual == 70  # 30 + 40; 99 on 02-03 is after today
    assert progress.projected == pytest.approx(70 * 14 / 9)  # 108.9
    assert progress.pace == Pace.AT_RISK  # 0.907
    assert progress.previous == 25


def test_cost_per_engagement_lower_is_better(scene):
    progress = objective_progress(_objective(scene, Kpi.COST_PER_ENGAGEMENT, "0.6"), today=TODAY)
    assert progress.actual == pytest.approx(50 / 100)  # CNY 50 / 100 engagements
    assert progress.score == pytest.approx(0.6 / 0.5)
    assert progress.pace == Pace.ON_TRACK
    assert progress.previous == pytest.approx(7 / 10)


def test_campaign_scope_counts_its_posts_only(scene):
    campaign = CampaignFactory(workspace=scene)
    objective = _objective(scene, Kpi.VIEWS, "1000", scope=Scope.CAMPAIGN, campaign=campaign)
    assert objective_progress(objective, today=TODAY).actual is None
    from content.models import Post

    Post.objects.filter(workspace=scene, targets__published_at=local(2027, 2, 1, 1)).update(campaign=campaign)
    assert objective_progress(objective, today=TODAY).actual == 500


def test_before_the_period_it_has_not_started(scene):
    progress = objective_progress(_objective(scene, Kpi.VIEWS, "3000"), today=date(2027, 1, 24))
    assert progress.pace == Pace.NOT_STARTED and progress.actual is None


@pytest.mark.parametrize(
    ("score", "pace"),
    [
        (None, Pace.NO_DATA),
        (1.0, Pace.ON_TRACK),
        (0.9999, Pace.AT_RISK),
        (0.9, Pace.AT_RISK),
        (0.8999, Pace.BEHIND),
    ],
)
def test_pace_thresholds(score, pace):
    assert pace_of(score) == pace
