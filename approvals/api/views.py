"""The approvals API.

Under /api/v1/workspaces/{workspace_id}/: workflows and the policy (approval.manage to change), requests
(submit, decide, cancel, batches), the gate and the override for a post, comments, the timeline, the diff
since the reviewer's last look, external review links. Under /api/v1/approvals/ and /api/v1/notifications/:
the person's queue across workspaces (with bulk approve), their notifications and preferences. Under
/api/v1/review/ (X-Review-Link header): the external reviewer's side, without an account (a signed
link + an email code).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.roles import Capability
from content.models import Post
from core.api import ScopedAPIView, UserScopedAPIView, WorkspaceScopedAPIView, created

from .. import links, selectors, services
from ..gate import publish_gate
from ..models import (
    ApprovalBatch,
    ApprovalPolicyRule,
    ApprovalRequest,
    ApprovalWorkflow,
    PostComment,
    ReviewLink,
)
from . import serializers as s

C = Capability
NO_INPUT = {"application/json": OpenApiTypes.OBJECT}


# --- workflows and policy ---------------------------------------------------------------------------


class WorkflowListView(WorkspaceScopedAPIView):
    """GET the workspace's approval workflows; POST one (approval.manage)."""

    queryset = ApprovalWorkflow.objects.all()
    serializer_class = s.WorkflowSerializer
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.APPROVAL_MANAGE}
    dashboard_page = "dashboard:approval_workflow_create"
    pagination_class = None

    @extend_schema(responses=s.WorkflowSerializer(many=True), summary="Approval workflows")
    def get(self, request, workspace_id):
        return Response(s.WorkflowSerializer(selectors.workflows_of(self.workspace), many=True).data)

    @extend_schema(request=s.WorkflowInputSerializer, responses={201: s.WorkflowSerializer})
    def post(self, request, workspace_id):
        data = s.WorkflowInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workflow = services.workflow_create(
            actor=request.user, workspace=self.workspace, **data.validated_data
        )
        return created(s.WorkflowSerializer(selectors.workflows_of(self.workspace).get(pk=workflow.pk)).data)


class WorkflowDetailView(WorkspaceScopedAPIView):
    queryset = ApprovalWorkflow.objects.all()
    serializer_class = s.WorkflowSerializer
    required_capabilities = {"GET": C.POST_VIEW, "PATCH": C.APPROVAL_MANAGE, "DELETE": C.APPROVAL_MANAGE}
    # Each workflow's edit and delete are reached from the list page (it takes the workspace only).
    dashboard_page = "dashboard:approval_workflows"
    lookup_url_kwarg = "workflow_id"

    @extend_schema(responses=s.WorkflowSerializer, summary="An approval workflow")
    def get(self, request, workspace_id, workflow_id):
        workflow = self.get_object()
        return Response(s.WorkflowSerializer(selectors.workflows_of(self.workspace).get(pk=workflow.pk)).data)

    @extend_schema(request=s.WorkflowUpdateSerializer, responses=s.WorkflowSerializer)
    def patch(self, request, workspace_id, workflow_id):
        workflow = self.get_object()
        data = s.WorkflowUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.workflow_update(actor=request.user, workflow=workflow, **data.validated_data)
        return Response(s.WorkflowSerializer(selectors.workflows_of(self.workspace).get(pk=workflow.pk)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, workspace_id, workflow_id):
        services.workflow_delete(actor=request.user, workflow=self.get_object())
        return Response(status=204)


class PolicyView(WorkspaceScopedAPIView):
    """Which workflow applies: an ordered list of rules; the first that matches a post decides."""

    queryset = ApprovalPolicyRule.objects.all()
    serializer_class = s.PolicySerializer
    required_capabilities = {"GET": C.POST_VIEW, "PUT": C.APPROVAL_MANAGE}
    dashboard_page = "dashboard:approval_workflows"  # the policy is edited on the workflows page

    def _answer(self):
        rules = self.get_queryset().prefetch_related("accounts")
        return Response(s.PolicySerializer({"rules": rules}).data)

    @extend_schema(responses=s.PolicySerializer, summary="The approval policy")
    def get(self, request, workspace_id):
        return self._answer()

    @extend_schema(request=s.PolicyInputSerializer, responses=s.PolicySerializer)
    def put(self, request, workspace_id):
        data = s.PolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.policy_rules_set(
            actor=request.user, workspace=self.workspace, rules=data.validated_data["rules"]
        )
        return self._answer()


# --- requests ---------------------------------------------------------------------------------------


class RequestListView(WorkspaceScopedAPIView):
    """GET requests, newest first; filter with ?status= and ?post=."""

    queryset = ApprovalRequest.objects.all()
    serializer_class = s.RequestSerializer
    required_capabilities = {"GET": C.POST_VIEW}

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, required=False),
            OpenApiParameter("post", int, required=False),
        ],
        responses=s.RequestSerializer(many=True),
        summary="Approval requests",
    )
    def get(self, request, workspace_id):
        qs = selectors.requests_of(self.workspace)
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        if request.query_params.get("post", "").isdigit():
            qs = qs.filter(post_id=int(request.query_params["post"]))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.RequestSerializer(page, many=True).data)


