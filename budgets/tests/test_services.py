"""Budget services: conversion at the entry's date, totals that add up, caps, approval, alerts, audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import Notification
from budgets import selectors, services
from budgets.models import BudgetAlert, CapMode, Category, SpendKind, SpendStatus
from core.errors import Conflict, PermissionRefused, ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

D = Decimal
JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def setup():
    workspace = WorkspaceFactory(currency="CNY")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    admin = WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN).user
    budget = services.budget_create(
        workspace=workspace, actor=manager, name="Q1", starts_on=JAN, ends_on=datetime.date(2026, 3, 31)
    )
    line = services.budget_line_create(
        workspace=workspace, actor=manager, budget=budget, category=Category.PAID_PROMOTION, planned="1000.00"
    )
    return workspace, manager, admin, budget, line


def spend(setup, amount, currency="CNY", on=datetime.date(2026, 1, 10), **extra):
    workspace, manager, _admin, budget, line = setup
    return services.spend_entry_create(
        workspace=workspace,
        actor=extra.pop("actor", manager),
        budget=budget,
        line=extra.pop("line", line),
        spent_on=on,
        amount=amount,
        currency=currency,
        **extra,
    )


def test_budget_takes_the_workspaces_reporting_currency_and_is_audited(setup):
    workspace, manager, _admin, budget, line = setup
    assert budget.currency == "CNY"
    actions = list(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert "budget.create" in actions and "budget_line.create" in actions


def test_usd_spend_converts_at_the_rate_of_its_own_date(setup):
    workspace, manager, _admin, budget, line = setup
    services.exchange_rate_set(
        workspace=workspace, actor=manager, on=JAN, base="USD", quote="CNY", rate="7.10"
    )
    services.exchange_rate_set(
        workspace=workspace, actor=manager, on=datetime.date(2026, 2, 1), base="USD", quote="CNY", rate="7.30"
    )
    january = spend(setup, "10.00", "USD", on=datetime.date(2026, 1, 31))
    february = spend(setup, "10.00", "USD", on=datetime.date(2026, 2, 1))
    totals = selectors.budget_totals(budget)
    assert totals.converted[january.pk] == D("71.0000")
    assert totals.converted[february.pk] == D("73.0000")
    assert totals.figures.actual == D("144")


def test_an_inverse_rate_divides(setup):
    workspace, manager, _admin, budget, _line = setup
    services.exchange_rate_set(workspace=workspace, actor=manager, on=JAN, base="CNY", quote="JPY", rate="20")
    entry = spend(setup, "1000", "JPY")
    assert selectors.budget_totals(budget).converted[entry.pk] == D("50")


def test_spend_without_a_rate_is_refused_on_currency(setup):
    with pytest.raises(ValidationFailed) as caught:
        spend(setup, "10.00", "USD")
    assert "no exchange rate from USD to CNY" in caught.value.fields["currency"][0]


def test_more_decimals_than_the_currency_has_is_refused_on_amount(setup):
    with pytest.raises(ValidationFailed) as caught:
        spend(setup, "10.001")
    assert caught.value.fields["amount"] == ["CNY has 2 decimal places: enter at most that many."]


def test_a_date_outside_the_period_is_refused(setup):
    with pytest.raises(ValidationFailed) as caught:
        spend(setup, "10", on=datetime.date(2026, 4, 1))
    assert "spent_on" in caught.value.fields


def test_commitments_are_apart_from_actuals(setup):
    _ws, _m, _a, budget, line = setup
    spend(setup, "100")
    spend(setup, "250", kind=SpendKind.COMMITMENT)
    totals = selectors.budget_totals(budget)
    assert (totals.figures.actual, totals.figures.committed, totals.figures.used) == (D(100), D(250), D(350))
    assert totals.remaining == D(650)


def test_a_hard_cap_refuses_spend_beyond_the_plan(setup):
    workspace, manager, _admin, budget, line = setup
    services.budget_line_update(workspace=workspace, actor=manager, line=line, cap_mode=CapMode.HARD)
    spend(setup, "900")
    with pytest.raises(ValidationFailed) as caught:
        spend(setup, "100.01")
    assert "hard cap" in caught.value.fields["amount"][0]
    spend(setup, "100.00")  # exactly the plan is allowed


def test_spend_above_the_threshold_waits_until_someone_else_approves(setup):
    workspace, manager, admin, budget, line = setup
    services.budget_update(workspace=workspace, actor=manager, budget=budget, approval_threshold="500")
    entry = spend(setup, "600")
    assert entry.status == SpendStatus.PENDING
    totals = selectors.budget_totals(budget)
    assert totals.figures.actual == 0 and totals.figures.pending == D(600)
    assert Notification.objects.filter(recipient=admin, kind="spend_approval").count() == 1
    with pytest.raises(PermissionRefused):
        services.spend_entry_decide(workspace=workspace, actor=manager, entry=entry, approve=True)
    services.spend_entry_decide(workspace=workspace, actor=admin, entry=entry, approve=True)
    assert selectors.budget_totals(budget).figures.actual == D(600)
    event = AuditEvent.objects.get(action="spend.approve")
    assert event.actor == admin
    assert Notification.objects.filter(recipient=manager, kind="spend_decided").exists()
    with pytest.raises(Conflict):
        services.spend_entry_decide(workspace=workspace, actor=admin, entry=entry, approve=False)


def test_rejected_spend_never_counts(setup):
    workspace, manager, admin, budget, line = setup
    services.budget_update(workspace=workspace, actor=manager, budget=budget, approval_threshold="500")
    entry = spend(setup, "600")
    services.spend_entry_decide(workspace=workspace, actor=admin, entry=entry, approve=False, note="No PO")
    totals = selectors.budget_totals(budget)
    assert totals.figures.used == 0 and totals.figures.pending == 0


def test_editing_an_approved_amount_above_the_threshold_waits_again(setup):
    workspace, manager, _admin, budget, _line = setup
    services.budget_update(workspace=workspace, actor=manager, budget=budget, approval_threshold="500")
    entry = spend(setup, "100")
    entry = services.spend_entry_update(workspace=workspace, actor=manager, entry=entry, amount="700")
    assert entry.status == SpendStatus.PENDING
    entry = services.spend_entry_update(workspace=workspace, actor=manager, entry=entry, vendor="Weibo Ads")
    assert entry.status == SpendStatus.PENDING  # a vendor's name weighs nothing


def test_alerts_fire_once_per_threshold_for_line_and_budget(setup):
    workspace, manager, _admin, budget, line = setup
    spend(setup, "700")
    assert not BudgetAlert.objects.exists()
    entry = spend(setup, "150")  # 85 %: 80 reached
    assert set(BudgetAlert.objects.values_list("line_id", "threshold")) == {(None, 80), (line.pk, 80)}
    bell = Notification.objects.filter(kind="budget_threshold").count()
    services.spend_entry_update(workspace=workspace, actor=manager, entry=entry, note="saved again")
    services.spend_entry_update(workspace=workspace, actor=manager, entry=entry, amount="149.00")
    assert Notification.objects.filter(kind="budget_threshold").count() == bell  # not on every save
    spend(setup, "160")  # 100.9 %: 90 and 100, one notice each for line and budget
    assert set(BudgetAlert.objects.values_list("threshold", flat=True)) == {80, 90, 100}
    assert BudgetAlert.objects.count() == 6
    assert Notification.objects.filter(kind="budget_threshold").count() == bell + 2 * 2  # manager and admin


def test_a_line_with_spend_cannot_be_deleted(setup):
    workspace, manager, _admin, _budget, line = setup
    spend(setup, "10")
    with pytest.raises(Conflict):
        services.budget_line_delete(workspace=workspace, actor=manager, line=line)


def test_rates_import_all_or_nothing(setup):
    workspace, manager, *_ = setup
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile(
        "r.csv", b"date,currency,in,rate\n2026-01-02,USD,CNY,7.1234\n2026-01-02,EUR,CNY,7.8\n"
    )
    assert services.exchange_rates_import(workspace=workspace, actor=manager, file=good) == 2
    bad = SimpleUploadedFile("r.csv", b"2026-01-03,USD,CNY,7.2\n2026-01-03,XXX,CNY,1\n")
    with pytest.raises(ValidationFailed) as caught:
        services.exchange_rates_import(workspace=workspace, actor=manager, file=bad)
    assert "Row 2" in caught.value.fields["file"][0]
    assert selectors.exchange_rates_of(workspace).count() == 2
