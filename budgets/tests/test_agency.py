"""Issue 15, acceptance 4: an agency's lines and the spend it manages are visible to the client, and an
agency person enters spend on their agency's lines without seeing any other line (404), in the API and the
pages; the totals they see add up to their lines only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from approvals.models import BudgetNotificationKind, Notification
from budgets import services
from budgets.models import BudgetLine, SpendEntry
from budgets.money import money_format

pytestmark = pytest.mark.django_db


def _agency_person(workspace, name, role=Role.MANAGER):
    agency = AgencyFactory(name=name)
    grant = AgencyGrantFactory(workspace=workspace, agency=agency, role_ceiling=Role.MANAGER)
    person = MembershipFactory(organization=agency, role=OrgRole.MEMBER).user
    WorkspaceMemberFactory(workspace=workspace, user=person, role=role, grant=grant)
    return agency, grant, person


@pytest.fixture
def world():
    """A client workspace with its own manager and two agencies (Alpha, Beta), each with a manager-role
    person; a budget with one line per agency and one of the client's own, and spend on each."""
    workspace = WorkspaceFactory(currency="CNY")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    alpha, alpha_grant, alpha_person = _agency_person(workspace, "Alpha Agency")
    beta, _beta_grant, beta_person = _agency_person(workspace, "Beta Agency")
    budget = services.budget_create(
        workspace=workspace,
        actor=manager,
        name="Q1",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
    )

    def line(planned, agency=None, name=""):
        return services.budget_line_create(
            workspace=workspace,
            actor=manager,
            budget=budget,
            category="kol_fees",
            planned=planned,
            agency=agency,
            name=name,
        )

    alpha_line = line("4000", alpha, "Alpha KOLs")
    beta_line = line("3000", beta.pk, "Beta KOLs")
    own_line = line("5000", None, "In-house")

    def spend(on, amount, vendor):
        return services.spend_entry_create(
            workspace=workspace,
            actor=manager,
            budget=budget,
            line=on,
            spent_on=datetime.date(2026, 1, 10),
            amount=amount,
            vendor=vendor,
        )

    alpha_spend = spend(alpha_line, "1000.50", "Alpha vendor")
    beta_spend = spend(beta_line, "700", "Beta vendor")
    own_spend = spend(own_line, "2000", "Own vendor")
    return dict(
        workspace=workspace,
        manager=manager,
        alpha=alpha,
        alpha_grant=alpha_grant,
        alpha_person=alpha_person,
        beta=beta,
        beta_person=beta_person,
        budget=budget,
        alpha_line=alpha_line,
        beta_line=beta_line,
        own_line=own_line,
        alpha_spend=alpha_spend,
        beta_spend=beta_spend,
        own_spend=own_spend,
    )


def api_url(name, w, **kwargs):
    return reverse(name, kwargs={"workspace_id": w["workspace"].pk, **kwargs})


# --- API ----------------------------------------------------------------------------------------------


def test_agency_person_sees_only_their_lines_and_totals_of_those_lines(world, client_for):
    # given
    w = world
    api = client_for(w["alpha_person"])
    budget_id = w["budget"].pk
    # when
    listed = api.get(api_url("budget-list", w)).json()
    detail = api.get(api_url("budget-detail", w, budget_id=budget_id)).json()
    lines = api.get(api_url("budget-line-list", w, budget_id=budget_id)).json()
    spend = api.get(api_url("spend-list", w, budget_id=budget_id)).json()
    burn = api.get(api_url("budget-burn-down", w, budget_id=budget_id)).json()
    # then: Alpha's line alone (planned 4000, spent 1000.50), never the budget's 12000 / 3700.50
    assert [b["id"] for b in listed] == [budget_id]
    assert listed[0]["planned"] == "4000" and listed[0]["totals"]["used"] == "1000.5"
    assert detail["planned"] == "4000" and detail["remaining"] == "2999.5"
    assert [line["id"] for line in detail["lines"]] == [w["alpha_line"].pk]
    assert detail["categories"]["kol_fees"]["used"] == "1000.5"
    assert sum(Decimal(c["used"]) for c in detail["campaigns"]) == Decimal("1000.5")
    assert [line["id"] for line in lines] == [w["alpha_line"].pk]
    assert [entry["id"] for entry in spend] == [w["alpha_spend"].pk]
    assert burn["planned"] == "4000"


def test_agency_person_gets_404_for_any_other_line_or_entry(world, client_for):
    # given
    w = world
    api = client_for(w["alpha_person"])
    budget_id = w["budget"].pk
    others = [(w["beta_line"], w["beta_spend"]), (w["own_line"], w["own_spend"])]
    for line, entry in others:
        line_url = api_url("budget-line-detail", w, budget_id=budget_id, line_id=line.pk)
        entry_url = api_url("spend-detail", w, budget_id=budget_id, spend_id=entry.pk)
        decision_url = api_url("spend-decision", w, budget_id=budget_id, spend_id=entry.pk)
        receipt_url = api_url("spend-receipt", w, budget_id=budget_id, spend_id=entry.pk)
        # then: reading or writing it is a 404, as if it did not exist
        assert api.get(line_url).status_code == 404
        assert api.patch(line_url, {"planned": "1"}, format="json").status_code == 404
        assert api.delete(line_url).status_code == 404
        assert api.get(entry_url).status_code == 404
        assert api.patch(entry_url, {"vendor": "mine now"}, format="json").status_code == 404
        assert api.delete(entry_url).status_code == 404
        assert api.post(decision_url, {"approve": True}, format="json").status_code == 404
        assert api.get(receipt_url).status_code == 404
    # and nothing changed
    assert SpendEntry.objects.filter(pk=w["beta_spend"].pk, vendor="Beta vendor").exists()
    assert SpendEntry.objects.filter(pk=w["own_spend"].pk).exists()


