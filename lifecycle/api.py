"""The API of a tenant leaving: a workspace's exports (start one, follow its progress, its download
link) and delete; an organization's delete and restore, and the restore of one of its deleted
workspaces (a deleted workspace is gone from /workspaces/<id>/, so its restore is the organization's).
The same services as the pages; only the organization's owners pass them (403 for anyone else)."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.models import Organization, Workspace
from accounts.roles import Capability as C
from core.api import OrganizationScopedAPIView, WorkspaceScopedAPIView, created
from core.errors import NotFound

from . import services
from .models import WorkspaceExport

ORG_MANAGE = "organization.manage"


class WorkspaceExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = WorkspaceExport
        fields = [
            "id",
            "status",
            "progress",
            "rows",
            "files",
            "file_name",
            "message",
            "created_at",
            "finished_at",
            "expired_at",
            "download_url",
        ]

    def get_download_url(self, job) -> str | None:
        if job.status != WorkspaceExport.Status.DONE or job.expired_at or not job.file:
            return None
        return reverse("lifecycle:workspace_export_file", args=[job.workspace_id, job.pk])


class ConfirmNameSerializer(serializers.Serializer):
    confirm_name = serializers.CharField(max_length=120)


class WorkspaceRestoreSerializer(serializers.Serializer):
    workspace = serializers.IntegerField()


class DeletedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    deleted_at = serializers.DateTimeField(allow_null=True)
    purge_after = serializers.DateTimeField(allow_null=True)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class WorkspaceExportListView(WorkspaceScopedAPIView):
    pagination_class = None  # a plain list (the schema says so)
    serializer_class = WorkspaceExportSerializer
    queryset = WorkspaceExport.objects.all()
    required_capabilities = {"GET": C.WORKSPACE_MANAGE, "POST": C.WORKSPACE_MANAGE}
    dashboard_page = "lifecycle:workspace"

    @extend_schema(responses=WorkspaceExportSerializer(many=True), summary="The workspace's exports")
    def get(self, request, workspace_id):
        return Response(WorkspaceExportSerializer(self.get_queryset()[:20], many=True).data)

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={201: WorkspaceExportSerializer},
        summary="Export the whole workspace (a zip made by a worker; organization owners only)",
    )
    def post(self, request, workspace_id):
        job = services.workspace_export_request(actor=request.user, workspace=self.workspace)
        return created(WorkspaceExportSerializer(job).data)


class WorkspaceExportDetailView(WorkspaceScopedAPIView):
    serializer_class = WorkspaceExportSerializer
    queryset = WorkspaceExport.objects.all()
    lookup_url_kwarg = "workspace_export_id"
    required_capabilities = {"GET": C.WORKSPACE_MANAGE}

    @extend_schema(responses=WorkspaceExportSerializer, summary="An export's progress and download link")
    def get(self, request, workspace_id, workspace_export_id):
        return Response(WorkspaceExportSerializer(self.get_object()).data)


class WorkspaceDeleteView(WorkspaceScopedAPIView):
    serializer_class = ConfirmNameSerializer
    queryset = Workspace.objects.all()
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}
    dashboard_page = "lifecycle:workspace"

    @extend_schema(
        request=ConfirmNameSerializer,
        responses={200: DeletedSerializer},
        summary="Delete the workspace (restorable by an owner during the grace period)",
    )
    def post(self, request, workspace_id):
        data = _validated(ConfirmNameSerializer, request.data)
        workspace = services.workspace_delete(
            actor=request.user, workspace=self.workspace, confirm_name=data["confirm_name"]
        )
        return Response(DeletedSerializer(workspace).data)


class WorkspaceRestoreView(OrganizationScopedAPIView):
    serializer_class = WorkspaceRestoreSerializer
    queryset = Organization.objects.all()
    required_capabilities = {"POST": ORG_MANAGE}
    dashboard_page = "dashboard:organization_settings"

    @extend_schema(
        request=WorkspaceRestoreSerializer,
        responses={200: DeletedSerializer},
        summary="Restore a deleted workspace of the organization during the grace period",
    )
    def post(self, request, organization_id):
        data = _validated(WorkspaceRestoreSerializer, request.data)
        workspace = Workspace.objects.filter(organization=self.organization, pk=data["workspace"]).first()
        if workspace is None:
            raise NotFound("No such workspace.")
        workspace = services.workspace_restore(actor=request.user, workspace=workspace)
        return Response(DeletedSerializer(workspace).data)


class OrganizationDeleteView(OrganizationScopedAPIView):
    serializer_class = ConfirmNameSerializer
    queryset = Organization.objects.all()
    required_capabilities = {"POST": ORG_MANAGE}
    dashboard_page = "dashboard:organization_settings"

    @extend_schema(
        request=ConfirmNameSerializer,
        responses={200: DeletedSerializer},
        summary="Delete the organization and its workspaces (restorable during the grace period)",
    )
    def post(self, request, organization_id):
        data = _validated(ConfirmNameSerializer, request.data)
        organization = services.organization_delete(
            actor=request.user, organization=self.organization, confirm_name=data["confirm_name"]
        )
        return Response(DeletedSerializer(organization).data)


class OrganizationRestoreView(OrganizationScopedAPIView):
    serializer_class = DeletedSerializer
    queryset = Organization.objects.all()
    required_capabilities = {"POST": ORG_MANAGE}
    dashboard_page = "dashboard:organization_settings"

    @extend_schema(
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: DeletedSerializer},
        summary="Restore a deleted organization",
    )
    def post(self, request, organization_id):
        organization = services.organization_restore(actor=request.user, organization=self.organization)
        return Response(DeletedSerializer(organization).data)


WS = "workspaces/<int:workspace_id>/"
ORG = "organizations/<int:organization_id>/"

urlpatterns = [
    path(WS + "exports/workspace/", WorkspaceExportListView.as_view(), name="api-workspace-exports"),
    path(
        WS + "exports/workspace/<int:workspace_export_id>/",
        WorkspaceExportDetailView.as_view(),
        name="api-workspace-export",
    ),
    path(WS + "delete/", WorkspaceDeleteView.as_view(), name="api-workspace-delete"),
    path(ORG + "workspaces/restore/", WorkspaceRestoreView.as_view(), name="api-workspace-restore"),
    path(ORG + "delete/", OrganizationDeleteView.as_view(), name="api-organization-delete"),
    path(ORG + "restore/", OrganizationRestoreView.as_view(), name="api-organization-restore"),
]
