"""An answer a connector cannot read (an HTML page behind a 200, JSON of the wrong shape, a truncated
body) becomes one of the five errors by what the call was, on every connector: never a JSONDecodeError
or KeyError escaping into a worker or a connect page. Unit tests: httpx answers from a MockTransport."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from channels_app.connectors.base import Credentials, PostPayload
from channels_app.connectors.errors import ConnectorError, Rejected, Transient, Unknown
from channels_app.connectors.registry import CONNECTORS

BODIES = {
    "html behind a 200": (200, b"<html><body>Service temporarily unavailable</body></html>", "text/html"),
    "wrong shape": (200, b'["not", "an", "object"]', "application/json"),
    "truncated": (200, b'{"data": {"id": "12', "application/json"),
    "empty object": (200, b"{}", "application/json"),
}


def connector_answering(cls, body):
    status, content, kind = body
    connector = cls(base_url="https://platform.invalid", app={"client_id": "id", "client_secret": "secret"})
    transport = httpx.MockTransport(
        lambda request: httpx.Response(status, content=content, headers={"content-type": kind})
    )
    connector._client = httpx.Client(transport=transport)
    return connector


def credentials() -> Credentials:
    return Credentials(
        access_token="token",
        refresh_token="refresh",
        expires_at=datetime.now(UTC) + timedelta(days=1),
        extra={
            "appid": "a",
            "secret": "s",
            "open_id": "o",
            "did": "did:plc:x",
            "handle": "h",
            "pds": "https://pds.invalid",
        },
    )


def calls(cls):
    """(name, call, allowed errors) for the calls this connector implements."""
    own = {
        name
        for klass in cls.__mro__
        if klass.__module__.startswith("channels_app.connectors.") and klass.__name__ != "Connector"
        for name in vars(klass)
    }
    found = []
    if "fetch_profile" in own:
        # (Rejected where the answer reads as "no such account", e.g. a Google login without a channel)
        found.append(("fetch_profile", lambda c: c.fetch_profile(credentials()), (Transient, Rejected)))
    if "get_post" in own:
        found.append(("get_post", lambda c: c.get_post(credentials(), "123"), (Transient,)))
    if "exchange_code" in own:
        found.append(
            (
                "exchange_code",
                lambda c: c.exchange_code(
                    code="c", redirect_uri="https://app.invalid/cb", code_verifier="v" * 43
                ),
                (Rejected,),
            )
        )
    if "publish" in own:
        found.append(
            (
                "publish",
                lambda c: c.publish(credentials(), PostPayload(text="Hello")),
                (Unknown, Rejected, Transient),
            )
        )
    return found


CASES = [
    pytest.param(cls, name, call, errors, body, id=f"{platform}-{name}-{label}")
    for platform, cls in sorted(CONNECTORS.items())
    for name, call, errors in calls(cls)
    for label, body in BODIES.items()
]


@pytest.mark.parametrize(("cls", "name", "call", "errors", "body"), CASES)
def test_an_unreadable_answer_is_one_of_the_five_errors(cls, name, call, errors, body):
    connector = connector_answering(cls, body)
    try:
        result = call(connector)
    except ConnectorError as error:
        # then: the error for this kind of call (a publish may also be refused before sending anything,
        # e.g. an assisted platform or a rule the payload breaks)
        assert isinstance(error, errors), (name, type(error).__name__, str(error))
    else:
        # an answer that reads as "nothing there" (get_post of {}) may say so; a profile may name the
        # account from what the token already told (Kuaishou's open_id); never an object with no id
        if name == "get_post":
            assert result is None, (name, result)
        else:
            assert name == "fetch_profile" and result.external_id not in ("", "None"), (name, result)
    finally:
        connector.close()


def test_every_platform_is_covered():
    covered = {case.values[0].platform for case in CASES}
    assert covered == {cls.platform for cls in CONNECTORS.values() if calls(cls)}
    assert len(covered) >= 10
