"""What every simulated platform is built from: a `PlatformSpec`, the `operation` wrapper and OAuth helpers.

A platform module (platform_sim/platforms/<key>.py) declares one `SPEC` and a `routes()` function. Each
endpoint is an `operation(SPEC, "publish")`-wrapped coroutine `handler(request, ctx)`. The wrapper counts
the request, resolves the account from the access token, applies fault rules, checks the token, and only
then calls the handler. Handlers speak the platform's own payload and error shapes through `SPEC.error`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import html
import json
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .body_faults import BODY_KINDS, garble
from .faults import FaultBook, FaultRule
from .state import Account, LogEntry, SimState, Token, s256

# Canonical error kinds a platform must be able to render.
ERROR_KINDS = (
    "rate_limited",
    "server_error",
    "timeout",
    "token_expired",
    "token_revoked",
    "token_invalid",
    "bad_request",
    "not_found",
    "forbidden",
)
DEFAULT_STATUS = {
    "rate_limited": 429,
    "server_error": 500,
    "timeout": 504,
    "token_expired": 401,
    "token_revoked": 401,
    "token_invalid": 401,
    "bad_request": 400,
    "not_found": 404,
    "forbidden": 403,
}


def default_error(kind: str, message: str, status: int | None = None) -> Response:
    return JSONResponse(
        {"error": {"code": kind, "message": message}}, status_code=status or DEFAULT_STATUS[kind]
    )


async def bearer_token(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return ""


@dataclass
class PlatformSpec:
    key: str
    display_name: str
    access_ttl: float = 7200.0
    refresh_ttl: float = 30 * 86400.0
    code_ttl: float = 600.0
    refresh_rotates: bool = True  # refresh returns a new refresh token and the old one dies
    pkce: bool = False  # authorization codes must be redeemed with the S256 verifier
    token_from: Callable[[Request], Awaitable[str]] = bearer_token
    error: Callable[..., Response] = default_error  # error(kind, message, status=None) -> Response
    # The platform has an app-wide rate limit with an answer of its own: `error` then also renders the
    # kind "app_rate_limited" (a fault rule with scope "app" uses it).
    app_rate_limit: bool = False
    # How a client may authenticate at the token endpoints (RFC 6749 2.3.1): "basic" (HTTP Basic, what
    # requests-oauthlib sends by default) and/or "body" (client_id/client_secret parameters). Most
    # platforms take both; a platform that refuses one narrows this.
    client_auth: frozenset[str] = frozenset({"basic", "body"})
    # The parameter names the platform uses for the client's id and secret (Douyin and TikTok say
    # client_key): credentials sent by HTTP Basic are filled in under these names.
    client_id_param: str = "client_id"
    client_secret_param: str = "client_secret"
    # Headers sent with a rate-limit answer beyond Retry-After, e.g. Meta's usage headers:
    # rate_limit_headers(ctx, retry_after_seconds, app_wide) -> {header: value}.
    rate_limit_headers: Callable[[Ctx, int, bool], dict[str, str]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Simulator:
    """The process-wide simulator: state, fault rules, and the registered platforms."""

    def __init__(self, specs: dict[str, PlatformSpec]):
        self.specs = specs
        self.state = SimState()
        self.faults = FaultBook()

    def reset(self) -> None:
        self.state.reset()
        self.faults.clear()


@dataclass
class Ctx:
    sim: Simulator
    spec: PlatformSpec
    request: Request
    operation: str
    account: Account | None = None
    token: Token | None = None

    @property
    def state(self) -> SimState:
        return self.sim.state

    def error(self, kind: str, message: str = "", status: int | None = None) -> Response:
        return self.spec.error(kind, message or kind.replace("_", " "), status)

    async def params(self) -> dict[str, Any]:
        """Query string, form fields (files excluded) and JSON body merged, body winning."""
        data: dict[str, Any] = dict(self.request.query_params)
        ctype = self.request.headers.get("content-type", "")
        if "application/json" in ctype:
            body = await self.request.body()
            if body:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                if isinstance(parsed, dict):
                    data.update(parsed)
        elif "form" in ctype:
            form = await self.request.form()
            for key, value in form.multi_items():
                if isinstance(value, str):
                    data[key] = value
        basic = basic_client_credentials(self.request) if "basic" in self.spec.client_auth else None
        if basic is not None:
            # Handlers read the client's credentials as parameters whichever way the client sent them.
            data.setdefault(self.spec.client_id_param, basic[0])
            data.setdefault(self.spec.client_secret_param, basic[1])
        return data


def basic_client_credentials(request: Request) -> tuple[str, str] | None:
    """(client_id, client_secret) from `Authorization: Basic`, or None. RFC 6749 2.3.1: each part is
    form-urlencoded before base64, so it is decoded here."""
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def body_digest(body: bytes) -> str:
    """A short fingerprint of a request body: the same request sent again has the same one."""
    return hashlib.sha256(body).hexdigest()[:16] if body else ""


def _sim(request: Request) -> Simulator:
    return request.app.state.sim


async def _answer(
    request: Request,
    ctx: Ctx,
    handler: Callable[[Request, Ctx], Awaitable[Response]],
    token_value: str,
    entry: LogEntry,
    *,
    auth: bool,
) -> Response:
    """Faults first (recorded in `entry`), then the token check, then the platform's handler."""
    sim, spec, op, account_id = ctx.sim, ctx.spec, ctx.operation, entry.account
    latency, rule = sim.faults.match(
        platform=spec.key, operation=op, path=request.url.path, account=account_id, token=token_value
    )
    header_rule = request.headers.get("x-sim-fault")
    if header_rule and rule is None:
        rule = FaultRule.from_dict(json.loads(header_rule))
    for slow in latency:
        await asyncio.sleep(slow.ms / 1000.0)
    stall_after = 0.0
    body_fault: FaultRule | None = None
    if rule is not None:
        sim.state.faults_fired[(spec.key, op, account_id, rule.kind)] += 1
        entry.fault = rule.kind
        if rule.kind == "rate_limit":
            return _rate_limited(ctx, rule, entry)
        if rule.kind == "server_error":
            return ctx.error("server_error", "system busy", rule.status or 500)
        if rule.kind == "timeout_before":
            await asyncio.sleep(rule.seconds)
            return ctx.error("timeout", "gateway timeout", 504)
        if rule.kind == "token_expired":
            return ctx.error("token_expired", "access token expired")
        if rule.kind == "token_revoked":
            return ctx.error("token_revoked", "access token revoked")
        if rule.kind == "rejected":
            return ctx.error("bad_request", "", rule.status)
        if rule.kind == "timeout_after":
            stall_after = rule.seconds
        if rule.kind in BODY_KINDS:
            body_fault = rule

    refusal = _token_refusal(ctx) if auth else None
    response = refusal if refusal is not None else await handler(request, ctx)
    if body_fault is not None:
        if 200 <= response.status_code < 300:
            response = garble(response, body_fault.kind, body_fault.field)
        else:  # body faults garble the next successful answer: this one does not count
            body_fault.fired -= 1
            sim.state.faults_fired[(spec.key, op, account_id, body_fault.kind)] -= 1
            entry.fault = ""
    if refusal is not None:
        return refusal
    if stall_after:
        await asyncio.sleep(stall_after)
    return response


