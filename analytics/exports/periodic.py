"""Send something once per period (a week or a calendar month), with a claim: the machinery of analytics'
scheduled reports (schedules.py), shared with the apps above analytics (competitors' scheduled benchmark).

A delivery model holds one row per (owner, period_start) (a unique constraint), with `period_start`,
`period_end`, a unique `run_key`, `claimed_at` (auto_now_add), `sending_at`, `sent_at` and a JSON
`recipients`. `period_send` works in three steps, each committed on its own (call it outside any
transaction): (1) claim the period by inserting the row; (2) mark it `sending` just before the mail
server is called; (3) mark it sent with who got it. A second beat or worker finds the claim taken; a crash
after (2) never re-sends (at most once); a claim left before (2) is taken over after CLAIM_LEASE; a mail
server that refuses gives the period back for the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, models, transaction
from django.utils import timezone

WEEKLY, MONTHLY = "weekly", "monthly"
# A claim whose worker died before it started sending (while building the file) may be taken over after
# this long; one that started sending is never sent again automatically.
CLAIM_LEASE = timedelta(hours=1)


def last_complete_period(frequency: str, today: date) -> tuple[date, date]:
    """The last whole week (Monday to Sunday) or calendar month before `today`."""
    if frequency == WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=7), monday - timedelta(days=1)
    last_day = today.replace(day=1) - timedelta(days=1)
    return last_day.replace(day=1), last_day


def period_settled(deliveries: type[models.Model], owner_field: str, owner, *, start: date, now) -> bool:
    """Sent, being sent, or claimed within the lease: nothing for this run to do."""
    return (
        deliveries.objects.filter(**{owner_field: owner, "period_start": start})
        .exclude(sending_at__isnull=True, sent_at__isnull=True, claimed_at__lt=now - CLAIM_LEASE)
        .exists()
    )


def period_claim(
    deliveries: type[models.Model], owner_field: str, owner, *, start: date, end: date, run_key: str, now=None
):
    """Step 1, committed on its own: the period's row under its unique run key. None when another worker
    holds it (or sent it). A stale claim (no `sending_at`, older than CLAIM_LEASE) is taken over with a
    conditional UPDATE, so only one worker wins it."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return deliveries.objects.create(
                **{owner_field: owner}, period_start=start, period_end=end, run_key=run_key
            )
    except IntegrityError:
        pass
    stale = deliveries.objects.filter(
        **{owner_field: owner},
        period_start=start,
        sending_at__isnull=True,
        sent_at__isnull=True,
        claimed_at__lt=now - CLAIM_LEASE,
    )
    if stale.update(claimed_at=now):
        return deliveries.objects.get(**{owner_field: owner}, period_start=start)
    return None


def period_release(delivery) -> None:
    """Give the period back (nothing went out): the next run claims it again."""
    type(delivery).objects.filter(pk=delivery.pk, sent_at__isnull=True).delete()


def period_mark_sent(delivery, recipients: list[dict]) -> None:
    """Step 3: the period is sent, to these people."""
    type(delivery).objects.filter(pk=delivery.pk).update(sent_at=timezone.now(), recipients=recipients)


def period_send(
    deliveries: type[models.Model],
    owner_field: str,
    owner,
    *,
    start: date,
    end: date,
    run_key: str,
    build: Callable[[], tuple[list[EmailMessage], object]],
    mark_sent: Callable | None = None,
    now=None,
) -> bool:
    """Claim the period, build the emails (`build` returns them and who gets them), send them, record the
    period sent (`mark_sent(delivery, who)`; default: `who` is the JSON record); False if another worker
    had claimed it."""
    delivery = period_claim(deliveries, owner_field, owner, start=start, end=end, run_key=run_key, now=now)
    if delivery is None:
        return False
    try:
        messages, who = build()
    except Exception:
        period_release(delivery)
        raise
    if not deliveries.objects.filter(pk=delivery.pk, sending_at__isnull=True).update(
        sending_at=timezone.now()
    ):
        return False  # taken over meanwhile (this worker was slower than the lease)
    if messages:
        try:
            get_connection().send_messages(messages)
        except Exception:
            period_release(delivery)
            raise
    (mark_sent or period_mark_sent)(delivery, who)
    return True
