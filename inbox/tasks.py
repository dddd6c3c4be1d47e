"""Inbox tasks. Thin: ids in, call a service; explicit names. Polls run on the "metrics" queue beside the
analytics pulls (CELERY_TASK_ROUTES), below publishing; the planner stays on the default queue."""

from __future__ import annotations

from celery import shared_task

from .services.polling import inbox_poll_account, inbox_polls_plan


@shared_task(name="inbox.plan_polls")
def plan_polls() -> int:
    """Beat (every KAWO_INBOX_PLAN_SECONDS): queue a poll for every account that is due."""
    return len(inbox_polls_plan())


@shared_task(name="inbox.poll_account")
def poll_account(account_id: int) -> str:
    result = inbox_poll_account(account_id)
    return f"{result.status}: +{result.created} ~{result.edited} -{result.removed} ={result.duplicates}"


@shared_task(name="inbox.process_delivery")
def process_delivery(delivery_id: int) -> str:
    from .services.deliveries import inbound_delivery_process

    return inbound_delivery_process(delivery_id)


@shared_task(name="inbox.sweep_deliveries")
def sweep_deliveries() -> int:
    """Beat: deliveries whose processing died are queued again."""
    from .services.deliveries import inbound_deliveries_sweep

    return len(inbound_deliveries_sweep())


@shared_task(name="inbox.deliver_reply")
def deliver_reply(reply_id: int) -> str:
    from .services.replies import inbox_reply_deliver

    return inbox_reply_deliver(reply_id)


@shared_task(name="inbox.dispatch_replies")
def dispatch_replies() -> int:
    """Beat: replies due again (after Retry-After or a backoff) are sent; stuck ones become unknown."""
    from .services.replies import inbox_replies_dispatch

    return len(inbox_replies_dispatch())


@shared_task(name="inbox.sla_alerts")
def sla_alerts() -> int:
    """Beat (every minute): warn before a response target and tell when it is missed, once each."""
    from .services.sla import inbox_sla_alerts

    return len(inbox_sla_alerts())


@shared_task(name="inbox.platform_hide", bind=True, max_retries=5)
def platform_hide(self, item_id: int) -> str:
    """A rule hid the item: hide it on the platform too. Idempotent, so retried after a rate limit or a
    failure (2, 4, 8 ... minutes)."""
    from .services.item_actions import platform_hide_by_rule

    outcome = platform_hide_by_rule(item_id)
    if outcome in ("rate_limited", "waiting", "failed"):
        raise self.retry(countdown=120 * 2**self.request.retries)
    return outcome
