"""Mastodon's fans for the inbox: `GET /api/v1/notifications` with `types[]=mention` and `types[]=update`.

A `mention` notification carries the fan's status: visibility "direct" is a direct message (one
conversation per fan), a status answering another (`in_reply_to_id`) is a comment in that thread, any
other a mention. An `update` notification (Mastodon 3.5+) carries the edited status under the same id:
the inbox stores it as an edit. New notifications are read newest first with `since_id` (the cursor) and,
while a page comes back full, `max_id` of its oldest, so a burst larger than one page is read whole.
A deleted status's notifications simply vanish from the list; polling cannot tell, so deletions of
Mastodon mentions are not seen here. Replying is posting a status with `in_reply_to_id`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..base import Credentials, MediaItem
from ..inbound import InboundAuthor, InboundMessage, InboundPage, ReplyResult, ReplyTarget

PAGE_SIZE = 40
MAX_PAGES = 10


class MastodonInbound:
    """Mixed into MastodonConnector (channels_app.connectors.mastodon.connector)."""

    def _message(self, notification: dict) -> InboundMessage:
        from .connector import _html_to_text, _parse_time

        status = notification.get("status") or {}
        account = status.get("account") or notification.get("account") or {}
        author = InboundAuthor(
            external_id=str(account.get("id", "")),
            handle=account.get("acct", "") or account.get("username", ""),
            display_name=account.get("display_name", ""),
            avatar_url=account.get("avatar", ""),
            followers=account.get("followers_count"),
        )
        status_id = str(status.get("id", ""))
        reply_to = str(status.get("in_reply_to_id") or "")
        if status.get("visibility") == "direct":
            kind, thread = "direct_message", f"dm:{author.external_id}"
        elif reply_to:
            kind, thread = "comment", reply_to
        else:
            kind, thread = "mention", status_id
        return InboundMessage(
            kind=kind,
            external_id=status_id,
            author=author,
            text=_html_to_text(status.get("content", "")),
            sent_at=_parse_time(status.get("created_at")) or datetime.now(UTC),
            thread_id=thread,
            parent_id=reply_to,
            url=status.get("url") or "",
            edited_at=_parse_time(status.get("edited_at")),
            raw={"source": "mastodon", "notification": str(notification.get("id", ""))},
        )

    def fetch_inbound(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        seen: list[dict] = []
        max_id = ""
        for _page in range(MAX_PAGES):
            params: list[tuple[str, str | int]] = [
                ("types[]", "mention"),
                ("types[]", "update"),
                ("limit", PAGE_SIZE),
            ]
            if cursor:
                params.append(("since_id", cursor))
            if max_id:
                params.append(("max_id", max_id))
            got = self._send(
                "GET",
                "/api/v1/notifications",
                operation="inbound",
                token=credentials.access_token,
                params=params,
            ).json()
            seen.extend(got)
            if len(got) < PAGE_SIZE:
                break
            max_id = str(got[-1]["id"])
        # Oldest first, so an edit lands after the mention it edits.
        seen.sort(key=lambda n: int(n["id"]))
        messages = [self._message(n) for n in seen if n.get("status")]
        newest = str(seen[-1]["id"]) if seen else cursor
        return InboundPage(messages, cursor=newest)

    def reply(
        self,
        credentials: Credentials,
        *,
        to: ReplyTarget,
        text: str,
        idempotency_key: str = "",
        media: MediaItem | None = None,
    ) -> ReplyResult:
        """A status answering the fan's (`in_reply_to_id`), addressed to them; a DM stays direct. The
        Idempotency-Key makes a resend within an hour return the first status. An image is uploaded
        first (`POST /api/v2/media`) and attached with `media_ids[]`."""
        from .connector import _parse_time

        handle = to.author_handle or to.author_id
        status = text if not handle or f"@{handle}" in text else f"@{handle} {text}"
        data = {
            "status": status,
            "in_reply_to_id": to.external_id,
            "visibility": "direct" if to.kind == "direct_message" else "public",
        }
        if media is not None:
            data["media_ids[]"] = [self._upload(credentials.access_token, media)]
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        body = self._send(
            "POST",
            "/api/v1/statuses",
            operation="reply",
            token=credentials.access_token,
            unsafe=True,
            data=data,
            headers=headers,
        ).json()
        return ReplyResult(external_id=str(body["id"]), sent_at=_parse_time(body.get("created_at")))
