"""Acceptance 1 (budgets half): any sequence of spend entries, edits, deletions and rate changes keeps the
line, category, campaign and budget totals equal to the sum of their entries in the budget's (reporting)
currency, with no float anywhere.

The machine keeps its own account: the entries (line, campaign, currency, amount, date, kind) and the
rates it set. Its oracle converts each entry by scanning those rates (the latest on or before the entry's
date, direct or inverse, the more recent winning), independently of budgets.selectors' bisect, and sums.
Every total the selector returns must equal the oracle's exactly (Decimal equality, no rounding) and
the totals must add up among themselves.
"""

from __future__ import annotations

import datetime
import decimal
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from budgets import selectors, services
from budgets.models import Category, ExchangeRate, SpendEntry, SpendKind
from budgets.money import minor_units, money_context
from content.tests.factories import CampaignFactory
from core.errors import ValidationFailed

START = datetime.date(2026, 1, 1)
DAYS = 90
CURRENCIES = ["CNY", "CNY", "USD", "USD", "JPY", "BHD", "EUR"]
# Pairs the machine sets rates for: direct into CNY, and CNY into JPY (so JPY converts by division).
PAIRS = [("USD", "CNY"), ("CNY", "USD"), ("CNY", "JPY"), ("BHD", "CNY"), ("EUR", "CNY")]
SEEN: defaultdict = defaultdict(int)

amounts = st.integers(min_value=1, max_value=10**9)
days = st.integers(min_value=0, max_value=DAYS - 1)
rates = st.builds(lambda n, scale: Decimal(n).scaleb(-scale), st.integers(1, 10**7), st.integers(0, 6))


def money(units: int, currency: str) -> Decimal:
    return Decimal(units).scaleb(-minor_units(currency))


class BudgetMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.ws = WorkspaceFactory(currency="CNY")
        self.actor = WorkspaceMemberFactory(workspace=self.ws, role=Role.MANAGER).user
        self.budget = services.budget_create(
            workspace=self.ws,
            actor=self.actor,
            name="Q1",
            starts_on=START,
            ends_on=START + datetime.timedelta(days=DAYS - 1),
            campaign=CampaignFactory(workspace=self.ws),
        )
        self.campaigns = [None, CampaignFactory(workspace=self.ws).pk]
        make = lambda category, planned: services.budget_line_create(  # noqa: E731
            workspace=self.ws, actor=self.actor, budget=self.budget, category=category, planned=planned
        )
        self.lines = [
            make(Category.PAID_PROMOTION, "50000"),
            make(Category.PAID_PROMOTION, "0"),
            make(Category.KOL_FEES, "120000.50"),
        ]
        self.entries: dict[int, dict] = {}  # id -> the model's view of the entry
        self.rates: dict[tuple[str, str, datetime.date], Decimal] = {}

    # --- the oracle -----------------------------------------------------------------------------------

    def convert(self, entry: dict) -> Decimal | None:
        currency, on = entry["currency"], entry["spent_on"]
        if currency == "CNY":
            return entry["amount"]

        def latest(base, quote):
            found = [
                (day, rate)
                for (b, q, day), rate in self.rates.items()
                if (b, q) == (base, quote) and day <= on
            ]
            return max(found) if found else None

        direct, inverse = latest(currency, "CNY"), latest("CNY", currency)
        with decimal.localcontext(money_context()):
            if direct and (not inverse or direct[0] >= inverse[0]):
                return entry["amount"] * direct[1]
            if inverse:
                return entry["amount"] / inverse[1]
        return None

    # --- rules ------------------------------------------------------------------------------------------

    @rule(
        line=st.integers(0, 2),
        currency=st.sampled_from(CURRENCIES),
        units=amounts,
        day=days,
        commitment=st.booleans(),
        campaign=st.integers(0, 1),
    )
    def add_entry(self, line, currency, units, day, commitment, campaign):
        entry = {
            "line": self.lines[line].pk,
            "currency": currency,
            "amount": money(units, currency),
            "spent_on": START + datetime.timedelta(days=day),
            "kind": SpendKind.COMMITMENT if commitment else SpendKind.ACTUAL,
            "campaign": self.campaigns[campaign],
        }
        expected = self.convert(entry)
        try:
            created = services.spend_entry_create(
                workspace=self.ws, actor=self.actor, budget=self.budget, **{**entry, "line": self.lines[line]}
            )
        except ValidationFailed as refused:
            assert expected is None and "currency" in refused.fields, (entry, refused.fields)
            SEEN["refused_no_rate"] += 1
            return
        assert expected is not None, entry
        self.entries[created.pk] = entry
        SEEN["added"] += 1

    @precondition(lambda self: self.entries)
    @rule(
        data=st.data(), units=amounts, day=days, line=st.integers(0, 2), currency=st.sampled_from(CURRENCIES)
    )
    def edit_entry(self, data, units, day, line, currency):
        entry_id = data.draw(st.sampled_from(sorted(self.entries)))
        changes = data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "amount": st.just(units),
                    "spent_on": st.just(START + datetime.timedelta(days=day)),
                    "line": st.just(line),
                    "currency": st.just(currency),
                    "kind": st.sampled_from(SpendKind.values),
                },
            )
        )
        new = dict(self.entries[entry_id])
        if "currency" in changes:
            new["currency"] = changes["currency"]
        if "amount" in changes:
            new["amount"] = money(changes["amount"], new["currency"])
        elif "currency" in changes:
            new["amount"] = money(int(new["amount"].to_integral_value()) or 1, new["currency"])
        if "spent_on" in changes:
            new["spent_on"] = changes["spent_on"]
        if "line" in changes:
            new["line"] = self.lines[changes["line"]].pk
        if "kind" in changes:
            new["kind"] = changes["kind"]
        expected = self.convert(new)
        call = {k: new[k] for k in ("amount", "currency", "spent_on", "kind")} | {"line": new["line"]}
        try:
            services.spend_entry_update(
                workspace=self.ws, actor=self.actor, entry=SpendEntry.objects.get(pk=entry_id), **call
            )
        except ValidationFailed as refused:
            assert expected is None and "currency" in refused.fields, (new, refused.fields)
            SEEN["edit_refused"] += 1
            return
        assert expected is not None
        self.entries[entry_id] = new
        SEEN["edited"] += 1

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def delete_entry(self, data):
        entry_id = data.draw(st.sampled_from(sorted(self.entries)))
        services.spend_entry_delete(
            workspace=self.ws, actor=self.actor, entry=SpendEntry.objects.get(pk=entry_id)
        )
        del self.entries[entry_id]
        SEEN["deleted"] += 1

    @rule(pair=st.sampled_from(PAIRS), day=st.integers(0, DAYS - 1), rate=rates)
    def set_rate(self, pair, day, rate):
        on = START + datetime.timedelta(days=day)
        services.exchange_rate_set(
            workspace=self.ws, actor=self.actor, on=on, base=pair[0], quote=pair[1], rate=rate
        )
        self.rates[(pair[0], pair[1], on)] = rate
        SEEN["rate_set"] += 1

    @precondition(lambda self: self.rates)
    @rule(data=st.data())
    def delete_rate(self, data):
        key = data.draw(st.sampled_from(sorted(self.rates)))
        rate = ExchangeRate.objects.get(workspace=self.ws, base=key[0], quote=key[1], on=key[2])
        services.exchange_rate_delete(workspace=self.ws, actor=self.actor, rate=rate)
        del self.rates[key]
        SEEN["rate_deleted"] += 1

    # --- the property ------------------------------------------------------------------------------------

    @invariant()
    def totals_are_the_sums_of_their_entries(self):
        if not hasattr(self, "budget"):
            return
        totals = selectors.budget_totals(self.budget)
        zero = Decimal(0)
        by_line = defaultdict(lambda: [zero, zero])
        by_campaign = defaultdict(lambda: [zero, zero])
        everything = [zero, zero]
        left_out = set()
        with decimal.localcontext(money_context()):
            for entry_id, entry in self.entries.items():
                amount = self.convert(entry)
                if amount is None:
                    left_out.add(entry_id)
                    continue
                slot = 1 if entry["kind"] == SpendKind.COMMITMENT else 0
                by_line[entry["line"]][slot] += amount
                by_campaign[entry["campaign"] or self.budget.campaign_id][slot] += amount
                everything[slot] += amount
        if left_out:
            SEEN["left_out"] += 1
        assert {e.pk for e in totals.unconverted} == left_out
        for item in totals.lines:
            assert [item.figures.actual, item.figures.committed] == by_line[item.line.pk], item.line
        assert [totals.figures.actual, totals.figures.committed] == everything
        for category in {line.category for line in self.lines}:
            lines = [line.pk for line in self.lines if line.category == category]
            with decimal.localcontext(money_context()):
                expected = [sum((by_line[pk][slot] for pk in lines), zero) for slot in (0, 1)]
            figures = totals.categories[category]
            assert [figures.actual, figures.committed] == expected, category
        for campaign, figures in totals.campaigns.items():
            assert [figures.actual, figures.committed] == by_campaign[campaign]
        assert set(totals.campaigns) <= set(by_campaign) | {self.budget.campaign_id}
        # and the totals add up among themselves
        with decimal.localcontext(money_context()):
            assert sum((i.figures.used for i in totals.lines), zero) == totals.figures.used
            assert sum((f.used for f in totals.categories.values()), zero) == totals.figures.used
            assert sum((f.used for f in totals.campaigns.values()), zero) == totals.figures.used
        numbers = [
            totals.figures.actual,
            totals.figures.committed,
            totals.planned,
            *totals.converted.values(),
        ]
        assert all(isinstance(n, Decimal) for n in numbers)


@pytest.mark.django_db
def test_totals_always_add_up_in_the_reporting_currency():
    SEEN.clear()
    run_state_machine_as_test(
        BudgetMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=True,
            database=None,
        ),
    )
    # The runs reached every kind of step the property is about.
    for kind in ("added", "edited", "deleted", "rate_set", "rate_deleted", "refused_no_rate", "left_out"):
        assert SEEN[kind], dict(SEEN)
