"""Douyin open platform webhooks (developer.open-douyin.com/docs/resource/zh-CN/dop/develop/webhooks/summarize
and .../webhooks/event-list): one URL per app, events for every account that authorised it.

- Every POST carries `X-Douyin-Signature`: the hex SHA-1 of the app's client_secret followed by the raw
  body. The URL check is a signed POST `{"event": "verify_webhook", "content": {"challenge": N}}` answered
  with the JSON `{"challenge": N}`.
- Douyin gives up after 5 s and retries 3 times; a retry carries the same `Msg-Id` header, so a delivery
  is stored once per Msg-Id (and per body) and a retry is acknowledged without processing it again.
- Envelope: {event, client_key, from_user_id, to_user_id, content, log_id}; `content` is an object or a
  JSON string. The user ids are open_ids (our account's external_id).
- Direct messages (scope im.direct_message, enterprise accounts): `im_receive_msg` (a fan wrote to us:
  from = fan, to = us) and `im_send_msg` (we wrote: from = us, to = fan, from_us in the inbox). content:
  conversation_short_id, server_message_id (the message's id), conversation_type, message_type (text,
  image, emoji, video, other), text (text messages), create_time (ms), user_infos [{open_id, nick_name,
  avatar}].
The documented event list has no comment event, so Douyin video comments are not pushed here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from channels_app.connectors.inbound import InboundAuthor, InboundMessage

from .wechat import PushRefused

DM_EVENTS = ("im_receive_msg", "im_send_msg")


def signature(client_secret: str, body: bytes) -> str:
    return hashlib.sha1(client_secret.encode() + body).hexdigest()  # noqa: S324 - Douyin's scheme


def check_signature(header: str, body: bytes, client_secret: str) -> None:
    if not client_secret:
        raise PushRefused("no client secret configured", 503)
    if not header or not hmac.compare_digest(header.lower(), signature(client_secret, body)):
        raise PushRefused("bad X-Douyin-Signature")


def envelope(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except ValueError:
        raise PushRefused("not JSON", 400) from None
    if not isinstance(payload, dict):
        raise PushRefused("not a JSON object", 400)
    return payload


def _content(payload: dict) -> dict:
    content = payload.get("content")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            return {}
    return content if isinstance(content, dict) else {}


def _when(ms) -> datetime:
    try:
        value = int(ms)
    except (TypeError, ValueError):
        return datetime.now(UTC)
    return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC)


def messages_of(payload: dict) -> list[tuple[str, str, InboundMessage]]:
    """("douyin", our account's open_id, message) for each direct message in a delivery."""
    event = payload.get("event")
    if event not in DM_EVENTS:
        return []
    content = _content(payload)
    sender, recipient = str(payload.get("from_user_id") or ""), str(payload.get("to_user_id") or "")
    ours, fan = (recipient, sender) if event == "im_receive_msg" else (sender, recipient)
    message_id = str(content.get("server_message_id") or "")
    if not (ours and fan and message_id):
        return []
    profile = next(
        (u for u in content.get("user_infos") or [] if isinstance(u, dict) and u.get("open_id") == sender), {}
    )
    kind = str(content.get("message_type") or "text")
    text = str(content.get("text") or "") if kind == "text" else f"[{kind}]"
    message = InboundMessage(
        kind="direct_message",
        external_id=message_id,
        author=InboundAuthor(
            external_id=sender,
            display_name=str(profile.get("nick_name") or ""),
            avatar_url=str(profile.get("avatar") or ""),
        ),
        text=text,
        sent_at=_when(content.get("create_time")),
        thread_id=f"dm:{fan}",
        raw={
            "source": "douyin",
            "webhook": event,
            "conversation_short_id": str(content.get("conversation_short_id") or ""),
        },
    )
    return [("douyin", ours, message)]
