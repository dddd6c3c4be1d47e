"""The page-less download the report pages link to: GET /w/{workspace_id}/analytics/export/?kind=posts&
format=csv&start=2027-01-01&end=2027-01-31[&platforms=weibo&sort=views ...] answers with the file at
once when the export is small (at most jobs.DIRECT_MAX_POSTS posts in the period), else starts an export
job and answers 202 with it as JSON (poll /api/v1/workspaces/{id}/analytics/exports/{job_id}/, then follow
its `download_url`). A browser (one that asks for HTML) is sent to the Downloads page instead, where the
job's progress moves by itself and a download link appears when it is done. Same capability as the API:
analytics.export."""

from __future__ import annotations

import io

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.roles import Capability
from core.errors import DomainError
from core.views import WorkspaceViewMixin

from . import jobs
from .api import (
    ExportJobSerializer,
    ExportRequestSerializer,
    export_file_response,
    export_job_data,
    export_request_from,
)

LIST_FILTERS = ("accounts", "platforms", "campaigns", "tags", "authors", "media")


def _error(status: int, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": "invalid", "message": message, "fields": fields or {}}}, status=status
    )


class ExportDownloadView(WorkspaceViewMixin, View):
    required_capabilities = {"GET": Capability.ANALYTICS_EXPORT}

    def get(self, request, workspace_id):
        query = request.GET
        data = {
            key: query[key]
            for key in ("kind", "format", "start", "end", "sort", "descending")
            if query.get(key)
        }
        data["filters"] = {key: query.getlist(key) for key in LIST_FILTERS if query.getlist(key)}
        serializer = ExportRequestSerializer(data=data)
        if not serializer.is_valid():
            fields = {key: [str(m) for m in value] for key, value in serializer.errors.items()}
            return _error(400, _("Invalid export."), fields)
        fmt, export = export_request_from(self.workspace, serializer.validated_data)
        try:
            if jobs.export_is_small(self.workspace, export):
                built = jobs.export_build(self.workspace, fmt=fmt, request=export)
                return export_file_response(io.BytesIO(built.content), built.name, fmt)
            job = jobs.export_job_create(
                actor=request.user, workspace=self.workspace, fmt=fmt, request=export
            )
        except DomainError as error:
            return _error(error.status_code, error.message, error.fields)
        if "text/html" in request.headers.get("Accept", ""):
            return redirect(f"{reverse('analytics_exports:jobs', args=[self.workspace.pk])}?job={job.pk}")
        job.refresh_from_db()
        return JsonResponse(ExportJobSerializer(export_job_data(job)).data, status=202)
