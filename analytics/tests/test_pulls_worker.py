"""Metric pulls with REAL processes (issue 12, acceptance 2): PostgreSQL, Redis, a publishing worker on the
default queue, a metrics worker on "metrics", two beats, and the platform simulator (X).

The post schedule runs on a compressed clock (KAWO_METRICS_TIME_SCALE=3600: "every 30 minutes on day one"
is every 0.5 s, "every 6 hours" every 6 s, day one lasts 24 s); the simulator's clock is moved by
backdating the post there, so its figures are those of an older post.

Run:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_pulls REDIS_URL=redis://127.0.0.1:6379/11 \\
      .venv/bin/python -m pytest -q -s analytics/tests/test_pulls_worker.py
"""

from __future__ import annotations

import contextlib
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import WorkspaceFactory
from analytics.models import MetricPull, MetricSnapshot
from channels_app import vault
from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.registry import connector_for
from content.models import PostTarget
from content.models import TargetStatus as S
from content.tests.factories import PostTargetFactory
from publishing.tests.pipeline_kit import due_target, sim_account
from publishing.tests.test_pipeline_worker import pipeline_env, wait_for
from tests.worker import default_broker_url, run_celery_beat, run_celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SCALE = 3600.0
PLAN_SECONDS = 0.5
WINDOW = 1800 / SCALE  # day one's interval on the compressed clock: 0.5 s
EVERY_6H = 6 * 3600 / SCALE  # 6 s
DAY = 86400 / SCALE  # 24 s


@pytest.fixture
def metrics_cluster(django_db_setup, django_db_blocker, platform_sim_server, tmp_path_factory):
    """A publishing worker (the default and publish queues), a metrics worker ("metrics" only) and two beats
    (planning must stay idempotent with both), on one broker key prefix. One per test, stopped before the
    test's database is flushed: workers still reading a backlog made the flush's TRUNCATE fail."""
    env = pipeline_env(
        platform_sim_server,
        KAWO_METRICS_TIME_SCALE=SCALE,
        KAWO_METRICS_PLAN_SECONDS=PLAN_SECONDS,
        KAWO_METRICS_POSTS_PER_TASK=1,
    )
    broker_url = default_broker_url()
    prefix = f"kawo-pulls-{uuid.uuid4().hex[:8]}:"
    tmp = tmp_path_factory.mktemp("pulls")
    with contextlib.ExitStack() as stack:
        common = {"broker_url": broker_url, "key_prefix": prefix, "pool": "threads", "extra_env": env}
        publishing = stack.enter_context(
            run_celery_worker(
                **common, log_dir=tmp / "publishing", concurrency=4, queues=["celery", "publish"]
            )
        )
        metrics = stack.enter_context(
            run_celery_worker(
                **common,
                log_dir=tmp / "metrics",
                concurrency=2,
                queues=["metrics"],
                publish=False,
                cleanup_broker=False,
            )
        )
        beats = [
            stack.enter_context(
                run_celery_beat(
                    **{k: common[k] for k in ("broker_url", "key_prefix", "extra_env")}, log_dir=tmp / f"b{n}"
                )
            )
            for n in range(2)
        ]
        yield {"publishing": publishing, "metrics": metrics, "beats": beats}


def pulls_of(target) -> list[MetricPull]:
    return list(MetricPull.objects.filter(target=target).order_by("due_at"))


def done_pulls(target, at_least: int):
    return lambda: (
        (found := [p for p in pulls_of(target) if p.status == MetricPull.Status.DONE])
        and len(found) >= at_least
        and found
    )


def grid_offsets(target, pulls) -> list[float]:
    """Each pull's due time on the schedule's own clock (seconds after publishing, times the scale)."""
    return [round((p.due_at - target.published_at).total_seconds() * SCALE) for p in pulls]


