"""Outgoing webhooks: endpoints a workspace registers, and one delivery row per event per endpoint.

The publish pipeline's own models (targets, attempts) live with the post model; this module holds what
does not depend on it. See publishing/README.md for the promises.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.models import PublishNotificationKind
from core.models import TimeStampedModel, WorkspaceScopedModel


class WebhookEvent(models.TextChoices):
    POST_PUBLISHED = "post.published", _("Post published")
    POST_FAILED = "post.failed", _("Post failed")
    POST_UNKNOWN = "post.unknown", _("Post outcome unknown")
    APPROVAL_REQUESTED = "approval.requested", _("Approval requested")
    APPROVAL_APPROVED = "approval.approved", _("Approval approved")
    APPROVAL_REJECTED = "approval.rejected", _("Approval rejected")
    APPROVAL_CHANGES_REQUESTED = "approval.changes_requested", _("Changes requested")
    # Sent only by "send test event"; endpoints cannot subscribe to it.
    WEBHOOK_TEST = "webhook.test", _("Test event")


ALL_EVENTS = "*"
SUBSCRIBABLE_EVENTS: tuple[str, ...] = tuple(e for e in WebhookEvent.values if e != WebhookEvent.WEBHOOK_TEST)


class WebhookEndpoint(WorkspaceScopedModel):
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Event names from SUBSCRIBABLE_EVENTS, or ["*"] for all of them.
    events = models.JSONField(default=list)
    # The signing secret as a Fernet token (channels_app.vault); shown in plain text once, at creation.
    secret_ciphertext = models.TextField()
    # The first characters of the secret, so people can tell which one a receiver holds.
    secret_hint = models.CharField(max_length=16, blank=True)
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["workspace", "active"], name="webhook_ws_active")]
        verbose_name = _("webhook endpoint")

    def __str__(self) -> str:
        return self.url[:200]

    def subscribes_to(self, event: str) -> bool:
        return ALL_EVENTS in self.events or event in self.events


class WebhookDelivery(WorkspaceScopedModel):
    """One event for one endpoint, tried until delivered or out of attempts.

    Claiming: whoever sends attempt n first increments `attempt_count` to n and pushes `next_attempt_at`
    one lease ahead (under a row lock), then inserts the WebhookAttempt row (delivery, n), which is unique.
    A duplicate task message finds the attempt row and sends nothing; a worker that died mid-send leaves
    the lease to expire and the retry beat claims attempt n + 1.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # The same for every endpoint and every redelivery of one event: receivers deduplicate on it.
    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveIntegerField(null=True, blank=True)
    last_response_excerpt = models.CharField(max_length=500, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The retry beat's scan: due pending rows only.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["workspace", "-id"], name="webhook_delivery_ws_recent"),
            models.Index(fields=["endpoint", "-id"], name="webhook_delivery_ep_recent"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} #{self.pk} ({self.status})"


class WebhookAttempt(TimeStampedModel):
    """One HTTP POST of a delivery: written before the request is sent, completed after it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once"),
        ]
        verbose_name = _("webhook attempt")

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"


# --- the publish pipeline ---------------------------------------------------------------------------


class PublishJob(WorkspaceScopedModel):
    """The pipeline's state for one post target (content.PostTarget holds the status; this holds the
    lease and the retry bookkeeping). `attempt_id` is the lease: a publish task acts only when the target
    is queued and the job's attempt_id is the one in its message. `not_before` is when the next attempt
    may start (a rate limit's Retry-After, a backoff), stored here because the Redis gate is not durable.
    """

    class Kind(models.TextChoices):
        API = "api", _("Published through the platform's API")
        ASSISTED = "assisted", _("Assisted (a person posts it and confirms)")

    target = models.OneToOneField("content.PostTarget", on_delete=models.CASCADE, related_name="publish_job")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.API)
    attempt_id = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    # When it was due (the post's time, or when someone pressed "publish now" / "retry").
    due_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveIntegerField(default=0)  # attempts that reached the platform or failed there
    transient_failures = models.PositiveIntegerField(default=0)
    refreshed = models.BooleanField(default=False)  # the one token refresh was used
    # An asynchronous publish (WeChat publish_id, Instagram container) waiting to complete.
    pending = models.JSONField(null=True, blank=True)
    poll_deadline = models.DateTimeField(null=True, blank=True)
    # An unknown outcome: when the platform is next read to settle it.
    settle_after = models.DateTimeField(null=True, blank=True)
    settle_checks = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=40, blank=True)  # missed, reconnect_account, rejected, ...
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["lease_expires_at"], name="publish_job_lease")]

    def __str__(self) -> str:
        return f"job for target {self.target_id}"


class PublishAttempt(WorkspaceScopedModel):
    """One try at publishing a target, written BEFORE the platform is called and completed after."""

    class Outcome(models.TextChoices):
        SENDING = "sending", _("Sending")
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Accepted, processing")
        RATE_LIMITED = "rate_limited", _("Rate limited")
        TRANSIENT = "transient", _("Temporary error")
        AUTH_EXPIRED = "auth_expired", _("Token expired")
        RECONNECT = "reconnect_account", _("Account needs reconnecting")
        REJECTED = "rejected", _("Rejected by the platform")
        UNKNOWN = "unknown", _("Outcome unknown")
        ASSISTED = "assisted", _("Handed to a person")

    target = models.ForeignKey(
        "content.PostTarget", on_delete=models.CASCADE, related_name="publish_attempts"
    )
    attempt_id = models.UUIDField()
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)
    request = models.JSONField(default=dict)  # what was sent, without secrets
    response = models.JSONField(default=dict)  # the platform's answer (ids, error code and message)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.SENDING)
    error = models.CharField(max_length=500, blank=True)
    retry_after = models.FloatField(null=True, blank=True)  # seconds the platform asked us to wait

    class Meta:
        ordering = ["target_id", "number"]
        constraints = [models.UniqueConstraint(fields=["attempt_id"], name="publish_attempt_once")]
        indexes = [models.Index(fields=["target", "number"], name="publish_attempt_target")]

    def __str__(self) -> str:
        return f"attempt {self.number} of target {self.target_id} ({self.outcome})"


class PublishNotification(WorkspaceScopedModel):
    """An in-app notice about publishing (failed, unknown, missed, assisted post due / overdue)."""

    # Defined in approvals.models, whose notification preferences list these kinds too.
    Kind = PublishNotificationKind

    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="publish_notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    target = models.ForeignKey("content.PostTarget", on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=500)
    content = models.JSONField(default=dict, blank=True)  # assisted: the ready text, comment, media
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"


class WorkspacePublishingSettings(models.Model):
    """Per-workspace publishing settings; no row means the defaults from settings."""

    workspace = models.OneToOneField(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="publishing_settings"
    )
    missed_grace_minutes = models.PositiveIntegerField(_("grace window for late posts (minutes)"))
    assisted_overdue_minutes = models.PositiveIntegerField(_("assisted post overdue after (minutes)"))

    def __str__(self) -> str:
        return f"publishing settings of {self.workspace_id}"
