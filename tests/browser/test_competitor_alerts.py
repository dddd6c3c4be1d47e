"""Issue 14 in a real Chromium, in English and 简体中文: the benchmark's CSV, XLSX and PDF downloads from
the benchmark page (each parsed back), the scheduled benchmark email set up from the competitors page (a
refused address first, its message next to the field), and competitor alerts: the settings from the
competitors page (a refused N first), then a rival's viral post read by the pull service in-process
rings the bell. Saves competitor-alerts-*.png and competitor-schedules-*.png screenshots."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import (
    BenchmarkSchedule,
    CompetitorAlert,
    CompetitorAlertSettings,
    RivalAccount,
    RivalPost,
)
from competitors.services import competitor_add, rival_pull
from competitors.tests.factories import benchmarked_brand
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "brand": "Brand",
        "n_error": "Choose between 10 and 200 posts.",
        "address_error": "Not an email address: nope",
        "spike": "engagements",
        "saved": "Alert settings saved.",
    },
    "zh-hans": {
        "brand": "品牌",
        "n_error": "请选择 10 到 200 条帖子。",
        "address_error": "不是有效的邮箱地址：nope",
        "spike": "互动",
        "saved": "提醒设置已保存。",
    },
}


def _open_competitors(page, live_server, workspace, user, language):
    signed_in(page, live_server, user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    page.click(f"[data-testid=main-nav] a[href='/w/{workspace.pk}/competitors/']")


def _download(page, fmt: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(f"[data-testid=benchmark-exports] a[data-format={fmt}]")
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_benchmark_downloads_and_the_scheduled_email(live_server, page, language):
    # given: a rival with a post a day for ten days
    workspace = WorkspaceFactory(name="Lotus", timezone="Asia/Shanghai")
    manager = UserFactory(email="mei@example.com", full_name="Mei Wang", language=language)
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    _brand, rival = benchmarked_brand(
        workspace, name="Belle Rose 美丽玫瑰", platform="douyin", followers=9000
    )
    now = timezone.now()
    for day in range(1, 11):
        RivalPost.objects.create(
            rival=rival,
            platform_post_id=f"p{day}",
            published_at=now - timedelta(days=day),
            text=f"新品 {day}",
            engagements=100 + day,
            source="provider",
            track_until=now,
        )
    text = TEXT[language]
    _open_competitors(page, live_server, workspace, manager, language)
    # when: the benchmark tab, then each download link
    page.click("[data-testid=competitor-tabs] a[data-tab=benchmark]")
    name, body = _download(page, "csv")
    # then: the brands table in the page's language, with the rival
    assert name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == text["brand"] and any("Belle Rose 美丽玫瑰" in row for row in rows)
    name, body = _download(page, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    assert name.endswith(".xlsx") and sheet.cell(1, 1).value == text["brand"]
    assert "Belle Rose 美丽玫瑰" in [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    name, body = _download(page, "pdf")
    assert name.endswith(".pdf") and body.startswith(b"%PDF") and len(body) > 2000

    # when: the scheduled email tab; a bad address first
    page.click("[data-testid=competitor-tabs] a[data-tab=schedules]")
    expect(page.locator("[data-testid=no-benchmark-schedules]")).to_be_visible()
    form = page.locator("[data-testid=benchmark-schedule-form]")
    form.locator("#id_name").fill("Weekly rivals")
    form.locator("#id_frequency").select_option("weekly")
    form.locator("#id_format").select_option("xlsx")
    form.locator("#id_addresses").fill("nope")
    form.locator("[data-testid=benchmark-schedule-submit]").click()
    expect(page.locator("#id_addresses_error")).to_contain_text(text["address_error"])
    form = page.locator("[data-testid=benchmark-schedule-form]")
    form.locator("#id_addresses").fill("cfo@example.com")
    form.locator(f"input[name=recipients][value='{manager.pk}']").check()
    form.locator("[data-testid=benchmark-schedule-submit]").click()
    # then
    expect(page.locator("[data-testid=benchmark-schedule][data-name='Weekly rivals']")).to_be_visible()
    schedule = BenchmarkSchedule.objects.get(workspace=workspace)
    assert schedule.addresses == ["cfo@example.com"] and list(schedule.recipients.all()) == [manager]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"competitor-schedules-{language}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_alert_settings_then_a_viral_post_rings_the_bell(live_server, page, platform_sim, language):
    # given: a Douyin rival with twelve ordinary posts, added and read once
    workspace = WorkspaceFactory(name="Lotus", timezone="Asia/Shanghai")
    manager = UserFactory(email="mei@example.com", full_name="Mei Wang", language=language)
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    account = platform_sim.create_account("douyin", handle="bellerose_dy", followers=50_000)
    start = time.time() - 20 * 86400
    for n in range(12):
        platform_sim.seed_post("douyin", account.external_id, text=f"日常 {n}", created_at=start + n * 86400)
    competitor_add(
        workspace=workspace, actor=manager, name="Belle Rose", profile="bellerose_dy", platform="douyin"
    )
    rival = RivalAccount.objects.get(external_id=account.external_id)
    assert rival_pull(rival.pk).status == "done"
    text = TEXT[language]
    _open_competitors(page, live_server, workspace, manager, language)
    expect(page.locator("[data-testid=no-competitor-alerts]")).to_be_visible()

    # when: the alert settings, from the competitors page; N = 3 first
    page.click("[data-testid=competitor-alert-settings-link]")
    form = page.locator("[data-testid=competitor-alert-settings-form]")
    form.locator("#id_keywords").fill("新品\nlaunch")
    form.locator("#id_baseline_posts").fill("3")
    form.locator("[data-testid=competitor-alert-settings-submit]").click()
    # then: refused next to the field, nothing saved
    expect(page.locator("#id_baseline_posts_error")).to_have_text(text["n_error"])
    assert not CompetitorAlertSettings.objects.exists()
    form = page.locator("[data-testid=competitor-alert-settings-form]")
    form.locator("#id_baseline_posts").fill("10")
    form.locator("#id_threshold_k").fill("5")
    form.locator("[data-testid=competitor-alert-settings-submit]").click()
    expect(page.locator(".flash-stack")).to_contain_text(text["saved"])
    assert CompetitorAlertSettings.objects.get().keywords == ["新品", "launch"]

    # when: the rival posts a viral 新品 video and the pull service reads it
    platform_sim.seed_post(
        "douyin", account.external_id, text="春季新品 限定", created_at=time.time() - 3 * 3600, boost=200
    )
    assert rival_pull(rival.pk, now=timezone.now() + timedelta(minutes=1)).status == "done"
    assert sorted(CompetitorAlert.objects.values_list("kind", flat=True)) == ["keyword", "spike"]
    page.reload()
    # then: the bell rings with both, and the alerts list links them to the benchmark
    expect(page.locator("[data-testid=bell-count]")).to_have_text("2")
    alerts = page.locator("[data-testid=competitor-alert]")
    expect(alerts).to_have_count(2)
    expect(page.locator("[data-testid=competitor-alert][data-kind=spike]")).to_contain_text(text["spike"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"competitor-alerts-{language}.png"), full_page=True)
    page.click("[data-testid=bell]")
    expect(page.locator("body")).to_contain_text("@bellerose_dy")
    page.go_back()
    page.locator(
        "[data-testid=competitor-alert][data-kind=spike] [data-testid=competitor-alert-link]"
    ).click()
    expect(page.locator("[data-testid=benchmark-table]")).to_contain_text("Belle Rose")
