"""The fan inbox: every comment, reply, mention and direct message from every account as one `InboxItem`,
grouped into a `Conversation` (the thread under one of our posts, one fan's DM conversation, a mention's
thread), written by a `Fan` whose profile and history span the workspace's accounts.

An item is deduplicated by the platform's own id per account (`uniq_inbox_item_external`), so a second
delivery of the same comment (a poll overlapping the last, a webhook retried) changes nothing. Our own
replies are items too (`from_us`), so the thread reads as it does on the platform. `version` grows with
every change a person makes; a reply or triage based on an older version is refused (inbox.services).
Status changes happen in inbox.services only.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import WorkspaceScopedModel


class ItemKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    MENTION = "mention", _("Mention")
    DIRECT_MESSAGE = "direct_message", _("Direct message")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Fan(WorkspaceScopedModel):
    """A person on a platform who wrote to one of the workspace's accounts (any of them)."""

    platform = models.CharField(_("platform"), max_length=20)
    external_id = models.CharField(_("external id"), max_length=200)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=500, blank=True)
    followers = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "platform", "external_id"], name="uniq_inbox_fan"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.handle or self.external_id


class Conversation(WorkspaceScopedModel):
    class Kind(models.TextChoices):
        THREAD = "thread", _("Comments under a post")
        DIRECT = "direct", _("Direct messages")
        MENTION = "mention", _("Mentions")

    account = models.ForeignKey("channels_app.SocialAccount", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The post's id on the platform (a thread or a mention's thread), or the DM conversation's id.
    external_id = models.CharField(max_length=200)
    fan = models.ForeignKey(Fan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True)
    last_item_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_item_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "external_id"], name="uniq_inbox_conversation_external"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.external_id


class InboxItem(WorkspaceScopedModel):
    account = models.ForeignKey("channels_app.SocialAccount", on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    external_id = models.CharField(max_length=200)
    parent_external_id = models.CharField(max_length=200, blank=True)
    fan = models.ForeignKey(Fan, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    from_us = models.BooleanField(_("from us"), default=False)
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), db_index=True)  # the platform's time (UTC)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)  # deleted by the fan
    # Hidden by a rule or a person: kept out of the queue (hidden on the platform too where it allows).
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    # What we did to it on the platform (inbox.services.item_actions): hidden there, liked, deleted by us.
    platform_hidden_at = models.DateTimeField(_("hidden on the platform at"), null=True, blank=True)
    liked_at = models.DateTimeField(_("liked at"), null=True, blank=True)
    deleted_by_us_at = models.DateTimeField(_("deleted on the platform at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)  # 0 (negative) .. 1 (positive)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    raw = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="uniq_inbox_item_external"),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-sent_at"], name="inbox_item_queue"),
            models.Index(fields=["conversation", "sent_at"], name="inbox_item_thread"),
        ]

    def __str__(self) -> str:
        return (self.text or self.external_id)[:60]


