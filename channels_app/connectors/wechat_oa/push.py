"""A WeChat Official Account push: up to 8 articles in one draft, sent by free publishing or by mass send.

Facts read in WeChat's reference (草稿箱 新建草稿 draft/add, 群发 message/mass/*, 预览 preview) and kept
here for the connector, the simulator and the editor:

- draft/add takes `articles`, at most 8; each: title, author, digest, content (HTML under 20,000
  characters; images only from media/uploadimg, others are filtered out), content_source_url,
  thumb_media_id (a permanent image material), need_open_comment and only_fans_can_comment (0/1),
  pic_crop_235_1 and pic_crop_1_1 ("X1_Y1_X2_Y2": the crop's top-left and bottom-right corners as
  fractions of the cover, (0,0) its top left, (1,1) its bottom right, at most 6 decimals). The first
  article's card shows the cover at 2.35:1, the others' rows at 1:1.
- Limits: the mp.weixin.qq.com editor counts title 64, author 8 and digest 120 characters; the API
  reference says title 32 字, author 16 字, digest 128 字. We hold the editor's (stricter for author and
  digest; the title's 64 is what the platform's own editor allows).
- Digest: "only single-article messages have a digest; for multi-article messages it is empty" (the
  add_news reference; draft/add defaults it to the body's first 54 characters). So a digest is sent
  only when the push has one article; the editor says so.
- There is no API field for the "original" (原创) declaration: it is made in the web editor. Mass send
  has `send_ignore_reprint`: 0 stops the send when WeChat judges an article a reprint, 1 sends it as a
  reprint. An article declared original is sent with 0 (a reprint judgement stops it), otherwise 1.
- freepublish/submit publishes without notifying followers and has no daily quota; it answers a
  publish_id and freepublish/get lists one article_url per article. message/mass/sendall sends the
  draft to every follower ({"filter": {"is_to_all": true}, "mpnews": {"media_id"}, "msgtype":
  "mpnews", "clientmsgid"}) and is limited: a subscription account once per day, a service account 4
  times per month (45028 "has no masssend quota" past it); it answers msg_id / msg_data_id, read back
  with message/mass/get (msg_status SENDING, SEND_SUCCESS ...). A `clientmsgid` already used within
  24 h is refused with 45065 and the earlier msg_id: a retried send is not sent twice.
- message/mass/preview sends the draft to one person's phone, by `towxname` (WeChat ID; at most 100
  a day) or `touser` (openid); verified subscription and service accounts may call it (48001 else).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..base import MediaItem, PostPayload

MAX_ARTICLES = 8
TITLE_LIMIT = 64
AUTHOR_LIMIT = 8
DIGEST_LIMIT = 120
# draft/add's `content` is HTML and "must be under 20,000 characters" (必须少于2万字符): the paragraphs'
# markup counts. `content_length` counts the body as html_body sends it (body images' tags are not
# counted: their URLs exist only after media/uploadimg).
CONTENT_LIMIT = 19_999
CROP_RE = re.compile(r"^(0|1|0?\.\d{1,6}|1\.0{1,6})(_(0|1|0?\.\d{1,6}|1\.0{1,6})){3}$")
# service type -> (period, mass sends allowed in it)
MASS_QUOTA = {"subscription": ("day", 1), "service": ("month", 4)}
PUBLISH, MASS_SEND = "publish", "mass_send"
DELIVERIES = (PUBLISH, MASS_SEND)


def crop_valid(value: str) -> bool:
    """ "X1_Y1_X2_Y2" fractions with X1 < X2 and Y1 < Y2 (or empty: WeChat crops the centre)."""
    if not value:
        return True
    if not isinstance(value, str) or not CROP_RE.match(value):
        return False
    x1, y1, x2, y2 = (float(v) for v in value.split("_"))
    return x1 < x2 and y1 < y2


@dataclass
class PushArticle:
    """One article as draft/add gets it, before its images are uploaded."""

    title: str
    body: str
    author: str = ""
    digest: str = ""
    cover: MediaItem | None = None
    crop: str = ""
    crop_key: str = "pic_crop_1_1"
    images: list[tuple[int, MediaItem]] = field(default_factory=list)  # (after paragraph, image)
    source_url: str = ""
    open_comment: bool = False
    fans_only_comment: bool = False
    original: bool = False


def push_articles(payload: PostPayload) -> list[PushArticle]:
    """Article 1 from the payload itself (post title, variant text, first image as cover, the rest of
    its images in the body at options["image_after"]), then articles 2-8 (payload.articles)."""
    options = payload.options
    images = [m for m in payload.media if m.kind == "image"]
    positions = options.get("image_after") if isinstance(options.get("image_after"), list) else []
    paragraphs = len(paragraphs_of(payload.text))
    body_images = [
        (_int(positions[i]) if i < len(positions) else paragraphs, image)
        for i, image in enumerate(images[1:])
    ]
    first = PushArticle(
        title=payload.title,
        body=payload.text,
        author=str(options.get("author") or ""),
        digest=str(options.get("digest") or ""),
        cover=images[0] if images else None,
        crop=str(options.get("cover_crop") or ""),
        crop_key="pic_crop_235_1",
        images=body_images,
        source_url=payload.link,
        open_comment=bool(options.get("open_comment")),
        fans_only_comment=bool(options.get("fans_only_comment")),
        original=bool(options.get("original")),
    )
    rest = [
        PushArticle(
            title=a.title,
            body=a.body,
            author=a.author,
            digest=a.digest,
            cover=a.cover,
            crop=a.cover_crop,
            images=[(i.after, i.media) for i in a.images],
            source_url=a.source_url,
            open_comment=a.open_comment,
            fans_only_comment=a.fans_only_comment,
            original=a.original,
        )
        for a in payload.articles
    ]
    return [first, *rest]


def _int(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def paragraphs_of(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def content_length(text: str) -> int:
    """The length of `text` as the article's HTML content (html_body without images)."""
    return len(html_body(text))


def body_too_long(text: str) -> str:
    """Why an article's body is over the content limit, or "" (the connector's validate and the content
    service's article editor say the same)."""
    from django.utils.translation import gettext as _

    used = content_length(text)
    if used <= CONTENT_LIMIT:
        return ""
    return _("The body is %(used)s characters as HTML; WeChat allows at most %(limit)s.") % {
        "used": used,
        "limit": CONTENT_LIMIT,
    }


def html_body(text: str, images: list[tuple[int, str]] = ()) -> str:
    """Paragraphs as <p>, each image (after paragraph n, its uploadimg URL) as <p><img></p> after it."""
    paragraphs = paragraphs_of(text)
    out = []
    placed = sorted(images, key=lambda pair: pair[0])
    for n in range(len(paragraphs) + 1):
        out += [
            f'<p><img src="{html.escape(url)}"/></p>'
            for after, url in placed
            if min(after, len(paragraphs)) == n
        ]
        if n < len(paragraphs):
            out.append(f"<p>{html.escape(paragraphs[n])}</p>")
    return "".join(out)


def delivery_of(payload: PostPayload) -> str:
    value = payload.options.get("delivery")
    return value if value in DELIVERIES else PUBLISH