class WaitingHereView(WorkspaceScopedAPIView):
    """GET the requests of this workspace waiting for the signed-in reviewer."""

    queryset = ApprovalRequest.objects.all()
    serializer_class = s.QueueItemSerializer
    required_capabilities = {"GET": C.APPROVAL_DECIDE}
    pagination_class = None

    @extend_schema(responses=s.QueueItemSerializer(many=True), summary="Waiting for me in this workspace")
    def get(self, request, workspace_id):
        qs = selectors.requests_waiting_for(user=request.user).filter(workspace=self.workspace)
        return Response(s.QueueItemSerializer(qs, many=True).data)


class RequestDetailView(WorkspaceScopedAPIView):
    queryset = ApprovalRequest.objects.all()
    serializer_class = s.RequestSerializer
    required_capabilities = {"GET": C.POST_VIEW}
    lookup_url_kwarg = "request_id"

    @extend_schema(responses=s.RequestSerializer, summary="An approval request")
    def get(self, request, workspace_id, request_id):
        obj = self.get_object()
        return Response(s.RequestSerializer(selectors.requests_of(self.workspace).get(pk=obj.pk)).data)


class RequestDecideView(WorkspaceScopedAPIView):
    """POST approve, reject or request_changes (with a comment) on the request's current stage."""

    dashboard_page = "approvals:post_review"

    queryset = ApprovalRequest.objects.all()
    serializer_class = s.RequestSerializer
    required_capabilities = {"POST": C.APPROVAL_DECIDE}
    lookup_url_kwarg = "request_id"

    @extend_schema(request=s.DecideInputSerializer, responses=s.RequestSerializer)
    def post(self, request, workspace_id, request_id):
        obj = self.get_object()
        data = s.DecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.approval_decide(actor=request.user, request=obj, **data.validated_data)
        return Response(s.RequestSerializer(selectors.requests_of(self.workspace).get(pk=obj.pk)).data)


class RequestCancelView(WorkspaceScopedAPIView):
    dashboard_page = "approvals:post_review"
    queryset = ApprovalRequest.objects.all()
    serializer_class = s.RequestSerializer
    required_capabilities = {"POST": C.POST_EDIT}
    lookup_url_kwarg = "request_id"

    @extend_schema(request=NO_INPUT, responses=s.RequestSerializer, summary="Withdraw a request")
    def post(self, request, workspace_id, request_id):
        obj = services.approval_request_cancel(actor=request.user, request=self.get_object())
        return Response(s.RequestSerializer(selectors.requests_of(self.workspace).get(pk=obj.pk)).data)


