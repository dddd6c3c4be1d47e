"""Per-platform validation rules of the Chinese platforms: counting units, media counts and kinds, titles.

Pure unit tests: validate() and count_text() make no platform calls.
"""

from __future__ import annotations

import pytest

from channels_app.connectors.base import MediaItem, PostPayload
from channels_app.connectors.registry import CONNECTORS, connector_for
from channels_app.connectors.weibo.connector import weibo_length

LINK = " https://kawo.example/x"


def image(name: str = "a.png", size: int = 1000) -> MediaItem:
    return MediaItem(kind="image", filename=name, content_type="image/png", size=size, data=b"x")


def video(name: str = "v.mp4", size: int = 1000) -> MediaItem:
    return MediaItem(kind="video", filename=name, content_type="video/mp4", size=size, data=b"x")


def rules(platform: str, payload: PostPayload) -> set[str]:
    return {f.rule for f in connector_for(platform).validate(payload) if f.severity == "error"}


def findings(platform: str, payload: PostPayload):
    return {f.rule: f for f in connector_for(platform).validate(payload)}


# --- Weibo: a Chinese character counts 1, two ASCII characters count 1 (rounded up) ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("微博", 2),
        ("ab", 1),
        ("abc", 2),
        ("你好a", 3),
        ("你好ab", 3),
        ("新品！", 3),  # full-width punctuation is a Chinese-width character
        ("a" * 280, 140),
    ],
)
def test_weibo_counts_chinese_as_one_and_ascii_as_half(text, expected):
    # when
    counted = connector_for("weibo").count_text(text)

    # then
    assert counted == expected == weibo_length(text)


def test_weibo_140_chinese_characters_pass_and_141_fail():
    # given
    link = " https://kawo.example/p"  # 23 ASCII characters count 12
    ok = PostPayload(text="好" * (140 - 12) + link)
    too_long = PostPayload(text="好" * (141 - 12) + link)

    # when / then
    assert "weibo.text_length" not in rules("weibo", ok)
    found = findings("weibo", too_long)
    assert "weibo.text_length" in found
    assert "140" in found["weibo.text_length"].message and "141" in found["weibo.text_length"].message


def test_weibo_280_ascii_characters_fit_where_280_chinese_do_not():
    # given
    ascii_text = PostPayload(text=("a" * (280 - 23)) + LINK)
    chinese_text = PostPayload(text=("好" * 140) + LINK)

    # then
    assert "weibo.text_length" not in rules("weibo", ascii_text)
    assert "weibo.text_length" in rules("weibo", chinese_text)


def test_weibo_needs_a_link_in_the_safe_domain(settings):
    # given
    settings.PLATFORMS = {
        **settings.PLATFORMS,
        "weibo": {**settings.PLATFORMS["weibo"], "safe_domain": "kawo.example"},
    }

    # then
    assert "weibo.safe_domain_url" in rules("weibo", PostPayload(text="没有链接"))
    assert "weibo.safe_domain_url" in rules("weibo", PostPayload(text="别处 https://other.example/a"))
    assert "weibo.safe_domain_url" not in rules("weibo", PostPayload(text="我们的" + LINK))
    assert "weibo.safe_domain_url" not in rules(
        "weibo", PostPayload(text="链接单独给", link="https://kawo.example/l")
    )


def test_weibo_takes_one_image_under_5_mb_and_no_video():
    # given
    two = PostPayload(text="两张" + LINK, media=(image("a.png"), image("b.png")))
    big = PostPayload(text="大图" + LINK, media=(image(size=5 * 1024 * 1024 + 1),))
    clip = PostPayload(text="视频" + LINK, media=(video(),))

    # then
    assert "weibo.image_count" in rules("weibo", two)
    assert "weibo.image_size" in rules("weibo", big)
    assert "weibo.media_kind" in rules("weibo", clip)
    assert rules("weibo", PostPayload(text="一张" + LINK, media=(image(),))) == set()


# --- media required, kinds and counts per platform ---


@pytest.mark.parametrize("platform", ["douyin", "kuaishou", "xiaohongshu", "wechat_channels", "wechat_oa"])
def test_platforms_that_need_media_say_so(platform):
    # when
    found = findings(platform, PostPayload(text="只有文字", title="标题"))

    # then
    assert f"{platform}.media_required" in found
    assert found[f"{platform}.media_required"].severity == "error"


