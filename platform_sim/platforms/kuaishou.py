"""Kuaishou open platform (open.kuaishou.com): OAuth2 and video publishing (scope user_video_publish).

OAuth: /oauth2/authorize (app_id; the code is valid 2 minutes) -> /oauth2/access_token (access 172800 s =
48 h, refresh 15552000 s = 180 days, open_id) -> /oauth2/refresh_token (a new refresh token each time).
Video: /openapi/photo/start_upload (upload_token + endpoint) -> POST http://{endpoint}/api/upload/multipart
(or /api/upload/fragment?fragment_id=0.. then /api/upload/complete?fragment_count=n)
-> /openapi/photo/publish (caption, optional cover) ; /openapi/photo/list, /info, /delete.
`app_id` and `access_token` travel in the query. Answers carry `result` (1 = success) and `error_msg`.
Error codes other than 1 are the simulator's choice (y: not re-checked against the documentation):
100200103 token expired, 100200102 token invalid, 100200104 authorisation cancelled, 100200110 rate
limit, 100200500 system error, 100200100 parameter error, 100200106 photo not found.
Metrics (figures from platform_sim.metrics): photo/list, photo/info and publish answers carry each
video's `view_count`, `like_count`, `comment_count`; user_info carries `fan` (followers). The open
platform offers no account analytics by day. A name in `metrics_removed` is a field no longer sent.
"""

from __future__ import annotations

import secrets
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..kit import (
    Ctx,
    OAuthError,
    PlatformSpec,
    account_from_param,
    consent_endpoint,
    operation,
    redeem_code,
    refresh_account,
)
from ..state import Post
from . import cn_metrics as cm

ERRORS = {
    "rate_limited": (100200110, "request frequency exceeds the limit"),
    "server_error": (100200500, "system error"),
    "timeout": (100200500, "system error"),
    "token_expired": (100200103, "access_token expired"),
    "token_revoked": (100200104, "user cancelled the authorisation"),
    "token_invalid": (100200102, "access_token invalid"),
    "bad_request": (100200100, "parameter error"),
    "not_found": (100200106, "photo not found"),
    "forbidden": (100200105, "scope not authorised"),
}
MAX_SINGLE_UPLOAD = 10 * 1024 * 1024  # larger files use fragment upload


def kuaishou_error(kind: str, message: str, status: int | None = None) -> Response:
    code, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    default_status = {"rate_limited": 429, "server_error": 500, "timeout": 504}.get(kind, 200)
    return JSONResponse({"result": code, "error_msg": text}, status_code=status or default_status)


async def query_token(request: Request) -> str:
    return request.query_params.get("access_token", "")


SPEC = PlatformSpec(
    key="kuaishou",
    display_name="Kuaishou",
    access_ttl=172800.0,
    refresh_ttl=15552000.0,
    code_ttl=120.0,
    refresh_rotates=True,
    token_from=query_token,
    error=kuaishou_error,
)


def _oauth_failure(exc: OAuthError) -> Response:
    code = {"token_expired": 100200103, "token_revoked": 100200104, "token_invalid": 100200102}.get(
        exc.kind, 100200100
    )
    return JSONResponse({"result": code, "error_msg": exc.message})


