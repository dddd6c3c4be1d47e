"""Inbox rules in Chromium, in English and 简体中文: from the navigation to the inbox and its rules page, a
rule that gives shipping questions to Lin Yi is made (a rule that does nothing is refused first, the
message next to the field); a fan's new comment arrives and shows in the live queue already assigned and
tagged; then it is ticked and closed in bulk. Saves inbox-rules-en.png / inbox-rules-zh.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from inbox.models import InboxItem, ItemStatus
from inbox.services import inbox_message_ingest
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

from .factories import message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "inbox": "Inbox",
        "nothing": "Choose at least one thing the rule does.",
        "assigned": "Assigned to Lin Yi",
    },
    "zh-hans": {
        "inbox": "收件箱",
        "nothing": "请至少选择一个规则要执行的操作。",
        "assigned": "已分配给 Lin Yi",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rule_assigns_a_new_comment_which_is_then_closed_in_bulk(browser, live_server, language):
    # given
    text = TEXT[language]
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    manager = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER, user__full_name="Wang Fang").user
    manager.language = language
    manager.save()
    WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Lin Yi")
    account = SocialAccountFactory(workspace=workspace, platform="weibo", handle="lotus_tea")
    page = browser.new_page(viewport={"width": 1440, "height": 1100}, locale="en-US")
    page.set_default_timeout(15_000)
    signed_in(page, live_server, manager)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    try:
        page.goto(f"{live_server.url}/w/{workspace.pk}/")
        page.get_by_test_id("main-nav").get_by_role("link", name=text["inbox"]).click()
        page.get_by_test_id("inbox-rules-link").click()
        expect(page.get_by_test_id("inbox-rules-empty")).to_be_visible()
        form = page.get_by_test_id("inbox-rule-form")
        # when: a rule that does nothing
        form.locator("#id_name").fill("发货问题")
        form.locator("#id_keywords").fill("发货, shipping")
        form.get_by_test_id("inbox-rule-save").click()
        # then: refused, the message next to the field
        expect(page.locator("#id_add_tags_error")).to_have_text(text["nothing"])
        # when: it assigns to Lin Yi and tags
        form = page.get_by_test_id("inbox-rule-form")
        form.locator("#id_add_tags").fill("物流")
        form.locator("#id_assign_to").select_option(label="Lin Yi")
        form.get_by_test_id("inbox-rule-save").click()
        # then
        expect(page.get_by_test_id("inbox-rule")).to_have_count(1)
        expect(page.get_by_test_id("inbox-rule")).to_contain_text("Lin Yi")
        page.locator("#id_text").fill("请问什么时候发货？")
        page.get_by_test_id("inbox-rule-test-run").click()
        expect(page.get_by_test_id("inbox-rule-test-result")).to_contain_text("发货问题")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"inbox-rules-{'zh' if language == 'zh-hans' else 'en'}.png"))
        # when: back on the queue, a fan asks about shipping
        page.get_by_role("link", name=text["inbox"]).first.click()
        expect(page.get_by_test_id("inbox-empty")).to_be_visible()
        inbox_message_ingest(
            account=account, message=message("c1", text="请问春茶什么时候发货？", author="7001")
        )
        # then: it shows, live, already assigned and tagged
        row = page.get_by_test_id("inbox-item").filter(has_text="请问春茶什么时候发货？")
        expect(row).to_be_visible(timeout=20_000)
        expect(row.get_by_test_id("inbox-assignee")).to_have_text(text["assigned"])
        expect(row).to_contain_text("物流")
        # when: ticked and closed in bulk
        row.locator("input[name=items]").check()
        page.get_by_test_id("inbox-bulk-close").click()
        # then
        expect(page.get_by_test_id("inbox-empty")).to_be_visible()
        assert InboxItem.objects.get().status == ItemStatus.CLOSED
    finally:
        page.context.close()
