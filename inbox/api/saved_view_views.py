"""The person's saved queue views in the API: GET/POST views/, DELETE views/{view_id}/ (their own only;
another person's view is a 404). The page is the queue (dashboard:inbox)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView, created

from .. import selectors, services
from ..models import SavedQueueView
from .views import _errors, _validated


class SavedViewInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    query = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="The queue's filters as a query string."
    )


class SavedViewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    query = serializers.CharField()


def view_data(view: SavedQueueView) -> dict:
    return {"id": view.pk, "name": view.name, "query": view.query}


class SavedViewListView(WorkspaceScopedAPIView):
    pagination_class = None  # a plain list (the schema says so)
    queryset = SavedQueueView.objects.all()
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_VIEW}
    dashboard_page = "dashboard:inbox"

    @extend_schema(responses={200: SavedViewSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id):
        return Response(
            [view_data(v) for v in selectors.saved_queue_views(self.workspace, user=request.user)]
        )

    @extend_schema(
        request=SavedViewInputSerializer, responses={201: SavedViewSerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id):
        data = _validated(SavedViewInputSerializer, request.data)
        view = services.saved_view_create(
            workspace=self.workspace, actor=request.user, name=data["name"], query=data.get("query", "")
        )
        return created(view_data(view))


class SavedViewDetailView(WorkspaceScopedAPIView):
    queryset = SavedQueueView.objects.all()
    lookup_url_kwarg = "view_id"
    required_capabilities = {"DELETE": C.INBOX_VIEW}
    dashboard_page = "dashboard:inbox"

    def refine_queryset(self, queryset):
        return queryset.filter(user=self.request.user)

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, view_id):
        services.saved_view_delete(workspace=self.workspace, actor=request.user, view=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
