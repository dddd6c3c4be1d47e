"""Bluesky PDS (XRPC under /xrpc/<nsid>): sessions with app passwords, blobs, post records.

Shapes and messages are copied from Bluesky's own PDS (@atproto/pds 0.4.217, run by
tests/peers/bluesky_pds.py), which the connector is also tested against:
- errors are `{"error": Name, "message": text}`; expired or revoked tokens answer 400 ExpiredToken,
  bad tokens 400 InvalidToken, a wrong password 401 AuthenticationRequired, rate limits 429
  RateLimitExceeded with `RateLimit-*` headers.
- sessions carry JWTs (`accessJwt` 2 h, `refreshJwt` 90 days); the access token's `scope` claim says
  whether an app password (`com.atproto.appPass`) or the main password (`com.atproto.access`) made it.
- records are validated as the PDS does: "grapheme too big (maximum 300, got 301)", "string too big
  (maximum 3000, got N)" (UTF-8 bytes), at most 4 images of at most 1,000,000 bytes each, image/* only,
  blobs must have been uploaded by the same account.
- a blob's MIME type comes from its bytes (PNG, JPEG, GIF, WebP, MP4 ... magic numbers), the declared
  Content-Type only when the bytes are not recognised (even `*/*`, which atproto declares for every blob).
- a method the PDS does not serve (every `app.bsky.*` read: there is no AppView) answers 400
  InvalidRequest "No service configured for <nsid>", as a PDS without an AppView does; record keys are
  TIDs; a 429 carries `RateLimit-Reset` (epoch seconds).
- except the two AppView reads metrics need, `app.bsky.feed.getPosts` (likeCount, repostCount,
  replyCount, quoteCount) and `app.bsky.actor.getProfile` (followersCount), when the request names the
  AppView in `atproto-proxy: did:web:api.bsky.app#bsky_appview`: bsky.social's PDS proxies such a
  request to the AppView with the user's session. Without the header the answer stays the plain PDS's,
  so tests/conformance/test_bluesky_sdk.py's comparison with the real PDS is unchanged.

Simulated accounts log in with `options["app_password"]` (or `options["password"]`, the main password);
their DID is the account's external id.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import regex
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..kit import Ctx, OAuthError, PlatformSpec, Simulator, bearer_token, operation, refresh_account
from ..state import Account, Post, Token
from . import figures

POST = "app.bsky.feed.post"
PROFILE = "app.bsky.actor.profile"
MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000
MAX_LANGS = 3
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # the PDS's default blob upload limit
APP_PASSWORD_SCOPE = "com.atproto.appPass"
FULL_SCOPE = "com.atproto.access"

ERRORS = {
    "rate_limited": (429, "RateLimitExceeded", "Rate Limit Exceeded"),
    "server_error": (500, "InternalServerError", "Internal Server Error"),
    "timeout": (504, "UpstreamTimeout", "Upstream Timeout"),
    "token_expired": (400, "ExpiredToken", "Token has expired"),
    "token_revoked": (400, "ExpiredToken", "Token has been revoked"),
    "token_invalid": (400, "InvalidToken", "Token could not be verified"),
    "bad_request": (400, "InvalidRequest", "Invalid request"),
    "not_found": (400, "RecordNotFound", "Could not locate record"),
    "forbidden": (403, "Forbidden", "Forbidden"),
}


# The generic texts the kit's fault and token checks pass in; the PDS has its own words for them.
KIT_MESSAGES = frozenset(
    {
        "rate limit exceeded",
        "system busy",
        "gateway timeout",
        "access token expired",
        "access token revoked",
        "invalid access token",
        "not an access token",
    }
)
RATE_LIMIT_WINDOW = 300  # seconds; the PDS's login limit is "30;w=300"


def bluesky_error(kind: str, message: str, status: int | None = None) -> Response:
    default_status, name, default_message = ERRORS[kind]
    generic = message in ("", kind.replace("_", " ")) or message in KIT_MESSAGES
    return xrpc_error(name, default_message if generic else message, status or default_status)


def xrpc_error(name: str, message: str, status: int = 400) -> Response:
    response = JSONResponse({"error": name, "message": message}, status_code=status)
    if status == 429:
        response.headers["RateLimit-Limit"] = "30"
        response.headers["RateLimit-Remaining"] = "0"
        response.headers["RateLimit-Policy"] = f"30;w={RATE_LIMIT_WINDOW}"
        # The window's end in epoch seconds (atproto's RateLimitExceededError.reset_at reads it); a fault
        # rule's Retry-After, added after this, moves it (see _reset_from_retry_after).
        response.headers["RateLimit-Reset"] = str(int(time.time()) + RATE_LIMIT_WINDOW)
    return response


def _reset_from_retry_after(endpoint: Callable[[Request], Awaitable[Response]]):
    """The kit sends a rate-limit fault's wait as Retry-After, which the PDS never sends; the PDS says when
    the window ends in RateLimit-Reset, so that header carries the same moment."""

    async def wrapped(request: Request) -> Response:
        response = await endpoint(request)
        if response.status_code == 429 and "retry-after" in response.headers:
            reset = response.headers.get("x-rate-limit-reset") or str(
                math.ceil(time.time() + float(response.headers["retry-after"]))
            )
            response.headers["RateLimit-Reset"] = reset
        return response

    return wrapped


SPEC = PlatformSpec(
    key="bluesky",
    display_name="Bluesky",
    access_ttl=2 * 3600.0,
    refresh_ttl=90 * 86400.0,
    refresh_rotates=True,
    error=bluesky_error,
)


# --- identifiers ---
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_tid_lock = threading.Lock()
_last_tid = 0


def next_tid() -> str:
    """A record key as the PDS makes them: microseconds since 1970 and a clock id, base32-sortable."""
    global _last_tid
    with _tid_lock:
        value = (int(time.time() * 1_000_000) << 10) | 1
        value = max(value, _last_tid + 1)
        _last_tid = value
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def cid_for(data: bytes, codec: int = 0x55) -> str:
    """A CIDv1 (raw or dag-cbor codec, sha2-256) in base32, the form `bafkrei...` / `bafyrei...`."""
    raw = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _as_jwt(ctx: Ctx, token: Token, account: Account) -> Token:
    """Give an issued token a JWT-shaped value carrying `exp` and `scope`, like the PDS's tokens."""
    kind = "at+jwt" if token.kind == "access" else "refresh+jwt"
    claims = {
        "scope": token.scope if token.kind == "access" else "com.atproto.refresh",
        "aud": "did:web:pds.sim",
        "sub": account.external_id,
        "iat": int(time.time()),
        "exp": int(token.expires_at),
    }
    if token.kind == "refresh":
        claims["jti"] = secrets.token_urlsafe(24)
    value = f"{_b64url({'typ': kind, 'alg': 'HS256'})}.{_b64url(claims)}.{secrets.token_urlsafe(32)}"
    ctx.state.tokens.pop(token.value, None)
    token.value = value
    ctx.state.tokens[value] = token
    return token


