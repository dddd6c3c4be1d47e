"""The metric registry is well-formed: every entry names a known common metric, unit and level, every
common metric is fed by some platform, and renamed metrics resolve to their successor."""

from datetime import date

import pytest
from django.conf import settings

from analytics.metrics import (
    COMMON_METRICS,
    PLATFORM_METRICS,
    Aggregation,
    Level,
    Unit,
    UnknownMetric,
    feeders,
    metric_successor,
    platform_metric,
)

ALL_METRICS = [metric for metrics in PLATFORM_METRICS.values() for metric in metrics]


def test_every_platform_of_the_product_has_a_registry_entry():
    # given / when / then: a platform without an API has an empty list, not a missing key
    assert set(PLATFORM_METRICS) == set(settings.PLATFORM_KEYS)


@pytest.mark.parametrize("metric", ALL_METRICS, ids=lambda m: f"{m.platform}.{m.level}.{m.key}")
def test_every_entry_is_well_formed(metric):
    assert metric.key and metric.key == metric.key.strip()
    assert str(metric.name).strip() and str(metric.meaning).endswith(".")
    assert isinstance(metric.unit, Unit) and isinstance(metric.level, Level)
    assert isinstance(metric.aggregation, Aggregation)
    assert metric.feeds is None or metric.feeds in COMMON_METRICS
    assert ":" in metric.source  # the API, then the endpoint and field
    assert metric.to_common > 0
    if metric.feeds and COMMON_METRICS[metric.feeds].unit == Unit.COUNT:
        assert metric.unit == Unit.COUNT and metric.to_common == 1.0
    if metric.replaced_by:
        assert metric.removed_on is not None
        successor = platform_metric(metric.platform, metric.replaced_by, level=metric.level)
        assert successor.key != metric.key
    if metric.removed_on is not None:
        assert metric.replaced_by or metric.feeds is None  # a removed feeder says what took over


def test_keys_are_unique_per_platform_and_level():
    seen = [(m.platform, m.level, m.key) for m in ALL_METRICS]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("common", sorted(COMMON_METRICS))
def test_every_common_metric_is_fed_by_at_least_one_platform_metric(common):
    assert any(metric.feeds == common for metric in ALL_METRICS), common


def test_a_successor_is_listed_before_the_metric_it_replaced_so_it_is_preferred():
    for metric in ALL_METRICS:
        if metric.replaced_by and metric.feeds:
            order = [m.key for m in feeders(metric.platform, metric.feeds, level=metric.level)]
            successor = platform_metric(metric.platform, metric.replaced_by, level=metric.level)
            if successor.feeds == metric.feeds:
                assert order.index(successor.key) < order.index(metric.key), metric.qualified_key


@pytest.mark.parametrize(
    ("platform", "level", "old", "new", "removed_on"),
    [
        ("instagram", Level.POST, "impressions", "views", date(2025, 4, 21)),
        ("instagram", Level.POST, "plays", "views", date(2025, 4, 21)),
        ("instagram", Level.ACCOUNT, "impressions", "views", date(2025, 4, 21)),
        ("facebook", Level.ACCOUNT, "page_fans", "page_follows", date(2025, 11, 15)),
        ("facebook", Level.ACCOUNT, "page_impressions", "page_media_view", date(2025, 11, 15)),
        (
            "facebook",
            Level.POST,
            "post_impressions_unique",
            "post_total_media_view_unique",
            date(2025, 11, 15),
        ),
    ],
)
def test_renamed_metrics_resolve_to_their_successor(platform, level, old, new, removed_on):
    # given a metric Meta renamed
    metric = platform_metric(platform, old, level=level)
    # when / then: the newest registry points to the successor, and so does any day from the removal on
    assert metric.removed_on == removed_on
    assert metric_successor(platform, old, level=level).key == new
    assert metric_successor(platform, old, level=level, on=removed_on).key == new
    # ... while before the removal the old metric was still the one to ask for
    assert metric_successor(platform, old, level=level, on=date(2025, 1, 1)).key == old
    assert not metric.available_on(removed_on) and metric.available_on(date(2025, 1, 1))


def test_a_current_metric_is_its_own_successor_and_unknown_keys_are_refused():
    assert metric_successor("weibo", "followers_count", level=Level.ACCOUNT).key == "followers_count"
    with pytest.raises(UnknownMetric):
        platform_metric("instagram", "no_such_metric", level=Level.POST)


def test_names_are_translated_into_simplified_chinese():
    from django.utils import translation

    # given every human name of the registry
    names = {str(m.name) for m in ALL_METRICS} | {str(c.name) for c in COMMON_METRICS.values()}
    # when
    with translation.override("zh-hans"):
        translated = {name: str(_lookup(name)) for name in names}
    # then
    untranslated = sorted(name for name, text in translated.items() if text == name)
    assert not untranslated, untranslated


def _lookup(name):
    from django.utils.translation import gettext

    return gettext(name)
