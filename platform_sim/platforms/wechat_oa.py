"""WeChat Official Account (api.weixin.qq.com): app-credential token, permanent material, drafts, and
asynchronous free publishing (freepublish/submit -> publish_id -> freepublish/get, one article URL per
article of the draft). Drafts of up to 8 articles, previews and mass sends: wechat_oa_push.py.

WeChat answers HTTP 200 with {"errcode": n, "errmsg": "..."} for errors: 40001 invalid credential,
42001 access_token expired, 40013 invalid appid, 40125 invalid secret, 45009 api freq out of limit,
-1 system busy, 40007 invalid media_id, 53600 invalid article_id. Material (Adding_Permanent_Assets):
`material/add_material?type=image|voice|video|thumb` (image 10 MB bmp/png/jpeg/jpg/gif, voice 2 MB
mp3/wma/wav/amr, video 10 MB mp4 with the `description` form field {"title", "introduction"}, thumb
64 KB jpg; only images answer a `url`); `media/uploadimg` stores an image for article bodies (jpg/png
under 1 MB) and answers only its `url`. Errors 40004 invalid media type, 40005 invalid file type,
40009/40010/40011/40012 invalid image/voice/video/thumb size, 41005 media data missing (y: for a video
without its description). Account options: `publish_polls`
(status reads before success, default 1), `publish_seconds` (or this long, default 0.5),
`publish_outcome` (0 success, or a failure status 2..6).

Data cube (数据统计, operations `metrics_account` / `metrics_post`): POST datacube/<api> with
{"begin_date", "end_date"} (YYYY-MM-DD, Beijing days). end_date may be at most yesterday; begin after end,
a span over the API's maximum (getusersummary/getusercumulate 7 days, getuserread 3, getarticlesummary and
getarticletotal 1; getbizsummary and getarticletotaldetail 7 (y)) or a date from today on is errcode
61501 "date range error"; an unparsable date 61500 "date format error". Figures come from
platform_sim.metrics (cn_metrics). getbizsummary and getarticletotaldetail (the replacements WeChat
names for getuserread / getarticlesummary / getarticletotal) answer `is_delay`: true while the window
touches the account's `metrics_late_days`. A name in `metrics_removed` is a field no longer sent, or for
a whole API name (e.g. "getuserread", which WeChat has stopped maintaining) errcode 48001 "api
unauthorized" (y). Article URLs carry `mid` (the publish's msg_data_id) and `idx`, as real ones do: the
data cube names articles by msgid "<mid>_<idx>".
"""

from __future__ import annotations

import hashlib
import json
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..kit import Ctx, PlatformSpec, operation
from ..state import Job, Post
from . import wechat_oa_push as push

ERRORS = {
    "rate_limited": (45009, "reach max api daily quota limit"),
    "server_error": (-1, "system error"),
    "timeout": (-1, "system error"),
    "token_expired": (42001, "access_token expired"),
    "token_revoked": (40001, "invalid credential, access_token is invalid or not latest"),
    "token_invalid": (40001, "invalid credential, access_token is invalid or not latest"),
    "bad_request": (44002, "empty post data"),
    "not_found": (53600, "Article ID invalid"),
    "forbidden": (48001, "api unauthorized"),
}
MB = 1024 * 1024
# type -> (largest size, file extensions, errcode for a file too big) for permanent material
MATERIAL_RULES = {
    "image": (10 * MB, ("bmp", "png", "jpeg", "jpg", "gif"), 40009, "invalid image size"),
    "voice": (2 * MB, ("mp3", "wma", "wav", "amr"), 40010, "invalid voice size"),
    "video": (10 * MB, ("mp4",), 40011, "invalid video size"),
    "thumb": (64 * 1024, ("jpg", "jpeg"), 40012, "invalid thumb size"),
}
UPLOADIMG_MAX_BYTES = 1 * MB - 1  # "大小必须在1MB以下"
UPLOADIMG_TYPES = ("jpg", "jpeg", "png")


def wechat_error(kind: str, message: str, status: int | None = None) -> Response:
    code, default = ERRORS[kind]
    text = default if message in (kind.replace("_", " "), "") else message
    return JSONResponse({"errcode": code, "errmsg": text}, status_code=status or 200)


def _err(code: int, message: str) -> Response:
    return JSONResponse({"errcode": code, "errmsg": message})


async def query_token(request: Request) -> str:
    return request.query_params.get("access_token", "")


SPEC = PlatformSpec(
    key="wechat_oa",
    display_name="WeChat Official Account",
    access_ttl=7200.0,
    refresh_ttl=7200.0,  # no refresh token: the app credentials fetch a new access token
    token_from=query_token,
    error=wechat_error,
)


