"""Unit tests of the Bluesky connector's own rules: counting, validation, facets, JWT expiry, error mapping.

Pure functions and, for the error mapping, httpx.MockTransport answers in the PDS's exact shapes (copied
from @atproto/pds 0.4.217). The same behaviour against a server is in test_bluesky_sim.py and
test_bluesky_real_pds.py.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from channels_app.connectors.base import Credentials, MediaItem, PostPayload
from channels_app.connectors.bluesky import richtext
from channels_app.connectors.bluesky.connector import BlueskyConnector, jwt_expiry, parse_at_uri
from channels_app.connectors.errors import AuthExpired, RateLimited, Rejected, Transient, Unknown

FAMILY = "👨‍👩‍👧‍👦"  # one grapheme, 7 code points, 25 bytes
FLAG = "🇨🇳"  # one grapheme, 2 code points, 8 bytes
E_ACUTE = "e\u0301"  # one grapheme, 2 code points, 3 bytes


def _connector(handler=None) -> BlueskyConnector:
    connector = BlueskyConnector(base_url="https://pds.example")
    if handler is not None:
        connector._client = httpx.Client(transport=httpx.MockTransport(handler))
    return connector


def _image(**overrides) -> MediaItem:
    fields = {
        "kind": "image",
        "filename": "a.png",
        "content_type": "image/png",
        "size": 1000,
        "data": b"x",
        "alt_text": "alt",
    }
    return MediaItem(**{**fields, **overrides})


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'typ': 'at+jwt', 'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJl"


CREDENTIALS = Credentials(
    access_token="a", refresh_token="r", extra={"did": "did:plc:abc", "handle": "a.test"}
)


# --- counting ---
@pytest.mark.parametrize(
    ("text", "graphemes", "size"),
    [("abc", 3, 3), (FAMILY, 1, 25), (FLAG * 2, 2, 16), (E_ACUTE, 1, 3), ("新品发布", 4, 12), ("", 0, 0)],
)
def test_graphemes_and_bytes_are_counted_as_bluesky_counts_them(text, graphemes, size):
    # when / then
    assert _connector().count_text(text) == graphemes
    assert richtext.byte_length(text) == size


# --- validate ---
def test_300_graphemes_pass_and_301_are_flagged_where_the_overflow_starts():
    # given
    connector = _connector()
    fits, too_long = PostPayload(text=FLAG * 300), PostPayload(text=FLAG * 301)

    # when
    ok = connector.validate(fits)
    findings = connector.validate(too_long)

    # then
    assert ok == []
    assert [f.rule for f in findings] == ["bluesky.graphemes"]
    assert (findings[0].start, findings[0].end) == (600, 602)  # code point index of the 301st flag


def test_text_within_300_graphemes_but_over_3000_bytes_is_flagged_as_bytes():
    # given 121 family emoji: 121 graphemes, 3025 bytes
    payload = PostPayload(text=FAMILY * 121)

    # when
    findings = _connector().validate(payload)

    # then
    assert [f.rule for f in findings] == ["bluesky.bytes"]
    assert findings[0].start == 120 * 7  # the 121st family starts there and no longer fits


@pytest.mark.parametrize(
    ("payload", "rule"),
    [
        (PostPayload(text="five", media=tuple(_image() for _ in range(5))), "bluesky.media_count"),
        (
            PostPayload(text="clip", media=(_image(kind="video", content_type="video/mp4"),)),
            "bluesky.media_kind",
        ),
        (PostPayload(text="heic", media=(_image(content_type="image/heic"),)), "bluesky.media_type"),
        (PostPayload(text="big", media=(_image(size=1_000_001),)), "bluesky.media_size"),
        (PostPayload(text="long alt", media=(_image(alt_text="x" * 2001),)), "bluesky.alt_text_length"),
        (PostPayload(text="", media=()), "bluesky.empty"),
        (
            PostPayload(text="both", link="https://kawo.example", media=(_image(),)),
            "bluesky.link_with_images",
        ),
        (PostPayload(text="langs", options={"langs": ["en", "zh", "ja", "ko"]}), "bluesky.langs"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_validate_names_each_broken_rule(payload, rule):
    # when
    findings = _connector().validate(payload)

    # then
    assert rule in {f.rule for f in findings}
    assert all(f.severity == "error" for f in findings if f.rule == rule)


def test_four_images_of_one_megabyte_with_alt_text_are_fine_and_missing_alt_text_is_a_warning():
    # given
    connector = _connector()
    four = tuple(
        _image(size=1_000_000, content_type=t) for t in ("image/jpeg", "image/png", "image/webp", "image/gif")
    )

    # when
    ok = connector.validate(PostPayload(text="four", media=four))
    no_alt = connector.validate(PostPayload(text="no alt", media=(_image(alt_text=" "),)))

    # then
    assert ok == []
    assert [(f.rule, f.severity) for f in no_alt] == [("bluesky.alt_text", "warning")]


# --- facets ---
def test_spans_find_links_mentions_and_tags_without_their_trailing_punctuation():
    # given
    text = (
        "See https://kawo.example/a_(b)?q=1. (https://kawo.example/x) by @Alice.Test, "
        "mail bob@example.com #新品!"
    )

    # when
    spans = richtext.detect_spans(text)

    # then
    assert [(s.kind, s.value, text[s.start : s.end]) for s in spans] == [
        ("link", "https://kawo.example/a_(b)?q=1", "https://kawo.example/a_(b)?q=1"),
        ("link", "https://kawo.example/x", "https://kawo.example/x"),
        ("mention", "alice.test", "@Alice.Test"),
        ("tag", "新品", "#新品"),
    ]


def test_links_and_mentions_may_touch_chinese_text():
    # given
    text = "详情见https://kawo.example/x了解更多，联系@alice.test吧"

    # when
    spans = richtext.detect_spans(text)

    # then
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [
        ("link", "https://kawo.example/x"),
        ("mention", "@alice.test"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "#123",
        "no@mention.example",
        "https://kawo.example/@someone/#frag",
        "@nodot",
        "a#b",
        "#",
        "xhttps://kawo.example",
    ],
)
def test_spans_ignore_what_is_not_a_facet(text):
    # when
    kinds = [s.kind for s in richtext.detect_spans(text)]

    # then
    assert kinds in ([], ["link"])
    assert ("link" in kinds) == text.startswith("https://")


def test_facet_offsets_are_utf8_bytes():
    # given a link after CJK text and an emoji (3 + 3 + 1 + 4 + 1 bytes before it)
    text = "新品 🚀 https://kawo.example"
    span = richtext.detect_spans(text)[0]

    # when
    facet = richtext.facet(text, span, {"$type": "app.bsky.richtext.facet#link", "uri": span.value})

    # then
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert (start, end) == (12, 12 + len("https://kawo.example"))
    assert text.encode()[start:end].decode() == "https://kawo.example"


# --- tokens and ids ---
def test_jwt_expiry_reads_the_exp_claim_without_verifying():
    # given
    token = _jwt({"scope": "com.atproto.appPass", "exp": 1_900_000_000})

    # when / then
    assert jwt_expiry(token) == datetime.fromtimestamp(1_900_000_000, UTC)
    assert jwt_expiry("opaque-token") is None
    assert jwt_expiry("a.!!!.c") is None


def test_at_uris_are_parsed_and_anything_else_is_not():
    # when / then
    assert parse_at_uri("at://did:plc:abc/app.bsky.feed.post/3k2") == (
        "did:plc:abc",
        "app.bsky.feed.post",
        "3k2",
    )
    assert parse_at_uri("https://bsky.app/profile/x/post/3k2") is None
    assert parse_at_uri("at://did:plc:abc/app.bsky.feed.post") is None


# --- error mapping (PDS answers) ---
def _answer(status: int, name: str, message: str, headers: dict | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": name, "message": message}, headers=headers or {})

    return handler


def test_rate_limit_waits_until_ratelimit_reset():
    # given
    reset = int(time.time()) + 120
    connector = _connector(
        _answer(429, "RateLimitExceeded", "Rate Limit Exceeded", {"RateLimit-Reset": str(reset)})
    )

    # when
    with pytest.raises(RateLimited) as raised:
        connector.publish(CREDENTIALS, PostPayload(text="hi"))

    # then
    assert 115 <= raised.value.retry_after <= 120
    assert raised.value.platform_code == "RateLimitExceeded"


@pytest.mark.parametrize(
    ("name", "message", "call", "revoked"),
    [
        ("ExpiredToken", "Token has expired", "publish", False),
        ("InvalidToken", "Token could not be verified", "publish", False),
        ("ExpiredToken", "Token has been revoked", "refresh", True),
        ("AccountTakedown", "Account has been taken down", "publish", True),
    ],
)
def test_auth_errors_say_whether_a_refresh_can_help(name, message, call, revoked):
    # given
    connector = _connector(_answer(400, name, message))

    # when
    with pytest.raises(AuthExpired) as raised:
        if call == "refresh":
            connector.refresh(CREDENTIALS)
        else:
            connector.publish(CREDENTIALS, PostPayload(text="hi"))

    # then
    assert raised.value.revoked is revoked
    assert raised.value.platform_message == message


def test_invalid_request_is_rejected_with_the_servers_message():
    # given
    message = "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text"
    connector = _connector(_answer(400, "InvalidRequest", message))

    # when
    with pytest.raises(Rejected) as raised:
        connector.publish(CREDENTIALS, PostPayload(text="x"))

    # then
    assert raised.value.platform_message == message and message in str(raised.value)


def test_server_errors_are_transient():
    # given
    connector = _connector(_answer(502, "UpstreamFailure", "Upstream Failure"))

    # when / then
    with pytest.raises(Transient):
        connector.publish(CREDENTIALS, PostPayload(text="x"))


def test_a_timeout_after_sending_the_post_is_unknown_but_after_a_read_is_transient():
    # given
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    connector = _connector(handler)

    # when / then
    with pytest.raises(Unknown):
        connector.publish(CREDENTIALS, PostPayload(text="x"))
    with pytest.raises(Transient):
        connector.get_post(CREDENTIALS, "3k2")


def test_a_session_without_tokens_is_not_taken():
    # given
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"handle": "a.test"})

    # when / then: connecting cannot go on (Rejected, said so on the page); a refresh may try again
    with pytest.raises(Rejected) as raised:
        _connector(handler).connect_with_credentials(identifier="a.test", password="abcd-efgh-ijkl-mnop")
    assert raised.value.unreadable
    with pytest.raises(Transient):
        _connector(handler).refresh(CREDENTIALS)


@pytest.mark.parametrize(
    ("error", "means_no_appview"),
    [
        (
            Rejected("x", platform_code="InvalidRequest", platform_message="No service configured for a.b.c"),
            True,
        ),
        (Rejected("x", platform_code="XRPCNotSupported", status_code=404), True),
        (Rejected("x", platform_code="MethodNotImplemented", status_code=400), True),
        (Rejected("x", status_code=404), True),
        (Transient("x", status_code=501), True),
        (Transient("x", platform_code="InternalServerError", status_code=500), False),  # ask again, unproxied
        (Rejected("x", platform_code="InvalidRequest", platform_message="limit must be 1-100"), False),
    ],
)
def test_which_answers_mean_the_service_has_no_appview(error, means_no_appview):
    from channels_app.connectors.bluesky.inbound import no_appview

    assert no_appview(error) is means_no_appview
