"""A scheduled report's period goes out at most once: the claim (unique run key) is committed before the
emails are sent and the delivery is marked sent after, so a worker that crashes after sending, a retry
and a second worker racing the first never send the same period twice."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.exports import schedules
from analytics.models import ScheduledReportDelivery

NOW = datetime(2027, 2, 1, 3, tzinfo=UTC)
JANUARY = (date(2027, 1, 1), date(2027, 1, 31))


def _report():
    workspace = WorkspaceFactory(timezone="UTC")
    person = UserFactory(email="ada@example.com")
    WorkspaceMemberFactory(workspace=workspace, user=person, role=Role.ANALYST)
    return schedules.scheduled_report_create(
        actor=person, workspace=workspace, name="M", frequency="monthly", fmt="xlsx", recipients=[person]
    )


@pytest.mark.django_db
def test_a_crash_after_sending_does_not_send_again_on_retry(monkeypatch):
    # given: the worker dies after the mail server took the email, before recording it
    report = _report()

    def crash(delivery, recipients):
        raise SystemError("worker killed")

    monkeypatch.setattr(schedules, "scheduled_report_mark_sent", crash)
    assert schedules.scheduled_reports_send_due(now=NOW) == 0
    assert len(mail.outbox) == 1
    monkeypatch.undo()
    # when: the task is retried, the next hourly runs, and even after the claim's lease
    again = [
        schedules.scheduled_reports_send_due(now=NOW + timedelta(hours=1)),
        schedules.scheduled_reports_send_due(now=NOW + timedelta(days=2)),
        schedules.scheduled_report_send(
            report, start=JANUARY[0], end=JANUARY[1], now=NOW + timedelta(days=2)
        ),
    ]
    # then: still one email; the delivery says it was being sent
    assert again == [0, 0, False]
    assert len(mail.outbox) == 1
    delivery = ScheduledReportDelivery.objects.get(report=report)
    assert delivery.run_key == f"{report.pk}:monthly:2027-01-01"
    assert delivery.sending_at is not None and delivery.sent_at is None


@pytest.mark.django_db
def test_a_claim_left_before_sending_is_taken_over_after_the_lease(monkeypatch):
    # given: a worker claimed January and died while building the file (no sending_at)
    report = _report()
    claim = schedules.scheduled_report_claim(report, start=JANUARY[0], end=JANUARY[1], now=NOW)
    ScheduledReportDelivery.objects.filter(pk=claim.pk).update(claimed_at=NOW)
    # when: within the lease nobody sends; after it, one run does
    within = schedules.scheduled_reports_send_due(now=NOW + timedelta(minutes=30))
    after = schedules.scheduled_reports_send_due(now=NOW + schedules.CLAIM_LEASE + timedelta(minutes=1))
    # then
    assert (within, after) == (0, 1)
    assert len(mail.outbox) == 1
    assert ScheduledReportDelivery.objects.get(report=report).sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_the_same_period_send_it_once():
    # given: two workers start the same report's period at the same moment, each on its own connection
    report = _report()
    barrier = threading.Barrier(2)
    results: list = []

    def worker():
        try:
            barrier.wait()
            results.append(schedules.scheduled_report_send(report, start=JANUARY[0], end=JANUARY[1], now=NOW))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then: one sent, the other found the run key taken
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert ScheduledReportDelivery.objects.filter(report=report, sent_at__isnull=False).count() == 1
