"""Competitor alerts in the API: the workspace's alert settings (GET; PATCH needs competitor.manage)
and its alerts, newest first, cursor-paginated (competitor.view). Same services as the pages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.roles import Capability as C
from analytics.api.views import _validated, platform_name
from core.api import WorkspaceScopedAPIView

from .. import selectors, services
from ..models import CompetitorAlert
from ..services.alerts import alert_link, alert_message, alert_settings_of


class AlertSettingsSerializer(serializers.Serializer):
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        help_text="Watched keywords: Chinese as a substring, Latin as a whole word; case-insensitive.",
    )
    baseline_posts = serializers.IntegerField(
        required=False, help_text="N: an engagement spike is judged against the account's last N posts."
    )
    threshold_k = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, help_text="k: alert above median + k x 1.4826 x MAD."
    )
    spike_on = serializers.BooleanField(required=False)
    posting_on = serializers.BooleanField(required=False)
    keyword_on = serializers.BooleanField(required=False)


class AlertSettingsOutputSerializer(serializers.Serializer):
    keywords = serializers.ListField(child=serializers.CharField())
    baseline_posts = serializers.IntegerField()
    threshold_k = serializers.DecimalField(max_digits=4, decimal_places=1)
    spike_on = serializers.BooleanField()
    posting_on = serializers.BooleanField()
    keyword_on = serializers.BooleanField()


class AlertOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="spike, posting or keyword")
    kind_name = serializers.CharField()
    message = serializers.CharField()
    brand = serializers.CharField()
    account = serializers.CharField()
    platform = serializers.CharField()
    platform_name = serializers.CharField()
    post_id = serializers.CharField(allow_null=True)
    post_url = serializers.CharField(allow_blank=True)
    day = serializers.DateField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    mad = serializers.FloatField(allow_null=True, help_text="Raw MAD (the threshold scales it by 1.4826).")
    threshold = serializers.FloatField(allow_null=True)
    keywords = serializers.ListField(child=serializers.CharField())
    link = serializers.CharField(help_text="The benchmark page of the week ending on the alert's day.")
    created_at = serializers.DateTimeField()


def settings_data(found) -> dict:
    return AlertSettingsOutputSerializer(found).data


def alert_data(workspace, alert: CompetitorAlert) -> dict:
    rival = alert.rival
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "kind_name": str(alert.get_kind_display()),
        "message": alert_message(alert, rival),
        "brand": rival.brand.name,
        "account": rival.handle,
        "platform": rival.platform,
        "platform_name": platform_name(rival.platform),
        "post_id": alert.post.platform_post_id if alert.post_id else None,
        "post_url": alert.post.url if alert.post_id else "",
        "day": alert.day,
        "value": alert.value,
        "median": alert.median,
        "mad": alert.mad,
        "threshold": alert.threshold,
        "keywords": list(alert.keywords),
        "link": alert_link(workspace, alert),
        "created_at": alert.created_at,
    }


class AlertSettingsView(WorkspaceScopedAPIView):
    """GET the workspace's competitor alert settings (defaults until changed). PATCH any of them."""

    queryset = CompetitorAlert.objects.none()
    serializer_class = AlertSettingsOutputSerializer
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "PATCH": C.COMPETITOR_MANAGE}
    dashboard_page = "competitors:alert_settings"
    pagination_class = None

    @extend_schema(responses=AlertSettingsOutputSerializer)
    def get(self, request, workspace_id):
        return Response(settings_data(alert_settings_of(self.workspace)))

    @extend_schema(request=AlertSettingsSerializer, responses=AlertSettingsOutputSerializer)
    def patch(self, request, workspace_id):
        data = _validated(AlertSettingsSerializer, request.data, self)
        found = services.alert_settings_update(workspace=self.workspace, actor=request.user, **data)
        return Response(settings_data(found))


class AlertListView(WorkspaceScopedAPIView):
    """GET the workspace's competitor alerts, newest first (cursor pages)."""

    queryset = CompetitorAlert.objects.none()
    serializer_class = AlertOutputSerializer
    required_capabilities = {"GET": C.COMPETITOR_VIEW}

    @extend_schema(responses=AlertOutputSerializer(many=True))
    def get(self, request, workspace_id):
        page = self.paginate_queryset(selectors.competitor_alerts(self.workspace))
        return self.get_paginated_response(
            AlertOutputSerializer([alert_data(self.workspace, a) for a in page], many=True).data
        )
