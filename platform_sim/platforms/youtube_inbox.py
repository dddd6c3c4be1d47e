"""YouTube Data API commentThreads.list (developers.google.com/youtube/v3/docs/commentThreads/list) over
platform_sim.fans: `part=snippet`, `allThreadsRelatedToChannelId` (or `videoId`), `maxResults` (1-100,
default 20), `pageToken` (the `nextPageToken` before), newest first. Each item is a thread with its
`topLevelComment` (textOriginal, textDisplay, authorDisplayName, authorChannelId.value, publishedAt,
updatedAt); an edit changes the text and `updatedAt`; a deleted comment is no longer listed. A list call
costs 1 quota unit."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import fans
from ..kit import Ctx, operation
from .youtube import SPEC, iso


def thread_json(message: fans.FanMessage, channel_id: str) -> dict:
    comment = {
        "kind": "youtube#comment",
        "id": message.id,
        "snippet": {
            "channelId": channel_id,
            "videoId": message.post_id,
            "textDisplay": message.text,
            "textOriginal": message.text,
            "authorDisplayName": message.author_name or message.author_handle or message.author_id,
            "authorChannelId": {"value": message.author_id},
            "publishedAt": iso(message.created_at),
            "updatedAt": iso(message.edited_at or message.created_at),
        },
    }
    return {
        "kind": "youtube#commentThread",
        "id": message.id,
        "snippet": {
            "channelId": channel_id,
            "videoId": message.post_id,
            "topLevelComment": comment,
            "canReply": True,
            "totalReplyCount": 0,
            "isPublic": True,
        },
    }


@operation(SPEC, "inbox_comments")
async def comment_threads(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    channel = q.get("allThreadsRelatedToChannelId", "")
    if "snippet" not in q.get("part", "").split(","):
        return ctx.error("bad_request", "part must include snippet")
    if channel and channel != ctx.account.external_id:
        return ctx.error("forbidden", "The request is not properly authorized to retrieve these threads.")
    try:
        limit = int(q.get("maxResults") or 20)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return ctx.error("bad_request", "Invalid value for maxResults.")
    rows = [
        m
        for m in fans.of_account(ctx.state, "youtube", ctx.account.external_id, kinds=("comment",))
        if m.author_id != ctx.account.external_id
        and not m.hidden  # held for review: not in the public listing
        and (not q.get("videoId") or m.post_id == q["videoId"])
    ]
    rows = fans.page(rows, max_id=q.get("pageToken", ""), count=10**9)
    shown, rest = rows[:limit], rows[limit:]
    body = {
        "kind": "youtube#commentThreadListResponse",
        "pageInfo": {"totalResults": len(shown), "resultsPerPage": limit},
        "items": [thread_json(m, ctx.account.external_id) for m in shown],
    }
    if rest:
        body["nextPageToken"] = rest[0].id
    return JSONResponse(body)


@operation(SPEC, "reply")
async def comments_insert(request: Request, ctx: Ctx) -> Response:
    """comments.insert (developers.google.com/youtube/v3/docs/comments/insert): `part=snippet`, body
    `{"snippet": {"parentId": <a top-level comment's id>, "textOriginal": ...}}`: a reply in that
    thread (a new top-level comment goes through commentThreads.insert instead). Costs 50 quota units."""
    if "snippet" not in request.query_params.get("part", "").split(","):
        return ctx.error("bad_request", "part must include snippet")
    snippet = (await ctx.params()).get("snippet") or {}
    text = str(snippet.get("textOriginal") or "")
    parent = fans.get(ctx.state, "youtube", str(snippet.get("parentId") or ""))
    if not text.strip():
        return ctx.error("bad_request", "The comment's textOriginal is required.")
    if parent is None or parent.deleted:
        return ctx.error("not_found", "The comment identified by the parentId parameter could not be found.")
    message = fans.add(
        ctx.state,
        platform="youtube",
        account_id=ctx.account.external_id,
        kind="reply",
        text=text,
        author_id=ctx.account.external_id,
        post_id=parent.post_id,
        parent_id=parent.id,
    )
    comment = thread_json(message, ctx.account.external_id)["snippet"]["topLevelComment"]
    comment["snippet"]["parentId"] = parent.id
    return JSONResponse(comment)


MODERATION = {"heldForReview", "published", "rejected"}


@operation(SPEC, "moderate")
async def set_moderation_status(request: Request, ctx: Ctx) -> Response:
    """comments.setModerationStatus (developers.google.com/youtube/v3/docs/comments/setModerationStatus):
    `id` (comma-separated) and `moderationStatus` heldForReview | published | rejected; 204. Only the
    channel owner, on comments on its channel. A held comment is out of the public listing (`hidden`), a
    rejected one too (kept as `deleted` here: not shown again)."""
    q = request.query_params
    status = q.get("moderationStatus", "")
    if status not in MODERATION:
        return ctx.error("bad_request", "Invalid value for moderationStatus.")
    for comment_id in [i for i in q.get("id", "").split(",") if i]:
        found = fans.get(ctx.state, "youtube", comment_id)
        if found is None or found.deleted or found.account_id != ctx.account.external_id:
            return ctx.error("not_found", "The comment identified by the id parameter could not be found.")
        found.hidden = status == "heldForReview"
        found.deleted = status == "rejected"
        found.seq = ctx.state.next_id()
    return Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route("/youtube/v3/comments/setModerationStatus", set_moderation_status, methods=["POST"]),
        Route("/youtube/v3/commentThreads", comment_threads),
        Route("/youtube/v3/comments", comments_insert, methods=["POST"]),
    ]
