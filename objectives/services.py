"""Objectives' writes: create, change, delete. Atomic, audited; every rule lives here so the API and the
pages refuse the same input with the same (translated) message next to the same field."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from channels_app.models import Platform, SocialAccount
from competitors.selectors import competitor_brand_get
from content.models import Campaign, Tag
from core.audit import audit_record
from core.errors import ValidationFailed

from .models import Kpi, Objective, PeriodKind, RateBasis, Scope

FIELDS = [
    "name",
    "period",
    "starts_on",
    "ends_on",
    "scope",
    "platform",
    "account",
    "campaign",
    "tag",
    "kpi",
    "rate_basis",
    "target",
    "rivals",
]
# Follower growth is a figure of accounts: a campaign or a tag has no followers of its own.
ACCOUNT_LEVEL_KPIS = {Kpi.FOLLOWER_GROWTH}
# The benchmark compares the whole workspace with its rivals; the inbox has accounts, not posts.
WORKSPACE_KPIS = {Kpi.SHARE_OF_VOICE}
INBOX_KPIS = {Kpi.FIRST_RESPONSE_TIME}
RATIO_KPIS = {Kpi.ENGAGEMENT_RATE, Kpi.SHARE_OF_VOICE}
MAX_TARGET = Decimal("99999999999999")
AUDIT_KEYS = {"target": "kpi_target", "period": "objective_period", "scope": "objective_scope"}


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(next(iter(self.fields.values()))[0], fields=self.fields)


def period_end(kind: str, starts_on: date) -> date:
    """The last day of the month or quarter that starts on `starts_on`."""
    months = 1 if kind == PeriodKind.MONTH else 3
    year, month = starts_on.year, starts_on.month + months - 1
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def _in_workspace(model, workspace, value, field: str, message: str, errors: _Errors):
    if value in (None, ""):
        return None
    pk = value.pk if hasattr(value, "pk") else value
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    found = model.objects.filter(workspace=workspace, pk=pk).first() if pk else None
    if found is None:
        errors.add(field, message)
    return found


def _as_target(value) -> Decimal | None:
    if isinstance(value, (bool, float)):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def objective_check(workspace, data: dict) -> dict:
    """The cleaned fields of an objective, or ValidationFailed naming each wrong field."""
    errors = _Errors()
    clean: dict = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors.add("name", _("Give the objective a name."))
    elif len(name) > 120:
        errors.add("name", _("A name has at most 120 characters."))
    clean["name"] = name
    period = data.get("period") or ""
    if period not in PeriodKind.values:
        errors.add("period", _("Choose a month, a quarter or a custom period."))
    clean["period"] = period
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts_on, date):
        errors.add("starts_on", _("Enter the first day of the objective's period."))
    elif period == PeriodKind.MONTH and starts_on.day != 1:
        errors.add("starts_on", _("A monthly objective starts on the first day of a month."))
    elif period == PeriodKind.QUARTER and (starts_on.day != 1 or starts_on.month not in (1, 4, 7, 10)):
        errors.add("starts_on", _("A quarterly objective starts on 1 January, April, July or October."))
    elif period in (PeriodKind.MONTH, PeriodKind.QUARTER):
        ends_on = period_end(period, starts_on)
    if period == PeriodKind.CUSTOM and isinstance(starts_on, date):
        if not isinstance(ends_on, date):
            errors.add("ends_on", _("Enter the last day of the objective's period."))
        elif ends_on < starts_on:
            errors.add("ends_on", _("The period must end on or after its first day."))
        elif ends_on - starts_on > timedelta(days=366):
            errors.add("ends_on", _("An objective's period is at most a year."))
    clean["starts_on"], clean["ends_on"] = starts_on, ends_on
    scope = data.get("scope") or Scope.WORKSPACE
    if scope not in Scope.values:
        errors.add("scope", _("Choose what the objective covers."))
    clean["scope"] = scope
    clean["platform"], clean["account"], clean["campaign"], clean["tag"] = "", None, None, None
    if scope == Scope.PLATFORM:
        platform = data.get("platform") or ""
        if platform not in Platform.values:
            errors.add("platform", _("Choose a platform."))
        clean["platform"] = platform
    elif scope == Scope.ACCOUNT:
        clean["account"] = _in_workspace(
            SocialAccount,
            workspace,
            data.get("account"),
            "account",
            _("Choose an account of this workspace."),
            errors,
        )
        if data.get("account") in (None, ""):
            errors.add("account", _("Choose an account of this workspace."))
    elif scope == Scope.CAMPAIGN:
        clean["campaign"] = _in_workspace(
            Campaign,
            workspace,
            data.get("campaign"),
            "campaign",
            _("Choose a campaign of this workspace."),
            errors,
        )
        if data.get("campaign") in (None, ""):
            errors.add("campaign", _("Choose a campaign of this workspace."))
    elif scope == Scope.TAG:
        clean["tag"] = _in_workspace(
            Tag, workspace, data.get("tag"), "tag", _("Choose a tag of this workspace."), errors
        )
        if data.get("tag") in (None, ""):
            errors.add("tag", _("Choose a tag of this workspace."))
    kpi = data.get("kpi") or ""
    if kpi not in Kpi.values:
        errors.add("kpi", _("Choose a KPI."))
    elif kpi in ACCOUNT_LEVEL_KPIS and scope in (Scope.CAMPAIGN, Scope.TAG):
        errors.add(
            "kpi", _("Follower growth belongs to accounts: choose the workspace, a platform or an account.")
        )
    elif kpi == Kpi.COST_PER_ENGAGEMENT and scope in (Scope.ACCOUNT, Scope.TAG):
        errors.add("kpi", _("Spend is planned per workspace, platform or campaign: choose one of those."))
    elif kpi in WORKSPACE_KPIS and scope != Scope.WORKSPACE:
        errors.add(
            "kpi", _("Share of voice compares the whole workspace with its rivals: choose the workspace.")
        )
    elif kpi in INBOX_KPIS and scope in (Scope.CAMPAIGN, Scope.TAG):
        errors.add("kpi", _("The inbox answers per account: choose the workspace, a platform or an account."))
    clean["kpi"] = kpi
    rivals = []
    if kpi == Kpi.SHARE_OF_VOICE:
        chosen = data.get("rivals") or []
        if not chosen:
            errors.add("rivals", _("Choose the competitor brands to compare with."))
        for value in chosen:
            brand = competitor_brand_get(workspace, getattr(value, "pk", value))
            if brand is None:
                errors.add("rivals", _("Choose competitor brands this workspace benchmarks."))
                break
            if brand not in rivals:
                rivals.append(brand)
    clean["rivals"] = rivals
    basis = data.get("rate_basis") or ""
    if kpi == Kpi.ENGAGEMENT_RATE:
        if basis not in RateBasis.values:
            errors.add("rate_basis", _("Name the engagement rate's denominator: followers, reach or views."))
    else:
        basis = ""
    clean["rate_basis"] = basis
    target = _as_target(data.get("target"))
    if target is None:
        errors.add("target", _("Enter the target as a number."))
    elif target <= 0:
        errors.add("target", _("The target must be more than zero."))
    elif target > MAX_TARGET or -target.as_tuple().exponent > 4:
        errors.add("target", _("The target has at most 14 digits and 4 decimal places."))
    elif kpi in RATIO_KPIS and target > 1:
        errors.add("target", _("This target is a ratio: 0.05 is 5 %."))
    clean["target"] = target
    errors.raise_if_any()
    return clean


def _snapshot(objective: Objective) -> dict:
    data = {}
    for name in FIELDS:
        value = getattr(objective, name)
        if name == "rivals":
            value = sorted(objective.rivals.values_list("pk", flat=True))
        elif hasattr(value, "pk"):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, bool)):
            value = str(value)
        # Some names mean something else in the audit log's vocabulary ("target" is a post's variant):
        # an objective's own keys keep its coded values apart, so the log can show them in words.
        data[AUDIT_KEYS.get(name, name)] = value
    return data


@transaction.atomic
def objective_create(*, workspace, actor, **data) -> Objective:
    """An objective for a period and a scope, on one KPI with a target. ValidationFailed names the field."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    clean = objective_check(workspace, data)
    rivals = clean.pop("rivals")
    objective = Objective.objects.create(
        workspace=workspace, created_by=actor if getattr(actor, "pk", None) else None, **clean
    )
    objective.rivals.set(rivals)
    audit_record(
        actor=actor,
        action="objective.create",
        target=objective,
        workspace=workspace,
        after=_snapshot(objective),
    )
    return objective


