"""connectors/http.py: how transport failures and HTTP statuses map to the error hierarchy (pure unit
tests over httpx.MockTransport; the contract test covers the same against the simulator)."""

from __future__ import annotations

import time
from email.utils import formatdate

import httpx
import pytest

from channels_app.connectors.base import Connector
from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected, Transient, Unknown
from channels_app.connectors.http import parse_retry_after


class Demo(Connector):
    platform = "demo"
    display_name = "Demo"


def connector_with(handler) -> Demo:
    connector = Demo(base_url="http://demo.test", timeout=1.0)
    connector._client = httpx.Client(transport=httpx.MockTransport(handler))
    return connector


def answer(status: int, headers: dict | None = None, body: dict | None = None):
    return lambda request: httpx.Response(status, headers=headers or {}, json=body or {})


def raises(exc: Exception):
    def handler(request):
        raise exc

    return handler


@pytest.mark.parametrize(
    ("make_headers", "expected"),
    [
        (lambda: {"Retry-After": "42"}, 42.0),
        (lambda: {"Retry-After": formatdate(time.time() + 90, usegmt=True)}, 90.0),
        (lambda: {"x-rate-limit-reset": str(int(time.time()) + 300)}, 300.0),
        # both given: the longer wait wins, whichever header carries it
        (lambda: {"Retry-After": "5", "x-rate-limit-reset": str(int(time.time()) + 120)}, 120.0),
        (lambda: {"Retry-After": "200", "x-rate-limit-reset": str(int(time.time()) + 30)}, 200.0),
        (lambda: {}, 60.0),
    ],
)
def test_retry_after_from_seconds_date_or_reset(make_headers, expected):
    # given (built now: the date and reset forms are relative to the clock)
    headers = make_headers()

    # when
    seconds = parse_retry_after(httpx.Headers(headers), default=60.0)

    # then
    assert expected - 2 <= seconds <= expected


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, RateLimited),
        (401, AuthExpired),
        (500, Transient),
        (503, Transient),
        (400, Rejected),
        (403, Rejected),
    ],
)
def test_status_mapping(status, error):
    # given
    connector = connector_with(answer(status, {"Retry-After": "5"}, {"message": "nope"}))

    # when / then
    with pytest.raises(error) as raised:
        connector.request("GET", "thing", operation="lookup")
    assert raised.value.status_code == status
    if error is RateLimited:
        assert raised.value.retry_after == 5.0


def test_a_timeout_after_sending_a_publish_is_unknown_but_a_read_is_transient():
    # given
    connector = connector_with(raises(httpx.ReadTimeout("timed out")))

    # when / then
    with pytest.raises(Unknown):
        connector.request("POST", "posts", operation="publish", unsafe=True)
    with pytest.raises(Transient):
        connector.request("GET", "posts", operation="list")


def test_connection_refused_is_transient_even_for_a_publish():
    # given: the request never left, so retrying cannot duplicate anything
    connector = connector_with(raises(httpx.ConnectError("refused")))

    # when / then
    with pytest.raises(Transient):
        connector.request("POST", "posts", operation="publish", unsafe=True)


def test_errors_never_carry_the_url_or_its_token():
    # given
    connector = connector_with(answer(400, body={"message": "bad"}))

    # when
    with pytest.raises(Rejected) as raised:
        connector.request("GET", "thing?access_token=SECRET123", operation="lookup")

    # then
    assert "SECRET123" not in str(raised.value)


def test_success_returns_the_response():
    # given
    connector = connector_with(answer(200, body={"ok": True}))

    # when
    response = connector.request("GET", "thing", operation="lookup")

    # then
    assert response.json() == {"ok": True}
