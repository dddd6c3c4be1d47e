"""The publish step for a batch of leased targets (issue 18): the same promises as one by one, a fixed
number of queries per batch.

    publish_batch([(target id, attempt id), ...]) -> {target id: outcome}

1. Prepare, in one transaction: lock the batch's posts, targets and jobs (in that order, each set by
   id: two batches never wait on each other in a cycle), keep those still queued for exactly the attempt
   in their message, ask the approval gate for all their posts at once (approvals.gate.publish_gates),
   check accounts and read their credentials once per account, build each payload and check that it is
   what the gate hashed, run compliance on it (banned words read once per workspace), then move the
   ready targets to "publishing", extend their leases and INSERT their attempt rows, all in bulk. Every
   target that must not be sent (deleted, missed, not approved, assisted, its account to reconnect or
   refresh, rate-limited) takes the same path as before, one by one: those are the rare ones.
2. Send, after that commit: the ready targets grouped by account, each account's targets one after
   another in due order, the accounts concurrently on this process's sender threads
   (`KAWO_PUBLISH_SEND_THREADS`; each thread keeps its own connector and connection pool).
3. Record, in one transaction: every definite "published" answer in bulk (attempt rows, the moves
   with each target's id and URL, the jobs, one audit row each); every other answer (an error, a
   pending answer, a lease the sweeper took over meanwhile) through `_record`, one by one.

A worker killed anywhere in between leaves what one by one left: queued targets whose lease runs out
(re-leased, never sent) or "publishing" ones with an attempt row (the sweeper makes them unknown and the
reconciler reads the platform). Nothing is retried blindly.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, connections, transaction
from django.db.models import F, OuterRef, Prefetch, prefetch_related_objects
from django.utils import timezone

from channels_app import vault
from channels_app.connectors.base import PublishResult
from channels_app.connectors.errors import AuthExpired, ConnectorError, RateLimited
from content.models import Post, PostTarget, PostTargetMedia
from content.models import TargetStatus as S
from content.payload import fingerprint, target_payload
from core.bulk import update_rows

from ..models import PublishAttempt, PublishJob
from .config import Outcome, _hostname, _setting, lease_seconds

_senders: ThreadPoolExecutor | None = None
_senders_lock = threading.Lock()


def send_threads() -> int:
    return int(_setting("KAWO_PUBLISH_SEND_THREADS", 16))


def _sender_pool() -> ThreadPoolExecutor:
    """The process's sender threads, shared by every batch this process runs."""
    global _senders
    with _senders_lock:
        if _senders is None:
            _senders = ThreadPoolExecutor(max_workers=send_threads(), thread_name_prefix="kawo-publish")
        return _senders


@dataclass
class _Sent:
    prepared: object  # attempt._Prepared
    result: PublishResult | None
    error: BaseException | None
    duration_ms: int


def publish_batch(pairs: list[tuple[int, str]]) -> dict[int, str]:
    """The batch publish task's body: {target id: what happened} (for logs and tests)."""
    from .attempt import _refresh_and_requeue

    pairs = [(int(t), str(a)) for t, a in pairs]
    started = timezone.now()
    outcomes, prepared, refresh = _prepare_many(pairs)
    for target_id in refresh:
        # One refresh per account: for the account's other targets in the batch, the refresh made
        # after `started` by the first is the one they wait for.
        outcomes[target_id] = _refresh_and_requeue(target_id, since=started)
    if prepared:
        outcomes.update(_record_many(_send_many(prepared)))
    return outcomes


def _prepare(target_id: int, attempt_id: str):
    """One target's prepare step: its `_Prepared`, or what happened instead ("refresh": refresh the
    account's token first)."""
    outcomes, prepared, refresh = _prepare_many([(int(target_id), str(attempt_id))])
    if prepared:
        return prepared[0]
    return "refresh" if refresh else outcomes[int(target_id)]


def _lock_many(target_ids) -> tuple[dict[int, PostTarget], dict[int, PublishJob]]:
    """Posts, then targets, then jobs, each set locked in id order (the one lock order)."""
    ids = sorted(set(target_ids))
    if not ids:
        return {}, {}
    of = {"of": ("self",)} if connection.features.has_select_for_update_of else {}
    list(Post.objects.filter(targets__id__in=ids).select_for_update(**of).order_by("pk").values_list("pk"))
    targets = {
        t.pk: t
        for t in PostTarget.objects.filter(pk__in=ids)
        .select_related("post", "account", "workspace", "workspace__publishing_settings")
        .select_for_update(**of)
        .order_by("pk")
    }
    jobs = {
        j.target_id: j
        for j in PublishJob.objects.filter(target_id__in=ids).select_for_update().order_by("pk")
    }
    return targets, jobs


