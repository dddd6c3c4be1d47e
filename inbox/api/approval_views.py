"""Reply approval in the API: POST items/{item_id}/replies/{reply_id}/approve/ (queued for the once-only
delivery) or reject/ (never sent). Needs approvals.decide; the page is the item's (inbox:item)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView
from core.errors import Conflict

from .. import services
from ..models import InboxReply
from . import serializers as s
from .views import _errors, _validated, reply_data


class RejectSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ApproveSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        max_length=5000,
        help_text="The reply's text as the approver saw it; refused (409) when it no longer matches.",
    )


class _ReplyDecisionView(WorkspaceScopedAPIView):
    queryset = InboxReply.objects.select_related("item", "author")
    lookup_url_kwarg = "reply_id"
    required_capabilities = {"POST": C.APPROVAL_DECIDE}
    dashboard_page = "inbox:item"

    def refine_queryset(self, queryset):
        return queryset.filter(item_id=self.kwargs.get("item_id"))


class ReplyApproveView(_ReplyDecisionView):
    """POST: approve a reply waiting for approval; it is sent once, like any other."""

    @extend_schema(
        request=ApproveSerializer, responses={200: s.ReplySerializer, **_errors(400, 403, 404, 409)}
    )
    def post(self, request, workspace_id, item_id, reply_id):
        data = _validated(ApproveSerializer, request.data)
        reply = self.get_object()
        if "text" in data and data["text"] != reply.text:
            raise Conflict(
                _("This reply is not the one you saw. Reload it."), code="stale_view", field="text"
            )
        reply = services.inbox_reply_approve(workspace=self.workspace, actor=request.user, reply=reply)
        return Response(reply_data(reply))


class ReplyRejectView(_ReplyDecisionView):
    """POST: reject a reply waiting for approval (`note`: why); it is never sent."""

    @extend_schema(
        request=RejectSerializer, responses={200: s.ReplySerializer, **_errors(400, 403, 404, 409)}
    )
    def post(self, request, workspace_id, item_id, reply_id):
        data = _validated(RejectSerializer, request.data)
        reply = services.inbox_reply_reject(
            workspace=self.workspace, actor=request.user, reply=self.get_object(), note=data.get("note", "")
        )
        return Response(reply_data(reply))
