"""Issue 13: a variant's video settings reach the platform call, through the connectors and the simulator:
Douyin's create_video gets the cover frame (`cover_tsp`, seconds) and the variant's title first in its
`text`; Kuaishou's photo/publish gets the cover image (the library file `options["cover"]` names, which
the payload carries) and the title first in its caption. Built from the stored variant by
content.payload.target_payload, as the publish step builds it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from channels_app.connectors.base import Credentials
from channels_app.connectors.registry import connector_for
from content.models import MediaAsset, PostTargetMedia
from content.payload import target_payload
from content.tests.factories import PostFactory, PostTargetFactory
from content.tests.pages_kit import brand_with_accounts

pytestmark = pytest.mark.django_db

VIDEO = (
    Path(__file__).resolve().parents[2] / "content" / "tests" / "media" / "real_h264_aac.mp4"
).read_bytes()
JPEG_BYTES = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def creds(account, **extra) -> Credentials:
    return Credentials(access_token=account.access_token, refresh_token=account.refresh_token, extra=extra)


def asset(workspace, kind, data, name):
    media = MediaAsset(
        workspace=workspace,
        kind=kind,
        mime="video/mp4" if kind == "video" else "image/jpeg",
        size=len(data),
        original_name=name,
        checksum=hashlib.sha256(data).hexdigest(),
        duration_seconds=0.5 if kind == "video" else None,
    )
    media.file.save(name, ContentFile(data), save=False)
    media.save()
    return media


def variant(platform, *, options, cover_data=None):
    workspace, accounts = brand_with_accounts(platform)
    video = asset(workspace, "video", VIDEO, "tea.mp4")
    cover = asset(workspace, "image", cover_data, "cover.jpg") if cover_data else None
    if cover is not None:
        options = {**options, "cover": cover.pk}
    target = PostTargetFactory(
        post=PostFactory(workspace=workspace, title="The post's title"),
        account=accounts[platform],
        text="春天的第一杯茶",
        options=options,
    )
    PostTargetMedia.objects.create(target=target, media=video, position=0)
    return target


def test_douyin_create_video_gets_the_cover_frame_and_the_variants_title(platform_sim):
    # given: a Douyin variant with its own title and the frame at 0.3 s
    target = variant("douyin", options={"title": "春茶开箱", "cover_tsp": 0.3})
    account = platform_sim.create_account("douyin")
    # when
    result = connector_for("douyin").publish(
        creds(account, open_id=account.external_id), target_payload(target, with_data=True)
    )
    # then: the simulator stored the frame and the text the way create_video received them
    (post,) = platform_sim.posts("douyin", account.external_id)
    assert post["id"] == result.external_id
    assert post["extra"]["cover_tsp"] == 0.3
    assert post["text"] == "春茶开箱\n春天的第一杯茶"


def test_douyin_without_settings_sends_neither(platform_sim):
    target = variant("douyin", options={})
    account = platform_sim.create_account("douyin")
    connector_for("douyin").publish(
        creds(account, open_id=account.external_id), target_payload(target, with_data=True)
    )
    (post,) = platform_sim.posts("douyin", account.external_id)
    assert post["extra"]["cover_tsp"] is None
    assert post["text"] == "春天的第一杯茶"  # the post's title is for other platforms


def test_kuaishou_publish_gets_the_cover_image_and_the_title(platform_sim):
    # given: a Kuaishou variant whose cover is a library image (the chosen frame, saved)
    target = variant("kuaishou", options={"title": "春茶", "cover_tsp": 0.2}, cover_data=JPEG_BYTES)
    account = platform_sim.create_account("kuaishou")
    payload = target_payload(target, with_data=True)
    assert payload.option_media["cover"].data == JPEG_BYTES
    # when
    connector_for("kuaishou").publish(creds(account), payload)
    # then: the video and the cover image were stored with the post, the caption starts with the title
    (post,) = platform_sim.posts("kuaishou", account.external_id)
    assert len(post["media_ids"]) == 2
    assert post["text"] == "春茶\n春天的第一杯茶"
    video, cover = post["media"]
    assert video["kind"] == "video"
    assert cover["kind"] == "image" and cover["sha256"] == hashlib.sha256(JPEG_BYTES).hexdigest()


def test_kuaishou_without_a_cover_sends_the_video_alone(platform_sim):
    target = variant("kuaishou", options={})
    account = platform_sim.create_account("kuaishou")
    connector_for("kuaishou").publish(creds(account), target_payload(target, with_data=True))
    (post,) = platform_sim.posts("kuaishou", account.external_id)
    assert len(post["media_ids"]) == 1
