"""A budget as CSV, XLSX and PDF (issue 15): lines, spend, totals per line, category and campaign in the
budget's currency; the files are parsed and their totals add up, by hand-computed figures."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from budgets import services
from content.tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    """CNY budget; 1 USD = 7.2 CNY. KOL line (10000): 1000.50 CNY paid, 100 USD committed (720 CNY);
    ads line (5000, Alpha Agency's): 300 CNY paid for the Spring campaign."""
    workspace = WorkspaceFactory(currency="CNY")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    agency = AgencyFactory(name="Alpha Agency")
    grant = AgencyGrantFactory(workspace=workspace, agency=agency, role_ceiling=Role.ANALYST)
    agency_person = MembershipFactory(organization=agency, role=OrgRole.MEMBER).user
    WorkspaceMemberFactory(workspace=workspace, user=agency_person, role=Role.ANALYST, grant=grant)
    campaign = CampaignFactory(workspace=workspace, name="Spring")
    services.exchange_rate_set(
        workspace=workspace, actor=manager, on=datetime.date(2026, 1, 1), base="USD", quote="CNY", rate="7.2"
    )
    budget = services.budget_create(
        workspace=workspace,
        actor=manager,
        name="Q1 2026",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
    )
    kol = services.budget_line_create(
        workspace=workspace, actor=manager, budget=budget, category="kol_fees", planned="10000", name="KOL"
    )
    ads = services.budget_line_create(
        workspace=workspace,
        actor=manager,
        budget=budget,
        category="paid_promotion",
        planned="5000",
        name="Ads",
        agency=agency,
    )
    for line, amount, currency, kind, on_campaign in (
        (kol, "1000.50", "CNY", "actual", None),
        (kol, "100", "USD", "commitment", None),
        (ads, "300", "CNY", "actual", campaign),
    ):
        services.spend_entry_create(
            workspace=workspace,
            actor=manager,
            budget=budget,
            line=line,
            spent_on=datetime.date(2026, 1, 15),
            amount=amount,
            currency=currency,
            kind=kind,
            campaign=on_campaign,
            vendor=f"Vendor {amount}",
        )
    return workspace, manager, agency_person, budget


def sections(body: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables by title: [header, rows...]."""
    assert body.startswith("\ufeff".encode())
    found, title = {}, None
    for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
        if not row:
            title = None
        elif title is None:
            title = row[0]
            found[title] = []
        else:
            found[title].append(row)
    return found


def column(table, name) -> list[Decimal]:
    index = table[0].index(name)
    return [Decimal(row[index]) for row in table[1:] if row[index] != ""]


def test_csv_has_every_table_and_its_totals_add_up(setup, client_for):
    workspace, manager, _agency_person, budget = setup
    response = client_for(manager).get(
        reverse("budget-export", args=[workspace.pk, budget.pk]) + "?file_format=csv"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    tables = sections(response.content)
    assert list(tables) == ["Lines", "Spend", "By category", "By campaign"]
    lines = tables["Lines"]
    *line_rows, total = lines[1:]
    assert [row[0] for row in line_rows] == ["KOL/KOC fees · KOL", "Paid promotion · Ads"]
    assert [row[2] for row in line_rows] == ["", "Alpha Agency"]
    header = lines[0]
    assert total[0] == "Total"
    assert total[header.index("Planned")] == "15000.00"
    assert total[header.index("Paid")] == "1300.50"
    assert total[header.index("Committed")] == "720.00"
    assert total[header.index("Left")] == "12979.50"
    assert sum(column([header, *line_rows], "Paid")) == Decimal("1300.50")
    spend = tables["Spend"]
    assert sorted(column(spend, "In CNY")) == [Decimal("300.00"), Decimal("720.00"), Decimal("1000.50")]
    assert sum(column(spend, "In CNY")) == Decimal("2020.50")  # = paid 1300.50 + committed 720
    assert sum(column(tables["By category"], "Used")) == Decimal("2020.50")
    campaigns = {row[0]: row[3] for row in tables["By campaign"][1:]}
    assert campaigns == {"Spring": "300.00", "No campaign": "1720.50"}


def test_xlsx_one_sheet_per_table_with_the_same_figures(setup, client):
    workspace, manager, _agency_person, budget = setup
    client.force_login(manager)
    response = client.get(reverse("budgets:export", args=[workspace.pk, budget.pk]) + "?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Lines", "Spend", "By category", "By campaign"]
    rows = list(book["Lines"].iter_rows(values_only=True))
    header, total = rows[0], rows[-1]
    assert total[0] == "Total"
    assert Decimal(str(total[header.index("Paid")])) == Decimal("1300.5")
    spend = list(book["Spend"].iter_rows(values_only=True))
    assert sum(Decimal(str(r[-1])) for r in spend[1:]) == Decimal("2020.5")


def test_pdf_and_a_bad_format_and_the_buttons(setup, client):
    workspace, manager, _agency_person, budget = setup
    client.force_login(manager)
    base = reverse("budgets:export", args=[workspace.pk, budget.pk])
    pdf = client.get(base + "?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    assert client.get(base + "?format=doc").status_code == 404
    page = client.get(reverse("budgets:detail", args=[workspace.pk, budget.pk])).content.decode()
    for fmt in ("csv", "xlsx", "pdf"):
        assert f'href="{base}?format={fmt}"' in page


def test_an_agency_persons_file_holds_their_lines_alone(setup, client_for):
    workspace, _manager, agency_person, budget = setup
    response = client_for(agency_person).get(
        reverse("budget-export", args=[workspace.pk, budget.pk]) + "?file_format=csv"
    )
    tables = sections(response.content)
    assert [row[0] for row in tables["Lines"][1:]] == ["Paid promotion · Ads", "Total"]
    assert column(tables["Spend"], "In CNY") == [Decimal("300.00")]
    assert "Vendor 1000.50" not in response.content.decode("utf-8-sig")