class InboxNote(WorkspaceScopedModel):
    """An internal note on an item: seen by the team, never sent to the fan."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class InboxSource(WorkspaceScopedModel):
    """Where the poller stands for one account: the platform's cursor (opaque), when to read next, and
    what went wrong last. One row per polled account, made on its first poll."""

    account = models.OneToOneField(
        "channels_app.SocialAccount", on_delete=models.CASCADE, related_name="inbox_source"
    )
    cursor = models.TextField(blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    polls = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"inbox source {self.account_id}"


class InboxPushKey(WorkspaceScopedModel):
    """What a WeChat Official Account's message server setting holds for one account: our URL's key, the
    Token and the EncodingAESKey (encrypted at rest with the credential vault's keys)."""

    account = models.OneToOneField("channels_app.SocialAccount", on_delete=models.CASCADE, related_name="+")
    url_key = models.CharField(max_length=64, unique=True)
    token = models.CharField(max_length=64)
    aes_key_ciphertext = models.TextField()

    def __str__(self) -> str:
        return f"push key {self.account_id}"


class InboundDelivery(models.Model):
    """One pushed request, stored as received before anything reads it, so a crash loses nothing: the
    processing task (and the sweeper, for one that died) works from this row. `nonce` and `body_sha256`
    refuse replays."""

    class Source(models.TextChoices):
        WECHAT = "wechat", "WeChat"
        META = "meta", "Meta"
        DOUYIN = "douyin", "Douyin"

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")

    source = models.CharField(max_length=10, choices=Source.choices)
    push_key = models.ForeignKey(
        InboxPushKey, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body = models.BinaryField()
    body_sha256 = models.CharField(max_length=64)
    nonce = models.CharField(max_length=64, blank=True)
    query = models.JSONField(default=dict, blank=True)  # the signed query (WeChat: encrypt_type ...)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["push_key", "nonce"],
                condition=~models.Q(nonce=""),
                name="uniq_inbound_delivery_nonce",
            ),
            models.UniqueConstraint(
                fields=["source", "body_sha256"],
                condition=models.Q(source="meta"),
                name="uniq_inbound_delivery_meta_body",
            ),
            # Douyin retries with the same Msg-Id header (kept in `nonce`) and, as far as it says, body.
            models.UniqueConstraint(
                fields=["source", "nonce"],
                condition=models.Q(source="douyin") & ~models.Q(nonce=""),
                name="uniq_inbound_delivery_douyin_msg",
            ),
            models.UniqueConstraint(
                fields=["source", "body_sha256"],
                condition=models.Q(source="douyin"),
                name="uniq_inbound_delivery_douyin_body",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_delivery_todo")]

    def __str__(self) -> str:
        return f"{self.source} delivery {self.pk}"


class InboxReply(WorkspaceScopedModel):
    """Our answer to an item, sent through the connector once (inbox.services.replies): queued when a
    person sends it, then `sending` under an attempt id, then sent / failed / unknown (the platform may
    have it: never re-sent blindly). Every try is an InboxReplyAttempt."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")
        AWAITING_APPROVAL = "awaiting", _("Awaiting approval")
        REJECTED = "rejected", _("Rejected")

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("reply"), blank=True)
    # One image from the media library, where the platform takes one (capabilities.reply_media).
    media = models.ForeignKey(
        "content.MediaAsset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempt_id = models.UUIDField(null=True, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    refreshed = models.BooleanField(default=False)
    external_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Reply approval (inbox.services.reply_approval): who approved or rejected it, when, and why not.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "not_before"], name="inbox_reply_due")]

    def __str__(self) -> str:
        return self.text[:60]


class InboxReplyAttempt(models.Model):
    reply = models.ForeignKey(InboxReply, on_delete=models.CASCADE, related_name="attempts")
    attempt_id = models.UUIDField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # sent, rate_limited, transient, rejected ...
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"reply {self.reply_id} attempt {self.attempt_id}: {self.outcome or 'running'}"


class SavedReply(WorkspaceScopedModel):
    """A reply the team reuses; `{fan}`, `{fan_handle}`, `{account}` and `{agent}` are filled in."""

    name = models.CharField(_("name"), max_length=80)
    body = models.TextField(_("text"), max_length=2000)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_saved_reply_name")]

    def __str__(self) -> str:
        return self.name


def _weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class InboxSettings(WorkspaceScopedModel):
    """The workspace's business hours (in its own time zone) and its first-response target, which the
    queue's SLA timer counts in business time."""

    business_days = models.JSONField(_("business days"), default=_weekdays)  # 0 = Monday
    opens_at = models.TimeField(_("opens at"), default=datetime.time(9, 0))
    closes_at = models.TimeField(_("closes at"), default=datetime.time(18, 0))
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"), default=60)
    resolution_minutes = models.PositiveIntegerField(_("resolved within (minutes)"), default=8 * 60)
    # How long before a target the person working the item (or the managers) is warned.
    warning_minutes = models.PositiveIntegerField(_("warn this many minutes before"), default=15)
    # Replies on these accounts, or containing one of these words, wait for a person who may approve.
    approval_accounts = models.JSONField(_("replies approved first on"), default=list, blank=True)
    approval_keywords = models.JSONField(
        _("replies approved first when they contain"), default=list, blank=True
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="uniq_inbox_settings_workspace")]

    def __str__(self) -> str:
        return f"inbox settings {self.workspace_id}"


class InboxRule(WorkspaceScopedModel):
    """One of the workspace's inbox rules, applied in `position` order to every new fan message at ingest
    (inbox.services.rule_apply). Every condition that is set must hold (keywords: any of them); the
    actions of every matching rule apply in order, unless a matching rule says to stop there.

    Round-robin assignment over `assign_team` keeps its place in `round_robin_last` (the id of the person
    given the last item), read and written under SELECT FOR UPDATE so workers share one fair turn."""

    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveIntegerField(_("position"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Conditions
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    account = models.ForeignKey(
        "channels_app.SocialAccount", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices, blank=True)
    min_followers = models.PositiveIntegerField(_("fan has at least (followers)"), null=True, blank=True)
    vip = models.JSONField(_("VIP fans"), default=list, blank=True)  # fan handles or platform ids
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    # Actions
    add_tags = models.JSONField(_("add tags"), default=list, blank=True)
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assign_team = models.JSONField(_("round-robin team"), default=list, blank=True)  # user ids, in turn
    round_robin_last = models.PositiveIntegerField(null=True, blank=True)
    set_priority = models.CharField(_("set priority"), max_length=10, choices=Priority.choices, blank=True)
    close = models.BooleanField(_("close"), default=False)
    hide = models.BooleanField(_("hide"), default=False)
    stop = models.BooleanField(_("stop after this rule"), default=False)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "position"], name="inbox_rule_order")]

    def __str__(self) -> str:
        return self.name


class InboxSlaNotice(models.Model):
    """A warning or breach notice already sent for one item and one target: stored so each goes out once,
    however many times (or on however many workers) the SLA task runs."""

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    class Stage(models.TextChoices):
        SOON = "soon", _("Nearly due")
        BREACHED = "breached", _("Missed")

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="sla_notices")
    target = models.CharField(max_length=20, choices=Target.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "target", "stage"], name="uniq_inbox_sla_notice"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.target} {self.stage}"


class SavedQueueView(WorkspaceScopedModel):
    """One person's saved filters on the workspace's queue (the query string the filter form makes)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "name"], name="uniq_inbox_saved_view_name"),
        ]

    def __str__(self) -> str:
        return self.name
