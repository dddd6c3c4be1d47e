"""Publishing notices by email and in-app, each in the recipient's language, as each person chose.

The emails go out from the task publishing.send_notice_emails, enqueued after the pipeline's commit
(eager in tests): the publish step is run inside `django_capture_on_commit_callbacks(execute=True)`.
No simulator is needed: the paths used here (an account that refuses our token, a missed post, an
assisted post) fail or hand over before any platform call.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from approvals.models import NotificationPreference
from channels_app.models import SocialAccount
from channels_app.tests.factories import SocialAccountFactory
from content.models import PostTarget
from content.models import TargetStatus as S
from publishing import pipeline
from publishing.models import PublishNotification

from .pipeline_kit import due_target, job_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws():
    return WorkspaceFactory(timezone="Asia/Shanghai")


@pytest.fixture
def admin(ws):
    """An English-speaking admin (admins hear about every failure)."""
    return WorkspaceMemberFactory(workspace=ws, role=Role.ADMIN, user=UserFactory(language="en")).user


@pytest.fixture
def author(ws):
    """The post's author, who reads Chinese."""
    return WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR, user=UserFactory(language="zh-hans")).user


def refusing_account(ws, **fields):
    """An X account whose token was revoked: its posts fail with "Reconnect the account" (no call)."""
    return SocialAccountFactory(
        workspace=ws,
        platform="x",
        handle="brand_hq",
        status=SocialAccount.Status.REVOKED,
        status_message="token revoked",
        **fields,
    )


def publish(target, capture) -> str:
    """Claim the target, then run its publish step and everything it enqueues after commit."""
    pipeline.claim_due()
    with capture(execute=True):
        return pipeline.publish_attempt(target.pk, str(job_of(target).attempt_id))


def mail_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def post_link(target) -> str:
    return django_settings.KAWO["SITE_URL"].rstrip("/") + reverse(
        "content:post_detail", args=[target.workspace_id, target.post_id]
    )


# --- failed: the team, once each, in each person's language --------------------------------------


def test_a_failed_target_emails_the_team_once_each_in_their_language(
    ws, admin, author, django_capture_on_commit_callbacks
):
    # given: the admin is also the account's responsible person (still one email)
    responsible = admin.workspace_memberships.get(workspace=ws)
    account = refusing_account(ws, responsible=responsible)
    due = timezone.now() - timedelta(minutes=10)
    target = due_target(account, text="hello", due=due, author=author)
    target.post.title = "Spring launch"
    target.post.save(update_fields=["title"])
    mail.outbox.clear()
    # when
    outcome = publish(target, django_capture_on_commit_callbacks)
    # then
    assert outcome == "reconnect"
    assert PostTarget.objects.get(pk=target.pk).status == S.FAILED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.email, author.email])
    due_shown = timezone.localtime(due, ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")

    [english] = mail_to(admin)
    assert english.subject == "[KAWO OSS] A post failed to publish"
    assert "“Spring launch” on X @brand_hq was not published: Reconnect the account" in english.body
    assert "Spring launch" in english.body and "@brand_hq" in english.body
    assert f"{due_shown} (Asia/Shanghai)" in english.body
    assert "Reason: The account must be reconnected" in english.body
    assert post_link(target) in english.body

    [chinese] = mail_to(author)
    assert chinese.subject == "[KAWO OSS] 帖子发布失败"
    assert "“Spring launch”未能在 X @brand_hq 上发布：请重新连接账号" in chinese.body
    assert f"{due_shown} (Asia/Shanghai)" in chinese.body
    assert "原因：需要重新连接账号" in chinese.body
    assert "Reconnect the account" not in chinese.body
    assert post_link(target) in chinese.body

    # the in-app notices are in each person's language too
    notices = {n.recipient_id: n.message for n in PublishNotification.objects.filter(target=target)}
    assert notices[admin.pk].startswith("“Spring launch” on X @brand_hq was not published")
    assert notices[author.pk].startswith("“Spring launch”未能在 X @brand_hq 上发布：请重新连接账号")


def test_a_missed_post_is_told_in_the_recipients_language(ws, author, django_capture_on_commit_callbacks):
    # given
    account = SocialAccountFactory(workspace=ws, platform="x")
    target = due_target(account, text="late", due=timezone.now() - timedelta(hours=3), author=author)
    mail.outbox.clear()
    # when
    outcome = publish(target, django_capture_on_commit_callbacks)
    # then
    assert outcome == "missed"
    [message] = mail_to(author)
    assert message.subject == "[KAWO OSS] 帖子错过了发布时间"
    assert "已错过：原定于" in message.body
    [notice] = PublishNotification.objects.filter(target=target, recipient=author)
    assert notice.kind == "missed" and "已错过：原定于" in notice.message


# --- each person's choices -------------------------------------------------------------------------


def test_no_email_for_someone_who_turned_email_off_for_that_kind(
    ws, admin, author, django_capture_on_commit_callbacks
):
    # given: the author wants no failure emails (but still wants other kinds by email)
    NotificationPreference.objects.create(user=author, kind="failed", in_app=True, email=False)
    NotificationPreference.objects.create(user=admin, kind="missed", in_app=True, email=False)
    target = due_target(refusing_account(ws), text="hello", author=author)
    mail.outbox.clear()
    # when
    publish(target, django_capture_on_commit_callbacks)
    # then: the author is told in the app only; the admin's "missed" choice does not apply here
    assert mail_to(author) == []
    assert len(mail_to(admin)) == 1
    assert PublishNotification.objects.filter(target=target, recipient=author, kind="failed").count() == 1


def test_in_app_off_writes_no_notice_but_the_email_still_goes(
    ws, admin, author, django_capture_on_commit_callbacks
):
    # given
    NotificationPreference.objects.create(user=author, kind="failed", in_app=False, email=True)
    target = due_target(refusing_account(ws), text="hello", author=author)
    mail.outbox.clear()
    # when
    publish(target, django_capture_on_commit_callbacks)
    # then
    assert not PublishNotification.objects.filter(target=target, recipient=author).exists()
    assert PublishNotification.objects.filter(target=target, recipient=admin).count() == 1
    assert len(mail_to(author)) == 1


# --- assisted publishing ---------------------------------------------------------------------------


def test_the_assisted_due_email_carries_the_ready_text(ws, admin, django_capture_on_commit_callbacks):
    # given
    owner = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR, user=UserFactory(language="zh-hans"))
    account = SocialAccountFactory(
        workspace=ws, platform="xiaohongshu", assisted=True, responsible=owner, credentials=False
    )
    target = due_target(account, text="笔记正文：春季新品上市 #新品")
    PostTarget.objects.filter(pk=target.pk).update(first_comment="评论区见链接")
    mail.outbox.clear()
    # when
    outcome = publish(target, django_capture_on_commit_callbacks)
    # then: only the responsible person, with everything needed to post from a phone
    assert outcome == "assisted"
    [message] = mail.outbox
    assert message.to == [owner.user.email]
    assert message.subject == "[KAWO OSS] 有帖子等待你发布"
    assert "笔记正文：春季新品上市 #新品" in message.body
    assert "评论区见链接" in message.body
    overdue = timezone.localtime(job_of(target).lease_expires_at, ZoneInfo("Asia/Shanghai"))
    assert overdue.strftime("%Y-%m-%d %H:%M") in message.body
    task_link = django_settings.KAWO["SITE_URL"].rstrip("/") + reverse(
        "publishing:assisted_task", args=[target.workspace_id, target.pk]
    )
    assert task_link in message.body
    assert post_link(target) not in message.body


