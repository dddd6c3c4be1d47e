"""Platform behaviours of the global connectors against platform_sim (beyond the shared contract):
Mastodon's Idempotency-Key, Instagram's 50-per-24h limit and async containers, TikTok's 6 requests a
minute and chunked upload, Facebook's native scheduling, X's rotating refresh tokens and duplicate rule,
LinkedIn's required version header."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from channels_app.connectors.base import Credentials, MediaItem, PostPayload
from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected
from channels_app.connectors.registry import connector_for

from .contract_cases import MP4_BYTES, png
from .unchecked import publish_unchecked


def creds(account, **extra) -> Credentials:
    return Credentials(access_token=account.access_token, refresh_token=account.refresh_token, extra=extra)


def jpeg(n: int) -> MediaItem:
    return MediaItem(
        kind="image",
        filename=f"{n}.jpg",
        content_type="image/jpeg",
        size=1000,
        url=f"https://cdn.kawo.example/{n}.jpg",
    )


def test_mastodon_idempotency_key_returns_the_first_status_and_posts_once(platform_sim):
    # given
    account = platform_sim.create_account("mastodon")
    connector = connector_for("mastodon")
    payload = PostPayload(text="Opening hours changed", idempotency_key="target-7")

    # when the same publish is sent twice (a retry after a lost answer)
    first = connector.publish(creds(account), payload)
    second = connector.publish(creds(account), payload)

    # then
    assert first.external_id == second.external_id
    assert platform_sim.posts_created("mastodon", account.external_id) == 1
    other = connector.publish(creds(account), replace(payload, idempotency_key="target-8"))
    assert other.external_id != first.external_id  # the platform's own duplicate rule is not ours to fake


def test_mastodon_native_scheduling_and_first_comment(platform_sim):
    # given
    account = platform_sim.create_account("mastodon")
    connector = connector_for("mastodon")
    when = datetime.now(UTC) + timedelta(minutes=30)

    # when
    scheduled = connector.publish(creds(account), PostPayload(text="later", options={"scheduled_at": when}))
    now = connector.publish(
        creds(account), PostPayload(text="now", first_comment="details below", media=(png(),))
    )

    # then
    assert scheduled.status == "scheduled"
    assert connector.get_post(creds(account), scheduled.external_id) is None  # not a status yet
    assert now.status == "published" and now.raw["first_comment_id"]
    posts = platform_sim.posts("mastodon", account.external_id)
    reply = next(p for p in posts if p["id"] == now.raw["first_comment_id"])
    assert reply["extra"]["in_reply_to_id"] == now.external_id


def test_mastodon_scheduled_too_soon_is_rejected_by_the_instance(platform_sim):
    # given
    account = platform_sim.create_account("mastodon")
    connector = connector_for("mastodon")
    soon = datetime.now(UTC) + timedelta(minutes=2)

    # when / then: sent past the connector's own check (which refuses it first, like the composer)
    with pytest.raises(Rejected) as raised:
        publish_unchecked(connector, creds(account), PostPayload(text="soon", options={"scheduled_at": soon}))
    assert "5 minutes" in raised.value.platform_message
    assert platform_sim.posts_created("mastodon", account.external_id) == 0


def test_instagram_rolling_publishing_limit_is_rate_limited(platform_sim):
    # given an account with 2 API posts allowed per 24 h
    account = platform_sim.create_account("instagram", options={"publishing_quota": 2})
    connector = connector_for("instagram")
    credentials = creds(account, ig_user_id=account.external_id)
    for n in range(2):
        connector.publish(credentials, PostPayload(text=f"post {n}", media=(jpeg(n),)))

    # when / then
    with pytest.raises(RateLimited) as raised:
        connector.publish(credentials, PostPayload(text="one too many", media=(jpeg(9),)))
    assert raised.value.retry_after > 0
    assert platform_sim.posts_created("instagram", account.external_id) == 2
    assert connector.publishing_quota(credentials) == (2, 2)


def test_instagram_container_pending_until_processed_then_published_once(platform_sim):
    # given a container that needs 3 status reads before it is FINISHED
    account = platform_sim.create_account("instagram", options={"container_polls": 3})
    connector = connector_for("instagram")
    credentials = creds(account, ig_user_id=account.external_id)

    # when
    result = connector.publish(credentials, PostPayload(text="carousel", media=(jpeg(1), jpeg(2))))
    polls = 1
    while result.status == "pending":
        result = connector.publish_status(credentials, result)
        polls += 1

    # then
    assert polls == 4
    assert result.status == "published" and result.url.startswith("https://www.instagram.com/p/")
    posts = platform_sim.posts("instagram", account.external_id)
    assert len(posts) == 1 and len(posts[0]["media_ids"]) == 2


def test_instagram_unreachable_media_is_rejected(platform_sim):
    # given
    account = platform_sim.create_account("instagram")
    connector = connector_for("instagram")
    item = replace(jpeg(1), url="https://unreachable.kawo.example/1.jpg")

    # when / then
    with pytest.raises(Rejected):
        connector.publish(
            creds(account, ig_user_id=account.external_id), PostPayload(text="x", media=(item,))
        )
    assert platform_sim.posts_created("instagram", account.external_id) == 0


def test_tiktok_six_direct_posts_a_minute_then_rate_limited(platform_sim):
    # given
    account = platform_sim.create_account("tiktok")
    connector = connector_for("tiktok")
    clip = MediaItem(
        kind="video", filename="c.mp4", content_type="video/mp4", size=10, url="https://m.example/c.mp4"
    )
    for n in range(6):
        connector.publish(creds(account), PostPayload(text=f"clip {n}", media=(clip,)))

    # when / then
    with pytest.raises(RateLimited) as raised:
        connector.publish(creds(account), PostPayload(text="clip 7", media=(clip,)))
    assert 1 <= raised.value.retry_after <= 61
    assert platform_sim.posts_created("tiktok", account.external_id) == 6


def test_tiktok_file_upload_and_private_posts(platform_sim):
    # given a creator who may only post privately (an unaudited app)
    account = platform_sim.create_account("tiktok", options={"privacy_level_options": ["SELF_ONLY"]})
    connector = connector_for("tiktok")
    clip = MediaItem(
        kind="video", filename="c.mp4", content_type="video/mp4", size=len(MP4_BYTES), data=MP4_BYTES
    )

    # when
    result = connector.publish(creds(account), PostPayload(text="private clip", media=(clip,)))

    # then
    assert result.status == "published"
    assert result.external_id == result.raw["publish_id"]  # no public id for a SELF_ONLY post
    with pytest.raises(Rejected):
        connector.publish(
            creds(account),
            PostPayload(text="public?", media=(clip,), options={"privacy_level": "PUBLIC_TO_EVERYONE"}),
        )


def test_facebook_native_scheduling_keeps_the_post_off_the_page(platform_sim):
    # given
    account = platform_sim.create_account("facebook")
    connector = connector_for("facebook")
    credentials = creds(account, page_id=account.external_id)
    when = datetime.now(UTC) + timedelta(hours=2)

    # when
    result = connector.publish(credentials, PostPayload(text="launch", options={"scheduled_at": when}))

    # then
    assert result.status == "scheduled"
    assert result.external_id not in {p.external_id for p in connector.recent_posts(credentials)}
    stored = platform_sim.posts("facebook", account.external_id)[0]
    assert stored["extra"]["scheduled_publish_time"] == int(when.timestamp())


def test_facebook_several_photos_go_out_as_one_post(platform_sim):
    # given
    account = platform_sim.create_account("facebook")
    connector = connector_for("facebook")
    credentials = creds(account, page_id=account.external_id)

    # when
    result = connector.publish(credentials, PostPayload(text="album", media=(png("a.png"), png("b.png"))))

    # then
    posts = platform_sim.posts("facebook", account.external_id)
    assert [p["id"] for p in posts] == [result.external_id]
    assert len(posts[0]["media_ids"]) == 2


def test_x_refresh_rotates_and_the_old_refresh_token_dies(platform_sim):
    # given
    account = platform_sim.create_account("x")
    connector = connector_for("x")

    # when
    tokens = connector.refresh(creds(account))

    # then
    assert tokens.refresh_token and tokens.refresh_token != account.refresh_token
    with pytest.raises(AuthExpired):
        connector.refresh(creds(account))  # the used refresh token


def test_x_refuses_duplicate_text(platform_sim):
    # given
    account = platform_sim.create_account("x")
    connector = connector_for("x")
    connector.publish(creds(account), PostPayload(text="same words"))

    # when / then
    with pytest.raises(Rejected) as raised:
        connector.publish(creds(account), PostPayload(text="same words"))
    assert "duplicate" in raised.value.platform_message
    assert platform_sim.posts_created("x", account.external_id) == 1


def test_linkedin_rest_calls_without_a_version_header_are_refused(platform_sim):
    # given
    account = platform_sim.create_account("linkedin")

    # when
    response = httpx.post(
        platform_sim.url("linkedin") + "/rest/posts",
        json={"author": f"urn:li:person:{account.external_id}", "commentary": "hi"},
        headers={"Authorization": f"Bearer {account.access_token}"},
    )

    # then
    assert response.status_code == 400 and response.json()["code"] == "VERSION_MISSING"
    assert platform_sim.posts_created("linkedin", account.external_id) == 0


def test_linkedin_multi_image_post(platform_sim):
    # given
    account = platform_sim.create_account("linkedin")
    connector = connector_for("linkedin")

    # when
    result = connector.publish(
        creds(account), PostPayload(text="offsite (day 2)", media=(png("a.png"), png("b.png")))
    )

    # then
    post = connector.get_post(creds(account), result.external_id)
    assert post is not None and post.text == "offsite (day 2)"
    assert len(platform_sim.posts("linkedin", account.external_id)[0]["media_ids"]) == 2
