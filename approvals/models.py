"""Approvals: workflows (ordered stages), the rules that pick a workflow for a post, requests and their
per-stage states (Wagtail's Workflow / WorkflowState / TaskState shape), decisions, overrides, external
review links, comments and notifications.

The promise (approvals/README.md): nothing unapproved is published. `approvals.gate.publish_gate` is the
one check; it compares the post's current content hash with the hash pinned by its last completed
approval. Rows here only record; every write goes through approvals.services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from core.models import TimeStampedModel, WorkspaceScopedModel

# --- workflows --------------------------------------------------------------------------------------


class ApprovalWorkflow(WorkspaceScopedModel):
    class Restart(models.TextChoices):
        FIRST_STAGE = "first_stage", _("From the first stage")
        SAME_STAGE = "same_stage", _("At the stage that asked for changes")

    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    # Whether the post's author may approve their own post in this workflow.
    allow_self_approval = models.BooleanField(_("authors may approve their own posts"), default=False)
    # Where a resubmission (after changes were requested) starts.
    restart_on_resubmit = models.CharField(
        _("resubmission starts"), max_length=12, choices=Restart.choices, default=Restart.FIRST_STAGE
    )
    # When the last stage approves a post planned for a future time, schedule it (as the submitter).
    schedule_when_approved = models.BooleanField(_("schedule when approved"), default=True)
    # Bumped whenever the stages change; a request records the version it was routed with.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_workflow_name")]

    def __str__(self) -> str:
        return self.name


class ApprovalStage(WorkspaceScopedModel):
    class Rule(models.TextChoices):
        ANY = "any", _("Any one approver")
        ALL = "all", _("All approvers")
        QUORUM = "quorum", _("N of M approvers")

    workflow = models.ForeignKey(ApprovalWorkflow, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("name"), max_length=120)
    approver_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    approver_roles = models.JSONField(_("approver roles"), default=list, blank=True)
    # External reviewers (no account) who count as approvers of this stage, by email.
    approver_emails = models.JSONField(_("external approver emails"), default=list, blank=True)
    rule = models.CharField(_("rule"), max_length=8, choices=Rule.choices, default=Rule.ANY)
    quorum = models.PositiveSmallIntegerField(_("approvals needed (N of M)"), default=1)
    # {"accounts": [ids], "platforms": [...], "campaigns": [ids], "tags": [ids],
    #  "compliance_findings": true, "keywords": [...]}; empty = always. See approvals.conditions.
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    sla_hours = models.PositiveIntegerField(_("SLA (hours)"), null=True, blank=True)
    # Past the SLA the approvers get one reminder; this many hours later, the escalation person is told.
    escalate_after_hours = models.PositiveIntegerField(_("escalate after (hours past the SLA)"), default=0)
    escalate_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalate to"),
    )

    class Meta:
        ordering = ["workflow_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quorum__gte=1), name="stage_quorum_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalPolicyRule(WorkspaceScopedModel):
    """Which workflow applies to a post. Rules are tried by `position`; the first that matches decides.
    `workflow` null means "no approval needed" (an exception placed before a broader rule). No rule
    matches: no approval needed."""

    class Scope(models.TextChoices):
        ALL = "all", _("All posts")
        ACCOUNTS = "accounts", _("Posts on some accounts")

    position = models.PositiveSmallIntegerField(default=0)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    accounts = models.ManyToManyField("channels_app.SocialAccount", blank=True, related_name="+")
    workflow = models.ForeignKey(
        ApprovalWorkflow, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"#{self.position} {self.scope} -> {self.workflow_id or 'none'}"


# --- requests ---------------------------------------------------------------------------------------


class RequestStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    CANCELLED = "cancelled", _("Cancelled")


class StageStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_PROGRESS = "in_progress", _("In progress")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SKIPPED = "skipped", _("Skipped (condition not met)")
    CARRIED_OVER = "carried_over", _("Approved in the previous round")
    CANCELLED = "cancelled", _("Cancelled")


class ApprovalBatch(WorkspaceScopedModel):
    """Several posts submitted together (reviewed through one external link)."""

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Batch {self.pk}"


class ApprovalRequest(WorkspaceScopedModel):
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="approval_requests")
    workflow = models.ForeignKey(ApprovalWorkflow, on_delete=models.PROTECT, related_name="requests")
    batch = models.ForeignKey(
        ApprovalBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    # What is being approved: the post's version and the hash of what gets published.
    post_version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    # What is approved: content.payload.publishable(post) at submission (content_hash is its hash). The
    # review page shows it; the attempt log and the post page diff what was sent or is there now with it.
    payload = models.JSONField(default=dict, blank=True)
    # How it was routed: {"workflow", "workflow_version", "stages": [stage ids that apply], "facts":
    # {what the conditions looked at}, "reopened": [{"at", "why", "stages"}]} (approvals.routing).
    routing = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.IN_PROGRESS)
    current_stage = models.ForeignKey(
        "ApprovalStageState", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One request in progress per post.
            models.UniqueConstraint(
                fields=["post"],
                condition=Q(status="in_progress"),
                name="uniq_request_in_progress_per_post",
            ),
        ]
        indexes = [
            models.Index(fields=["post", "status", "-completed_at"], name="request_post_status"),
        ]

    def __str__(self) -> str:
        return f"Approval {self.pk} of post {self.post_id} v{self.post_version}"


class ApprovalStageState(TimeStampedModel):
    """One stage of one request: its status and SLA bookkeeping."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="stage_states")
    # Kept (with its name) when a workflow's stages are later replaced.
    stage = models.ForeignKey(ApprovalStage, null=True, on_delete=models.SET_NULL, related_name="+")
    stage_name = models.CharField(max_length=120, default="")
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=StageStatus.choices, default=StageStatus.WAITING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request_id", "position", "id"]
        indexes = [
            models.Index(fields=["due_at"], name="stage_state_due", condition=Q(status="in_progress")),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.position} {self.status}"


