"""The objectives API under /api/v1/workspaces/{workspace_id}/objectives/: objectives with their progress
(computed from stored data). Reading needs analytics.view, changing objective.edit; another workspace's
id is a 404."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView, created

from .. import services
from ..models import Objective
from ..progress import Progress, objective_progress
from . import serializers as s


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


def progress_data(progress: Progress) -> dict:
    return {
        "actual": progress.actual,
        "projected": progress.projected,
        "score": progress.score,
        "pace": progress.pace,
        "previous": progress.previous,
        "change": progress.change,
        "share": progress.share,
        "days_elapsed": progress.days_elapsed,
        "days_total": progress.days_total,
        "left_out": progress.left_out,
    }


def objective_data(objective: Objective) -> dict:
    return {
        "id": objective.pk,
        "name": objective.name,
        "period": objective.period,
        "starts_on": objective.starts_on,
        "ends_on": objective.ends_on,
        "scope": objective.scope,
        "platform": objective.platform,
        "account": objective.account_id,
        "campaign": objective.campaign_id,
        "tag": objective.tag_id,
        "kpi": objective.kpi,
        "rate_basis": objective.rate_basis,
        "target": format(objective.target.normalize(), "f"),
        "rivals": sorted(objective.rivals.values_list("pk", flat=True)),
        "progress": progress_data(objective_progress(objective)),
    }


class ObjectiveListView(WorkspaceScopedAPIView):
    """GET: the workspace's objectives with their progress. POST: a new objective (a monthly or quarterly
    one takes its end from its start)."""

    queryset = Objective.objects.select_related("workspace")
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.ANALYTICS_VIEW, "POST": C.OBJECTIVE_EDIT}
    dashboard_page = "dashboard:objectives"

    @extend_schema(responses={200: s.ObjectiveOutSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id):
        return Response([objective_data(o) for o in self.get_queryset()])

    @extend_schema(
        request=s.ObjectiveInputSerializer,
        responses={201: s.ObjectiveOutSerializer, **_errors(400, 403, 404)},
    )
    def post(self, request, workspace_id):
        serializer = s.ObjectiveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        objective = services.objective_create(
            workspace=self.workspace, actor=request.user, **serializer.validated_data
        )
        return created(objective_data(objective))


class ObjectiveDetailView(WorkspaceScopedAPIView):
    queryset = Objective.objects.select_related("workspace")
    lookup_url_kwarg = "objective_id"
    required_capabilities = {"GET": C.ANALYTICS_VIEW, "PATCH": C.OBJECTIVE_EDIT, "DELETE": C.OBJECTIVE_EDIT}
    dashboard_page = "objectives:edit"

    @extend_schema(responses={200: s.ObjectiveOutSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, objective_id):
        return Response(objective_data(self.get_object()))

    @extend_schema(
        request=s.ObjectiveInputSerializer(partial=True),
        responses={200: s.ObjectiveOutSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id, objective_id):
        objective = self.get_object()
        serializer = s.ObjectiveInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        objective = services.objective_update(
            workspace=self.workspace, actor=request.user, objective=objective, **changes
        )
        return Response(objective_data(objective))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, objective_id):
        services.objective_delete(workspace=self.workspace, actor=request.user, objective=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
