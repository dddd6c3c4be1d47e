"""The workspace's competitor alerts, newest first (the alerts list and the API)."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import CompetitorAlert


def competitor_alerts(workspace) -> QuerySet[CompetitorAlert]:
    return CompetitorAlert.objects.filter(workspace=workspace).select_related("rival__brand", "post")
