"""The control API under /_sim: what tests, the demo and benchmarks use to arrange and inspect the world."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import fans
from .faults import FaultRule
from .kit import PlatformSpec, Simulator
from .platforms.competitor_provider import DATA_ONLY_PLATFORMS


def _sim(request: Request) -> Simulator:
    return request.app.state.sim


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    data = await request.json()
    return data if isinstance(data, dict) else {}


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True, "platforms": sorted(_sim(request).specs)})


async def reset(request: Request) -> Response:
    _sim(request).reset()
    return JSONResponse({"ok": True})


async def accounts(request: Request) -> Response:
    sim = _sim(request)
    if request.method == "GET":
        platform = request.query_params.get("platform", "")
        rows = [a.public() for a in sim.state.accounts.values() if not platform or a.platform == platform]
        return JSONResponse({"accounts": rows})
    data = await _body(request)
    platform = data.get("platform", "")
    spec = sim.specs.get(platform)
    if spec is None and platform in DATA_ONLY_PLATFORMS:
        # Accounts the competitor provider reports on, on platforms without a simulated API of their own.
        spec = PlatformSpec(key=platform, display_name=platform)
    if spec is None:
        return _bad(f"unknown platform {platform!r}")
    access_ttl = float(data.get("access_ttl", spec.access_ttl))
    refresh_ttl = float(data.get("refresh_ttl", spec.refresh_ttl))
    account = sim.state.create_account(
        platform,
        handle=data.get("handle", ""),
        external_id=data.get("external_id", ""),
        display_name=data.get("display_name", ""),
        followers=int(data.get("followers", 0)),
        access_ttl=access_ttl,
        refresh_ttl=refresh_ttl,
        options=data.get("options") or {},
    )
    if data.get("created_at") is not None:
        # Backdated accounts: metrics that depend on when the account was authorised (Douyin's data starts
        # the day after) need an account older than the test.
        account.created_at = float(data["created_at"])
    access = sim.state.issue(account, "access")
    refresh = sim.state.issue(account, "refresh")
    return JSONResponse(
        {
            **account.public(),
            "app_secret": account.app_secret,
            "access_token": access.value,
            "refresh_token": refresh.value,
            "expires_at": access.expires_at,
            "refresh_expires_at": refresh.expires_at,
        },
        status_code=201,
    )


async def account_options(request: Request) -> Response:
    sim = _sim(request)
    account = sim.state.account(request.path_params["platform"], request.path_params["external_id"])
    if account is None:
        return _bad("no such account", 404)
    account.options.update(await _body(request))
    return JSONResponse(account.public())


async def account_profile(request: Request) -> Response:
    """Rename an account (`handle`, `display_name`; the external id stays) or make it `private`."""
    sim = _sim(request)
    account = sim.state.account(request.path_params["platform"], request.path_params["external_id"])
    if account is None:
        return _bad("no such account", 404)
    data = await _body(request)
    if data.get("handle"):
        account.handle = str(data["handle"])
    if data.get("display_name"):
        account.display_name = str(data["display_name"])
    if "private" in data:
        account.options["private"] = bool(data["private"])
    return JSONResponse(account.public())


async def account_posts(request: Request) -> Response:
    """A post the account made elsewhere (a competitor's), `created_at` epoch seconds (default now)."""
    sim = _sim(request)
    account = sim.state.account(request.path_params["platform"], request.path_params["external_id"])
    if account is None:
        return _bad("no such account", 404)
    data = await _body(request)
    post = sim.state.add_post(
        account,
        id=str(data["id"]) if data.get("id") else None,
        text=str(data.get("text", "")),
        kind=str(data.get("kind", "text")),
        title=str(data.get("title", "")),
    )
    if data.get("created_at") is not None:
        post.created_at = float(data["created_at"])
    if data.get("boost") is not None:
        post.extra["boost"] = float(data["boost"])  # its figures x boost: a viral post
    return JSONResponse(post.public(), status_code=201)


async def post_delete(request: Request) -> Response:
    post = _sim(request).state.get_post(request.path_params["platform"], request.path_params["post_id"])
    if post is None:
        return _bad("no such post", 404)
    post.deleted = True
    return JSONResponse(post.public())


async def authorize(request: Request) -> Response:
    """Skip the consent page: issue an authorization code for an existing account."""
    sim = _sim(request)
    data = await _body(request)
    spec = sim.specs.get(data.get("platform", ""))
    account = spec and sim.state.account(spec.key, data.get("external_id", ""))
    if not account:
        return _bad("no such account", 404)
    code = sim.state.issue_code(
        account,
        client_id=data.get("client_id", ""),
        redirect_uri=data.get("redirect_uri", ""),
        ttl=float(data.get("ttl", spec.code_ttl)),
        code_challenge=data.get("code_challenge", ""),
        code_challenge_method=data.get("code_challenge_method", ""),
        scope=data.get("scope", ""),
    )
    return JSONResponse({"code": code.value})


def _tokens_for(sim: Simulator, data: dict[str, Any]):
    if data.get("token"):
        token = sim.state.tokens.get(data["token"])
        return [token] if token else []
    kind = data.get("kind", "access")
    return sim.state.tokens_of(
        data.get("platform", ""), data.get("external_id", ""), None if kind == "all" else kind
    )


async def tokens_expire(request: Request) -> Response:
    sim = _sim(request)
    tokens = _tokens_for(sim, await _body(request))
    for token in tokens:
        token.expires_at = time.time() - 1
    return JSONResponse({"expired": len(tokens)})


async def tokens_revoke(request: Request) -> Response:
    sim = _sim(request)
    tokens = _tokens_for(sim, await _body(request))
    for token in tokens:
        token.revoked = True
    return JSONResponse({"revoked": len(tokens)})


async def tokens_list(request: Request) -> Response:
    sim = _sim(request)
    q = request.query_params
    rows = [
        {"kind": t.kind, "status": t.status(), "expires_at": t.expires_at, "value": t.value}
        for t in sim.state.tokens_of(q.get("platform", ""), q.get("external_id", ""))
    ]
    return JSONResponse({"tokens": rows})


async def faults(request: Request) -> Response:
    sim = _sim(request)
    if request.method == "GET":
        return JSONResponse({"faults": [r.public() for r in sim.faults.rules]})
    if request.method == "DELETE":
        sim.faults.clear()
        return JSONResponse({"ok": True})
    try:
        rule = sim.faults.add(FaultRule.from_dict(await _body(request)))
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return JSONResponse(rule.public(), status_code=201)


async def fault_delete(request: Request) -> Response:
    removed = _sim(request).faults.remove(int(request.path_params["rule_id"]))
    return JSONResponse({"removed": removed})


async def counts(request: Request) -> Response:
    state = _sim(request).state
    return JSONResponse(
        {
            "requests": [
                {"platform": p, "operation": o, "account": a, "count": n}
                for (p, o, a), n in state.requests.items()
            ],
            "posts_created": [
                {"platform": p, "account": a, "count": n} for (p, a), n in state.posts_created.items()
            ],
            "refresh_calls": [
                {"platform": p, "account": a, "count": n} for (p, a), n in state.refresh_calls.items()
            ],
            "faults_fired": [
                {"platform": p, "operation": o, "account": a, "kind": k, "count": n}
                for (p, o, a, k), n in state.faults_fired.items()
            ],
        }
    )


def _media_public(media) -> dict:
    """A stored media item as tests compare it: what the platform got (bytes' sha256, name, type and
    the alt text or description it keeps in `extra`)."""
    if media is None:
        return {}
    return {
        "id": media.id,
        "kind": media.kind,
        "size": media.size,
        "content_type": media.content_type,
        "filename": media.filename,
        "sha256": media.sha256,
        "extra": media.extra,
    }


async def posts(request: Request) -> Response:
    state = _sim(request).state
    q = request.query_params
    include_deleted = q.get("include_deleted") in ("1", "true")
    rows = [
        {**p.public(), "media": [_media_public(state.media.get((p.platform, m))) for m in p.media_ids]}
        for p in sorted(state.posts.values(), key=lambda p: (p.created_at, p.id), reverse=True)
        if (not q.get("platform") or p.platform == q["platform"])
        and (not q.get("account") or p.account_id == q["account"])
        and (include_deleted or not p.deleted)
    ]
    return JSONResponse({"posts": rows})


async def previews(request: Request) -> Response:
    """WeChat previews sent to reviewers' phones (message/mass/preview), oldest first."""
    return JSONResponse({"previews": _sim(request).state.previews})


async def post_update(request: Request) -> Response:
    """Backdate a post (`created_at`, epoch seconds): its metrics grow from then (platform_sim.metrics)."""
    sim = _sim(request)
    post = sim.state.get_post(request.path_params["platform"], request.path_params["post_id"])
    if post is None:
        return _bad("no such post", 404)
    data = await _body(request)
    if data.get("created_at") is not None:
        post.created_at = float(data["created_at"])
    return JSONResponse(post.public())


async def log(request: Request) -> Response:
    """The request log, oldest first, filtered by platform, operation, account, fault kind, and
    `since` (epoch seconds of arrival)."""
    q = request.query_params
    try:
        since = float(q.get("since") or 0)
    except ValueError:
        return _bad("since must be epoch seconds")
    rows = [
        entry.public()
        for entry in sorted(_sim(request).state.log, key=lambda e: e.arrived)
        if entry.arrived >= since
        and (not q.get("platform") or entry.platform == q["platform"])
        and (not q.get("operation") or entry.operation == q["operation"])
        and ("account" not in q or entry.account == q["account"])
        and (not q.get("fault") or entry.fault == q["fault"])
    ]
    return JSONResponse({"log": rows})


async def fan_messages(request: Request) -> Response:
    """GET: the fan messages (and our replies) of `platform` and `account`, newest first, deleted ones
    included. POST {platform, account, kind, text, author_id, author_handle?, author_name?,
    author_followers?, post_id?, parent_id?}: a fan writes."""
    sim = _sim(request)
    if request.method == "GET":
        q = request.query_params
        rows = fans.of_account(sim.state, q.get("platform", ""), q.get("account", ""), include_deleted=True)
        return JSONResponse({"messages": [m.public() for m in rows]})
    data = await _body(request)
    platform, account_id = data.get("platform", ""), data.get("account", "")
    if sim.state.account(platform, account_id) is None:
        return _bad(f"no {platform} account {account_id!r}", 404)
    if data.get("kind") not in fans.KINDS or not data.get("text") or not data.get("author_id"):
        return _bad(f"kind (one of {fans.KINDS}), text and author_id are required")
    optional = (
        "author_handle",
        "author_name",
        "author_followers",
        "post_id",
        "parent_id",
        "in_comment",
        "created_at",  # epoch seconds: a message written earlier (reply windows)
    )
    if platform == "mastodon":  # Mastodon ids are snowflakes, ordered with our own statuses' ids
        from .platforms.mastodon import snowflake_id

        data["id"] = snowflake_id()
        optional = (*optional, "id")
    message = fans.add(
        sim.state,
        platform=platform,
        account_id=account_id,
        kind=data["kind"],
        text=data["text"],
        author_id=str(data["author_id"]),
        **{key: data[key] for key in optional if data.get(key) not in (None, "")},
    )
    return JSONResponse(message.public(), status_code=201)


async def fan_message(request: Request) -> Response:
    """PATCH {text}: the fan edits it. DELETE: the fan deletes it."""
    sim = _sim(request)
    message = fans.get(sim.state, request.path_params["platform"], request.path_params["message_id"])
    if message is None:
        return _bad("no such message", 404)
    if request.method == "DELETE":
        message.deleted = True
        return JSONResponse(message.public())
    data = await _body(request)
    if not data.get("text"):
        return _bad("text is required")
    return JSONResponse(fans.edit(message, sim.state, data["text"]).public())


def control_routes() -> list[Route]:
    return [
        Route("/health", health),
        Route("/reset", reset, methods=["POST"]),
        Route("/accounts", accounts, methods=["GET", "POST"]),
        Route("/accounts/{platform}/{external_id}/options", account_options, methods=["POST"]),
        Route("/accounts/{platform}/{external_id}/profile", account_profile, methods=["POST"]),
        Route("/accounts/{platform}/{external_id}/posts", account_posts, methods=["POST"]),
        Route("/authorize", authorize, methods=["POST"]),
        Route("/tokens", tokens_list),
        Route("/tokens/expire", tokens_expire, methods=["POST"]),
        Route("/tokens/revoke", tokens_revoke, methods=["POST"]),
        Route("/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/faults/{rule_id:int}", fault_delete, methods=["DELETE"]),
        Route("/counts", counts),
        Route("/posts", posts),
        Route("/previews", previews),
        Route("/posts/{platform}/{post_id}", post_update, methods=["POST"]),
        Route("/posts/{platform}/{post_id}", post_delete, methods=["DELETE"]),
        Route("/log", log),
        Route("/fan-messages", fan_messages, methods=["GET", "POST"]),
        Route("/fan-messages/{platform}/{message_id}", fan_message, methods=["PATCH", "DELETE"]),
    ]
