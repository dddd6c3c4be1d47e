"""LinkedIn comments (Community Management API, Comments API:
learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api) over platform_sim.fans.

`GET /rest/socialActions/{target}/comments?start=&count=`: `target` (URL-encoded) is a post URN (its
first-level comments) or a comment URN (the comments nested under it); offset paging with
`paging.start/count/total`, oldest first. A comment: `actor` (a person or organization URN), `id`,
`commentUrn` (`urn:li:comment:(<post urn>,<id>)`), `object`, `parentComment` (nested ones), `message.text`,
`created.time` / `lastModified.time` (ms; an edit moves lastModified), `commentsSummary`
(`totalFirstLevelComments`). A deleted comment is no longer listed.

`POST /rest/socialActions/{target}/comments` `{"actor", "object", "message": {"text"}, "parentComment"?}`
creates one (201, the comment in the body, its URN in `x-restli-id`); the actor must be the member or an
organization they administer. Comments are two levels deep: a parentComment that is itself nested is
refused (answer in its top-level comment's thread).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import fans
from ..kit import Ctx, operation
from .linkedin import SPEC, _authors, versioned

COMMENT_URN = re.compile(r"^urn:li:comment:\((.+),(\d+)\)$")
DEFAULT_COUNT = 10
MAX_COUNT = 100


def actor_urn(author_id: str) -> str:
    return author_id if author_id.startswith("urn:li:") else f"urn:li:person:{author_id}"


def comment_urn(message: fans.FanMessage) -> str:
    return f"urn:li:comment:({message.post_id},{message.id})"


def _children(ctx: Ctx, post_id: str, parent_id: str) -> list[fans.FanMessage]:
    rows = fans.of_account(ctx.state, "linkedin", ctx.account.external_id, kinds=("comment", "reply"))
    rows = [m for m in rows if m.post_id == post_id and m.parent_id == parent_id]
    return sorted(rows, key=lambda m: int(m.id))  # oldest first


def comment_json(ctx: Ctx, message: fans.FanMessage) -> dict:
    actor = actor_urn(message.author_id)
    created = int(message.created_at * 1000)
    body = {
        "actor": actor,
        "id": message.id,
        "commentUrn": comment_urn(message),
        "object": message.post_id,
        "message": {"text": message.text, "attributes": []},
        "created": {"actor": actor, "time": created},
        "lastModified": {"actor": actor, "time": int((message.edited_at or message.created_at) * 1000)},
        "commentsSummary": {
            "totalFirstLevelComments": len(_children(ctx, message.post_id, message.id)),
            "selectedComments": [],
        },
        "likesSummary": {"totalLikes": 0, "likedByCurrentUser": False},
    }
    if message.parent_id:
        parent = fans.get(ctx.state, "linkedin", message.parent_id)
        body["parentComment"] = comment_urn(parent) if parent else ""
    return body


def _target(ctx: Ctx, raw: str) -> tuple[str, fans.FanMessage | None] | Response:
    """(post URN, the comment when the target is one) or an error response."""
    target = unquote(raw)
    match = COMMENT_URN.match(target)
    if match:
        comment = fans.get(ctx.state, "linkedin", match.group(2))
        if comment is None or comment.deleted or comment.account_id != ctx.account.external_id:
            return ctx.error("not_found", f"Comment {target} not found")
        return comment.post_id, comment
    if not target.startswith(("urn:li:share:", "urn:li:ugcPost:", "urn:li:activity:")):
        return ctx.error("bad_request", f"{target} is not a share, ugcPost, activity or comment URN")
    post = ctx.state.get_post("linkedin", target)
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found", f"{target} not found")
    return target, None


async def _comments_op(request: Request) -> str:
    return "reply" if request.method == "POST" else "inbox_comments"


@operation(SPEC, _comments_op)
async def social_action_comments(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    found = _target(ctx, request.path_params["target"])
    if isinstance(found, Response):
        return found
    post_id, parent = found
    if request.method == "POST":
        return await _create(ctx, post_id, parent)
    q = request.query_params
    try:
        start, count = int(q.get("start") or 0), int(q.get("count") or DEFAULT_COUNT)
    except ValueError:
        return ctx.error("bad_request", "start and count must be integers")
    if start < 0 or not 1 <= count <= MAX_COUNT:
        return ctx.error("bad_request", f"count must be 1 to {MAX_COUNT} and start at least 0")
    rows = _children(ctx, post_id, parent.id if parent else "")
    return JSONResponse(
        {
            "paging": {"start": start, "count": count, "total": len(rows), "links": []},
            "elements": [comment_json(ctx, m) for m in rows[start : start + count]],
        }
    )


async def _create(ctx: Ctx, post_id: str, target: fans.FanMessage | None) -> Response:
    p = await ctx.params()
    actor = str(p.get("actor") or "")
    if actor not in _authors(ctx):
        return ctx.error("forbidden", f"Not enough permissions to comment as {actor or 'no actor'}")
    text = str((p.get("message") or {}).get("text") or "")
    if not text.strip():
        return ctx.error("bad_request", "/message/text is required")
    parent = None
    if p.get("parentComment"):
        match = COMMENT_URN.match(str(p["parentComment"]))
        parent = fans.get(ctx.state, "linkedin", match.group(2)) if match else None
        if parent is None or parent.deleted or parent.post_id != post_id:
            return ctx.error("not_found", "/parentComment not found")
        if parent.parent_id:
            return ctx.error("bad_request", "/parentComment must be a first-level comment")
    elif target is not None:
        return ctx.error("bad_request", "/parentComment is required when commenting on a comment")
    message = fans.add(
        ctx.state,
        platform="linkedin",
        account_id=ctx.account.external_id,
        kind="reply" if parent else "comment",
        text=text,
        author_id=actor,
        post_id=post_id,
        parent_id=parent.id if parent else "",
    )
    body = comment_json(ctx, message)
    return JSONResponse(body, status_code=201, headers={"x-restli-id": body["commentUrn"]})


def routes() -> list[Route]:
    return [
        Route("/rest/socialActions/{target}/comments", social_action_comments, methods=["GET", "POST"]),
    ]
