"""Webhook tasks. Thin: ids in, call a service. Explicit names (beat and routing refer to them)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="publishing.deliver_webhook")
def deliver_webhook(delivery_id: int, attempt: int) -> str:
    """Attempt `attempt` of one delivery; a duplicate message for the same attempt sends nothing."""
    return services.webhook_delivery_attempt(delivery_id=delivery_id, attempt=attempt)


@shared_task(name="publishing.retry_webhook_deliveries")
def retry_webhook_deliveries() -> int:
    """Every 15 s (beat): claim due retries with SKIP LOCKED and enqueue them."""
    return services.webhook_deliveries_claim_due()


# --- the publish pipeline (publishing/pipeline/) ---------------------------------------------------


@shared_task(name="publishing.dispatch")
def dispatch() -> dict:
    """Every few seconds (beat): claim due posts, re-send ready or lost ones, sweep leases, settle."""
    from . import pipeline

    return pipeline.dispatch()


@shared_task(name="publishing.publish_batch")
def publish_batch(pairs: list) -> dict:
    """One attempt at each of a batch of targets ([target id, attempt id] pairs); a target does nothing
    unless it is queued for exactly that attempt. Then the worker claims what is due (as the beat's
    dispatch does): in a burst, due posts are claimed as fast as batches finish, not once per tick
    behind every batch already queued (the dispatch message waits in the same queue)."""
    from . import pipeline

    outcomes = pipeline.publish_batch([tuple(p) for p in pairs])
    pipeline.claim_due()
    return {str(k): v for k, v in outcomes.items()}


@shared_task(name="publishing.publish_target")
def publish_target(target_id: int, attempt_id: str) -> str:
    """One attempt at one target (a batch of one; messages sent before batches existed)."""
    from . import pipeline

    return pipeline.publish_attempt(target_id, attempt_id)


@shared_task(name="publishing.poll_target")
def poll_target(target_id: int) -> str:
    from . import pipeline

    return pipeline.poll(target_id)


@shared_task(name="publishing.settle_target")
def settle_target(target_id: int) -> str:
    from . import pipeline

    return pipeline.settle(target_id)


# --- publishing notices by email (publishing/notifications.py) ----------------------------------------

NOTICE_EMAIL_RETRIES = 3


@shared_task(bind=True, name="publishing.send_notice_emails", max_retries=NOTICE_EMAIL_RETRIES)
def send_notice_emails(
    self, target_id: int, kind: str, emails: list[dict], reason: str = "", content: dict | None = None
) -> int:
    """Email publishing notices (enqueued after the pipeline's commit). Only the emails the mail server
    refused are tried again, later; after the last try they are dropped (the in-app notice stays)."""
    from . import notifications

    failed = notifications.notice_emails_send(
        target_id=target_id, kind=kind, emails=emails, reason=reason, content=content
    )
    if failed and self.request.retries < self.max_retries:
        raise self.retry(
            args=[target_id, kind, failed],
            kwargs={"reason": reason, "content": content},
            countdown=60 * 2**self.request.retries,
        )
    return len(emails) - len(failed)
