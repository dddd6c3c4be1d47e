"""Settings the pipeline reads (lease, batch size, retry policy, grace) and the reasons it records."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

from django.conf import settings

from ..models import PublishAttempt, WorkspacePublishingSettings
from ..retry import RetryPolicy

logger = logging.getLogger(__name__)

Outcome = PublishAttempt.Outcome

# Reasons stored on the job (and shown as the target's error message's code).
REASON_MISSED = "missed"
REASON_RECONNECT = "reconnect_account"
REASON_APPROVAL = "approval"
REASON_REJECTED = "rejected"
REASON_RETRIES = "retries_exhausted"
REASON_OVERDUE = "overdue"
REASON_COMPLIANCE = "compliance"


def _setting(name: str, default):
    return getattr(settings, name, default)


def lease_seconds() -> float:
    return float(_setting("KAWO_PUBLISH_LEASE_SECONDS", 120.0))


def batch_size() -> int:
    return int(_setting("KAWO_PUBLISH_BATCH", 500))


def max_in_flight() -> int:
    return int(_setting("KAWO_PUBLISH_MAX_IN_FLIGHT", 1000))


def retry_policy() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=int(_setting("KAWO_PUBLISH_MAX_ATTEMPTS", 5)),
        base=float(_setting("KAWO_PUBLISH_BACKOFF_BASE", 10.0)),
        cap=float(_setting("KAWO_PUBLISH_BACKOFF_CAP", 600.0)),
    )


def settle_delay() -> float:
    """Seconds between an unknown outcome and reading the platform (and between later reads)."""
    return float(_setting("KAWO_PUBLISH_SETTLE_SECONDS", 5.0))


def _workspace_settings(workspace) -> WorkspacePublishingSettings | None:
    """The workspace's row, if any: no query when `_lock` selected it along with the target."""
    try:
        return workspace.publishing_settings
    except WorkspacePublishingSettings.DoesNotExist:
        return None


def grace_for(workspace) -> timedelta:
    """How late a post may still go out; later than this it is missed (per workspace, else settings)."""
    row = _workspace_settings(workspace)
    minutes = row.missed_grace_minutes if row else int(_setting("KAWO_PUBLISH_MISSED_GRACE_MINUTES", 60))
    return timedelta(minutes=minutes)


def assisted_overdue_for(workspace) -> timedelta:
    row = _workspace_settings(workspace)
    minutes = (
        row.assisted_overdue_minutes if row else int(_setting("KAWO_PUBLISH_ASSISTED_OVERDUE_MINUTES", 240))
    )
    return timedelta(minutes=minutes)


def _hostname() -> str:
    from celery import current_task

    hostname = getattr(getattr(current_task, "request", None), "hostname", None)
    return str(hostname) if hostname else socket.gethostname()