class BatchSubmitView(WorkspaceScopedAPIView):
    """POST several posts for approval together (all or none)."""

    dashboard_page = "dashboard:approvals"

    queryset = ApprovalBatch.objects.all()
    serializer_class = s.BatchSerializer
    required_capabilities = {"POST": C.POST_EDIT}

    @extend_schema(request=s.BatchInputSerializer, responses={201: s.BatchSerializer})
    def post(self, request, workspace_id):
        data = s.BatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.approval_batch_submit(
            actor=request.user, workspace=self.workspace, **data.validated_data
        )
        requests = selectors.requests_of(self.workspace).filter(batch=batch).order_by("id")
        return created(s.BatchSerializer({"id": batch.pk, "requests": requests}).data)


# --- one post: submit, gate, override, comments, timeline, diff --------------------------------------


class _PostView(WorkspaceScopedAPIView):
    queryset = Post.objects.filter(deleted_at__isnull=True)
    lookup_url_kwarg = "post_id"


class PostSubmitView(_PostView):
    dashboard_page = "content:post_detail"
    serializer_class = s.RequestSerializer
    required_capabilities = {"POST": C.POST_EDIT}

    @extend_schema(
        request=NO_INPUT, responses={201: s.RequestSerializer}, summary="Submit a post for approval"
    )
    def post(self, request, workspace_id, post_id):
        obj = services.approval_request_submit(actor=request.user, post=self.get_object())
        return created(s.RequestSerializer(selectors.requests_of(self.workspace).get(pk=obj.pk)).data)


class PostGateView(_PostView):
    serializer_class = s.GateSerializer
    required_capabilities = {"GET": C.POST_VIEW}

    @extend_schema(responses=s.GateSerializer, summary="Would this post's current content be let out?")
    def get(self, request, workspace_id, post_id):
        return Response(s.GateSerializer(publish_gate(self.get_object()).__dict__).data)


class PostOverrideView(_PostView):
    """POST: publish without approval, for exactly the post's current content (audited)."""

    dashboard_page = "approvals:post_review"

    serializer_class = s.OverrideSerializer
    required_capabilities = {"POST": C.POST_PUBLISH_WITHOUT_APPROVAL}

    @extend_schema(request=s.OverrideInputSerializer, responses={201: s.OverrideSerializer})
    def post(self, request, workspace_id, post_id):
        post = self.get_object()  # another workspace's post is a 404 before the input is read
        data = s.OverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.approval_override_create(actor=request.user, post=post, **data.validated_data)
        return created(s.OverrideSerializer(override).data)


class PostCommentListView(_PostView):
    """GET a post's comments (threads and their replies); POST a comment, or a reply (`parent`), with
    @mentions of the workspace's people (`mentions`, and `@email` in the text)."""

    dashboard_page = "dashboard:approvals"
    serializer_class = s.CommentSerializer
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.POST_VIEW, "POST": C.POST_COMMENT}

    @extend_schema(
        parameters=[OpenApiParameter("resolved", bool, required=False)],
        responses=s.CommentSerializer(many=True),
        summary="A post's review comments",
    )
    def get(self, request, workspace_id, post_id):
        qs = selectors.comments_of(self.workspace, post=self.get_object())
        resolved = request.query_params.get("resolved")
        if resolved in ("true", "false"):
            qs = qs.filter(resolved_at__isnull=resolved == "false")
        return Response(s.CommentSerializer(qs, many=True).data)

    @extend_schema(request=s.CommentInputSerializer, responses={201: s.CommentSerializer})
    def post(self, request, workspace_id, post_id):
        post = self.get_object()
        data = s.CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("request") is not None:
            values["request"] = ApprovalRequest.objects.filter(
                workspace=self.workspace, pk=values["request"]
            ).first()
            if values["request"] is None:
                raise Http404
        comment = services.comment_create(actor=request.user, post=post, **values)
        return created(s.CommentSerializer(comment).data)


