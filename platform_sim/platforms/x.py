"""X API v2 (api.x.com): OAuth 2.0 with PKCE, /2/tweets, /2/media/upload, users/me, user timeline; and
the v1.1 media upload (upload.twitter.com/1.1/media/upload.json, media/metadata/create.json) that
tweepy's `API.media_upload` uses.

Ids are what X's clients parse as integers: accounts, posts and media are snowflake-like numeric strings
(19 digits, growing with time); v1.1 answers carry `media_id` as a number and `media_id_string`.
A post answers with `id`, `text` and `edit_history_tweet_ids`; other fields only when `tweet.fields`
asks, and `expansions=author_id` / `attachments.media_keys` fill `includes.users` / `includes.media`.
Errors are problem+json: {"title", "detail", "type", "status"} (401: "Unauthorized"); v1.1 errors are
{"errors": [{"code", "message"}]}. A missing post is HTTP 200 with only `errors` (type
.../resource-not-found). Rate limits: 429 with x-rate-limit-reset (epoch seconds).
Access tokens last 2 hours; refresh tokens rotate on every use. The v1.1 upload takes the same OAuth 2.0
user token here (X's own takes OAuth 1.0a user context, which the simulator does not issue).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from channels_app.connectors.x.text import MAX_WEIGHTED_LENGTH, weighted_length

from .. import fans
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
from ..state import Media, Post
from . import figures

PROBLEMS = {
    "rate_limited": (429, "Too Many Requests", "about:blank"),
    "app_rate_limited": (429, "Too Many Requests", "about:blank"),  # plus x-app-limit-24hour-* headers
    "server_error": (503, "Service Unavailable", "about:blank"),
    "timeout": (504, "Gateway Timeout", "about:blank"),
    "token_expired": (401, "Unauthorized", "about:blank"),
    "token_revoked": (401, "Unauthorized", "about:blank"),
    "token_invalid": (401, "Unauthorized", "about:blank"),
    "bad_request": (400, "Invalid Request", "https://api.x.com/2/problems/invalid-request"),
    "not_found": (404, "Not Found Error", "https://api.x.com/2/problems/resource-not-found"),
    "forbidden": (403, "Forbidden", "about:blank"),
}
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_GIF_BYTES = 15 * 1024 * 1024


def x_error(kind: str, message: str, status: int | None = None) -> Response:
    code, title, problem = PROBLEMS[kind]
    # X says only "Unauthorized" whatever is wrong with the token
    detail = title if message in (kind.replace("_", " "), "") or code == 401 else message
    body = {"title": title, "detail": detail, "type": problem, "status": status or code}
    if kind == "bad_request":
        body["errors"] = [{"message": detail}]
    return JSONResponse(body, status_code=status or code, media_type="application/problem+json")


# v1.1 error codes (y): 89 invalid or expired token, 88 rate limit exceeded, 131 internal error,
# 324 media problem, 34 not found, 200 forbidden.
V1_CODES = {
    "rate_limited": 88,
    "app_rate_limited": 88,
    "server_error": 131,
    "timeout": 131,
    "token_expired": 89,
    "token_revoked": 89,
    "token_invalid": 89,
    "bad_request": 324,
    "not_found": 34,
    "forbidden": 200,
}


def x_v1_error(kind: str, message: str, status: int | None = None) -> Response:
    code = PROBLEMS[kind][0]
    if V1_CODES[kind] == 89:
        message = "Invalid or expired token."
    elif kind in ("rate_limited", "app_rate_limited"):
        message = "Rate limit exceeded"
    return JSONResponse(
        {"errors": [{"code": V1_CODES[kind], "message": message}]}, status_code=status or code
    )


SPEC = PlatformSpec(
    key="x",
    display_name="X",
    access_ttl=7200.0,
    refresh_ttl=180 * 86400.0,
    refresh_rotates=True,
    pkce=True,
    error=x_error,
    app_rate_limit=True,
)
# The v1.1 upload endpoints: the same platform (counters, faults, tokens), v1.1's error shape.
SPEC_V1 = dataclasses.replace(SPEC, error=x_v1_error)

TWITTER_EPOCH_MS = 1288834974657


def snowflake(n: int) -> str:
    """A snowflake-like id: milliseconds since X's epoch above 22 low bits, which take a counter so ids
    stay unique within one millisecond."""
    return str(((int(time.time() * 1000) - TWITTER_EPOCH_MS) << 22) | (n & 0x3FFFFF))


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _listed(request: Request, name: str) -> set[str]:
    return {v.strip() for v in request.query_params.get(name, "").split(",") if v.strip()}


# The metric objects X puts on a post, by field, each metric -> the common figure (platform_sim.metrics)
# it is read from. quote_count has no figure of its own: a fifth of the reposts are quotes.
METRIC_FIELDS = {
    "public_metrics": {
        "retweet_count": "shares",
        "reply_count": "comments",
        "like_count": "likes",
        "quote_count": "quotes",
        "bookmark_count": "saves",
        "impression_count": "views",
    },
    "non_public_metrics": {
        "impression_count": "views",
        "url_link_clicks": "clicks",
        "user_profile_clicks": "profile_visits",
    },
    "organic_metrics": {
        "impression_count": "views",
        "like_count": "likes",
        "reply_count": "comments",
        "retweet_count": "shares",
        "url_link_clicks": "clicks",
        "user_profile_clicks": "profile_visits",
    },
}
PRIVATE_METRIC_FIELDS = ("non_public_metrics", "organic_metrics")
PRIVATE_METRICS_DAYS = 30  # non-public and organic metrics: posts created within the last 30 days only


def post_metrics(state, post: Post, field_name: str) -> dict[str, int]:
    """One metric object of a post; metrics in the account's `metrics_removed` are left out."""
    account = state.account("x", post.account_id)
    got = figures.post_figures(state, post)
    got["quotes"] = got["shares"] // 5
    return {
        key: got[source]
        for key, source in METRIC_FIELDS[field_name].items()
        if not figures.removed(account, key)
    }


