"""X API v2 mentions timeline (docs.x.com: GET /2/users/:id/mentions) over platform_sim.fans.

Newest first; `since_id`, `until_id`, `max_results` (5-100, default 10) and `pagination_token` (the
`meta.next_token` of the page before); `tweet.fields` created_at, author_id, conversation_id,
in_reply_to_user_id; `expansions=author_id` adds `includes.users` with username, name and
public_metrics. `meta` carries result_count, newest_id, oldest_id and next_token. Only the account
itself may read its mentions here.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import fans
from ..kit import Ctx, operation
from .x import SPEC, _iso


@operation(SPEC, "inbox_mentions")
async def mentions(request: Request, ctx: Ctx) -> Response:
    if request.path_params["user_id"] != ctx.account.external_id:
        return ctx.error("forbidden", "You can only read your own mentions here.")
    q = request.query_params
    try:
        limit = int(q.get("max_results") or 10)
    except ValueError:
        limit = 0
    if not 5 <= limit <= 100:
        return ctx.error("bad_request", "The `max_results` query parameter value is not between 5 and 100")
    rows = fans.of_account(ctx.state, "x", ctx.account.external_id, kinds=("mention", "comment", "reply"))
    rows = [m for m in rows if m.author_id != ctx.account.external_id]
    rows = fans.page(rows, since_id=q.get("since_id", ""), max_id=q.get("pagination_token", ""), count=10**9)
    if q.get("until_id"):
        rows = [m for m in rows if int(m.id) < int(q["until_id"])]
    shown, rest = rows[:limit], rows[limit:]
    data = [
        {
            "id": m.id,
            "text": m.text,
            "created_at": _iso(m.created_at),
            "author_id": m.author_id,
            "conversation_id": m.post_id or m.id,
            **({"in_reply_to_user_id": ctx.account.external_id} if m.post_id else {}),
            "edit_history_tweet_ids": [m.id],
        }
        for m in shown
    ]
    users = {
        m.author_id: {
            "id": m.author_id,
            "username": m.author_handle or m.author_id,
            "name": m.author_name or m.author_handle or m.author_id,
            "public_metrics": {"followers_count": m.author_followers},
        }
        for m in shown
    }
    meta = {"result_count": len(data)}
    if data:
        meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
    if rest:
        meta["next_token"] = rest[0].id
    body = {"meta": meta}
    if data:
        body["data"] = data
        body["includes"] = {"users": list(users.values())}
    return JSONResponse(body)


def _fan_post(ctx: Ctx, post_id: str) -> fans.FanMessage | None:
    found = fans.get(ctx.state, "x", post_id)
    if found is None or found.deleted or found.account_id != ctx.account.external_id:
        return None
    return found


@operation(SPEC, "hide")
async def hide_reply(request: Request, ctx: Ctx) -> Response:
    """PUT /2/tweets/:id/hidden {"hidden": true|false} (docs.x.com: hide replies): only a reply in a
    conversation the account started; answers {"data": {"hidden": ...}}."""
    found = _fan_post(ctx, request.path_params["tweet_id"])
    if found is None:
        return ctx.error("not_found", "Could not find tweet with id.")
    if not found.post_id or found.author_id == ctx.account.external_id:
        return ctx.error("forbidden", "You can only hide replies to conversations you started.")
    hidden = (await ctx.params()).get("hidden")
    if not isinstance(hidden, bool):
        return ctx.error("bad_request", "The `hidden` field must be true or false")
    found.hidden = hidden
    return JSONResponse({"data": {"hidden": hidden}})


@operation(SPEC, "like")
async def like(request: Request, ctx: Ctx) -> Response:
    """POST /2/users/:id/likes {"tweet_id"} (docs.x.com: likes): the account likes the post."""
    if request.path_params["user_id"] != ctx.account.external_id:
        return ctx.error("forbidden", "You are not permitted to like on behalf of another user.")
    found = _fan_post(ctx, str((await ctx.params()).get("tweet_id") or ""))
    if found is None:
        return ctx.error("not_found", "Could not find tweet with tweet_id.")
    found.liked = True
    return JSONResponse({"data": {"liked": True}})


def routes() -> list[Route]:
    return [
        Route("/2/users/{user_id}/mentions", mentions),
        Route("/2/tweets/{tweet_id}/hidden", hide_reply, methods=["PUT"]),
        Route("/2/users/{user_id}/likes", like, methods=["POST"]),
    ]
