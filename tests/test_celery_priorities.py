"""Competitor pulls wait behind every other pull on the shared metrics queue: on the real Redis broker a
worker that has both kinds waiting takes the account and inbox reads first (kombu's Redis transport keeps
one list per priority step and reads them highest first; Celery's priority 0 is the highest)."""

from __future__ import annotations

import uuid

from celery import Celery
from django.conf import settings


def test_a_worker_takes_competitor_pulls_after_the_other_pulls():
    app = Celery("kawo-priorities", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = settings.REDIS_URL
    app.conf.task_always_eager = False  # the test settings run tasks in place; this is about the broker
    app.conf.broker_transport_options = {
        "visibility_timeout": 3600,
        "global_keyprefix": f"kawo-test-priorities-{uuid.uuid4().hex}:",  # no other worker reads these
    }
    # given: a competitor pull queued first, then the other pulls
    for name in (
        "competitors.pull_rival",
        "analytics.pull_account",
        "inbox.poll_account",
        "analytics.pull_posts",
    ):
        app.send_task(name, args=[1])
    # when: a consumer of the metrics queue takes them one by one
    taken = []
    with app.connection_for_read() as connection, connection.SimpleQueue(settings.METRICS_QUEUE) as queue:
        for _ in range(4):
            message = queue.get(timeout=5)
            taken.append(message.headers["task"])
            message.ack()
        queue.queue.delete()
    # then: every other pull before the competitor pull, which was queued first
    assert taken[-1] == "competitors.pull_rival"
    assert sorted(taken[:3]) == ["analytics.pull_account", "analytics.pull_posts", "inbox.poll_account"]
