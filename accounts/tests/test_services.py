"""The tenancy services: the invitation lifecycle, agency flows, organization and workspace edits."""

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import AgencyGrant, Invitation, Membership, WorkspaceMember
from accounts.roles import OrgRole, Role, capabilities_for
from accounts.selectors import workspace_access_for, workspaces_for_user
from accounts.tests.factories import (
    AgencyFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from accounts.tokens import hash_secret
from core.errors import PermissionRefused, ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return WorkspaceMemberFactory(role=Role.ADMIN)


def actions(workspace) -> list[str]:
    return list(
        AuditEvent.objects.filter(workspace=workspace).order_by("id").values_list("action", flat=True)
    )


# --- invitations ---------------------------------------------------------------------------------------


def test_create_stores_the_hash_and_emails_the_token(admin, mailoutbox, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=admin.user, workspace=admin.workspace, email=" Ada@Example.COM ", role=Role.EDITOR
        )
    # then
    assert invitation.email == "ada@example.com"
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.token_hash == hash_secret(token)
    assert invitation.expires_at > timezone.now() + timezone.timedelta(days=6)
    assert len(mailoutbox) == 1 and token in mailoutbox[0].body
    assert actions(admin.workspace) == ["invitation.created"]
    assert token not in str(AuditEvent.objects.get().after)


def test_the_email_waits_for_the_commit(admin, mailoutbox, django_capture_on_commit_callbacks):
    # An invitation that is rolled back is never sent: the email is queued only on commit.
    with django_capture_on_commit_callbacks() as callbacks:
        services.invitation_create(
            actor=admin.user, workspace=admin.workspace, email="a@example.com", role="viewer"
        )
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_second_pending_invitation_to_the_same_address_is_refused(admin):
    services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="a@example.com", role="viewer"
    )
    with pytest.raises(ValidationFailed) as error:
        services.invitation_create(
            actor=admin.user, workspace=admin.workspace, email="A@example.com", role="editor"
        )
    assert error.value.code == "already_invited"
    assert Invitation.objects.count() == 1


def test_members_are_not_invited_again(admin):
    with pytest.raises(ValidationFailed) as error:
        services.invitation_create(
            actor=admin.user, workspace=admin.workspace, email=admin.user.email.upper(), role="viewer"
        )
    assert error.value.code == "already_member"


def test_an_email_longer_than_the_column_is_a_field_error(admin):
    with pytest.raises(ValidationFailed) as error:
        services.invitation_create(
            actor=admin.user, workspace=admin.workspace, email="x" * 250 + "@example.com", role="viewer"
        )
    assert "email" in error.value.fields


def test_resend_replaces_the_token_and_extends_the_expiry(admin):
    # given
    invitation, old_token = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="a@example.com", role="viewer"
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timezone.timedelta(hours=1)
    )
    # when
    resent, new_token = services.invitation_resend(actor=admin.user, invitation=invitation)
    # then
    assert new_token != old_token
    assert resent.token_hash == hash_secret(new_token)
    assert resent.sent_count == 2
    assert resent.expires_at > timezone.now() + timezone.timedelta(days=6)
    assert services.invitation_for_token(old_token) is None
    assert actions(admin.workspace) == ["invitation.created", "invitation.resent"]


def test_resend_revives_an_expired_invitation(admin):
    invitation, _ = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="a@example.com", role="viewer"
    )
    services.invitations_expire(now=timezone.now() + timezone.timedelta(days=30))
    resent, token = services.invitation_resend(actor=admin.user, invitation=invitation)
    assert resent.status == Invitation.Status.PENDING
    member = services.invitation_accept(user=UserFactory(email="a@example.com"), token=token)
    assert member.workspace == admin.workspace


def test_accepted_or_revoked_invitations_cannot_be_resent(admin):
    invitation, _ = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="a@example.com", role="viewer"
    )
    services.invitation_revoke(actor=admin.user, invitation=invitation)
    with pytest.raises(ValidationFailed):
        services.invitation_resend(actor=admin.user, invitation=invitation)


