"""Invitations through the API. The plain token only ever travels in the email."""

import re

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Invitation, Membership, WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import UserFactory
from accounts.tokens import hash_secret

pytestmark = pytest.mark.django_db

TOKEN_IN_URL = re.compile(r"/invitations/([A-Za-z0-9_\-]+)/")


def invitations_url(workspace, invitation=None, action=""):
    base = f"/api/v1/workspaces/{workspace.pk}/invitations/"
    return f"{base}{invitation.pk}/{action}" if invitation else base


@pytest.fixture
def admin(workspace, member_factory):
    return member_factory(workspace, Role.ADMIN)


def invite(client, workspace, django_capture_on_commit_callbacks, email="new@example.com", role="editor"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(invitations_url(workspace), {"email": email, "role": role}, format="json")


def emailed_token(mailoutbox) -> str:
    return TOKEN_IN_URL.search(mailoutbox[-1].body).group(1)


def test_invite_emails_a_link_and_never_returns_the_token(
    client_for, workspace, admin, mailoutbox, django_capture_on_commit_callbacks
):
    # when
    response = invite(
        client_for(admin.user), workspace, django_capture_on_commit_callbacks, "New@Example.com"
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["status"], body["sent_count"]) == (
        "new@example.com",
        "editor",
        "pending",
        1,
    )
    assert body["invited_by"] == admin.user.email
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new@example.com"]
    token = emailed_token(mailoutbox)
    assert token not in response.content.decode()
    assert "token" not in body and "token_hash" not in body
    invitation = Invitation.objects.get(pk=body["id"])
    assert invitation.token_hash == hash_secret(token) != token
    listed = client_for(admin.user).get(invitations_url(workspace))
    assert token not in listed.content.decode()
    assert [row["id"] for row in listed.json()["results"]] == [invitation.pk]


def test_accept_through_the_api(client_for, workspace, admin, mailoutbox, django_capture_on_commit_callbacks):
    # given
    invite(client_for(admin.user), workspace, django_capture_on_commit_callbacks, role="reviewer")
    invitee = UserFactory(email="new@example.com")
    # when
    response = client_for(invitee).post(
        "/api/v1/invitations/accept/", {"token": emailed_token(mailoutbox)}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.json()["workspace"] == {"id": workspace.pk, "name": workspace.name}
    assert response.json()["role"] == "reviewer"
    assert WorkspaceMember.objects.get(workspace=workspace, user=invitee).role == Role.REVIEWER
    assert Membership.objects.filter(organization=workspace.organization, user=invitee).exists()
    assert client_for(invitee).get(f"/api/v1/workspaces/{workspace.pk}/").status_code == 200


def test_accept_with_another_account_is_refused(
    client_for, workspace, admin, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    invite(client_for(admin.user), workspace, django_capture_on_commit_callbacks)
    stranger = UserFactory()
    # when
    response = client_for(stranger).post(
        "/api/v1/invitations/accept/", {"token": emailed_token(mailoutbox)}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "wrong_user"
    assert not WorkspaceMember.objects.filter(user=stranger).exists()


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    client_for, workspace, admin, mailoutbox, django_capture_on_commit_callbacks
):
    # given
    created = invite(client_for(admin.user), workspace, django_capture_on_commit_callbacks).json()
    old_token = emailed_token(mailoutbox)
    invitation = Invitation.objects.get(pk=created["id"])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin.user).post(invitations_url(workspace, invitation, "resend/"))
    # then
    assert response.status_code == 200
    assert response.json()["sent_count"] == 2
    new_token = emailed_token(mailoutbox)
    assert len(mailoutbox) == 2 and new_token != old_token
    assert new_token not in response.content.decode()
    invitee = UserFactory(email="new@example.com")
    stale = client_for(invitee).post("/api/v1/invitations/accept/", {"token": old_token}, format="json")
    assert stale.status_code == 400
    fresh = client_for(invitee).post("/api/v1/invitations/accept/", {"token": new_token}, format="json")
    assert fresh.status_code == 200


def test_delete_revokes(client_for, workspace, admin, mailoutbox, django_capture_on_commit_callbacks):
    # given
    created = invite(client_for(admin.user), workspace, django_capture_on_commit_callbacks).json()
    invitation = Invitation.objects.get(pk=created["id"])
    # when
    response = client_for(admin.user).delete(invitations_url(workspace, invitation))
    # then
    assert response.status_code == 204
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    invitee = UserFactory(email="new@example.com")
    refused = client_for(invitee).post(
        "/api/v1/invitations/accept/", {"token": emailed_token(mailoutbox)}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "revoked"
    again = client_for(admin.user).delete(invitations_url(workspace, invitation))
    assert again.status_code == 400


def test_a_pending_invitation_past_its_expiry_shows_as_expired(
    client_for, workspace, admin, django_capture_on_commit_callbacks
):
    # given
    created = invite(client_for(admin.user), workspace, django_capture_on_commit_callbacks).json()
    # when
    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        response = client_for(admin.user).get(invitations_url(workspace))
    # then
    assert [(row["id"], row["status"]) for row in response.json()["results"]] == [(created["id"], "expired")]


def test_managers_cannot_invite(client_for, workspace, member_factory):
    # given
    manager = member_factory(workspace, Role.MANAGER)
    # when
    response = client_for(manager.user).post(
        invitations_url(workspace), {"email": "x@example.com", "role": "admin"}, format="json"
    )
    # then
    assert response.status_code == 403
    assert not Invitation.objects.exists()
