"""The webhook API under /api/v1/workspaces/{workspace_id}/: endpoints, test events, the delivery log.

Everything here needs workspace.manage: a webhook sends the workspace's events to an outside server.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.roles import Capability
from content.models import Post, PostTarget
from core.api import WorkspaceScopedAPIView, created

from .. import services
from ..models import PublishAttempt, PublishNotification, WebhookDelivery, WebhookEndpoint
from ..selectors import webhook_deliveries_filter
from . import serializers as s

MANAGE = Capability.WORKSPACE_MANAGE
# Actions without input (send a test event, redeliver) accept an empty JSON object.
NO_INPUT = {"application/json": OpenApiTypes.OBJECT}


class WebhookListView(WorkspaceScopedAPIView):
    """GET the workspace's webhooks; POST one (the answer holds its signing secret, shown only once)."""

    dashboard_page = "publishing:webhooks"
    queryset = WebhookEndpoint.objects.all()
    serializer_class = s.WebhookEndpointSerializer
    required_capabilities = {"GET": MANAGE, "POST": MANAGE}

    @extend_schema(responses=s.WebhookEndpointSerializer(many=True), summary="The workspace's webhooks")
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.WebhookCreateInputSerializer, responses={201: s.WebhookCreatedSerializer})
    def post(self, request, workspace_id):
        data = s.WebhookCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_create(
            actor=request.user, workspace=self.workspace, **data.validated_data
        )
        endpoint.secret = secret
        return created(s.WebhookCreatedSerializer(endpoint).data)


class WebhookDetailView(WorkspaceScopedAPIView):
    dashboard_page = "publishing:webhooks"
    queryset = WebhookEndpoint.objects.all()
    serializer_class = s.WebhookEndpointSerializer
    required_capabilities = {"GET": MANAGE, "PATCH": MANAGE, "DELETE": MANAGE}
    lookup_url_kwarg = "webhook_id"

    @extend_schema(responses=s.WebhookEndpointSerializer, summary="A webhook")
    def get(self, request, workspace_id, webhook_id):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=s.WebhookUpdateInputSerializer, responses=s.WebhookEndpointSerializer)
    def patch(self, request, workspace_id, webhook_id):
        endpoint = self.get_object()
        data = s.WebhookUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(
            actor=request.user, endpoint=endpoint, **data.validated_data
        )
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, workspace_id, webhook_id):
        services.webhook_endpoint_delete(actor=request.user, endpoint=self.get_object())
        return Response(status=204)


class WebhookTestView(WorkspaceScopedAPIView):
    """POST: send a `webhook.test` event to this webhook now; the answer is the queued delivery."""

    dashboard_page = "publishing:webhooks"
    queryset = WebhookEndpoint.objects.all()
    serializer_class = s.WebhookDeliverySerializer
    required_capabilities = {"POST": MANAGE}
    lookup_url_kwarg = "webhook_id"

    @extend_schema(
        request=NO_INPUT, responses={201: s.WebhookDeliverySerializer}, summary="Send a test event"
    )
    def post(self, request, workspace_id, webhook_id):
        delivery = services.webhook_send_test(actor=request.user, endpoint=self.get_object())
        return created(s.WebhookDeliverySerializer(delivery).data)


class WebhookDeliveryListView(WorkspaceScopedAPIView):
    """GET the delivery log, newest first; filters `webhook`, `status`, `event`."""

    dashboard_page = "publishing:webhooks"
    queryset = WebhookDelivery.objects.all()
    serializer_class = s.WebhookDeliverySerializer
    required_capabilities = {"GET": MANAGE}

    def refine_queryset(self, queryset):
        filters = s.WebhookDeliveryFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return webhook_deliveries_filter(
            queryset,
            endpoint_id=data.get("webhook"),
            status=data.get("status", ""),
            event=data.get("event", ""),
        )

    @extend_schema(
        parameters=[s.WebhookDeliveryFilterSerializer],
        responses=s.WebhookDeliverySerializer(many=True),
        summary="The webhook delivery log",
    )
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class WebhookDeliveryDetailView(WorkspaceScopedAPIView):
    """GET one delivery with its payload and every attempt."""

    dashboard_page = "publishing:webhooks"
    queryset = WebhookDelivery.objects.all()
    serializer_class = s.WebhookDeliveryDetailSerializer
    required_capabilities = {"GET": MANAGE}
    lookup_url_kwarg = "delivery_id"

    def refine_queryset(self, queryset):
        return queryset.select_related("endpoint").prefetch_related("attempts")

    @extend_schema(responses=s.WebhookDeliveryDetailSerializer, summary="A webhook delivery")
    def get(self, request, workspace_id, delivery_id):
        return Response(self.get_serializer(self.get_object()).data)