def _session(ctx: Ctx, account: Account, access: Token, refresh: Token) -> dict[str, Any]:
    return {
        "accessJwt": _as_jwt(ctx, access, account).value,
        "refreshJwt": _as_jwt(ctx, refresh, account).value,
        "handle": account.handle,
        "did": account.external_id,
        "email": f"{account.handle}@example.test",
        "emailConfirmed": False,
        "active": True,
    }


def _find_account(sim: Simulator, repo: str) -> Account | None:
    repo = (repo or "").strip().lstrip("@")
    return sim.state.account("bluesky", repo) or sim.state.account_by_handle("bluesky", repo.lower())


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _identifier_hint(request: Request, sim: Simulator) -> Account | None:
    return _find_account(sim, str((await _json(request)).get("identifier", "")))


async def _bearer_hint(request: Request, sim: Simulator) -> Account | None:
    token = sim.state.tokens.get(await bearer_token(request))
    return sim.state.account(token.platform, token.account_id) if token else None


async def _repo_hint(request: Request, sim: Simulator) -> Account | None:
    return _find_account(sim, request.query_params.get("repo", ""))


# --- sessions ---
@operation(SPEC, "token", auth=False, account_hint=_identifier_hint)
async def create_session(request: Request, ctx: Ctx) -> Response:
    body = await _json(request)
    identifier, password = str(body.get("identifier", "")), str(body.get("password", ""))
    if not identifier or not password:
        return xrpc_error("InvalidRequest", 'Input must have the property "identifier" and "password"')
    account = _find_account(ctx.sim, identifier)
    options = account.options if account else {}
    app_passwords = options.get("app_password") or []
    if isinstance(app_passwords, str):
        app_passwords = [app_passwords]
    if account and password in app_passwords:
        scope = APP_PASSWORD_SCOPE
    elif account and options.get("password") and password == options["password"]:
        scope = FULL_SCOPE
    else:
        return xrpc_error("AuthenticationRequired", "Invalid identifier or password", 401)
    ctx.account = account
    access = ctx.state.issue(account, "access", scope=scope)
    refresh = ctx.state.issue(account, "refresh", scope=scope)
    return JSONResponse(_session(ctx, account, access, refresh))


