"""The account API: listing with filters, organising, disconnecting, groups, connect start, tenancy."""

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory
from channels_app import vault
from channels_app.connectors.base import Credentials
from channels_app.models import AccountGroup, OAuthConnectState, SocialAccount
from channels_app.tests.factories import AccountGroupFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def base(workspace):
    return f"/api/v1/workspaces/{workspace.pk}"


@pytest.fixture
def admin(workspace, member_factory):
    return member_factory(workspace, role=Role.ADMIN)


@pytest.fixture
def admin_api(admin, client_for):
    return client_for(admin.user)


def test_list_shows_health_and_never_tokens(workspace, admin_api):
    # given one healthy, one expiring and one expired account
    now = timezone.now()
    SocialAccountFactory(
        workspace=workspace,
        credentials=Credentials(access_token="PLAIN-AT-1", refresh_token="PLAIN-RT-1"),
    )
    SocialAccountFactory(
        workspace=workspace,
        platform="linkedin",
        has_refresh_token=False,
        status=SocialAccount.Status.EXPIRING,
        token_expires_at=now + timedelta(days=3, hours=2),
        credentials=Credentials(access_token="PLAIN-AT-2"),
    )
    SocialAccountFactory(
        workspace=workspace,
        platform="douyin",
        status=SocialAccount.Status.EXPIRED,
        status_message="access_token expired",
        credentials=Credentials(access_token="PLAIN-AT-3", refresh_token="PLAIN-RT-3"),
    )
    # when
    response = admin_api.get(f"{base(workspace)}/social-accounts/")
    # then
    assert response.status_code == 200
    body = json.dumps(response.json())
    assert "PLAIN-" not in body and "gAAAAA" not in body
    health = {row["platform"]: row["health"] for row in response.json()["results"]}
    assert health["linkedin"]["kind"] == "expiring"
    assert health["linkedin"]["label"] == "expires in 3 days"
    assert health["douyin"]["kind"] == "expired"
    assert health["douyin"]["needs_reconnect"] is True
    assert health["weibo"]["kind"] == "ok"


