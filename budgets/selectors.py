"""Reads: exchange rates, conversion at the entry's date, and the totals of a budget.

Totals are computed in Python from the entries with `Decimal` in `money_context()` (no rounding), and
every figure is a sum of the same per-entry conversions: a line's total is the sum of its entries, a
category's the sum of its lines, the budget's the sum of its lines, a campaign's the sum of the entries
that name it (or whose budget does). So they always add up; rounding happens only when a page or an API
answer shows them (budgets.money).
"""

from __future__ import annotations

import bisect
import decimal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from accounts.roles import capabilities_for

from .models import Budget, BudgetAlert, BudgetLine, ExchangeRate, SpendEntry, SpendKind, SpendStatus
from .money import money_context

ZERO = Decimal(0)


# --- exchange rates -----------------------------------------------------------------------------------


class Rates:
    """The workspace's rates, for converting at a date: the latest rate on or before that date, direct
    (1 FROM = r TO) or inverse (1 TO = r FROM, so divide); when both exist the more recent one wins."""

    def __init__(self, rows) -> None:
        table: dict[tuple[str, str], list[tuple[date, Decimal]]] = defaultdict(list)
        for on, base, quote, rate in rows:
            table[(base, quote)].append((on, rate))
        self._days: dict[tuple[str, str], list[date]] = {}
        self._rates: dict[tuple[str, str], list[Decimal]] = {}
        for pair, items in table.items():
            items.sort()
            self._days[pair] = [on for on, _rate in items]
            self._rates[pair] = [rate for _on, rate in items]

    def _latest(self, pair: tuple[str, str], on: date) -> tuple[date, Decimal] | None:
        days = self._days.get(pair)
        if not days:
            return None
        index = bisect.bisect_right(days, on) - 1
        return (days[index], self._rates[pair][index]) if index >= 0 else None

    def factor(self, source: str, target: str, on: date) -> tuple[Decimal, bool] | None:
        """(number, multiply?) that converts `source` to `target` on `on`; None without a rate."""
        if source == target:
            return Decimal(1), True
        direct, inverse = self._latest((source, target), on), self._latest((target, source), on)
        if direct and (not inverse or direct[0] >= inverse[0]):
            return direct[1], True
        if inverse:
            return inverse[1], False
        return None

    def convert(self, amount: Decimal, source: str, target: str, on: date) -> Decimal | None:
        found = self.factor(source, target, on)
        if found is None:
            return None
        number, multiply = found
        with decimal.localcontext(money_context()):
            return amount * number if multiply else amount / number


def rates_of(workspace) -> Rates:
    return Rates(ExchangeRate.objects.filter(workspace=workspace).values_list("on", "base", "quote", "rate"))


def exchange_rates_of(workspace) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.filter(workspace=workspace).order_by("-on", "base", "quote")


# --- agency scope -------------------------------------------------------------------------------------
#
# An agency person (a workspace member let in through an AgencyGrant) sees only the lines assigned to
# their agency, the spend on those lines, and totals of those lines alone; every other line, entry or
# budget without such a line is a 404 to them. The client's own people (and organization admins) see
# everything. Every list below takes `agency_id`: None for the client's people, the agency's
# organization id for an agency person (`agency_of(access)`).


def agency_of(access) -> int | None:
    """The agency organization whose lines this access is limited to, or None (the client: all lines)."""
    if access is None or getattr(access, "via", None) != "agency":
        return None
    member = getattr(access, "member", None)
    grant = getattr(member, "grant", None)
    return grant.agency_id if grant is not None else None


def agencies_granted(workspace):
    """The agency organizations with an active grant on the workspace: those a line can be assigned to."""
    from accounts.models import Organization

    return Organization.objects.filter(
        received_grants__workspace=workspace, received_grants__revoked_at__isnull=True
    ).order_by("name")


# --- lists --------------------------------------------------------------------------------------------


def budgets_of(workspace, *, agency_id: int | None = None) -> QuerySet[Budget]:
    found = Budget.objects.filter(workspace=workspace)
    if agency_id is not None:
        found = found.filter(pk__in=BudgetLine.objects.filter(agency_id=agency_id).values("budget_id"))
    return found.select_related("campaign").order_by("-starts_on", "name")


def budget_in(workspace, budget_id, *, agency_id: int | None = None) -> Budget | None:
    """The budget if this workspace has it and the reader may see it (an agency person: it has one of
    their agency's lines); None otherwise (a 404)."""
    try:
        budget_id = int(budget_id)
    except (TypeError, ValueError):
        return None
    return (
        budgets_of(workspace, agency_id=agency_id)
        .select_related("campaign", "workspace")
        .filter(pk=budget_id)
        .first()
    )


