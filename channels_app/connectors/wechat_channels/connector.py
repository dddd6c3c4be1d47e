"""WeChat Channels (视频号): no publish API for third parties (only ads-side and shop APIs), so publishing
is assisted: the responsible person posts the ready content from the WeChat app and confirms with the
live URL. The connector makes no platform calls; it checks the rules before the hand-off: one video or
up to 9 images (y), a description of at most 1000 characters (y) and a short title of at most 16 (y).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..base import (
    Capabilities,
    Connector,
    Finding,
    MediaLimits,
    MetricsNotOffered,
    PostPayload,
    standard_findings,
)
from ..options import cover_frame_option, cover_image_option, title_option

SHORT_TITLE_LIMIT = 16


class WeChatChannelsConnector(MetricsNotOffered, Connector):
    platform = "wechat_channels"
    display_name = "WeChat Channels"
    post_options = (
        title_option(SHORT_TITLE_LIMIT, gettext_lazy("Short title")),
        cover_frame_option(),
        cover_image_option(gettext_lazy("Shown on the hand-off page to set as the cover in WeChat.")),
    )
    capabilities = Capabilities(
        text_limit=1000,
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"image", "video"}),
            max_images=9,
            max_videos=1,
            max_image_bytes=20 * 1024 * 1024,
            max_video_bytes=4 * 1024 * 1024 * 1024,
            mixed=False,
        ),
        server_side_publish=False,
        auth="assisted",
    )

    def validate(self, payload: PostPayload) -> list[Finding]:
        findings = standard_findings(self, payload)
        if len(payload.title) > SHORT_TITLE_LIMIT:
            findings.append(
                Finding(
                    "wechat_channels.title_length",
                    _("The short title is %(used)s characters; WeChat Channels allows at most %(limit)s.")
                    % {"used": len(payload.title), "limit": SHORT_TITLE_LIMIT},
                )
            )
        return findings

    # metrics: not offered (MetricsNotOffered)
    NO_METRICS_API = (
        "WeChat Channels (视频号) offers no server-side API for an account's or a video's figures "
        "to a brand's tools"
    )