def test_list_filters_by_platform_group_status_and_tag(workspace, admin_api):
    # given
    group = AccountGroupFactory(workspace=workspace, name="China")
    weibo = SocialAccountFactory(
        workspace=workspace, platform="weibo", tags=["flagship"], tag_index="|flagship|"
    )
    weibo.groups.add(group)
    SocialAccountFactory(
        workspace=workspace, platform="x", status=SocialAccount.Status.EXPIRED, tags=["flag"]
    )

    # when
    def ids(query):
        response = admin_api.get(f"{base(workspace)}/social-accounts/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    # then
    assert ids("platform=weibo") == [weibo.pk]
    assert ids(f"group={group.pk}") == [weibo.pk]
    assert ids("tag=flagship") == [weibo.pk]  # exact tag, not a substring ("flag")
    assert len(ids("status=expired")) == 1 and ids("status=expired") != [weibo.pk]
    assert admin_api.get(f"{base(workspace)}/social-accounts/?platform=myspace").status_code == 400


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_is_bounded(workspace, admin_api, count):
    # given
    groups = [AccountGroupFactory(workspace=workspace) for _ in range(2)]
    member = SocialAccountFactory.create_batch(count, workspace=workspace, tags=["a"])
    for account in member:
        account.groups.set(groups)
        account.responsible = workspace.members.first()
        account.save()
    # when
    with CaptureQueriesContext(connection) as queries:
        response = admin_api.get(f"{base(workspace)}/social-accounts/")
    # then
    assert len(response.json()["results"]) == count
    assert len(queries) <= 6, [q["sql"] for q in queries]


def test_query_count_is_the_same_at_1_and_20(workspace, admin_api):
    # given
    SocialAccountFactory(workspace=workspace)
    with CaptureQueriesContext(connection) as one:
        admin_api.get(f"{base(workspace)}/social-accounts/")
    group = AccountGroupFactory(workspace=workspace)
    for account in SocialAccountFactory.create_batch(19, workspace=workspace):
        account.groups.add(group)
    # when
    with CaptureQueriesContext(connection) as twenty:
        response = admin_api.get(f"{base(workspace)}/social-accounts/")
    # then
    assert len(response.json()["results"]) == 20
    assert len(twenty) == len(one)


def test_patch_sets_groups_tags_and_responsible(workspace, admin, admin_api, member_factory):
    # given
    account = SocialAccountFactory(workspace=workspace)
    group = AccountGroupFactory(workspace=workspace)
    owner = member_factory(workspace, role=Role.EDITOR)
    # when
    response = admin_api.patch(
        f"{base(workspace)}/social-accounts/{account.pk}/",
        {"groups": [group.pk], "tags": ["flagship", " flagship ", "launch"], "responsible": owner.pk},
        format="json",
    )
    # then
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["tags"] == ["flagship", "launch"]
    assert [g["id"] for g in data["groups"]] == [group.pk]
    assert data["responsible"]["id"] == owner.pk


def test_patch_refuses_a_group_or_member_of_another_workspace(workspace, admin_api, member_factory):
    # given
    account = SocialAccountFactory(workspace=workspace)
    other = WorkspaceFactory()
    foreign_group = AccountGroupFactory(workspace=other)
    foreign_member = member_factory(other)
    url = f"{base(workspace)}/social-accounts/{account.pk}/"
    # when
    by_group = admin_api.patch(url, {"groups": [foreign_group.pk]}, format="json")
    by_member = admin_api.patch(url, {"responsible": foreign_member.pk}, format="json")
    # then
    assert by_group.status_code == 400 and by_group.json()["error"]["fields"]["groups"]
    assert by_member.status_code == 400 and by_member.json()["error"]["fields"]["responsible"]
    assert account.groups.count() == 0


def test_delete_disconnects_and_keeps_the_row(workspace, admin_api):
    # given
    account = SocialAccountFactory(workspace=workspace)
    # when
    response = admin_api.delete(f"{base(workspace)}/social-accounts/{account.pk}/")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["health"]["kind"] == "disconnected"
    account.refresh_from_db()
    assert account.disconnected_at is not None
    assert vault.credentials_read(account) is None


def test_groups_crud(workspace, admin_api):
    # given
    url = f"{base(workspace)}/account-groups/"
    # when
    created = admin_api.post(url, {"name": "Mainland", "description": "Shanghai team"}, format="json")
    duplicate = admin_api.post(url, {"name": "Mainland"}, format="json")
    group_url = f"{url}{created.json()['id']}/"
    renamed = admin_api.patch(group_url, {"name": "Mainland China"}, format="json")
    listed = admin_api.get(url)
    deleted = admin_api.delete(group_url)
    # then
    assert created.status_code == 201
    assert duplicate.status_code == 400 and duplicate.json()["error"]["code"] == "duplicate_name"
    assert renamed.json()["name"] == "Mainland China"
    assert [g["name"] for g in listed.json()["results"]] == ["Mainland China"]
    assert deleted.status_code == 204
    assert not AccountGroup.objects.exists()


def test_connect_start_returns_the_authorization_url(platform_sim, workspace, admin_api):
    # when
    response = admin_api.post(
        f"{base(workspace)}/social-accounts/connect-start/", {"platform": "weibo"}, format="json"
    )
    # then
    assert response.status_code == 201, response.content
    url = response.json()["authorization_url"]
    query = parse_qs(urlparse(url).query)
    assert query["state"][0]
    assert query["redirect_uri"][0].endswith("/connect/weibo/callback/")
    assert OAuthConnectState.objects.get().workspace == workspace


def test_connect_start_refuses_platforms_without_an_authorization_page(workspace, admin_api):
    # when
    response = admin_api.post(
        f"{base(workspace)}/social-accounts/connect-start/", {"platform": "xiaohongshu"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["platform"]


def _all_urls(workspace, account, group):
    b = base(workspace)
    return [
        ("get", f"{b}/social-accounts/", None),
        ("get", f"{b}/social-accounts/{account.pk}/", None),
        ("patch", f"{b}/social-accounts/{account.pk}/", {"tags": ["x"]}),
        ("delete", f"{b}/social-accounts/{account.pk}/", None),
        ("post", f"{b}/social-accounts/connect-start/", {"platform": "weibo"}),
        ("get", f"{b}/account-groups/", None),
        ("post", f"{b}/account-groups/", {"name": "n"}),
        ("get", f"{b}/account-groups/{group.pk}/", None),
        ("patch", f"{b}/account-groups/{group.pk}/", {"name": "m"}),
        ("delete", f"{b}/account-groups/{group.pk}/", None),
    ]


def test_another_workspace_gets_404_everywhere(workspace, member_factory, client_for):
    # given an admin of another workspace
    account = SocialAccountFactory(workspace=workspace)
    group = AccountGroupFactory(workspace=workspace)
    stranger = client_for(member_factory(WorkspaceFactory(), role=Role.ADMIN).user)
    # when / then
    for method, url, data in _all_urls(workspace, account, group):
        response = getattr(stranger, method)(url, data, format="json")
        assert response.status_code == 404, (method, url)
    account.refresh_from_db()
    assert account.disconnected_at is None


def test_an_account_of_another_workspace_is_404_inside_my_workspace(workspace, admin_api):
    # given
    foreign = SocialAccountFactory(workspace=WorkspaceFactory())
    foreign_group = AccountGroupFactory(workspace=foreign.workspace)
    # when / then
    assert admin_api.get(f"{base(workspace)}/social-accounts/{foreign.pk}/").status_code == 404
    assert admin_api.delete(f"{base(workspace)}/social-accounts/{foreign.pk}/").status_code == 404
    assert admin_api.get(f"{base(workspace)}/account-groups/{foreign_group.pk}/").status_code == 404


def test_editor_can_read_but_gets_403_on_every_write(workspace, member_factory, client_for):
    # given
    account = SocialAccountFactory(workspace=workspace)
    group = AccountGroupFactory(workspace=workspace)
    editor = client_for(member_factory(workspace, role=Role.EDITOR).user)
    # when / then
    for method, url, data in _all_urls(workspace, account, group):
        response = getattr(editor, method)(url, data, format="json")
        assert response.status_code == (200 if method == "get" else 403), (method, url)
