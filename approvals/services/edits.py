"""What an edit does to approval: resetting an approval the gate no longer honours, re-routing to the
stages that now apply, and admins' recorded overrides."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import PermissionRefused

from ..models import (
    ApprovalOverride,
    ApprovalRequest,
    ApprovalStage,
    ApprovalStageState,
    NotificationKind,
    RequestStatus,
    StageStatus,
)
from ..notifications import notify
from .posts import _label, move_targets
from .requests import _advance


@transaction.atomic
def approval_override_create(*, actor, post, reason: str = "") -> ApprovalOverride:
    """ "Publish without approval" for exactly the post's current content: needs the
    post.publish_without_approval capability; every use is in the audit log."""
    from ..gate import current_hash

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
def approval_sync_after_edit(*, actor, post, content_changed: bool = True) -> None:
    """After an edit (or a library asset's alt text change). When what gets published changed and the
    gate no longer lets it through: cancel the request in progress (it pinned other content) and send
    variants back to draft. Then, whatever changed, re-open the approval for any stage that applies now
    and has not approved it (approval_reroute)."""
    from content.models import TargetStatus

    from ..gate import REASON_ROUTING, publish_gate

    if content_changed:
        result = publish_gate(post)
        if not result.ok and result.reason != REASON_ROUTING:
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
                    after={
                        "cancelled_requests": cancelled,
                        "targets_to_draft": moved,
                        "reason": result.reason,
                    },
                )
            return
    approval_reroute(actor=actor, post=post)


@transaction.atomic
def approval_reroute(*, actor, post) -> ApprovalRequest | None:
    """Re-open the post's approval for the stages that apply now and are not on the route its request
    took (a campaign that calls for HQ, a tag, another account, the paid flag's findings, a changed
    workflow or policy). An approved request goes back in progress with only those stages waiting (the
    stages that approved keep their decisions) and its variants go back to review; a request in progress
    gets the new stages added. Returns the request re-opened or extended, else None."""
    from content.models import Post, TargetStatus
    from content.payload import canonical_hash, publishable

    from ..gate import _fresh
    from ..routing import missing_stages, recorded_routing, routing_for_post, why_rerouted

    locked = Post.objects.select_for_update().filter(pk=post.pk, deleted_at__isnull=True).first()
    if locked is None:
        return None
    request = (
        ApprovalRequest.objects.select_for_update()
        .filter(post_id=post.pk)
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("-id")
        .first()
    )
    if request is None or request.status not in (RequestStatus.IN_PROGRESS, RequestStatus.APPROVED):
        return None
    fresh = _fresh(locked)
    done = {TargetStatus.PUBLISHED, TargetStatus.CANCELLED}
    if all(t.status in done for t in fresh.targets.all()):
        return None  # nothing of it is left to publish: nothing to re-open
    if request.status == RequestStatus.APPROVED and request.content_hash != canonical_hash(
        publishable(fresh)
    ):
        return None  # approved for other content: the edit reset handles it, a new submission re-routes
    routing = routing_for_post(fresh)
    missing = missing_stages(request, routing)
    if not missing:
        return None
    recorded = recorded_routing(request)
    why = why_rerouted(recorded, routing)
    now = timezone.now()
    stages = {s.pk: s for s in ApprovalStage.objects.filter(pk__in=missing)}
    existing = {st.stage_id: st for st in request.stage_states.filter(stage_id__in=missing)}
    for stage_id in missing:
        state = existing.get(stage_id)
        if state is None:
            ApprovalStageState.objects.create(
                request=request,
                stage=stages[stage_id],
                stage_name=stages[stage_id].name,
                position=stages[stage_id].position,
                status=StageStatus.WAITING,
            )
        elif state.status not in (StageStatus.WAITING, StageStatus.IN_PROGRESS):
            state.status = StageStatus.WAITING
            state.started_at = state.finished_at = state.due_at = None
            state.save(update_fields=["status", "started_at", "finished_at", "due_at", "updated_at"])
    names = [stages[i].name for i in missing]
    kept = [] if recorded.get("workflow") != routing.workflow_id else list(recorded.get("stages") or [])
    request.routing = {
        **routing.as_json(),
        "stages": sorted(set(kept) | set(missing)),
        "reopened": [
            *(recorded.get("reopened") or []),
            {"at": now.isoformat(), "why": why, "stages": names, "by": _label(actor)},
        ],
    }
    request.workflow = routing.workflow
    reopened = request.status == RequestStatus.APPROVED
    if reopened:
        request.status = RequestStatus.IN_PROGRESS
        request.completed_at = None
        request.current_stage = None
    request.save()
    if reopened:
        move_targets(
            locked,
            from_statuses={TargetStatus.APPROVED, TargetStatus.SCHEDULED},
            to=TargetStatus.IN_REVIEW,
        )
        notify(
            [request.submitted_by, locked.author],
            kind=NotificationKind.REOPENED,
            post=locked,
            request=request,
            extra=", ".join(names),
        )
    audit_record(
        actor=actor,
        action="approval.reopen" if reopened else "approval.reroute",
        target=locked,
        workspace=locked.workspace,
        after={"request": request.pk, "stages": names, "why": why},
    )
    if request.current_stage_id is None:
        request.post = locked
        _advance(request, actor=actor, now=now)
    return request


def approval_reroute_workspace(*, actor, workspace) -> list[int]:
    """approval_reroute for every post of the workspace whose approval is in progress or approved and not
    yet out (after a policy or workflow change). Returns the ids of the posts re-opened or extended."""
    from content.models import TargetStatus

    post_ids = (
        ApprovalRequest.objects.filter(
            workspace=workspace,
            status__in=[RequestStatus.IN_PROGRESS, RequestStatus.APPROVED],
            post__deleted_at__isnull=True,
            post__targets__status__in=[TargetStatus.IN_REVIEW, TargetStatus.APPROVED, TargetStatus.SCHEDULED],
        )
        .values_list("post_id", flat=True)
        .distinct()
        .order_by("post_id")
    )
    from content.models import Post

    changed = []
    for post in Post.objects.filter(pk__in=list(post_ids)).order_by("pk"):
        if approval_reroute(actor=actor, post=post) is not None:
            changed.append(post.pk)
    return changed