class PostCommentDetailView(WorkspaceScopedAPIView):
    """PATCH {"resolved": true|false}: resolve or reopen a thread (its first comment)."""

    dashboard_page = "dashboard:approvals"
    queryset = PostComment.objects.all()
    serializer_class = s.CommentSerializer
    required_capabilities = {"PATCH": C.POST_COMMENT}
    lookup_url_kwarg = "comment_id"

    def refine_queryset(self, queryset):
        return queryset.filter(post_id=self.kwargs.get("post_id"))

    @extend_schema(
        request=s.CommentResolveSerializer, responses=s.CommentSerializer, summary="Resolve or reopen"
    )
    def patch(self, request, workspace_id, post_id, comment_id):
        comment = self.get_object()
        data = s.CommentResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_resolve(actor=request.user, comment=comment, **data.validated_data)
        return Response(s.CommentSerializer(comment).data)


class PostTimelineView(_PostView):
    serializer_class = s.TimelineItemSerializer
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.POST_VIEW}

    @extend_schema(
        responses=s.TimelineItemSerializer(many=True), summary="Versions, comments and decisions in order"
    )
    def get(self, request, workspace_id, post_id):
        items = selectors.post_timeline(self.workspace, post=self.get_object())
        return Response(s.TimelineItemSerializer(items, many=True).data)


class PostReviewDiffView(_PostView):
    serializer_class = s.DiffSerializer
    required_capabilities = {"GET": C.POST_VIEW}

    @extend_schema(responses=s.DiffSerializer, summary="What changed since you reviewed it last time")
    def get(self, request, workspace_id, post_id):
        diff = selectors.post_review_diff(self.workspace, post=self.get_object(), user=request.user)
        return Response(s.DiffSerializer(diff).data)


# --- review links -----------------------------------------------------------------------------------


class ReviewLinkListView(WorkspaceScopedAPIView):
    """GET the workspace's external review links; POST one for an email (the URL is shown once)."""

    queryset = ReviewLink.objects.all()
    serializer_class = s.ReviewLinkSerializer
    required_capabilities = {"GET": C.POST_EDIT, "POST": C.POST_EDIT}
    dashboard_page = "approvals:post_review"  # the post's review page lists, issues, re-sends, revokes

    @extend_schema(responses=s.ReviewLinkSerializer(many=True), summary="External review links")
    def get(self, request, workspace_id):
        page = self.paginate_queryset(selectors.review_links_of(self.workspace))
        page = selectors.review_links_with_status(list(page))
        return self.get_paginated_response(s.ReviewLinkSerializer(page, many=True).data)

    @extend_schema(request=s.ReviewLinkInputSerializer, responses={201: s.ReviewLinkCreatedSerializer})
    def post(self, request, workspace_id):
        data = s.ReviewLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        scope = {}
        if values["request"] is not None:
            scope["request"] = ApprovalRequest.objects.filter(
                workspace=self.workspace, pk=values["request"]
            ).first()
            if scope["request"] is None:
                raise Http404
        if values["batch"] is not None:
            scope["batch"] = ApprovalBatch.objects.filter(
                workspace=self.workspace, pk=values["batch"]
            ).first()
            if scope["batch"] is None:
                raise Http404
        link, token = links.review_link_create(
            actor=request.user,
            workspace=self.workspace,
            email=values["email"],
            ttl_hours=values["ttl_hours"],
            **scope,
        )
        link.url = links.link_url(token)
        link.warning = links.review_link_warning(link)
        return created(s.ReviewLinkCreatedSerializer(link).data)


class ReviewLinkRevokeView(WorkspaceScopedAPIView):
    queryset = ReviewLink.objects.all()
    serializer_class = s.ReviewLinkSerializer
    required_capabilities = {"POST": C.POST_EDIT}
    lookup_url_kwarg = "link_id"
    dashboard_page = "approvals:post_review"

    @extend_schema(request=NO_INPUT, responses=s.ReviewLinkSerializer, summary="Revoke a review link")
    def post(self, request, workspace_id, link_id):
        link = links.review_link_revoke(actor=request.user, link=self.get_object())
        return Response(s.ReviewLinkSerializer(link).data)


