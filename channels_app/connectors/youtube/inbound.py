"""YouTube comments for the inbox: `commentThreads.list` with `allThreadsRelatedToChannelId`, newest
first, `maxResults=100`, following `nextPageToken` up to MAX_PAGES pages (1 quota unit each). The recent
threads are read again each time (the API has no "since"), so an edited comment comes back with its new
text; when the listing ends before the page cap, it is complete, and a comment of a listed video that is
missing was deleted (`complete_threads`). Replies inside threads (`part=replies`) are not read yet.
Our answers: `comments.insert` with `snippet.parentId` (50 quota units)."""

from __future__ import annotations

from datetime import UTC, datetime

from ..base import Credentials
from ..errors import Rejected
from ..inbound import InboundAuthor, InboundMessage, InboundPage, ReplyResult, ReplyTarget

PAGE_SIZE = 100
MAX_PAGES = 5


def _parse(value) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)


class YouTubeInbound:
    """Mixed into YouTubeConnector (channels_app.connectors.youtube.connector)."""

    def fetch_inbound(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        channel_id = credentials.extra.get("channel_id") or self.fetch_profile(credentials).external_id
        params = {
            "part": "snippet",
            "allThreadsRelatedToChannelId": channel_id,
            "maxResults": PAGE_SIZE,
            "order": "time",
        }
        threads: list[dict] = []
        complete = False
        for _page in range(MAX_PAGES):
            body = self._send(
                "GET",
                "/youtube/v3/commentThreads",
                operation="inbound",
                token=credentials.access_token,
                params=params,
            ).json()
            threads.extend(body.get("items") or [])
            if not body.get("nextPageToken"):
                complete = True
                break
            params["pageToken"] = body["nextPageToken"]
        messages = []
        for thread in threads:
            snippet = (thread.get("snippet") or {}).get("topLevelComment", {}).get("snippet", {})
            comment_id = str(
                (thread.get("snippet") or {}).get("topLevelComment", {}).get("id") or thread.get("id")
            )
            published, updated = snippet.get("publishedAt"), snippet.get("updatedAt")
            video = str(snippet.get("videoId") or (thread.get("snippet") or {}).get("videoId") or "")
            messages.append(
                InboundMessage(
                    kind="comment",
                    external_id=comment_id,
                    author=InboundAuthor(
                        external_id=str((snippet.get("authorChannelId") or {}).get("value", "")),
                        display_name=snippet.get("authorDisplayName", ""),
                        avatar_url=snippet.get("authorProfileImageUrl", ""),
                    ),
                    text=snippet.get("textOriginal") or snippet.get("textDisplay", ""),
                    sent_at=_parse(published),
                    thread_id=video,
                    url=f"https://www.youtube.com/watch?v={video}&lc={comment_id}",
                    edited_at=_parse(updated) if updated and updated != published else None,
                    raw={"source": "youtube"},
                )
            )
        videos = tuple(sorted({m.thread_id for m in messages})) if complete else ()
        return InboundPage(messages, cursor="", complete_threads=videos)

    def reply(
        self, credentials: Credentials, *, to: ReplyTarget, text: str, idempotency_key: str = ""
    ) -> ReplyResult:
        """A reply in the fan's comment thread: `comments.insert` with `snippet.parentId` = their comment.
        The API takes no idempotency key: sent unsafe (a timeout after sending is unknown)."""
        body = self._send(
            "POST",
            "/youtube/v3/comments",
            operation="reply",
            token=credentials.access_token,
            unsafe=True,
            params={"part": "snippet"},
            json={"snippet": {"parentId": to.external_id, "textOriginal": text}},
        ).json()
        return ReplyResult(
            external_id=str(body["id"]), sent_at=_parse((body.get("snippet") or {}).get("publishedAt"))
        )

    def item_action(self, credentials: Credentials, *, target: ReplyTarget, action: str) -> None:
        """comments.setModerationStatus on a fan's comment on our channel: hide = heldForReview (out of
        public view, can be published again), unhide = published, delete = rejected (comments.delete only
        deletes a channel's own comments). Setting a status twice is idempotent."""
        status = {"hide": "heldForReview", "unhide": "published", "delete": "rejected"}.get(action)
        if status is None:
            raise Rejected(f"youtube: {action} is not offered")
        self._send(
            "POST",
            "/youtube/v3/comments/setModerationStatus",
            operation="moderate",
            token=credentials.access_token,
            params={"id": target.external_id, "moderationStatus": status},
        )
