"""The invitation email goes out through a real Celery worker, not an eager call in the test process."""

import os
import re
from pathlib import Path

import dj_database_url
import pytest
import redis
from django.core import mail

from accounts import services
from accounts.models import Invitation, WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from kawo.celery import app
from tests import worker as worker_helpers
from tests.worker import WorkerError, database_url, run_celery_worker

# A real worker on this test's database (the test becomes transactional); see tests/worker.py.
celery_worker = worker_helpers.celery_worker


@pytest.mark.worker
def test_invitation_email_is_sent_by_the_worker_and_its_link_accepts(celery_worker):
    worker = celery_worker  # tests.worker.CeleryWorker
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


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_is_stopped_and_cleaned_up_after_the_block():
    # given
    with run_celery_worker() as worker:
        assert worker.is_alive()
        assert app.conf.task_always_eager is False  # this process publishes to the worker's broker
    # then: the process group is gone, this process runs tasks eagerly again, the broker keys are gone
    assert worker.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(worker.process.pid, 0)
    assert app.conf.task_always_eager is True
    broker = redis.Redis.from_url(worker.broker_url)
    assert list(broker.scan_iter(match=f"{worker.key_prefix}*")) == []


def process_group_members(pgid: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:  # state, ppid, pgrp
            members.append(int(stat.parent.name))
    return members


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_prefork_worker_leaves_no_child_behind():
    # given
    with run_celery_worker(pool="prefork", concurrency=2) as worker:
        # the main process and its two pool processes
        worker.wait_until(lambda: len(process_group_members(worker.process.pid)) >= 3, what="pool processes")
    # then
    assert process_group_members(worker.process.pid) == []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_that_cannot_start_fails_with_its_log():
    # when
    broken = {"DJANGO_SETTINGS_MODULE": "kawo.settings.does_not_exist"}
    with pytest.raises(WorkerError) as failure, run_celery_worker(extra_env=broken):
        pass  # pragma: no cover - never reached
    # then: the error says what happened and carries the worker's own traceback
    assert "died while waiting for the worker to be ready" in str(failure.value)
    assert "No module named 'kawo.settings.does_not_exist'" in str(failure.value)


def test_database_url_points_the_worker_at_the_same_database():
    # given
    settings_dict = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "test_kawo_auth",
        "USER": "kawo",
        "PASSWORD": "p@ss:w/rd",
        "HOST": "127.0.0.1",
        "PORT": "5432",
    }
    # when
    url = database_url(settings_dict)
    # then: dj-database-url reads back exactly what the test process uses
    parsed = dj_database_url.parse(url)
    assert {key: parsed[key] for key in settings_dict} == {
        **settings_dict,
        "PORT": 5432,
    }


def test_database_url_refuses_an_in_memory_database():
    with pytest.raises(WorkerError):
        database_url({"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"})
