"""Writes for approvals. Every function is keyword-only, takes `actor=`, is atomic and writes the audit
log; notifications and webhooks are queued inside the same transaction (sent only if it commits).

Variant statuses move only through content.models.check_transition (the one transition table):
submit: draft -> in_review; approved: in_review -> approved; changes requested / rejected:
in_review -> draft; an edit that the gate no longer lets through: approved/scheduled -> draft.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import Conflict, DomainError, NotFound, PermissionRefused, ValidationFailed

from .conditions import PostFacts, condition_matches, validate_condition, workflow_for_post
from .models import (
    PREFERENCE_VALUES,
    ROLE_VALUES,
    ApprovalBatch,
    ApprovalDecision,
    ApprovalOverride,
    ApprovalPolicyRule,
    ApprovalRequest,
    ApprovalStage,
    ApprovalStageState,
    ApprovalWorkflow,
    NotificationKind,
    NotificationPreference,
    PostComment,
    RequestStatus,
    StageStatus,
)
from .notifications import notify
from .signals import approval_event


def _label(actor) -> str:
    return getattr(actor, "email", "") or "system"


def lock_post(post_id: int) -> None:
    """Lock the post's row: every transaction that changes a post's targets, jobs or requests takes it
    first, so edits, decisions and the publishing pipeline queue behind one another instead of
    deadlocking (publishing/README.md, "Lock order")."""
    from content.models import Post

    list(Post.objects.select_for_update().filter(pk=post_id).values_list("pk", flat=True))


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
def approval_sync_after_edit(*, actor, post, content_changed: bool = True) -> None:
    """After an edit (or a library asset's alt text change). When what gets published changed and the
    gate no longer lets it through: cancel the request in progress (it pinned other content) and send
    variants back to draft. Then, whatever changed, re-open the approval for any stage that applies now
    and has not approved it (approval_reroute)."""
    from content.models import TargetStatus

    from .gate import REASON_ROUTING, publish_gate

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

    from .gate import _fresh
    from .routing import missing_stages, recorded_routing, routing_for_post, why_rerouted

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


# --- workflows and policy ---------------------------------------------------------------------------

UNSET: Any = object()


def _users_in_workspace(workspace, ids, *, field: str) -> list:
    """Users who can open the workspace, by id (anyone else is a field error)."""
    from accounts.models import User

    wanted = []
    for value in ids or []:
        try:
            wanted.append(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("%(value)s is not a valid id.") % {"value": value}, field=field
            ) from None
    users = {u.pk: u for u in User.objects.filter(pk__in=set(wanted))}
    out = []
    for user_id in dict.fromkeys(wanted):
        user = users.get(user_id)
        if user is None or workspace_access_for(user=user, workspace_id=workspace.pk) is None:
            raise ValidationFailed(
                _("No person with id %(id)s in this workspace.") % {"id": user_id},
                code="not_in_workspace",
                field=field,
            )
        out.append(user)
    return out


def _clean_stage(workspace, index: int, data: dict) -> dict:
    field = f"stages.{index}"
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_("Give the stage a name."), field=f"{field}.name")
    roles = list(dict.fromkeys(data.get("approver_roles") or []))
    bad = [r for r in roles if r not in ROLE_VALUES]
    if bad:
        raise ValidationFailed(
            _("Unknown role: %(role)s.") % {"role": bad[0]}, field=f"{field}.approver_roles"
        )
    emails = []
    for email in data.get("approver_emails") or []:
        email = str(email).strip().lower()
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed(
                _("%(email)s is not an email address.") % {"email": email}, field=f"{field}.approver_emails"
            ) from None
        emails.append(email)
    users = _users_in_workspace(workspace, data.get("approver_users") or [], field=f"{field}.approver_users")
    if not (users or roles or emails):
        raise ValidationFailed(_("Name at least one approver (a person, a role or an email)."), field=field)
    rule = data.get("rule") or ApprovalStage.Rule.ANY
    if rule not in ApprovalStage.Rule.values:
        raise ValidationFailed(_("Unknown rule."), field=f"{field}.rule")
    quorum = int(data.get("quorum") or 1)
    if quorum < 1:
        raise ValidationFailed(_("At least one approval is needed."), field=f"{field}.quorum")
    if rule == ApprovalStage.Rule.QUORUM and not roles and quorum > len(users) + len(emails):
        raise ValidationFailed(
            _("This stage asks for %(n)s approvals but names only %(m)s approvers.")
            % {"n": quorum, "m": len(users) + len(emails)},
            field=f"{field}.quorum",
        )
    escalate = data.get("escalate_to")
    escalate_user = (
        _users_in_workspace(workspace, [escalate], field=f"{field}.escalate_to")[0]
        if escalate not in (None, "")
        else None
    )
    sla = data.get("sla_hours")
    if sla is not None and int(sla) < 1:
        raise ValidationFailed(_("The SLA is at least one hour."), field=f"{field}.sla_hours")
    try:
        condition = validate_condition(data.get("condition"))
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=f"{field}.condition") from None
    return {
        "name": name[:120],
        "users": users,
        "approver_roles": roles,
        "approver_emails": emails,
        "rule": rule,
        "quorum": quorum,
        "condition": condition,
        "sla_hours": int(sla) if sla is not None else None,
        "escalate_after_hours": int(data.get("escalate_after_hours") or 0),
        "escalate_to": escalate_user,
    }


def _write_stages(workflow: ApprovalWorkflow, cleaned: list[dict]) -> None:
    """The stages in order, updated in place by position (a stage keeps its id, so the requests routed
    through it still know it: approvals.routing); extra old stages are deleted."""
    existing = list(workflow.stages.order_by("position", "id"))
    for position, item in enumerate(cleaned):
        users = item.pop("users")
        if position < len(existing):
            stage = existing[position]
            for name, value in item.items():
                setattr(stage, name, value)
            stage.position = position
            stage.save()
        else:
            stage = ApprovalStage.objects.create(
                workspace_id=workflow.workspace_id, workflow=workflow, position=position, **item
            )
        stage.approver_users.set(users)
    ApprovalStage.objects.filter(pk__in=[s.pk for s in existing[len(cleaned) :]]).delete()


def _stage_summary(workflow: ApprovalWorkflow) -> list[dict]:
    return [
        {"name": s.name, "rule": s.rule, "quorum": s.quorum, "condition": s.condition}
        for s in workflow.stages.all()
    ]


@transaction.atomic
def workflow_create(
    *,
    actor,
    workspace,
    name: str,
    stages: list[dict],
    allow_self_approval: bool = False,
    restart_on_resubmit: str = ApprovalWorkflow.Restart.FIRST_STAGE,
    active: bool = True,
    schedule_when_approved: bool = True,
) -> ApprovalWorkflow:
    if not stages:
        raise ValidationFailed(_("A workflow has at least one stage."), field="stages")
    cleaned = [_clean_stage(workspace, i, s) for i, s in enumerate(stages)]
    if ApprovalWorkflow.objects.filter(workspace=workspace, name=name).exists():
        raise ValidationFailed(_("A workflow with this name exists."), code="duplicate", field="name")
    workflow = ApprovalWorkflow.objects.create(
        workspace=workspace,
        name=name,
        allow_self_approval=bool(allow_self_approval),
        restart_on_resubmit=restart_on_resubmit,
        active=bool(active),
        schedule_when_approved=bool(schedule_when_approved),
    )
    _write_stages(workflow, cleaned)
    audit_record(
        actor=actor,
        action="approval_workflow.create",
        target=workflow,
        workspace=workspace,
        after={"name": name, "stages": _stage_summary(workflow)},
    )
    return workflow


@transaction.atomic
def workflow_update(
    *,
    actor,
    workflow: ApprovalWorkflow,
    name: str = UNSET,
    stages: list[dict] = UNSET,
    allow_self_approval: bool = UNSET,
    restart_on_resubmit: str = UNSET,
    active: bool = UNSET,
    schedule_when_approved: bool = UNSET,
) -> ApprovalWorkflow:
    """Change a workflow. Its stages are replaced as a whole, and only while no request is in progress
    (running requests keep the stages they started with)."""
    workflow = ApprovalWorkflow.objects.select_for_update().get(pk=workflow.pk)
    before = {"name": workflow.name, "stages": _stage_summary(workflow)}
    if name is not UNSET:
        if (
            ApprovalWorkflow.objects.filter(workspace_id=workflow.workspace_id, name=name)
            .exclude(pk=workflow.pk)
            .exists()
        ):
            raise ValidationFailed(_("A workflow with this name exists."), code="duplicate", field="name")
        workflow.name = name
    if allow_self_approval is not UNSET:
        workflow.allow_self_approval = bool(allow_self_approval)
    if restart_on_resubmit is not UNSET:
        workflow.restart_on_resubmit = restart_on_resubmit
    if active is not UNSET:
        workflow.active = bool(active)
    if schedule_when_approved is not UNSET:
        workflow.schedule_when_approved = bool(schedule_when_approved)
    if stages is not UNSET:
        if not stages:
            raise ValidationFailed(_("A workflow has at least one stage."), field="stages")
        if workflow.requests.filter(status=RequestStatus.IN_PROGRESS).exists():
            raise Conflict(
                _("Requests are in progress in this workflow; change its stages when they are done."),
                code="workflow_busy",
                field="stages",
            )
        cleaned = [_clean_stage(workflow.workspace, i, s) for i, s in enumerate(stages)]
        _write_stages(workflow, cleaned)
        workflow.version += 1
    workflow.save()
    audit_record(
        actor=actor,
        action="approval_workflow.update",
        target=workflow,
        workspace=workflow.workspace,
        before=before,
        after={"name": workflow.name, "stages": _stage_summary(workflow)},
    )
    # Approved posts that now need a stage that has not approved them go back to review for it.
    approval_reroute_workspace(actor=actor, workspace=workflow.workspace)
    return workflow


@transaction.atomic
def workflow_delete(*, actor, workflow: ApprovalWorkflow) -> None:
    if workflow.requests.exists():
        raise Conflict(
            _("This workflow has requests; switch it off instead of deleting it."), code="workflow_used"
        )
    audit_record(
        actor=actor,
        action="approval_workflow.delete",
        target=workflow,
        workspace=workflow.workspace,
        before={"name": workflow.name},
    )
    workflow.delete()


@transaction.atomic
def policy_rules_set(*, actor, workspace, rules: list[dict]) -> list[ApprovalPolicyRule]:
    """Replace the workspace's policy with `rules`, in order (the first that matches a post decides).
    Each rule: {"scope": "all"|"accounts", "accounts": [ids], "workflow": id or null}."""
    from channels_app.models import SocialAccount

    workflows = {w.pk: w for w in ApprovalWorkflow.objects.filter(workspace=workspace)}
    cleaned = []
    for index, rule in enumerate(rules or []):
        field = f"rules.{index}"
        scope = rule.get("scope") or ApprovalPolicyRule.Scope.ALL
        if scope not in ApprovalPolicyRule.Scope.values:
            raise ValidationFailed(_("Unknown scope."), field=f"{field}.scope")
        workflow_id = rule.get("workflow")
        workflow = None
        if workflow_id not in (None, ""):
            workflow = workflows.get(int(workflow_id))
            if workflow is None:
                raise ValidationFailed(
                    _("No workflow with id %(id)s in this workspace.") % {"id": workflow_id},
                    code="not_in_workspace",
                    field=f"{field}.workflow",
                )
        account_ids = [int(a) for a in rule.get("accounts") or []]
        accounts = list(SocialAccount.objects.filter(workspace=workspace, pk__in=account_ids))
        if len(accounts) != len(set(account_ids)):
            raise ValidationFailed(
                _("Some accounts are not in this workspace."),
                code="not_in_workspace",
                field=f"{field}.accounts",
            )
        if scope == ApprovalPolicyRule.Scope.ACCOUNTS and not accounts:
            raise ValidationFailed(_("Choose at least one account."), field=f"{field}.accounts")
        cleaned.append((scope, accounts, workflow))
    before = list(ApprovalPolicyRule.objects.filter(workspace=workspace).values("scope", "workflow_id"))
    ApprovalPolicyRule.objects.filter(workspace=workspace).delete()
    created = []
    for position, (scope, accounts, workflow) in enumerate(cleaned):
        rule = ApprovalPolicyRule.objects.create(
            workspace=workspace, position=position, scope=scope, workflow=workflow
        )
        rule.accounts.set(accounts)
        created.append(rule)
    audit_record(
        actor=actor,
        action="approval_policy.set",
        workspace=workspace,
        before={"rules": before},
        after={
            "rules": [
                {"scope": s, "accounts": [a.pk for a in accs], "workflow": w.pk if w else None}
                for s, accs, w in cleaned
            ]
        },
    )
    approval_reroute_workspace(actor=actor, workspace=workspace)
    return created


# --- approvers --------------------------------------------------------------------------------------


def stage_approver_users(stage: ApprovalStage, *, workspace_id: int) -> list:
    """The people (accounts) who may decide on this stage: named people and members with a named role,
    who can still open the workspace and hold approval.decide there."""
    from accounts.models import User, WorkspaceMember

    ids = {u.pk for u in stage.approver_users.all()}
    if stage.approver_roles:
        ids |= set(
            WorkspaceMember.objects.filter(
                workspace_id=workspace_id, role__in=stage.approver_roles
            ).values_list("user_id", flat=True)
        )
    people = []
    for user in User.objects.filter(pk__in=ids, is_active=True).order_by("id"):
        access = workspace_access_for(user=user, workspace_id=workspace_id)
        if access is not None and access.can(Capability.APPROVAL_DECIDE):
            people.append(user)
    return people


def _is_approver(stage: ApprovalStage, *, user=None, email: str = "", workspace_id: int) -> bool:
    if user is None:
        return bool(email) and email.lower() in {e.lower() for e in stage.approver_emails}
    return any(u.pk == user.pk for u in stage_approver_users(stage, workspace_id=workspace_id))


def _needed(stage: ApprovalStage, *, workspace_id: int, author_id, allow_self: bool) -> int:
    """How many approvals the stage's rule needs."""
    if stage.rule == ApprovalStage.Rule.ANY:
        return 1
    if stage.rule == ApprovalStage.Rule.QUORUM:
        return stage.quorum
    people = [
        u for u in stage_approver_users(stage, workspace_id=workspace_id) if allow_self or u.pk != author_id
    ]
    return max(1, len(people) + len(stage.approver_emails))


# --- requests ---------------------------------------------------------------------------------------


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

    from .gate import publish_gate
    from .routing import facts_json

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


# --- decisions --------------------------------------------------------------------------------------

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

    from .gate import current_hash

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


# --- comments ---------------------------------------------------------------------------------------

MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _mentioned(post, body: str, mentions) -> list:
    from accounts.models import User

    emails = {m.lower() for m in MENTION.findall(body or "")}
    ids = [int(getattr(m, "pk", m)) for m in mentions or []]
    users = list(User.objects.filter(Q(pk__in=ids) | Q(email__in=emails)))
    return [u for u in users if workspace_access_for(user=u, workspace_id=post.workspace_id) is not None]


def _comment(
    *,
    post,
    body: str,
    author=None,
    author_label: str,
    external: bool,
    target=None,
    anchor_start=None,
    anchor_end=None,
    request=None,
    mentions=(),
) -> PostComment:
    from content.models import PostTarget

    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write a comment."), field="body")
    target_obj = None
    if target not in (None, ""):
        target_obj = PostTarget.objects.filter(post_id=post.pk, pk=int(getattr(target, "pk", target))).first()
        if target_obj is None:
            raise ValidationFailed(
                _("No such variant on this post."), code="not_in_workspace", field="target"
            )
    anchor_text = ""
    if anchor_start is not None or anchor_end is not None:
        if target_obj is None:
            raise ValidationFailed(_("Anchor a comment on a variant's text."), field="target")
        if (
            anchor_start is None
            or anchor_end is None
            or not 0 <= int(anchor_start) < int(anchor_end) <= len(target_obj.text)
        ):
            raise ValidationFailed(_("The span is outside the variant's text."), field="anchor_start")
        anchor_text = target_obj.text[int(anchor_start) : int(anchor_end)][:1000]
    comment = PostComment.objects.create(
        workspace_id=post.workspace_id,
        post_id=post.pk,
        target=target_obj,
        request=request,
        post_version=post.version,
        body=body,
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        anchor_text=anchor_text,
        author=author,
        author_label=author_label,
        external=external,
    )
    people = _mentioned(post, body, mentions)
    if people:
        comment.mentions.set(people)
        notify(
            [u for u in people if author is None or u.pk != author.pk],
            kind=NotificationKind.MENTIONED,
            post=post,
            request=request,
            extra=body[:200],
        )
    audit_record(
        actor=author,
        actor_label=author_label,
        action="approval.comment",
        target=post,
        workspace=post.workspace,
        after={
            "comment": comment.pk,
            "target": target_obj.pk if target_obj else None,
            "anchor": anchor_text,
            "external": external,
        },
    )
    return comment


@transaction.atomic
def comment_create(
    *, actor, post, body: str, target=None, anchor_start=None, anchor_end=None, request=None, mentions=()
) -> PostComment:
    access = workspace_access_for(user=actor, workspace_id=post.workspace_id)
    if access is None:
        raise NotFound(_("No such post."))
    if not access.can(Capability.POST_COMMENT):
        raise PermissionRefused(_("Your role does not allow commenting."))
    if request is not None and request.post_id != post.pk:
        raise ValidationFailed(_("This request is about another post."), field="request")
    return _comment(
        post=post,
        body=body,
        author=actor,
        author_label=_label(actor),
        external=False,
        target=target,
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        request=request,
        mentions=mentions,
    )


@transaction.atomic
def comment_resolve(*, actor, comment: PostComment, resolved: bool = True) -> PostComment:
    access = workspace_access_for(user=actor, workspace_id=comment.workspace_id)
    if access is None:
        raise NotFound(_("No such comment."))
    if not access.can(Capability.POST_COMMENT):
        raise PermissionRefused(_("Your role does not allow commenting."))
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = actor if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    audit_record(
        actor=actor,
        action="approval.comment_resolve" if resolved else "approval.comment_reopen",
        target=comment,
        workspace=comment.workspace,
    )
    return comment


# --- notifications ----------------------------------------------------------------------------------


def notifications_mark_read(*, actor, ids=None) -> int:
    """Mark the actor's notifications read (all unread when `ids` is None). Returns how many."""
    from .models import Notification

    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids])
    return qs.update(read_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, actor, preferences: list[dict]) -> list[NotificationPreference]:
    out = []
    for index, item in enumerate(preferences or []):
        kind = item.get("kind")
        if kind not in PREFERENCE_VALUES:
            raise ValidationFailed(_("Unknown notification kind."), field=f"preferences.{index}.kind")
        pref, _created = NotificationPreference.objects.update_or_create(
            user=actor,
            kind=kind,
            defaults={"in_app": bool(item.get("in_app", True)), "email": bool(item.get("email", True))},
        )
        out.append(pref)
    audit_record(
        actor=actor,
        action="notification_preferences.set",
        after={"preferences": [{"kind": p.kind, "in_app": p.in_app, "email": p.email} for p in out]},
    )
    return out