def test_agency_person_enters_spend_on_their_line_only(world, client_for):
    # given
    w = world
    api = client_for(w["alpha_person"])
    spend_url = api_url("spend-list", w, budget_id=w["budget"].pk)
    body = {"spent_on": "2026-02-01", "amount": "99.50", "vendor": "KOL Li"}
    # when
    on_beta = api.post(spend_url, {**body, "line": w["beta_line"].pk}, format="json")
    on_alpha = api.post(spend_url, {**body, "line": w["alpha_line"].pk}, format="json")
    moved = api.patch(
        api_url("spend-detail", w, budget_id=w["budget"].pk, spend_id=w["alpha_spend"].pk),
        {"line": w["own_line"].pk},
        format="json",
    )
    # then: another line is not a choice (400 on `line`), their own works
    assert on_beta.status_code == 400 and "line" in on_beta.json()["error"]["fields"]
    assert on_alpha.status_code == 201, on_alpha.json()
    assert moved.status_code == 400 and "line" in moved.json()["error"]["fields"]
    assert SpendEntry.objects.get(pk=w["alpha_spend"].pk).line_id == w["alpha_line"].pk
    detail = api.get(api_url("budget-detail", w, budget_id=w["budget"].pk)).json()
    assert detail["totals"]["used"] == "1100"  # 1000.50 + 99.50


def test_the_plan_is_the_clients_to_change(world, client_for):
    # given: Alpha's person holds budget.edit (manager), yet the budget and its lines are the client's
    w = world
    api = client_for(w["alpha_person"])
    budget_url = api_url("budget-detail", w, budget_id=w["budget"].pk)
    own_line_url = api_url("budget-line-detail", w, budget_id=w["budget"].pk, line_id=w["alpha_line"].pk)
    # then
    assert api.patch(budget_url, {"name": "Ours"}, format="json").status_code == 403
    assert api.delete(budget_url).status_code == 403
    assert api.patch(own_line_url, {"planned": "90000"}, format="json").status_code == 403
    assert (
        api.post(
            api_url("budget-line-list", w, budget_id=w["budget"].pk),
            {"category": "tools", "planned": "1"},
            format="json",
        ).status_code
        == 403
    )
    created = api.post(
        api_url("budget-list", w),
        {"name": "Mine", "starts_on": "2026-01-01", "ends_on": "2026-01-31"},
        format="json",
    )
    assert created.status_code == 403
    assert BudgetLine.objects.get(pk=w["alpha_line"].pk).planned == Decimal("4000")


def test_a_budget_without_a_line_of_the_agency_is_404_to_it(world, client_for):
    # given
    w = world
    other = services.budget_create(
        workspace=w["workspace"],
        actor=w["manager"],
        name="Q2",
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 6, 30),
    )
    api = client_for(w["alpha_person"])
    # then
    assert [b["id"] for b in api.get(api_url("budget-list", w)).json()] == [w["budget"].pk]
    assert api.get(api_url("budget-detail", w, budget_id=other.pk)).status_code == 404
    assert api.get(api_url("spend-list", w, budget_id=other.pk)).status_code == 404


def test_the_client_sees_every_line_with_its_agency_named(world, client_for):
    w = world
    detail = client_for(w["manager"]).get(api_url("budget-detail", w, budget_id=w["budget"].pk)).json()
    assert detail["planned"] == "12000" and detail["totals"]["used"] == "3700.5"
    assert {line["name"]: line["agency_name"] for line in detail["lines"]} == {
        "Alpha KOLs": "Alpha Agency",
        "Beta KOLs": "Beta Agency",
        "In-house": None,
    }


def test_a_line_goes_only_to_an_agency_with_an_active_grant(world, client_for):
    # given: an agency never let in, and Alpha's grant revoked
    w = world
    stranger = AgencyFactory(name="Stranger")
    api = client_for(w["manager"])
    lines_url = api_url("budget-line-list", w, budget_id=w["budget"].pk)
    # when
    refused = api.post(
        lines_url, {"category": "tools", "planned": "10", "agency": stranger.pk}, format="json"
    )
    w["alpha_grant"].revoked_at = timezone.now()
    w["alpha_grant"].save()
    revoked = api.post(
        lines_url, {"category": "tools", "planned": "10", "agency": w["alpha"].pk}, format="json"
    )
    kept = api.patch(
        api_url("budget-line-detail", w, budget_id=w["budget"].pk, line_id=w["alpha_line"].pk),
        {"planned": "4500"},
        format="json",
    )
    # then
    assert refused.status_code == 400 and "agency" in refused.json()["error"]["fields"]
    assert revoked.status_code == 400 and "agency" in revoked.json()["error"]["fields"]
    assert kept.status_code == 200 and kept.json()["agency"] == w["alpha"].pk  # an edit keeps it


