"""Douyin webhooks (inbox.push.douyin): the URL check, a fan's direct message stored before processing and
processed once through the batched path, a retry (same Msg-Id) or replayed body acknowledged and not
processed again, our own sent message recognised, and the refusals (bad signature, oversized body)."""

from __future__ import annotations

import pytest
from django.test import Client

from channels_app.tests.factories import SocialAccountFactory
from inbox.models import InboundDelivery, InboxItem
from platform_sim.platforms import douyin_webhooks as hooks

pytestmark = pytest.mark.django_db
URL = "/hooks/inbox/douyin/"


@pytest.fixture
def post(settings, django_capture_on_commit_callbacks):
    def send(body: bytes, headers: dict[str, str]):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(URL, data=body, content_type="application/json", **extra)

    return send


@pytest.fixture
def secret(settings):
    return settings.PLATFORMS["douyin"]["client_secret"]


def _fan_dm(platform_sim, account, text, n=1):
    return platform_sim.fan_writes(
        "douyin",
        account.external_id,
        kind="direct_message",
        text=text,
        author_id=f"fan-open-id-{n}",
        author_name=f"小{n}",
        post_id=f"fan-open-id-{n}",
    )


def test_the_url_check_answers_the_challenge_only_when_signed(post, secret):
    body, headers = hooks.request(hooks.verify_webhook(12345), client_secret=secret, msg_id="")
    good = post(body, headers)
    forged = post(body, {**headers, "X-Douyin-Signature": hooks.sign("wrong", body)})
    assert good.status_code == 200 and good.json() == {"challenge": 12345}
    assert forged.status_code == 403 and not InboundDelivery.objects.exists()


def test_a_fans_message_is_stored_processed_once_and_a_retry_changes_nothing(
    platform_sim, workspace, post, secret
):
    sim = platform_sim.create_account("douyin")
    account = SocialAccountFactory(workspace=workspace, platform="douyin", external_id=sim.external_id)
    dm = _fan_dm(platform_sim, account, "你好，我的订单还没到，太慢了")
    [listed] = platform_sim.fan_messages("douyin", account.external_id)
    body, headers = hooks.fan_dm_request(listed, client_key="awsim", client_secret=secret)
    # when: delivered, retried with the same Msg-Id, and the same body replayed without it
    first = post(body, headers)
    retry = post(body, headers)
    replay = post(body, {k: v for k, v in headers.items() if k != "Msg-Id"})
    # then
    assert (first.status_code, retry.status_code, replay.status_code) == (200, 200, 200)
    delivery = InboundDelivery.objects.get()
    assert delivery.source == "douyin" and delivery.status == "processed" and delivery.nonce == dm["id"]
    item = InboxItem.objects.get(account=account)
    assert (item.kind, item.external_id, item.text) == ("direct_message", f"@msg{dm['id']}", dm["text"])
    assert item.conversation.external_id == "dm:fan-open-id-1" and item.fan.display_name == "小1"
    assert item.sentiment == "negative" and not item.from_us


def test_our_sent_message_is_ours_and_never_work_in_the_queue(platform_sim, workspace, post, secret):
    sim = platform_sim.create_account("douyin")
    account = SocialAccountFactory(workspace=workspace, platform="douyin", external_id=sim.external_id)
    _fan_dm(platform_sim, account, "有优惠吗？")
    platform_sim.fan_writes(
        "douyin",
        account.external_id,
        kind="direct_message",
        text="今天九折",
        author_id=account.external_id,
        post_id="fan-open-id-1",
    )
    # when: both events arrive, the fan's first
    for message in reversed(platform_sim.fan_messages("douyin", account.external_id)):
        body, headers = hooks.fan_dm_request(message, client_key="awsim", client_secret=secret)
        assert post(body, headers).status_code == 200
    # then
    fan_item = InboxItem.objects.get(account=account, from_us=False)
    ours = InboxItem.objects.get(account=account, from_us=True)
    assert ours.conversation_id == fan_item.conversation_id and ours.fan is None
    assert ours.status == "closed" and fan_item.status == "open"


def test_refuses_a_bad_signature_an_unsigned_body_and_an_oversized_one(
    platform_sim, workspace, post, secret, settings
):
    sim = platform_sim.create_account("douyin")
    account = SocialAccountFactory(workspace=workspace, platform="douyin", external_id=sim.external_id)
    _fan_dm(platform_sim, account, "hello")
    [listed] = platform_sim.fan_messages("douyin", account.external_id)
    body, headers = hooks.fan_dm_request(listed, client_key="awsim", client_secret=secret)
    forged = post(body, {**headers, "X-Douyin-Signature": hooks.sign("not-the-secret", body)})
    unsigned = post(body, {"Msg-Id": "1"})
    tampered = post(body.replace(b"hello", b"HELLO"), headers)
    settings.KAWO_INBOX_PUSH_MAX_BYTES = 100
    big = post(body, headers)
    assert [r.status_code for r in (forged, unsigned, tampered, big)] == [403, 403, 403, 413]
    assert not InboundDelivery.objects.exists() and not InboxItem.objects.exists()


def test_answering_a_douyin_message_is_refused_with_the_reason_before_any_call(
    platform_sim, workspace, post, secret
):
    from accounts.tests.factories import UserFactory
    from core.errors import ValidationFailed
    from inbox.models import InboxReply
    from inbox.services import inbox_reply_send

    sim = platform_sim.create_account("douyin")
    account = SocialAccountFactory(workspace=workspace, platform="douyin", external_id=sim.external_id)
    _fan_dm(platform_sim, account, "在吗")
    [listed] = platform_sim.fan_messages("douyin", account.external_id)
    post(*hooks.fan_dm_request(listed, client_key="awsim", client_secret=secret))
    item = InboxItem.objects.get(account=account)
    # when / then
    with pytest.raises(ValidationFailed) as error:
        inbox_reply_send(
            workspace=workspace, actor=UserFactory(), item=item, text="在的", version=item.version
        )
    assert error.value.code == "reply_not_supported" and "text" in error.value.fields
    assert not InboxReply.objects.exists()
    assert platform_sim.requests("douyin", "", account.external_id) == 0