class WebhookRedeliverView(WorkspaceScopedAPIView):
    """POST: send a delivered or failed delivery again (a new delivery, the same event id)."""

    dashboard_page = "publishing:webhooks"
    queryset = WebhookDelivery.objects.all()
    serializer_class = s.WebhookDeliverySerializer
    required_capabilities = {"POST": MANAGE}
    lookup_url_kwarg = "delivery_id"

    @extend_schema(request=NO_INPUT, responses={201: s.WebhookDeliverySerializer}, summary="Redeliver")
    def post(self, request, workspace_id, delivery_id):
        delivery = services.webhook_delivery_redeliver(actor=request.user, delivery=self.get_object())
        return created(s.WebhookDeliverySerializer(delivery).data)


# --- the publish pipeline: publish now, retry, cancel, assisted confirmation, attempt log ------------


class PostPublishNowView(WorkspaceScopedAPIView):
    """POST: publish a scheduled post's targets now instead of at its time."""

    dashboard_page = "content:post_detail"

    queryset = Post.objects.filter(deleted_at__isnull=True)
    serializer_class = s.PublishNowResultSerializer
    required_capabilities = {"POST": Capability.POST_PUBLISH_NOW}
    lookup_url_kwarg = "post_id"

    @extend_schema(request=NO_INPUT, responses=s.PublishNowResultSerializer, summary="Publish now")
    def post(self, request, workspace_id, post_id):
        queued = services.post_publish_now(actor=request.user, post=self.get_object())
        return Response({"queued": queued})


class _TargetView(WorkspaceScopedAPIView):
    queryset = PostTarget.objects.filter(post__deleted_at__isnull=True)
    serializer_class = s.PublishTargetSerializer
    lookup_url_kwarg = "target_id"


class PublishTargetRetryView(_TargetView):
    """POST: try a failed target again now (409 while its outcome is still being confirmed)."""

    dashboard_page = "content:post_detail"

    required_capabilities = {"POST": Capability.POST_PUBLISH_NOW}

    @extend_schema(request=NO_INPUT, responses=s.PublishTargetSerializer, summary="Retry a failed target")
    def post(self, request, workspace_id, target_id):
        target = services.target_retry(actor=request.user, target=self.get_object())
        return Response(s.PublishTargetSerializer(target).data)


class PublishTargetCancelView(_TargetView):
    """POST: take one scheduled, queued or failed target off the schedule."""

    dashboard_page = "content:post_detail"

    required_capabilities = {"POST": Capability.POST_SCHEDULE}

    @extend_schema(request=NO_INPUT, responses=s.PublishTargetSerializer, summary="Cancel a target")
    def post(self, request, workspace_id, target_id):
        target = services.target_cancel(actor=request.user, target=self.get_object())
        return Response(s.PublishTargetSerializer(target).data)


class PublishTargetConfirmView(_TargetView):
    """POST {url}: an assisted post was published by hand; record its live link."""

    dashboard_page = "content:post_detail"

    # The service decides: the account's responsible person, or someone who may schedule.
    required_capabilities = {"POST": Capability.POST_VIEW}

    @extend_schema(
        request=s.AssistedConfirmInputSerializer,
        responses=s.PublishTargetSerializer,
        summary="Confirm an assisted post",
    )
    def post(self, request, workspace_id, target_id):
        target = self.get_object()  # another tenant's target is 404 before the input is looked at
        data = s.AssistedConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = services.assisted_confirm(actor=request.user, target=target, url=data.validated_data["url"])
        return Response(s.PublishTargetSerializer(target).data)


class PublishTargetAttemptsView(_TargetView):
    """GET the attempt log of one target, oldest first (when, which worker, what was sent, the answer)."""

    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": Capability.POST_VIEW}

    @extend_schema(responses=s.PublishAttemptSerializer(many=True), summary="A target's attempt log")
    def get(self, request, workspace_id, target_id):
        target = self.get_object()
        attempts = PublishAttempt.objects.filter(target=target).order_by("number")
        return Response(s.PublishAttemptSerializer(attempts, many=True).data)


class PublishNotificationListView(WorkspaceScopedAPIView):
    """GET my publishing notices in this workspace, newest first (failed, unknown, missed, assisted)."""

    queryset = PublishNotification.objects.all()
    serializer_class = s.PublishNotificationSerializer
    required_capabilities = {"GET": Capability.POST_VIEW}

    def refine_queryset(self, queryset):
        return queryset.filter(recipient=self.request.user).order_by("-id")

    @extend_schema(responses=s.PublishNotificationSerializer(many=True), summary="My publishing notices")
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
