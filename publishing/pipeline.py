"""The publish pipeline (DESIGN.md "Publishing pipeline"): dispatcher, publish step, poller, reconciler.

The database is the schedule. Every status change of a target goes through
content.services.post_target_move (the one transition table); this module keeps its own bookkeeping in
PublishJob (the lease, "not before", retry counts) and PublishAttempt (the attempt log).

    scheduled --dispatch--> queued(lease) --publish_attempt--> publishing --> published
                                 ^   |                             |   |---> failed (reason)
                                 |   +--> failed (missed, gate,    |   +---> unknown --settle--> published
                                 |        reconnect the account)   |                    \\--> queued (the
                                 +---- 429 / 5xx / refreshed token +                       platform shows
                                       (not before Retry-After / backoff)                  it has nothing)

Locks are always taken target first, then its job. A task acts only when the target is queued AND the
job's `attempt_id` is the one in its message, so duplicated messages, a second beat or a re-leased
target never send twice. The attempt row is written before the platform is called. A worker killed
after that leaves the target "publishing" with a lease that runs out: the sweeper marks it unknown and
the reconciler reads the platform; nothing is ever retried blindly.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, Prefetch, Q, Subquery, Value, When, prefetch_related_objects
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels_app import vault
from channels_app.connectors.base import PostPayload, PublishResult
from channels_app.connectors.errors import ConnectorError, RateLimited
from channels_app.connectors.registry import connector_class, connector_for
from channels_app.models import SocialAccount
from content.models import PostTarget, PostTargetMedia
from content.models import TargetStatus as S
from content.payload import fingerprint, payload_diff, target_payload

from . import notifications, ratelimit
from .models import PublishAttempt, PublishJob, PublishNotification, WorkspacePublishingSettings
from .notifications import lazy_message
from .retry import Action, RetryPolicy, classify

logger = logging.getLogger(__name__)

Outcome = PublishAttempt.Outcome

# Reasons stored on the job (and shown as the target's error message's code).
REASON_MISSED = "missed"
REASON_RECONNECT = "reconnect_account"
REASON_APPROVAL = "approval"
REASON_REJECTED = "rejected"
REASON_RETRIES = "retries_exhausted"
REASON_OVERDUE = "overdue"
REASON_COMPLIANCE = "compliance"


# --- settings -------------------------------------------------------------------------------------


def _setting(name: str, default):
    return getattr(settings, name, default)


def lease_seconds() -> float:
    return float(_setting("KAWO_PUBLISH_LEASE_SECONDS", 120.0))


def batch_size() -> int:
    return int(_setting("KAWO_PUBLISH_BATCH", 500))


def max_in_flight() -> int:
    return int(_setting("KAWO_PUBLISH_MAX_IN_FLIGHT", 200))


def retry_policy() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=int(_setting("KAWO_PUBLISH_MAX_ATTEMPTS", 5)),
        base=float(_setting("KAWO_PUBLISH_BACKOFF_BASE", 10.0)),
        cap=float(_setting("KAWO_PUBLISH_BACKOFF_CAP", 600.0)),
    )


def settle_delay() -> float:
    """Seconds between an unknown outcome and reading the platform (and between later reads)."""
    return float(_setting("KAWO_PUBLISH_SETTLE_SECONDS", 5.0))


def _workspace_settings(workspace) -> WorkspacePublishingSettings | None:
    """The workspace's row, if any: no query when `_lock` selected it along with the target."""
    try:
        return workspace.publishing_settings
    except WorkspacePublishingSettings.DoesNotExist:
        return None


def grace_for(workspace) -> timedelta:
    """How late a post may still go out; later than this it is missed (per workspace, else settings)."""
    row = _workspace_settings(workspace)
    minutes = row.missed_grace_minutes if row else int(_setting("KAWO_PUBLISH_MISSED_GRACE_MINUTES", 60))
    return timedelta(minutes=minutes)


def assisted_overdue_for(workspace) -> timedelta:
    row = _workspace_settings(workspace)
    minutes = (
        row.assisted_overdue_minutes if row else int(_setting("KAWO_PUBLISH_ASSISTED_OVERDUE_MINUTES", 240))
    )
    return timedelta(minutes=minutes)


