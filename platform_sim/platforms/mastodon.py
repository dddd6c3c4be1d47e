"""A Mastodon instance: app registration, OAuth, statuses (with Idempotency-Key), media, scheduling.

- `POST /api/v1/apps` registers an app (any client works afterwards: the simulator is one instance).
- Tokens never expire and there is no refresh grant; a revoked token answers 401.
- `POST /api/v1/statuses` honours `Idempotency-Key`: the same key from the same account within 1 hour
  returns the first status and creates nothing. `scheduled_at` must be at least 5 minutes ahead and
  returns a ScheduledStatus. 500 characters, graphemes, each URL counts 23.
- `POST /api/v2/media`: 200 for images; 202 (url null) for video until `GET /api/v1/media/:id` has been
  read `media_processing_polls` times (account option; default 1 for video, 0 for images).
- `GET /api/v1/instance` and `/api/v2/instance` (no token) report version 4.3.0 and the limits above;
  Mastodon.py reads the version there and picks endpoints by it (media: /api/v2/media from 3.1.4 on).
- Status and media ids are snowflakes, as Mastodon makes them: numeric strings whose top bits are the
  creation time in milliseconds (id >> 16), so they sort by time. Media attachments carry the full
  MediaAttachment shape (url, preview_url, remote_url, text_url, meta, description, blurhash).
Errors: {"error": "..."}; 401 invalid token, 404 "Record not found", 422 validation, 429 with
X-RateLimit-Limit/Remaining/Reset (reset as ISO 8601, what Mastodon.py's default "wait" sleeps until).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channels_app.connectors.mastodon.connector import mastodon_length

from .. import fans
from ..kit import Ctx, OAuthError, PlatformSpec, account_from_param, consent_endpoint, operation, redeem_code
from ..state import Post
from . import figures

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


# The generic texts the kit's fault and token checks pass in; Mastodon answers its own words for them.
KIT_MESSAGES = frozenset(
    {
        "rate limit exceeded",
        "system busy",
        "gateway timeout",
        "access token expired",
        "access token revoked",
        "invalid access token",
        "not an access token",
    }
)
VERSION = "4.3.0"
API_VERSION = 2  # api_versions.mastodon of 4.3.0
DOMAIN = "mastodon.example"


def mastodon_error(kind: str, message: str, status: int | None = None) -> Response:
    code, default = MESSAGES[kind]
    text = default if message in (kind.replace("_", " "), "") or message in KIT_MESSAGES else message
    response = JSONResponse({"error": text}, status_code=status or code)
    if kind == "rate_limited":
        response.headers["X-RateLimit-Limit"] = "300"
        response.headers["X-RateLimit-Remaining"] = "0"
        response.headers["X-RateLimit-Reset"] = iso(time.time() + RATE_LIMIT_WINDOW)
    return response


RATE_LIMIT_WINDOW = 300  # Mastodon's API limits count per 5 minutes


def _reset_from_retry_after(endpoint: Callable[[Request], Awaitable[Response]]):
    """A rate-limit fault's wait arrives as Retry-After (added by the kit after `mastodon_error`); Mastodon
    says when the window ends in X-RateLimit-Reset, which is what Mastodon.py sleeps until."""

    async def wrapped(request: Request) -> Response:
        response = await endpoint(request)
        if response.status_code == 429 and "retry-after" in response.headers:
            response.headers["X-RateLimit-Reset"] = iso(time.time() + float(response.headers["retry-after"]))
        return response

    return wrapped


_snowflake_lock = threading.Lock()
_last_snowflake = 0


def snowflake_id() -> str:
    """An id as Mastodon makes them (Mastodon::Snowflake): milliseconds since 1970 shifted left 16 bits,
    plus a sequence in the low bits; strictly increasing, sent as a string."""
    global _last_snowflake
    with _snowflake_lock:
        value = max(int(time.time() * 1000) << 16, _last_snowflake + 1)
        _last_snowflake = value
    return str(value)


SPEC = PlatformSpec(
    key="mastodon",
    display_name="Mastodon",
    access_ttl=10 * 365 * 86400.0,  # no expiry in practice
    refresh_ttl=10 * 365 * 86400.0,
    refresh_rotates=False,
    error=mastodon_error,
)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def account_json(account) -> dict:
    avatar = f"https://files.{DOMAIN}/avatars/{account.external_id}.png"
    header = f"https://files.{DOMAIN}/headers/{account.external_id}.png"
    return {
        "id": account.external_id,
        "username": account.handle,
        "acct": account.handle,
        "display_name": account.display_name,
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": iso(account.created_at),
        "note": "",
        "url": f"https://{DOMAIN}/@{account.handle}",
        "uri": f"https://{DOMAIN}/users/{account.handle}",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": figures.followers_at(account, figures.clock(account)),
        "following_count": 0,
        "statuses_count": 0,
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }


# A status's counts, each read from a growth-model figure (platform_sim.metrics). Mastodon has nothing
# else: no views, reach or clicks on any instance.
STATUS_COUNTS = {"replies_count": "comments", "reblogs_count": "shares", "favourites_count": "likes"}


def status_counts(ctx: Ctx, post: Post) -> dict[str, int]:
    """The counts at the account's clock; a count in the account's `metrics_removed` is left out (how an
    instance that does not serve a count would answer)."""
    account = ctx.state.account("mastodon", post.account_id)
    got = figures.post_figures(ctx.state, post)
    return {key: got[name] for key, name in STATUS_COUNTS.items() if not figures.removed(account, key)}


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
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "language": "en",
        **status_counts(ctx, post),
        "edited_at": None,
        "reblog": None,
        "application": {"name": "KAWO", "website": None},
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
        "media_attachments": [_attachment_json(ctx, media_id) for media_id in post.media_ids],
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


def _attachment_json(ctx: Ctx, media_id: str) -> dict:
    media = ctx.state.get_media("mastodon", media_id)
    if media is None:
        return {"id": media_id, "type": "unknown", "url": None, "preview_url": None}
    return _media_json(media, ready=True)


def _media_json(media, ready: bool) -> dict:
    """A MediaAttachment as Mastodon serves it; `meta` and `blurhash` are computed once, at upload."""
    base = f"https://files.{DOMAIN}/media_attachments/files/{media.id}"
    extension = {"image": "png", "gifv": "mp4", "video": "mp4"}.get(media.kind, "bin")
    return {
        "id": media.id,
        "type": media.kind,
        "url": f"{base}/original/file.{extension}" if ready else None,
        "preview_url": f"{base}/small/file.png",
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": media.extra.get("meta") or {},
        "description": media.extra.get("description") or None,
        "blurhash": media.extra.get("blurhash"),
    }


_BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"


def _base83(value: int, length: int) -> str:
    return "".join(_BASE83[(value // 83 ** (length - 1 - i)) % 83] for i in range(length))


def _image_meta(data: bytes) -> tuple[dict, str | None]:
    """Mastodon's `meta` (original and small sizes) and a blurhash for an image; ({}, None) if the bytes
    are not a readable image. The blurhash has one component (the average colour): valid, and enough
    for a placeholder."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            average = image.convert("RGB").resize((1, 1)).getpixel((0, 0))
    except Exception:  # not an image Pillow reads: Mastodon would still store it, without meta
        return {}, None
    scale = min(1.0, (640 * 480 / (width * height)) ** 0.5) if width and height else 1.0
    small_w, small_h = max(1, round(width * scale)), max(1, round(height * scale))

    def size(w: int, h: int) -> dict:
        return {"width": w, "height": h, "size": f"{w}x{h}", "aspect": w / h if h else 1}

    red, green, blue = average[:3]
    blurhash = _base83(0, 1) + _base83(0, 1) + _base83((red << 16) + (green << 8) + blue, 4)
    return {"original": size(width, height), "small": size(small_w, small_h)}, blurhash


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
        id=snowflake_id(),
    )
    description = form.get("description")
    media.extra["description"] = description if isinstance(description, str) else ""
    if kind == "image":
        media.extra["meta"], media.extra["blurhash"] = _image_meta(data)
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
    to_fan = bool(reply_to) and fans.get(ctx.state, "mastodon", reply_to) is not None
    if reply_to and ctx.state.get_post("mastodon", reply_to) is None and not to_fan:
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
        id=snowflake_id(),
        extra=extra,
    )
    if extra.get("scheduled_at"):
        return JSONResponse(_scheduled_json(post))
    if to_fan:
        from .mastodon_inbox import record_reply

        record_reply(ctx.state, account, text=text, in_reply_to=reply_to, status_id=post.id)
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