def lines_of(budget: Budget, *, agency_id: int | None = None) -> QuerySet[BudgetLine]:
    found = BudgetLine.objects.filter(workspace_id=budget.workspace_id, budget=budget)
    if agency_id is not None:
        found = found.filter(agency_id=agency_id)
    return found.select_related("agency").order_by("category", "platform", "id")


def entries_of(budget: Budget, *, agency_id: int | None = None) -> QuerySet[SpendEntry]:
    found = SpendEntry.objects.filter(workspace_id=budget.workspace_id, budget=budget)
    if agency_id is not None:
        found = found.filter(line__agency_id=agency_id)
    return (
        found.select_related("line__agency", "campaign", "created_by", "decided_by")
        .prefetch_related("posts")
        .order_by("-spent_on", "-id")
    )


def spend_waiting_for_approval(workspace, *, agency_id: int | None = None) -> QuerySet[SpendEntry]:
    found = SpendEntry.objects.filter(workspace=workspace, status=SpendStatus.PENDING)
    if agency_id is not None:
        found = found.filter(line__agency_id=agency_id)
    return found.select_related("budget", "line__agency", "created_by").order_by("spent_on", "id")


def alerts_of(budget: Budget, *, agency_id: int | None = None) -> QuerySet[BudgetAlert]:
    found = BudgetAlert.objects.filter(workspace_id=budget.workspace_id, budget=budget)
    if agency_id is not None:
        # the budget's own alerts speak of every line's spend: the client's alone
        found = found.filter(line__agency_id=agency_id)
    return found.select_related("line__agency")


def members_who_can(workspace, capability: str, *, line: BudgetLine | None = None) -> list:
    """The users of the workspace whose role holds `capability`: who is told about budget alerts and
    spend to approve. The client's own people always; agency people (on an active grant) only about a
    `line` assigned to their agency, never about the budget as a whole or another line."""
    from accounts.models import WorkspaceMember

    people = []
    for member in WorkspaceMember.objects.filter(workspace=workspace).select_related("user", "grant"):
        grant = member.grant
        if grant is not None and (
            grant.revoked_at is not None or line is None or line.agency_id != grant.agency_id
        ):
            continue
        if capability in capabilities_for(member.role, grant.role_ceiling if grant else None):
            people.append(member.user)
    return people


# --- totals -------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Counted spend: `actual` (paid) and `committed` (signed, unpaid), both approved; `pending` waits
    for approval and counts in neither. `used` = actual + committed."""

    actual: Decimal = ZERO
    committed: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def used(self) -> Decimal:
        with decimal.localcontext(money_context()):
            return self.actual + self.committed

    def add(self, entry: SpendEntry, amount: Decimal) -> None:
        with decimal.localcontext(money_context()):
            if entry.status == SpendStatus.PENDING:
                self.pending += amount
            elif entry.kind == SpendKind.COMMITMENT:
                self.committed += amount
            else:
                self.actual += amount

    def merge(self, other: Figures) -> None:
        with decimal.localcontext(money_context()):
            self.actual += other.actual
            self.committed += other.committed
            self.pending += other.pending


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole (0.8 for 80 %), or None when nothing is planned."""
    if not whole:
        return None
    with decimal.localcontext(money_context()):
        return part / whole


@dataclass
class LineTotals:
    line: BudgetLine
    figures: Figures = field(default_factory=Figures)

    @property
    def planned(self) -> Decimal:
        return self.line.planned

    @property
    def remaining(self) -> Decimal:
        with decimal.localcontext(money_context()):
            return self.planned - self.figures.used

    @property
    def used_share(self) -> Decimal | None:
        return share(self.figures.used, self.planned)


@dataclass
class BudgetTotals:
    budget: Budget
    currency: str
    planned: Decimal
    figures: Figures
    lines: list[LineTotals]
    categories: dict[str, Figures]  # category -> figures (only categories with lines)
    planned_by_category: dict[str, Decimal]
    campaigns: dict[int | None, Figures]  # campaign id (None: no campaign) -> figures
    converted: dict[int, Decimal]  # entry id -> amount in the budget's currency
    unconverted: list[SpendEntry]  # counted nowhere: no rate for their currency at their date

    @property
    def remaining(self) -> Decimal:
        with decimal.localcontext(money_context()):
            return self.planned - self.figures.used

    @property
    def used_share(self) -> Decimal | None:
        return share(self.figures.used, self.planned)


