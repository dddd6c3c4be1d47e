"""Meta webhooks (developers.facebook.com/docs/graph-api/webhooks): Facebook Pages and Instagram.

- Verification: GET with `hub.mode=subscribe`, `hub.verify_token` (ours, from settings) and
  `hub.challenge`: answer the challenge.
- Every POST carries `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app secret>`.
- Messenger / Instagram Messaging: `entry[].messaging[]` with sender.id, recipient.id (our page or IG
  account), timestamp (ms) and message {mid, text} (or `is_echo` for our own sends).
- Page feed: `entry[].changes[]` with field "feed" and value {item: "comment", verb: add | edited | remove,
  comment_id, post_id, parent_id, message, from {id, name}, created_time}. Instagram: field "comments",
  value {id, text, from {id, username}, media {id}, parent_id}.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from channels_app.connectors.inbound import InboundAuthor, InboundMessage

from .wechat import PushRefused


def check_signature(header: str, body: bytes, app_secret: str) -> None:
    if not app_secret:
        raise PushRefused("no app secret configured", 503)
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    if not header or not hmac.compare_digest(header, expected):
        raise PushRefused("bad X-Hub-Signature-256")


def _when(value) -> datetime:
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("+0000", "+00:00"))
    except ValueError:
        return datetime.now(UTC)


def messages_of(payload: dict) -> list[tuple[str, str, InboundMessage]]:
    """(platform, our account's id on it, message) for everything in a delivery that the inbox keeps."""
    platform = "instagram" if payload.get("object") == "instagram" else "facebook"
    found: list[tuple[str, str, InboundMessage]] = []
    for entry in payload.get("entry") or []:
        ours = str(entry.get("id", ""))
        for event in entry.get("messaging") or []:
            message = event.get("message") or {}
            sender = str((event.get("sender") or {}).get("id", ""))
            if not message.get("mid") or not sender:
                continue
            fan = str((event.get("recipient") or {}).get("id", "")) if message.get("is_echo") else sender
            found.append(
                (
                    platform,
                    ours,
                    InboundMessage(
                        kind="direct_message",
                        external_id=str(message["mid"]),
                        author=InboundAuthor(external_id=sender),
                        text=message.get("text", "") or "[attachment]",
                        sent_at=_when(event.get("timestamp")),
                        thread_id=f"dm:{fan}",
                        raw={"source": platform, "webhook": "messaging"},
                    ),
                )
            )
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            field = change.get("field")
            if field == "feed" and value.get("item") == "comment":
                author = value.get("from") or {}
                parent = str(value.get("parent_id") or "")
                post = str(value.get("post_id") or "")
                found.append(
                    (
                        platform,
                        ours,
                        InboundMessage(
                            kind="reply" if parent and parent != post else "comment",
                            external_id=str(value.get("comment_id", "")),
                            author=InboundAuthor(
                                external_id=str(author.get("id", "")), display_name=author.get("name", "")
                            ),
                            text=value.get("message", ""),
                            sent_at=_when(value.get("created_time")),
                            thread_id=post,
                            parent_id=parent if parent != post else "",
                            removed=value.get("verb") == "remove",
                            edited_at=_when(value.get("created_time"))
                            if value.get("verb") == "edited"
                            else None,
                            raw={"source": platform, "webhook": "feed"},
                        ),
                    )
                )
            elif field == "comments":
                author = value.get("from") or {}
                found.append(
                    (
                        platform,
                        ours,
                        InboundMessage(
                            kind="reply" if value.get("parent_id") else "comment",
                            external_id=str(value.get("id", "")),
                            author=InboundAuthor(
                                external_id=str(author.get("id", "")), handle=author.get("username", "")
                            ),
                            text=value.get("text", ""),
                            sent_at=_when(entry.get("time", 0)),
                            thread_id=str((value.get("media") or {}).get("id", "")),
                            parent_id=str(value.get("parent_id") or ""),
                            raw={"source": platform, "webhook": "comments"},
                        ),
                    )
                )
    return [row for row in found if row[2].external_id]
