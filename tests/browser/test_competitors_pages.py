"""Issue 14, acceptance 6: from the navigation, add a rival by its profile URL, see "gathering data",
read it now, then see the benchmark with its ECharts charts drawn, in English and 简体中文. Saves
competitors-*.png screenshots."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIXELS_DRAWN = """(selector) => {
  const element = document.querySelector(selector);
  let drawn = 0;
  for (const canvas of element.querySelectorAll("canvas")) {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  }
  return drawn;
}"""

CHARTS = [
    "[data-testid=chart-bench-followers]",
    "[data-testid=chart-bench-share]",
    "[data-testid=chart-bench-heatmap]",
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_add_a_rival_by_url_then_see_the_benchmark(live_server, page, platform_sim, language):
    # given: a rival on X with a post a day for the last 12 days
    rival = platform_sim.create_account("x", handle="rivalbrand", followers=40000)
    for day in range(12, 0, -1):
        platform_sim.seed_post(
            "x",
            rival.external_id,
            text=f"New drop #{day} #launch",
            created_at=time.time() - day * 86400 + 3600 * (day % 5),
        )
    workspace = WorkspaceFactory(name="Lotus", timezone="Asia/Shanghai")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    signed_in(page, live_server, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    # when: Competitors, from the navigation
    page.click(f"[data-testid=main-nav] a[href='/w/{workspace.pk}/competitors/']")
    expect(page.locator("[data-testid=no-competitors]")).to_be_visible()
    page.fill("#id_name", "Rival Co")
    page.fill("#id_profile", "https://x.com/rivalbrand")
    page.click("[data-testid=competitor-add-submit]")
    # then: resolved on X and gathering data
    account = page.locator("[data-testid=competitor-account][data-handle=rivalbrand]")
    expect(account).to_be_visible()
    expect(account.locator("[data-testid=gathering-data]")).to_have_text(
        "Gathering data" if language == "en" else "正在收集数据"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"competitors-list-{language}.png"), full_page=True)
    # when: read it now, then the benchmark tab
    page.click("[data-testid=competitor-pull]")
    expect(account).to_contain_text("4")  # followers read
    page.click("[data-testid=competitor-tabs] a[data-tab=benchmark]")
    # then: the table has the rival's posts and every chart drew
    row = page.locator("[data-testid=benchmark-table] tr[data-brand^='brand:']")
    expect(row).to_contain_text("Rival Co")
    for selector in CHARTS:
        expect(page.locator(selector)).to_have_attribute("data-chart-ready", "1")
    drawn = {selector: page.evaluate(PIXELS_DRAWN, selector) for selector in CHARTS}
    assert all(count > 300 for count in drawn.values()), drawn
    expect(page.locator("[data-testid=top-post]")).to_have_count(10)
    expect(page.locator("h1")).to_have_text("Competitors" if language == "en" else "竞品")
    page.screenshot(path=str(SCREENSHOTS / f"competitors-benchmark-{language}.png"), full_page=True)
