"""Bilibili open platform (open.bilibili.com): OAuth2, video submissions (服务端视频稿件投递), 专栏 articles.

Hosts in reality: account.bilibili.com (authorize page), api.bilibili.com (tokens), member.bilibili.com
(/arcopen/fn/...), openupos.bilivideo.com (chunk upload); here they all live under /bilibili.
- OAuth: /pc/account-pc/auth/oauth?client_id&gourl&state -> /x/account-oauth2/v1/token ->
  /x/account-oauth2/v1/refresh_token (a new refresh token each time).
- Signed requests: access-token header plus x-bili-accesskeyid, x-bili-content-md5 (MD5 of the body),
  x-bili-signature-method, x-bili-signature-nonce, x-bili-signature-version, x-bili-timestamp and an
  Authorization HMAC. The simulator checks the headers are there and the body MD5 matches; it does not
  know the app secret, so it cannot check the HMAC itself.
- Video: /arcopen/fn/archive/video/init -> /video/v2/part/upload (chunks)
  -> /arcopen/fn/archive/video/complete -> /arcopen/fn/archive/cover/upload
  -> /arcopen/fn/archive/add-by-utoken; view, viewlist, delete.
- Articles: /arcopen/fn/article/upload/image, add, edit, delete, detail, list.
- Data (数据开放服务, figures from platform_sim.metrics): /arcopen/fn/data/user/stat (operation
  `metrics_account`: following, follower, arc_passed_total) and /arcopen/fn/data/arc/stat?resource_id
  (`metrics_post`: view, danmaku, reply, favorite, coin, share, like). A name in `metrics_removed` is a
  field no longer sent.
Answers: {"code": 0, "message": "0", "data": ...}. Error codes are Bilibili's usual ones (y): -101 token
invalid/expired, -400 bad request, -403 forbidden, -404 not found, -500 server error, -509 too frequent.
"""

from __future__ import annotations

import hashlib
import json
import secrets

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
from . import cn_metrics as cm

ERRORS = {
    "rate_limited": (-509, "request too frequent"),
    "server_error": (-500, "server error"),
    "timeout": (-504, "service timeout"),
    "token_expired": (-101, "access_token expired"),
    "token_revoked": (-101, "authorisation revoked"),
    "token_invalid": (-101, "access_token invalid"),
    "bad_request": (-400, "bad request"),
    "not_found": (-404, "not found"),
    "forbidden": (-403, "access denied"),
}
SIGN_HEADERS = (
    "x-bili-accesskeyid",
    "x-bili-content-md5",
    "x-bili-signature-method",
    "x-bili-signature-nonce",
    "x-bili-signature-version",
    "x-bili-timestamp",
)
VIDEO_TITLE_LIMIT = 80
ARTICLE_TITLE_LIMIT = 40
DESC_LIMIT = 2000


def bilibili_error(kind: str, message: str, status: int | None = None) -> Response:
    code, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    default_status = {"rate_limited": 429, "server_error": 500, "timeout": 504}.get(kind, 200)
    if kind.startswith("token_"):
        default_status = 401
    return JSONResponse(
        {"code": code, "message": text, "request_id": secrets.token_hex(8)},
        status_code=status or default_status,
    )


def ok(data: dict | None = None) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "0", "request_id": secrets.token_hex(8), "data": data or {}})


async def header_token(request: Request) -> str:
    return request.headers.get("access-token", "")


SPEC = PlatformSpec(
    key="bilibili",
    display_name="Bilibili",
    access_ttl=30 * 86400.0,  # (y) lifetime not stated in what we could read
    refresh_ttl=60 * 86400.0,
    refresh_rotates=True,
    token_from=header_token,
    error=bilibili_error,
)


async def _check_signature(request: Request, ctx: Ctx) -> Response | None:
    missing = [h for h in SIGN_HEADERS if not request.headers.get(h)]
    if missing or not request.headers.get("authorization"):
        return ctx.error("bad_request", f"missing signature headers: {', '.join(missing) or 'authorization'}")
    body = await request.body()
    if hashlib.md5(body).hexdigest() != request.headers["x-bili-content-md5"]:  # noqa: S324 - Bilibili's scheme
        return ctx.error("bad_request", "x-bili-content-md5 does not match the body")
    return None


