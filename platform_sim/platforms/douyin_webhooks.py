"""Douyin webhook events as the open platform sends them (developer.open-douyin.com/docs/resource/zh-CN/dop/
develop/webhooks/summarize; private messages: .../openapi/search-management/private-message/
private-msg-webhook), built from platform_sim.fans direct messages, for tests and the demo to POST to
our webhook URL (the simulator cannot reach a server under Django's test client, so it builds the
request and the caller sends it).

- The URL check: `{"event": "verify_webhook", "client_key": "", "content": {"challenge": N}}`.
- `im_receive_msg` (a fan wrote to the account: from = fan, to = account) and `im_send_msg` (the account
  wrote). `content` is an object with conversation_short_id, server_message_id, conversation_type (1),
  message_type, text, create_time (ms), user_infos [{open_id, nick_name, avatar}].
- Headers: `X-Douyin-Signature` = hex SHA-1 of client_secret + body, `Msg-Id` (the same on a retry),
  `Content-Type: application/json`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .. import fans


def sign(client_secret: str, body: bytes) -> str:
    return hashlib.sha1(client_secret.encode() + body).hexdigest()  # noqa: S324 - Douyin's scheme


def request(payload: dict[str, Any], *, client_secret: str, msg_id: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Douyin-Signature": sign(client_secret, body),
        "Msg-Id": msg_id,
    }
    return body, headers


def verify_webhook(challenge: int) -> dict[str, Any]:
    return {"event": "verify_webhook", "client_key": "", "content": {"challenge": challenge}}


def im_event(message: fans.FanMessage, *, client_key: str) -> dict[str, Any]:
    """The event for a direct message of platform_sim.fans (ours when its author is the account)."""
    ours = message.author_id == message.account_id
    fan = message.post_id or message.author_id  # a DM's post_id is the conversation: the fan's open_id
    sender, recipient = (message.account_id, fan) if ours else (message.author_id, message.account_id)
    return {
        "event": "im_send_msg" if ours else "im_receive_msg",
        "client_key": client_key,
        "from_user_id": sender,
        "to_user_id": recipient,
        "log_id": f"2026{message.seq:016d}",
        "content": {
            "conversation_short_id": f"@conv{fan}",
            "server_message_id": f"@msg{message.id}",
            "conversation_type": 1,
            "message_type": "text",
            "text": message.text,
            "source": client_key if ours else "",
            "create_time": int(message.created_at * 1000),
            "user_infos": [
                {"open_id": message.author_id, "nick_name": message.author_name, "avatar": ""},
            ],
        },
    }


def fan_dm_request(
    message: dict[str, Any], *, client_key: str, client_secret: str
) -> tuple[bytes, dict[str, str]]:
    """The delivery of a direct message as /_sim/fan-messages lists it (FanMessage.public())."""
    dm = fans.FanMessage(**message)
    if dm.platform != "douyin" or dm.kind != "direct_message":
        raise ValueError("not a Douyin direct message")
    return request(im_event(dm, client_key=client_key), client_secret=client_secret, msg_id=dm.id)