def _prepare_many(pairs):
    """Returns ({target id: outcome} for those not sent, [_Prepared], [target ids to refresh first])."""
    from approvals.gate import publish_gates

    from .attempt import _checked_payload, _early_outcome, _Prepared, _ready_account
    from .transitions import _move_many, _next_attempt_number, _request_summary

    outcomes: dict[int, str] = {}
    refresh: list[int] = []
    now = timezone.now()
    wanted = dict(pairs)
    with transaction.atomic():
        targets, jobs = _lock_many(wanted)
        live = []
        for target_id, attempt_id in pairs:
            target, job = targets.get(target_id), jobs.get(target_id)
            if target is None or job is None:
                outcomes[target_id] = "gone"
            elif target.status != S.QUEUED or str(job.attempt_id) != attempt_id:
                outcomes[target_id] = "stale"
            else:
                live.append((target, job))
        gates = publish_gates([t.post for t, _ in live if t.post.deleted_at is None]) if live else {}
        credentials = vault.credentials_read_many({t.account for t, _ in live})
        prefetch_related_objects(
            [t for t, _ in live],
            Prefetch("media_links", queryset=PostTargetMedia.objects.select_related("media")),
        )
        banned: dict[int, list] = {}
        blocked: dict[int, float] = {}
        rerouted: set[int] = set()
        ready = []
        for target, job in live:
            early = _early_outcome(target, job, now=now, gate=gates.get(target.post_id), rerouted=rerouted)
            if early is None:
                early = _ready_account(
                    target, job, now=now, credentials=credentials.get(target.account_id), blocked=blocked
                )
            if early == "refresh":
                refresh.append(target.pk)
                continue
            if early is not None:
                outcomes[target.pk] = early
                continue
            payload = target_payload(target, with_data=True)
            printed = fingerprint(payload)
            checked = _checked_payload(
                target, job, payload, gates[target.post_id], banned=banned, printed=printed
            )
            if checked is not None:
                outcomes[target.pk] = checked
                continue
            ready.append((target, job, payload, printed))
        if not ready:
            return outcomes, [], refresh
        _move_many([t for t, _, _, _ in ready], S.PUBLISHING, error_message="")
        lease = now + timedelta(seconds=lease_seconds())
        for _t, job, _p, _f in ready:
            job.tries += 1
            job.lease_expires_at = lease
        PublishJob.objects.filter(pk__in=[j.pk for _, j, _, _ in ready]).update(
            tries=F("tries") + 1, lease_expires_at=lease, updated_at=now
        )
        # Each target's earlier attempts, counted by a subquery per target (an index read whatever the
        # table's statistics say: an IN list grouped over the whole log was planned as a full scan).
        earlier = dict(
            PostTarget.objects.filter(pk__in=[t.pk for t, _, _, _ in ready])
            .annotate(n=_next_attempt_number(OuterRef("pk")) - 1)
            .values_list("pk", "n")
        )
        worker = _hostname()[:200]
        attempts = PublishAttempt.objects.bulk_create(
            [
                PublishAttempt(
                    workspace_id=t.workspace_id,
                    target=t,
                    attempt_id=j.attempt_id,
                    number=earlier.get(t.pk, 0) + 1,
                    started_at=now,
                    worker=worker,
                    request=_request_summary(t, p, printed=f),
                )
                for t, j, p, f in ready
            ]
        )
        prepared = [
            _Prepared(
                target_id=t.pk,
                job_id=j.pk,
                attempt_id=str(j.attempt_id),
                attempt_pk=a.pk,
                started_at=now,
                platform=t.account.platform,
                credentials=credentials[t.account_id],
                account_id=t.account_id,
                payload=p,
            )
            for (t, j, p, _f), a in zip(ready, attempts, strict=True)
        ]
    return outcomes, prepared, refresh


def _send_one_account(prepared: list, held: dict | None = None) -> list[_Sent]:
    """One account's targets, one after another (the platform sees them in due order). `held`, shared
    by the batch's accounts: the scopes a 429 in this batch put on hold ({("account", id) or ("app",
    platform): monotonic time it ends}). A target whose account or app is on hold, or whose account's
    token was just refused, is not sent: it is recorded as rate-limited (requeued after the wait) or as
    refused (refreshed once), as if the platform had answered so, since it was prepared before the
    answer came. The platform never sees a request before its Retry-After."""
    from .transitions import _connector

    held = {} if held is None else held
    sent = []
    for item in prepared:
        started = time.monotonic()
        result, error = None, _held_error(item, held, started)
        if error is None:
            try:
                result = _connector(item.platform).publish(item.credentials, item.payload)
            except Exception as exc:  # noqa: BLE001 - every error is classified; unexpected ones are "unknown"
                error = exc
                _hold(item, exc, held)
        sent.append(_Sent(item, result, error, int((time.monotonic() - started) * 1000)))
    return sent


