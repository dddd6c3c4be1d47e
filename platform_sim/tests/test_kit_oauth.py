"""The kit's OAuth helpers in-process (httpx ASGI transport): PKCE S256, code reuse, refresh rotation."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from platform_sim.kit import (
    OAuthError,
    PlatformSpec,
    Simulator,
    consent_endpoint,
    grant_operation,
    operation,
    redeem_code,
    refresh_account,
)
from platform_sim.state import s256

SPEC = PlatformSpec(key="demo", display_name="Demo", pkce=True, refresh_rotates=True)


@operation(SPEC, grant_operation(), auth=False)
async def token(request, ctx):
    p = await ctx.params()
    try:
        if ctx.operation == "refresh":
            _account, access, refresh = refresh_account(ctx, p.get("refresh_token", ""))
        else:
            _account, access, refresh = redeem_code(
                ctx,
                code=p.get("code", ""),
                client_id=p.get("client_id", ""),
                redirect_uri=p.get("redirect_uri"),
                code_verifier=p.get("code_verifier", ""),
            )
    except OAuthError as exc:
        return ctx.error("bad_request", exc.message)
    return JSONResponse({"access_token": access.value, "refresh_token": refresh.value if refresh else ""})


@operation(SPEC, "profile")
async def me(request, ctx):
    return JSONResponse({"id": ctx.account.external_id})


@pytest.fixture
def demo():
    routes = [
        Route("/authorize", consent_endpoint(SPEC), methods=["GET", "POST"]),
        Route("/token", token, methods=["POST"]),
        Route("/me", me),
    ]
    app = Starlette(routes=[Mount("/demo", routes=routes)])
    app.state.sim = Simulator({"demo": SPEC})
    yield InProcess(app), app.state.sim


class InProcess:
    """A synchronous face over httpx's ASGI transport (no server, no threads)."""

    def __init__(self, app):
        self.app = app

    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        async def go():
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self._send("GET", url, **kwargs)

    def post(self, url: str, **kwargs) -> httpx.Response:
        kwargs.pop("follow_redirects", None)  # the ASGI client never follows redirects by default
        return self._send("POST", url, **kwargs)


def _code(client, challenge: str = "") -> str:
    form = {"client_id": "app", "redirect_uri": "http://cb/", "state": "s", "handle": "me"}
    if challenge:
        form |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    answer = client.post("/demo/authorize", data=form, follow_redirects=False)
    return parse_qs(urlparse(answer.headers["location"]).query)["code"][0]


def test_pkce_s256_verifier_must_match(demo):
    # given
    client, _sim = demo
    verifier = "v" * 50
    body = {"grant_type": "authorization_code", "client_id": "app", "redirect_uri": "http://cb/"}

    # when
    wrong = client.post(
        "/demo/token", data={**body, "code": _code(client, s256(verifier)), "code_verifier": "x" * 50}
    )
    right = client.post(
        "/demo/token", data={**body, "code": _code(client, s256(verifier)), "code_verifier": verifier}
    )
    missing = client.post("/demo/token", data={**body, "code": _code(client), "code_verifier": verifier})

    # then
    assert wrong.status_code == 400 and "PKCE" in wrong.json()["error"]["message"]
    assert right.status_code == 200 and right.json()["access_token"]
    assert missing.status_code == 400


def test_rotated_refresh_token_works_once_and_is_counted(demo):
    # given
    client, sim = demo
    verifier = "w" * 50
    first = client.post(
        "/demo/token",
        data={
            "grant_type": "authorization_code",
            "code": _code(client, s256(verifier)),
            "code_verifier": verifier,
        },
    ).json()

    # when
    again = client.post(
        "/demo/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    reuse = client.post(
        "/demo/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )

    # then
    assert again.status_code == 200 and again.json()["refresh_token"] != first["refresh_token"]
    assert reuse.status_code == 400
    assert (
        client.get(
            "/demo/me", headers={"Authorization": f"Bearer {again.json()['access_token']}"}
        ).status_code
        == 200
    )
    account_id = next(iter(sim.state.accounts.values())).external_id
    assert sim.state.refresh_calls[("demo", account_id)] == 2
    assert sim.state.requests[("demo", "refresh", "")] == 2  # no account_hint: counted without an account


def test_deny_redirects_with_access_denied(demo):
    # given
    client, sim = demo

    # when
    answer = client.post(
        "/demo/authorize",
        data={"redirect_uri": "http://cb/", "state": "s", "decision": "deny"},
        follow_redirects=False,
    )

    # then
    assert answer.headers["location"] == "http://cb/?error=access_denied&state=s"
    assert sim.state.accounts == {}
