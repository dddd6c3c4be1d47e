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