def _token_refusal(ctx: Ctx) -> Response | None:
    """The platform's answer to a missing, invalid, revoked or expired access token (None: it is good)."""
    if ctx.token is None or ctx.token.platform != ctx.spec.key or ctx.account is None:
        return ctx.error("token_invalid", "invalid access token")
    if ctx.token.kind != "access":
        return ctx.error("token_invalid", "not an access token")
    if ctx.token.revoked:
        return ctx.error("token_revoked", "access token revoked")
    if ctx.token.expired:
        return ctx.error("token_expired", "access token expired")
    return None


def _rate_limited(ctx: Ctx, rule: FaultRule, entry: LogEntry) -> Response:
    """The platform's rate-limit answer. Retry-After is whole seconds (at least 1); x-rate-limit-reset
    is the epoch second the window ends, never before Retry-After's end."""
    app_wide = rule.scope == "app" and ctx.spec.app_rate_limit
    response = ctx.error(
        "app_rate_limited" if app_wide else "rate_limited", "rate limit exceeded", rule.status or None
    )
    retry_after = max(1, math.ceil(rule.retry_after))
    reset = str(math.ceil(time.time() + retry_after))
    response.headers["Retry-After"] = str(retry_after)
    response.headers["x-rate-limit-reset"] = reset
    response.headers["x-rate-limit-remaining"] = "0"
    if app_wide:
        response.headers["x-app-limit-24hour-remaining"] = "0"
        response.headers["x-app-limit-24hour-reset"] = reset
    if ctx.spec.rate_limit_headers is not None:
        response.headers.update(ctx.spec.rate_limit_headers(ctx, retry_after, app_wide))
    entry.retry_after = float(retry_after)
    entry.scope = "app" if app_wide else "account"
    return response


