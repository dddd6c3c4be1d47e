"""The pipeline's dashboard in a real browser: the post page's attempt log and buttons (a retry refused
while the outcome is unknown, a retry of a failed target), the calendar's marks (failed, unknown, missed)
and the bell."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, PostTarget
from content.models import TargetStatus as S
from content.tests.factories import PostFactory, PostTargetFactory
from core.models import AuditEvent
from publishing.models import PublishAttempt, PublishJob, PublishNotification
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_post_page_attempt_log_retry_and_bell(live_server, page):
    # given: a post due in an hour on two accounts, one failed after a 503 and a rejection, one unknown
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    admin = WorkspaceMemberFactory(workspace=workspace, role=Role.ADMIN).user
    due = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    post = PostFactory(workspace=workspace, title="Oolong launch", scheduled_at=due)
    failed = PostTargetFactory(
        post=post,
        workspace=workspace,
        account=SocialAccountFactory(workspace=workspace, platform="x", handle="LotusTeaGlobal"),
        text="Fresh mountain oolong is here",
        status=S.FAILED,
        error_message="Rejected by the platform: duplicate content",
    )
    unknown = PostTargetFactory(
        post=post,
        workspace=workspace,
        account=SocialAccountFactory(workspace=workspace, platform="bluesky", handle="lotustea.bsky.social"),
        text="Fresh mountain oolong is here",
        status=S.UNKNOWN,
    )
    Post.objects.filter(pk=post.pk).update(status=S.FAILED)
    PublishJob.objects.create(workspace=workspace, target=failed, reason="rejected")
    for number, outcome, answer in [
        (1, PublishAttempt.Outcome.TRANSIENT, {"error": "Transient", "status_code": 503}),
        (2, PublishAttempt.Outcome.REJECTED, {"error": "Rejected", "platform_message": "duplicate content"}),
    ]:
        PublishAttempt.objects.create(
            workspace=workspace,
            target=failed,
            attempt_id=uuid.uuid4(),
            number=number,
            started_at=timezone.now() - timedelta(minutes=5 - number),
            worker="celery@worker-1",
            request={"platform": "x", "text": failed.text, "media": [{"filename": "tea.jpg"}]},
            response=answer,
            duration_ms=140 * number,
            outcome=outcome,
        )
    PublishNotification.objects.create(
        workspace=workspace,
        recipient=admin,
        kind="failed",
        target=failed,
        message="Oolong launch failed on X",
    )
    for title, status, reason in [("Tea ceremony", S.FAILED, "missed"), ("Gift box", S.FAILED, "rejected")]:
        other = PostTargetFactory(
            post=PostFactory(workspace=workspace, title=title, scheduled_at=due + timedelta(hours=2)),
            workspace=workspace,
            account=failed.account,
            status=status,
        )
        Post.objects.filter(pk=other.post_id).update(status=status)
        PublishJob.objects.create(workspace=workspace, target=other, reason=reason)
    waiting = PostTargetFactory(
        post=PostFactory(workspace=workspace, title="Spring harvest", scheduled_at=due + timedelta(hours=3)),
        workspace=workspace,
        account=unknown.account,
        status=S.UNKNOWN,
    )
    Post.objects.filter(pk=waiting.post_id).update(status=S.UNKNOWN)
    signed_in(page, live_server, admin)
    # when: the post page
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/{post.pk}/")
    # then: the attempt log and the bell
    failed_panel = page.locator(f'[data-testid="publish-panel"][data-target-id="{failed.pk}"]')
    expect(failed_panel.locator('[data-testid="attempt"]')).to_have_count(2)
    expect(failed_panel).to_contain_text("celery@worker-1")
    expect(failed_panel).to_contain_text("duplicate content")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "post-publishing.png"), full_page=True)
    # when: the calendar of that day (before any retry, so no task can change a mark under us)
    page.goto(
        f"{live_server.url}/w/{workspace.pk}/calendar/?date={due.astimezone(workspace.tzinfo):%Y-%m-%d}"
    )
    # then: the failed posts, the missed one and the one whose outcome is unknown carry their marks
    expect(page.locator(".fc-event.ev-alert-unknown")).to_have_count(1)
    expect(page.locator(".fc-event.ev-alert-missed")).to_have_count(1)
    expect(page.locator(".fc-event.ev-alert-failed")).to_have_count(2)
    page.screenshot(path=str(SCREENSHOTS / "calendar-publishing.png"), full_page=True)
    # and the bell leads to the notices
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("notification")).to_contain_text("Oolong launch failed on X")
    # when: back on the post page
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/{post.pk}/")
    # when: retry the unknown target: refused with the reason
    page.locator(f'[data-testid="publish-panel"][data-target-id="{unknown.pk}"]').get_by_test_id(
        "retry-target"
    ).click()
    # then
    expect(page.locator("body")).to_contain_text("still confirming with the platform")
    assert PostTarget.objects.get(pk=unknown.pk).status == S.UNKNOWN
    # when: retry the failed one
    page.locator(f'[data-testid="publish-panel"][data-target-id="{failed.pk}"]').get_by_test_id(
        "retry-target"
    ).click()
    # then
    expect(page.locator("body")).to_contain_text("Trying again now.")
    # The retry service re-queued it (audited); an eager task may already have tried again since.

    assert AuditEvent.objects.filter(action="post_target.retry", target_id=str(failed.pk)).count() == 1
