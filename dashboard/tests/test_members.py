import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Invitation, WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import (
    AgencyGrantFactory,
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
)
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin(workspace, member_factory):
    return member_factory(workspace, role=Role.ADMIN).user


def test_members_page_lists_members_and_invite_form(client, workspace, admin, member_factory):
    # given
    editor = member_factory(workspace, role=Role.EDITOR).user
    client.force_login(admin)
    # when
    response = client.get(reverse("dashboard:members", args=[workspace.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert editor.email in html and admin.email in html
    assert 'data-testid="invite-form"' in html
    assert (
        reverse("dashboard:member_role", args=[workspace.pk, editor.workspace_memberships.get().pk]) in html
    )


def test_viewer_sees_members_but_no_management(client, workspace, member_factory):
    # given
    viewer = member_factory(workspace, role=Role.VIEWER).user
    client.force_login(viewer)
    # when
    response = client.get(reverse("dashboard:members", args=[workspace.pk]))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert viewer.email in html
    assert 'data-testid="invite-form"' not in html
    assert 'data-testid="role-select"' not in html


def test_role_change_with_htmx_swaps_the_row_and_writes_audit(client, workspace, admin, member_factory):
    # given
    member = member_factory(workspace, role=Role.EDITOR)
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:member_role", args=[workspace.pk, member.pk]), {"role": Role.MANAGER}, **HTMX
    )
    # then
    member.refresh_from_db()
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{member.pk}"')
    assert 'data-testid="role-saved"' in html
    assert member.role == Role.MANAGER
    event = AuditEvent.objects.get(action="member.role_changed")
    assert event.workspace_id == workspace.pk
    assert event.actor_id == admin.pk
    assert event.before == {"role": "editor"} and event.after == {"role": "manager"}


def test_role_change_without_htmx_redirects_with_message(client, workspace, admin, member_factory):
    # given
    member = member_factory(workspace, role=Role.EDITOR)
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:member_role", args=[workspace.pk, member.pk]), {"role": Role.REVIEWER}, follow=True
    )
    # then
    member.refresh_from_db()
    assert member.role == Role.REVIEWER
    assert "is now Reviewer." in response.content.decode()


def test_last_admin_cannot_be_demoted_and_the_row_says_why(client, workspace, admin):
    # given
    member = admin.workspace_memberships.get()
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:member_role", args=[workspace.pk, member.pk]), {"role": Role.VIEWER}, **HTMX
    )
    # then
    member.refresh_from_db()
    assert member.role == Role.ADMIN
    assert "A workspace needs at least one admin." in response.content.decode()
    assert not AuditEvent.objects.filter(action="member.role_changed").exists()


def test_agency_member_role_is_capped_by_the_ceiling(client, workspace, admin):
    # given
    grant = AgencyGrantFactory(workspace=workspace, role_ceiling=Role.EDITOR)
    person = MembershipFactory(organization=grant.agency).user
    member = WorkspaceMember.objects.create(workspace=workspace, user=person, role=Role.EDITOR, grant=grant)
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:member_role", args=[workspace.pk, member.pk]), {"role": Role.ADMIN}, **HTMX
    )
    # then
    member.refresh_from_db()
    assert member.role == Role.EDITOR
    assert "limited to the Editor role" in response.content.decode()


def test_role_change_refused_for_a_too_weak_role(client, workspace, member_factory):
    # given
    editor = member_factory(workspace, role=Role.EDITOR).user
    other = member_factory(workspace, role=Role.VIEWER)
    client.force_login(editor)
    # when
    response = client.post(
        reverse("dashboard:member_role", args=[workspace.pk, other.pk]), {"role": Role.ADMIN}, **HTMX
    )
    # then
    other.refresh_from_db()
    assert response.status_code == 403
    assert other.role == Role.VIEWER


