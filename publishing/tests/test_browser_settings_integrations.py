"""An admin sets up the integrations in a real browser, in English and in Chinese, only by clicking:
Settings → Webhooks, adds a webhook to a local receiver (publishing/tests/conftest.py), sends a test event
and sees it delivered in the log; then user menu → notification settings, turns one channel off; then
calendar feeds, creates one and sees its URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import NotificationPreference
from content.models import IcalFeed
from publishing.models import WebhookDelivery, WebhookEndpoint
from publishing.tests.conftest import Answer
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "webhooks": "Webhooks",
        "add": "Add webhook",
        "send_test": "Send test",
        "test_event": "Test event",
        "delivered": "Delivered",
        "notifications": "Notification settings",
        "save": "Save choices",
        "saved": "Your notification choices were saved.",
        "feeds": "Calendar feeds",
        "create_feed": "Create feed",
    },
    "zh-hans": {
        "webhooks": "Webhook",
        "add": "添加 Webhook",
        "send_test": "发送测试",
        "test_event": "测试事件",
        "delivered": "已送达",
        "notifications": "通知设置",
        "save": "保存设置",
        "saved": "你的通知设置已保存。",
        "feeds": "日历订阅",
        "create_feed": "创建订阅",
    },
}


def shot(page, name: str, language: str) -> None:
    suffix = "en" if language == "en" else "zh"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_admin_sets_up_a_webhook_notification_choices_and_a_calendar_feed(
    browser, live_server, receiver, local_webhooks, language
):
    t = TEXT[language]
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    admin = WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN, user__full_name="Mei Chen").user
    receiver.queue(Answer(status=200, body=b'{"received": true}'))
    page = signed_in(new_page(browser), live_server, admin)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # Settings → Webhooks, add one pointing to the local receiver
    page.locator("nav .nav-link", has_text=t["webhooks"]).click()
    expect(page.locator("h1")).to_have_text(t["webhooks"])
    page.fill("#id_url", receiver.url("/kawo"))
    page.fill("#id_description", "CRM")
    page.locator("#id_events input[value='*']").uncheck()
    page.locator("#id_events input[value='post.published']").check()
    page.locator("#id_events input[value='post.failed']").check()
    page.get_by_role("button", name=t["add"]).click()
    secret = page.locator("#new-webhook-secret")
    expect(secret).to_contain_text("whsec_")
    endpoint = WebhookEndpoint.objects.get(workspace=workspace)
    assert endpoint.events == ["post.published", "post.failed"]
    shot(page, "webhooks", language)

    # open it, Send test: the receiver gets it and the log shows it delivered with its status code
    page.locator("[data-testid=webhook-row] a.link").first.click()
    page.get_by_role("button", name=t["send_test"]).click()
    row = page.locator("[data-testid=delivery-row]").first
    expect(row).to_contain_text(t["test_event"])
    expect(row).to_contain_text(t["delivered"])
    expect(row).to_contain_text("200")
    assert [r.path for r in receiver.requests] == ["/kawo"]
    assert receiver.requests[0].headers["X-Kawo-Event"] == "webhook.test"
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == WebhookDelivery.Status.DELIVERED
    shot(page, "webhook-deliveries", language)
    # its details: the request body we sent and the receiver's answer
    row.locator("a.btn").click()
    expect(page.locator("[data-testid=delivery-body]")).to_contain_text('"type": "webhook.test"')
    expect(page.locator("[data-testid=delivery-response]")).to_contain_text('{"received": true}')
    shot(page, "webhook-delivery", language)

    # user menu → notification settings: email off for "A post failed to publish"
    page.locator("[data-testid=user-menu] summary").click()
    page.get_by_role("menuitem", name=t["notifications"]).click()
    box = page.locator("input[name=email][value=failed]")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name=t["save"]).click()
    expect(page.locator(".flash-success")).to_contain_text(t["saved"])
    expect(page.locator("input[name=email][value=failed]")).not_to_be_checked()
    pref = NotificationPreference.objects.get(user=admin, kind="failed")
    assert (pref.in_app, pref.email) == (True, False)
    shot(page, "notification-prefs", language)

    # the Calendar feeds tab: create one and see its URL
    page.locator("[data-testid=personal-tabs] a", has_text=t["feeds"]).click()
    page.fill("#id_name", "Work phone")
    page.get_by_role("button", name=t["create_feed"]).click()
    url = page.locator("#new-feed-url")
    expect(url).to_contain_text(f"{live_server.url}/ical/")
    assert IcalFeed.objects.get(user=admin).name == "Work phone"
    expect(page.locator("[data-testid=feeds-table]")).to_contain_text("Work phone")
    shot(page, "ical-feeds", language)