@operation(SPEC, "metrics_post", public=True)
async def statuses_by_ids(request: Request, ctx: Ctx) -> Response:
    """GET /api/v1/statuses?id[]=..: several statuses at once (Mastodon 4.3); unknown ids are left out."""
    ids = request.query_params.getlist("id[]") or request.query_params.getlist("id")
    if len(ids) > 20:
        return ctx.error("bad_request", "Too many ids")
    posts = [ctx.state.get_post("mastodon", i) for i in ids]
    return JSONResponse(
        [status_json(ctx, p) for p in posts if p is not None and not p.extra.get("scheduled_at")]
    )


@operation(SPEC, "metrics_account", public=True)
async def account_by_id(request: Request, ctx: Ctx) -> Response:
    account = ctx.state.account("mastodon", request.path_params["account_id"])
    if account is None:
        return ctx.error("not_found")
    return _account_answer(account)


@operation(SPEC, "profile", public=True)
async def account_lookup(request: Request, ctx: Ctx) -> Response:
    """GET /api/v1/accounts/lookup?acct=: an account by its handle (public), how a rival is resolved."""
    acct = request.query_params.get("acct", "").lstrip("@").split("@")[0]
    account = ctx.state.account_by_handle("mastodon", acct) if acct else None
    if account is None:
        return ctx.error("not_found", "Record not found")
    return _account_answer(account)


