"""Writes to a workspace's analytics settings and formula metrics: atomic, audited."""

from __future__ import annotations

from django.db import transaction

from core.audit import audit_record

from ..formula import formula_parse
from ..models import AnalyticsSettings, CustomMetric, EngagementRateBasis


@transaction.atomic
def analytics_settings_update(*, workspace, actor, lead_engagement_rate: str) -> AnalyticsSettings:
    if lead_engagement_rate not in EngagementRateBasis.values:
        raise ValueError(f"unknown engagement rate: {lead_engagement_rate}")
    settings, _ = AnalyticsSettings.objects.select_for_update().get_or_create(workspace=workspace)
    before = settings.lead_engagement_rate
    settings.lead_engagement_rate = lead_engagement_rate
    settings.save(update_fields=["lead_engagement_rate", "updated_at"])
    audit_record(
        actor=actor,
        action="analytics.settings_update",
        target=settings,
        workspace=workspace,
        before={"lead_engagement_rate": before},
        after={"lead_engagement_rate": lead_engagement_rate},
    )
    return settings


@transaction.atomic
def custom_metric_create(*, workspace, actor, name: str, formula: str, description: str = "") -> CustomMetric:
    """FormulaError (a ValueError) when the formula uses anything but numbers, common metric names,
    + - * / and parentheses."""
    formula_parse(formula)
    metric = CustomMetric.objects.create(
        workspace=workspace, name=name.strip(), formula=formula.strip(), description=description
    )
    audit_record(
        actor=actor,
        action="analytics.custom_metric_create",
        target=metric,
        workspace=workspace,
        after={"name": metric.name, "formula": metric.formula},
    )
    return metric


@transaction.atomic
def custom_metric_update(
    *,
    workspace,
    actor,
    metric: CustomMetric,
    formula: str,
    name: str | None = None,
    description: str | None = None,
) -> CustomMetric:
    if metric.workspace_id != workspace.pk:
        raise ValueError("the custom metric is not in this workspace")
    formula_parse(formula)
    before = {"name": metric.name, "formula": metric.formula, "description": metric.description}
    metric.formula = formula.strip()
    if name is not None:
        metric.name = name.strip()
    if description is not None:
        metric.description = description
    metric.save(update_fields=["name", "formula", "description", "updated_at"])
    audit_record(
        actor=actor,
        action="analytics.custom_metric_update",
        target=metric,
        workspace=workspace,
        before=before,
        after={"name": metric.name, "formula": metric.formula, "description": metric.description},
    )
    return metric


@transaction.atomic
def custom_metric_delete(*, workspace, actor, metric: CustomMetric) -> None:
    if metric.workspace_id != workspace.pk:
        raise ValueError("the custom metric is not in this workspace")
    audit_record(
        actor=actor,
        action="analytics.custom_metric_delete",
        target=metric,
        workspace=workspace,
        before={"name": metric.name, "formula": metric.formula},
    )
    metric.delete()
