"""Every connector refuses content over its platform's hard limits before sending it (issue 17).

Derived from the registry and each connector's limit table (`Capabilities`, plus the few platform rules
kept as constants beside `validate`): for every platform with a server-side publish, a payload one over
each limit is refused by `publish` with OverLimits (a Rejected) carrying the composer's own messages
(content.services.compliance.compliance_for_payload on the same payload), and the simulator saw no
request at all; the same payload just at the limit is sent. `reply` is held to its limit the same way.
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from dataclasses import replace

import pytest

from channels_app.connectors import limits
from channels_app.connectors.base import Article, Connector, MediaItem, PostPayload
from channels_app.connectors.bilibili.connector import ARTICLE_TITLE_LIMIT
from channels_app.connectors.bluesky.connector import MAX_ALT_GRAPHEMES
from channels_app.connectors.errors import OverLimits, Rejected
from channels_app.connectors.inbound import ReplyTarget
from channels_app.connectors.registry import CONNECTORS, connector_for
from channels_app.connectors.wechat_oa import push
from channels_app.connectors.youtube.connector import TITLE_LIMIT as YOUTUBE_TITLE_LIMIT
from content.media_inspect import MediaInfo
from content.services.compliance import compliance_for_payload

from .contract_cases import MP4_BYTES, PNG_1X1, ContractCase, case_for, mp4, png
from .test_connector_contract import connect, settle

SERVER_SIDE = sorted(key for key, cls in CONNECTORS.items() if cls.capabilities.server_side_publish)
REPLYING = sorted(key for key, cls in CONNECTORS.items() if cls.capabilities.inbound_reply)
SENT_FILE_BYTES = 16 * 1024 * 1024  # at-limit files up to this size are sent with that many real bytes
_unique = itertools.count(1)

# (platform, limit) -> (payload over the limit, payload at the limit), from the case's minimal post.
Build = Callable[[Connector, ContractCase, int], tuple[PostPayload, PostPayload]]


def _padded(connector: Connector, prefix: str, limit: int, filler: str = "a") -> tuple[str, str]:
    """(text at the limit, text over it) in the platform's own count: `prefix` padded with `filler`."""
    low, high = 0, limit * 4 + 8
    while low < high:  # the longest padding whose count stays within the limit
        mid = (low + high + 1) // 2
        if connector.count_text(prefix + filler * mid) <= limit:
            low = mid
        else:
            high = mid - 1
    at = prefix + filler * low
    assert connector.count_text(at) == limit, "the padding reaches the limit exactly"
    over = at + filler
    while connector.count_text(over) <= limit:
        over += filler
    return at, over


def _with_text(base: PostPayload, text: str) -> PostPayload:
    return replace(base, text=text)


def _text_limit(connector, case, n):
    base = case.minimal_post(n)
    at, over = _padded(connector, base.text + " ", connector.capabilities.text_limit)
    return _with_text(base, over), _with_text(base, at)


