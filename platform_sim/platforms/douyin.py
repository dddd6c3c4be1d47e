"""Douyin open platform (open.douyin.com): OAuth2 and publishing on behalf of a user.

OAuth: /platform/oauth/connect/ (client_key) -> /oauth/access_token/ (access 15 days, refresh 30 days,
open_id) -> /oauth/refresh_token/ (new access token, same refresh token) -> /oauth/renew_refresh_token/
(a new refresh token, at most 5 renewals, then the user must authorise again).
Content: /api/douyin/v1/video/upload_video/ and upload_image/ (multipart), or for large videos
init_video_part_upload/ -> upload_video_part/ (upload_id, part_number) -> complete_video_part_upload/;
create_video/ (video_id) and
create_image_text/ (image_list), video_list/, video_data/, delete_video/; `open_id` in the query and the
token in the `access-token` header.
Errors: {"data": {"error_code", "description"}, "extra": {"error_code", "description", "logid"}};
codes used here: 2190008 access_token expired, 2190002 access_token invalid, 10010 refresh_token expired,
2100004 system busy, 2100005 parameter error, 2100007 rate limit (y: not re-checked against the docs).

Data (数据开放服务, operations `metrics_account` / `metrics_post`, figures from platform_sim.metrics):
/data/external/user/{fans,item,profile,like,comment,share}/?open_id&date_type=7|15|30 answer
`data.result_list` [{date, <figures>}] for the last date_type days up to yesterday (T+1, Beijing days);
Douyin produces a user's data only from the day after the authorisation (earlier days are left out), and
below the account option `metrics_min_followers` refuses with error_code 2100020 (y: Douyin documents
the minimum, 100 to 1,000 fans depending on the API, not the code it answers). /data/external/item/base/
?open_id&item_id answers `data.result` {total_play, total_like, total_comment, total_share,
avg_play_duration}. A name in `metrics_removed` is a field no longer sent.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

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
from ..state import Account, Post
from . import cn_metrics as cm

ERRORS = {
    "rate_limited": (2100007, "rate limit exceeded"),
    "server_error": (2100004, "system busy"),
    "timeout": (2100004, "system busy"),
    "token_expired": (2190008, "access_token expired"),
    "token_revoked": (2190002, "access_token invalid (authorisation cancelled)"),
    "token_invalid": (2190002, "access_token invalid"),
    "bad_request": (2100005, "parameter error"),
    "not_found": (2100005, "item not found"),
    "forbidden": (2190004, "application not authorised for this scope"),
}
MAX_RENEWALS = 5
MAX_VIDEO_BYTES = 128 * 1024 * 1024  # single-request upload; larger files use part upload
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def _body(code: int, description: str, data: dict | None = None) -> dict:
    return {
        "data": {**(data or {}), "error_code": code, "description": description},
        "extra": {
            "error_code": code,
            "description": description,
            "sub_error_code": 0,
            "logid": f"sim{int(time.time() * 1000)}",
            "now": int(time.time()),
        },
    }


def douyin_error(kind: str, message: str, status: int | None = None) -> Response:
    code, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    default_status = {"rate_limited": 429, "server_error": 500, "timeout": 504}.get(kind, 200)
    if kind.startswith("token_"):
        default_status = 401
    return JSONResponse(_body(code, text), status_code=status or default_status)


def ok(data: dict) -> JSONResponse:
    return JSONResponse(_body(0, "", data))


async def header_token(request: Request) -> str:
    value = request.headers.get("access-token", "")
    if not value and "form" in request.headers.get("content-type", ""):
        got = (await request.form()).get("access_token")
        value = got if isinstance(got, str) else ""
    return value or request.query_params.get("access_token", "")


SPEC = PlatformSpec(
    key="douyin",
    display_name="Douyin",
    access_ttl=15 * 86400.0,
    refresh_ttl=30 * 86400.0,
    refresh_rotates=False,
    token_from=header_token,
    error=douyin_error,
)


def _oauth_failure(exc: OAuthError) -> Response:
    code = {"token_expired": 10010, "token_revoked": 10010, "token_invalid": 10008}.get(exc.kind, 10007)
    return JSONResponse({"data": {"error_code": code, "description": exc.message}, "message": "error"})


def _token_data(account, access, refresh_value: str, refresh_expires_at: float) -> dict:
    return {
        "access_token": access.value,
        "expires_in": int(account.access_ttl),
        "open_id": account.external_id,
        "refresh_token": refresh_value,
        "refresh_expires_in": max(0, int(refresh_expires_at - time.time())),
        "scope": "user_info,video.create,video.data",
    }


@operation(SPEC, "token", auth=False, account_hint=account_from_param("code"))
async def access_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    try:
        account, access, refresh = redeem_code(
            ctx,
            code=p.get("code", ""),
            client_id=p.get("client_key", ""),
            client_secret=p.get("client_secret", ""),
        )
    except OAuthError as exc:
        return _oauth_failure(exc)
    data = _token_data(account, access, refresh.value, refresh.expires_at)
    return JSONResponse({"data": {**data, "error_code": 0, "description": ""}, "message": "success"})


@operation(SPEC, "refresh", auth=False, account_hint=account_from_param("refresh_token"))
async def refresh_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    try:
        account, access, _ = refresh_account(ctx, p.get("refresh_token", ""))
    except OAuthError as exc:
        return _oauth_failure(exc)
    token = ctx.state.tokens[p["refresh_token"]]
    data = _token_data(account, access, token.value, token.expires_at)
    return JSONResponse({"data": {**data, "error_code": 0, "description": ""}, "message": "success"})


@operation(SPEC, "renew_refresh", auth=False, account_hint=account_from_param("refresh_token"))
async def renew_refresh_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    old = ctx.state.tokens.get(p.get("refresh_token", ""))
    if old is None or old.kind != "refresh" or old.platform != "douyin" or old.used or old.revoked:
        return JSONResponse(
            {"data": {"error_code": 10008, "description": "refresh_token invalid"}, "message": "error"}
        )
    if old.expired:
        return JSONResponse(
            {"data": {"error_code": 10010, "description": "refresh_token expired"}, "message": "error"}
        )
    account = ctx.state.account("douyin", old.account_id)
    if account.refresh_renewals >= MAX_RENEWALS:
        return JSONResponse(
            {
                "data": {"error_code": 10020, "description": "refresh_token renewals exhausted"},
                "message": "error",
            }
        )
    account.refresh_renewals += 1
    old.used = True
    new = ctx.state.issue(account, "refresh")
    return JSONResponse(
        {
            "data": {
                "refresh_token": new.value,
                "expires_in": int(account.refresh_ttl),
                "error_code": 0,
                "description": "",
            },
            "message": "success",
        }
    )


@operation(SPEC, "profile")
async def userinfo(request: Request, ctx: Ctx) -> Response:
    a = ctx.account
    return JSONResponse(
        {
            "data": {
                "open_id": a.external_id,
                "union_id": f"u{a.external_id}",
                "nickname": a.handle,
                "avatar": f"https://p3.douyinpic.com/{a.external_id}.jpeg",
                "e_account_role": "",
                "error_code": 0,
                "description": "",
            },
            "message": "success",
        }
    )


def _check_open_id(request: Request, ctx: Ctx) -> Response | None:
    if request.query_params.get("open_id") != ctx.account.external_id:
        return ctx.error("bad_request", "open_id does not match the access token")
    return None


@operation(SPEC, "upload")
async def upload_video(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    video = (await request.form()).get("video")
    if video is None or isinstance(video, str):
        return ctx.error("bad_request", "video file is required")
    data = await video.read()
    if len(data) > MAX_VIDEO_BYTES:
        return ctx.error("bad_request", "video too large for single upload")
    media = ctx.state.add_media(
        ctx.account,
        kind="video",
        data=data,
        content_type=video.content_type or "",
        id=f"v0{ctx.state.next_id()}x",
        filename=video.filename or "",
    )
    return ok({"video": {"video_id": media.id, "width": 1080, "height": 1920}})


@operation(SPEC, "upload")
async def upload_image(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    image = (await request.form()).get("image")
    if image is None or isinstance(image, str):
        return ctx.error("bad_request", "image file is required")
    data = await image.read()
    if len(data) > MAX_IMAGE_BYTES:
        return ctx.error("bad_request", "image too large")
    media = ctx.state.add_media(
        ctx.account,
        kind="image",
        data=data,
        content_type=image.content_type or "",
        filename=image.filename or "",
    )
    return ok({"image": {"image_id": media.id, "width": 1080, "height": 1440}})


@operation(SPEC, "upload")
async def init_part_upload(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    media = ctx.state.add_media(
        ctx.account, kind="video", size=0, complete=False, id=f"up{ctx.state.next_id()}"
    )
    return ok({"upload_id": media.id})


@operation(SPEC, "upload")
async def upload_part(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    media = ctx.state.get_media("douyin", request.query_params.get("upload_id", ""))
    if media is None or media.account_id != ctx.account.external_id or media.complete:
        return ctx.error("bad_request", "upload_id is invalid")
    part = request.query_params.get("part_number", "")
    video = (await request.form()).get("video")
    if not part.isdigit() or int(part) < 1 or video is None or isinstance(video, str):
        return ctx.error("bad_request", "part_number (from 1) and the video part are required")
    media.parts[int(part)] = len(await video.read())
    return ok({})


@operation(SPEC, "upload")
async def complete_part_upload(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    upload = ctx.state.get_media("douyin", request.query_params.get("upload_id", ""))
    if upload is None or upload.account_id != ctx.account.external_id or upload.complete:
        return ctx.error("bad_request", "upload_id is invalid")
    if not upload.parts or sorted(upload.parts) != list(range(1, len(upload.parts) + 1)):
        return ctx.error("bad_request", "parts are missing")
    upload.complete = True
    video = ctx.state.add_media(
        ctx.account,
        kind="video",
        size=sum(upload.parts.values()),
        id=f"v0{ctx.state.next_id()}x",
        extra={"parts": len(upload.parts)},
    )
    return ok({"video": {"video_id": video.id, "width": 1080, "height": 1920}})


async def _json(request: Request) -> dict:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _own_media(ctx: Ctx, media_id: str, kind: str) -> bool:
    media = ctx.state.get_media("douyin", media_id)
    return media is not None and media.kind == kind and media.account_id == ctx.account.external_id


@operation(SPEC, "publish")
async def create_video(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    body = await _json(request)
    video_id = body.get("video_id", "")
    if not _own_media(ctx, video_id, "video"):
        return ctx.error("bad_request", "video_id is invalid")
    post = ctx.state.add_post(
        ctx.account,
        text=body.get("text", ""),
        media_ids=[video_id],
        kind="video",
        id=f"@9Vw{ctx.state.next_id()}",
        extra={"cover_tsp": body.get("cover_tsp")},
    )
    return ok({"item_id": post.id})


@operation(SPEC, "publish")
async def create_image_text(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    body = await _json(request)
    image_ids = [i.get("image_id", "") for i in body.get("image_list") or [] if isinstance(i, dict)]
    if not image_ids or not all(_own_media(ctx, i, "image") for i in image_ids):
        return ctx.error("bad_request", "image_list is invalid")
    post = ctx.state.add_post(
        ctx.account,
        text=body.get("text", ""),
        media_ids=image_ids,
        kind="image",
        id=f"@9Vw{ctx.state.next_id()}",
    )
    return ok({"item_id": post.id})


def _item(post: Post) -> dict:
    return {
        "item_id": post.id,
        "title": post.text,
        "create_time": int(post.created_at),
        "share_url": f"https://www.iesdouyin.com/share/video/{post.id}/",
        "media_type": 4 if post.kind == "video" else 2,
        "is_top": False,
        "statistics": {"digg_count": 0, "comment_count": 0, "share_count": 0, "play_count": 0},
    }


@operation(SPEC, "list")
async def video_list(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    cursor = int(request.query_params.get("cursor", 0))
    count = min(int(request.query_params.get("count", 10)), 20)
    posts = ctx.state.posts_of("douyin", ctx.account.external_id)
    page = posts[cursor : cursor + count]
    return ok(
        {
            "list": [_item(p) for p in page],
            "cursor": cursor + len(page),
            "has_more": cursor + len(page) < len(posts),
        }
    )


@operation(SPEC, "lookup")
async def video_data(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    ids = (await _json(request)).get("item_ids") or []
    found = [ctx.state.get_post("douyin", i) for i in ids]
    return ok({"list": [_item(p) for p in found if p and p.account_id == ctx.account.external_id]})


@operation(SPEC, "delete")
async def delete_video(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    item_id = (await _json(request)).get("item_id", "")
    post = ctx.state.get_post("douyin", item_id)
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    post.deleted = True
    return ok({})


# --- data (数据开放服务) ---

THRESHOLD_CODE = 2100020  # (y)
DATE_TYPES = (7, 15, 30)


def _user_day(kind: str, ctx: Ctx, account: Account, day) -> dict:
    d = cm.account_day(account, day)
    if kind == "fans":
        return {"new_fans": d["new_followers"], "total_fans": cm.followers_at_end(account, day)}
    if kind == "item":
        posts = ctx.state.posts_of("douyin", account.external_id)
        issued = [p for p in posts if p.created_at < cm.day_end(day)]
        new = [p for p in issued if cm.beijing_date(p.created_at) == day]
        return {"new_issue": len(new), "new_play": d["views"], "total_issue": len(issued)}
    if kind == "profile":
        return {"profile_uv": d["profile_visits"]}
    return {
        "like": {"new_like": d["reach"] // 15},
        "comment": {"new_comment": d["reach"] // 100},
        "share": {"new_share": d["reach"] // 120},
    }[kind]


def user_data(kind: str):
    @operation(SPEC, "metrics_account")
    async def handler(request: Request, ctx: Ctx) -> Response:
        if bad := _check_open_id(request, ctx):
            return bad
        try:
            date_type = int(request.query_params.get("date_type", ""))
        except ValueError:
            date_type = 0
        if date_type not in DATE_TYPES:
            return ctx.error("bad_request", "date_type must be 7, 15 or 30")
        account = ctx.account
        if cm.metrics.below_threshold(account.options, account.followers):
            return JSONResponse(_body(THRESHOLD_CODE, "fans count below the minimum: no data for this user"))
        first = cm.beijing_date(account.created_at) + timedelta(days=1)  # data from the day after authorising
        last = cm.yesterday()
        days = [last - timedelta(days=n) for n in range(date_type - 1, -1, -1)]
        rows = [
            {"date": day.isoformat(), **cm.without_removed(account, _user_day(kind, ctx, account, day))}
            for day in days
            if day >= first
        ]
        return ok({"result_list": rows})

    handler.__name__ = f"user_{kind}"
    return handler


@operation(SPEC, "metrics_post")
async def item_base(request: Request, ctx: Ctx) -> Response:
    if bad := _check_open_id(request, ctx):
        return bad
    post = ctx.state.get_post("douyin", request.query_params.get("item_id", ""))
    if post is None or post.deleted or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    f = cm.post_figures(ctx.account, post)
    result = {
        "total_play": f["video_plays"],
        "total_like": f["likes"],
        "total_comment": f["comments"],
        "total_share": f["shares"],
        "avg_play_duration": round(f["watch_seconds"] / f["video_plays"], 2) if f["video_plays"] else 0.0,
    }
    return ok({"result": cm.without_removed(ctx.account, result)})


def routes() -> list[Route]:
    return [
        Route(
            "/platform/oauth/connect/",
            consent_endpoint(SPEC, client_id_param="client_key"),
            methods=["GET", "POST"],
        ),
        Route("/oauth/access_token/", access_token, methods=["POST"]),
        Route("/oauth/refresh_token/", refresh_token, methods=["POST"]),
        Route("/oauth/renew_refresh_token/", renew_refresh_token, methods=["POST"]),
        Route("/oauth/userinfo/", userinfo, methods=["POST"]),
        Route("/api/douyin/v1/video/upload_video/", upload_video, methods=["POST"]),
        Route("/api/douyin/v1/video/upload_image/", upload_image, methods=["POST"]),
        Route("/api/douyin/v1/video/init_video_part_upload/", init_part_upload, methods=["POST"]),
        Route("/api/douyin/v1/video/upload_video_part/", upload_part, methods=["POST"]),
        Route("/api/douyin/v1/video/complete_video_part_upload/", complete_part_upload, methods=["POST"]),
        Route("/api/douyin/v1/video/create_video/", create_video, methods=["POST"]),
        Route("/api/douyin/v1/video/create_image_text/", create_image_text, methods=["POST"]),
        Route("/api/douyin/v1/video/video_list/", video_list),
        Route("/api/douyin/v1/video/video_data/", video_data, methods=["POST"]),
        Route("/api/douyin/v1/video/delete_video/", delete_video, methods=["POST"]),
        *(
            Route(f"/data/external/user/{kind}/", user_data(kind))
            for kind in ("fans", "item", "profile", "like", "comment", "share")
        ),
        Route("/data/external/item/base/", item_base),
    ]
