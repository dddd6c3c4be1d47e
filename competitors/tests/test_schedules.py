"""The scheduled benchmark email: the beat task sends each schedule's last whole week or month exactly
once, to members in their own language and to addresses in the schedule's, with the file attached;
recipients are checked (errors by field); the API and the page use the same service."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import BenchmarkSchedule, BenchmarkScheduleDelivery, RivalPost
from competitors.services.schedules import (
    benchmark_schedule_create,
    benchmark_schedules_send_due,
)
from competitors.tasks import benchmark_schedules_send
from competitors.tests.factories import benchmarked_brand
from core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 12, 7, 3, tzinfo=UTC)  # the week 30 Nov - 6 Dec is complete


@pytest.fixture
def workspace():
    workspace = WorkspaceFactory(timezone="UTC", name="Lumière")
    _brand, rival = benchmarked_brand(workspace, name="Belle Rose")
    RivalPost.objects.create(
        rival=rival,
        platform_post_id="p1",
        published_at=datetime(2026, 12, 2, 10, tzinfo=UTC),
        engagements=42,
        source="provider",
        track_until=datetime(2026, 12, 9, tzinfo=UTC),
    )
    return workspace


def person(workspace, role=Role.ANALYST, **fields):
    user = UserFactory(**fields)
    WorkspaceMemberFactory(workspace=workspace, user=user, role=role)
    return user


def test_the_beat_sends_each_period_once_in_each_recipients_language(workspace):
    # given: a weekly XLSX to a member who reads Chinese and an outside address in English
    zh = person(workspace, language="zh-hans", email="li@example.com")
    schedule = benchmark_schedule_create(
        actor=zh,
        workspace=workspace,
        name="Weekly rivals",
        frequency="weekly",
        fmt="xlsx",
        recipients=[zh],
        addresses="Boss@Example.com",
        language="en",
    )
    # when: the beat runs, again an hour later, and the next day
    runs = [
        benchmark_schedules_send_due(now=MONDAY),
        benchmark_schedules_send_due(now=MONDAY + timedelta(hours=1)),
        benchmark_schedules_send_due(now=MONDAY + timedelta(days=1)),
    ]
    # then: one send of the week, two emails, each in its reader's language with the file
    assert runs == [1, 0, 0]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["boss@example.com", "li@example.com"]
    assert "竞品对标" in by_address["li@example.com"].subject
    assert "competitor benchmark" in by_address["boss@example.com"].subject
    assert "2026-11-30" in by_address["boss@example.com"].subject
    for message in mail.outbox:
        [(name, content, content_type)] = message.attachments
        assert name == "kawo-benchmark-2026-11-30-2026-12-06.xlsx" and content[:2] == b"PK"
    delivery = BenchmarkScheduleDelivery.objects.get(schedule=schedule)
    assert (delivery.period_start, delivery.period_end) == (date(2026, 11, 30), date(2026, 12, 6))
    assert delivery.sent_at is not None
    assert {r["language"] for r in delivery.recipients} == {"zh-hans", "en"}
    # and the next week goes out once more
    assert benchmark_schedules_send_due(now=MONDAY + timedelta(days=7)) == 1
    assert len(mail.outbox) == 4


def test_the_celery_task_sends_once(workspace):
    member = person(workspace, email="ada@example.com")
    benchmark_schedule_create(
        actor=member, workspace=workspace, name="M", frequency="monthly", fmt="xlsx", recipients=[member]
    )
    assert benchmark_schedules_send.apply().get() == 1
    assert benchmark_schedules_send.apply().get() == 0
    assert len(mail.outbox) == 1


def test_recipients_are_checked(workspace):
    viewer = person(workspace, role=Role.VIEWER)
    stranger = UserFactory()
    with pytest.raises(ValidationFailed) as caught:
        benchmark_schedule_create(
            actor=None,
            workspace=workspace,
            name="x",
            frequency="weekly",
            recipients=[viewer, stranger],
            addresses=["not-an-address"],
        )
    assert set(caught.value.fields) == {"recipients", "addresses"}
    with pytest.raises(ValidationFailed) as caught:
        benchmark_schedule_create(actor=None, workspace=workspace, name="x", frequency="weekly")
    assert set(caught.value.fields) == {"recipients"}
    assert not BenchmarkSchedule.objects.exists()
