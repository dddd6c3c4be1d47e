"""Bad input gets a 400 that names the field, in {"error": {"fields": {...}}}, and nothing is created."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import (
    AgencyGrant,
    Invitation,
    Membership,
    Organization,
    PersonalAccessToken,
    Workspace,
    WorkspaceMember,
)
from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyGrantFactory,
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Organization,
    Membership,
    Workspace,
    WorkspaceMember,
    Invitation,
    AgencyGrant,
    PersonalAccessToken,
    AuditEvent,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in ALL_MODELS}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_field_error(response, field: str) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["fields"].get(field), error
    assert all(isinstance(message, str) and message for message in error["fields"][field])
    assert error["message"]


@pytest.fixture
def admin():
    member = WorkspaceMemberFactory(role=Role.ADMIN)
    MembershipFactory(organization=member.workspace.organization, user=member.user, role=OrgRole.OWNER)
    return member


def invite(admin, **body):
    return client_for(admin.user).post(
        f"/api/v1/workspaces/{admin.workspace_id}/invitations/", body, format="json"
    )


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "two@@example.com", "", "x" * 300 + "@example.com"])
def test_malformed_email(admin, email):
    # given
    before = counts()
    # when
    response = invite(admin, email=email, role="editor")
    # then
    assert_field_error(response, "email")
    assert counts() == before


def test_malformed_email_is_also_refused_by_the_service(admin):
    before = counts()
    with pytest.raises(services.ValidationFailed) as error:
        services.invitation_create(actor=admin.user, workspace=admin.workspace, email="nope", role="editor")
    assert "email" in error.value.fields
    assert counts() == before


@pytest.mark.parametrize("role", ["overlord", "Admin", "", "owner"])
def test_unknown_role_in_an_invitation(admin, role):
    before = counts()
    response = invite(admin, email="new@example.com", role=role)
    assert_field_error(response, "role")
    assert counts() == before


def test_unknown_role_for_a_member(admin):
    # given
    editor = WorkspaceMemberFactory(workspace=admin.workspace, role=Role.EDITOR)
    before = counts()
    # when
    response = client_for(admin.user).patch(
        f"/api/v1/workspaces/{admin.workspace_id}/members/{editor.pk}/", {"role": "superuser"}, format="json"
    )
    # then
    assert_field_error(response, "role")
    assert counts() == before
    editor.refresh_from_db()
    assert editor.role == Role.EDITOR


def test_unknown_role_ceiling(admin):
    from accounts.tests.factories import AgencyFactory

    before_agency = AgencyFactory()
    before = counts()
    response = client_for(admin.user).post(
        f"/api/v1/workspaces/{admin.workspace_id}/agency-grants/",
        {"agency": before_agency.pk, "role_ceiling": "god"},
        format="json",
    )
    assert_field_error(response, "role_ceiling")
    assert counts() == before


def test_duplicate_workspace_slug(admin):
    # given
    taken = WorkspaceFactory(organization=admin.workspace.organization, slug="flagship")
    before = counts()
    # when
    response = client_for(admin.user).post(
        "/api/v1/workspaces/",
        {"organization": taken.organization_id, "name": "Another", "slug": "flagship"},
        format="json",
    )
    # then
    assert_field_error(response, "slug")
    assert response.json()["error"]["code"] == "duplicate_slug"
    assert counts() == before


def test_duplicate_slug_when_renaming_a_workspace(admin):
    WorkspaceFactory(organization=admin.workspace.organization, slug="flagship")
    before = counts()
    response = client_for(admin.user).patch(
        f"/api/v1/workspaces/{admin.workspace_id}/", {"slug": "flagship"}, format="json"
    )
    assert_field_error(response, "slug")
    assert counts() == before


def test_duplicate_organization_slug(admin):
    before = counts()
    response = client_for(admin.user).post(
        "/api/v1/organizations/",
        {"name": "Copycat", "slug": admin.workspace.organization.slug},
        format="json",
    )
    assert_field_error(response, "slug")
    assert counts() == before


@pytest.mark.parametrize("slug", ["has space", "中文", "a/b", "x" * 61])
def test_malformed_slug(admin, slug):
    before = counts()
    response = client_for(admin.user).post(
        "/api/v1/workspaces/",
        {"organization": admin.workspace.organization_id, "name": "New", "slug": slug},
        format="json",
    )
    assert_field_error(response, "slug")
    assert counts() == before


def test_over_long_name_is_a_field_error_not_a_crash(admin):
    before = counts()
    with pytest.raises(services.ValidationFailed) as error:
        services.workspace_update(actor=admin.user, workspace=admin.workspace, name="x" * 500)
    assert "name" in error.value.fields
    assert counts() == before


def _invitation_token(admin, email="invitee@example.com") -> str:
    _invitation, token = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email=email, role=Role.EDITOR
    )
    return token


def accept(user, token):
    return client_for(user).post("/api/v1/invitations/accept/", {"token": token}, format="json")


def test_expired_invitation(admin):
    # given
    token = _invitation_token(admin)
    Invitation.objects.update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    invitee = UserFactory(email="invitee@example.com")
    before = counts()
    # when
    response = accept(invitee, token)
    # then
    assert_field_error(response, "token")
    assert response.json()["error"]["code"] == "expired"
    assert counts() == before


def test_expired_invitation_after_the_periodic_sweep(admin):
    token = _invitation_token(admin)
    services.invitations_expire(now=timezone.now() + timezone.timedelta(days=30))
    invitee = UserFactory(email="invitee@example.com")
    before = counts()
    response = accept(invitee, token)
    assert_field_error(response, "token")
    assert counts() == before


def test_reused_invitation(admin):
    # given
    token = _invitation_token(admin)
    invitee = UserFactory(email="invitee@example.com")
    assert accept(invitee, token).status_code == 200
    before = counts()
    # when
    response = accept(invitee, token)
    # then
    assert_field_error(response, "token")
    assert response.json()["error"]["code"] == "used"
    assert counts() == before


def test_unknown_invitation_token(admin):
    invitee = UserFactory()
    before = counts()
    response = accept(invitee, "made-up")
    assert_field_error(response, "token")
    assert counts() == before


def test_role_above_the_agency_ceiling(admin):
    # given
    grant = AgencyGrantFactory(workspace=admin.workspace, role_ceiling=Role.EDITOR)
    owner = MembershipFactory(organization=grant.agency, role=OrgRole.OWNER).user
    person = MembershipFactory(organization=grant.agency).user
    before = counts()
    # when
    response = client_for(owner).post(
        f"/api/v1/organizations/{grant.agency_id}/received-grants/{grant.pk}/assignments/",
        {"user": person.pk, "role": Role.MANAGER},
        format="json",
    )
    # then
    assert_field_error(response, "role")
    assert response.json()["error"]["code"] == "above_ceiling"
    assert counts() == before


def test_reviewer_is_above_an_editor_ceiling_too(admin):
    # Reviewers can decide approvals, which editors cannot: not "within" an editor ceiling.
    grant = AgencyGrantFactory(workspace=admin.workspace, role_ceiling=Role.EDITOR)
    owner = MembershipFactory(organization=grant.agency, role=OrgRole.OWNER).user
    person = MembershipFactory(organization=grant.agency).user
    before = counts()
    response = client_for(owner).post(
        f"/api/v1/organizations/{grant.agency_id}/received-grants/{grant.pk}/assignments/",
        {"user": person.pk, "role": Role.REVIEWER},
        format="json",
    )
    assert_field_error(response, "role")
    assert counts() == before


def test_missing_and_wrongly_typed_fields(admin):
    before = counts()
    response = client_for(admin.user).post(
        "/api/v1/workspaces/", {"organization": "first", "name": ""}, format="json"
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"organization", "name", "slug"} <= set(fields)
    assert counts() == before


def test_malformed_json_body(admin):
    before = counts()
    response = client_for(admin.user).post(
        f"/api/v1/workspaces/{admin.workspace_id}/invitations/", data="{nope", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
    assert counts() == before
