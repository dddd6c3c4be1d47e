"""TikTok for Developers: Login Kit v2 and the Content Posting API (Direct Post), Display API reads.

Every answer: {"data": {...}, "error": {"code": "ok" | "...", "message", "log_id"}}; token errors
{"error": "invalid_grant", "error_description", "log_id"}. Access tokens 24 h, refresh tokens 365 days.
Direct Post: creator_info -> video/init (PULL_FROM_URL or FILE_UPLOAD + PUT chunks to upload_url with
Content-Range) -> status/fetch: PROCESSING_UPLOAD / PROCESSING_DOWNLOAD -> PUBLISH_COMPLETE (or FAILED).
`video/init` allows 6 requests per minute per access token (429 rate_limit_exceeded) — enforced.
Account options: `privacy_level_options`, `verified_domains` (PULL_FROM_URL prefixes), `status_polls`
(status reads before completion, default 1), `status_seconds` (or seconds, default 1),
`fail_reason` (makes processing fail).
"""

from __future__ import annotations

import re
import secrets
import time
from collections import defaultdict, deque

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

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
from ..state import Job, Post
from . import figures

ERRORS = {
    "rate_limited": (429, "rate_limit_exceeded", "API rate limit exceeded, please retry later."),
    "server_error": (500, "internal_error", "Something went wrong. Please try again later."),
    "timeout": (504, "internal_error", "Gateway timeout."),
    "token_expired": (
        401,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
    ),
    "token_revoked": (
        401,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
    ),
    "token_invalid": (
        401,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
    ),
    "bad_request": (400, "invalid_params", "The request parameters are invalid."),
    "not_found": (404, "invalid_params", "The requested resource does not exist."),
    "forbidden": (403, "scope_not_authorized", "The user did not authorize the scope required."),
}
INIT_PER_MINUTE = 6
DEFAULT_PRIVACY = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
TITLE_LIMIT = 2200
_init_calls: dict[str, deque[float]] = defaultdict(deque)  # access token -> init times (tokens are unique)


def _log_id() -> str:
    return time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(6).upper()


def tiktok_error(kind: str, message: str, status: int | None = None) -> Response:
    code_status, code, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    return JSONResponse(
        {"data": {}, "error": {"code": code, "message": text, "log_id": _log_id()}},
        status_code=status or code_status,
    )


def failure(code: str, message: str, status: int = 400) -> Response:
    return JSONResponse(
        {"data": {}, "error": {"code": code, "message": message, "log_id": _log_id()}}, status
    )


def ok(data: dict) -> Response:
    return JSONResponse({"data": data, "error": {"code": "ok", "message": "", "log_id": _log_id()}})


SPEC = PlatformSpec(
    key="tiktok",
    display_name="TikTok",
    access_ttl=86400.0,
    refresh_ttl=365 * 86400.0,
    refresh_rotates=False,
    error=tiktok_error,
)


@operation(SPEC, grant_operation(), auth=False, account_hint=account_from_param("code", "refresh_token"))
async def oauth_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    if not p.get("client_key") or not p.get("client_secret"):
        return JSONResponse(
            {
                "error": "invalid_client",
                "error_description": "client_key and client_secret are required",
                "log_id": _log_id(),
            },
            status_code=400,
        )
    try:
        if p.get("grant_type") == "authorization_code":
            account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=p.get("client_key", ""),
                client_secret=p.get("client_secret", ""),
                redirect_uri=p.get("redirect_uri"),
                code_verifier=p.get("code_verifier", ""),
            )
        elif p.get("grant_type") == "refresh_token":
            account, access, refresh = refresh_account(ctx, p.get("refresh_token", ""))
            refresh = refresh or ctx.state.tokens[p["refresh_token"]]
        else:
            return JSONResponse({"error": "unsupported_grant_type", "log_id": _log_id()}, status_code=400)
    except OAuthError as exc:
        return JSONResponse(
            {"error": "invalid_grant", "error_description": exc.message, "log_id": _log_id()}, status_code=400
        )
    return JSONResponse(
        {
            "access_token": access.value,
            "expires_in": int(account.access_ttl),
            "open_id": account.external_id,
            "refresh_expires_in": max(0, int(refresh.expires_at - time.time())),
            "refresh_token": refresh.value,
            "scope": access.scope or "user.info.basic,video.publish,video.list",
            "token_type": "Bearer",
        }
    )


# user.info.stats fields (scope user.info.stats) and the video metric fields of /v2/video/query/
USER_STATS = ("follower_count", "following_count", "likes_count", "video_count")
VIDEO_METRICS = {
    "view_count": "views",
    "like_count": "likes",
    "comment_count": "comments",
    "share_count": "shares",
}


def _fields(request: Request, default: str = "") -> set[str]:
    return {f.strip() for f in (request.query_params.get("fields") or default).split(",") if f.strip()}


async def _user_info_op(request: Request) -> str:
    # the same endpoint serves the profile and the account's stats: asking only stats is the metrics call
    stats = _fields(request, "open_id") - {"open_id"}
    return "metrics_account" if stats and stats <= set(USER_STATS) else "profile"


