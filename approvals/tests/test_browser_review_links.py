"""The review links of a post in review, in a real browser, in English and in Chinese: from the workspace
home to Approvals to the post's review page; issue a link to an address the stage does not expect (a
warning names who is expected), issue one to the expected HQ address, re-send it by email (a fresh URL in
the outbox), revoke the first. Saves review-links-{en,zh}.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from approvals import links, services
from approvals.models import ReviewLink
from approvals.tests.factories import workflow_with
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from core.models import AuditEvent
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HQ = "hq.review@lotus-global.example"
STRANGER = "intern@lotus-global.example"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_issue_resend_and_revoke_review_links(browser, live_server, language):
    # given: a post in review at HQ's stage (HQ reviews by email)
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    admin = UserFactory(email="li.admin@example.com")
    editor = UserFactory(email="mei.wang@example.com")
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    WorkspaceMemberFactory(workspace=workspace, user=editor, role=Role.EDITOR)
    account = SocialAccountFactory(workspace=workspace, platform="weibo", handle="lotustea")
    workflow_with(admin, workspace, [{"name": "HQ", "approver_emails": [HQ]}])
    post = content_services.post_create(
        actor=editor,
        workspace=workspace,
        title="Autumn oolong",
        targets=[{"account": account.pk, "text": "Autumn oolong is back"}],
        scheduled_at=timezone.now() + timedelta(days=3),
    )
    services.approval_request_submit(actor=editor, post=post)
    page = signed_in(new_page(browser), live_server, editor)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    # when: home -> Approvals -> the post
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    page.click(f"[data-testid=main-nav] a[href='/w/{workspace.pk}/approvals/']")
    page.locator(f"a[href='/w/{workspace.pk}/approvals/posts/{post.pk}/']").first.click()
    # when: a link for an address the stage does not expect
    page.fill("[data-testid=share-email]", STRANGER)
    page.click("[data-testid=share]")
    # then: made, with a warning naming HQ
    expect(page.locator("body")).to_contain_text(HQ)
    warning = "is not an approver of the current stage" if language == "en" else "不是当前阶段"
    expect(page.locator("body")).to_contain_text(warning)
    # when: a link for HQ, then re-sent
    page.fill("[data-testid=share-email]", HQ)
    page.click("[data-testid=share]")
    rows = page.locator("[data-testid=review-link]")
    expect(rows).to_have_count(2)
    hq_link = ReviewLink.objects.get(email=HQ)
    stranger_link = ReviewLink.objects.get(email=STRANGER)
    hq_row = page.locator(f"[data-testid=review-link][data-link='{hq_link.pk}']")
    expect(hq_row).to_have_attribute("data-status", "pending")
    expect(hq_row).to_contain_text("Not opened yet" if language == "en" else "尚未打开")
    mail.outbox.clear()
    hq_row.locator("[data-testid=review-link-resend]").click()
    expect(page.locator("body")).to_contain_text(
        f"A new link was sent to {HQ}." if language == "en" else f"已向 {HQ} 发送新链接。"
    )
    (message,) = mail.outbox
    token = re.search(r"/review/([^/\s]+)/", message.body).group(1)
    assert links.link_resolve(token).pk == hq_link.pk
    # when: the stranger's link is revoked
    stranger_row = page.locator(f"[data-testid=review-link][data-link='{stranger_link.pk}']")
    stranger_row.locator("[data-testid=review-link-revoke]").click()
    # then
    expect(stranger_row).to_have_attribute("data-status", "revoked")
    expect(stranger_row).to_contain_text("Revoked" if language == "en" else "已撤销")
    expect(stranger_row.locator("[data-testid=review-link-revoke]")).to_have_count(0)
    assert AuditEvent.objects.filter(action="review_link.resend", actor=editor).count() == 1
    assert AuditEvent.objects.filter(action="review_link.revoke", actor=editor).count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    suffix = "en" if language == "en" else "zh"
    page.screenshot(path=str(SCREENSHOTS / f"review-links-{suffix}.png"), full_page=True)
    page.context.close()
