"""The import in a real browser, in English and in Chinese: from the workspace home to the calendar to
Import, download the template, upload a 500-row file made from it with three bad rows (every problem at
its row and column, nothing written), upload the corrected file and commit it (the progress reaches
100 %), then upload the same file again: 500 duplicates, skipped by default, nothing imported.
Saves import-errors-{en,zh}.png and import-duplicates-{en,zh}.png."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import importers
from content.models import ImportJob, PostTarget
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 500
BAD = {17: "accounts", 250: "scheduled_at", 499: "is_paid_or_kol"}


def from_template(template: bytes, *, bad: bool) -> bytes:
    """500 rows in the template's columns, on the template's accounts, each a different post."""
    rows = list(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    header, examples = rows[0], rows[1:]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    start = datetime(2031, 6, 1, 8, 0)
    for index in range(ROWS):
        number = index + 2
        row = dict(zip(header, examples[index % len(examples)], strict=True))
        row["text"] = f"{row['text']} #{index}"
        row["scheduled_at"] = (start + timedelta(hours=index)).strftime("%Y-%m-%d %H:%M")
        if bad and BAD.get(number) == "accounts":
            row["accounts"] = "weibo:nobody_here"
        if bad and BAD.get(number) == "scheduled_at":
            row["scheduled_at"] = "soon"
        if bad and BAD.get(number) == "is_paid_or_kol":
            row["is_paid_or_kol"] = "maybe"
        writer.writerow([row[column] for column in header])
    return out.getvalue().encode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_template_errors_progress_and_duplicates(browser, live_server, language):
    # given
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    manager = UserFactory(email="mei.wang@example.com", full_name="Mei Wang")
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    SocialAccountFactory(workspace=workspace, platform="weibo", handle="lotustea")
    SocialAccountFactory(workspace=workspace, platform="x", handle="LotusTeaGlobal")
    page = signed_in(new_page(browser), live_server, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    suffix = "en" if language == "en" else "zh"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # when: home -> Calendar -> Import
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    page.click(f"[data-testid=main-nav] a[href='/w/{workspace.pk}/calendar/']")
    page.click('[data-testid="import-posts"]')
    expect(page.locator("h1")).to_have_text("Import posts" if language == "en" else "导入帖子")
    # when: the template is downloaded
    with page.expect_download() as info:
        page.click('[data-testid="import-template-csv"]')
    template = Path(info.value.path()).read_bytes()
    # then: the columns in order, this workspace's accounts
    header, *examples = list(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    assert tuple(header) == importers.COLUMNS
    assert {row[0] for row in examples} == {"weibo:lotustea", "x:LotusTeaGlobal"}

    # when: a 500-row file with three bad rows
    page.set_input_files(
        'input[type="file"]',
        files=[{"name": "plan.csv", "mimeType": "text/csv", "buffer": from_template(template, bad=True)}],
    )
    page.click('[data-testid="import-submit"]')
    # then: the three problems, each at its row and column, and no commit button
    job = page.locator('[data-testid="import-job"]')
    expect(job).to_have_attribute("data-status", "invalid", timeout=60_000)
    for row, column in BAD.items():
        expect(
            page.locator(f'[data-testid="import-row"][data-row="{row}"] .import-row-problems')
        ).to_contain_text(column)
    expect(page.locator('[data-testid="import-result"]')).to_contain_text("3")
    expect(page.locator('[data-testid="import-commit"]')).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / f"import-errors-{suffix}.png"), full_page=True, timeout=60_000)
    assert PostTarget.objects.filter(workspace=workspace).count() == 0

    # when: the corrected file, committed
    corrected = from_template(template, bad=False)
    page.click('.page-header a[href$="/imports/"]')
    page.set_input_files(
        'input[type="file"]', files=[{"name": "plan-fixed.csv", "mimeType": "text/csv", "buffer": corrected}]
    )
    page.click('[data-testid="import-submit"]')
    expect(job).to_have_attribute("data-status", "ready", timeout=60_000)
    expect(page.locator('[data-testid="import-duplicates"]')).to_have_count(0)
    page.click('[data-testid="import-commit"]')
    # then: the progress reaches 100 % and every row is a post
    expect(job).to_have_attribute("data-status", "committed", timeout=60_000)
    expect(page.locator('[data-testid="import-progress-text"]')).to_have_attribute("data-percent", "100")
    expect(page.locator('[data-testid="import-progress"]')).to_have_attribute("value", str(ROWS))
    assert PostTarget.objects.filter(workspace=workspace).count() == ROWS

    # when: the same file again
    page.click('.page-header a[href$="/imports/"]')
    page.set_input_files(
        'input[type="file"]', files=[{"name": "plan-again.csv", "mimeType": "text/csv", "buffer": corrected}]
    )
    page.click('[data-testid="import-submit"]')
    # then: 500 duplicates, skipping chosen by default
    expect(job).to_have_attribute("data-status", "ready", timeout=60_000)
    expect(page.locator('[data-testid="import-duplicates"]')).to_contain_text("500")
    expect(page.locator('[data-testid="import-skip-duplicates"]')).to_be_checked()
    expect(page.locator('[data-testid="import-row"][data-duplicate="1"]').first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"import-duplicates-{suffix}.png"), full_page=True, timeout=60_000)
    page.click('[data-testid="import-commit"]')
    # then: nothing imported, 500 skipped, the progress complete
    expect(job).to_have_attribute("data-status", "committed", timeout=60_000)
    expect(page.locator('[data-testid="import-skipped"]')).to_contain_text("500")
    expect(page.locator('[data-testid="import-progress-text"]')).to_have_attribute("data-percent", "100")
    assert PostTarget.objects.filter(workspace=workspace).count() == ROWS
    last = ImportJob.objects.filter(workspace=workspace).order_by("-id").first()
    assert last.committed_rows == 0 and last.skipped_rows == ROWS
    page.context.close()
