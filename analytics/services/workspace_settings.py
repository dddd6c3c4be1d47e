"""Writes to a workspace's analytics settings and formula metrics: atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import ValidationFailed

from ..formula import FormulaError, formula_parse
from ..models import AnalyticsSettings, CustomMetric, EngagementRateBasis


@transaction.atomic
def analytics_settings_update(*, workspace, actor, lead_engagement_rate: str) -> AnalyticsSettings:
    if lead_engagement_rate not in EngagementRateBasis.values:
        raise ValidationFailed(_("Choose one of the three engagement rates."), field="lead_engagement_rate")
    settings, _created = AnalyticsSettings.objects.select_for_update().get_or_create(workspace=workspace)
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


def custom_metric_check(*, workspace, name: str, formula: str, metric: CustomMetric | None = None) -> None:
    """The rules of a formula metric, for the API and the pages alike: ValidationFailed naming the field
    (an empty or taken name; a formula the safe evaluator refuses, with its reason)."""
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Give the metric a name.")]
    elif len(name) > 80:
        errors["name"] = [_("A name has at most 80 characters.")]
    else:
        others = CustomMetric.objects.filter(workspace=workspace, name=name)
        if metric is not None:
            others = others.exclude(pk=metric.pk)
        if others.exists():
            errors["name"] = [_("This workspace already has a metric of that name.")]
    if not formula.strip():
        errors["formula"] = [_("Write a formula, for example engagements / followers * 1000.")]
    else:
        try:
            formula_parse(formula.strip())
        except FormulaError as error:
            errors["formula"] = [str(error)]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, fields=errors)


@transaction.atomic
def custom_metric_create(*, workspace, actor, name: str, formula: str, description: str = "") -> CustomMetric:
    """ValidationFailed (on `name` or `formula`) when the name is taken or the formula uses anything but
    numbers, common metric names, + - * / and parentheses."""
    custom_metric_check(workspace=workspace, name=name, formula=formula)
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
    custom_metric_check(
        workspace=workspace, name=metric.name if name is None else name, formula=formula, metric=metric
    )
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
