"""LinkedIn: OAuth on www.linkedin.com, `/v2/userinfo`, and the versioned REST API (`/rest/...`).

Every /rest/ call must carry `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`; a
missing or malformed version is 400 VERSION_MISSING / 426 NONEXISTENT_VERSION. Images:
`POST /rest/images?action=initializeUpload` -> PUT bytes to `uploadUrl` -> `urn:li:image:...`. Posts:
`POST /rest/posts` -> 201 with the URN in `x-restli-id`. Access tokens last 60 days; refresh tokens
(365 days, not rotated) for partner apps. Errors: {"status", "serviceErrorCode", "code", "message"}.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

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
from ..state import Post
from . import figures

ERRORS = {
    "rate_limited": (
        429,
        101,
        "TOO_MANY_REQUESTS",
        "Resource level throttle limit for calls to this resource is reached.",
    ),
    "server_error": (500, 100, "INTERNAL_SERVER_ERROR", "Internal Server Error"),
    "timeout": (504, 100, "GATEWAY_TIMEOUT", "Gateway Timeout"),
    "token_expired": (401, 65601, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"),
    "token_revoked": (
        401,
        65601,
        "REVOKED_ACCESS_TOKEN",
        "The token used in the request has been revoked by the user",
    ),
    "token_invalid": (401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token"),
    "bad_request": (400, 100, "ILLEGAL_ARGUMENT", "Bad request"),
    "not_found": (404, 100, "NOT_FOUND", "Not Found"),
    "forbidden": (403, 100, "ACCESS_DENIED", "Not enough permissions to access this resource"),
}
VERSION_RE = re.compile(r"^\d{6}(\.\d{2})?$")
TEXT_LIMIT = 3000
LITTLE_TEXT_RESERVED = set("\\|{}@[]()<>#*_~")


def linkedin_error(kind: str, message: str, status: int | None = None) -> Response:
    code_status, service_code, code, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    return JSONResponse(
        {"status": status or code_status, "serviceErrorCode": service_code, "code": code, "message": text},
        status_code=status or code_status,
    )


SPEC = PlatformSpec(
    key="linkedin",
    display_name="LinkedIn",
    access_ttl=60 * 86400.0,
    refresh_ttl=365 * 86400.0,
    refresh_rotates=False,
    error=linkedin_error,
)


def unescape(text: str) -> tuple[str, bool]:
    """Little text -> plain text, and whether an unescaped reserved character was found."""
    out, clean = [], True
    chars = iter(text)
    for ch in chars:
        if ch == "\\":
            out.append(next(chars, ""))
        else:
            if ch in LITTLE_TEXT_RESERVED:
                clean = False
            out.append(ch)
    return "".join(out), clean


def versioned(ctx: Ctx) -> Response | None:
    version = ctx.request.headers.get("linkedin-version", "")
    if not version:
        return JSONResponse(
            {
                "status": 400,
                "code": "VERSION_MISSING",
                "message": "A version must be present. Please specify a "
                "version by adding the LinkedIn-Version header.",
            },
            status_code=400,
        )
    if not VERSION_RE.match(version):
        return JSONResponse(
            {
                "status": 426,
                "code": "NONEXISTENT_VERSION",
                "message": f"Requested version {version} is not active",
            },
            status_code=426,
        )
    if ctx.request.headers.get("x-restli-protocol-version") != "2.0.0":
        return ctx.error("bad_request", "X-Restli-Protocol-Version: 2.0.0 is required")
    return None


def _oauth_error(exc: OAuthError) -> Response:
    error = "invalid_grant" if exc.kind.startswith("token_") or "code" in exc.message else "invalid_request"
    return JSONResponse({"error": error, "error_description": exc.message}, status_code=400)


@operation(SPEC, grant_operation(), auth=False, account_hint=account_from_param("code", "refresh_token"))
async def access_token(request: Request, ctx: Ctx) -> Response:
    p = await ctx.params()
    try:
        if p.get("grant_type") == "authorization_code":
            account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=p.get("client_id", ""),
                client_secret=p.get("client_secret", ""),
                redirect_uri=p.get("redirect_uri"),
            )
        elif p.get("grant_type") == "refresh_token":
            if not p.get("client_secret"):
                raise OAuthError("bad_request", "client_secret is required")
            account, access, refresh = refresh_account(ctx, p.get("refresh_token", ""))
            refresh = refresh or ctx.state.tokens[p["refresh_token"]]
        else:
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
    except OAuthError as exc:
        return _oauth_error(exc)
    return JSONResponse(
        {
            "access_token": access.value,
            "expires_in": int(account.access_ttl),
            "refresh_token": refresh.value,
            "refresh_token_expires_in": max(0, int(refresh.expires_at - time.time())),
            "scope": access.scope or "openid,profile,w_member_social",
        }
    )


@operation(SPEC, "profile")
async def userinfo(request: Request, ctx: Ctx) -> Response:
    account = ctx.account
    return JSONResponse(
        {
            "sub": account.external_id,
            "name": account.display_name,
            "given_name": account.display_name,
            "family_name": "",
            "picture": f"https://media.licdn.com/dms/image/{account.external_id}.jpg",
            "email": f"{account.handle}@example.com",
            "email_verified": True,
            "locale": {"country": "US", "language": "en"},
        }
    )


@operation(SPEC, "profile")
async def me(request: Request, ctx: Ctx) -> Response:
    """The legacy profile; vanityName needs r_basicprofile (account option `basic_profile`, default on)."""
    account = ctx.account
    if not account.options.get("basic_profile", True):
        return ctx.error("forbidden", "Not enough permissions to access: me.GET.NO_VERSION")
    return JSONResponse(
        {
            "id": account.external_id,
            "vanityName": account.handle,
            "localizedFirstName": account.display_name,
            "localizedLastName": "",
        }
    )


def _authors(ctx: Ctx) -> set[str]:
    account = ctx.account
    return {f"urn:li:person:{account.external_id}", *account.options.get("organizations", [])}


@operation(SPEC, "upload")
async def images(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    if request.query_params.get("action") != "initializeUpload":
        return ctx.error("bad_request", "action=initializeUpload is required")
    p = await ctx.params()
    owner = ((p.get("initializeUploadRequest") or {}).get("owner")) or ""
    if owner not in _authors(ctx):
        return ctx.error("forbidden", f"Not enough permissions to upload images for {owner or 'no owner'}")
    image = ctx.state.add_media(ctx.account, kind="image", size=0, id=f"D4E{ctx.state.next_id()}")
    image.complete = False
    return JSONResponse(
        {
            "value": {
                "uploadUrlExpiresAt": int((time.time() + 3600) * 1000),
                "uploadUrl": str(request.url_for("linkedin_dms_upload", image_id=image.id)),
                "image": f"urn:li:image:{image.id}",
            }
        }
    )


@operation(SPEC, "upload")
async def dms_upload(request: Request, ctx: Ctx) -> Response:
    image = ctx.state.get_media("linkedin", request.path_params["image_id"])
    if image is None or image.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    data = await request.body()
    if not data:
        return ctx.error("bad_request", "empty upload")
    image.size = len(data)
    image.content_type = request.headers.get("content-type", "")
    image.complete = True
    return Response(status_code=201)


def _post_json(post: Post) -> dict:
    body = {
        "id": post.id,
        "author": post.extra.get("author"),
        "commentary": post.extra.get("commentary", post.text),
        "visibility": "PUBLIC",
        "lifecycleState": "PUBLISHED",
        "createdAt": int(post.created_at * 1000),
        "publishedAt": int(post.created_at * 1000),
        "lastModifiedAt": int(post.created_at * 1000),
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "isReshareDisabledByAuthor": False,
    }
    if post.extra.get("content"):
        body["content"] = post.extra["content"]
    return body


@operation(SPEC, "publish")
async def create_post(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    p = await ctx.params()
    author = p.get("author", "")
    if author not in _authors(ctx):
        return ctx.error("forbidden", f"Not enough permissions to post as {author or 'no author'}")
    for field in ("visibility", "distribution", "lifecycleState"):
        if field not in p:
            return ctx.error("bad_request", f"/{field} is required")
    commentary = str(p.get("commentary") or "")
    text, _clean = unescape(commentary)
    if len(text) > TEXT_LIMIT:
        return ctx.error("bad_request", f"/commentary exceeds the maximum length of {TEXT_LIMIT}")
    content = p.get("content") or {}
    refs = []
    if "media" in content:
        refs = [content["media"].get("id", "")]
    elif "multiImage" in content:
        refs = [i.get("id", "") for i in content["multiImage"].get("images", [])]
        if not 2 <= len(refs) <= 20:
            return ctx.error("bad_request", "/content/multiImage/images must hold 2 to 20 images")
    media_ids = []
    for urn in refs:
        image = ctx.state.get_media("linkedin", urn.rsplit(":", 1)[-1])
        if image is None or not image.complete or image.account_id != ctx.account.external_id:
            return ctx.error("bad_request", f"/content: {urn} is not an uploaded image")
        media_ids.append(image.id)
    if not text.strip() and not refs:
        return ctx.error("bad_request", "/commentary or /content is required")
    post = ctx.state.add_post(
        ctx.account,
        text=text,
        media_ids=media_ids,
        kind="image" if media_ids else "text",
        id=f"urn:li:share:{7_000_000_000_000 + ctx.state.next_id()}",
        extra={"author": author, "commentary": commentary, "content": content},
    )
    return Response(status_code=201, headers={"x-restli-id": post.id, "x-linkedin-id": post.id})


async def _post_op(request: Request) -> str:
    return "delete" if request.method == "DELETE" else "lookup"


@operation(SPEC, _post_op)
async def post_by_urn(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    post = ctx.state.get_post("linkedin", request.path_params["urn"])
    if post is None:
        return ctx.error("not_found", "Post not found")
    if request.method == "DELETE":
        if post.extra.get("author") not in _authors(ctx):
            return ctx.error("forbidden")
        post.deleted = True
        return Response(status_code=204)
    return JSONResponse(_post_json(post))


@operation(SPEC, "list")
async def posts_by_author(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    if request.query_params.get("q") != "author":
        return ctx.error("bad_request", "q=author is required")
    author = request.query_params.get("author", "")
    count = min(int(request.query_params.get("count", "10") or 10), 100)
    posts = [
        p for p in ctx.state.posts_of("linkedin", ctx.account.external_id) if p.extra.get("author") == author
    ]
    return JSONResponse(
        {
            "elements": [_post_json(p) for p in posts[:count]],
            "paging": {"start": 0, "count": count, "total": len(posts)},
        }
    )


async def _statistics_op_name(request: Request) -> str:
    q = request.query_params
    return "metrics_post" if q.get("shares") or q.get("ugcPosts") else "metrics_account"


# --- Community Management API: organisation statistics (organic, the last 12 months only) ---
# learn.microsoft.com/linkedin/marketing/community-management/organizations/share-statistics and
# .../follower-statistics. Each totalShareStatistics field -> its growth-model figure: a share's lifetime
# figures by name; an organisation's day has only views and reach in the model, so its clicks and
# reactions are fixed fractions of the impressions.
SHARE_FIGURES = {
    "impressionCount": "views",
    "uniqueImpressionsCount": "reach",
    "clickCount": "clicks",
    "likeCount": "likes",
    "commentCount": "comments",
    "shareCount": "shares",
}
DAY_FRACTIONS = {"clickCount": 75, "likeCount": 30, "commentCount": 200, "shareCount": 250}
STATISTICS_WINDOW_DAYS = 365
TIME_RANGE = re.compile(r"timeRange:\(start:(\d+),end:(\d+)\)")
GRANULARITY = re.compile(r"timeGranularityType:(DAY|MONTH)")
RESTLI_LIST = re.compile(r"^List\((.*)\)$")


def _engagement(stats: dict[str, int]) -> float:
    impressions = stats.get("impressionCount", 0)
    acted = sum(stats.get(k, 0) for k in ("clickCount", "likeCount", "commentCount", "shareCount"))
    return acted / impressions if impressions else 0.0


def _served(account, stats: dict) -> dict:
    return {k: v for k, v in stats.items() if not figures.removed(account, k)}


def _organization(ctx: Ctx) -> str | Response:
    q = ctx.request.query_params
    if q.get("q") != "organizationalEntity":
        return ctx.error("bad_request", "q=organizationalEntity is required")
    org = unquote(q.get("organizationalEntity", ""))
    if not org.startswith("urn:li:organization:") or org not in _authors(ctx):
        return ctx.error("forbidden", f"Not enough permissions to access: {org}")
    return org


def _days(ctx: Ctx) -> list[figures.Day] | Response | None:
    """The days of `timeIntervals` (DAY granularity), or None when it is not given. LinkedIn keeps 12
    months: a range starting earlier is refused; days not final yet (`metrics_late_days`) have no element."""
    raw = ctx.request.query_params.get("timeIntervals", "")
    if not raw:
        return None
    span, granularity = TIME_RANGE.search(raw), GRANULARITY.search(raw)
    if span is None or granularity is None or granularity.group(1) != "DAY":
        return ctx.error(
            "bad_request", "timeIntervals must be (timeRange:(start:,end:),timeGranularityType:DAY)"
        )
    start, end = (datetime.fromtimestamp(int(v) / 1000, UTC) for v in span.groups())
    if start.timestamp() < figures.clock(ctx.account) - STATISTICS_WINDOW_DAYS * 86400:
        return ctx.error("bad_request", "timeRange.start must be within the last 12 months")
    ready = figures.today(ctx.account) - timedelta(days=metrics.late_days(ctx.account.options))
    days = figures.account_days(ctx.account, start.date(), end.date() - timedelta(days=1))
    return [d for d in days if d.day <= ready]


def _time_range(day: figures.Day) -> dict[str, int]:
    end = int(day.end.timestamp() * 1000)
    return {"start": end - 86_400_000, "end": end}


@operation(SPEC, _statistics_op_name)
async def share_statistics(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    org = _organization(ctx)
    if isinstance(org, Response):
        return org
    q = request.query_params
    listed = RESTLI_LIST.match(q.get("shares", "") or q.get("ugcPosts", ""))
    elements = []
    if listed:
        for urn in (unquote(u) for u in listed.group(1).split(",") if u):
            post = ctx.state.get_post("linkedin", urn)
            if post is None or post.extra.get("author") != org:
                continue
            got = figures.post_figures(ctx.state, post)
            stats = {k: got[name] for k, name in SHARE_FIGURES.items()}
            stats["engagement"] = _engagement(stats)
            kind = "share" if urn.startswith("urn:li:share:") else "ugcPost"
            totals = _served(ctx.account, stats)
            elements.append({"organizationalEntity": org, kind: urn, "totalShareStatistics": totals})
        return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})
    days = _days(ctx)
    if isinstance(days, Response):
        return days
    for day in days or []:
        views = day.figures["views"]
        stats = {"impressionCount": views, "uniqueImpressionsCount": day.figures["reach"]}
        stats |= {k: views // n for k, n in DAY_FRACTIONS.items()}
        stats["engagement"] = _engagement(stats)
        elements.append(
            {
                "organizationalEntity": org,
                "timeRange": _time_range(day),
                "totalShareStatistics": _served(ctx.account, stats),
            }
        )
    return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})


@operation(SPEC, "metrics_account")
async def follower_statistics(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    org = _organization(ctx)
    if isinstance(org, Response):
        return org
    days = _days(ctx)
    if isinstance(days, Response):
        return days
    if days is None:  # lifetime: the demographic breakdowns, which we do not read
        return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": []})
    elements = [
        {
            "organizationalEntity": org,
            "timeRange": _time_range(day),
            "followerGains": _served(
                ctx.account, {"organicFollowerGain": day.figures["new_followers"], "paidFollowerGain": 0}
            ),
        }
        for day in days
    ]
    return JSONResponse({"paging": {"start": 0, "count": 10, "links": []}, "elements": elements})


@operation(SPEC, "metrics_account")
async def network_sizes(request: Request, ctx: Ctx) -> Response:
    if (resp := versioned(ctx)) is not None:
        return resp
    org = unquote(request.path_params["organization"])
    if request.query_params.get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER" or org not in _authors(ctx):
        return ctx.error(
            "bad_request", "edgeType=COMPANY_FOLLOWED_BY_MEMBER for an organization you administer"
        )
    size = figures.followers_at(ctx.account, figures.clock(ctx.account))
    return JSONResponse(_served(ctx.account, {"firstDegreeSize": size}))


def routes() -> list[Route]:
    from .linkedin_inbox import routes as inbox_routes  # comments (it imports this module)

    return [
        *inbox_routes(),
        Route("/oauth/v2/authorization", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/oauth/v2/accessToken", access_token, methods=["POST"]),
        Route("/v2/userinfo", userinfo),
        Route("/v2/me", me),
        Route("/rest/images", images, methods=["POST"]),
        Route("/dms-uploads/{image_id}", dms_upload, methods=["PUT", "POST"], name="linkedin_dms_upload"),
        Route("/rest/posts", create_post, methods=["POST"]),
        Route("/rest/posts", posts_by_author, methods=["GET"]),
        Route("/rest/posts/{urn}", post_by_urn, methods=["GET", "DELETE"]),
        Route("/rest/organizationalEntityShareStatistics", share_statistics),
        Route("/rest/organizationalEntityFollowerStatistics", follower_statistics),
        Route("/rest/networkSizes/{organization}", network_sizes),
    ]