@operation(SPEC, "refresh", auth=False, account_hint=_bearer_hint)
async def refresh_session(request: Request, ctx: Ctx) -> Response:
    token = await bearer_token(request)
    if not token:
        return xrpc_error("AuthMissing", "Authentication Required", 401)
    current = ctx.state.tokens.get(token)
    if current is not None and current.kind != "refresh":
        return xrpc_error("InvalidToken", "Invalid token type")
    try:
        account, access, new_refresh = refresh_account(ctx, token)
    except OAuthError as exc:
        kind = "token_revoked" if exc.kind == "token_invalid" and current is not None else exc.kind
        return ctx.error(kind)
    return JSONResponse(_session(ctx, account, access, new_refresh))


@operation(SPEC, "logout", auth=False, account_hint=_bearer_hint)
async def delete_session(request: Request, ctx: Ctx) -> Response:
    token = ctx.state.tokens.get(await bearer_token(request))
    if token is None or token.kind != "refresh":
        return xrpc_error("InvalidToken", "Invalid token type")
    token.revoked = True
    return Response(status_code=200)


@operation(SPEC, "profile")
async def get_session(request: Request, ctx: Ctx) -> Response:
    account = ctx.account
    return JSONResponse(
        {
            "did": account.external_id,
            "handle": account.handle,
            "email": f"{account.handle}@example.test",
            "emailConfirmed": False,
            "active": True,
        }
    )


@operation(SPEC, "resolve_handle", auth=False)
async def resolve_handle(request: Request, ctx: Ctx) -> Response:
    account = ctx.state.account_by_handle("bluesky", request.query_params.get("handle", "").lower())
    if account is None:
        return xrpc_error("InvalidRequest", "Unable to resolve handle")
    return JSONResponse({"did": account.external_id})


# --- blobs and records ---
@operation(SPEC, "upload")
async def upload_blob(request: Request, ctx: Ctx) -> Response:
    data = await request.body()
    declared = request.headers.get("content-type", "").split(";")[0].strip()
    if not declared:
        return xrpc_error("InvalidRequest", "Request encoding (Content-Type) required but not provided")
    if len(data) > MAX_UPLOAD_BYTES:
        return xrpc_error("PayloadTooLarge", "request entity too large", 413)
    # The PDS trusts the bytes, not the header: atproto declares */* for every blob. Bytes it cannot
    # identify keep the declared type, */* included (checked against @atproto/pds 0.4.217).
    mime = sniff_mime(data) or declared
    cid = cid_for(data)
    if ctx.state.get_media("bluesky", _media_id(ctx.account, cid)) is None:
        kind = "image" if mime.startswith("image/") else "file"
        ctx.state.add_media(
            ctx.account, id=_media_id(ctx.account, cid), kind=kind, data=data, content_type=mime
        )
    return JSONResponse(
        {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}}
    )