def operation(
    spec: PlatformSpec,
    name: str | Callable[[Request], Awaitable[str]],
    *,
    auth: bool = True,
    account_hint: Callable[[Request, Simulator], Awaitable[Account | None]] | None = None,
    app_auth: bool = False,
    public: bool = False,
) -> Callable[[Callable[[Request, Ctx], Awaitable[Response]]], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler: count, resolve account, inject faults, check the access token, run.

    `app_auth=True` marks a public read that the platform also serves to an app-only bearer token (X's
    OAuth 2.0 App-Only, used for competitors' public data): a user token is checked as usual (and sets
    `ctx.account`); any other non-empty bearer is taken as the app's (the simulator holds no app
    secrets) and the handler runs with `ctx.account` None. No bearer at all is refused.
    `public=True` marks a read served without any token (Mastodon's public statuses and accounts); a
    token that is sent is still checked.

    `name` is the operation name fault rules and counters use; a coroutine `name(request)` picks it per
    request (one OAuth token endpoint serves both "token" and "refresh").
    """

    def decorate(
        handler: Callable[[Request, Ctx], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            arrived = time.time()
            # Read (and cache) the body first: later reads, form parsing included, are served from it.
            body = await request.body()
            sim = _sim(request)
            op = name if isinstance(name, str) else await name(request)
            ctx = Ctx(sim=sim, spec=spec, request=request, operation=op)
            token_value = ""
            if auth:
                token_value = await spec.token_from(request)
                ctx.token = sim.state.tokens.get(token_value) if token_value else None
                if ctx.token is not None and ctx.token.platform == spec.key:
                    ctx.account = sim.state.account(spec.key, ctx.token.account_id)
            elif account_hint is not None:
                ctx.account = await account_hint(request, sim)
            account_id = ctx.account.external_id if ctx.account else ""
            sim.state.requests[(spec.key, op, account_id)] += 1
            entry = LogEntry(
                arrived=arrived,
                platform=spec.key,
                operation=op,
                account=account_id,
                body=body_digest(body),
            )
            app_only = app_auth and token_value and ctx.token is None
            checked = auth and not (app_only or (public and not token_value))
            response = await _answer(request, ctx, handler, token_value, entry, auth=checked)
            entry.answered = time.time()
            entry.status = response.status_code
            sim.state.log.append(entry)
            return response

        endpoint.__name__ = f"{spec.key}_{handler.__name__}"
        return endpoint

    return decorate


# --- OAuth helpers shared by the platforms ---

CONSENT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:4rem auto}}
label,input,button{{display:block;margin:.5rem 0}}</style></head>
<body>
<h1>{title}</h1>
<p>Platform simulator ({platform}). App <code>{client_id}</code> asks for: {scope}</p>
<form method="post" action="{action}">
{hidden}
<label for="handle">{platform} handle</label>
<input id="handle" name="handle" value="{handle}">
<button id="authorize" type="submit" name="decision" value="allow">Authorize</button>
<button id="deny" type="submit" name="decision" value="deny">Cancel</button>
</form>
</body></html>
"""


def consent_endpoint(
    spec: PlatformSpec,
    *,
    client_id_param: str = "client_id",
    scope_param: str = "scope",
    redirect_param: str = "redirect_uri",
    app_name: str = "KAWO",
) -> Callable[[Request], Awaitable[Response]]:
    """GET shows "Authorize <app> to use your <Platform> account"; POST redirects with code and state.

    The handle field defaults to a fresh simulated account; an existing handle on this platform is reused.
    """

    async def endpoint(request: Request) -> Response:
        sim = _sim(request)
        if request.method == "GET":
            sim.state.requests[(spec.key, "authorize", "")] += 1
            params = dict(request.query_params)
            if not params.get(redirect_param):
                return HTMLResponse("<h1>redirect_uri is required</h1>", status_code=400)
            hidden = "\n".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items()
            )
            page = CONSENT_PAGE.format(
                title=html.escape(f"Authorize {app_name} to use your {spec.display_name} account"),
                platform=html.escape(spec.display_name),
                client_id=html.escape(params.get(client_id_param, "")),
                scope=html.escape(params.get(scope_param, "") or "basic access"),
                action=html.escape(str(request.url.path)),
                hidden=hidden,
                handle=html.escape(f"sim_{spec.key}_{sim.state.next_id()}"),
            )
            return HTMLResponse(page)
        form = await request.form()
        params = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        redirect_uri = params.get(redirect_param, "")
        state_value = params.get("state", "")
        sep = "&" if "?" in redirect_uri else "?"
        if params.get("decision") == "deny":
            query = urlencode({"error": "access_denied", "state": state_value})
            return RedirectResponse(f"{redirect_uri}{sep}{query}", status_code=302)
        handle = (params.get("handle") or "").strip() or f"sim_{spec.key}_{sim.state.next_id()}"
        account = sim.state.account_by_handle(spec.key, handle) or sim.state.create_account(
            spec.key, handle=handle, access_ttl=spec.access_ttl, refresh_ttl=spec.refresh_ttl
        )
        code = sim.state.issue_code(
            account,
            client_id=params.get(client_id_param, ""),
            redirect_uri=redirect_uri,
            ttl=spec.code_ttl,
            code_challenge=params.get("code_challenge", ""),
            code_challenge_method=params.get("code_challenge_method", ""),
            scope=params.get(scope_param, ""),
        )
        query = urlencode({"code": code.value, "state": state_value})
        return RedirectResponse(f"{redirect_uri}{sep}{query}", status_code=302)

    endpoint.__name__ = f"{spec.key}_authorize"
    return endpoint


