"""Export and scheduled-report API under /api/v1/workspaces/{workspace_id}/analytics/:

- `exports/` POST: start an export job (202 with the job); GET: the workspace's latest jobs.
- `exports/{export_id}/` GET: the job (status, progress);
  `exports/{export_id}/download/` GET: its file once done.
- `scheduled-reports/` GET, POST; `scheduled-reports/{scheduled_report_id}/` GET, PATCH, DELETE.

Every route needs `analytics.export`; another workspace's job or report is a 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.models import User, WorkspaceMember
from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView
from core.errors import Conflict, DomainError, ValidationFailed

from ..models import ExportFormat, ExportJob, ExportKind, ScheduledReport, ScheduledReportDelivery
from ..selectors.exports import NO_MEDIA, SORTS, PostFilters
from . import jobs, schedules
from .render import MEDIA_TYPES
from .tables import ExportRequest

# A file answer, in each format's own media type.
FILE_RESPONSES = {(200, media): OpenApiTypes.BINARY for media in MEDIA_TYPES}


class ExportExpired(DomainError):
    status_code = 410
    default_code = "export_expired"


# --- serializers ----------------------------------------------------------------------------------------


class ExportFiltersSerializer(serializers.Serializer):
    accounts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    platforms = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False, default=list
    )
    campaigns = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    authors = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    media = serializers.ListField(
        child=serializers.ChoiceField(choices=["image", "video", NO_MEDIA]), required=False, default=list
    )


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    start = serializers.DateField(
        required=False, help_text="First day (workspace calendar); default 30 days ago."
    )
    end = serializers.DateField(required=False, help_text="Last day, inclusive; default yesterday.")
    filters = ExportFiltersSerializer(required=False, help_text="The post table's filters (kind `posts`).")
    sort = serializers.ChoiceField(choices=list(SORTS), default="engagements")
    descending = serializers.BooleanField(default=True)


class ExportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    params = serializers.DictField(help_text="{start, end, filters, sort, descending} as requested.")
    status = serializers.ChoiceField(choices=ExportJob.Status.choices)
    status_label = serializers.CharField()
    progress = serializers.IntegerField(help_text="0-100.")
    rows = serializers.IntegerField()
    file_name = serializers.CharField(allow_blank=True)
    download_url = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expired_at = serializers.DateTimeField(
        allow_null=True, help_text="When the cleanup deleted the file (no download any more)."
    )


def export_job_data(job: ExportJob) -> dict:
    download = None
    if job.status == ExportJob.Status.DONE and job.expired_at is None:
        download = f"/api/v1/workspaces/{job.workspace_id}/analytics/exports/{job.pk}/download/"
    return {
        "id": job.pk,
        "kind": job.kind,
        "format": job.format,
        "params": job.params,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "rows": job.rows,
        "file_name": job.file_name,
        "download_url": download,
        "message": job.message,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expired_at": job.expired_at,
    }


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
        409: "The export is not ready.",
        410: "The export's file has expired and was deleted.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


def _check_filter_ids(workspace, filters: dict) -> None:
    """Every id in the filters names an object of this workspace; another tenant's id is a field error
    (the export would match nothing, but a request naming it is a mistake or a probe)."""
    from channels_app.models import SocialAccount
    from content.models import Campaign, Post, Tag

    def known_authors(ids):
        members = WorkspaceMember.objects.filter(workspace=workspace, user_id__in=ids)
        posts = Post.objects.filter(workspace=workspace, author_id__in=ids)
        return set(members.values_list("user_id", flat=True)) | set(posts.values_list("author_id", flat=True))

    lookups = {
        "accounts": lambda ids: SocialAccount.objects.filter(workspace=workspace, pk__in=ids),
        "campaigns": lambda ids: Campaign.objects.filter(workspace=workspace, pk__in=ids),
        "tags": lambda ids: Tag.objects.filter(workspace=workspace, pk__in=ids),
    }
    errors = {}
    for name in ("accounts", "campaigns", "tags", "authors"):
        ids = set(filters.get(name) or ())
        if not ids:
            continue
        found = (
            known_authors(ids) if name == "authors" else set(lookups[name](ids).values_list("pk", flat=True))
        )
        missing = sorted(ids - found)
        if missing:
            errors[f"filters.{name}"] = [
                str(_("Not in this workspace: %(ids)s.") % {"ids": ", ".join(map(str, missing))})
            ]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], code="not_in_workspace", fields=errors)


def export_request_from(workspace, data: dict) -> tuple[str, ExportRequest]:
    """(format, request) from validated ExportRequestSerializer data; the period defaults to the last 30
    whole days of the workspace's calendar."""
    today = timezone.now().astimezone(workspace.tzinfo).date()
    end = data.get("end") or today - timedelta(days=1)
    start = data.get("start") or end - timedelta(days=29)
    filters = data.get("filters") or {}
    _check_filter_ids(workspace, filters)
    request = ExportRequest(
        kind=data["kind"],
        start=start,
        end=end,
        filters=PostFilters(
            account_ids=tuple(filters.get("accounts", ())),
            platforms=tuple(filters.get("platforms", ())),
            campaign_ids=tuple(filters.get("campaigns", ())),
            tag_ids=tuple(filters.get("tags", ())),
            author_ids=tuple(filters.get("authors", ())),
            media_kinds=tuple(filters.get("media", ())),
        ),
        sort=data.get("sort", "engagements"),
        descending=data.get("descending", True),
    )
    return data["format"], request


