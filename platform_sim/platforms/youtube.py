"""YouTube Data API v3 (www.googleapis.com) with Google OAuth (accounts.google.com, oauth2.googleapis.com).

- `/o/oauth2/v2/auth` consent; the token endpoint is `/token` (oauth2.googleapis.com/token, the current
  one) and `/o/oauth2/token` (accounts.google.com's legacy path, which Google still answers):
  authorization_code and refresh_token grants; Google sends no new refresh token on refresh. Access
  tokens 1 h.
- `videos.insert` (`POST /upload/youtube/v3/videos?part=...`), the two protocols the discovery document
  lists with metadata:
  - `uploadType=resumable`: the video resource as JSON (`X-Upload-Content-Length`/`-Type` optional) ->
    200 and a `Location` session URL; `PUT` the bytes there, whole or in `Content-Range` chunks (308
    Resume Incomplete with `Range` until the last one; `Content-Range: bytes */total` asks where it
    stands). No Content-Type is needed on the PUT (googleapiclient sends none). The last PUT is the
    `publish` step.
  - `uploadType=multipart`: one `multipart/related` body, the JSON resource then the media part (the
    `publish` step itself).
- `GET/DELETE /youtube/v3/videos?id=`, `GET /youtube/v3/channels?mine=true`, `GET /youtube/v3/playlistItems`
  (the channel's uploads playlist is "UU" + the channel id without its "UC").
- Quota: 10,000 units a day, an insert costs 1,600 -> 403 quotaExceeded. YouTube's quota is the project's
  (our app's: the connector says scope "app"); the simulator keeps it per account (option `daily_quota`)
  so tests stay independent of each other.
Errors: {"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import metrics
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
from ..state import Account, Media, Post
from . import figures

# Google's 401: a generic top-level message, "Invalid Credentials" in the detail.
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
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
# videos.insert's `mediaUpload.accept` in the discovery document.
VIDEO_TYPES = ("video/", "application/octet-stream")


def youtube_error(kind: str, message: str, status: int | None = None) -> Response:
    code, domain, reason, grpc, default = ERRORS[kind]
    if grpc == "UNAUTHENTICATED":
        return _error(status or code, domain, reason, grpc, UNAUTHENTICATED, detail=default)
    text = default if message in (kind.replace("_", " "), "") else message
    return _error(status or code, domain, reason, grpc, text)


def _error(code: int, domain: str, reason: str, grpc: str, message: str, detail: str = "") -> Response:
    return JSONResponse(
        {
            "error": {
                "code": code,
                "message": message,
                "errors": [{"message": detail or message, "domain": domain, "reason": reason}],
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


def uploads_playlist(channel_id: str) -> str:
    return "UU" + channel_id[2:]


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


def three_significant(count: int) -> int:
    """Subscriber counts are public only rounded down to three significant figures (YouTube, 2019)."""
    if count < 1000:
        return count
    scale = 10 ** (len(str(count)) - 3)
    return count // scale * scale


def _channel_statistics(ctx: Ctx, account: Account) -> dict:
    posts = ctx.state.posts_of("youtube", account.external_id)
    counts = {
        "viewCount": str(sum(figures.post_figures(ctx.state, p)["views"] for p in posts)),
        "subscriberCount": str(three_significant(figures.followers_at(account, figures.clock(account)))),
        "videoCount": str(len(posts)),
    }
    return {
        **{k: v for k, v in counts.items() if not figures.removed(account, k)},
        "hiddenSubscriberCount": False,
    }


async def _channels_op(request: Request) -> str:
    return "metrics_account" if _parts(request) == {"statistics"} else "profile"


def _public_key_missing(request: Request, ctx: Ctx) -> Response | None:
    """A public read without an OAuth token needs the project's API key (`key`); the simulator takes any."""
    if ctx.account is None and not request.query_params.get("key"):
        return _error(
            403,
            "global",
            "forbidden",
            "PERMISSION_DENIED",
            "The request is missing a valid API key.",
        )
    return None


