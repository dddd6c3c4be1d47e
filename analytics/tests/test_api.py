"""The analytics API, through real requests, against the figures computed by hand in test_numbers.py's
scene (workspace in Asia/Shanghai; period Mon 2027-01-04 .. Sun 2027-01-10, previous 2026-12-28 ..
2027-01-03):

    P1 instagram Mon 10:00  views 1000, reach 800, engagements 80 (Instagram's own total)
    P2 weibo     Tue 20:00  engagements 30 + 15 + 5 = 50
    P3 x         Wed 09:00  impressions (views) 2000, engagements 40 + 5 + 5 + 10 = 60
    P0 instagram Sat 01-02  (previous period) engagements 40 as of 01-03
    followers: instagram 1000 (01-03), 1100 (01-08); weibo 2000 (01-05); x 500 (01-06)
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from analytics.models import CustomMetric
from analytics.services import snapshots_ingest
from content.tests.factories import CampaignFactory, TagFactory, TagGroupFactory

from .factories import reading
from .test_numbers import Scene, local

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2027-01-04", "end": "2027-01-10"}


@pytest.fixture
def scene():
    return Scene()


def api(scene, role=Role.ANALYST, **headers) -> APIClient:
    client = APIClient(**headers)
    client.force_authenticate(WorkspaceMemberFactory(workspace=scene.workspace, role=role).user)
    return client


def url(scene, name, **kwargs) -> str:
    return reverse(name, kwargs={"workspace_id": scene.workspace.pk, **kwargs})


def by(items, key, value):
    return next(item for item in items if item[key] == value)


def test_overview_compares_the_period_with_the_previous_one(scene):
    # when
    response = api(scene).get(url(scene, "analytics-overview"), PERIOD)
    # then
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["previous_period"] == {"start": "2026-12-28", "end": "2027-01-03"}
    workspace = data["workspace"]
    assert workspace["posts"] | {} == {
        "metric": "posts",
        "name": "Posts",
        "current": 3,
        "previous": 1,
        "change": 2,
        "change_ratio": 2.0,
    }
    engagements = by(workspace["metrics"], "metric", "engagements")
    assert (engagements["current"], engagements["previous"]) == (190, 40)
    assert engagements["change_ratio"] == pytest.approx(150 / 40)
    assert by(workspace["metrics"], "metric", "views")["current"] == 3000
    # followers are the accounts' own last values: 1100 + 2000 + 500 now, only Instagram's 1000 before
    followers = by(workspace["metrics"], "metric", "followers")
    assert (followers["current"], followers["previous"]) == (3600, 1000)


def test_overview_leads_with_the_workspaces_rate_and_names_each_denominator(scene):
    # given: the workspace leads with the rate by followers
    admin = api(scene, Role.ADMIN)
    admin.patch(url(scene, "analytics-settings"), {"lead_engagement_rate": "by_followers"}, format="json")
    # when
    data = api(scene).get(url(scene, "analytics-overview"), PERIOD).json()
    # then
    assert data["lead_rate"] == "engagement_rate_by_followers"
    rates = data["workspace"]["rates"]
    assert [rate["key"] for rate in rates] == [
        "engagement_rate_by_followers",
        "engagement_rate_by_reach",
        "engagement_rate_by_views",
    ]
    by_followers, by_reach, by_views = rates
    assert by_followers["denominator"] == "followers"
    assert by_followers["value"] == pytest.approx(190 / 3500)
    # P0's account was read only after it was published: its first reading (1000) is the denominator
    assert by_followers["previous"] == pytest.approx(40 / 1000)
    assert (by_reach["value"], by_reach["posts"], by_reach["posts_left_out"]) == (pytest.approx(0.1), 1, 2)
    assert by_reach["previous"] is None
    assert by_views["value"] == pytest.approx(140 / 3000)


def test_overview_per_platform_and_per_account(scene):
    # when
    data = api(scene).get(url(scene, "analytics-overview"), PERIOD).json()
    # then
    instagram = by(data["platforms"], "platform", "instagram")
    assert instagram["platform_name"] == "Instagram"
    assert by(instagram["metrics"], "metric", "engagements")["current"] == 80
    assert by(instagram["metrics"], "metric", "engagements")["change_ratio"] == pytest.approx(1.0)
    weibo = next(row for row in data["accounts"] if row["account"]["id"] == scene.weibo.pk)
    assert weibo["posts"]["current"] == 1
    assert by(weibo["metrics"], "metric", "followers")["current"] == 2000
    assert by(weibo["rates"], "key", "engagement_rate_by_followers")["value"] == pytest.approx(50 / 2000)


def test_posts_table_sorts_and_filters(scene):
    # given: P1 and P2 in a campaign, P3 tagged
    campaign = CampaignFactory(workspace=scene.workspace, name="Launch")
    for target in (scene.p1, scene.p2):
        target.post.campaign = campaign
        target.post.save()
    tag = TagFactory(group=TagGroupFactory(workspace=scene.workspace), name="tips")
    scene.p3.post.tags.add(tag)
    client = api(scene)
    # when
    ranked = client.get(url(scene, "analytics-posts"), {**PERIOD, "sort": "-engagements"}).json()
    in_campaign = client.get(url(scene, "analytics-posts"), {**PERIOD, "campaign": campaign.pk}).json()
    tagged = client.get(url(scene, "analytics-posts"), {**PERIOD, "tags": str(tag.pk)}).json()
    on_weibo = client.get(url(scene, "analytics-posts"), {**PERIOD, "platforms": "weibo"}).json()
    images = client.get(url(scene, "analytics-posts"), {**PERIOD, "media_type": "image"}).json()
    by_reach = client.get(
        url(scene, "analytics-posts"), {**PERIOD, "sort": "-engagement_rate_by_reach"}
    ).json()
    # then
    assert [row["metrics"]["engagements"] for row in ranked["results"]] == [80, 60, 50]
    assert ranked["count"] == 3
    first = ranked["results"][0]
    assert first["published_at"] == "2027-01-04T10:00:00+08:00"  # the workspace's zone
    assert first["rates"]["engagement_rate_by_reach"] == pytest.approx(0.1)
    assert first["campaign"]["name"] == "Launch"
    assert first["media_type"] == "text"
    assert {row["target_id"] for row in in_campaign["results"]} == {scene.p1.pk, scene.p2.pk}
    assert [row["target_id"] for row in tagged["results"]] == [scene.p3.pk]
    assert tagged["results"][0]["tags"][0]["name"] == "tips"
    assert [row["target_id"] for row in on_weibo["results"]] == [scene.p2.pk]
    assert images["count"] == 0
    # posts without reach come after the one that has it, whichever the direction
    assert by_reach["results"][0]["target_id"] == scene.p1.pk


def test_posts_table_pages(scene):
    # when
    first = api(scene).get(url(scene, "analytics-posts"), {**PERIOD, "page_size": 2}).json()
    second = api(scene).get(first["next"]).json()
    # then: newest first by default
    assert (first["count"], first["pages"]) == (3, 2)
    assert [row["target_id"] for row in first["results"]] == [scene.p3.pk, scene.p2.pk]
    assert [row["target_id"] for row in second["results"]] == [scene.p1.pk]
    assert second["next"] is None and second["previous"]


def _queries_for_posts_table(count: int, sort: str = "-engagements") -> int:
    scene = Scene()
    rows = []
    for index in range(count):
        target = scene._post(scene.weibo, local(2027, 1, 7, 9, index % 60))
        target.post.tags.add(TagFactory(group=TagGroupFactory(workspace=scene.workspace)))
        rows += scene._post_rows(target, local(2027, 1, 9, 20), attitudes_count=index, comments_count=1)
    snapshots_ingest(rows, workspace=scene.workspace)
    client = api(scene)
    path = url(scene, "analytics-posts")
    client.get(path, PERIOD)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {**PERIOD, "page_size": 100, "sort": sort})
    assert response.status_code == 200
    assert response.json()["count"] == count + 3
    return len(queries)


def test_posts_table_makes_the_same_number_of_queries_for_1_and_20_posts():
    assert _queries_for_posts_table(1) == _queries_for_posts_table(20)


def _queries_for_overview(count: int) -> int:
    """Queries of one overview request on a workspace with `count` more accounts, each with a post
    published in the period and in the previous one, and daily followers."""
    from channels_app.tests.factories import SocialAccountFactory

    scene = Scene()
    rows = []
    for index in range(count):
        account = SocialAccountFactory(workspace=scene.workspace, platform="weibo", credentials=False)
        for published in (local(2027, 1, 7, 9, index % 60), local(2027, 1, 1, 9, index % 60)):
            target = scene._post(account, published)
            rows += scene._post_rows(target, local(2027, 1, 9, 20), attitudes_count=index, comments_count=1)
        rows.append(reading(account, "followers_count", 100 + index, local(2027, 1, 8, 23)))
    snapshots_ingest(rows, workspace=scene.workspace)
    client = api(scene)
    path = url(scene, "analytics-overview")
    client.get(path, PERIOD)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, PERIOD)
    assert response.status_code == 200
    assert len(response.json()["accounts"]) == count + 3
    assert response.json()["workspace"]["posts"]["current"] == count + 3
    return len(queries)


def test_overview_makes_the_same_number_of_queries_for_1_and_20_accounts_and_posts():
    assert _queries_for_overview(1) == _queries_for_overview(20)


def test_posts_table_sorted_by_a_rate_makes_the_same_number_of_queries_for_1_and_20_posts():
    assert _queries_for_posts_table(1, sort="-engagement_rate_by_reach") == _queries_for_posts_table(
        20, sort="-engagement_rate_by_reach"
    )


def test_top_posts_and_best_time_in_the_workspaces_zone(scene):
    # when
    top = api(scene).get(url(scene, "analytics-top-posts"), {**PERIOD, "limit": 2}).json()
    best = api(scene).get(url(scene, "analytics-best-time"), PERIOD).json()
    # then
    assert [row["target_id"] for row in top["results"]] == [scene.p1.pk, scene.p3.pk]
    assert best["timezone"] == "Asia/Shanghai"
    # P1 was published on Monday 10:00 in Shanghai (02:00 UTC): the best cell
    assert best["cells"][0] == {"weekday": 0, "hour": 10, "posts": 1, "average": 80}
    assert {(c["weekday"], c["hour"]) for c in best["cells"]} == {(0, 10), (1, 20), (2, 9)}


def test_follower_growth_carries_readings_forward(scene):
    # when
    data = api(scene).get(url(scene, "analytics-follower-growth"), PERIOD).json()
    # then
    assert data["dates"][0] == "2027-01-04" and len(data["dates"]) == 7
    assert data["total"] == [1000, 3000, 3500, 3500, 3600, 3600, 3600]
    assert data["growth"] == [None, 2000, 500, 0, 100, 0, 0]
    instagram = next(row for row in data["accounts"] if row["account"]["id"] == scene.instagram.pk)
    assert instagram["values"] == [1000, 1000, 1000, 1000, 1100, 1100, 1100]


def test_campaign_report_and_one_campaign(scene):
    # given
    campaign = CampaignFactory(workspace=scene.workspace, name="Launch")
    CampaignFactory(workspace=scene.workspace, name="Quiet")
    for target in (scene.p1, scene.p2):
        target.post.campaign = campaign
        target.post.save()
    # when
    report = api(scene).get(url(scene, "analytics-campaigns"), PERIOD).json()
    one = api(scene).get(url(scene, "analytics-campaign", campaign_id=campaign.pk), PERIOD).json()
    # then
    launch = by(report["campaigns"], "name", "Launch")
    assert (launch["posts"], launch["metrics"]["engagements"]) == (2, 130)
    assert by(launch["rates"], "key", "engagement_rate_by_followers")["value"] == pytest.approx(130 / 3000)
    assert by(report["campaigns"], "name", "Quiet")["posts"] == 0
    assert [row["target_id"] for row in one["top_posts"]] == [scene.p1.pk, scene.p2.pk]


def test_tag_report_uses_kawos_rule(scene):
    # given: P1 and P3 carry "launch" (70 on average), P2 "daily" (50); base = 190 / 3 (six tags or fewer)
    group = TagGroupFactory(workspace=scene.workspace, name="Pillar")
    launch, daily = TagFactory(group=group, name="launch"), TagFactory(group=group, name="daily")
    scene.p1.post.tags.add(launch)
    scene.p3.post.tags.add(launch)
    scene.p2.post.tags.add(daily)
    # when
    auto = api(scene).get(url(scene, "analytics-tags"), PERIOD).json()
    median = api(scene).get(
        url(scene, "analytics-tags"), {**PERIOD, "group": group.pk, "benchmark": "median"}
    )
    # then
    pillar = by(auto["groups"], "id", group.pk)
    assert (pillar["benchmark"], pillar["base"]) == ("mean", pytest.approx(190 / 3))
    assert by(pillar["tags"], "name", "launch")["performance"] == pytest.approx(70 / (190 / 3) - 1)
    assert by(pillar["tags"], "name", "daily")["value"] == 50
    median_group = median.json()["groups"][0]
    assert median_group["base"] == 60
    assert by(median_group["tags"], "name", "daily")["performance"] == pytest.approx(50 / 60 - 1)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2027-01-10", "end": "2027-01-04"}, "end"),
        ({"start": "2027-13-01", "end": "2027-01-04"}, "start"),
        ({"start": "yesterday"}, "start"),
        ({"start": "2020-01-01", "end": "2027-01-04"}, "start"),
        ({**PERIOD, "accounts": "one"}, "accounts.0"),
    ],
)
def test_a_reversed_or_malformed_period_is_a_400_naming_the_field(scene, query, field):
    for name in ("analytics-overview", "analytics-posts", "analytics-best-time", "analytics-follower-growth"):
        # when
        response = api(scene).get(url(scene, name), query)
        # then
        assert response.status_code == 400, (name, response.content)
        assert field in response.json()["error"]["fields"], (name, response.json())


@pytest.mark.parametrize(
    ("query", "field"),
    [({"sort": "-nonsense"}, "sort"), ({"media_type": "gif"}, "media_type"), ({"page": 0}, "page")],
)
def test_bad_table_parameters_are_a_400(scene, query, field):
    response = api(scene).get(url(scene, "analytics-posts"), {**PERIOD, **query})
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_tag_group_of_another_workspace_is_a_400_on_group(scene):
    # given
    foreign = TagGroupFactory()
    # when
    response = api(scene).get(url(scene, "analytics-tags"), {**PERIOD, "group": foreign.pk})
    # then
    assert response.status_code == 400
    assert "group" in response.json()["error"]["fields"]


def test_registry_lists_each_platforms_metrics_in_the_request_language(scene):
    # when
    english = api(scene).get(url(scene, "analytics-metrics"), {"platform": "instagram"}).json()
    chinese = api(scene, HTTP_ACCEPT_LANGUAGE="zh-hans").get(url(scene, "analytics-metrics")).json()
    # then
    (instagram,) = english["platforms"]
    impressions = next(m for m in instagram["metrics"] if m["key"] == "impressions" and m["level"] == "post")
    assert impressions["replaced_by"] == "views"
    assert impressions["removed_on"] == "2025-04-21"
    assert impressions["common_metric"] == "views"
    assert by(english["rates"], "key", "engagement_rate_by_reach")["formula"] == "engagements / reach"
    assert by(english["common_metrics"], "key", "followers")["name"] == "Followers"
    assert by(chinese["common_metrics"], "key", "followers")["name"] == "粉丝数"
    weibo = by(chinese["platforms"], "platform", "weibo")
    assert all(metric["name"] != metric["key"] for metric in weibo["metrics"])
    assert by(chinese["rates"], "key", "engagement_rate_by_reach")["name"] != "Engagement rate by reach"


def test_custom_metrics_crud_and_value_over_the_period(scene):
    # given
    admin = api(scene, Role.ADMIN)
    path = url(scene, "analytics-custom-metrics")
    # when
    made = admin.post(path, {"name": "Per 1k followers", "formula": "engagements / followers * 1000"})
    listed = api(scene).get(path, PERIOD).json()
    detail = url(scene, "analytics-custom-metric", custom_metric_id=made.json()["id"])
    changed = admin.patch(detail, {"formula": "engagements / 2"}, format="json")
    deleted = admin.delete(detail)
    # then: 190 engagements over 3600 followers (the accounts' last values), per thousand
    assert made.status_code == 201, made.content
    assert listed[0]["value"] == pytest.approx(190 / 3600 * 1000)
    assert changed.json()["formula"] == "engagements / 2"
    assert deleted.status_code == 204
    assert not CustomMetric.objects.filter(workspace=scene.workspace).exists()


@pytest.mark.parametrize(
    "formula", ["__import__('os')", "engagements ** 2", "nonsense / 2", "engagements +", "likes.real"]
)
def test_a_bad_formula_is_a_400_on_formula(scene, formula):
    # when
    response = api(scene, Role.ADMIN).post(
        url(scene, "analytics-custom-metrics"), {"name": "X", "formula": formula}
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["formula"]
    assert not CustomMetric.objects.exists()


def test_a_duplicate_custom_metric_name_is_a_400_on_name(scene):
    admin = api(scene, Role.ADMIN)
    admin.post(url(scene, "analytics-custom-metrics"), {"name": "Ratio", "formula": "likes / views"})
    response = admin.post(url(scene, "analytics-custom-metrics"), {"name": "Ratio", "formula": "likes"})
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_lead_rate_setting(scene):
    # when
    admin = api(scene, Role.ADMIN)
    before = admin.get(url(scene, "analytics-settings")).json()
    changed = admin.patch(
        url(scene, "analytics-settings"), {"lead_engagement_rate": "by_views"}, format="json"
    )
    bad = admin.patch(url(scene, "analytics-settings"), {"lead_engagement_rate": "by_luck"}, format="json")
    # then
    assert before == {"lead_engagement_rate": "by_reach", "lead_rate": "engagement_rate_by_reach"}
    assert changed.json()["lead_rate"] == "engagement_rate_by_views"
    assert bad.status_code == 400 and "lead_engagement_rate" in bad.json()["error"]["fields"]


def test_the_period_defaults_to_the_last_30_days_in_the_workspaces_zone(scene):
    data = api(scene).get(url(scene, "analytics-overview")).json()
    from datetime import date

    start, end = date.fromisoformat(data["period"]["start"]), date.fromisoformat(data["period"]["end"])
    assert (end - start).days == 29


def test_readings_of_another_account_never_show(scene):
    # given: the same metric read for an account of another workspace (a foreign reading cannot be
    # ingested into this workspace: the ingest refuses it, so this only checks the selector's scope)
    other = Scene()
    snapshots_ingest(
        [reading(other.instagram, "followers_count", 99999, local(2027, 1, 9, 10))], workspace=other.workspace
    )
    # when
    data = api(scene).get(url(scene, "analytics-overview"), PERIOD).json()
    # then
    assert by(data["workspace"]["metrics"], "metric", "followers")["current"] == 3600
