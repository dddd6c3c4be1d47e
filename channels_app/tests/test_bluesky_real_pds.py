"""Acceptance: the Bluesky connector against Bluesky's own PDS (tests/peers/bluesky_pds.py), not a fake.

Nothing here is mocked: the server validates records, counts graphemes, checks blobs and rate-limits
logins exactly as bsky.social's PDS software does. If node or the npm packages are missing the fixture
FAILS (run scripts/peers.sh); it never skips.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from channels_app.connectors.base import Credentials, MediaItem, PostPayload
from channels_app.connectors.bluesky.connector import BlueskyConnector
from channels_app.connectors.errors import AuthExpired, OverLimits, RateLimited, Rejected
from channels_app.connectors.registry import connector_for
from content.media_inspect import MediaInfo
from content.services.compliance import compliance_for_payload

from .unchecked import publish_unchecked


@pytest.fixture
def connector(bluesky_pds, settings):
    """connector_for("bluesky") with settings.PLATFORMS["bluesky"] pointed at the real PDS."""
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        "bluesky": {
            **settings.PLATFORMS["bluesky"],
            "base_url": bluesky_pds.pds_url,
            "auth_url": bluesky_pds.pds_url,
        },
    }
    connector = connector_for("bluesky")
    assert isinstance(connector, BlueskyConnector)
    yield connector
    connector.close()


def _credentials(tokens) -> Credentials:
    return Credentials(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        refresh_expires_at=tokens.refresh_expires_at,
        extra=dict(tokens.extra),
    )


@pytest.fixture
def alice(bluesky_pds):
    return bluesky_pds.account


@pytest.fixture
def credentials(connector, alice) -> Credentials:
    return _credentials(
        connector.connect_with_credentials(identifier=alice.handle, password=alice.app_password)
    )


def _png(width: int, height: int, *, noise: bool = False) -> bytes:
    if noise:  # random pixels do not compress: a big file from a small picture
        image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (220, 30, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _image(data: bytes, alt: str = "A red square") -> MediaItem:
    return MediaItem(
        kind="image", filename="square.png", content_type="image/png", size=len(data), data=data, alt_text=alt
    )


def _record(bluesky_pds, uri: str) -> dict:
    repo, collection, rkey = uri[len("at://") :].split("/")
    response = bluesky_pds.xrpc(
        "GET", "com.atproto.repo.getRecord", params={"repo": repo, "collection": collection, "rkey": rkey}
    )
    assert response.status_code == 200, response.text
    return response.json()["value"]


def test_connect_with_handle_and_app_password(connector, alice):
    # given
    before = datetime.now(UTC)

    # when
    tokens = connector.connect_with_credentials(identifier=alice.handle, password=alice.app_password)
    profile = connector.fetch_profile(_credentials(tokens))

    # then
    assert tokens.extra == {"did": alice.did, "handle": alice.handle}
    assert before + timedelta(minutes=90) < tokens.expires_at < before + timedelta(hours=3)  # about 2 h
    assert tokens.refresh_expires_at > before + timedelta(days=30)
    assert (profile.external_id, profile.handle) == (alice.did, alice.handle)


def test_the_main_password_is_refused(connector, alice):
    # when
    with pytest.raises(Rejected) as raised:
        connector.connect_with_credentials(identifier=alice.handle, password=alice.password)

    # then
    assert raised.value.platform_code == "NotAnAppPassword"


def test_a_wrong_password_means_reconnect(connector, alice):
    # when
    with pytest.raises(AuthExpired) as raised:
        connector.connect_with_credentials(identifier=alice.handle, password="nope-nope-nope-nope")

    # then
    assert raised.value.revoked is True
    assert raised.value.platform_message == "Invalid identifier or password"


def test_refresh_rotates_the_session(connector, credentials, alice):
    # when
    tokens = connector.refresh(credentials)

    # then a new refresh token (an access JWT made in the same second may be byte-identical)
    assert tokens.access_token
    assert tokens.refresh_token and tokens.refresh_token != credentials.refresh_token
    assert tokens.extra == credentials.extra
    assert connector.fetch_profile(_credentials(tokens)).external_id == alice.did


def test_a_bad_token_is_auth_expired(connector, credentials):
    # given
    broken = Credentials(access_token=credentials.access_token[:-4] + "AAAA", extra=credentials.extra)

    # when / then
    with pytest.raises(AuthExpired):
        connector.fetch_profile(broken)


def test_publish_text_look_it_up_and_delete_it(connector, credentials, alice, bluesky_pds):
    # given
    text = f"Hello @{alice.handle}, see https://kawo.example/launch?x=1. 新品 #发布 🚀"

    # when
    result = connector.publish(credentials, PostPayload(text=text, options={"langs": ["en", "zh"]}))

    # then the post exists, under the account's DID, with a bsky.app link
    assert result.status == "published"
    assert result.external_id.startswith(f"at://{alice.did}/app.bsky.feed.post/")
    rkey = result.external_id.rsplit("/", 1)[1]
    assert result.url == f"https://bsky.app/profile/{alice.did}/post/{rkey}"
    found = connector.get_post(credentials, result.external_id)
    assert found is not None and found.text == text
    assert connector.recent_posts(credentials, limit=5)[0].external_id == result.external_id

    # and its facets cover exactly the mention, the link and the tag, in UTF-8 byte offsets
    record = _record(bluesky_pds, result.external_id)
    encoded = text.encode("utf-8")
    covered = {
        encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in record["facets"]
    }
    assert covered[f"@{alice.handle}"] == {"$type": "app.bsky.richtext.facet#mention", "did": alice.did}
    assert covered["https://kawo.example/launch?x=1"]["uri"] == "https://kawo.example/launch?x=1"
    assert covered["#发布"] == {"$type": "app.bsky.richtext.facet#tag", "tag": "发布"}
    assert record["langs"] == ["en", "zh"]

    # when deleted
    connector.delete(credentials, result.external_id)

    # then the lookup finds nothing
    assert connector.get_post(credentials, result.external_id) is None
    assert result.external_id not in {p.external_id for p in connector.recent_posts(credentials)}


def test_a_handle_the_server_cannot_resolve_stays_plain_text(connector, credentials, bluesky_pds):
    # when
    result = connector.publish(credentials, PostPayload(text="ask @nobody.example about it"))

    # then
    record = _record(bluesky_pds, result.external_id)
    assert record["text"] == "ask @nobody.example about it" and "facets" not in record
    connector.delete(credentials, result.external_id)


def test_publish_with_an_image(connector, credentials, bluesky_pds):
    # given
    data = _png(64, 48)

    # when
    result = connector.publish(credentials, PostPayload(text="A picture", media=(_image(data),)))

    # then the record embeds the uploaded blob with its alt text and shape
    image = _record(bluesky_pds, result.external_id)["embed"]["images"][0]
    assert image["alt"] == "A red square"
    assert image["aspectRatio"] == {"width": 64, "height": 48}
    assert image["image"]["mimeType"] == "image/png" and image["image"]["size"] == len(data)
    blob = bluesky_pds.xrpc(
        "GET",
        "com.atproto.sync.getBlob",
        params={"did": credentials.extra["did"], "cid": image["image"]["ref"]["$link"]},
    )
    assert blob.content == data
    connector.delete(credentials, result.external_id)


def test_301_graphemes_are_rejected_by_the_server(connector, credentials):
    # given 301 flags: 602 code points and 2408 bytes, but 301 graphemes (within 3000 bytes)
    payload = PostPayload(text="🇨🇳" * 301)

    # when we bypass our own limit check (connectors.limits) and send it anyway
    with pytest.raises(Rejected) as raised:
        publish_unchecked(connector, credentials, payload)

    # then the server's own message comes through, and validate() would have said the same
    assert raised.value.platform_code == "InvalidRequest"
    assert "grapheme too big (maximum 300, got 301)" in raised.value.platform_message
    assert "grapheme too big (maximum 300, got 301)" in str(raised.value)
    assert [f.rule for f in connector.validate(payload)] == ["bluesky.graphemes"]


@pytest.mark.parametrize(
    "text",
    [
        "🇨🇳" * 300,  # 300 graphemes, 2400 bytes: fits
        "e\u0301" * 300,  # 300 graphemes of 2 code points each, 900 bytes: fits
        "👨‍👩‍👧‍👦" * 300,  # 300 graphemes but 7500 bytes: too big
        "好" * 1001,  # 1001 graphemes and 3003 bytes: too big both ways
        "a" * 300,
    ],
    ids=["flags", "combining", "family-emoji", "cjk", "ascii"],
)
def test_validate_agrees_with_the_server(connector, credentials, text):
    # given
    errors = [f for f in connector.validate(PostPayload(text=text)) if f.severity == "error"]

    # when sent past our own limit check, the server judges alone
    try:
        result = publish_unchecked(connector, credentials, PostPayload(text=text))
    except Rejected:
        accepted = False
    else:
        accepted = True
        connector.delete(credentials, result.external_id)

    # then
    assert accepted == (errors == [])


def test_an_image_over_one_megabyte_is_rejected(connector, credentials):
    # given
    data = _png(700, 700, noise=True)
    payload = PostPayload(text="Too big", media=(_image(data),))
    assert len(data) > 1_000_000

    # when sent past our own limit check
    with pytest.raises(Rejected) as raised:
        publish_unchecked(connector, credentials, payload)

    # then
    assert f"blob too big (maximum 1000000, got {len(data)})" in raised.value.platform_message
    assert "bluesky.media_size" in {f.rule for f in connector.validate(payload)}


def test_a_two_megabyte_image_is_refused_by_the_connector_before_upload(connector, credentials, bluesky_pds):
    # given a 2 MB image: Bluesky's lexicon forbids it in a post (app.bsky.embed.images: the image blob's
    # maxSize is 1,000,000 bytes), while the PDS's upload endpoint takes a blob that size by itself
    data = _png(820, 820, noise=True)
    assert 2_000_000 <= len(data) < 2_100_000
    payload = PostPayload(text="Too big for Bluesky", media=(_image(data),))
    sent: list = []
    connector.http.event_hooks["request"].append(sent.append)

    # when
    with pytest.raises(OverLimits) as raised:
        connector.publish(credentials, payload)

    # then refused, don't retry, with the composer's message, and nothing reached the PDS (no upload)
    assert isinstance(raised.value, Rejected)
    assert sent == []
    assert str(raised.value) == (f"square.png: {len(data)} bytes; Bluesky allows 1000000 bytes per image.")
    assert {f.rule for f in raised.value.findings} == {"bluesky.media_size"}
    findings = compliance_for_payload(payload, platform="bluesky", media_infos=[_info(data)])
    assert [f.message for f in findings if f.blocking] == [str(raised.value)]

    # and the PDS alone would have taken the upload: the connector's check is what guards it
    uploaded = bluesky_pds.xrpc(
        "POST",
        "com.atproto.repo.uploadBlob",
        token=credentials.access_token,
        content=data,
        headers={"Content-Type": "image/png"},
    )
    assert uploaded.status_code == 200 and uploaded.json()["blob"]["size"] == len(data)
    connector.fetch_profile(credentials)
    assert sent, "the hook sees the connector's requests"


def _info(data: bytes) -> MediaInfo:
    return MediaInfo(
        kind="image",
        mime="image/png",
        size=len(data),
        width=820,
        height=820,
        filename="square.png",
        alt_text="A red square",
    )


def test_an_unknown_post_is_none(connector, credentials):
    # when / then
    assert connector.get_post(credentials, "3zzzzzzzzzzzz") is None


def test_login_rate_limit_maps_to_rate_limited(connector, bluesky_pds):
    # given an account of its own: the PDS allows 30 logins per identifier per 5 minutes
    bob = bluesky_pds.create_account("bob")

    # when
    failures = 0
    with pytest.raises(RateLimited) as raised:
        for _ in range(40):
            try:
                connector.connect_with_credentials(identifier=bob.handle, password="wrong-wrong-wrong-wrong")
            except AuthExpired:
                failures += 1

    # then
    assert failures == 30
    assert 1 <= raised.value.retry_after <= 300
    assert raised.value.platform_code == "RateLimitExceeded"
