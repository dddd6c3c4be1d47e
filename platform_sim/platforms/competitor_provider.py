"""A licensed competitor-data provider (Newrank-like), as competitors/README.md's provider contract states it.

The Chinese platforms expose no one else's data by API, so a customer brings a contract and an API key
with a data vendor. This module serves that contract over the simulator's own accounts and posts of
those platforms (WeChat OA, Douyin, Kuaishou, Xiaohongshu, WeChat Channels, Weibo, Bilibili): seed a
rival with `SimClient.create_account(platform, ...)` and its posts with `SimClient.seed_post(...)`;
figures grow by platform_sim.metrics like every other post's.

Contract (v1; JSON; `Authorization: Bearer <api key>`; errors `{"error": {"code", "message"}}` with the
HTTP status; 429 with Retry-After):
- GET /v1/accounts/search?platform=&q=      one account by handle or id        (operation `profile`)
- GET /v1/accounts/{platform}/{account_id}  the account now                    (operation `profile`)
- GET /v1/accounts/{platform}/{account_id}/posts?since=&cursor=&limit=  newest first (operation `list`)
- GET /v1/posts/{platform}?ids=a,b          posts now; unknown or deleted ids in `deleted` (`lookup`)
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..kit import Ctx, PlatformSpec, default_error, operation
from ..state import Account, Post
from . import figures

# Platforms the provider covers; those without a simulated API of their own are data-only accounts.
COVERED = ("wechat_oa", "douyin", "kuaishou", "xiaohongshu", "wechat_channels", "weibo", "bilibili")
DATA_ONLY_PLATFORMS = ("xiaohongshu", "wechat_channels")
PAGE_LIMIT = 50


SPEC = PlatformSpec(key="competitor_provider", display_name="Competitor data provider", error=default_error)


def _refused(code: str, message: str, status: int) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def account_json(account: Account) -> dict:
    return {
        "platform": account.platform,
        "account_id": account.external_id,
        "handle": account.handle,
        "name": account.display_name,
        "avatar_url": f"https://img.provider.example/{account.platform}/{account.external_id}.jpg",
        "profile_url": f"https://data.provider.example/{account.platform}/{account.external_id}",
        "followers": figures.followers_at(account, figures.clock(account)),
        "status": "private" if account.options.get("private") else "active",
    }


def post_json(state, post: Post) -> dict:
    values = figures.post_figures(state, post)
    views_key = "read_count" if post.platform == "wechat_oa" else "play_count"
    metrics = {
        views_key: values["views"],
        "like_count": values["likes"],
        "comment_count": values["comments"],
        "share_count": values["shares"],
    }
    if post.platform == "xiaohongshu":
        metrics["collect_count"] = values["saves"]
    if post.platform == "weibo":
        metrics.pop(views_key)  # Weibo shows no read count to outsiders
    return {
        "post_id": post.id,
        "published_at": _iso(post.created_at),
        "title": post.title,
        "text": post.text,
        "url": f"https://data.provider.example/{post.platform}/post/{post.id}",
        "media_type": post.kind,
        "metrics": metrics,
    }


def _checked(request: Request) -> Response | None:
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        return _refused("invalid_key", "A valid API key is required.", 401)
    platform = request.path_params.get("platform") or request.query_params.get("platform", "")
    if platform not in COVERED:
        return _refused("unsupported_platform", f"Platform {platform!r} is not in your contract.", 400)
    return None


@operation(SPEC, "profile", auth=False)
async def search(request: Request, ctx: Ctx) -> Response:
    refused = _checked(request)
    if refused:
        return refused
    platform, query = request.query_params.get("platform", ""), request.query_params.get("q", "").strip()
    account = ctx.state.account_by_handle(platform, query) or ctx.state.account(platform, query)
    if account is None:
        return _refused("not_found", "No such account.", 404)
    return JSONResponse({"data": account_json(account)})


@operation(SPEC, "profile", auth=False)
async def account(request: Request, ctx: Ctx) -> Response:
    refused = _checked(request)
    if refused:
        return refused
    found = ctx.state.account(request.path_params["platform"], request.path_params["account_id"])
    if found is None:
        return _refused("not_found", "No such account.", 404)
    return JSONResponse({"data": account_json(found)})


@operation(SPEC, "list", auth=False)
async def account_posts(request: Request, ctx: Ctx) -> Response:
    refused = _checked(request)
    if refused:
        return refused
    platform, account_id = request.path_params["platform"], request.path_params["account_id"]
    found = ctx.state.account(platform, account_id)
    if found is None:
        return _refused("not_found", "No such account.", 404)
    if found.options.get("private"):
        return _refused("account_private", "The account is private.", 403)
    posts = ctx.state.posts_of(platform, account_id)
    since = request.query_params.get("since")
    if since:
        cutoff = datetime.fromisoformat(since.replace("Z", "+00:00")).timestamp()
        posts = [p for p in posts if p.created_at >= cutoff]
    try:
        limit = min(int(request.query_params.get("limit") or 20), PAGE_LIMIT)
        offset = int(request.query_params.get("cursor") or 0)
    except ValueError:
        return _refused("bad_request", "limit and cursor are numbers.", 400)
    page = posts[offset : offset + limit]
    next_cursor = str(offset + limit) if offset + limit < len(posts) else None
    return JSONResponse({"data": [post_json(ctx.state, p) for p in page], "next_cursor": next_cursor})


@operation(SPEC, "lookup", auth=False)
async def posts_by_ids(request: Request, ctx: Ctx) -> Response:
    refused = _checked(request)
    if refused:
        return refused
    platform = request.path_params["platform"]
    ids = [i for i in request.query_params.get("ids", "").split(",") if i]
    if not 1 <= len(ids) <= 100:
        return _refused("bad_request", "Between 1 and 100 ids.", 400)
    found, deleted = [], []
    for post_id in ids:
        post = ctx.state.get_post(platform, post_id)
        if post is None:
            deleted.append(post_id)
        else:
            found.append(post_json(ctx.state, post))
    return JSONResponse({"data": found, "deleted": deleted})


def routes() -> list[Route]:
    return [
        Route("/v1/accounts/search", search),
        Route("/v1/accounts/{platform}/{account_id}/posts", account_posts),
        Route("/v1/accounts/{platform}/{account_id}", account),
        Route("/v1/posts/{platform}", posts_by_ids),
    ]