@operation(SPEC, _channels_op, public=True)
async def channels(request: Request, ctx: Ctx) -> Response:
    """channels.list: `mine=true` (OAuth), or public with an API key: `forHandle=@h` or `id=UC...`
    (unknown ones: no items, as YouTube answers)."""
    q = request.query_params
    if q.get("mine") == "true" and ctx.account is not None:
        account = ctx.account
    elif q.get("forHandle") or q.get("id"):
        missing = _public_key_missing(request, ctx)
        if missing:
            return missing
        wanted = q.get("forHandle", "").lstrip("@")
        account = (
            ctx.state.account_by_handle("youtube", wanted)
            if wanted
            else ctx.state.account("youtube", q["id"])
        )
        if account is None:
            return JSONResponse(
                {"kind": "youtube#channelListResponse", "pageInfo": {"totalResults": 0}, "items": []}
            )
    else:
        return ctx.error("bad_request", "mine=true, forHandle or id is required here")
    channel_id = account.external_id
    return JSONResponse(
        {
            "kind": "youtube#channelListResponse",
            "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
            "items": [
                {
                    "kind": "youtube#channel",
                    "id": channel_id,
                    "snippet": {
                        "title": account.display_name,
                        "customUrl": f"@{account.handle}",
                        "thumbnails": {"default": {"url": f"https://yt3.ggpht.com/{channel_id}=s88"}},
                    },
                    "statistics": _channel_statistics(ctx, account),
                    "contentDetails": {"relatedPlaylists": {"uploads": uploads_playlist(channel_id)}},
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


def _refuse_resource(ctx: Ctx, resource: dict) -> Response | None:
    """videos.insert's checks on the metadata and the quota, for either upload protocol."""
    if "snippet" not in ctx.request.query_params.get("part", ""):
        return ctx.error("bad_request", "part=snippet,status is required")
    snippet = resource.get("snippet") or {}
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
    return None


def _not_a_video(content_type: str) -> Response | None:
    if content_type and not content_type.lower().startswith(VIDEO_TYPES):
        return _error(
            400, "youtube.video", "invalidVideoFile", "INVALID_ARGUMENT", "The file is not a video."
        )
    return None


async def _insert_operation(request: Request) -> str:
    # A multipart insert creates the video in one request; a resumable one only opens the session.
    return "publish" if request.query_params.get("uploadType") == "multipart" else "upload"


@operation(SPEC, _insert_operation)
async def videos_insert(request: Request, ctx: Ctx) -> Response:
    upload_type = request.query_params.get("uploadType")
    if upload_type == "multipart":
        return await _multipart_insert(request, ctx)
    if upload_type != "resumable":
        return ctx.error("bad_request", "uploadType must be resumable or multipart")
    p = await ctx.params()
    resource = {"snippet": p.get("snippet") or {}, "status": p.get("status") or {}}
    refused = _refuse_resource(ctx, resource) or _not_a_video(
        request.headers.get("x-upload-content-type", "")
    )
    if refused is not None:
        return refused
    declared = request.headers.get("x-upload-content-length")
    try:
        expected = int(declared) if declared else None
    except ValueError:
        return ctx.error("bad_request", "X-Upload-Content-Length must be a number of bytes")
    session = ctx.state.add_media(
        ctx.account,
        kind="video",
        size=0,
        id=f"sess{ctx.state.next_id()}",
        content_type=request.headers.get("x-upload-content-type", ""),
    )
    session.complete = False
    session.extra.update({"resource": resource, "expected": expected, "digest": hashlib.sha256()})
    location = str(request.url_for("youtube_upload")) + f"?uploadType=resumable&upload_id={session.id}"
    return Response(status_code=200, headers={"Location": location})


def _split_related(body: bytes, content_type: str) -> list[tuple[dict[str, str], bytes]] | None:
    """The parts of a multipart/related body (RFC 2387): headers (lower-case names) and bytes. The line
    break before each delimiter belongs to the delimiter (RFC 2046), CRLF or a bare LF alike."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        return None
    delimiter = b"--" + match.group(1).encode()
    chunks = body.split(delimiter)
    parts = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk[1:] if chunk.startswith(b"\n") else chunk
        head_end = re.search(rb"\r?\n\r?\n", chunk)
        if head_end is None:
            head, content = chunk, b""
        else:
            head, content = chunk[: head_end.start()], chunk[head_end.end() :]
        if content.endswith(b"\r\n"):
            content = content[:-2]
        elif content.endswith(b"\n"):
            content = content[:-1]
        headers = {}
        for line in re.split(rb"\r?\n", head):
            name, sep, value = line.decode("latin-1").partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        parts.append((headers, content))
    return parts


async def _multipart_insert(request: Request, ctx: Ctx) -> Response:
    content_type = request.headers.get("content-type", "")
    parts = (
        _split_related(await request.body(), content_type) if "multipart/related" in content_type else None
    )
    if not parts or len(parts) != 2:
        return ctx.error(
            "bad_request", "a multipart upload is multipart/related: the metadata, then the media"
        )
    (meta_headers, meta), (media_headers, data) = parts
    try:
        resource = json.loads(meta or b"{}")
    except ValueError:
        return ctx.error("bad_request", "the metadata part is not JSON")
    if not isinstance(resource, dict):
        return ctx.error("bad_request", "the metadata part is not a video resource")
    resource = {"snippet": resource.get("snippet") or {}, "status": resource.get("status") or {}}
    refused = _refuse_resource(ctx, resource) or _not_a_video(media_headers.get("content-type", ""))
    if refused is not None:
        return refused
    media = ctx.state.add_media(
        ctx.account, kind="video", data=data, content_type=media_headers.get("content-type", "")
    )
    return JSONResponse(_video_json(_store_video(ctx, media, resource)))


def _store_video(ctx: Ctx, media: Media, resource: dict) -> Post:
    snippet = resource.get("snippet") or {}
    return ctx.state.add_post(
        ctx.account,
        text=str(snippet.get("description") or ""),
        title=str(snippet.get("title") or ""),
        kind="video",
        media_ids=[media.id],
        id=video_id(ctx.state.next_id()),
        extra={"resource": resource},
    )


def video_id(n: int) -> str:
    """11 characters of YouTube's base64url alphabet, like dQw4w9WgXcQ."""
    digest = hashlib.sha256(str(n).encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(alphabet[b % 64] for b in digest[:11])


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
            "channelId": post.account_id,
            "title": post.title,
            "description": post.text,
            "tags": snippet.get("tags") or [],
            "categoryId": snippet.get("categoryId", "22"),
        },
        "status": status,
    }


CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


def _resume_incomplete(received: int) -> Response:
    """308 Resume Incomplete: what arrived so far (no Range header while nothing has)."""
    headers = {"Range": f"bytes=0-{received - 1}"} if received else {}
    return Response(status_code=308, headers=headers)


@operation(SPEC, "publish")
async def upload_bytes(request: Request, ctx: Ctx) -> Response:
    session = ctx.state.get_media("youtube", request.query_params.get("upload_id", ""))
    if session is None or session.account_id != ctx.account.external_id:
        return ctx.error("not_found", "The upload session does not exist")
    if session.complete:  # asked again after the end: the video, as the last PUT answered
        post = next(p for p in ctx.state.posts_of("youtube", session.account_id) if session.id in p.media_ids)
        return JSONResponse(_video_json(post))
    data = await request.body()
    expected = session.extra["expected"]
    received = session.size
    header = request.headers.get("content-range", "")
    if header:
        match = CONTENT_RANGE.fullmatch(header.strip())
        if match is None:
            return ctx.error("bad_request", f"Content-Range is not understood: {header}")
        first, last, total = match.groups()
        if total != "*":
            expected = int(total)
        if first is None:  # "bytes */total": where does the upload stand?
            if expected is not None and received == expected and received:
                return _finish(ctx, session)
            return _resume_incomplete(received)
        if int(first) != received or int(last) - int(first) + 1 != len(data):
            return _resume_incomplete(received)  # the client resends from where we are
    elif expected is not None and received + len(data) != expected:
        return ctx.error("bad_request", f"Expected {expected - received} bytes, got {len(data)}")
    else:
        expected = received + len(data)
    session.extra["digest"].update(data)
    session.size = received + len(data)
    session.extra["expected"] = expected
    if expected is None or session.size < expected:
        return _resume_incomplete(session.size)
    if session.size > expected:
        return ctx.error("bad_request", f"Expected {expected} bytes, got {session.size}")
    return _finish(ctx, session)


def _finish(ctx: Ctx, session: Media) -> Response:
    session.complete = True
    session.sha256 = session.extra.pop("digest").hexdigest()
    return JSONResponse(_video_json(_store_video(ctx, session, session.extra["resource"])))


async def _videos_op(request: Request) -> str:
    if request.method == "DELETE":
        return "delete"
    return "metrics_post" if "statistics" in _parts(request) else "lookup"


def _parts(request: Request) -> set[str]:
    return {p.strip() for p in request.query_params.get("part", "").split(",") if p.strip()}


# videos.list part=statistics: each count (a string, as the Data API sends 64-bit numbers) -> its
# growth-model figure; favoriteCount is deprecated and always 0.
VIDEO_STATISTICS = {"viewCount": "views", "likeCount": "likes", "commentCount": "comments"}


def _video_statistics(ctx: Ctx, post: Post) -> dict[str, str]:
    got = figures.post_figures(ctx.state, post)
    account = ctx.state.account("youtube", post.account_id)
    stats = {k: str(got[name]) for k, name in VIDEO_STATISTICS.items() if not figures.removed(account, k)}
    return {**stats, "favoriteCount": "0"}


@operation(SPEC, _videos_op, public=True)
async def videos(request: Request, ctx: Ctx) -> Response:
    """videos.list (public with an API key: unknown or deleted ids are left out) and videos.delete."""
    ids = [i for i in request.query_params.get("id", "").split(",") if i]
    if request.method == "DELETE":
        post = ctx.state.get_post("youtube", ids[0]) if ids and ctx.account else None
        if post is None or post.account_id != ctx.account.external_id:
            return ctx.error("not_found")
        post.deleted = True
        return Response(status_code=204)
    missing = _public_key_missing(request, ctx)
    if missing:
        return missing
    items = [_video_json(p) for i in ids if (p := ctx.state.get_post("youtube", i)) is not None]
    if "statistics" in _parts(request):
        for item in items:
            item["statistics"] = _video_statistics(ctx, ctx.state.get_post("youtube", item["id"]))
    return JSONResponse(
        {
            "kind": "youtube#videoListResponse",
            "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            "items": items,
        }
    )


@operation(SPEC, "list", public=True)
async def playlist_items(request: Request, ctx: Ctx) -> Response:
    """A channel's uploads, newest first (public with an API key); `pageToken` from `nextPageToken`."""
    playlist = request.query_params.get("playlistId", "")
    missing = _public_key_missing(request, ctx)
    if missing:
        return missing
    owner = next(
        (
            a
            for a in ctx.state.accounts.values()
            if a.platform == "youtube" and uploads_playlist(a.external_id) == playlist
        ),
        None,
    )
    if owner is None:
        return _error(
            404, "youtube.playlistItem", "playlistNotFound", "NOT_FOUND", "The playlist cannot be found."
        )
    try:
        limit = min(int(request.query_params.get("maxResults", "5") or 5), 50)
        offset = int(request.query_params.get("pageToken") or 0)
    except ValueError:
        return ctx.error("bad_request", "maxResults must be a number from 0 to 50")
    posts = ctx.state.posts_of("youtube", owner.external_id)
    body = {
        "kind": "youtube#playlistItemListResponse",
        "pageInfo": {"totalResults": len(posts), "resultsPerPage": limit},
        "items": [
            _playlist_item(owner, playlist, offset + position, p)
            for position, p in enumerate(posts[offset : offset + limit])
        ],
    }
    if offset + limit < len(posts):
        body["nextPageToken"] = str(offset + limit)
    return JSONResponse(body)


def _playlist_item(account: Account, playlist: str, position: int, post: Post) -> dict:
    return {
        "kind": "youtube#playlistItem",
        "id": f"{playlist}.{post.id}",
        "snippet": {
            "publishedAt": iso(post.created_at),
            "channelId": account.external_id,
            "title": post.title,
            "description": post.text,
            "playlistId": playlist,
            "position": position,
            "resourceId": {"kind": "youtube#video", "videoId": post.id},
        },
        "contentDetails": {"videoId": post.id, "videoPublishedAt": iso(post.created_at)},
    }


# YouTube Analytics API v2 (youtubeanalytics.googleapis.com/v2/reports): each metric -> how a channel
# day's figure (figures.Day) and a video's lifetime figure (growth-model names) are read. The model has
# no watch time per channel day: half a minute per view.
CHANNEL_DAY_METRICS: dict[str, Callable[[figures.Day], int]] = {
    "views": lambda d: d.figures["views"],
    "estimatedMinutesWatched": lambda d: d.figures["views"] // 2,
    "averageViewDuration": lambda d: 30 if d.figures["views"] else 0,
    "subscribersGained": lambda d: d.figures["new_followers"],
    "subscribersLost": lambda d: 0,
}
VIDEO_METRICS: dict[str, Callable[[dict[str, int]], int]] = {
    "views": lambda f: f["views"],
    "estimatedMinutesWatched": lambda f: f["watch_seconds"] // 60,
    "averageViewDuration": lambda f: f["watch_seconds"] // max(f["views"], 1),
    "likes": lambda f: f["likes"],
    "comments": lambda f: f["comments"],
    "shares": lambda f: f["shares"],
}


def _analytics_error(message: str) -> Response:
    return _error(400, "global", "badRequest", "INVALID_ARGUMENT", message)


async def _reports_op(request: Request) -> str:
    return "metrics_post" if "video==" in request.query_params.get("filters", "") else "metrics_account"


@operation(SPEC, _reports_op)
async def reports(request: Request, ctx: Ctx) -> Response:
    """reports.query: ids=channel==MINE (or the channel's id), startDate, endDate (YYYY-MM-DD), metrics,
    optional dimensions=day and filters=video==ID. Days in the account's `metrics_late_days` have no row
    yet (YouTube's data arrives a few days late)."""
    q = request.query_params
    account = ctx.account
    if q.get("ids") not in ("channel==MINE", f"channel=={account.external_id}"):
        return _analytics_error("Required parameter ids is missing or invalid: use channel==MINE.")
    try:
        start, end = date.fromisoformat(q.get("startDate", "")), date.fromisoformat(q.get("endDate", ""))
    except ValueError:
        return _analytics_error("Required parameters startDate and endDate must be dates (YYYY-MM-DD).")
    names = [m.strip() for m in q.get("metrics", "").split(",") if m.strip()]
    if not names:
        return _analytics_error("Required parameter: metrics")
    video_id = q.get("filters", "").removeprefix("video==") if q.get("filters") else ""
    served = VIDEO_METRICS if video_id else CHANNEL_DAY_METRICS
    for name in names:
        if name not in served or figures.removed(account, name):
            return _analytics_error(f"Unknown identifier ({name}) given in field parameters.metrics.")
    dimension = q.get("dimensions", "")
    headers = [{"name": n, "columnType": "METRIC", "dataType": "INTEGER"} for n in names]
    if video_id:
        post = ctx.state.get_post("youtube", video_id)
        if post is None or post.account_id != account.external_id:
            return _error(403, "global", "forbidden", "PERMISSION_DENIED", "Forbidden")
        got = figures.post_figures(ctx.state, post)
        rows = [[VIDEO_METRICS[n](got) for n in names]]
    else:
        ready = figures.today(account) - timedelta(days=metrics.late_days(account.options))
        days = [d for d in figures.account_days(account, start, end) if d.day <= ready]
        if dimension == "day":
            headers.insert(0, {"name": "day", "columnType": "DIMENSION", "dataType": "STRING"})
            rows = [[d.day.isoformat(), *(CHANNEL_DAY_METRICS[n](d) for n in names)] for d in days]
        else:
            rows = [[sum(CHANNEL_DAY_METRICS[n](d) for d in days) for n in names]] if days else []
    return JSONResponse({"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers, "rows": rows})


def routes() -> list[Route]:
    from .youtube_inbox import routes as inbox_routes  # commentThreads (it imports this module)

    return [
        *inbox_routes(),
        Route("/o/oauth2/v2/auth", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/token", token, methods=["POST"]),  # oauth2.googleapis.com/token
        Route("/o/oauth2/token", token, methods=["POST"]),  # accounts.google.com's legacy path
        Route("/youtube/v3/channels", channels),
        Route("/upload/youtube/v3/videos", videos_insert, methods=["POST"]),
        Route("/upload/youtube/v3/videos", upload_bytes, methods=["PUT"], name="youtube_upload"),
        Route("/youtube/v3/videos", videos, methods=["GET", "DELETE"]),
        Route("/youtube/v3/playlistItems", playlist_items),
        # youtubeanalytics.googleapis.com, on the same mount (its path never meets the Data API's)
        Route("/v2/reports", reports),
    ]
