import pytest

from accounts.models import WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import AgencyGrantFactory, MembershipFactory, WorkspaceMemberFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(workspace, member=None):
    base = f"/api/v1/workspaces/{workspace.pk}/members/"
    return f"{base}{member.pk}/" if member else base


def test_members_list_names_the_agency_of_agency_people(client_for, workspace, member_factory):
    # given
    viewer = member_factory(workspace, Role.VIEWER)
    grant = AgencyGrantFactory(workspace=workspace)
    agency_person = WorkspaceMemberFactory(workspace=workspace, grant=grant, role=Role.EDITOR)
    # when
    response = client_for(viewer.user).get(url(workspace))
    # then
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[viewer.pk]["agency"] is None
    assert rows[agency_person.pk]["agency"] == {"id": grant.agency_id, "name": grant.agency.name}
    assert rows[agency_person.pk]["user"]["email"] == agency_person.user.email


def test_admin_changes_a_role(client_for, workspace, member_factory):
    # given
    admin = member_factory(workspace, Role.ADMIN)
    editor = member_factory(workspace, Role.EDITOR)
    # when
    response = client_for(admin.user).patch(url(workspace, editor), {"role": "manager"}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    editor.refresh_from_db()
    assert editor.role == Role.MANAGER
    event = AuditEvent.objects.get(action="member.role_changed")
    assert (event.before, event.after) == ({"role": "editor"}, {"role": "manager"})


def test_the_last_admin_cannot_step_down(client_for, workspace, member_factory):
    # given
    admin = member_factory(workspace, Role.ADMIN)
    # when
    response = client_for(admin.user).patch(url(workspace, admin), {"role": "viewer"}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "last_admin"
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_agency_person_cannot_be_raised_above_the_ceiling(client_for, workspace, member_factory):
    # given
    admin = member_factory(workspace, Role.ADMIN)
    grant = AgencyGrantFactory(workspace=workspace, role_ceiling=Role.EDITOR)
    MembershipFactory(organization=grant.agency)
    person = WorkspaceMemberFactory(workspace=workspace, grant=grant, role=Role.VIEWER)
    # when
    response = client_for(admin.user).patch(url(workspace, person), {"role": "manager"}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["role"]
    person.refresh_from_db()
    assert person.role == Role.VIEWER


def test_admin_removes_a_member(client_for, workspace, member_factory):
    # given
    admin = member_factory(workspace, Role.ADMIN)
    editor = member_factory(workspace, Role.EDITOR)
    # when
    response = client_for(admin.user).delete(url(workspace, editor))
    # then
    assert response.status_code == 204
    assert not WorkspaceMember.objects.filter(pk=editor.pk).exists()
    assert client_for(editor.user).get(f"/api/v1/workspaces/{workspace.pk}/").status_code == 404


def test_a_manager_cannot_remove_anyone(client_for, workspace, member_factory):
    # given
    manager = member_factory(workspace, Role.MANAGER)
    editor = member_factory(workspace, Role.EDITOR)
    # when
    response = client_for(manager.user).delete(url(workspace, editor))
    # then
    assert response.status_code == 403
    assert WorkspaceMember.objects.filter(pk=editor.pk).exists()
