"""Writes for outgoing webhooks: endpoints, emitting events, sending and retrying deliveries.

Promises (publishing/README.md):
- `webhook_emit` makes one delivery per active endpoint subscribed to the event, inside the caller's
  transaction, and enqueues the sends only after it commits: an event of a rolled-back change is never
  sent.
- Each attempt is claimed under a row lock and recorded (WebhookAttempt, unique per delivery and
  number) BEFORE the POST, so two workers, two beats or a duplicated task message never send the same
  attempt twice. Receivers get `X-Kawo-Event-Id`, the same for every attempt and redelivery, to
  deduplicate the rare repeat (a worker killed after sending and before recording).
- 2xx is delivered; anything else is retried on WEBHOOK_RETRY_SCHEDULE (1 min, 5 min, 30 min, 2 h,
  6 h, each up to 20 % later), then failed. After WEBHOOK_DISABLE_AFTER failed attempts in a row the
  endpoint is disabled (audited); a success resets the count.
- The secret exists in plain text only in memory; at rest it is a Fernet token (channels_app.vault).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, Workspace
from channels_app import vault
from core.audit import audit_record, snapshot
from core.errors import Conflict, ValidationFailed

from . import webhooks
from .models import (
    ALL_EVENTS,
    SUBSCRIBABLE_EVENTS,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from .retry import scheduled_delay

# Seconds after each failed attempt (then failed for good): six tries over about nine hours.
WEBHOOK_RETRY_SCHEDULE: tuple[float, ...] = (60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600)
WEBHOOK_MAX_ATTEMPTS = len(WEBHOOK_RETRY_SCHEDULE) + 1
# A claimed attempt that has not been recorded after this long is presumed lost (worker killed); the
# retry beat then claims the next attempt. Longer than the HTTP timeout with all redirects.
WEBHOOK_CLAIM_LEASE = timedelta(minutes=2)
WEBHOOK_RETRY_BATCH = 200
MAX_ENDPOINTS_PER_WORKSPACE = 20
MAX_URL_LENGTH = 2000
ENDPOINT_FIELDS = ["url", "description", "events", "active"]


def webhook_disable_after() -> int:
    return int(getattr(settings, "KAWO_WEBHOOK_DISABLE_AFTER", 15))


# --- endpoints -------------------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationFailed(_("Enter the URL that receives the events."), field="url", code="required")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationFailed(
            _("The URL is too long (at most %(n)d characters).") % {"n": MAX_URL_LENGTH},
            field="url",
            code="too_long",
        )
    try:
        webhooks.check_url(url)
    except webhooks.UnsafeURL as exc:
        raise ValidationFailed(str(exc), field="url", code="unsafe_url") from None
    return url


def _clean_events(events: list[str]) -> list[str]:
    events = list(dict.fromkeys(events or []))
    if not events:
        raise ValidationFailed(_("Choose at least one event."), field="events", code="required")
    unknown = [e for e in events if e != ALL_EVENTS and e not in SUBSCRIBABLE_EVENTS]
    if unknown:
        raise ValidationFailed(
            _("Unknown event: %(event)s.") % {"event": ", ".join(unknown)}, field="events", code="invalid"
        )
    return [ALL_EVENTS] if ALL_EVENTS in events else events


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_endpoint_create(
    *,
    actor: User,
    workspace: Workspace,
    url: str,
    events: list[str],
    description: str = "",
    active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its signing secret in plain text: the only time anyone sees it."""
    url, events = _clean_url(url), _clean_events(events)
    secret = _new_secret()
    with transaction.atomic():
        # Lock the workspace row so two concurrent creations cannot both pass the limit.
        Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
        if WebhookEndpoint.objects.filter(workspace=workspace).count() >= MAX_ENDPOINTS_PER_WORKSPACE:
            raise ValidationFailed(
                _("A workspace can have at most %(n)d webhooks.") % {"n": MAX_ENDPOINTS_PER_WORKSPACE},
                code="limit_reached",
            )
        endpoint = WebhookEndpoint.objects.create(
            workspace=workspace,
            url=url,
            description=(description or "").strip()[:200],
            events=events,
            secret_ciphertext=vault.encrypt_text(secret),
            secret_hint=secret[:10],
            active=active,
            disabled_at=None if active else timezone.now(),
            disabled_reason="" if active else _("Turned off by %(who)s.") % {"who": actor.email},
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="webhook.create",
            target=endpoint,
            workspace=workspace,
            after=snapshot(endpoint, ENDPOINT_FIELDS),
        )
    return endpoint, secret


