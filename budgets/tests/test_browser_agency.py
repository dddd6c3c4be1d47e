"""An agency person in a real browser, in English and in Chinese (issue 15, acceptance 4): from the
navigation, the client's budget shows only the line assigned to their agency and totals of it alone; they
record spend on it; the client's own line is nowhere. Saves budget-agency-en.png and budget-agency-zh.png."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from budgets import services
from budgets.models import SpendEntry
from budgets.tests.test_browser import quarter_of
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"scope": "You see the lines your agency manages", "recorded": "Spend recorded."},
    "zh-hans": {"scope": "您看到的是贵代理商为该客户管理的预算行", "recorded": "支出已录入。"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_agency_person_records_spend_on_their_line_and_sees_no_other(browser, live_server, language):
    # given: the client's budget with a KOL line managed by Red Kite Agency (12,000) and its own ads line
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai", currency="CNY")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    agency = AgencyFactory(name="Red Kite Agency")
    grant = AgencyGrantFactory(workspace=workspace, agency=agency, role_ceiling=Role.MANAGER)
    person = UserFactory(email="li.na@redkite.example", full_name="Li Na", language=language)
    MembershipFactory(organization=agency, user=person, role=OrgRole.MEMBER)
    WorkspaceMemberFactory(workspace=workspace, user=person, role=Role.MANAGER, grant=grant)
    start, end = quarter_of(timezone.localdate(timezone.now(), workspace.tzinfo))
    budget = services.budget_create(
        workspace=workspace, actor=manager, name="Spring launch", starts_on=start, ends_on=end
    )
    kol = services.budget_line_create(
        workspace=workspace,
        actor=manager,
        budget=budget,
        category="kol_fees",
        planned="12000",
        name="Xiaohongshu KOCs",
        agency=agency,
    )
    own = services.budget_line_create(
        workspace=workspace,
        actor=manager,
        budget=budget,
        category="paid_promotion",
        planned="30000",
        name="Weibo ads",
    )
    services.spend_entry_create(
        workspace=workspace,
        actor=manager,
        budget=budget,
        line=own,
        spent_on=start,
        amount="9000",
        vendor="Weibo Ads",
    )
    page = signed_in(new_page(browser), live_server, person)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    text = TEXT[language]
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # when: Budgets in the navigation, the budget, record spend
    page.click(f'[data-testid="main-nav"] a[href="/w/{workspace.pk}/budgets/"]')
    page.click('[data-testid="budget-link"]')
    expect(page.locator('[data-testid="agency-scope"]')).to_contain_text(text["scope"])
    expect(page.locator('[data-testid="budget-edit"]')).to_have_count(0)
    page.click('[data-testid="spend-new"]')
    form = page.locator('[data-testid="spend-form"]')
    options = form.locator('select[name="line"] option')
    expect(options).to_have_count(1)
    expect(options).to_have_attribute("value", str(kol.pk))
    form.locator('input[name="amount"]').fill("2500")
    form.locator('input[name="vendor"]').fill("KOC Studio Shanghai")
    form.locator('[data-testid="spend-save"]').click()

    # then: their line alone, with totals of it alone (12,000 planned, 2,500 paid, 9,500 left)
    expect(page.locator(".flash-stack")).to_contain_text(text["recorded"])
    expect(page.locator('[data-testid="line-row"]')).to_have_count(1)
    expect(page.locator('[data-testid="line-row"]')).to_contain_text("Xiaohongshu KOCs")
    expect(page.locator('[data-testid="kpi-planned"]')).to_contain_text("12,000.00")
    expect(page.locator('[data-testid="kpi-left"]')).to_contain_text("9,500.00")
    expect(page.locator('[data-testid="spend-row"]')).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text("Weibo ads")
    expect(page.locator("body")).not_to_contain_text("30,000")
    assert SpendEntry.objects.filter(line=kol, created_by=person).count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"budget-agency-{'en' if language == 'en' else 'zh'}.png"), full_page=True
    )
    page.context.close()
