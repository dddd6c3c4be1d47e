"""A comment thread in a real browser, in English and in Chinese: a manager opens "My work", goes to the
post waiting for them and comments with an @mention picked from the menu; the editor sees the
notification, opens the review page from it and replies; the manager resolves the thread. Nothing typed
into the address bar after the workspace home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from approvals import services
from approvals.models import Notification, PostComment
from approvals.tests.factories import workflow_with
from channels_app.models import SocialAccount
from channels_app.tests.factories import SocialAccountFactory
from content import services as content_services
from content.tests.factories import PostFactory, PostTargetFactory
from dashboard.selectors import workspace_today
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser, live_server, user, language):
    page = signed_in(new_page(browser), live_server, user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return page


def shot(page, name, language):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"{name}-{'en' if language == 'en' else 'zh'}.png"), full_page=True
    )


def team():
    ws = WorkspaceFactory(name="Lotus Tea", timezone="Asia/Shanghai")
    admin = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    manager = WorkspaceMemberFactory(
        workspace=ws,
        role=Role.MANAGER,
        user=UserFactory(email="mia.manager@example.com", full_name="Mia Wang"),
    ).user
    editor = WorkspaceMemberFactory(
        workspace=ws,
        role=Role.EDITOR,
        user=UserFactory(email="eddie.editor@example.com", full_name="Eddie Li"),
    ).user
    account = SocialAccountFactory(workspace=ws, platform="weibo", handle="lotus_tea")
    workflow_with(admin, ws, [{"name": "Manager", "approver_roles": [Role.MANAGER]}])

    def post(title, **kwargs):
        return content_services.post_create(
            actor=editor,
            workspace=ws,
            title=title,
            targets=[{"account": account.pk, "text": f"{title}: new in our tea houses"}],
            scheduled_at=kwargs.pop("scheduled_at", timezone.now() + timedelta(days=2)),
        )

    # some of everyone's work
    waiting = services.approval_request_submit(actor=editor, post=post("Winter menu")).post
    back = services.approval_request_submit(actor=editor, post=post("Spring teaser"))
    services.approval_decide(
        actor=manager, request=back, decision="request_changes", comment="Say “limited”."
    )
    post("Tea tasting night")
    start, end = workspace_today(ws)
    PostTargetFactory(
        post=PostFactory(
            workspace=ws,
            title="Lantern festival",
            author=editor,
            status="scheduled",
            scheduled_at=start + (end - start) / 2,
        ),
        account=account,
        status="scheduled",
    )
    PostTargetFactory(
        post=PostFactory(workspace=ws, title="Weekend offer"),
        account=account,
        status="failed",
        error_message="The platform refused the image.",
    )
    SocialAccountFactory(
        workspace=ws, platform="douyin", handle="lotus_douyin", status=SocialAccount.Status.EXPIRED
    )
    return ws, manager, editor, waiting


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_mentions_the_editor_who_replies_and_the_manager_resolves(browser, live_server, language):
    # given
    ws, manager, editor, post = team()
    boss = as_user(browser, live_server, manager, language)
    boss.goto(f"{live_server.url}/w/{ws.pk}/")
    expect(boss.locator("[data-testid=work-waiting] [data-testid=work-count]")).to_have_text("1")
    shot(boss, "my-work-manager", language)
    # when: the manager opens the post waiting for them and comments, picking the editor in the @ menu
    boss.locator("[data-testid=work-waiting] a", has_text="Winter menu").click()
    box = boss.locator("[data-testid=comment-form] textarea")
    box.press_sequentially("Please check the date @Eddie")
    boss.locator("[data-testid=mention-option]", has_text="eddie.editor@example.com").click()
    box.press_sequentially("is it Friday?")
    boss.click("[data-testid=add-comment]")
    thread = boss.locator("[data-testid=thread]")
    expect(thread).to_contain_text("@eddie.editor@example.com is it Friday?")
    comment = PostComment.objects.get(post=post)
    assert list(comment.mentions.all()) == [editor]
    # then: the editor sees the notification on their home page's bell and opens the review page from it
    desk = as_user(browser, live_server, editor, language)
    desk.goto(f"{live_server.url}/w/{ws.pk}/")
    expect(desk.locator("[data-testid=work-sent_back] [data-testid=work-item]")).to_have_count(1)
    shot(desk, "my-work", language)
    desk.click("[data-testid=bell]")
    notice = desk.locator("[data-testid=notification]", has_text="Winter menu").first
    expect(notice).to_contain_text("You were mentioned" if language == "en" else "有人提到了你")
    notice.locator("[data-testid=notification-link]").click()
    # when: they reply in the thread
    desk.locator("[data-testid=thread] [data-testid=reply-body]").fill("Yes, Friday 12 December.")
    desk.locator("[data-testid=thread] [data-testid=reply]").click()
    expect(desk.locator("[data-testid=thread-reply]")).to_contain_text("Yes, Friday 12 December.")
    # and the manager resolves the thread
    boss.reload()
    expect(boss.locator("[data-testid=thread-reply]")).to_contain_text("Friday 12 December")
    boss.click("[data-testid=resolve]")
    # then
    expect(boss.locator("[data-testid=thread-resolved]")).to_contain_text("mia.manager@example.com")
    expect(boss.locator("[data-testid=open-threads]")).to_contain_text("0")
    expect(boss.locator("[data-testid=timeline] li[data-kind=comment_resolved]")).to_have_count(1)
    expect(boss.locator("[data-testid=timeline] li[data-kind=comment]")).to_have_count(1)
    shot(boss, "comment-thread", language)
    comment.refresh_from_db()
    assert comment.resolved_by == manager and comment.resolved_at is not None
    assert PostComment.objects.get(parent=comment).author == editor
    assert Notification.objects.filter(recipient=editor, kind="mentioned", post=post).count() == 1
    boss.context.close()
    desk.context.close()
