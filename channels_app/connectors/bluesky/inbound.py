"""Bluesky mentions and replies for the inbox: `app.bsky.notification.listNotifications` through the
AppView (the PDS proxies it with `atproto-proxy`), newest first, paged with `cursor` until a page reaches
what the last poll saw (the cursor kept here is the newest notification's indexedAt). Reasons "mention"
and "reply" are kept (likes, reposts and follows are not fan messages); a reply is a comment in the
thread of its root post. A lone PDS has no AppView and refuses the call: reading its event stream
(com.atproto.sync.subscribeRepos) instead is not done yet."""

from __future__ import annotations

from datetime import UTC, datetime

from ..base import Credentials
from ..http import need
from ..inbound import InboundAuthor, InboundMessage, InboundPage

PAGE_SIZE = 50
MAX_PAGES = 5


def _parse(value) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)


class BlueskyInbound:
    """Mixed into BlueskyConnector (channels_app.connectors.bluesky.connector)."""

    def fetch_inbound(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        seen_until = cursor
        params: dict = {"limit": PAGE_SIZE}
        notifications: list[dict] = []
        for _page in range(MAX_PAGES):
            body = self._appview(
                "app.bsky.notification.listNotifications",
                operation="inbound",
                credentials=credentials,
                params=params,
            )
            page = need(body, "notifications")
            # ">=": one indexed in the same millisecond as the last seen is read again; ingest dedupes it.
            fresh = [n for n in page if not seen_until or n.get("indexedAt", "") >= seen_until]
            notifications.extend(fresh)
            if len(fresh) < len(page) or not body.get("cursor"):
                break
            params["cursor"] = body["cursor"]
        messages = []
        for note in notifications:
            if note.get("reason") not in ("mention", "reply"):
                continue
            record = note.get("record") or {}
            author = note.get("author") or {}
            root = ((record.get("reply") or {}).get("root") or {}).get("uri", "")
            parent = ((record.get("reply") or {}).get("parent") or {}).get("uri", "")
            uri = note.get("uri", "")
            messages.append(
                InboundMessage(
                    kind="comment" if note.get("reason") == "reply" else "mention",
                    external_id=uri,
                    author=InboundAuthor(
                        external_id=author.get("did", ""),
                        handle=author.get("handle", ""),
                        display_name=author.get("displayName", "") or "",
                        avatar_url=author.get("avatar", "") or "",
                    ),
                    text=record.get("text", ""),
                    sent_at=_parse(record.get("createdAt") or note.get("indexedAt")),
                    thread_id=root or uri,
                    parent_id=parent if parent != root else "",
                    url=f"https://bsky.app/profile/{author.get('handle', '')}/post/{uri.rsplit('/', 1)[-1]}",
                    raw={"source": "bluesky"},
                )
            )
        newest = max([n.get("indexedAt", "") for n in notifications] + [cursor])
        return InboundPage(messages, cursor=newest)