def sniff_mime(data: bytes) -> str | None:
    """The MIME type the bytes announce (magic numbers), or None: what the PDS's file-type sniffer finds
    for the formats Bluesky takes (images, MP4 video) and their near relatives."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1"):
            return "image/heic" if brand != b"mif1" else "image/heif"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand == b"qt  ":
            return "video/quicktime"
        return "video/mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def _media_id(account: Account, cid: str) -> str:
    return f"{account.external_id}/{cid}"  # blobs belong to one repo


def _invalid(message: str) -> Response:
    return xrpc_error("InvalidRequest", f"Invalid {POST} record: {message}")


def _check_post(ctx: Ctx, record: dict[str, Any]) -> tuple[Response | None, list[str]]:
    """The lexicon checks the PDS applies to a post; returns (error, blob cids)."""
    text = record.get("text")
    if not isinstance(text, str):
        return _invalid(f"Expected string value type (got {_type_name(text)}) at $.record.text"), []
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        return _invalid(f"string too big (maximum {MAX_TEXT_BYTES}, got {size}) at $.record.text"), []
    graphemes = len(regex.findall(r"\X", text))
    if graphemes > MAX_GRAPHEMES:
        return _invalid(f"grapheme too big (maximum {MAX_GRAPHEMES}, got {graphemes}) at $.record.text"), []
    created = record.get("createdAt")
    if not isinstance(created, str):
        return _invalid(f"Expected string value type (got {_type_name(created)}) at $.record.createdAt"), []
    from .bluesky_inbox import reply_refs_error  # (it imports this module)

    reply_error = reply_refs_error(record.get("reply"))
    if reply_error:
        return _invalid(reply_error), []
    langs = record.get("langs") or []
    if len(langs) > MAX_LANGS:
        return _invalid(f"array too big (maximum {MAX_LANGS}, got {len(langs)}) at $.record.langs"), []
    embed = record.get("embed") or {}
    cids: list[str] = []
    if embed.get("$type") == "app.bsky.embed.images":
        images = embed.get("images") or []
        if len(images) > MAX_IMAGES:
            return _invalid(
                f"array too big (maximum {MAX_IMAGES}, got {len(images)}) at $.record.embed.images"
            ), []
        for index, image in enumerate(images):
            where = f"$.record.embed.images[{index}]"
            if not isinstance(image.get("alt"), str):
                return _invalid(f'{where} must have the property "alt"'), []
            blob = image.get("image") or {}
            cid = (blob.get("ref") or {}).get("$link", "")
            stored = ctx.state.get_media("bluesky", _media_id(ctx.account, cid))
            if stored is None:
                return xrpc_error("BlobNotFound", f"Could not find blob: {cid}"), []
            if stored.size > MAX_IMAGE_BYTES:
                return _invalid(
                    f"blob too big (maximum {MAX_IMAGE_BYTES}, got {stored.size}) at {where}.image"
                ), []
            if not stored.content_type.startswith("image/"):
                return _invalid(
                    f'Expected "image/*" (got "{stored.content_type}") at {where}.image.mimeType'
                ), []
            cids.append(cid)
    return None, cids


def _fan_repo(request: Request, ctx: Ctx, what: str) -> Response | None:
    from .bluesky_repos import fan_repo_answer  # (it imports this module)

    return fan_repo_answer(request, ctx, what)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _uri(account_id: str, collection: str, rkey: str) -> str:
    return f"at://{account_id}/{collection}/{rkey}"


@operation(SPEC, "publish")
async def create_record(request: Request, ctx: Ctx) -> Response:
    body = await _json(request)
    if _find_account(ctx.sim, str(body.get("repo", ""))) is not ctx.account:
        return xrpc_error("AuthenticationRequired", "Authentication Required", 401)
    collection, record = body.get("collection"), body.get("record")
    if collection != POST or not isinstance(record, dict):
        return xrpc_error("InvalidRequest", f"the simulator stores only {POST} records")
    error, cids = _check_post(ctx, record)
    if error is not None:
        return error
    rkey = next_tid()
    record = {**record, "$type": POST}
    cid = cid_for(json.dumps(record, sort_keys=True).encode(), codec=0x71)
    uri = _uri(ctx.account.external_id, POST, rkey)
    ctx.state.add_post(
        ctx.account,
        id=rkey,
        text=record["text"],
        media_ids=cids,
        kind="image" if cids else "text",
        extra={"uri": uri, "cid": cid, "record": record},
    )
    if isinstance(record.get("reply"), dict):
        from .bluesky_inbox import record_reply

        record_reply(ctx.state, ctx.account, text=record["text"], parent_uri=record["reply"]["parent"]["uri"])
    commit = {"cid": cid_for(uri.encode(), codec=0x71), "rev": next_tid()}
    return JSONResponse({"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"})


def _record_view(post: Post) -> dict[str, Any]:
    return {"uri": post.extra["uri"], "cid": post.extra["cid"], "value": post.extra["record"]}


@operation(SPEC, "lookup", auth=False, account_hint=_repo_hint)
async def get_record(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    collection, rkey = q.get("collection", ""), q.get("rkey", "")
    uri = _uri(q.get("repo", ""), collection, rkey)
    account = ctx.account
    if account is None:
        return _fan_repo(request, ctx, "get") or xrpc_error("InvalidRequest", "Could not locate record")
    if collection == PROFILE and rkey == "self":
        value = {"$type": PROFILE, "displayName": account.display_name}
        return JSONResponse({"uri": uri, "cid": cid_for(json.dumps(value).encode(), 0x71), "value": value})
    post = ctx.state.get_post("bluesky", rkey)
    if collection != POST or post is None or post.account_id != account.external_id:
        return xrpc_error("RecordNotFound", f"Could not locate record: {uri}")
    return JSONResponse(_record_view(post))


@operation(SPEC, "profile", auth=False, account_hint=_repo_hint)
async def describe_repo(request: Request, ctx: Ctx) -> Response:
    """com.atproto.repo.describeRepo: the repo's current handle (a renamed account keeps its DID)."""
    if ctx.account is None:
        return _fan_repo(request, ctx, "describe") or xrpc_error(
            "InvalidRequest", f"Could not find repo: {request.query_params.get('repo', '')}"
        )
    did = ctx.account.external_id
    return JSONResponse(
        {
            "handle": ctx.account.handle,
            "did": did,
            "didDoc": {"id": did, "alsoKnownAs": [f"at://{ctx.account.handle}"]},
            "collections": [PROFILE, POST],
            "handleIsCorrect": True,
        }
    )