def webhook_endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change the URL, events, description, or switch it on/off (on again resets the failure count)."""
    changes: dict = {}
    if url is not None:
        changes["url"] = _clean_url(url)
    if events is not None:
        changes["events"] = _clean_events(events)
    if description is not None:
        changes["description"] = description.strip()[:200]
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = snapshot(endpoint, ENDPOINT_FIELDS)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        if active is not None and active != endpoint.active:
            endpoint.active = active
            if active:
                endpoint.consecutive_failures = 0
                endpoint.disabled_at, endpoint.disabled_reason = None, ""
            else:
                endpoint.disabled_at = timezone.now()
                endpoint.disabled_reason = _("Turned off by %(who)s.") % {"who": actor.email}
        endpoint.save()
        audit_record(
            actor=actor,
            action="webhook.update",
            target=endpoint,
            workspace=endpoint.workspace,
            before=before,
            after=snapshot(endpoint, ENDPOINT_FIELDS),
        )
    return endpoint


def webhook_endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="webhook.delete",
            target=endpoint,
            workspace=endpoint.workspace,
            before=snapshot(endpoint, ENDPOINT_FIELDS),
        )
        endpoint.delete()


def webhook_endpoint_secret(endpoint: WebhookEndpoint) -> str:
    """The plain signing secret, for signing only (never returned by the API after creation)."""
    return vault.decrypt_text(endpoint.secret_ciphertext)


# --- emitting ----------------------------------------------------------------------------------------


def _envelope(*, workspace_id: int, event: str, event_id: uuid.UUID, payload: dict, at: datetime) -> dict:
    return {
        "id": str(event_id),
        "type": event,
        "created_at": at.isoformat(),
        "workspace_id": workspace_id,
        "data": payload,
    }


def _enqueue_on_commit(deliveries: list[WebhookDelivery]) -> None:
    from .tasks import deliver_webhook

    pairs = [(d.pk, d.attempt_count) for d in deliveries]

    def send() -> None:
        for delivery_id, attempt in pairs:
            deliver_webhook.delay(delivery_id, attempt)

    if pairs:
        transaction.on_commit(send)


def _new_delivery(
    *, endpoint: WebhookEndpoint, event: str, event_id: uuid.UUID, envelope: dict, now: datetime, **extra
) -> WebhookDelivery:
    # Created already claimed for attempt 1: if the enqueue is lost, the retry beat claims attempt 2
    # once the lease runs out, so nothing is left pending forever.
    return WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint=endpoint,
        event=event,
        event_id=event_id,
        payload=envelope,
        attempt_count=1,
        next_attempt_at=now + WEBHOOK_CLAIM_LEASE,
        **extra,
    )


def webhook_emit(*, workspace: Workspace, event: str, payload: dict) -> list[WebhookDelivery]:
    """Queue `event` for every active endpoint of the workspace that subscribes to it.

    Call it inside the transaction of the change it reports; nothing is sent unless that commits.
    """
    if event not in SUBSCRIBABLE_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    now = timezone.now()
    event_id = uuid.uuid4()
    envelope = _envelope(workspace_id=workspace.pk, event=event, event_id=event_id, payload=payload, at=now)
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(workspace=workspace, active=True) if e.subscribes_to(event)
    ]
    if not endpoints:
        return []
    # No savepoint of its own: a failure here aborts the change it reports, as it should.
    with transaction.atomic(savepoint=False):
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                _new_delivery(endpoint=e, event=event, event_id=event_id, envelope=envelope, now=now)
                for e in endpoints
            ]
        )
        _enqueue_on_commit(deliveries)
    return deliveries


def webhook_send_test(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` event to this one endpoint (even when it is switched off)."""
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {"message": "This is a test event from KAWO OSS.", "webhook_id": endpoint.pk}
    envelope = _envelope(
        workspace_id=endpoint.workspace_id,
        event=WebhookEvent.WEBHOOK_TEST,
        event_id=event_id,
        payload=payload,
        at=now,
    )
    with transaction.atomic():
        delivery = _new_delivery(
            endpoint=endpoint, event=WebhookEvent.WEBHOOK_TEST, event_id=event_id, envelope=envelope, now=now
        )
        delivery.save()
        audit_record(actor=actor, action="webhook.test", target=endpoint, workspace=endpoint.workspace)
        _enqueue_on_commit([delivery])
    return delivery


