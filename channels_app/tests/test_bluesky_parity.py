"""The simulator's Bluesky answers must match Bluesky's own PDS: the same calls, run against both, must
fail with the same error class, XRPC error name, message and HTTP status. When a new PDS version changes
a message, this test names the simulator line to update.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from channels_app.connectors.base import Credentials, MediaItem, PostPayload
from channels_app.connectors.bluesky.connector import BlueskyConnector
from channels_app.connectors.errors import AuthExpired, ConnectorError, Rejected
from channels_app.connectors.registry import connector_for

from .unchecked import publish_unchecked

SIM_APP_PASSWORD = "abcd-efgh-ijkl-mnop"


@dataclass
class Server:
    name: str
    connector: BlueskyConnector
    handle: str
    app_password: str

    def login(self) -> Credentials:
        tokens = self.connector.connect_with_credentials(identifier=self.handle, password=self.app_password)
        return Credentials(
            access_token=tokens.access_token, refresh_token=tokens.refresh_token, extra=tokens.extra
        )


@pytest.fixture(params=["simulator", "real PDS"])
def server(request, settings):
    if request.param == "simulator":
        platform_sim = request.getfixturevalue("platform_sim")
        account = platform_sim.create_account(
            "bluesky", handle="parity.bsky.social", options={"app_password": SIM_APP_PASSWORD}
        )
        handle, app_password = account.handle, SIM_APP_PASSWORD
    else:
        peer = request.getfixturevalue("bluesky_pds")
        settings.PLATFORMS = {
            **settings.PLATFORMS,
            "bluesky": {**settings.PLATFORMS["bluesky"], "base_url": peer.pds_url, "auth_url": peer.pds_url},
        }
        handle, app_password = peer.account.handle, peer.account.app_password
    connector = connector_for("bluesky")
    yield Server(request.param, connector, handle, app_password)
    connector.close()


def _noise_png(side: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def _image(data: bytes) -> MediaItem:
    return MediaItem(
        kind="image", filename="i.png", content_type="image/png", size=len(data), data=data, alt_text="i"
    )


BIG_PNG = _noise_png(700)  # about 1.47 MB of incompressible pixels
SMALL_PNG = _noise_png(4)


def _publish(payload: PostPayload):
    """Sent past the connector's own limit check (connectors.limits): the servers judge alone."""

    def run(server: Server) -> None:
        publish_unchecked(server.connector, server.login(), payload)

    return run


def _wrong_password(server: Server) -> None:
    server.connector.connect_with_credentials(identifier=server.handle, password="zzzz-zzzz-zzzz-zzzz")


def _refresh_with_access_token(server: Server) -> None:
    credentials = server.login()
    server.connector.refresh(Credentials(access_token="", refresh_token=credentials.access_token))


def _refresh_twice_after_logout(server: Server) -> None:
    credentials = server.login()
    server.connector._discard_session(credentials.refresh_token)
    server.connector.refresh(credentials)


CASES: dict[str, tuple[Any, type[ConnectorError], str, str, int]] = {
    "301 graphemes": (
        _publish(PostPayload(text="🇨🇳" * 301)),
        Rejected,
        "InvalidRequest",
        "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text",
        400,
    ),
    "3025 bytes": (
        _publish(PostPayload(text="👨‍👩‍👧‍👦" * 121)),
        Rejected,
        "InvalidRequest",
        "Invalid app.bsky.feed.post record: string too big (maximum 3000, got 3025) at $.record.text",
        400,
    ),
    "five images": (
        _publish(PostPayload(text="five", media=(_image(SMALL_PNG),) * 5)),
        Rejected,
        "InvalidRequest",
        "Invalid app.bsky.feed.post record: array too big (maximum 4, got 5) at $.record.embed.images",
        400,
    ),
    "image over 1 MB": (
        _publish(PostPayload(text="big", media=(_image(BIG_PNG),))),
        Rejected,
        "InvalidRequest",
        f"Invalid app.bsky.feed.post record: blob too big (maximum 1000000, got {len(BIG_PNG)}) "
        "at $.record.embed.images[0].image",
        400,
    ),
    "wrong password": (
        _wrong_password,
        AuthExpired,
        "AuthenticationRequired",
        "Invalid identifier or password",
        401,
    ),
    "refresh with an access token": (
        _refresh_with_access_token,
        AuthExpired,
        "InvalidToken",
        "Invalid token type",
        400,
    ),
    "refresh after logout": (
        _refresh_twice_after_logout,
        AuthExpired,
        "ExpiredToken",
        "Token has been revoked",
        400,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_simulator_fails_like_the_real_pds(server, case):
    # given
    action, error_class, name, message, status = CASES[case]

    # when
    with pytest.raises(ConnectorError) as raised:
        action(server)

    # then
    got = (
        type(raised.value),
        raised.value.platform_code,
        raised.value.platform_message,
        raised.value.status_code,
    )
    assert got == (error_class, name, message, status)


def test_an_unknown_record_is_none_on_both(server):
    # when / then
    assert server.connector.get_post(server.login(), "3zzzzzzzzzzzz") is None
