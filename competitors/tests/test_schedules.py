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


def test_the_page_and_the_api(workspace, client):
    # given: a manager on the page, with a colleague who may see competitors
    manager = person(workspace, role=Role.MANAGER)
    colleague = person(workspace, email="chen@example.com")
    client.force_login(manager)
    page = client.get(f"/w/{workspace.pk}/competitors/schedules/")
    assert page.status_code == 200 and "chen@example.com" in page.content.decode()
    # when: nobody chosen and a bad address
    bad = client.post(
        f"/w/{workspace.pk}/competitors/schedules/",
        {"name": "W", "frequency": "weekly", "format": "pdf", "addresses": "nope", "language": "en"},
    )
    assert bad.status_code == 400 and 'id="id_addresses_error"' in bad.content.decode()
    good = client.post(
        f"/w/{workspace.pk}/competitors/schedules/",
        {
            "name": "W",
            "frequency": "weekly",
            "format": "pdf",
            "recipients": [colleague.pk],
            "addresses": "cfo@example.com",
            "language": "zh-hans",
        },
    )
    assert good.status_code == 302
    schedule = BenchmarkSchedule.objects.get()
    assert list(schedule.recipients.all()) == [colleague] and schedule.addresses == ["cfo@example.com"]
    # pause from the page
    client.post(f"/w/{workspace.pk}/competitors/schedules/{schedule.pk}/pause/")
    schedule.refresh_from_db()
    assert schedule.active is False
    # the API: same rows; PATCH; a bad address is a 400 on its field; DELETE
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(manager)
    base = f"/api/v1/workspaces/{workspace.pk}/competitors/schedules/"
    assert [s["name"] for s in api.get(base).json()] == ["W"]
    answer = api.patch(f"{base}{schedule.pk}/", {"addresses": ["x@"]}, format="json")
    assert answer.status_code == 400 and "addresses" in answer.json()["error"]["fields"]
    answer = api.patch(f"{base}{schedule.pk}/", {"active": True, "format": "xlsx"}, format="json")
    assert answer.status_code == 200 and answer.json()["format"] == "xlsx" and answer.json()["active"]
    made = api.post(
        base, {"name": "M", "frequency": "monthly", "addresses": ["a@example.com"]}, format="json"
    )
    assert made.status_code == 201, made.content
    assert api.delete(f"{base}{made.json()['id']}/").status_code == 204
    # another workspace's schedule is a 404
    other = WorkspaceFactory()
    stranger = benchmark_schedule_create(
        actor=None, workspace=other, name="x", frequency="weekly", addresses=["z@example.com"]
    )
    assert api.get(f"{base}{stranger.pk}/").status_code == 404
