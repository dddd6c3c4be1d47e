"""Who may decide a stage: its people, roles and departments."""

from __future__ import annotations

from accounts.roles import Capability
from accounts.selectors import workspace_access_for

from ..models import (
    ApprovalStage,
)


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
