"""Approval requests: submit (pinning the payload and the route), cancel."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed

from ..conditions import PostFacts, condition_matches, workflow_for_post
from ..models import (
    ApprovalBatch,
    ApprovalRequest,
    ApprovalStageState,
    ApprovalWorkflow,
    NotificationKind,
    RequestStatus,
    StageStatus,
)
from ..notifications import notify
from ..signals import approval_event
from .approvers import stage_approver_users
from .posts import lock_post, move_targets


def _webhook(workspace, event: str, request: ApprovalRequest, **extra) -> None:
    # publishing turns this into outgoing webhooks (approvals/signals.py); without it, nothing listens.
    approval_event.send(
        sender=ApprovalRequest,
        workspace=workspace,
        event=event,
        payload={
            "request": request.pk,
            "post": request.post_id,
            "version": request.post_version,
            "content_hash": request.content_hash,
            "status": request.status,
            **extra,
        },
    )


def _start_stage(request: ApprovalRequest, state: ApprovalStageState, *, now) -> None:
    stage = state.stage
    state.status = StageStatus.IN_PROGRESS
    state.started_at = now
    state.due_at = now + timedelta(hours=stage.sla_hours) if stage and stage.sla_hours else None
    state.save(update_fields=["status", "started_at", "due_at", "updated_at"])
    request.current_stage = state
    request.save(update_fields=["current_stage", "updated_at"])
    if stage is not None:
        approvers = stage_approver_users(stage, workspace_id=request.workspace_id)
        if not request.workflow.allow_self_approval:
            approvers = [u for u in approvers if u.pk != request.post.author_id]
        notify(approvers, kind=NotificationKind.REVIEW_NEEDED, post=request.post, request=request)


def _advance(request: ApprovalRequest, *, actor, now) -> None:
    """Start the next waiting stage, or complete the request when none is left."""
    from content.models import TargetStatus

    nxt = request.stage_states.filter(status=StageStatus.WAITING).select_related("stage").order_by("position")
    state = nxt.first()
    if state is not None:
        _start_stage(request, state, now=now)
        return
    request.status = RequestStatus.APPROVED
    request.completed_at = now
    request.current_stage = None
    request.save(update_fields=["status", "completed_at", "current_stage", "updated_at"])
    move_targets(request.post, from_statuses={TargetStatus.IN_REVIEW}, to=TargetStatus.APPROVED)
    audit_record(
        actor=actor,
        action="approval.complete",
        target=request.post,
        workspace=request.post.workspace,
        after={"request": request.pk, "content_hash": request.content_hash, "version": request.post_version},
    )
    notify(
        [request.submitted_by, request.post.author],
        kind=NotificationKind.APPROVED,
        post=request.post,
        request=request,
    )
    _webhook(request.post.workspace, "approval.approved", request)
    if request.workflow.schedule_when_approved:
        _schedule_after_approval(request)


def _schedule_after_approval(request: ApprovalRequest) -> None:
    """The post was planned for a future time: schedule it now, as the person who submitted it. A
    refusal (compliance warnings, a past time) leaves it approved, for a person to schedule."""
    from content.models import Post
    from content.services import post_schedule

    post = Post.objects.get(pk=request.post_id)
    if post.scheduled_at is None or post.scheduled_at <= timezone.now():
        return
    try:
        with transaction.atomic():
            post_schedule(actor=request.submitted_by, post=post)
    except DomainError as error:
        audit_record(
            actor=None,
            action="approval.auto_schedule_refused",
            target=post,
            workspace=request.post.workspace,
            after={"request": request.pk, "reason": error.message},
        )
        return
    audit_record(
        actor=None,
        action="approval.auto_schedule",
        target=post,
        workspace=request.post.workspace,
        after={"request": request.pk, "scheduled_at": post.scheduled_at.isoformat()},
    )


def _resubmission(post, workflow: ApprovalWorkflow) -> tuple[int, int | None]:
    """After "changes requested" in this workflow: (the position to start at, the stage that asked).
    The stage that asked always reviews the fix, even when its condition no longer matches (the fix
    may be exactly what removed the keyword); `restart_on_resubmit` says whether earlier stages run
    again (first_stage) or are carried over (same_stage)."""
    last = (
        ApprovalRequest.objects.filter(post=post, workflow=workflow)
        .exclude(status=RequestStatus.IN_PROGRESS)
        .order_by("-id")
        .first()
    )
    if last is None or last.status != RequestStatus.CHANGES_REQUESTED:
        return 0, None
    asked = last.stage_states.filter(status=StageStatus.CHANGES_REQUESTED).first()
    if asked is None:
        return 0, None
    same = workflow.restart_on_resubmit == ApprovalWorkflow.Restart.SAME_STAGE
    return (asked.position if same else 0), asked.stage_id


def _submit_one(*, actor, post, batch=None) -> ApprovalRequest:
    from content.models import Post, TargetStatus
    from content.payload import canonical_hash, publishable
    from content.selectors import with_relations

    from ..gate import publish_gate
    from ..routing import facts_json

    locked = Post.objects.select_for_update().filter(pk=post.pk, deleted_at__isnull=True).first()
    if locked is None:
        raise NotFound(_("This post was deleted."))
    full = with_relations(Post.objects.filter(pk=locked.pk)).get()
    workflow = workflow_for_post(full)
    if workflow is None:
        raise ValidationFailed(
            _("This post needs no approval; it can be scheduled directly."), code="approval_not_required"
        )
    if ApprovalRequest.objects.filter(post=locked, status=RequestStatus.IN_PROGRESS).exists():
        raise Conflict(_("This post is already in review."), code="already_in_review")
    gate = publish_gate(full)
    if gate.ok and gate.reason == "approved":
        raise Conflict(_("This version of the post is already approved."), code="already_approved")
    not_draft = [t for t in full.targets.all() if t.status != TargetStatus.DRAFT]
    if not_draft:
        from content.models import TargetStatus as TS

        raise Conflict(
            _("%(handle)s is %(status)s; only drafts can be submitted for approval.")
            % {"handle": not_draft[0].account.handle, "status": TS(not_draft[0].status).label.lower()},
            code="not_draft",
        )
    facts = PostFacts.of(full)
    start_at, asked_stage_id = _resubmission(locked, workflow)
    now = timezone.now()
    payload = publishable(full)
    request = ApprovalRequest(
        workspace_id=locked.workspace_id,
        post=locked,
        workflow=workflow,
        batch=batch,
        post_version=locked.version,
        content_hash=canonical_hash(payload),
        payload=payload,
        submitted_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # a concurrent submit won the partial unique constraint
        raise Conflict(_("This post is already in review."), code="already_in_review") from None
    states = []
    for stage in workflow.stages.all().prefetch_related("approver_users"):
        if stage.position < start_at:
            status = StageStatus.CARRIED_OVER
        elif stage.pk == asked_stage_id or condition_matches(stage.condition, facts):
            status = StageStatus.WAITING
        else:
            status = StageStatus.SKIPPED
        states.append(
            ApprovalStageState(
                request=request,
                stage=stage,
                stage_name=stage.name,
                position=stage.position,
                status=status,
                finished_at=now if status != StageStatus.WAITING else None,
            )
        )
    ApprovalStageState.objects.bulk_create(states)
    request.routing = {
        "workflow": workflow.pk,
        "workflow_version": workflow.version,
        "stages": sorted(s.stage_id for s in states if s.status != StageStatus.SKIPPED),
        "facts": facts_json(facts),
    }
    request.save(update_fields=["routing", "updated_at"])
    move_targets(locked, from_statuses={TargetStatus.DRAFT}, to=TargetStatus.IN_REVIEW)
    request.post = locked
    audit_record(
        actor=actor,
        action="approval.submit",
        target=locked,
        workspace=locked.workspace,
        after={
            "request": request.pk,
            "workflow": workflow.pk,
            "version": request.post_version,
            "content_hash": request.content_hash,
            "skipped": [s.stage_name for s in states if s.status == StageStatus.SKIPPED],
            "batch": batch.pk if batch else None,
        },
    )
    _webhook(locked.workspace, "approval.requested", request)
    _advance(request, actor=actor, now=now)
    return request


def _can_submit(actor, workspace_id) -> None:
    access = workspace_access_for(user=actor, workspace_id=workspace_id)
    if access is None:
        raise NotFound(_("No such post."))
    if not access.can(Capability.POST_EDIT):
        raise PermissionRefused(_("Your role does not allow submitting posts for approval."))


@transaction.atomic
def approval_request_submit(*, actor, post) -> ApprovalRequest:
    """Start a request for the post's current version and content hash (see the module docstring)."""
    _can_submit(actor, post.workspace_id)
    return _submit_one(actor=actor, post=post)


