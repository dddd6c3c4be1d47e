"""Agency access through the API: the client's grants and the agency's assignments."""

import pytest

from accounts.models import AgencyGrant, WorkspaceMember
from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    OrganizationFactory,
    WorkspaceMemberFactory,
)
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(workspace, member_factory):
    return member_factory(workspace, Role.ADMIN)


def grants_url(workspace, grant=None):
    base = f"/api/v1/workspaces/{workspace.pk}/agency-grants/"
    return f"{base}{grant.pk}/" if grant else base


def assignments_url(grant, member=None):
    base = f"/api/v1/organizations/{grant.agency_id}/received-grants/{grant.pk}/assignments/"
    return f"{base}{member.pk}/" if member else base


def test_client_admin_grants_an_agency(client_for, workspace, admin):
    # given
    agency = AgencyFactory()
    # when
    response = client_for(admin.user).post(
        grants_url(workspace), {"agency": agency.pk, "role_ceiling": "editor"}, format="json"
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert body["agency"] == {"id": agency.pk, "name": agency.name}
    assert (body["role_ceiling"], body["is_active"], body["granted_by"]) == ("editor", True, admin.user.email)
    grant = AgencyGrant.objects.get(pk=body["id"])
    assert grant.workspace == workspace
    assert AuditEvent.objects.filter(workspace=workspace, action="agency_grant.created").exists()
    listed = client_for(admin.user).get(grants_url(workspace)).json()["results"]
    assert [row["id"] for row in listed] == [grant.pk]


def test_only_agencies_can_be_granted(client_for, workspace, admin):
    # given
    brand = OrganizationFactory()
    # when
    response = client_for(admin.user).post(
        grants_url(workspace), {"agency": brand.pk, "role_ceiling": "editor"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_agency"
    assert not AgencyGrant.objects.exists()


def test_an_unknown_agency_id_is_a_field_error(client_for, workspace, admin):
    response = client_for(admin.user).post(
        grants_url(workspace), {"agency": 987654, "role_ceiling": "editor"}, format="json"
    )
    assert response.status_code == 400
    assert "agency" in response.json()["error"]["fields"]


def test_a_second_active_grant_to_the_same_agency_is_refused(client_for, workspace, admin):
    # given
    grant = AgencyGrantFactory(workspace=workspace)
    # when
    response = client_for(admin.user).post(
        grants_url(workspace), {"agency": grant.agency_id, "role_ceiling": "viewer"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "already_granted"
    assert AgencyGrant.objects.count() == 1


def test_revoked_grants_stay_listed_as_inactive(client_for, workspace, admin):
    # given
    grant = AgencyGrantFactory(workspace=workspace)
    # when
    assert client_for(admin.user).delete(grants_url(workspace, grant)).status_code == 204
    # then
    detail = client_for(admin.user).get(grants_url(workspace, grant)).json()
    assert detail["is_active"] is False and detail["revoked_at"]
    again = client_for(admin.user).patch(
        grants_url(workspace, grant), {"role_ceiling": "viewer"}, format="json"
    )
    assert again.status_code == 400


def test_agency_sees_its_received_grants_with_workspace_names(client_for, workspace):
    # given
    grant = AgencyGrantFactory(workspace=workspace, role_ceiling=Role.ANALYST)
    AgencyGrantFactory(agency=grant.agency, revoked_at="2020-01-01T00:00:00Z")
    person = MembershipFactory(organization=grant.agency, role=OrgRole.MEMBER)
    # when
    response = client_for(person.user).get(f"/api/v1/organizations/{grant.agency_id}/received-grants/")
    # then
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": grant.pk,
            "workspace": {"id": workspace.pk, "name": workspace.name},
            "client": {"id": workspace.organization_id, "name": workspace.organization.name},
            "role_ceiling": "analyst",
            "created_at": response.json()["results"][0]["created_at"],
        }
    ]


def test_agency_admin_assigns_and_removes_people(client_for, workspace):
    # given
    grant = AgencyGrantFactory(workspace=workspace, role_ceiling=Role.MANAGER)
    owner = MembershipFactory(organization=grant.agency, role=OrgRole.ADMIN).user
    person = MembershipFactory(organization=grant.agency, role=OrgRole.MEMBER).user
    client = client_for(owner)
    # when
    created = client.post(assignments_url(grant), {"user": person.pk, "role": "editor"}, format="json")
    # then
    assert created.status_code == 201
    member = WorkspaceMember.objects.get(pk=created.json()["id"])
    assert (member.workspace, member.user, member.role, member.grant) == (workspace, person, "editor", grant)
    listed = client.get(assignments_url(grant)).json()["results"]
    assert [(row["user"]["id"], row["role"]) for row in listed] == [(person.pk, "editor")]
    # when
    removed = client.delete(assignments_url(grant, member))
    # then
    assert removed.status_code == 204
    assert not WorkspaceMember.objects.filter(pk=member.pk).exists()


def test_plain_agency_members_cannot_assign(client_for, workspace):
    # given
    grant = AgencyGrantFactory(workspace=workspace)
    person = MembershipFactory(organization=grant.agency, role=OrgRole.MEMBER).user
    # when
    response = client_for(person).post(
        assignments_url(grant), {"user": person.pk, "role": "viewer"}, format="json"
    )
    # then
    assert response.status_code == 403
    assert not WorkspaceMember.objects.exists()


def test_only_people_of_the_agency_can_be_assigned(client_for, workspace):
    # given
    grant = AgencyGrantFactory(workspace=workspace)
    owner = MembershipFactory(organization=grant.agency, role=OrgRole.OWNER).user
    outsider = WorkspaceMemberFactory().user
    # when
    response = client_for(owner).post(
        assignments_url(grant), {"user": outsider.pk, "role": "viewer"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["user"]
    assert not WorkspaceMember.objects.filter(workspace=workspace).exists()


def test_the_client_removes_an_agency_person(client_for, workspace, admin):
    # given
    grant = AgencyGrantFactory(workspace=workspace)
    person = MembershipFactory(organization=grant.agency).user
    member = WorkspaceMemberFactory(workspace=workspace, user=person, grant=grant, role=Role.EDITOR)
    # when
    response = client_for(admin.user).delete(f"/api/v1/workspaces/{workspace.pk}/members/{member.pk}/")
    # then
    assert response.status_code == 204
    assert client_for(person).get(f"/api/v1/workspaces/{workspace.pk}/").status_code == 404
