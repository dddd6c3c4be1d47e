import pytest
from django.urls import reverse

from accounts.models import AgencyGrant, WorkspaceMember
from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    OrganizationFactory,
    WorkspaceFactory,
)
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(workspace, member_factory):
    return member_factory(workspace, role=Role.ADMIN).user


def test_grant_agency_by_slug(client, workspace, admin):
    # given
    agency = AgencyFactory(slug="bright-agency", name="Bright")
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:agencies", args=[workspace.pk]),
        {"agency": "bright-agency", "role_ceiling": Role.EDITOR},
        follow=True,
    )
    # then
    grant = AgencyGrant.objects.get(workspace=workspace)
    assert grant.agency == agency and grant.role_ceiling == Role.EDITOR
    assert "Bright now has access." in response.content.decode()


def test_grant_to_a_brand_slug_is_refused_next_to_the_field(client, workspace, admin):
    # given
    OrganizationFactory(slug="some-brand")
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:agencies", args=[workspace.pk]),
        {"agency": "some-brand", "role_ceiling": Role.EDITOR},
    )
    # then
    assert response.status_code == 400
    assert "No agency organization has this slug." in response.content.decode()
    assert not AgencyGrant.objects.exists()


def test_second_grant_shows_the_services_error(client, workspace, admin):
    # given
    grant = AgencyGrantFactory(workspace=workspace)
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:agencies", args=[workspace.pk]),
        {"agency": grant.agency.slug, "role_ceiling": Role.VIEWER},
    )
    # then
    assert response.status_code == 400
    assert "This agency already has access; change its ceiling instead." in response.content.decode()
    assert AgencyGrant.objects.count() == 1


def test_change_ceiling_and_revoke(client, workspace, admin):
    # given
    grant = AgencyGrantFactory(workspace=workspace, role_ceiling=Role.MANAGER)
    person = MembershipFactory(organization=grant.agency).user
    WorkspaceMember.objects.create(workspace=workspace, user=person, role=Role.MANAGER, grant=grant)
    client.force_login(admin)
    # when
    page = client.get(reverse("dashboard:agencies", args=[workspace.pk])).content.decode()
    client.post(
        reverse("dashboard:agency_ceiling", args=[workspace.pk, grant.pk]), {"role_ceiling": Role.VIEWER}
    )
    lowered = WorkspaceMember.objects.get(user=person).role
    client.post(reverse("dashboard:agency_revoke", args=[workspace.pk, grant.pk]))
    # then
    grant.refresh_from_db()
    assert person.email in page
    assert lowered == Role.VIEWER
    assert grant.revoked_at is not None
    assert not WorkspaceMember.objects.filter(user=person).exists()
    assert AuditEvent.objects.filter(action="agency_grant.revoked", workspace=workspace).exists()


def test_agency_pages_refused_for_a_manager(client, workspace, member_factory):
    # given
    manager = member_factory(workspace, role=Role.MANAGER).user
    grant = AgencyGrantFactory(workspace=workspace)
    client.force_login(manager)
    # when
    page = client.get(reverse("dashboard:agencies", args=[workspace.pk]))
    revoke = client.post(reverse("dashboard:agency_revoke", args=[workspace.pk, grant.pk]))
    # then
    grant.refresh_from_db()
    assert page.status_code == 403 and revoke.status_code == 403
    assert grant.revoked_at is None


def test_grant_of_another_workspace_is_404(client, workspace, admin):
    # given
    foreign = AgencyGrantFactory(workspace=WorkspaceFactory())
    client.force_login(admin)
    # when
    response = client.post(reverse("dashboard:agency_revoke", args=[workspace.pk, foreign.pk]))
    # then
    foreign.refresh_from_db()
    assert response.status_code == 404
    assert foreign.revoked_at is None


# --- the agency's side -------------------------------------------------------------------------


@pytest.fixture
def agency_setup():
    grant = AgencyGrantFactory(role_ceiling=Role.EDITOR)
    agency_admin = MembershipFactory(organization=grant.agency, role=OrgRole.ADMIN).user
    person = MembershipFactory(organization=grant.agency, role=OrgRole.MEMBER).user
    return grant, agency_admin, person


def test_agency_home_lists_client_workspaces(client, agency_setup):
    # given
    grant, agency_admin, _person = agency_setup
    client.force_login(agency_admin)
    # when
    response = client.get(reverse("dashboard:agency_home", args=[grant.agency_id]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert grant.workspace.name in html
    assert 'value="editor"' in html and 'value="manager"' not in html  # roles within the ceiling


def test_agency_admin_assigns_a_person_within_the_ceiling(client, agency_setup):
    # given
    grant, agency_admin, person = agency_setup
    client.force_login(agency_admin)
    # when
    response = client.post(
        reverse("dashboard:agency_assign", args=[grant.agency_id, grant.pk]),
        {"user": person.pk, "role": Role.EDITOR},
    )
    # then
    assert response.status_code == 302
    member = WorkspaceMember.objects.get(workspace=grant.workspace, user=person)
    assert member.grant_id == grant.pk and member.role == Role.EDITOR


def test_assignment_above_the_ceiling_shows_the_error_and_creates_nothing(client, agency_setup):
    # given
    grant, agency_admin, person = agency_setup
    client.force_login(agency_admin)
    # when
    response = client.post(
        reverse("dashboard:agency_assign", args=[grant.agency_id, grant.pk]),
        {"user": person.pk, "role": Role.ADMIN},
    )
    # then
    assert response.status_code == 400
    assert "The client allows at most the Editor role." in response.content.decode()
    assert not WorkspaceMember.objects.filter(user=person).exists()


def test_agency_admin_removes_an_assignment(client, agency_setup):
    # given
    grant, agency_admin, person = agency_setup
    member = WorkspaceMember.objects.create(
        workspace=grant.workspace, user=person, role=Role.VIEWER, grant=grant
    )
    client.force_login(agency_admin)
    # when
    client.post(reverse("dashboard:agency_unassign", args=[grant.agency_id, member.pk]))
    # then
    assert not WorkspaceMember.objects.filter(pk=member.pk).exists()


def test_agency_home_refused_for_plain_agency_member_and_hidden_from_outsiders(client, agency_setup, user):
    # given
    grant, _agency_admin, person = agency_setup
    url = reverse("dashboard:agency_home", args=[grant.agency_id])
    # when
    client.force_login(person)
    as_member = client.get(url)
    client.force_login(user)
    as_outsider = client.get(url)
    # then
    assert as_member.status_code == 403
    assert as_outsider.status_code == 404
