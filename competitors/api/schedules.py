"""The scheduled benchmark email in the API: .../competitors/schedules/ (GET list, POST) and
.../competitors/schedules/{benchmark_schedule_id}/ (GET, PATCH, DELETE). Reading needs competitor.view,
changing competitor.manage; same services as the page (competitors.services.schedules)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.roles import Capability as C
from analytics.exports.api import recipient_users
from core.api import WorkspaceScopedAPIView

from ..models import BenchmarkSchedule, BenchmarkScheduleDelivery
from ..services import schedules


class BenchmarkScheduleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    frequency = serializers.ChoiceField(choices=BenchmarkSchedule.Frequency.choices)
    format = serializers.ChoiceField(choices=BenchmarkSchedule.Format.choices, default="pdf")
    recipients = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="User ids: members who may see competitors; each gets it in their own language.",
    )
    addresses = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        help_text="Email addresses outside the workspace; they get it in `language`.",
    )
    language = serializers.CharField(
        max_length=10,
        default="en",
        help_text="For the addresses: " + ", ".join(k for k, _name in settings.LANGUAGES),
    )
    active = serializers.BooleanField(default=True)
    last_sent_period = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


def schedule_data(schedule: BenchmarkSchedule) -> dict:
    last = (
        BenchmarkScheduleDelivery.objects.filter(schedule=schedule, sent_at__isnull=False)
        .order_by("-period_start")
        .first()
    )
    return {
        "id": schedule.pk,
        "name": schedule.name,
        "frequency": schedule.frequency,
        "format": schedule.format,
        "recipients": sorted(user.pk for user in schedule.recipients.all()),
        "addresses": list(schedule.addresses),
        "language": schedule.language,
        "active": schedule.active,
        "last_sent_period": f"{last.period_start}..{last.period_end}" if last else None,
        "created_at": schedule.created_at,
    }


class BenchmarkScheduleListView(WorkspaceScopedAPIView):
    """The workspace's scheduled benchmark emails; create one (weekly or monthly, PDF or XLSX)."""

    dashboard_page = "competitors:schedules"
    queryset = BenchmarkSchedule.objects.all()
    serializer_class = BenchmarkScheduleSerializer
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "POST": C.COMPETITOR_MANAGE}
    pagination_class = None

    @extend_schema(responses=BenchmarkScheduleSerializer(many=True), summary="Scheduled benchmark emails")
    def get(self, request, workspace_id):
        found = self.get_queryset().prefetch_related("recipients")
        return Response([BenchmarkScheduleSerializer(schedule_data(s)).data for s in found])

    @extend_schema(
        request=BenchmarkScheduleSerializer,
        responses={201: BenchmarkScheduleSerializer},
        summary="Schedule the benchmark by email",
    )
    def post(self, request, workspace_id):
        serializer = BenchmarkScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        schedule = schedules.benchmark_schedule_create(
            actor=request.user,
            workspace=self.workspace,
            name=data["name"],
            frequency=data["frequency"],
            fmt=data["format"],
            recipients=recipient_users(data.get("recipients", [])),
            addresses=data.get("addresses", []),
            language=data["language"],
        )
        if not data["active"]:
            schedules.benchmark_schedule_update(actor=request.user, schedule=schedule, active=False)
        return Response(BenchmarkScheduleSerializer(schedule_data(schedule)).data, status=201)


class BenchmarkScheduleDetailView(WorkspaceScopedAPIView):
    """One scheduled benchmark email: read, change (any field) or delete."""

    dashboard_page = "competitors:schedules"
    queryset = BenchmarkSchedule.objects.all()
    serializer_class = BenchmarkScheduleSerializer
    required_capabilities = {
        "GET": C.COMPETITOR_VIEW,
        "PATCH": C.COMPETITOR_MANAGE,
        "DELETE": C.COMPETITOR_MANAGE,
    }
    lookup_url_kwarg = "benchmark_schedule_id"

    @extend_schema(responses=BenchmarkScheduleSerializer, summary="A scheduled benchmark email")
    def get(self, request, workspace_id, benchmark_schedule_id):
        return Response(BenchmarkScheduleSerializer(schedule_data(self.get_object())).data)

    @extend_schema(
        request=BenchmarkScheduleSerializer,
        responses=BenchmarkScheduleSerializer,
        summary="Change a scheduled benchmark email",
    )
    def patch(self, request, workspace_id, benchmark_schedule_id):
        schedule = self.get_object()
        serializer = BenchmarkScheduleSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        recipients = recipient_users(data.pop("recipients")) if "recipients" in data else None
        if "format" in data:
            data["fmt"] = data.pop("format")
        schedule = schedules.benchmark_schedule_update(
            actor=request.user, schedule=schedule, recipients=recipients, **data
        )
        return Response(BenchmarkScheduleSerializer(schedule_data(schedule)).data)

    @extend_schema(responses={204: None}, summary="Delete a scheduled benchmark email")
    def delete(self, request, workspace_id, benchmark_schedule_id):
        schedules.benchmark_schedule_delete(actor=request.user, schedule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
