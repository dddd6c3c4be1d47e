"""Webhooks through a REAL Celery worker: commit -> broker -> worker -> local receiver -> delivery log."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceMemberFactory
from publishing import services, tasks, webhooks
from publishing.models import WebhookDelivery
from tests.worker import run_celery_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_retries_after_a_500_and_logs_each_attempt(receiver, settings, tmp_path):
    # given: an endpoint on the local receiver, which fails once and then accepts
    settings.KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    admin = WorkspaceMemberFactory(role=Role.ADMIN)
    endpoint, secret = services.webhook_endpoint_create(
        actor=admin.user, workspace=admin.workspace, url=receiver.url(), events=["post.published"]
    )
    receiver.queue(500)
    extra_env = {"KAWO_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1"}
    with run_celery_worker(extra_env=extra_env, log_dir=tmp_path) as worker:
        # when: the change commits; the worker, not this process, sends
        with transaction.atomic():
            (delivery,) = services.webhook_emit(
                workspace=admin.workspace, event="post.published", payload={"post_id": 1}
            )
        worker.wait_until(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, last_response_code=500).exists(),
            what="the first attempt",
        )
        # and: time passes (the retry is made due), the retry beat's task runs on the worker
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        tasks.retry_webhook_deliveries.delay()
        worker.wait_until(
            lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="delivered").exists(),
            what="the retry to be delivered",
        )
        log = worker.log()
    # then
    assert "publishing.retry_webhook_deliveries" in log and "publishing.deliver_webhook" in log
    delivery.refresh_from_db()
    attempts = list(delivery.attempts.values_list("number", "response_code", "succeeded"))
    assert attempts == [(1, 500, False), (2, 200, True)]
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert webhooks.verify(
            secret, request.headers["X-Kawo-Timestamp"], request.body, request.headers["X-Kawo-Signature"]
        )
