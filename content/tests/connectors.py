"""Small connectors for the tests: real `Connector` subclasses with declared limits and a validate().

The compliance engine and media suitability are given these through their `connectors=` argument, the
same mapping shape as channels_app.connectors.registry.CONNECTORS, so the tests don't depend on which real
connectors exist yet.
"""

from __future__ import annotations

from channels_app.connectors.base import Capabilities, Connector, Finding, MediaLimits, PostPayload


class ShortTextConnector(Connector):
    """A platform with a 20-character limit, at most 2 images (1 MB each), no video, and JPEG only."""

    platform = "shorttext"
    display_name = "ShortText"
    capabilities = Capabilities(
        text_limit=20,
        media=MediaLimits(
            kinds=frozenset({"image"}), max_images=2, max_videos=0, max_image_bytes=1024 * 1024
        ),
    )
    received: list[PostPayload] = []

    def validate(self, payload: PostPayload) -> list[Finding]:
        type(self).received.append(payload)
        findings = []
        if len(payload.text) > 20:
            findings.append(
                Finding(
                    "shorttext.text_length",
                    f"ShortText allows 20 characters; this text has {len(payload.text)}.",
                    start=20,
                    end=len(payload.text),
                )
            )
        for item in payload.media:
            if item.data is None:
                findings.append(Finding("shorttext.media_data", f"{item.filename}: needs the file's bytes."))
            if item.content_type != "image/jpeg":
                findings.append(Finding("shorttext.image_format", f"{item.filename}: JPEG only."))
        if "#" in payload.text:
            findings.append(Finding("shorttext.hashtags", "Hashtags are not clickable here.", "warning"))
        return findings


class VideoConnector(Connector):
    """A video platform: one video up to 10 MB, images up to 2 MB, animated GIFs allowed."""

    platform = "videoland"
    display_name = "VideoLand"
    capabilities = Capabilities(
        text_limit=None,
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"image", "video", "gif"}),
            max_images=9,
            max_videos=1,
            max_image_bytes=2 * 1024 * 1024,
            max_video_bytes=10 * 1024 * 1024,
        ),
    )


class NotYetConnector(Connector):
    """A connector that can connect accounts but doesn't validate posts yet."""

    platform = "notyet"
    display_name = "NotYet"
    capabilities = Capabilities(text_limit=100)
