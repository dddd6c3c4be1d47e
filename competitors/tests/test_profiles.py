"""A rival named by its profile address: each platform's URL gives its platform and handle, and an
address of a platform we cannot track is never mistaken for a Mastodon account."""

from __future__ import annotations

import pytest

from competitors.profiles import ProfileRef, profile_parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://x.com/lumiere", ProfileRef("x", "lumiere")),
        ("https://bsky.app/profile/lumiere.bsky.social", ProfileRef("bluesky", "lumiere.bsky.social")),
        ("https://weibo.com/u/5623001", ProfileRef("weibo", "5623001")),
        ("https://www.douyin.com/user/MS4wLjAB", ProfileRef("douyin", "MS4wLjAB")),
        ("https://space.bilibili.com/1234567", ProfileRef("bilibili", "1234567")),
        ("https://space.bilibili.com/1234567/", ProfileRef("bilibili", "1234567")),
        ("https://www.instagram.com/lumiere.paris/", ProfileRef("instagram", "lumiere.paris")),
        ("https://www.youtube.com/@LumiereBeauty", ProfileRef("youtube", "@LumiereBeauty")),
        ("https://www.youtube.com/channel/UC1234567890abcdef", ProfileRef("youtube", "UC1234567890abcdef")),
        ("https://mastodon.social/@lumiere", ProfileRef("mastodon", "lumiere@mastodon.social")),
        ("https://www.tiktok.com/@lumiere", ProfileRef("tiktok", "lumiere")),
        ("https://www.linkedin.com/company/lumiere", ProfileRef("linkedin", "lumiere")),
    ],
)
def test_each_platform_address_names_its_platform_and_handle(text, expected):
    assert profile_parse(text) == expected


@pytest.mark.parametrize(
    "text", ["https://www.tiktok.com/@lumiere", "https://www.youtube.com/@LumiereBeauty"]
)
def test_an_at_path_on_a_known_host_is_not_a_mastodon_account(text):
    assert profile_parse(text, "mastodon") is None


def test_a_bilibili_address_that_is_not_a_space_page_names_nothing():
    assert profile_parse("https://space.bilibili.com/video/BV1xx") is None
