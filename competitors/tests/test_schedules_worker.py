"""The scheduled benchmark email on a REAL Celery worker (tests/worker.py): the beat task sent twice (a
second beat, a retry) goes out once for the period, each reader in their own language, the XLSX attached.

    .venv/bin/python -m pytest -q competitors/tests/test_schedules_worker.py
"""

from __future__ import annotations

import re

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import BenchmarkScheduleDelivery
from competitors.services.schedules import benchmark_schedule_create
from competitors.tasks import benchmark_schedules_send
from competitors.tests.factories import benchmarked_brand
from tests.worker import run_celery_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_on_a_worker_sends_the_period_once_in_each_language(tmp_path):
    # given: a weekly benchmark to a member reading Chinese and an address in English
    workspace = WorkspaceFactory(name="Lotus", timezone="Asia/Shanghai")
    benchmarked_brand(workspace, name="Belle Rose")
    member = UserFactory(email="li@example.com", language="zh-hans")
    WorkspaceMemberFactory(workspace=workspace, user=member, role=Role.ANALYST)
    schedule = benchmark_schedule_create(
        actor=member,
        workspace=workspace,
        name="Weekly rivals",
        frequency="weekly",
        fmt="xlsx",
        recipients=[member],
        addresses=["boss@example.com"],
        language="en",
    )
    with run_celery_worker(mail_dir=tmp_path / "mail", log_dir=tmp_path) as worker:
        # when: the beat fires twice
        benchmark_schedules_send.delay()
        benchmark_schedules_send.delay()
        worker.wait_until(
            lambda: (
                len(
                    re.findall(
                        r"Task competitors\.benchmark_schedules_send\[[0-9a-f-]+\] succeeded", worker.log()
                    )
                )
                >= 2
            ),
            timeout=90,
        )
        emails = worker.wait_for_emails(2)
    # then: two emails (one per reader), one delivery, each in its reader's language with the file
    assert sorted(m["To"] for m in emails) == ["boss@example.com", "li@example.com"]
    by_to = {m["To"]: m for m in emails}
    assert "竞品对标" in by_to["li@example.com"]["Subject"]
    assert "competitor benchmark" in by_to["boss@example.com"]["Subject"]
    for message in emails:
        [attachment] = [p for p in message.iter_attachments()]
        assert attachment.get_filename().endswith(".xlsx")
        assert attachment.get_content()[:2] == b"PK"
    delivery = BenchmarkScheduleDelivery.objects.get(schedule=schedule)
    assert delivery.sent_at is not None and len(delivery.recipients) == 2