def test_the_assisted_overdue_notice_is_emailed_to_the_team(ws, admin, django_capture_on_commit_callbacks):
    # given
    account = SocialAccountFactory(workspace=ws, platform="xiaohongshu", assisted=True, credentials=False)
    target = due_target(account, text="note")
    publish(target, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.sweep_expired(now=timezone.now() + timedelta(minutes=241))
    # then
    [message] = mail_to(admin)
    assert message.subject == "[KAWO OSS] An assisted post is overdue"
    assert "Nobody confirmed this assisted post in time" in message.body


# --- a failing mail server never touches the publish -----------------------------------------------


class RefusingBackend(LocmemBackend):
    """A mail server that is down."""

    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


class FlakyBackend(LocmemBackend):
    """Refuses the first message to one address, then works."""

    refused: list[str] = []

    def send_messages(self, messages):
        for message in messages:
            if message.to[0].startswith("flaky") and not type(self).refused:
                type(self).refused.append(message.to[0])
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (451, b"try again later")})
        return super().send_messages(messages)


def test_a_failing_mail_server_does_not_change_the_targets_status(
    ws, admin, author, settings, django_capture_on_commit_callbacks
):
    # given
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.calls = 0
    target = due_target(refusing_account(ws), text="hello", author=author)
    mail.outbox.clear()
    # when
    outcome = publish(target, django_capture_on_commit_callbacks)
    # then: the publish step finished as it would have; the notices are in the app; no email went
    assert outcome == "reconnect"
    target.refresh_from_db()
    assert target.status == S.FAILED
    assert job_of(target).reason == "reconnect_account"
    assert PublishNotification.objects.filter(target=target).count() == 2
    assert mail.outbox == []
    assert RefusingBackend.calls >= 2  # the task did try (and its retries, never the publish's)


def test_a_temporary_mail_failure_is_retried_for_that_recipient_only(
    ws, admin, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # given: eager tasks run their retries in place only when they do not propagate errors
    from kawo.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.refused = []
    author = WorkspaceMemberFactory(workspace=ws, user=UserFactory(email="flaky@example.com")).user
    target = due_target(refusing_account(ws), text="hello", author=author)
    mail.outbox.clear()
    # when
    publish(target, django_capture_on_commit_callbacks)
    # then: each person got exactly one email
    assert FlakyBackend.refused == ["flaky@example.com"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.email, "flaky@example.com"])


# --- the preferences API lists the publishing kinds -------------------------------------------------


def test_the_preferences_api_lists_the_publishing_kinds_with_chinese_labels(client_for, author):
    # given
    client = client_for(author)
    # when
    listed = client.get("/api/v1/notifications/preferences/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    changed = client.put(
        "/api/v1/notifications/preferences/",
        {"preferences": [{"kind": "assisted_due", "in_app": True, "email": False}]},
        format="json",
    )
    # then
    assert listed.status_code == 200
    rows = {row["kind"]: row for row in listed.json()["preferences"]}
    assert {"failed", "unknown", "missed", "assisted_due", "assisted_overdue", "review_needed"} <= set(rows)
    assert rows["failed"]["label"] == "帖子发布失败"
    assert rows["failed"]["email"] is True
    assert changed.status_code == 200
    after = {row["kind"]: row for row in changed.json()["preferences"]}
    assert after["assisted_due"]["email"] is False and after["assisted_due"]["in_app"] is True
    assert NotificationPreference.objects.get(user=author, kind="assisted_due").email is False


def test_publishing_and_approval_kinds_never_share_a_preference_value():
    from approvals.models import PREFERENCE_KINDS, PREFERENCE_VALUES

    assert len(PREFERENCE_VALUES) == len(PREFERENCE_KINDS)
    assert set(PublishNotification.Kind.values) <= PREFERENCE_VALUES