class ApprovalDecision(TimeStampedModel):
    class Kind(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        REQUEST_CHANGES = "request_changes", _("Changes requested")

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    stage_state = models.ForeignKey(ApprovalStageState, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=20, choices=Kind.choices)
    comment = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An external reviewer's confirmed email (reviewer is null then), or the person's email.
    reviewer_email = models.EmailField()
    external = models.BooleanField(default=False)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Nobody decides twice on one stage of one request.
            models.UniqueConstraint(
                fields=["stage_state", "reviewer_email"], name="uniq_decision_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_email} {self.decision}"


class ApprovalOverride(WorkspaceScopedModel):
    """ "Publish without approval": valid for exactly one content hash of one post."""

    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="approval_overrides")
    content_hash = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["post", "content_hash"], name="override_post_hash")]

    def __str__(self) -> str:
        return f"Override of post {self.post_id} by {self.actor_label}"


# --- external review links --------------------------------------------------------------------------


class ReviewLink(WorkspaceScopedModel):
    """A signed, expiring link for one external reviewer, scoped to one request or one batch. The URL
    carries a django.core.signing token of (id, nonce); only the nonce's SHA-256 is stored."""

    request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="review_links"
    )
    batch = models.ForeignKey(
        ApprovalBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="review_links"
    )
    email = models.EmailField()
    nonce_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, batch__isnull=True)
                | Q(request__isnull=True, batch__isnull=False),
                name="review_link_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"Review link for {self.email}"


# --- comments ---------------------------------------------------------------------------------------


class PostComment(WorkspaceScopedModel):
    """A comment on a post, optionally on one variant (target) and anchored to a span of its text."""

    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="review_comments")
    # A reply points at the thread's first comment (one level: a reply is never a parent itself).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    target = models.ForeignKey(
        "content.PostTarget", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    post_version = models.PositiveIntegerField()
    body = models.TextField()
    anchor_start = models.PositiveIntegerField(null=True, blank=True)
    anchor_end = models.PositiveIntegerField(null=True, blank=True)
    anchor_text = models.CharField(max_length=1000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=254)
    external = models.BooleanField(default=False)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anchor_start__isnull=True, anchor_end__isnull=True)
                | Q(anchor_start__isnull=False, anchor_end__gt=models.F("anchor_start")),
                name="comment_anchor_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_label}: {self.body[:40]}"


# --- notifications ----------------------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    REVIEW_NEEDED = "review_needed", _("Your review is needed")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SLA_OVERDUE = "sla_overdue", _("Review overdue")
    ESCALATED = "escalated", _("Review escalated to you")
    MENTIONED = "mentioned", _("You were mentioned")
    REOPENED = "reopened", _("Approval re-opened for another stage")


