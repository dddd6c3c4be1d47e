"""An assisted post as a task on the phone, in a real browser at 390x844: from the bell's notice to the
task page, "Copy text" puts the text on the clipboard, the live link confirms it. English and 简体中文."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from content.models import TargetStatus as S
from core.models import AuditEvent
from publishing.models import PublishNotification
from publishing.tests.test_assisted_task import assisted_target
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A 4x3 PNG (tea green) served for the post's image: the live server serves no media files.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000040000000308020000003b9639910000001449444154789c63cc5b10c500034c"
    "0c480085030034b8016ef8b978dc0000000049454e44ae426082"
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_responsible_person_posts_an_assisted_post_from_the_phone(browser, live_server, language):
    # given: an assisted Xiaohongshu post handed to the workspace's manager, and its notice in the bell
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER).user
    manager.language = language
    manager.save()
    target = assisted_target(workspace)
    PublishNotification.objects.create(
        workspace=workspace,
        recipient=manager,
        kind=PublishNotification.Kind.ASSISTED_DUE,
        target=target,
        message="“Spring oolong” is due on Xiaohongshu @lotus_tea: post it and confirm with its link.",
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="en-US",
        permissions=["clipboard-read", "clipboard-write"],
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.route(f"**{settings.MEDIA_URL}**", lambda route: route.fulfill(body=PNG, content_type="image/png"))
    signed_in(page, live_server, manager)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    zh = language == "zh-hans"
    try:
        # when: from the workspace home, the bell, then the notice
        page.goto(f"{live_server.url}/w/{workspace.pk}/")
        page.get_by_test_id("bell").click()
        page.get_by_test_id("notification-link").first.click()
        expect(page.get_by_test_id("assisted-task")).to_be_visible()
        page.wait_for_load_state("load")  # (its deferred script has bound the copy buttons)
        copy_text = page.get_by_test_id("copy-text")
        expect(copy_text).to_have_attribute("data-copied-label", "已复制" if zh else "Copied")
        copy_text.click()
        # (the button says "Copied" for two seconds, then its label again; `is-done` stays)
        expect(copy_text).to_have_class(re.compile(r"\bis-done\b"))
        clipboard = page.evaluate("navigator.clipboard.readText()")
        # then: the text is on the clipboard (the topics after it, as RED shows them), the image shown
        # full width with its save link
        assert clipboard == "Spring oolong is here #tea\n\n#oolong #春茶"
        image = page.get_by_test_id("task-image")
        expect(image).to_be_visible()
        assert image.bounding_box()["width"] > 300
        expect(page.get_by_test_id("save-image")).to_have_attribute("download", "")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        expect(page.get_by_test_id("task-status")).to_have_text("发布中" if zh else "Publishing")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"assisted-task-{'zh' if zh else 'en'}.png"), full_page=True)
        # when: posted by hand, the live link pasted
        page.get_by_label("帖子的线上链接" if zh else "Live link of the post").fill(
            "https://www.xiaohongshu.com/explore/9f3"
        )
        page.get_by_test_id("task-confirm").click()
        # then
        expect(page.get_by_test_id("task-done")).to_be_visible()
        expect(page.get_by_test_id("task-status")).to_have_text("已发布" if zh else "Published")
        expect(page.get_by_test_id("task-url")).to_have_text("https://www.xiaohongshu.com/explore/9f3")
        target.refresh_from_db()
        assert target.status == S.PUBLISHED and target.url == "https://www.xiaohongshu.com/explore/9f3"
        assert AuditEvent.objects.filter(
            action="post_target.assisted_confirm", target_id=str(target.pk)
        ).exists()
    finally:
        context.close()
