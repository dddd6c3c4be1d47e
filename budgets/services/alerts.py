"""Threshold alerts: 80, 90 and 100 % of a line's or the budget's plan used (paid + committed, approved);
run-rate alerts: at the pace so far, the plan would be overrun by the period's end.

Run rate: spend counted so far (entries dated up to today) / days elapsed (the first day counts as one)
× days in the period > planned. Only while the period runs (from its first day to its last); before it,
there is no pace, and after it the 100 % threshold says the rest.

Called inside every service that changes spend or plans, with the budget row locked. Each threshold, and
each budget's or line's run rate, is one BudgetAlert row, ever (unique constraints), so an alert fires
once: saving again, or dropping below and rising again, tells nobody twice.

`budgets_alerts_recheck` (the daily beat task budgets.alerts_recheck) checks again every budget whose
period runs on its workspace's day: spend dated in the future counts only once its day comes, and no
save happens that day to look at it.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability as C
from approvals.models import BudgetNotificationKind

from .. import notifications, selectors
from ..models import AlertKind, Budget, BudgetAlert, SpendEntry, SpendStatus
from ..money import money_context, money_format

THRESHOLDS = (80, 90, 100)


def _reached(used, planned) -> list[int]:
    if not planned:
        return []
    return [threshold for threshold in THRESHOLDS if used * 100 >= planned * threshold]


def budget_alerts_check(*, budget: Budget, today: date | None = None) -> list[BudgetAlert]:
    """Record (and announce) every threshold newly reached, and every projected overrun newly seen, by
    the budget or one of its lines. `today` defaults to the workspace's date."""
    entries = list(SpendEntry.objects.filter(budget=budget).exclude(status=SpendStatus.REJECTED))
    totals = selectors.budget_totals(budget, entries=entries)
    new = _threshold_alerts(budget, totals)
    if today is None:
        today = timezone.localdate(timezone.now(), budget.workspace.tzinfo)
    run_rate = _run_rate_alerts(budget, totals, entries, today)
    if new:
        BudgetAlert.objects.bulk_create(new)
    if run_rate:
        BudgetAlert.objects.bulk_create(run_rate)
    for alert in _highest_per_subject(new):
        _announce(budget, alert, BudgetNotificationKind.BUDGET_THRESHOLD)
    for alert in run_rate:
        _announce(budget, alert, BudgetNotificationKind.BUDGET_RUN_RATE)
    return new + run_rate


def budgets_alerts_recheck(*, now=None) -> int:
    """Check every running budget again on its workspace's day (each budget row locked, one at a time);
    the number of alerts newly recorded."""
    now = now or timezone.now()
    utc_day = now.date()
    # Every zone's day is within a day of UTC's: the candidates, then each budget's own day decides.
    candidates = Budget.objects.filter(
        starts_on__lte=utc_day + timedelta(days=1), ends_on__gte=utc_day - timedelta(days=1)
    ).select_related("workspace")
    found = 0
    for candidate in candidates.order_by("pk"):
        today = timezone.localdate(now, candidate.workspace.tzinfo)
        if not candidate.starts_on <= today <= candidate.ends_on:
            continue
        with transaction.atomic():
            budget = Budget.objects.select_for_update().select_related("workspace").get(pk=candidate.pk)
            found += len(budget_alerts_check(budget=budget, today=today))
    return found


def _announce(budget: Budget, alert: BudgetAlert, kind: str) -> None:
    # the budget's own alerts to the client's people; a line's also to its agency's people
    people = selectors.members_who_can(budget.workspace, C.BUDGET_EDIT, line=alert.line)
    notifications.notify(people, kind=kind, budget=budget, message=lambda: alert_message(budget, alert))


def projection(used_so_far: Decimal, budget: Budget, today: date) -> Decimal | None:
    """What the spend so far comes to by the period's end at the same daily pace, or None outside the
    period (before its first day, or after its last)."""
    if not budget.starts_on <= today <= budget.ends_on:
        return None
    elapsed = (today - budget.starts_on).days + 1
    days = (budget.ends_on - budget.starts_on).days + 1
    with decimal.localcontext(money_context()):
        return used_so_far / Decimal(elapsed) * Decimal(days)


def _run_rate_alerts(budget: Budget, totals, entries: list[SpendEntry], today: date) -> list[BudgetAlert]:
    if not budget.starts_on <= today <= budget.ends_on:
        return []
    by_line: dict[int, Decimal] = defaultdict(Decimal)
    with decimal.localcontext(money_context()):
        for entry in entries:
            amount = totals.converted.get(entry.pk)
            if amount is None or entry.status != SpendStatus.APPROVED or entry.spent_on > today:
                continue
            by_line[entry.line_id] += amount
        whole = sum(by_line.values(), Decimal(0))
    existing = set(
        BudgetAlert.objects.filter(budget=budget, kind=AlertKind.RUN_RATE).values_list("line_id", flat=True)
    )
    subjects = [(None, whole, totals.planned)]
    subjects += [(item.line, by_line.get(item.line.pk, Decimal(0)), item.planned) for item in totals.lines]
    new = []
    for line, so_far, planned in subjects:
        key = line.pk if line is not None else None
        projected = projection(so_far, budget, today)
        if key in existing or not planned or projected is None or projected <= planned:
            continue
        with decimal.localcontext(money_context()):
            percent = int((projected * 100 / planned).to_integral_value(rounding=decimal.ROUND_FLOOR))
        new.append(
            BudgetAlert(
                workspace_id=budget.workspace_id,
                budget=budget,
                line=line,
                kind=AlertKind.RUN_RATE,
                threshold=min(percent, 32767),
                spent=so_far,
                planned=planned,
                projected=projected,
            )
        )
    return new


def _threshold_alerts(budget: Budget, totals) -> list[BudgetAlert]:
    existing = set(
        BudgetAlert.objects.filter(budget=budget, kind=AlertKind.THRESHOLD).values_list(
            "line_id", "threshold"
        )
    )
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
        "projected": money_format(alert.projected, budget.currency),
        "end": budget.ends_on.isoformat(),
    }
    if alert.kind == AlertKind.RUN_RATE:
        if alert.line:
            return (
                _(
                    "“%(line)s” of “%(budget)s” is on course to overrun: at the pace so far (%(spent)s) "
                    "it comes to %(projected)s by %(end)s, against a plan of %(planned)s."
                )
                % params
            )
        return (
            _(
                "“%(budget)s” is on course to overrun: at the pace so far (%(spent)s) it comes to "
                "%(projected)s by %(end)s, against a plan of %(planned)s."
            )
            % params
        )
    if alert.line:
        return (
            _("“%(line)s” of “%(budget)s” reached %(threshold)d%% of its plan: %(spent)s of %(planned)s.")
            % params
        )
    return _("“%(budget)s” reached %(threshold)d%% of its plan: %(spent)s of %(planned)s.") % params