def _account_answer(account) -> Response:
    body = account_json(account)
    body["locked"] = bool(account.options.get("private"))
    for key in ("followers_count", "following_count", "statuses_count"):
        if figures.removed(account, key):
            body.pop(key)
    return JSONResponse(body)


@operation(SPEC, "list", public=True)
async def account_statuses(request: Request, ctx: Ctx) -> Response:
    """Newest first, `limit` (at most 40) a page, `max_id` for the page after (older than that id). A
    locked account's statuses are for its followers: an anonymous reader gets none."""
    limit = min(int(request.query_params.get("limit", "20") or 20), 40)
    owner_id = request.path_params["account_id"]
    owner = ctx.state.account("mastodon", owner_id)
    if (
        owner is not None
        and owner.options.get("private")
        and (ctx.account is None or ctx.account.external_id != owner_id)
    ):
        return JSONResponse([])
    posts = [p for p in ctx.state.posts_of("mastodon", owner_id) if not p.extra.get("scheduled_at")]
    max_id = request.query_params.get("max_id")
    if max_id:
        posts = [p for p in posts if int(p.id) < int(max_id)]
    return JSONResponse([status_json(ctx, p) for p in posts[:limit]])


def _instance_configuration() -> dict:
    return {
        "statuses": {
            "max_characters": TEXT_LIMIT,
            "max_media_attachments": MAX_ATTACHMENTS,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": [
                "image/jpeg",
                "image/png",
                "image/gif",
                "image/webp",
                "video/mp4",
                "video/quicktime",
                "video/webm",
            ],
            "image_size_limit": 16 * 1024 * 1024,
            "image_matrix_limit": 33177600,
            "video_size_limit": 99 * 1024 * 1024,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8294400,
        },
        "polls": {
            "max_options": 4,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2629746,
        },
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
    }


@operation(SPEC, "instance", auth=False)
async def instance_v1(request: Request, ctx: Ctx) -> Response:
    return JSONResponse(
        {
            "uri": DOMAIN,
            "title": "Mastodon (platform_sim)",
            "short_description": "A simulated Mastodon instance",
            "description": "",
            "email": f"admin@{DOMAIN}",
            "version": VERSION,
            "urls": {"streaming_api": f"wss://{DOMAIN}"},
            "stats": {"user_count": len(ctx.state.accounts), "status_count": 0, "domain_count": 1},
            "thumbnail": None,
            "languages": ["en"],
            "registrations": False,
            "approval_required": False,
            "invites_enabled": False,
            "configuration": _instance_configuration(),
            "contact_account": None,
            "rules": [],
        }
    )


@operation(SPEC, "instance", auth=False)
async def instance_v2(request: Request, ctx: Ctx) -> Response:
    return JSONResponse(
        {
            "domain": DOMAIN,
            "title": "Mastodon (platform_sim)",
            "version": VERSION,
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A simulated Mastodon instance",
            "usage": {"users": {"active_month": 0}},
            "thumbnail": {"url": f"https://files.{DOMAIN}/site_uploads/thumbnail.png"},
            "icon": [],
            "languages": ["en"],
            "configuration": {
                **_instance_configuration(),
                "urls": {"streaming": f"wss://{DOMAIN}", "status": None},
                "vapid": {"public_key": ""},
                "translation": {"enabled": False},
            },
            "registrations": {"enabled": False, "approval_required": False, "message": None, "url": None},
            "api_versions": {"mastodon": API_VERSION},
            "contact": {"email": f"admin@{DOMAIN}", "account": None},
            "rules": [],
        }
    )


def routes() -> list[Route]:
    from .mastodon_inbox import routes as inbox_routes  # notifications (it imports this module)

    listed = [
        *inbox_routes(),
        # Mastodon.py asks with a trailing slash; Mastodon (Rails) answers both.
        Route("/api/v1/instance", instance_v1),
        Route("/api/v1/instance/", instance_v1),
        Route("/api/v2/instance", instance_v2),
        Route("/api/v2/instance/", instance_v2),
        Route("/api/v1/apps", apps, methods=["POST"]),
        Route("/oauth/authorize", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/oauth/token", oauth_token, methods=["POST"]),
        Route("/api/v1/accounts/verify_credentials", verify_credentials),
        Route("/api/v1/accounts/lookup", account_lookup),
        Route("/api/v1/accounts/{account_id}/statuses", account_statuses),
        Route("/api/v1/accounts/{account_id}", account_by_id),
        Route("/api/v2/media", media_v2, methods=["POST"]),
        Route("/api/v1/media/{media_id}", media_v1),
        Route("/api/v1/statuses", statuses, methods=["POST"]),
        Route("/api/v1/statuses", statuses_by_ids, methods=["GET"]),
        Route("/api/v1/statuses/{status_id}", status_by_id, methods=["GET", "DELETE"]),
    ]
    # Every answer a rate-limit fault makes carries X-RateLimit-Reset for its Retry-After.
    return [
        Route(route.path, _reset_from_retry_after(route.endpoint), methods=route.methods, name=route.name)
        for route in listed
    ]
