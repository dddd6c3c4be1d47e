"""Budgets in a real browser, in English and in Chinese: from the navigation, create a quarterly budget,
plan two lines, enter a USD rate, record spend in CNY (a refused amount first, its message next to the
field) and in USD, and see the totals and the burn-down. Saves budget-en.png and budget-zh.png (shown in
the README tour)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from budgets import selectors
from budgets.models import Budget, SpendEntry
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"decimals": "CNY has 2 decimal places", "recorded": "Spend recorded."},
    "zh-hans": {"decimals": "CNY 最多有 2 位小数", "recorded": "支出已录入。"},
}


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = day.replace(month=first_month, day=1)
    after = (start + datetime.timedelta(days=95)).replace(day=1)
    return start, after - datetime.timedelta(days=1)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_create_a_budget_enter_spend_in_cny_and_usd_and_see_the_burn_down(browser, live_server, language):
    # given
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai", currency="CNY")
    admin = UserFactory(email="mei.wang@example.com", full_name="Mei Wang", language=language)
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    page = signed_in(new_page(browser), live_server, admin)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    text = TEXT[language]
    today = timezone.localdate(timezone.now(), workspace.tzinfo)
    start, end = quarter_of(today)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # when: Budgets in the navigation, a new quarterly budget
    page.click(f'[data-testid="main-nav"] a[href="/w/{workspace.pk}/budgets/"]')
    form = page.locator('[data-testid="budget-form"]')
    form.locator('input[name="name"]').fill("Spring launch")
    form.locator('input[name="starts_on"]').fill(start.isoformat())
    form.locator('input[name="ends_on"]').fill(end.isoformat())
    form.locator('[data-testid="budget-create"]').click()
    # then: on its lines page; plan two lines
    line_form = page.locator('[data-testid="line-form"]')
    line_form.locator('select[name="category"]').select_option("paid_promotion")
    line_form.locator('select[name="platform"]').select_option("weibo")
    line_form.locator('input[name="planned"]').fill("20000")
    line_form.locator('[data-testid="line-add"]').click()
    line_form = page.locator('[data-testid="line-form"]')
    line_form.locator('select[name="category"]').select_option("kol_fees")
    line_form.locator('input[name="name"]').fill("Xiaohongshu KOC")
    line_form.locator('input[name="planned"]').fill("30000")
    line_form.locator('[data-testid="line-add"]').click()
    expect(page.locator('[data-testid="line-edit-row"]')).to_have_count(2)
    budget = Budget.objects.get(workspace=workspace)

    # when: a USD rate on the exchange rates page
    page.click('[data-testid="budgets-rates-link"]')
    rate_form = page.locator('[data-testid="rate-form"]')
    rate_form.locator('input[name="on"]').fill(start.isoformat())
    rate_form.locator('select[name="base"]').select_option("USD")
    rate_form.locator('select[name="quote"]').select_option("CNY")
    rate_form.locator('input[name="rate"]').fill("7.2")
    rate_form.locator('[data-testid="rate-save"]').click()
    expect(page.locator('[data-testid="rate-row"]')).to_contain_text("1 USD = 7.2 CNY")

    # when: back to the budget, spend in CNY with too many decimals
    page.click('[data-testid="budgets-all"]')
    page.click('[data-testid="budget-link"]')
    page.click('[data-testid="spend-new"]')
    spend = page.locator('[data-testid="spend-form"]')
    spend.locator('select[name="line"]').select_option(str(budget.lines.get(category="paid_promotion").pk))
    spend.locator('input[name="amount"]').fill("12000.555")
    spend.locator('input[name="vendor"]').fill("Weibo Ads")
    spend.locator('[data-testid="spend-save"]').click()
    # then: refused, the message next to the amount
    expect(page.locator("#id_amount_error")).to_contain_text(text["decimals"])
    assert not SpendEntry.objects.exists()
    # when: corrected
    spend = page.locator('[data-testid="spend-form"]')
    spend.locator('input[name="amount"]').fill("12000.50")
    spend.locator('[data-testid="spend-save"]').click()
    expect(page.locator(".flash-stack")).to_contain_text(text["recorded"])
    # and spend in USD on the KOC line
    page.click('[data-testid="spend-new"]')
    spend = page.locator('[data-testid="spend-form"]')
    spend.locator('select[name="line"]').select_option(str(budget.lines.get(category="kol_fees").pk))
    spend.locator('input[name="amount"]').fill("1500")
    spend.locator('select[name="currency"]').select_option("USD")
    spend.locator('input[name="vendor"]').fill("KOC studio")
    spend.locator('[data-testid="spend-save"]').click()

    # then: the totals in CNY, the USD entry converted at 7.2, and the burn-down drawn
    expect(page.locator('[data-testid="spend-row"]')).to_have_count(2)
    expect(page.locator('[data-testid="total-paid"]')).to_contain_text("22,800.50")
    expect(page.locator('[data-testid="kpi-left"]')).to_contain_text("27,199.50")
    expect(page.locator('[data-testid="chart-burndown"]')).to_have_attribute("data-chart-ready", "1")
    expect(page.locator('[data-testid="chart-lines"]')).to_have_attribute("data-chart-ready", "1")
    totals = selectors.budget_totals(budget)
    assert totals.figures.actual == Decimal("22800.50")
    page.screenshot(
        path=str(SCREENSHOTS / f"budget-{'en' if language == 'en' else 'zh'}.png"), full_page=True
    )
    page.context.close()
