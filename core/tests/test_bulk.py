"""core.bulk.update_rows: one UPDATE, each row its own values; the PostgreSQL statement and the portable
fallback give the same rows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import WorkspaceFactory
from content.models import PostTarget
from content.tests.factories import PostTargetFactory
from core import bulk
from publishing.models import PublishAttempt, PublishJob

pytestmark = pytest.mark.django_db


def _jobs(n: int) -> list[PublishJob]:
    ws = WorkspaceFactory()
    targets = [PostTargetFactory(workspace=ws, post__workspace=ws, account__workspace=ws) for _ in range(n)]
    return [PublishJob.objects.create(target=t, workspace=ws) for t in targets]


@pytest.mark.parametrize("how", ["statement", "fallback"])
def test_each_row_gets_its_own_values_and_the_shared_ones(how):
    # given four jobs, two of them holding an attempt id
    jobs = _jobs(4)
    held = uuid.uuid4()
    PublishJob.objects.filter(pk=jobs[0].pk).update(attempt_id=held)
    jobs[0].attempt_id = held
    lease = timezone.now() + timedelta(minutes=2)
    new = {job.pk: uuid.uuid4() for job in jobs}
    rows = {job.pk: {"attempt_id": new[job.pk], "tries": n + 1} for n, job in enumerate(jobs)}
    # the last job is expected to hold an id it does not hold: it must be left alone
    expect = {job.pk: {"attempt_id": job.attempt_id} for job in jobs[:3]}
    expect[jobs[3].pk] = {"attempt_id": uuid.uuid4()}
    # when
    update = bulk.update_rows if how == "statement" else _fallback
    with CaptureQueriesContext(connection) as captured:
        won = update(PublishJob, rows, also={"lease_expires_at": lease, "reason": "x"}, expect=expect)
    # then: one statement, three rows won, each with its own attempt id and count, the shared lease
    assert won == 3
    assert len(captured.captured_queries) == 1
    after = {j.pk: j for j in PublishJob.objects.filter(pk__in=new)}
    for n, job in enumerate(jobs[:3]):
        assert (after[job.pk].attempt_id, after[job.pk].tries) == (new[job.pk], n + 1)
        assert (after[job.pk].lease_expires_at, after[job.pk].reason) == (lease, "x")
    assert (after[jobs[3].pk].attempt_id, after[jobs[3].pk].tries, after[jobs[3].pk].reason) == (None, 0, "")


@pytest.mark.parametrize("how", ["statement", "fallback"])
def test_json_and_text_values_round_trip(how):
    # given two attempts
    job = _jobs(1)[0]
    target = PostTarget.objects.get(pk=job.target_id)
    now = timezone.now()
    attempts = [
        PublishAttempt.objects.create(
            workspace_id=target.workspace_id, target=target, attempt_id=uuid.uuid4(), number=n, started_at=now
        )
        for n in (1, 2)
    ]
    rows = {
        attempts[0].pk: {
            "response": {"status": "published", "url": "https://x/1", "n": [1, "二"]},
            "error": "",
        },
        attempts[1].pk: {"response": {}, "error": 'l\'erreur "quoted" 错误'},
    }
    # when
    update = bulk.update_rows if how == "statement" else _fallback
    assert update(PublishAttempt, rows, also={"finished_at": now, "duration_ms": 12}) == 2
    # then
    first, second = (PublishAttempt.objects.get(pk=a.pk) for a in attempts)
    assert first.response == {"status": "published", "url": "https://x/1", "n": [1, "二"]}
    assert second.response == {} and second.error == 'l\'erreur "quoted" 错误'
    assert {first.finished_at, second.finished_at} == {now} and {first.duration_ms, second.duration_ms} == {
        12
    }


def _fallback(model, rows, *, also=None, expect=None) -> int:
    names = sorted({n for values in rows.values() for n in values})
    checked = sorted({n for values in (expect or {}).values() for n in values})
    return bulk._update_with_case(model, rows, names, dict(also or {}), expect or {}, checked)