# --- export views ---------------------------------------------------------------------------------------


class ExportJobListView(WorkspaceScopedAPIView):
    """Start an export (202 with the job, `pending` until a worker builds it; poll it), or list the
    workspace's latest 20 jobs. CSV files are UTF-8 with a BOM; PDF is offered for kind `report`."""

    dashboard_page = "analytics_exports:jobs"
    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    required_capabilities = {"GET": C.ANALYTICS_EXPORT, "POST": C.ANALYTICS_EXPORT}
    pagination_class = None

    @extend_schema(
        responses={200: ExportJobSerializer(many=True), **_errors(403)}, summary="Latest export jobs"
    )
    def get(self, request, workspace_id):
        return Response([ExportJobSerializer(export_job_data(job)).data for job in self.get_queryset()[:20]])

    @extend_schema(
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer, **_errors(400, 403)},
        summary="Start an analytics export",
    )
    def post(self, request, workspace_id):
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fmt, export = export_request_from(self.workspace, serializer.validated_data)
        job = jobs.export_job_create(actor=request.user, workspace=self.workspace, fmt=fmt, request=export)
        job.refresh_from_db()  # tasks that run in place (eager) have moved it already
        return Response(ExportJobSerializer(export_job_data(job)).data, status=status.HTTP_202_ACCEPTED)


class ExportJobDetailView(WorkspaceScopedAPIView):
    """An export job: status and progress; `download_url` once done."""

    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    required_capabilities = {"GET": C.ANALYTICS_EXPORT}
    lookup_url_kwarg = "export_id"

    @extend_schema(responses={200: ExportJobSerializer, **_errors(403, 404)}, summary="An export job")
    def get(self, request, workspace_id, export_id):
        return Response(ExportJobSerializer(export_job_data(self.get_object())).data)


class ExportJobDownloadView(WorkspaceScopedAPIView):
    """The finished export's file (CSV, XLSX or PDF), named after the workspace and the period."""

    queryset = ExportJob.objects.all()
    serializer_class = ExportJobSerializer
    required_capabilities = {"GET": C.ANALYTICS_EXPORT}
    lookup_url_kwarg = "export_id"

    @extend_schema(
        responses={**FILE_RESPONSES, **_errors(403, 404, 409, 410)},
        summary="Download an export",
    )
    def get(self, request, workspace_id, export_id):
        job = self.get_object()
        if job.expired_at is not None:
            raise ExportExpired(_("This export's file has expired and was deleted; export again."))
        if job.status != ExportJob.Status.DONE or not job.file:
            raise Conflict(_("The export is not ready yet."), code="export_not_ready")
        return export_file_response(job.file.open("rb"), job.file_name, job.format)


