"""Mastodon's notifications (docs.joinmastodon.org/methods/notifications) over platform_sim.fans.

`GET /api/v1/notifications` lists, newest first, a `mention` notification for every fan status that
mentions or answers the account (a direct message is a mention with visibility "direct") and an `update`
notification when such a status was edited (Mastodon 3.5+). `types[]` filters; `max_id`, `since_id`,
`min_id` and `limit` (default 40, at most 80) page, and a `Link` header names the next and previous pages
as Mastodon's does. A deleted status's notifications disappear, as on a real instance.
Our replies (POST /api/v1/statuses with `in_reply_to_id` of a fan's status) are recorded as messages from
the account (platforms/mastodon.py calls `record_reply`).
`GET /api/v1/statuses/:id/context` gives a status's thread as Mastodon does: `ancestors` (oldest first,
following `in_reply_to_id` up) and `descendants` (depth first), over our statuses and the fans' alike,
deleted ones left out; an unknown or deleted id is 404 "Record not found".
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import fans
from ..kit import Ctx, operation
from ..state import SimState
from .mastodon import DOMAIN, SPEC, iso

DEFAULT_LIMIT, MAX_LIMIT = 40, 80


def fan_account_json(message: fans.FanMessage) -> dict:
    handle = message.author_handle or message.author_id
    return {
        "id": message.author_id,
        "username": handle,
        "acct": handle,
        "display_name": message.author_name or handle,
        "url": f"https://{DOMAIN}/@{handle}",
        "avatar": f"https://files.{DOMAIN}/avatars/{message.author_id}.png",
        "followers_count": message.author_followers,
        "following_count": 0,
        "statuses_count": 1,
        "bot": False,
        "locked": False,
        "created_at": iso(message.created_at),
    }


def fan_status_json(message: fans.FanMessage) -> dict:
    escaped = message.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    in_reply_to = message.parent_id or (message.post_id if message.kind in ("comment", "reply") else "")
    return {
        "id": message.id,
        "created_at": iso(message.created_at),
        "edited_at": iso(message.edited_at) if message.edited_at else None,
        "in_reply_to_id": in_reply_to or None,
        "in_reply_to_account_id": message.account_id if in_reply_to else None,
        "visibility": "direct" if message.kind == "direct_message" else "public",
        "url": f"https://{DOMAIN}/@{message.author_handle or message.author_id}/{message.id}",
        "content": f"<p>{escaped}</p>",
        "spoiler_text": "",
        "sensitive": False,
        "mentions": [{"id": message.account_id}],
        "media_attachments": [],
        "account": fan_account_json(message),
    }


def notifications_of(state: SimState, account_id: str) -> list[tuple[int, str, fans.FanMessage]]:
    rows = []
    for message in fans.of_account(state, "mastodon", account_id):
        if message.author_id == account_id:
            continue
        rows.append((message.created_seq, "mention", message))
        if message.edited_at is not None:
            rows.append((message.seq, "update", message))
    return sorted(rows, key=lambda row: row[0], reverse=True)


@operation(SPEC, "inbox_notifications")
async def notifications(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    types = q.getlist("types[]") or q.getlist("types")
    limit = max(1, min(int(q.get("limit") or DEFAULT_LIMIT), MAX_LIMIT))
    rows = [r for r in notifications_of(ctx.state, ctx.account.external_id) if not types or r[1] in types]
    if q.get("max_id"):
        rows = [r for r in rows if r[0] < int(q["max_id"])]
    if q.get("since_id"):
        rows = [r for r in rows if r[0] > int(q["since_id"])]
    # min_id: the page just after min_id (the newest `limit` of what follows it would skip some)
    rows = [r for r in rows if r[0] > int(q["min_id"])][-limit:] if q.get("min_id") else rows[:limit]
    body = [
        {
            "id": str(seq),
            "type": kind,
            "created_at": iso(
                message.created_at if kind == "mention" else message.edited_at or message.created_at
            ),
            "account": fan_account_json(message),
            "status": fan_status_json(message),
        }
        for seq, kind, message in rows
    ]
    headers = {}
    if body:
        base = str(request.url.remove_query_params(["max_id", "since_id", "min_id"]))
        joiner = "&" if "?" in base else "?"
        older = f'<{base}{joiner}max_id={body[-1]["id"]}>; rel="next"'
        newer = f'<{base}{joiner}min_id={body[0]["id"]}>; rel="prev"'
        headers["Link"] = f"{older}, {newer}"
    return JSONResponse(body, headers=headers)


def record_reply(state: SimState, account, *, text: str, in_reply_to: str, status_id: str) -> bool:
    """Our status answering a fan's: kept as a message from the account. False: not a fan's status."""
    parent = fans.get(state, "mastodon", in_reply_to)
    if parent is None or parent.deleted:
        return False
    fans.add(
        state,
        platform="mastodon",
        account_id=account.external_id,
        kind="reply",
        text=text,
        author_id=account.external_id,
        post_id=parent.post_id or parent.id,
        parent_id=parent.id,
        id=status_id,
    )
    return True


def _thread_nodes(ctx: Ctx) -> dict[str, tuple[str, dict]]:
    """Every live status the simulator holds on Mastodon: id -> (in_reply_to_id, status JSON). Our reply
    is both a post and a fan-store message under one id; the post (our account's JSON) wins."""
    from .mastodon import status_json

    nodes: dict[str, tuple[str, dict]] = {}
    for message in fans.store(ctx.state).values():
        if message.platform == "mastodon" and not message.deleted:
            status = fan_status_json(message)
            nodes[message.id] = (status["in_reply_to_id"] or "", status)
    for (platform, post_id), post in ctx.state.posts.items():
        if platform == "mastodon" and not post.deleted and not post.extra.get("scheduled_at"):
            nodes[post_id] = (post.extra.get("in_reply_to_id") or "", status_json(ctx, post))
    return nodes


@operation(SPEC, "inbox_context")
async def status_context(request: Request, ctx: Ctx) -> Response:
    nodes = _thread_nodes(ctx)
    status_id = request.path_params["status_id"]
    if status_id not in nodes:
        return ctx.error("not_found")
    ancestors, parent = [], nodes[status_id][0]
    while parent in nodes and len(ancestors) < 200:
        ancestors.append(nodes[parent][1])
        parent = nodes[parent][0]
    children: dict[str, list[str]] = {}
    for node_id, (reply_to, _status) in nodes.items():
        children.setdefault(reply_to, []).append(node_id)
    descendants, stack = [], sorted(children.get(status_id, []), key=int, reverse=True)
    while stack:
        node_id = stack.pop()
        descendants.append(nodes[node_id][1])
        stack.extend(sorted(children.get(node_id, []), key=int, reverse=True))
    return JSONResponse({"ancestors": list(reversed(ancestors)), "descendants": descendants})


def routes() -> list[Route]:
    return [
        Route("/api/v1/notifications", notifications),
        Route("/api/v1/statuses/{status_id}/context", status_context, methods=["GET"]),
    ]
