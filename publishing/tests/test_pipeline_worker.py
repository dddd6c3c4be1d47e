"""The publish pipeline with REAL processes: PostgreSQL, Redis, Celery workers and beat, and the
platform simulator (X, which does not deduplicate: a second publish would be a second post).

Run:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_pipe REDIS_URL=redis://127.0.0.1:6379/9 \\
      .venv/bin/python -m pytest -q -s publishing/tests/test_pipeline_worker.py

Each test prints its measured figures (drain time, throughput, lateness) with -s.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import ApprovalPolicyRule, ApprovalRequest, RequestStatus
from approvals.tests.factories import ApprovalWorkflowFactory
from channels_app.models import SocialAccount
from content.models import Post, PostTarget
from content.models import TargetStatus as S
from content.services import canonical_hash, publishable
from publishing.models import PublishAttempt, PublishJob, PublishNotification
from tests.worker import default_broker_url, run_celery_beat, run_celery_worker

from .pipeline_kit import bulk_due_targets, due_target, sim_account

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FINAL = (S.PUBLISHED, S.FAILED, S.CANCELLED)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    import redis

    from publishing.ratelimit import key_prefix

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{key_prefix()}*", count=500))
    if keys:
        client.delete(*keys)


def pipeline_env(platform_sim, **extra) -> dict[str, str]:
    env = {
        "PLATFORM_SIM_URL": platform_sim.base_url,
        "KAWO_PUBLISH_DISPATCH_SECONDS": "1",
        "KAWO_PUBLISH_LEASE_SECONDS": "30",
        "KAWO_PUBLISH_SETTLE_SECONDS": "2",
        "KAWO_PUBLISH_BACKOFF_BASE": "1",
        "KAWO_PUBLISH_BACKOFF_CAP": "4",
        "KAWO_PUBLISH_MAX_ATTEMPTS": "8",
        "PLATFORM_HTTP_TIMEOUT": "5",
        "LOG_LEVEL": "WARNING",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def cluster(tmp_path, env, *, workers=1, beats=1, concurrency=8, broker_url=None):
    """`workers` real workers (thread pool) and `beats` beat schedulers on one broker key prefix."""
    broker_url = broker_url or default_broker_url()
    prefix = f"kawo-pipe-{uuid.uuid4().hex[:8]}:"
    with contextlib.ExitStack() as stack:
        started = []
        for n in range(workers):
            started.append(
                stack.enter_context(
                    run_celery_worker(
                        broker_url=broker_url,
                        key_prefix=prefix,
                        log_dir=tmp_path / f"w{n}",
                        pool="threads",
                        concurrency=concurrency,
                        publish=n == 0,
                        cleanup_broker=n == 0,
                        extra_env=env,
                    )
                )
            )
        beat_handles = [
            stack.enter_context(
                run_celery_beat(
                    broker_url=broker_url, key_prefix=prefix, log_dir=tmp_path / f"b{n}", extra_env=env
                )
            )
            for n in range(beats)
        ]
        yield started, beat_handles, prefix


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.5, on_timeout=None):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            detail = on_timeout() if on_timeout else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}. {detail}")
        time.sleep(interval)


def status_counts(ids=None) -> dict[str, int]:
    qs = PostTarget.objects.all() if ids is None else PostTarget.objects.filter(pk__in=ids)
    counts: dict[str, int] = {}
    for value in qs.values_list("status", flat=True):
        counts[value] = counts.get(value, 0) + 1
    return counts


def all_final(ids):
    return lambda: not PostTarget.objects.filter(pk__in=ids).exclude(status__in=FINAL).exists()


def sim_posts_by_account(platform_sim) -> dict[str, int]:
    return {
        row["account"]: row["count"]
        for row in platform_sim.counts()["posts_created"]
        if row["platform"] == "x"
    }


def figures(ids, started_wall) -> dict:
    rows = list(
        PostTarget.objects.filter(pk__in=ids, status=S.PUBLISHED).values_list(
            "published_at", "post__scheduled_at"
        )
    )
    lateness = sorted((published - due).total_seconds() for published, due in rows)
    last = max(published for published, _due in rows)
    first_due = min(due for _p, due in rows)
    drain = (last - max(first_due, started_wall)).total_seconds()
    return {
        "published": len(rows),
        "drain_seconds": round(drain, 1),
        "throughput_per_s": round(len(rows) / drain, 1) if drain else None,
        "lateness_p50": round(statistics.median(lateness), 2),
        "lateness_p99": round(lateness[int(len(lateness) * 0.99) - 1], 2),
    }


def make_accounts(platform_sim, workspace, n):
    return [sim_account(platform_sim, workspace)[0] for _ in range(n)]


# --- (1) 1,000 posts in the same minute on 100 accounts ---------------------------------------------


def test_a_thousand_posts_due_together_publish_exactly_once(platform_sim, tmp_path):
    # given: 100 accounts, 10 posts each, all due now
    ws = WorkspaceFactory()
    accounts = make_accounts(platform_sim, ws, 100)
    env = pipeline_env(platform_sim)
    with cluster(tmp_path, env, workers=2, beats=1, concurrency=8) as (workers, beats, _prefix):
        started = timezone.now()
        ids = bulk_due_targets(accounts, 10, due=started)
        # when
        wait_for(
            all_final(ids), timeout=300, what="1,000 posts to publish", on_timeout=lambda: status_counts(ids)
        )
    # then: the simulator stored exactly one post per target
    assert status_counts(ids) == {S.PUBLISHED: 1000}
    per_account = sim_posts_by_account(platform_sim)
    assert len(per_account) == 100 and set(per_account.values()) == {10}
    assert PublishAttempt.objects.filter(target_id__in=ids).count() == 1000
    print("\n(1) 1,000 posts, 100 accounts, 2 workers x 8 threads:", figures(ids, started))


# --- (3) two beats, three workers --------------------------------------------------------------------


def test_two_beats_and_three_workers_publish_no_duplicates(platform_sim, tmp_path):
    # given
    ws = WorkspaceFactory()
    accounts = make_accounts(platform_sim, ws, 30)
    env = pipeline_env(platform_sim)
    with cluster(tmp_path, env, workers=3, beats=2, concurrency=4) as (workers, beats, _prefix):
        started = timezone.now()
        ids = bulk_due_targets(accounts, 10, due=started)
        # when
        wait_for(all_final(ids), timeout=240, what="300 posts", on_timeout=lambda: status_counts(ids))
        # both beats really were dispatching
        for beat in beats:
            assert "publishing.dispatch" in beat.log()
    # then
    assert status_counts(ids) == {S.PUBLISHED: 300}
    assert set(sim_posts_by_account(platform_sim).values()) == {10}
    assert PublishAttempt.objects.filter(target_id__in=ids).count() == 300
    used = set(PublishAttempt.objects.filter(target_id__in=ids).values_list("worker", flat=True))
    assert len(used) >= 2  # the work was shared
    print("\n(3) 300 posts, 2 beats, 3 workers:", figures(ids, started))


# --- (4) an edit after approval ---------------------------------------------------------------------


def test_an_edit_after_approval_is_stopped_at_the_publish_step_by_the_real_worker(platform_sim, tmp_path):
    # given: approved, edited afterwards, and forced into queued (as if it slipped past scheduling)
    ws = WorkspaceFactory()
    account, sim = sim_account(platform_sim, ws)
    target = due_target(account, text="approved text")
    workflow = ApprovalWorkflowFactory(workspace=ws)
    ApprovalPolicyRule.objects.create(workspace=ws, workflow=workflow)
    ApprovalRequest.objects.create(
        workspace=ws,
        post=target.post,
        workflow=workflow,
        post_version=1,
        content_hash=canonical_hash(publishable(target.post)),
        status=RequestStatus.APPROVED,
        completed_at=timezone.now(),
    )
    PostTarget.objects.filter(pk=target.pk).update(text="edited after approval", status=S.QUEUED)
    Post.objects.filter(pk=target.post_id).update(status=S.QUEUED)
    PublishJob.objects.create(target=target, workspace=ws, due_at=timezone.now())
    # when: the beat finds it queued without a lease and a worker runs the publish step
    with cluster(tmp_path, pipeline_env(platform_sim), workers=1, beats=1, concurrency=2):
        wait_for(all_final([target.pk]), timeout=60, what="the target to be decided")
    # then
    target.refresh_from_db()
    assert target.status == S.FAILED and "approval_outdated" in target.error_message
    assert platform_sim.requests("x", "publish") == 0


# --- (5) expired and revoked tokens ------------------------------------------------------------------


def test_expired_token_waits_for_one_refresh_and_revoked_needs_reconnecting(platform_sim, tmp_path):
    # given
    ws = WorkspaceFactory()
    expired_account, expired_sim = sim_account(platform_sim, ws)
    revoked_account, revoked_sim = sim_account(platform_sim, ws)
    platform_sim.expire_token(platform="x", external_id=expired_sim.external_id, kind="access")
    platform_sim.revoke_token(platform="x", external_id=revoked_sim.external_id, kind="all")
    waits = [due_target(expired_account, text=f"after the refresh {n}") for n in range(3)]
    doomed = due_target(revoked_account, text="never")
    ids = [t.pk for t in waits] + [doomed.pk]
    # when
    with cluster(tmp_path, pipeline_env(platform_sim), workers=1, beats=1, concurrency=4):
        wait_for(
            all_final(ids), timeout=90, what="both accounts' posts", on_timeout=lambda: status_counts(ids)
        )
    # then: one refresh for the expired account, each of its posts once
    assert platform_sim.refresh_calls("x", expired_sim.external_id) == 1
    assert platform_sim.posts_created("x", expired_sim.external_id) == 3
    assert status_counts([t.pk for t in waits]) == {S.PUBLISHED: 3}
    # the revoked one fails with "reconnect the account" and the account shows it
    doomed.refresh_from_db()
    assert doomed.status == S.FAILED and "Reconnect the account" in doomed.error_message
    revoked_account.refresh_from_db()
    assert revoked_account.status == SocialAccount.Status.REVOKED and not revoked_account.is_healthy
    assert platform_sim.posts_created("x", revoked_sim.external_id) == 0


# --- (2) the fault run -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own (no persistence) that the test can restart."""

    def __init__(self, tmp_path):
        self.port = _free_port()
        self.dir = tmp_path / "redis"
        self.dir.mkdir(exist_ok=True)
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        wait_for(lambda: _pings(redis, self.url), timeout=10, what="redis-server", interval=0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


def _pings(redis, url) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def test_fault_run_kills_restarts_and_platform_errors_publish_each_post_at_most_once(
    platform_sim, tmp_path, settings
):
    # given: 1,000 posts on 100 accounts, the simulator failing 10 % with 5xx, 5 % with 429 and 2 % with a
    # timeout after it stored the post; publish calls slowed down so kills land mid-call
    posts, per_account = 1000, 10
    ws = WorkspaceFactory()
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    accounts = make_accounts(platform_sim, ws, posts // per_account)
    platform_sim.add_fault("latency", platform="x", operation="publish", ms=150)
    platform_sim.add_fault(
        "server_error", platform="x", operation="publish", status=503, probability=0.10, seed=1
    )
    platform_sim.add_fault(
        "rate_limit", platform="x", operation="publish", retry_after=2, probability=0.0556, seed=2
    )
    platform_sim.add_fault(
        "timeout_after", platform="x", operation="publish", seconds=6, probability=0.0235, seed=3
    )
    own = OwnRedis(tmp_path)
    own.start()
    env = pipeline_env(
        platform_sim, REDIS_URL=own.url, PLATFORM_HTTP_TIMEOUT=3, KAWO_PUBLISH_LEASE_SECONDS=20
    )
    kills = 0
    try:
        with cluster(tmp_path, env, workers=2, beats=1, concurrency=6, broker_url=own.url) as (
            workers,
            beats,
            prefix,
        ):
            started = timezone.now()
            ids = bulk_due_targets(accounts, per_account, due=started)
            # and some that must fail: over X's limit (refused by our compliance check on what would be sent,
            # before the platform is called), and one missed (due two hours ago)
            refused = [due_target(a, text="新" * 141, due=started).pk for a in accounts[:5]]
            missed = due_target(accounts[5], text="missed", due=started - timedelta(hours=2)).pk
            ids += [*refused, missed]
            victim = workers[0]
            restarted: list[contextlib.ExitStack] = []
            # when: SIGKILL one of the two workers three times mid-run and restart it; restart Redis once
            for round_ in range(3):
                wait_for(
                    lambda r=round_: PublishAttempt.objects.filter(target_id__in=ids).count() > 60 * (r + 1),
                    timeout=180,
                    what="progress before a kill",
                    interval=0.2,
                )
                victim.kill()
                kills += 1
                if round_ == 1:
                    own.restart()
                stack = contextlib.ExitStack()
                victim = stack.enter_context(
                    run_celery_worker(
                        broker_url=own.url,
                        key_prefix=prefix,
                        log_dir=tmp_path / f"restart{round_}",
                        pool="threads",
                        concurrency=6,
                        publish=False,
                        cleanup_broker=False,
                        extra_env=env,
                    )
                )
                restarted.append(stack)
            try:
                wait_for(
                    all_final(ids),
                    timeout=300,
                    what="every post decided",
                    on_timeout=lambda: status_counts(ids),
                )
            finally:
                for item in restarted:
                    item.close()
    finally:
        own.stop()
    # then: each target published exactly once, or failed with a reason; zero duplicates
    counts = status_counts(ids)
    assert set(counts) <= {S.PUBLISHED, S.FAILED}, counts
    assert PostTarget.objects.get(pk=missed).error_message.startswith("Missed")
    assert PublishJob.objects.get(target_id=missed).reason == "missed"
    assert all(PublishJob.objects.get(target_id=pk).reason == "compliance" for pk in refused)
    published = counts.get(S.PUBLISHED, 0)
    assert published >= posts - 10, counts
    stored = platform_sim.counts()["posts_created"]
    total_stored = sum(row["count"] for row in stored if row["platform"] == "x")
    assert total_stored == published, f"{total_stored} posts stored for {published} published targets"
    remote = platform_sim.posts(platform="x")
    texts = [p["text"] for p in remote]
    assert len(texts) == len(set(texts)), "a post was stored twice"
    failed = PostTarget.objects.filter(pk__in=ids, status=S.FAILED)
    assert all(t.error_message for t in failed)
    assert all(PublishNotification.objects.filter(target=t, recipient=admin).exists() for t in failed)
    # no 429 was followed by another try of the same target before the wait it was given
    limited = PublishAttempt.objects.filter(target_id__in=ids, outcome="rate_limited")
    assert limited.exists()
    for attempt in limited:
        following = (
            PublishAttempt.objects.filter(target_id=attempt.target_id, number__gt=attempt.number)
            .order_by("number")
            .first()
        )
        if following is not None:
            assert following.started_at >= attempt.finished_at + timedelta(seconds=attempt.retry_after)
    # and from the platform's side (the simulator's own clock and log): no publish refused with a 429 was
    # sent again before the Retry-After the simulator gave it
    log = platform_sim.log(platform="x", operation="publish")
    refusals = [entry for entry in log if entry["fault"] == "rate_limit"]
    assert refusals
    early = []
    for refusal in refusals:
        again = next(
            (
                later
                for later in log
                if later["arrived"] > refusal["arrived"]
                and later["account"] == refusal["account"]
                and later["body"] == refusal["body"]
            ),
            None,
        )
        if again is not None and again["arrived"] < refusal["answered"] + refusal["retry_after"]:
            early.append((refusal, again))
    assert not early, f"retried before Retry-After: {early[:3]}"
    # Other posts on a refused account that reached the platform inside its window, well after the 429
    # (a call already past the gate when the 429 came is not counted): reported, not asserted.
    inside_window = sum(
        1
        for refusal in refusals
        for later in log
        if later["account"] == refusal["account"]
        and later["body"] != refusal["body"]
        and refusal["answered"] + 1.0 < later["arrived"] < refusal["answered"] + refusal["retry_after"]
    )
    orphans = PublishAttempt.objects.filter(target_id__in=ids, finished_at__isnull=True)
    print(
        "\n(2) fault run:",
        {
            "posts": posts,
            "statuses": counts,
            "stored_by_simulator": total_stored,
            "kills": kills,
            "redis_restarts": 1,
            "attempts": PublishAttempt.objects.filter(target_id__in=ids).count(),
            "rate_limited": limited.count(),
            "refused_429_by_simulator": len(refusals),
            "other_calls_inside_a_429_window": inside_window,
            "transient": PublishAttempt.objects.filter(target_id__in=ids, outcome="transient").count(),
            "unknown_then_settled": PublishAttempt.objects.filter(
                target_id__in=ids, outcome="unknown"
            ).count(),
            "attempts_cut_by_kills": orphans.count(),
            # a cut attempt that was its target's last: the platform had the post (settled by reading);
            # one followed by another attempt: the platform did not have it (requeued, then published)
            "cut_after_accept": sum(
                1
                for a in orphans
                if not PublishAttempt.objects.filter(target_id=a.target_id, number__gt=a.number).exists()
            ),
            "cut_before_accept": sum(
                1
                for a in orphans
                if PublishAttempt.objects.filter(target_id=a.target_id, number__gt=a.number).exists()
            ),
            **figures(ids, started),
        },
    )
    assert kills == 3
    assert os.path.exists(own.dir)
