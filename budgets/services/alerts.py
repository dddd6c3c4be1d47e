"""Threshold alerts: 80, 90 and 100 % of a line's or the budget's plan used (paid + committed, approved).

Called inside every service that changes spend or plans, with the budget row locked. Each threshold is
one BudgetAlert row, ever (unique constraints), so an alert fires once: saving again, or dropping below
and rising again, tells nobody twice.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.roles import Capability as C
from approvals.models import BudgetNotificationKind

from .. import notifications, selectors
from ..models import Budget, BudgetAlert
from ..money import money_format

THRESHOLDS = (80, 90, 100)


def _reached(used, planned) -> list[int]:
    if not planned:
        return []
    return [threshold for threshold in THRESHOLDS if used * 100 >= planned * threshold]


def budget_alerts_check(*, budget: Budget) -> list[BudgetAlert]:
    """Record (and announce) every threshold newly reached by the budget or one of its lines."""
    totals = selectors.budget_totals(budget)
    existing = set(BudgetAlert.objects.filter(budget=budget).values_list("line_id", "threshold"))
    new = []
    for threshold in _reached(totals.figures.used, totals.planned):
        if (None, threshold) not in existing:
            new.append(
                BudgetAlert(
                    workspace_id=budget.workspace_id,
                    budget=budget,
                    threshold=threshold,
                    spent=totals.figures.used,
                    planned=totals.planned,
                )
            )
    for item in totals.lines:
        for threshold in _reached(item.figures.used, item.planned):
            if (item.line.pk, threshold) not in existing:
                new.append(
                    BudgetAlert(
                        workspace_id=budget.workspace_id,
                        budget=budget,
                        line=item.line,
                        threshold=threshold,
                        spent=item.figures.used,
                        planned=item.planned,
                    )
                )
    if not new:
        return []
    BudgetAlert.objects.bulk_create(new)
    for alert in _highest_per_subject(new):
        # the budget's own alerts to the client's people; a line's also to its agency's people
        people = selectors.members_who_can(budget.workspace, C.BUDGET_EDIT, line=alert.line)
        notifications.notify(
            people,
            kind=BudgetNotificationKind.BUDGET_THRESHOLD,
            budget=budget,
            message=lambda alert=alert: alert_message(budget, alert),
        )
    return new


def _highest_per_subject(alerts: list[BudgetAlert]) -> list[BudgetAlert]:
    """One notice per budget or line even when one entry jumps several thresholds: the highest."""
    best: dict[int | None, BudgetAlert] = {}
    for alert in alerts:
        key = alert.line.pk if alert.line else None
        if key not in best or alert.threshold > best[key].threshold:
            best[key] = alert
    return list(best.values())


def alert_message(budget: Budget, alert: BudgetAlert) -> str:
    params = {
        "budget": budget.name,
        "line": str(alert.line) if alert.line else "",
        "threshold": alert.threshold,
        "spent": money_format(alert.spent, budget.currency),
        "planned": money_format(alert.planned, budget.currency),
    }
    if alert.line:
        return (
            _("“%(line)s” of “%(budget)s” reached %(threshold)d%% of its plan: %(spent)s of %(planned)s.")
            % params
        )
    return _("“%(budget)s” reached %(threshold)d%% of its plan: %(spent)s of %(planned)s.") % params
