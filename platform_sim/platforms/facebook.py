"""Facebook Graph API for Pages (graph.facebook.com/{version}/...).

The simulated account is a Page. Tokens: the OAuth code gives a short-lived user token (1 h); the
`fb_exchange_token` grant turns a user token into a long-lived one (60 days); `/me/accounts` and
`/{page-id}?fields=access_token` hand out Page tokens that do not expire. Page operations refuse user
tokens (#200), as the real Graph does.

Paths: versioned (`/v24.0/me`) or unversioned (`/me`): Graph serves an unversioned call at the app's
default version, and Meta's own token URL (`graph.facebook.com/oauth/access_token`) is unversioned.
Clients authenticate at the token endpoint with client_id/client_secret parameters or HTTP Basic
(kit.py; requests-oauthlib sends Basic).

Errors: {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}, HTTP 400 for almost
everything (rate limits are codes 4/17/32, not HTTP 429), 500 for code 1/2. A rate-limit answer carries
Meta's usage headers: `X-App-Usage` (app-wide, #4) or `X-Business-Use-Case-Usage` (the Page's, #32)
with `estimated_time_to_regain_access` in whole minutes.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..kit import Ctx, OAuthError, PlatformSpec, consent_endpoint, grant_operation, operation, redeem_code
from ..state import Account, Post
from . import figures, graph_insights, meta_inbox

VERSION_RE = re.compile(r"^v\d{1,2}\.0$")
# kind -> (HTTP status, code, subcode, type, message)
GRAPH_ERRORS = {
    "rate_limited": (400, 32, None, "OAuthException", "(#32) Page request limit reached"),
    "app_rate_limited": (400, 4, None, "OAuthException", "(#4) Application request limit reached"),
    "server_error": (
        500,
        2,
        None,
        "OAuthException",
        "An unexpected error has occurred. Please retry your request later.",
    ),
    "timeout": (504, 2, None, "OAuthException", "Service temporarily unavailable"),
    "token_expired": (400, 190, 463, "OAuthException", "Error validating access token: Session has expired."),
    "token_revoked": (
        400,
        190,
        460,
        "OAuthException",
        "Error validating access token: The session has been invalidated because the user changed "
        "their password.",
    ),
    "token_invalid": (
        400,
        190,
        None,
        "OAuthException",
        "Invalid OAuth access token - Cannot parse access token",
    ),
    "bad_request": (400, 100, None, "OAuthException", "(#100) Invalid parameter"),
    "not_found": (
        400,
        100,
        33,
        "GraphMethodException",
        "Unsupported get request. Object does not exist, cannot be loaded due to missing permissions, "
        "or does not support this operation.",
    ),
    "forbidden": (403, 200, None, "OAuthException", "(#200) Permissions error"),
}
USER_SCOPE = "fb_user"  # Token.scope marks user tokens; Page tokens carry "" (or "fb_page")
SHORT_SCOPE = "fb_user_short"
LONG_LIVED_TTL = 60 * 86400.0
PAGE_TOKEN_TTL = 10 * 365 * 86400.0
MAX_PHOTO_BYTES = 4 * 1024 * 1024


def graph_error(kind: str, message: str, status: int | None = None) -> Response:
    code_status, code, subcode, kind_type, default = GRAPH_ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    error = {"message": text, "type": kind_type, "code": code, "fbtrace_id": secrets.token_urlsafe(8)}
    if subcode:
        error["error_subcode"] = subcode
    if code in (1, 2):
        error["is_transient"] = True
    return JSONResponse({"error": error}, status_code=status or code_status)


async def graph_token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith(("bearer ", "oauth ")):
        return auth.split(" ", 1)[1].strip()
    value = request.query_params.get("access_token", "")
    if not value and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        got = form.get("access_token")
        value = got if isinstance(got, str) else ""
    return value


def usage_headers(business_type: str):
    """Meta's rate-limit usage headers (developers.facebook.com/docs/graph-api/overview/rate-limiting):
    a used-up app limit shows in X-App-Usage; a Page's (or Instagram account's) business-use-case limit
    in X-Business-Use-Case-Usage, keyed by the object id, with the minutes until access returns."""

    def headers(ctx: Ctx, retry_after: int, app_wide: bool) -> dict[str, str]:
        if app_wide:
            return {"X-App-Usage": json.dumps({"call_count": 100, "total_cputime": 12, "total_time": 15})}
        object_id = ctx.account.external_id if ctx.account else ""
        usage = {
            "type": business_type,
            "call_count": 100,
            "total_cputime": 12,
            "total_time": 15,
            # whole minutes, rounded down: Retry-After (sent too) keeps the exact seconds
            "estimated_time_to_regain_access": retry_after // 60,
        }
        return {"X-Business-Use-Case-Usage": json.dumps({object_id: [usage]})}

    return headers


SPEC = PlatformSpec(
    key="facebook",
    display_name="Facebook",
    access_ttl=PAGE_TOKEN_TTL,  # Page tokens from a long-lived user token do not expire
    refresh_ttl=LONG_LIVED_TTL,
    refresh_rotates=False,
    token_from=graph_token,
    error=graph_error,
    app_rate_limit=True,
    rate_limit_headers=usage_headers("pages"),
)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def bad_version(ctx: Ctx) -> Response | None:
    """A versioned path needs a version like v24.0; an unversioned one runs at the default version."""
    version = ctx.request.path_params.get("version")
    if version is not None and not VERSION_RE.match(version):
        return ctx.error("bad_request", "Unknown path components: an API version like /v25.0/ is required")
    return None


def page_only(ctx: Ctx) -> Response | None:
    if ctx.token is not None and ctx.token.scope.startswith(USER_SCOPE):
        return ctx.error("forbidden", "(#200) This endpoint requires a Page access token")
    return None


def _post_json(post: Post) -> dict:
    return {
        "id": post.id,
        "message": post.text,
        "created_time": iso(post.created_at),
        "permalink_url": f"https://www.facebook.com/{post.id}",
        "is_published": not post.extra.get("scheduled_publish_time"),
    }


def _page_json(account: Account, fields: str, token: str = "") -> dict:
    wanted = {f.split("{")[0] for f in fields.split(",")} if fields else {"id", "name"}
    body: dict = {"id": account.external_id}
    if "name" in wanted:
        body["name"] = account.display_name
    if "username" in wanted:
        body["username"] = account.handle
    if "followers_count" in wanted:
        body["followers_count"] = account.followers
    if "fan_count" in wanted:
        body["fan_count"] = account.followers
    if "picture" in wanted:
        body["picture"] = {"data": {"url": f"https://scontent.xx.fbcdn.net/{account.external_id}.jpg"}}
    if "access_token" in wanted and token:
        body["access_token"] = token
    return body


@operation(SPEC, grant_operation(refresh_value="fb_exchange_token"), auth=False)
async def access_token(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    p = await ctx.params()
    state = ctx.state
    if p.get("grant_type") == "fb_exchange_token":
        if not p.get("client_secret"):  # a parameter, or HTTP Basic (Ctx.params fills it in)
            return ctx.error("bad_request", "client_secret is required")
        token = state.tokens.get(p.get("fb_exchange_token", ""))
        if token is None or token.platform != "facebook":
            return ctx.error("token_invalid")
        ctx.account = state.account("facebook", token.account_id)
        if token.scope != SHORT_SCOPE:
            state.refresh_calls[("facebook", token.account_id)] += 1
        if token.revoked:
            return ctx.error("token_revoked")
        if token.expired:
            return ctx.error("token_expired")
        long_lived = state.issue(ctx.account, "access", ttl=LONG_LIVED_TTL, scope=USER_SCOPE)
        return JSONResponse(
            {"access_token": long_lived.value, "token_type": "bearer", "expires_in": int(LONG_LIVED_TTL)}
        )
    try:
        account, _access, _refresh = redeem_code(
            ctx,
            code=p.get("code", ""),
            client_id=p.get("client_id", ""),
            client_secret=p.get("client_secret", ""),
            redirect_uri=p.get("redirect_uri"),
        )
    except OAuthError as exc:
        return graph_error("bad_request", f"Error validating verification code: {exc.message}")
    short = state.issue(account, "access", ttl=3600.0, scope=SHORT_SCOPE)
    return JSONResponse({"access_token": short.value, "token_type": "bearer", "expires_in": 3600})


@operation(SPEC, "profile")
async def me_accounts(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    page_token = ctx.state.issue(ctx.account, "access", ttl=PAGE_TOKEN_TTL, scope="fb_page")
    return JSONResponse(
        {
            "data": [
                {
                    "id": ctx.account.external_id,
                    "name": ctx.account.display_name,
                    "access_token": page_token.value,
                    "category": "Brand",
                    "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
                }
            ],
            "paging": {"cursors": {"before": "b", "after": "a"}},
        }
    )


@operation(SPEC, "profile")
async def me(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    return JSONResponse(_page_json(ctx.account, request.query_params.get("fields", "")))


def _scheduled(ctx: Ctx, p: dict) -> tuple[Response | None, float | None]:
    published = str(p.get("published", "true")).lower() != "false"
    when = p.get("scheduled_publish_time")
    if when in (None, ""):
        return None, None
    if published:
        return ctx.error("bad_request", "(#100) scheduled_publish_time requires published=false"), None
    try:
        ts = float(when)
    except ValueError:
        try:
            ts = datetime.fromisoformat(str(when)).timestamp()
        except ValueError:
            return ctx.error("bad_request", "(#100) scheduled_publish_time is not a valid time"), None
    ahead = ts - time.time()
    if not 600 - 5 <= ahead <= 30 * 86400:
        return (
            ctx.error(
                "bad_request",
                "(#100) The specified scheduled publish time is invalid: 10 minutes to 30 days ahead.",
            ),
            None,
        )
    return None, ts


async def _feed_op(request: Request) -> str:
    return "list" if request.method == "GET" else "publish"


@operation(SPEC, _feed_op)
async def page_feed(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or page_only(ctx)) is not None:
        return resp
    if request.path_params["page_id"] not in (ctx.account.external_id, "me"):  # "me" is the token's Page
        return ctx.error("forbidden", "(#200) The token does not manage this Page")
    if request.method == "GET":
        return await _page_posts(request, ctx)
    p = await ctx.params()
    message = str(p.get("message") or "")
    attached = [v for k, v in p.items() if k.startswith("attached_media[")]
    if not message.strip() and not p.get("link") and not attached:
        return ctx.error("bad_request", "(#100) A post needs a message, a link or attached media")
    error, when = _scheduled(ctx, p)
    if error is not None:
        return error
    media_ids = [re.sub(r"\D", "", str(v)) for v in attached]
    for media_id in media_ids:
        if ctx.state.get_media("facebook", media_id) is None:
            return ctx.error("bad_request", f"(#100) attached_media: unknown media_fbid {media_id}")
    post = ctx.state.add_post(
        ctx.account,
        text=message,
        media_ids=media_ids,
        kind="image" if media_ids else "text",
        id=f"{ctx.account.external_id}_{4_000_000_000 + ctx.state.next_id()}",
        extra={"link": p.get("link", ""), "scheduled_publish_time": when},
    )
    return JSONResponse({"id": post.id})


async def _photos_op(request: Request) -> str:
    """An unpublished, unscheduled photo is an upload to attach later; anything else creates a post."""
    form = await request.form()
    published = str(form.get("published") or request.query_params.get("published") or "true").lower()
    scheduled = form.get("scheduled_publish_time") or request.query_params.get("scheduled_publish_time")
    return "upload" if published == "false" and not scheduled else "publish"


@operation(SPEC, _photos_op)
async def page_photos(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or page_only(ctx)) is not None:
        return resp
    if request.path_params["page_id"] not in (ctx.account.external_id, "me"):  # "me" is the token's Page
        return ctx.error("forbidden", "(#200) The token does not manage this Page")
    form = await request.form()
    p = {**dict(request.query_params), **{k: v for k, v in form.multi_items() if isinstance(v, str)}}
    source = form.get("source")
    if source is not None and not isinstance(source, str):
        data = await source.read()
        if len(data) > MAX_PHOTO_BYTES:
            return ctx.error("bad_request", "(#100) The photo is larger than 4 MB")
        size, url = len(data), ""
    elif p.get("url", "").startswith(("http://", "https://")):
        data, size, url = b"", 0, p["url"]
    else:
        return ctx.error("bad_request", "(#324) Requires upload file (source) or url")
    error, when = _scheduled(ctx, p)
    if error is not None:
        return error
    photo = ctx.state.add_media(
        ctx.account, kind="image", data=data, size=size, id=str(5_000_000_000 + ctx.state.next_id())
    )
    photo.extra.update({"url": url, "alt_text": p.get("alt_text_custom", "")})
    if str(p.get("published", "true")).lower() == "false" and when is None:
        return JSONResponse({"id": photo.id})  # unpublished: to attach to a feed post
    post = ctx.state.add_post(
        ctx.account,
        text=str(p.get("caption") or p.get("message") or ""),
        media_ids=[photo.id],
        kind="image",
        id=f"{ctx.account.external_id}_{photo.id}",
        extra={"scheduled_publish_time": when},
    )
    return JSONResponse({"id": photo.id, "post_id": post.id})


async def _page_posts(request: Request, ctx: Ctx) -> Response:
    limit = min(int(request.query_params.get("limit", "25") or 25), 100)
    posts = [
        p
        for p in ctx.state.posts_of("facebook", ctx.account.external_id)
        if not p.extra.get("comment_of") and not p.extra.get("scheduled_publish_time")
    ]
    return JSONResponse({"data": [_post_json(p) for p in posts[:limit]]})


@operation(SPEC, "list")
async def page_posts(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    return await _page_posts(request, ctx)


async def _comments_op(request: Request) -> str:
    # A comment on a fan's comment is our reply to them (meta_inbox); on our post, a first comment.
    return "reply" if meta_inbox.fan_message(request, "facebook") is not None else "comment"


@operation(SPEC, _comments_op)
async def comments(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or page_only(ctx)) is not None:
        return resp
    if ctx.operation == "reply":
        return await meta_inbox.comment_reply(ctx, meta_inbox.fan_message(request, "facebook"), "facebook")
    parent = ctx.state.get_post("facebook", request.path_params["object_id"])
    if parent is None:
        return ctx.error("not_found")
    p = await ctx.params()
    if not str(p.get("message") or "").strip():
        return ctx.error("bad_request", "(#100) message is required")
    comment = ctx.state.add_post(
        ctx.account,
        text=str(p["message"]),
        id=f"{parent.id}_{ctx.state.next_id()}",
        kind="comment",
        extra={"comment_of": parent.id},
    )
    return JSONResponse({"id": comment.id})


async def _object_op(request: Request) -> str:
    if meta_inbox.fan_message(request, "facebook") is not None:  # a fan's comment: moderation
        return {"DELETE": "comment_delete", "POST": "hide"}.get(request.method, "comment_lookup")
    return "delete" if request.method == "DELETE" else "lookup"


@operation(SPEC, _object_op)
async def graph_object(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    object_id = request.path_params["object_id"]
    fan = meta_inbox.fan_message(request, "facebook")
    if fan is not None or request.method == "POST":
        if (resp := page_only(ctx)) is not None:
            return resp
        if request.method == "POST":
            return await meta_inbox.hide(ctx, fan, "facebook")
        if request.method == "DELETE":
            return await meta_inbox.delete(ctx, fan)
        if fan.deleted or fan.account_id != ctx.account.external_id:
            return meta_inbox.fan_missing(object_id)
        return JSONResponse(meta_inbox.comment_json(fan, iso))
    fields = request.query_params.get("fields", "")
    if object_id == ctx.account.external_id and request.method == "GET":
        token = ""
        if "access_token" in fields:
            token = ctx.state.issue(ctx.account, "access", ttl=PAGE_TOKEN_TTL, scope="fb_page").value
        return JSONResponse(_page_json(ctx.account, fields, token))
    post = ctx.state.get_post("facebook", object_id)
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error(
            "not_found",
            f"Unsupported {request.method.lower()} request. Object with ID "
            f"'{object_id}' does not exist, cannot be loaded due to missing permissions, "
            "or does not support this operation.",
        )
    if request.method == "DELETE":
        if (resp := page_only(ctx)) is not None:
            return resp
        post.deleted = True
        return JSONResponse({"success": True})
    return JSONResponse(_post_json(post))


# Page Insights (developers.facebook.com/docs/platforminsights/page): each served metric -> how a day's
# (or a post's lifetime) figure is read from the growth model. The 2025 removals (page_impressions*,
# page_fans, post_impressions*) are not served: asking one fails the request with #100.
PAGE_DAY_METRICS: dict[str, Callable[[figures.Day], int]] = {
    "page_media_view": lambda d: d.figures["views"],
    "page_total_media_view_unique": lambda d: d.figures["reach"],
    "page_views_total": lambda d: d.figures["profile_visits"],
    "page_daily_follows_unique": lambda d: d.figures["new_followers"],
    "page_follows": lambda d: d.followers,
}
POST_LIFETIME_METRICS = {
    "post_media_view": "views",
    "post_total_media_view_unique": "reach",
    "post_clicks": "clicks",
    "post_reactions_like_total": "likes",
    "post_video_views": "video_plays",
}


async def _insights_op(request: Request) -> str:
    # Page post ids are "{page-id}_{post-id}"; a bare id is the Page itself
    return "metrics_post" if "_" in request.path_params["object_id"] else "metrics_account"


@operation(SPEC, _insights_op)
async def insights(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx)) is not None:
        return resp
    object_id = request.path_params["object_id"]
    if object_id == ctx.account.external_id:
        names = graph_insights.asked_metrics(ctx, set(PAGE_DAY_METRICS))
        if isinstance(names, Response):
            return names
        if request.query_params.get("period", "day") != "day":
            return graph_insights.invalid("(#100) The period param must be day for these metrics")
        return graph_insights.daily(
            ctx, ctx.account, names, lambda name, day: PAGE_DAY_METRICS[name](day), object_id=object_id
        )
    post = ctx.state.get_post("facebook", object_id)
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    names = graph_insights.asked_metrics(ctx, set(POST_LIFETIME_METRICS))
    if isinstance(names, Response):
        return names
    got = figures.post_figures(ctx.state, post)
    return graph_insights.lifetime(object_id, names, {n: got[POST_LIFETIME_METRICS[n]] for n in names})


@operation(SPEC, "like")
async def comment_likes(request: Request, ctx: Ctx) -> Response:
    if (resp := bad_version(ctx) or page_only(ctx)) is not None:
        return resp
    return await meta_inbox.like(ctx, meta_inbox.fan_message(request, "facebook"))


@operation(SPEC, "reply")
async def page_messages(request: Request, ctx: Ctx) -> Response:
    """The Send API (developers.facebook.com/docs/messenger-platform/send-messages): meta_inbox."""
    if (resp := bad_version(ctx) or page_only(ctx)) is not None:
        return resp
    return await meta_inbox.send_message(ctx, "facebook")


def routes() -> list[Route]:
    # Unversioned two-segment paths end in a literal edge, so they go first: "/me/accounts" must not be
    # read as version "me", object "accounts". The one-segment object path comes last.
    unversioned_edges = [
        Route("/dialog/oauth", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/oauth/access_token", access_token, methods=["GET", "POST"]),
        Route("/me/accounts", me_accounts),
        Route("/{page_id}/feed", page_feed, methods=["GET", "POST"]),
        Route("/{page_id}/photos", page_photos, methods=["POST"]),
        Route("/{page_id}/posts", page_posts),
        Route("/{object_id}/comments", comments, methods=["POST"]),
        Route("/{object_id}/likes", comment_likes, methods=["POST"]),
        Route("/{page_id}/messages", page_messages, methods=["POST"]),
        Route("/{object_id}/insights", insights),
    ]
    unversioned_objects = [
        Route("/me", me),
        Route("/{object_id}", graph_object, methods=["GET", "POST", "DELETE"]),
    ]
    return unversioned_edges + versioned_routes() + unversioned_objects


def versioned_routes() -> list[Route]:
    return [
        Route("/{version}/dialog/oauth", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/{version}/oauth/access_token", access_token, methods=["GET", "POST"]),
        Route("/{version}/me/accounts", me_accounts),
        Route("/{version}/me", me),
        Route("/{version}/{page_id}/feed", page_feed, methods=["GET", "POST"]),
        Route("/{version}/{page_id}/photos", page_photos, methods=["POST"]),
        Route("/{version}/{page_id}/posts", page_posts),
        Route("/{version}/{object_id}/comments", comments, methods=["POST"]),
        Route("/{version}/{object_id}/likes", comment_likes, methods=["POST"]),
        Route("/{version}/{page_id}/messages", page_messages, methods=["POST"]),
        Route("/{version}/{object_id}/insights", insights),
        Route("/{version}/{object_id}", graph_object, methods=["GET", "POST", "DELETE"]),
    ]
