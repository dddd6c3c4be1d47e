"""A Mastodon instance: app registration, OAuth, statuses (with Idempotency-Key), media, scheduling.

- `POST /api/v1/apps` registers an app (any client works afterwards: the simulator is one instance).
- Tokens never expire and there is no refresh grant; a revoked token answers 401.
- `POST /api/v1/statuses` honours `Idempotency-Key`: the same key from the same account within 1 hour
  returns the first status and creates nothing. `scheduled_at` must be at least 5 minutes ahead and
  returns a ScheduledStatus. 500 characters, graphemes, each URL counts 23.
- `POST /api/v2/media`: 200 for images; 202 (url null) for video until `GET /api/v1/media/:id` has been
  read `media_processing_polls` times (account option; default 1 for video, 0 for images).
Errors: {"error": "..."}; 401 invalid token, 404 "Record not found", 422 validation, 429 with
X-RateLimit-Reset (ISO 8601).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channels_app.connectors.mastodon.connector import mastodon_length

from ..kit import Ctx, OAuthError, PlatformSpec, account_from_param, consent_endpoint, operation, redeem_code
from ..state import Post

MESSAGES = {
    "rate_limited": (429, "Too many requests"),
    "server_error": (500, "We're sorry, but something went wrong on our end."),
    "timeout": (504, "Gateway Timeout"),
    "token_expired": (401, "The access token expired"),
    "token_revoked": (401, "The access token was revoked"),
    "token_invalid": (401, "The access token is invalid"),
    "bad_request": (422, "Validation failed"),
    "not_found": (404, "Record not found"),
    "forbidden": (403, "This action is not allowed"),
}
TEXT_LIMIT = 500
IDEMPOTENCY_SECONDS = 3600
SCHEDULE_MIN_SECONDS = 300
MAX_ATTACHMENTS = 4


def mastodon_error(kind: str, message: str, status: int | None = None) -> Response:
    code, default = MESSAGES[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    response = JSONResponse({"error": text}, status_code=status or code)
    if kind == "rate_limited":
        response.headers["X-RateLimit-Limit"] = "300"
        response.headers["X-RateLimit-Remaining"] = "0"
    return response


SPEC = PlatformSpec(
    key="mastodon",
    display_name="Mastodon",
    access_ttl=10 * 365 * 86400.0,  # no expiry in practice
    refresh_ttl=10 * 365 * 86400.0,
    refresh_rotates=False,
    error=mastodon_error,
)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def account_json(account) -> dict:
    return {
        "id": account.external_id,
        "username": account.handle,
        "acct": account.handle,
        "display_name": account.display_name,
        "avatar": f"https://files.mastodon.example/avatars/{account.external_id}.png",
        "followers_count": account.followers,
        "url": f"https://mastodon.example/@{account.handle}",
    }


def status_json(ctx: Ctx, post: Post, *, with_source: bool = False) -> dict:
    account = ctx.state.account("mastodon", post.account_id)
    handle = account.handle if account else ""
    body = {
        "id": post.id,
        "created_at": iso(post.created_at),
        "in_reply_to_id": post.extra.get("in_reply_to_id"),
        "visibility": post.extra.get("visibility", "public"),
        "uri": f"https://mastodon.example/users/{handle}/statuses/{post.id}",
        "url": f"https://mastodon.example/@{handle}/{post.id}",
        "content": "<p>" + post.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>",
        "media_attachments": [{"id": m, "type": "image"} for m in post.media_ids],
        "account": account_json(account) if account else {},
    }
    if with_source:
        body["text"] = post.text
    return body


@operation(SPEC, "register_app", auth=False)
async def apps(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    if not p.get("client_name") or not p.get("redirect_uris"):
        return ctx.error("bad_request", "Validation failed: Name can't be blank, Redirect URI can't be blank")
    n = ctx.state.next_id()
    return JSONResponse(
        {
            "id": str(n),
            "name": p["client_name"],
            "website": p.get("website") or None,
            "redirect_uri": p["redirect_uris"],
            "client_id": f"sim-mastodon-client-{n}",
            "client_secret": f"sim-mastodon-secret-{n}",
            "scopes": str(p.get("scopes") or "read").split(),
        }
    )


@operation(SPEC, "token", auth=False, account_hint=account_from_param("code"))
async def oauth_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    if p.get("grant_type") != "authorization_code":
        return JSONResponse(
            {
                "error": "unsupported_grant_type",
                "error_description": "The authorization grant type is not supported",
            },
            status_code=400,
        )
    try:
        _account, access, _refresh = redeem_code(
            ctx,
            code=p.get("code", ""),
            client_id=p.get("client_id", ""),
            client_secret=p.get("client_secret", ""),
            redirect_uri=p.get("redirect_uri"),
            code_verifier=p.get("code_verifier", ""),
        )
    except OAuthError as exc:
        return JSONResponse({"error": "invalid_grant", "error_description": exc.message}, status_code=400)
    return JSONResponse(
        {
            "access_token": access.value,
            "token_type": "Bearer",
            "scope": access.scope or p.get("scope", "read write"),
            "created_at": int(time.time()),
        }
    )


@operation(SPEC, "profile")
async def verify_credentials(request: Request, ctx: Ctx) -> Response:
    return JSONResponse(account_json(ctx.account))


def _media_ready(ctx: Ctx, media) -> bool:
    default = 1 if media.kind == "video" else 0
    return media.extra.get("polls", 0) >= int(ctx.account.options.get("media_processing_polls", default))


def _media_json(media, ready: bool) -> dict:
    return {
        "id": media.id,
        "type": media.kind,
        "url": f"https://files.mastodon.example/media/{media.id}" if ready else None,
        "preview_url": f"https://files.mastodon.example/media/{media.id}/small",
        "description": media.extra.get("description") or None,
    }


@operation(SPEC, "upload")
async def media_v2(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        return ctx.error("bad_request", "Validation failed: File can't be blank")
    data = await upload.read()
    ctype = upload.content_type or ""
    kind = "video" if ctype.startswith("video/") else "gifv" if ctype == "image/gif" else "image"
    limit = 99 * 1024 * 1024 if kind == "video" else 16 * 1024 * 1024
    if len(data) > limit:
        return ctx.error(
            "bad_request", f"Validation failed: File file size must be less than {limit // 1048576} MB"
        )
    media = ctx.state.add_media(
        ctx.account,
        kind=kind,
        data=data,
        content_type=ctype,
        filename=upload.filename or "",
        id=str(ctx.state.next_id()),
    )
    description = form.get("description")
    media.extra["description"] = description if isinstance(description, str) else ""
    ready = _media_ready(ctx, media)
    return JSONResponse(_media_json(media, ready), status_code=200 if ready else 202)


@operation(SPEC, "upload")
async def media_v1(request: Request, ctx: Ctx) -> Response:
    media = ctx.state.get_media("mastodon", request.path_params["media_id"])
    if media is None or media.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    media.extra["polls"] = media.extra.get("polls", 0) + 1
    ready = _media_ready(ctx, media)
    return JSONResponse(_media_json(media, ready), status_code=200 if ready else 206)


def _parse_when(value: str) -> float | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


@operation(SPEC, "publish")
async def statuses(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    if "form" in request.headers.get("content-type", ""):
        form = await request.form()
        p["media_ids"] = form.getlist("media_ids[]") or form.getlist("media_ids")
    key = request.headers.get("idempotency-key", "")
    account = ctx.account
    if key:
        existing_id = ctx.state.idempotency.get(("mastodon", account.external_id, key))
        existing = ctx.state.posts.get(("mastodon", existing_id)) if existing_id else None
        if existing is not None and time.time() - existing.created_at < IDEMPOTENCY_SECONDS:
            if existing.extra.get("scheduled_at"):
                return JSONResponse(_scheduled_json(existing))
            return JSONResponse(status_json(ctx, existing))
        ctx.state.idempotency.pop(("mastodon", account.external_id, key), None)
    text = str(p.get("status") or "")
    media_ids = [str(m) for m in (p.get("media_ids") or [])]
    if not text.strip() and not media_ids:
        return ctx.error("bad_request", "Validation failed: Text can't be blank")
    limit = int(account.options.get("max_characters", TEXT_LIMIT))
    if mastodon_length(text) > limit:
        return ctx.error("bad_request", f"Validation failed: Text character limit of {limit} exceeded")
    if len(media_ids) > MAX_ATTACHMENTS:
        return ctx.error("bad_request", "Validation failed: Media attachments exceed the limit of 4")
    kinds = set()
    for media_id in media_ids:
        media = ctx.state.get_media("mastodon", media_id)
        if media is None or media.account_id != account.external_id:
            return ctx.error("bad_request", f"Validation failed: media {media_id} not found")
        if not _media_ready(ctx, media):
            return ctx.error("bad_request", "Validation failed: Media attachments are still being processed")
        kinds.add(media.kind)
    if "video" in kinds and len(media_ids) > 1:
        return ctx.error(
            "bad_request", "Validation failed: Cannot attach a video to a post that already contains images"
        )
    reply_to = str(p.get("in_reply_to_id") or "")
    if reply_to and ctx.state.get_post("mastodon", reply_to) is None:
        return ctx.error("not_found")
    extra: dict = {"visibility": p.get("visibility") or "public", "in_reply_to_id": reply_to or None}
    if p.get("scheduled_at"):
        when = _parse_when(str(p["scheduled_at"]))
        if when is None or when - time.time() < SCHEDULE_MIN_SECONDS:
            return ctx.error(
                "bad_request",
                "Validation failed: Scheduled at The scheduled date must be at least 5 minutes ahead",
            )
        extra["scheduled_at"] = when
    post = ctx.state.add_post(
        account,
        text=text,
        media_ids=media_ids,
        kind="image" if media_ids else "text",
        idempotency_key=key,
        id=str(110_000_000_000_000 + ctx.state.next_id()),
        extra=extra,
    )
    if extra.get("scheduled_at"):
        return JSONResponse(_scheduled_json(post))
    return JSONResponse(status_json(ctx, post))


def _scheduled_json(post: Post) -> dict:
    return {
        "id": post.id,
        "scheduled_at": iso(post.extra["scheduled_at"]),
        "params": {
            "text": post.text,
            "media_ids": post.media_ids or None,
            "visibility": post.extra.get("visibility"),
        },
        "media_attachments": [],
    }


async def _status_op(request: Request) -> str:
    return "delete" if request.method == "DELETE" else "lookup"


@operation(SPEC, _status_op)
async def status_by_id(request: Request, ctx: Ctx) -> Response:
    post = ctx.state.get_post("mastodon", request.path_params["status_id"])
    if post is None or post.extra.get("scheduled_at"):
        return ctx.error("not_found")
    if request.method == "DELETE":
        if post.account_id != ctx.account.external_id:
            return ctx.error("not_found")
        post.deleted = True
        return JSONResponse(status_json(ctx, post, with_source=True))
    return JSONResponse(status_json(ctx, post))


@operation(SPEC, "list")
async def account_statuses(request: Request, ctx: Ctx) -> Response:
    limit = min(int(request.query_params.get("limit", "20") or 20), 40)
    posts = [
        p
        for p in ctx.state.posts_of("mastodon", request.path_params["account_id"])
        if not p.extra.get("scheduled_at")
    ]
    return JSONResponse([status_json(ctx, p) for p in posts[:limit]])


def routes() -> list[Route]:
    return [
        Route("/api/v1/apps", apps, methods=["POST"]),
        Route("/oauth/authorize", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/oauth/token", oauth_token, methods=["POST"]),
        Route("/api/v1/accounts/verify_credentials", verify_credentials),
        Route("/api/v1/accounts/{account_id}/statuses", account_statuses),
        Route("/api/v2/media", media_v2, methods=["POST"]),
        Route("/api/v1/media/{media_id}", media_v1),
        Route("/api/v1/statuses", statuses, methods=["POST"]),
        Route("/api/v1/statuses/{status_id}", status_by_id, methods=["GET", "DELETE"]),
    ]
