import pytest

from accounts.models import Workspace, WorkspaceMember
from accounts.roles import OrgRole, Role
from accounts.tests.factories import MembershipFactory, WorkspaceFactory, WorkspaceMemberFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def new_workspace(organization_id, **overrides):
    body = {
        "organization": organization_id,
        "name": "Tmall Flagship",
        "slug": "tmall",
        "timezone": "Asia/Shanghai",
        "language": "zh-hans",
        "currency": "CNY",
    }
    return {**body, **overrides}


def test_list_is_the_workspaces_i_can_open(client_for):
    # given
    member = WorkspaceMemberFactory(role=Role.VIEWER)
    admin = MembershipFactory(user=member.user, role=OrgRole.ADMIN)
    via_org = WorkspaceFactory(organization=admin.organization)
    WorkspaceFactory()
    # when
    response = client_for(member.user).get("/api/v1/workspaces/")
    # then
    assert response.status_code == 200
    assert {w["id"] for w in response.json()["results"]} == {member.workspace_id, via_org.pk}


def test_org_admin_creates_a_workspace_and_becomes_its_admin(client_for):
    # given
    admin = MembershipFactory(role=OrgRole.ADMIN)
    # when
    response = client_for(admin.user).post(
        "/api/v1/workspaces/", new_workspace(admin.organization_id, currency="USD"), format="json"
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["organization"], body["slug"], body["currency"]) == (admin.organization_id, "tmall", "USD")
    workspace = Workspace.objects.get(pk=body["id"])
    assert WorkspaceMember.objects.get(workspace=workspace).role == Role.ADMIN
    assert AuditEvent.objects.filter(workspace=workspace, action="workspace.created").exists()


def test_plain_org_member_cannot_create_a_workspace(client_for):
    # given
    member = MembershipFactory(role=OrgRole.MEMBER)
    # when
    response = client_for(member.user).post(
        "/api/v1/workspaces/", new_workspace(member.organization_id), format="json"
    )
    # then
    assert response.status_code == 403
    assert not Workspace.objects.exists()


def test_someone_elses_organization_is_an_unknown_organization(client_for, user):
    # given
    other = MembershipFactory(role=OrgRole.OWNER)
    # when
    response = client_for(user).post(
        "/api/v1/workspaces/", new_workspace(other.organization_id), format="json"
    )
    # then
    assert response.status_code == 400
    assert "organization" in response.json()["error"]["fields"]
    assert not Workspace.objects.exists()


def test_detail_for_a_viewer(client_for, workspace, member_factory):
    # given
    viewer = member_factory(workspace, Role.VIEWER)
    # when
    response = client_for(viewer.user).get(f"/api/v1/workspaces/{workspace.pk}/")
    # then
    assert response.status_code == 200
    assert response.json()["name"] == workspace.name
    assert response.json()["organization_name"] == workspace.organization.name


def test_patch_needs_workspace_manage(client_for, workspace, member_factory):
    # given
    manager = member_factory(workspace, Role.MANAGER)
    # when
    response = client_for(manager.user).patch(
        f"/api/v1/workspaces/{workspace.pk}/", {"name": "X"}, format="json"
    )
    # then
    assert response.status_code == 403
    workspace.refresh_from_db()
    assert workspace.name != "X"


def test_admin_changes_settings(client_for, workspace, member_factory):
    # given
    admin = member_factory(workspace, Role.ADMIN)
    # when
    response = client_for(admin.user).patch(
        f"/api/v1/workspaces/{workspace.pk}/", {"timezone": "Europe/Berlin", "currency": "EUR"}, format="json"
    )
    # then
    assert response.status_code == 200
    workspace.refresh_from_db()
    assert (workspace.timezone, workspace.currency) == ("Europe/Berlin", "EUR")
    event = AuditEvent.objects.get(workspace=workspace, action="workspace.updated")
    assert event.before == {"timezone": "Asia/Shanghai", "currency": "CNY"}


def test_patch_rejects_an_unknown_time_zone(client_for, workspace, member_factory):
    # given
    admin = member_factory(workspace, Role.ADMIN)
    # when
    response = client_for(admin.user).patch(
        f"/api/v1/workspaces/{workspace.pk}/", {"timezone": "Mars/Olympus"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["timezone"]
    workspace.refresh_from_db()
    assert workspace.timezone == "Asia/Shanghai"
