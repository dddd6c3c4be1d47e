"""SLA: an overdue stage produces one reminder to its approvers and, later, one escalation to the named
person, each exactly once however often the real beat task runs (frozen clock)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.roles import Role
from approvals import services
from approvals.models import Notification, NotificationPreference
from approvals.tasks import sla_sweep
from approvals.tests.factories import workflow_with
from core.models import AuditEvent
from kawo.celery import app

pytestmark = pytest.mark.django_db
T0 = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)


def run_beat_task():
    """What beat does: send the scheduled task by its name (tasks run eagerly in tests)."""
    entry = settings.CELERY_BEAT_SCHEDULE["approvals.sla_sweep"]
    return app.tasks[entry["task"]].delay().get()


def test_overdue_review_reminds_once_then_escalates_once(
    admin, ws, editor, reviewer_factory, make_post, django_capture_on_commit_callbacks
):
    # given a stage with a 4 hour SLA, escalating to the manager 2 hours after that
    lead = reviewer_factory()
    boss = reviewer_factory(role=Role.MANAGER)
    with time_machine.travel(T0, tick=False):
        workflow_with(
            admin,
            ws,
            [
                {
                    "name": "Lead",
                    "approver_users": [lead.pk],
                    "sla_hours": 4,
                    "escalate_after_hours": 2,
                    "escalate_to": boss.pk,
                }
            ],
        )
        request = services.approval_request_submit(actor=editor, post=make_post())
    mail.outbox.clear()

    # when the beat task runs before the SLA is over: nothing
    with time_machine.travel(T0 + timedelta(hours=3, minutes=59), tick=False):
        assert run_beat_task() == {"reminded": 0, "escalated": 0}
    assert not Notification.objects.filter(kind__in=["sla_overdue", "escalated"]).exists()

    # when it runs past the SLA, twice: one reminder to the approver, no escalation yet
    with (
        time_machine.travel(T0 + timedelta(hours=4, minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert run_beat_task() == {"reminded": 1, "escalated": 0}
        assert run_beat_task() == {"reminded": 0, "escalated": 0}
    assert list(Notification.objects.filter(kind="sla_overdue").values_list("recipient", flat=True)) == [
        lead.pk
    ]
    assert [m.to for m in mail.outbox] == [[lead.email]]

    # when it runs past the escalation point, again and again: one escalation to the manager
    with time_machine.travel(T0 + timedelta(hours=6, minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_beat_task() == {"reminded": 0, "escalated": 1}
        for _ in range(3):
            assert run_beat_task() == {"reminded": 0, "escalated": 0}
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert sla_sweep() == {"reminded": 0, "escalated": 0}

    # then exactly one of each, in notifications, email and the audit log
    assert Notification.objects.filter(kind="sla_overdue").count() == 1
    assert list(Notification.objects.filter(kind="escalated").values_list("recipient", flat=True)) == [
        boss.pk
    ]
    assert [m.to for m in mail.outbox] == [[lead.email], [boss.email]]
    assert AuditEvent.objects.filter(action="approval.sla_reminder").count() == 1
    assert AuditEvent.objects.filter(action="approval.sla_escalation").count() == 1
    request.current_stage.refresh_from_db()
    assert request.current_stage.reminded_at == T0 + timedelta(hours=4, minutes=5)


def test_a_decided_stage_is_never_overdue(admin, ws, editor, reviewer_factory, make_post):
    lead = reviewer_factory()
    with time_machine.travel(T0, tick=False):
        workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk], "sla_hours": 1}])
        request = services.approval_request_submit(actor=editor, post=make_post())
        services.approval_decide(actor=lead, request=request, decision="approve")
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        assert sla_sweep() == {"reminded": 0, "escalated": 0}


def test_people_can_turn_off_the_email_for_a_kind(
    admin, ws, editor, reviewer_factory, make_post, django_capture_on_commit_callbacks
):
    lead = reviewer_factory()
    services.notification_preferences_set(
        actor=lead, preferences=[{"kind": "review_needed", "in_app": True, "email": False}]
    )
    workflow_with(admin, ws, [{"name": "Lead", "approver_users": [lead.pk]}])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approval_request_submit(actor=editor, post=make_post())
    assert Notification.objects.filter(recipient=lead, kind="review_needed").count() == 1
    assert not [m for m in mail.outbox if lead.email in m.to]
    assert NotificationPreference.objects.get(user=lead).email is False