@transaction.atomic
def approval_batch_submit(*, actor, workspace, posts, note: str = "") -> ApprovalBatch:
    """Submit several posts of one workspace together (all or none)."""
    from content.models import Post

    _can_submit(actor, workspace.pk)
    ids = [int(getattr(p, "pk", p)) for p in posts]
    if not ids:
        raise ValidationFailed(_("Choose at least one post."), field="posts")
    found = {p.pk: p for p in Post.objects.filter(workspace=workspace, pk__in=ids, deleted_at__isnull=True)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed(
            _("No post with id %(ids)s in this workspace.") % {"ids": ", ".join(map(str, missing))},
            code="not_in_workspace",
            field="posts",
        )
    batch = ApprovalBatch.objects.create(
        workspace=workspace, submitted_by=actor if getattr(actor, "pk", None) else None, note=note[:300]
    )
    for post_id in dict.fromkeys(ids):
        try:
            _submit_one(actor=actor, post=found[post_id], batch=batch)
        except ValidationFailed as error:
            raise ValidationFailed(
                f"{found[post_id]}: {error.message}", code=error.code, field="posts"
            ) from None
        except Conflict as error:
            raise Conflict(f"{found[post_id]}: {error.message}", code=error.code, field="posts") from None
    audit_record(
        actor=actor, action="approval.batch_submit", target=batch, workspace=workspace, after={"posts": ids}
    )
    return batch


@transaction.atomic
def approval_request_cancel(*, actor, request: ApprovalRequest) -> ApprovalRequest:
    """Withdraw a request in progress (the author or someone who can edit); variants go back to draft."""
    from content.models import TargetStatus

    _can_submit(actor, request.workspace_id)
    lock_post(request.post_id)
    request = ApprovalRequest.objects.select_for_update().select_related("post").get(pk=request.pk)
    if request.status != RequestStatus.IN_PROGRESS:
        raise Conflict(_("This request is no longer in progress."), code="not_in_progress")
    now = timezone.now()
    request.status = RequestStatus.CANCELLED
    request.completed_at = now
    request.current_stage = None
    request.save(update_fields=["status", "completed_at", "current_stage", "updated_at"])
    request.stage_states.filter(status__in=[StageStatus.IN_PROGRESS, StageStatus.WAITING]).update(
        status=StageStatus.CANCELLED, finished_at=now
    )
    move_targets(request.post, from_statuses={TargetStatus.IN_REVIEW}, to=TargetStatus.DRAFT)
    audit_record(
        actor=actor,
        action="approval.cancel",
        target=request.post,
        workspace=request.post.workspace,
        after={"request": request.pk},
    )
    return request
