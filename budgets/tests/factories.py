"""Factories for budgets. Rows with rules (spend, rates) are made through the services in tests that
care about the rules; these keep the others short."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import WorkspaceFactory
from budgets.models import Budget, BudgetLine, Category, ExchangeRate, SpendEntry


class BudgetFactory(DjangoModelFactory):
    class Meta:
        model = Budget

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Q{n % 4 + 1} budget {n}")
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 3, 31)
    currency = "CNY"


class BudgetLineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    budget = factory.SubFactory(BudgetFactory)
    workspace = factory.SelfAttribute("budget.workspace")
    category = Category.PAID_PROMOTION
    planned = Decimal("10000.00")


class SpendEntryFactory(DjangoModelFactory):
    class Meta:
        model = SpendEntry

    line = factory.SubFactory(BudgetLineFactory)
    budget = factory.SelfAttribute("line.budget")
    workspace = factory.SelfAttribute("line.workspace")
    spent_on = datetime.date(2026, 1, 15)
    amount = Decimal("100.00")
    currency = "CNY"
    vendor = "Vendor"


class ExchangeRateFactory(DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    workspace = factory.SubFactory(WorkspaceFactory)
    on = datetime.date(2026, 1, 1)
    base = "USD"
    quote = "CNY"
    rate = Decimal("7.1000")
