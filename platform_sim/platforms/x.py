"""X API v2 (api.x.com): OAuth 2.0 with PKCE, /2/tweets, /2/media/upload, users/me, user timeline.

Errors are problem+json: {"title", "detail", "type", "status"}; a missing post is HTTP 200 with only
`errors` (type .../resource-not-found). Rate limits: 429 with x-rate-limit-reset (epoch seconds).
Access tokens last 2 hours; refresh tokens rotate on every use.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channels_app.connectors.x.text import MAX_WEIGHTED_LENGTH, weighted_length

from ..kit import (
    Ctx,
    OAuthError,
    PlatformSpec,
    account_from_param,
    consent_endpoint,
    grant_operation,
    operation,
    redeem_code,
    refresh_account,
)
from ..state import Post

PROBLEMS = {
    "rate_limited": (429, "Too Many Requests", "about:blank"),
    "app_rate_limited": (429, "Too Many Requests", "about:blank"),  # plus x-app-limit-24hour-* headers
    "server_error": (503, "Service Unavailable", "about:blank"),
    "timeout": (504, "Gateway Timeout", "about:blank"),
    "token_expired": (401, "Unauthorized", "about:blank"),
    "token_revoked": (401, "Unauthorized", "about:blank"),
    "token_invalid": (401, "Unauthorized", "about:blank"),
    "bad_request": (400, "Invalid Request", "https://api.x.com/2/problems/invalid-request"),
    "not_found": (404, "Not Found Error", "https://api.x.com/2/problems/resource-not-found"),
    "forbidden": (403, "Forbidden", "about:blank"),
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_GIF_BYTES = 15 * 1024 * 1024


def x_error(kind: str, message: str, status: int | None = None) -> Response:
    code, title, problem = PROBLEMS[kind]
    detail = title if message in (kind.replace("_", " "), "") else message
    body = {"title": title, "detail": detail, "type": problem, "status": status or code}
    if kind == "bad_request":
        body["errors"] = [{"message": detail}]
    return JSONResponse(body, status_code=status or code, media_type="application/problem+json")


SPEC = PlatformSpec(
    key="x",
    display_name="X",
    access_ttl=7200.0,
    refresh_ttl=180 * 86400.0,
    refresh_rotates=True,
    pkce=True,
    error=x_error,
    app_rate_limit=True,
)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tweet_json(post: Post) -> dict:
    body = {
        "id": post.id,
        "text": post.text,
        "author_id": post.account_id,
        "created_at": _iso(post.created_at),
        "edit_history_tweet_ids": [post.id],
    }
    if post.media_ids:
        body["attachments"] = {"media_keys": [f"3_{m}" for m in post.media_ids]}
    return body


def _client_auth(request: Request) -> tuple[str, str]:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return "", ""
        return user, secret
    return "", ""


def _oauth_error(exc: OAuthError) -> Response:
    return JSONResponse(
        {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
        if exc.kind != "bad_request"
        else {"error": "invalid_request", "error_description": exc.message},
        status_code=400,
    )


@operation(SPEC, grant_operation(), auth=False, account_hint=account_from_param("code", "refresh_token"))
async def oauth2_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    client_id, client_secret = _client_auth(request)
    client_id = client_id or p.get("client_id", "")
    grant = p.get("grant_type", "")
    try:
        if grant == "authorization_code":
            account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=client_id,
                client_secret=client_secret,
                redirect_uri=p.get("redirect_uri"),
                code_verifier=p.get("code_verifier", ""),
            )
        elif grant == "refresh_token":
            account, access, refresh = refresh_account(ctx, p.get("refresh_token", ""))
        else:
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "grant_type not supported"},
                status_code=400,
            )
    except OAuthError as exc:
        return _oauth_error(exc)
    body = {
        "token_type": "bearer",
        "expires_in": int(account.access_ttl),
        "access_token": access.value,
        "scope": access.scope or "tweet.read tweet.write users.read media.write offline.access",
    }
    if refresh is not None and "offline.access" in (access.scope or "offline.access"):
        body["refresh_token"] = refresh.value
    return JSONResponse(body)


@operation(SPEC, "profile")
async def users_me(request: Request, ctx: Ctx) -> Response:
    account = ctx.account
    return JSONResponse(
        {
            "data": {
                "id": account.external_id,
                "name": account.display_name,
                "username": account.handle,
                "profile_image_url": f"https://pbs.twimg.com/profile_images/{account.external_id}/normal.jpg",
                "public_metrics": {
                    "followers_count": account.followers,
                    "following_count": 0,
                    "tweet_count": len(ctx.state.posts_of("x", account.external_id)),
                },
            }
        }
    )


@operation(SPEC, "upload")
async def media_upload(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    media = form.get("media")
    if media is None or isinstance(media, str):
        return ctx.error("bad_request", "media is required (multipart file)")
    data = await media.read()
    category = str(form.get("media_category") or "tweet_image")
    content_type = str(form.get("media_type") or media.content_type or "")
    if category not in ("tweet_image", "tweet_gif", "tweet_video"):
        return ctx.error("bad_request", f"unsupported media_category {category}")
    limit = MAX_GIF_BYTES if category == "tweet_gif" else MAX_IMAGE_BYTES
    if category == "tweet_video":
        return ctx.error("bad_request", "videos use the chunked INIT/APPEND/FINALIZE upload")
    if len(data) > limit:
        return ctx.error("bad_request", f"File size exceeds {limit} bytes.")
    item = ctx.state.add_media(
        ctx.account,
        kind="gif" if category == "tweet_gif" else "image",
        data=data,
        content_type=content_type,
        filename=media.filename or "",
    )
    return JSONResponse(
        {
            "data": {
                "id": item.id,
                "media_key": f"3_{item.id}",
                "size": item.size,
                "expires_after_secs": 86400,
                "image": {"image_type": content_type},
            }
        }
    )


@operation(SPEC, "upload")
async def media_metadata(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    item = ctx.state.get_media("x", str(p.get("id", "")))
    if item is None or item.account_id != ctx.account.external_id:
        return ctx.error("bad_request", "unknown media id")
    alt = ((p.get("metadata") or {}).get("alt_text") or {}).get("text", "")
    if len(alt) > 1000:
        return ctx.error("bad_request", "alt text is limited to 1000 characters")
    item.extra["alt_text"] = alt
    return JSONResponse({"data": {"id": item.id, "associated_metadata": True}})


@operation(SPEC, "publish")
async def create_tweet(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    text = p.get("text") or ""
    media_ids = [str(m) for m in ((p.get("media") or {}).get("media_ids") or [])]
    if not isinstance(text, str) or (not text.strip() and not media_ids):
        return ctx.error("bad_request", "text or media is required")
    if weighted_length(text) > MAX_WEIGHTED_LENGTH:
        return ctx.error("forbidden", "Your Tweet text is too long.")
    if len(media_ids) > 4:
        return ctx.error("bad_request", "at most 4 media ids")
    for media_id in media_ids:
        item = ctx.state.get_media("x", media_id)
        if item is None or item.account_id != ctx.account.external_id:
            return ctx.error("bad_request", f"Your media IDs are invalid: {media_id}")
    reply_to = str((p.get("reply") or {}).get("in_reply_to_tweet_id") or "")
    if reply_to and ctx.state.get_post("x", reply_to) is None:
        return ctx.error("bad_request", "the post you are replying to does not exist")
    if not reply_to:
        for existing in ctx.state.posts_of("x", ctx.account.external_id)[:50]:
            if text and existing.text == text and not existing.extra.get("in_reply_to"):
                return ctx.error("forbidden", "You are not allowed to create a Tweet with duplicate content.")
    post = ctx.state.add_post(
        ctx.account,
        text=text,
        media_ids=media_ids,
        kind="image" if media_ids else "text",
        extra={"in_reply_to": reply_to} if reply_to else {},
    )
    return JSONResponse(
        {"data": {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}}, status_code=201
    )


def _not_found(post_id: str) -> Response:
    return JSONResponse(
        {
            "errors": [
                {
                    "value": post_id,
                    "detail": f"Could not find tweet with id: [{post_id}].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "id",
                    "resource_id": post_id,
                    "type": "https://api.x.com/2/problems/resource-not-found",
                }
            ]
        }
    )


@operation(SPEC, "lookup")
async def get_tweet(request: Request, ctx: Ctx) -> Response:
    post_id = request.path_params["tweet_id"]
    post = ctx.state.get_post("x", post_id)
    if post is None:
        return _not_found(post_id)
    return JSONResponse({"data": tweet_json(post)})


@operation(SPEC, "delete")
async def delete_tweet(request: Request, ctx: Ctx) -> Response:
    post = ctx.state.get_post("x", request.path_params["tweet_id"])
    if post is None:
        return JSONResponse({"data": {"deleted": False}})
    if post.account_id != ctx.account.external_id:
        return ctx.error("forbidden", "You are not authorized to delete this Tweet.")
    post.deleted = True
    return JSONResponse({"data": {"deleted": True}})


@operation(SPEC, "list")
async def user_tweets(request: Request, ctx: Ctx) -> Response:
    try:
        limit = int(request.query_params.get("max_results", "10"))
    except ValueError:
        limit = 0
    if not 5 <= limit <= 100:
        return ctx.error("bad_request", "max_results must be between 5 and 100")
    posts = ctx.state.posts_of("x", request.path_params["user_id"])[:limit]
    meta = {"result_count": len(posts)}
    if posts:
        meta |= {"newest_id": posts[0].id, "oldest_id": posts[-1].id}
    body: dict = {"meta": meta}
    if posts:
        body["data"] = [tweet_json(p) for p in posts]
    return JSONResponse(body)


def routes() -> list[Route]:
    return [
        Route("/i/oauth2/authorize", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/2/oauth2/token", oauth2_token, methods=["POST"]),
        Route("/2/users/me", users_me),
        Route("/2/users/{user_id}/tweets", user_tweets),
        Route("/2/media/upload", media_upload, methods=["POST"]),
        Route("/2/media/metadata", media_metadata, methods=["POST"]),
        Route("/2/tweets", create_tweet, methods=["POST"]),
        Route("/2/tweets/{tweet_id}", get_tweet, methods=["GET"]),
        Route("/2/tweets/{tweet_id}", delete_tweet, methods=["DELETE"]),
    ]