def _hostname() -> str:
    from celery import current_task

    hostname = getattr(getattr(current_task, "request", None), "hostname", None)
    return str(hostname) if hostname else socket.gethostname()


# --- small helpers --------------------------------------------------------------------------------

_local = threading.local()


def _connector(platform: str):
    """One connector (and so one httpx client and its connection pool) per thread and platform:
    building an httpx client costs tens of milliseconds of CPU (its TLS context), more than a call."""
    cache = getattr(_local, "connectors", None)
    if cache is None:
        cache = _local.connectors = {}
    conf = settings.PLATFORMS.get(platform, {})
    key = (platform, conf.get("base_url"), conf.get("auth_url"), settings.PLATFORM_HTTP_TIMEOUT)
    connector = cache.get(key)
    if connector is None:
        connector = cache[key] = connector_for(platform)
    return connector


def _move(target: PostTarget, status: str, **result) -> PostTarget:
    """Every caller holds the target's row lock (`_lock`, `_claim_locked`, the services' `_lock_target`)
    and read its status under it, so the move does not lock and read the row a second time."""
    from content.services import post_targets_move_locked

    post_targets_move_locked(actor=None, targets=[target], status=status, **result)
    return target


def _move_many(targets: list[PostTarget], status: str) -> None:
    """`_move` for a batch the caller locked: one UPDATE each for the targets and their posts, and one
    INSERT for their audit rows (one row per target)."""
    from content.services import post_targets_move_locked

    post_targets_move_locked(actor=None, targets=targets, status=status)


def _lock(target_id: int) -> tuple[PostTarget | None, PublishJob | None]:
    """The target's post, the target and its job, locked in that order (the one lock order: see
    README.md). The post, account, workspace and its publishing settings come with the target (only the
    target's row is locked by that query): the publish step reads them all."""
    from content.services import post_lock_for_target

    if post_lock_for_target(target_id) is None:
        return None, None
    qs = PostTarget.objects.select_related("post", "account", "workspace", "workspace__publishing_settings")
    if connection.features.has_select_for_update_of:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_for_update()
    target = qs.filter(pk=target_id).first()
    if target is None:
        return None, None
    job = PublishJob.objects.select_for_update().filter(target_id=target_id).first()
    return target, job


def _enqueue_publish(pairs: list[tuple[int, str]]) -> None:
    """After commit: one publish task per claimed target. A broker that is down loses nothing: the
    lease runs out and the sweeper sends it again."""
    if not pairs:
        return

    def send() -> None:
        from .tasks import publish_target

        for target_id, attempt_id in pairs:
            try:
                publish_target.delay(target_id, attempt_id)
            except Exception as exc:  # noqa: BLE001 - broker down: the sweeper re-sends after the lease
                logger.warning("could not enqueue the publish of target %s: %s", target_id, exc)
                return

    transaction.on_commit(send)


def _enqueue(task_name: str, *args, countdown: float | None = None) -> None:
    def send() -> None:
        from . import tasks

        try:
            getattr(tasks, task_name).apply_async(args=args, countdown=countdown)
        except Exception as exc:  # noqa: BLE001 - the periodic pass picks it up
            logger.warning("could not enqueue %s%s: %s", task_name, args, exc)

    transaction.on_commit(send)


def _local(moment: datetime, target: PostTarget) -> str:
    """A time as the team reads it: in the workspace's time zone, named."""
    workspace = target.workspace
    return f"{moment.astimezone(workspace.tzinfo):%Y-%m-%d %H:%M} ({workspace.timezone})"


def _team(target: PostTarget) -> list:
    """Who hears about a failure: the post's author, the account's responsible person, and the
    workspace's admins."""
    from accounts.models import User, WorkspaceMember
    from accounts.roles import Role

    ids = set(
        WorkspaceMember.objects.filter(workspace_id=target.workspace_id, role=Role.ADMIN).values_list(
            "user_id", flat=True
        )
    )
    if target.post.author_id:
        ids.add(target.post.author_id)
    responsible = _responsible_user_id(target.account)
    if responsible:
        ids.add(responsible)
    return list(User.objects.filter(pk__in=ids))