@transaction.atomic
def objective_update(*, workspace, actor, objective: Objective, **changes) -> Objective:
    if objective.workspace_id != workspace.pk:
        raise ValueError("the objective is not in this workspace")
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    before = _snapshot(objective)
    data = {name: getattr(objective, name) for name in FIELDS if name != "rivals"}
    data = data | {"rivals": list(objective.rivals.all())} | changes
    clean = objective_check(workspace, data)
    rivals = clean.pop("rivals")
    for name, value in clean.items():
        setattr(objective, name, value)
    objective.save()
    objective.rivals.set(rivals)
    after = _snapshot(objective)
    audit_record(
        actor=actor,
        action="objective.update",
        target=objective,
        workspace=workspace,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return objective


@transaction.atomic
def objective_delete(*, workspace, actor, objective: Objective) -> None:
    if objective.workspace_id != workspace.pk:
        raise ValueError("the objective is not in this workspace")
    audit_record(
        actor=actor,
        action="objective.delete",
        target=objective,
        workspace=workspace,
        before=_snapshot(objective),
    )
    objective.delete()


@transaction.atomic
def period_review_save(*, workspace, actor, starts_on: date, ends_on: date, note: str):
    """The review note of one period (OCEAN's Normalization), created or replaced; audited."""
    from .models import PeriodReview

    errors = _Errors()
    if not isinstance(starts_on, date) or not isinstance(ends_on, date) or ends_on < starts_on:
        errors.add("note", _("The period must end on or after its first day."))
    note = (note or "").strip()
    if len(note) > 10000:
        errors.add("note", _("A review note has at most 10,000 characters."))
    errors.raise_if_any()
    review, _created = PeriodReview.objects.select_for_update().get_or_create(
        workspace=workspace, starts_on=starts_on, ends_on=ends_on
    )
    before = review.note
    review.note = note
    review.updated_by = actor if getattr(actor, "pk", None) else None
    review.save()
    audit_record(
        actor=actor,
        action="period_review.save",
        target=review,
        workspace=workspace,
        before={"note": before} if before != note else None,
        after={"note": note, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )
    return review
