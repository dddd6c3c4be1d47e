"""The budget list (page and API) costs the same number of SQL queries for 1 budget as for 20, each with
lines and spend (tests/test_query_counts.py's pattern), for the client and for an agency person."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from budgets.tests.factories import BudgetFactory, BudgetLineFactory, SpendEntryFactory
from content.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _world():
    workspace = WorkspaceFactory(currency="CNY")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    agency = AgencyFactory()
    grant = AgencyGrantFactory(workspace=workspace, agency=agency, role_ceiling=Role.MANAGER)
    person = MembershipFactory(organization=agency, role=OrgRole.MEMBER).user
    WorkspaceMemberFactory(workspace=workspace, user=person, role=Role.MANAGER, grant=grant)

    def add(n):
        budget = BudgetFactory(workspace=workspace, campaign=CampaignFactory(workspace=workspace))
        own = BudgetLineFactory(budget=budget)
        theirs = BudgetLineFactory(budget=budget, agency=agency, category="kol_fees")
        for line in (own, theirs):
            SpendEntryFactory(
                line=line,
                amount=Decimal(10 + n),
                status="pending" if n % 3 == 0 else "approved",
                created_by=manager,
            )
            SpendEntryFactory(
                line=line, amount=Decimal(5), currency="CNY", spent_on=datetime.date(2026, 2, 1)
            )

    return workspace, manager, person, add


def _count(client, url) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content


@pytest.mark.parametrize("who", ["client", "agency"])
@pytest.mark.parametrize("where", ["page", "api"])
def test_the_budget_list_costs_the_same_for_1_and_20_budgets(client, who, where):
    # given
    workspace, manager, person, add = _world()
    add(0)
    if where == "page":
        client.force_login(manager if who == "client" else person)
        url = reverse("dashboard:budgets", args=[workspace.pk])
    else:
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(manager if who == "client" else person)
        url = reverse("budget-list", args=[workspace.pk])
    client.get(url)  # warm up per-process caches
    # when
    at_one, _body = _count(client, url)
    for n in range(1, 20):
        add(n)
    at_twenty, body = _count(client, url)
    # then
    assert body.count(b"budget-link") == 20 if where == "page" else len(client.get(url).json()) == 20
    assert at_one == at_twenty, f"{who} {where}: {at_one} queries for 1 budget, {at_twenty} for 20"