async def _json(request: Request) -> dict:
    raw = await request.body()
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _appid_hint(request: Request, sim) -> object:
    return sim.state.account_by_app_id("wechat_oa", request.query_params.get("appid", ""))


async def _token_op(request: Request) -> str:
    account = request.app.state.sim.state.account_by_app_id(
        "wechat_oa", request.query_params.get("appid", "")
    )
    return "refresh" if account is not None and account.token_calls else "token"


@operation(SPEC, _token_op, auth=False, account_hint=_appid_hint)
async def cgi_token(request: Request, ctx: Ctx) -> Response:
    q = request.query_params
    if q.get("grant_type") != "client_credential":
        return _err(40002, "invalid grant_type")
    account = ctx.account
    if account is None:
        return _err(40013, "invalid appid")
    if q.get("secret") != account.app_secret:
        return _err(40125, "invalid appsecret")
    if account.token_calls:
        ctx.state.refresh_calls[("wechat_oa", account.external_id)] += 1
        # A new token leaves the previous ones valid for five more minutes.
        for old in ctx.state.tokens_of("wechat_oa", account.external_id, "access"):
            old.expires_at = min(old.expires_at, time.time() + 300)
    account.token_calls += 1
    token = ctx.state.issue(account, "access")
    return JSONResponse({"access_token": token.value, "expires_in": int(account.access_ttl)})


@operation(SPEC, "profile")
async def basic_info(request: Request, ctx: Ctx) -> Response:
    a = ctx.account
    return JSONResponse(
        {
            "errcode": 0,
            "errmsg": "ok",
            "appid": a.app_id,
            "username": a.external_id,
            "nickname": a.handle,
            # 1 订阅号 (subscription), 2 服务号 (service); verification as wx_verify_info states it
            "account_type": 2 if a.options.get("service_type") == "service" else 1,
            "wx_verify_info": {
                "qualification_verify": bool(a.options.get("verified", True)),
                "naming_verify": True,
            },
            "head_image_info": {"head_image_url": f"https://mmbiz.qpic.cn/{a.external_id}/0"},
        }
    )


def _extension(upload) -> str:
    """The file's type from its name, else from its content type (clients that send no file name)."""
    name = (upload.filename or "").lower()
    if "." in name:
        return name.rsplit(".", 1)[1]
    return (upload.content_type or "").split("/")[-1].lower()


@operation(SPEC, "upload")
async def add_material(request: Request, ctx: Ctx) -> Response:
    kind = request.query_params.get("type", "")
    form = await request.form()
    media = form.get("media")
    if kind not in MATERIAL_RULES:
        return _err(40004, "invalid media type")
    if media is None or isinstance(media, str):
        return _err(41005, "media data missing")
    limit, extensions, size_code, size_message = MATERIAL_RULES[kind]
    extension = _extension(media)
    if extension and extension not in extensions:
        return _err(40005, "invalid file type")
    extra: dict = {"material_type": kind}
    if kind == "video":
        # The documentation sends it as a second form field; wechatpy puts it in the query string.
        raw = form.get("description") or request.query_params.get("description") or ""
        try:
            description = json.loads(raw) if isinstance(raw, str) and raw else {}
        except ValueError:
            description = {}
        if not isinstance(description, dict) or not description.get("title"):
            return _err(41005, "media data missing: a video needs description {title, introduction}")
        extra.update(title=description.get("title", ""), introduction=description.get("introduction", ""))
    data = await media.read()
    if len(data) > limit:
        return _err(size_code, size_message)
    item = ctx.state.add_media(
        ctx.account,
        kind="image" if kind in ("image", "thumb") else kind,
        data=data,
        content_type=media.content_type or "",
        filename=media.filename or "",
    )
    item.extra.update(extra)
    answer = {"media_id": item.id}
    if kind == "image":  # "仅新增图片素材时会返回该字段"
        answer["url"] = f"http://mmbiz.qpic.cn/mmbiz/{item.id}/0"
    return JSONResponse(answer)


