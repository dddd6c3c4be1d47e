import pytest

from accounts.roles import OrgRole, Role, capabilities_for
from accounts.selectors import workspace_access_for, workspaces_for_user
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)

pytestmark = pytest.mark.django_db


def test_member_gets_role_capabilities():
    # given
    member = WorkspaceMemberFactory(role=Role.EDITOR)
    # when
    access = workspace_access_for(user=member.user, workspace_id=member.workspace_id)
    # then
    assert access.role == Role.EDITOR
    assert access.capabilities == capabilities_for(Role.EDITOR)


def test_stranger_has_no_access():
    workspace = WorkspaceFactory()
    assert workspace_access_for(user=UserFactory(), workspace_id=workspace.pk) is None


def test_org_admin_is_admin_of_every_workspace_of_the_org():
    workspace = WorkspaceFactory()
    admin = MembershipFactory(organization=workspace.organization, role=OrgRole.ADMIN).user
    plain = MembershipFactory(organization=workspace.organization, role=OrgRole.MEMBER).user
    assert workspace_access_for(user=admin, workspace_id=workspace.pk).role == Role.ADMIN
    assert workspace_access_for(user=plain, workspace_id=workspace.pk) is None


def test_agency_member_capped_by_ceiling_and_needs_agency_membership():
    grant = AgencyGrantFactory(role_ceiling=Role.EDITOR)
    person = MembershipFactory(organization=grant.agency).user
    WorkspaceMemberFactory(workspace=grant.workspace, user=person, role=Role.EDITOR, grant=grant)
    access = workspace_access_for(user=person, workspace_id=grant.workspace_id)
    assert access.via == "agency"
    assert access.capabilities <= capabilities_for(Role.EDITOR)
    assert [w.pk for w in workspaces_for_user(user=person)] == [grant.workspace_id]
    # leaving the agency ends access
    person.memberships.filter(organization=grant.agency).delete()
    assert workspace_access_for(user=person, workspace_id=grant.workspace_id) is None
    assert list(workspaces_for_user(user=person)) == []


def test_agency_is_not_a_client_org_admin():
    agency = AgencyFactory()
    workspace = WorkspaceFactory()
    owner = MembershipFactory(organization=agency, role=OrgRole.OWNER).user
    assert workspace_access_for(user=owner, workspace_id=workspace.pk) is None
