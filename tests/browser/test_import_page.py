"""Issue 10's imports in a real browser: from the calendar's Import button, upload a Chinese-Excel file,
read the preview (encoding, separator, rows), commit, see the posts imported; a job a worker is checking
moves its progress bar by itself (htmx polling) until it settles; the page in Chinese. Saves
import-preview.png and import-progress.png in the screenshots folder."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import ImportJob, PostTarget
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = (
    "accounts,text,scheduled_at,title\n"
    "lotustea,高山乌龙茶今天上新，茶香清雅！,2031-05-01 09:30,上新\n"
    "lotustea;LotusTeaGlobal,Fresh mountain oolong is here,2031-05-02 20:00,Launch\n"
    'LotusTeaGlobal,"Brewing guide, part 1",2031-05-03 12:00,Guide\n'
)


@pytest.fixture
def brand():
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    manager = UserFactory(email="mei.wang@example.com", full_name="Mei Wang")
    WorkspaceMemberFactory(workspace=workspace, user=manager, role=Role.MANAGER)
    SocialAccountFactory(workspace=workspace, platform="weibo", handle="lotustea")
    SocialAccountFactory(workspace=workspace, platform="x", handle="LotusTeaGlobal")
    return {"workspace": workspace, "manager": manager}


def test_upload_preview_and_commit_from_the_calendar(live_server, page, brand):
    # given
    workspace = brand["workspace"]
    signed_in(page, live_server, brand["manager"])
    page.goto(f"{live_server.url}/w/{workspace.pk}/calendar/")
    # when: the calendar's Import button, a GB18030 file as Chinese Excel saves it
    page.click('[data-testid="import-posts"]')
    upload = {"name": "posts.csv", "mimeType": "text/csv", "buffer": FILE.encode("gb18030")}
    page.set_input_files('input[type="file"]', files=[upload])
    page.click('[data-testid="import-submit"]')
    # then: the preview says what was read
    job = page.locator('[data-testid="import-job"]')
    expect(job).to_have_attribute("data-status", "ready")
    expect(page.locator('[data-testid="import-encoding"]')).to_have_text("GB18030")
    expect(page.locator('[data-testid="import-delimiter"]')).to_have_text("comma")
    expect(page.locator('[data-testid="import-row"]')).to_have_count(3)
    expect(page.locator('[data-testid="import-preview"]')).to_contain_text("高山乌龙茶今天上新，茶香清雅！")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)
    # when: commit
    page.click('[data-testid="import-commit"]')
    # then
    expect(job).to_have_attribute("data-status", "committed")
    expect(page.locator('[data-testid="import-result"]')).to_contain_text("3 posts were imported as drafts.")
    assert PostTarget.objects.filter(workspace=workspace).count() == 4
    assert set(PostTarget.objects.values_list("text", flat=True)) == {
        "高山乌龙茶今天上新，茶香清雅！",
        "Fresh mountain oolong is here",
        "Brewing guide, part 1",
    }


def test_the_progress_moves_by_itself_until_the_job_settles(live_server, page, brand):
    # given: a 5,000-row job a worker is checking
    workspace = brand["workspace"]
    job = ImportJob.objects.create(
        workspace=workspace,
        original_name="campaign-2031.csv",
        status=ImportJob.Status.VALIDATING,
        total_rows=5000,
        validated_rows=1000,
        encoding="utf-8",
        delimiter=",",
        created_by=brand["manager"],
    )
    signed_in(page, live_server, brand["manager"])
    page.goto(f"{live_server.url}/w/{workspace.pk}/imports/{job.pk}/")
    progress = page.locator('[data-testid="import-progress-text"]')
    expect(progress).to_contain_text("1000 of 5000")
    # when: the worker gets further, with nobody touching the page
    ImportJob.objects.filter(pk=job.pk).update(validated_rows=3500)
    # then
    expect(progress).to_contain_text("3500 of 5000")
    page.screenshot(path=str(SCREENSHOTS / "import-progress.png"), full_page=True)
    # when: the worker finds a problem and settles the job
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.INVALID,
        validated_rows=5000,
        validated_at=timezone.now(),
        error_count=1,
        errors=[{"sheet": None, "row": 4001, "column": "text", "message": "The text is empty."}],
    )
    # then: the problem is shown and the polling stops
    expect(page.locator('[data-testid="import-job"]')).to_have_attribute("data-status", "invalid")
    expect(page.locator('[data-testid="import-other-problems"]')).to_contain_text("Row 4001, text")
    expect(page.locator('[data-testid="import-job"]')).not_to_have_attribute("hx-trigger", "every 1s")


def test_the_import_page_in_chinese(live_server, page, brand):
    # given
    workspace = brand["workspace"]
    signed_in(page, live_server, brand["manager"])
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    # when
    page.goto(f"{live_server.url}/w/{workspace.pk}/imports/")
    # then
    expect(page.locator("h1")).to_have_text("导入帖子")
    expect(page.locator('[data-testid="import-submit"]')).to_have_text("上传并检查")
    expect(page.locator("body")).to_contain_text("带 BOM 的 UTF-16")