@operation(SPEC, _user_info_op)
async def user_info(request: Request, ctx: Ctx) -> Response:
    account = ctx.account
    fields = _fields(request, "open_id")
    posts = [p for p in ctx.state.posts_of("tiktok", account.external_id) if _published(ctx, p)]
    user = {
        "open_id": account.external_id,
        "union_id": f"u{account.external_id}",
        "avatar_url": f"https://p16-sign.tiktokcdn.com/{account.external_id}.jpeg",
        "display_name": account.display_name,
        "username": account.handle,
        "follower_count": figures.followers_at(account, figures.clock(account)),
        "following_count": 0,
        "likes_count": sum(figures.post_figures(ctx.state, p)["likes"] for p in posts),
        "video_count": len(posts),
    }
    return ok({"user": {k: v for k, v in user.items() if k in fields and not figures.removed(account, k)}})


@operation(SPEC, "creator_info")
async def creator_info(request: Request, ctx: Ctx) -> Response:
    account = ctx.account
    return ok(
        {
            "creator_avatar_url": f"https://p16-sign.tiktokcdn.com/{account.external_id}.jpeg",
            "creator_username": account.handle,
            "creator_nickname": account.display_name,
            "privacy_level_options": account.options.get("privacy_level_options", DEFAULT_PRIVACY),
            "comment_disabled": False,
            "duet_disabled": False,
            "stitch_disabled": False,
            "max_video_post_duration_sec": 600,
        }
    )