def signed(op: str):
    """operation() plus the signature-header check for /arcopen endpoints."""

    def wrap(handler):
        async def checked(request: Request, ctx: Ctx) -> Response:
            if bad := await _check_signature(request, ctx):
                return bad
            return await handler(request, ctx)

        checked.__name__ = handler.__name__
        return operation(SPEC, op)(checked)

    return wrap


def _oauth_failure(exc: OAuthError) -> Response:
    return JSONResponse({"code": -101 if exc.kind.startswith("token") else -400, "message": exc.message})


@operation(SPEC, grant_operation(), auth=False, account_hint=account_from_param("code", "refresh_token"))
async def token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    try:
        if ctx.operation == "refresh":
            account, access, refresh = refresh_account(ctx, p.get("refresh_token", ""))
        else:
            account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=p.get("client_id", ""),
                client_secret=p.get("client_secret", ""),
            )
    except OAuthError as exc:
        return _oauth_failure(exc)
    return ok(
        {
            "access_token": access.value,
            "expires_in": int(access.expires_at),
            "refresh_token": refresh.value,
            "openid": account.external_id,
        }
    )


async def _json(request: Request) -> dict:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@signed("profile")
async def account_info(request: Request, ctx: Ctx) -> Response:
    a = ctx.account
    return ok(
        {
            "name": a.handle,
            "face": f"https://i0.hdslb.com/bfs/face/{a.external_id}.jpg",
            "openid": a.external_id,
        }
    )


@signed("upload")
async def video_init(request: Request, ctx: Ctx) -> Response:
    body = await _json(request)
    if not body.get("name"):
        return ctx.error("bad_request", "name (the file name) is required")
    upload_token = secrets.token_hex(16)
    ctx.state.add_media(
        ctx.account,
        kind="video",
        size=0,
        id=upload_token,
        complete=False,
        filename=body["name"],
        extra={"utype": body.get("utype", 0)},
    )
    return ok({"upload_token": upload_token})


async def part_upload(request: Request) -> Response:
    """openupos.bilivideo.com: the upload_token authorises, no access token."""
    sim = request.app.state.sim
    media = sim.state.get_media("bilibili", request.query_params.get("upload_token", ""))
    sim.state.requests[("bilibili", "upload", media.account_id if media else "")] += 1
    if media is None or media.complete:
        return JSONResponse({"code": -400, "message": "upload_token invalid"})
    try:
        part = int(request.query_params.get("part_number", "0"))
    except ValueError:
        part = 0
    if part < 1:
        return JSONResponse({"code": -400, "message": "part_number starts at 1"})
    media.parts[part] = len(await request.body())
    return JSONResponse({"code": 0, "message": "0"})


@signed("merge")
async def video_complete(request: Request, ctx: Ctx) -> Response:
    media = ctx.state.get_media("bilibili", request.query_params.get("upload_token", ""))
    if media is None or media.account_id != ctx.account.external_id:
        return ctx.error("bad_request", "upload_token invalid")
    if not media.parts or sorted(media.parts) != list(range(1, len(media.parts) + 1)):
        return ctx.error("bad_request", "parts missing")
    media.size, media.complete = sum(media.parts.values()), True
    return ok()


async def _image_upload(request: Request, ctx: Ctx, purpose: str) -> Response:
    file = (await request.form()).get("file")
    if file is None or isinstance(file, str):
        return ctx.error("bad_request", "file is required")
    data = await file.read()
    media = ctx.state.add_media(
        ctx.account,
        kind="image",
        data=data,
        content_type=file.content_type or "",
        filename=file.filename or "",
        extra={"purpose": purpose},
    )
    return ok({"url": f"https://archive.biliimg.com/bfs/{purpose}/{media.id}.jpg"})


@signed("upload")
async def cover_upload(request: Request, ctx: Ctx) -> Response:
    return await _image_upload(request, ctx, "archive")


@signed("upload")
async def article_image_upload(request: Request, ctx: Ctx) -> Response:
    return await _image_upload(request, ctx, "article")


def _media_id_from_url(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".jpg")


