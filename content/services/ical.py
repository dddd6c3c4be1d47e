"""iCal feeds of the calendar."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record

from ..models import (
    IcalFeed,
)

# --- lookups inside the workspace -------------------------------------------------------------------


def ical_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def ical_feed_create(*, actor, name: str = "") -> tuple[IcalFeed, str]:
    """A new private feed for the actor; returns it and its secret (shown once, only its hash is kept)."""
    secret = secrets.token_urlsafe(32)
    feed = IcalFeed.objects.create(
        user=actor, name=name or "", prefix=secret[:8], secret_hash=ical_secret_hash(secret)
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