def budget_totals(
    budget: Budget,
    *,
    entries: list[SpendEntry] | None = None,
    rates: Rates | None = None,
    agency_id: int | None = None,
    lines: list[BudgetLine] | None = None,
):
    """Every figure of the budget in its currency (see the module's docstring for why they add up).
    With `agency_id`, of that agency's lines alone: the plan, spend and totals an agency person sees."""
    if lines is None:
        lines = list(lines_of(budget, agency_id=agency_id))
    if entries is None:
        found = SpendEntry.objects.filter(workspace_id=budget.workspace_id, budget=budget)
        if agency_id is not None:
            found = found.filter(line__agency_id=agency_id)
        entries = list(found.exclude(status=SpendStatus.REJECTED))
    rates = rates or rates_of(budget.workspace)
    by_line = {line.pk: LineTotals(line) for line in lines}
    campaigns: dict[int | None, Figures] = defaultdict(Figures)
    converted: dict[int, Decimal] = {}
    unconverted = []
    for entry in entries:
        if entry.status == SpendStatus.REJECTED or entry.line_id not in by_line:
            continue  # rejected, or on a line out of the reader's scope
        amount = rates.convert(entry.amount, entry.currency, budget.currency, entry.spent_on)
        if amount is None:
            unconverted.append(entry)
            continue
        converted[entry.pk] = amount
        by_line[entry.line_id].figures.add(entry, amount)
        campaigns[entry.campaign_id or budget.campaign_id].add(entry, amount)
    total, categories = Figures(), {}
    planned_by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    with decimal.localcontext(money_context()):
        for item in by_line.values():
            total.merge(item.figures)
            categories.setdefault(item.line.category, Figures()).merge(item.figures)
            planned_by_category[item.line.category] += item.line.planned
        planned = sum((line.planned for line in lines), ZERO)
    return BudgetTotals(
        budget=budget,
        currency=budget.currency,
        planned=planned,
        figures=total,
        lines=list(by_line.values()),
        categories=categories,
        planned_by_category=dict(planned_by_category),
        campaigns=dict(campaigns),
        converted=converted,
        unconverted=unconverted,
    )


def totals_of_budgets(workspace, budgets, *, agency_id: int | None = None) -> list[BudgetTotals]:
    """The totals of many budgets (a list page) in a fixed number of queries: every line, every counted
    entry and the rates read once, then each budget's totals from its share."""
    budgets = list(budgets)
    ids = [budget.pk for budget in budgets]
    line_rows = BudgetLine.objects.filter(workspace=workspace, budget_id__in=ids)
    entry_rows = SpendEntry.objects.filter(workspace=workspace, budget_id__in=ids).exclude(
        status=SpendStatus.REJECTED
    )
    if agency_id is not None:
        line_rows = line_rows.filter(agency_id=agency_id)
        entry_rows = entry_rows.filter(line__agency_id=agency_id)
    lines: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in line_rows.order_by("category", "platform", "id"):
        lines[line.budget_id].append(line)
    entries: dict[int, list[SpendEntry]] = defaultdict(list)
    for entry in entry_rows:
        entries[entry.budget_id].append(entry)
    rates = rates_of(workspace)
    return [
        budget_totals(b, entries=entries[b.pk], rates=rates, agency_id=agency_id, lines=lines[b.pk])
        for b in budgets
    ]


def burn_down(budget: Budget, totals: BudgetTotals, entries: list[SpendEntry], *, today: date) -> dict:
    """Day by day over the budget's period: what is left of the plan after the counted spend up to that
    day (future days: None), and the ideal straight line from the plan to zero."""
    days = (budget.ends_on - budget.starts_on).days + 1
    spent_by_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    with decimal.localcontext(money_context()):
        for entry in entries:
            amount = totals.converted.get(entry.pk)
            if amount is None or entry.status != SpendStatus.APPROVED:
                continue
            spent_by_day[max(entry.spent_on, budget.starts_on)] += amount
        before = sum((v for d, v in spent_by_day.items() if d < budget.starts_on), ZERO)
        running, remaining, ideal, dates = before, [], [], []
        for index in range(days):
            day = budget.starts_on + timedelta(days=index)
            dates.append(day)
            running += spent_by_day.get(day, ZERO)
            remaining.append(totals.planned - running if day <= today else None)
            ideal.append(totals.planned - totals.planned * Decimal(index + 1) / Decimal(days))
    return {"dates": dates, "remaining": remaining, "ideal": ideal}
