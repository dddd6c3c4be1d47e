"""Turning what a connector read (or a webhook carried) into inbox rows.

`inbox_message_ingest` is idempotent on the platform's id: the same message delivered twice (polls that
overlap, a webhook retried) is one item; a changed text is an edit (kept, with `edited_at`); a message the
platform reports deleted is marked removed, never dropped (the team may have answered it). A message whose
author is the account itself is ours (`from_us`): it closes nothing by itself, but it answers the message
it replies to. Ingest is the system's work, not a person's: it writes no audit row (the platform's own
data, at up to thousands of rows a minute); what people do to items is audited in inbox.services.items.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels_app.connectors.inbound import InboundMessage

from ..models import Conversation, Fan, InboxItem, ItemKind, ItemStatus
from ..sentiment import sentiment_of
from .rule_apply import inbox_rules_apply

CREATED, EDITED, REMOVED, DUPLICATE = "created", "edited", "removed", "duplicate"


@dataclass(frozen=True)
class IngestResult:
    item: InboxItem
    outcome: str  # created, edited, removed, duplicate


def _conversation_kind(kind: str) -> str:
    if kind == ItemKind.DIRECT_MESSAGE:
        return Conversation.Kind.DIRECT
    if kind == ItemKind.MENTION:
        return Conversation.Kind.MENTION
    return Conversation.Kind.THREAD


def _fan_upsert(*, account, message: InboundMessage) -> Fan:
    author = message.author
    fan, created = Fan.objects.get_or_create(
        workspace_id=account.workspace_id,
        platform=account.platform,
        external_id=author.external_id,
        defaults={
            "handle": author.handle,
            "display_name": author.display_name,
            "avatar_url": author.avatar_url,
            "followers": author.followers,
            "first_seen_at": message.sent_at,
            "last_seen_at": message.sent_at,
        },
    )
    if not created:
        changed = []
        for name in ("handle", "display_name", "avatar_url", "followers"):
            value = getattr(author, name)
            if value not in ("", None) and getattr(fan, name) != value:
                setattr(fan, name, value)
                changed.append(name)
        if fan.last_seen_at is None or message.sent_at > fan.last_seen_at:
            fan.last_seen_at = message.sent_at
            changed.append("last_seen_at")
        if changed:
            fan.save(update_fields=[*changed, "updated_at"])
    return fan


def _conversation_upsert(*, account, message: InboundMessage, fan: Fan | None) -> Conversation:
    kind = _conversation_kind(message.kind)
    conversation, created = Conversation.objects.get_or_create(
        account=account,
        kind=kind,
        external_id=message.thread_id,
        defaults={
            "workspace_id": account.workspace_id,
            "fan": fan if kind == Conversation.Kind.DIRECT else None,
            "title": message.thread_title[:200],
            "last_item_at": message.sent_at,
        },
    )
    if not created and (conversation.last_item_at is None or message.sent_at > conversation.last_item_at):
        conversation.last_item_at = message.sent_at
        conversation.save(update_fields=["last_item_at", "updated_at"])
    return conversation


def _mark_answered(*, account, parent_id: str, at) -> None:
    """Our reply answers the message it replies to (first answer wins: the time a fan waited)."""
    if parent_id:
        InboxItem.objects.filter(account=account, external_id=parent_id, answered_at__isnull=True).update(
            answered_at=at, updated_at=timezone.now()
        )


def inbox_message_ingest(*, account, message: InboundMessage) -> IngestResult:
    """Store one inbound message for `account` (see the module's docstring for the rules)."""
    existing = InboxItem.objects.filter(account=account, external_id=message.external_id).first()
    if existing is not None:
        return _update_existing(existing, message)
    try:
        with transaction.atomic():
            return _create(account=account, message=message)
    except IntegrityError:
        # Two deliveries raced past the lookup: the other one stored it.
        existing = InboxItem.objects.get(account=account, external_id=message.external_id)
        return _update_existing(existing, message)


def _create(*, account, message: InboundMessage) -> IngestResult:
    from_us = message.author.external_id == account.external_id
    fan = None if from_us else _fan_upsert(account=account, message=message)
    conversation = _conversation_upsert(account=account, message=message, fan=fan)
    label, score = sentiment_of(message.text) if not from_us else ("", None)
    item = InboxItem.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        conversation=conversation,
        kind=message.kind,
        external_id=message.external_id,
        parent_external_id=message.parent_id,
        fan=fan,
        from_us=from_us,
        text=message.text,
        url=message.url,
        sent_at=message.sent_at,
        edited_at=message.edited_at,
        removed_at=timezone.now() if message.removed else None,
        # Our own messages and what a fan deleted need no answer.
        status=ItemStatus.CLOSED if from_us or message.removed else ItemStatus.OPEN,
        sentiment=label,
        sentiment_score=score,
        raw=message.raw,
    )
    return created_result(account=account, message=message, item=item)


def created_result(*, account, message: InboundMessage, item: InboxItem, rules=None) -> IngestResult:
    """What follows a new item's insert, one by one or in a batch (inbox.services.ingest_batch, which
    reads the workspace's `rules` once for the batch)."""
    if item.from_us:
        _mark_answered(account=account, parent_id=message.parent_id, at=message.sent_at)
    elif not message.removed:
        item = inbox_rules_apply(item, rules=rules)  # the workspace's rules (inbox.services.rule_apply)
    return IngestResult(item, REMOVED if message.removed else CREATED)


def _update_existing(item: InboxItem, message: InboundMessage) -> IngestResult:
    with transaction.atomic():
        item = InboxItem.objects.select_for_update().get(pk=item.pk)
        if message.removed:
            if item.removed_at is not None:
                return IngestResult(item, DUPLICATE)
            item.removed_at = timezone.now()
            item.version += 1
            item.save(update_fields=["removed_at", "version", "updated_at"])
            return IngestResult(item, REMOVED)
        if message.text == item.text:
            return IngestResult(item, DUPLICATE)
        label, score = sentiment_of(message.text) if not item.from_us else ("", None)
        history = list(item.raw.get("_previous_texts", [])) if isinstance(item.raw, dict) else []
        history.append(item.text)
        item.raw = {**(message.raw or {}), "_previous_texts": history[-5:]}
        item.text = message.text
        item.edited_at = message.edited_at or timezone.now()
        item.sentiment, item.sentiment_score = label, score
        item.version += 1
        item.save(
            update_fields=[
                "text",
                "edited_at",
                "sentiment",
                "sentiment_score",
                "raw",
                "version",
                "updated_at",
            ]
        )
        return IngestResult(item, EDITED)
