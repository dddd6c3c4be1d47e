"""A person's notifications: read marks and preferences."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import ValidationFailed

from ..models import (
    PREFERENCE_VALUES,
    NotificationPreference,
)


def notifications_mark_read(*, actor, ids=None) -> int:
    """Mark the actor's notifications read (all unread when `ids` is None). Returns how many."""
    from ..models import Notification

    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids])
    return qs.update(read_at=timezone.now(), updated_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, actor, preferences: list[dict]) -> list[NotificationPreference]:
    out = []
    for index, item in enumerate(preferences or []):
        kind = item.get("kind")
        if kind not in PREFERENCE_VALUES:
            raise ValidationFailed(_("Unknown notification kind."), field=f"preferences.{index}.kind")
        pref, _created = NotificationPreference.objects.update_or_create(
            user=actor,
            kind=kind,
            defaults={"in_app": bool(item.get("in_app", True)), "email": bool(item.get("email", True))},
        )
        out.append(pref)
    audit_record(
        actor=actor,
        action="notification_preferences.set",
        after={"preferences": [{"kind": p.kind, "in_app": p.in_app, "email": p.email} for p in out]},
    )
    return out