@signed("publish")
async def archive_add(request: Request, ctx: Ctx) -> Response:
    media = ctx.state.get_media("bilibili", request.query_params.get("upload_token", ""))
    if media is None or media.account_id != ctx.account.external_id or not media.complete:
        return ctx.error("bad_request", "upload_token invalid or the video is not merged")
    body = await _json(request)
    title, desc = body.get("title", ""), body.get("desc", "")
    if not title or len(title) > VIDEO_TITLE_LIMIT:
        return ctx.error("bad_request", f"title is required, at most {VIDEO_TITLE_LIMIT} characters")
    if len(desc) > DESC_LIMIT:
        return ctx.error("bad_request", f"desc is at most {DESC_LIMIT} characters")
    if not body.get("tid"):
        return ctx.error("bad_request", "tid (category) is required")
    if body["tid"] not in {c["id"] for top in CATEGORIES for c in top["children"]}:
        return ctx.error("bad_request", "tid is not a submission category (see archive/type/list)")
    media_ids = [media.id] + ([_media_id_from_url(body["cover"])] if body.get("cover") else [])
    post = ctx.state.add_post(
        ctx.account,
        text=desc,
        title=title,
        media_ids=media_ids,
        kind="video",
        id=f"BV1{secrets.token_hex(5)}",
        extra={"tid": body["tid"], "tag": body.get("tag", "")},
    )
    return ok({"resource_id": post.id})


def _archive(post: Post) -> dict:
    return {
        "resource_id": post.id,
        "title": post.title,
        "desc": post.text,
        "ctime": int(post.created_at),
        "ptime": int(post.created_at),
        "tid": post.extra.get("tid"),
        "tag": post.extra.get("tag", ""),
        "addit_info": {"state": 0, "state_desc": "open", "reject_reason": ""},
        "video_info": {"share_url": f"https://www.bilibili.com/video/{post.id}"},
    }


def _own(ctx: Ctx, post_id: str, kind: str) -> Post | None:
    post = ctx.state.get_post("bilibili", post_id)
    if post is None or post.account_id != ctx.account.external_id or post.kind != kind:
        return None
    return post


@signed("lookup")
async def archive_view(request: Request, ctx: Ctx) -> Response:
    post = _own(ctx, request.query_params.get("resource_id", ""), "video")
    return ok(_archive(post)) if post else ctx.error("not_found")


@signed("list")
async def archive_viewlist(request: Request, ctx: Ctx) -> Response:
    pn, ps = int(request.query_params.get("pn", 1)), min(int(request.query_params.get("ps", 10)), 50)
    posts = [p for p in ctx.state.posts_of("bilibili", ctx.account.external_id) if p.kind == "video"]
    page = posts[(pn - 1) * ps : pn * ps]
    return ok({"list": [_archive(p) for p in page], "page": {"pn": pn, "ps": ps, "total": len(posts)}})


@signed("delete")
async def archive_delete(request: Request, ctx: Ctx) -> Response:
    post = _own(ctx, str((await _json(request)).get("resource_id", "")), "video")
    if post is None:
        return ctx.error("not_found")
    post.deleted = True
    return ok()


def _article_fields(body: dict, ctx: Ctx) -> tuple[dict, Response | None]:
    title, content = body.get("title", ""), body.get("content", "")
    if not title or len(title) > ARTICLE_TITLE_LIMIT:
        return {}, ctx.error("bad_request", f"title is required, at most {ARTICLE_TITLE_LIMIT} characters")
    if not content:
        return {}, ctx.error("bad_request", "content is required")
    urls = body.get("image_urls") or []
    if isinstance(urls, str):
        urls = [u for u in urls.split(",") if u]
    return {"title": title, "text": content, "media_ids": [_media_id_from_url(u) for u in urls]}, None


@signed("publish")
async def article_add(request: Request, ctx: Ctx) -> Response:
    fields, bad = _article_fields(await ctx.params(), ctx)
    if bad:
        return bad
    post = ctx.state.add_post(ctx.account, kind="article", id=str(30_000_000 + ctx.state.next_id()), **fields)
    return ok({"id": int(post.id)})


@signed("edit")
async def article_edit(request: Request, ctx: Ctx) -> Response:
    body = await ctx.params()
    post = _own(ctx, str(body.get("id", "")), "article")
    if post is None:
        return ctx.error("not_found")
    fields, bad = _article_fields(body, ctx)
    if bad:
        return bad
    post.title, post.text, post.media_ids = fields["title"], fields["text"], fields["media_ids"]
    return ok()


def _article(post: Post) -> dict:
    return {
        "id": int(post.id),
        "title": post.title,
        "content": post.text,
        "ctime": int(post.created_at),
        "state": 0,
        "url": f"https://www.bilibili.com/read/cv{post.id}",
    }


