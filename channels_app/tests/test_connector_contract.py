"""The connector contract: every registered server-side connector against the platform simulator.

One parametrised suite: connect, refresh, profile, validate, publish (minimal and with an image), look up,
delete, and each error class (429 -> RateLimited with the platform's retry_after, 5xx -> Transient, timeout
after the platform accepted -> Unknown with the post really stored, expired token -> AuthExpired).
A connector joins by being in registry.CONNECTORS and having channels_app/tests/contract_cases/<key>.py.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from channels_app.connectors.base import Connector, Credentials, PostPayload, PublishResult
from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected, Transient, Unknown
from channels_app.connectors.registry import CONNECTORS, connector_for

from .contract_cases import ContractCase, case_for

SERVER_SIDE = sorted(key for key, cls in CONNECTORS.items() if cls.capabilities.server_side_publish)
REDIRECT_URI = "http://testserver/channels/callback/"
_unique = itertools.count(1)


@pytest.fixture(params=SERVER_SIDE)
def platform(request) -> str:
    return request.param


@pytest.fixture
def case(platform) -> ContractCase:
    return case_for(platform)


@pytest.fixture
def make_connector(platform_sim, case, settings):
    """connector_for(platform) configured by settings (pointed at the simulator), closed afterwards."""
    made: list[Connector] = []
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        case.platform: {**settings.PLATFORMS[case.platform], **case.app},
    }

    def make(timeout: float | None = None) -> Connector:
        connector = connector_for(case.platform, timeout=timeout)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        connector.close()


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def connect(platform_sim, case: ContractCase, connector: Connector):
    """Connect a fresh simulated account the way channels_app does; returns (sim account, credentials)."""
    account = platform_sim.create_account(case.platform, options=case.sim_options)
    if case.connect == "credentials":
        tokens = connector.connect_with_credentials(**case.credential_fields(account))
        return account, case.credentials(tokens, account)
    verifier, challenge = _pkce() if case.pkce else ("", "")
    url = connector.authorization_url(redirect_uri=REDIRECT_URI, state="st4te", code_challenge=challenge)
    page = httpx.get(url, timeout=5)
    assert page.status_code == 200 and 'id="authorize"' in page.text, (
        "authorization_url must open the consent page"
    )
    query = parse_qs(urlparse(url).query)
    client_id = next((query[k][0] for k in ("client_id", "client_key", "app_id") if k in query), "")
    code = platform_sim.authorize(
        case.platform,
        account.external_id,
        redirect_uri=REDIRECT_URI,
        client_id=client_id,
        code_challenge=challenge,
        code_challenge_method="S256" if challenge else "",
    )
    tokens = connector.exchange_code(code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier)
    return account, case.credentials(tokens, account)


def settle(connector: Connector, credentials: Credentials, result: PublishResult, deadline: float = 10.0):
    """Poll an asynchronous publish until it is published (or fail the test)."""
    end = time.monotonic() + deadline
    while result.status == "pending":
        assert time.monotonic() < end, "asynchronous publish did not finish"
        time.sleep(0.2)
        result = connector.publish_status(credentials, result)
    return result


def test_connect_and_fetch_profile(platform_sim, case, make_connector):
    # given
    connector = make_connector()

    # when
    account, credentials = connect(platform_sim, case, connector)
    profile = connector.fetch_profile(credentials)

    # then
    assert credentials.access_token
    assert credentials.access_token != account.access_token  # a token of its own, not the sim's seed token
    assert profile.external_id == account.external_id
    assert profile.handle == account.handle


def test_refresh_gives_a_working_token(platform_sim, case, make_connector):
    # given
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)

    # when
    tokens = connector.refresh(credentials)
    if not case.refreshes:  # no refresh grant: the token is confirmed and handed back unchanged
        assert tokens.access_token == credentials.access_token
        assert platform_sim.refresh_calls(case.platform, account.external_id) == 0
        return
    refreshed = Credentials(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token or credentials.refresh_token,  # "" means keep the stored one
        expires_at=tokens.expires_at,
        extra={**credentials.extra, **tokens.extra},
    )

    # then
    assert tokens.access_token and tokens.access_token != credentials.access_token
    assert platform_sim.refresh_calls(case.platform, account.external_id) == 1
    assert connector.fetch_profile(refreshed).external_id == account.external_id


def test_validate_accepts_the_minimal_post_and_names_broken_rules(case, make_connector):
    # given
    connector = make_connector()
    bad_payload, rule = case.invalid_post

    # when
    good = connector.validate(case.minimal_post(1))
    bad = connector.validate(bad_payload)

    # then
    assert [f for f in good if f.severity == "error"] == []
    assert rule in {f.rule for f in bad}
    assert all(f.rule.startswith(f"{case.platform}.") and f.message for f in bad)


def test_publish_lookup_delete(platform_sim, case, make_connector):
    # given
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)
    payload = case.minimal_post(next(_unique))

    # when
    result = settle(connector, credentials, connector.publish(credentials, payload))

    # then exactly one post arrived and it can be read back
    assert result.status == "published" and result.external_id
    assert platform_sim.posts_created(case.platform, account.external_id) == 1
    found = connector.get_post(credentials, result.external_id)
    assert found is not None and case.text_of(payload) in found.text
    assert result.external_id in {p.external_id for p in connector.recent_posts(credentials)}

    if not case.deletes:  # the platform has no delete API: say so, never pretend
        with pytest.raises(Rejected):
            connector.delete(credentials, result.external_id)
        assert connector.get_post(credentials, result.external_id) is not None
        return

    # when deleted, it is gone
    connector.delete(credentials, result.external_id)
    assert connector.get_post(credentials, result.external_id) is None
    assert platform_sim.posts(case.platform, account.external_id) == []


def test_publish_with_an_image(platform_sim, case, make_connector):
    if case.image_post is None:
        assert "image" not in CONNECTORS[case.platform].capabilities.media.kinds
        return
    # given
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)

    # when
    result = settle(connector, credentials, connector.publish(credentials, case.image_post(next(_unique))))

    # then
    posts = platform_sim.posts(case.platform, account.external_id)
    assert result.status == "published"
    assert len(posts) == 1 and len(posts[0]["media_ids"]) >= 1


def test_rate_limit_maps_to_rate_limited_with_retry_after(platform_sim, case, make_connector):
    # given
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)
    platform_sim.add_fault(
        "rate_limit",
        platform=case.platform,
        account=account.external_id,
        operation=case.publish_operation,
        retry_after=42,
        count=1,
    )

    # when
    with pytest.raises(RateLimited) as raised:
        connector.publish(credentials, case.minimal_post(next(_unique)))

    # then: at least Retry-After (x-rate-limit-reset, a whole epoch second, may add under a second)
    assert 42 <= raised.value.retry_after <= 43
    assert raised.value.scope == RateLimited.ACCOUNT
    assert platform_sim.posts_created(case.platform, account.external_id) == 0


# Platforms whose app-wide limit has an answer of its own (X's 24-hour app cap, Meta's #4, Weibo's IP
# limit 10022, YouTube's project quota); on the others a 429 is the account's.
APP_WIDE_LIMITS = {"x", "facebook", "instagram", "weibo", "youtube"}


def test_an_app_wide_rate_limit_is_told_apart_from_the_accounts(platform_sim, case, make_connector):
    # given: the platform answers with its app-wide limit
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)
    platform_sim.add_fault(
        "rate_limit",
        platform=case.platform,
        account=account.external_id,
        operation=case.publish_operation,
        retry_after=42,
        scope="app",
        count=1,
    )

    # when
    with pytest.raises(RateLimited) as raised:
        connector.publish(credentials, case.minimal_post(next(_unique)))

    # then: every account of ours on the platform must wait where the platform says it is our app's limit
    expected = RateLimited.APP if case.platform in APP_WIDE_LIMITS else RateLimited.ACCOUNT
    assert raised.value.scope == expected
    assert raised.value.retry_after >= 42
    assert platform_sim.posts_created(case.platform, account.external_id) == 0


def test_server_error_maps_to_transient(platform_sim, case, make_connector):
    # given
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)
    platform_sim.add_fault(
        "server_error", platform=case.platform, operation=case.publish_operation, status=503, count=1
    )

    # when / then
    with pytest.raises(Transient):
        connector.publish(credentials, case.minimal_post(next(_unique)))
    assert platform_sim.posts_created(case.platform, account.external_id) == 0


def test_timeout_after_accept_is_unknown_and_the_post_is_found(platform_sim, case, make_connector):
    # given a platform that stores the post, then stalls longer than our timeout
    connector = make_connector(timeout=1.0)
    account, credentials = connect(platform_sim, case, connector)
    payload = case.minimal_post(next(_unique))
    platform_sim.add_fault(
        "timeout_after", platform=case.platform, operation=case.publish_operation, seconds=2.5
    )

    # when
    with pytest.raises(Unknown):
        connector.publish(credentials, payload)

    # then the post WAS stored, and reading the platform settles the outcome
    platform_sim.clear_faults()
    assert platform_sim.posts_created(case.platform, account.external_id) == 1
    deadline = time.monotonic() + 5
    texts: list[str] = []
    while time.monotonic() < deadline:
        texts = [p.text for p in connector.recent_posts(credentials)]
        if any(case.text_of(payload) in t for t in texts):
            break
        time.sleep(0.2)
    assert any(case.text_of(payload) in t for t in texts)


def test_timeout_before_accept_is_unknown_and_nothing_is_stored(platform_sim, case, make_connector):
    # given
    connector = make_connector(timeout=1.0)
    account, credentials = connect(platform_sim, case, connector)
    platform_sim.add_fault(
        "timeout_before", platform=case.platform, operation=case.publish_operation, seconds=2
    )

    # when
    with pytest.raises(Unknown):
        connector.publish(credentials, case.minimal_post(next(_unique)))

    # then
    assert platform_sim.posts_created(case.platform, account.external_id) == 0


def test_expired_token_maps_to_auth_expired(platform_sim, case, make_connector):
    # given
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)
    platform_sim.expire_token(token=credentials.access_token)

    # when / then
    with pytest.raises(AuthExpired):
        connector.publish(credentials, case.minimal_post(next(_unique)))
    with pytest.raises(AuthExpired):
        connector.fetch_profile(credentials)
    assert platform_sim.posts_created(case.platform, account.external_id) == 0


def test_revoked_token_maps_to_auth_expired(platform_sim, case, make_connector):
    # given
    connector = make_connector()
    account, credentials = connect(platform_sim, case, connector)
    platform_sim.revoke_token(platform=case.platform, external_id=account.external_id, kind="all")

    # when / then
    with pytest.raises(AuthExpired):
        connector.publish(credentials, case.minimal_post(next(_unique)))


def test_unreachable_platform_is_transient(case, make_connector, settings):
    # given a base URL where nothing listens
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        case.platform: {
            **settings.PLATFORMS[case.platform],
            "base_url": "http://127.0.0.1:9",
            "auth_url": "http://127.0.0.1:9",
        },
    }
    connector = make_connector(timeout=2.0)
    credentials = Credentials(access_token="t", refresh_token="r", extra={"uid": "1", "open_id": "1"})

    # when / then
    with pytest.raises(Transient):
        connector.fetch_profile(credentials)


def test_every_registered_connector_has_a_contract_case():
    # given / when
    missing = []
    for key in SERVER_SIDE:
        try:
            case_for(key)
        except LookupError:
            missing.append(key)

    # then
    assert missing == []


def test_publish_payloads_are_valid_for_their_connector(case, make_connector):
    # given
    connector = make_connector()
    payloads: list[PostPayload] = [case.minimal_post(1)] + ([case.image_post(1)] if case.image_post else [])

    # when
    errors = [f for p in payloads for f in connector.validate(p) if f.severity == "error"]

    # then
    assert errors == []
