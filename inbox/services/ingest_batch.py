"""Many inbound messages of one account stored at once: a webhook delivery (Meta batches up to 1,000
changes in one POST), a batch of deliveries, a poll's page.

The rules are `inbox.services.ingest`'s (one item per platform id, edits, removals, our own messages),
and so is the code for anything but a plain new message; what changes is the number of queries. For the
messages the account does not have yet, the fans, the conversations and the items are each read and
written with a few statements for the whole batch (about 8 in all, against about 10 per message one by
one; bench/inbox_ingest.py). Messages it has already (edits, removals, repeats), and a second message
with the same id in one batch, go through `inbox_message_ingest` afterwards, in order. A batch that meets
a concurrent insert of one of its items (IntegrityError) is rolled back to its savepoint and stored
one by one, where that race is handled.

Rows are inserted and updated in a fixed order (fans by platform id, conversations by kind and id, both
updated by primary key), so two batches sharing fans or threads wait for each other instead of deadlocking.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels_app.connectors.inbound import InboundMessage

from ..models import Conversation, Fan, InboxItem, ItemStatus
from ..sentiment import sentiment_of
from .ingest import IngestResult, _conversation_kind, created_result, inbox_message_ingest
from .rule_apply import enabled_rules

FAN_FIELDS = ("handle", "display_name", "avatar_url", "followers")


def inbox_messages_ingest(*, account, messages: list[InboundMessage]) -> list[IngestResult]:
    """Store `messages` for `account` (in order; see the module's docstring). One result per message."""
    return inbox_batch_ingest([(account, message) for message in messages])


def inbox_batch_ingest(pairs: list[tuple]) -> list[IngestResult]:
    """Store (account, message) pairs of any accounts at once; one result per pair, in order. Fans are
    shared by a workspace's accounts on one platform, so they are written first for the whole batch, in
    one order, before each account's conversations and items (accounts in id order)."""
    by_account: dict[int, list[int]] = {}
    accounts = {}
    for index, (account, _message) in enumerate(pairs):
        by_account.setdefault(account.pk, []).append(index)
        accounts[account.pk] = account
    fresh: dict[int, dict[str, int]] = {}  # account -> platform id -> index of its first message
    later: list[int] = []  # indexes of the messages that go one by one, afterwards
    for pk, indexes in by_account.items():
        ids = {pairs[index][1].external_id for index in indexes}
        stored = set(
            InboxItem.objects.filter(account_id=pk, external_id__in=ids).values_list("external_id", flat=True)
        )
        mine = fresh.setdefault(pk, {})
        for index in indexes:
            external_id = pairs[index][1].external_id
            if external_id in stored or external_id in mine:
                later.append(index)
            else:
                mine[external_id] = index
    written: dict[tuple, list[InboundMessage]] = {}  # (workspace, platform) -> messages by fans
    for pk, mine in fresh.items():
        account = accounts[pk]
        for index in mine.values():
            message = pairs[index][1]
            if message.author.external_id != account.external_id:
                written.setdefault((account.workspace_id, account.platform), []).append(message)
    fans: dict[tuple, dict[str, Fan]] = {
        scope: _fans(workspace_id=scope[0], platform=scope[1], messages=written[scope])
        for scope in sorted(written)
    }
    results: dict[int, IngestResult] = {}
    for pk in sorted(fresh):
        account, mine = accounts[pk], fresh[pk]
        if not mine:
            continue
        messages = [pairs[index][1] for index in mine.values()]
        try:
            with transaction.atomic():
                created = _create_many(
                    account=account,
                    messages=messages,
                    fans=fans.get((account.workspace_id, account.platform), {}),
                )
        except IntegrityError:  # a concurrent ingest stored one of them: one by one handles that race
            created = {m.external_id: inbox_message_ingest(account=account, message=m) for m in messages}
        for external_id, index in mine.items():
            results[index] = created[external_id]
    for index in sorted(later):
        account, message = pairs[index]
        results[index] = inbox_message_ingest(account=account, message=message)
    return [results[index] for index in range(len(pairs))]


def _lock_in_order(model, pks) -> None:
    """Lock rows by primary key, in key order, before a bulk UPDATE: an UPDATE ... WHERE id IN (...)
    locks in whatever order its plan scans (the table's physical order for a sequential scan), so two
    batches sharing rows could each hold one the other waits for (measured: hundreds of deadlocks a run
    in bench/inbox_ingest.py without this)."""
    list(
        model.objects.filter(pk__in=list(pks)).order_by("pk").select_for_update(no_key=True).values_list("pk")
    )


def _fans(*, workspace_id: int, platform: str, messages: list[InboundMessage]) -> dict[str, Fan]:
    """The fans who wrote `messages` (made where new, kept up to date as `_fan_upsert` does)."""
    by_author: dict[str, list[InboundMessage]] = {}
    for message in messages:
        by_author.setdefault(message.author.external_id, []).append(message)
    scope = {"workspace_id": workspace_id, "platform": platform}
    fans = {fan.external_id: fan for fan in Fan.objects.filter(**scope, external_id__in=list(by_author))}
    missing = sorted(set(by_author) - set(fans))
    if missing:
        new = []
        for external_id in missing:
            first = by_author[external_id][0]
            author = first.author
            new.append(
                Fan(
                    **scope,
                    external_id=external_id,
                    handle=author.handle,
                    display_name=author.display_name,
                    avatar_url=author.avatar_url,
                    followers=author.followers,
                    first_seen_at=first.sent_at,
                    last_seen_at=first.sent_at,
                )
            )
        Fan.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent batch may have made some
        fans.update({fan.external_id: fan for fan in Fan.objects.filter(**scope, external_id__in=missing)})
    changed: dict[int, Fan] = {}
    fields: set[str] = set()
    for external_id, written in by_author.items():
        fan = fans[external_id]
        for message in written:
            for name in FAN_FIELDS:
                value = getattr(message.author, name)
                if value not in ("", None) and getattr(fan, name) != value:
                    setattr(fan, name, value)
                    changed[fan.pk] = fan
                    fields.add(name)
            if fan.last_seen_at is None or message.sent_at > fan.last_seen_at:
                fan.last_seen_at = message.sent_at
                changed[fan.pk] = fan
                fields.add("last_seen_at")
    if changed:
        now = timezone.now()
        rows = [changed[pk] for pk in sorted(changed)]
        for fan in rows:
            fan.updated_at = now
        _lock_in_order(Fan, changed)
        Fan.objects.bulk_update(rows, [*sorted(fields), "updated_at"])
    return fans


def _conversations(*, account, messages: list[InboundMessage], fans: dict[str, Fan]) -> dict:
    """(kind, thread id) -> the Conversation (made where new, `last_item_at` moved forward)."""
    first: dict[tuple[str, str], InboundMessage] = {}
    latest: dict[tuple[str, str], object] = {}
    for message in messages:
        key = (_conversation_kind(message.kind), message.thread_id)
        first.setdefault(key, message)
        if key not in latest or message.sent_at > latest[key]:
            latest[key] = message.sent_at
    found = {}
    for kind in {key[0] for key in first}:
        threads = [key[1] for key in first if key[0] == kind]
        for conversation in Conversation.objects.filter(account=account, kind=kind, external_id__in=threads):
            found[(kind, conversation.external_id)] = conversation
    missing = sorted(set(first) - set(found))
    if missing:
        new = []
        for kind, thread in missing:
            message = first[(kind, thread)]
            fan = fans.get(message.author.external_id)
            new.append(
                Conversation(
                    workspace_id=account.workspace_id,
                    account=account,
                    kind=kind,
                    external_id=thread,
                    fan=fan if kind == Conversation.Kind.DIRECT else None,
                    title=message.thread_title[:200],
                    last_item_at=latest[(kind, thread)],
                )
            )
        Conversation.objects.bulk_create(new, ignore_conflicts=True)
        for kind in {key[0] for key in missing}:
            threads = [key[1] for key in missing if key[0] == kind]
            for conversation in Conversation.objects.filter(
                account=account, kind=kind, external_id__in=threads
            ):
                found[(kind, conversation.external_id)] = conversation
    moved = [
        conversation
        for key, conversation in found.items()
        if conversation.last_item_at is None or latest[key] > conversation.last_item_at
    ]
    if moved:
        now = timezone.now()
        for conversation in moved:
            conversation.last_item_at = latest[(conversation.kind, conversation.external_id)]
            conversation.updated_at = now
        _lock_in_order(Conversation, [conversation.pk for conversation in moved])
        Conversation.objects.bulk_update(sorted(moved, key=lambda c: c.pk), ["last_item_at", "updated_at"])
    return found


def _create_many(*, account, messages: list[InboundMessage], fans: dict[str, Fan]) -> dict[str, IngestResult]:
    conversations = _conversations(account=account, messages=messages, fans=fans)
    now = timezone.now()
    items = []
    for message in messages:
        from_us = message.author.external_id == account.external_id
        label, score = sentiment_of(message.text) if not from_us else ("", None)
        items.append(
            InboxItem(
                workspace_id=account.workspace_id,
                account=account,
                conversation=conversations[(_conversation_kind(message.kind), message.thread_id)],
                kind=message.kind,
                external_id=message.external_id,
                parent_external_id=message.parent_id,
                fan=None if from_us else fans[message.author.external_id],
                from_us=from_us,
                text=message.text,
                url=message.url,
                sent_at=message.sent_at,
                edited_at=message.edited_at,
                removed_at=now if message.removed else None,
                status=ItemStatus.CLOSED if from_us or message.removed else ItemStatus.OPEN,
                sentiment=label,
                sentiment_score=score,
                raw=message.raw,
            )
        )
    InboxItem.objects.bulk_create(items)
    rules = enabled_rules(account.workspace_id)  # read once for the batch's new items
    return {
        message.external_id: created_result(account=account, message=message, item=item, rules=rules)
        for message, item in zip(messages, items, strict=True)
    }