@signed("lookup")
async def article_detail(request: Request, ctx: Ctx) -> Response:
    post = _own(ctx, request.query_params.get("id", ""), "article")
    return ok(_article(post)) if post else ctx.error("not_found")


@signed("list")
async def article_list(request: Request, ctx: Ctx) -> Response:
    pn, ps = int(request.query_params.get("pn", 1)), min(int(request.query_params.get("ps", 10)), 50)
    posts = [p for p in ctx.state.posts_of("bilibili", ctx.account.external_id) if p.kind == "article"]
    page = posts[(pn - 1) * ps : pn * ps]
    return ok({"list": [_article(p) for p in page], "page": {"pn": pn, "ps": ps, "total": len(posts)}})


@signed("delete")
async def article_delete(request: Request, ctx: Ctx) -> Response:
    post = _own(ctx, str((await _json(request)).get("id", "")), "article")
    if post is None:
        return ctx.error("not_found")
    post.deleted = True
    return ok()


CATEGORIES = [
    {
        "id": 160,
        "parent": 0,
        "name": "生活",
        "description": "",
        "children": [{"id": 21, "parent": 160, "name": "日常", "description": ""}],
    },
    {
        "id": 188,
        "parent": 0,
        "name": "科技",
        "description": "",
        "children": [{"id": 95, "parent": 188, "name": "数码", "description": ""}],
    },
]


@signed("categories")
async def archive_types(request: Request, ctx: Ctx) -> Response:
    return ok(CATEGORIES)


@signed("metrics_account")
async def user_stat(request: Request, ctx: Ctx) -> Response:
    videos = [p for p in ctx.state.posts_of("bilibili", ctx.account.external_id) if p.kind == "video"]
    stat = {"following": 0, "follower": ctx.account.followers, "arc_passed_total": len(videos)}
    return ok(cm.without_removed(ctx.account, stat))


@signed("metrics_post")
async def arc_stat(request: Request, ctx: Ctx) -> Response:
    post = _own(ctx, request.query_params.get("resource_id", ""), "video")
    if post is None:
        return ctx.error("not_found")
    f = cm.post_figures(ctx.account, post)
    stat = {
        "view": f["video_plays"],
        "danmaku": f["danmaku"],
        "reply": f["comments"],
        "favorite": f["saves"],
        "coin": f["coins"],
        "share": f["shares"],
        "like": f["likes"],
    }
    return ok(cm.without_removed(ctx.account, stat))


def routes() -> list[Route]:
    return [
        Route(
            "/pc/account-pc/auth/oauth",
            consent_endpoint(SPEC, redirect_param="gourl"),
            methods=["GET", "POST"],
        ),
        Route("/x/account-oauth2/v1/token", token, methods=["POST"]),
        Route("/x/account-oauth2/v1/refresh_token", token, methods=["POST"]),
        Route("/arcopen/fn/user/account/info", account_info),
        Route("/arcopen/fn/archive/type/list", archive_types),
        Route("/arcopen/fn/archive/video/init", video_init, methods=["POST"]),
        Route("/video/v2/part/upload", part_upload, methods=["POST"]),
        Route("/arcopen/fn/archive/video/complete", video_complete, methods=["POST"]),
        Route("/arcopen/fn/archive/cover/upload", cover_upload, methods=["POST"]),
        Route("/arcopen/fn/archive/add-by-utoken", archive_add, methods=["POST"]),
        Route("/arcopen/fn/archive/view", archive_view),
        Route("/arcopen/fn/archive/viewlist", archive_viewlist),
        Route("/arcopen/fn/archive/delete", archive_delete, methods=["POST"]),
        Route("/arcopen/fn/article/upload/image", article_image_upload, methods=["POST"]),
        Route("/arcopen/fn/article/add", article_add, methods=["POST"]),
        Route("/arcopen/fn/article/edit", article_edit, methods=["POST"]),
        Route("/arcopen/fn/article/detail", article_detail),
        Route("/arcopen/fn/article/list", article_list),
        Route("/arcopen/fn/article/delete", article_delete, methods=["POST"]),
        Route("/arcopen/fn/data/user/stat", user_stat),
        Route("/arcopen/fn/data/arc/stat", arc_stat),
    ]
