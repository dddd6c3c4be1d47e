"""YouTube Data API v3 (www.googleapis.com) with Google OAuth (accounts.google.com).

- `/o/oauth2/v2/auth` consent, `/o/oauth2/token` (authorization_code, refresh_token; Google sends no new
  refresh token on refresh). Access tokens 1 h.
- `POST /upload/youtube/v3/videos?uploadType=resumable&part=...` with the video resource -> 200 and a
  `Location` session URL; `PUT` the bytes there -> the video resource (this is the `publish` step).
- `GET/DELETE /youtube/v3/videos?id=`, `GET /youtube/v3/channels?mine=true`, `GET /youtube/v3/playlistItems`
  (the channel's uploads playlist is "UU" + channel id without "UC").
- Quota: 10,000 units a day, an insert costs 1,600 -> 403 quotaExceeded. YouTube's quota is the project's
  (our app's: the connector says scope "app"); the simulator keeps it per account (option `daily_quota`)
  so tests stay independent of each other.
Errors: {"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

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
from ..state import Post

ERRORS = {
    "rate_limited": (
        429,
        "youtube.quota",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
        "The request rate is too high.",
    ),
    "app_rate_limited": (
        403,
        "youtube.quota",
        "quotaExceeded",
        "RESOURCE_EXHAUSTED",
        "The request cannot be completed because you have exceeded your quota.",
    ),
    "server_error": (500, "global", "backendError", "INTERNAL", "Backend Error"),
    "timeout": (504, "global", "backendError", "DEADLINE_EXCEEDED", "Deadline exceeded"),
    "token_expired": (401, "global", "authError", "UNAUTHENTICATED", "Invalid Credentials"),
    "token_revoked": (401, "global", "authError", "UNAUTHENTICATED", "Invalid Credentials"),
    "token_invalid": (401, "global", "authError", "UNAUTHENTICATED", "Invalid Credentials"),
    "bad_request": (400, "youtube.video", "invalidVideoMetadata", "INVALID_ARGUMENT", "Bad Request"),
    "not_found": (404, "youtube.video", "videoNotFound", "NOT_FOUND", "The video could not be found."),
    "forbidden": (403, "youtube.video", "forbidden", "PERMISSION_DENIED", "Forbidden"),
}
INSERT_COST = 1600
DAILY_QUOTA = 10_000
TITLE_LIMIT = 100


def youtube_error(kind: str, message: str, status: int | None = None) -> Response:
    code, domain, reason, grpc, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    return _error(status or code, domain, reason, grpc, text)


def _error(code: int, domain: str, reason: str, grpc: str, message: str) -> Response:
    return JSONResponse(
        {
            "error": {
                "code": code,
                "message": message,
                "errors": [{"message": message, "domain": domain, "reason": reason}],
                "status": grpc,
            }
        },
        status_code=code,
    )


SPEC = PlatformSpec(
    key="youtube",
    display_name="YouTube",
    access_ttl=3600.0,
    refresh_ttl=180 * 86400.0,
    refresh_rotates=False,
    error=youtube_error,
    app_rate_limit=True,
)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def channel_id(account) -> str:
    return account.external_id if account.external_id.startswith("UC") else f"UC{account.external_id}"


@operation(SPEC, grant_operation(), auth=False, account_hint=account_from_param("code", "refresh_token"))
async def token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    try:
        if p.get("grant_type") == "authorization_code":
            account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=p.get("client_id", ""),
                client_secret=p.get("client_secret", ""),
                redirect_uri=p.get("redirect_uri"),
                code_verifier=p.get("code_verifier", ""),
            )
        elif p.get("grant_type") == "refresh_token":
            if not p.get("client_secret"):
                raise OAuthError("bad_request", "client_secret is required")
            account, access, refresh = refresh_account(ctx, p.get("refresh_token", ""))
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    except OAuthError as exc:
        error = "invalid_grant" if exc.kind != "bad_request" or "code" in exc.message else "invalid_request"
        return JSONResponse({"error": error, "error_description": exc.message}, status_code=400)
    body = {
        "access_token": access.value,
        "expires_in": int(account.access_ttl),
        "scope": access.scope or "https://www.googleapis.com/auth/youtube.upload",
        "token_type": "Bearer",
    }
    if refresh is not None:
        body["refresh_token"] = refresh.value
    return JSONResponse(body)


@operation(SPEC, "profile")
async def channels(request: Request, ctx: Ctx) -> Response:
    if request.query_params.get("mine") != "true":
        return ctx.error("bad_request", "mine=true is required here")
    account = ctx.account
    cid = channel_id(account)
    return JSONResponse(
        {
            "kind": "youtube#channelListResponse",
            "items": [
                {
                    "kind": "youtube#channel",
                    "id": account.external_id,
                    "snippet": {
                        "title": account.display_name,
                        "customUrl": f"@{account.handle}",
                        "thumbnails": {"default": {"url": f"https://yt3.ggpht.com/{cid}=s88"}},
                    },
                    "statistics": {"subscriberCount": str(account.followers), "hiddenSubscriberCount": False},
                    "contentDetails": {"relatedPlaylists": {"uploads": "UU" + cid[2:]}},
                }
            ],
        }
    )


def _quota_used(ctx: Ctx) -> int:
    since = time.time() - 86400
    inserts = sum(
        1
        for p in ctx.state.posts_of("youtube", ctx.account.external_id, include_deleted=True)
        if p.created_at >= since
    )
    return inserts * INSERT_COST


@operation(SPEC, "upload")
async def upload_session(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    if q.get("uploadType") != "resumable" or "snippet" not in q.get("part", ""):
        return ctx.error("bad_request", "uploadType=resumable and part=snippet,status are required")
    p = await ctx.params()
    snippet = p.get("snippet") or {}
    title = str(snippet.get("title") or "")
    if not title.strip() or len(title) > TITLE_LIMIT or "<" in title or ">" in title:
        return _error(
            400,
            "youtube.video",
            "invalidTitle",
            "INVALID_ARGUMENT",
            "The request metadata specifies an invalid video title.",
        )
    if len(str(snippet.get("description") or "").encode()) > 5000:
        return _error(
            400, "youtube.video", "invalidDescription", "INVALID_ARGUMENT", "The description is too long."
        )
    if _quota_used(ctx) + INSERT_COST > int(ctx.account.options.get("daily_quota", DAILY_QUOTA)):
        return _error(
            403,
            "youtube.quota",
            "quotaExceeded",
            "PERMISSION_DENIED",
            "The request cannot be completed because you have exceeded your quota.",
        )
    try:
        length = int(request.headers.get("x-upload-content-length", ""))
    except ValueError:
        return ctx.error("bad_request", "X-Upload-Content-Length is required")
    session = ctx.state.add_media(ctx.account, kind="video", size=length, id=f"sess{ctx.state.next_id()}")
    session.complete = False
    session.extra.update({"resource": {"snippet": snippet, "status": p.get("status") or {}}})
    location = str(request.url_for("youtube_upload")) + f"?uploadType=resumable&upload_id={session.id}"
    return Response(status_code=200, headers={"Location": location})


def _video_json(post: Post) -> dict:
    resource = post.extra.get("resource") or {}
    snippet = resource.get("snippet") or {}
    status = dict(resource.get("status") or {})
    status.setdefault("privacyStatus", "public")
    status["uploadStatus"] = "uploaded"
    return {
        "kind": "youtube#video",
        "id": post.id,
        "snippet": {
            "publishedAt": iso(post.created_at),
            "channelId": channel_id_of(post),
            "title": post.title,
            "description": post.text,
            "tags": snippet.get("tags") or [],
            "categoryId": snippet.get("categoryId", "22"),
        },
        "status": status,
    }


def channel_id_of(post: Post) -> str:
    return post.account_id if post.account_id.startswith("UC") else f"UC{post.account_id}"


@operation(SPEC, "publish")
async def upload_bytes(request: Request, ctx: Ctx) -> Response:
    session = ctx.state.get_media("youtube", request.query_params.get("upload_id", ""))
    if session is None or session.account_id != ctx.account.external_id or session.complete:
        return ctx.error("not_found", "The upload session does not exist or has finished")
    data = await request.body()
    if len(data) != session.size:
        return ctx.error("bad_request", f"Expected {session.size} bytes, got {len(data)}")
    if not request.headers.get("content-type", "").startswith(("video/", "application/octet-stream")):
        return _error(
            400, "youtube.video", "invalidVideoFile", "INVALID_ARGUMENT", "The file is not a video."
        )
    session.complete = True
    resource = session.extra["resource"]
    snippet = resource.get("snippet") or {}
    post = ctx.state.add_post(
        ctx.account,
        text=str(snippet.get("description") or ""),
        title=str(snippet.get("title") or ""),
        kind="video",
        media_ids=[session.id],
        id=f"v{ctx.state.next_id():010d}"[-11:],
        extra={"resource": resource},
    )
    return JSONResponse(_video_json(post))


async def _videos_op(request: Request) -> str:
    return "delete" if request.method == "DELETE" else "lookup"


@operation(SPEC, _videos_op)
async def videos(request: Request, ctx: Ctx) -> Response:
    ids = [i for i in request.query_params.get("id", "").split(",") if i]
    if request.method == "DELETE":
        post = ctx.state.get_post("youtube", ids[0]) if ids else None
        if post is None or post.account_id != ctx.account.external_id:
            return ctx.error("not_found")
        post.deleted = True
        return Response(status_code=204)
    items = [_video_json(p) for i in ids if (p := ctx.state.get_post("youtube", i)) is not None]
    return JSONResponse({"kind": "youtube#videoListResponse", "items": items})


@operation(SPEC, "list")
async def playlist_items(request: Request, ctx: Ctx) -> Response:
    playlist = request.query_params.get("playlistId", "")
    if playlist != "UU" + channel_id(ctx.account)[2:]:
        return _error(
            404, "youtube.playlistItem", "playlistNotFound", "NOT_FOUND", "The playlist cannot be found."
        )
    limit = min(int(request.query_params.get("maxResults", "5") or 5), 50)
    posts = ctx.state.posts_of("youtube", ctx.account.external_id)[:limit]
    return JSONResponse(
        {
            "kind": "youtube#playlistItemListResponse",
            "items": [
                {
                    "kind": "youtube#playlistItem",
                    "snippet": {"publishedAt": iso(p.created_at), "title": p.title, "description": p.text},
                    "contentDetails": {"videoId": p.id, "videoPublishedAt": iso(p.created_at)},
                }
                for p in posts
            ],
        }
    )


def routes() -> list[Route]:
    return [
        Route("/o/oauth2/v2/auth", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/o/oauth2/token", token, methods=["POST"]),
        Route("/youtube/v3/channels", channels),
        Route("/upload/youtube/v3/videos", upload_session, methods=["POST"]),
        Route("/upload/youtube/v3/videos", upload_bytes, methods=["PUT"], name="youtube_upload"),
        Route("/youtube/v3/videos", videos, methods=["GET", "DELETE"]),
        Route("/youtube/v3/playlistItems", playlist_items),
    ]
