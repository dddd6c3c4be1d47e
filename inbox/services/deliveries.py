"""Pushed deliveries (WeChat message server, Meta and Douyin webhooks): check, store, then process in a task.

The view checks the signature, the freshness (WeChat: timestamp within KAWO_INBOX_PUSH_WINDOW_SECONDS,
a nonce never seen before) and the size, then `inbound_delivery_store` writes the raw body and queues
`inbox.process_delivery` on commit, and the view answers at once. Processing runs in one transaction:
a crash part-way rolls it all back and leaves the row "received"; `inbound_deliveries_sweep` (beat)
queues such rows again, and ingest is idempotent, so each message is stored exactly once. A replayed
WeChat nonce is refused; a Meta body seen before (Meta retries what it thinks failed), or a Douyin body or
Msg-Id seen before (Douyin retries after 5 s), is acknowledged and not processed again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import string
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels_app import vault
from channels_app.models import SocialAccount
from core.audit import audit_record

from ..models import InboundDelivery, InboxPushKey
from ..push import douyin, meta, wechat
from ..push.wechat import PushRefused
from .ingest_batch import inbox_batch_ingest

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def push_window() -> float:
    return float(getattr(settings, "KAWO_INBOX_PUSH_WINDOW_SECONDS", 300))


def push_max_bytes() -> int:
    return int(getattr(settings, "KAWO_INBOX_PUSH_MAX_BYTES", 256 * 1024))


@transaction.atomic
def inbox_push_key_create(*, workspace, actor, account: SocialAccount) -> tuple[InboxPushKey, str]:
    """A new Token and EncodingAESKey for a WeChat account's message server (replacing any old ones).
    Returns the key and the EncodingAESKey in plain text, to paste into WeChat's settings."""
    if account.workspace_id != workspace.pk:
        raise ValueError("the account is not in this workspace")
    alphabet = string.ascii_letters + string.digits
    aes_key = "".join(secrets.choice(alphabet) for _ in range(43))
    token = "".join(secrets.choice(alphabet) for _ in range(32))
    key, _created = InboxPushKey.objects.update_or_create(
        account=account,
        defaults={
            "workspace": workspace,
            "url_key": secrets.token_urlsafe(24),
            "token": token,
            "aes_key_ciphertext": vault.encrypt_text(aes_key),
        },
    )
    audit_record(actor=actor, action="inbox.push_key_create", target=account, workspace=workspace)
    return key, aes_key


def wechat_check(*, key: InboxPushKey, query: dict, body: bytes) -> bytes:
    """The message XML of a genuine, fresh WeChat push (decrypted in safe mode); PushRefused otherwise.
    Does not look at nonces (the store does, atomically)."""
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        raise PushRefused("no timestamp", 400) from None
    if query.get("encrypt_type") == "aes":
        fields = wechat.parse_xml(body)
        encrypted = fields.get("Encrypt", "")
        wechat.check_signature(query.get("msg_signature", ""), key.token, timestamp, nonce, encrypted)
        if age > push_window():
            raise PushRefused("stale timestamp")
        app_id = str(vault.credentials_read(key.account).extra.get("appid", "")) if key.account else ""
        return wechat.decrypt(
            encrypted, encoding_aes_key=vault.decrypt_text(key.aes_key_ciphertext), app_id=app_id
        )
    wechat.check_signature(query.get("signature", ""), key.token, timestamp, nonce)
    if age > push_window():
        raise PushRefused("stale timestamp")
    return body


def inbound_delivery_store(
    *, source: str, body: bytes, push_key=None, nonce: str = "", query=None
) -> InboundDelivery | None:
    """Store the raw body and queue its processing. None: a replay (the same nonce, a Meta or Douyin body
    already stored, or a Douyin Msg-Id already stored)."""
    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(
                source=source,
                push_key=push_key,
                body=body,
                body_sha256=digest,
                nonce=nonce,
                query=query or {},
            )
            transaction.on_commit(lambda: _enqueue(delivery.pk))
    except IntegrityError:
        return None
    return delivery


def _enqueue(delivery_id: int) -> None:
    from ..tasks import process_delivery

    process_delivery.delay(delivery_id)


def delivery_batch() -> int:
    return max(1, int(getattr(settings, "KAWO_INBOX_DELIVERY_BATCH", 50)))