# --- SLA --------------------------------------------------------------------------------------------


def sla_sweep(*, now=None) -> dict:
    """Past the SLA: one reminder to the stage's approvers; `escalate_after_hours` later, one message to
    the escalation person. Each is claimed with a conditional UPDATE, so it happens exactly once even
    when two sweeps overlap."""
    now = now or timezone.now()
    reminded = escalated = 0
    due = (
        ApprovalStageState.objects.filter(
            status=StageStatus.IN_PROGRESS,
            due_at__lte=now,
            request__status=RequestStatus.IN_PROGRESS,
            request__post__deleted_at__isnull=True,  # a deleted post needs no review
        )
        .filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True, stage__escalate_to__isnull=False))
        .select_related("stage__escalate_to", "request__post__workspace", "request__workflow")
    )
    for state in due:
        request = state.request
        if state.reminded_at is None:
            with transaction.atomic():
                if ApprovalStageState.objects.filter(pk=state.pk, reminded_at__isnull=True).update(
                    reminded_at=now
                ):
                    decided = set(state.decisions.values_list("reviewer_id", flat=True))
                    people = (
                        [
                            u
                            for u in stage_approver_users(state.stage, workspace_id=request.workspace_id)
                            if u.pk not in decided
                        ]
                        if state.stage
                        else []
                    )
                    notify(people, kind=NotificationKind.SLA_OVERDUE, post=request.post, request=request)
                    audit_record(
                        actor=None,
                        action="approval.sla_reminder",
                        target=request.post,
                        workspace=request.post.workspace,
                        after={"request": request.pk, "stage": state.stage_name},
                    )
                    reminded += 1
        stage = state.stage
        if (
            stage is not None
            and stage.escalate_to_id
            and state.escalated_at is None
            and now >= state.due_at + timedelta(hours=stage.escalate_after_hours)
        ):
            with transaction.atomic():
                if ApprovalStageState.objects.filter(pk=state.pk, escalated_at__isnull=True).update(
                    escalated_at=now
                ):
                    notify(
                        [stage.escalate_to],
                        kind=NotificationKind.ESCALATED,
                        post=request.post,
                        request=request,
                    )
                    audit_record(
                        actor=None,
                        action="approval.sla_escalation",
                        target=request.post,
                        workspace=request.post.workspace,
                        after={
                            "request": request.pk,
                            "stage": state.stage_name,
                            "to": stage.escalate_to.email,
                        },
                    )
                    escalated += 1
    return {"reminded": reminded, "escalated": escalated}
