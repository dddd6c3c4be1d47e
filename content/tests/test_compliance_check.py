"""The compliance check: workspace banned words, disclosure, blocked links, connectors, and the output."""

import json

import pytest

from content.compliance import (
    BANNED_WORD,
    DISCLOSURE_MISSING,
    LINK_BLOCKED_IN_MAINLAND,
    PLATFORM_LIMITS_UNCHECKED,
    BannedWord,
    Severity,
    check,
    has_blocking,
)
from content.media_inspect import MediaInfo

from .connectors import NotYetConnector, ShortTextConnector, VideoConnector

NO_CONNECTORS: dict = {}


def spans(findings, rule):
    return [(f.start, f.end) for f in findings if f.rule == rule]


# --- banned words ---


def test_banned_word_latin_is_case_insensitive_and_whole_word():
    # given
    text = "Big SALE today! Wholesale prices, sale-ready."
    words = [BannedWord("sale", severity="warning", note="Say 'offer' instead.")]

    # when
    findings = check(text, platforms=[], banned_words=words, connectors=NO_CONNECTORS)

    # then: "SALE" and "sale" (before a hyphen) but not inside "Wholesale"
    assert spans(findings, BANNED_WORD) == [(4, 8), (34, 38)]
    assert all(f.severity == Severity.WARNING for f in findings)
    assert "Say 'offer' instead." in findings[0].message
    assert findings[0].params == {"word": "sale", "note": "Say 'offer' instead."}


def test_banned_word_cjk_is_a_substring_and_latin_next_to_cjk_is_a_whole_word():
    # given
    text = "买cheap货，cheaper不算，便宜货便宜"
    words = [BannedWord("cheap"), BannedWord("便宜")]

    # when
    findings = check(text, platforms=[], banned_words=words, connectors=NO_CONNECTORS)

    # then
    assert [(text[f.start : f.end], f.start) for f in findings if f.rule == BANNED_WORD] == [
        ("cheap", 1),
        ("便宜", 18),
        ("便宜", 21),
    ]
    assert all(f.severity == Severity.BLOCKING for f in findings if f.rule == BANNED_WORD)


def test_banned_phrase_with_digits_and_spaces():
    # given
    text = "双11 狂欢，双111 不是；limited   edition drop"
    words = [BannedWord("双11", severity="info"), BannedWord("Limited Edition")]

    # when
    findings = check(text, platforms=[], banned_words=words, connectors=NO_CONNECTORS)

    # then: "双11" not inside "双111"; any run of spaces matches a space
    assert [text[f.start : f.end] for f in findings if f.rule == BANNED_WORD] == ["双11", "limited   edition"]
    assert [f.severity for f in findings if f.rule == BANNED_WORD] == [Severity.INFO, Severity.BLOCKING]


def test_banned_words_accept_any_object_with_word_severity_note():
    # given: e.g. a model row
    class Row:
        word = "Competitor"
        severity = "warning"
        note = ""

    # when
    findings = check("We beat competitor X", platforms=[], banned_words=[Row()], connectors=NO_CONNECTORS)

    # then
    assert spans(findings, BANNED_WORD) == [(8, 18)]
    assert findings[0].message == "“Competitor” is on this workspace's banned-word list."


def test_banned_word_with_unknown_severity_is_refused():
    # given / when / then
    with pytest.raises(ValueError, match="unknown severity"):
        check("x", platforms=[], banned_words=[BannedWord("x", severity="fatal")], connectors=NO_CONNECTORS)


# --- disclosure ---


@pytest.mark.parametrize(
    "text", ["新品上市 #广告", "合作款，感谢赞助", "Loving it #ad", "Loving it #AD!", "#Sponsored by Brand"]
)
def test_paid_post_with_a_disclosure_passes(text):
    # given / when
    findings = check(text, platforms=["x"], is_paid_or_kol=True, connectors=NO_CONNECTORS)

    # then
    assert DISCLOSURE_MISSING not in [f.rule for f in findings]


