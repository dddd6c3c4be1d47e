"""What every step shares: the connector per thread, locks (post, then target, then job), moving a
target with its notifications and webhooks, the attempt log's summaries, the rate-limit gate."""

from __future__ import annotations

import contextvars
import threading
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from channels_app.connectors.base import PostPayload
from channels_app.connectors.errors import ConnectorError, RateLimited
from channels_app.connectors.registry import connector_for
from channels_app.models import SocialAccount
from content.models import PostTarget
from content.models import TargetStatus as S
from content.payload import fingerprint

from .. import notifications, ratelimit
from ..models import PublishAttempt, PublishJob
from ..notifications import lazy_message
from .config import _setting, logger

# One per thread (not `_local`: that name is the time-label helper below, which used to shadow it and
# made this cache one for the whole process).
_per_thread = threading.local()


def _connector(platform: str):
    """One connector (and so one httpx client and its connection pool) per thread and platform:
    building an httpx client costs tens of milliseconds of CPU (its TLS context), more than a call."""
    cache = getattr(_per_thread, "connectors", None)
    if cache is None:
        cache = _per_thread.connectors = {}
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


def _move_many(targets: list[PostTarget], status: str, **result) -> None:
    """`_move` for a batch the caller locked: one UPDATE each for the targets and their posts, and one
    INSERT for their audit rows (one row per target). `result`: as post_targets_move_locked takes it
    (`per_target` for values that differ by target)."""
    from content.services import post_targets_move_locked

    post_targets_move_locked(actor=None, targets=targets, status=status, **result)


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


# Set by `publishing_inline()`: the caller runs the publish step itself right away.
_publishing_inline = contextvars.ContextVar("kawo_publishing_inline", default=False)


@contextmanager
def publishing_inline():
    """For a caller that publishes the targets it leases itself, in this process (the demo's seeded
    history): no publish task is sent for them, so no worker later finds the attempt done and logs a
    "stale" run. A target left unpublished is still re-sent by the sweeper when its lease runs out."""
    token = _publishing_inline.set(True)
    try:
        yield
    finally:
        _publishing_inline.reset(token)


def _enqueue_publish(pairs: list[tuple[int, str]], *, accounts: dict[int, int] | None = None) -> None:
    """After commit: the claimed targets' publish tasks, `KAWO_PUBLISH_TASK_BATCH` targets per task
    (publishing.pipeline.batch). `accounts` ({target id: account id}) spreads each account's targets
    over the tasks, so that a task's targets are on as many accounts as possible: a task sends one
    account's targets one after another and different accounts at once. A broker that is down loses
    nothing: the leases run out and the dispatcher sends them again."""
    if not pairs or _publishing_inline.get():
        return
    chunks = _spread(pairs, accounts or {}, _setting("KAWO_PUBLISH_TASK_BATCH", 64))

    def send() -> None:
        from ..tasks import publish_batch

        for chunk in chunks:
            try:
                publish_batch.delay([list(pair) for pair in chunk])
            except Exception as exc:  # noqa: BLE001 - broker down: the dispatcher re-sends after the lease
                logger.warning("could not enqueue the publish of %s targets: %s", len(chunk), exc)
                return

    transaction.on_commit(send)


def _spread(pairs: list[tuple[int, str]], accounts: dict[int, int], size) -> list[list[tuple[int, str]]]:
    """`pairs` in chunks of `size`, taking each account's targets in turn (first of every account, then
    second, ...): each account's own order is kept, and its targets land in as few chunks together as
    its count allows."""
    by_account: dict = {}
    for pair in pairs:
        by_account.setdefault(accounts.get(pair[0], pair[0]), []).append(pair)
    queues = list(by_account.values())
    ordered = [queue[i] for i in range(max(map(len, queues))) for queue in queues if i < len(queue)]
    size = max(1, int(size))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def _enqueue(task_name: str, *args, countdown: float | None = None) -> None:
    def send() -> None:
        from .. import tasks

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
    from ..services import webhook_emit

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


def _next_attempt_number(target):
    """The next attempt's number of `target` (a target, or an expression such as OuterRef("pk")),
    counted in SQL by a subquery on the target's attempts (an index read)."""
    count = (
        PublishAttempt.objects.filter(target_id=getattr(target, "pk", target))
        .order_by()
        .values("target_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(count), 0) + 1


def _request_summary(target: PostTarget, payload: PostPayload, *, printed: dict | None = None) -> dict:
    """What was sent, for the attempt log: the payload's fingerprint (every field the approval hash
    covers: text, title, first comment, link, options, the paid flag, each file's name, type, size,
    checksum and alt text) and where the platform may fetch each file, without its query string (a
    signed URL's signature stays out). No tokens, no file bytes."""
    return {
        "platform": target.account.platform,
        "account_handle": target.account.handle,
        **(printed if printed is not None else fingerprint(payload)),
        "media_urls": [m.url.split("?", 1)[0] for m in payload.media],
        "idempotency_key": payload.idempotency_key,
    }


def _blocking_findings(
    target: PostTarget, payload: PostPayload, *, content_hash: str, banned_words: list | None = None
) -> list:
    """Compliance on the exact payload being sent (text, title, first comment, alt texts, the paid flag):
    its blocking findings, less those an admin's recorded override covers for exactly this content
    (Post.compliance_override with this content hash and those rules)."""
    from content.models import BannedWord
    from content.services import compliance_for_payload

    findings = compliance_for_payload(
        payload,
        platform=target.account.platform,
        media_infos=[link.media.info() for link in target.media_links.all()],
        banned_words=banned_words
        if banned_words is not None
        else list(BannedWord.objects.filter(workspace_id=target.workspace_id)),
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


def _gate_wait(account: SocialAccount, *, blocked: dict | None = None) -> float:
    """Seconds every worker must still wait for this account and app (shared Retry-After, quotas).
    `blocked`: the block waits already read in this batch, by account (a quota is still taken per call)."""
    if not getattr(settings, "REDIS_URL", ""):
        return 0.0  # the embedded mode has no shared gate; the job's own not_before still holds
    try:
        if blocked is not None and account.pk in blocked:
            wait = blocked[account.pk]
        else:
            wait = ratelimit.wait_until(
                [ratelimit.account_scope(account.pk), ratelimit.app_scope(account.platform)]
            )
            if blocked is not None:
                blocked[account.pk] = wait
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
