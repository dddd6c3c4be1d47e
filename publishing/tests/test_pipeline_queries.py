"""How many SQL queries the publish pipeline costs (DESIGN.md "Publishing pipeline"; bench/README.md).

The workers are CPU-bound on the database round trips, so these budgets are the throughput: the claim
costs a fixed number of queries for a whole batch, and one publish (prepare + platform call + record)
a fixed number per target.
"""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import WorkspaceFactory
from content.models import Post, PostTarget
from content.models import TargetStatus as S
from core.audit import AuditEvent
from publishing import pipeline
from publishing.models import PublishAttempt, PublishJob

from .pipeline_kit import bulk_due_targets, due_target, job_of, sim_account

pytestmark = pytest.mark.django_db

# The test's own transaction turns each atomic block into a SAVEPOINT + RELEASE; a worker's
# transaction (BEGIN/COMMIT) is not counted by Django, so these are left out of the budgets.
# advisory lock (PostgreSQL only), in flight, select, jobs insert + select, lease, targets, posts, audit
CLAIM_QUERIES = 9
# A batch of targets (publishing.pipeline.batch), whatever its size within one workspace:
# prepare 19: lock 3 (posts, targets, jobs: the lock order), the gate 7 (posts, tags, targets, media,
# requests, overrides, the policy rules), credentials, the payloads' media, banned words (compliance on
# what is sent), the move 3 (targets, posts, audit rows), jobs, the earlier attempts' count, the attempt
# rows; record 9: lock 3, attempts, the move 3, jobs, webhook endpoints. One target alone costs the same.
PUBLISH_QUERIES = 28


def _counted(captured) -> int:
    return sum(1 for q in captured.captured_queries if "SAVEPOINT" not in q["sql"])


def _claim(django_capture_on_commit_callbacks):
    """claim_due's own queries, the publish tasks it enqueues after commit NOT run."""
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        CaptureQueriesContext(connection) as captured,
    ):
        claimed = pipeline.claim_due()
    return claimed, _counted(captured), callbacks


@pytest.mark.parametrize("count", [1, 20])
def test_claim_costs_the_same_queries_for_one_target_and_for_twenty(
    platform_sim, django_capture_on_commit_callbacks, count
):
    # given
    ws = WorkspaceFactory()
    account, _sim = sim_account(platform_sim, ws)
    ids = bulk_due_targets([account], count)
    # when
    claimed, queries, callbacks = _claim(django_capture_on_commit_callbacks)
    # then
    assert claimed == count
    assert queries == CLAIM_QUERIES - (connection.vendor != "postgresql")
    assert len(callbacks) == 1  # one on_commit that sends every publish task
    targets = list(PostTarget.objects.filter(pk__in=ids))
    assert {t.status for t in targets} == {S.QUEUED}
    assert set(Post.objects.filter(targets__in=ids).values_list("status", flat=True)) == {S.QUEUED}
    jobs = list(PublishJob.objects.filter(target_id__in=ids))
    assert len({j.attempt_id for j in jobs}) == count and all(j.attempt_id for j in jobs)
    assert all(j.lease_expires_at and j.due_at and j.kind == PublishJob.Kind.API for j in jobs)
    moves = AuditEvent.objects.filter(action="post_target.status", target_id__in=[str(i) for i in ids])
    assert moves.count() == count  # still one audit row per target
    assert {(e.before["status"], e.after["status"]) for e in moves} == {(S.SCHEDULED, S.QUEUED)}


def test_one_publish_on_the_simulator_stays_within_its_query_budget(
    platform_sim, django_capture_on_commit_callbacks
):
    # given a claimed target
    ws = WorkspaceFactory()
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="Counted")
    _claim(django_capture_on_commit_callbacks)
    attempt_id = str(job_of(target).attempt_id)
    # when
    with CaptureQueriesContext(connection) as captured:
        outcome = pipeline.publish_attempt(target.pk, attempt_id)
    # then
    assert outcome == "published"
    assert _counted(captured) == PUBLISH_QUERIES
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.external_id
    attempt = PublishAttempt.objects.get(target=target)
    assert (attempt.number, attempt.outcome) == (1, PublishAttempt.Outcome.PUBLISHED)
    assert platform_sim.posts_created("x", sim.external_id) == 1
    moves = AuditEvent.objects.filter(action="post_target.status", target_id=str(target.pk))
    assert [e.after["status"] for e in moves.order_by("id")] == [S.QUEUED, S.PUBLISHING, S.PUBLISHED]