@pytest.mark.parametrize("text", ["新品上市", "My new #adidas shoes", "Read our ad policy"])
def test_paid_post_without_a_disclosure_is_blocked(text):
    # given / when
    findings = check(text, platforms=["x"], is_paid_or_kol=True, connectors=NO_CONNECTORS)

    # then
    missing = [f for f in findings if f.rule == DISCLOSURE_MISSING]
    assert len(missing) == 1
    assert missing[0].severity == Severity.BLOCKING
    assert missing[0].span is None
    assert "#ad" in missing[0].message and "广告" in missing[0].message


def test_unpaid_post_needs_no_disclosure():
    # given / when
    findings = check("新品上市", platforms=["x"], connectors=NO_CONNECTORS)

    # then
    assert DISCLOSURE_MISSING not in [f.rule for f in findings]


def test_workspace_disclosure_markers_replace_the_defaults():
    # given
    markers = ["#partner"]

    # when
    with_default_marker = check(
        "Nice #ad", platforms=[], is_paid_or_kol=True, disclosure_markers=markers, connectors=NO_CONNECTORS
    )
    with_own_marker = check(
        "Nice #Partner",
        platforms=[],
        is_paid_or_kol=True,
        disclosure_markers=markers,
        connectors=NO_CONNECTORS,
    )

    # then
    assert [f.rule for f in with_default_marker] == [DISCLOSURE_MISSING]
    assert with_default_marker[0].params == {"markers": ["#partner"]}
    assert with_own_marker == []


# --- links blocked in mainland China ---


def test_blocked_link_is_blocking_once_per_chinese_platform_and_not_elsewhere():
    # given
    text = "完整视频见 https://www.youtube.com/watch?v=abc。快去看"

    # when
    findings = check(text, platforms=["weibo", "x", "douyin"], connectors=NO_CONNECTORS)

    # then: the URL stops at the Chinese full stop
    links = [f for f in findings if f.rule == LINK_BLOCKED_IN_MAINLAND]
    assert [(f.platform, f.start, f.end) for f in links] == [("douyin", 6, 41), ("weibo", 6, 41)]
    assert text[6:41] == "https://www.youtube.com/watch?v=abc"
    assert all(f.severity == Severity.BLOCKING for f in links)
    assert "youtube.com" in links[0].message and "Douyin" in links[0].message
    assert links[0].params == {"domain": "youtube.com", "url": "https://www.youtube.com/watch?v=abc"}


def test_blocked_links_are_not_checked_for_global_platforms():
    # given / when
    findings = check("See https://youtube.com/x", platforms=["x", "instagram"], connectors=NO_CONNECTORS)

    # then
    assert LINK_BLOCKED_IN_MAINLAND not in [f.rule for f in findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Follow us: instagram.com/brand, thanks", [(11, 30)]),
        ("Maps: https://maps.google.com/?q=1).", [(6, 34)]),
        ("Bare youtu.be/xyz and t.co/abc", [(5, 17), (22, 30)]),
        ("HTTPS://WWW.FACEBOOK.COM/page", [(0, 29)]),
        ("看x.com上的帖子", [(1, 6)]),
    ],
)
def test_blocked_link_forms(text, expected):
    # given / when
    findings = check(text, platforms=["wechat_oa"], connectors=NO_CONNECTORS)

    # then
    assert spans(findings, LINK_BLOCKED_IN_MAINLAND) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://notgoogle.com/x",
        "https://www.bilibili.com/video/1",
        "mail me: someone@gmail.com",
        "https://google.com.evil.example/",
        "box.com and inbox.com",
    ],
)
def test_allowed_links(text):
    # given / when
    findings = check(text, platforms=["weibo"], connectors=NO_CONNECTORS)

    # then
    assert LINK_BLOCKED_IN_MAINLAND not in [f.rule for f in findings]


