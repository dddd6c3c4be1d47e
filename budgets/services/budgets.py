"""Budgets and their lines: create, change, delete. Atomic, audited; the rules live here."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from channels_app.models import Platform
from content.models import Campaign
from core.audit import audit_record
from core.errors import Conflict

from ..models import Budget, BudgetLine, CapMode, Category, SpendEntry
from .checks import Errors, check_amount, check_currency

BUDGET_FIELDS = ["name", "starts_on", "ends_on", "campaign", "currency", "approval_threshold", "note"]
LINE_FIELDS = ["category", "platform", "name", "planned", "cap_mode", "agency"]


def _money_snapshot(instance, fields: list[str]) -> dict:
    data = {}
    for name in fields:
        value = getattr(instance, name)
        if hasattr(value, "pk"):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, bool)):
            value = str(value)  # dates and Decimals as text: exact, JSON-safe
        data[name] = value
    return data


def _campaign_in(workspace, value, errors: Errors) -> Campaign | None:
    if value in (None, ""):
        return None
    if isinstance(value, Campaign):
        campaign_id = value.pk
    else:
        try:
            campaign_id = int(value)
        except (TypeError, ValueError):
            campaign_id = None
    found = Campaign.objects.filter(workspace=workspace, pk=campaign_id).first() if campaign_id else None
    if found is None:
        errors.add("campaign", _("Choose a campaign of this workspace."))
    return found


def _check_budget(workspace, data: dict, *, budget: Budget | None = None) -> dict:
    errors = Errors()
    clean = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.add("name", _("Give the budget a name."))
    elif len(name) > 120:
        errors.add("name", _("A name has at most 120 characters."))
    clean["name"] = name
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts_on, date):
        errors.add("starts_on", _("Enter the first day of the budget's period."))
    if not isinstance(ends_on, date):
        errors.add("ends_on", _("Enter the last day of the budget's period."))
    if isinstance(starts_on, date) and isinstance(ends_on, date):
        if ends_on < starts_on:
            errors.add("ends_on", _("The period must end on or after its first day."))
        elif (ends_on - starts_on).days > 3 * 366:
            errors.add("ends_on", _("A budget's period is at most three years."))
        if budget is not None:
            outside = SpendEntry.objects.filter(budget=budget).exclude(spent_on__range=(starts_on, ends_on))
            if outside.exists():
                errors.add(
                    "ends_on", _("Some spend of this budget falls outside that period: move it first.")
                )
    clean["starts_on"], clean["ends_on"] = starts_on, ends_on
    currency = data.get("currency") or (budget.currency if budget else workspace.currency)
    clean["currency"] = check_currency(errors, "currency", currency)
    if (
        budget is not None
        and clean["currency"] != budget.currency
        and SpendEntry.objects.filter(budget=budget).exists()
    ):
        # Planned amounts are in this currency; changing it under recorded spend would re-read them.
        errors.add("currency", _("The currency of a budget with spend cannot change."))
    clean["approval_threshold"] = check_amount(
        errors,
        "approval_threshold",
        data.get("approval_threshold"),
        clean["currency"],
        positive=False,
        allow_none=True,
    )
    clean["campaign"] = _campaign_in(workspace, data.get("campaign"), errors)
    clean["note"] = (data.get("note") or "").strip()
    errors.raise_if_any()
    return clean


@transaction.atomic
def budget_create(
    *,
    workspace,
    actor,
    name: str,
    starts_on: date,
    ends_on: date,
    currency: str = "",
    campaign=None,
    approval_threshold=None,
    note: str = "",
) -> Budget:
    """A budget for a period (optionally for one campaign), its plan in `currency` (default: the
    workspace's reporting currency). ValidationFailed names the field."""
    clean = _check_budget(
        workspace,
        {
            "name": name,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "currency": currency,
            "campaign": campaign,
            "approval_threshold": approval_threshold,
            "note": note,
        },
    )
    budget = Budget.objects.create(
        workspace=workspace, created_by=actor if getattr(actor, "pk", None) else None, **clean
    )
    audit_record(
        actor=actor,
        action="budget.create",
        target=budget,
        workspace=workspace,
        after=_money_snapshot(budget, BUDGET_FIELDS),
    )
    return budget


@transaction.atomic
def budget_update(*, workspace, actor, budget: Budget, **changes) -> Budget:
    """Change any of name, starts_on, ends_on, currency, campaign, approval_threshold, note."""
    if budget.workspace_id != workspace.pk:
        raise ValueError("the budget is not in this workspace")
    unknown = set(changes) - set(BUDGET_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    before = _money_snapshot(budget, BUDGET_FIELDS)
    data = {name: getattr(budget, name) for name in BUDGET_FIELDS} | changes
    clean = _check_budget(workspace, data, budget=budget)
    for name, value in clean.items():
        setattr(budget, name, value)
    budget.save()
    after = _money_snapshot(budget, BUDGET_FIELDS)
    audit_record(
        actor=actor,
        action="budget.update",
        target=budget,
        workspace=workspace,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    from .alerts import budget_alerts_check

    budget_alerts_check(budget=budget)
    return budget


@transaction.atomic
def budget_delete(*, workspace, actor, budget: Budget) -> None:
    if budget.workspace_id != workspace.pk:
        raise ValueError("the budget is not in this workspace")
    audit_record(
        actor=actor,
        action="budget.delete",
        target=budget,
        workspace=workspace,
        before=_money_snapshot(budget, BUDGET_FIELDS),
    )
    SpendEntry.objects.filter(budget=budget).delete()  # lines protect their entries; the budget owns both
    budget.delete()


# --- lines ----------------------------------------------------------------------------------------------


def _agency_in(workspace, value, errors: Errors):
    """The agency organization (holding an active grant on the workspace) a line is assigned to, or None."""
    if value in (None, ""):
        return None
    from .. import selectors

    agency_id = getattr(value, "pk", value)
    try:
        agency_id = int(agency_id)
    except (TypeError, ValueError):
        agency_id = None
    found = selectors.agencies_granted(workspace).filter(pk=agency_id).first() if agency_id else None
    if found is None:
        errors.add("agency", _("Choose an agency that this workspace lets in, or none."))
    return found


def _check_line(budget: Budget, data: dict) -> dict:
    errors = Errors()
    clean = {}
    category = data.get("category")
    if category not in Category.values:
        errors.add("category", _("Choose a category."))
    clean["category"] = category
    platform = data.get("platform") or ""
    if platform and platform not in Platform.values:
        errors.add("platform", _("Choose a platform from the list, or none."))
    clean["platform"] = platform
    name = (data.get("name") or "").strip()
    if len(name) > 120:
        errors.add("name", _("A name has at most 120 characters."))
    clean["name"] = name
    clean["planned"] = check_amount(errors, "planned", data.get("planned"), budget.currency, positive=False)
    cap_mode = data.get("cap_mode") or CapMode.SOFT
    if cap_mode not in CapMode.values:
        errors.add("cap_mode", _("Choose a warning or a hard cap."))
    clean["cap_mode"] = cap_mode
    agency = data.get("agency")
    if agency is not None and getattr(agency, "pk", agency) == getattr(data.get("current_agency"), "pk", 0):
        clean["agency"] = agency  # kept as it was, even if its grant has ended since
    else:
        clean["agency"] = _agency_in(budget.workspace, agency, errors)
    errors.raise_if_any()
    return clean


@transaction.atomic
def budget_line_create(
    *,
    workspace,
    actor,
    budget: Budget,
    category: str,
    planned,
    platform: str = "",
    name: str = "",
    cap_mode: str = CapMode.SOFT,
    agency=None,
) -> BudgetLine:
    """A line of the budget; `agency` (an organization with an active grant on the workspace, or its
    id) lets that agency's people see the line and enter spend on it."""
    if budget.workspace_id != workspace.pk:
        raise ValueError("the budget is not in this workspace")
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    clean = _check_line(
        budget,
        {
            "category": category,
            "planned": planned,
            "platform": platform,
            "name": name,
            "cap_mode": cap_mode,
            "agency": agency,
        },
    )
    line = BudgetLine.objects.create(workspace=workspace, budget=budget, **clean)
    audit_record(
        actor=actor,
        action="budget_line.create",
        target=line,
        workspace=workspace,
        after={"budget": budget.pk, **_money_snapshot(line, LINE_FIELDS)},
    )
    from .alerts import budget_alerts_check

    budget_alerts_check(budget=budget)
    return line


@transaction.atomic
def budget_line_update(*, workspace, actor, line: BudgetLine, **changes) -> BudgetLine:
    if line.workspace_id != workspace.pk:
        raise ValueError("the line is not in this workspace")
    unknown = set(changes) - set(LINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    budget = Budget.objects.select_for_update().get(pk=line.budget_id)
    line = BudgetLine.objects.select_related("agency").get(pk=line.pk)
    before = _money_snapshot(line, LINE_FIELDS)
    current = {name: getattr(line, name) for name in LINE_FIELDS}
    clean = _check_line(budget, current | changes | {"current_agency": line.agency})
    for name, value in clean.items():
        setattr(line, name, value)
    line.save()
    after = _money_snapshot(line, LINE_FIELDS)
    audit_record(
        actor=actor,
        action="budget_line.update",
        target=line,
        workspace=workspace,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    from .alerts import budget_alerts_check

    budget_alerts_check(budget=budget)
    return line


@transaction.atomic
def budget_line_delete(*, workspace, actor, line: BudgetLine) -> None:
    if line.workspace_id != workspace.pk:
        raise ValueError("the line is not in this workspace")
    if SpendEntry.objects.filter(line=line).exists():
        raise Conflict(_("This line has spend: move or delete its spend first."), code="line_has_spend")
    audit_record(
        actor=actor,
        action="budget_line.delete",
        target=line,
        workspace=workspace,
        before={"budget": line.budget_id, **_money_snapshot(line, LINE_FIELDS)},
    )
    line.delete()
