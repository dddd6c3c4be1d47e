"""Hand-computed benchmark figures (acceptance 3): growth, posts per week, engagements per post,
engagement rate by followers, share of voice, and the spike rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from accounts.tests.factories import WorkspaceFactory
from competitors.models import RivalPost, RivalSnapshot
from competitors.selectors import benchmark, colour_of, median_mad, post_spikes
from competitors.tests.factories import benchmarked_brand

pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, 30, hour, tzinfo=UTC) + timedelta(days=day)


def followers(account, when, value):
    RivalSnapshot.objects.create(
        rival=account, metric="followers", value=value, captured_at=when, source="provider"
    )


def post(account, post_id, when, engagements):
    RivalPost.objects.create(
        rival=account,
        platform_post_id=post_id,
        published_at=when,
        engagements=engagements,
        source="provider",
        track_until=when + timedelta(days=7),
        media_kind="video",
        text="#上新# hello",
        hashtags=["上新"],
    )


def test_the_benchmark_by_hand():
    # given: a UTC workspace, the period 1-7 December 2026 (7 days)
    workspace = WorkspaceFactory(timezone="UTC")
    brand_a, a1 = benchmarked_brand(workspace, name="A")
    brand_b, b1 = benchmarked_brand(workspace, name="B")
    followers(a1, at(0, 12), 1000)  # 30 Nov: the day before the period
    followers(a1, at(1, 12), 1010)
    followers(a1, at(7, 12), 1100)
    followers(b1, at(3, 9), 500)  # B first read inside the period
    followers(b1, at(7, 9), 520)
    post(a1, "p1", at(2, 10), 50)  # followers that day: 1010
    post(a1, "p2", at(5, 10), 30)  # 1010
    post(b1, "q1", at(3, 10), 20)  # 500
    post(b1, "q2", at(6, 10), None)  # no figures yet
    post(b1, "old", at(-3, 10), 999)  # before the period
    # when
    result = benchmark(workspace, start=date(2026, 12, 1), end=date(2026, 12, 7))
    # then
    own, a, b = result.brands
    assert (a.followers, a.followers_before, a.net_growth) == (1100, 1000, 100)
    assert (b.followers, b.followers_before, b.net_growth) == (520, 500, 20)
    assert (a.posts, a.posts_per_week, b.posts, b.posts_per_week) == (2, 2.0, 2, 2.0)
    assert (a.engagements, a.engagements_per_post) == (80, 40)
    assert (b.engagements, b.engagements_per_post) == (20, 20)  # q2 has no figures: left out
    assert a.engagement_rate_by_followers == pytest.approx(80 / 2020)
    assert b.engagement_rate_by_followers == pytest.approx(20 / 500)
    assert (own.posts, own.engagements) == (0, 0)
    assert (a.engagement_share, b.engagement_share, own.engagement_share) == (0.8, 0.2, 0.0)
    assert (a.post_share, b.post_share, own.post_share) == (0.5, 0.5, 0.0)
    assert a.media_mix == {"video": 2} and a.top_hashtags == [("上新", 2)]
    assert a.followers_by_day == [1010, 1010, 1010, 1010, 1010, 1010, 1100]
    assert b.followers_by_day == [None, None, 500, 500, 500, 500, 520]
    assert [p.post_id for p in result.top_posts] == ["p1", "p2", "q1"]
    assert sum(cell["posts"] for cell in result.heatmap) == 4
    assert {(c["weekday"], c["hour"]) for c in result.heatmap if c["brand"] == f"brand:{brand_a.pk}"} == {
        (2, 10),
        (5, 10),
    }
    assert colour_of(a.followers, [None, 1100, 520]) == "best"
    assert colour_of(b.followers, [None, 1100, 520]) == "worst"
    assert colour_of(5, [1, 5, 10, 2]) == "above" and colour_of(2, [1, 5, 10, 2]) == "below"


def test_the_spike_rule_by_hand():
    # history 10 12 11 9 10 13: median 10.5, absolute deviations .5 1.5 .5 1.5 .5 2.5 -> MAD 1.0,
    # threshold 10.5 + 3 x 1.4826 x 1.0 = 14.9478: 100 is a spike.
    # Before it, 13 against 10 12 11 9 10: median 10, MAD 1, threshold 14.4478: not a spike.
    assert median_mad([10, 12, 11, 9, 10, 13]) == (10.5, 1.0)
    values = [10, 12, 11, 9, 10, 13, 100]
    series = [(f"p{i}", at(i, 9), v) for i, v in enumerate(values)]
    spikes = post_spikes(series)
    assert [(s.post_id, s.median, s.mad) for s in spikes] == [("p6", 10.5, 1.0)]
    assert spikes[0].threshold == pytest.approx(14.9478)
    # fewer than five previous posts: no baseline, no spike
    assert post_spikes(series[:4] + [("big", at(9, 9), 1000)]) == []
