"""The dispatcher and the sweeper: claim due targets with a lease, release requeued ones, mark expired
leases unknown."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from content.models import PostTarget
from content.models import TargetStatus as S
from core.bulk import update_rows

from ..models import PublishJob, PublishNotification
from .config import REASON_OVERDUE, batch_size, lease_seconds, max_in_flight, settle_delay
from .transitions import _enqueue, _enqueue_publish, _fail, _move, _move_many, _webhook


def _claim_locked(queryset, *, with_post: bool = False):
    """Lock what a pass claims, skipping rows someone holds. `with_post`: the targets' posts too, in the
    same statement, for passes that move targets (and so write their posts' status): a post an edit or a
    decision holds is skipped until the next tick instead of waited for (the lock order: posts first)."""
    if connection.vendor == "postgresql":
        return queryset.select_for_update(skip_locked=True, of=("self", "post") if with_post else ("self",))
    return queryset.select_for_update()


CLAIM_LOCK_KEY = 0x6B61776F  # "kawo": the advisory lock that serialises claim_due across dispatchers


def _claim_lock() -> bool:
    """Take the claim lock for this transaction; False when another dispatcher holds it (PostgreSQL).
    SQLite serialises writers itself."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [CLAIM_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _lease(job: PublishJob, now: datetime) -> str | None:
    """Conditional UPDATE: the claim where rows cannot be locked (SQLite); None when someone else won."""
    attempt = uuid.uuid4()
    won = PublishJob.objects.filter(pk=job.pk, attempt_id=job.attempt_id).update(
        attempt_id=attempt, lease_expires_at=now + timedelta(seconds=lease_seconds()), not_before=None
    )
    if not won:
        return None
    job.attempt_id = attempt
    return str(attempt)


def _lease_many(jobs: list[PublishJob], now: datetime, **also) -> dict[int, str]:
    """`_lease` for many jobs in ONE conditional UPDATE (each job its own new attempt id; `also`: more
    columns to set, a value or a {job pk: value} dict). Returns {job pk: attempt id} for the jobs won,
    each still holding the attempt id it was read with; the others are left alone. The jobs' targets
    are locked by the caller, so normally every one is won and no second query is needed."""
    if not jobs:
        return {}
    attempts = {job.pk: uuid.uuid4() for job in jobs}
    shared = {"lease_expires_at": now + timedelta(seconds=lease_seconds()), "not_before": None}
    per_row = {pk: {"attempt_id": a} for pk, a in attempts.items()}
    for name, value in also.items():
        if isinstance(value, dict):
            for pk in per_row:
                per_row[pk][name] = value[pk]
        else:
            shared[name] = value
    # Each job only while it still holds the attempt id it was read with (random UUIDs: one job never
    # holds another's), in one statement (core.bulk.update_rows).
    won = update_rows(
        PublishJob, per_row, also=shared, expect={job.pk: {"attempt_id": job.attempt_id} for job in jobs}
    )
    if won != len(jobs):  # someone else leased some of them in between (SQLite, where nothing is locked)
        now_held = dict(PublishJob.objects.filter(pk__in=list(attempts)).values_list("pk", "attempt_id"))
        attempts = {pk: a for pk, a in attempts.items() if now_held.get(pk) == a}
    for job in jobs:
        if job.pk in attempts:
            job.attempt_id = attempts[job.pk]
    return {pk: str(a) for pk, a in attempts.items()}


def claim_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Due scheduled targets -> queued with a lease, one publish task each after commit.

    At most `KAWO_PUBLISH_MAX_IN_FLIGHT` targets hold a live lease at once: claiming a whole burst at
    once would queue more work than the workers finish within one lease, every lease would run out while
    its message waits in the broker, and re-leasing them would livelock the queue (seen with 10,000 posts
    due in one minute). Due targets simply wait, still "scheduled", for the next tick.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One claimer at a time (dispatch ticks overlap when a pass is slow): otherwise each would see
        # the same room under the cap and together claim many times it.
        if not _claim_lock():
            return 0
        in_flight = PublishJob.objects.filter(
            target__status=S.QUEUED, attempt_id__isnull=False, lease_expires_at__gte=now
        ).count()
        room = max_in_flight() - in_flight
        if room <= 0:
            return 0
        limit = min(limit or batch_size(), room)
        targets = list(
            _claim_locked(
                PostTarget.objects.filter(
                    status=S.SCHEDULED,
                    post__deleted_at__isnull=True,
                    post__scheduled_at__lte=now,
                    # a deleted workspace (lifecycle, restorable for a grace period) publishes nothing
                    workspace__deleted_at__isnull=True,
                    workspace__organization__deleted_at__isnull=True,
                ),
                with_post=True,
            )
            .select_related("post", "workspace")
            .order_by("post__scheduled_at", "id")[: limit or batch_size()]
        )
        if not targets:
            return 0
        PublishJob.objects.bulk_create(
            [PublishJob(target_id=t.pk, workspace_id=t.workspace_id) for t in targets], ignore_conflicts=True
        )
        jobs = {j.target_id: j for j in PublishJob.objects.filter(target_id__in=[t.pk for t in targets])}
        due = {}
        for target in targets:
            job, scheduled = jobs[target.pk], target.post.scheduled_at
            due[job.pk] = max(scheduled, job.requested_at) if job.requested_at else scheduled
        # The whole batch in a fixed number of queries: one UPDATE leases every job, one moves every
        # target to queued (with its post's status and one audit row per target).
        leased = _lease_many(list(jobs.values()), now, due_at=due, kind=PublishJob.Kind.API)
        won = [t for t in targets if jobs[t.pk].pk in leased]
        _move_many(won, S.QUEUED)
        pairs = [(t.pk, leased[jobs[t.pk].pk]) for t in won]
        _enqueue_publish(pairs, accounts={t.pk: t.account_id for t in won})
    return len(pairs)


def release_ready(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Queued targets whose wait is over (rate limit, backoff, refresh) or whose lease ran out (a lost
    message, a worker that died before calling the platform): a new lease and a new task."""
    now = now or timezone.now()
    with transaction.atomic():
        targets = list(
            _claim_locked(
                PostTarget.objects.filter(status=S.QUEUED).filter(
                    Q(publish_job__attempt_id__isnull=True, publish_job__not_before__isnull=True)
                    | Q(publish_job__attempt_id__isnull=True, publish_job__not_before__lte=now)
                    | Q(publish_job__lease_expires_at__lt=now)
                )
            ).order_by("id")[: limit or batch_size()]
        )
        jobs = {j.target_id: j for j in PublishJob.objects.filter(target_id__in=[t.pk for t in targets])}
        leased = _lease_many([jobs[t.pk] for t in targets], now)
        pairs = [(t.pk, leased[jobs[t.pk].pk]) for t in targets if jobs[t.pk].pk in leased]
        _enqueue_publish(pairs, accounts={t.pk: t.account_id for t in targets})
    return len(pairs)


def sweep_expired(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Targets left "publishing" past their lease: the worker died after the attempt row (maybe after
    the platform accepted). They become unknown and are settled by reading the platform. An assisted
    post nobody confirmed in time becomes overdue (failed)."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        targets = list(
            _claim_locked(
                PostTarget.objects.filter(status=S.PUBLISHING, publish_job__lease_expires_at__lt=now),
                with_post=True,
            )
            .select_related("post", "account", "workspace")
            .order_by("id")[: limit or batch_size()]
        )
        for target in targets:
            job = PublishJob.objects.select_for_update().get(target_id=target.pk)
            if job.kind == PublishJob.Kind.ASSISTED:
                _fail(
                    target,
                    job,
                    reason=REASON_OVERDUE,
                    message=gettext_lazy("Nobody confirmed this assisted post in time: it is overdue."),
                    kind=PublishNotification.Kind.ASSISTED_OVERDUE,
                )
            else:
                _to_unknown(target, job, now=now)
            count += 1
    return count


def _to_unknown(target: PostTarget, job: PublishJob, *, now: datetime) -> None:
    _move(
        target, S.UNKNOWN, error_message=_("Waiting to confirm with the platform whether it was published.")
    )
    job.attempt_id = None
    job.lease_expires_at = None
    job.settle_after = now + timedelta(seconds=settle_delay())
    job.save()
    _webhook(target, "post.unknown")


def settle_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Unknown targets due for a read of the platform: one settle task each."""
    now = now or timezone.now()
    with transaction.atomic():
        jobs = list(
            _claim_locked(
                PublishJob.objects.filter(target__status=S.UNKNOWN).filter(
                    Q(settle_after__isnull=True) | Q(settle_after__lte=now)
                )
            ).order_by("id")[: limit or batch_size()]
        )
        for job in jobs:
            # Pushed ahead so the next pass does not send it again while this read runs.
            job.settle_after = now + timedelta(seconds=max(settle_delay(), 5.0) * 2)
            job.save(update_fields=["settle_after", "updated_at"])
            _enqueue("settle_target", job.target_id)
    return len(jobs)


def dispatch(*, now: datetime | None = None) -> dict[str, int]:
    """One beat tick: claim due posts, re-send ready or lost ones, sweep expired leases, settle unknowns."""
    return {
        "claimed": claim_due(now=now),
        "released": release_ready(now=now),
        "expired": sweep_expired(now=now),
        "settling": settle_due(now=now),
    }