def tweet_json(
    post: Post, fields: set[str] = frozenset(), expansions: set[str] = frozenset(), state=None
) -> dict:
    """A post as v2 answers it: the default fields, plus those `tweet.fields` (or an expansion) asks."""
    body = {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}
    for field_name in METRIC_FIELDS:
        if field_name in fields and state is not None:
            body[field_name] = post_metrics(state, post, field_name)
    if "author_id" in fields | expansions:
        body["author_id"] = post.account_id
    if "created_at" in fields:
        body["created_at"] = _iso(post.created_at)
    if "conversation_id" in fields:
        body["conversation_id"] = post.extra.get("in_reply_to") or post.id
    if post.media_ids and ("attachments" in fields or "attachments.media_keys" in expansions):
        body["attachments"] = {"media_keys": [media_key(m) for m in post.media_ids]}
    return body


def media_key(media_id: str) -> str:
    return f"3_{media_id}"  # 3: a photo (animated GIFs are 16_, videos 7_)


def _field_refused(post: Post, field_name: str) -> dict:
    return {
        "value": post.id,
        "detail": f"Sorry, you are not authorized to access '{field_name}' on the Tweet with ids: {post.id}.",
        "title": "Field Authorization Error",
        "resource_type": "tweet",
        "field": field_name,
        "parameter": "tweet.fields",
        "resource_id": post.id,
        "section": "data",
        "type": "https://api.twitter.com/2/problems/not-authorized-for-field",
    }


