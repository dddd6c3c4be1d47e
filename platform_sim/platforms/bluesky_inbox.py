"""Bluesky notifications (docs.bsky.app: app.bsky.notification.listNotifications), served by the AppView
(the PDS proxies it when `atproto-proxy` names the AppView, as for the other app.bsky reads here) over
platform_sim.fans: newest first, `limit` (1-100, default 50) and `cursor` (the previous page's), each
with `uri`, `cid`, `author` {did, handle, displayName}, `reason` ("mention" or "reply"), `record`
{text, createdAt, reply?} and `indexedAt`. A lone PDS has no AppView: there the call is refused as the
other app.bsky reads are.

Our answers are posts with `reply` {root, parent} strong refs (createRecord in bluesky.py checks that both
have `uri` and `cid`, as the lexicon does); one answering a fan's post is also recorded as a message from
the account (`record_reply`), so a test can prove exactly one reply landed under the right parent."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import fans
from ..kit import Ctx, operation
from ..state import Account, SimState
from .bluesky import SPEC, _iso


def _uri(message: fans.FanMessage) -> str:
    return f"at://{message.author_id}/app.bsky.feed.post/{message.id}"


@operation(SPEC, "inbox_notifications")
async def appview_list_notifications(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    try:
        limit = int(q.get("limit") or 50)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return JSONResponse({"error": "InvalidRequest", "message": "limit must be 1-100"}, status_code=400)
    rows = [
        m
        for m in fans.of_account(
            ctx.state, "bluesky", ctx.account.external_id, kinds=("mention", "comment", "reply")
        )
        if m.author_id != ctx.account.external_id
    ]
    rows = fans.page(rows, max_id=q.get("cursor", ""), count=10**9)
    shown, rest = rows[:limit], rows[limit:]
    notifications = []
    for m in shown:
        record = {"$type": "app.bsky.feed.post", "text": m.text, "createdAt": _iso(m.created_at)}
        if m.post_id:
            parent = f"at://{ctx.account.external_id}/app.bsky.feed.post/{m.post_id}"
            record["reply"] = {
                "root": {"uri": parent, "cid": "bafy"},
                "parent": {"uri": parent, "cid": "bafy"},
            }
        notifications.append(
            {
                "uri": _uri(m),
                "cid": f"bafyrei{m.id}",
                "author": {
                    "did": m.author_id,
                    "handle": m.author_handle or m.author_id,
                    "displayName": m.author_name,
                },
                "reason": "reply" if m.post_id else "mention",
                "record": record,
                "isRead": False,
                "indexedAt": _iso(m.created_at),
                "labels": [],
            }
        )
    body = {"notifications": notifications}
    if rest:
        body["cursor"] = rest[0].id
    return JSONResponse(body)


def record_reply(state: SimState, account: Account, *, text: str, parent_uri: str) -> bool:
    """Our post answering a fan's (at://<fan>/app.bsky.feed.post/<message id>): kept as a message from
    the account. False: the parent is not a fan's message (an answer in our own thread is a plain post)."""
    parent = fans.get(state, "bluesky", parent_uri.rsplit("/", 1)[-1])
    if parent is None or parent.deleted or _uri(parent) != parent_uri:
        return False
    fans.add(
        state,
        platform="bluesky",
        account_id=account.external_id,
        kind="reply",
        text=text,
        author_id=account.external_id,
        post_id=parent.post_id or parent.id,
        parent_id=parent.id,
    )
    return True


def reply_refs_error(reply: Any) -> str:
    """What the lexicon refuses in a post's `reply`: root and parent must be strong refs (uri and cid)."""
    if reply is None:
        return ""
    for part in ("root", "parent"):
        ref = reply.get(part) if isinstance(reply, dict) else None
        if not isinstance(ref, dict):
            return f'$.record.reply must have the property "{part}"'
        for key in ("uri", "cid"):
            if not isinstance(ref.get(key), str) or not ref[key]:
                return f'$.record.reply.{part} must have the property "{key}"'
    return ""
