"""The inbox in Chromium, in English and 简体中文: from the navigation to the queue; a fan's new Weibo
comment appears without a reload (htmx polls the list); the agent opens it, picks a saved reply (filled in
for that fan), sends it, and the reply lands on the simulator under the fan's comment. Saves
inbox-en.png / inbox-zh.png (the queue) and inbox-item-en.png / inbox-item-zh.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app import vault
from channels_app.connectors.base import PostPayload
from channels_app.connectors.registry import connector_for
from inbox.models import InboxReply
from inbox.services import saved_reply_create
from inbox.services.polling import inbox_poll_account
from publishing.tests.pipeline_kit import sim_account
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_agent_sees_a_new_comment_live_and_answers_it_with_a_saved_reply(
    browser, live_server, platform_sim, language
):
    # given: a Weibo account with one weibo, a saved reply, and an agent on the queue page
    zh = language == "zh-hans"
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    agent = WorkspaceMemberFactory(workspace=workspace, role=Role.MANAGER, user__full_name="Lin Yi").user
    agent.language = language
    agent.save()
    account, _sim = sim_account(platform_sim, workspace, "weibo")
    post = connector_for("weibo").publish(
        vault.credentials_read(account), PostPayload(text="春茶上市 https://lotus.example/spring")
    )
    saved_reply_create(
        workspace=workspace, actor=agent, name="发货时间", body="{粉丝}您好，春茶明天发货，感谢支持！"
    )
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="en-US")
    page.set_default_timeout(15_000)
    signed_in(page, live_server, agent)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    try:
        page.goto(f"{live_server.url}/w/{workspace.pk}/")
        page.get_by_test_id("main-nav").get_by_role("link", name="收件箱" if zh else "Inbox").click()
        expect(page.get_by_test_id("inbox-empty")).to_be_visible()
        page.evaluate("window.__sameDocument = true")
        # when: a fan comments on the weibo and the poller reads it
        fan = platform_sim.fan_writes(
            "weibo",
            account.external_id,
            kind="comment",
            text="请问春茶什么时候发货？",
            author_id="7001",
            author_handle="茶友小王",
            author_name="茶友小王",
            author_followers=320,
            post_id=post.external_id,
        )
        assert inbox_poll_account(account.pk).created == 1
        # then: it appears in the open page, without a reload
        row = page.get_by_test_id("inbox-item").filter(has_text="请问春茶什么时候发货？")
        expect(row).to_be_visible(timeout=20_000)  # the list is re-read every 5 s
        assert page.evaluate("window.__sameDocument === true")
        expect(row.get_by_test_id("inbox-sla")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"inbox-{'zh' if zh else 'en'}.png"), full_page=True)
        # when: the agent opens it, picks the saved reply and sends it
        row.get_by_role("link").click()
        expect(page.get_by_test_id("inbox-thread")).to_contain_text("请问春茶什么时候发货？")
        page.wait_for_load_state("load")  # (its deferred script has bound the saved-reply picker)
        page.get_by_test_id("inbox-saved-select").select_option(label="发货时间")
        expect(page.locator("#id_text")).to_have_value("茶友小王您好，春茶明天发货，感谢支持！")
        page.get_by_test_id("inbox-reply-send").click()
        # then: sent once, shown on the item, and landed on Weibo under the fan's comment
        expect(page.get_by_test_id("inbox-replies").locator("[data-status]")).to_have_attribute(
            "data-status", "sent"
        )
        ours = [
            m
            for m in platform_sim.fan_messages("weibo", account.external_id)
            if m["author_id"] == account.external_id
        ]
        assert [(m["text"], m["parent_id"]) for m in ours] == [
            ("茶友小王您好，春茶明天发货，感谢支持！", fan["id"])
        ]
        assert InboxReply.objects.get().status == "sent"
        expect(page.get_by_test_id("inbox-thread")).to_contain_text("春茶明天发货")
        page.screenshot(path=str(SCREENSHOTS / f"inbox-item-{'zh' if zh else 'en'}.png"), full_page=True)
    finally:
        page.context.close()