def export_file_response(content, name: str, fmt: str) -> FileResponse:
    from .render import CONTENT_TYPES

    response = FileResponse(content, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "private, no-store"
    return response


# --- scheduled reports ----------------------------------------------------------------------------------


class ScheduledReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    frequency = serializers.ChoiceField(choices=ScheduledReport.Frequency.choices)
    format = serializers.ChoiceField(choices=ScheduledReport.Format.choices, default="pdf")
    recipients = serializers.ListField(
        child=serializers.IntegerField(),
        allow_empty=False,
        help_text="User ids; each must be a member of the workspace who may see analytics. Each gets the "
        "report in their own language.",
    )
    active = serializers.BooleanField(default=True)
    last_sent_period = serializers.CharField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


def last_deliveries(reports) -> dict[int, ScheduledReportDelivery]:
    """Each report's latest sent period, in one query for a whole list."""
    latest: dict[int, ScheduledReportDelivery] = {}
    deliveries = ScheduledReportDelivery.objects.filter(report__in=reports, sent_at__isnull=False)
    for delivery in deliveries.order_by("report_id", "period_start"):
        latest[delivery.report_id] = delivery
    return latest


def scheduled_report_data(report: ScheduledReport, last: ScheduledReportDelivery | None = None) -> dict:
    if last is None:
        last = last_deliveries([report]).get(report.pk)
    return {
        "id": report.pk,
        "name": report.name,
        "frequency": report.frequency,
        "format": report.format,
        "recipients": sorted(user.pk for user in report.recipients.all()),
        "active": report.active,
        "last_sent_period": f"{last.period_start}..{last.period_end}" if last else None,
        "created_at": report.created_at,
    }


def recipient_users(ids) -> list:
    """The people `ids` name, in order; an unknown id is a 400 on `recipients` (whether they may receive
    the workspace's reports is the service's check). Shared with the competitors' scheduled benchmark."""
    found = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise serializers.ValidationError({"recipients": [_("Unknown people: %(ids)s") % {"ids": missing}]})
    return [found[pk] for pk in ids]


class ScheduledReportListView(WorkspaceScopedAPIView):
    """The workspace's scheduled email reports; create one (weekly or monthly, PDF or XLSX)."""

    dashboard_page = "analytics:scheduled_reports"
    queryset = ScheduledReport.objects.all()
    serializer_class = ScheduledReportSerializer
    required_capabilities = {"GET": C.ANALYTICS_EXPORT, "POST": C.ANALYTICS_EXPORT}
    pagination_class = None

    @extend_schema(
        responses={200: ScheduledReportSerializer(many=True), **_errors(403)}, summary="Scheduled reports"
    )
    def get(self, request, workspace_id):
        reports = list(self.get_queryset().prefetch_related("recipients"))
        last = last_deliveries(reports)
        return Response(
            [ScheduledReportSerializer(scheduled_report_data(r, last.get(r.pk))).data for r in reports]
        )

    @extend_schema(
        request=ScheduledReportSerializer,
        responses={201: ScheduledReportSerializer, **_errors(400, 403)},
        summary="Create a scheduled report",
    )
    def post(self, request, workspace_id):
        serializer = ScheduledReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = schedules.scheduled_report_create(
            actor=request.user,
            workspace=self.workspace,
            name=data["name"],
            frequency=data["frequency"],
            fmt=data["format"],
            recipients=recipient_users(data["recipients"]),
        )
        if not data["active"]:
            schedules.scheduled_report_update(actor=request.user, report=report, active=False)
        return Response(ScheduledReportSerializer(scheduled_report_data(report)).data, status=201)


class ScheduledReportDetailView(WorkspaceScopedAPIView):
    """One scheduled report: read, change (any field) or delete."""

    dashboard_page = "analytics:scheduled_reports"
    queryset = ScheduledReport.objects.all()
    serializer_class = ScheduledReportSerializer
    required_capabilities = {
        "GET": C.ANALYTICS_EXPORT,
        "PATCH": C.ANALYTICS_EXPORT,
        "DELETE": C.ANALYTICS_EXPORT,
    }
    lookup_url_kwarg = "scheduled_report_id"

    @extend_schema(
        responses={200: ScheduledReportSerializer, **_errors(403, 404)}, summary="A scheduled report"
    )
    def get(self, request, workspace_id, scheduled_report_id):
        return Response(ScheduledReportSerializer(scheduled_report_data(self.get_object())).data)

    @extend_schema(
        request=ScheduledReportSerializer,
        responses={200: ScheduledReportSerializer, **_errors(400, 403, 404)},
        summary="Change a scheduled report",
    )
    def patch(self, request, workspace_id, scheduled_report_id):
        report = self.get_object()
        serializer = ScheduledReportSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        recipients = recipient_users(data.pop("recipients")) if "recipients" in data else None
        if "format" in data:
            data["fmt"] = data.pop("format")
        report = schedules.scheduled_report_update(
            actor=request.user, report=report, recipients=recipients, **data
        )
        return Response(ScheduledReportSerializer(scheduled_report_data(report)).data)

    @extend_schema(responses={204: None, **_errors(403, 404)}, summary="Delete a scheduled report")
    def delete(self, request, workspace_id, scheduled_report_id):
        schedules.scheduled_report_delete(actor=request.user, report=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