def test_a_batch_of_twenty_targets_on_ten_accounts_costs_the_queries_of_one(
    platform_sim, django_capture_on_commit_callbacks
):
    # given twenty claimed targets, two per account, and one more claimed alone
    ws = WorkspaceFactory()
    accounts = [sim_account(platform_sim, ws)[0] for _ in range(10)]
    ids = bulk_due_targets(accounts, 2)
    _claim(django_capture_on_commit_callbacks)
    pairs = [(pk, str(job_of(PostTarget.objects.get(pk=pk)).attempt_id)) for pk in ids]
    # when
    with CaptureQueriesContext(connection) as captured:
        outcomes = pipeline.publish_batch(pairs)
    # then: every one published once, one attempt row each, in the budget of a single publish
    assert outcomes == dict.fromkeys(ids, "published")
    assert _counted(captured) == PUBLISH_QUERIES
    targets = PostTarget.objects.filter(pk__in=ids)
    assert {t.status for t in targets} == {S.PUBLISHED}
    assert len({t.external_id for t in targets}) == 20 and all(t.url for t in targets)
    attempts = PublishAttempt.objects.filter(target_id__in=ids)
    assert sorted(a.target_id for a in attempts) == sorted(ids)
    assert {(a.number, a.outcome) for a in attempts} == {(1, PublishAttempt.Outcome.PUBLISHED)}
    assert all(a.response["external_id"] == a.target.external_id for a in attempts)
    assert all(a.finished_at and a.duration_ms is not None for a in attempts)
    sent = sum(platform_sim.posts_created("x", a.external_id) for a in accounts)
    assert sent == 20
    moves = AuditEvent.objects.filter(action="post_target.status", target_id__in=[str(i) for i in ids])
    published = [e for e in moves if e.after["status"] == S.PUBLISHED]
    assert len(published) == 20 and all(e.after["external_id"] for e in published)


def test_the_attempt_number_counts_earlier_attempts_inside_the_insert(
    platform_sim, django_capture_on_commit_callbacks
):
    # given a target that already has two attempts in its log
    ws = WorkspaceFactory()
    account, _sim = sim_account(platform_sim, ws)
    target = due_target(account, text="Third")
    _claim(django_capture_on_commit_callbacks)
    job = job_of(target)
    for number in (1, 2):
        PublishAttempt.objects.create(
            workspace_id=ws.pk,
            target=target,
            attempt_id=uuid.uuid4(),
            number=number,
            started_at=job.lease_expires_at,
        )
    # when
    outcome = pipeline.publish_attempt(target.pk, str(job.attempt_id))
    # then
    assert outcome == "published"
    assert PublishAttempt.objects.get(attempt_id=job.attempt_id).number == 3


def _publish_now_queries(post, actor, django_capture_on_commit_callbacks) -> int:
    from publishing.services import post_publish_now

    with (
        django_capture_on_commit_callbacks(execute=False),
        CaptureQueriesContext(connection) as captured,
    ):
        queued = post_publish_now(actor=actor, post=post)
    assert len(queued) == post.targets.count()
    return _counted(captured)


def test_publish_now_costs_the_same_queries_for_one_account_and_for_five(
    platform_sim, django_capture_on_commit_callbacks
):
    # given: two scheduled posts, on one account and on five
    from datetime import timedelta

    from django.utils import timezone

    from accounts.roles import Role
    from accounts.tests.factories import WorkspaceMemberFactory
    from content.tests.factories import PostTargetFactory

    ws = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    accounts = [sim_account(platform_sim, ws)[0] for _ in range(5)]
    later = timezone.now() + timedelta(days=1)
    single = due_target(accounts[0], text="one account", due=later).post
    several = due_target(accounts[0], text="five accounts", due=later).post
    for account in accounts[1:]:
        PostTargetFactory(
            post=several, workspace=ws, account=account, text="five accounts", status=S.SCHEDULED
        )
    # when
    one = _publish_now_queries(single, admin, django_capture_on_commit_callbacks)
    five = _publish_now_queries(several, admin, django_capture_on_commit_callbacks)
    # then: the same queries, every target queued with a lease and audited
    assert one == five
    jobs = PublishJob.objects.filter(target__post=several)
    assert jobs.count() == 5 and all(j.attempt_id and j.requested_at for j in jobs)
    assert set(several.targets.values_list("status", flat=True)) == {S.QUEUED}


def test_batches_spread_each_account_over_the_tasks_and_keep_its_order():
    from publishing.pipeline.transitions import _spread

    # given: accounts 1, 2, 3 with 4, 2 and 1 due targets, in due order
    accounts = {10: 1, 11: 1, 12: 1, 13: 1, 20: 2, 21: 2, 30: 3}
    pairs = [(pk, f"a{pk}") for pk in accounts]
    # when
    chunks = _spread(pairs, accounts, 3)
    # then: every target once; each chunk takes the accounts in turn; each account's order is kept
    assert [pk for chunk in chunks for pk, _ in chunk] == [10, 20, 30, 11, 21, 12, 13]
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert all(len({accounts[pk] for pk, _ in chunk}) == len(chunk) for chunk in chunks[:1])
