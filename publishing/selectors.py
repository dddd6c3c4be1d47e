"""Reads for outgoing webhooks and the publish pipeline. Every selector takes the workspace first (or,
for a person's own notices, the person)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Workspace

from .models import WebhookDelivery, WebhookEndpoint


def webhook_endpoints_for(workspace: Workspace) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(workspace=workspace)


def webhook_deliveries_for(
    workspace: Workspace, *, endpoint_id: int | None = None, status: str = "", event: str = ""
) -> QuerySet[WebhookDelivery]:
    queryset = WebhookDelivery.objects.filter(workspace=workspace)
    return webhook_deliveries_filter(queryset, endpoint_id=endpoint_id, status=status, event=event)


def webhook_deliveries_filter(
    queryset: QuerySet[WebhookDelivery], *, endpoint_id: int | None = None, status: str = "", event: str = ""
) -> QuerySet[WebhookDelivery]:
    """Narrow an already workspace-scoped queryset; the list shows the endpoint's URL (one join)."""
    if endpoint_id is not None:
        queryset = queryset.filter(endpoint_id=endpoint_id)
    if status:
        queryset = queryset.filter(status=status)
    if event:
        queryset = queryset.filter(event=event)
    return queryset.select_related("endpoint")


# --- the publish pipeline, for the dashboard ----------------------------------------------------------

ATTEMPTS_SHOWN = 20  # per target on the post page; older ones stay in the API's attempt log


def targets_publishing(workspace: Workspace, target_ids: list[int]) -> dict[int, dict]:
    """For each of the workspace's targets: its PublishJob (or None) and its latest attempts, newest
    first, with how many there are. Two queries, whatever the number of targets and attempts."""
    from .models import PublishAttempt, PublishJob

    jobs = {
        job.target_id: job for job in PublishJob.objects.filter(workspace=workspace, target_id__in=target_ids)
    }
    attempts: dict[int, list] = {pk: [] for pk in target_ids}
    for attempt in PublishAttempt.objects.filter(workspace=workspace, target_id__in=target_ids).order_by(
        "target_id", "-number"
    ):
        attempts[attempt.target_id].append(attempt)
    return {
        pk: {
            "job": jobs.get(pk),
            "attempts": attempts[pk][:ATTEMPTS_SHOWN],
            "attempt_count": len(attempts[pk]),
        }
        for pk in target_ids
    }


def missed_post_ids(post_ids: list[int]) -> set[int]:
    """The posts (among `post_ids`) with a target that failed because it was missed (one query)."""
    from content.models import TargetStatus

    from .models import PublishJob
    from .pipeline import REASON_MISSED

    return set(
        PublishJob.objects.filter(
            target__post_id__in=post_ids, target__status=TargetStatus.FAILED, reason=REASON_MISSED
        ).values_list("target__post_id", flat=True)
    )


def publish_notifications_for(*, user) -> QuerySet:
    """A person's publishing notices (every workspace), newest first, with what the list shows."""
    from .models import PublishNotification

    return PublishNotification.objects.filter(recipient=user).select_related("workspace", "target__post")


def unread_notifications_count(*, user) -> int:
    """Unread in-app notices of a person: approvals' and publishing's, in one query."""
    from approvals.models import Notification

    from .models import PublishNotification

    # No ORDER BY inside the union (the models' default ordering): SQLite refuses it in compound statements.
    approvals = Notification.objects.filter(recipient=user, read_at__isnull=True).order_by().values("id")
    publishing = (
        PublishNotification.objects.filter(recipient=user, read_at__isnull=True).order_by().values("id")
    )
    return approvals.union(publishing, all=True).count()
