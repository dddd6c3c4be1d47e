"""WeChat Official Account pushes: a draft of up to 8 articles (cgi-bin/draft/add), its preview on a
reviewer's phone (cgi-bin/message/mass/preview) and the mass send to every follower
(cgi-bin/message/mass/sendall, read back with cgi-bin/message/mass/get). Free publishing of a draft is
in wechat_oa.py.

draft/add, per article (the 草稿箱 新建草稿 reference): title (45003 past 64 characters, the editor's
limit; the API reference says 32 字), author (45110 past 8, the editor's limit; the reference says 16),
digest (45004 past 120), content (44003 empty, 45002 at 20,000 characters: "under 20,000"), thumb_media_id (a
permanent material of the account, else 40007), need_open_comment / only_fans_can_comment (0 or 1),
pic_crop_235_1 / pic_crop_1_1 ("X1_Y1_X2_Y2": fractions of the cover from its top left (0,0) to its
bottom right (1,1), at most 6 decimals, X1 < X2 and Y1 < Y2; anything else 40097 "invalid args").
More than 8 articles is 45008 "article size out of limit". Images in `content` whose URL did not come
from media/uploadimg are filtered out, as WeChat does (the draft records them as `filtered_images`).

Mass send (群发): a subscription account (account option `service_type` "subscription", the default) may
send once per Beijing day, a service account ("service") 4 times per calendar month; one more is 45028
"has no masssend quota". Preview and mass send need a verified account (option `verified`, default
True): else 48001 "api unauthorized". A preview names `towxname` (a WeChat ID) or `touser` (an openid);
neither is 40003 "invalid openid". Each preview is kept (`sim.state.previews`).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from starlette.responses import JSONResponse, Response

from ..kit import Ctx
from ..state import Job
from . import cn_metrics as cm

MAX_ARTICLES = 8
TITLE_LIMIT = 64
AUTHOR_LIMIT = 8
DIGEST_LIMIT = 120
CONTENT_LIMIT = 20000
CROP = re.compile(r"^(0|1|0?\.\d{1,6}|1\.0{1,6})(_(0|1|0?\.\d{1,6}|1\.0{1,6})){3}$")
IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"[^>]*>", re.IGNORECASE)
MASS_QUOTA = {"subscription": ("day", 1), "service": ("month", 4)}


def _err(code: int, message: str) -> Response:
    return JSONResponse({"errcode": code, "errmsg": message})


def crop_ok(value: str) -> bool:
    if not value:
        return True
    if not CROP.match(value):
        return False
    x1, y1, x2, y2 = (float(v) for v in value.split("_"))
    return x1 < x2 and y1 < y2


def body_image_urls(ctx: Ctx) -> set[str]:
    return {
        m.extra["url"]
        for m in ctx.state.media.values()
        if m.platform == "wechat_oa" and m.account_id == ctx.account.external_id and m.extra.get("url")
    }


def check_article(ctx: Ctx, article: dict) -> Response | None:
    title = article.get("title") or ""
    if not title or not article.get("content"):
        return _err(44003, "empty news data")
    if len(title) > TITLE_LIMIT:
        return _err(45003, "title size out of limit")
    if len(article.get("author") or "") > AUTHOR_LIMIT:
        return _err(45110, "author size out of limit")
    if len(article.get("digest") or "") > DIGEST_LIMIT:
        return _err(45004, "description size out of limit")
    if len(article["content"]) >= CONTENT_LIMIT:  # "必须少于2万字符": under 20,000
        return _err(45002, "content size out of limit")
    for key in ("need_open_comment", "only_fans_can_comment"):
        if article.get(key, 0) not in (0, 1):
            return _err(40097, f"invalid args: {key}")
    for key in ("pic_crop_235_1", "pic_crop_1_1"):
        if not crop_ok(str(article.get(key) or "")):
            return _err(40097, f"invalid args: {key}")
    thumb = ctx.state.get_media("wechat_oa", article.get("thumb_media_id", ""))
    if thumb is None or thumb.account_id != ctx.account.external_id or thumb.kind == "draft":
        return _err(40007, "invalid media_id")
    return None


def draft_add_articles(ctx: Ctx, articles: list) -> Response:
    if not articles or not all(isinstance(a, dict) for a in articles):
        return _err(44002, "empty post data")
    if len(articles) > MAX_ARTICLES:
        return _err(45008, "article size out of limit")
    for article in articles:
        refused = check_article(ctx, article)
        if refused is not None:
            return refused
    ours = body_image_urls(ctx)
    kept, filtered = [], []
    for article in articles:
        content = article["content"]
        for src in IMG_SRC.findall(content):
            if src not in ours:
                filtered.append(src)
        content = IMG_SRC.sub(lambda m: m.group(0) if m.group(1) in ours else "", content)
        kept.append({**article, "content": content})
    draft = ctx.state.add_media(
        ctx.account, kind="draft", size=0, extra={"articles": kept, "filtered_images": filtered}
    )
    return JSONResponse({"media_id": draft.id})


def _draft(ctx: Ctx, media_id: str):
    draft = ctx.state.get_media("wechat_oa", media_id)
    if draft is None or draft.kind != "draft" or draft.account_id != ctx.account.external_id:
        return None
    return draft


def _verified(ctx: Ctx) -> bool:
    return bool(ctx.account.options.get("verified", True))


def _period_start(kind: str, at: float) -> float:
    local = datetime.fromtimestamp(at, UTC).astimezone(cm.BEIJING)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "month":
        start = start.replace(day=1)
    return start.timestamp()


def preview(ctx: Ctx, body: dict) -> Response:
    if not _verified(ctx):
        return _err(48001, "api unauthorized")
    to = str(body.get("towxname") or body.get("touser") or "")
    if not to:
        return _err(40003, "invalid openid")
    if body.get("msgtype") != "mpnews":
        return _err(40008, "invalid message type")
    draft = _draft(ctx, str((body.get("mpnews") or {}).get("media_id", "")))
    if draft is None:
        return _err(40007, "invalid media_id")
    ctx.state.previews.append(
        {
            "account": ctx.account.external_id,
            "to": to,
            "by": "towxname" if body.get("towxname") else "touser",
            "articles": draft.extra["articles"],
            "at": time.time(),
        }
    )
    return JSONResponse({"errcode": 0, "errmsg": "preview success", "msg_id": ctx.state.next_id()})


def mass_sends_in_period(ctx: Ctx, at: float) -> int:
    kind, _limit = MASS_QUOTA[_service_type(ctx)]
    start = _period_start(kind, at)
    return sum(
        1
        for p in ctx.state.posts_of("wechat_oa", ctx.account.external_id, include_deleted=True)
        if p.extra.get("mass_send") and p.created_at >= start
    )


def _service_type(ctx: Ctx) -> str:
    kind = str(ctx.account.options.get("service_type", "subscription"))
    return kind if kind in MASS_QUOTA else "subscription"


def sendall(ctx: Ctx, body: dict, *, new_post_id) -> Response:
    if not _verified(ctx):
        return _err(48001, "api unauthorized")
    if body.get("msgtype") != "mpnews":
        return _err(40008, "invalid message type")
    if not (body.get("filter") or {}).get("is_to_all"):
        return _err(40130, "invalid openid list size, at least two openid")
    draft = _draft(ctx, str((body.get("mpnews") or {}).get("media_id", "")))
    if draft is None:
        return _err(40007, "invalid media_id")
    clientmsgid = str(body.get("clientmsgid") or "")
    if clientmsgid:
        for post in ctx.state.posts_of("wechat_oa", ctx.account.external_id, include_deleted=True):
            if post.extra.get("clientmsgid") == clientmsgid:
                return JSONResponse(
                    {"errcode": 45065, "errmsg": "clientmsgid exist", "msg_id": post.extra["msg_id"]}
                )
    _kind, limit = MASS_QUOTA[_service_type(ctx)]
    if mass_sends_in_period(ctx, time.time()) >= limit:
        return _err(45028, "has no masssend quota")
    articles = draft.extra["articles"]
    msg_id = str(1_000_000_000 + ctx.state.next_id())
    post = ctx.state.add_post(
        ctx.account,
        text=articles[0]["content"],
        title=articles[0]["title"],
        media_ids=[articles[0]["thumb_media_id"]],
        kind="article",
        id=new_post_id(),
        extra={
            "draft_media_id": draft.id,
            "digest": articles[0].get("digest", ""),
            "articles": articles,
            "mass_send": True,
            "msg_id": msg_id,
            "clientmsgid": clientmsgid,
            "publish_id": msg_id,
        },
    )
    ctx.state.jobs[("wechat_oa", msg_id)] = Job(
        id=msg_id,
        platform="wechat_oa",
        account_id=ctx.account.external_id,
        post_id=post.id,
        polls_needed=int(ctx.account.options.get("publish_polls", 1)),
        seconds_needed=float(ctx.account.options.get("publish_seconds", 0.5)),
        outcome="0",
    )
    return JSONResponse(
        {"errcode": 0, "errmsg": "send job submission success", "msg_id": msg_id, "msg_data_id": msg_id}
    )


def mass_get(ctx: Ctx, body: dict) -> Response:
    msg_id = str(body.get("msg_id", ""))
    job = ctx.state.jobs.get(("wechat_oa", msg_id))
    if job is None or job.account_id != ctx.account.external_id:
        return _err(40007, "invalid msg_id")
    job.polls += 1
    status = "SEND_SUCCESS" if job.done() else "SENDING"
    return JSONResponse({"msg_id": msg_id, "msg_status": status})
