"""In-app and email notifications for approvals.

`notify` is called inside a service's transaction: in-app rows are written there, emails are sent after
the commit (Django's email backend). Each person chooses per kind (NotificationPreference; no row means
both on). Messages are rendered in the recipient's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.links import absolute_url

from .models import Notification, NotificationKind, NotificationPreference

K = NotificationKind


def _message(kind: str, *, post_title: str, extra: str = "") -> str:
    messages = {
        K.REVIEW_NEEDED: _("Your review is needed: “%(post)s”."),
        K.CHANGES_REQUESTED: _("Changes were requested on “%(post)s”."),
        K.APPROVED: _("“%(post)s” is approved."),
        K.REJECTED: _("“%(post)s” was rejected."),
        K.SLA_OVERDUE: _("The review of “%(post)s” is overdue."),
        K.ESCALATED: _("The review of “%(post)s” is overdue and was escalated to you."),
        K.MENTIONED: _("You were mentioned in a comment on “%(post)s”."),
        K.REOPENED: _("“%(post)s” went back to review: another stage applies to it now."),
    }
    text = messages[kind] % {"post": post_title}
    return f"{text} {extra}".strip()[:500]


def post_url(post) -> str:
    return absolute_url(f"/w/{post.workspace_id}/approvals/posts/{post.pk}/")


def notify(recipients: Iterable, *, kind: str, post, request=None, extra: str = "") -> list[Notification]:
    """Tell each recipient (users; duplicates and None dropped) about `kind` on `post`."""
    people = {u.pk: u for u in recipients if u is not None and getattr(u, "pk", None)}
    if not people:
        return []
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(people), kind=kind)}
    title = post.title or _("Post %(id)s") % {"id": post.pk}
    rows, mails = [], []
    for user in people.values():
        pref = prefs.get(user.pk)
        with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
            message = _message(kind, post_title=title, extra=extra)
            subject = f"[KAWO OSS] {K(kind).label}"
            subject = str(subject)
        if pref is None or pref.in_app:
            rows.append(
                Notification(
                    recipient=user,
                    workspace_id=post.workspace_id,
                    kind=kind,
                    post=post,
                    request=request,
                    message=message,
                )
            )
        if (pref is None or pref.email) and user.email:
            mails.append(
                (subject, f"{message}\n\n{post_url(post)}", settings.DEFAULT_FROM_EMAIL, [user.email])
            )
    created = Notification.objects.bulk_create(rows)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return created