@operation(SPEC, "token", auth=False, account_hint=account_from_param("code"))
async def access_token(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    if q.get("grant_type") != "authorization_code":
        return ctx.error("bad_request", "grant_type must be authorization_code")
    try:
        account, access, refresh = redeem_code(
            ctx, code=q.get("code", ""), client_id=q.get("app_id", ""), client_secret=q.get("app_secret", "")
        )
    except OAuthError as exc:
        return _oauth_failure(exc)
    return JSONResponse(
        {
            "result": 1,
            "access_token": access.value,
            "expires_in": int(account.access_ttl),
            "refresh_token": refresh.value,
            "refresh_token_expires_in": int(account.refresh_ttl),
            "open_id": account.external_id,
            "scopes": ["user_info", "user_video_publish"],
        }
    )


@operation(SPEC, "refresh", auth=False, account_hint=account_from_param("refresh_token"))
async def refresh_token(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    if not q.get("app_secret"):
        return ctx.error("bad_request", "app_secret is required")
    try:
        account, access, new_refresh = refresh_account(ctx, q.get("refresh_token", ""))
    except OAuthError as exc:
        return _oauth_failure(exc)
    return JSONResponse(
        {
            "result": 1,
            "access_token": access.value,
            "expires_in": int(account.access_ttl),
            "refresh_token": new_refresh.value,
            "refresh_token_expires_in": int(account.refresh_ttl),
            "scopes": ["user_info", "user_video_publish"],
        }
    )


@operation(SPEC, "profile")
async def user_info(request: Request, ctx: Ctx) -> Response:
    a = ctx.account
    info = {
        "name": a.handle,
        "sex": "U",
        "fan": a.followers,
        "follow": 0,
        "head": f"https://p1.a.yximgs.com/{a.external_id}.jpg",
        "bigHead": f"https://p1.a.yximgs.com/{a.external_id}_b.jpg",
        "city": "",
    }
    if cm.removed(a, "fan"):
        del info["fan"]
    return JSONResponse({"result": 1, "user_info": info})


@operation(SPEC, "upload")
async def start_upload(request: Request, ctx: Ctx) -> Response:
    token = secrets.token_urlsafe(12)
    ctx.state.add_media(ctx.account, kind="video", size=0, id=token, complete=False)
    endpoint = f"{request.url.netloc}{request.scope.get('root_path', '')}/upload"
    return JSONResponse({"result": 1, "upload_token": token, "endpoint": endpoint})


async def upload_multipart(request: Request) -> Response:
    """The upload host: no access token, the upload_token authorises."""
    sim = request.app.state.sim
    media = sim.state.get_media("kuaishou", request.query_params.get("upload_token", ""))
    sim.state.requests[("kuaishou", "upload", media.account_id if media else "")] += 1
    if media is None:
        return JSONResponse({"result": 100200100, "error_msg": "upload_token invalid"})
    file = (await request.form()).get("file")
    if file is None or isinstance(file, str):
        return JSONResponse({"result": 100200100, "error_msg": "file is required"})
    data = await file.read()
    if len(data) > MAX_SINGLE_UPLOAD:
        return JSONResponse({"result": 100200100, "error_msg": "file over 10 MB: use fragment upload"})
    media.size, media.content_type, media.complete = len(data), file.content_type or "", True
    return JSONResponse({"result": 1})


async def upload_fragment(request: Request) -> Response:
    """Fragment upload on the upload host: ?upload_token&fragment_id (from 0), raw bytes in the body."""
    sim = request.app.state.sim
    media = sim.state.get_media("kuaishou", request.query_params.get("upload_token", ""))
    sim.state.requests[("kuaishou", "upload", media.account_id if media else "")] += 1
    fragment = request.query_params.get("fragment_id", "")
    if media is None or media.complete or not fragment.isdigit():
        return JSONResponse({"result": 100200100, "error_msg": "upload_token or fragment_id invalid"})
    media.parts[int(fragment)] = len(await request.body())
    return JSONResponse({"result": 1})


async def upload_complete(request: Request) -> Response:
    sim = request.app.state.sim
    media = sim.state.get_media("kuaishou", request.query_params.get("upload_token", ""))
    sim.state.requests[("kuaishou", "upload", media.account_id if media else "")] += 1
    count = request.query_params.get("fragment_count", "")
    if media is None or not count.isdigit() or sorted(media.parts) != list(range(int(count))):
        return JSONResponse({"result": 100200100, "error_msg": "fragments missing"})
    media.size, media.complete = sum(media.parts.values()), True
    return JSONResponse({"result": 1})


def _video_info(ctx: Ctx, post: Post) -> dict:
    figures = cm.post_figures(ctx.account, post)
    counts = {
        "like_count": figures["likes"],
        "comment_count": figures["comments"],
        "view_count": figures["views"],
    }
    return {
        "photo_id": post.id,
        "caption": post.text,
        "cover": f"https://p2.a.yximgs.com/{post.id}.jpg",
        "play_url": f"https://www.kuaishou.com/short-video/{post.id}",
        "create_time": int(post.created_at * 1000),
        **cm.without_removed(ctx.account, counts),
        "pending": False,
    }


@operation(SPEC, "publish")
async def publish(request: Request, ctx: Ctx) -> Response:
    media = ctx.state.get_media("kuaishou", request.query_params.get("upload_token", ""))
    if media is None or media.account_id != ctx.account.external_id or not media.complete:
        return ctx.error("bad_request", "upload_token invalid or the upload is not complete")
    form = await request.form()
    caption = form.get("caption")
    caption = caption if isinstance(caption, str) else ""
    media_ids = [media.id]
    cover = form.get("cover")
    if cover is not None and not isinstance(cover, str):
        data = await cover.read()
        media_ids.append(
            ctx.state.add_media(
                ctx.account, kind="image", data=data, content_type=cover.content_type or ""
            ).id
        )
    post = ctx.state.add_post(
        ctx.account, text=caption, media_ids=media_ids, kind="video", id=f"3x{secrets.token_hex(6)}"
    )
    return JSONResponse({"result": 1, "video_info": _video_info(ctx, post)})


@operation(SPEC, "list")
async def photo_list(request: Request, ctx: Ctx) -> Response:
    count = min(int(request.query_params.get("count", 20)), 200)
    posts = ctx.state.posts_of("kuaishou", ctx.account.external_id)[:count]
    return JSONResponse({"result": 1, "video_list": [_video_info(ctx, p) for p in posts]})


@operation(SPEC, "lookup")
async def photo_info(request: Request, ctx: Ctx) -> Response:
    post = ctx.state.get_post("kuaishou", request.query_params.get("photo_id", ""))
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    return JSONResponse({"result": 1, "video_info": _video_info(ctx, post)})


@operation(SPEC, "delete")
async def photo_delete(request: Request, ctx: Ctx) -> Response:
    post = ctx.state.get_post("kuaishou", request.query_params.get("photo_id", ""))
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    post.deleted = True
    return JSONResponse({"result": 1})


@operation(SPEC, "count")
async def photo_count(request: Request, ctx: Ctx) -> Response:
    posts = ctx.state.posts_of("kuaishou", ctx.account.external_id)
    return JSONResponse(
        {
            "result": 1,
            "public_count": len(posts),
            "friend_count": 0,
            "private_count": 0,
            "all_count": len(posts),
            "now": int(time.time() * 1000),
        }
    )


def routes() -> list[Route]:
    return [
        Route("/oauth2/authorize", consent_endpoint(SPEC, client_id_param="app_id"), methods=["GET", "POST"]),
        Route("/oauth2/access_token", access_token),
        Route("/oauth2/refresh_token", refresh_token),
        Route("/openapi/user_info", user_info),
        Route("/openapi/photo/start_upload", start_upload, methods=["POST"]),
        Route("/upload/api/upload/multipart", upload_multipart, methods=["POST"]),
        Route("/upload/api/upload/fragment", upload_fragment, methods=["POST"]),
        Route("/upload/api/upload/complete", upload_complete, methods=["POST"]),
        Route("/openapi/photo/publish", publish, methods=["POST"]),
        Route("/openapi/photo/list", photo_list),
        Route("/openapi/photo/info", photo_info),
        Route("/openapi/photo/delete", photo_delete, methods=["POST"]),
        Route("/openapi/photo/count", photo_count),
    ]