class OAuthError(Exception):
    """Raised by the helpers below; the platform renders it (`kind`, `message`)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def redeem_code(
    ctx: Ctx,
    *,
    code: str,
    client_id: str = "",
    client_secret: str = "",
    redirect_uri: str | None = None,
    code_verifier: str = "",
) -> tuple[Account, Token, Token]:
    """Check an authorization code (once only, unexpired, same client/redirect, PKCE) and issue tokens."""
    state = ctx.state
    auth_code = state.codes.get(code)
    if auth_code is None or auth_code.platform != ctx.spec.key:
        raise OAuthError("bad_request", "invalid authorization code")
    if auth_code.used:
        raise OAuthError("bad_request", "authorization code already used")
    if time.time() >= auth_code.expires_at:
        raise OAuthError("bad_request", "authorization code expired")
    client_id, client_secret = _authenticate_client(ctx, client_id, client_secret)
    if not client_secret and not (ctx.spec.pkce and code_verifier):
        raise OAuthError("bad_request", "client authentication failed")
    if auth_code.client_id and client_id and auth_code.client_id != client_id:
        raise OAuthError("bad_request", "client_id does not match the authorization code")
    if redirect_uri is not None and auth_code.redirect_uri and redirect_uri != auth_code.redirect_uri:
        raise OAuthError("bad_request", "redirect_uri does not match")
    if auth_code.code_challenge:
        if auth_code.code_challenge_method.upper() == "S256":
            ok = s256(code_verifier) == auth_code.code_challenge
        else:
            ok = code_verifier == auth_code.code_challenge
        if not ok:
            raise OAuthError("bad_request", "PKCE verification failed")
    elif ctx.spec.pkce:
        raise OAuthError("bad_request", "code_challenge was required")
    auth_code.used = True
    account = state.account(ctx.spec.key, auth_code.account_id)
    if account is None:
        raise OAuthError("bad_request", "account no longer exists")
    ctx.account = account
    access = state.issue(account, "access", scope=auth_code.scope)
    refresh = state.issue(account, "refresh", scope=auth_code.scope)
    return account, access, refresh


def _authenticate_client(ctx: Ctx, client_id: str, client_secret: str) -> tuple[str, str]:
    """The client's (id, secret), sent as parameters or by HTTP Basic, as the platform allows.

    The handler passes what it read from the parameters; `Ctx.params()` has already filled those from
    HTTP Basic, so a secret equal to Basic's came that way."""
    allowed = ctx.spec.client_auth
    basic = basic_client_credentials(ctx.request)
    if basic is not None and "basic" in allowed:
        basic_id, basic_secret = basic
        if client_id and basic_id and client_id != basic_id:
            raise OAuthError("bad_request", "client_id differs from the HTTP Basic client")
        if client_secret and client_secret != basic_secret:
            raise OAuthError("bad_request", "the client authenticated twice, with different secrets")
        return client_id or basic_id, basic_secret
    if client_secret and "body" not in allowed:
        raise OAuthError("bad_request", "client authentication by parameters is not accepted here")
    return client_id, client_secret