def test_role_change_of_another_workspaces_member_is_404(client, workspace, admin, member_factory):
    # given
    elsewhere = member_factory(WorkspaceFactory(), role=Role.EDITOR)
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:member_role", args=[workspace.pk, elsewhere.pk]), {"role": Role.ADMIN}
    )
    # then
    elsewhere.refresh_from_db()
    assert response.status_code == 404
    assert elsewhere.role == Role.EDITOR


def test_get_on_an_action_url_is_405(client, workspace, admin, member_factory):
    # given
    member = member_factory(workspace, role=Role.EDITOR)
    client.force_login(admin)
    # when
    response = client.get(reverse("dashboard:member_role", args=[workspace.pk, member.pk]))
    # then
    assert response.status_code == 405


def test_invite_with_invalid_email_shows_field_error_and_creates_nothing(client, workspace, admin):
    # given
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:members", args=[workspace.pk]), {"email": "not-an-email", "role": Role.EDITOR}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email_error"' in html
    assert "Enter a valid email address." in html
    assert Invitation.objects.count() == 0


def test_invite_of_existing_member_shows_service_error_next_to_email(
    client, workspace, admin, member_factory
):
    # given
    existing = member_factory(workspace, role=Role.EDITOR).user
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:members", args=[workspace.pk]), {"email": existing.email, "role": Role.EDITOR}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 400
    assert "This person is already a member of the workspace." in html
    assert 'id="id_email_error"' in html
    assert Invitation.objects.count() == 0


def test_invite_creates_a_pending_invitation(client, workspace, admin):
    # given
    client.force_login(admin)
    # when
    response = client.post(
        reverse("dashboard:members", args=[workspace.pk]),
        {"email": "New.Person@Example.com", "role": Role.REVIEWER},
        follow=True,
    )
    # then
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.com"
    assert invitation.role == Role.REVIEWER
    assert invitation.status == Invitation.Status.PENDING
    assert "Invitation sent to new.person@example.com." in response.content.decode()
    assert "new.person@example.com" in response.content.decode()


def test_invite_refused_for_a_manager(client, workspace, member_factory):
    # given
    manager = member_factory(workspace, role=Role.MANAGER).user
    client.force_login(manager)
    # when
    response = client.post(
        reverse("dashboard:members", args=[workspace.pk]), {"email": "x@example.com", "role": Role.ADMIN}
    )
    # then
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


def test_resend_and_revoke_invitation(client, workspace, admin):
    # given
    invitation, _token = services.invitation_create(
        actor=admin, workspace=workspace, email="guest@example.com", role=Role.VIEWER
    )
    client.force_login(admin)
    # when
    client.post(reverse("dashboard:invitation_resend", args=[workspace.pk, invitation.pk]))
    client.post(reverse("dashboard:invitation_revoke", args=[workspace.pk, invitation.pk]))
    # then
    invitation.refresh_from_db()
    assert invitation.sent_count == 2
    assert invitation.status == Invitation.Status.REVOKED
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "invitation.resent",
        "invitation.revoked",
    }


def test_invitation_of_another_workspace_is_404(client, workspace, admin):
    # given
    other = WorkspaceFactory()
    invitation, _token = services.invitation_create(
        actor=UserFactory(), workspace=other, email="guest@example.com", role=Role.VIEWER
    )
    client.force_login(admin)
    # when
    response = client.post(reverse("dashboard:invitation_revoke", args=[workspace.pk, invitation.pk]))
    # then
    invitation.refresh_from_db()
    assert response.status_code == 404
    assert invitation.status == Invitation.Status.PENDING


def test_remove_member(client, workspace, admin, member_factory):
    # given
    member = member_factory(workspace, role=Role.EDITOR)
    client.force_login(admin)
    # when
    response = client.post(reverse("dashboard:member_remove", args=[workspace.pk, member.pk]), follow=True)
    # then
    assert not WorkspaceMember.objects.filter(pk=member.pk).exists()
    assert "was removed from the workspace." in response.content.decode()
    assert AuditEvent.objects.filter(action="member.removed", workspace=workspace).exists()