def webhook_delivery_redeliver(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a finished delivery again as a new delivery with the SAME event id (receivers deduplicate)."""
    with transaction.atomic():
        original = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
        if original.status == WebhookDelivery.Status.PENDING:
            raise Conflict(
                _("This delivery is still being attempted; wait for its outcome."), code="still_pending"
            )
        if not original.endpoint.active:
            raise Conflict(_("The webhook is switched off; switch it on first."), code="webhook_disabled")
        copy = _new_delivery(
            endpoint=original.endpoint,
            event=original.event,
            event_id=original.event_id,
            envelope=original.payload,
            now=timezone.now(),
            redelivery_of=original,
        )
        copy.save()
        audit_record(
            actor=actor,
            action="webhook.redeliver",
            target=original,
            workspace=original.endpoint.workspace,
            after={"delivery": copy.pk},
        )
        _enqueue_on_commit([copy])
    return copy


# --- sending -----------------------------------------------------------------------------------------


def _claim_attempt(delivery_id: int, attempt: int) -> tuple[WebhookDelivery, WebhookAttempt] | None:
    """Lock the delivery; it is ours only if it is pending, claimed for `attempt`, and not yet tried."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, attempt_count=attempt)
            .first()
        )
        if delivery is None:
            return None
        now = timezone.now()
        try:
            with transaction.atomic():
                row = WebhookAttempt.objects.create(delivery=delivery, number=attempt, started_at=now)
        except IntegrityError:
            return None  # a duplicate message: this attempt was already made
        if not delivery.endpoint.active and delivery.event != WebhookEvent.WEBHOOK_TEST:
            row.finished_at = now
            row.error = "webhook switched off"
            row.save(update_fields=["finished_at", "error", "updated_at"])
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = row.error
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            return None
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + WEBHOOK_CLAIM_LEASE
        delivery.save(update_fields=["last_attempt_at", "next_attempt_at", "updated_at"])
        return delivery, row


def _record_outcome(delivery_id: int, attempt: WebhookAttempt, result: webhooks.SendResult) -> str:
    now = timezone.now()
    with transaction.atomic():
        attempt.finished_at = now
        attempt.response_code = result.status_code
        attempt.response_excerpt = result.excerpt
        attempt.error = result.error
        attempt.duration_ms = result.duration_ms
        attempt.succeeded = result.ok
        attempt.save()
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint")
            .get(pk=delivery_id)
        )
        delivery.last_response_code = result.status_code
        delivery.last_response_excerpt = result.excerpt
        delivery.last_error = result.error
        delivery.last_duration_ms = result.duration_ms
        if delivery.status != WebhookDelivery.Status.PENDING or delivery.attempt_count != attempt.number:
            # A later attempt was claimed meanwhile (our lease ran out): it owns the status now.
            delivery.save()
            return "superseded"
        endpoint_id = delivery.endpoint_id
        if result.ok:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=0)
        else:
            delay = scheduled_delay(attempt.number, WEBHOOK_RETRY_SCHEDULE)
            if delay is None:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = now + timedelta(seconds=delay)
            _count_endpoint_failure(endpoint_id, now)
        delivery.save()
        return delivery.status


def _count_endpoint_failure(endpoint_id: int, now: datetime) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = webhook_disable_after()
    endpoint = (
        WebhookEndpoint.objects.select_for_update()
        .filter(pk=endpoint_id, active=True, consecutive_failures__gte=limit)
        .select_related("workspace")
        .first()
    )
    if endpoint is None:
        return
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = _("Switched off after %(n)d failed deliveries in a row.") % {"n": limit}
    endpoint.save(update_fields=["active", "disabled_at", "disabled_reason", "updated_at"])
    audit_record(
        actor=None,
        action="webhook.auto_disable",
        target=endpoint,
        workspace=endpoint.workspace,
        after={"consecutive_failures": endpoint.consecutive_failures},
    )


def webhook_delivery_attempt(*, delivery_id: int, attempt: int) -> str:
    """Make attempt number `attempt` of a delivery, once. Returns the delivery's status, or "skipped"."""
    claimed = _claim_attempt(delivery_id, attempt)
    if claimed is None:
        return "skipped"
    delivery, row = claimed
    endpoint = delivery.endpoint
    # Outside any transaction: no row lock is held while we wait on someone else's server.
    result = webhooks.post(
        url=endpoint.url,
        secret=webhook_endpoint_secret(endpoint),
        event=delivery.event,
        delivery_id=str(delivery.pk),
        event_id=str(delivery.event_id),
        body=webhooks.encode_body(delivery.payload),
    )
    return _record_outcome(delivery.pk, row, result)


