"""Xiaohongshu (RED): no server-side publish API for brands, so publishing is assisted: at the due time the
responsible person gets the ready title, text and media, posts them in the app, and confirms with the
live URL. The connector makes no platform calls; it only checks RED's rules before that hand-off:
title at most 20 characters (the variant's own `options["title"]` where the post's is longer), body at
most 1000 with the topics (`options["topics"]`, added after the text as #话题), and either 1-18 images
(the first is the cover) or exactly one video.
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
from ..options import tags_option, title_option

TITLE_LIMIT = 20
TOPIC_LIMIT = 10  # (y) topics a note carries
TOPIC_LENGTH = 20  # (y)


class XiaohongshuConnector(MetricsNotOffered, Connector):
    platform = "xiaohongshu"
    display_name = "Xiaohongshu"
    post_options = (
        title_option(TITLE_LIMIT, gettext_lazy("Note title")),
        tags_option(
            "topics",
            gettext_lazy("Topics"),
            max_items=TOPIC_LIMIT,
            max_length=TOPIC_LENGTH,
            help_text=gettext_lazy("#话题 added after the text, as RED shows them."),
        ),
    )
    capabilities = Capabilities(
        text_limit=1000,
        requires_media=True,
        media=MediaLimits(
            kinds=frozenset({"image", "video"}),
            max_images=18,
            max_videos=1,
            max_image_bytes=20 * 1024 * 1024,
            max_video_bytes=20 * 1024 * 1024 * 1024,
            mixed=False,
        ),
        server_side_publish=False,
        auth="assisted",
    )

    def validate(self, payload: PostPayload) -> list[Finding]:
        findings = standard_findings(self, payload)
        topics = " ".join(f"#{t}" for t in payload.options.get("topics") or [])
        with_topics = len(payload.text) + (len(topics) + 2 if topics else 0)
        if topics and len(payload.text) <= self.capabilities.text_limit < with_topics:
            # The topics go after the text in the note (the hand-off copies them so): they count.
            findings.append(
                Finding(
                    "xiaohongshu.text_with_topics",
                    _("With its topics the text is %(used)s characters; Xiaohongshu allows %(limit)s.")
                    % {"used": with_topics, "limit": self.capabilities.text_limit},
                )
            )
        if len(payload.title) > TITLE_LIMIT:
            findings.append(
                Finding(
                    "xiaohongshu.title_length",
                    _("The title is %(used)s characters; Xiaohongshu allows at most %(limit)s.")
                    % {"used": len(payload.title), "limit": TITLE_LIMIT},
                )
            )
        return findings

    # metrics: not offered (MetricsNotOffered)
    NO_METRICS_API = (
        "Xiaohongshu offers brands no server-side API for their own accounts' and notes' figures "
        "(its open platform serves e-commerce; ads and KOL data live in 聚光 and 蒲公英)"
    )
