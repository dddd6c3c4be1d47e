"""The metric registry knows every metric the connectors emit (issue 12): derived from the code, not a list.

For every connector class in channels_app.connectors.registry with `capabilities.metrics=True`, the
test connects a simulated account and publishes a post the way the connectors' own metrics contract
tests do (their case helpers are reused), reads account and post metrics, and checks each emitted
MetricValue key, each MetricUnavailable key and each `replaced_by` against analytics.metrics.registry
at that level for that platform. The ingest refuses a batch with an unknown key, so a key missing here
would lose a whole pull in production. A metrics connector without a case to drive it fails the test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.metrics import Level, is_known
from channels_app.connectors.base import MetricsResult
from channels_app.connectors.registry import CONNECTORS, connector_for
from channels_app.tests import test_metrics_china as china
from channels_app.tests import test_metrics_global as world

# The Chinese cases' connector fixture (it sets each platform's app credentials for the test).
make_connector = china.make_connector
METRIC_PLATFORMS = sorted(platform for platform, cls in CONNECTORS.items() if cls.capabilities.metrics)


def unknown_keys(platform: str, result: MetricsResult) -> list[str]:
    """Every key the result names (values, unavailable, successors) that the registry does not list."""
    named = [(v.entity, v.key) for v in result.values]
    named += [(u.entity, u.key) for u in result.unavailable]
    named += [(u.entity, u.replaced_by) for u in result.unavailable if u.replaced_by]
    return sorted(
        {f"{entity}.{key}" for entity, key in named if not is_known(platform, key, level=Level(entity))}
    )


def read_global(platform_sim, platform: str) -> list[MetricsResult]:
    case = world.BY_PLATFORM[platform]
    account = world.sim_account(platform_sim, case)
    post = world.publish_one(platform_sim, case, account)
    world.pin_clock(platform_sim, case, account, post["created_at"] + 3 * world.DAY)
    connector = connector_for(platform)
    credentials = case.credentials(account)
    until = datetime.now(UTC).date()
    return [
        connector.fetch_post_metrics(credentials, [case.external_id(post)]),
        connector.fetch_account_metrics(credentials, since=until - timedelta(days=6), until=until),
    ]


def read_china(platform_sim, make, platform: str) -> list[MetricsResult]:
    connector = make(platform)
    _account, credentials = china.connected(platform_sim, connector, followers=20000)
    post_id = china.published(platform_sim, connector, credentials, age_days=2)
    until = china.cm.yesterday()  # Beijing's yesterday (the data cube's last day)
    return [
        connector.fetch_post_metrics(credentials, [post_id]),
        connector.fetch_account_metrics(credentials, since=until - timedelta(days=6), until=until),
    ]


def test_the_metrics_connectors_are_found_from_the_connector_registry():
    # given / when: the list the test below runs over
    # then: it is the code's, and every one of them has a case to drive it
    assert len(METRIC_PLATFORMS) >= 13
    for platform in METRIC_PLATFORMS:
        assert platform in world.BY_PLATFORM or platform in china.CASES, f"no metrics case for {platform}"


@pytest.mark.parametrize("platform", METRIC_PLATFORMS)
def test_every_metric_a_connector_emits_is_in_the_registry(platform_sim, make_connector, platform):
    # given an account with a published post, read as the pull pipeline reads it
    if platform in world.BY_PLATFORM:
        results = read_global(platform_sim, platform)
    else:
        results = read_china(platform_sim, make_connector, platform)

    # when
    emitted = [key for result in results for key in (*result.values, *result.unavailable)]
    unknown = sorted({key for result in results for key in unknown_keys(platform, result)})

    # then
    assert emitted, f"{platform} emitted nothing: the test would prove nothing"
    assert unknown == [], f"{platform}: keys the registry does not list at that level: {unknown}"


@pytest.mark.parametrize("platform", [p for p in METRIC_PLATFORMS if p in world.BY_PLATFORM])
def test_what_a_connector_records_as_removed_or_late_is_in_the_registry(platform_sim, platform):
    # given the platform stops serving one metric of each level and has not finished today's figures
    case = world.BY_PLATFORM[platform]
    removed = [case.removable_post_metric, case.removable_account_metric]
    account = world.sim_account(platform_sim, case, metrics_removed=removed, metrics_late_days=1)
    post = world.publish_one(platform_sim, case, account)
    connector = connector_for(platform)
    until = datetime.now(UTC).date()

    # when
    results = [
        connector.fetch_post_metrics(case.credentials(account), [case.external_id(post)]),
        connector.fetch_account_metrics(
            case.credentials(account), since=until - timedelta(days=2), until=until
        ),
    ]

    # then
    assert [u for r in results for u in r.unavailable], "nothing was recorded: the test would prove nothing"
    assert sorted({k for r in results for k in unknown_keys(platform, r)}) == []


def test_wechat_retired_read_figures_and_their_successors_are_in_the_registry(platform_sim, make_connector):
    # given WeChat answers the retired getuserread with getbizsummary (a rename of a group of metrics)
    connector = make_connector("wechat_oa")
    _account, credentials = china.connected(platform_sim, connector, metrics_removed=["getuserread"])
    until = china.cm.yesterday()

    # when
    result = connector.fetch_account_metrics(credentials, since=until - timedelta(days=2), until=until)

    # then
    assert [u for u in result.unavailable if u.replaced_by]
    assert unknown_keys("wechat_oa", result) == []
