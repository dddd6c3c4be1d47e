"""The demo's objectives (objectives app), so `make run` shows two per brand workspace: this quarter's
views of the workspace's posts and a monthly engagement rate by reach, with targets the demo's figures
(demo.analytics) can be on track or behind against. Made through the services (audited); once per
workspace (a workspace with an objective is left alone)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User, Workspace
from accounts.roles import Role
from objectives import services
from objectives.models import Kpi, Objective, PeriodKind, RateBasis

from .budgets import quarter_of


def seed_demo_objectives(workspace: Workspace, *, today=None) -> str:
    if Objective.objects.filter(workspace=workspace).exists():
        return f"{workspace.name}: objectives already present"
    today = today or timezone.localdate(timezone.now(), workspace.tzinfo)
    actor = (
        User.objects.filter(
            workspace_memberships__workspace=workspace, workspace_memberships__role=Role.MANAGER
        )
        .order_by("pk")
        .first()
    )
    start, _end = quarter_of(today)
    services.objective_create(
        workspace=workspace,
        actor=actor,
        name="本季度曝光 Quarterly views",
        period=PeriodKind.QUARTER,
        starts_on=start,
        kpi=Kpi.VIEWS,
        target="500000",
    )
    services.objective_create(
        workspace=workspace,
        actor=actor,
        name="互动率 Engagement rate",
        period=PeriodKind.MONTH,
        starts_on=today.replace(day=1),
        kpi=Kpi.ENGAGEMENT_RATE,
        rate_basis=RateBasis.BY_REACH,
        target="0.045",
    )
    return f"{workspace.name}: 2 objectives"