@operation(SPEC, "publish")
async def video_init(request: Request, ctx: Ctx) -> Response:
    calls = _init_calls[ctx.token.value]
    now = time.time()
    while calls and now - calls[0] >= 60:
        calls.popleft()
    if len(calls) >= INIT_PER_MINUTE:
        response = ctx.error("rate_limited")
        response.headers["Retry-After"] = str(max(1, int(60 - (now - calls[0])) + 1))
        return response
    calls.append(now)
    p = await ctx.params()
    post_info = p.get("post_info") or {}
    source = p.get("source_info") or {}
    account = ctx.account
    options = account.options.get("privacy_level_options", DEFAULT_PRIVACY)
    privacy = post_info.get("privacy_level")
    if privacy not in options:
        return failure("privacy_level_option_mismatch", f"privacy_level must be one of {', '.join(options)}")
    title = str(post_info.get("title") or "")
    if len(title.encode("utf-16-le")) // 2 > TITLE_LIMIT:
        return failure("invalid_params", f"title is longer than {TITLE_LIMIT} UTF-16 runes")
    kind = source.get("source")
    publish_id = f"v_pub_url~v2-1.{7_000_000_000_000 + ctx.state.next_id()}"
    data: dict = {"publish_id": publish_id}
    if kind == "PULL_FROM_URL":
        url = str(source.get("video_url") or "")
        if not re.match(r"^https?://", url):
            return failure("invalid_params", "video_url is required")
        verified = account.options.get("verified_domains")
        if verified and not any(url.startswith(prefix) for prefix in verified):
            return failure(
                "url_ownership_unverified", "The video_url domain is not verified for this app", 403
            )
        uploaded = True
    elif kind == "FILE_UPLOAD":
        try:
            size, chunk, count = (
                int(source["video_size"]),
                int(source["chunk_size"]),
                int(source["total_chunk_count"]),
            )
        except (KeyError, TypeError, ValueError):
            return failure("invalid_params", "video_size, chunk_size and total_chunk_count are required")
        if size <= 0 or chunk <= 0 or count != max(1, size // chunk):
            return failure("invalid_params", "total_chunk_count must be floor(video_size / chunk_size)")
        media = ctx.state.add_media(account, kind="video", size=size, id=publish_id)
        media.complete = False
        media.extra["received"] = 0
        data["upload_url"] = (
            str(request.url_for("tiktok_upload")) + f"?upload_id={publish_id}&upload_token=sim"
        )
        uploaded = False
    else:
        return failure("invalid_params", "source_info.source must be PULL_FROM_URL or FILE_UPLOAD")
    post = ctx.state.add_post(
        account,
        text=title,
        kind="video",
        id=str(7_300_000_000_000_000_000 + ctx.state.next_id()),
        extra={"publish_id": publish_id, "privacy_level": privacy, "uploaded": uploaded},
    )
    ctx.state.jobs[("tiktok", publish_id)] = Job(
        id=publish_id,
        platform="tiktok",
        account_id=account.external_id,
        post_id=post.id,
        polls_needed=int(account.options.get("status_polls", 1)),
        seconds_needed=float(account.options.get("status_seconds", 1.0)),
        outcome=account.options.get("fail_reason", "success"),
    )
    return ok(data)


@operation(SPEC, "upload", auth=False)
async def upload(request: Request, ctx: Ctx) -> Response:
    publish_id = request.query_params.get("upload_id", "")
    media = ctx.state.get_media("tiktok", publish_id)
    if media is None:
        return failure("invalid_params", "unknown upload_id", 404)
    match = re.match(r"bytes (\d+)-(\d+)/(\d+)", request.headers.get("content-range", ""))
    body = await request.body()
    if not match or int(match[3]) != media.size or int(match[2]) - int(match[1]) + 1 != len(body):
        return failure(
            "invalid_params", "Content-Range does not match the body or the declared video_size", 416
        )
    media.extra["received"] = media.extra.get("received", 0) + len(body)
    if media.extra["received"] >= media.size:
        media.complete = True
        job = ctx.state.jobs.get(("tiktok", publish_id))
        post = ctx.state.posts.get(("tiktok", job.post_id)) if job else None
        if post is not None:
            post.extra["uploaded"] = True
        return Response(status_code=201)
    return Response(status_code=206)


@operation(SPEC, "status")
async def status_fetch(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    publish_id = str(p.get("publish_id") or "")
    job = ctx.state.jobs.get(("tiktok", publish_id))
    if job is None or job.account_id != ctx.account.external_id:
        return failure("invalid_publish_id", "publish_id does not exist", 400)
    post = ctx.state.posts.get(("tiktok", job.post_id))
    if post is None or not post.extra.get("uploaded"):
        media = ctx.state.get_media("tiktok", publish_id)
        return ok(
            {"status": "PROCESSING_UPLOAD", "uploaded_bytes": media.extra.get("received", 0) if media else 0}
        )
    job.polls += 1
    if not job.done():
        return ok({"status": "PROCESSING_DOWNLOAD"})
    if job.outcome != "success":
        return ok({"status": "FAILED", "fail_reason": job.outcome})
    public = [] if post.extra.get("privacy_level") == "SELF_ONLY" else [post.id]
    return ok({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": public})


def _video_json(ctx: Ctx, post: Post, handle: str) -> dict:
    """A video with every field; the handler keeps those `fields` asks (metrics in `metrics_removed`
    are never there)."""
    body = {
        "id": post.id,
        "title": post.text,
        "video_description": post.text,
        "create_time": int(post.created_at),
        "share_url": f"https://www.tiktok.com/@{handle}/video/{post.id}",
    }
    got = figures.post_figures(ctx.state, post)
    account = ctx.state.account("tiktok", post.account_id)
    body |= {k: got[name] for k, name in VIDEO_METRICS.items() if not figures.removed(account, k)}
    return body


def _only(body: dict, fields: set[str]) -> dict:
    """The fields asked (id always); every field when `fields` is not given."""
    return {k: v for k, v in body.items() if not fields or k in fields or k == "id"}


async def _video_query_op(request: Request) -> str:
    return "metrics_post" if _fields(request) & set(VIDEO_METRICS) else "lookup"


def _published(ctx: Ctx, post: Post | None) -> bool:
    if post is None or post.deleted:
        return False
    job = ctx.state.jobs.get(("tiktok", post.extra.get("publish_id", "")))
    return bool(post.extra.get("uploaded")) and (job is None or (job.done() and job.outcome == "success"))


@operation(SPEC, _video_query_op)
async def video_query(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    ids = [str(i) for i in ((p.get("filters") or {}).get("video_ids") or [])]
    if not ids or len(ids) > 20:
        return failure("invalid_params", "filters.video_ids must list 1 to 20 ids")
    videos = []
    for video_id in ids:
        post = ctx.state.get_post("tiktok", video_id)
        if _published(ctx, post) and post.account_id == ctx.account.external_id:
            videos.append(_only(_video_json(ctx, post, ctx.account.handle), _fields(request)))
    return ok({"videos": videos, "cursor": 0, "has_more": False})


@operation(SPEC, "list")
async def video_list(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    count = min(int(p.get("max_count") or 20), 20)
    posts = [q for q in ctx.state.posts_of("tiktok", ctx.account.external_id) if _published(ctx, q)]
    return ok(
        {
            "videos": [
                _only(_video_json(ctx, q, ctx.account.handle), _fields(request, "id")) for q in posts[:count]
            ],
            "cursor": 0,
            "has_more": len(posts) > count,
        }
    )


def routes() -> list[Route]:
    return [
        Route(
            "/v2/auth/authorize/",
            consent_endpoint(SPEC, client_id_param="client_key"),
            methods=["GET", "POST"],
        ),
        Route("/v2/oauth/token/", oauth_token, methods=["POST"]),
        Route("/v2/user/info/", user_info),
        Route("/v2/post/publish/creator_info/query/", creator_info, methods=["POST"]),
        Route("/v2/post/publish/video/init/", video_init, methods=["POST"]),
        Route("/v2/post/publish/status/fetch/", status_fetch, methods=["POST"]),
        Route("/upload/", upload, methods=["PUT"], name="tiktok_upload"),
        Route("/v2/video/query/", video_query, methods=["POST"]),
        Route("/v2/video/list/", video_list, methods=["POST"]),
    ]
