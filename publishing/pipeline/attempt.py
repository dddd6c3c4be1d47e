"""The publish step: prepare under the locks (gate, compliance, the exact payload), call the platform
once, record what happened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels_app.connectors.base import PostPayload, PublishResult
from channels_app.connectors.errors import ConnectorError, RateLimited
from channels_app.connectors.registry import connector_class
from channels_app.models import SocialAccount
from content.models import PostTarget
from content.models import TargetStatus as S
from content.payload import payload_diff

from ..models import PublishAttempt, PublishJob, PublishNotification
from ..notifications import lazy_message
from ..retry import Action, classify
from .assisted import _hand_over
from .config import (
    REASON_APPROVAL,
    REASON_COMPLIANCE,
    REASON_MISSED,
    REASON_RECONNECT,
    REASON_REJECTED,
    REASON_RETRIES,
    Outcome,
    _setting,
    grace_for,
    lease_seconds,
    logger,
    retry_policy,
    settle_delay,
)
from .dispatcher import _to_unknown
from .transitions import (
    _block,
    _blocking_findings,
    _enqueue,
    _error_summary,
    _fail,
    _gate_wait,
    _local,
    _lock,
    _move,
    _notify,
    _published,
    _requeue,
)


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
    account_id: int = 0


def publish_attempt(target_id: int, attempt_id: str) -> str:
    """One target's publish step: a batch of one (publishing.pipeline.batch). Returns what happened."""
    from .batch import publish_batch

    return publish_batch([(target_id, attempt_id)])[int(target_id)]


def _early_outcome(target: PostTarget, job: PublishJob, *, now: datetime, gate, rerouted: set) -> str | None:
    """The checks before the account is looked at (the post deleted, the post missed its grace window,
    the gate closed, an assisted account): the outcome when the target stops here, else None. `gate`:
    approvals.gate's answer for the target's post; `rerouted`: posts whose approval was already
    re-opened in this batch."""
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
    from approvals.gate import REASON_ROUTING

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
        if gate.reason == REASON_ROUTING and post.pk not in rerouted:
            # another stage applies now: re-open the approval for it (once per post)
            from approvals.services import approval_reroute

            rerouted.add(post.pk)
            approval_reroute(actor=None, post=post)
        return "not_approved"
    account = target.account
    if account.assisted or not connector_class(account.platform).capabilities.server_side_publish:
        _hand_over(target, job, now=now)
        return "assisted"
    return None


def _ready_account(
    target: PostTarget, job: PublishJob, *, now: datetime, credentials, blocked: dict | None = None
) -> str | None:
    """The account's side: a token to refresh first ("refresh"), to reconnect, or a rate-limit wait
    (requeued). None: send. `blocked`: the batch's rate-limit blocks read so far, by account."""
    account = target.account
    if (
        account.status == SocialAccount.Status.EXPIRED
        and not job.refreshed
        and account.disconnected_at is None
    ):
        return "refresh"
    if not account.is_healthy:
        _fail_reconnect(target, job, account, message=account.status_message)
        return "reconnect"
    if credentials is None:
        _fail_reconnect(target, job, account, message="")
        return "reconnect"
    wait = _gate_wait(account, blocked=blocked)
    if wait > 0:
        _requeue(target, job, not_before=now + timedelta(seconds=wait))
        return "waiting"
    return None


def _checked_payload(
    target: PostTarget, job: PublishJob, payload: PostPayload, gate, *, banned: dict, printed: dict
) -> str | None:
    """What is sent is what the gate hashed (built by the same function, with the files' bytes read now
    and their checksums computed from those bytes), and compliance finds nothing blocking in it.
    `banned`: the banned words read so far, per workspace; `printed`: the payload's fingerprint. None:
    send."""
    if printed != gate.payloads.get(target.pk):
        changed = payload_diff(gate.payloads.get(target.pk) or {}, printed)
        _fail(
            target,
            job,
            reason=REASON_APPROVAL,
            message=lazy_message(
                gettext_lazy("Not published: what would be sent differs from what was approved (%(what)s)."),
                what=", ".join(c["path"] for c in changed) or "?",
            ),
        )
        return "not_approved"
    if target.workspace_id not in banned:
        from content.models import BannedWord

        banned[target.workspace_id] = list(BannedWord.objects.filter(workspace_id=target.workspace_id))
    blocking = _blocking_findings(
        target, payload, content_hash=gate.content_hash, banned_words=banned[target.workspace_id]
    )
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
    return None


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
