"""Workflows, their stages and conditions, and the workspace's approval policy."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed

from ..conditions import validate_condition
from ..models import (
    ROLE_VALUES,
    ApprovalPolicyRule,
    ApprovalStage,
    ApprovalWorkflow,
    RequestStatus,
)
from .edits import approval_reroute_workspace

UNSET: Any = object()
NAME_MAX_LENGTH = 120


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


def _whole_number(value, *, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field=field) from None


def _clean_workflow_name(name) -> str:
    name = str(name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the workflow a name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": NAME_MAX_LENGTH}, code="too_long", field="name"
        )
    return name


def _clean_restart(value) -> str:
    if value not in ApprovalWorkflow.Restart.values:
        raise ValidationFailed(_("Unknown choice."), field="restart_on_resubmit")
    return value


def _condition_ids_in_workspace(workspace, condition: dict) -> None:
    """A condition's accounts, campaigns and tags must be this workspace's: an id of another tenant (or of
    nothing) would never match, and would tell whoever set it which ids exist elsewhere."""
    from channels_app.models import SocialAccount
    from content.models import Campaign, Tag

    for key, model, label in (
        ("accounts", SocialAccount, _("accounts")),
        ("campaigns", Campaign, _("campaigns")),
        ("tags", Tag, _("tags")),
    ):
        wanted = set(condition.get(key) or [])
        if not wanted:
            continue
        found = set(model.objects.filter(workspace=workspace, pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - found)
        if missing:
            raise ValidationFailed(
                _("No such %(kind)s in this workspace: %(ids)s.")
                % {"kind": label, "ids": ", ".join(map(str, missing))}
            )


def _clean_stage(workspace, index: int, data: dict) -> dict:
    field = f"stages.{index}"
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_("Give the stage a name."), field=f"{field}.name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": NAME_MAX_LENGTH}, code="too_long", field=f"{field}.name"
        )
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
    quorum = _whole_number(data.get("quorum") or 1, field=f"{field}.quorum")
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
    sla = None if sla in (None, "") else _whole_number(sla, field=f"{field}.sla_hours")
    if sla is not None and sla < 1:
        raise ValidationFailed(_("The SLA is at least one hour."), field=f"{field}.sla_hours")
    escalate_after = _whole_number(
        data.get("escalate_after_hours") or 0, field=f"{field}.escalate_after_hours"
    )
    if escalate_after < 0:
        raise ValidationFailed(
            _("Escalation cannot come before the SLA."), field=f"{field}.escalate_after_hours"
        )
    try:
        condition = validate_condition(data.get("condition"))
        _condition_ids_in_workspace(workspace, condition)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=f"{field}.condition") from None
    return {
        "name": name,
        "users": users,
        "approver_roles": roles,
        "approver_emails": emails,
        "rule": rule,
        "quorum": quorum,
        "condition": condition,
        "sla_hours": sla,
        "escalate_after_hours": escalate_after,
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


def _keeps_stages(workflow: ApprovalWorkflow, cleaned: list[dict]) -> bool:
    """Whether every stage stays where it is, under its name (new ones only at the end): what a change
    must do while requests run, whose stage states point at these rows by position. Such requests see the
    existing stages' new approvers, rules and SLAs from their next step on, and are re-routed through a
    stage added at the end when it applies to them (approval_reroute_workspace)."""
    names = list(workflow.stages.order_by("position", "id").values_list("name", flat=True))
    return len(cleaned) >= len(names) and all(
        item["name"] == name for name, item in zip(names, cleaned[: len(names)], strict=True)
    )


def _same_stages(workflow: ApprovalWorkflow, cleaned: list[dict]) -> bool:
    existing = list(workflow.stages.order_by("position", "id").prefetch_related("approver_users"))
    if len(existing) != len(cleaned):
        return False
    for stage, item in zip(existing, cleaned, strict=True):
        now = {name: getattr(stage, name) for name in item if name not in ("users", "escalate_to")}
        wanted = {name: value for name, value in item.items() if name not in ("users", "escalate_to")}
        if (
            now != wanted
            or {u.pk for u in stage.approver_users.all()} != {u.pk for u in item["users"]}
            or stage.escalate_to_id != getattr(item["escalate_to"], "pk", None)
        ):
            return False
    return True


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
    name = _clean_workflow_name(name)
    restart_on_resubmit = _clean_restart(restart_on_resubmit)
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
    """Change a workflow. Its stages are replaced as a whole; while requests are in progress only in a way
    that keeps each existing stage in its place (`_keeps_stages`)."""
    workflow = ApprovalWorkflow.objects.select_for_update().get(pk=workflow.pk)
    before = {"name": workflow.name, "stages": _stage_summary(workflow)}
    if name is not UNSET:
        name = _clean_workflow_name(name)
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
        workflow.restart_on_resubmit = _clean_restart(restart_on_resubmit)
    if active is not UNSET:
        workflow.active = bool(active)
    if schedule_when_approved is not UNSET:
        workflow.schedule_when_approved = bool(schedule_when_approved)
    if stages is not UNSET:
        if not stages:
            raise ValidationFailed(_("A workflow has at least one stage."), field="stages")
        cleaned = [_clean_stage(workflow.workspace, i, s) for i, s in enumerate(stages)]
        # The same stages sent back (a form that also shows them) change nothing and are no conflict.
        if not _same_stages(workflow, cleaned):
            if workflow.requests.filter(status=RequestStatus.IN_PROGRESS).exists() and not _keeps_stages(
                workflow, cleaned
            ):
                raise Conflict(
                    _(
                        "Requests are in progress in this workflow: you can add stages at the end and change "
                        "approvers, rules, conditions and SLAs now; remove, rename or reorder stages when "
                        "they are done."
                    ),
                    code="workflow_busy",
                    field="stages",
                )
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
            workflow = workflows.get(_whole_number(workflow_id, field=f"{field}.workflow"))
            if workflow is None:
                raise ValidationFailed(
                    _("No workflow with id %(id)s in this workspace.") % {"id": workflow_id},
                    code="not_in_workspace",
                    field=f"{field}.workflow",
                )
        account_ids = [_whole_number(a, field=f"{field}.accounts") for a in rule.get("accounts") or []]
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
