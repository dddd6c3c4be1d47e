"""A caller that publishes inline (the demo's seeded history) sends no publish task: no worker later finds
the attempt done and logs a "stale" run (issue 17, first run)."""

import pytest

from publishing.pipeline import _enqueue_publish, publishing_inline

pytestmark = pytest.mark.django_db


def test_no_publish_task_is_sent_while_publishing_inline(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as inline, publishing_inline():
        _enqueue_publish([(1, "attempt-1")])
    with django_capture_on_commit_callbacks() as usual:
        _enqueue_publish([(1, "attempt-1")])
    assert (len(inline), len(usual)) == (0, 1)
