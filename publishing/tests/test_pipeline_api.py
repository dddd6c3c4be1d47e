"""The pipeline's API: attempt log, publish now, retry (refused while unknown), cancel, assisted confirm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import PostTarget
from content.models import TargetStatus as S
from publishing import pipeline

from .pipeline_kit import due_target, job_of, sim_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(ws, client_for):
    return client_for(WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user)


def base(ws) -> str:
    return f"/api/v1/workspaces/{ws.pk}"


def test_attempt_log_shows_when_who_what_and_the_answer_without_secrets(platform_sim, ws, api):
    # given
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="logged https://kawo.example/log")
    pipeline.claim_due()
    pipeline.publish_attempt(target.pk, str(job_of(target).attempt_id))
    # when
    response = api.get(f"{base(ws)}/publish-targets/{target.pk}/attempts/")
    # then
    assert response.status_code == 200
    [attempt] = response.json()
    assert attempt["outcome"] == "published" and attempt["number"] == 1
    assert attempt["worker"] and attempt["duration_ms"] is not None
    assert attempt["request"]["text"] == "logged https://kawo.example/log"
    assert attempt["response"]["external_id"]
    assert sim.access_token not in response.content.decode()


def test_retry_is_refused_while_the_outcome_is_unknown(ws, api):
    # given
    account = SocialAccountFactory(workspace=ws, platform="x")
    target = due_target(account, text="unknown", status=S.UNKNOWN)
    # when
    response = api.post(f"{base(ws)}/publish-targets/{target.pk}/retry/", {}, format="json")
    # then
    assert response.status_code == 409
    assert "confirming" in response.json()["error"]["message"]
    assert PostTarget.objects.get(pk=target.pk).status == S.UNKNOWN


def test_publish_now_and_cancel(ws, api):
    # given
    account = SocialAccountFactory(workspace=ws, platform="x")
    now_target = due_target(account, text="now", due=timezone.now() + timedelta(days=2))
    cancel_target = due_target(account, text="cancel", due=timezone.now() + timedelta(days=2))
    # when
    published = api.post(f"{base(ws)}/posts/{now_target.post_id}/publish-now/", {}, format="json")
    cancelled = api.post(f"{base(ws)}/publish-targets/{cancel_target.pk}/cancel/", {}, format="json")
    again = api.post(f"{base(ws)}/posts/{now_target.post_id}/publish-now/", {}, format="json")
    # then
    assert published.status_code == 200 and published.json() == {"queued": [now_target.pk]}
    assert cancelled.status_code == 200 and cancelled.json()["status"] == S.CANCELLED
    assert again.status_code == 409  # already queued
    assert PostTarget.objects.get(pk=now_target.pk).status == S.QUEUED


def test_assisted_confirm_records_the_live_link(ws, api):
    # given
    account = SocialAccountFactory(workspace=ws, platform="xiaohongshu", assisted=True, credentials=False)
    target = due_target(account, text="笔记")
    pipeline.claim_due()
    pipeline.publish_attempt(target.pk, str(job_of(target).attempt_id))
    # when
    bad = api.post(f"{base(ws)}/publish-targets/{target.pk}/confirm/", {"url": "nope"}, format="json")
    good = api.post(
        f"{base(ws)}/publish-targets/{target.pk}/confirm/",
        {"url": "https://www.xiaohongshu.com/explore/1"},
        format="json",
    )
    # then
    assert bad.status_code == 400 and "url" in bad.json()["error"]["fields"]
    assert good.status_code == 200
    assert good.json()["status"] == S.PUBLISHED and good.json()["url"].endswith("/explore/1")


def test_my_publishing_notices_list_only_mine(platform_sim, ws, client_for):
    # given: a missed post tells the workspace's admins
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    other_admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    account, _sim = sim_account(platform_sim, ws)
    target = due_target(account, text="late", due=timezone.now() - timedelta(hours=3))
    pipeline.claim_due()
    pipeline.publish_attempt(target.pk, str(job_of(target).attempt_id))
    # when
    mine = client_for(admin).get(f"{base(ws)}/publish-notifications/")
    theirs = client_for(viewer).get(f"{base(ws)}/publish-notifications/")
    # then
    assert mine.status_code == 200
    [notice] = mine.json()["results"]
    assert notice["kind"] == "missed" and notice["target"] == target.pk
    assert theirs.status_code == 200 and theirs.json()["results"] == []
    assert other_admin.publish_notifications.count() == 1
