from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(workspace, member_factory):
    admin = member_factory(workspace, role=Role.ADMIN).user

    def make(email, role=Role.EDITOR):
        return services.invitation_create(actor=admin, workspace=workspace, email=email, role=role)

    return make


def test_anonymous_visitor_sees_workspace_and_sign_in_links(client, workspace, invite):
    # given
    _invitation, token = invite("new@example.com", Role.REVIEWER)
    url = reverse("dashboard:invitation_accept", args=[token])
    # when
    response = client.get(url)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert workspace.name in html and "Reviewer" in html
    assert f"{reverse('account_login')}?next=%2Finvitations%2F{token}%2F" in html
    assert f"{reverse('account_signup')}?next=%2Finvitations%2F{token}%2F" in html


def test_matching_user_accepts_and_lands_in_the_workspace(client, workspace, invite):
    # given
    person = UserFactory(email="new@example.com")
    _invitation, token = invite(person.email)
    client.force_login(person)
    # when
    response = client.post(reverse("dashboard:invitation_accept", args=[token]))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:workspace_home", args=[workspace.pk])
    assert WorkspaceMember.objects.get(workspace=workspace, user=person).role == Role.EDITOR


def test_wrong_user_sees_clear_error_and_joins_nothing(client, workspace, invite):
    # given
    _invitation, token = invite("someone@example.com")
    intruder = UserFactory(email="intruder@example.com")
    client.force_login(intruder)
    # when
    page = client.get(reverse("dashboard:invitation_accept", args=[token]))
    accept = client.post(reverse("dashboard:invitation_accept", args=[token]))
    # then
    assert "This invitation was sent to someone@example.com" in page.content.decode()
    assert "Accept invitation" not in page.content.decode()
    assert accept.status_code == 400
    assert not WorkspaceMember.objects.filter(user=intruder).exists()


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("expired", "This invitation has expired; ask for a new one."),
        ("revoked", "This invitation was revoked."),
        ("accepted", "This invitation has already been used."),
    ],
)
def test_unusable_invitations_explain_why(client, invite, state, message):
    # given
    person = UserFactory(email="late@example.com")
    invitation, token = invite(person.email)
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    else:
        Invitation.objects.filter(pk=invitation.pk).update(status=state)
    client.force_login(person)
    # when
    page = client.get(reverse("dashboard:invitation_accept", args=[token]))
    accept = client.post(reverse("dashboard:invitation_accept", args=[token]))
    # then
    assert message in page.content.decode()
    assert accept.status_code == 400 and message in accept.content.decode()
    assert not WorkspaceMember.objects.filter(user=person).exists()


def test_anonymous_post_is_sent_to_sign_in(client, invite):
    # given
    _invitation, token = invite("new@example.com")
    # when
    response = client.post(reverse("dashboard:invitation_accept", args=[token]))
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
