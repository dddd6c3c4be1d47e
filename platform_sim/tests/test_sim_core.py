"""The simulator's core: control API, consent page, codes and PKCE, token states, faults, counters."""

from __future__ import annotations

import time

import httpx
import pytest

from platform_sim.faults import FaultRule
from platform_sim.state import s256


def _share(url: str, token: str, text: str, **extra) -> httpx.Response:
    data = {"access_token": token, "status": text, "rip": "10.0.0.1", **extra}
    return httpx.post(f"{url}/weibo/2/statuses/share.json", data=data, timeout=10)


def test_reset_empties_accounts_posts_faults_and_counters(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    _share(platform_sim.base_url, account.access_token, "hi https://kawo.example/")
    platform_sim.add_fault("server_error", platform="weibo")

    # when
    platform_sim.reset()

    # then
    assert platform_sim.accounts() == []
    assert platform_sim.posts() == []
    assert platform_sim.faults() == []
    assert platform_sim.counts()["requests"] == []


def test_consent_page_redirects_with_code_and_state_for_a_new_handle(platform_sim):
    # given
    url = f"{platform_sim.base_url}/weibo/oauth2/authorize"
    params = {
        "client_id": "app",
        "redirect_uri": "http://cb.example/done",
        "state": "xyz",
        "response_type": "code",
    }

    # when
    page = httpx.get(url, params=params)
    answer = httpx.post(url, data={**params, "handle": "brand_cn"})

    # then
    assert "Authorize KAWO to use your Weibo account" in page.text and 'id="authorize"' in page.text
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith("http://cb.example/done?code=") and location.endswith("&state=xyz")
    assert [a["handle"] for a in platform_sim.accounts("weibo")] == ["brand_cn"]


def test_authorization_code_works_once(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    code = platform_sim.authorize("weibo", account.external_id, redirect_uri="http://cb/", client_id="app")
    form = {
        "client_id": "app",
        "client_secret": "s",
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://cb/",
    }
    url = f"{platform_sim.base_url}/weibo/oauth2/access_token"

    # when
    first = httpx.post(url, data=form)
    second = httpx.post(url, data=form)

    # then
    assert first.status_code == 200 and first.json()["uid"] == account.external_id
    assert second.status_code == 400


def test_pkce_verifier_is_checked(platform_sim):
    # given: the kit's helper is platform-neutral; check the S256 transform it relies on
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    # when
    challenge = s256(verifier)

    # then (RFC 7636 appendix B)
    assert challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_expired_and_revoked_tokens_are_refused(platform_sim):
    # given
    expired = platform_sim.create_account("weibo")
    revoked = platform_sim.create_account("weibo")
    platform_sim.expire_token(token=expired.access_token)
    platform_sim.revoke_token(platform="weibo", external_id=revoked.external_id)

    # when
    a = _share(platform_sim.base_url, expired.access_token, "a https://kawo.example/")
    b = _share(platform_sim.base_url, revoked.access_token, "b https://kawo.example/")

    # then
    assert (a.status_code, a.json()["error_code"]) == (401, 21327)
    assert (b.status_code, b.json()["error_code"]) == (401, 21316)
    assert platform_sim.posts("weibo") == []


def test_fault_with_count_fires_that_many_times_and_is_counted(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("server_error", platform="weibo", operation="publish", status=502, count=2)

    # when
    statuses = [
        _share(platform_sim.base_url, account.access_token, f"{i} https://kawo.example/").status_code
        for i in range(3)
    ]

    # then
    assert statuses == [502, 502, 200]
    assert platform_sim.faults_fired("weibo", kind="server_error") == 2
    assert platform_sim.requests("weibo", "publish", account.external_id) == 3
    assert platform_sim.posts_created("weibo", account.external_id) == 1


def test_fault_scoped_to_another_account_does_not_fire(platform_sim):
    # given
    mine = platform_sim.create_account("weibo")
    other = platform_sim.create_account("weibo")
    platform_sim.add_fault("rate_limit", account=other.external_id)

    # when
    response = _share(platform_sim.base_url, mine.access_token, "ok https://kawo.example/")

    # then
    assert response.status_code == 200


def test_probability_with_seed_is_reproducible():
    # given
    a = FaultRule(kind="server_error", probability=0.5, seed=7)
    b = FaultRule(kind="server_error", probability=0.5, seed=7)
    request = {"platform": "weibo", "operation": "publish", "path": "/", "account": "", "token": ""}

    # when
    first = [a.matches(**request) for _ in range(40)]
    second = [b.matches(**request) for _ in range(40)]

    # then
    assert first == second and 5 < sum(first) < 35


def test_rate_limit_sends_retry_after_and_reset_headers(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("rate_limit", platform="weibo", retry_after=30, count=1)

    # when
    response = _share(platform_sim.base_url, account.access_token, "x https://kawo.example/")

    # then
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert abs(int(response.headers["x-rate-limit-reset"]) - (time.time() + 30)) < 3


def test_app_wide_rate_limit_uses_the_platforms_app_error(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("rate_limit", platform="weibo", retry_after=5, scope="app", count=1)

    # when
    response = _share(platform_sim.base_url, account.access_token, "x https://kawo.example/")

    # then: Weibo's IP limit (10022), not the user's (10023)
    assert response.status_code == 429
    assert response.json()["error_code"] == 10022


def test_an_unknown_rate_limit_scope_is_refused():
    with pytest.raises(ValueError, match="scope"):
        FaultRule(kind="rate_limit", scope="planet")


def test_the_log_records_each_request_with_its_timing_fault_and_body_fingerprint(platform_sim):
    # given: the first share is rate-limited for 2 s; the same share is sent again, then another one
    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("rate_limit", platform="weibo", operation="publish", retry_after=2, count=1)
    before = time.time()
    _share(platform_sim.base_url, account.access_token, "same https://kawo.example/")
    _share(platform_sim.base_url, account.access_token, "same https://kawo.example/")
    _share(platform_sim.base_url, account.access_token, "other https://kawo.example/")

    # when
    log = platform_sim.log(platform="weibo", operation="publish")

    # then
    assert [(e["status"], e["fault"]) for e in log] == [(429, "rate_limit"), (200, ""), (200, "")]
    limited, again, other = log
    assert limited["retry_after"] == 2 and limited["scope"] == "account"
    assert limited["account"] == account.external_id
    assert before <= limited["arrived"] <= limited["answered"] <= again["arrived"]
    assert limited["body"] == again["body"] != other["body"]
    assert platform_sim.log(fault="rate_limit") == [limited]
    assert platform_sim.log(platform="weibo", account="nobody") == []


def test_latency_delays_but_answers(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("latency", platform="weibo", ms=300)

    # when
    started = time.monotonic()
    response = _share(platform_sim.base_url, account.access_token, "slow https://kawo.example/")

    # then
    assert response.status_code == 200 and time.monotonic() - started >= 0.3


def test_timeout_after_stores_the_post_before_stalling(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("timeout_after", platform="weibo", operation="publish", seconds=2)

    # when
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            f"{platform_sim.base_url}/weibo/2/statuses/share.json",
            timeout=0.5,
            data={
                "access_token": account.access_token,
                "status": "t https://kawo.example/",
                "rip": "1.1.1.1",
            },
        )

    # then
    assert [p["text"] for p in platform_sim.posts("weibo", account.external_id)] == [
        "t https://kawo.example/"
    ]


def test_unknown_fault_kind_is_refused(platform_sim):
    # when
    with pytest.raises(httpx.HTTPStatusError) as raised:
        platform_sim.add_fault("meteor_strike")

    # then
    assert raised.value.response.status_code == 400


def test_many_concurrent_slow_requests_are_served(platform_sim):
    # given: 500 requests, each held 1 s by the simulator (one after another that would take 500 s)
    import asyncio

    account = platform_sim.create_account("weibo")
    platform_sim.add_fault("latency", platform="weibo", operation="profile", ms=1000)
    host, port = platform_sim.base_url.removeprefix("http://").split(":")
    path = f"/weibo/2/users/show.json?access_token={account.access_token}"

    async def one() -> bytes:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET {path} HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = await reader.read()
        writer.close()
        return data.split(b" ", 2)[1]

    async def run() -> list[bytes]:
        return await asyncio.gather(*[one() for _ in range(500)])

    # when
    started = time.monotonic()
    statuses = asyncio.run(run())

    # then: all answered, concurrently (generous bound for a loaded CI machine)
    assert statuses == [b"200"] * 500
    assert time.monotonic() - started < 60
    assert platform_sim.requests("weibo", "profile", account.external_id) == 500


def test_a_request_can_carry_its_own_fault(platform_sim):
    # given
    account = platform_sim.create_account("weibo")

    # when
    response = httpx.post(
        f"{platform_sim.base_url}/weibo/2/statuses/share.json",
        data={"access_token": account.access_token, "status": "h https://kawo.example/", "rip": "1.1.1.1"},
        headers={"X-Sim-Fault": '{"kind": "server_error", "status": 502}'},
    )

    # then
    assert response.status_code == 502
    assert platform_sim.posts("weibo") == []
    assert platform_sim.faults_fired("weibo", kind="server_error") == 1


def test_posts_created_counts_stores_not_attempts_and_survives_deletion(platform_sim):
    # given
    account = platform_sim.create_account("weibo")
    created = _share(platform_sim.base_url, account.access_token, "x https://kawo.example/").json()

    # when
    httpx.post(
        f"{platform_sim.base_url}/weibo/2/statuses/destroy.json",
        data={"access_token": account.access_token, "id": created["idstr"]},
    )

    # then
    assert platform_sim.posts("weibo", account.external_id) == []
    assert len(platform_sim.posts("weibo", account.external_id, include_deleted=True)) == 1
    assert platform_sim.posts_created("weibo", account.external_id) == 1
