"""The budgets API: the same services as the pages, money as exact strings, field-level 400s."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client_for):
    workspace = WorkspaceFactory(currency="CNY")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    admin = WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN).user
    return workspace, client_for(manager), client_for(admin)


def url(name, workspace, **kwargs):
    return reverse(name, kwargs={"workspace_id": workspace.pk, **kwargs})


def make_budget(workspace, api, **extra):
    body = {"name": "Q1 2026", "starts_on": "2026-01-01", "ends_on": "2026-03-31", **extra}
    response = api.post(url("budget-list", workspace), body, format="json")
    assert response.status_code == 201, response.json()
    budget = response.json()
    response = api.post(
        url("budget-line-list", workspace, budget_id=budget["id"]),
        {"category": "kol_fees", "platform": "weibo", "planned": "10000"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return budget, response.json()


def test_spend_in_cny_and_usd_adds_up_in_the_budgets_currency(world):
    workspace, api, _admin = world
    budget, line = make_budget(workspace, api)
    assert budget["currency"] == "CNY"  # the workspace's reporting currency
    rate = api.post(
        url("exchange-rate-list", workspace),
        {"on": "2026-01-01", "base": "USD", "quote": "CNY", "rate": "7.2"},
    )
    assert rate.status_code == 201
    spend = url("spend-list", workspace, budget_id=budget["id"])
    cny = api.post(
        spend, {"line": line["id"], "spent_on": "2026-01-05", "amount": "1000.50", "currency": "CNY"}
    )
    usd = api.post(
        spend,
        {
            "line": line["id"],
            "spent_on": "2026-01-06",
            "amount": "100",
            "currency": "USD",
            "kind": "commitment",
        },
    )
    assert cny.status_code == 201 and usd.status_code == 201, usd.json()
    assert usd.json()["converted"] == "720"
    detail = api.get(url("budget-detail", workspace, budget_id=budget["id"])).json()
    assert detail["totals"] == {"actual": "1000.5", "committed": "720", "pending": "0", "used": "1720.5"}
    assert detail["lines"][0]["totals"]["used"] == "1720.5"
    assert detail["categories"]["kol_fees"]["used"] == "1720.5"
    assert Decimal(detail["remaining"]) == Decimal("8279.50")
    burn = api.get(url("budget-burn-down", workspace, budget_id=budget["id"])).json()
    assert len(burn["dates"]) == 90 and burn["ideal"][-1] == "0"


def test_a_bad_amount_is_a_400_naming_the_field(world):
    workspace, api, _admin = world
    budget, line = make_budget(workspace, api)
    response = api.post(
        url("spend-list", workspace, budget_id=budget["id"]),
        {"line": line["id"], "spent_on": "2026-01-05", "amount": "10.999", "currency": "CNY"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "amount": ["CNY has 2 decimal places: enter at most that many."]
    }


def test_a_receipt_is_uploaded_and_downloaded(world):
    workspace, api, _admin = world
    budget, line = make_budget(workspace, api)
    receipt = SimpleUploadedFile("fapiao.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    response = api.post(
        url("spend-list", workspace, budget_id=budget["id"]),
        {"line": line["id"], "spent_on": "2026-01-05", "amount": "88", "receipt": receipt},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    download = api.get(response.json()["receipt"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 receipt"


def test_spend_above_the_threshold_waits_then_is_approved_by_someone_else(world):
    workspace, api, admin_api = world
    budget, line = make_budget(workspace, api, approval_threshold="5000")
    entry = api.post(
        url("spend-list", workspace, budget_id=budget["id"]),
        {"line": line["id"], "spent_on": "2026-01-05", "amount": "6000"},
    ).json()
    assert entry["status"] == "pending"
    assert api.get(url("budget-detail", workspace, budget_id=budget["id"])).json()["totals"]["actual"] == "0"
    decision = url("spend-decision", workspace, budget_id=budget["id"], spend_id=entry["id"])
    assert api.post(decision, {"approve": True}).status_code == 403  # not your own spend
    assert [e["id"] for e in admin_api.get(url("spend-waiting", workspace)).json()] == [entry["id"]]
    response = admin_api.post(decision, {"approve": True})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert (
        api.get(url("budget-detail", workspace, budget_id=budget["id"])).json()["totals"]["actual"] == "6000"
    )
    assert AuditEvent.objects.filter(workspace=workspace, action="spend.approve").count() == 1


def test_rates_import_from_csv(world):
    workspace, api, _admin = world
    upload = SimpleUploadedFile(
        "rates.csv", b"date,currency,in,rate\n2026-01-01,USD,CNY,7.2\n2026-02-01,USD,CNY,7.25\n"
    )
    response = api.post(url("exchange-rate-import", workspace), {"file": upload}, format="multipart")
    assert response.status_code == 201 and response.json() == {"imported": 2}
    rates = api.get(url("exchange-rate-list", workspace)).json()
    assert [r["rate"] for r in rates] == ["7.25", "7.2"]


def test_a_line_of_another_budget_is_404(world):
    workspace, api, _admin = world
    budget, _line = make_budget(workspace, api)
    other, other_line = make_budget(workspace, api)
    response = api.get(url("budget-line-detail", workspace, budget_id=budget["id"], line_id=other_line["id"]))
    assert response.status_code == 404