@operation(SPEC, "upload")
async def media_uploadimg(request: Request, ctx: Ctx) -> Response:
    """An image for article bodies: WeChat filters outside image links from article content, so images
    inside an article come from here. It answers only the URL and takes no library slot."""
    form = await request.form()
    media = form.get("media")
    if media is None or isinstance(media, str):
        return _err(41005, "media data missing")
    extension = _extension(media)
    if extension and extension not in UPLOADIMG_TYPES:
        return _err(40005, "invalid file type")
    data = await media.read()
    if len(data) > UPLOADIMG_MAX_BYTES:
        return _err(40009, "invalid image size")
    item = ctx.state.add_media(
        ctx.account,
        kind="image",
        data=data,
        content_type=media.content_type or "",
        filename=media.filename or "",
    )
    url = f"http://mmbiz.qpic.cn/mmbiz_jpg/{item.id}/0"
    item.extra.update(article_image=True, url=url)
    return JSONResponse({"url": url})


@operation(SPEC, "draft")
async def draft_add(request: Request, ctx: Ctx) -> Response:
    return push.draft_add_articles(ctx, (await _json(request)).get("articles") or [])


@operation(SPEC, "preview")
async def mass_preview(request: Request, ctx: Ctx) -> Response:
    return push.preview(ctx, await _json(request))


@operation(SPEC, "publish")
async def mass_sendall(request: Request, ctx: Ctx) -> Response:
    return push.sendall(
        ctx, await _json(request), new_post_id=lambda: str(2_247_483_000 + ctx.state.next_id())
    )


@operation(SPEC, "publish_status")
async def mass_get(request: Request, ctx: Ctx) -> Response:
    return push.mass_get(ctx, await _json(request))


@operation(SPEC, "publish")
async def freepublish_submit(request: Request, ctx: Ctx) -> Response:
    media_id = (await _json(request)).get("media_id", "")
    draft = ctx.state.get_media("wechat_oa", media_id)
    if draft is None or draft.kind != "draft" or draft.account_id != ctx.account.external_id:
        return _err(40007, "invalid media_id")
    articles = draft.extra["articles"]
    article = articles[0]
    post = ctx.state.add_post(
        ctx.account,
        text=article["content"],
        title=article["title"],
        media_ids=[article["thumb_media_id"]],
        kind="article",
        id=str(2_247_483_000 + ctx.state.next_id()),
        extra={"draft_media_id": media_id, "digest": article.get("digest", ""), "articles": articles},
    )
    publish_id = str(100_000_000 + ctx.state.next_id())
    options = ctx.account.options
    ctx.state.jobs[("wechat_oa", publish_id)] = Job(
        id=publish_id,
        platform="wechat_oa",
        account_id=ctx.account.external_id,
        post_id=post.id,
        polls_needed=int(options.get("publish_polls", 1)),
        seconds_needed=float(options.get("publish_seconds", 0.5)),
        outcome=str(options.get("publish_outcome", 0)),
    )
    post.extra["publish_id"] = publish_id
    return JSONResponse({"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": publish_id})


def _visible(ctx: Ctx, post: Post) -> bool:
    job = ctx.state.jobs.get(("wechat_oa", post.extra.get("publish_id", "")))
    return job is None or (job.done() and job.outcome == "0")


def _article_url(post: Post, idx: int = 1) -> str:
    """The real shape: __biz (the account), mid (the publish's msg_data_id), idx (1-based), sn (a hash)."""
    biz = hashlib.sha256(post.account_id.encode()).hexdigest()[:16]
    sn = hashlib.sha256(f"{post.id}/{idx}".encode()).hexdigest()[:32]
    return f"https://mp.weixin.qq.com/s?__biz={biz}&mid={_msg_data_id(post)}&idx={idx}&sn={sn}"


def _msg_data_id(post: Post) -> str:
    return str(post.extra.get("publish_id") or post.id)


def _msgid(post: Post) -> str:
    return f"{_msg_data_id(post)}_1"


@operation(SPEC, "publish_status")
async def freepublish_get(request: Request, ctx: Ctx) -> Response:
    publish_id = str((await _json(request)).get("publish_id", ""))
    job = ctx.state.jobs.get(("wechat_oa", publish_id))
    if job is None or job.account_id != ctx.account.external_id:
        return _err(40007, "invalid publish_id")
    job.polls += 1
    if not job.done():
        return JSONResponse({"publish_id": publish_id, "publish_status": 1, "errcode": 0, "errmsg": "ok"})
    if job.outcome != "0":
        return JSONResponse(
            {
                "publish_id": publish_id,
                "publish_status": int(job.outcome),
                "fail_idx": [1],
                "errcode": 0,
                "errmsg": "ok",
            }
        )
    post = ctx.state.posts[("wechat_oa", job.post_id)]
    count = len(post.extra.get("articles") or [None])
    items = [{"idx": idx, "article_url": _article_url(post, idx)} for idx in range(1, count + 1)]
    return JSONResponse(
        {
            "publish_id": publish_id,
            "publish_status": 0,
            "article_id": post.id,
            "article_detail": {"count": count, "item": items},
            "fail_idx": [],
            "errcode": 0,
            "errmsg": "ok",
        }
    )


