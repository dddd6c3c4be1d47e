"""Answering fans, with the publishing pipeline's guarantees:

- **One reply per view.** `inbox_reply_send` locks the item and needs the `version` the person saw; the
  first reply bumps it, so a second person replying at the same moment gets a 409 naming who answered.
- **Refused before any call**: an empty or too long text, blocking compliance findings (the workspace's
  banned words, China's advertising-law absolute claims, links blocked in mainland China), a closed reply
  window (inbox.reply_windows), a platform the inbox cannot answer on.
- **Sent once.** The reply is queued; `inbox_reply_deliver` claims it with a conditional UPDATE under a
  new attempt id (a second worker gets nothing), logs the attempt before the call, calls the connector
  (unsafe: a timeout after sending is `unknown`, never re-sent blindly; Mastodon also gets an
  Idempotency-Key), and honours Retry-After through the shared rate-limit gate (publishing.ratelimit).
  Transient errors back off with full jitter (publishing.retry.RetryPolicy) up to MAX_TRIES; an expired
  token is refreshed once. `inbox.dispatch_replies` (beat) sends what is due again and turns a reply
  stuck in `sending` (its worker died mid-call) into `unknown`.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channels_app.connectors.errors import AuthExpired, ConnectorError, RateLimited, Rejected, Transient
from channels_app.connectors.inbound import InboundAuthor, InboundMessage, ReplyTarget
from channels_app.connectors.limits import reply_excess, reply_message
from channels_app.connectors.registry import connector_class, connector_for
from content.compliance.engine import check_words, has_blocking
from content.payload import media_item
from content.services.compliance import workspace_banned_words
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed
from publishing import ratelimit
from publishing.retry import RetryPolicy

from ..models import InboxItem, InboxReply, InboxReplyAttempt, ItemStatus, SavedReply
from ..reply_windows import reply_window
from .ingest import inbox_message_ingest
from .reply_approval import reply_needs_approval, request_approval

logger = logging.getLogger(__name__)
MAX_TRIES = 4
BACKOFF = RetryPolicy(max_attempts=MAX_TRIES, base=5.0, cap=300.0)
SENDING_LEASE = timedelta(minutes=5)


def _person(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else _("someone")


def reply_media_check(*, workspace, item: InboxItem, media) -> None:
    """A media library item may go with a reply only where the platform takes one (one image)."""
    if media is None:
        return
    if media.workspace_id != workspace.pk:
        raise ValidationFailed(_("Choose an image from this workspace's media library."), field="media")
    if not connector_class(item.account.platform).capabilities.reply_media:
        raise ValidationFailed(
            _("%(platform)s does not take an image with a reply from the inbox.")
            % {"platform": item.account.get_platform_display()},
            code="reply_media_not_supported",
            field="media",
        )
    if media.kind != "image":
        raise ValidationFailed(_("A reply can carry one image, not a video."), field="media")


def reply_check(*, workspace, item: InboxItem, text: str, now=None, media=None) -> str:
    """The text as it will be sent, or ValidationFailed (on `text`, or `media`) saying why it cannot go."""
    text = (text or "").strip()
    if not text and media is None:
        raise ValidationFailed(_("Write the reply first."), field="text")
    platform = item.account.platform
    # The platform's own window first: it is the reason a person can act on (wait for the fan).
    window = reply_window(item, now or timezone.now())
    if window.refused:
        raise ValidationFailed(window.refused, code="reply_window_closed", field="text")
    connector_cls = connector_class(platform)
    if not connector_cls.capabilities.inbound_reply:
        raise ValidationFailed(
            _("Answering on %(platform)s from the inbox is not available yet.")
            % {"platform": item.account.get_platform_display()},
            code="reply_not_supported",
            field="text",
        )
    reply_media_check(workspace=workspace, item=item, media=media)
    if platform == "instagram" and item.platform_hidden_at is not None and item.kind != "direct_message":
        # Instagram: "You cannot reply to hidden comments" (IG Comment Replies reference)
        raise ValidationFailed(
            _("Instagram does not take a reply to a hidden comment. Unhide it first."),
            code="reply_to_hidden",
            field="text",
        )
    # The limit and its message are the connector's own (channels_app.connectors.limits): its `reply`
    # refuses the same text before sending it.
    connector = connector_for(platform)
    params = reply_excess(connector, text, label=item.account.get_platform_display())
    if params is not None:
        raise ValidationFailed(reply_message(params), field="text")
    findings = check_words(
        text, field="text", platforms=[platform], banned_words=workspace_banned_words(workspace)
    )
    if has_blocking(findings):
        raise ValidationFailed(
            " ".join(f.message for f in findings if f.blocking), code="compliance", field="text"
        )
    return text


@transaction.atomic
def inbox_reply_send(*, workspace, actor, item: InboxItem, text: str, version: int, media=None) -> InboxReply:
    """Queue a reply to `item` (see the module's docstring); the item counts as answered by `actor`."""
    if item.workspace_id != workspace.pk:
        raise ValueError("the item is not in this workspace")
    item = InboxItem.objects.select_for_update(of=("self",)).select_related("account").get(pk=item.pk)
    if version != item.version:
        latest = item.replies.exclude(status=InboxReply.Status.FAILED).select_related("author").last()
        if latest is not None:
            raise Conflict(
                _("%(name)s answered this at %(time)s. Reload to see their reply.")
                % {
                    "name": _person(latest.author),
                    "time": timezone.localtime(latest.created_at).strftime("%Y-%m-%d %H:%M"),
                },
                code="already_answered",
                field="text",
            )
        raise Conflict(
            _("Someone changed this item since you opened it. Reload it and try again."),
            code="stale_view",
            field="version",
        )
    text = reply_check(workspace=workspace, item=item, text=text, media=media)
    waits = reply_needs_approval(workspace=workspace, actor=actor, item=item, text=text)
    reply = InboxReply.objects.create(
        workspace=workspace,
        item=item,
        author=actor,
        text=text,
        media=media,
        status=InboxReply.Status.AWAITING_APPROVAL if waits else InboxReply.Status.QUEUED,
    )
    item.answered_by = actor
    item.version += 1
    item.save(update_fields=["answered_by", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="inbox.reply_send",
        target=item,
        workspace=workspace,
        after={"text": text[:200], **({"media": media.pk} if media is not None else {})},
    )
    if waits:
        request_approval(reply)  # sent only once approved (inbox.services.reply_approval)
    else:
        transaction.on_commit(lambda: _enqueue(reply.pk))
    return reply


def _enqueue(reply_id: int) -> None:
    from ..tasks import deliver_reply

    deliver_reply.delay(reply_id)


def _target(item: InboxItem, *, messaging_tag: str = "") -> ReplyTarget:
    fan = item.fan
    return ReplyTarget(
        messaging_tag=messaging_tag,
        kind=item.kind,
        external_id=item.external_id,
        thread_id=item.conversation.external_id,
        author_id=fan.external_id if fan else "",
        author_handle=fan.handle if fan else "",
        raw=item.raw if isinstance(item.raw, dict) else {},
    )


def _finish(reply: InboxReply, attempt: InboxReplyAttempt, *, outcome: str, error: str = "", **fields) -> str:
    now = timezone.now()
    InboxReplyAttempt.objects.filter(pk=attempt.pk).update(
        finished_at=now, outcome=outcome, error=error[:500]
    )
    InboxReply.objects.filter(pk=reply.pk, attempt_id=attempt.attempt_id).update(
        error=error[:500], updated_at=now, **fields
    )
    return outcome


def inbox_reply_deliver(reply_id: int) -> str:
    """Send one queued reply, once (see the module's docstring). Returns what happened."""
    from channels_app import vault
    from channels_app.services import social_account_refresh_token

    now = timezone.now()
    attempt_id = uuid.uuid4()
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    if not InboxReply.objects.filter(due, pk=reply_id, status=InboxReply.Status.QUEUED).update(
        status=InboxReply.Status.SENDING, attempt_id=attempt_id, updated_at=now
    ):
        return "not due"
    reply = InboxReply.objects.select_related(
        "item__account", "item__fan", "item__conversation", "media"
    ).get(pk=reply_id)
    item, account = reply.item, reply.item.account
    # The window may have closed while the reply waited (approval, Retry-After): refused before any call.
    window = reply_window(item, timezone.now(), sending=reply.pk)
    if window.refused:
        InboxReply.objects.filter(pk=reply.pk, attempt_id=attempt_id).update(
            status=InboxReply.Status.FAILED, error=window.refused[:500], updated_at=timezone.now()
        )
        return "window_closed"
    wait = ratelimit.account_wait(account)
    if wait > 0:
        InboxReply.objects.filter(pk=reply.pk, attempt_id=attempt_id).update(
            status=InboxReply.Status.QUEUED, not_before=now + timedelta(seconds=wait)
        )
        return "waiting"
    extra = {}
    if reply.media is not None:
        try:  # read before any call: an image that cannot be read fails the reply, nothing sent
            extra["media"] = media_item(reply.media, with_data=True)
        except OSError as exc:
            InboxReply.objects.filter(pk=reply.pk, attempt_id=attempt_id).update(
                status=InboxReply.Status.FAILED, error=f"the image could not be read: {exc}"[:500]
            )
            return "failed"
    attempt = InboxReplyAttempt.objects.create(reply=reply, attempt_id=attempt_id, started_at=timezone.now())
    connector = connector_for(account.platform)
    try:
        credentials = vault.credentials_read(account)
        if credentials is None or not account.is_healthy:
            return _finish(
                reply, attempt, outcome="failed", error="the account needs reconnecting", status="failed"
            )
        result = connector.reply(
            credentials,
            to=_target(item, messaging_tag=window.tag),
            text=reply.text,
            idempotency_key=f"inbox-reply-{reply.pk}",
            **extra,
        )
    except RateLimited as exc:
        waited = ratelimit.account_block(account, exc)
        return _finish(
            reply,
            attempt,
            outcome="rate_limited",
            error=str(exc),
            status="queued",
            not_before=timezone.now() + timedelta(seconds=waited),
        )
    except AuthExpired as exc:
        if reply.refreshed or exc.revoked:
            return _finish(reply, attempt, outcome="auth", error=str(exc), status="failed")
        social_account_refresh_token(account, force=True)
        return _finish(
            reply,
            attempt,
            outcome="auth_refreshed",
            error=str(exc),
            status="queued",
            refreshed=True,
            not_before=None,
        )
    except Transient as exc:
        tries = reply.tries + 1
        if BACKOFF.exhausted(tries):
            return _finish(reply, attempt, outcome="transient", error=str(exc), status="failed", tries=tries)
        return _finish(
            reply,
            attempt,
            outcome="transient",
            error=str(exc),
            status="queued",
            tries=tries,
            not_before=timezone.now() + timedelta(seconds=BACKOFF.delay(tries)),
        )
    except Rejected as exc:
        return _finish(reply, attempt, outcome="rejected", error=str(exc), status="failed")
    except (ConnectorError, Exception) as exc:  # Unknown and anything else: the platform may have it
        logger.warning("reply %s outcome unknown: %s", reply.pk, exc)
        return _finish(reply, attempt, outcome="unknown", error=str(exc), status="unknown")
    finally:
        connector.close()
    sent_at = result.sent_at or timezone.now()
    with transaction.atomic():
        _finish(
            reply, attempt, outcome="sent", status="sent", external_id=result.external_id, sent_at=sent_at
        )
        InboxItem.objects.filter(pk=item.pk, answered_at__isnull=True).update(answered_at=sent_at)
        InboxItem.objects.filter(pk=item.pk, status=ItemStatus.OPEN).update(status=ItemStatus.PENDING)
        # Our reply joins the thread as it will appear on the platform (the next poll finds the same id).
        inbox_message_ingest(
            account=account,
            message=InboundMessage(
                kind="direct_message" if item.kind == "direct_message" else "reply",
                external_id=result.external_id,
                author=InboundAuthor(external_id=account.external_id, handle=account.handle),
                text=reply.text or "[attachment]",
                sent_at=sent_at,
                thread_id=item.conversation.external_id,
                parent_id=item.external_id,
            ),
        )
        InboxItem.objects.filter(account=account, external_id=result.external_id).update(
            answered_by=reply.author
        )
    return "sent"


def inbox_replies_dispatch() -> list[int]:
    """Beat: queue the replies that are due again; a reply `sending` past its lease (the worker died in
    the call) becomes `unknown` (a person checks the platform; it is never re-sent blindly)."""
    now = timezone.now()
    InboxReply.objects.filter(status=InboxReply.Status.SENDING, updated_at__lt=now - SENDING_LEASE).update(
        status=InboxReply.Status.UNKNOWN, error="the worker stopped during the call", updated_at=now
    )
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    ids = list(
        InboxReply.objects.filter(due, status=InboxReply.Status.QUEUED).values_list("pk", flat=True)[:500]
    )
    for reply_id in ids:
        _enqueue(reply_id)
    return ids


# --- saved replies ---


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def saved_reply_render(saved: SavedReply, *, item: InboxItem, agent) -> str:
    """The saved text with {fan}, {fan_handle}, {account} and {agent} (or {粉丝}, {粉丝账号}, {账号},
    {客服}) filled in; unknown names stay as written."""
    fan = item.fan
    values = _Blank(
        fan=(fan.display_name or fan.handle) if fan else "",
        fan_handle=fan.handle if fan else "",
        account=item.account.display_name or item.account.handle,
        agent=(agent.get_full_name() or agent.email) if agent is not None else "",
    )
    # The same variables by their Chinese names, for teams that write their replies in Chinese.
    values.update(
        {
            "粉丝": values["fan"],
            "粉丝账号": values["fan_handle"],
            "账号": values["account"],
            "客服": values["agent"],
        }
    )
    try:
        return saved.body.format_map(values)
    except (ValueError, IndexError):  # a stray brace: send the text as written
        return saved.body


def _saved_check(*, workspace, name: str, body: str, saved: SavedReply | None = None) -> tuple[str, str]:
    name, body = (name or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the saved reply a name.")]
    elif len(name) > 80:
        errors["name"] = [_("A name has at most 80 characters.")]
    elif (
        SavedReply.objects.filter(workspace=workspace, name=name)
        .exclude(pk=getattr(saved, "pk", None))
        .exists()
    ):
        errors["name"] = [_("This workspace already has a saved reply of that name.")]
    if not body:
        errors["body"] = [_("Write the reply's text.")]
    elif len(body) > 2000:
        errors["body"] = [_("A saved reply has at most 2000 characters.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return name, body


@transaction.atomic
def saved_reply_create(*, workspace, actor, name: str, body: str) -> SavedReply:
    name, body = _saved_check(workspace=workspace, name=name, body=body)
    saved = SavedReply.objects.create(workspace=workspace, name=name, body=body)
    audit_record(
        actor=actor,
        action="inbox.saved_reply_create",
        target=saved,
        workspace=workspace,
        after={"name": name},
    )
    return saved


@transaction.atomic
def saved_reply_update(*, workspace, actor, saved: SavedReply, name: str, body: str) -> SavedReply:
    if saved.workspace_id != workspace.pk:
        raise ValueError("the saved reply is not in this workspace")
    before = {"name": saved.name, "body": saved.body}
    saved.name, saved.body = _saved_check(workspace=workspace, name=name, body=body, saved=saved)
    saved.save(update_fields=["name", "body", "updated_at"])
    audit_record(
        actor=actor,
        action="inbox.saved_reply_update",
        target=saved,
        workspace=workspace,
        before=before,
        after={"name": saved.name, "body": saved.body},
    )
    return saved


@transaction.atomic
def saved_reply_delete(*, workspace, actor, saved: SavedReply) -> None:
    if saved.workspace_id != workspace.pk:
        raise ValueError("the saved reply is not in this workspace")
    audit_record(
        actor=actor,
        action="inbox.saved_reply_delete",
        target=saved,
        workspace=workspace,
        before={"name": saved.name},
    )
    saved.delete()
