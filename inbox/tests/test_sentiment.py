import pytest

from inbox.sentiment import sentiment_label, sentiment_of


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("这个产品太好用了，非常喜欢", "positive"),
        ("质量太差了，我要退货", "negative"),
        ("I love it, thanks!", "positive"),
        ("Terrible service, still no refund", "negative"),
        ("This is not good", "negative"),
        ("When does it ship?", "neutral"),
    ],
)
def test_sentiment_reads_chinese_and_english(text, label):
    assert sentiment_of(text)[0] == label


def test_empty_or_wordless_text_is_neutral_without_a_score():
    assert sentiment_of("") == ("neutral", None)
    assert sentiment_of("👍👍") == ("neutral", None)
    assert sentiment_label(0.9) == "positive" and sentiment_label(0.1) == "negative"