class ReviewLinkResendView(WorkspaceScopedAPIView):
    """Email the link's address a fresh URL (the previous URL stops working); 409 when revoked or
    expired."""

    queryset = ReviewLink.objects.all()
    serializer_class = s.ReviewLinkSerializer
    required_capabilities = {"POST": C.POST_EDIT}
    lookup_url_kwarg = "link_id"
    dashboard_page = "approvals:post_review"

    @extend_schema(request=NO_INPUT, responses=s.ReviewLinkSerializer, summary="Re-send a review link")
    def post(self, request, workspace_id, link_id):
        link = links.review_link_resend(actor=request.user, link=self.get_object())
        return Response(s.ReviewLinkSerializer(link).data)


# --- the person's side ------------------------------------------------------------------------------


class QueueView(UserScopedAPIView):
    """GET everything waiting for the signed-in reviewer, across workspaces (a fixed number of queries)."""

    serializer_class = s.QueueItemSerializer
    required_capabilities = {"GET": None}
    pagination_class = None

    @extend_schema(responses=s.QueueItemSerializer(many=True), summary="Waiting for me")
    def get(self, request):
        return Response(
            s.QueueItemSerializer(selectors.requests_waiting_for(user=request.user), many=True).data
        )


class BulkApproveView(UserScopedAPIView):
    """POST: approve several requests at once; posts with compliance findings are left for one by one."""

    dashboard_page = "dashboard:approvals"

    serializer_class = s.BulkResultSerializer
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"POST": None}

    @extend_schema(request=s.BulkApproveInputSerializer, responses=s.BulkResultSerializer(many=True))
    def post(self, request):
        data = s.BulkApproveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = services.approval_bulk_approve(
            actor=request.user,
            request_ids=data.validated_data["requests"],
            comment=data.validated_data["comment"],
        )
        return Response(s.BulkResultSerializer(results, many=True).data)


class NotificationListView(UserScopedAPIView):
    serializer_class = s.NotificationSerializer
    required_capabilities = {"GET": None}

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)

    @extend_schema(responses=s.NotificationSerializer(many=True), summary="My notifications")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.NotificationSerializer(page, many=True).data)


class NotificationUnreadView(UserScopedAPIView):
    serializer_class = s.UnreadCountSerializer
    required_capabilities = {"GET": None}

    @extend_schema(responses=s.UnreadCountSerializer, summary="The bell's unread count")
    def get(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})


class NotificationReadView(UserScopedAPIView):
    dashboard_page = "publishing:notifications"
    serializer_class = s.UnreadCountSerializer
    required_capabilities = {"POST": None}

    @extend_schema(request=s.MarkReadInputSerializer, responses=s.UnreadCountSerializer, summary="Mark read")
    def post(self, request):
        data = s.MarkReadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notifications_mark_read(actor=request.user, ids=data.validated_data["ids"])
        return Response({"unread": selectors.unread_count(user=request.user)})


class NotificationPreferencesView(UserScopedAPIView):
    dashboard_page = "dashboard:notification_settings"
    serializer_class = s.PreferencesSerializer
    required_capabilities = {"GET": None, "PUT": None}

    def _answer(self, user):
        rows = selectors.notification_preferences_for(user=user)
        return Response(s.PreferencesSerializer({"preferences": rows}).data)

    @extend_schema(responses=s.PreferencesSerializer, summary="My notification choices")
    def get(self, request):
        return self._answer(request.user)

    @extend_schema(request=s.PreferencesSerializer, responses=s.PreferencesSerializer)
    def put(self, request):
        data = s.PreferencesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notification_preferences_set(
            actor=request.user, preferences=data.validated_data["preferences"]
        )
        return self._answer(request.user)


