"""X's weighted length where Chinese text touches a URL (issue 10), and the other edges of twitter-text's
rule. Pure unit tests; test_counting_reference.py checks the same cases against twitter-text in Node."""

from __future__ import annotations

import pytest

from channels_app.connectors.base import PostPayload
from channels_app.connectors.limits import hard_limit_violations
from channels_app.connectors.x.connector import XConnector
from channels_app.connectors.x.text import MAX_WEIGHTED_LENGTH, weighted_length

from .counting_cases import (
    CJK_POST_WITH_TRACKED_LINK,
    LINK_THEN_CJK,
    TRACKED_LINK,
    X_CASES,
)


def _connector() -> XConnector:
    return XConnector(base_url="http://x.invalid")


def test_a_url_ends_at_a_full_width_comma_and_the_chinese_after_it_counts():
    # given: "https://kawo.cn，" and 130 Chinese characters
    text = LINK_THEN_CJK

    # when
    counted = weighted_length(text)
    findings = _connector().validate(PostPayload(text=text))

    # then: the link 23, the comma 2, the characters 2 each: over the limit, as X says at publish time
    assert counted == 285
    assert [f.rule for f in findings] == ["x.weighted_length"]
    assert "285" in findings[0].message


def test_a_long_tracked_link_right_after_a_chinese_character_weighs_23():
    # given: 110 Chinese characters, a 104-character tracked link after "详情见", a hashtag line
    text = CJK_POST_WITH_TRACKED_LINK
    chinese = sum(1 for char in text if "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef")
    assert chinese == 110 and len(TRACKED_LINK) == 104

    # when
    counted = weighted_length(text)
    findings = _connector().validate(PostPayload(text=text))

    # then: 2 * 110 + 23 + 16 (the two newlines, "#DoubleEleven" and a space): it fits
    assert counted == 259
    assert findings == []


def test_count_text_is_the_rule_validate_uses():
    # given
    connector = _connector()

    # when / then
    assert connector.count_text(LINK_THEN_CJK) == 285
    assert connector.count_text(CJK_POST_WITH_TRACKED_LINK) == 259
    assert connector.capabilities.text_limit == MAX_WEIGHTED_LENGTH


@pytest.mark.parametrize(("text", "weight", "why"), X_CASES, ids=[case[2] for case in X_CASES])
def test_x_weighted_length_edges(text, weight, why):
    # given / when
    counted = weighted_length(text)

    # then
    assert counted == weight, why


def test_a_first_reply_is_counted_by_the_same_rule():
    # given: a first reply over the limit (the link ends at the comma) and one within it (the link weighs 23)
    connector = _connector()

    # when
    over = hard_limit_violations(connector, PostPayload(text="hello", first_comment=LINK_THEN_CJK))
    fits = hard_limit_violations(
        connector, PostPayload(text="hello", first_comment=CJK_POST_WITH_TRACKED_LINK)
    )

    # then
    assert [f.rule for f in over] == ["x.first_comment_length"]
    assert fits == []
