"""The reconciler: read the platform to settle a target whose outcome is unknown; never retry blindly."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels_app import vault
from content.models import TargetStatus as S

from ..models import PublishAttempt, PublishJob
from .config import logger, settle_delay
from .transitions import _connector, _lock, _published, _requeue


def settle(target_id: int) -> str:
    """Settle an unknown outcome by reading the platform: published if the post is there; back to
    queued only when the platform's own list shows it is not (never a blind retry)."""
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.UNKNOWN or job is None:
            return "stale"
        account = target.account
        credentials = vault.credentials_read(account)
        external_id = (job.pending or {}).get("external_id", "")
        first = PublishAttempt.objects.filter(target=target).order_by("number").first()
        since = first.started_at if first else None
        text = target.text
    if credentials is None:
        return "no_credentials"
    connector = _connector(account.platform)
    found = None
    try:
        if external_id:
            found = connector.get_post(credentials, external_id)
        else:
            for remote in connector.recent_posts(credentials, 50):
                if remote.text.strip() != text.strip():
                    continue
                if since and remote.created_at and remote.created_at < since - timedelta(minutes=5):
                    continue
                found = remote
                break
    except Exception as exc:  # noqa: BLE001 - could not read: read again later, never guess
        logger.warning("could not read %s to settle target %s: %s", account.platform, target_id, exc)
        with transaction.atomic():
            PublishJob.objects.filter(target_id=target_id).update(
                settle_after=timezone.now() + timedelta(seconds=settle_delay() * 2)
            )
        return "retry_later"
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.UNKNOWN:
            return "stale"
        job.settle_checks += 1
        if found is not None:
            _published(target, job, external_id=found.external_id, url=found.url, at=found.created_at)
            return "published"
        _requeue(target, job, not_before=timezone.now())
        job.settle_after = None
        job.save(update_fields=["settle_after", "settle_checks", "updated_at"])
        return "requeued"
