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


def routes() -> list[Route]:
    return [
        Route("/oauth/v2/authorization", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/oauth/v2/accessToken", access_token, methods=["POST"]),
        Route("/v2/userinfo", userinfo),
        Route("/v2/me", me),
        Route("/rest/images", images, methods=["POST"]),
        Route("/dms-uploads/{image_id}", dms_upload, methods=["PUT", "POST"], name="linkedin_dms_upload"),
        Route("/rest/posts", create_post, methods=["POST"]),
        Route("/rest/posts", posts_by_author, methods=["GET"]),
        Route("/rest/posts/{urn}", post_by_urn, methods=["GET", "DELETE"]),
    ]
