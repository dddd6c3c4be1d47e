"""The inbox rules API under /api/v1/workspaces/{workspace_id}/inbox/rules/: list and create, one rule
(read, change, delete), the order they run in, and a dry run over a sample message. Reading needs
inbox.view, changing inbox.assign; the page that does the same is inbox:rules."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView, created

from .. import selectors, services
from ..models import InboxRule
from ..rule_match import Sample
from . import rule_serializers as s
from .views import _errors, _validated


def rule_data(rule: InboxRule) -> dict:
    return {
        "id": rule.pk,
        "position": rule.position,
        "name": rule.name,
        "enabled": rule.enabled,
        "keywords": rule.keywords,
        "account": rule.account_id,
        "kind": rule.kind,
        "min_followers": rule.min_followers,
        "vip": rule.vip,
        "sentiment": rule.sentiment,
        "add_tags": rule.add_tags,
        "assign_to": rule.assign_to_id,
        "assign_team": rule.assign_team,
        "set_priority": rule.set_priority,
        "close": rule.close,
        "hide": rule.hide,
        "stop": rule.stop,
    }


class RuleListView(WorkspaceScopedAPIView):
    """GET: the rules in the order they run. POST: a new rule (last in the order)."""

    pagination_class = None  # a plain list (the schema says so)

    queryset = InboxRule.objects.all()
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_ASSIGN}
    dashboard_page = "inbox:rules"

    @extend_schema(responses={200: s.RuleSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id):
        return Response([rule_data(rule) for rule in selectors.inbox_rules(self.workspace)])

    @extend_schema(request=s.RuleInputSerializer, responses={201: s.RuleSerializer, **_errors(400, 403, 404)})
    def post(self, request, workspace_id):
        data = _validated(s.RuleInputSerializer, request.data)
        rule = services.inbox_rule_create(workspace=self.workspace, actor=request.user, **data)
        return created(rule_data(rule))


class RuleDetailView(WorkspaceScopedAPIView):
    queryset = InboxRule.objects.all()
    lookup_url_kwarg = "rule_id"
    required_capabilities = {"GET": C.INBOX_VIEW, "PATCH": C.INBOX_ASSIGN, "DELETE": C.INBOX_ASSIGN}
    dashboard_page = "inbox:rules"

    @extend_schema(responses={200: s.RuleSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, rule_id):
        return Response(rule_data(self.get_object()))

    @extend_schema(
        request=s.RuleInputSerializer(partial=True),
        responses={200: s.RuleSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id, rule_id):
        rule = self.get_object()
        serializer = s.RuleInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = services.inbox_rule_update(
            workspace=self.workspace, actor=request.user, rule=rule, **serializer.validated_data
        )
        return Response(rule_data(rule))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, rule_id):
        services.inbox_rule_delete(workspace=self.workspace, actor=request.user, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleOrderView(WorkspaceScopedAPIView):
    """POST: the order the rules run in (every rule's id, each once)."""

    pagination_class = None  # a plain list (the schema says so)

    queryset = InboxRule.objects.all()
    required_capabilities = {"POST": C.INBOX_ASSIGN}
    dashboard_page = "inbox:rules"

    @extend_schema(
        request=s.RuleOrderSerializer, responses={200: s.RuleSerializer(many=True), **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id):
        data = _validated(s.RuleOrderSerializer, request.data)
        rules = services.inbox_rules_reorder(
            workspace=self.workspace, actor=request.user, rule_ids=data["rules"]
        )
        return Response([rule_data(rule) for rule in rules])


class RuleTestView(WorkspaceScopedAPIView):
    """POST: which enabled rules would act on this sample message, in order (nothing is stored)."""

    queryset = InboxRule.objects.all()
    required_capabilities = {"POST": C.INBOX_VIEW}
    dashboard_page = "inbox:rules"

    @extend_schema(
        request=s.RuleTestInputSerializer, responses={200: s.RuleTestSerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id):
        data = _validated(s.RuleTestInputSerializer, request.data)
        sample = Sample(
            text=data["text"],
            account_id=data.get("account"),
            kind=data.get("kind", ""),
            followers=data.get("followers"),
            fan_handle=data.get("fan", ""),
            fan_external_id=data.get("fan", ""),
            sentiment=data.get("sentiment", ""),
        )
        rules = services.inbox_rules_test(self.workspace, sample=sample)
        return Response({"rules": [rule_data(rule) for rule in rules]})