@pytest.mark.parametrize(
    ("platform", "payload", "rule"),
    [
        (
            "douyin",
            PostPayload(text="两段视频", media=(video("a.mp4"), video("b.mp4"))),
            "douyin.video_count",
        ),
        ("douyin", PostPayload(text="图加视频", media=(image(), video())), "douyin.media_mixed"),
        (
            "douyin",
            PostPayload(text="36张", media=tuple(image(f"{i}.png") for i in range(36))),
            "douyin.image_count",
        ),
        ("kuaishou", PostPayload(text="图片", media=(image(),)), "kuaishou.media_kind"),
        (
            "kuaishou",
            PostPayload(text="大视频", media=(video(size=4 * 1024**3 + 1),)),
            "kuaishou.video_size",
        ),
        (
            "wechat_oa",  # a cover and at most 20 images in the body
            PostPayload(title="t", text="b", media=tuple(image(f"{i}.png") for i in range(22))),
            "wechat_oa.image_count",
        ),
        ("wechat_oa", PostPayload(title="t", text="b", media=(video(),)), "wechat_oa.media_kind"),
        (
            "bilibili",
            PostPayload(title="t", text="b", media=(video("a.mp4"), video("b.mp4"))),
            "bilibili.video_count",
        ),
        (
            "bilibili",
            PostPayload(title="t", text="b", media=(video(), image("a.png"), image("b.png"))),
            "bilibili.image_count",
        ),
        (
            "wechat_channels",
            PostPayload(text="十张", media=tuple(image(f"{i}.png") for i in range(10))),
            "wechat_channels.image_count",
        ),
    ],
)
def test_media_counts_and_kinds(platform, payload, rule):
    # when
    found = findings(platform, payload)

    # then
    assert rule in found
    assert any(ch.isdigit() for ch in found[rule].message) or "does not" in found[rule].message


def test_douyin_accepts_a_video_or_up_to_35_images():
    assert rules("douyin", PostPayload(text="视频", media=(video(),))) == set()
    assert (
        rules("douyin", PostPayload(text="图文", media=tuple(image(f"{i}.png") for i in range(35)))) == set()
    )


# --- Xiaohongshu (assisted): title <= 20, body <= 1000, 1-18 images or one video ---


def test_xiaohongshu_title_and_body_limits():
    # given
    ok = PostPayload(title="标" * 20, text="文" * 1000, media=(image(),))
    bad = PostPayload(title="标" * 21, text="文" * 1001, media=(image(),))

    # when
    found = findings("xiaohongshu", bad)

    # then
    assert rules("xiaohongshu", ok) == set()
    assert "20" in found["xiaohongshu.title_length"].message
    assert "1000" in found["xiaohongshu.text_length"].message


def test_xiaohongshu_takes_1_to_18_images_or_one_video_not_both():
    assert (
        rules("xiaohongshu", PostPayload(text="图", media=tuple(image(f"{i}.png") for i in range(18))))
        == set()
    )
    assert "xiaohongshu.image_count" in rules(
        "xiaohongshu", PostPayload(text="图", media=tuple(image(f"{i}.png") for i in range(19)))
    )
    assert rules("xiaohongshu", PostPayload(text="视频", media=(video(),))) == set()
    assert "xiaohongshu.video_count" in rules(
        "xiaohongshu", PostPayload(text="视频", media=(video("a"), video("b")))
    )
    assert "xiaohongshu.media_mixed" in rules(
        "xiaohongshu", PostPayload(text="混合", media=(image(), video()))
    )


def test_assisted_platforms_do_not_publish_server_side():
    # then
    for platform in ("xiaohongshu", "wechat_channels"):
        caps = CONNECTORS[platform].capabilities
        assert (caps.server_side_publish, caps.auth) == (False, "assisted")


# --- titles ---


@pytest.mark.parametrize(
    ("platform", "payload", "rule"),
    [
        ("wechat_oa", PostPayload(title="", text="正文", media=(image(),)), "wechat_oa.title_required"),
        ("wechat_oa", PostPayload(title="长" * 65, text="正文", media=(image(),)), "wechat_oa.title_length"),
        ("bilibili", PostPayload(title="", text="正文"), "bilibili.title_required"),
        ("bilibili", PostPayload(title="长" * 41, text="专栏正文"), "bilibili.title_length"),
        ("bilibili", PostPayload(title="视频", text="简" * 2001, media=(video(),)), "bilibili.text_length"),
        (
            "wechat_channels",
            PostPayload(title="长" * 17, text="描述", media=(video(),)),
            "wechat_channels.title_length",
        ),
    ],
)
def test_title_rules(platform, payload, rule):
    assert rule in rules(platform, payload)


def test_bilibili_video_titles_may_be_longer_than_article_titles():
    # given
    title = "长" * 60

    # then
    assert "bilibili.title_length" not in rules(
        "bilibili", PostPayload(title=title, text="简介", media=(video(),))
    )
    assert "bilibili.title_length" in rules("bilibili", PostPayload(title=title, text="专栏正文"))


def test_every_finding_names_its_platform_rule():
    # given
    payload = PostPayload(title="长" * 100, text="文" * 30000, media=tuple(video(f"{i}") for i in range(3)))

    # when
    everything = [
        (platform, f)
        for platform in (
            "weibo",
            "wechat_oa",
            "douyin",
            "bilibili",
            "kuaishou",
            "xiaohongshu",
            "wechat_channels",
        )
        for f in connector_for(platform).validate(payload)
    ]

    # then
    assert everything
    assert all(f.rule.startswith(f"{platform}.") and f.message for platform, f in everything)