def _messages(delivery: InboundDelivery, accounts: dict | None = None):
    """(account, message) pairs of a delivery. `accounts` caches the Meta (platform, id) lookups."""
    body = bytes(delivery.body)
    if delivery.source == InboundDelivery.Source.WECHAT:
        key = delivery.push_key
        xml = body
        if delivery.query.get("encrypt_type") == "aes":
            app_id = str(vault.credentials_read(key.account).extra.get("appid", ""))
            fields = wechat.parse_xml(body)
            xml = wechat.decrypt(
                fields.get("Encrypt", ""),
                encoding_aes_key=vault.decrypt_text(key.aes_key_ciphertext),
                app_id=app_id,
            )
        message = wechat.message_of(wechat.parse_xml(xml))
        return [(key.account, message)] if message is not None else []
    accounts = {} if accounts is None else accounts
    pairs = []
    if delivery.source == InboundDelivery.Source.DOUYIN:
        found = douyin.messages_of(douyin.envelope(body))
    else:
        found = meta.messages_of(json.loads(body))
    for platform, ours, message in found:
        if (platform, ours) not in accounts:
            accounts[(platform, ours)] = list(
                SocialAccount.objects.filter(
                    platform=platform, external_id=ours, disconnected_at__isnull=True
                )
            )
        pairs.extend((account, message) for account in accounts[(platform, ours)])
    return pairs


def _ingest(pairs) -> None:
    inbox_batch_ingest(pairs)


def inbound_delivery_process(delivery_id: int) -> str:
    """Process a stored delivery, once (see the module's docstring), together with up to
    KAWO_INBOX_DELIVERY_BATCH - 1 of the oldest others still waiting that no other worker holds: one
    transaction and a few queries per account for the lot, instead of one each (bench/inbox_ingest.py).
    A body that can never be read is marked failed; if the batch's ingest fails, its deliveries are
    processed one by one, each in a savepoint, and one that fails again stays waiting for its own retry."""
    InboundDelivery.objects.filter(pk=delivery_id, status=InboundDelivery.Status.RECEIVED).update(
        attempts=F("attempts") + 1
    )
    troubled: list[int] = []
    with transaction.atomic():
        waiting = InboundDelivery.objects.filter(status=InboundDelivery.Status.RECEIVED)
        lock = waiting.select_for_update(skip_locked=True, of=("self",)).select_related("push_key__account")
        claimed = list(lock.filter(pk=delivery_id))
        # and the oldest others no worker holds (SKIP LOCKED applies before the LIMIT)
        claimed += list(lock.exclude(pk=delivery_id).order_by("pk")[: delivery_batch() - 1])
        claimed.sort(key=lambda delivery: delivery.pk)
        if not claimed:
            return "not waiting (done, or another worker has it)"
        accounts: dict = {}
        readable, pairs, failed = [], [], []
        for delivery in claimed:
            try:
                found = _messages(delivery, accounts)
            except (PushRefused, ValueError) as exc:  # a body that can never be read: keep it, stop trying
                delivery.status, delivery.error = InboundDelivery.Status.FAILED, str(exc)[:500]
                failed.append(delivery)
                continue
            readable.append((delivery, found))
            pairs.extend(found)
        done = []
        try:
            with transaction.atomic():
                _ingest(pairs)
            done = readable
        except Exception:  # one delivery's data broke the batch: find it, keep the rest
            logger.exception("inbox delivery batch failed; processing its deliveries one by one")
            for delivery, found in readable:
                try:
                    with transaction.atomic():
                        _ingest(found)
                    done.append((delivery, found))
                except Exception:
                    logger.exception("inbox delivery %s failed", delivery.pk)
                    troubled.append(delivery.pk)
        now = timezone.now()
        for delivery, found in done:
            delivery.status, delivery.processed_at, delivery.items = (
                InboundDelivery.Status.PROCESSED,
                now,
                len(found),
            )
        finished = [delivery for delivery, _found in done] + failed
        if finished:
            InboundDelivery.objects.bulk_update(finished, ["status", "processed_at", "items", "error"])
    if troubled:  # counted towards giving up (the sweep), outside the transaction that rolled them back
        InboundDelivery.objects.filter(pk__in=troubled).exclude(pk=delivery_id).update(
            attempts=F("attempts") + 1
        )
    items = sum(delivery.items for delivery, _found in done)
    summary = f"processed: {items} from {len(done)} deliveries"
    if failed:
        summary += f"; failed: {len(failed)} ({failed[0].error})"
    return summary


def inbound_deliveries_sweep(*, older_than: float = 60.0) -> list[int]:
    """Queue again every delivery still waiting after `older_than` seconds (its task died or was lost);
    one that failed MAX_ATTEMPTS times is marked failed for a person to look at."""
    cutoff = timezone.now() - timedelta(seconds=older_than)
    waiting = InboundDelivery.objects.filter(status=InboundDelivery.Status.RECEIVED, received_at__lt=cutoff)
    waiting.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=InboundDelivery.Status.FAILED, error="gave up after repeated failures"
    )
    ids = list(waiting.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)[:1000])
    for delivery_id in ids:
        _enqueue(delivery_id)
    return ids
