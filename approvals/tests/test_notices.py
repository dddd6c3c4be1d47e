"""The upper apps' notices: a bell row with its link, an email with the absolute link, each person's
channels respected, and only the app kinds accepted."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from approvals import notices
from approvals.models import APP_NOTIFICATION_KINDS, Notification, NotificationKind, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [value for value, _label in APP_NOTIFICATION_KINDS])
def test_each_app_kind_reaches_the_bell_and_the_mailbox_with_its_link(
    kind, django_capture_on_commit_callbacks
):
    member = WorkspaceMemberFactory(role=Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify(
            [member.user, member.user, None],
            kind=kind,
            workspace_id=member.workspace_id,
            message=lambda: "Look at this",
            link="/w/1/somewhere/",
        )
    row = Notification.objects.get(recipient=member.user)
    assert (row.kind, row.link, row.message) == (kind, "/w/1/somewhere/", "Look at this")
    assert len(mail.outbox) == 1 and mail.outbox[0].body.endswith("/w/1/somewhere/")
    assert mail.outbox[0].body.startswith("Look at this\n\nhttp")


def test_a_person_who_turned_off_both_channels_gets_nothing(django_capture_on_commit_callbacks):
    member = WorkspaceMemberFactory(role=Role.MANAGER)
    kind = APP_NOTIFICATION_KINDS[0][0]
    NotificationPreference.objects.create(user=member.user, kind=kind, in_app=False, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            notices.notify([member.user], kind=kind, workspace_id=member.workspace_id, message=lambda: "x")
            == []
        )
    assert not Notification.objects.exists() and mail.outbox == []


def test_approvals_own_kinds_are_refused():
    member = WorkspaceMemberFactory(role=Role.MANAGER)
    with pytest.raises(ValueError):
        notices.notify(
            [member.user],
            kind=NotificationKind.APPROVED,
            workspace_id=member.workspace_id,
            message=lambda: "x",
        )


def test_the_notifications_page_links_an_app_notice(client):
    member = WorkspaceMemberFactory(role=Role.MANAGER)
    Notification.objects.create(
        recipient=member.user,
        workspace=member.workspace,
        kind=APP_NOTIFICATION_KINDS[0][0],
        message="Over budget",
        link="/w/9/budgets/3/",
    )
    client.force_login(member.user)
    body = client.get(reverse("publishing:notifications")).content.decode()
    assert 'href="/w/9/budgets/3/"' in body and "Over budget" in body