def test_the_posts_link_field_is_checked_without_a_span():
    # given / when
    findings = check(
        "新品", platforms=["xiaohongshu"], link="https://x.com/brand/1", connectors=NO_CONNECTORS
    )

    # then
    links = [f for f in findings if f.rule == LINK_BLOCKED_IN_MAINLAND]
    assert [(f.platform, f.span) for f in links] == [("xiaohongshu", None)]


def test_workspace_blocked_domains_replace_the_defaults():
    # given
    text = "https://youtube.com/a https://partner.example.com/b"

    # when
    findings = check(text, platforms=["bilibili"], blocked_domains=["example.com"], connectors=NO_CONNECTORS)

    # then
    assert [text[f.start : f.end] for f in findings if f.rule == LINK_BLOCKED_IN_MAINLAND] == [
        "https://partner.example.com/b"
    ]


# --- platform limits through connectors ---


def test_connector_findings_become_compliance_findings_for_their_platform():
    # given
    text = "A text that is longer than twenty #characters"
    connectors = {"shorttext": ShortTextConnector}

    # when
    findings = check(text, platforms=["shorttext"], connectors=connectors)

    # then: errors block, warnings warn, the connector's span is kept
    by_rule = {f.rule: f for f in findings}
    assert by_rule["shorttext.text_length"].severity == Severity.BLOCKING
    assert by_rule["shorttext.text_length"].span == (20, len(text))
    assert by_rule["shorttext.text_length"].platform == "shorttext"
    assert "20 characters" in by_rule["shorttext.text_length"].message
    assert by_rule["shorttext.hashtags"].severity == Severity.WARNING


def test_connectors_receive_the_text_link_and_media():
    # given
    ShortTextConnector.received = []
    media = [
        MediaInfo("image", "image/png", 2048, 10, 10, filename="a.png", url="https://cdn.example/a.png"),
    ]

    # when
    findings = check(
        "Hi",
        platforms=["shorttext"],
        media=media,
        link="https://example.com",
        connectors={"shorttext": ShortTextConnector},
    )

    # then: not "shorttext.media_data": the bytes are in storage until the publish step loads them
    assert [f.rule for f in findings] == ["shorttext.image_format"]
    (payload,) = ShortTextConnector.received
    assert payload.text == "Hi"
    assert payload.link == "https://example.com"
    (item,) = payload.media
    assert (item.kind, item.content_type, item.size, item.filename, item.url) == (
        "image",
        "image/png",
        2048,
        "a.png",
        "https://cdn.example/a.png",
    )


def test_platforms_without_a_validating_connector_are_reported_as_unchecked():
    # given
    connectors = {"notyet": NotYetConnector, "shorttext": ShortTextConnector}

    # when
    findings = check("Hi", platforms=["notyet", "weibo", "shorttext"], connectors=connectors)

    # then
    unchecked = [f for f in findings if f.rule == PLATFORM_LIMITS_UNCHECKED]
    assert [(f.platform, f.severity) for f in unchecked] == [
        ("notyet", Severity.INFO),
        ("weibo", Severity.INFO),
    ]
    assert not has_blocking(findings)


def test_the_default_registry_is_used_when_no_connectors_are_given():
    # given: a platform no connector will ever be registered for
    # when
    findings = check("Hi", platforms=["myspace"])

    # then
    assert [(f.rule, f.platform) for f in findings] == [(PLATFORM_LIMITS_UNCHECKED, "myspace")]


# --- the result as a whole ---