def _responsible_user_id(account: SocialAccount) -> int | None:
    member = account.responsible
    return member.user_id if member is not None else None


def _notify(
    target: PostTarget, kind: str, message, *, recipients=None, reason: str = "", content=None
) -> None:
    """In-app notices now, emails after the commit (publishing.notifications), for the team or
    `recipients`, as each chose. `message` (a lazy_message) is rendered in each recipient's language."""
    notifications.notify(
        target=target,
        kind=kind,
        message=message,
        recipients=recipients if recipients is not None else _team(target),
        reason=reason,
        content=content,
    )


def _webhook(target: PostTarget, event: str, **extra) -> None:
    from .services import webhook_emit

    payload = {
        "post_id": target.post_id,
        "target_id": target.pk,
        "account_id": target.account_id,
        "platform": target.account.platform,
        "status": target.status,
        **extra,
    }
    webhook_emit(workspace=target.workspace, event=event, payload=payload)


def _fail(target: PostTarget, job: PublishJob, *, reason: str, message, kind: str = "failed") -> None:
    # `message` may be a lazy_message: the target and the webhook keep the worker's language, each
    # person's notice is rendered in theirs.
    text = str(message)
    _move(target, S.FAILED, error_message=text[:500])
    job.reason = reason
    job.attempt_id = None
    job.lease_expires_at = None
    job.finished_at = timezone.now()
    job.save()
    _notify(
        target,
        kind,
        lazy_message(
            gettext_lazy("“%(post)s” on %(account)s was not published: %(message)s"),
            post=target.post,
            account=target.account,
            message=message,
        ),
        reason=reason,
    )
    _webhook(target, "post.failed", reason=reason, message=text)


def _published(target: PostTarget, job: PublishJob, *, external_id: str, url: str, at=None) -> None:
    _move(
        target, S.PUBLISHED, external_id=external_id[:200], url=url[:500], published_at=at or timezone.now()
    )
    job.attempt_id = None
    job.lease_expires_at = None
    job.pending = None
    job.reason = ""
    job.finished_at = timezone.now()
    job.save()
    _webhook(target, "post.published", external_id=external_id, url=url)


def _requeue(target: PostTarget, job: PublishJob, *, not_before: datetime) -> None:
    """Back to queued without a lease holder; the dispatcher leases it again at `not_before`."""
    if target.status != S.QUEUED:
        _move(target, S.QUEUED)
    job.attempt_id = None
    job.not_before = not_before
    job.lease_expires_at = None
    job.save()