class BudgetNotificationKind(models.TextChoices):
    """The budgets app's notices (threshold alerts, spend to approve and its outcome). Defined here, below
    budgets, like PublishNotificationKind: they are rows of Notification (so the bell counts them) and a
    person's preferences cover them; approvals never imports budgets (DESIGN.md "Layers")."""

    BUDGET_THRESHOLD = "budget_threshold", _("A budget reached a threshold")
    SPEND_APPROVAL = "spend_approval", _("Spend waits for your approval")
    SPEND_DECIDED = "spend_decided", _("Your spend was approved or rejected")
    BUDGET_RUN_RATE = "budget_run_rate", _("A budget is on course to overrun")


class CompetitorNotificationKind(models.TextChoices):
    """The competitors app's alerts, defined here for the same reason as BudgetNotificationKind."""

    COMPETITOR_SPIKE = "competitor_spike", _("A rival's post is far above its usual engagement")
    COMPETITOR_POSTING = "competitor_posting", _("A rival is posting far more than usual")
    COMPETITOR_KEYWORD = "competitor_keyword", _("A rival's post matches a watched keyword")


class InboxNotificationKind(models.TextChoices):
    """The fan inbox's notices, defined here for the same reason as BudgetNotificationKind."""

    INBOX_ASSIGNED = "inbox_assigned", _("A fan conversation was assigned to you")
    INBOX_SLA_SOON = "inbox_sla_soon", _("A fan's response time is nearly over")
    INBOX_SLA_BREACHED = "inbox_sla_breached", _("A fan's response time was missed")
    INBOX_REPLY_APPROVAL = "inbox_reply_approval", _("A reply to a fan waits for your approval")


BUDGET_NOTIFICATION_KINDS = BudgetNotificationKind.choices
# Notices of the apps above approvals (budgets, competitors, inbox): rows of Notification with a link.
APP_NOTIFICATION_KINDS = [
    *BUDGET_NOTIFICATION_KINDS,
    *CompetitorNotificationKind.choices,
    *InboxNotificationKind.choices,
]
# What a Notification row can be about (the API's NotificationKindEnum).
NOTIFICATION_KINDS = [*NotificationKind.choices, *APP_NOTIFICATION_KINDS]


class Notification(TimeStampedModel):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approval_notifications"
    )
    workspace = models.ForeignKey("accounts.Workspace", on_delete=models.CASCADE, related_name="+")
    # Approvals' own kinds, and budgets' (BudgetNotificationKind below: the bell shows both).
    kind = models.CharField(max_length=32, choices=NOTIFICATION_KINDS)
    post = models.ForeignKey(
        "content.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        ApprovalRequest, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(max_length=500)
    # Where the notice leads (a site path such as /w/3/budgets/7/), for notices about no post.
    link = models.CharField(max_length=300, blank=True, default="")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}"


class PublishNotificationKind(models.TextChoices):
    """The publish pipeline's notices (publishing.models.PublishNotification.Kind is this class). Defined
    here, below publishing, because a person's preferences (below) cover them too and approvals never
    imports publishing (DESIGN.md "Layers")."""

    FAILED = "failed", _("A post failed to publish")
    UNKNOWN = "unknown", _("A post's outcome is unknown")
    MISSED = "missed", _("A post was missed")
    ASSISTED_DUE = "assisted_due", _("A post is ready for you to publish")
    ASSISTED_OVERDUE = "assisted_overdue", _("An assisted post is overdue")


# What a person can choose about: approvals' kinds, the publish pipeline's and the upper apps' notices. The
# sets share no value.
PREFERENCE_KINDS = [
    *NotificationKind.choices,
    *PublishNotificationKind.choices,
    *APP_NOTIFICATION_KINDS,
]
PREFERENCE_VALUES = frozenset(value for value, _label in PREFERENCE_KINDS)


class NotificationPreference(models.Model):
    """A person's choice per kind (approvals and publishing notices); no row = both channels on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="approval_notification_prefs"
    )
    kind = models.CharField(max_length=32, choices=PREFERENCE_KINDS)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="uniq_notification_pref")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


ROLE_VALUES = frozenset(Role.values)
