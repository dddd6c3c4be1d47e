"""Dashboard pages of the account matrix."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import OrgRole, Role
from accounts.tests.factories import MembershipFactory, WorkspaceFactory
from channels_app.models import AccountCredential, SocialAccount
from channels_app.tests.factories import AccountGroupFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def matrix(workspace):
    return reverse("dashboard:accounts", args=[workspace.pk])


def test_matrix_shows_expiring_and_expired_accounts(workspace, member_factory):
    # given
    now = timezone.now()
    member = member_factory(workspace, role=Role.MANAGER)
    SocialAccountFactory(
        workspace=workspace,
        platform="linkedin",
        handle="kawo-li",
        has_refresh_token=False,
        status=SocialAccount.Status.EXPIRING,
        token_expires_at=now + timedelta(days=4, hours=1),
    )
    SocialAccountFactory(
        workspace=workspace,
        platform="douyin",
        handle="kawo_dy",
        status=SocialAccount.Status.EXPIRED,
        status_message="refresh_token expired",
    )
    SocialAccountFactory(
        workspace=workspace,
        platform="tiktok",
        handle="kawo_tt",
        status=SocialAccount.Status.ERROR,
        status_message="scope video.publish missing",
    )
    # when
    response = signed_in(member.user).get(matrix(workspace))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-handle="kawo-li"' in html and "expires in 4 days" in html
    assert "expired: refresh_token expired" in html
    assert "error: scope video.publish missing" in html
    assert html.count('data-testid="reconnect"') == 3
    assert 'data-testid="connect-weibo"' in html


def test_matrix_groups_by_group_and_filters(workspace, member_factory):
    # given
    member = member_factory(workspace, role=Role.ADMIN)
    china = AccountGroupFactory(workspace=workspace, name="Mainland China")
    in_group = SocialAccountFactory(
        workspace=workspace, handle="grouped_one", tags=["flagship"], tag_index="|flagship|"
    )
    in_group.groups.add(china)
    SocialAccountFactory(workspace=workspace, platform="x", handle="loose_one")
    client = signed_in(member.user)
    # when
    by_group = client.get(matrix(workspace), {"by": "group"}).content.decode()
    by_tag = client.get(matrix(workspace), {"tag": "flagship"}).content.decode()
    by_platform = client.get(matrix(workspace), {"platform": "x"}).content.decode()
    # then
    assert "Mainland China" in by_group and "Not in a group" in by_group
    assert by_group.index("grouped_one") < by_group.index("Not in a group") < by_group.index("loose_one")
    assert "grouped_one" in by_tag and "loose_one" not in by_tag
    assert "loose_one" in by_platform and "grouped_one" not in by_platform


def test_editor_sees_the_matrix_without_connect_buttons(workspace, member_factory):
    # given
    editor = member_factory(workspace, role=Role.EDITOR)
    SocialAccountFactory(workspace=workspace, status=SocialAccount.Status.EXPIRED)
    # when
    html = signed_in(editor.user).get(matrix(workspace)).content.decode()
    # then
    assert 'data-testid="account-row"' in html
    assert 'data-testid="connect-card"' not in html
    assert 'data-testid="reconnect"' not in html


def test_every_account_page_is_404_for_another_workspace(workspace, member_factory):
    # given
    account = SocialAccountFactory(workspace=workspace)
    group = AccountGroupFactory(workspace=workspace)
    stranger = signed_in(member_factory(WorkspaceFactory(), role=Role.ADMIN).user)
    gets = [
        matrix(workspace),
        reverse("channels:connect", args=[workspace.pk, "weibo"]),
        reverse("channels:account_edit", args=[workspace.pk, account.pk]),
    ]
    posts = [
        reverse("channels:connect", args=[workspace.pk, "weibo"]),
        reverse("channels:account_edit", args=[workspace.pk, account.pk]),
        reverse("channels:disconnect", args=[workspace.pk, account.pk]),
        reverse("channels:group_create", args=[workspace.pk]),
        reverse("channels:group_delete", args=[workspace.pk, group.pk]),
    ]
    # when / then
    for url in gets:
        assert stranger.get(url).status_code == 404, url
    for url in posts:
        assert stranger.post(url, {"name": "x"}).status_code == 404, url
    account.refresh_from_db()
    assert account.disconnected_at is None


def test_an_account_of_another_workspace_is_404_under_my_workspace(workspace, member_factory):
    # given
    admin = signed_in(member_factory(workspace, role=Role.ADMIN).user)
    foreign = SocialAccountFactory(workspace=WorkspaceFactory())
    # when / then
    assert admin.get(reverse("channels:account_edit", args=[workspace.pk, foreign.pk])).status_code == 404
    assert admin.post(reverse("channels:disconnect", args=[workspace.pk, foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.disconnected_at is None


def test_editor_gets_403_on_connecting_and_organising(workspace, member_factory):
    # given
    editor = signed_in(member_factory(workspace, role=Role.EDITOR).user)
    account = SocialAccountFactory(workspace=workspace)
    # when / then
    assert editor.get(reverse("channels:connect", args=[workspace.pk, "wechat_oa"])).status_code == 403
    assert editor.post(reverse("channels:connect", args=[workspace.pk, "weibo"])).status_code == 403
    assert editor.post(reverse("channels:disconnect", args=[workspace.pk, account.pk])).status_code == 403
    assert (
        editor.post(
            reverse("channels:account_edit", args=[workspace.pk, account.pk]), {"tags": "x"}
        ).status_code
        == 403
    )
    assert (
        editor.post(reverse("channels:group_create", args=[workspace.pk]), {"name": "g"}).status_code == 403
    )


def test_assisted_account_form_creates_an_account_without_credentials(workspace, member_factory):
    # given
    admin = member_factory(workspace, role=Role.ADMIN)
    owner = member_factory(workspace, role=Role.EDITOR)
    client = signed_in(admin.user)
    url = reverse("channels:connect", args=[workspace.pk, "xiaohongshu"])
    # when
    missing = client.post(url, {"handle": "kawo_red", "responsible": ""})
    response = client.post(
        url, {"handle": "@kawo_red", "display_name": "KAWO 小红书", "responsible": owner.pk}
    )
    # then
    assert missing.status_code == 400
    assert response.status_code == 302
    account = SocialAccount.objects.get(platform="xiaohongshu")
    assert (account.handle, account.assisted, account.responsible) == ("kawo_red", True, owner)
    assert not AccountCredential.objects.filter(account=account).exists()


def test_edit_page_saves_tags_groups_and_responsible(workspace, member_factory):
    # given
    admin = member_factory(workspace, role=Role.ADMIN)
    account = SocialAccountFactory(workspace=workspace)
    group = AccountGroupFactory(workspace=workspace)
    # when
    response = signed_in(admin.user).post(
        reverse("channels:account_edit", args=[workspace.pk, account.pk]),
        {"tags": "flagship， launch", "groups": [group.pk], "responsible": admin.pk},
    )
    # then
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.tags == ["flagship", "launch"]
    assert account.tag_index == "|flagship|launch|"
    assert list(account.groups.all()) == [group]
    assert account.responsible == admin


def test_organization_admin_sees_accounts_of_every_workspace(member_factory):
    # given two workspaces of one organization and one of another
    first = WorkspaceFactory()
    second = WorkspaceFactory(organization=first.organization)
    SocialAccountFactory(workspace=first, handle="first_brand")
    SocialAccountFactory(workspace=second, handle="second_brand", status=SocialAccount.Status.EXPIRED)
    SocialAccountFactory(handle="someone_else")
    org_admin = MembershipFactory(organization=first.organization, role=OrgRole.ADMIN).user
    org_member = MembershipFactory(organization=first.organization, role=OrgRole.MEMBER).user
    url = reverse("channels:organization_accounts", args=[first.organization_id])
    # when
    response = signed_in(org_admin).get(url)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "first_brand" in html and "second_brand" in html and "someone_else" not in html
    assert signed_in(org_member).get(url).status_code == 403
    assert signed_in(MembershipFactory().user).get(url).status_code == 404


def test_matrix_query_count_is_the_same_at_1_and_20_accounts(workspace, member_factory):
    # given
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = member_factory(workspace, role=Role.ADMIN)
    client = signed_in(member.user)
    group = AccountGroupFactory(workspace=workspace)
    SocialAccountFactory(workspace=workspace, responsible=member, tags=["a"])
    client.get(matrix(workspace))  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(matrix(workspace))
    for account in SocialAccountFactory.create_batch(19, workspace=workspace, responsible=member, tags=["b"]):
        account.groups.add(group)
    # when
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(matrix(workspace))
    # then
    assert response.content.decode().count('data-testid="account-row"') == 20
    assert len(twenty) == len(one)


def test_organization_admins_find_the_organization_view_from_the_matrix(workspace, member_factory):
    # given
    org_admin = MembershipFactory(organization=workspace.organization, role=OrgRole.ADMIN).user
    manager = member_factory(workspace, role=Role.MANAGER).user
    link = reverse("channels:organization_accounts", args=[workspace.organization_id])
    # when / then
    assert link in signed_in(org_admin).get(matrix(workspace)).content.decode()
    assert link not in signed_in(manager).get(matrix(workspace)).content.decode()
