"""Notices of the apps above approvals (budgets, competitors, inbox): in the bell and by email, as each
person chose for that kind (NotificationPreference; no row = both channels).

`notify` runs inside the caller's transaction and writes Notification rows (post left empty, `link` set);
emails go after the commit. Each message is rendered in the recipient's language from a callable, so a
lazy template is formatted once per language. The kinds are approvals.models.APP_NOTIFICATION_KINDS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation

from approvals.models import APP_NOTIFICATION_KINDS, Notification, NotificationPreference
from core.links import absolute_url

_LABELS = dict(APP_NOTIFICATION_KINDS)


def notify(
    recipients: Iterable, *, kind: str, workspace_id: int, message: Callable[[], str], link: str = ""
) -> list[Notification]:
    """Tell each recipient (users; duplicates and None dropped) about `kind` in the workspace. `message`
    returns the text in the active language; `link` is a site path (the bell links it, the email carries
    it as an absolute URL)."""
    if kind not in _LABELS:
        raise ValueError(f"not an app notice kind: {kind}")
    people = {u.pk: u for u in recipients if u is not None and getattr(u, "pk", None)}
    if not people:
        return []
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(people), kind=kind)}
    rows, mails = [], []
    for user in people.values():
        pref = prefs.get(user.pk)
        with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
            text = str(message())[:500]
            subject = f"[KAWO OSS] {_LABELS[kind]}"
        if pref is None or pref.in_app:
            rows.append(
                Notification(recipient=user, workspace_id=workspace_id, kind=kind, message=text, link=link)
            )
        if (pref is None or pref.email) and user.email:
            body = f"{text}\n\n{absolute_url(link)}" if link else text
            mails.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    created = Notification.objects.bulk_create(rows)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return created
