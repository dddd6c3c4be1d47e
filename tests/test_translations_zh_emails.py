"""Issue 13, acceptance 3, for email: every kind of email the product sends, to a person who reads
简体中文, has no English left from our own templates and messages. The kinds come from the code's own
lists (approval notices: NotificationKind; publishing notices: PublishNotificationKind), plus the
invitation, the external reviewer's code, the scheduled report and allauth's password reset, each sent
through the path that sends it in production; the words allowed in Latin letters are the page test's."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from accounts.models import User
from approvals.models import NotificationKind
from publishing.models import PublishNotificationKind
from tests.dashboard_pages import world  # noqa: F401 (the fixture)
from tests.test_translations_zh import LATIN_TERMS, data_words, english_left, formula_words

pytestmark = pytest.mark.django_db


def test_every_email_is_in_chinese_for_a_chinese_reader(world, django_capture_on_commit_callbacks):  # noqa: F811
    # given: everyone reads Chinese
    from approvals.links import link_code_send, review_link_create
    from approvals.models import ApprovalRequest
    from approvals.notifications import notify
    from publishing.notifications import notice_emails_send

    User.objects.update(language="zh-hans")
    owner = User.objects.get(pk=world.owner.pk)
    request = ApprovalRequest.objects.filter(workspace=world.workspace).order_by("pk").first()
    post = request.post
    target = post.targets.order_by("pk").first()
    mail.outbox.clear()
    sent: dict[str, list] = {}

    def take(name):
        sent[name] = list(mail.outbox)
        mail.outbox.clear()

    # when: every approval notice kind, by email
    for kind in NotificationKind.values:
        with django_capture_on_commit_callbacks(execute=True):
            notify([owner], kind=kind, post=post, request=request, extra="")
        take(f"approval:{kind}")
    # every publishing notice kind
    for kind in PublishNotificationKind.values:
        notice_emails_send(target_id=target.pk, kind=kind, emails=[{"user_id": owner.pk, "message": "—"}])
        take(f"publishing:{kind}")
    # an invitation to this (Chinese) workspace
    from accounts.services import invitation_create

    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=owner, workspace=world.workspace, email="xin.ren@example.com", role="editor")
    take("invitation")
    # the external reviewer's code, asked for from a page read in Chinese
    _link, token = review_link_create(
        actor=owner, workspace=world.workspace, email="hq@example.com", request=request
    )
    mail.outbox.clear()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        link_code_send(token)
    take("review code")
    # the weekly report
    from analytics.exports.schedules import _messages, scheduled_report_create

    report = scheduled_report_create(
        actor=owner,
        workspace=world.workspace,
        name="周报",
        frequency="weekly",
        fmt="xlsx",
        recipients=[owner],
    )
    sent["scheduled report"] = _messages(report, [owner], start=date(2026, 11, 23), end=date(2026, 11, 29))
    # allauth's password reset, asked for in Chinese
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies["django_language"] = "zh-hans"
    client.post("/accounts/password/reset/", {"email": owner.email})
    take("password reset")

    # then: each kind sent something, and nothing English is left in it
    allowed = LATIN_TERMS | data_words() | formula_words()
    failures = []
    for name, messages in sent.items():
        if not messages:
            failures.append(f"{name}: no email sent")
        for message in messages:
            for part in (message.subject, message.body):
                for line in english_left(part.replace("\n", "<br>"), allowed):
                    failures.append(f"{name}: {line!r}")
    assert not failures, "\n".join(failures)
