"""iCal feeds of the calendar."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import ValidationFailed

from ..models import (
    IcalFeed,
)

ICAL_FEED_NAME_MAX = IcalFeed._meta.get_field("name").max_length

# --- lookups inside the workspace -------------------------------------------------------------------


def ical_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def ical_feed_create(*, actor, name: str = "") -> tuple[IcalFeed, str]:
    """A new private feed for the actor; returns it and its secret (shown once, only its hash is kept)."""
    name = (name or "").strip()
    if len(name) > ICAL_FEED_NAME_MAX:
        raise ValidationFailed(
            _("The name is too long (at most %(n)d characters).") % {"n": ICAL_FEED_NAME_MAX},
            field="name",
            code="too_long",
        )
    secret = secrets.token_urlsafe(32)
    feed = IcalFeed.objects.create(
        user=actor, name=name, prefix=secret[:8], secret_hash=ical_secret_hash(secret)
    )
    audit_record(actor=actor, action="ical_feed.create", target=feed, after={"prefix": feed.prefix})
    return feed, secret


@transaction.atomic
def ical_feed_revoke(*, actor, feed: IcalFeed) -> IcalFeed:
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="ical_feed.revoke", target=feed, before={"prefix": feed.prefix})
    return feed