def _hold(item, error: BaseException, held: dict) -> None:
    if isinstance(error, RateLimited):
        scope = ("app", item.platform) if error.scope == RateLimited.APP else ("account", item.account_id)
        held[scope] = max(held.get(scope, 0.0), time.monotonic() + float(error.retry_after))
    elif isinstance(error, AuthExpired):
        held[("token", item.account_id)] = float("inf")


def _held_error(item, held: dict, now: float) -> ConnectorError | None:
    if ("token", item.account_id) in held:
        return AuthExpired("not sent: the platform refused this account's token for an earlier post")
    until = max(held.get(("account", item.account_id), 0.0), held.get(("app", item.platform), 0.0))
    if until > now:
        scope = RateLimited.APP if held.get(("app", item.platform), 0.0) > now else RateLimited.ACCOUNT
        return RateLimited(
            "not sent: rate-limited by the platform for an earlier post", retry_after=until - now, scope=scope
        )
    return None


def _send_on_sender_thread(prepared: list, held: dict) -> list[_Sent]:
    try:
        return _send_one_account(prepared, held)
    finally:
        connections.close_all()  # a connector that read the database here leaves no connection open


def _send_many(prepared: list) -> list[_Sent]:
    by_account: dict[int, list] = defaultdict(list)
    for item in prepared:
        by_account[item.account_id].append(item)
    groups = list(by_account.values())
    held: dict = {}
    if len(groups) == 1 or send_threads() <= 1:
        return [s for group in groups for s in _send_one_account(group, held)]
    futures = [_sender_pool().submit(_send_on_sender_thread, group, held) for group in groups]
    return [s for future in futures for s in future.result()]


def _record_many(sent: list[_Sent]) -> dict[int, str]:
    from .attempt import _record
    from .transitions import _move_many, _webhook

    outcomes: dict[int, str] = {}
    definite = {
        s.prepared.target_id: s for s in sent if s.result is not None and s.result.status == "published"
    }
    rest = [s for s in sent if s.prepared.target_id not in definite]
    now = timezone.now()
    with transaction.atomic():
        targets, jobs = _lock_many(definite)
        mine = []
        for target_id, s in definite.items():
            target, job = targets.get(target_id), jobs.get(target_id)
            if (
                target is not None
                and job is not None
                and str(job.attempt_id) == s.prepared.attempt_id
                and target.status == S.PUBLISHING
            ):
                mine.append((target, job, s))
            else:
                rest.append(s)  # the sweeper took over, or the target is gone: the careful path
        if mine:
            update_rows(
                PublishAttempt,
                {
                    s.prepared.attempt_pk: {
                        "duration_ms": s.duration_ms,
                        "response": {
                            "status": s.result.status,
                            "external_id": s.result.external_id,
                            "url": s.result.url,
                        },
                    }
                    for _t, _j, s in mine
                },
                also={"finished_at": now, "updated_at": now, "outcome": Outcome.PUBLISHED},
            )
            _move_many(
                [t for t, _, _ in mine],
                S.PUBLISHED,
                published_at=now,
                per_target={
                    t.pk: {"external_id": s.result.external_id[:200], "url": s.result.url[:500]}
                    for t, _, s in mine
                },
            )
            PublishJob.objects.filter(pk__in=[j.pk for _, j, _ in mine]).update(
                attempt_id=None,
                lease_expires_at=None,
                pending=None,
                reason="",
                finished_at=now,
                updated_at=now,
            )
            hooked = _workspaces_with_webhooks({t.workspace_id for t, _, _ in mine})
            for target, _job, s in mine:
                outcomes[target.pk] = "published"
                if target.workspace_id in hooked:
                    _webhook(target, "post.published", external_id=s.result.external_id, url=s.result.url)
    for s in rest:
        outcomes[s.prepared.target_id] = _record(
            s.prepared, result=s.result, error=s.error, duration_ms=s.duration_ms
        )
    return outcomes


def _workspaces_with_webhooks(workspace_ids) -> set[int]:
    from ..models import WebhookEndpoint

    return set(
        WebhookEndpoint.objects.filter(workspace_id__in=workspace_ids, active=True).values_list(
            "workspace_id", flat=True
        )
    )
