"""Weibo open API (api.weibo.com): OAuth2, statuses/share.json, user timeline, show, destroy.

Errors come as {"request": path, "error_code": n, "error": "..."}; 21327 expired_token, 21332
invalid_access_token, 21316 token revoked, 10023 user rate limit, 10001 system error, 20019 repeated
content, 20101 target weibo does not exist.

Metrics (figures from platform_sim.metrics): statuses/show and the timeline carry each status's
`reposts_count`, `comments_count`, `attitudes_count`; `2/statuses/count.json?ids=a,b` (at most 100 ids,
operation `metrics_post`) answers a JSON array of {"id", "comments", "reposts", "attitudes"}; users/show
carries `followers_count`. Weibo's open API has no account analytics by day. A name in the account's
`metrics_removed` is a field no longer sent.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from urllib.parse import urlparse

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
    "rate_limited": (10023, "User requests out of rate limit!"),
    "app_rate_limited": (10022, "IP requests out of rate limit!"),
    "server_error": (10001, "System error"),
    "timeout": (10001, "System error"),
    "token_expired": (21327, "expired_token"),
    "token_revoked": (21316, "Token revoked"),
    "token_invalid": (21332, "invalid_access_token"),
    "bad_request": (10008, "Param error, see doc for more info."),
    "not_found": (20101, "Target weibo does not exist!"),
    "forbidden": (10014, "Insufficient app permissions!"),
}
STATUS = {
    "rate_limited": 429,
    "app_rate_limited": 429,
    "server_error": 500,
    "timeout": 504,
    "not_found": 400,
    "forbidden": 403,
}
MAX_PIC_BYTES = 5 * 1024 * 1024
URL_RE = re.compile(r"https?://[^\s]+")


def weibo_error(kind: str, message: str, status: int | None = None) -> Response:
    code, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    if kind.startswith("token_"):
        status = status or 401
    return JSONResponse(
        {"error_code": code, "error": text, "request": ""}, status_code=status or STATUS.get(kind, 400)
    )


async def weibo_token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.startswith("OAuth2 "):
        return auth[7:].strip()
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    value = request.query_params.get("access_token", "")
    if not value and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        got = form.get("access_token")
        value = got if isinstance(got, str) else ""
    return value


SPEC = PlatformSpec(
    key="weibo",
    display_name="Weibo",
    access_ttl=30 * 86400.0,  # depends on the app's level; a month for a typical web app
    refresh_ttl=90 * 86400.0,
    refresh_rotates=False,  # the refresh response carries no new refresh token: keep the old one
    token_from=weibo_token,
    error=weibo_error,
    app_rate_limit=True,
)


def weibo_count(text: str) -> int:
    """A Chinese (non-ASCII) character counts 1, two ASCII characters count 1 (rounded up)."""
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    return (len(text) - ascii_chars) + (ascii_chars + 1) // 2


def _created_at(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _counts(account, post: Post) -> dict[str, int]:
    figures = cm.post_figures(account, post) if account else {"shares": 0, "comments": 0, "likes": 0}
    return {"reposts": figures["shares"], "comments": figures["comments"], "attitudes": figures["likes"]}


def status_json(ctx: Ctx, post: Post) -> dict:
    account = ctx.state.account("weibo", post.account_id)
    counts = _counts(account, post)
    return {
        **{f"{k}_count": v for k, v in counts.items() if not (account and cm.removed(account, k))},
        "created_at": _created_at(post.created_at),
        "id": int(post.id),
        "idstr": post.id,
        "mid": post.id,
        "text": post.text,
        "pic_ids": list(post.media_ids),
        "user": {
            "id": int(account.external_id[2:]) if account else 0,
            "idstr": post.account_id,
            "screen_name": account.handle if account else "",
        },
    }


def _oauth_error(ctx: Ctx, exc: OAuthError) -> Response:
    codes = {"bad_request": 21325, "token_invalid": 21332, "token_expired": 21327, "token_revoked": 21316}
    return JSONResponse(
        {"error": exc.kind, "error_code": codes.get(exc.kind, 21325), "error_description": exc.message},
        status_code=400,
    )


@operation(SPEC, grant_operation(), auth=False, account_hint=account_from_param("code", "refresh_token"))
async def access_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    grant = p.get("grant_type", "")
    try:
        if grant == "authorization_code":
            account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=p.get("client_id", ""),
                client_secret=p.get("client_secret", ""),
                redirect_uri=p.get("redirect_uri"),
            )
            body = {
                "access_token": access.value,
                "refresh_token": refresh.value,
                "expires_in": int(account.access_ttl),
                "remind_in": str(int(account.access_ttl)),
                "uid": account.external_id,
            }
            return JSONResponse(body)
        if grant == "refresh_token":
            account, access, new_refresh = refresh_account(ctx, p.get("refresh_token", ""))
            body = {
                "access_token": access.value,
                "expires_in": int(account.access_ttl),
                "remind_in": str(int(account.access_ttl)),
                "uid": account.external_id,
            }
            if new_refresh is not None:
                body["refresh_token"] = new_refresh.value
            return JSONResponse(body)
    except OAuthError as exc:
        return _oauth_error(ctx, exc)
    return JSONResponse({"error": "unsupported_grant_type", "error_code": 21323}, status_code=400)


@operation(SPEC, "profile")
async def token_info(request: Request, ctx: Ctx) -> Response:
    return JSONResponse(
        {
            "uid": ctx.account.external_id,
            "appkey": "",
            "scope": ctx.token.scope,
            "create_at": int(ctx.token.expires_at - ctx.account.access_ttl),
            "expire_in": int(ctx.token.expires_at - time.time()),
        }
    )


@operation(SPEC, "profile")
async def users_show(request: Request, ctx: Ctx) -> Response:
    uid = request.query_params.get("uid", ctx.account.external_id)
    account = ctx.state.account("weibo", uid)
    if account is None:
        return ctx.error("bad_request", "User does not exists!")
    body = {
        "id": int(account.external_id[2:]),
        "idstr": account.external_id,
        "screen_name": account.handle,
        "name": account.display_name,
        "followers_count": account.followers,
        "statuses_count": len(ctx.state.posts_of("weibo", uid)),
        "profile_image_url": f"https://tvax1.sinaimg.cn/crop/{account.external_id}.jpg",
    }
    if cm.removed(account, "followers_count"):
        del body["followers_count"]
    return JSONResponse(body)


@operation(SPEC, "publish")
async def share(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    text = form.get("status")
    if not isinstance(text, str) or not text.strip():
        return ctx.error("bad_request", "status is required")
    if not form.get("rip"):
        return ctx.error("bad_request", "rip (the real user IP) is required")
    if weibo_count(text) > 140:
        return JSONResponse(
            {
                "error_code": 20012,
                "error": "Text too long, please input text less than 140 characters!",
                "request": request.url.path,
            },
            status_code=400,
        )
    urls = URL_RE.findall(text)
    safe = ctx.account.options.get("safe_domain", "")
    if not urls or (safe and not any((urlparse(u).hostname or "").endswith(safe) for u in urls)):
        return JSONResponse(
            {
                "error_code": 10017,
                "error": "text must contain a URL in the app's safe domain",
                "request": request.url.path,
            },
            status_code=400,
        )
    # Weibo refuses the same text twice in a row from one account (checked against recent posts).
    for existing in ctx.state.posts_of("weibo", ctx.account.external_id)[:50]:
        if existing.text == text:
            return JSONResponse(
                {"error_code": 20019, "error": "Repeated weibo text!", "request": request.url.path},
                status_code=400,
            )
    media_ids = []
    pic = form.get("pic")
    if pic is not None and not isinstance(pic, str):
        data = await pic.read()
        if len(data) >= MAX_PIC_BYTES:
            return JSONResponse(
                {"error_code": 20006, "error": "Image size too large.", "request": request.url.path},
                status_code=400,
            )
        if not (pic.content_type or "").startswith("image/"):
            return JSONResponse(
                {"error_code": 20005, "error": "Unsupported image type.", "request": request.url.path},
                status_code=400,
            )
        media = ctx.state.add_media(
            ctx.account,
            kind="image",
            data=data,
            content_type=pic.content_type or "",
            filename=pic.filename or "",
        )
        media_ids.append(media.id)
    post = ctx.state.add_post(
        ctx.account, text=text, media_ids=media_ids, kind="image" if media_ids else "text"
    )
    return JSONResponse(status_json(ctx, post))


@operation(SPEC, "list")
async def user_timeline(request: Request, ctx: Ctx) -> Response:
    count = min(int(request.query_params.get("count", "20")), 100)
    posts = ctx.state.posts_of("weibo", ctx.account.external_id)
    return JSONResponse(
        {"statuses": [status_json(ctx, p) for p in posts[:count]], "total_number": len(posts)}
    )


@operation(SPEC, "lookup")
async def show(request: Request, ctx: Ctx) -> Response:
    post = ctx.state.get_post("weibo", request.query_params.get("id", ""))
    if post is None:
        return ctx.error("not_found")
    return JSONResponse(status_json(ctx, post))


@operation(SPEC, "metrics_post")
async def statuses_count(request: Request, ctx: Ctx) -> Response:
    ids = [i for i in request.query_params.get("ids", "").split(",") if i.strip()]
    if not ids or len(ids) > 100:
        return ctx.error("bad_request", "ids: 1 to 100 comma-separated status ids")
    rows = []
    for status_id in ids:
        post = ctx.state.get_post("weibo", status_id.strip())
        if post is None or post.deleted:
            continue
        account = ctx.state.account("weibo", post.account_id)
        counts = {k: v for k, v in _counts(account, post).items() if not cm.removed(ctx.account, k)}
        rows.append({"id": int(post.id), **counts})
    return JSONResponse(rows)


@operation(SPEC, "delete")
async def destroy(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    post = ctx.state.get_post("weibo", str(p.get("id", "")))
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    post.deleted = True
    return JSONResponse(status_json(ctx, post))


def routes() -> list[Route]:
    from .weibo_inbox import routes as inbox_routes  # its comments and mentions (it imports this module)

    return [
        *inbox_routes(),
        Route("/oauth2/authorize", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/oauth2/access_token", access_token, methods=["POST"]),
        Route("/oauth2/get_token_info", token_info, methods=["GET", "POST"]),
        Route("/2/users/show.json", users_show),
        Route("/2/statuses/share.json", share, methods=["POST"]),
        Route("/2/statuses/user_timeline.json", user_timeline),
        Route("/2/statuses/show.json", show),
        Route("/2/statuses/count.json", statuses_count),
        Route("/2/statuses/destroy.json", destroy, methods=["POST"]),
    ]
