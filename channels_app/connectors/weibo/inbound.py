"""Weibo's fans for the inbox: comments on our weibos, replies in them, and @-mentions.

- `2/comments/show.json?id=` for each of our latest weibos (`INBOUND_POSTS`), read in full (`count`=200,
  `page` 1, 2 ...): a comment of such a thread that is no longer listed was deleted, so these threads are
  `complete_threads`. A comment with `reply_comment` answers that comment (kind "reply").
- `2/comments/mentions.json` and `2/statuses/mentions.json` with `since_id` (the cursor keeps the newest
  id of each), paged with `page` until a short page.
- `2/comments/reply.json` (cid, id, comment) answers a comment; `2/comments/create.json` (id, comment)
  comments on a weibo that mentioned us.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from ..base import Credentials
from ..errors import Rejected
from ..http import need
from ..inbound import InboundAuthor, InboundMessage, InboundPage, ReplyResult, ReplyTarget

INBOUND_POSTS = 20
PAGE_SIZE = 200
MAX_PAGES = 10


def _author(user: dict) -> InboundAuthor:
    return InboundAuthor(
        external_id=str(user.get("idstr") or user.get("id") or ""),
        handle=user.get("screen_name", ""),
        display_name=user.get("name", "") or user.get("screen_name", ""),
        avatar_url=user.get("profile_image_url", ""),
        followers=user.get("followers_count"),
    )


class WeiboInbound:
    """Mixed into WeiboConnector (channels_app.connectors.weibo.connector)."""

    def _pages(self, credentials: Credentials, path: str, key: str, params: dict) -> list[dict]:
        rows: list[dict] = []
        for page in range(1, MAX_PAGES + 1):
            body = self.request(
                "GET",
                path,
                operation="inbound",
                params={**params, "count": PAGE_SIZE, "page": page},
                headers=self._auth(credentials),
            ).json()
            got = body.get(key, [])
            rows.extend(got)
            if len(got) < PAGE_SIZE:
                break
        return rows

    def _comment(self, row: dict, *, kind: str = "", thread: str = "", title: str = "") -> InboundMessage:
        from .connector import _parse_time

        parent = row.get("reply_comment") or {}
        status = row.get("status") or {}
        user = row.get("user") or {}
        return InboundMessage(
            kind=kind or ("reply" if parent else "comment"),
            external_id=str(row.get("idstr") or row.get("id")),
            author=_author(user),
            text=row.get("text", ""),
            sent_at=_parse_time(row.get("created_at", "")) or datetime.now(UTC),
            thread_id=thread or str(status.get("idstr") or status.get("id") or ""),
            parent_id=str(parent.get("idstr") or parent.get("id") or ""),
            thread_title=(title or status.get("text", ""))[:200],
            url=f"https://weibo.com/{status.get('user', {}).get('idstr', '')}/{status.get('mid', '')}",
            raw={"source": "weibo"},
        )

    def fetch_inbound(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        from .connector import _parse_time

        state = json.loads(cursor) if cursor else {}
        messages: list[InboundMessage] = []
        complete: list[str] = []
        for post in self.recent_posts(credentials, limit=INBOUND_POSTS):
            rows = self._pages(credentials, "2/comments/show.json", "comments", {"id": post.external_id})
            messages += [self._comment(row, thread=post.external_id, title=post.text) for row in rows]
            complete.append(post.external_id)
        since = {"since_id": state["cm"]} if state.get("cm") else {}
        in_comments = self._pages(credentials, "2/comments/mentions.json", "comments", since)
        messages += [self._comment(row, kind="mention") for row in in_comments]
        since = {"since_id": state["sm"]} if state.get("sm") else {}
        statuses = self._pages(credentials, "2/statuses/mentions.json", "statuses", since)
        for row in statuses:
            status_id = str(row.get("idstr") or row.get("id"))
            user = row.get("user") or {}
            messages.append(
                InboundMessage(
                    kind="mention",
                    external_id=status_id,
                    author=_author(user),
                    text=row.get("text", ""),
                    sent_at=_parse_time(row.get("created_at", "")) or datetime.now(UTC),
                    thread_id=status_id,
                    thread_title=row.get("text", "")[:200],
                    url=f"https://weibo.com/{user.get('idstr', '')}/{row.get('mid', status_id)}",
                    raw={"source": "weibo"},
                )
            )
        new_state = {
            "cm": max([int(r.get("idstr") or r["id"]) for r in in_comments] + [int(state.get("cm") or 0)]),
            "sm": max([int(r.get("idstr") or r["id"]) for r in statuses] + [int(state.get("sm") or 0)]),
        }
        return InboundPage(messages, cursor=json.dumps(new_state), complete_threads=tuple(complete))

    def reply(
        self, credentials: Credentials, *, to: ReplyTarget, text: str, idempotency_key: str = ""
    ) -> ReplyResult:
        """A comment is answered with comments/reply (cid + its weibo); a weibo that mentioned us with
        comments/create on it. Weibo takes no idempotency key: the caller never re-sends an Unknown."""
        from .connector import _parse_time

        if to.kind == "mention" and to.thread_id == to.external_id:
            path, data = "2/comments/create.json", {"id": to.external_id, "comment": text}
        else:
            path, data = "2/comments/reply.json", {"cid": to.external_id, "id": to.thread_id, "comment": text}
        body = self.request(
            "POST", path, operation="reply", unsafe=True, data=data, headers=self._auth(credentials)
        ).json()
        return ReplyResult(
            external_id=str(body.get("idstr") or need(body, "id", kind=(int, str))),
            sent_at=_parse_time(body.get("created_at", "")),
        )

    def item_action(self, credentials: Credentials, *, target: ReplyTarget, action: str) -> None:
        """Delete a fan's comment on our weibo: `2/comments/destroy.json` (cid). One already gone (20101)
        counts as deleted: the call is idempotent."""
        if action != "delete":
            raise Rejected(f"weibo: {action} is not offered")
        try:
            self.request(
                "POST",
                "2/comments/destroy.json",
                operation="comment_delete",
                data={"cid": target.external_id},
                headers=self._auth(credentials),
            )
        except Rejected as exc:
            if exc.platform_code != 20101:
                raise
