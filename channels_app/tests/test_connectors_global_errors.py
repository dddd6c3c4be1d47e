"""Error mapping and request shapes of the global connectors, with recorded-style responses fed through
httpx.MockTransport (pure unit tests: no simulator, no network)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from channels_app.connectors.base import Connector, Credentials, PostPayload
from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected, Transient, Unknown
from channels_app.connectors.facebook.connector import FacebookConnector
from channels_app.connectors.instagram.connector import InstagramConnector
from channels_app.connectors.linkedin.connector import LinkedInConnector
from channels_app.connectors.mastodon.connector import MastodonConnector
from channels_app.connectors.tiktok.connector import TikTokConnector
from channels_app.connectors.x.connector import XConnector

from .test_connectors_global_media import image

CREDS = Credentials(access_token="tok", refresh_token="ref", extra={"page_id": "p1", "ig_user_id": "ig1"})


def wired(cls: type[Connector], handler, **kwargs) -> tuple[Connector, list[httpx.Request]]:
    """A connector whose HTTP client answers from `handler`; returns it and the requests it sent."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    connector = cls(
        base_url=f"https://{cls.platform}.test", app={"client_id": "cid", "client_secret": "sec"}, **kwargs
    )
    connector._client = httpx.Client(transport=httpx.MockTransport(record))
    return connector, sent


def answer(status: int, body=None, headers=None):
    return lambda request: httpx.Response(
        status, json=body if body is not None else {}, headers=headers or {}
    )


# --- X ---


def test_x_429_waits_until_x_rate_limit_reset():
    # given
    reset = int(time.time()) + 120
    x, _ = wired(XConnector, answer(429, {"title": "Too Many Requests"}, {"x-rate-limit-reset": str(reset)}))

    # when
    with pytest.raises(RateLimited) as raised:
        x.publish(CREDS, PostPayload(text="hi"))

    # then
    assert 115 <= raised.value.retry_after <= 120


def test_x_app_cap_holds_every_account_until_its_own_reset():
    # given: the per-user window would reopen in a minute, the app's 24-hour cap in an hour
    now = int(time.time())
    headers = {
        "retry-after": "60",
        "x-rate-limit-reset": str(now + 60),
        "x-app-limit-24hour-remaining": "0",
        "x-app-limit-24hour-reset": str(now + 3600),
    }
    x, _ = wired(XConnector, answer(429, {"title": "Too Many Requests"}, headers))

    # when
    with pytest.raises(RateLimited) as raised:
        x.publish(CREDS, PostPayload(text="hi"))

    # then
    assert raised.value.scope == RateLimited.APP
    assert 3595 <= raised.value.retry_after <= 3600


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}, AuthExpired),
        (503, {"title": "Service Unavailable"}, Transient),
        (403, {"detail": "You are not allowed to create a Tweet with duplicate content."}, Rejected),
        (400, {"errors": [{"message": "bad"}], "title": "Invalid Request"}, Rejected),
    ],
)
def test_x_status_mapping(status, body, error):
    # given
    x, _ = wired(XConnector, answer(status, body))

    # when / then
    with pytest.raises(error):
        x.publish(CREDS, PostPayload(text="hi"))


def test_x_timeout_after_sending_a_publish_is_unknown_but_a_read_is_transient():
    # given
    def stall(request):
        raise httpx.ReadTimeout("stalled", request=request)

    x, _ = wired(XConnector, stall)

    # when / then
    with pytest.raises(Unknown):
        x.publish(CREDS, PostPayload(text="hi"))
    with pytest.raises(Transient):
        x.fetch_profile(CREDS)


def test_x_refresh_with_a_dead_refresh_token_is_auth_expired_and_revoked():
    # given
    body = {"error": "invalid_request", "error_description": "Value passed for the token was invalid."}
    x, sent = wired(XConnector, answer(400, body))

    # when
    with pytest.raises(AuthExpired) as raised:
        x.refresh(CREDS)

    # then
    assert raised.value.revoked
    assert sent[0].headers["authorization"].startswith("Basic ")  # confidential client auth
    assert b"grant_type=refresh_token" in sent[0].content


def test_x_authorization_url_requires_pkce_s256():
    # given
    x = XConnector(base_url="https://api.x.test", app={"client_id": "cid", "auth_url": "https://x.test"})

    # when
    url = x.authorization_url(redirect_uri="https://app/cb", state="s", code_challenge="abc")

    # then
    assert url.startswith("https://x.test/i/oauth2/authorize?")
    assert "code_challenge=abc" in url and "code_challenge_method=S256" in url and "offline.access" in url
    with pytest.raises(ValueError):
        x.authorization_url(redirect_uri="https://app/cb", state="s")


