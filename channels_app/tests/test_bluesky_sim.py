"""The Bluesky connector against platform_sim's Bluesky routes: what the generic contract test does not
cover (app-password-only sessions, server-side validation messages, facets, rotation, public reads).
The simulator's messages are copied from the real PDS; test_bluesky_real_pds.py checks the same things
against Bluesky's own server.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from channels_app.connectors.base import Credentials, MediaItem, PostPayload
from channels_app.connectors.errors import AuthExpired, Rejected
from channels_app.connectors.registry import connector_for

from .unchecked import publish_unchecked

APP_PASSWORD = "abcd-efgh-ijkl-mnop"
MAIN_PASSWORD = "correct horse battery staple"


@pytest.fixture
def connector(platform_sim):
    connector = connector_for("bluesky")
    yield connector
    connector.close()


@pytest.fixture
def account(platform_sim):
    return platform_sim.create_account(
        "bluesky",
        handle="brand.bsky.social",
        options={"app_password": APP_PASSWORD, "password": MAIN_PASSWORD},
    )


@pytest.fixture
def credentials(connector, account) -> Credentials:
    tokens = connector.connect_with_credentials(identifier=account.handle, password=APP_PASSWORD)
    return Credentials(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        extra=dict(tokens.extra),
    )


def _png(width: int = 8, height: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 120, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def _image(data: bytes) -> MediaItem:
    return MediaItem(
        kind="image", filename="p.png", content_type="image/png", size=len(data), data=data, alt_text="blue"
    )


def test_connect_reads_the_expiry_from_the_jwt(connector, account):
    # given
    before = datetime.now(UTC)

    # when
    tokens = connector.connect_with_credentials(identifier=f"@{account.handle}", password=APP_PASSWORD)

    # then
    assert tokens.extra == {"did": account.external_id, "handle": account.handle}
    assert before + timedelta(minutes=119) <= tokens.expires_at <= before + timedelta(minutes=121)
    assert tokens.refresh_expires_at > before + timedelta(days=89)


def test_the_main_password_is_refused_and_its_session_discarded(connector, account, platform_sim):
    # when
    with pytest.raises(Rejected) as raised:
        connector.connect_with_credentials(identifier=account.handle, password=MAIN_PASSWORD)

    # then
    assert raised.value.platform_code == "NotAnAppPassword"
    tokens = platform_sim.tokens("bluesky", account.external_id)
    # the refused session's refresh token is revoked; the simulator's seed token is untouched
    assert sorted(t["status"] for t in tokens if t["kind"] == "refresh") == ["revoked", "valid"]


def test_a_rotated_refresh_token_cannot_be_used_twice(connector, credentials):
    # given
    connector.refresh(credentials)

    # when
    with pytest.raises(AuthExpired) as raised:
        connector.refresh(credentials)

    # then the account has to be reconnected
    assert raised.value.revoked is True


def test_the_simulator_rejects_301_graphemes_with_the_pds_message(
    connector, credentials, platform_sim, account
):
    # when sent past the connector's own limit check (connectors.limits)
    with pytest.raises(Rejected) as raised:
        publish_unchecked(connector, credentials, PostPayload(text="🇨🇳" * 301))

    # then
    assert raised.value.platform_message == (
        "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text"
    )
    assert platform_sim.posts_created("bluesky", account.external_id) == 0


def test_the_simulator_rejects_more_than_3000_bytes(connector, credentials):
    # when
    with pytest.raises(Rejected) as raised:
        publish_unchecked(connector, credentials, PostPayload(text="👨‍👩‍👧‍👦" * 121))

    # then
    assert "string too big (maximum 3000, got 3025)" in raised.value.platform_message


def test_the_simulator_rejects_five_images_and_an_image_over_one_megabyte(connector, credentials):
    # given
    image = _image(_png())
    big = replace(image, data=b"\x89PNG" + b"\x00" * 1_000_000, size=1_000_004)

    # when
    with pytest.raises(Rejected) as five:
        publish_unchecked(connector, credentials, PostPayload(text="five", media=(image,) * 5))
    with pytest.raises(Rejected) as too_big:
        publish_unchecked(connector, credentials, PostPayload(text="big", media=(big,)))

    # then
    assert "array too big (maximum 4, got 5) at $.record.embed.images" in five.value.platform_message
    assert "blob too big (maximum 1000000, got 1000004)" in too_big.value.platform_message


def test_publish_sends_facets_embed_and_langs(connector, credentials, platform_sim, account):
    # given another account to mention
    friend = platform_sim.create_account("bluesky", handle="friend.bsky.social")
    text = f"Hi @{friend.handle} 新品 https://kawo.example/x #launch"
    data = _png(80, 60)

    # when
    result = connector.publish(
        credentials, PostPayload(text=text, media=(_image(data),), options={"langs": ["en"]})
    )

    # then
    record = platform_sim.posts("bluesky", account.external_id)[0]["extra"]["record"]
    encoded = text.encode()
    features = {
        encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]["$type"]
        for f in record["facets"]
    }
    assert features == {
        f"@{friend.handle}": "app.bsky.richtext.facet#mention",
        "https://kawo.example/x": "app.bsky.richtext.facet#link",
        "#launch": "app.bsky.richtext.facet#tag",
    }
    assert record["facets"][0]["features"][0]["did"] == friend.external_id
    assert record["langs"] == ["en"]
    image = record["embed"]["images"][0]
    assert (image["alt"], image["aspectRatio"]) == ("blue", {"width": 80, "height": 60})
    assert (
        result.external_id
        == f"at://{account.external_id}/app.bsky.feed.post/{result.external_id.rsplit('/')[-1]}"
    )


def test_an_unknown_handle_stays_plain_text(connector, credentials, platform_sim, account):
    # when
    connector.publish(credentials, PostPayload(text="ask @nobody.bsky.social"))

    # then
    record = platform_sim.posts("bluesky", account.external_id)[0]["extra"]["record"]
    assert "facets" not in record


def test_a_link_without_images_becomes_a_link_card(connector, credentials, platform_sim, account):
    # when
    connector.publish(
        credentials, PostPayload(text="Read this", link="https://kawo.example/r", title="Report")
    )

    # then
    embed = platform_sim.posts("bluesky", account.external_id)[0]["extra"]["record"]["embed"]
    assert embed == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": "https://kawo.example/r", "title": "Report", "description": ""},
    }


def test_posts_can_be_read_back_after_the_access_token_expired(connector, credentials, platform_sim):
    # given a post whose outcome must be settled after the token ran out
    result = connector.publish(credentials, PostPayload(text="settle me"))
    platform_sim.expire_token(token=credentials.access_token)

    # when
    found = connector.get_post(credentials, result.external_id)
    recent = connector.recent_posts(credentials)

    # then
    assert found is not None and found.text == "settle me"
    assert [p.external_id for p in recent] == [result.external_id]
    with pytest.raises(AuthExpired):
        connector.publish(credentials, PostPayload(text="but writing needs a fresh token"))


def test_recent_posts_are_newest_first_and_limited(connector, credentials):
    # given
    ids = [connector.publish(credentials, PostPayload(text=f"post {n}")).external_id for n in range(3)]

    # when
    recent = connector.recent_posts(credentials, limit=2)

    # then
    assert [p.external_id for p in recent] == [ids[2], ids[1]]
    assert recent[0].created_at is not None


def test_a_post_can_be_found_by_its_bare_record_key(connector, credentials):
    # given
    result = connector.publish(credentials, PostPayload(text="by rkey"))

    # when
    found = connector.get_post(credentials, result.external_id.rsplit("/", 1)[1])

    # then
    assert found is not None and found.external_id == result.external_id


def test_a_failing_handle_lookup_does_not_stop_the_post(connector, credentials, platform_sim, account):
    # given
    platform_sim.create_account("bluesky", handle="friend.bsky.social")
    platform_sim.add_fault("server_error", platform="bluesky", operation="resolve_handle", status=502)

    # when
    result = connector.publish(credentials, PostPayload(text="hi @friend.bsky.social"))

    # then the post went out once, with the mention as plain text
    assert result.status == "published"
    assert platform_sim.posts_created("bluesky", account.external_id) == 1
    assert "facets" not in platform_sim.posts("bluesky", account.external_id)[0]["extra"]["record"]
