"""Importing rival posts and follower readings: POST a CSV/XLSX (202 with the job), GET the job's
status, progress and every problem by row and column. competitor.manage for both; another workspace's
job is a 404. The work is competitors.services.imports."""

from __future__ import annotations

from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView

from ..models import RivalImport
from ..services import imports


class RivalImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


def import_data(job: RivalImport) -> dict:
    return {
        "id": job.pk,
        "file": job.original_name,
        "status": job.status,
        "status_name": str(job.get_status_display()),
        "total_rows": job.total_rows,
        "validated_rows": job.validated_rows,
        "written_rows": imports.written_so_far(job),
        "posts": job.posts,
        "readings": job.readings,
        "error_count": job.error_count,
        "errors": job.errors,
        "message": job.message,
        "created_at": job.created_at.isoformat(),
    }


class RivalImportListView(WorkspaceScopedAPIView):
    """Upload rival posts / follower readings (columns: competitors README, "Import")."""

    queryset = RivalImport.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "POST": C.COMPETITOR_MANAGE}
    parser_classes = [MultiPartParser, FormParser]
    dashboard_page = "competitors:imports"

    @extend_schema(
        operation_id="workspaces_competitors_imports_list",
        responses={200: build_array_type(build_basic_type(OpenApiTypes.OBJECT))},
    )
    def get(self, request, workspace_id):
        return Response([import_data(job) for job in imports.rival_imports_recent(self.workspace)])

    @extend_schema(
        request={"multipart/form-data": RivalImportUploadSerializer}, responses={202: OpenApiTypes.OBJECT}
    )
    def post(self, request, workspace_id):
        serializer = RivalImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = imports.rival_import_create(
            actor=request.user, workspace=self.workspace, file=serializer.validated_data["file"]
        )
        job.refresh_from_db()  # a worker running tasks in place has moved it already
        return Response(import_data(job), status=202)


class RivalImportDetailView(WorkspaceScopedAPIView):
    queryset = RivalImport.objects.all()
    required_capabilities = {"GET": C.COMPETITOR_VIEW}
    lookup_url_kwarg = "rival_import_id"

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, workspace_id, rival_import_id):
        return Response(import_data(self.get_object()))
