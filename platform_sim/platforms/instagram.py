"""Instagram API with Instagram Login (graph.instagram.com, tokens from api.instagram.com).

Tokens: the code gives a short-lived token (1 h, `POST /oauth/access_token`); `GET /access_token`
(`grant_type=ig_exchange_token`) makes it long-lived (60 days); `GET /refresh_access_token`
(`grant_type=ig_refresh_token`) renews an unexpired long-lived token.

Publishing: `POST /{v}/{ig-user-id}/media` makes a container (image_url | video_url + media_type=REELS
| is_carousel_item | media_type=CAROUSEL + children); `GET /{v}/{container}?fields=status_code` reads
IN_PROGRESS -> FINISHED (or ERROR for a URL we "cannot fetch": one containing "unreachable", or a
non-JPEG image); `POST /{v}/{ig-user-id}/media_publish` publishes. 50 API posts per rolling 24 h
(account option `publishing_quota`), error code 9 subcode 2207042 beyond. Account options:
`container_polls` (status reads that stay IN_PROGRESS, default 0 for images, 1 for video).
Graph error shapes as in facebook.py; the account's rate limit is code 80002 with Meta's
X-Business-Use-Case-Usage header (type "instagram").

The code exchange answers the current flat shape `{"access_token", "user_id", "permissions"}`; the
account option `oauth_answer_shape="data_list"` brings back the older `{"data": [{...}]}` shape, so a
client can be tested against both. Paths work with or without a version, as on graph.instagram.com.
"""

from __future__ import annotations

import re
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..kit import Ctx, OAuthError, PlatformSpec, consent_endpoint, operation, redeem_code
from ..state import Media, Post
from . import figures, graph_insights, meta_inbox
from .facebook import bad_version, graph_error, graph_token, iso, usage_headers

LONG_LIVED_TTL = 60 * 86400.0
SHORT_SCOPE = "ig_short"
CAPTION_LIMIT = 2200
CAROUSEL_LIMIT = 10
DEFAULT_QUOTA = 50


def instagram_error(kind: str, message: str, status: int | None = None) -> Response:
    if kind == "rate_limited":
        # Business use case limit of an Instagram account (Graph rate-limiting docs: code 80002)
        message = "There have been too many calls to this Instagram account."
        return _error(80002, message, status=status or 400)
    return graph_error(kind, message, status)


SPEC = PlatformSpec(
    key="instagram",
    display_name="Instagram",
    access_ttl=LONG_LIVED_TTL,
    refresh_ttl=LONG_LIVED_TTL,
    refresh_rotates=False,
    token_from=graph_token,
    error=instagram_error,
    app_rate_limit=True,
    rate_limit_headers=usage_headers("instagram"),
)


def _error(code: int, message: str, subcode: int | None = None, status: int = 400) -> Response:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "sim"}
    if subcode:
        error["error_subcode"] = subcode
        error["error_user_msg"] = message
    return JSONResponse({"error": error}, status_code=status)


def _long_lived(ctx: Ctx, account) -> Response:
    token = ctx.state.issue(account, "access", ttl=LONG_LIVED_TTL)
    return JSONResponse(
        {"access_token": token.value, "token_type": "bearer", "expires_in": int(LONG_LIVED_TTL)}
    )


@operation(SPEC, "token", auth=False)
async def oauth_access_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    if p.get("grant_type") != "authorization_code":
        return _error(100, "Invalid grant_type")
    try:
        account, _access, _refresh = redeem_code(
            ctx,
            code=p.get("code", ""),
            client_id=p.get("client_id", ""),
            client_secret=p.get("client_secret", ""),
            redirect_uri=p.get("redirect_uri"),
        )
    except OAuthError as exc:
        return JSONResponse({"error_type": "OAuthException", "code": 400, "error_message": exc.message}, 400)
    short = ctx.state.issue(account, "access", ttl=3600.0, scope=SHORT_SCOPE)
    answer = {
        "access_token": short.value,
        "user_id": account.external_id,
        "permissions": "instagram_business_basic,instagram_business_content_publish",
    }
    if account.options.get("oauth_answer_shape") == "data_list":
        return JSONResponse({"data": [answer]})  # the older shape
    return JSONResponse(answer)


@operation(SPEC, "token")
async def exchange_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()  # client_secret as a parameter or by HTTP Basic
    if p.get("grant_type") != "ig_exchange_token" or not p.get("client_secret"):
        return _error(100, "grant_type=ig_exchange_token and client_secret are required")
    return _long_lived(ctx, ctx.account)


