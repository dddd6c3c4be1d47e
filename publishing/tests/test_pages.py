"""The pipeline in the dashboard: the post page (status, attempt log, buttons), the calendar's marks for
failed, unknown and missed posts, and the notification bell and page."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import Notification, NotificationKind
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, PostTarget
from content.models import TargetStatus as S
from content.tests.factories import PostFactory, PostTargetFactory
from core.models import AuditEvent
from publishing.models import PublishAttempt, PublishJob, PublishNotification

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_target(workspace, *, status: str, platform: str = "x", due=None, **account_fields) -> PostTarget:
    account = SocialAccountFactory(workspace=workspace, platform=platform, **account_fields)
    post = PostFactory(workspace=workspace, scheduled_at=due or timezone.now() + timedelta(days=1))
    target = PostTargetFactory(post=post, workspace=workspace, account=account, status=status)
    Post.objects.filter(pk=post.pk).update(status=status)
    return target


def make_attempt(target, number: int = 1, **fields) -> PublishAttempt:
    values = {
        "workspace_id": target.workspace_id,
        "target": target,
        "attempt_id": uuid.uuid4(),
        "number": number,
        "started_at": timezone.now(),
        "worker": "celery@worker-7",
        "request": {"platform": "x", "text": target.text, "media": [], "idempotency_key": "k"},
        "response": {"status": "published", "external_id": "ext-42", "url": "https://x.example/ext-42"},
        "duration_ms": 321,
        "outcome": PublishAttempt.Outcome.PUBLISHED,
    }
    values.update(fields)
    return PublishAttempt.objects.create(**values)


def post_url(target) -> str:
    return reverse("content:post_detail", args=[target.workspace_id, target.post_id])


# --- the post page ----------------------------------------------------------------------------------


def test_post_page_shows_status_attempt_log_and_link(ws, admin):
    # given
    target = make_target(ws, status=S.PUBLISHED)
    PostTarget.objects.filter(pk=target.pk).update(url="https://x.example/ext-42")
    make_attempt(
        target,
        number=1,
        outcome=PublishAttempt.Outcome.TRANSIENT,
        response={"error": "Transient", "status_code": 503, "platform_message": "try later"},
        duration_ms=88,
    )
    make_attempt(target, number=2)
    # when
    response = signed_in(admin).get(post_url(target))
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="attempt-log"' in html and html.count('data-testid="attempt"') == 2
    assert "celery@worker-7" in html and "321 ms" in html and "88 ms" in html
    assert "try later" in html and "ext-42" in html
    assert 'data-testid="publish-url"' in html and "https://x.example/ext-42" in html
    assert str(PublishAttempt.Outcome.TRANSIENT.label) in html
    # nothing to do on a published target
    assert 'data-testid="retry-target"' not in html and 'data-testid="cancel-target"' not in html


def test_post_page_buttons_follow_the_role(ws, admin):
    # given
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    target = make_target(ws, status=S.FAILED)
    # when
    as_admin = signed_in(admin).get(post_url(target)).content.decode()
    as_viewer = signed_in(viewer).get(post_url(target))
    # then
    assert 'data-testid="retry-target"' in as_admin and 'data-testid="cancel-target"' in as_admin
    assert as_viewer.status_code == 200
    html = as_viewer.content.decode()
    assert 'data-testid="publish-panel"' in html
    assert 'data-testid="retry-target"' not in html and 'data-testid="cancel-target"' not in html


def test_post_page_queries_do_not_grow_with_attempts(ws, admin):
    # given
    target = make_target(ws, status=S.FAILED)
    make_attempt(target, number=1)
    client = signed_in(admin)
    client.get(post_url(target))
    with CaptureQueriesContext(connection) as one:
        client.get(post_url(target))
    for number in range(2, 22):
        make_attempt(target, number=number)
    # when
    with CaptureQueriesContext(connection) as many:
        response = client.get(post_url(target))
    # then
    assert response.status_code == 200
    assert len(many) == len(one)


def test_publish_now_button_queues_the_scheduled_targets(ws, admin):
    # given
    target = make_target(ws, status=S.SCHEDULED)
    client = signed_in(admin)
    assert 'data-testid="publish-now"' in client.get(post_url(target)).content.decode()
    # when
    response = client.post(reverse("publishing:post_publish_now", args=[ws.pk, target.post_id]), follow=True)
    # then
    assert response.redirect_chain[-1][0] == post_url(target)
    assert PostTarget.objects.get(pk=target.pk).status == S.QUEUED
    assert AuditEvent.objects.filter(action="post.publish_now", workspace=ws).exists()
    assert "Publishing now" in response.content.decode()


def test_retry_button_requeues_a_failed_target(ws, admin):
    # given
    target = make_target(ws, status=S.FAILED)
    # when
    response = signed_in(admin).post(reverse("publishing:target_retry", args=[ws.pk, target.pk]))
    # then
    assert response.status_code == 302 and response["Location"] == post_url(target)
    assert PostTarget.objects.get(pk=target.pk).status == S.QUEUED
    assert AuditEvent.objects.filter(action="post_target.retry", workspace=ws).exists()


def test_retry_is_refused_with_the_reason_while_the_outcome_is_unknown(ws, admin):
    # given
    target = make_target(ws, status=S.UNKNOWN)
    # when
    response = signed_in(admin).post(reverse("publishing:target_retry", args=[ws.pk, target.pk]), follow=True)
    # then
    assert response.status_code == 200
    assert "still confirming with the platform" in response.content.decode()
    assert PostTarget.objects.get(pk=target.pk).status == S.UNKNOWN


def test_cancel_button_cancels_one_target(ws, admin):
    # given
    target = make_target(ws, status=S.SCHEDULED)
    # when
    signed_in(admin).post(reverse("publishing:target_cancel", args=[ws.pk, target.pk]))
    # then
    assert PostTarget.objects.get(pk=target.pk).status == S.CANCELLED
    assert AuditEvent.objects.filter(action="post_target.cancel", workspace=ws).exists()


def test_assisted_target_due_shows_a_confirm_form_that_records_the_link(ws, admin):
    # given: an assisted target handed to a person (publishing, assisted job)
    target = make_target(ws, status=S.PUBLISHING, platform="xiaohongshu", assisted=True, credentials=False)
    PublishJob.objects.create(workspace=ws, target=target, kind=PublishJob.Kind.ASSISTED)
    client = signed_in(admin)
    page = client.get(post_url(target)).content.decode()
    url = reverse("publishing:target_confirm", args=[ws.pk, target.pk])
    # when
    bad = client.post(url, {"url": "not a link"}, follow=True)
    good = client.post(url, {"url": "https://www.xiaohongshu.com/explore/9"})
    # then
    assert 'data-testid="confirm-form"' in page
    assert "Enter the post" in bad.content.decode()
    assert good.status_code == 302
    target.refresh_from_db()
    assert target.status == S.PUBLISHED and target.url == "https://www.xiaohongshu.com/explore/9"


def _action_urls(target) -> list[str]:
    ws = target.workspace_id
    return [
        reverse("publishing:post_publish_now", args=[ws, target.post_id]),
        reverse("publishing:target_retry", args=[ws, target.pk]),
        reverse("publishing:target_cancel", args=[ws, target.pk]),
        reverse("publishing:target_confirm", args=[ws, target.pk]),
    ]


def test_buttons_of_another_workspace_are_404(ws, admin):
    # given
    victim = make_target(WorkspaceFactory(), status=S.FAILED)
    client = signed_in(admin)
    own_ws_urls = [
        reverse("publishing:post_publish_now", args=[ws.pk, victim.post_id]),
        reverse("publishing:target_retry", args=[ws.pk, victim.pk]),
        reverse("publishing:target_cancel", args=[ws.pk, victim.pk]),
    ]
    # when
    codes = [client.post(url).status_code for url in _action_urls(victim) + own_ws_urls]
    # then
    assert codes == [404] * 7
    assert PostTarget.objects.get(pk=victim.pk).status == S.FAILED


def test_buttons_are_403_for_a_viewer(ws):
    # given
    viewer = WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user
    target = make_target(ws, status=S.FAILED)
    client = signed_in(viewer)
    # when
    codes = [client.post(url).status_code for url in _action_urls(target)]
    # then
    assert codes == [403] * 4
    assert PostTarget.objects.get(pk=target.pk).status == S.FAILED


# --- the calendar -----------------------------------------------------------------------------------


def test_calendar_marks_failed_unknown_and_missed_posts(ws, admin):
    # given
    due = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    failed = make_target(ws, status=S.FAILED, due=due)
    unknown = make_target(ws, status=S.UNKNOWN, due=due)
    missed = make_target(ws, status=S.FAILED, due=due)
    fine = make_target(ws, status=S.SCHEDULED, due=due)
    PublishJob.objects.create(workspace=ws, target=missed, reason="missed")
    PublishJob.objects.create(workspace=ws, target=failed, reason="rejected")
    local = due.astimezone(ws.tzinfo).replace(tzinfo=None)
    params = {
        "start": (local - timedelta(days=1)).isoformat(),
        "end": (local + timedelta(days=1)).isoformat(),
    }
    # when
    one = signed_in(admin).get(reverse("content:calendar_events", args=[ws.pk]), params).json()
    every = signed_in(admin).get(reverse("content:calendar_all_events"), params).json()
    # then
    for events in (one, every):
        by_post = {int(e["id"]): e for e in events}
        assert "ev-alert-failed" in by_post[failed.post_id]["classNames"]
        assert "ev-alert-unknown" in by_post[unknown.post_id]["classNames"]
        assert "ev-alert-missed" in by_post[missed.post_id]["classNames"]
        assert by_post[missed.post_id]["extendedProps"]["alert"] == "missed"
        assert by_post[missed.post_id]["extendedProps"]["statusLabel"] == "Missed"
        assert "ev-alert" not in by_post[fine.post_id]["classNames"]


# --- notifications ----------------------------------------------------------------------------------


def _notices(user, workspace, target, n: int) -> None:
    for i in range(n):
        PublishNotification.objects.create(
            workspace=workspace, recipient=user, kind="failed", target=target, message=f"failed {i}"
        )
        Notification.objects.create(
            workspace=workspace,
            recipient=user,
            kind=NotificationKind.REVIEW_NEEDED,
            post=target.post,
            message=f"review {i}",
        )


def _bell(html: str) -> str | None:
    marker = 'data-testid="bell-count">'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_bell_counts_unread_notices_of_both_kinds_in_constant_queries(ws, admin):
    # given
    target = make_target(ws, status=S.FAILED)
    someone_else = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    _notices(someone_else, ws, target, 3)  # not mine
    _notices(admin, ws, target, 1)
    client = signed_in(admin)
    url = reverse("dashboard:workspace_home", args=[ws.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as with_two:
        first = client.get(url).content.decode()
    _notices(admin, ws, target, 19)
    first_notice = PublishNotification.objects.filter(recipient=admin).order_by("id").first()
    PublishNotification.objects.filter(pk=first_notice.pk).update(read_at=timezone.now())
    # when
    with CaptureQueriesContext(connection) as with_forty:
        second = client.get(url).content.decode()
    # then
    assert _bell(first) == "2"
    assert _bell(second) == "39"
    assert len(with_forty) == len(with_two)


def test_notifications_page_lists_both_kinds_and_marks_read(ws, admin):
    # given
    target = make_target(ws, status=S.FAILED)
    _notices(admin, ws, target, 1)
    other = WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN).user
    theirs = PublishNotification.objects.create(
        workspace=ws, recipient=other, kind="failed", target=target, message="theirs"
    )
    mine = PublishNotification.objects.get(recipient=admin)
    client = signed_in(admin)
    # when
    page = client.get(reverse("publishing:notifications")).content.decode()
    client.post(reverse("publishing:notifications_read"), {"kind": "publishing", "id": mine.pk})
    client.post(reverse("publishing:notifications_read"), {"kind": "publishing", "id": theirs.pk})
    after_one = client.get(reverse("publishing:notifications")).content.decode()
    client.post(reverse("publishing:notifications_read"))
    after_all = client.get(reverse("publishing:notifications")).content.decode()
    # then
    assert "failed 0" in page and "review 0" in page and "theirs" not in page
    assert page.count('data-read="0"') == 2 and _bell(page) == "2"
    assert after_one.count('data-read="0"') == 1 and _bell(after_one) == "1"
    assert after_all.count('data-read="0"') == 0 and _bell(after_all) is None
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert post_url(target) in page


def test_notifications_page_needs_sign_in():
    # when
    response = Client().get(reverse("publishing:notifications"))
    # then
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_pages_speak_simplified_chinese(ws, admin):
    # given
    target = make_target(ws, status=S.FAILED)
    make_attempt(target)
    client = signed_in(admin)
    client.cookies["django_language"] = "zh-hans"
    # when
    notices = client.get(reverse("publishing:notifications")).content.decode()
    post_page = client.get(post_url(target)).content.decode()
    # then
    assert "暂无通知" in notices or "没有通知" in notices
    assert "重试" in post_page and "平台" in post_page
