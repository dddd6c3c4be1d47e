"""The role matrix's requests for budgets and objectives (tests/test_role_matrix.py adds them to its
REQUESTS table): reading budgets needs budget.view, changing them budget.edit, deciding spend that waits
budget.approve; objectives are read with analytics.view and changed with objective.edit."""

from __future__ import annotations

from accounts.models import Workspace


# budgets: reading needs budget.view, changing budget.edit, deciding spend that waits budget.approve
def _budget_line(workspace: Workspace):
    from budgets.tests.factories import BudgetLineFactory

    return BudgetLineFactory(budget__workspace=workspace)


def _budget(workspace: Workspace) -> dict:
    return {"budget_id": _budget_line(workspace).budget_id}


def _line(workspace: Workspace) -> dict:
    line = _budget_line(workspace)
    return {"budget_id": line.budget_id, "line_id": line.pk}


def _spend(workspace: Workspace, status: str = "approved") -> dict:
    from django.core.files.base import ContentFile

    from budgets.tests.factories import SpendEntryFactory

    entry = SpendEntryFactory(line=_budget_line(workspace), status=status)
    entry.receipt.save("receipt.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return {"budget_id": entry.budget_id, "spend_id": entry.pk}


def _rate(workspace: Workspace) -> dict:
    from budgets.tests.factories import ExchangeRateFactory

    return {"rate_id": ExchangeRateFactory(workspace=workspace).pk}


def _new_spend(workspace: Workspace):
    line = _budget_line(workspace)
    body = {"line": line.pk, "spent_on": "2026-01-10", "amount": "120.50", "currency": "CNY"}
    return {"budget_id": line.budget_id}, body


# objectives: reading needs analytics.view, changing objective.edit
def _objective(workspace: Workspace) -> dict:
    from objectives.tests.factories import ObjectiveFactory

    return {"objective_id": ObjectiveFactory(workspace=workspace).pk}


def add_budget_requests(requests: dict, Req, nothing) -> None:  # noqa: N803 -- the matrix's request class
    requests["budget.view"] = [
        Req("GET", "budget-list", nothing),
        Req("GET", "budget-detail", lambda ws: (_budget(ws), None)),
        Req("GET", "budget-burn-down", lambda ws: (_budget(ws), None)),
        Req("GET", "budget-export", lambda ws: (_budget(ws), None)),
        Req("GET", "budget-line-list", lambda ws: (_budget(ws), None)),
        Req("GET", "budget-line-detail", lambda ws: (_line(ws), None)),
        Req("GET", "spend-list", lambda ws: (_budget(ws), None)),
        Req("GET", "spend-detail", lambda ws: (_spend(ws), None)),
        Req("GET", "spend-receipt", lambda ws: (_spend(ws), None)),
        Req("GET", "exchange-rate-list", nothing),
        Req("GET", "exchange-rate-detail", lambda ws: (_rate(ws), None)),
    ]
    requests["budget.edit"] = [
        Req(
            "POST",
            "budget-list",
            lambda ws: ({}, {"name": "Q3", "starts_on": "2026-07-01", "ends_on": "2026-09-30"}),
        ),
        Req("PATCH", "budget-detail", lambda ws: (_budget(ws), {"name": "Renamed"})),
        Req("DELETE", "budget-detail", lambda ws: (_budget(ws), None)),
        Req("POST", "budget-line-list", lambda ws: (_budget(ws), {"category": "tools", "planned": "800"})),
        Req("PATCH", "budget-line-detail", lambda ws: (_line(ws), {"planned": "900"})),
        Req("DELETE", "budget-line-detail", lambda ws: (_line(ws), None)),
        Req("POST", "spend-list", _new_spend),
        Req("PATCH", "spend-detail", lambda ws: (_spend(ws), {"vendor": "Weibo Ads"})),
        Req("DELETE", "spend-detail", lambda ws: (_spend(ws), None)),
        Req(
            "POST",
            "exchange-rate-list",
            lambda ws: ({}, {"on": "2026-01-01", "base": "USD", "quote": "CNY", "rate": "7.1"}),
        ),
        Req("DELETE", "exchange-rate-detail", lambda ws: (_rate(ws), None)),
    ]

    requests["analytics.view"] += [
        Req("GET", "objective-list", nothing),
        Req("GET", "objective-detail", lambda ws: (_objective(ws), None)),
    ]
    requests["objective.edit"] = [
        Req(
            "POST",
            "objective-list",
            lambda ws: (
                {},
                {
                    "name": "Q1 views",
                    "period": "quarter",
                    "starts_on": "2027-01-01",
                    "kpi": "views",
                    "target": "5000",
                },
            ),
        ),
        Req("PATCH", "objective-detail", lambda ws: (_objective(ws), {"target": "9000"})),
        Req("DELETE", "objective-detail", lambda ws: (_objective(ws), None)),
    ]
    requests["budget.approve"] = [
        Req("GET", "spend-waiting", nothing),
        Req("POST", "spend-decision", lambda ws: (_spend(ws, "pending"), {"approve": True})),
    ]
