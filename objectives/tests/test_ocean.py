"""The OCEAN page: the five steps from the product's data, and the period review saved per period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import PostTargetFactory, TagFactory
from core.models import AuditEvent
from objectives import ocean
from objectives.models import PeriodReview
from objectives.tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 3, 31)


@pytest.fixture
def scene():
    ws = WorkspaceFactory(timezone="Asia/Shanghai")
    weibo = SocialAccountFactory(workspace=ws, platform="weibo", credentials=False)
    tag = TagFactory(workspace=ws, group__workspace=ws, name="Launch")
    planned = datetime(2026, 1, 10, 2, tzinfo=UTC)
    on_time = PostTargetFactory(
        post__workspace=ws,
        post__scheduled_at=planned,
        account=weibo,
        published_at=planned + timedelta(minutes=2),
    )
    on_time.post.tags.add(tag)
    PostTargetFactory(
        post__workspace=ws,
        post__scheduled_at=planned,
        account=weibo,
        published_at=planned + timedelta(hours=3),
    )
    PostTargetFactory(post__workspace=ws, post__scheduled_at=planned, account=weibo, published_at=None)
    # 2025-12-31 17:00 UTC is January 1st in Shanghai: in the quarter
    PostTargetFactory(
        post__workspace=ws, post__scheduled_at=datetime(2025, 12, 31, 17, tzinfo=UTC), account=weibo
    )
    return ws


def test_planned_mix_and_execution_by_hand(scene):
    platforms, tags = ocean.planned_mix(scene, START, END)
    assert [count for _name, count in platforms] == [4]
    assert tags == [("Launch", 1)] or [count for _n, count in tags] == [1]
    done = ocean.execution(scene, START, END)
    assert (done.planned_due, done.published, done.on_time) == (4, 2, 1)


def test_the_page_shows_the_five_steps_and_saves_a_review(scene, client):
    manager = WorkspaceMemberFactory(workspace=scene, role=Role.MANAGER).user
    client.force_login(manager)
    ObjectiveFactory(workspace=scene, starts_on=START, ends_on=END, name="Q1 views")
    url = reverse("objectives:ocean", args=[scene.pk])
    page = client.get(url, {"start": "2026-01-01", "end": "2026-03-31"}).content.decode()
    for step in (
        "ocean-objective",
        "ocean-content",
        "ocean-execution",
        "ocean-analysis",
        "ocean-normalization",
    ):
        assert f'data-testid="{step}"' in page
    assert "Q1 views" in page
    response = client.post(
        url, {"starts_on": "2026-01-01", "ends_on": "2026-03-31", "note": "KOC notes worked."}
    )
    assert response.status_code == 302
    assert PeriodReview.objects.get(workspace=scene, starts_on=START, ends_on=END).note == "KOC notes worked."
    assert AuditEvent.objects.filter(action="period_review.save").count() == 1
    assert "KOC notes worked." in client.get(response["Location"]).content.decode()


def test_an_analyst_reads_but_cannot_save(scene, client):
    client.force_login(WorkspaceMemberFactory(workspace=scene, role=Role.ANALYST).user)
    url = reverse("objectives:ocean", args=[scene.pk])
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"starts_on": "2026-01-01", "ends_on": "2026-03-31", "note": "x"}).status_code == 403
    )
