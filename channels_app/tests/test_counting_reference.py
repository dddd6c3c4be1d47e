"""Issue 10, acceptance: our X and Bluesky counters agree with the reference implementations, run in Node
by the test suite (tests/peers/counting.py): twitter-text's parseTweet for X's weighted length and
Intl.Segmenter for Bluesky's graphemes. On the tricky cases and on 10,000 seeded random texts mixing CJK,
emoji sequences, URLs (CJK paths, IDN hosts) and full-width punctuation. It FAILS without node or the npm
package (run scripts/peers.sh); it never skips."""

from __future__ import annotations

from channels_app.connectors.bluesky.richtext import grapheme_count
from channels_app.connectors.x import text as x_text
from channels_app.connectors.x.text import weighted_length

from .counting_cases import TRICKY_TEXTS, X_CASES, random_texts

RANDOM_TEXTS = 10_000
SEED = 20_261_111


# A ZWJ, a skin tone, a regional indicator (flags) or a keycap mark: the text has an emoji sequence.
_SEQUENCE_MARKS = ["\u200d", "\u20e3", *map(chr, range(0x1F3FB, 0x1F400)), *map(chr, range(0x1F1E6, 0x1F200))]


def _utf16(text: str) -> str:
    """One character per UTF-16 code unit, so the reference's indices index it."""
    data = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(data[i : i + 2], "little")) for i in range(0, len(data), 2))


def _disagreements(texts: list[str], reference: list[dict]) -> list[dict]:
    found = []
    for text, theirs in zip(texts, reference, strict=True):
        ours = {"x": weighted_length(text), "g": grapheme_count(text)}
        if ours["x"] != theirs["x"] or ours["g"] != theirs["g"]:
            found.append({"text": text, "ours": ours, "reference": theirs})
    return found


def test_the_port_carries_the_pinned_packages_data(counting_reference):
    # given: the TLD lists and emoji regex our port was built with
    ours = x_text.DATA

    # when: the same data read from the installed npm packages
    theirs = counting_reference.data()

    # then: an upgrade of twitter-text or twemoji-parser shows here first
    assert ours == theirs
    assert ours["twitter-text"] == counting_reference.versions["twitter-text"] == "3.1.0"


def test_case_insensitive_matching_canonicalises_every_code_unit_as_javascript_does(counting_reference):
    # given: every UTF-16 code unit
    units = [chr(unit) for unit in range(0x10000)]

    # when: JavaScript upper-cases each one (what its case-insensitive regexes compare)
    upper = counting_reference.upper(units)

    # then: our canonical form is ECMAScript's Canonicalize for each of them
    expected = {}
    for unit, js_upper in enumerate(upper):
        canonical = unit
        if len(js_upper) == 1 and not (unit >= 128 and ord(js_upper) < 128):
            canonical = ord(js_upper)
        expected[unit] = canonical
    wrong = {
        hex(unit): hex(canon) for unit, canon in expected.items() if x_text.js_canonicalize(unit) != canon
    }
    assert wrong == {}, "Node's Unicode case mapping differs from the port's table for these code units"


def test_tricky_cases_agree_with_twitter_text_and_intl_segmenter(counting_reference):
    # given: issue 10's reproductions, the edges of the rule, emoji sequences and full-width text
    texts = [text for text, _weight, _why in X_CASES] + TRICKY_TEXTS

    # when
    reference = counting_reference.count(texts)

    # then: twitter-text gives the numbers the unit tests expect, and we give twitter-text's
    assert [r["x"] for r in reference[: len(X_CASES)]] == [weight for _text, weight, _why in X_CASES]
    assert reference[0]["x"] == 285 and reference[1]["x"] == 259
    assert _disagreements(texts, reference) == []


def test_10000_random_texts_agree_with_twitter_text_and_intl_segmenter(counting_reference):
    # given: seeded random texts
    texts = random_texts(RANDOM_TEXTS, seed=SEED)

    # when: the reference counts them all in one round trip, and we count them
    reference = counting_reference.count(texts)
    disagreements = _disagreements(texts, reference)

    # then: the texts really mix what makes counting hard (URLs as twitter-text finds them)...
    urls = [(_utf16(text), r["urls"]) for text, r in zip(texts, reference, strict=True) if r["urls"]]
    after_cjk = sum(
        1 for units, spans in urls for start, _end in spans if start and units[start - 1] >= "\u3000"
    )
    emoji_sequences = sum(1 for text in texts if any(mark in text for mark in _SEQUENCE_MARKS))
    over_limit = sum(1 for r in reference if r["x"] > 280)
    assert len(urls) > 5_000 and after_cjk > 4_000 and emoji_sequences > 5_000 and over_limit > 100
    # ...and both counters agree on every one of them
    assert disagreements[:5] == [], f"{len(disagreements)} of {len(texts)} texts disagree"