def test_alerts_reach_an_agency_only_about_its_own_line(world):
    # given: Alpha's line reaches 100 % (1000.50 + 3000 of 4000) and Beta's 80 %+ (700 + 1800 of 3000)
    w = world
    for line, amount in ((w["alpha_line"], "3000"), (w["beta_line"], "1800")):
        services.spend_entry_create(
            workspace=w["workspace"],
            actor=w["manager"],
            budget=w["budget"],
            line=line,
            spent_on=datetime.date(2026, 1, 20),
            amount=amount,
        )
    # when
    notices = Notification.objects.filter(kind=BudgetNotificationKind.BUDGET_THRESHOLD)
    alpha_messages = list(notices.filter(recipient=w["alpha_person"]).values_list("message", flat=True))
    beta_messages = list(notices.filter(recipient=w["beta_person"]).values_list("message", flat=True))
    # then
    assert alpha_messages and all("Alpha KOLs" in m for m in alpha_messages)
    assert beta_messages and all("Beta KOLs" in m for m in beta_messages)
    assert notices.filter(recipient=w["manager"]).count() >= 2


# --- pages --------------------------------------------------------------------------------------------


def page(name, w, *args):
    return reverse(name, args=[w["workspace"].pk, *args])


def test_pages_show_an_agency_person_their_lines_and_totals_only(world, client):
    # given
    w = world
    client.force_login(w["alpha_person"])
    # when
    listing = client.get(reverse("dashboard:budgets", args=[w["workspace"].pk])).content.decode()
    detail = client.get(page("budgets:detail", w, w["budget"].pk)).content.decode()
    # then
    assert money_format(Decimal("4000"), "CNY") in listing
    assert money_format(Decimal("12000"), "CNY") not in listing
    assert "Alpha KOLs" in detail and "Alpha vendor" in detail
    assert "Beta KOLs" not in detail and "In-house" not in detail and "Own vendor" not in detail
    assert money_format(Decimal("1000.50"), "CNY") in detail
    assert money_format(Decimal("3700.50"), "CNY") not in detail
    assert 'data-testid="budget-edit"' not in detail  # the plan is not theirs
    assert 'data-testid="budget-form"' not in listing


def test_pages_are_404_for_another_line_and_403_for_the_plan(world, client):
    # given
    w = world
    client.force_login(w["alpha_person"])
    budget = w["budget"].pk
    # then
    for entry in (w["beta_spend"], w["own_spend"]):
        assert client.get(page("budgets:spend_edit", w, budget, entry.pk)).status_code == 404
        assert (
            client.post(page("budgets:spend_edit", w, budget, entry.pk), {"action": "delete"}).status_code
            == 404
        )
        assert (
            client.post(page("budgets:spend_decide", w, budget, entry.pk), {"approve": "1"}).status_code
            == 404
        )
    assert client.get(page("budgets:edit", w, budget)).status_code == 403
    assert client.post(page("budgets:delete", w, budget)).status_code == 403
    refused = client.post(
        page("budgets:spend_new", w, budget),
        {
            "line": w["beta_line"].pk,
            "spent_on": "2026-01-12",
            "amount": "10",
            "currency": "CNY",
            "kind": "actual",
        },
    )
    assert refused.status_code == 400 and 'id="id_line_error"' in refused.content.decode()
    form = client.get(page("budgets:spend_new", w, budget)).content.decode()
    assert "Alpha KOLs" in form and "Beta KOLs" not in form
    recorded = client.post(
        page("budgets:spend_new", w, budget),
        {
            "line": w["alpha_line"].pk,
            "spent_on": "2026-01-12",
            "amount": "10",
            "currency": "CNY",
            "kind": "actual",
        },
    )
    assert recorded.status_code == 302
    assert SpendEntry.objects.filter(line=w["alpha_line"], amount=Decimal("10")).exists()
    assert SpendEntry.objects.filter(pk=w["beta_spend"].pk).exists()


def test_the_client_assigns_a_line_to_an_agency_and_sees_it_named(world, client):
    # given
    w = world
    client.force_login(w["manager"])
    budget = w["budget"].pk
    # when: the own line goes to Beta from the budget's edit page
    response = client.post(
        page("budgets:edit", w, budget),
        {
            "action": "line_update",
            "line": w["own_line"].pk,
            "planned": "5000",
            "cap_mode": "soft",
            "agency": w["beta"].pk,
        },
    )
    detail = client.get(page("budgets:detail", w, budget)).content.decode()
    # then
    assert response.status_code == 302
    assert BudgetLine.objects.get(pk=w["own_line"].pk).agency_id == w["beta"].pk
    assert detail.count('data-testid="line-agency"') == 3
    assert "managed by Alpha Agency" in detail and "managed by Beta Agency" in detail