def refresh_account(ctx: Ctx, refresh_token: str) -> tuple[Account, Token, Token | None]:
    """Exchange a refresh token. Rotating platforms return a new refresh token and kill the old one;
    others return None (the client keeps its refresh token)."""
    state = ctx.state
    token = state.tokens.get(refresh_token)
    if token is None or token.platform != ctx.spec.key or token.kind != "refresh":
        raise OAuthError("token_invalid", "invalid refresh token")
    state.refresh_calls[(ctx.spec.key, token.account_id)] += 1
    if token.revoked:
        raise OAuthError("token_revoked", "refresh token revoked")
    if token.used:
        raise OAuthError("token_invalid", "refresh token already used")
    if token.expired:
        raise OAuthError("token_expired", "refresh token expired")
    account = state.account(ctx.spec.key, token.account_id)
    if account is None:
        raise OAuthError("token_invalid", "account no longer exists")
    ctx.account = account
    access = state.issue(account, "access", scope=token.scope)
    new_refresh = None
    if ctx.spec.refresh_rotates:
        token.used = True
        new_refresh = state.issue(account, "refresh", scope=token.scope)
    return account, access, new_refresh


def account_from_param(*params: str) -> Callable[[Request, Simulator], Awaitable[Account | None]]:
    """`account_hint` for token endpoints: find the account behind a refresh token or code parameter, so
    fault rules scoped to an account also hit its refresh calls."""

    async def hint(request: Request, sim: Simulator) -> Account | None:
        for param in params:
            account = await _lookup(request, sim, param)
            if account is not None:
                return account
        return None

    return hint


async def _lookup(request: Request, sim: Simulator, param: str) -> Account | None:
    value = request.query_params.get(param, "")
    if not value:
        ctype = request.headers.get("content-type", "")
        if "form" in ctype:
            form = await request.form()
            got = form.get(param)
            value = got if isinstance(got, str) else ""
        elif "json" in ctype:
            try:
                body = json.loads(await request.body() or b"{}")
            except ValueError:
                body = {}
            value = str(body.get(param, "")) if isinstance(body, dict) else ""
    token = sim.state.tokens.get(value)
    if token is not None:
        return sim.state.account(token.platform, token.account_id)
    code = sim.state.codes.get(value)
    if code is not None:
        return sim.state.account(code.platform, code.account_id)
    return None


def grant_operation(param: str = "grant_type", refresh_value: str = "refresh_token"):
    """Operation name for a shared token endpoint: "refresh" for refresh grants, else "token"."""

    async def pick(request: Request) -> str:
        value = request.query_params.get(param, "")
        if not value:
            ctype = request.headers.get("content-type", "")
            if "form" in ctype:
                got = (await request.form()).get(param)
                value = got if isinstance(got, str) else ""
            elif "json" in ctype:
                try:
                    body = json.loads(await request.body() or b"{}")
                except ValueError:
                    body = {}
                value = str(body.get(param, "")) if isinstance(body, dict) else ""
        return "refresh" if value == refresh_value else "token"

    return pick