def tweets_answer(request: Request, ctx: Ctx, posts: list[Post]) -> dict:
    """`data` for the posts and, for the expansions asked, `includes.users` and `includes.media`.

    Private metric fields (non_public_metrics, organic_metrics) are served only on the caller's own posts
    created within the last 30 days; any other post is left out of `data` and named in `errors` as a
    Field Authorization Error (what X answers), the rest of the answer is unaffected."""
    fields, expansions = _listed(request, "tweet.fields"), _listed(request, "expansions")
    private = [f for f in PRIVATE_METRIC_FIELDS if f in fields]
    errors = []
    if private:
        allowed = []
        for post in posts:
            own = ctx.account is not None and post.account_id == ctx.account.external_id
            if own and figures.post_age_days(ctx.state, post) <= PRIVATE_METRICS_DAYS:
                allowed.append(post)
            else:
                errors.append(_field_refused(post, private[0]))
        posts = allowed
    data = [tweet_json(p, fields, expansions, ctx.state) for p in posts]
    includes: dict = {}
    if "author_id" in expansions and posts:
        authors = {p.account_id for p in posts}
        includes["users"] = [
            user_json(a) for a in (ctx.state.account("x", i) for i in sorted(authors)) if a is not None
        ]
    if "attachments.media_keys" in expansions:
        media = [m for p in posts for i in p.media_ids if (m := ctx.state.get_media("x", i)) is not None]
        if media:
            includes["media"] = [media_json(m) for m in media]
    return {
        **({"data": data} if data or not errors else {}),
        **({"includes": includes} if includes else {}),
        **({"errors": errors} if errors else {}),
    }


def user_json(account) -> dict:
    return {"id": account.external_id, "name": account.display_name, "username": account.handle}


def media_json(media: Media) -> dict:
    body = {"media_key": media_key(media.id), "type": "animated_gif" if media.kind == "gif" else "photo"}
    if media.extra.get("alt_text"):
        body["alt_text"] = media.extra["alt_text"]
    return body


def _client_auth(request: Request) -> tuple[str, str]:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return "", ""
        return user, secret
    return "", ""


def _oauth_error(exc: OAuthError) -> Response:
    return JSONResponse(
        {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
        if exc.kind != "bad_request"
        else {"error": "invalid_request", "error_description": exc.message},
        status_code=400,
    )


@operation(SPEC, grant_operation(), auth=False, account_hint=account_from_param("code", "refresh_token"))
async def oauth2_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    client_id, client_secret = _client_auth(request)
    client_id = client_id or p.get("client_id", "")
    grant = p.get("grant_type", "")
    try:
        if grant == "authorization_code":
            account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=client_id,
                client_secret=client_secret,
                redirect_uri=p.get("redirect_uri"),
                code_verifier=p.get("code_verifier", ""),
            )
        elif grant == "refresh_token":
            account, access, refresh = refresh_account(ctx, p.get("refresh_token", ""))
        else:
            return JSONResponse(
                {"error": "unsupported_grant_type", "error_description": "grant_type not supported"},
                status_code=400,
            )
    except OAuthError as exc:
        return _oauth_error(exc)
    body = {
        "token_type": "bearer",
        "expires_in": int(account.access_ttl),
        "access_token": access.value,
        "scope": access.scope or "tweet.read tweet.write users.read media.write offline.access",
    }
    if refresh is not None and "offline.access" in (access.scope or "offline.access"):
        body["refresh_token"] = refresh.value
    return JSONResponse(body)


@operation(SPEC, "profile")
async def users_me(request: Request, ctx: Ctx) -> Response:
    account = ctx.account
    return JSONResponse(
        {
            "data": {
                **user_json(account),
                "profile_image_url": f"https://pbs.twimg.com/profile_images/{account.external_id}/normal.jpg",
                "public_metrics": {
                    "followers_count": account.followers,
                    "following_count": 0,
                    "tweet_count": len(ctx.state.posts_of("x", account.external_id)),
                },
            }
        }
    )


IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))


def sniff_image(data: bytes) -> str:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in IMAGE_MAGIC if data.startswith(magic)), "")


async def _store_upload(ctx: Ctx, form) -> Media | Response:
    """The simple (one request) image/GIF upload both API versions share: a multipart `media` file."""
    media = form.get("media")
    if media is None or isinstance(media, str):
        return ctx.error("bad_request", "media is required (multipart file)")
    data = await media.read()
    category = str(form.get("media_category") or "tweet_image")
    # X reads the type from the bytes when the request names none (tweepy's v1.1 upload names none)
    content_type = str(form.get("media_type") or media.content_type or sniff_image(data))
    if category not in ("tweet_image", "tweet_gif", "tweet_video"):
        return ctx.error("bad_request", f"unsupported media_category {category}")
    limit = MAX_GIF_BYTES if category == "tweet_gif" or content_type == "image/gif" else MAX_IMAGE_BYTES
    if category == "tweet_video":
        return ctx.error("bad_request", "videos use the chunked INIT/APPEND/FINALIZE upload")
    if len(data) > limit:
        return ctx.error("bad_request", f"File size exceeds {limit} bytes.")
    return ctx.state.add_media(
        ctx.account,
        kind="gif" if category == "tweet_gif" or content_type == "image/gif" else "image",
        data=data,
        content_type=content_type,
        filename=media.filename or "",
        id=snowflake(ctx.state.next_id()),
    )


