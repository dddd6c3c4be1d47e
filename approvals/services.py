"""Writes for approvals. Every function is keyword-only, takes `actor=`, is atomic and writes the audit
log; notifications and webhooks are queued inside the same transaction (sent only if it commits).

Variant statuses move only through content.models.check_transition (the one transition table):
submit: draft -> in_review; approved: in_review -> approved; changes requested / rejected:
in_review -> draft; an edit that the gate no longer lets through: approved/scheduled -> draft.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import PermissionRefused

from .models import ApprovalOverride, ApprovalRequest, RequestStatus, StageStatus


def _label(actor) -> str:
    return getattr(actor, "email", "") or "system"


def move_targets(post, *, from_statuses, to: str) -> list[int]:
    """Move the post's variants in `from_statuses` to `to` (checked against the transition table) and
    keep the post's summed-up status in step. Returns the moved target ids."""
    from content.models import Post, PostTarget, aggregate_status, check_transition

    targets = list(PostTarget.objects.select_for_update().filter(post_id=post.pk).order_by("id"))
    moved = []
    for target in targets:
        if target.status in from_statuses and target.status != to:
            check_transition(target.status, to)
            target.status = to
            moved.append(target.pk)
    if moved:
        PostTarget.objects.filter(pk__in=moved).update(status=to, updated_at=timezone.now())
        status = aggregate_status(t.status for t in targets)
        Post.objects.filter(pk=post.pk).update(status=status)
        post.status = status
    return moved


@transaction.atomic
def approval_override_create(*, actor, post, reason: str = "") -> ApprovalOverride:
    """ "Publish without approval" for exactly the post's current content: needs the
    post.publish_without_approval capability; every use is in the audit log."""
    from .gate import current_hash

    access = workspace_access_for(user=actor, workspace_id=post.workspace_id) if actor else None
    if access is None or not access.can(Capability.POST_PUBLISH_WITHOUT_APPROVAL):
        raise PermissionRefused(_("Your role does not allow publishing without approval."))
    content_hash = current_hash(post)
    override = ApprovalOverride.objects.create(
        workspace_id=post.workspace_id,
        post_id=post.pk,
        content_hash=content_hash,
        actor=actor,
        actor_label=_label(actor),
        reason=(reason or "")[:500],
    )
    audit_record(
        actor=actor,
        action="approval.override",
        target=post,
        workspace=access.workspace,
        after={"content_hash": content_hash, "reason": override.reason, "version": post.version},
    )
    return override


@transaction.atomic
def approval_reset_after_edit(*, actor, post) -> None:
    """An edit changed what gets published: cancel the request in progress (it pinned other content) and
    send variants the gate no longer lets through back to draft."""
    from content.models import TargetStatus

    from .gate import publish_gate

    result = publish_gate(post)
    if result.ok:
        return
    now = timezone.now()
    cancelled = []
    for request in ApprovalRequest.objects.select_for_update().filter(
        post_id=post.pk, status=RequestStatus.IN_PROGRESS
    ):
        request.status = RequestStatus.CANCELLED
        request.completed_at = now
        request.save(update_fields=["status", "completed_at", "updated_at"])
        request.stage_states.filter(status__in=[StageStatus.IN_PROGRESS, StageStatus.WAITING]).update(
            status=StageStatus.CANCELLED, finished_at=now
        )
        cancelled.append(request.pk)
    moved = move_targets(
        post,
        from_statuses={TargetStatus.APPROVED, TargetStatus.IN_REVIEW, TargetStatus.SCHEDULED},
        to=TargetStatus.DRAFT,
    )
    if cancelled or moved or result.reason == "approval_outdated":
        audit_record(
            actor=actor,
            action="approval.reset",
            target=post,
            workspace=post.workspace,
            after={"cancelled_requests": cancelled, "targets_to_draft": moved, "reason": result.reason},
        )