def test_x_publish_uploads_media_then_posts_and_replies_first_comment():
    # given
    def handler(request):
        if request.url.path == "/2/media/upload":
            return httpx.Response(200, json={"data": {"id": "m1"}})
        body = json.loads(request.content)
        return httpx.Response(
            201, json={"data": {"id": "r9" if "reply" in body else "t1", "text": body["text"]}}
        )

    x, sent = wired(XConnector, handler)
    # when
    result = x.publish(CREDS, PostPayload(text="hello", media=(image(),), first_comment="more in the thread"))

    # then
    assert result.status == "published" and result.external_id == "t1"
    assert json.loads(sent[1].content) == {"text": "hello", "media": {"media_ids": ["m1"]}}
    assert json.loads(sent[2].content)["reply"] == {"in_reply_to_tweet_id": "t1"}
    assert result.raw["first_comment_id"] == "r9"


# --- Graph (Facebook, Instagram) ---


def graph_error(code, subcode=None, status=400, headers=None):
    error = {"message": f"error {code}", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return answer(status, {"error": error}, headers)


@pytest.mark.parametrize(
    ("code", "subcode", "status", "error"),
    [
        (190, 463, 400, AuthExpired),
        (190, None, 400, AuthExpired),
        (102, None, 400, AuthExpired),
        (4, None, 400, RateLimited),
        (17, None, 400, RateLimited),
        (32, None, 400, RateLimited),
        (613, None, 400, RateLimited),
        (1, None, 500, Transient),
        (2, None, 500, Transient),
        (100, None, 400, Rejected),
        (368, None, 400, Rejected),
    ],
)
def test_facebook_graph_error_codes(code, subcode, status, error):
    # given
    fb, _ = wired(FacebookConnector, graph_error(code, subcode, status))

    # when / then
    with pytest.raises(error) as raised:
        fb.publish(CREDS, PostPayload(text="hi"))
    assert raised.value.platform_code == code


def test_facebook_password_change_is_a_revoked_token():
    # given
    fb, _ = wired(FacebookConnector, graph_error(190, 460))

    # when / then
    with pytest.raises(AuthExpired) as raised:
        fb.fetch_profile(CREDS)
    assert raised.value.revoked


def test_graph_rate_limit_wait_comes_from_usage_headers_without_retry_after():
    # given
    usage = {"p1": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]}
    fb, _ = wired(
        FacebookConnector, graph_error(32, headers={"x-business-use-case-usage": json.dumps(usage)})
    )

    # when
    with pytest.raises(RateLimited) as raised:
        fb.publish(CREDS, PostPayload(text="hi"))

    # then
    assert raised.value.retry_after == 7 * 60


def test_facebook_schedules_natively_on_a_versioned_path():
    # given
    fb, sent = wired(FacebookConnector, answer(200, {"id": "p1_99"}))
    when = datetime.now(UTC) + timedelta(hours=3)

    # when
    result = fb.publish(CREDS, PostPayload(text="later", options={"scheduled_at": when}))

    # then
    assert result.status == "scheduled" and result.external_id == "p1_99"
    assert sent[0].url.path == "/v25.0/p1/feed"
    form = dict(httpx.QueryParams(sent[0].content.decode()))
    assert form["published"] == "false" and form["scheduled_publish_time"] == str(int(when.timestamp()))
    assert sent[0].url.params["access_token"] == "tok"


def test_instagram_publishing_limit_is_rate_limited_before_any_container():
    # given
    quota = {"data": [{"quota_usage": 50, "config": {"quota_total": 50, "quota_duration": 86400}}]}
    ig, sent = wired(InstagramConnector, answer(200, quota))
    # when
    with pytest.raises(RateLimited) as raised:
        ig.publish(CREDS, PostPayload(text="c", media=(image(),)))

    # then
    assert raised.value.retry_after == 3600
    assert [r.url.path for r in sent] == ["/v25.0/ig1/content_publishing_limit"]


def test_instagram_publishing_limit_error_from_the_platform_is_rate_limited():
    # given
    ig, _ = wired(InstagramConnector, graph_error(9, 2207042))

    # when / then
    with pytest.raises(RateLimited):
        ig.fetch_profile(CREDS)


def test_instagram_container_in_progress_stays_pending_and_error_is_rejected():
    # given
    state = {"code": "IN_PROGRESS"}

    def handler(request):
        path = request.url.path
        if path.endswith("/content_publishing_limit"):
            return httpx.Response(200, json={"data": [{"quota_usage": 0, "config": {"quota_total": 50}}]})
        if path.endswith("/media") and request.method == "POST":
            return httpx.Response(200, json={"id": "c1"})
        if path.endswith("/c1"):
            return httpx.Response(200, json={"id": "c1", "status_code": state["code"]})
        raise AssertionError(f"unexpected {request.method} {path}")

    ig, _ = wired(InstagramConnector, handler)
    # when
    pending = ig.publish(CREDS, PostPayload(text="c", media=(image(),)))
    state["code"] = "ERROR"

    # then
    assert pending.status == "pending" and pending.raw["container_id"] == "c1"
    with pytest.raises(Rejected):
        ig.publish_status(CREDS, pending)


