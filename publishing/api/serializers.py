"""Input and output shapes of the webhook API. Output never carries the secret, except the one
creation answer (`WebhookCreatedSerializer`)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import (
    ALL_EVENTS,
    SUBSCRIBABLE_EVENTS,
    PublishAttempt,
    PublishNotification,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

EVENT_CHOICES = [ALL_EVENTS, *SUBSCRIBABLE_EVENTS]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "active",
            "secret_hint",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="The signing secret. Shown only in this answer: store it now.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookCreateInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), max_length=20)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    active = serializers.BooleanField(required=False, default=True)


class WebhookUpdateInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), max_length=20, required=False
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class WebhookDeliveryFilterSerializer(serializers.Serializer):
    webhook = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False)
    event = serializers.CharField(required=False, max_length=40)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook = serializers.IntegerField(source="endpoint_id")
    webhook_url = serializers.CharField(source="endpoint.url")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "webhook_url",
            "event",
            "event_id",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_attempt_at",
            "last_response_code",
            "last_response_excerpt",
            "last_error",
            "last_duration_ms",
            "delivered_at",
            "redelivery_of",
            "created_at",
        ]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "started_at",
            "finished_at",
            "response_code",
            "response_excerpt",
            "error",
            "duration_ms",
            "succeeded",
        ]
        read_only_fields = fields


class WebhookDeliveryDetailSerializer(WebhookDeliverySerializer):
    attempts = WebhookAttemptSerializer(many=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = [*WebhookDeliverySerializer.Meta.fields, "payload", "attempts"]
        read_only_fields = fields


# --- the publish pipeline ---------------------------------------------------------------------------


class PublishAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishAttempt
        fields = [
            "id",
            "number",
            "started_at",
            "finished_at",
            "duration_ms",
            "worker",
            "outcome",
            "error",
            "retry_after",
            "request",
            "response",
        ]
        read_only_fields = fields


class PublishTargetSerializer(serializers.Serializer):
    """A post on one account, as the pipeline sees it."""

    id = serializers.IntegerField()
    post = serializers.IntegerField(source="post_id")
    account = serializers.IntegerField(source="account_id")
    status = serializers.CharField()
    external_id = serializers.CharField()
    url = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    error_message = serializers.CharField()


class PublishNowResultSerializer(serializers.Serializer):
    queued = serializers.ListField(child=serializers.IntegerField(), help_text="The targets queued now.")


class AssistedConfirmInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="The live post's link.")


class PublishNotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = PublishNotification
        fields = ["id", "kind", "target", "message", "content", "read_at", "created_at"]
        read_only_fields = fields