@operation(SPEC, "list", auth=False, account_hint=_repo_hint)
async def list_records(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    if ctx.account is None:
        return _fan_repo(request, ctx, "list") or xrpc_error(
            "InvalidRequest", f"Could not find repo: {q.get('repo', '')}"
        )
    try:
        limit = int(q.get("limit", "50"))
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return xrpc_error("InvalidRequest", "limit must be between 1 and 100")
    posts = [] if q.get("collection") != POST else ctx.state.posts_of("bluesky", ctx.account.external_id)
    posts.sort(key=lambda p: p.id, reverse=q.get("reverse") != "true")
    cursor = q.get("cursor")
    if cursor:
        posts = [p for p in posts if (p.id < cursor if q.get("reverse") != "true" else p.id > cursor)]
    page = posts[:limit]
    body: dict[str, Any] = {"records": [_record_view(p) for p in page]}
    if page:
        body["cursor"] = page[-1].id
    return JSONResponse(body)


@operation(SPEC, "delete")
async def delete_record(request: Request, ctx: Ctx) -> Response:
    body = await _json(request)
    if _find_account(ctx.sim, str(body.get("repo", ""))) is not ctx.account:
        return xrpc_error("AuthenticationRequired", "Authentication Required", 401)
    post = ctx.state.get_post("bluesky", str(body.get("rkey", "")))
    if post is None or post.account_id != ctx.account.external_id or body.get("collection") != POST:
        return JSONResponse({})  # deleting what is not there succeeds, as on the PDS
    post.deleted = True
    return JSONResponse({"commit": {"cid": cid_for(post.id.encode(), codec=0x71), "rev": next_tid()}})


APPVIEW = "did:web:api.bsky.app#bsky_appview"
# The AppView's counts, each read from a growth-model figure (platform_sim.metrics); a fifth of the
# reposts are quotes (the model has no figure of their own).
POST_COUNTS = {
    "likeCount": "likes",
    "repostCount": "shares",
    "replyCount": "comments",
    "quoteCount": "quotes",
}


def _post_view(ctx: Ctx, post: Post) -> dict[str, Any]:
    account = ctx.state.account("bluesky", post.account_id)
    got = figures.post_figures(ctx.state, post)
    got["quotes"] = got["shares"] // 5
    counts = {k: got[name] for k, name in POST_COUNTS.items() if not figures.removed(account, k)}
    return {
        "uri": post.extra["uri"],
        "cid": post.extra["cid"],
        "author": {"did": post.account_id, "handle": account.handle if account else "handle.invalid"},
        "record": post.extra["record"],
        **counts,
        "indexedAt": _iso(post.created_at),
        "labels": [],
    }


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"


# The AppView's reads are public (public.api.bsky.app serves them without a session): a token, when sent,
# is still checked.
@operation(SPEC, "metrics_post", public=True)
async def appview_get_posts(request: Request, ctx: Ctx) -> Response:
    uris = request.query_params.getlist("uris")
    if len(uris) > 25:
        return xrpc_error("InvalidRequest", "uris must not have more than 25 elements")
    posts = []
    for uri in uris:
        parts = uri.removeprefix("at://").split("/")
        post = ctx.state.get_post("bluesky", parts[-1]) if len(parts) == 3 and parts[1] == POST else None
        if post is not None and post.extra.get("uri") == uri:
            posts.append(_post_view(ctx, post))  # posts the AppView does not know are left out
    return JSONResponse({"posts": posts})


@operation(SPEC, "metrics_account", public=True)
async def appview_get_profile(request: Request, ctx: Ctx) -> Response:
    account = _find_account(ctx.sim, request.query_params.get("actor", ""))
    if account is None:
        return xrpc_error("InvalidRequest", "Profile not found")
    counts = {
        "followersCount": figures.followers_at(account, figures.clock(account)),
        "followsCount": 0,
        "postsCount": len(ctx.state.posts_of("bluesky", account.external_id)),
    }
    return JSONResponse(
        {
            "did": account.external_id,
            "handle": account.handle,
            "displayName": account.display_name,
            **{k: v for k, v in counts.items() if not figures.removed(account, k)},
            "indexedAt": _iso(account.created_at),
            "labels": [],
        }
    )


def _appview_or_pds(appview: Callable[[Request], Awaitable[Response]]):
    """An app.bsky read: proxied to the AppView when atproto-proxy names it, else the PDS's own answer."""

    from .bluesky_repos import without_appview  # (it imports this module)

    async def endpoint(request: Request) -> Response:
        proxied = request.headers.get("atproto-proxy", "").strip() == APPVIEW
        if proxied and not await without_appview(request):
            return await appview(request)
        return await not_served(request)

    return endpoint


@operation(SPEC, "not_served", auth=False)
async def not_served(request: Request, ctx: Ctx) -> Response:
    # A PDS proxies what it does not serve to the AppView or a service named in atproto-proxy; without
    # one (like tests/peers' PDS, and this simulator) it answers this, for app.bsky.* reads as well.
    nsid = request.path_params.get("nsid") or request.url.path.rsplit("/", 1)[-1]
    return xrpc_error("InvalidRequest", f"No service configured for {nsid}")


def routes() -> list[Route]:
    xrpc = [
        ("com.atproto.server.createSession", create_session, ["POST"]),
        ("com.atproto.server.refreshSession", refresh_session, ["POST"]),
        ("com.atproto.server.deleteSession", delete_session, ["POST"]),
        ("com.atproto.server.getSession", get_session, ["GET"]),
        ("com.atproto.identity.resolveHandle", resolve_handle, ["GET"]),
        ("com.atproto.repo.uploadBlob", upload_blob, ["POST"]),
        ("com.atproto.repo.createRecord", create_record, ["POST"]),
        ("com.atproto.repo.getRecord", get_record, ["GET"]),
        ("com.atproto.repo.listRecords", list_records, ["GET"]),
        ("com.atproto.repo.describeRepo", describe_repo, ["GET"]),
        ("com.atproto.repo.deleteRecord", delete_record, ["POST"]),
    ]
    from .bluesky_inbox import appview_list_notifications  # (it imports this module)
    from .bluesky_repos import list_repos

    xrpc.append(("com.atproto.sync.listRepos", list_repos, ["GET"]))

    xrpc += [
        ("app.bsky.notification.listNotifications", _appview_or_pds(appview_list_notifications), ["GET"]),
        ("app.bsky.feed.getPosts", _appview_or_pds(appview_get_posts), ["GET"]),
        ("app.bsky.actor.getProfile", _appview_or_pds(appview_get_profile), ["GET"]),
    ]
    served = [
        Route(f"/xrpc/{nsid}", _reset_from_retry_after(endpoint), methods=methods)
        for nsid, endpoint, methods in xrpc
    ]
    # Last: any other method (app.bsky.* reads included) or a served one called with the wrong HTTP
    # method gets the PDS's XRPC answer, never a bare 404.
    catch_all = Route("/xrpc/{nsid}", _reset_from_retry_after(not_served), methods=["GET", "POST"])
    return [*served, catch_all]
