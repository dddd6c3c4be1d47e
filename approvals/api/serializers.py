"""Input and output serializers for the approvals API (thin: services do the work)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.roles import Role

from ..conditions import FINDING_KINDS
from ..models import (
    PREFERENCE_KINDS,
    ApprovalDecision,
    ApprovalPolicyRule,
    ApprovalRequest,
    ApprovalStage,
    ApprovalStageState,
    ApprovalWorkflow,
    Notification,
    NotificationPreference,
    PostComment,
    ReviewLink,
)


class ConditionSerializer(serializers.Serializer):
    accounts = serializers.ListField(child=serializers.IntegerField(), required=False)
    platforms = serializers.ListField(child=serializers.CharField(), required=False)
    campaigns = serializers.ListField(child=serializers.IntegerField(), required=False)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)
    compliance_findings = serializers.BooleanField(required=False)
    keywords = serializers.ListField(child=serializers.CharField(), required=False)
    finding_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=FINDING_KINDS), required=False
    )
    match = serializers.ChoiceField(choices=["all", "any"], required=False)


@extend_schema_field(ConditionSerializer)
class ConditionInputField(serializers.JSONField):
    """The condition as sent: approvals.conditions.validate_condition (called by the service, for the API
    and the dashboard alike) checks its keys and values."""


class StageInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    approver_users = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    approver_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False, default=list
    )
    approver_emails = serializers.ListField(child=serializers.EmailField(), required=False, default=list)
    rule = serializers.ChoiceField(choices=ApprovalStage.Rule.choices, default=ApprovalStage.Rule.ANY)
    quorum = serializers.IntegerField(min_value=1, default=1)
    condition = ConditionInputField(required=False, default=dict)
    sla_hours = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    escalate_after_hours = serializers.IntegerField(min_value=0, default=0)
    escalate_to = serializers.IntegerField(required=False, allow_null=True, default=None)


class StageSerializer(serializers.ModelSerializer):
    approver_users = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    approver_roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    approver_emails = serializers.ListField(child=serializers.EmailField())
    condition = ConditionSerializer()

    class Meta:
        model = ApprovalStage
        fields = [
            "id",
            "position",
            "name",
            "approver_users",
            "approver_roles",
            "approver_emails",
            "rule",
            "quorum",
            "condition",
            "sla_hours",
            "escalate_after_hours",
            "escalate_to",
        ]


class WorkflowSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalWorkflow
        fields = [
            "id",
            "name",
            "active",
            "allow_self_approval",
            "restart_on_resubmit",
            "stages",
            "created_at",
        ]


class WorkflowInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    active = serializers.BooleanField(default=True)
    allow_self_approval = serializers.BooleanField(default=False)
    restart_on_resubmit = serializers.ChoiceField(
        choices=ApprovalWorkflow.Restart.choices, default=ApprovalWorkflow.Restart.FIRST_STAGE
    )
    schedule_when_approved = serializers.BooleanField(default=True)
    stages = StageInputSerializer(many=True)


class WorkflowUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    active = serializers.BooleanField(required=False)
    allow_self_approval = serializers.BooleanField(required=False)
    restart_on_resubmit = serializers.ChoiceField(choices=ApprovalWorkflow.Restart.choices, required=False)
    schedule_when_approved = serializers.BooleanField(required=False)
    stages = StageInputSerializer(many=True, required=False)


class PolicyRuleSerializer(serializers.ModelSerializer):
    accounts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ApprovalPolicyRule
        fields = ["position", "scope", "accounts", "workflow"]


class PolicyRuleInputSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=ApprovalPolicyRule.Scope.choices)
    accounts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    workflow = serializers.IntegerField(allow_null=True)


class PolicyInputSerializer(serializers.Serializer):
    rules = PolicyRuleInputSerializer(many=True)


class PolicySerializer(serializers.Serializer):
    rules = PolicyRuleSerializer(many=True)


class StageStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalStageState
        fields = ["id", "position", "stage_name", "status", "started_at", "finished_at", "due_at"]


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApprovalDecision
        fields = ["id", "stage_state", "decision", "comment", "reviewer_email", "external", "created_at"]


class RequestSerializer(serializers.ModelSerializer):
    post_title = serializers.CharField(source="post.title", read_only=True)
    workflow_name = serializers.CharField(source="workflow.name", read_only=True)
    submitted_by = serializers.SerializerMethodField()
    stages = StageStateSerializer(source="stage_states", many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "post",
            "post_title",
            "workflow",
            "workflow_name",
            "batch",
            "status",
            "post_version",
            "content_hash",
            "current_stage",
            "stages",
            "decisions",
            "submitted_by",
            "created_at",
            "completed_at",
        ]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_submitted_by(self, obj) -> str | None:
        return getattr(obj.submitted_by, "email", None)


class QueueItemSerializer(serializers.ModelSerializer):
    workspace_name = serializers.CharField(source="workspace.name", read_only=True)
    post_title = serializers.CharField(source="post.title", read_only=True)
    workflow_name = serializers.CharField(source="workflow.name", read_only=True)
    stage_name = serializers.CharField(source="current_stage.stage_name", read_only=True)
    due_at = serializers.DateTimeField(source="current_stage.due_at", read_only=True)
    preview = serializers.SerializerMethodField()
    platforms = serializers.SerializerMethodField()
    low_risk = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "workspace",
            "workspace_name",
            "post",
            "post_title",
            "post_version",
            "workflow_name",
            "current_stage",
            "stage_name",
            "due_at",
            "preview",
            "platforms",
            "low_risk",
            "created_at",
        ]

    def get_preview(self, obj) -> str:
        targets = list(obj.post.targets.all())
        return targets[0].text[:280] if targets else ""

    def get_platforms(self, obj) -> list[str]:
        return sorted({t.account.platform for t in obj.post.targets.all()})

    def get_low_risk(self, obj) -> bool:
        findings = (obj.post.compliance or {}).get("findings") or []
        return not any(f.get("severity") in ("blocking", "warning") for f in findings)


class DecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ApprovalDecision.Kind.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    stage = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The stage state id the reviewer saw; a different current stage is a 409.",
    )


class BulkApproveInputSerializer(serializers.Serializer):
    requests = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class BulkResultSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    ok = serializers.BooleanField()
    code = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)


class BatchInputSerializer(serializers.Serializer):
    posts = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class BatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requests = RequestSerializer(many=True)


class OverrideInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class OverrideSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post = serializers.IntegerField(source="post_id")
    content_hash = serializers.CharField()
    actor_label = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class GateSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    reason = serializers.CharField()
    approved_hash = serializers.CharField(allow_blank=True)


class CommentSerializer(serializers.ModelSerializer):
    """A comment; `parent` is the thread's first comment for a reply (null for a thread). Resolving
    belongs to the thread: `resolved`, `resolved_at` and `resolved_by` (an email) are on its first
    comment."""

    mentions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    resolved = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = PostComment
        fields = [
            "id",
            "post",
            "parent",
            "target",
            "request",
            "post_version",
            "body",
            "anchor_start",
            "anchor_end",
            "anchor_text",
            "author_label",
            "external",
            "mentions",
            "resolved",
            "resolved_at",
            "resolved_by",
            "created_at",
        ]

    def get_resolved(self, obj) -> bool:
        return obj.resolved_at is not None

    def get_resolved_by(self, obj) -> str | None:
        return obj.resolved_by.email if obj.resolved_by_id else None


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField()
    target = serializers.IntegerField(required=False, allow_null=True, default=None)
    anchor_start = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    anchor_end = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    request = serializers.IntegerField(required=False, allow_null=True, default=None)
    mentions = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    parent = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Reply to this thread (a top-level comment)."
    )


class CommentResolveSerializer(serializers.Serializer):
    resolved = serializers.BooleanField()


class TimelineItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(allow_null=True)
    text = serializers.CharField(allow_blank=True)
    id = serializers.IntegerField()
    parent = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="For a reply, resolve or reopen: the thread's first comment.",
    )


class DiffOpSerializer(serializers.Serializer):
    op = serializers.CharField()
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)


class DiffTargetSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    handle = serializers.CharField(allow_blank=True)
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)
    changed = serializers.BooleanField()
    ops = DiffOpSerializer(many=True)


class DiffSerializer(serializers.Serializer):
    base_version = serializers.IntegerField(allow_null=True)
    current_version = serializers.IntegerField()
    targets = DiffTargetSerializer(many=True)


class ReviewLinkSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = ReviewLink
        fields = [
            "id",
            "request",
            "batch",
            "email",
            "expires_at",
            "revoked_at",
            "verified_at",
            "status",
            "created_at",
        ]

    def get_status(self, obj) -> str:
        """pending, opened, decided, expired or revoked (approvals.links.link_status)."""
        from ..links import link_status

        if getattr(obj, "status", None):
            return obj.status
        decided = set()
        if obj.request_id:
            emails = ApprovalDecision.objects.filter(request_id=obj.request_id, external=True)
            decided = {e.lower() for e in emails.values_list("reviewer_email", flat=True)}
        return link_status(obj, decided_emails=decided)


class ReviewLinkCreatedSerializer(ReviewLinkSerializer):
    url = serializers.CharField(help_text="Shown once: send it to the reviewer.")
    warning = serializers.CharField(
        allow_blank=True,
        help_text="Not blank when the email is not an approver the request's current stage expects "
        "(it names who is expected).",
    )

    class Meta(ReviewLinkSerializer.Meta):
        fields = [*ReviewLinkSerializer.Meta.fields, "url", "warning"]


class ReviewLinkInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    request = serializers.IntegerField(required=False, allow_null=True, default=None)
    batch = serializers.IntegerField(required=False, allow_null=True, default=None)
    ttl_hours = serializers.IntegerField(min_value=1, default=72)


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "workspace",
            "kind",
            "post",
            "request",
            "message",
            "link",
            "read",
            "read_at",
            "created_at",
        ]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Omit to mark every notification read.",
    )


class PreferenceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PREFERENCE_KINDS)
    label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = NotificationPreference
        fields = ["kind", "label", "in_app", "email"]


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)


# --- external review (no account) -------------------------------------------------------------------


class ExternalTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    handle = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    first_comment = serializers.CharField(allow_blank=True)
    media = serializers.ListField(child=serializers.CharField())


class ExternalRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    post_title = serializers.CharField(allow_blank=True)
    post_version = serializers.IntegerField()
    stage_name = serializers.CharField(allow_blank=True)
    can_decide = serializers.BooleanField()
    targets = ExternalTargetSerializer(many=True)


class ExternalReviewSerializer(serializers.Serializer):
    email = serializers.EmailField()
    workspace_name = serializers.CharField()
    expires_at = serializers.DateTimeField()
    verified = serializers.BooleanField()
    requests = ExternalRequestSerializer(many=True)


class CodeInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class ReviewSessionSerializer(serializers.Serializer):
    session = serializers.CharField(help_text="Send it back as the X-Review-Session header.")


class ExternalDecideInputSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    decision = serializers.ChoiceField(choices=ApprovalDecision.Kind.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ExternalCommentInputSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    body = serializers.CharField()
    target = serializers.IntegerField(required=False, allow_null=True, default=None)
    anchor_start = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    anchor_end = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)
    parent = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Reply to this thread (a top-level comment)."
    )
