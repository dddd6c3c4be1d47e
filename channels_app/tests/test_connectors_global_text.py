"""Counting rules of the global connectors: X's weighted characters, Mastodon's links, TikTok's UTF-16,
Instagram's caption rules, LinkedIn's little-text escaping. Pure functions, no network."""

from __future__ import annotations

import pytest

from channels_app.connectors.base import Capabilities, MediaItem, PostPayload
from channels_app.connectors.facebook.connector import FacebookConnector
from channels_app.connectors.instagram.connector import InstagramConnector
from channels_app.connectors.linkedin.connector import escape_little_text, unescape_little_text
from channels_app.connectors.mastodon.connector import MastodonConnector, mastodon_length
from channels_app.connectors.tiktok.connector import TikTokConnector, utf16_length
from channels_app.connectors.x.connector import XConnector
from channels_app.connectors.x.text import weighted_length


def rules(findings) -> set[str]:
    return {f.rule for f in findings}


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("hello", 5),
        ("你好世界", 8),  # CJK weighs 2
        ("こんにちは", 10),
        ("한국어", 6),
        ("Ünïcödé", 7),  # Latin-1 and Latin Extended weigh 1
        ("“quoted” – dash", 15),  # general punctuation in the light ranges weighs 1
        ("👍", 2),
        ("👨‍👩‍👧‍👦", 2),  # a ZWJ family sequence is one emoji
        ("🇨🇳", 2),  # a flag (two regional indicators) is one emoji
        ("👍🏽", 2),  # skin tone modifier joins its emoji
        ("1️⃣", 2),  # keycap sequence
        ("e\u0301", 1),  # NFC-normalised to é
    ],
)
def test_x_weighted_length_per_script(text, weight):
    # given / when
    counted = weighted_length(text)

    # then
    assert counted == weight


def test_x_urls_weigh_23_whatever_their_length():
    # given
    short = "see https://t.co/a"
    long = "see https://example.com/" + "a" * 200 + "?utm_source=kawo"
    bare = "see kawo.example.com/path and more"

    # when / then
    assert weighted_length(short) == 4 + 23
    assert weighted_length(long) == 4 + 23
    assert weighted_length("go to example.com.") == 6 + 23 + 1  # the trailing full stop is not the URL's
    assert weighted_length(bare) == 4 + 23 + 9


def test_x_limit_is_280_weighted_not_280_characters():
    # given
    connector = XConnector(base_url="http://x.invalid")

    # when
    latin_ok = connector.validate(PostPayload(text="a" * 280))
    latin_over = connector.validate(PostPayload(text="a" * 281))
    cjk_ok = connector.validate(PostPayload(text="新" * 140))
    cjk_over = connector.validate(PostPayload(text="新" * 141))
    long_link = " https://kawo.cn/" + "p" * 300  # X links real TLDs only, not ".example"
    link_fits = connector.validate(PostPayload(text="a" * 256 + long_link))  # 256 + 1 + 23 = 280
    link_over = connector.validate(PostPayload(text="a" * 257 + long_link))  # 281

    # then
    assert latin_ok == [] and cjk_ok == []
    assert rules(latin_over) == {"x.weighted_length"}
    assert rules(cjk_over) == {"x.weighted_length"}
    assert "280" in cjk_over[0].message and "282" in cjk_over[0].message
    assert link_fits == []
    assert rules(link_over) == {"x.weighted_length"}


def test_mastodon_counts_links_as_23_and_mentions_without_domain():
    # given
    long_url = "https://kawo.example/" + "x" * 300

    # when / then
    assert mastodon_length(long_url) == 23
    assert mastodon_length("hi @brand@mastodon.social") == len("hi @brand")
    assert mastodon_length("👨‍👩‍👧‍👦") == 1  # graphemes
    connector = MastodonConnector(base_url="http://m.invalid")
    assert connector.validate(PostPayload(text="x" * 476 + " " + long_url)) == []  # 476 + 1 + 23 = 500
    assert rules(connector.validate(PostPayload(text="x" * 477 + " " + long_url))) == {"mastodon.text_length"}
    assert rules(connector.validate(PostPayload(text="x" * 501))) == {"mastodon.text_length"}
    assert connector.validate(PostPayload(text="x" * 600, options={"max_characters": 1000})) == []


def test_tiktok_counts_utf16_units():
    # given
    connector = TikTokConnector(base_url="http://t.invalid")

    # when / then
    assert utf16_length("abc") == 3
    assert utf16_length("😀") == 2  # outside the BMP: a surrogate pair
    assert "tiktok.caption_length" in rules(connector.validate(PostPayload(text="😀" * 1101)))
    assert "tiktok.caption_length" not in rules(connector.validate(PostPayload(text="😀" * 1100)))


def jpeg(n: int = 1, **kwargs) -> MediaItem:
    fields = {
        "kind": "image",
        "filename": f"p{n}.jpg",
        "content_type": "image/jpeg",
        "size": 1000,
        "url": f"https://cdn.kawo.example/{n}.jpg",
    }
    return MediaItem(**{**fields, **kwargs})


def test_instagram_caption_rules():
    # given
    connector = InstagramConnector(base_url="http://i.invalid")
    tags_30 = " ".join(f"#t{i}" for i in range(30))
    tags_31 = " ".join(f"#t{i}" for i in range(31))

    # when / then
    assert connector.validate(PostPayload(text=tags_30, media=(jpeg(),))) == []
    assert rules(connector.validate(PostPayload(text=tags_31, media=(jpeg(),)))) == {"instagram.hashtags"}
    assert rules(connector.validate(PostPayload(text="x" * 2201, media=(jpeg(),)))) == {
        "instagram.caption_length"
    }
    mentions = " ".join(f"@u{i}" for i in range(21))
    assert rules(connector.validate(PostPayload(text=mentions, media=(jpeg(),)))) == {"instagram.mentions"}


def test_linkedin_little_text_escaping_round_trips():
    # given
    text = "Hiring (Shanghai) #careers @KAWO [beta] <b> *bold* _it_ ~x~ {y} a|b back\\slash"

    # when
    escaped = escape_little_text(text)

    # then
    assert escaped.startswith("Hiring \\(Shanghai\\) \\#careers \\@KAWO")
    assert unescape_little_text(escaped) == text
    assert escape_little_text("plain words, 中文!") == "plain words, 中文!"


def test_first_comment_limits_where_the_platform_limits_comments_apart():
    # given / when / then: Facebook comments take 8,000 characters (posts 63,206), Instagram comments 2,200
    assert FacebookConnector.capabilities.first_comment_limit == 8000
    assert FacebookConnector.capabilities.text_limit == 63206
    assert FacebookConnector.capabilities.comment_limit == 8000
    assert InstagramConnector.capabilities.first_comment_limit == 2200
    assert InstagramConnector.capabilities.comment_limit == 2200
    # and where the first comment is a reply, a post of its own, it has the post's limit
    assert XConnector.capabilities.first_comment_limit is None
    assert XConnector.capabilities.comment_limit == 280
    assert MastodonConnector.capabilities.comment_limit == MastodonConnector.capabilities.text_limit == 500
    assert Capabilities(text_limit=None).comment_limit is None
