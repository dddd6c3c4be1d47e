"""Decisions on a stage: approve, request changes, reject; moving on to the next stage."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed

from ..models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStageState,
    NotificationKind,
    RequestStatus,
    StageStatus,
)
from ..notifications import notify
from .approvers import _is_approver, _needed
from .posts import lock_post, move_targets
from .requests import _advance, _webhook

Decision = ApprovalDecision.Kind


def _decide(
    *,
    request: ApprovalRequest,
    decision: str,
    comment: str,
    user=None,
    email: str = "",
    stage_state_id: int | None = None,
    actor_label: str = "",
) -> ApprovalDecision:
    from content.models import TargetStatus

    from ..gate import current_hash

    if decision not in Decision.values:
        raise ValidationFailed(_("Unknown decision."), field="decision")
    comment = (comment or "").strip()
    if decision != Decision.APPROVE and not comment:
        raise ValidationFailed(_("Say what should change (a comment is required)."), field="comment")
    lock_post(request.post_id)  # the one lock order: the post first (publishing/README.md)
    request = (
        ApprovalRequest.objects.select_for_update()
        .select_related("post__workspace", "workflow")
        .get(pk=request.pk)
    )
    post = request.post
    if request.status != RequestStatus.IN_PROGRESS or request.current_stage_id is None:
        raise Conflict(_("This request is no longer in progress."), code="not_in_progress")
    state = ApprovalStageState.objects.select_related("stage").get(pk=request.current_stage_id)
    if stage_state_id is not None and int(stage_state_id) != state.pk:
        raise Conflict(_("This stage is not the current one."), code="not_current_stage", field="stage")
    email = (email or getattr(user, "email", "")).lower()
    if state.stage is None or not _is_approver(
        state.stage, user=user, email=email, workspace_id=request.workspace_id
    ):
        other_stages = [
            s.stage
            for s in request.stage_states.exclude(pk=state.pk).select_related("stage")
            if s.stage is not None
        ]
        if any(
            _is_approver(s, user=user, email=email, workspace_id=request.workspace_id) for s in other_stages
        ):
            raise Conflict(_("This stage is not the current one."), code="not_current_stage", field="stage")
        raise PermissionRefused(_("You are not an approver of this stage."), code="not_an_approver")
    if (
        user is not None
        and decision == Decision.APPROVE
        and post.author_id == user.pk
        and not request.workflow.allow_self_approval
    ):
        raise PermissionRefused(
            _("Authors cannot approve their own posts in this workflow."), code="own_post"
        )
    if ApprovalDecision.objects.filter(stage_state=state, reviewer_email=email).exists():
        raise Conflict(_("You have already decided on this stage."), code="already_decided")
    if current_hash(post) != request.content_hash:  # belt and braces: edits cancel requests
        raise Conflict(_("This post changed after it was submitted."), code="content_changed")
    try:
        with transaction.atomic():
            made = ApprovalDecision.objects.create(
                request=request,
                stage_state=state,
                decision=decision,
                comment=comment,
                reviewer=user,
                reviewer_email=email,
                external=user is None,
                content_hash=request.content_hash,
            )
    except IntegrityError:
        raise Conflict(_("You have already decided on this stage."), code="already_decided") from None
    now = timezone.now()
    audit_record(
        actor=user,
        actor_label=actor_label or email,
        action=f"approval.{decision}",
        target=post,
        workspace=post.workspace,
        after={
            "request": request.pk,
            "stage": state.stage_name,
            "comment": comment,
            "external": user is None,
            "content_hash": request.content_hash,
        },
    )
    author_side = [request.submitted_by, post.author]
    if decision == Decision.APPROVE:
        approvals = state.decisions.filter(decision=Decision.APPROVE).count()
        needed = _needed(
            state.stage,
            workspace_id=request.workspace_id,
            author_id=post.author_id,
            allow_self=request.workflow.allow_self_approval,
        )
        if approvals >= needed:
            state.status = StageStatus.APPROVED
            state.finished_at = now
            state.save(update_fields=["status", "finished_at", "updated_at"])
            _advance(request, actor=user, now=now)
        return made
    final = {
        Decision.REJECT: (RequestStatus.REJECTED, StageStatus.REJECTED, NotificationKind.REJECTED),
        Decision.REQUEST_CHANGES: (
            RequestStatus.CHANGES_REQUESTED,
            StageStatus.CHANGES_REQUESTED,
            NotificationKind.CHANGES_REQUESTED,
        ),
    }[decision]
    state.status, state.finished_at = final[1], now
    state.save(update_fields=["status", "finished_at", "updated_at"])
    request.stage_states.filter(status=StageStatus.WAITING).update(
        status=StageStatus.CANCELLED, finished_at=now
    )
    request.status, request.completed_at, request.current_stage = final[0], now, None
    request.save(update_fields=["status", "completed_at", "current_stage", "updated_at"])
    move_targets(post, from_statuses={TargetStatus.IN_REVIEW}, to=TargetStatus.DRAFT)
    notify(author_side, kind=final[2], post=post, request=request, extra=comment[:300])
    _webhook(
        post.workspace,
        "approval.rejected" if decision == Decision.REJECT else "approval.changes_requested",
        request,
        comment=comment,
    )
    return made


@transaction.atomic
def approval_decide(
    *, actor, request: ApprovalRequest, decision: str, comment: str = "", stage: int | None = None
) -> ApprovalDecision:
    """A person decides on the current stage of a request of a workspace they can open (else 404), with
    approval.decide (else 403). See README for the refusals."""
    access = workspace_access_for(user=actor, workspace_id=request.workspace_id)
    if access is None:
        raise NotFound(_("No such approval request."))
    if not access.can(Capability.APPROVAL_DECIDE):
        raise PermissionRefused(_("Your role does not allow deciding on approvals."))
    return _decide(request=request, decision=decision, comment=comment, user=actor, stage_state_id=stage)


def approval_bulk_approve(*, actor, request_ids, comment: str = "") -> list[dict]:
    """Approve several requests waiting for the actor; each in its own transaction. Only low-risk posts
    (no compliance warning or blocking finding) are approved in bulk; the others are reported back."""
    results = []
    requests = {
        r.pk: r
        for r in ApprovalRequest.objects.select_related("post").filter(pk__in=[int(i) for i in request_ids])
    }
    for request_id in dict.fromkeys(int(i) for i in request_ids):
        request = requests.get(request_id)
        try:
            if request is None or workspace_access_for(user=actor, workspace_id=request.workspace_id) is None:
                raise NotFound(_("No such approval request."))
            findings = (request.post.compliance or {}).get("findings") or []
            if any(f.get("severity") in ("blocking", "warning") for f in findings):
                raise Conflict(
                    _("This post has compliance findings; review it on its own."), code="not_low_risk"
                )
            with transaction.atomic():
                approval_decide(actor=actor, request=request, decision=Decision.APPROVE, comment=comment)
            results.append({"request": request_id, "ok": True, "code": "", "message": ""})
        except DomainError as error:
            results.append({"request": request_id, "ok": False, "code": error.code, "message": error.message})
    return results
