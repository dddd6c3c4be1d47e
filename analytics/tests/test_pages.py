"""The analytics pages: they render the hand-computed scene's figures (test_numbers.py) in the workspace's
zone and in both languages, ask for analytics.view, and refuse another tenant (404)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from content.tests.factories import TagFactory, TagGroupFactory

from .test_numbers import Scene

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2027-01-04", "end": "2027-01-10"}
PAGES = [
    "dashboard:analytics",
    "analytics:posts",
    "analytics:posts_table",
    "analytics:campaigns",
    "analytics:metrics",
]


@pytest.fixture
def scene():
    return Scene()


def signed_in(scene, role=Role.ANALYST, language="en") -> Client:
    user = WorkspaceMemberFactory(workspace=scene.workspace, role=role).user
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_analytics_page_renders(scene, name, language):
    # when
    response = signed_in(scene, language=language).get(reverse(name, args=[scene.workspace.pk]), PERIOD)
    # then
    assert response.status_code == 200, response.content[:500]


def test_overview_shows_the_period_against_the_previous_one(scene):
    # when
    html = (
        signed_in(scene)
        .get(reverse("dashboard:analytics", args=[scene.workspace.pk]), PERIOD)
        .content.decode()
    )
    # then: 190 engagements against 40 (+375%), the lead rate by reach 10.00% (no previous figure)
    assert 'data-kpi="engagements"' in html
    assert "190" in html and "375.0%" in html
    assert 'data-change="up"' in html
    assert "10.00%" in html
    assert 'data-chart="followers"' in html and "follower-growth/?start=2027-01-04&amp;end=2027-01-10" in html


def test_overview_formats_numbers_for_the_language(scene):
    # given: an engagement figure above a thousand
    from analytics.services import snapshots_ingest

    from .factories import reading
    from .test_numbers import local

    snapshots_ingest(
        [
            reading(
                scene.weibo,
                "attitudes_count",
                12345,
                local(2027, 1, 9, 21),
                post=f"p-{scene.p2.pk}",
                target=scene.p2,
            )
        ],
        workspace=scene.workspace,
    )
    # when
    html = (
        signed_in(scene)
        .get(reverse("dashboard:analytics", args=[scene.workspace.pk]), PERIOD)
        .content.decode()
    )
    # then: 80 + (12345 + 15 + 5) + 60 = 12,505, grouped
    assert "12,505" in html


def test_posts_table_partial_sorts_and_filters(scene):
    # given
    tag = TagFactory(group=TagGroupFactory(workspace=scene.workspace), name="tips")
    scene.p2.post.tags.add(tag)
    client = signed_in(scene)
    path = reverse("analytics:posts_table", args=[scene.workspace.pk])
    # when
    by_engagements = client.get(path, {**PERIOD, "sort": "-engagements"}).content.decode()
    tagged = client.get(path, {**PERIOD, "tag": tag.pk}).content.decode()
    # then
    order = [by_engagements.index(f'data-target="{t.pk}"') for t in (scene.p1, scene.p3, scene.p2)]
    assert order == sorted(order)
    assert f'data-target="{scene.p2.pk}"' in tagged and f'data-target="{scene.p1.pk}"' not in tagged
    assert "2027-01-05 20:00" in tagged  # the workspace's zone (12:00 UTC)


def test_campaigns_page_shows_tag_performance_against_the_base(scene):
    # given
    group = TagGroupFactory(workspace=scene.workspace, name="Pillar")
    launch = TagFactory(group=group, name="launch")
    scene.p1.post.tags.add(launch)
    scene.p3.post.tags.add(launch)
    scene.p2.post.tags.add(TagFactory(group=group, name="daily"))
    # when
    html = (
        signed_in(scene)
        .get(reverse("analytics:campaigns", args=[scene.workspace.pk]), PERIOD)
        .content.decode()
    )
    # then: launch 70 against 190 / 3 = 63.3: +10.5%; daily 50: -21.1%
    assert "63.3" in html and "10.5%" in html and "21.1%" in html


def test_metrics_page_names_each_rates_denominator_in_chinese(scene):
    html = (
        signed_in(scene, language="zh-hans")
        .get(reverse("analytics:metrics", args=[scene.workspace.pk]))
        .content
    )
    html = html.decode()
    assert "engagements / followers" in html and "engagements / reach" in html
    assert "粉丝数" in html


def test_a_bad_period_shows_its_error_and_the_last_30_days(scene):
    response = signed_in(scene).get(
        reverse("dashboard:analytics", args=[scene.workspace.pk]),
        {"start": "2027-01-10", "end": "2027-01-04"},
    )
    assert response.status_code == 200
    assert 'data-testid="period-errors"' in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_viewer_without_analytics_is_refused(scene, name):
    response = signed_in(scene, role=Role.VIEWER).get(reverse(name, args=[scene.workspace.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_another_tenant_gets_404(scene, name):
    other = Scene()
    response = signed_in(other, role=Role.ADMIN).get(reverse(name, args=[scene.workspace.pk]))
    assert response.status_code == 404
