"""LinkedIn comments for the inbox (Comments API, learn.microsoft.com/linkedin/marketing/
community-management/shares/comments-api).

Polling: our RECENT_POSTS latest posts (`/rest/posts?q=author`), each post's first-level comments
(`GET /rest/socialActions/{post urn}/comments`, offset paging with start/count up to MAX_PAGES pages), and
under each comment that has any (`commentsSummary.totalFirstLevelComments`) the nested ones
(`/rest/socialActions/{comment urn}/comments`). The API has no "since", so the recent posts are read again
each time: an edit comes back with a later `lastModified.time`; a post whose listings all ended before the
page cap is complete (`complete_threads`), so a comment of it that is missing was deleted.
Our own comments (actor = the organization we post as, or the member) are ours: their author id is the
account's own id, which is how the inbox recognises `from_us`.

Replies: `POST /rest/socialActions/{comment urn}/comments` with `parentComment`. LinkedIn threads are two
levels deep, so a reply to a nested comment goes into its first-level comment's thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from ..base import Credentials
from ..errors import Unknown
from ..http import UnreadableAnswer, need
from ..inbound import InboundAuthor, InboundMessage, InboundPage, ReplyResult, ReplyTarget

RECENT_POSTS = 20
PAGE_SIZE = 100
MAX_PAGES = 10  # per listing: 1,000 comments on one post, or under one comment


def _time(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (TypeError, ValueError):
        return None


class LinkedInInbound:
    """Mixed into LinkedInConnector (channels_app.connectors.linkedin.connector)."""

    def _comments(self, token: str, target: str) -> tuple[list[dict], bool]:
        """Every comment under `target` (a post or comment URN), and whether the listing was complete."""
        found: list[dict] = []
        for page in range(MAX_PAGES):
            body = self._send(
                "GET",
                f"/rest/socialActions/{quote(target, safe='')}/comments",
                operation="inbound",
                token=token,
                params={"start": page * PAGE_SIZE, "count": PAGE_SIZE},
            ).json()
            elements = need(body, "elements")
            found.extend(elements)
            total = (body.get("paging") or {}).get("total")
            if len(elements) < PAGE_SIZE or (total is not None and len(found) >= int(total)):
                return found, True
        return found, False

    def fetch_inbound(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        token = credentials.access_token
        author = self._author(credentials)
        ours = {author}
        our_id = author.removeprefix("urn:li:person:") if author.startswith("urn:li:person:") else ""
        posts = self._send(
            "GET",
            "/rest/posts",
            operation="inbound",
            token=token,
            params={"author": author, "q": "author", "count": RECENT_POSTS},
        ).json()
        messages: list[InboundMessage] = []
        complete: list[str] = []
        for post in need(posts, "elements")[:RECENT_POSTS]:
            urn = str(need(post, "id", kind=str))
            comments, whole = self._comments(token, urn)
            nested = []
            for comment in comments:
                if ((comment.get("commentsSummary") or {}).get("totalFirstLevelComments") or 0) > 0:
                    below, done = self._comments(token, str(comment.get("commentUrn") or ""))
                    nested.extend(below)
                    whole = whole and done
            for comment in comments + nested:
                actor = str(comment.get("actor") or (comment.get("created") or {}).get("actor") or "")
                if actor in ours and not our_id:
                    our_id = self.fetch_profile(credentials).external_id  # the member behind our page
                messages.append(self._message(comment, post=urn, title=post, ours=ours, our_id=our_id))
            if whole:
                complete.append(urn)
        return InboundPage(messages, cursor="", complete_threads=tuple(complete))

    @staticmethod
    def _message(comment: dict, *, post: str, title: dict, ours: set[str], our_id: str) -> InboundMessage:
        from .connector import unescape_little_text

        actor = str(comment.get("actor") or (comment.get("created") or {}).get("actor") or "")
        urn = str(need(comment, "commentUrn", kind=str))
        created = _time((comment.get("created") or {}).get("time")) or datetime.now(UTC)
        modified = _time((comment.get("lastModified") or {}).get("time"))
        parent = str(comment.get("parentComment") or "")
        return InboundMessage(
            kind="reply" if parent else "comment",
            external_id=urn,
            author=InboundAuthor(external_id=our_id if actor in ours else actor),
            text=str((comment.get("message") or {}).get("text") or ""),
            sent_at=created,
            thread_id=post,
            parent_id=parent,
            thread_title=unescape_little_text(str(title.get("commentary") or ""))[:200],
            url=f"https://www.linkedin.com/feed/update/{post}/?commentUrn={quote(urn, safe='')}",
            edited_at=modified if modified and modified > created else None,
            raw={"source": "linkedin", "parentComment": parent, "object": post},
        )

    def reply(
        self, credentials: Credentials, *, to: ReplyTarget, text: str, idempotency_key: str = ""
    ) -> ReplyResult:
        """A comment in the fan's thread (`parentComment`): the fan's comment, or the first-level comment
        their nested one is under. The API takes no idempotency key: sent unsafe."""
        parent = str(to.raw.get("parentComment") or "") or to.external_id
        post = str(to.raw.get("object") or "") or to.thread_id
        response = self._send(
            "POST",
            f"/rest/socialActions/{quote(parent, safe='')}/comments",
            operation="reply",
            token=credentials.access_token,
            unsafe=True,
            json={
                "actor": self._author(credentials),
                "object": post,
                "message": {"text": text},
                "parentComment": parent,
            },
        )
        body = response.json() if response.content else {}
        if not isinstance(body, dict):
            raise UnreadableAnswer("the answer is not the comment LinkedIn sends")
        urn = str(body.get("commentUrn") or response.headers.get("x-restli-id") or "")
        if not urn:
            raise Unknown("linkedin: the comment was accepted but no URN came back; the next poll settles it")
        return ReplyResult(external_id=urn, sent_at=_time((body.get("created") or {}).get("time")))