@operation(SPEC, "refresh")
async def refresh_token(request: Request, ctx: Ctx) -> Response:
    if request.query_params.get("grant_type") != "ig_refresh_token":
        return _error(100, "grant_type=ig_refresh_token is required")
    if ctx.token.scope == SHORT_SCOPE:
        return _error(190, "Short-lived tokens cannot be refreshed; exchange them first")
    ctx.state.refresh_calls[("instagram", ctx.account.external_id)] += 1
    return _long_lived(ctx, ctx.account)


def _profile_json(account, fields: str) -> dict:
    body = {
        "id": account.external_id,
        "user_id": account.external_id,
        "username": account.handle,
        "name": account.display_name,
        "profile_picture_url": f"https://scontent.cdninstagram.com/{account.external_id}.jpg",
        "followers_count": figures.followers_at(account, figures.clock(account)),
    }
    if fields:
        wanted = {f.split("{")[0] for f in fields.split(",")} | {"id"}
        body = {k: v for k, v in body.items() if k in wanted}
    return body


@operation(SPEC, "profile")
async def me(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    return JSONResponse(_profile_json(ctx.account, request.query_params.get("fields", "")))


def _owner_check(ctx: Ctx) -> Response | None:
    if ctx.request.path_params["ig_user_id"] not in (ctx.account.external_id, "me"):
        return ctx.error("forbidden", "(#10) The token does not belong to this Instagram user")
    return None


def _recent_api_posts(ctx: Ctx) -> int:
    since = time.time() - 86400
    return sum(
        1
        for p in ctx.state.posts_of("instagram", ctx.account.external_id, include_deleted=True)
        if p.created_at >= since and p.kind != "comment"
    )


@operation(SPEC, "publish_limit")
async def publishing_limit(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or _owner_check(ctx)) is not None:
        return resp
    quota = int(ctx.account.options.get("publishing_quota", DEFAULT_QUOTA))
    return JSONResponse(
        {
            "data": [
                {
                    "quota_usage": _recent_api_posts(ctx),
                    "config": {"quota_total": quota, "quota_duration": 86400},
                }
            ]
        }
    )


def _fetch_fails(url: str) -> bool:
    return not url.startswith(("http://", "https://")) or "unreachable" in url


@operation(SPEC, "upload")
async def create_container(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or _owner_check(ctx)) is not None:
        return resp
    p = await ctx.params()
    caption = str(p.get("caption") or "")
    if len(caption) > CAPTION_LIMIT:
        return _error(100, f"The caption is longer than {CAPTION_LIMIT} characters", 2207004)
    if caption.count("#") > 30:
        return _error(100, "The caption has more than 30 hashtags", 2207004)
    media_type = str(p.get("media_type") or "IMAGE").upper()
    child = str(p.get("is_carousel_item", "")).lower() == "true"
    extra: dict = {"caption": caption, "media_type": media_type, "carousel_item": child, "polls": 0}
    if media_type == "CAROUSEL":
        children = [c for c in str(p.get("children") or "").split(",") if c]
        if not 2 <= len(children) <= CAROUSEL_LIMIT:
            return _error(100, f"A carousel needs 2 to {CAROUSEL_LIMIT} children")
        for child_id in children:
            item = ctx.state.get_media("instagram", child_id)
            if item is None or not item.extra.get("carousel_item"):
                return _error(100, f"Invalid carousel child {child_id}")
        extra["children"] = children
        kind = "carousel"
    elif media_type in ("REELS", "VIDEO"):
        if not p.get("video_url"):
            return _error(100, "video_url is required for REELS/VIDEO")
        extra["url"] = p["video_url"]
        kind = "video"
    elif media_type == "IMAGE":
        if not p.get("image_url"):
            return _error(100, "image_url is required")
        extra["url"] = p["image_url"]
        extra["alt_text"] = p.get("alt_text", "")
        kind = "image"
    else:
        return _error(100, f"Unsupported media_type {media_type}")
    container = ctx.state.add_media(
        ctx.account, kind=kind, size=0, id=str(17_900_000_000 + ctx.state.next_id())
    )
    container.extra.update(extra)
    return JSONResponse({"id": container.id})


def _container_status(ctx: Ctx, container: Media) -> str:
    if container.extra.get("published"):
        return "PUBLISHED"
    url = container.extra.get("url", "")
    if url and _fetch_fails(url):
        return "ERROR"
    if container.kind == "image" and url and not url.lower().split("?")[0].endswith((".jpg", ".jpeg")):
        return "ERROR"
    if container.kind == "carousel":
        for child_id in container.extra.get("children", []):
            child = ctx.state.get_media("instagram", child_id)
            if child is None or _container_status(ctx, child) == "ERROR":
                return "ERROR"
    default_polls = 1 if container.kind == "video" else 0
    needed = int(ctx.account.options.get("container_polls", default_polls))
    return "FINISHED" if container.extra.get("polls", 0) >= needed else "IN_PROGRESS"


@operation(SPEC, "publish")
async def media_publish(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or _owner_check(ctx)) is not None:
        return resp
    p = await ctx.params()
    container = ctx.state.get_media("instagram", str(p.get("creation_id", "")))
    if (
        container is None
        or container.account_id != ctx.account.external_id
        or container.extra.get("carousel_item")
    ):
        return _error(100, "Invalid creation_id", 2207027)
    if container.extra.get("published"):
        return JSONResponse({"id": container.extra["published"]})  # publishing a container twice: same media
    status = _container_status(ctx, container)
    if status == "ERROR":
        return _error(-1, "The media could not be fetched from the URL", 2207052)
    if status != "FINISHED":
        return _error(9007, "Media ID is not available: the media is not ready for publishing", 2207027)
    quota = int(ctx.account.options.get("publishing_quota", DEFAULT_QUOTA))
    if _recent_api_posts(ctx) >= quota:
        return _error(9, "Application request limit reached: content publishing limit", 2207042)
    media_ids = container.extra.get("children") or [container.id]
    post = ctx.state.add_post(
        ctx.account,
        text=container.extra.get("caption", ""),
        media_ids=list(media_ids),
        kind="video" if container.kind == "video" else "image",
        id=str(18_000_000_000 + ctx.state.next_id()),
        extra={"container_id": container.id, "media_type": container.extra.get("media_type")},
    )
    container.extra["published"] = post.id
    return JSONResponse({"id": post.id})


def _media_json(post: Post, fields: str) -> dict:
    body = {
        "id": post.id,
        "caption": post.text,
        "permalink": f"https://www.instagram.com/p/sim{post.id}/",
        "timestamp": iso(post.created_at),
        "media_type": {"video": "VIDEO"}.get(
            post.kind, "CAROUSEL_ALBUM" if len(post.media_ids) > 1 else "IMAGE"
        ),
    }
    if fields:
        wanted = set(fields.split(",")) | {"id"}
        body = {k: v for k, v in body.items() if k in wanted}
    return body


async def _object_op(request: Request) -> str:
    if meta_inbox.fan_message(request, "instagram") is not None:  # a fan's comment: moderation
        return {"DELETE": "comment_delete", "POST": "hide"}.get(request.method, "comment_lookup")
    if request.method == "DELETE":
        return "delete"
    state = request.app.state.sim.state
    if state.account("instagram", request.path_params["object_id"]) is not None:
        fields = request.query_params.get("fields", "")
        # Business Discovery: a rival's media list is the "list" read, its profile alone "profile".
        return "list" if fields.startswith("business_discovery.") and "media" in fields else "profile"
    return "publish_status" if state.get_media("instagram", request.path_params["object_id"]) else "lookup"


@operation(SPEC, _object_op)
async def graph_object(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    object_id = request.path_params["object_id"]
    fan = meta_inbox.fan_message(request, "instagram")
    if fan is not None or request.method == "POST":
        if request.method == "POST":
            return await meta_inbox.hide(ctx, fan, "instagram")
        if request.method == "DELETE":
            return await meta_inbox.delete(ctx, fan)
        if fan.deleted or fan.account_id != ctx.account.external_id:
            return meta_inbox.fan_missing(object_id)
        return JSONResponse(meta_inbox.comment_json(fan, iso))
    if object_id == ctx.account.external_id and request.method == "GET":  # GET /{ig-user-id}
        fields = request.query_params.get("fields", "")
        if fields.startswith("business_discovery."):
            return business_discovery(ctx, fields)
        return JSONResponse(_profile_json(ctx.account, fields))
    container = ctx.state.get_media("instagram", object_id)
    if container is not None and request.method == "GET":
        if container.account_id != ctx.account.external_id:
            return ctx.error("not_found")
        status = _container_status(ctx, container)
        container.extra["polls"] = container.extra.get("polls", 0) + 1
        body = {"id": container.id, "status_code": status}
        if status == "ERROR":
            body["status"] = "Error: Media download has failed. The media URI doesn't meet our requirements."
        return JSONResponse(body)
    post = ctx.state.get_post("instagram", object_id)
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    if request.method == "DELETE":
        post.deleted = True
        return JSONResponse({"success": True})
    return JSONResponse(_media_json(post, request.query_params.get("fields", "")))


_DISCOVERY = re.compile(r"^business_discovery\.username\(([^)]*)\)\{(.*)\}$")
_MEDIA = re.compile(r"media((?:\.[a-z]+\([^)]*\))*)\{([^}]*)\}")


def business_discovery(ctx: Ctx, fields: str) -> Response:
    """GET /{our-ig-user-id}?fields=business_discovery.username(name){...,media.limit(n).after(c){...}}:
    another business or creator account's public profile and media. A personal (or private) account,
    or a username nobody has, is Meta's #110 "Invalid user id" (developers.facebook.com/docs/
    instagram-platform/instagram-graph-api/reference/ig-user/business_discovery)."""
    match = _DISCOVERY.match(fields)
    if match is None:
        return instagram_error("bad_request", "(#100) Syntax error in the fields parameter")
    username, inner = match.group(1), match.group(2)
    target = ctx.state.account_by_handle("instagram", username)
    if target is None or target.options.get("private"):
        return JSONResponse(
            {
                "error": {
                    "message": "Invalid user id",
                    "type": "OAuthException",
                    "code": 110,
                    "error_subcode": 2207013,
                    "fbtrace_id": "sim",
                }
            },
            status_code=400,
        )
    posts = ctx.state.posts_of("instagram", target.external_id)
    body: dict = {
        "id": target.external_id,
        "username": target.handle,
        "name": target.display_name,
        "profile_picture_url": f"https://scontent.cdninstagram.com/{target.external_id}.jpg",
        "followers_count": figures.followers_at(target, figures.clock(target)),
        "media_count": len(posts),
    }
    media = _MEDIA.search(inner)
    if media:
        modifiers = dict(re.findall(r"\.([a-z]+)\(([^)]*)\)", media.group(1)))
        limit = min(int(modifiers.get("limit") or 25), 100)
        offset = int(modifiers.get("after") or 0)
        page = posts[offset : offset + limit]
        data = []
        for post in page:
            item = _media_json(post, "")
            grown = figures.post_figures(ctx.state, post)
            item |= {"like_count": grown["likes"], "comments_count": grown["comments"]}
            data.append(item)
        body["media"] = {"data": data}
        if offset + limit < len(posts):
            body["media"]["paging"] = {"cursors": {"after": str(offset + limit)}}
    return JSONResponse({"business_discovery": body, "id": ctx.account.external_id})


# Instagram Insights (developers.facebook.com/docs/instagram-platform/insights, v22+): each served metric
# -> its growth-model figure. `impressions`, `plays` and `video_views` are gone (v22.0, then every version
# on 2025-04-21): asking one fails the request with #100.
USER_TIME_SERIES = {"reach": "reach", "follower_count": "new_followers"}
USER_TOTAL_VALUE = {"views": "views", "profile_views": "profile_visits"}
MEDIA_LIFETIME = {
    "views": "views",
    "reach": "reach",
    "likes": "likes",
    "comments": "comments",
    "shares": "shares",
    "saved": "saves",
}


async def _insights_op(request: Request) -> str:
    sim = request.app.state.sim
    is_user = sim.state.account("instagram", request.path_params["object_id"]) is not None
    return "metrics_account" if is_user else "metrics_post"


@operation(SPEC, _insights_op)
async def insights(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    object_id = request.path_params["object_id"]
    if object_id in (ctx.account.external_id, "me"):
        total = request.query_params.get("metric_type") == "total_value"
        names = graph_insights.asked_metrics(ctx, set(USER_TOTAL_VALUE if total else USER_TIME_SERIES))
        if isinstance(names, Response):
            wrong_type = graph_insights.asked_metrics(ctx, set(USER_TOTAL_VALUE))
            if not total and not isinstance(wrong_type, Response):
                listed = ", ".join(wrong_type)
                return graph_insights.invalid(
                    f"(#100) The following metrics ({listed}) should be specified with parameter "
                    "metric_type=total_value"
                )
            return names
        table = USER_TOTAL_VALUE if total else USER_TIME_SERIES
        return graph_insights.daily(
            ctx,
            ctx.account,
            names,
            lambda name, day: day.figures[table[name]],
            object_id=ctx.account.external_id,
            total_value=total,
        )
    post = ctx.state.get_post("instagram", object_id)
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    names = graph_insights.asked_metrics(ctx, set(MEDIA_LIFETIME) | {"total_interactions"})
    if isinstance(names, Response):
        return names
    got = figures.post_figures(ctx.state, post)
    values = {name: got[MEDIA_LIFETIME[name]] for name in names if name in MEDIA_LIFETIME}
    values["total_interactions"] = got["likes"] + got["comments"] + got["shares"] + got["saves"]
    return graph_insights.lifetime(object_id, names, values)


@operation(SPEC, "list")
async def user_media(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or _owner_check(ctx)) is not None:
        return resp
    limit = min(int(request.query_params.get("limit", "25") or 25), 100)
    posts = [p for p in ctx.state.posts_of("instagram", ctx.account.external_id) if p.kind != "comment"]
    fields = request.query_params.get("fields", "")
    return JSONResponse({"data": [_media_json(p, fields) for p in posts[:limit]]})


@operation(SPEC, "comment")
async def comments(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    parent = ctx.state.get_post("instagram", request.path_params["object_id"])
    if parent is None:
        return ctx.error("not_found")
    p = await ctx.params()
    if not str(p.get("message") or "").strip():
        return _error(100, "message is required")
    comment = ctx.state.add_post(
        ctx.account,
        text=str(p["message"]),
        kind="comment",
        id=str(17_800_000_000 + ctx.state.next_id()),
        extra={"comment_of": parent.id},
    )
    return JSONResponse({"id": comment.id})


@operation(SPEC, "reply")
async def comment_replies(request: Request, ctx: Ctx) -> Response:
    """POST /{ig-comment-id}/replies (developers.facebook.com/docs/instagram-platform/comment-moderation)."""
    if (resp := bad_version(ctx)) is not None:
        return resp
    return await meta_inbox.comment_reply(ctx, meta_inbox.fan_message(request, "instagram"), "instagram")


@operation(SPEC, "reply")
async def user_messages(request: Request, ctx: Ctx) -> Response:
    """POST /{ig-user-id}/messages: Instagram Messaging's Send API (meta_inbox)."""
    if (resp := bad_version(ctx)) is not None:
        return resp
    return await meta_inbox.send_message(ctx, "instagram")


def routes() -> list[Route]:
    # graph.instagram.com answers unversioned paths at the default version. Two-segment unversioned paths
    # end in a literal edge and go before the versioned ones; one-segment paths go last.
    unversioned_edges = [
        Route("/oauth/authorize", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/oauth/access_token", oauth_access_token, methods=["POST"]),
        Route("/{ig_user_id}/content_publishing_limit", publishing_limit),
        Route("/{ig_user_id}/media_publish", media_publish, methods=["POST"]),
        Route("/{ig_user_id}/media", create_container, methods=["POST"]),
        Route("/{ig_user_id}/media", user_media, methods=["GET"]),
        Route("/{object_id}/comments", comments, methods=["POST"]),
        Route("/{object_id}/replies", comment_replies, methods=["POST"]),
        Route("/{page_id}/messages", user_messages, methods=["POST"]),
        Route("/{object_id}/insights", insights),
    ]
    unversioned_objects = [
        Route("/access_token", exchange_token),
        Route("/refresh_access_token", refresh_token),
        Route("/me", me),
        Route("/{object_id}", graph_object, methods=["GET", "POST", "DELETE"]),
    ]
    return unversioned_edges + versioned_routes() + unversioned_objects


def versioned_routes() -> list[Route]:
    return [
        Route("/{version}/me", me),
        Route("/{version}/{ig_user_id}/content_publishing_limit", publishing_limit),
        Route("/{version}/{ig_user_id}/media_publish", media_publish, methods=["POST"]),
        Route("/{version}/{ig_user_id}/media", create_container, methods=["POST"]),
        Route("/{version}/{ig_user_id}/media", user_media, methods=["GET"]),
        Route("/{version}/{object_id}/comments", comments, methods=["POST"]),
        Route("/{version}/{object_id}/replies", comment_replies, methods=["POST"]),
        Route("/{version}/{page_id}/messages", user_messages, methods=["POST"]),
        Route("/{version}/{object_id}/insights", insights),
        Route("/{version}/{object_id}", graph_object, methods=["GET", "POST", "DELETE"]),
    ]
