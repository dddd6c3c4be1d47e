"""Reads for outgoing webhooks. Every selector takes the workspace first."""

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