def test_a_published_post_gets_its_first_figures_in_its_first_window_then_follows_the_decay(
    metrics_cluster, platform_sim_server
):
    # given an X account and a post due now, published by the publishing pipeline
    platform_sim_server.reset()
    ws = WorkspaceFactory()
    account, _sim = sim_account(platform_sim_server, ws)
    target = due_target(account, text="Spring launch https://kawo.example/spring", due=timezone.now())
    wait_for(
        lambda: PostTarget.objects.filter(pk=target.pk, status=S.PUBLISHED).exists(),
        timeout=20,
        what="the post to be published",
        interval=0.1,
    )
    target.refresh_from_db()

    # when: the beats plan, the metrics worker reads
    first = wait_for(
        lambda: MetricSnapshot.objects.filter(target_id=target.pk).order_by("captured_at").first(),
        timeout=15,
        what="the first figures",
        interval=0.1,
    )

    # then the first figures arrive within the first window (plus one planning tick and the call)
    first_after = (first.captured_at - target.published_at).total_seconds()
    print(f"\nfirst figures {first_after:.2f} s after publishing")
    assert first_after < WINDOW + PLAN_SECONDS + 2.0, first_after
    # and on day one the post is read every (compressed) 30 minutes, each read on the schedule's grid
    day_one = wait_for(done_pulls(target, 5), timeout=15, what="five reads on day one", interval=0.1)
    offsets = grid_offsets(target, day_one)
    assert offsets[0] == 0 and all(offset % 1800 == 0 for offset in offsets), offsets
    # a planner that falls behind reads the current slot once, never the missed ones in a row
    assert len(set(offsets)) == len(offsets)
    assert all(b - a <= 2 * 1800 for a, b in zip(offsets, offsets[1:], strict=False)), offsets
    lateness = [(p.finished_at - p.due_at).total_seconds() for p in day_one]
    assert max(lateness) < 2.0, lateness

    # when the post is two days old (our clock and the simulator's: its figures are a 2-day-old post's);
    # a third of a second more, so that day three's grid shares no point with day one's
    platform_sim_server.set_post("x", target.external_id, created_at=time.time() - 2 * 86400)
    backdated = timezone.now()
    PostTarget.objects.filter(pk=target.pk).update(
        published_at=target.published_at - timedelta(seconds=2 * DAY + 0.3)
    )
    target.refresh_from_db()

    def day_three():
        # planned after the move (a planner that read the old publish time a moment before is left out)
        pulls = [p for p in pulls_of(target) if p.created_at > backdated + timedelta(seconds=0.2)]
        return len([p for p in pulls if p.status == MetricPull.Status.DONE]) >= 2 and pulls

    later = wait_for(day_three, timeout=3 * EVERY_6H, what="two reads on day three", interval=0.2)

    # then it is read every 6 hours (6 s), on day three's grid, and the figures have grown
    offsets = grid_offsets(target, later)
    assert all((offset - 86400) % (6 * 3600) == 0 for offset in offsets), offsets
    assert all(b - a == 6 * 3600 for a, b in zip(offsets, offsets[1:], strict=False)), offsets
    impressions = MetricSnapshot.objects.filter(target_id=target.pk, metric="impression_count").order_by(
        "captured_at"
    )
    assert impressions.last().value > impressions.first().value
    # two beats planned every slot: each pull was read once (X answers a read in two calls)
    taken = MetricPull.objects.filter(target=target).exclude(status=MetricPull.Status.PLANNED).count()
    assert platform_sim_server.requests("x", "metrics_post", account.external_id) <= 2 * taken
    assert all(p.attempts <= 1 for p in pulls_of(target))


def test_a_publish_due_during_a_big_pull_still_goes_out_on_time(metrics_cluster, platform_sim_server):
    # given 120 young posts on 12 accounts, every read slowed to 1.5 s a call: the metrics worker is busy
    platform_sim_server.reset()
    platform_sim_server.add_fault("latency", platform="x", operation="metrics_post", ms=1500)
    ws = WorkspaceFactory()
    accounts = [sim_account(platform_sim_server, ws)[0] for _ in range(12)]
    connector = connector_for("x")
    now = timezone.now()
    for account in accounts:
        credentials = Credentials(
            access_token=vault.credentials_read(account).access_token, extra={"user_id": account.external_id}
        )
        for n in range(10):
            result = connector.publish(credentials, PostPayload(text=f"Old news {account.pk}-{n}"))
            PostTargetFactory(
                workspace=ws,
                post__workspace=ws,
                account=account,
                status=S.PUBLISHED,
                external_id=result.external_id,
                published_at=now,
            )
    wait_for(
        lambda: MetricPull.objects.filter(status=MetricPull.Status.QUEUED).count() >= 60,
        timeout=15,
        what="a backlog of queued reads",
        interval=0.1,
    )

    # when a post falls due while the reads are queued
    due = timezone.now() + timedelta(seconds=2)
    target = due_target(accounts[0], text="Flash sale https://kawo.example/sale", due=due)
    published = wait_for(
        lambda: PostTarget.objects.filter(pk=target.pk, status=S.PUBLISHED).first(),
        timeout=20,
        what="the post to be published",
        interval=0.1,
    )

    # then it went out on time, while the metrics worker still had reads waiting
    lateness = (published.published_at - due).total_seconds()
    backlog = MetricPull.objects.filter(status=MetricPull.Status.QUEUED).count()
    print(f"\npublished {lateness:.2f} s after due; {backlog} reads still queued")
    assert lateness < 3.0, lateness
    assert backlog >= 20, backlog