# --- LinkedIn ---


def test_linkedin_sends_version_headers_and_escaped_commentary():
    # given
    li, sent = wired(
        LinkedInConnector,
        lambda request: httpx.Response(201, headers={"x-restli-id": "urn:li:share:1"}),
        timeout=5.0,
    )
    li.app["api_version"] = "202511"
    creds = Credentials(access_token="tok", extra={"author": "urn:li:organization:5"})

    # when
    result = li.publish(creds, PostPayload(text="Hiring (Shanghai) #jobs"))

    # then
    request = sent[0]
    assert request.headers["linkedin-version"] == "202511"
    assert request.headers["x-restli-protocol-version"] == "2.0.0"
    body = json.loads(request.content)
    assert body["commentary"] == "Hiring \\(Shanghai\\) \\#jobs" and body["author"] == "urn:li:organization:5"
    assert result.external_id == "urn:li:share:1"


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (401, {"serviceErrorCode": 65601, "code": "EXPIRED_ACCESS_TOKEN", "status": 401}, {}, AuthExpired),
        (429, {"status": 429, "code": "TOO_MANY_REQUESTS"}, {"Retry-After": "17"}, RateLimited),
        (500, {"status": 500}, {}, Transient),
        (422, {"status": 422, "message": "bad"}, {}, Rejected),
    ],
)
def test_linkedin_error_mapping(status, body, headers, error):
    # given
    li, _ = wired(LinkedInConnector, answer(status, body, headers))

    # when / then
    with pytest.raises(error) as raised:
        li.publish(Credentials(access_token="t", extra={"author": "urn:li:person:1"}), PostPayload(text="x"))
    if error is RateLimited:
        assert raised.value.retry_after == 17


# --- Mastodon ---


def test_mastodon_sends_the_idempotency_key():
    # given
    status = {"id": "11", "url": "https://m.test/@b/11", "content": "<p>hi</p>"}
    md, sent = wired(MastodonConnector, answer(200, status))

    # when
    result = md.publish(CREDS, PostPayload(text="hi", idempotency_key="target-42-attempt"))

    # then
    assert sent[0].headers["idempotency-key"] == "target-42-attempt"
    assert result.external_id == "11" and result.url == "https://m.test/@b/11"


def test_mastodon_rate_limit_reset_is_an_iso_time():
    # given
    reset = (datetime.now(UTC) + timedelta(seconds=90)).isoformat()
    md, _ = wired(
        MastodonConnector, answer(429, {"error": "Too many requests"}, {"X-RateLimit-Reset": reset})
    )

    # when
    with pytest.raises(RateLimited) as raised:
        md.publish(CREDS, PostPayload(text="hi"))

    # then
    assert 80 <= raised.value.retry_after <= 90


def test_mastodon_validation_error_is_rejected_and_bad_token_auth_expired():
    # given
    md, _ = wired(
        MastodonConnector, answer(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
    )
    md_auth, _ = wired(MastodonConnector, answer(401, {"error": "The access token is invalid"}))

    # when / then
    with pytest.raises(Rejected) as raised:
        md.publish(CREDS, PostPayload(text="hi"))
    assert "500" in raised.value.platform_message
    with pytest.raises(AuthExpired):
        md_auth.refresh(CREDS)  # no refresh grant: "refreshing" re-checks the token


# --- TikTok ---


def tiktok(code, status=200, headers=None):
    return answer(status, {"data": {}, "error": {"code": code, "message": code, "log_id": "L"}}, headers)


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("access_token_invalid", 401, AuthExpired),
        ("scope_not_authorized", 401, AuthExpired),
        ("rate_limit_exceeded", 429, RateLimited),
        ("spam_risk_too_many_posts", 403, Rejected),
        ("unaudited_client_can_only_post_to_private_accounts", 403, Rejected),
        ("internal_error", 500, Transient),
        ("access_token_invalid", 200, AuthExpired),  # body-level errors count even with HTTP 200
    ],
)
def test_tiktok_error_codes(code, status, error):
    # given
    tt, _ = wired(TikTokConnector, tiktok(code, status))

    # when / then
    with pytest.raises(error):
        tt.fetch_profile(CREDS)


def test_tiktok_rate_limit_waits_a_minute_without_retry_after():
    # given
    tt, _ = wired(TikTokConnector, tiktok("rate_limit_exceeded", 429))

    # when
    with pytest.raises(RateLimited) as raised:
        tt.fetch_profile(CREDS)

    # then
    assert raised.value.retry_after == 60


def test_tiktok_delete_is_refused_honestly():
    # given
    tt = TikTokConnector(base_url="https://tt.test")

    # when / then
    with pytest.raises(Rejected):
        tt.delete(CREDS, "7300")
