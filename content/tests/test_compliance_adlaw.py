"""Absolute claims (China's Advertising Law art. 9(3)): what counts, what doesn't, and exact spans."""

import pytest

from content.compliance import ADLAW_ABSOLUTE_CLAIM, Severity, check


def claims(text: str) -> list[tuple[str, int, int]]:
    findings = check(text, platforms=[], connectors={})
    return [(text[f.start : f.end], f.start, f.end) for f in findings if f.rule == ADLAW_ABSOLUTE_CLAIM]


def test_listed_terms_are_blocking_with_exact_spans():
    # given
    text = "国家级品质，顶级工艺，最佳选择"

    # when
    findings = check(text, platforms=["x"], connectors={})

    # then
    adlaw = [f for f in findings if f.rule == ADLAW_ABSOLUTE_CLAIM]
    assert [(f.start, f.end) for f in adlaw] == [(0, 3), (6, 8), (11, 13)]
    assert all(f.severity == Severity.BLOCKING for f in adlaw)
    assert all(f.platform is None for f in adlaw)
    assert "最佳" in adlaw[2].message
    assert "9(3)" in adlaw[2].message
    assert adlaw[2].params == {"term": "最佳"}


def test_longest_term_wins_so_one_claim_is_one_finding():
    # given / when / then: 全网第一 is one claim, not also 第一 inside it
    assert claims("全网第一的咖啡") == [("全网第一", 0, 4)]
    assert claims("全网销量第一") == [("全网销量第一", 0, 6)]


@pytest.mark.parametrize(
    "text",
    [
        "最近天气很好",
        "最后一天了",
        "最终我们到了",
        "最初的梦想",
        "最多三件",
        "第一次来上海",
        "第一天上班",
        "第一时间通知你",
        "绝对值是三",
        "你最好是早点来",
    ],
)
def test_everyday_words_are_not_claims(text):
    # given / when / then
    assert claims(text) == []


def test_a_lone_superlative_is_reported_with_the_word_it_qualifies():
    # given
    text = "这是最香的咖啡"

    # when / then
    assert claims(text) == [("最香", 2, 4)]


def test_a_superlative_at_the_end_is_reported_alone():
    # given / when / then
    assert claims("我们是最!") == [("最", 3, 4)]


def test_allowed_word_and_claim_side_by_side():
    # given: 最近 is fine, 最好 right after is a claim
    text = "最近最好的新品"

    # when / then
    assert claims(text) == [("最好", 2, 4)]


def test_spans_are_exact_in_mixed_chinese_english_and_emoji():
    # given: emoji outside the BMP (one Python character, two UTF-16 units) before the claims
    text = "New 🎉🎉 launch! 我们的唯一选择 is the 顶级 one 👍 第一"

    # when
    findings = [f for f in check(text, platforms=[], connectors={}) if f.rule == ADLAW_ABSOLUTE_CLAIM]

    # then
    assert [(text[f.start : f.end]) for f in findings] == ["唯一", "顶级", "第一"]
    assert [(f.start, f.end) for f in findings] == [(18, 20), (30, 32), (39, 41)]
    assert [(f.start_utf16, f.end_utf16) for f in findings] == [(20, 22), (32, 34), (42, 44)]
    assert text.encode("utf-16-le")[2 * 42 : 2 * 44].decode("utf-16-le") == "第一"


def test_zero_width_characters_do_not_hide_a_claim_and_the_span_covers_them():
    # given
    text = "买它！最\u200b佳"

    # when / then
    assert claims(text) == [("最\u200b佳", 3, 6)]


def test_full_width_forms_are_read_as_their_ascii_equivalents():
    # given
    text = "口碑ＮＯ．１，１００％好评"

    # when
    found = claims(text)

    # then
    assert ("ＮＯ．１", 2, 6) in found
    assert ("１００％", 7, 11) in found


@pytest.mark.parametrize("latin", ["100%", "100 %", "No.1", "NO. 1", "top1", "TOP 1"])
def test_latin_claims_count_in_chinese_text(latin):
    # given
    text = f"销量{latin}的面霜"

    # when / then
    assert claims(text) == [(latin, 2, 2 + len(latin))]


@pytest.mark.parametrize("text", ["100% cotton, made to last", "Our No.1 fan", "Top 1 of the week"])
def test_latin_claims_are_not_reported_in_text_without_chinese(text):
    # given / when / then
    assert claims(text) == []


@pytest.mark.parametrize("text", ["增长1100%的用户", "折扣100.5%", "排名NO.10", "top 12 榜单"])
def test_latin_claims_need_the_whole_number(text):
    # given / when / then
    assert claims(text) == []


def test_workspace_allowed_words_extend_the_allowlist():
    # given: a proper name that contains a claim term
    text = "最高人民法院发布了新规，我们最高效"

    # when
    default = check(text, platforms=[], connectors={})
    with_allowed = check(text, platforms=[], adlaw_allowed_words=["最高人民法院"], connectors={})

    # then: the name is no longer a claim, the real claim still is
    assert [text[f.start : f.end] for f in default] == ["最高", "最高"]
    assert [(text[f.start : f.end], f.start) for f in with_allowed] == [("最高", 14)]
