"""Pushed deliveries: the WeChat message server (plain and safe mode, encrypted here by wechatpy, an
independent implementation) and Meta webhooks. Each rejection has its test; the body is stored before
processing and a crash part-way is recovered by the sweeper."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import xml.etree.ElementTree as ET
from unittest import mock

import pytest
from django.test import Client
from wechatpy.crypto import WeChatCrypto

from accounts.tests.factories import UserFactory
from channels_app.connectors.base import Credentials
from channels_app.tests.factories import SocialAccountFactory
from inbox.models import InboundDelivery, InboxItem
from inbox.push.wechat import signature
from inbox.services import deliveries

pytestmark = pytest.mark.django_db
APPID = "wx5f0a1b2c3d4e5f60"


@pytest.fixture
def wechat(workspace):
    account = SocialAccountFactory(
        workspace=workspace,
        platform="wechat_oa",
        external_id="gh_0123456789ab",
        credentials=Credentials(access_token="t", extra={"appid": APPID}),
    )
    key, aes_key = deliveries.inbox_push_key_create(workspace=workspace, actor=UserFactory(), account=account)
    return account, key, aes_key


def _text_xml(content="你好，我的订单还没到", msg_id="6912345678901234567", openid="oFan123"):
    return (
        f"<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
        f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def _signed_query(token, *, timestamp=None, nonce=None):
    timestamp = str(timestamp or int(time.time()))
    nonce = nonce or secrets.token_hex(6)
    return {"timestamp": timestamp, "nonce": nonce, "signature": signature(token, timestamp, nonce)}


_committed = {}


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    """Run what the views queue on commit (the processing task, eager in tests) as a real commit would."""
    _committed["capture"] = django_capture_on_commit_callbacks


def _post(url, query, body, **extra):
    from urllib.parse import urlencode

    with _committed["capture"](execute=True):
        return Client().post(f"{url}?{urlencode(query)}", data=body, content_type="text/xml", **extra)


def _url(key):
    return f"/hooks/inbox/wechat/{key.url_key}/"


# --- WeChat ---


def test_wechat_url_check_answers_echostr_only_with_a_good_signature(wechat):
    _account, key, _aes = wechat
    good = Client().get(_url(key), {**_signed_query(key.token), "echostr": "e123"})
    bad = Client().get(_url(key), {**_signed_query(key.token), "signature": "0" * 40, "echostr": "e123"})
    assert good.status_code == 200 and good.content == b"e123"
    assert bad.status_code == 403


def test_a_plain_wechat_message_is_stored_then_becomes_a_dm_item(wechat):
    account, key, _aes = wechat
    body = _text_xml()
    # when
    response = _post(_url(key), _signed_query(key.token), body)
    # then
    assert response.status_code == 200 and response.content == b"success"
    delivery = InboundDelivery.objects.get()
    assert bytes(delivery.body) == body.encode() and delivery.status == "processed"
    item = InboxItem.objects.get(account=account)
    assert item.kind == "direct_message" and item.text == "你好，我的订单还没到"
    assert item.conversation.external_id == "dm:oFan123"


def test_a_safe_mode_message_encrypted_by_wechatpy_is_decrypted(wechat):
    account, key, aes_key = wechat
    crypto = WeChatCrypto(key.token, aes_key, APPID)
    nonce, timestamp = secrets.token_hex(6), str(int(time.time()))
    envelope = crypto.encrypt_message(_text_xml("加密消息"), nonce, timestamp)
    fields = {child.tag: child.text for child in ET.fromstring(envelope)}  # noqa: S314 - our own XML
    query = {
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": fields["MsgSignature"],
    }
    body = (
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>"
        f"<Encrypt><![CDATA[{fields['Encrypt']}]]></Encrypt></xml>"
    )
    # when
    good = _post(_url(key), query, body)
    forged = _post(_url(key), {**query, "nonce": "n2", "msg_signature": "0" * 40}, body)
    # then
    assert good.status_code == 200 and forged.status_code == 403
    assert InboxItem.objects.get(account=account).text == "加密消息"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"signature": "0" * 40}, 403),  # bad signature
        ({"timestamp": str(int(time.time()) - 3600)}, 403),  # an hour old (re-signed: only freshness fails)
        ({"timestamp": "soon"}, 400),
    ],
)
def test_wechat_refuses_bad_signatures_and_stale_timestamps_and_stores_nothing(wechat, change, status):
    _account, key, _aes = wechat
    query = _signed_query(key.token)
    if "timestamp" in change and change["timestamp"].isdigit():
        query = _signed_query(key.token, timestamp=change["timestamp"])
    else:
        query.update(change)
    assert _post(_url(key), query, _text_xml()).status_code == status
    assert not InboundDelivery.objects.exists() and not InboxItem.objects.exists()


def test_wechat_refuses_a_replayed_nonce(wechat):
    _account, key, _aes = wechat
    query = _signed_query(key.token)
    first = _post(_url(key), query, _text_xml())
    replay = _post(_url(key), query, _text_xml())
    assert first.status_code == 200 and replay.status_code == 403
    assert InboundDelivery.objects.count() == 1 and InboxItem.objects.count() == 1


def test_wechat_refuses_an_oversized_body_before_storing_it(wechat, settings):
    _account, key, _aes = wechat
    settings.KAWO_INBOX_PUSH_MAX_BYTES = 1024
    response = _post(_url(key), _signed_query(key.token), _text_xml("长" * 2000))
    assert response.status_code == 413 and not InboundDelivery.objects.exists()


def test_an_unknown_push_url_is_a_404(wechat):
    _account, key, _aes = wechat
    assert Client().get("/hooks/inbox/wechat/nope/", _signed_query(key.token)).status_code == 404


def test_a_crash_mid_processing_is_recovered_by_the_sweeper_and_stores_each_message_once(wechat):
    account, key, _aes = wechat
    real = deliveries.inbox_batch_ingest
    calls = {"n": 0}

    def crash_once(pairs):
        calls["n"] += 1
        if calls["n"] == 1:
            real(pairs)  # written, then the worker dies before the delivery is marked done
            raise SystemExit("worker lost")  # not an error the batch could catch: the process is gone
        return real(pairs)

    # when: the task crashes part-way
    with mock.patch.object(deliveries, "inbox_batch_ingest", side_effect=crash_once):
        with pytest.raises(SystemExit):
            _post(_url(key), _signed_query(key.token), _text_xml())
        delivery = InboundDelivery.objects.get()
        assert delivery.status == "received" and not InboxItem.objects.exists()  # rolled back, body kept
        # and the sweeper queues it again
        with _committed["capture"](execute=True):
            assert deliveries.inbound_deliveries_sweep(older_than=0) == [delivery.pk]
    # then
    delivery.refresh_from_db()
    assert delivery.status == "processed" and delivery.attempts == 2
    assert InboxItem.objects.filter(account=account).count() == 1


# --- Meta ---


def _meta_body(page_id, mid="m_1", text="Is this in stock?"):
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": page_id,
                    "time": int(time.time() * 1000),
                    "messaging": [
                        {
                            "sender": {"id": "psid-1"},
                            "recipient": {"id": page_id},
                            "timestamp": int(time.time() * 1000),
                            "message": {"mid": mid, "text": text},
                        }
                    ],
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "item": "comment",
                                "verb": "add",
                                "comment_id": f"{page_id}_c1",
                                "post_id": f"{page_id}_p1",
                                "message": "Love the new colour",
                                "from": {"id": "u-9", "name": "Ann"},
                                "created_time": int(time.time()),
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def _meta_post(body, secret):
    signed = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    with _committed["capture"](execute=True):
        return Client().post(
            "/hooks/inbox/meta/", data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signed
        )


def test_meta_subscription_check(settings):
    settings.KAWO_META_VERIFY_TOKEN = "vt"
    good = Client().get(
        "/hooks/inbox/meta/", {"hub.mode": "subscribe", "hub.verify_token": "vt", "hub.challenge": "42"}
    )
    bad = Client().get(
        "/hooks/inbox/meta/", {"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"}
    )
    assert good.content == b"42" and bad.status_code == 403


def test_meta_delivery_with_a_good_signature_is_stored_and_processed_once(workspace, settings):
    page = SocialAccountFactory(workspace=workspace, platform="facebook", external_id="1040")
    secret = settings.PLATFORMS["facebook"]["client_secret"]
    body = _meta_body("1040")
    # when: delivered, then delivered again (Meta retries)
    first = _meta_post(body, secret)
    again = _meta_post(body, secret)
    # then
    assert first.status_code == 200 and again.status_code == 200
    assert InboundDelivery.objects.count() == 1
    kinds = sorted(InboxItem.objects.filter(account=page).values_list("kind", flat=True))
    assert kinds == ["comment", "direct_message"]


def test_meta_refuses_a_bad_signature_and_an_oversized_body(workspace, settings):
    SocialAccountFactory(workspace=workspace, platform="facebook", external_id="1040")
    body = _meta_body("1040")
    forged = _meta_post(body, "not-the-secret")
    unsigned = Client().post("/hooks/inbox/meta/", data=body, content_type="application/json")
    settings.KAWO_INBOX_PUSH_MAX_BYTES = 100
    big = _meta_post(body, settings.PLATFORMS["facebook"]["client_secret"])
    assert (forged.status_code, unsigned.status_code, big.status_code) == (403, 403, 413)
    assert not InboundDelivery.objects.exists()
