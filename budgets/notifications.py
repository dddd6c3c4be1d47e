"""Budget notices (a threshold reached, spend to approve, a decision on your spend): in the bell and by
email, as each person chose for that kind.

Like approvals.notifications: `notify` runs inside the service's transaction and writes approvals'
Notification rows (post left empty; the kinds are approvals.models.BudgetNotificationKind, so the bell
counts them and the notification settings list them); emails go after the commit. Each message is
rendered in the recipient's language from a lazy template.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from approvals.models import BudgetNotificationKind, Notification, NotificationPreference
from core.links import absolute_url


def budget_url(budget) -> str:
    return absolute_url(reverse("budgets:detail", args=[budget.workspace_id, budget.pk]))


def notify(recipients: Iterable, *, kind: str, budget, message) -> list[Notification]:
    """Tell each recipient (users; duplicates and None dropped) about `kind` on `budget`. `message` is a
    callable returning the text in the active language."""
    people = {u.pk: u for u in recipients if u is not None and getattr(u, "pk", None)}
    if not people:
        return []
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=list(people), kind=kind)}
    rows, mails = [], []
    for user in people.values():
        pref = prefs.get(user.pk)
        with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
            text = str(message())[:500]
            subject = f"[KAWO OSS] {BudgetNotificationKind(kind).label}"
        if pref is None or pref.in_app:
            rows.append(
                Notification(recipient=user, workspace_id=budget.workspace_id, kind=kind, message=text)
            )
        if (pref is None or pref.email) and user.email:
            mails.append(
                (subject, f"{text}\n\n{budget_url(budget)}", settings.DEFAULT_FROM_EMAIL, [user.email])
            )
    created = Notification.objects.bulk_create(rows)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return created
