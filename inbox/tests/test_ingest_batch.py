"""Batched ingest (inbox.services.ingest_batch) and batched delivery processing: the same rows as one by
one, a number of queries that does not grow with the batch, and one bad delivery never holding up the
others."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_app.tests.factories import SocialAccountFactory
from inbox.models import Conversation, Fan, InboundDelivery, InboxItem, ItemStatus
from inbox.services import deliveries
from inbox.services.ingest import CREATED, DUPLICATE, EDITED, REMOVED
from inbox.services.ingest_batch import inbox_messages_ingest

from .factories import message

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def account():
    return SocialAccountFactory(platform="weibo", external_id="brand-1")


def _rows(account):
    items = InboxItem.objects.filter(account=account).select_related("fan", "conversation")
    return sorted(
        (
            i.external_id,
            i.kind,
            i.text,
            i.status,
            i.from_us,
            i.fan.external_id if i.fan else "",
            i.conversation.kind,
            i.conversation.external_id,
            i.sentiment,
            i.removed_at is None,
            i.answered_at,
        )
        for i in items
    )


def _mixed_batch():
    return [
        message("c1", author="fan-1", at=T0),
        message(
            "c2", author="fan-2", thread="post-2", text="太失望了，质量很差", at=T0 + timedelta(minutes=1)
        ),
        message("c1", author="fan-1", at=T0),  # a repeat within the batch
        message("c3", author="fan-1", at=T0 + timedelta(minutes=2), followers=150),
        message("c2", author="fan-2", thread="post-2", text="改了：还行吧", at=T0 + timedelta(minutes=1)),
        message("r1", author="brand-1", parent="c3", at=T0 + timedelta(minutes=3)),  # our own reply
        message("c4", author="fan-3", removed=True, at=T0 + timedelta(minutes=4)),
        message("d1", author="fan-3", kind="direct_message", thread="dm:fan-3", at=T0 + timedelta(minutes=5)),
    ]


def test_a_batch_stores_the_same_rows_as_one_by_one(account):
    other = SocialAccountFactory(platform="weibo", external_id="brand-1")  # another workspace: its own fans
    from inbox.services import inbox_message_ingest

    # when: the same messages, one by one for one account and as a batch for the other
    single = [inbox_message_ingest(account=other, message=m).outcome for m in _mixed_batch()]
    batched = [r.outcome for r in inbox_messages_ingest(account=account, messages=_mixed_batch())]
    # then
    assert batched == single == [CREATED, CREATED, DUPLICATE, CREATED, EDITED, CREATED, REMOVED, CREATED]
    assert _rows(account) == _rows(other)
    assert InboxItem.objects.get(account=account, external_id="c3").answered_at == T0 + timedelta(minutes=3)
    fan = Fan.objects.get(workspace_id=account.workspace_id, external_id="fan-1")
    assert fan.followers == 150 and fan.last_seen_at == T0 + timedelta(minutes=2)
    direct = Conversation.objects.get(account=account, kind=Conversation.Kind.DIRECT)
    assert direct.fan.external_id == "fan-3"


def test_a_second_batch_updates_fans_and_threads_and_keeps_items(account):
    inbox_messages_ingest(account=account, messages=[message("c1", at=T0)])
    # when
    results = inbox_messages_ingest(
        account=account,
        messages=[message("c1", at=T0), message("c2", at=T0 + timedelta(hours=1), followers=999)],
    )
    # then
    assert [r.outcome for r in results] == [DUPLICATE, CREATED]
    assert Fan.objects.get(external_id="fan-1").followers == 999
    assert Conversation.objects.get(account=account).last_item_at == T0 + timedelta(hours=1)
    assert InboxItem.objects.filter(account=account, status=ItemStatus.OPEN).count() == 2


def test_the_queries_of_a_batch_do_not_grow_with_its_size(account):
    def count(size: int, offset: int) -> int:
        batch = [
            message(f"q{offset + n}", author=f"fan-{offset + n}", thread=f"post-{(offset + n) % 7}")
            for n in range(size)
        ]
        with CaptureQueriesContext(connection) as queries:
            inbox_messages_ingest(account=account, messages=batch)
        return len(queries.captured_queries)

    small, large = count(5, 0), count(200, 1000)
    assert large == small and large <= 12, (small, large)


def _meta_body(page, comments):
    changes = [
        {
            "field": "feed",
            "value": {
                "item": "comment",
                "verb": "add",
                "comment_id": cid,
                "post_id": f"{page}_1",
                "parent_id": f"{page}_1",
                "message": "Is this in stock?",
                "from": {"id": f"u-{cid}", "name": "Fan"},
                "created_time": 1764576000,
            },
        }
        for cid in comments
    ]
    return json.dumps(
        {"object": "page", "entry": [{"id": page, "time": 1764576000000, "changes": changes}]}
    ).encode()


def _store(body):
    with mock.patch.object(deliveries, "_enqueue"):
        return deliveries.inbound_delivery_store(source=InboundDelivery.Source.META, body=body)


def test_one_task_processes_the_waiting_deliveries_in_one_batch(workspace):
    page = SocialAccountFactory(workspace=workspace, platform="facebook", external_id="1040")
    stored = [_store(_meta_body("1040", [f"c{n}a", f"c{n}b"])) for n in range(6)]
    # when: the task of the fourth runs first
    summary = deliveries.inbound_delivery_process(stored[3].pk)
    # then: all six at once, and the others' own tasks find nothing left
    assert summary == "processed: 12 from 6 deliveries"
    assert InboxItem.objects.filter(account=page).count() == 12
    assert set(InboundDelivery.objects.values_list("status", "items")) == {("processed", 2)}
    assert deliveries.inbound_delivery_process(stored[0].pk).startswith("not waiting")


def test_a_batch_is_at_most_the_configured_size(workspace, settings):
    settings.KAWO_INBOX_DELIVERY_BATCH = 2
    SocialAccountFactory(workspace=workspace, platform="facebook", external_id="1040")
    stored = [_store(_meta_body("1040", [f"c{n}"])) for n in range(5)]
    assert deliveries.inbound_delivery_process(stored[4].pk) == "processed: 2 from 2 deliveries"
    # its own and the oldest other
    assert set(InboundDelivery.objects.filter(status="processed").values_list("pk", flat=True)) == {
        stored[0].pk,
        stored[4].pk,
    }


def test_an_unreadable_or_failing_delivery_does_not_hold_up_its_batch(workspace):
    page = SocialAccountFactory(workspace=workspace, platform="facebook", external_id="1040")
    good = _store(_meta_body("1040", ["g1"]))
    unreadable = _store(b"{not json")
    poison = _store(_meta_body("1040", ["boom"]))
    later = _store(_meta_body("1040", ["g2"]))
    real = deliveries.inbox_batch_ingest

    def fail_on_boom(pairs):
        if any(m.external_id == "boom" for _account, m in pairs):
            raise RuntimeError("bad data")
        return real(pairs)

    # when
    with mock.patch.object(deliveries, "inbox_batch_ingest", side_effect=fail_on_boom):
        summary = deliveries.inbound_delivery_process(good.pk)
    # then: the good ones are stored, the unreadable one failed for good, the poison one waits for a retry
    assert sorted(InboxItem.objects.filter(account=page).values_list("external_id", flat=True)) == [
        "g1",
        "g2",
    ]
    statuses = dict(InboundDelivery.objects.values_list("pk", "status"))
    assert statuses == {
        good.pk: "processed",
        unreadable.pk: "failed",
        poison.pk: "received",
        later.pk: "processed",
    }
    assert InboundDelivery.objects.get(pk=poison.pk).attempts == 1
    assert summary.startswith("processed: 2 from 2 deliveries; failed: 1")


def test_signed_meta_batches_over_http_are_stored_once(
    workspace, settings, client, django_capture_on_commit_callbacks
):
    page = SocialAccountFactory(workspace=workspace, platform="facebook", external_id="1040")
    body = _meta_body("1040", [f"h{n}" for n in range(30)])
    signature = (
        "sha256="
        + hmac.new(settings.PLATFORMS["facebook"]["client_secret"].encode(), body, hashlib.sha256).hexdigest()
    )
    for _ in range(2):  # Meta retries
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                "/hooks/inbox/meta/",
                data=body,
                content_type="application/json",
                HTTP_X_HUB_SIGNATURE_256=signature,
            )
        assert answer.status_code == 200
    assert InboxItem.objects.filter(account=page).count() == 30
    assert InboundDelivery.objects.get().items == 30


def test_the_workspace_rules_act_on_messages_stored_in_a_batch(account):
    from accounts.roles import Role
    from accounts.tests.factories import WorkspaceMemberFactory
    from inbox import services

    manager = WorkspaceMemberFactory(workspace=account.workspace, role=Role.MANAGER).user
    services.inbox_rule_create(
        workspace=account.workspace, actor=manager, name="shipping", keywords=["发货"], add_tags=["shipping"]
    )
    inbox_messages_ingest(
        account=account,
        messages=[
            message("r1", author="fan-1", text="什么时候发货？", at=T0),
            message("r2", author="fan-2", text="很喜欢", at=T0 + timedelta(minutes=1)),
        ],
    )
    tags = dict(InboxItem.objects.filter(account=account).values_list("external_id", "tags"))
    assert tags == {"r1": ["shipping"], "r2": []}
