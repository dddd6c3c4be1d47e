"""The numbers, checked against figures computed by hand (DESIGN.md: every rate names its denominator).

The scene (workspace in Asia/Shanghai; period Mon 2027-01-04 .. Sun 2027-01-10, the previous one
2026-12-28 .. 2027-01-03), values read on 2027-01-09:

    post  account    published (local)  raw values                                   engagements  followers
    P1    instagram  Mon 01-04 10:00    views 1000, reach 800, total_interactions 80   80 (direct)  1000
                                        (likes 50, comments 10, shares 5, saved 10: not added up)
    P2    weibo      Tue 01-05 20:00    attitudes 30, comments 15, reposts 5           50 (sum)     2000
    P3    x          Wed 01-06 09:00    impressions 2000, likes 40, replies 5,         60 (sum)      500
                                        retweets 5, bookmarks 10
    P0    instagram  Sat 01-02 12:00    total_interactions 40 on 01-03, 100 on 01-09   (previous period)

Instagram followers: 1000 read on 01-03, 1100 on 01-08. Weibo 2000 on 01-05, X 500 on 01-06.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.tests.factories import WorkspaceFactory
from analytics import selectors
from analytics.models import AnalyticsSettings
from analytics.services import analytics_settings_update, custom_metric_create, snapshots_ingest
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import PostTargetFactory, TagFactory, TagGroupFactory
from core.errors import ValidationFailed
from core.models import AuditEvent

from .factories import reading

pytestmark = pytest.mark.django_db

START, END = date(2027, 1, 4), date(2027, 1, 10)
SHANGHAI = timedelta(hours=8)


def local(y, m, d, h, minute=0):
    """A Shanghai wall-clock time as an aware UTC datetime."""
    return datetime(y, m, d, h, minute, tzinfo=UTC) - SHANGHAI


class Scene:
    def __init__(self):
        self.workspace = ws = WorkspaceFactory(timezone="Asia/Shanghai")
        self.instagram = SocialAccountFactory(workspace=ws, platform="instagram", credentials=False)
        self.weibo = SocialAccountFactory(workspace=ws, platform="weibo", credentials=False)
        self.x = SocialAccountFactory(workspace=ws, platform="x", credentials=False)
        self.p1 = self._post(self.instagram, local(2027, 1, 4, 10))
        self.p2 = self._post(self.weibo, local(2027, 1, 5, 20))
        self.p3 = self._post(self.x, local(2027, 1, 6, 9))
        self.p0 = self._post(self.instagram, local(2027, 1, 2, 12))
        read = local(2027, 1, 9, 20)
        rows = [
            reading(self.instagram, "followers_count", 1000, local(2027, 1, 3, 23)),
            reading(self.instagram, "followers_count", 1100, local(2027, 1, 8, 23)),
            reading(self.weibo, "followers_count", 2000, local(2027, 1, 5, 23)),
            reading(self.x, "followers_count", 500, local(2027, 1, 6, 23)),
            # P1: an early reading, then the one of 01-09 that counts
            *self._post_rows(self.p1, local(2027, 1, 5, 8), views=10, reach=8, total_interactions=1),
            *self._post_rows(
                self.p1,
                read,
                views=1000,
                reach=800,
                total_interactions=80,
                likes=50,
                comments=10,
                shares=5,
                saved=10,
            ),
            *self._post_rows(self.p2, read, attitudes_count=30, comments_count=15, reposts_count=5),
            *self._post_rows(
                self.p3,
                read,
                impression_count=2000,
                like_count=40,
                reply_count=5,
                retweet_count=5,
                bookmark_count=10,
            ),
            *self._post_rows(self.p0, local(2027, 1, 3, 20), total_interactions=40),
            *self._post_rows(self.p0, read, total_interactions=100),
        ]
        snapshots_ingest(rows, workspace=ws)

    def _post(self, account, published_at):
        return PostTargetFactory(
            post__workspace=self.workspace, account=account, published_at=published_at, status="published"
        )

    @staticmethod
    def _post_rows(target, at, **values):
        post = f"p-{target.pk}"
        return [
            reading(target.account, key, value, at, post=post, target=target) for key, value in values.items()
        ]


@pytest.fixture
def scene():
    return Scene()


def test_each_engagement_rate_names_its_denominator_and_matches_the_hand_figures(scene):
    # when
    rates = selectors.engagement_rates(scene.workspace, start=START, end=END)
    # then: by followers = (80 + 50 + 60) / (1000 + 2000 + 500); followers on the publishing day
    by_followers = rates["engagement_rate_by_followers"]
    assert by_followers.denominator == "followers"
    assert (by_followers.engagements, by_followers.denominator_total) == (190, 3500)
    assert by_followers.value == pytest.approx(190 / 3500)
    assert (by_followers.posts, by_followers.posts_left_out) == (3, 0)
    # by reach: only Instagram has reach: 80 / 800; Weibo and X are left out, not counted as zero
    by_reach = rates["engagement_rate_by_reach"]
    assert by_reach.denominator == "reach"
    assert by_reach.value == pytest.approx(0.1)
    assert (by_reach.posts, by_reach.posts_left_out) == (1, 2)
    # by views: Instagram views and X impressions: (80 + 60) / (1000 + 2000)
    by_views = rates["engagement_rate_by_views"]
    assert by_views.value == pytest.approx(140 / 3000)
    assert (by_views.posts, by_views.posts_left_out) == (2, 1)


def test_a_single_posts_rates(scene):
    figures = {f.target_id: f for f in selectors.post_figures(scene.workspace, start=START, end=END)}
    p1 = figures[scene.p1.pk]
    assert p1.common["engagements"] == 80  # Instagram's own total, not likes + comments + shares + saves (75)
    assert p1.followers == 1000  # the reading before publishing, not the later 1100
    assert selectors.post_engagement_rate(p1, "engagement_rate_by_followers") == pytest.approx(0.08)
    assert selectors.post_engagement_rate(p1, "engagement_rate_by_reach") == pytest.approx(0.1)
    assert selectors.post_engagement_rate(p1, "engagement_rate_by_views") == pytest.approx(0.08)
    assert selectors.post_engagement_rate(figures[scene.p2.pk], "engagement_rate_by_reach") is None
    assert scene.p0.pk not in figures  # published the period before


def test_period_over_period_for_posts(scene):
    # when
    change = selectors.period_over_period(scene.workspace, metric="engagements", start=START, end=END)
    # then: 190 now against P0's 40 as of the previous period's last day (its later 100 is not used)
    assert (change.current, change.previous) == (190, 40)
    assert change.change == 150 and change.change_ratio == pytest.approx(3.75)


def test_period_over_period_of_a_rate(scene):
    change = selectors.period_over_period(
        scene.workspace, metric="engagement_rate_by_followers", start=START, end=END
    )
    # P0: 40 engagements / 1000 followers
    assert change.current == pytest.approx(190 / 3500) and change.previous == pytest.approx(0.04)


def test_period_over_period_for_an_accounts_followers_and_growth(scene):
    # when
    followers = selectors.period_over_period(
        scene.workspace,
        metric="followers",
        level="account",
        start=START,
        end=END,
        account_ids=[scene.instagram.pk],
    )
    growth = selectors.period_over_period(
        scene.workspace,
        metric="follower_growth",
        level="account",
        start=START,
        end=END,
        account_ids=[scene.instagram.pk],
    )
    # then: the last reading of each period; growth from the followers when no daily gain was read
    assert (followers.current, followers.previous, followers.change) == (1100, 1000, 100)
    assert followers.change_ratio == pytest.approx(0.1)
    assert growth.current == 100


def test_daily_deltas_are_computed_in_sql_over_the_rollups(scene):
    # when
    days = selectors.account_daily(
        scene.workspace, metric="followers", start=START, end=END, account_ids=[scene.instagram.pk]
    )
    # then: 01-08's change is against 01-03, the day before the period
    assert [(d.date, d.value, d.delta) for d in days] == [(date(2027, 1, 8), 1100, 100)]


def test_a_renamed_metric_and_its_successor_on_the_same_day_count_once():
    # given a Facebook Page read before and after Meta replaced page_fans with page_follows
    workspace = WorkspaceFactory(timezone="UTC")
    page = SocialAccountFactory(workspace=workspace, platform="facebook", credentials=False)
    snapshots_ingest(
        [
            reading(page, "page_fans", 500, datetime(2025, 11, 10, 12, tzinfo=UTC)),
            reading(page, "page_fans", 999, datetime(2025, 11, 14, 12, tzinfo=UTC)),
            reading(page, "page_follows", 510, datetime(2025, 11, 14, 13, tzinfo=UTC)),
            reading(page, "page_follows", 520, datetime(2025, 11, 20, 12, tzinfo=UTC)),
        ],
        workspace=workspace,
    )
    # when
    days = selectors.account_daily(
        workspace, metric="followers", start=date(2025, 11, 10), end=date(2025, 11, 30)
    )
    # then: page_follows wins the day both were read; the series runs on through the rename
    assert [(d.date.day, d.value, d.delta) for d in days] == [(10, 500, None), (14, 510, 10), (20, 520, 10)]


def test_tag_performance_against_the_groups_mean_and_median(scene):
    # given a pillar with two tags: P1 and P3 carry "launch", P2 carries "daily"
    group = TagGroupFactory(workspace=scene.workspace, name="Pillar")
    launch = TagFactory(group=group, name="launch")
    daily = TagFactory(group=group, name="daily")
    scene.p1.post.tags.add(launch)
    scene.p3.post.tags.add(launch)
    scene.p2.post.tags.add(daily)
    # when: six tags or fewer, KAWO's base is the average per post of the whole group: 190 / 3
    auto = selectors.tag_performance(scene.workspace, group=group, start=START, end=END)
    median = selectors.tag_performance(scene.workspace, group=group, start=START, end=END, benchmark="median")
    # then: launch averages (80 + 60) / 2 = 70, daily 50
    rows = {row.name: row for row in auto.rows}
    assert auto.benchmark == "mean" and auto.base == pytest.approx(190 / 3)
    assert (rows["launch"].posts, rows["launch"].value) == (2, 70)
    assert rows["launch"].performance == pytest.approx(70 / (190 / 3) - 1)  # +10.5%
    assert rows["daily"].performance == pytest.approx(50 / (190 / 3) - 1)  # -21.1%
    # against the median of the tags' values (70 and 50: 60)
    rows = {row.name: row for row in median.rows}
    assert median.base == 60
    assert rows["launch"].performance == pytest.approx(1 / 6) and rows["daily"].performance == pytest.approx(
        -1 / 6
    )


def test_best_time_to_post_uses_the_workspaces_weekday_and_hour(scene):
    # when
    cells = selectors.best_time_to_post(scene.workspace, start=START, end=END)
    # then: Monday 10:00, Wednesday 09:00, Tuesday 20:00 Shanghai time (P2 went out at 12:00 UTC)
    assert [(c.weekday, c.hour, c.posts, c.average) for c in cells] == [
        (0, 10, 1, 80),
        (2, 9, 1, 60),
        (1, 20, 1, 50),
    ]


def test_the_same_instant_falls_on_different_days_in_shanghai_and_utc():
    # given a post published at 2027-01-01 16:30 UTC: 2027-01-02 00:30 in Shanghai
    moment = datetime(2027, 1, 1, 16, 30, tzinfo=UTC)
    found = {}
    for zone in ("Asia/Shanghai", "UTC"):
        workspace = WorkspaceFactory(timezone=zone)
        account = SocialAccountFactory(workspace=workspace, platform="weibo", credentials=False)
        target = PostTargetFactory(post__workspace=workspace, account=account, published_at=moment)
        snapshots_ingest(
            [reading(account, "attitudes_count", 7, moment, post="w-1", target=target)], workspace=workspace
        )
        # when: the figures of each calendar day
        found[zone] = {
            day: [f.common["likes"] for f in selectors.post_figures(workspace, start=day, end=day)]
            for day in (date(2027, 1, 1), date(2027, 1, 2))
        }
    # then
    assert found["Asia/Shanghai"] == {date(2027, 1, 1): [], date(2027, 1, 2): [7]}
    assert found["UTC"] == {date(2027, 1, 1): [7], date(2027, 1, 2): []}


def test_a_custom_formula_metric_over_the_period(scene):
    # given KAWO's "interactions per 1,000 followers"
    custom = custom_metric_create(
        workspace=scene.workspace, actor=None, name="Per mille", formula="engagements / followers * 1000"
    )
    # when
    value = selectors.custom_metric_value(scene.workspace, custom=custom, start=START, end=END)
    # then: 190 engagements over the accounts' followers at the period's end (1100 + 2000 + 500)
    assert value == pytest.approx(190 / 3600 * 1000)


def test_reports_lead_with_the_workspaces_chosen_engagement_rate(scene, user):
    # given the default
    assert selectors.lead_engagement_rate(scene.workspace) == "engagement_rate_by_reach"
    assert not AnalyticsSettings.objects.exists()
    # when
    analytics_settings_update(workspace=scene.workspace, actor=user, lead_engagement_rate="by_followers")
    # then
    assert selectors.lead_engagement_rate(scene.workspace) == "engagement_rate_by_followers"
    event = AuditEvent.objects.get(action="analytics.settings_update")
    assert event.before == {"lead_engagement_rate": "by_reach"}
    with pytest.raises(ValidationFailed):
        analytics_settings_update(workspace=scene.workspace, actor=user, lead_engagement_rate="by_mood")