def webhook_deliveries_claim_due(*, now: datetime | None = None, limit: int = WEBHOOK_RETRY_BATCH) -> int:
    """The retry beat: claim the next attempt of each due pending delivery and enqueue it on commit.

    SKIP LOCKED: two beats (or a beat and a worker holding a row) never claim the same delivery.
    Deliveries whose last claimed attempt used up the schedule (a worker died mid-send) fail here.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")[:limit]
        )
        claimed, exhausted = [], []
        for delivery in due:
            if delivery.attempt_count >= WEBHOOK_MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.FAILED
                delivery.next_attempt_at = None
                delivery.last_error = delivery.last_error or "no outcome recorded for the last attempt"
                delivery.updated_at = now
                exhausted.append(delivery)
            else:
                delivery.attempt_count += 1
                delivery.next_attempt_at = now + WEBHOOK_CLAIM_LEASE
                delivery.updated_at = now
                claimed.append(delivery)
        WebhookDelivery.objects.bulk_update(claimed, ["attempt_count", "next_attempt_at", "updated_at"])
        WebhookDelivery.objects.bulk_update(
            exhausted, ["status", "next_attempt_at", "last_error", "updated_at"]
        )
        _enqueue_on_commit(claimed)
    return len(claimed)


# --- the publish pipeline: publish now, retry, cancel, assisted confirmation -------------------------


def _require_capability(actor: User, workspace_id: int, capability: str) -> None:
    from accounts.selectors import workspace_access_for
    from core.errors import PermissionRefused

    access = workspace_access_for(user=actor, workspace_id=workspace_id) if actor is not None else None
    if access is None or not access.can(capability):
        raise PermissionRefused(_("Your role does not allow this."))


def _lock_target(target):
    from content.models import PostTarget
    from content.services import post_lock_for_target

    post_lock_for_target(target.pk)  # the post first: the one lock order (README.md)

    # Only the target's row is locked: on PostgreSQL a plain FOR UPDATE would also lock the joined post
    # and account rows, holding up every other publish and token refresh of that account meanwhile.
    qs = PostTarget.objects.select_related("post", "account", "workspace")
    if connection.features.has_select_for_update_of:
        return qs.select_for_update(of=("self",)).get(pk=target.pk)
    return qs.select_for_update().get(pk=target.pk)


def post_publish_now(*, actor: User, post) -> list[int]:
    """Publish a scheduled post's targets now instead of at its time. Returns the targets queued."""
    from accounts.roles import Capability
    from content.models import Post, PostTarget
    from content.models import TargetStatus as S

    from .models import PublishJob
    from .pipeline import _enqueue_publish, _lease_many, _move_many

    _require_capability(actor, post.workspace_id, Capability.POST_PUBLISH_NOW)
    now = timezone.now()
    with transaction.atomic():
        lock_posts = Post.objects.select_for_update().filter(pk=post.pk)
        list(lock_posts.values_list("pk", flat=True))  # the post first: the one lock order (README.md)
        targets = PostTarget.objects.filter(
            post_id=post.pk, status=S.SCHEDULED, post__deleted_at__isnull=True
        ).select_related("post", "workspace")
        # Only the targets' rows are locked (as the dispatcher's claim does), never the joined ones.
        if connection.features.has_select_for_update_of:
            targets = targets.select_for_update(of=("self",))
        else:
            targets = targets.select_for_update()
        targets = list(targets.order_by("id"))
        if not targets:
            raise Conflict(_("Only a scheduled post can be published now."), field="status")
        PublishJob.objects.bulk_create(
            [PublishJob(target_id=t.pk, workspace_id=t.workspace_id) for t in targets], ignore_conflicts=True
        )
        jobs = {j.target_id: j for j in PublishJob.objects.filter(target_id__in=[t.pk for t in targets])}
        # The whole post in a fixed number of queries, like the dispatcher's claim: one UPDATE leases
        # every job (due now, a fresh count of tries), one moves every target to queued.
        leased = _lease_many(
            list(jobs.values()),
            now,
            due_at=now,
            requested_at=now,
            tries=0,
            transient_failures=0,
            refreshed=False,
            reason="",
        )
        won = [t for t in targets if jobs[t.pk].pk in leased]
        _move_many(won, S.QUEUED)
        pairs = [(t.pk, leased[jobs[t.pk].pk]) for t in won]
        audit_record(
            actor=actor,
            action="post.publish_now",
            target=post,
            workspace=post.workspace,
            after={"targets": [pk for pk, _a in pairs]},
        )
        _enqueue_publish(pairs, accounts={t.pk: t.account_id for t in won})
    return [pk for pk, _a in pairs]


