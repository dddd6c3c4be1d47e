"""Publishing notices (failed, unknown, missed, assisted post due / overdue): in-app and by email.

Like approvals.notifications: `notify` runs inside the pipeline's transaction and writes the in-app rows
there; each person chooses per kind (approvals.NotificationPreference, no row = both on) and reads the
message in their own language (user.language, else settings.LANGUAGE_CODE), so the pipeline hands over a
lazy message (`lazy_message`) that is rendered once per recipient.

Emails never sit in the publish worker's path: after the commit one task, publishing.send_notice_emails,
is enqueued with the rendered messages; it sends them (`notice_emails_send`) and retries only the ones the
mail server refused. A mail server that is down, or a broker that refuses the task, is logged and
nothing else: the publish step has already committed and is never failed or retried because of it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.links import absolute_url

from .models import PublishJob, PublishNotification

logger = logging.getLogger(__name__)

# Why a target failed (PublishJob.reason), as the email says it.
REASON_LABELS = {
    "missed": gettext_lazy("It was not published within the grace window"),
    "reconnect_account": gettext_lazy("The account must be reconnected"),
    "approval": gettext_lazy("The content is not approved as it is now"),
    "rejected": gettext_lazy("The platform refused it"),
    "retries_exhausted": gettext_lazy("Too many temporary errors"),
    "overdue": gettext_lazy("Nobody confirmed it in time"),
    "compliance": gettext_lazy("Compliance found a blocking problem in what would be sent"),
}


def lazy_message(template, /, **params) -> str:
    """`template % params`, rendered when it is turned into text: in the language active then.

    `template` is a gettext_lazy string; params may be lazy too (a reason inside a message) and objects
    whose str() is translated (an account shows its platform's name)."""
    return _lazy_format(template, params)


def _format(template, params: dict) -> str:
    return str(template) % params


_lazy_format = lazy(_format, str)


def language_of(user) -> str:
    return getattr(user, "language", None) or settings.LANGUAGE_CODE


def notify(
    *,
    target,
    kind: str,
    message,
    recipients: Iterable,
    reason: str = "",
    content: dict | None = None,
) -> list[PublishNotification]:
    """Tell each recipient (users; duplicates dropped) about `kind` on `target`, as each chose."""
    from approvals.models import NotificationPreference

    people = {u.pk: u for u in recipients if u is not None and getattr(u, "pk", None)}
    if not people:
        return []
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(people), kind=kind)}
    rows, emails = [], []
    for user in people.values():
        pref = prefs.get(user.pk)
        with translation.override(language_of(user)):
            text = str(message)[:500]
        if pref is None or pref.in_app:
            rows.append(
                PublishNotification(
                    workspace_id=target.workspace_id,
                    recipient=user,
                    kind=kind,
                    target=target,
                    message=text,
                    content=content or {},
                )
            )
        if (pref is None or pref.email) and user.email:
            emails.append({"user_id": user.pk, "message": text})
    created = PublishNotification.objects.bulk_create(rows)
    if emails:
        transaction.on_commit(
            partial(_enqueue_emails, target.pk, kind, emails, reason=reason, content=content or {})
        )
    return created


def _enqueue_emails(target_id: int, kind: str, emails: list[dict], *, reason: str, content: dict) -> None:
    from .tasks import send_notice_emails

    try:
        send_notice_emails.apply_async(
            args=[target_id, kind, emails], kwargs={"reason": reason, "content": content}
        )
    except Exception as exc:  # noqa: BLE001 - a lost email must not touch the publish that just committed
        logger.warning("the %s emails of target %s were not sent: %s", kind, target_id, exc)


def post_url(target) -> str:
    return absolute_url(reverse("content:post_detail", args=[target.workspace_id, target.post_id]))


def task_url(target) -> str:
    """The phone-friendly task page of an assisted target (publishing:assisted_task)."""
    return absolute_url(reverse("publishing:assisted_task", args=[target.workspace_id, target.pk]))


def _ready(content: dict) -> dict | None:
    """What the person needs to post an assisted post from their phone (None when nothing to post)."""
    if not content.get("text") and not content.get("media"):
        return None
    overdue = content.get("overdue_at")
    return {
        "text": content.get("text", ""),
        "first_comment": content.get("first_comment", ""),
        "media": [absolute_url(url) for url in content.get("media") or []],
        "overdue_at": datetime.fromisoformat(overdue) if overdue else None,
    }


def notice_emails_send(
    *, target_id: int, kind: str, emails: list[dict], reason: str = "", content: dict | None = None
) -> list[dict]:
    """Email each {"user_id", "message"} (the message already in that person's language) about the
    target, in that person's language. Returns the items the mail server refused (to try again)."""
    from accounts.models import User
    from content.models import PostTarget

    target = PostTarget.objects.select_related("post__workspace", "account").filter(pk=target_id).first()
    if target is None:
        return []
    post, workspace = target.post, target.post.workspace
    job = PublishJob.objects.filter(target_id=target_id).first()
    due = (job.due_at if job else None) or post.scheduled_at
    users = User.objects.in_bulk([item["user_id"] for item in emails])
    is_task = kind == PublishNotification.Kind.ASSISTED_DUE  # the person posts it: link the task page
    ready = _ready(content or {}) if is_task else None
    outgoing = []
    for item in emails:
        user = users.get(item["user_id"])
        if user is None or not user.email:
            continue
        with translation.override(language_of(user)):
            context = {
                "message": item["message"],
                "title": post.title or _("Post %(id)s") % {"id": post.pk},
                "account": str(target.account),
                "due": due,
                "zone": workspace.timezone,
                "reason": str(REASON_LABELS.get(reason, "")),
                "ready": ready,
                "url": task_url(target) if is_task else post_url(target),
                "is_task": is_task,
            }
            subject = f"[KAWO OSS] {PublishNotification.Kind(kind).label}"
            body = render_to_string("emails/publish_notice_body.txt", context)
        outgoing.append((item, EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])))
    if not outgoing:
        return []
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - the mail server is down: all of them later
        logger.warning("could not reach the mail server for target %s: %s", target_id, exc)
        return [item for item, _message in outgoing]
    failed = []
    try:
        for item, email in outgoing:
            try:
                connection.send_messages([email])
            except Exception as exc:  # noqa: BLE001 - one refused address must not stop the others
                logger.warning("could not email user %s about target %s: %s", item["user_id"], target_id, exc)
                failed.append(item)
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            connection.close()
    return failed