def _next_attempt_number(target: PostTarget):
    """The next attempt's number, counted by the INSERT itself rather than by a COUNT query before it
    (the target's row lock keeps two attempts of one target from counting at once). The saved
    instance holds the expression, not the number: re-read the row for it."""
    count = (
        PublishAttempt.objects.filter(target_id=target.pk)
        .order_by()
        .values("target_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(count), 0) + 1


def _request_summary(target: PostTarget, payload: PostPayload) -> dict:
    """What was sent, for the attempt log: the payload's fingerprint (every field the approval hash
    covers: text, title, first comment, link, options, the paid flag, each file's name, type, size,
    checksum and alt text) and where the platform may fetch each file, without its query string (a
    signed URL's signature stays out). No tokens, no file bytes."""
    return {
        "platform": target.account.platform,
        "account_handle": target.account.handle,
        **fingerprint(payload),
        "media_urls": [m.url.split("?", 1)[0] for m in payload.media],
        "idempotency_key": payload.idempotency_key,
    }


def _blocking_findings(target: PostTarget, payload: PostPayload, *, content_hash: str) -> list:
    """Compliance on the exact payload being sent (text, title, first comment, alt texts, the paid flag):
    its blocking findings, less those an admin's recorded override covers for exactly this content
    (Post.compliance_override with this content hash and those rules)."""
    from content.models import BannedWord
    from content.services import compliance_for_payload

    findings = compliance_for_payload(
        payload,
        platform=target.account.platform,
        media_infos=[link.media.info() for link in target.media_links.all()],
        banned_words=list(BannedWord.objects.filter(workspace_id=target.workspace_id)),
    )
    blocking = [f for f in findings if f.blocking]
    override = target.post.compliance_override or {}
    if blocking and override.get("content_hash") == content_hash:
        covered = set(override.get("blocking_rules") or [])
        blocking = [f for f in blocking if f.rule not in covered]
    return blocking


def _error_summary(error: BaseException) -> dict:
    if isinstance(error, ConnectorError):
        return {
            "error": type(error).__name__,
            "status_code": error.status_code,
            "platform_code": error.platform_code,
            "platform_message": (error.platform_message or str(error))[:500],
            **(
                {"retry_after": error.retry_after, "scope": error.scope}
                if isinstance(error, RateLimited)
                else {}
            ),
        }
    return {"error": type(error).__name__, "message": str(error)[:500]}


def _gate_wait(account: SocialAccount) -> float:
    """Seconds every worker must still wait for this account and app (shared Retry-After, quotas)."""
    if not getattr(settings, "REDIS_URL", ""):
        return 0.0  # the embedded mode has no shared gate; the job's own not_before still holds
    try:
        wait = ratelimit.wait_until(
            [ratelimit.account_scope(account.pk), ratelimit.app_scope(account.platform)]
        )
        quota = ratelimit.PLATFORM_QUOTAS.get(account.platform)
        if wait <= 0 and quota is not None:
            wait = ratelimit.take(ratelimit.account_scope(account.pk), quota)
        return wait
    except Exception as exc:  # noqa: BLE001 - Redis down: "try again shortly", never "go"
        logger.warning("rate-limit gate unavailable: %s", exc)
        return 2.0


def _block(account: SocialAccount, retry_after: float, *, scope: str = RateLimited.ACCOUNT) -> None:
    """Hold every worker off this account (or, for an app-wide limit, off every account of ours on the
    platform) for `retry_after` seconds."""
    if not getattr(settings, "REDIS_URL", ""):
        return
    key = (
        ratelimit.app_scope(account.platform)
        if scope == RateLimited.APP
        else ratelimit.account_scope(account.pk)
    )
    try:
        ratelimit.block(key, retry_after)
    except Exception as exc:  # noqa: BLE001 - the job's own not_before still holds for this target
        logger.warning("could not record a rate limit in Redis: %s", exc)


# --- the dispatcher and the sweeper ----------------------------------------------------------------


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
    held = [job for job in jobs if job.attempt_id is not None]
    # "Still the attempt id it was read with", for all of them in two terms (attempt ids are random
    # UUIDs, so one job never holds another's).
    unchanged = Q(pk__in=[job.pk for job in jobs if job.attempt_id is None], attempt_id__isnull=True) | Q(
        pk__in=[job.pk for job in held], attempt_id__in=[job.attempt_id for job in held]
    )
    values = {
        "attempt_id": _per_row(
            {pk: str(a) for pk, a in attempts.items()}, PublishJob._meta.get_field("attempt_id")
        ),
        "lease_expires_at": now + timedelta(seconds=lease_seconds()),
        "not_before": None,
    }
    for name, value in also.items():
        values[name] = _per_row(value, PublishJob._meta.get_field(name)) if isinstance(value, dict) else value
    won = PublishJob.objects.filter(unchanged).update(**values)
    if won != len(jobs):  # someone else leased some of them in between (SQLite, where nothing is locked)
        now_held = dict(PublishJob.objects.filter(pk__in=list(attempts)).values_list("pk", "attempt_id"))
        attempts = {pk: a for pk, a in attempts.items() if now_held.get(pk) == a}
    for job in jobs:
        if job.pk in attempts:
            job.attempt_id = attempts[job.pk]
    return {pk: str(a) for pk, a in attempts.items()}


def _per_row(values: dict, field):
    """CASE id WHEN ... THEN ... END: a different value per row in one UPDATE (as bulk_update builds it)."""
    case = Case(
        *[When(pk=pk, then=Value(v, output_field=field)) for pk, v in values.items()], output_field=field
    )
    if connection.features.requires_casted_case_in_updates:
        return Cast(case, output_field=field)
    return case


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
                    status=S.SCHEDULED, post__deleted_at__isnull=True, post__scheduled_at__lte=now
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
        _enqueue_publish(pairs)
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
        _enqueue_publish(pairs)
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


# --- the publish step -----------------------------------------------------------------------------


@dataclass
class _Prepared:
    target_id: int
    job_id: int
    attempt_id: str
    attempt_pk: int
    started_at: datetime
    platform: str
    credentials: object
    payload: PostPayload


def publish_attempt(target_id: int, attempt_id: str) -> str:
    """The publish task's body. Returns what happened (for logs and tests)."""
    prepared_or_outcome = _prepare(target_id, attempt_id)
    if isinstance(prepared_or_outcome, str):
        if prepared_or_outcome == "refresh":
            return _refresh_and_requeue(target_id)
        return prepared_or_outcome
    prepared = prepared_or_outcome
    connector = _connector(prepared.platform)
    started = time.monotonic()
    result: PublishResult | None = None
    error: BaseException | None = None
    try:
        result = connector.publish(prepared.credentials, prepared.payload)
    except Exception as exc:  # noqa: BLE001 - every error is classified; unexpected ones are "unknown"
        error = exc
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(prepared, result=result, error=error, duration_ms=duration_ms)


def _prepare(target_id: int, attempt_id: str) -> _Prepared | str:
    now = timezone.now()
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or job is None:
            return "gone"
        if target.status != S.QUEUED or str(job.attempt_id) != str(attempt_id):
            return "stale"
        post = target.post
        if post.deleted_at is not None:
            _move(target, S.CANCELLED)
            return "cancelled"
        due = job.due_at or post.scheduled_at or now
        if job.tries == 0 and now - due > grace_for(target.workspace):
            _fail(
                target,
                job,
                reason=REASON_MISSED,
                message=lazy_message(
                    gettext_lazy(
                        "Missed: it was due at %(due)s and could not be published within the grace window."
                    ),
                    due=_local(due, target),
                ),
                kind=PublishNotification.Kind.MISSED,
            )
            return "missed"
        from approvals.gate import REASON_ROUTING, publish_gate

        gate = publish_gate(post)
        if not gate.ok:
            _fail(
                target,
                job,
                reason=REASON_APPROVAL,
                message=lazy_message(
                    gettext_lazy("Not published: the content is not approved as it is now (%(reason)s)."),
                    reason=gate.reason,
                ),
            )
            if gate.reason == REASON_ROUTING:  # another stage applies now: re-open the approval for it
                from approvals.services import approval_reroute

                approval_reroute(actor=None, post=post)
            return "not_approved"
        account = target.account
        if account.assisted or not connector_class(account.platform).capabilities.server_side_publish:
            _hand_over(target, job, now=now)
            return "assisted"
        if (
            account.status == SocialAccount.Status.EXPIRED
            and not job.refreshed
            and account.disconnected_at is None
        ):
            return "refresh"
        if not account.is_healthy:
            _fail_reconnect(target, job, account, message=account.status_message)
            return "reconnect"
        credentials = vault.credentials_read(account)
        if credentials is None:
            _fail_reconnect(target, job, account, message="")
            return "reconnect"
        wait = _gate_wait(account)
        if wait > 0:
            _requeue(target, job, not_before=now + timedelta(seconds=wait))
            return "waiting"
        # What is sent is what the gate hashed: built by the same function, with the files' bytes read
        # now and their checksums computed from those bytes.
        prefetch_related_objects(
            [target], Prefetch("media_links", queryset=PostTargetMedia.objects.select_related("media"))
        )
        payload = target_payload(target, with_data=True)
        if fingerprint(payload) != gate.payloads.get(target.pk):
            changed = payload_diff(gate.payloads.get(target.pk) or {}, fingerprint(payload))
            _fail(
                target,
                job,
                reason=REASON_APPROVAL,
                message=lazy_message(
                    gettext_lazy(
                        "Not published: what would be sent differs from what was approved (%(what)s)."
                    ),
                    what=", ".join(c["path"] for c in changed) or "?",
                ),
            )
            return "not_approved"
        blocking = _blocking_findings(target, payload, content_hash=gate.content_hash)
        if blocking:
            _fail(
                target,
                job,
                reason=REASON_COMPLIANCE,
                message=lazy_message(
                    gettext_lazy(
                        "Not published: compliance found a blocking problem in what would be sent "
                        "(%(rule)s, %(field)s): %(first)s"
                    ),
                    rule=blocking[0].rule,
                    field=blocking[0].field,
                    first=blocking[0].message,
                ),
            )
            return "compliance"
        _move(target, S.PUBLISHING, error_message="")
        job.tries += 1
        job.lease_expires_at = now + timedelta(seconds=lease_seconds())
        job.save()
        attempt = PublishAttempt.objects.create(
            workspace_id=target.workspace_id,
            target=target,
            attempt_id=job.attempt_id,
            number=_next_attempt_number(target),
            started_at=now,
            worker=_hostname()[:200],
            request=_request_summary(target, payload),
        )
        return _Prepared(
            target_id=target.pk,
            job_id=job.pk,
            attempt_id=str(job.attempt_id),
            attempt_pk=attempt.pk,
            started_at=now,
            platform=account.platform,
            credentials=credentials,
            payload=payload,
        )


def _fail_reconnect(target: PostTarget, job: PublishJob, account: SocialAccount, *, message: str) -> None:
    from channels_app.services import social_account_mark_needs_reconnect

    if account.status != SocialAccount.Status.REVOKED:
        social_account_mark_needs_reconnect(account, message=message or _("The platform refused the token."))
    text = lazy_message(
        gettext_lazy("Reconnect the account: %(account)s no longer accepts our token."), account=account
    )
    if message:
        text = lazy_message("%(text)s (%(message)s)", text=text, message=message)
    _fail(target, job, reason=REASON_RECONNECT, message=text)


def _refresh_and_requeue(target_id: int, *, since: datetime | None = None) -> str:
    """The one token refresh a publish may wait for; then the target goes back to the dispatcher.
    `since`: when the refused call started; a refresh made after that (by another post of the same
    account) is the one we wait for, so the platform is not asked again."""
    from channels_app.services import social_account_refresh_token

    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status not in (S.QUEUED, S.PUBLISHING):
            return "stale"
        job.refreshed = True
        # Held back while the refresh runs; released right after it.
        _requeue(target, job, not_before=timezone.now() + timedelta(seconds=lease_seconds()))
        account = target.account
    try:
        if not (since and account.last_refreshed_at and account.last_refreshed_at >= since):
            account = social_account_refresh_token(account, force=True)
    except ConnectorError as exc:  # temporary: the publish step will look at the account again
        logger.warning("token refresh for account %s failed for now: %s", account.pk, exc)
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.QUEUED or job.attempt_id is not None:
            return "stale"
        if account.status in (SocialAccount.Status.REVOKED, SocialAccount.Status.EXPIRED):
            _fail_reconnect(target, job, account, message=account.status_message)
            return "reconnect"
        job.not_before = timezone.now()
        job.save(update_fields=["not_before", "updated_at"])
    return "refreshed"


def _record(
    prepared: _Prepared, *, result: PublishResult | None, error: BaseException | None, duration_ms: int
) -> str:
    now = timezone.now()
    refresh = False
    refused_since = None
    with transaction.atomic():
        target, job = _lock(prepared.target_id)
        fields: dict = {"finished_at": now, "duration_ms": duration_ms, "updated_at": now}
        if result is not None:
            fields["outcome"] = Outcome.PUBLISHED if result.status == "published" else Outcome.PENDING
            fields["response"] = {
                "status": result.status,
                "external_id": result.external_id,
                "url": result.url,
            }
        else:
            fields["response"] = _error_summary(error)
            fields["error"] = str(error)[:500]

        def save_attempt(**more) -> None:
            # One UPDATE, no locking read first: only this step writes an attempt row after its INSERT,
            # and it holds the target's lock while it does.
            PublishAttempt.objects.filter(pk=prepared.attempt_pk).update(**fields, **more)

        mine = target is not None and job is not None and str(job.attempt_id) == prepared.attempt_id
        if target is None or job is None:
            save_attempt()
            return "gone"
        if not mine or target.status != S.PUBLISHING:
            # The sweeper took over (our lease ran out). A definite answer still settles an unknown.
            if result is not None and result.status == "published" and target.status == S.UNKNOWN:
                save_attempt()
                _published(target, job, external_id=result.external_id, url=result.url)
                return "published"
            if result is None:
                fields["outcome"] = Outcome.UNKNOWN
            save_attempt()
            return "late"
        if result is not None:
            save_attempt()
            if result.status == "published":
                _published(target, job, external_id=result.external_id, url=result.url)
                return "published"
            job.pending = {"external_id": result.external_id, "url": result.url, "raw": result.raw}
            deadline = now + timedelta(seconds=float(_setting("KAWO_PUBLISH_POLL_DEADLINE_SECONDS", 600)))
            job.poll_deadline = deadline
            job.lease_expires_at = deadline + timedelta(seconds=lease_seconds())
            job.save()
            _enqueue("poll_target", target.pk, countdown=float(_setting("KAWO_PUBLISH_POLL_SECONDS", 5)))
            return "pending"
        decision = classify(
            error, attempt=job.transient_failures + 1, policy=retry_policy(), refreshed=job.refreshed
        )
        if decision.action == Action.WAIT_FOR:
            save_attempt(outcome=Outcome.RATE_LIMITED, retry_after=decision.delay)
            _block(target.account, decision.delay, scope=getattr(error, "scope", RateLimited.ACCOUNT))
            _requeue(target, job, not_before=now + timedelta(seconds=decision.delay))
            return "rate_limited"
        if decision.action == Action.BACKOFF:
            save_attempt(outcome=Outcome.TRANSIENT)
            job.transient_failures += 1
            _requeue(target, job, not_before=now + timedelta(seconds=decision.delay))
            return "backoff"
        if decision.action == Action.REFRESH_ONCE:
            save_attempt(outcome=Outcome.AUTH_EXPIRED)
            refused_since = prepared.started_at
            _requeue(target, job, not_before=now + timedelta(seconds=lease_seconds()))
            refresh = True
        elif decision.action == Action.FAIL_PERMANENTLY:
            message = getattr(error, "platform_message", "") or str(error)
            if decision.reason == REASON_RECONNECT:
                save_attempt(outcome=Outcome.RECONNECT)
                _fail_reconnect(target, job, target.account, message=message)
                return "reconnect"
            save_attempt(
                outcome=Outcome.REJECTED if decision.reason == REASON_REJECTED else Outcome.TRANSIENT
            )
            if decision.reason == REASON_RETRIES:
                message = lazy_message(
                    gettext_lazy("Gave up after %(n)s temporary errors: %(message)s"),
                    n=job.transient_failures + 1,
                    message=message,
                )
            else:
                message = lazy_message(gettext_lazy("The platform refused it: %(message)s"), message=message)
            _fail(target, job, reason=decision.reason, message=message)
            return decision.reason
        else:  # settle by reading
            save_attempt(outcome=Outcome.UNKNOWN)
            _to_unknown(target, job, now=now)
            _notify(
                target,
                PublishNotification.Kind.UNKNOWN,
                lazy_message(
                    gettext_lazy(
                        "“%(post)s” on %(account)s may or may not have been published; we are checking."
                    ),
                    post=target.post,
                    account=target.account,
                ),
            )
            _enqueue("settle_target", target.pk, countdown=settle_delay())
            return "unknown"
    if refresh:
        return _refresh_and_requeue(prepared.target_id, since=refused_since)
    return "stale"


# --- asynchronous platforms -----------------------------------------------------------------------


def poll(target_id: int) -> str:
    """Ask an asynchronous platform whether the pending publish finished (until the deadline)."""
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.PUBLISHING or not job or not job.pending:
            return "stale"
        pending = PublishResult(
            status="pending",
            external_id=job.pending.get("external_id", ""),
            url=job.pending.get("url", ""),
            raw=job.pending.get("raw") or {},
        )
        account = target.account
        credentials = vault.credentials_read(account)
        deadline = job.poll_deadline
    connector = _connector(account.platform)
    result, error = None, None
    try:
        result = connector.publish_status(credentials, pending)
    except Exception as exc:  # noqa: BLE001
        error = exc
    now = timezone.now()
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.PUBLISHING or not job.pending:
            return "stale"
        if result is not None and result.status == "published":
            _published(target, job, external_id=result.external_id or pending.external_id, url=result.url)
            return "published"
        if error is not None and not isinstance(error, (ConnectorError,)):
            _to_unknown(target, job, now=now)
            return "unknown"
        if (
            error is not None
            and classify(error, attempt=1, policy=retry_policy()).action == Action.FAIL_PERMANENTLY
        ):
            _fail(target, job, reason=REASON_REJECTED, message=str(error))
            return "failed"
        if deadline and now >= deadline:
            _to_unknown(target, job, now=now)
            return "unknown"
        _enqueue("poll_target", target.pk, countdown=float(_setting("KAWO_PUBLISH_POLL_SECONDS", 5)))
        return "pending"


# --- the reconciler -------------------------------------------------------------------------------


def settle(target_id: int) -> str:
    """Settle an unknown outcome by reading the platform: published if the post is there; back to
    queued only when the platform's own list shows it is not (never a blind retry)."""
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.UNKNOWN or job is None:
            return "stale"
        account = target.account
        credentials = vault.credentials_read(account)
        external_id = (job.pending or {}).get("external_id", "")
        first = PublishAttempt.objects.filter(target=target).order_by("number").first()
        since = first.started_at if first else None
        text = target.text
    if credentials is None:
        return "no_credentials"
    connector = _connector(account.platform)
    found = None
    try:
        if external_id:
            found = connector.get_post(credentials, external_id)
        else:
            for remote in connector.recent_posts(credentials, 50):
                if remote.text.strip() != text.strip():
                    continue
                if since and remote.created_at and remote.created_at < since - timedelta(minutes=5):
                    continue
                found = remote
                break
    except Exception as exc:  # noqa: BLE001 - could not read: read again later, never guess
        logger.warning("could not read %s to settle target %s: %s", account.platform, target_id, exc)
        with transaction.atomic():
            PublishJob.objects.filter(target_id=target_id).update(
                settle_after=timezone.now() + timedelta(seconds=settle_delay() * 2)
            )
        return "retry_later"
    with transaction.atomic():
        target, job = _lock(target_id)
        if target is None or target.status != S.UNKNOWN:
            return "stale"
        job.settle_checks += 1
        if found is not None:
            _published(target, job, external_id=found.external_id, url=found.url, at=found.created_at)
            return "published"
        _requeue(target, job, not_before=timezone.now())
        job.settle_after = None
        job.save(update_fields=["settle_after", "settle_checks", "updated_at"])
        return "requeued"


# --- assisted publishing --------------------------------------------------------------------------


def _hand_over(target: PostTarget, job: PublishJob, *, now: datetime) -> None:
    """At the due time, the responsible person gets the ready content; they confirm with the live URL
    (publishing.services.assisted_confirm) before the overdue time, or the post becomes overdue."""
    _move(target, S.PUBLISHING, error_message="")
    job.kind = PublishJob.Kind.ASSISTED
    job.lease_expires_at = now + assisted_overdue_for(target.workspace)
    job.save()
    PublishAttempt.objects.create(
        workspace_id=target.workspace_id,
        target=target,
        attempt_id=job.attempt_id,
        number=_next_attempt_number(target),
        started_at=now,
        finished_at=now,
        worker=_hostname()[:200],
        request={"platform": target.account.platform, "text": target.text[:2000], "assisted": True},
        outcome=Outcome.ASSISTED,
    )
    responsible = _responsible_user_id(target.account)
    from accounts.models import User

    recipients = list(User.objects.filter(pk=responsible)) if responsible else _team(target)
    _notify(
        target,
        PublishNotification.Kind.ASSISTED_DUE,
        lazy_message(
            gettext_lazy("“%(post)s” is due on %(account)s: post it and confirm with its link."),
            post=target.post,
            account=target.account,
        ),
        recipients=recipients,
        content={
            "text": target.text,
            "first_comment": target.first_comment,
            "media": [
                link.media.file.url for link in target.media_links.select_related("media") if link.media.file
            ],
            "overdue_at": job.lease_expires_at.isoformat(),
        },
    )