def target_retry(*, actor: User, target):
    """Try a failed target again now. Refused while an outcome is unknown: the post may exist, and a
    retry could publish it twice; the reconciler settles it first."""
    from accounts.roles import Capability
    from content.models import TargetStatus as S

    from .models import PublishJob
    from .pipeline import _enqueue_publish, _lease, _move

    _require_capability(actor, target.workspace_id, Capability.POST_PUBLISH_NOW)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_target(target)
        if locked.status == S.UNKNOWN:
            raise Conflict(
                _(
                    "We are still confirming with the platform whether this was published; "
                    "retry once it is settled."
                ),
                field="status",
            )
        if locked.status != S.FAILED:
            raise Conflict(_("Only a failed post can be retried."), field="status")
        job, _created = PublishJob.objects.get_or_create(
            target=locked, defaults={"workspace_id": locked.workspace_id}
        )
        job.tries = 0
        job.transient_failures = 0
        job.refreshed = False
        job.reason = ""
        job.requested_at = now
        job.due_at = now
        job.finished_at = None
        job.save()
        _move(locked, S.SCHEDULED, error_message="")
        attempt = _lease(job, now)
        _move(locked, S.QUEUED)
        audit_record(actor=actor, action="post_target.retry", target=locked, workspace=locked.post.workspace)
        _enqueue_publish([(locked.pk, attempt)])
    return locked


def target_cancel(*, actor: User, target):
    """Take one target off the schedule (scheduled or queued; not once it is being published)."""
    from accounts.roles import Capability
    from content.models import TargetStatus as S

    from .models import PublishJob
    from .pipeline import _move

    _require_capability(actor, target.workspace_id, Capability.POST_SCHEDULE)
    with transaction.atomic():
        locked = _lock_target(target)
        if locked.status not in (S.SCHEDULED, S.QUEUED, S.FAILED):
            raise Conflict(
                _("This post is being published or is done; it cannot be cancelled."), field="status"
            )
        _move(locked, S.CANCELLED)
        PublishJob.objects.filter(target_id=locked.pk).update(attempt_id=None, lease_expires_at=None)
        audit_record(actor=actor, action="post_target.cancel", target=locked, workspace=locked.post.workspace)
    return locked


def assisted_may_confirm(*, actor: User, target) -> bool:
    """Whether `actor` may confirm an assisted target: the account's responsible person (while still a
    member of the workspace), or anyone whose role may schedule posts."""
    from accounts.roles import Capability
    from accounts.selectors import workspace_access_for

    access = workspace_access_for(user=actor, workspace_id=target.workspace_id) if actor is not None else None
    if access is None:
        return False
    if access.can(Capability.POST_SCHEDULE):
        return True
    responsible = target.account.responsible
    return responsible is not None and responsible.user_id == actor.pk and access.can(Capability.POST_VIEW)


def assisted_confirm(*, actor: User, target, url: str):
    """The responsible person posted an assisted target by hand: record its live URL. The account's
    responsible person may confirm whatever their role (the admin named them for this hand-off); anyone
    else needs the right to schedule."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.core.validators import URLValidator

    from accounts.roles import Capability
    from content.models import TargetStatus as S

    from .models import PublishJob
    from .pipeline import _published

    if not assisted_may_confirm(actor=actor, target=target):
        _require_capability(actor, target.workspace_id, Capability.POST_SCHEDULE)  # refuses, with its words
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise ValidationFailed(_("Enter the post's link (http or https)."), field="url") from None
    with transaction.atomic():
        locked = _lock_target(target)
        job = PublishJob.objects.select_for_update().filter(target_id=locked.pk).first()
        if locked.status != S.PUBLISHING or job is None or job.kind != PublishJob.Kind.ASSISTED:
            raise Conflict(_("This post is not waiting for a manual confirmation."), field="status")
        _published(locked, job, external_id="", url=url)
        audit_record(
            actor=actor,
            action="post_target.assisted_confirm",
            target=locked,
            workspace=locked.post.workspace,
            after={"url": url},
        )
    return locked


def publish_notifications_mark_read(*, actor: User, ids: list[int] | None = None) -> int:
    """Mark the actor's publishing notices read (all unread when `ids` is None). Returns how many.
    Only the actor's own rows match, so another person's id changes nothing."""
    from .models import PublishNotification

    queryset = PublishNotification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    now = timezone.now()
    return queryset.update(read_at=now, updated_at=now)
