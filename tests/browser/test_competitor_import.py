"""Competitor import page: from the navigation to Competitors → Import, download nothing, upload a file
with a problem (the problem shows by row and column, nothing loaded), then a good one (loaded), in
English and 简体中文. Saves competitors-import-*.png screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import RivalPost
from competitors.tests.factories import benchmarked_brand
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HEADER = "platform,account,post_id,published_at,text,likes,comments,shares,followers\n"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_import_rival_posts_from_the_page(live_server, page, language, tmp_path):
    workspace = WorkspaceFactory(name="Lotus", timezone="Asia/Shanghai")
    benchmarked_brand(workspace, name="Rival Co", platform="weibo", handle="rival_wb")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    signed_in(page, live_server, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    page.click(f"[data-testid=main-nav] a[href='/w/{workspace.pk}/competitors/']")
    page.click("[data-testid=competitor-tabs] a[data-tab=imports]")
    expect(page.locator("[data-testid=rival-template-csv]")).to_be_visible()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "weibo,rival_wb,p1,2026-03-01 10:00,hello,many,1,0,\n")
    page.set_input_files("#id_file", str(bad))
    page.click("[data-testid=rival-import-submit]")
    job = page.locator("[data-testid=rival-import-job]").first
    expect(job).to_have_attribute("data-status", "invalid")
    errors = job.locator("[data-testid=rival-import-errors]")
    expect(errors).to_contain_text("likes")
    expect(errors).to_contain_text(
        "Write a whole number of zero or more." if language == "en" else "请填写大于或等于零的整数。"
    )
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "weibo,rival_wb,p1,2026-03-01 10:00,hello #spring,12,1,0,\n")
    page.set_input_files("#id_file", str(good))
    page.click("[data-testid=rival-import-submit]")
    expect(page.locator("[data-testid=rival-import-job]").first).to_have_attribute("data-status", "done")
    assert RivalPost.objects.filter(platform_post_id="p1", source="import").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"competitors-import-{language}.png"), full_page=True)
