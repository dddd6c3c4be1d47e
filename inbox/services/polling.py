"""Polling the platforms that do not push: which accounts are due, and one account's read.

`inbox_polls_plan` (beat, every KAWO_INBOX_PLAN_SECONDS) claims the due sources with a conditional
UPDATE (two planners never queue the same account twice) and queues `inbox.poll_account` on commit.
`inbox_poll_account` reads through the shared rate-limit gate (publishing.ratelimit, as the analytics
pulls do): a 429 blocks the account's or the app's scope for every worker and moves the source's next
poll to after Retry-After; an expired token is refreshed once; what was read is ingested one message at
a time (idempotent, see inbox.services.ingest), then the cursor moves. A crash before the cursor is saved
only means the next poll reads the same messages again, which ingest absorbs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels_app.connectors.errors import AuthExpired, ConnectorError, RateLimited
from channels_app.connectors.registry import connector_class, connector_for
from channels_app.models import SocialAccount
from publishing import ratelimit

from ..models import Conversation, InboxItem, InboxSource
from .ingest import inbox_message_ingest

logger = logging.getLogger(__name__)


def poll_interval() -> float:
    return float(getattr(settings, "KAWO_INBOX_POLL_SECONDS", 120))


def polled_platforms() -> list[str]:
    platforms = []
    for key in settings.PLATFORM_KEYS:
        try:
            if connector_class(key).capabilities.inbound_poll:
                platforms.append(key)
        except KeyError:
            continue
    return platforms


@transaction.atomic
def inbox_polls_plan(*, limit: int = 500) -> list[int]:
    """Queue a poll for each healthy account whose source is due; returns the account ids queued."""
    now = timezone.now()
    accounts = SocialAccount.objects.filter(
        platform__in=polled_platforms(),
        disconnected_at__isnull=True,
        status__in=[SocialAccount.Status.CONNECTED, SocialAccount.Status.EXPIRING],
    )
    missing = accounts.filter(inbox_source__isnull=True).values_list("pk", "workspace_id")[:limit]
    InboxSource.objects.bulk_create(
        [InboxSource(account_id=pk, workspace_id=ws) for pk, ws in missing], ignore_conflicts=True
    )
    due_now = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    due = list(
        InboxSource.objects.filter(due_now, account__in=accounts).values_list("pk", "account_id")[:limit]
    )
    claimed = []
    for pk, account_id in due:
        # One UPDATE that re-checks "due": a second planner (blocked on the row, then re-reading it) gets 0.
        if InboxSource.objects.filter(due_now, pk=pk).update(
            next_poll_at=now + timedelta(seconds=poll_interval())
        ):
            claimed.append(account_id)

    def enqueue():
        from ..tasks import poll_account

        for account_id in claimed:
            poll_account.delay(account_id)

    transaction.on_commit(enqueue)
    return claimed


@dataclass
class PollResult:
    status: str  # done, waiting, skipped, failed
    created: int = 0
    edited: int = 0
    removed: int = 0
    duplicates: int = 0
    detail: str = ""
    items: list[int] = field(default_factory=list)


def _later(source: InboxSource, seconds: float, error: str) -> None:
    InboxSource.objects.filter(pk=source.pk).update(
        next_poll_at=timezone.now() + timedelta(seconds=seconds), last_error=error[:500]
    )


def _mark_removed(*, account: SocialAccount, thread_ids, listed: set[str]) -> int:
    """Items of threads read in full that the platform no longer lists were deleted there."""
    if not thread_ids:
        return 0
    gone = InboxItem.objects.filter(
        account=account,
        conversation__kind=Conversation.Kind.THREAD,
        conversation__external_id__in=list(thread_ids),
        removed_at__isnull=True,
        from_us=False,  # our own answers are replies inside threads, which YouTube's listing leaves out
        # Nor what we hid or deleted there (YouTube lists neither held nor rejected comments).
        platform_hidden_at__isnull=True,
        deleted_by_us_at__isnull=True,
    ).exclude(external_id__in=listed)
    now = timezone.now()
    count = 0
    for item in gone.select_for_update():
        item.removed_at = now
        item.version += 1
        item.save(update_fields=["removed_at", "version", "updated_at"])
        count += 1
    return count


def inbox_poll_account(account_id: int) -> PollResult:
    """Read one account's new fan messages and store them (see the module's docstring)."""
    from channels_app import vault
    from channels_app.services import social_account_refresh_token

    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None or not account.is_healthy:
        return PollResult("skipped", detail="account gone or not healthy")
    source, _created = InboxSource.objects.get_or_create(
        account=account, defaults={"workspace_id": account.workspace_id}
    )
    wait = ratelimit.account_wait(account)
    if wait > 0:
        _later(source, wait, "")
        return PollResult("waiting", detail=f"rate-limit gate: {wait:.0f}s")
    connector = connector_for(account.platform)
    page = None
    try:
        for attempt in range(2):
            credentials = vault.credentials_read(account)
            if credentials is None:
                return PollResult("skipped", detail="no credentials")
            try:
                page = connector.fetch_inbound(credentials, cursor=source.cursor)
                break
            except AuthExpired as exc:
                if attempt or exc.revoked:
                    _later(source, poll_interval(), f"reconnect: {exc}")
                    return PollResult("skipped", detail=str(exc))
                account = social_account_refresh_token(account, force=True)
    except RateLimited as exc:
        waited = ratelimit.account_block(account, exc)
        _later(source, waited, str(exc))
        return PollResult("waiting", detail=str(exc))
    except ConnectorError as exc:
        _later(source, poll_interval(), f"{type(exc).__name__}: {exc}")
        return PollResult("failed", detail=str(exc))
    finally:
        connector.close()
    result = PollResult("done")
    for message in page.messages:
        ingested = inbox_message_ingest(account=account, message=message)
        result.items.append(ingested.item.pk)
        if ingested.outcome == "created":
            result.created += 1
        elif ingested.outcome == "edited":
            result.edited += 1
        elif ingested.outcome == "removed":
            result.removed += 1
        else:
            result.duplicates += 1
    with transaction.atomic():
        listed = {m.external_id for m in page.messages}
        result.removed += _mark_removed(account=account, thread_ids=page.complete_threads, listed=listed)
        InboxSource.objects.filter(pk=source.pk).update(
            cursor=page.cursor,
            last_polled_at=timezone.now(),
            last_error="",
            polls=source.polls + 1,
        )
    return result
