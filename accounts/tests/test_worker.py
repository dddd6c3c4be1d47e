"""The invitation email goes out through a real Celery worker, not an eager call in the test process."""

import re

import pytest
from django.core import mail

from accounts import services
from accounts.models import Invitation, WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from tests.worker import CeleryWorker, run_celery_worker

pytestmark = pytest.mark.worker


@pytest.fixture
def worker(transactional_db, tmp_path):
    # Rows must be committed for the worker to see them, hence transactional_db.
    with run_celery_worker(mail_dir=tmp_path / "mail", log_dir=tmp_path) as running:
        yield running


def test_invitation_email_is_sent_by_the_worker_and_its_link_accepts(worker: CeleryWorker):
    # given
    admin = UserFactory(full_name="Ada Admin")
    workspace = WorkspaceFactory(name="Acme Tea", language="en")
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    # when: the service commits and enqueues on commit; this process publishes to the broker
    invitation, _token = services.invitation_create(
        actor=admin, workspace=workspace, email="guest@example.com", role=Role.EDITOR
    )
    # then: the worker (not this process) sent the email
    [message] = worker.wait_for_emails(1, timeout=60)
    assert mail.outbox == []
    assert re.search(r"Task accounts\.send_invitation_email\[[0-9a-f-]+\] succeeded", worker.log())
    assert message["To"] == "guest@example.com"
    assert "Acme Tea" in message["Subject"]
    body = message.get_content()
    match = re.search(r"https?://\S+/invitations/([A-Za-z0-9_-]+)/", body)
    assert match, body
    emailed_token = match.group(1)

    # when: the invited person accepts with the token from the email
    guest = UserFactory(email="guest@example.com")
    member = services.invitation_accept(user=guest, token=emailed_token)
    # then
    assert member.role == Role.EDITOR
    assert WorkspaceMember.objects.filter(workspace=workspace, user=guest).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
