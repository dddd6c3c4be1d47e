"""Stage deadlines: reminders and escalation when a stage waits too long."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record

from ..models import (
    ApprovalStageState,
    NotificationKind,
    RequestStatus,
    StageStatus,
)
from ..notifications import notify
from .approvers import stage_approver_users


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
