"""X mentions for the inbox: `GET /2/users/:id/mentions` with `since_id` (the cursor: the newest id seen)
and `pagination_token` while `meta.next_token` says more are waiting, `expansions=author_id` for the
fans' names and follower counts. A mention answering one of our posts (`in_reply_to_user_id` = us) is a
comment in that conversation. Edits make a new post id on X and deletions are not listed, so neither is
seen here. Reading mentions is billed per post read on X's pay-per-use tiers."""

from __future__ import annotations

from datetime import UTC, datetime

from ..base import Credentials
from ..errors import Rejected
from ..inbound import InboundAuthor, InboundMessage, InboundPage, ReplyResult, ReplyTarget

PAGE_SIZE = 100
MAX_PAGES = 5


class XInbound:
    """Mixed into XConnector (channels_app.connectors.x.connector)."""

    def fetch_inbound(self, credentials: Credentials, *, cursor: str = "") -> InboundPage:
        user_id = credentials.extra.get("user_id") or self.fetch_profile(credentials).external_id
        params = {
            "max_results": PAGE_SIZE,
            "tweet.fields": "created_at,author_id,conversation_id,in_reply_to_user_id",
            "expansions": "author_id",
            "user.fields": "username,name,public_metrics",
        }
        if cursor:
            params["since_id"] = cursor
        tweets: list[dict] = []
        users: dict[str, dict] = {}
        newest = cursor
        for _page in range(MAX_PAGES):
            body = self._send(
                "GET",
                f"/2/users/{user_id}/mentions",
                operation="inbound",
                token=credentials.access_token,
                params=params,
            ).json()
            tweets.extend(body.get("data") or [])
            users.update({u["id"]: u for u in (body.get("includes") or {}).get("users", [])})
            meta = body.get("meta") or {}
            if meta.get("newest_id") and (not newest or int(meta["newest_id"]) > int(newest)):
                newest = meta["newest_id"]
            if not meta.get("next_token"):
                break
            params["pagination_token"] = meta["next_token"]
        messages = []
        for tweet in tweets:
            user = users.get(tweet.get("author_id", ""), {})
            answering_us = tweet.get("in_reply_to_user_id") == user_id
            messages.append(
                InboundMessage(
                    kind="comment" if answering_us else "mention",
                    external_id=str(tweet["id"]),
                    author=InboundAuthor(
                        external_id=str(tweet.get("author_id", "")),
                        handle=user.get("username", ""),
                        display_name=user.get("name", ""),
                        followers=(user.get("public_metrics") or {}).get("followers_count"),
                    ),
                    text=tweet.get("text", ""),
                    sent_at=_parse(tweet.get("created_at")),
                    thread_id=str(tweet.get("conversation_id") or tweet["id"]),
                    url=f"https://x.com/{user.get('username', 'i')}/status/{tweet['id']}",
                    raw={"source": "x"},
                )
            )
        return InboundPage(messages, cursor=newest or "")

    def reply(
        self, credentials: Credentials, *, to: ReplyTarget, text: str, idempotency_key: str = ""
    ) -> ReplyResult:
        """A post answering the fan's (`POST /2/tweets` with `reply.in_reply_to_tweet_id`; X adds the
        @handles of the thread itself). X takes no idempotency key: sent unsafe, so a timeout after
        sending is unknown and never re-sent by itself."""
        body = self._send(
            "POST",
            "/2/tweets",
            operation="reply",
            token=credentials.access_token,
            unsafe=True,
            json={"text": text, "reply": {"in_reply_to_tweet_id": to.external_id}},
        ).json()
        return ReplyResult(external_id=str((body.get("data") or {})["id"]), sent_at=datetime.now(UTC))

    def item_action(self, credentials: Credentials, *, target: ReplyTarget, action: str) -> None:
        """Hide a reply to our post (`PUT /2/tweets/:id/hidden`, only replies in a conversation we
        started: comments), or like the post (`POST /2/users/:id/likes`). Both idempotent."""
        if action in ("hide", "unhide"):
            self._send(
                "PUT",
                f"/2/tweets/{target.external_id}/hidden",
                operation="hide",
                token=credentials.access_token,
                json={"hidden": action == "hide"},
            )
        elif action == "like":
            user_id = credentials.extra.get("user_id") or self.fetch_profile(credentials).external_id
            self._send(
                "POST",
                f"/2/users/{user_id}/likes",
                operation="like",
                token=credentials.access_token,
                json={"tweet_id": target.external_id},
            )
        else:
            raise Rejected(f"x: {action} is not offered")


def _parse(value) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
