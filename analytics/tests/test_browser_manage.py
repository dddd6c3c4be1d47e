"""The analytics configuration screens in a real browser, in English and in Chinese: from the Analytics
navigation, add a formula metric on the Metrics tab (a refused formula first, its message next to the
field) and see it in the metrics table; change the engagement rate reports lead with (Settings tab) and
see the Metrics tab mark it; create a scheduled email report. Saves custom-metrics-<en|zh>.png and
scheduled-reports-<en|zh>.png in the screenshots folder."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.models import AnalyticsSettings, CustomMetric, ScheduledReport
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"unknown": "Unknown metric: folowers.", "saved": "Analytics settings saved."},
    "zh-hans": {"unknown": "未知指标：folowers。", "saved": "数据分析设置已保存。"},
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_formula_metric_the_lead_rate_and_a_scheduled_report_from_the_analytics_navigation(
    browser, live_server, language
):
    # given
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    admin = UserFactory(email="mei.wang@example.com", full_name="Mei Wang", language=language)
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    analyst = UserFactory(email="li.na@example.com", full_name="Li Na")
    WorkspaceMemberFactory(workspace=workspace, user=analyst, role=Role.ANALYST)
    page = signed_in(new_page(browser), live_server, admin)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    text = TEXT[language]
    shot = "en" if language == "en" else "zh"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    # when: Analytics in the navigation, then the Metrics tab
    page.click(f'[data-testid="main-nav"] a[href="/w/{workspace.pk}/analytics/"]')
    page.click('[data-testid="analytics-tabs"] [data-tab="metrics"]')
    form = page.locator('[data-testid="custom-metric-form"]')
    form.locator('input[name="name"]').fill("Engagements per 1,000 followers")
    form.locator('input[name="formula"]').fill("engagements / folowers * 1000")
    form.locator('[data-testid="custom-metric-submit"]').click()
    # then: refused, the message next to the formula
    expect(page.locator("#id_formula_error")).to_contain_text(text["unknown"])
    assert not CustomMetric.objects.exists()
    # when: corrected
    form = page.locator('[data-testid="custom-metric-form"]')
    form.locator('input[name="formula"]').fill("engagements / followers * 1000")
    form.locator('[data-testid="custom-metric-submit"]').click()
    # then: in the metrics table
    row = page.locator('[data-testid="custom-metric-row"]')
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Engagements per 1,000 followers")
    expect(row).to_contain_text("engagements / followers * 1000")
    assert CustomMetric.objects.get(workspace=workspace).formula == "engagements / followers * 1000"
    page.locator('[data-testid="custom-metrics"]').screenshot(
        path=str(SCREENSHOTS / f"custom-metrics-{shot}.png")
    )

    # when: the Settings tab, lead with the rate by followers
    page.click('[data-testid="analytics-tabs"] [data-tab="settings"]')
    page.check('input[name="lead_engagement_rate"][value="by_followers"]')
    page.click('[data-testid="analytics-settings-submit"]')
    # then
    expect(page.locator(".flash-stack")).to_contain_text(text["saved"])
    assert AnalyticsSettings.objects.get(workspace=workspace).lead_engagement_rate == "by_followers"
    page.click('[data-testid="analytics-tabs"] [data-tab="metrics"]')
    expect(page.locator('[data-rate="engagement_rate_by_followers"] .badge')).to_have_count(1)
    expect(page.locator('[data-rate="engagement_rate_by_reach"] .badge')).to_have_count(0)

    # when: the Scheduled reports tab, a weekly PDF to Li Na
    page.click('[data-testid="analytics-tabs"] [data-tab="scheduled"]')
    form = page.locator('[data-testid="scheduled-report-form"]')
    form.locator('input[name="name"]').fill("Monday report")
    form.locator('select[name="frequency"]').select_option("weekly")
    form.locator('select[name="format"]').select_option("pdf")
    form.get_by_label("Li Na", exact=False).check()
    form.locator('[data-testid="scheduled-report-submit"]').click()
    # then
    expect(page.locator('[data-testid="scheduled-report-row"]')).to_contain_text("Li Na")
    report = ScheduledReport.objects.get(workspace=workspace)
    assert (report.frequency, report.format) == ("weekly", "pdf")
    assert list(report.recipients.all()) == [analyst]
    page.screenshot(path=str(SCREENSHOTS / f"scheduled-reports-{shot}.png"), full_page=True)
    page.context.close()
