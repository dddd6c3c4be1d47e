"""Weibo's comment and mention API (open.weibo.com/wiki: 评论接口, 微博接口), over platform_sim.fans.

- `2/comments/show.json?id=<status>`: the comments on one status, newest first; `since_id`, `max_id`,
  `count` (default 50, at most 200) and `page`; the owner's own comments (our replies) included; deleted
  comments are gone from the list (Weibo says nothing else about a deletion).
- `2/comments/mentions.json`: comments that @-mention the account; `2/statuses/mentions.json`: weibos that
  do. Both with since_id / max_id / count / page.
- `2/comments/destroy.json` (cid): the account deletes a comment on its weibo (operation
  "comment_delete"); gone from the lists after.
- `2/comments/reply.json` (cid, id, comment) and `2/comments/create.json` (id, comment): our reply, stored
  as a message from the account (operation "reply"). A reply to a deleted or unknown comment is
  error 20101-style "not found".
Weibo comments cannot be edited on the platform; an edit made through /_sim is shown as the new text
under the same id (what a moderation rewrite looks like to an API reader).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import fans
from ..kit import Ctx, operation
from .weibo import SPEC, _created_at, status_json

MAX_COUNT = 200


def _user(message: fans.FanMessage, ctx: Ctx) -> dict:
    if message.author_id == message.account_id:
        account = ctx.state.account("weibo", message.account_id)
        return {
            "id": int(message.account_id[2:]) if message.account_id[2:].isdigit() else 0,
            "idstr": message.account_id,
            "screen_name": account.handle if account else "",
            "name": account.display_name if account else "",
            "followers_count": account.followers if account else 0,
        }
    return {
        "id": int(message.author_id) if message.author_id.isdigit() else 0,
        "idstr": message.author_id,
        "screen_name": message.author_handle or message.author_id,
        "name": message.author_name or message.author_handle,
        "followers_count": message.author_followers,
        "profile_image_url": f"https://tvax1.sinaimg.cn/crop/{message.author_id}.jpg",
    }


def comment_json(ctx: Ctx, message: fans.FanMessage) -> dict:
    post = ctx.state.get_post("weibo", message.post_id)
    status = status_json(ctx, post) if post is not None else {"id": 0, "idstr": message.post_id, "text": ""}
    body = {
        "created_at": _created_at(message.created_at),
        "id": int(message.id),
        "idstr": message.id,
        "mid": message.id,
        "text": message.text,
        "source": "",
        "user": _user(message, ctx),
        "status": status,
    }
    if message.parent_id:
        parent = fans.get(ctx.state, "weibo", message.parent_id)
        body["reply_comment"] = {
            "id": int(message.parent_id),
            "idstr": message.parent_id,
            "text": parent.text if parent else "",
        }
    return body


def mention_status_json(ctx: Ctx, message: fans.FanMessage) -> dict:
    return {
        "created_at": _created_at(message.created_at),
        "id": int(message.id),
        "idstr": message.id,
        "mid": message.id,
        "text": message.text,
        "user": _user(message, ctx),
    }


def _paged(request: Request, rows: list[fans.FanMessage], default: int) -> tuple[list[fans.FanMessage], int]:
    q = request.query_params
    count = max(1, min(int(q.get("count") or default), MAX_COUNT))
    page = max(1, int(q.get("page") or 1))
    rows = fans.page(rows, since_id=q.get("since_id", ""), max_id=q.get("max_id", ""), count=10**9)
    return rows[(page - 1) * count : page * count], len(rows)


def _listing(key: str, items: list[dict], total: int, shown: list[fans.FanMessage]) -> JSONResponse:
    next_cursor = int(shown[-1].id) - 1 if shown and len(items) and total > len(items) else 0
    return JSONResponse({key: items, "total_number": total, "previous_cursor": 0, "next_cursor": next_cursor})


@operation(SPEC, "inbox_comments")
async def comments_show(request: Request, ctx: Ctx) -> Response:
    post = ctx.state.get_post("weibo", request.query_params.get("id", ""))
    if post is None:
        return ctx.error("not_found")
    rows = [
        m
        for m in fans.of_account(ctx.state, "weibo", post.account_id, kinds=("comment", "reply"))
        if m.post_id == post.id
    ]
    shown, total = _paged(request, rows, 50)
    return _listing("comments", [comment_json(ctx, m) for m in shown], total, shown)


@operation(SPEC, "inbox_mentions")
async def comments_mentions(request: Request, ctx: Ctx) -> Response:
    rows = [
        m
        for m in fans.of_account(ctx.state, "weibo", ctx.account.external_id, kinds=("mention",))
        if m.in_comment
    ]
    shown, total = _paged(request, rows, 50)
    return _listing("comments", [comment_json(ctx, m) for m in shown], total, shown)


@operation(SPEC, "inbox_mentions")
async def statuses_mentions(request: Request, ctx: Ctx) -> Response:
    rows = [
        m
        for m in fans.of_account(ctx.state, "weibo", ctx.account.external_id, kinds=("mention",))
        if not m.in_comment
    ]
    shown, total = _paged(request, rows, 20)
    return _listing("statuses", [mention_status_json(ctx, m) for m in shown], total, shown)


@operation(SPEC, "reply")
async def comments_reply(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    text = str(p.get("comment") or "")
    if not text.strip():
        return ctx.error("bad_request", "comment is required")
    if len(text) > 140:
        return JSONResponse({"error_code": 20012, "error": "Text too long", "request": request.url.path}, 400)
    status_id = str(p.get("id") or "")
    cid = str(p.get("cid") or "")
    if request.url.path.endswith("reply.json"):
        parent = fans.get(ctx.state, "weibo", cid)
        if parent is None or parent.deleted:
            return ctx.error("not_found", "Target comment does not exist!")
        status_id = status_id or parent.post_id
    elif ctx.state.get_post("weibo", status_id) is None and fans.get(ctx.state, "weibo", status_id) is None:
        return ctx.error("not_found")  # comments/create on a status that is neither ours nor a mention
    message = fans.add(
        ctx.state,
        platform="weibo",
        account_id=ctx.account.external_id,
        kind="reply",
        text=text,
        author_id=ctx.account.external_id,
        post_id=status_id,
        parent_id=cid,
    )
    return JSONResponse(comment_json(ctx, message))


@operation(SPEC, "comment_delete")
async def comments_destroy(request: Request, ctx: Ctx) -> Response:
    """`2/comments/destroy.json` (cid): delete a comment on one of the account's weibos (or its own);
    answers the deleted comment. A comment already gone is 20101 "does not exist"."""
    found = fans.get(ctx.state, "weibo", str((await ctx.params()).get("cid") or ""))
    if found is None or found.deleted:
        return ctx.error("not_found", "Target comment does not exist!")
    if found.account_id != ctx.account.external_id:
        return ctx.error("forbidden", "Permission denied, need a high level appkey")
    found.deleted = True
    found.seq = ctx.state.next_id()
    return JSONResponse(comment_json(ctx, found))


def routes() -> list[Route]:
    return [
        Route("/2/comments/destroy.json", comments_destroy, methods=["POST"]),
        Route("/2/comments/show.json", comments_show),
        Route("/2/comments/mentions.json", comments_mentions),
        Route("/2/statuses/mentions.json", statuses_mentions),
        Route("/2/comments/reply.json", comments_reply, methods=["POST"]),
        Route("/2/comments/create.json", comments_reply, methods=["POST"]),
    ]