@operation(SPEC, "upload")
async def media_upload(request: Request, ctx: Ctx) -> Response:
    item = await _store_upload(ctx, await request.form())
    if isinstance(item, Response):
        return item
    return JSONResponse(
        {
            "data": {
                "id": item.id,
                "media_key": media_key(item.id),
                "size": item.size,
                "expires_after_secs": 86400,
                "image": {"image_type": item.content_type},
            }
        }
    )


@operation(SPEC_V1, "upload")
async def media_upload_v1(request: Request, ctx: Ctx) -> Response:
    form = await request.form()
    if form.get("command"):
        return ctx.error("bad_request", "the chunked INIT/APPEND/FINALIZE upload is not simulated")
    item = await _store_upload(ctx, form)
    if isinstance(item, Response):
        return item
    return JSONResponse(
        {
            "media_id": int(item.id),
            "media_id_string": item.id,
            "media_key": media_key(item.id),
            "size": item.size,
            "expires_after_secs": 86400,
            "image": {"image_type": item.content_type, "w": 1, "h": 1},
        }
    )


def _set_alt_text(ctx: Ctx, media_id: str, alt: str) -> Response | None:
    item = ctx.state.get_media("x", media_id)
    if item is None or item.account_id != ctx.account.external_id:
        return ctx.error("bad_request", "unknown media id")
    if len(alt) > 1000:
        return ctx.error("bad_request", "alt text is limited to 1000 characters")
    item.extra["alt_text"] = alt
    return None


