"""Budgets pages: the same services as the API; a service's error lands next to its field."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from budgets import services
from budgets.models import Budget, SpendEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    workspace = WorkspaceFactory(currency="CNY")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    budget = services.budget_create(
        workspace=workspace,
        actor=manager,
        name="Q1",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
    )
    line = services.budget_line_create(
        workspace=workspace, actor=manager, budget=budget, category="paid_promotion", planned="5000"
    )
    client.force_login(manager)
    return workspace, budget, line, client


def test_create_a_budget_from_the_list(setup):
    workspace, _budget, _line, client = setup
    response = client.post(
        reverse("dashboard:budgets", args=[workspace.pk]),
        {"name": "Q2", "starts_on": "2026-04-01", "ends_on": "2026-06-30", "currency": "CNY"},
    )
    created = Budget.objects.get(workspace=workspace, name="Q2")
    assert response.status_code == 302 and response["Location"].endswith(f"/budgets/{created.pk}/edit/")


def test_a_period_ending_before_it_starts_shows_the_error_on_the_field(setup):
    workspace, _budget, _line, client = setup
    response = client.post(
        reverse("dashboard:budgets", args=[workspace.pk]),
        {"name": "Q2", "starts_on": "2026-04-01", "ends_on": "2026-03-01", "currency": "CNY"},
    )
    assert response.status_code == 400
    assert 'id="id_ends_on_error">The period must end on or after its first day.' in response.content.decode()


def test_spend_form_shows_the_minor_unit_error_next_to_amount(setup):
    workspace, budget, line, client = setup
    page = reverse("budgets:spend_new", args=[workspace.pk, budget.pk])
    response = client.post(
        page,
        {"line": line.pk, "spent_on": "2026-01-05", "amount": "12.345", "currency": "CNY", "kind": "actual"},
    )
    assert response.status_code == 400
    assert 'id="id_amount_error">CNY has 2 decimal places' in response.content.decode()
    assert not SpendEntry.objects.exists()


def test_spend_in_usd_without_a_rate_points_to_the_rates_page(setup):
    workspace, budget, line, client = setup
    page = reverse("budgets:spend_new", args=[workspace.pk, budget.pk])
    response = client.post(
        page, {"line": line.pk, "spent_on": "2026-01-05", "amount": "12", "currency": "USD", "kind": "actual"}
    )
    assert 'id="id_currency_error">There is no exchange rate from USD to CNY' in response.content.decode()


def test_the_detail_page_shows_the_totals_rounded_for_people(setup):
    workspace, budget, line, client = setup
    services.exchange_rate_set(
        workspace=workspace,
        actor=None,
        on=datetime.date(2026, 1, 1),
        base="USD",
        quote="CNY",
        rate="7.123456",
    )
    client.post(
        reverse("budgets:spend_new", args=[workspace.pk, budget.pk]),
        {"line": line.pk, "spent_on": "2026-01-05", "amount": "10.00", "currency": "USD", "kind": "actual"},
    )
    html = client.get(reverse("budgets:detail", args=[workspace.pk, budget.pk])).content.decode()
    assert "CN¥71.23" in html  # 71.23456 shown to the fen
    assert "US$10.00" in html or "$10.00" in html


def test_pages_in_chinese(setup):
    workspace, budget, _line, client = setup
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("budgets:detail", args=[workspace.pk, budget.pk])).content.decode()
    assert "燃尽图" in html and "计划与实际" in html and "¥5,000.00" in html


def test_a_viewer_cannot_open_budgets(client, setup):
    workspace, budget, _line, _client = setup
    viewer = WorkspaceMemberFactory(workspace=workspace, role=Role.VIEWER).user
    client.force_login(viewer)
    assert client.get(reverse("budgets:detail", args=[workspace.pk, budget.pk])).status_code == 403
