"""The benchmark's fast paths give the same answers as the plain definitions they replace: the spike rule
computed with numpy windows against statistics.median one post at a time, the follower lookups by
bisection against a scan, and the own brand's followers per day from one series read against
analytics' account_values_on day by day."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from statistics import median

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.tests.factories import WorkspaceFactory
from analytics.selectors import account_values_on
from analytics.services import snapshots_ingest
from analytics.tests.factories import reading
from channels_app.tests.factories import SocialAccountFactory
from competitors.selectors import post_spikes

# The module (the package exports a function of the same name).
benchmark_module = importlib.import_module("competitors.selectors.benchmark")

T0 = datetime(2027, 1, 1, tzinfo=UTC)


def reference_spikes(series, since=None):
    ordered = sorted(series, key=lambda item: item[1])
    found = []
    for index, (post_id, at, value) in enumerate(ordered):
        history = [v for _i, _a, v in ordered[max(0, index - benchmark_module.SPIKE_WINDOW) : index]]
        if len(history) < benchmark_module.SPIKE_MIN_HISTORY or (since is not None and at < since):
            continue
        m = median(history)
        mad = median([abs(v - m) for v in history])
        threshold = m + benchmark_module.SPIKE_K * benchmark_module.MAD_SCALE * max(mad, 1.0)
        if value > threshold:
            found.append((post_id, at, value, m, mad, threshold))
    return found


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=5000), max_size=70),
    spikes=st.sets(st.integers(min_value=0, max_value=69), max_size=6),
    since=st.one_of(st.none(), st.integers(min_value=0, max_value=70)),
)
def test_spikes_match_the_definition_post_by_post(values, spikes, since):
    series = [
        (f"p{n}", T0 + timedelta(hours=n), float(v * 40 if n in spikes else v)) for n, v in enumerate(values)
    ]
    since_at = None if since is None else T0 + timedelta(hours=since)
    fast = [
        (s.post_id, s.published_at, s.engagements, s.median, s.mad, s.threshold)
        for s in post_spikes(list(reversed(series)), since=since_at)
    ]
    expected = reference_spikes(series, since_at)
    assert [row[:3] for row in fast] == [row[:3] for row in expected]
    for got, want in zip(fast, expected, strict=True):
        assert got[3:] == pytest.approx(want[3:])


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=5000), min_size=21, max_size=80),
    since=st.one_of(st.none(), st.integers(min_value=0, max_value=80)),
)
def test_every_window_median_and_mad_match_the_definition(values, since):
    """With K so low that every post with enough history is reported, each post's median, MAD and
    threshold are compared, not only those of the few spikes."""
    series = [(f"p{n}", T0 + timedelta(hours=n), float(v)) for n, v in enumerate(values)]
    since_at = None if since is None else T0 + timedelta(hours=since)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(benchmark_module, "SPIKE_K", -1e12)
        fast = [(s.post_id, s.median, s.mad) for s in post_spikes(series, since=since_at)]
        expected = [(row[0], row[3], row[4]) for row in reference_spikes(series, since_at)]
    assert fast == expected
    evaluated = len(values) - max(benchmark_module.SPIKE_MIN_HISTORY, since or 0)
    assert len(fast) == max(0, evaluated)


@given(
    times=st.lists(st.integers(min_value=0, max_value=500), unique=True, max_size=30),
    probe=st.integers(min_value=-5, max_value=505),
)
def test_last_reading_before_a_moment_matches_a_scan(times, probe):
    readings = benchmark_module.Readings()
    ordered = sorted(times)
    for t in ordered:
        readings.add(T0 + timedelta(hours=t), float(t))
    moment = T0 + timedelta(hours=probe)
    scanned = None
    for t in ordered:
        if T0 + timedelta(hours=t) < moment:
            scanned = float(t)
    assert readings.before(moment) == scanned


@pytest.mark.django_db
def test_own_followers_per_day_match_analytics_day_by_day():
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    weibo = SocialAccountFactory(workspace=workspace, platform="weibo", credentials=False)
    instagram = SocialAccountFactory(workspace=workspace, platform="instagram", credentials=False)
    shanghai = timedelta(hours=8)
    rows = [
        reading(weibo, "followers_count", 2000, datetime(2027, 1, 2, 23, tzinfo=UTC) - shanghai),
        reading(weibo, "followers_count", 2100, datetime(2027, 1, 5, 0, 30, tzinfo=UTC) - shanghai),
        reading(instagram, "followers_count", 900, datetime(2027, 1, 4, 12, tzinfo=UTC) - shanghai),
        reading(instagram, "followers_count", 950, datetime(2027, 1, 7, 23, 59, tzinfo=UTC) - shanghai),
    ]
    snapshots_ingest(workspace=workspace, rows=rows)
    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(9)]
    expected = []
    for day in days:
        known = [
            v for v in account_values_on(workspace, metric="followers", day=day).values() if v is not None
        ]
        expected.append(sum(known) if known else None)
    assert benchmark_module._own_followers(workspace, days) == expected
    assert expected[0] is None and expected[-1] == 2100 + 950  # the scene is not trivially empty
