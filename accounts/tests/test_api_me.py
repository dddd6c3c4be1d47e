import pytest

from accounts.roles import OrgRole, Role, capabilities_for
from accounts.tests.factories import (
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/"


def test_me_shows_profile_and_memberships(client_for):
    # given
    user = UserFactory(full_name="Li Lei", language="zh-hans")
    membership = MembershipFactory(user=user, role=OrgRole.ADMIN)
    own = WorkspaceFactory(organization=membership.organization)
    member = WorkspaceMemberFactory(user=user, role=Role.REVIEWER)
    WorkspaceFactory()  # someone else's
    # when
    response = client_for(user).get(URL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email
    assert body["full_name"] == "Li Lei"
    assert body["language"] == "zh-hans"
    assert body["organizations"] == [
        {
            "id": membership.organization.pk,
            "name": membership.organization.name,
            "slug": membership.organization.slug,
            "kind": "brand",
            "role": "admin",
        }
    ]
    workspaces = {w["id"]: w for w in body["workspaces"]}
    assert set(workspaces) == {own.pk, member.workspace_id}
    assert workspaces[own.pk]["role"] == Role.ADMIN
    assert workspaces[own.pk]["via"] == "organization"
    assert workspaces[member.workspace_id]["role"] == Role.REVIEWER
    assert set(workspaces[member.workspace_id]["capabilities"]) == capabilities_for(Role.REVIEWER)


def test_org_admin_is_admin_even_with_a_lower_member_row(client_for):
    # given: an org admin who also has a viewer row in one of the org's workspaces
    membership = MembershipFactory(role=OrgRole.ADMIN)
    workspace = WorkspaceFactory(organization=membership.organization)
    WorkspaceMemberFactory(workspace=workspace, user=membership.user, role=Role.VIEWER)
    # when
    body = client_for(membership.user).get(URL).json()
    # then
    assert body["workspaces"][0]["role"] == Role.ADMIN
    assert (
        client_for(membership.user).get(f"/api/v1/workspaces/{workspace.pk}/audit-events/").status_code == 200
    )


def test_patch_updates_the_profile_and_audits_it(client_for, user):
    # when
    response = client_for(user).patch(URL, {"full_name": "  Han Meimei ", "language": "en"}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["full_name"] == "Han Meimei"
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Han Meimei", "en")
    assert AuditEvent.objects.filter(actor=user, action="user.updated").count() == 1


def test_patch_rejects_an_unsupported_language(client_for, user):
    # when
    response = client_for(user).patch(URL, {"language": "klingon"}, format="json")
    # then
    assert response.status_code == 400
    assert "language" in response.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.language == "en"


def test_email_cannot_be_changed_here(client_for, user):
    # when
    client_for(user).patch(URL, {"email": "new@example.com"}, format="json")
    # then
    user.refresh_from_db()
    assert user.email != "new@example.com"


def test_anonymous_gets_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.get(URL).json()["error"]["code"] == "not_authenticated"
