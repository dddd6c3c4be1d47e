"""A workspace's analytics settings and its formula metrics."""

from __future__ import annotations

from datetime import date

from ..formula import formula_evaluate, formula_names
from ..models import AnalyticsSettings, CustomMetric, EngagementRateBasis
from .accounts import account_period_values
from .posts import post_figures
from .rates import BASIS_TO_RATE


def analytics_settings_get(workspace) -> AnalyticsSettings:
    """The workspace's settings; an unsaved row with the defaults when it never changed them."""
    found = AnalyticsSettings.objects.filter(workspace=workspace).first()
    return found or AnalyticsSettings(workspace=workspace, lead_engagement_rate=EngagementRateBasis.BY_REACH)


def lead_engagement_rate(workspace) -> str:
    """The rate key reports lead with (e.g. "engagement_rate_by_reach")."""
    return BASIS_TO_RATE[analytics_settings_get(workspace).lead_engagement_rate]


def custom_metrics(workspace) -> list[CustomMetric]:
    return list(CustomMetric.objects.filter(workspace=workspace))


ACCOUNT_LEVEL = {"followers", "follower_growth", "profile_visits"}


def custom_metric_value(workspace, *, custom: CustomMetric, start: date, end: date, account_ids=None):
    """The formula over the period's totals: account-level metrics (followers, follower growth, profile
    visits) from the accounts' figures, the others summed over the posts published in the period."""
    if custom.workspace_id != workspace.pk:
        raise ValueError("the custom metric is not in this workspace")
    names = formula_names(custom.formula)
    values: dict[str, float | None] = {}
    post_names = names - ACCOUNT_LEVEL
    if post_names:
        figures = post_figures(workspace, start=start, end=end, account_ids=account_ids)
        for name in post_names:
            present = [f.common[name] for f in figures if f.common.get(name) is not None]
            values[name] = sum(present) if present else None
    for name in names & ACCOUNT_LEVEL:
        per_account = account_period_values(
            workspace, metric=name, start=start, end=end, account_ids=account_ids
        )
        present = [value for value in per_account.values() if value is not None]
        values[name] = sum(present) if present else None
    return formula_evaluate(custom.formula, values)