@operation(SPEC_V1, "upload")
async def media_metadata_v1(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    alt = (p.get("alt_text") or {}).get("text", "")
    refused = _set_alt_text(ctx, str(p.get("media_id", "")), alt)
    return refused or Response(status_code=200)


@operation(SPEC, "upload")
async def media_metadata(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    media_id = str(p.get("id", ""))
    alt = ((p.get("metadata") or {}).get("alt_text") or {}).get("text", "")
    refused = _set_alt_text(ctx, media_id, alt)
    return refused or JSONResponse({"data": {"id": media_id, "associated_metadata": True}})


@operation(SPEC, "publish")
async def create_tweet(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    text = p.get("text") or ""
    media_ids = [str(m) for m in ((p.get("media") or {}).get("media_ids") or [])]
    if not isinstance(text, str) or (not text.strip() and not media_ids):
        return ctx.error("bad_request", "text or media is required")
    if weighted_length(text) > MAX_WEIGHTED_LENGTH:
        return ctx.error("forbidden", "Your Tweet text is too long.")
    if len(media_ids) > 4:
        return ctx.error("bad_request", "at most 4 media ids")
    for media_id in media_ids:
        item = ctx.state.get_media("x", media_id)
        if item is None or item.account_id != ctx.account.external_id:
            return ctx.error("bad_request", f"Your media IDs are invalid: {media_id}")
    reply_to = str((p.get("reply") or {}).get("in_reply_to_tweet_id") or "")
    # a fan's post (a mention of us) may be answered too: the inbox's replies
    fan_post = fans.get(ctx.state, "x", reply_to) if reply_to else None
    if fan_post is not None and fan_post.deleted:
        fan_post = None
    if reply_to and fan_post is None and ctx.state.get_post("x", reply_to) is None:
        return ctx.error("bad_request", "the post you are replying to does not exist")
    if not reply_to:
        for existing in ctx.state.posts_of("x", ctx.account.external_id)[:50]:
            if text and existing.text == text and not existing.extra.get("in_reply_to"):
                return ctx.error("forbidden", "You are not allowed to create a Tweet with duplicate content.")
    post = ctx.state.add_post(
        ctx.account,
        text=text,
        media_ids=media_ids,
        kind="image" if media_ids else "text",
        extra={"in_reply_to": reply_to} if reply_to else {},
        id=snowflake(ctx.state.next_id()),
    )
    if fan_post is not None:  # kept beside the fans' messages too, as from the account (x_inbox skips it)
        fans.add(
            ctx.state,
            platform="x",
            account_id=ctx.account.external_id,
            kind="reply",
            text=text,
            author_id=ctx.account.external_id,
            post_id=fan_post.post_id or fan_post.id,
            parent_id=fan_post.id,
            id=post.id,
        )
    return JSONResponse(
        {"data": {"id": post.id, "text": post.text, "edit_history_tweet_ids": [post.id]}}, status_code=201
    )


def _not_found(post_id: str) -> Response:
    return JSONResponse(
        {
            "errors": [
                {
                    "value": post_id,
                    "detail": f"Could not find tweet with id: [{post_id}].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": "id",
                    "resource_id": post_id,
                    "type": "https://api.x.com/2/problems/resource-not-found",
                }
            ]
        }
    )


@operation(SPEC, "lookup")
async def get_tweet(request: Request, ctx: Ctx) -> Response:
    post_id = request.path_params["tweet_id"]
    post = ctx.state.get_post("x", post_id)
    if post is None:
        return _not_found(post_id)
    answer = tweets_answer(request, ctx, [post])
    if "data" in answer:
        answer["data"] = answer["data"][0]
    return JSONResponse(answer)


async def _lookup_op(request: Request) -> str:
    """GET /2/tweets?ids= is X's one multi-post lookup; asking metric fields makes it the metrics call."""
    return "metrics_post" if _listed(request, "tweet.fields") & set(METRIC_FIELDS) else "lookup"


@operation(SPEC, _lookup_op, app_auth=True)
async def get_tweets(request: Request, ctx: Ctx) -> Response:
    ids = [i for i in _listed(request, "ids")]
    if not 1 <= len(ids) <= 100:
        return ctx.error("bad_request", "The `ids` query parameter value must have between 1 and 100 items")
    found, missing = [], []
    for post_id in ids:
        post = ctx.state.get_post("x", post_id)
        (found if post is not None else missing).append(post if post is not None else post_id)
    answer = tweets_answer(request, ctx, found)
    if missing:
        not_found = [_not_found(post_id).body for post_id in missing]
        answer["errors"] = answer.get("errors", []) + [json.loads(b)["errors"][0] for b in not_found]
    return JSONResponse(answer)


def _user_not_found(value: str, parameter: str = "id") -> Response:
    what = "id" if parameter == "id" else "username"
    return JSONResponse(
        {
            "errors": [
                {
                    "value": value,
                    "detail": f"Could not find user with {what}: [{value}].",
                    "title": "Not Found Error",
                    "resource_type": "user",
                    "parameter": parameter,
                    "resource_id": value,
                    "type": "https://api.twitter.com/2/problems/resource-not-found",
                }
            ]
        }
    )


@operation(SPEC, "metrics_account", app_auth=True)
async def get_user(request: Request, ctx: Ctx) -> Response:
    """GET /2/users/:id: the user, with `public_metrics` when `user.fields` asks (followers now)."""
    account = ctx.state.account("x", request.path_params["user_id"])
    if account is None:
        return _user_not_found(request.path_params["user_id"])
    return _user_answer(request, ctx, account)


@operation(SPEC, "profile", app_auth=True)
async def get_user_by_username(request: Request, ctx: Ctx) -> Response:
    """GET /2/users/by/username/:username (public; app-only bearer): how a competitor's handle is resolved."""
    account = ctx.state.account_by_handle("x", request.path_params["username"])
    if account is None:
        return _user_not_found(request.path_params["username"], "username")
    return _user_answer(request, ctx, account)


def _user_answer(request: Request, ctx: Ctx, account) -> Response:
    body = user_json(account)
    fields = _listed(request, "user.fields")
    if "protected" in fields:
        body["protected"] = bool(account.options.get("private"))
    if "profile_image_url" in fields:
        body["profile_image_url"] = f"https://pbs.twimg.com/profile_images/{account.external_id}/normal.jpg"
    if "public_metrics" in _listed(request, "user.fields"):
        counts = {
            "followers_count": figures.followers_at(account, figures.clock(account)),
            "following_count": 0,
            "tweet_count": len(ctx.state.posts_of("x", account.external_id)),
            "listed_count": 0,
            "like_count": 0,
        }
        body["public_metrics"] = {k: v for k, v in counts.items() if not figures.removed(account, k)}
    return JSONResponse({"data": body})


@operation(SPEC, "delete")
async def delete_tweet(request: Request, ctx: Ctx) -> Response:
    post = ctx.state.get_post("x", request.path_params["tweet_id"])
    if post is None:
        return JSONResponse({"data": {"deleted": False}})
    if post.account_id != ctx.account.external_id:
        return ctx.error("forbidden", "You are not authorized to delete this Tweet.")
    post.deleted = True
    return JSONResponse({"data": {"deleted": True}})


@operation(SPEC, "list", app_auth=True)
async def user_tweets(request: Request, ctx: Ctx) -> Response:
    """GET /2/users/:id/tweets, newest first, `max_results` (5-100) a page; `pagination_token` from the
    previous page's `meta.next_token`; `start_time` (ISO 8601) leaves older posts out. A protected
    account's posts are refused to anyone but itself (Authorization Error, HTTP 200)."""
    try:
        limit = int(request.query_params.get("max_results", "10"))
    except ValueError:
        limit = 0
    if not 5 <= limit <= 100:
        return ctx.error("bad_request", "max_results must be between 5 and 100")
    user_id = request.path_params["user_id"]
    owner = ctx.state.account("x", user_id)
    if (
        owner is not None
        and owner.options.get("private")
        and (ctx.account is None or ctx.account.external_id != user_id)
    ):
        return JSONResponse(
            {
                "errors": [
                    {
                        "value": user_id,
                        "detail": f"Sorry, you are not authorized to see the user with id: [{user_id}].",
                        "title": "Authorization Error",
                        "resource_type": "user",
                        "parameter": "id",
                        "resource_id": user_id,
                        "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
                    }
                ]
            }
        )
    posts = ctx.state.posts_of("x", user_id)
    start_time = request.query_params.get("start_time")
    if start_time:
        since = datetime.fromisoformat(start_time.replace("Z", "+00:00")).timestamp()
        posts = [p for p in posts if p.created_at >= since]
    offset = int(request.query_params.get("pagination_token") or 0)
    page = posts[offset : offset + limit]
    meta = {"result_count": len(page)}
    if page:
        meta |= {"newest_id": page[0].id, "oldest_id": page[-1].id}
    if offset + limit < len(posts):
        meta["next_token"] = str(offset + limit)
    posts = page
    body: dict = tweets_answer(request, ctx, posts) if posts else {}
    return JSONResponse({**body, "meta": meta})


def routes() -> list[Route]:
    from .x_inbox import routes as inbox_routes  # the mentions timeline (it imports this module)

    return [
        *inbox_routes(),
        Route("/i/oauth2/authorize", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/2/oauth2/token", oauth2_token, methods=["POST"]),
        Route("/2/users/me", users_me),
        Route("/2/users/by/username/{username}", get_user_by_username),
        Route("/2/users/{user_id}", get_user),
        Route("/2/users/{user_id}/tweets", user_tweets),
        Route("/2/media/upload", media_upload, methods=["POST"]),
        Route("/2/media/metadata", media_metadata, methods=["POST"]),
        # upload.twitter.com (v1.1), on the same mount
        Route("/1.1/media/upload.json", media_upload_v1, methods=["POST"]),
        Route("/1.1/media/metadata/create.json", media_metadata_v1, methods=["POST"]),
        Route("/2/tweets", create_tweet, methods=["POST"]),
        Route("/2/tweets", get_tweets, methods=["GET"]),
        Route("/2/tweets/{tweet_id}", get_tweet, methods=["GET"]),
        Route("/2/tweets/{tweet_id}", delete_tweet, methods=["DELETE"]),
    ]
