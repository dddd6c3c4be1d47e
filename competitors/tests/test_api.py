"""Adding rivals through the API (resolved through the data source before saving), the cap, roles,
audit, and pulls: gathering data, snapshots tagged with their source, the tracking window, deletions,
renames, private accounts and a 429."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import BenchmarkedBrand, RivalAccount, RivalPost, RivalSnapshot, RivalStatus
from competitors.selectors import rival_gathering
from competitors.services import rival_pull
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return WorkspaceFactory(timezone="Asia/Shanghai")


def client_for(workspace, role=Role.MANAGER) -> APIClient:
    user = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=user, role=role)
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(workspace, tail=""):
    return f"/api/v1/workspaces/{workspace.pk}/competitors/{tail}"


def test_add_by_profile_url_resolves_the_account_first(platform_sim, workspace):
    # given
    rival = platform_sim.create_account("x", handle="rivalbrand", followers=12000)
    client = client_for(workspace)
    # when
    answer = client.post(
        url(workspace), {"name": "Rival Co", "profile": "https://x.com/rivalbrand"}, format="json"
    )
    # then
    assert answer.status_code == 201, answer.content
    account = answer.json()["accounts"][0]
    assert account["external_id"] == rival.external_id
    assert account["followers"] > 0 and account["source"] == "x.public_metrics"
    assert account["gathering_data"] is True
    assert AuditEvent.objects.filter(action="competitor.add", workspace=workspace).count() == 1
    assert client.get(url(workspace)).json()[0]["name"] == "Rival Co"


def test_an_unknown_handle_is_a_400_on_profile_and_nothing_is_saved(platform_sim, workspace):
    answer = client_for(workspace).post(
        url(workspace), {"name": "Ghost", "profile": "nobody_here", "platform": "douyin"}, format="json"
    )
    assert answer.status_code == 400
    assert "profile" in answer.json()["error"]["fields"]
    assert not RivalAccount.objects.exists() and not BenchmarkedBrand.objects.exists()


def test_a_url_of_an_unsupported_site_is_a_400(platform_sim, workspace):
    answer = client_for(workspace).post(
        url(workspace), {"name": "Other", "profile": "https://example.com/whatever"}, format="json"
    )
    assert answer.status_code == 400 and "profile" in answer.json()["error"]["fields"]


@override_settings(KAWO_COMPETITORS_PER_WORKSPACE=1)
def test_the_per_workspace_cap(platform_sim, workspace):
    # given
    platform_sim.create_account("x", handle="first_rival")
    platform_sim.create_account("x", handle="second_rival")
    client = client_for(workspace)
    assert (
        client.post(
            url(workspace), {"name": "A", "profile": "https://x.com/first_rival"}, format="json"
        ).status_code
        == 201
    )
    # when
    answer = client.post(
        url(workspace), {"name": "B", "profile": "https://x.com/second_rival"}, format="json"
    )
    # then
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "cap_reached"


def test_roles_read_and_change(platform_sim, workspace):
    platform_sim.create_account("x", handle="rivalbrand")
    editor = client_for(workspace, Role.EDITOR)
    assert editor.get(url(workspace)).status_code == 200
    assert (
        editor.post(
            url(workspace), {"name": "A", "profile": "https://x.com/rivalbrand"}, format="json"
        ).status_code
        == 403
    )
    assert client_for(workspace, Role.VIEWER).get(url(workspace)).status_code == 403


def test_another_workspace_of_the_organization_picks_the_same_brand(platform_sim, workspace):
    # given
    platform_sim.create_account("x", handle="rivalbrand")
    client_for(workspace).post(
        url(workspace), {"name": "Rival Co", "profile": "https://x.com/rivalbrand"}, format="json"
    )
    sister = WorkspaceFactory(organization=workspace.organization)
    client = client_for(sister)
    brand_id = BenchmarkedBrand.objects.get(workspace=workspace).brand_id
    # when
    answer = client.post(url(sister, "pick/"), {"competitor": brand_id}, format="json")
    # then
    assert answer.status_code == 201
    assert [b["name"] for b in client.get(url(sister)).json()] == ["Rival Co"]
    # and a workspace of another organization cannot
    stranger = WorkspaceFactory()
    assert (
        client_for(stranger).post(url(stranger, "pick/"), {"competitor": brand_id}, format="json").status_code
        == 404
    )


def _added(platform_sim, workspace, platform="douyin", handle="rival_dy", posts=3):
    account = platform_sim.create_account(platform, handle=handle, followers=8000)
    start = time.time() - 5 * 86400
    ids = [
        platform_sim.seed_post(
            platform, account.external_id, text=f"新品 #上新# {n}", created_at=start + n * 86400
        )["id"]
        for n in range(posts)
    ]
    answer = client_for(workspace).post(
        url(workspace), {"name": "对手", "profile": handle, "platform": platform}, format="json"
    )
    assert answer.status_code == 201, answer.content
    return RivalAccount.objects.get(external_id=account.external_id), account, ids


def test_a_pull_stores_posts_and_snapshots_tagged_with_their_source(platform_sim, workspace):
    # given
    rival, _sim_account, ids = _added(platform_sim, workspace)
    # when
    result = rival_pull(rival.pk)
    # then
    assert result.status == "done" and result.posts_new == 3
    rival.refresh_from_db()
    assert rival.first_pulled_at is not None
    posts = RivalPost.objects.filter(rival=rival)
    assert sorted(posts.values_list("platform_post_id", flat=True)) == sorted(ids)
    assert all(p.engagements and p.engagements > 0 and p.source == "provider" for p in posts)
    assert posts.first().hashtags == ["上新"]
    assert set(RivalSnapshot.objects.filter(rival=rival).values_list("source", flat=True)) == {"provider"}
    assert RivalSnapshot.objects.filter(rival=rival, platform_post_id="", metric="followers").count() == 1
    # Douyin posts are tracked for 7 days after publishing
    first = posts.order_by("published_at").first()
    assert first.track_until == first.published_at + timedelta(days=7)
    # gathering data until the first complete day (the day after the first pull's) has ended
    assert rival_gathering(workspace, rival) is True
    assert rival_gathering(workspace, rival, now=timezone.now() + timedelta(days=2)) is False


def test_a_second_pull_keeps_one_post_row_and_marks_deletions(platform_sim, workspace):
    rival, _sim_account, ids = _added(platform_sim, workspace)
    rival_pull(rival.pk)
    platform_sim.delete_post("douyin", ids[-1])
    # when
    result = rival_pull(rival.pk, now=timezone.now() + timedelta(minutes=1))
    # then
    assert result.deleted == 1
    assert RivalPost.objects.filter(rival=rival).count() == 3
    assert RivalPost.objects.get(platform_post_id=ids[-1]).deleted_at is not None


def test_a_renamed_rival_keeps_its_history(platform_sim, workspace):
    rival, sim_account, _ids = _added(platform_sim, workspace)
    rival_pull(rival.pk)
    platform_sim.set_profile("douyin", sim_account.external_id, handle="rival_new_name")
    rival_pull(rival.pk, now=timezone.now() + timedelta(minutes=1))
    rival.refresh_from_db()
    assert rival.handle == "rival_new_name"
    assert RivalPost.objects.filter(rival=rival).count() == 3


def test_a_private_rival_is_marked_and_its_history_kept(platform_sim, workspace):
    rival, sim_account, _ids = _added(platform_sim, workspace)
    rival_pull(rival.pk)
    platform_sim.set_profile("douyin", sim_account.external_id, private=True)
    result = rival_pull(rival.pk, now=timezone.now() + timedelta(minutes=1))
    rival.refresh_from_db()
    assert result.status == "private" and rival.status == RivalStatus.PRIVATE
    assert RivalPost.objects.filter(rival=rival).count() == 3


def test_a_429_keeps_not_before_and_blocks_the_source_for_every_worker(platform_sim, workspace):
    rival, _sim_account, _ids = _added(platform_sim, workspace)
    platform_sim.add_fault("rate_limit", platform="competitor_provider", operation="list", retry_after=120)
    # when
    result = rival_pull(rival.pk)
    # then
    assert result.status == "rate_limited" and result.retry_after >= 119
    rival.refresh_from_db()
    assert rival.not_before > timezone.now() + timedelta(seconds=100)
    assert rival_pull(rival.pk).status in ("skipped", "rate_limited")


@override_settings(KAWO_COMPETITORS_X_READS_PER_MONTH=0)
def test_billed_reads_stop_at_the_budget(platform_sim, workspace):
    platform_sim.create_account("x", handle="rivalbrand")
    client_for(workspace).post(
        url(workspace), {"name": "R", "profile": "https://x.com/rivalbrand"}, format="json"
    )
    rival = RivalAccount.objects.get()
    before = platform_sim.requests("x", "list")
    assert rival_pull(rival.pk).status == "budget"
    assert platform_sim.requests("x", "list") == before


def test_the_pull_now_endpoint_reads_the_brand(platform_sim, workspace):
    rival, _sim_account, _ids = _added(platform_sim, workspace)
    client = client_for(workspace)
    answer = client.post(url(workspace, f"{rival.brand_id}/pull/"))
    assert answer.status_code == 202
    assert RivalPost.objects.filter(rival=rival).count() == 3  # tasks run eagerly in tests
    bench = client.get(url(workspace, "benchmark/"))
    assert bench.status_code == 200
    assert [b["posts"] for b in bench.json()["brands"] if not b["own"]] == [3]