def test_revoke_stops_acceptance(admin):
    # given
    invitation, token = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="a@example.com", role="viewer"
    )
    # when
    services.invitation_revoke(actor=admin.user, invitation=invitation)
    # then
    with pytest.raises(ValidationFailed) as error:
        services.invitation_accept(user=UserFactory(email="a@example.com"), token=token)
    assert error.value.code == "revoked"
    assert not WorkspaceMember.objects.filter(user__email="a@example.com").exists()


def test_accept_makes_a_member_and_an_organization_member(admin):
    # given
    invitation, token = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="a@example.com", role=Role.ANALYST
    )
    user = UserFactory(email="a@example.com")
    # when
    member = services.invitation_accept(user=user, token=token)
    # then
    assert (member.workspace, member.user, member.role, member.grant) == (
        admin.workspace,
        user,
        "analyst",
        None,
    )
    assert Membership.objects.get(organization=admin.workspace.organization, user=user).role == OrgRole.MEMBER
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (Invitation.Status.ACCEPTED, user)
    assert workspace_access_for(user=user, workspace_id=admin.workspace_id).role == Role.ANALYST
    assert actions(admin.workspace)[-1] == "invitation.accepted"


def test_accept_keeps_an_existing_organization_role(admin):
    owner = MembershipFactory(organization=admin.workspace.organization, role=OrgRole.OWNER).user
    _, token = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email=owner.email, role=Role.VIEWER
    )
    services.invitation_accept(user=owner, token=token)
    assert Membership.objects.get(organization=admin.workspace.organization, user=owner).role == OrgRole.OWNER


