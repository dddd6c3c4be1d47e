"""Asynchronous platforms: poll a pending publish (WeChat publish_id, Instagram containers) until it
settles."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from channels_app import vault
from channels_app.connectors.base import PublishResult
from channels_app.connectors.errors import ConnectorError
from content.models import TargetStatus as S

from ..retry import Action, classify
from .config import REASON_REJECTED, _setting, retry_policy
from .dispatcher import _to_unknown
from .transitions import _connector, _enqueue, _fail, _lock, _published


def poll(target_id: int) -> str:
    """Ask an asynchronous platform whether the pending publish finished (until the deadline)."""
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.PUBLISHING or not job or not job.pending:
            return "stale"
        pending = PublishResult(
            status="pending",
            external_id=job.pending.get("external_id", ""),
            url=job.pending.get("url", ""),
            raw=job.pending.get("raw") or {},
        )
        account = target.account
        credentials = vault.credentials_read(account)
        deadline = job.poll_deadline
    connector = _connector(account.platform)
    result, error = None, None
    try:
        result = connector.publish_status(credentials, pending)
    except Exception as exc:  # noqa: BLE001
        error = exc
    now = timezone.now()
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.PUBLISHING or not job.pending:
            return "stale"
        if result is not None and result.status == "published":
            _published(target, job, external_id=result.external_id or pending.external_id, url=result.url)
            return "published"
        if error is not None and not isinstance(error, (ConnectorError,)):
            _to_unknown(target, job, now=now)
            return "unknown"
        if (
            error is not None
            and classify(error, attempt=1, policy=retry_policy()).action == Action.FAIL_PERMANENTLY
        ):
            _fail(target, job, reason=REASON_REJECTED, message=str(error))
            return "failed"
        if deadline and now >= deadline:
            _to_unknown(target, job, now=now)
            return "unknown"
        _enqueue("poll_target", target.pk, countdown=float(_setting("KAWO_PUBLISH_POLL_SECONDS", 5)))
        return "pending"