# --- external reviewers (no account) ----------------------------------------------------------------


class _ExternalView(ScopedAPIView):
    """No account: the signed link (X-Review-Link header, the token from the link's URL) is the scope;
    refusals (tampered, expired, revoked) are a
    403 with code link_invalid / link_expired / link_revoked and write nothing. After the email code,
    the X-Review-Session header proves the reviewer confirmed the link's email."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.capability_for(request.method)

    @property
    def token(self) -> str:
        return self.request.headers.get("X-Review-Link", "")

    def verified(self, link) -> bool:
        return links.review_session_valid(link, self.request.headers.get("X-Review-Session", ""))


SESSION_HEADER = OpenApiParameter("X-Review-Session", str, OpenApiParameter.HEADER, required=False)
LINK_HEADER = OpenApiParameter("X-Review-Link", str, OpenApiParameter.HEADER, required=True)


class ExternalReviewView(_ExternalView):
    serializer_class = s.ExternalReviewSerializer
    required_capabilities = {"GET": None}

    @extend_schema(
        parameters=[LINK_HEADER, SESSION_HEADER],
        responses=s.ExternalReviewSerializer,
        auth=[],
        summary="External review: the link and, once confirmed, the posts as they will appear",
    )
    def get(self, request):
        link = links.link_resolve(self.token)
        return Response(
            s.ExternalReviewSerializer(links.external_view(link, verified=self.verified(link))).data
        )


class ExternalCodeView(_ExternalView):
    dashboard_page = "approvals:external_review"
    serializer_class = s.ExternalReviewSerializer
    required_capabilities = {"POST": None}

    @extend_schema(
        parameters=[LINK_HEADER], request=NO_INPUT, responses={202: None}, auth=[], summary="Email me a code"
    )
    def post(self, request):
        links.link_code_send(self.token)
        return Response(status=202)


class ExternalVerifyView(_ExternalView):
    dashboard_page = "approvals:external_review"
    serializer_class = s.ReviewSessionSerializer
    required_capabilities = {"POST": None}

    @extend_schema(
        parameters=[LINK_HEADER],
        request=s.CodeInputSerializer,
        responses=s.ReviewSessionSerializer,
        auth=[],
        summary="Confirm the email with the code",
    )
    def post(self, request):
        links.link_resolve(self.token)  # a spoiled link is refused before anything else
        data = s.CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link = links.link_code_verify(self.token, data.validated_data["code"])
        return Response({"session": links.review_session_issue(link)})


class ExternalDecideView(_ExternalView):
    dashboard_page = "approvals:external_review"
    serializer_class = s.DecisionSerializer
    required_capabilities = {"POST": None}

    @extend_schema(
        parameters=[LINK_HEADER, SESSION_HEADER],
        request=s.ExternalDecideInputSerializer,
        responses={201: s.DecisionSerializer},
        auth=[],
        summary="Decide as an external reviewer",
    )
    def post(self, request):
        link = links.link_resolve(self.token)
        data = s.ExternalDecideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        decision = links.link_decide(
            token=self.token,
            verified=self.verified(link),
            request_id=v["request"],
            decision=v["decision"],
            comment=v["comment"],
        )
        return created(s.DecisionSerializer(decision).data)


class ExternalCommentView(_ExternalView):
    dashboard_page = "approvals:external_review"
    serializer_class = s.CommentSerializer
    required_capabilities = {"POST": None}

    @extend_schema(
        parameters=[LINK_HEADER, SESSION_HEADER],
        request=s.ExternalCommentInputSerializer,
        responses={201: s.CommentSerializer},
        auth=[],
        summary="Comment as an external reviewer",
    )
    def post(self, request):
        link = links.link_resolve(self.token)
        data = s.ExternalCommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        request_id = v.pop("request")
        comment = links.link_comment(
            token=self.token, verified=self.verified(link), request_id=request_id, **v
        )
        return created(s.CommentSerializer(comment).data)