def _byte_limit(connector, case, n):
    """Over in bytes only, within the text limit: a 25-byte grapheme (a family emoji) repeated."""
    base = case.minimal_post(n)
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    limit, size = connector.capabilities.byte_limit, len(family.encode())
    at = family * (limit // size) + "a" * (limit % size)
    over = at + "a"
    assert len(at.encode()) == limit and connector.count_text(over) <= connector.capabilities.text_limit
    return _with_text(base, over), _with_text(base, at)


def _image_template(case: ContractCase) -> MediaItem:
    if case.image_post is not None:
        return case.image_post(0).media[0]
    return png()


def _video_template(case: ContractCase, n: int) -> MediaItem:
    videos = [m for m in case.minimal_post(n).media if m.kind == "video"]
    if videos:
        return videos[0]
    if _image_template(case).url:  # the platform pulls media from a URL (Instagram)
        return replace(mp4(), url=f"https://cdn.kawo.example/clips/{n}.mp4")
    return mp4()


def _copies(item: MediaItem, count: int, n: int) -> tuple[MediaItem, ...]:
    stem, dot, ext = item.filename.rpartition(".")
    out = []
    for i in range(count):
        url = item.url.replace(f".{ext}", f"-{n}-{i}.{ext}") if item.url else ""
        out.append(replace(item, filename=f"{stem}-{i}{dot}{ext}", url=url))
    return tuple(out)


def _media_base(case: ContractCase, n: int) -> PostPayload:
    """The minimal post without its media (the media is what the case varies) or a link card (Facebook
    shows either)."""
    return replace(case.minimal_post(n), media=(), link="")


def _image_count(connector, case, n):
    limit = connector.capabilities.media.max_images
    image = _image_template(case)
    base = _media_base(case, n)
    return replace(base, media=_copies(image, limit + 1, n)), replace(base, media=_copies(image, limit, n))


def _video_count(connector, case, n):
    limit = connector.capabilities.media.max_videos
    video = _video_template(case, n)
    base = _media_base(case, n)
    return replace(base, media=_copies(video, limit + 1, n)), replace(base, media=_copies(video, limit, n))


def _sized(item: MediaItem, size: int, filler: bytes) -> MediaItem:
    """`item` claiming `size` bytes; with that many real bytes where it carries bytes and they are few
    enough to send here (else its own small bytes: the limit check reads `size`, as publishing sets it)."""
    if item.data is not None and size <= SENT_FILE_BYTES:
        return replace(item, size=size, data=filler + b"\x00" * (size - len(filler)))
    return replace(item, size=size)


def _image_size(connector, case, n):
    limit = connector.capabilities.media.max_image_bytes
    image = _image_template(case)
    base = _media_base(case, n)
    return (
        replace(base, media=(_sized(image, limit + 1, PNG_1X1),)),
        replace(base, media=(_sized(image, limit, PNG_1X1),)),
    )


def _video_size(connector, case, n):
    limit = connector.capabilities.media.max_video_bytes
    video = _video_template(case, n)
    base = _media_base(case, n)
    return (
        replace(base, media=(_sized(video, limit + 1, MP4_BYTES),)),
        replace(base, media=(_sized(video, limit, MP4_BYTES),)),
    )


def _media_kind(connector, case, n):
    kinds = connector.capabilities.media.kinds
    base = case.minimal_post(n)
    stranger = png() if "image" not in kinds else mp4()
    return replace(base, media=(*base.media, stranger)), base


def _media_mixed(connector, case, n):
    base = _media_base(case, n)
    image, video = _image_template(case), _video_template(case, n)
    return replace(base, media=(image, video)), replace(base, media=(video,))


def _media_required(connector, case, n):
    base = case.minimal_post(n)
    return replace(base, media=()), base


def _first_comment(connector, case, n):
    base = case.minimal_post(n)
    at, over = _padded(connector, f"First comment {n} ", connector.capabilities.comment_limit)
    return replace(base, first_comment=over), replace(base, first_comment=at)


def _alt_text(limit_of: Callable[[Connector], int]) -> Build:
    def build(connector, case, n):
        base = case.image_post(n)
        image, limit = base.media[0], limit_of(connector)
        at, over = "a" * limit, "a" * (limit + 1)
        return (
            replace(base, media=(replace(image, alt_text=over),)),
            replace(base, media=(replace(image, alt_text=at),)),
        )

    return build


def _title(limit: int):
    def build(connector, case, n):
        base = case.minimal_post(n)
        at = (base.title + " " + "t" * limit)[:limit]
        return replace(base, title=at + "t"), replace(base, title=at)

    return build


def limit_cases(platform: str) -> dict[str, Build]:
    """The hard limits `platform` declares, each with the payloads over and at it."""
    caps = CONNECTORS[platform].capabilities
    media = caps.media
    cases: dict[str, Build] = {}
    if caps.text_limit is not None:
        cases["text_length"] = _text_limit
    if caps.byte_limit is not None:
        cases["text_bytes"] = _byte_limit
    if "image" in media.kinds:
        cases["image_count"] = _image_count
        cases["image_size"] = _image_size
    if "video" in media.kinds and media.max_videos:
        cases["video_count"] = _video_count
        cases["video_size"] = _video_size
    if not {"image", "video"} <= media.kinds:
        cases["media_kind"] = _media_kind
    if not media.mixed and {"image", "video"} <= media.kinds and media.max_videos:
        cases["media_mixed"] = _media_mixed
    if caps.requires_media:
        cases["media_required"] = _media_required
    if caps.first_comment and caps.comment_limit is not None:
        cases["first_comment_length"] = _first_comment
    if media.max_alt_text is not None:
        cases["alt_text_length"] = _alt_text(lambda connector: connector.capabilities.media.max_alt_text)
    # Limits kept as constants beside the platform's validate (no Capabilities field for them).
    cases.update(EXTRA.get(platform, {}))
    return cases


def _wechat_article_body(connector, case, n):
    """Article 2's body (article 1's is the payload's text: text_length), counted as its HTML."""
    base = case.minimal_post(n)
    at, over = _padded(connector, f"第二篇 {n} ", push.CONTENT_LIMIT, filler="好")

    def with_body(body: str) -> PostPayload:
        return replace(base, articles=(Article(title=f"第二篇 {n}", body=body, cover=png("cover2.png")),))

    return with_body(over), with_body(at)


EXTRA: dict[str, dict[str, Build]] = {
    "bluesky": {"alt_text_length": _alt_text(lambda connector: MAX_ALT_GRAPHEMES)},
    "youtube": {"title_length": _title(YOUTUBE_TITLE_LIMIT)},
    "bilibili": {"title_length": _title(ARTICLE_TITLE_LIMIT)},
    "wechat_oa": {"article_body_length": _wechat_article_body},
}

LIMITS = [(platform, name) for platform in SERVER_SIDE for name in limit_cases(platform)]


@pytest.fixture
def connected(platform_sim, settings):
    made: list[Connector] = []

    def make(platform: str):
        case = case_for(platform)
        settings.PLATFORMS = {**settings.PLATFORMS, platform: {**settings.PLATFORMS[platform], **case.app}}
        connector = connector_for(platform)
        made.append(connector)
        account, credentials = connect(platform_sim, case, connector)
        return case, connector, account, credentials

    yield make
    for connector in made:
        connector.close()


def _info(item: MediaItem) -> MediaInfo:
    return MediaInfo(
        kind=item.kind,
        mime=item.content_type,
        size=item.size,
        width=None,
        height=None,
        filename=item.filename,
        url=item.url,
        alt_text=item.alt_text,
    )


def composer_messages(payload: PostPayload, platform: str) -> set[str]:
    """The blocking messages the composer shows about the platform's limits for this payload."""
    findings = compliance_for_payload(
        payload, platform=platform, media_infos=[_info(m) for m in payload.media]
    )
    return {f.message for f in findings if f.blocking and f.rule.startswith(f"{platform}.")}


def test_every_server_side_platform_declares_limits_here():
    # then: a platform added to the registry is covered without anyone adding it to this file
    assert {platform for platform, _name in LIMITS} == set(SERVER_SIDE)
    assert all(
        ("text_length" in limit_cases(p)) == (CONNECTORS[p].capabilities.text_limit is not None)
        for p in SERVER_SIDE
    )


@pytest.mark.parametrize(("platform", "limit"), LIMITS, ids=[f"{p}-{name}" for p, name in LIMITS])
def test_over_the_limit_is_refused_before_any_request_and_at_the_limit_is_sent(
    platform_sim, connected, platform, limit
):
    # given a connected account and payloads over and at the limit
    case, connector, account, credentials = connected(platform)
    over, at = limit_cases(platform)[limit](connector, case, next(_unique))
    before = len(platform_sim.log(platform))

    # when it is over the limit
    with pytest.raises(OverLimits) as raised:
        connector.publish(credentials, over)

    # then refused, don't retry, in the composer's words, and the platform saw nothing
    assert isinstance(raised.value, Rejected)
    expected = composer_messages(over, platform)
    assert expected, "the composer must block this payload too"
    assert {str(f.message) for f in raised.value.findings} == expected
    assert str(raised.value) == " ".join(str(f.message) for f in raised.value.findings)
    assert len(platform_sim.log(platform)) == before
    assert platform_sim.posts_created(platform, account.external_id) == 0

    # when it is just at the limit, it goes out
    assert composer_messages(at, platform) == set()
    result = settle(connector, credentials, connector.publish(credentials, at))

    # then (a first comment posted as a reply is a post of its own on some platforms)
    assert result.status == "published" and result.external_id
    assert platform_sim.posts_created(platform, account.external_id) >= 1
    if at.first_comment:
        assert result.raw.get("first_comment_id") and not result.raw.get("first_comment_error")


@pytest.mark.parametrize("platform", REPLYING)
def test_a_reply_over_the_limit_is_refused_before_any_request(platform_sim, connected, platform):
    # given
    case, connector, account, credentials = connected(platform)
    limit = connector.capabilities.comment_limit
    _at, over = _padded(connector, "Thanks! ", limit)
    before = len(platform_sim.log(platform))
    target = ReplyTarget(kind="comment", external_id="1", thread_id="1", author_id="1", author_handle="fan")

    # when
    with pytest.raises(OverLimits) as raised:
        connector.reply(credentials, to=target, text=over)

    # then: the inbox's own message (inbox.services.replies.reply_check shows the same), no request
    params = limits.reply_excess(connector, over)
    assert str(raised.value) == limits.reply_message(params)
    assert params["used"] > limit == params["limit"]
    assert len(platform_sim.log(platform)) == before


def test_the_refusal_survives_pickling_with_its_findings():
    # given
    connector = connector_for("weibo")
    refused = OverLimits(limits.hard_limit_violations(connector, PostPayload(text="好" * 141)))

    # when
    copy = pickle.loads(pickle.dumps(refused))

    # then
    assert type(copy) is OverLimits and str(copy) == str(refused) and copy.findings == refused.findings
    assert copy.platform_code == "weibo.text_length" == refused.platform_code
