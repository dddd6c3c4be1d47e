"""Pull planning and pulls: which figures are due, and reading them into the snapshot tables.

`pulls_plan(now)` (Celery beat, `analytics.plan_pulls`) writes a `MetricPull` row for every read that is
due (analytics/pull_schedule.py says when), then claims the due rows with SKIP LOCKED, marks them queued
and sends them to the "metrics" queue after commit: a post pull per post (several posts of one account
go in one call), a daily account read, and a backfill the first time an account is seen connected (no
signal from channels_app is needed: the planner looks for connected accounts without a backfill of that
connection). Two planners at once plan each pull once: the table is unique on (entity, due_at).

`pull_account_run` / `pull_posts_run` (tasks `analytics.pull_account` / `analytics.pull_posts`, queue
"metrics") read through the account's connector and vault credentials like publishing does: the shared
rate-limit gate first (publishing.ratelimit; a 429 blocks the account's or the app's scope for
Retry-After, and the pull is planned again for after it), one token refresh on AuthExpired
(channels_app's refresh service, as publishing's attempt does), then `snapshots_ingest`.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from channels_app.connectors.base import MetricsResult
from channels_app.connectors.errors import AuthExpired, ConnectorError, RateLimited, Rejected
from channels_app.connectors.registry import CONNECTORS, connector_for
from channels_app.models import SocialAccount
from content.models import PostTarget
from content.models import TargetStatus as S
from publishing import ratelimit

from .. import pull_schedule as schedule
from ..metrics import Level, is_known
from ..models import MetricPull, MetricUnavailable
from .ingest import IngestRefused, SnapshotRow, UnavailableRow, snapshots_ingest

logger = logging.getLogger("analytics.pulls")

Kind, Status = MetricPull.Kind, MetricPull.Status
REASONS = set(MetricUnavailable.Reason.values)
CLAIM_BATCH = 2000


def metrics_platforms() -> list[str]:
    return [platform for platform, cls in CONNECTORS.items() if cls.capabilities.metrics]


def _setting(name: str, default):
    return getattr(settings, name, default)


def posts_per_task() -> int:
    return int(_setting("KAWO_METRICS_POSTS_PER_TASK", 50))


def lease() -> timedelta:
    """A queued or running pull not finished by then is planned again (a lost message, a killed worker)."""
    return timedelta(seconds=float(_setting("KAWO_METRICS_LEASE_SECONDS", 900)))


def max_attempts() -> int:
    return int(_setting("KAWO_METRICS_MAX_ATTEMPTS", 5))


# --- planning ------------------------------------------------------------------------------------------


def _eligible_accounts():
    """Connected accounts on platforms with metrics; not those of a deleted workspace or organization
    (lifecycle: restorable for a grace period, and read again once restored)."""
    return SocialAccount.objects.filter(
        workspace__deleted_at__isnull=True,
        workspace__organization__deleted_at__isnull=True,
        platform__in=metrics_platforms(),
        assisted=False,
        disconnected_at__isnull=True,
        status__in=(
            SocialAccount.Status.CONNECTED,
            SocialAccount.Status.EXPIRING,
            SocialAccount.Status.EXPIRED,
        ),
    )


def _plan_backfills(now: datetime) -> list[MetricPull]:
    """One backfill per connection: due at the moment of connecting, for as far back as the platform keeps."""
    accounts = (
        _eligible_accounts()
        .filter(connected_at__isnull=False)
        .exclude(
            Exists(
                MetricPull.objects.filter(
                    account_id=OuterRef("pk"), kind=Kind.BACKFILL, due_at=OuterRef("connected_at")
                )
            )
        )
        .only("pk", "workspace_id", "platform", "connected_at")
    )
    planned = []
    for account in accounts:
        day, _ready = schedule.last_ready_day(account.platform, now)
        read = schedule.account_read(account.platform)
        planned.append(
            MetricPull(
                workspace_id=account.workspace_id,
                account_id=account.pk,
                kind=Kind.BACKFILL,
                due_at=account.connected_at,
                since=day - timedelta(days=read.backfill_days - 1),
                until=day,
            )
        )
    return planned


def _plan_daily_reads(now: datetime) -> list[MetricPull]:
    planned = []
    for account in _eligible_accounts().only("pk", "workspace_id", "platform", "connected_at"):
        day, ready = schedule.last_ready_day(account.platform, now)
        if account.connected_at and ready < account.connected_at:
            continue  # the connection's backfill covers that day
        read = schedule.account_read(account.platform)
        planned.append(
            MetricPull(
                workspace_id=account.workspace_id,
                account_id=account.pk,
                kind=Kind.ACCOUNT,
                due_at=ready,
                since=day - timedelta(days=read.lookback_days - 1),
                until=day,
            )
        )
    return planned


def _plan_post_reads(now: datetime) -> list[MetricPull]:
    platforms = metrics_platforms()
    horizon = schedule.longest_post_horizon(platforms)
    targets = (
        PostTarget.objects.filter(
            status=S.PUBLISHED,
            published_at__isnull=False,
            published_at__gt=now - horizon,
            account__in=_eligible_accounts(),
        )
        .exclude(external_id="")
        .annotate(last_due=Max("metric_pulls__due_at"))
        .values_list("pk", "workspace_id", "account_id", "account__platform", "published_at", "last_due")
    )
    planned = []
    for target_id, workspace_id, account_id, platform, published_at, last_due in targets:
        slot = schedule.post_slot(platform, published_at, now)
        if slot is None or (last_due is not None and last_due >= slot):
            continue
        planned.append(
            MetricPull(
                workspace_id=workspace_id,
                account_id=account_id,
                target_id=target_id,
                kind=Kind.POST,
                due_at=slot,
            )
        )
    return planned


def pulls_plan(*, now: datetime | None = None) -> dict:
    """Plan what is due, then queue it. Safe to run from several beats at once."""
    now = now or timezone.now()
    planned = [*_plan_backfills(now), *_plan_daily_reads(now), *_plan_post_reads(now)]
    # The unique (entity, due_at) keys drop what another planner wrote first.
    created = MetricPull.objects.bulk_create(planned, ignore_conflicts=True, batch_size=1000)
    revived = _revive_stale(now)
    queued = _queue_due(now)
    return {"planned": len(created), "revived": revived, "queued": queued}


def _revive_stale(now: datetime) -> int:
    """Pulls queued or running for longer than the lease (a lost message, a killed worker) are planned
    again."""
    stale = now - lease()
    lost = MetricPull.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lt=stale),
        status__in=(Status.QUEUED, Status.RUNNING),
        updated_at__lt=stale,
    )
    # A pull that broke its worker every time (it never reached an outcome) stops being retried.
    lost.filter(attempts__gte=max_attempts()).update(
        status=Status.FAILED, finished_at=now, updated_at=now, error="no outcome after the last attempt"
    )
    return lost.update(status=Status.PLANNED, updated_at=now)


def _claim(qs, **options):
    if connection.features.has_select_for_update_skip_locked:
        return qs.select_for_update(skip_locked=True, **options)
    return qs  # SQLite: one writer at a time; the status update below is the claim


def _queue_due(now: datetime) -> int:
    with transaction.atomic():
        due = list(
            _claim(
                MetricPull.objects.filter(status=Status.PLANNED, due_at__lte=now)
                .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
                .order_by("due_at")
            ).values_list("pk", "kind", "account_id")[:CLAIM_BATCH]
        )
        if not due:
            return 0
        MetricPull.objects.filter(pk__in=[pk for pk, _, _ in due]).update(
            status=Status.QUEUED, queued_at=now, updated_at=now
        )
        accounts = [str(pk) for pk, kind, _ in due if kind != Kind.POST]
        posts: dict[int, list[str]] = defaultdict(list)
        for pk, kind, account_id in due:
            if kind == Kind.POST:
                posts[account_id].append(str(pk))
        size = posts_per_task()
        batches = [(a, ids[i : i + size]) for a, ids in posts.items() for i in range(0, len(ids), size)]
        transaction.on_commit(lambda: _send(accounts, batches))
    return len(due)


def _send(account_pulls: list[str], post_batches: list[tuple[int, list[str]]]) -> None:
    from .. import tasks

    try:
        for pull_id in account_pulls:
            tasks.pull_account.delay(pull_id)
        for account_id, pull_ids in post_batches:
            tasks.pull_posts.delay(account_id, pull_ids)
    except (OSError, OperationalError) as exc:  # broker down: after the lease the planner sends them again
        logger.warning("could not queue metric pulls: %s", exc)


# --- pulling -------------------------------------------------------------------------------------------

_per_thread = threading.local()


def _connector(platform: str):
    """One connector (one httpx client and its pool) per thread and platform, as publishing keeps them."""
    cache = getattr(_per_thread, "connectors", None)
    if cache is None:
        cache = _per_thread.connectors = {}
    conf = settings.PLATFORMS.get(platform, {})
    key = (platform, conf.get("base_url"), conf.get("auth_url"), settings.PLATFORM_HTTP_TIMEOUT)
    if key not in cache:
        cache[key] = connector_for(platform)
    return cache[key]


def _start(pull_ids: list[str], now: datetime) -> list[MetricPull]:
    """Move the queued pulls to running; a pull already taken (a message delivered twice) is left alone."""
    with transaction.atomic():
        queued = MetricPull.objects.filter(pk__in=pull_ids, status=Status.QUEUED)
        pulls = list(_claim(queued, of=("self",)).select_related("target", "account__workspace"))
        MetricPull.objects.filter(pk__in=[p.pk for p in pulls]).update(
            status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1, updated_at=now
        )
    for pull in pulls:
        pull.attempts += 1
    return pulls


def _finish(pulls: list[MetricPull], status: str, *, error: str = "", counts: dict | None = None) -> None:
    now = timezone.now()
    counts = counts or {}
    for pull in pulls:
        values, unavailable = counts.get(pull.pk, (0, 0))
        MetricPull.objects.filter(pk=pull.pk).update(
            status=status,
            finished_at=now,
            updated_at=now,
            error=error[:500],
            values_count=values,
            unavailable_count=unavailable,
        )


def _retry(pulls: list[MetricPull], wait: float, *, error: str = "", count_attempt: bool = True) -> str:
    """Planned again, not before `wait` seconds from now: the planner queues it once that has passed (no
    delayed message waits in a worker's memory or is lost with the broker). A wait for a rate limit is not
    an attempt (Retry-After is honoured however long); after the last failed attempt the pulls fail."""
    if count_attempt and pulls and pulls[0].attempts >= max_attempts():
        _finish(pulls, Status.FAILED, error=error or "too many attempts")
        return "failed"
    now = timezone.now()
    update = {"status": Status.PLANNED, "not_before": now + timedelta(seconds=wait), "updated_at": now}
    if not count_attempt:
        update["attempts"] = F("attempts") - 1  # undo the count `_start` made
    MetricPull.objects.filter(pk__in=[p.pk for p in pulls]).update(error=error[:500], **update)
    return "waiting"


def _refresh(account: SocialAccount, *, since: datetime) -> SocialAccount:
    """channels_app's refresh service, once; a refresh another worker made after `since` is the one we use."""
    from channels_app.services import social_account_refresh_token

    account.refresh_from_db()
    if account.last_refreshed_at and account.last_refreshed_at >= since:
        return account
    try:
        return social_account_refresh_token(account, force=True)
    except ConnectorError as exc:  # temporary: the retry looks at the account again
        logger.warning("token refresh for account %s failed for now: %s", account.pk, exc)
        return account


def _read(account: SocialAccount, call) -> MetricsResult | str:
    """Run `call(connector, credentials)` with the gate, one refresh on AuthExpired. Returns the result, or
    what happened instead: "skipped:<why>", ("wait", seconds, error)."""
    from channels_app import vault

    if account.status == SocialAccount.Status.EXPIRED:
        account = _refresh(account, since=timezone.now())
    if not account.is_healthy:
        return f"skipped:account {account.status}"
    wait = ratelimit.account_wait(account)
    if wait > 0:
        return ("gate", wait, "")
    connector = _connector(account.platform)
    for attempt in range(2):
        credentials = vault.credentials_read(account)
        if credentials is None:
            return "skipped:no credentials"
        started = timezone.now()
        try:
            return call(connector, credentials)
        except AuthExpired as exc:
            if attempt or exc.revoked:
                return f"skipped:reconnect ({exc})"
            account = _refresh(account, since=started)
            if not account.is_healthy:
                return f"skipped:reconnect ({account.status})"
        except RateLimited as exc:
            return ("rate", ratelimit.account_block(account, exc), str(exc))
        except Rejected as exc:
            return f"failed:{exc}"
        except ConnectorError as exc:  # Transient, Unknown: try again later
            return ("error", 0.0, f"{type(exc).__name__}: {exc}")
    return "skipped:reconnect"


def _captured_at(period_end: datetime | None, now: datetime) -> datetime:
    """A figure of a finished period is a reading at its last second (so a day's figure lands on that day
    and a restatement replaces it); any other figure is a reading now."""
    if period_end is not None and period_end <= now:
        return period_end - timedelta(seconds=1)
    return now


def _reason(reason: str) -> str:
    return reason if reason in REASONS else MetricUnavailable.Reason.ERROR


def _convert(
    result: MetricsResult, *, account: SocialAccount, now: datetime, pull_for, target_for
) -> tuple[list[SnapshotRow], list[UnavailableRow], dict]:
    """The connector's result as ingest rows. `pull_for(external_id)` / `target_for(external_id)` give the
    pull and target a post's figures belong to. A key the registry does not list is recorded as an error
    instead of refusing the whole batch (the registry test keeps that from happening)."""
    rows, gaps = [], []
    counts: dict = defaultdict(lambda: [0, 0])
    for value in result.values:
        post = value.entity == "post"
        pull = pull_for(value.external_id if post else "")
        if pull is None:
            continue
        target = target_for(value.external_id) if post else None
        if not is_known(account.platform, value.key, level=Level(value.entity)):
            gaps.append(
                UnavailableRow(
                    account.pk,
                    value.key,
                    MetricUnavailable.Reason.ERROR,
                    pull,
                    value.external_id if post else "",
                    target,
                    "not in the metric registry",
                )
            )
            counts[pull][1] += 1
            continue
        rows.append(
            SnapshotRow(
                account_id=account.pk,
                metric=value.key,
                value=value.value if isinstance(value.value, int | float) else float(value.value),
                captured_at=_captured_at(value.period_end, now),
                pull_id=pull,
                platform_post_id=value.external_id if post else "",
                target_id=target,
            )
        )
        counts[pull][0] += 1
    seen = set()
    for gap in result.unavailable:
        post = gap.entity == "post"
        pull = pull_for(gap.external_id if post else "")
        key = (pull, gap.external_id if post else "", gap.key)
        if pull is None or key in seen:
            continue  # one record per metric and pull (the table's key)
        seen.add(key)
        detail = gap.detail
        if gap.replaced_by:
            detail = f"replaced by {gap.replaced_by}; {detail}"
        gaps.append(
            UnavailableRow(
                account_id=account.pk,
                metric=gap.key,
                reason=_reason(gap.reason),
                pull_id=pull,
                platform_post_id=gap.external_id if post else "",
                target_id=target_for(gap.external_id) if post else None,
                detail=detail[:500],
            )
        )
        counts[pull][1] += 1
    return rows, gaps, {pull: tuple(c) for pull, c in counts.items()}


def _outcome(pulls: list[MetricPull], outcome) -> str | None:
    """Handle what `_read` returned instead of a result; None when it is a result."""
    if isinstance(outcome, MetricsResult):
        return None
    if isinstance(outcome, tuple):
        why, wait, error = outcome
        if why in ("gate", "rate"):
            return _retry(pulls, wait, error=error, count_attempt=False)
        if why == "error":
            wait = min(3600.0, 30.0 * 2 ** (pulls[0].attempts - 1)) / schedule.time_scale()
        return _retry(pulls, wait, error=error)
    status, _, why = outcome.partition(":")
    _finish(pulls, Status.SKIPPED if status == "skipped" else Status.FAILED, error=why)
    return status


def _store(pulls: list[MetricPull], account: SocialAccount, rows, gaps, counts) -> str:
    try:
        snapshots_ingest(rows, workspace=account.workspace, unavailable=gaps)
    except IngestRefused as exc:  # e.g. the post was deleted meanwhile: reading again would not help
        _finish(pulls, Status.FAILED, error=f"refused by the ingest: {exc}")
        return "failed"
    _finish(pulls, Status.DONE, counts=counts)
    return "done"


def pull_account_run(pull_id: str) -> str:
    """Read one account's figures for the pull's days (in chunks where the platform needs them)."""
    now = timezone.now()
    pulls = _start([pull_id], now)
    if not pulls:
        return "stale"
    pull = pulls[0]
    account = pull.account

    def call(connector, credentials) -> MetricsResult:
        merged = MetricsResult()
        for since, until in schedule.day_chunks(account.platform, pull.since, pull.until):
            part = connector.fetch_account_metrics(credentials, since=since, until=until)
            merged.values.extend(part.values)
            merged.unavailable.extend(part.unavailable)
        return merged

    result = _read(account, call)
    handled = _outcome(pulls, result)
    if handled is not None:
        return handled
    read_at = timezone.now()
    rows, gaps, counts = _convert(
        result, account=account, now=read_at, pull_for=lambda _eid: pull.pk, target_for=lambda _eid: None
    )
    return _store(pulls, account, rows, gaps, counts)


def pull_posts_run(account_id: int, pull_ids: list[str]) -> str:
    """Read the figures of one account's posts (one connector call for all of them)."""
    now = timezone.now()
    pulls = [p for p in _start(pull_ids, now) if p.account_id == account_id and p.target_id]
    if not pulls:
        return "stale"
    account = pulls[0].account
    by_external = {p.target.external_id: p for p in pulls}
    result = _read(
        account, lambda connector, credentials: connector.fetch_post_metrics(credentials, list(by_external))
    )
    handled = _outcome(pulls, result)
    if handled is not None:
        return handled

    def pull_for(external_id: str):
        pull = by_external.get(external_id)
        return pull.pk if pull else None

    def target_for(external_id: str):
        pull = by_external.get(external_id)
        return pull.target_id if pull else None

    rows, gaps, counts = _convert(
        result, account=account, now=timezone.now(), pull_for=pull_for, target_for=target_for
    )
    return _store(pulls, account, rows, gaps, counts)