def test_findings_are_sorted_by_span_then_spanless_by_severity_and_serialise_to_json():
    # given
    text = "🎉 最佳 offer: https://youtube.com/v cheap 广告"
    words = [BannedWord("cheap", severity="warning"), BannedWord("offer", severity="info")]

    # when
    findings = check(
        text,
        platforms=["weibo", "notyet"],
        banned_words=words,
        is_paid_or_kol=True,
        disclosure_markers=["#ad"],
        connectors={"notyet": NotYetConnector},
    )

    # then
    assert [(f.rule, f.start, f.platform) for f in findings] == [
        ("adlaw.absolute_claim", 2, None),
        ("banned_word", 5, None),
        ("link.blocked_in_mainland", 12, "weibo"),
        ("banned_word", 34, None),
        ("disclosure.missing", None, None),
        ("platform.limits_unchecked", None, "notyet"),
        ("platform.limits_unchecked", None, "weibo"),
    ]
    as_json = json.loads(json.dumps([f.to_dict() for f in findings]))
    assert as_json[0] == {
        "rule": "adlaw.absolute_claim",
        "severity": "blocking",
        "message": (
            "“最佳” is an absolute claim, which China's Advertising Law (art. 9(3)) forbids in advertising."
        ),
        "start": 2,
        "end": 4,
        "start_utf16": 3,
        "end_utf16": 5,
        "platform": None,
        "field": "text",
        "params": {"term": "最佳"},
    }
    assert as_json[4]["start"] is None and as_json[4]["start_utf16"] is None
    assert has_blocking(findings)


def test_clean_text_has_no_findings():
    # given / when
    findings = check(
        "今天天气很好，最近一起去散步吧 🌞", platforms=["weibo"], connectors={"weibo": VideoConnector}
    )

    # then: VideoConnector has no validate(): only the unchecked note
    assert [f.rule for f in findings] == [PLATFORM_LIMITS_UNCHECKED]
    assert not has_blocking(findings)


# --- with the real connectors of the registry ---


def test_real_connectors_report_their_own_limits():
    # given: 300 Chinese characters, over Weibo's and X's limits
    text = "今天天气很好" * 50

    # when
    findings = check(text, platforms=["weibo", "x"])

    # then
    blocking_platforms = {f.platform for f in findings if f.blocking}
    assert blocking_platforms == {"weibo", "x"}
    assert all(f.rule.startswith(f"{f.platform}.") for f in findings)


def test_real_connectors_accept_a_short_post_with_a_small_photo():
    # given: the photo's bytes are in storage, not in the check
    photo = MediaInfo(
        "image", "image/jpeg", 200_000, 1080, 1080, frames=1, filename="p.jpg", url="https://cdn/p.jpg"
    )

    # when
    findings = check("新品上市", platforms=["x", "facebook"], media=[photo])

    # then
    assert findings == []


def test_every_media_attribute_a_connector_rule_may_read_reaches_it():
    # given: a MediaInfo with a distinct value in every field a MediaItem can take from it
    import dataclasses

    from channels_app.connectors.base import MediaItem
    from content.compliance.platforms import MEDIA_ITEM_NOT_FROM_INFO, to_media_item

    info = MediaInfo(
        "image",
        "image/png",
        2048,
        10,
        10,
        filename="a.png",
        url="https://cdn.example/a.png",
        alt_text="A cup",
    )
    # when
    item = to_media_item(info)
    # then: each MediaItem field is carried (not left at its default) or listed with its reason
    defaults = MediaItem(kind="", filename="", content_type="", size=0)
    for field in dataclasses.fields(MediaItem):
        if field.name in MEDIA_ITEM_NOT_FROM_INFO:
            continue
        assert getattr(item, field.name) != getattr(defaults, field.name), (
            f"MediaItem.{field.name} not carried"
        )


@pytest.mark.django_db
def test_a_bluesky_image_with_alt_text_is_not_warned_and_one_without_is():
    from content.tests.factories import MediaAssetFactory

    photo = MediaAssetFactory(
        kind="image", mime="image/jpeg", width=800, height=600, alt_text="A cup of oolong"
    )
    bare = MediaAssetFactory(kind="image", mime="image/jpeg", width=800, height=600, alt_text="")
    with_alt = check("Spring tea", platforms=["bluesky"], media=[photo.info()])
    without = check("Spring tea", platforms=["bluesky"], media=[bare.info()])
    assert "bluesky.alt_text" not in [f.rule for f in with_alt]
    assert "bluesky.alt_text" in [f.rule for f in without]
