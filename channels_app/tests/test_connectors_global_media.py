"""Media and scheduling rules of the global connectors (validate only; no network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from channels_app.connectors.base import MediaItem, PostPayload
from channels_app.connectors.facebook.connector import FacebookConnector
from channels_app.connectors.instagram.connector import InstagramConnector
from channels_app.connectors.linkedin.connector import LinkedInConnector
from channels_app.connectors.mastodon.connector import MastodonConnector
from channels_app.connectors.tiktok.connector import TikTokConnector
from channels_app.connectors.x.connector import XConnector

MB = 1024 * 1024


def image(n: int = 1, size: int = 1000, **kwargs) -> MediaItem:
    fields = {
        "kind": "image",
        "filename": f"p{n}.jpg",
        "content_type": "image/jpeg",
        "size": size,
        "data": b"\xff\xd8" + b"0" * 10,
        "url": f"https://cdn.kawo.example/{n}.jpg",
    }
    return MediaItem(**{**fields, **kwargs})


def video(n: int = 1, size: int = 5 * MB, **kwargs) -> MediaItem:
    return replace(image(n, size), kind="video", filename=f"v{n}.mp4", content_type="video/mp4", **kwargs)


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


def test_x_media_limits():
    # given
    x = XConnector(base_url="http://x.invalid")
    gif = replace(image(9), kind="gif", content_type="image/gif", filename="a.gif")

    # when / then
    assert x.validate(PostPayload(text="four", media=tuple(image(i) for i in range(4)))) == []
    assert rules(x.validate(PostPayload(text="five", media=tuple(image(i) for i in range(5))))) == {
        "x.media_count"
    }
    too_big = x.validate(PostPayload(text="big", media=(image(size=5 * MB + 1),)))
    assert rules(too_big) == {"x.media_size"} and str(5 * MB) in too_big[0].message
    assert rules(x.validate(PostPayload(text="gif", media=(replace(gif, size=15 * MB),)))) == set()
    assert rules(x.validate(PostPayload(text="gif+img", media=(gif, image())))) == {"x.media_count"}
    assert rules(x.validate(PostPayload(text="clip", media=(video(),)))) == {"x.media_kind"}
    assert rules(x.validate(PostPayload(text="no bytes", media=(replace(image(), data=None),)))) == {
        "x.media_data"
    }
    assert rules(x.validate(PostPayload(text=""))) == {"x.empty"}


def test_facebook_media_and_native_scheduling_window():
    # given
    fb = FacebookConnector(base_url="http://fb.invalid")
    now = datetime.now(UTC)

    # when / then
    assert rules(fb.validate(PostPayload(text="t", media=tuple(image(i) for i in range(11))))) == {
        "facebook.media_count"
    }
    assert rules(fb.validate(PostPayload(text="t", media=(image(size=4 * MB + 1),)))) == {
        "facebook.media_size"
    }
    assert rules(fb.validate(PostPayload(text="t", media=(video(size=1000),)))) == {"facebook.media_kind"}
    assert rules(fb.validate(PostPayload(text="t", link="https://k.example", media=(image(),)))) == {
        "facebook.link_with_media"
    }
    soon = PostPayload(text="t", options={"scheduled_at": now + timedelta(minutes=5)})
    later = PostPayload(text="t", options={"scheduled_at": (now + timedelta(hours=2)).isoformat()})
    far = PostPayload(text="t", options={"scheduled_at": now + timedelta(days=31)})
    assert rules(fb.validate(soon)) == {"facebook.scheduled_at"}
    assert fb.validate(later) == []
    assert rules(fb.validate(far)) == {"facebook.scheduled_at"}


def test_instagram_needs_reachable_jpeg_media_and_caps_carousels():
    # given
    ig = InstagramConnector(base_url="http://ig.invalid")

    # when / then
    assert rules(ig.validate(PostPayload(text="caption"))) == {"instagram.media_required"}
    assert rules(ig.validate(PostPayload(text="c", media=(replace(image(), url=""),)))) == {
        "instagram.media_url"
    }
    png = replace(image(), content_type="image/png", filename="p.png")
    assert rules(ig.validate(PostPayload(text="c", media=(png,)))) == {"instagram.image_format"}
    assert rules(ig.validate(PostPayload(text="c", media=(image(size=8 * MB + 1),)))) == {
        "instagram.media_size"
    }
    assert ig.validate(PostPayload(text="carousel", media=(image(1), video(2), image(3)))) == []
    eleven = tuple(image(i) for i in range(11))
    assert rules(ig.validate(PostPayload(text="c", media=eleven))) == {"instagram.media_count"}


def test_linkedin_tiktok_mastodon_media_rules():
    # given
    li = LinkedInConnector(base_url="http://li.invalid")
    tt = TikTokConnector(base_url="http://tt.invalid")
    md = MastodonConnector(base_url="http://md.invalid")

    # when / then
    assert rules(li.validate(PostPayload(text="t", media=(video(),)))) == {"linkedin.media_kind"}
    assert rules(li.validate(PostPayload(text="t", media=tuple(image(i) for i in range(21))))) == {
        "linkedin.media_count"
    }
    assert rules(tt.validate(PostPayload(text="words"))) == {"tiktok.media_required"}
    assert rules(tt.validate(PostPayload(text="t", media=(video(1), video(2))))) == {"tiktok.media_count"}
    assert rules(tt.validate(PostPayload(text="t", media=(video(size=5 * 1024 * MB),)))) == {
        "tiktok.media_size"
    }
    assert tt.validate(PostPayload(text="t", media=(replace(video(), data=None),))) == []  # pulled from url
    assert rules(md.validate(PostPayload(text="t", media=(video(), image())))) == {"mastodon.media_mixed"}
    assert rules(md.validate(PostPayload(text="t", media=tuple(image(i) for i in range(5))))) == {
        "mastodon.media_count"
    }
    assert rules(md.validate(PostPayload(text="t", media=(image(size=16 * MB + 1),)))) == {
        "mastodon.media_size"
    }


def test_mastodon_scheduled_at_must_be_five_minutes_ahead():
    # given
    md = MastodonConnector(base_url="http://md.invalid")
    now = datetime.now(UTC)

    # when / then
    assert rules(
        md.validate(PostPayload(text="t", options={"scheduled_at": now + timedelta(minutes=4)}))
    ) == {"mastodon.scheduled_at"}
    assert md.validate(PostPayload(text="t", options={"scheduled_at": now + timedelta(minutes=6)})) == []


def test_capabilities_declare_the_platform_rules():
    # given / when / then
    assert (
        XConnector.capabilities.text_unit == "weighted characters"
        and XConnector.capabilities.text_limit == 280
    )
    assert XConnector.capabilities.auth == "oauth2_pkce"
    assert InstagramConnector.capabilities.requires_media and InstagramConnector.capabilities.async_publish
    assert TikTokConnector.capabilities.requires_media and TikTokConnector.capabilities.async_publish
    assert MastodonConnector.capabilities.idempotency_key and MastodonConnector.capabilities.native_scheduling
    assert FacebookConnector.capabilities.native_scheduling and FacebookConnector.capabilities.first_comment
    assert LinkedInConnector.capabilities.text_limit == 3000
