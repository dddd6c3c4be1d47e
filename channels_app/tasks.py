"""Periodic upkeep of the account matrix. Thin: ids in, re-fetch, call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services
from .connectors.errors import RateLimited, Transient, Unknown
from .models import SocialAccount

logger = logging.getLogger(__name__)


@shared_task(name="channels.refresh_expiring_tokens")
def refresh_expiring_tokens() -> int:
    """Every 10 minutes: one refresh task per account whose token ends within its refresh window."""
    account_ids = services.social_accounts_due_for_refresh()
    for account_id in account_ids:
        refresh_account_token.delay(account_id)
    return len(account_ids)


@shared_task(
    name="channels.refresh_account_token",
    autoretry_for=(Transient, RateLimited, Unknown),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def refresh_account_token(account_id: int) -> str:
    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "gone"
    return services.social_account_refresh_token(account).status


@shared_task(name="channels.update_account_health")
def update_account_health() -> int:
    """Hourly: connected / expiring / expired from the expiry dates."""
    return services.social_accounts_update_health()


@shared_task(name="channels.purge_connect_states")
def purge_connect_states() -> int:
    return services.oauth_states_purge()