def _news_items(post: Post, with_content: bool = True) -> list[dict]:
    """Every article of the publish, as getarticle and batchget answer them."""
    articles = post.extra.get("articles") or [
        {"title": post.title, "content": post.text, "digest": post.extra.get("digest", "")}
    ]
    return [
        {
            "title": a.get("title", ""),
            "author": a.get("author", ""),
            "digest": a.get("digest", ""),
            "content": a.get("content", "") if with_content else "",
            "content_source_url": a.get("content_source_url", ""),
            "thumb_media_id": a.get("thumb_media_id") or (post.media_ids[0] if post.media_ids else ""),
            "url": _article_url(post, idx),
            "is_deleted": post.deleted,
        }
        for idx, a in enumerate(articles, start=1)
    ]


@operation(SPEC, "lookup")
async def freepublish_getarticle(request: Request, ctx: Ctx) -> Response:
    article_id = str((await _json(request)).get("article_id", ""))
    post = ctx.state.get_post("wechat_oa", article_id)
    if post is None or post.account_id != ctx.account.external_id or not _visible(ctx, post):
        return ctx.error("not_found")
    return JSONResponse({"news_item": _news_items(post)})


@operation(SPEC, "list")
async def freepublish_batchget(request: Request, ctx: Ctx) -> Response:
    body = await _json(request)
    offset, count = int(body.get("offset", 0)), min(int(body.get("count", 20)), 20)
    with_content = not int(body.get("no_content", 0))
    posts = [p for p in ctx.state.posts_of("wechat_oa", ctx.account.external_id) if _visible(ctx, p)]
    items = [
        {
            "article_id": p.id,
            "content": {"news_item": _news_items(p, with_content)},
            "update_time": int(p.created_at),
        }
        for p in posts[offset : offset + count]
    ]
    return JSONResponse({"total_count": len(posts), "item_count": len(items), "item": items})


@operation(SPEC, "delete")
async def freepublish_delete(request: Request, ctx: Ctx) -> Response:
    article_id = str((await _json(request)).get("article_id", ""))
    post = ctx.state.get_post("wechat_oa", article_id)
    if post is None or post.account_id != ctx.account.external_id:
        return ctx.error("not_found")
    post.deleted = True
    return JSONResponse({"errcode": 0, "errmsg": "ok"})


def routes() -> list[Route]:
    from . import wechat_oa_datacube as cube
    from .wechat_oa_inbox import routes as inbox_routes  # customer-service messages (imports this)

    return [
        *inbox_routes(),
        Route("/cgi-bin/token", cgi_token),
        Route("/cgi-bin/account/getaccountbasicinfo", basic_info, methods=["GET", "POST"]),
        Route("/cgi-bin/material/add_material", add_material, methods=["POST"]),
        Route("/cgi-bin/media/uploadimg", media_uploadimg, methods=["POST"]),
        Route("/cgi-bin/draft/add", draft_add, methods=["POST"]),
        Route("/cgi-bin/message/mass/preview", mass_preview, methods=["POST"]),
        Route("/cgi-bin/message/mass/sendall", mass_sendall, methods=["POST"]),
        Route("/cgi-bin/message/mass/get", mass_get, methods=["POST"]),
        Route("/cgi-bin/freepublish/submit", freepublish_submit, methods=["POST"]),
        Route("/cgi-bin/freepublish/get", freepublish_get, methods=["POST"]),
        Route("/cgi-bin/freepublish/getarticle", freepublish_getarticle, methods=["POST"]),
        Route("/cgi-bin/freepublish/batchget", freepublish_batchget, methods=["POST"]),
        Route("/cgi-bin/freepublish/delete", freepublish_delete, methods=["POST"]),
        Route("/datacube/getusersummary", cube.datacube_usersummary, methods=["POST"]),
        Route("/datacube/getusercumulate", cube.datacube_usercumulate, methods=["POST"]),
        Route("/datacube/getuserread", cube.datacube_userread, methods=["POST"]),
        Route("/datacube/getbizsummary", cube.datacube_bizsummary, methods=["POST"]),
        Route("/datacube/getarticlesummary", cube.datacube_articlesummary, methods=["POST"]),
        Route("/datacube/getarticletotal", cube.datacube_articletotal, methods=["POST"]),
        Route("/datacube/getarticletotaldetail", cube.datacube_articletotaldetail, methods=["POST"]),
    ]