def test_expire_marks_only_overdue_pending_invitations(admin):
    # given
    overdue, _ = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="old@example.com", role="viewer"
    )
    fresh, _ = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="new@example.com", role="viewer"
    )
    Invitation.objects.filter(pk=overdue.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    # when
    expired = services.invitations_expire()
    # then
    assert expired == 1
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert (overdue.status, fresh.status) == (Invitation.Status.EXPIRED, Invitation.Status.PENDING)


def test_an_expired_invitation_cannot_be_accepted_even_before_the_sweep(admin):
    _, token = services.invitation_create(
        actor=admin.user, workspace=admin.workspace, email="a@example.com", role="viewer"
    )
    Invitation.objects.update(expires_at=timezone.now())
    with pytest.raises(ValidationFailed) as error:
        services.invitation_accept(user=UserFactory(email="a@example.com"), token=token)
    assert error.value.code == "expired"
    assert Invitation.objects.get().status == Invitation.Status.PENDING


# --- agency flows --------------------------------------------------------------------------------------


@pytest.fixture
def agency_world(admin):
    agency = AgencyFactory()
    agency_admin = MembershipFactory(organization=agency, role=OrgRole.ADMIN).user
    person = MembershipFactory(organization=agency, role=OrgRole.MEMBER).user
    grant = services.agency_grant_create(
        actor=admin.user, workspace=admin.workspace, agency=agency, role_ceiling=Role.MANAGER
    )
    return grant, agency_admin, person


def test_grant_then_assign_within_the_ceiling(admin, agency_world):
    # given
    grant, agency_admin, person = agency_world
    # when
    member = services.agency_assignment_create(actor=agency_admin, grant=grant, user=person, role=Role.EDITOR)
    # then
    access = workspace_access_for(user=person, workspace_id=admin.workspace_id)
    assert (access.via, access.role) == ("agency", Role.EDITOR)
    assert member.grant == grant
    assert actions(admin.workspace) == ["agency_grant.created", "agency_assignment.created"]


def test_grants_go_to_agencies_only_and_never_to_oneself(admin):
    with pytest.raises(ValidationFailed):
        services.agency_grant_create(
            actor=admin.user, workspace=admin.workspace, agency=OrganizationFactory(), role_ceiling="viewer"
        )
    own = admin.workspace.organization
    own.kind = own.Kind.AGENCY
    own.save()
    with pytest.raises(ValidationFailed):
        services.agency_grant_create(
            actor=admin.user, workspace=admin.workspace, agency=own, role_ceiling="viewer"
        )
    assert not AgencyGrant.objects.exists()


def test_only_agency_admins_assign(agency_world):
    grant, _agency_admin, person = agency_world
    with pytest.raises(PermissionRefused):
        services.agency_assignment_create(actor=person, grant=grant, user=person, role=Role.VIEWER)
    assert not WorkspaceMember.objects.filter(grant=grant).exists()


def test_lowering_the_ceiling_brings_people_down(admin, agency_world):
    # given
    grant, agency_admin, person = agency_world
    member = services.agency_assignment_create(
        actor=agency_admin, grant=grant, user=person, role=Role.MANAGER
    )
    # when
    services.agency_grant_change_ceiling(actor=admin.user, grant=grant, role_ceiling=Role.ANALYST)
    # then
    member.refresh_from_db()
    assert member.role == Role.ANALYST
    access = workspace_access_for(user=person, workspace_id=admin.workspace_id)
    assert access.capabilities == capabilities_for(Role.ANALYST)


def test_revoke_ends_access_and_removes_assignments(admin, agency_world):
    # given
    grant, agency_admin, person = agency_world
    services.agency_assignment_create(actor=agency_admin, grant=grant, user=person, role=Role.EDITOR)
    # when
    services.agency_grant_revoke(actor=admin.user, grant=grant)
    # then
    assert workspace_access_for(user=person, workspace_id=admin.workspace_id) is None
    assert list(workspaces_for_user(user=person)) == []
    assert not WorkspaceMember.objects.filter(grant=grant).exists()
    grant.refresh_from_db()
    assert grant.revoked_by == admin.user and grant.revoked_at is not None
    with pytest.raises(ValidationFailed):
        services.agency_assignment_create(actor=agency_admin, grant=grant, user=person, role=Role.VIEWER)
    # and the agency can be let in again later
    again = services.agency_grant_create(
        actor=admin.user, workspace=admin.workspace, agency=grant.agency, role_ceiling=Role.VIEWER
    )
    assert again.pk != grant.pk


def test_agency_assignment_remove(admin, agency_world):
    grant, agency_admin, person = agency_world
    member = services.agency_assignment_create(actor=agency_admin, grant=grant, user=person, role=Role.EDITOR)
    services.agency_assignment_remove(actor=agency_admin, member=member)
    assert workspace_access_for(user=person, workspace_id=admin.workspace_id) is None
    with pytest.raises(ValidationFailed):
        services.agency_assignment_remove(actor=agency_admin, member=admin)


# --- access rules ------------------------------------------------------------------------------------


def test_org_admins_are_workspace_admins_whatever_their_member_row():
    membership = MembershipFactory(role=OrgRole.OWNER)
    workspace = WorkspaceFactory(organization=membership.organization)
    WorkspaceMemberFactory(workspace=workspace, user=membership.user, role=Role.VIEWER)
    access = workspace_access_for(user=membership.user, workspace_id=workspace.pk)
    assert access.role == Role.ADMIN and access.member is not None


def test_organization_create_and_update():
    # given
    user = UserFactory()
    organization = services.organization_create(actor=user, name="  Acme  ", slug="acme")
    # when
    services.organization_update(actor=user, organization=organization, name="Acme China")
    # then
    organization.refresh_from_db()
    assert (organization.name, organization.slug) == ("Acme China", "acme")
    stranger = UserFactory()
    with pytest.raises(PermissionRefused):
        services.organization_update(actor=stranger, organization=organization, name="Mine")
    with pytest.raises(ValidationFailed):
        services.organization_update(actor=user, organization=organization, kind="agency")


def test_the_last_admin_cannot_be_removed(admin):
    with pytest.raises(ValidationFailed) as error:
        services.member_remove(actor=admin.user, member=admin)
    assert error.value.code == "last_admin"
    assert WorkspaceMember.objects.filter(pk=admin.pk).exists()
