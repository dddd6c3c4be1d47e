"""WeChat Official Account data cube (数据统计): see wechat_oa.py's docstring for the rules."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..kit import Ctx, operation
from ..state import Account, Post
from . import cn_metrics as cm
from .wechat_oa import SPEC, _err, _json, _msgid, _visible

# --- data cube ---

# API -> its largest window in days
DATACUBE_SPANS = {
    "getusersummary": 7,
    "getusercumulate": 7,
    "getuserread": 3,
    "getarticlesummary": 1,
    "getarticletotal": 1,
    "getbizsummary": 7,  # (y) span not stated on the page we read
    "getarticletotaldetail": 7,  # (y) likewise; each article's figures cover at most 30 days
}


async def _window(request: Request, ctx: Ctx, api: str) -> tuple[list[date], Response | None]:
    """The days asked for, or WeChat's refusal."""
    if cm.removed(ctx.account, api):
        return [], _err(48001, "api unauthorized")
    body = await _json(request)
    begin, end = cm.parse_day(body.get("begin_date", "")), cm.parse_day(body.get("end_date", ""))
    if begin is None or end is None:
        return [], _err(61500, "date format error")
    span = (end - begin).days + 1
    if span < 1 or span > DATACUBE_SPANS[api] or end > cm.yesterday():
        return [], _err(61501, "date range error")
    return [begin + timedelta(days=n) for n in range(span)], None


def _published_on(ctx: Ctx, day: date) -> list[Post]:
    return [
        p
        for p in ctx.state.posts_of("wechat_oa", ctx.account.external_id)
        if _visible(ctx, p) and cm.beijing_date(p.created_at) == day
    ]


def _article_read(account: Account, post: Post, at: float) -> dict[str, int]:
    """An article's old-style (getarticletotal) cumulative figures at `at`."""
    f = cm.post_figures(account, post, at)
    return {
        "int_page_read_user": f["reach"],
        "int_page_read_count": f["views"],
        "ori_page_read_user": f["clicks"] // 2,
        "ori_page_read_count": f["clicks"],
        "share_user": f["shares"],
        "share_count": f["shares"],
        "add_to_fav_user": f["saves"],
        "add_to_fav_count": f["saves"],
    }


def _article_detail(account: Account, post: Post, at: float) -> dict[str, int]:
    """An article's new-style (getarticletotaldetail / getarticleread) cumulative figures at `at`."""
    f = cm.post_figures(account, post, at)
    return {
        "read_user": f["reach"],
        "share_user": f["shares"],
        "zaikan_user": f["likes"] // 3,
        "like_user": f["likes"],
        "comment_count": f["comments"],
    }


def _account_read(account: Account, day: date) -> dict[str, int]:
    d = cm.account_day(account, day)
    return {
        "int_page_read_user": d["reach"],
        "int_page_read_count": d["views"],
        "ori_page_read_user": d["reach"] // 20,
        "ori_page_read_count": d["views"] // 20,
        "share_user": d["reach"] // 40,
        "share_count": d["views"] // 40,
        "add_to_fav_user": d["reach"] // 60,
        "add_to_fav_count": d["views"] // 60,
    }


def _biz_summary(account: Account, day: date) -> dict[str, int]:
    d = cm.account_day(account, day)
    return {
        "read_user": d["reach"],
        "share_user": d["reach"] // 40,
        "zaikan_user": d["reach"] // 80,
        "like_user": d["reach"] // 50,
        "comment_count": d["views"] // 200,
    }


@operation(SPEC, "metrics_account")
async def datacube_usersummary(request: Request, ctx: Ctx) -> Response:
    days, refused = await _window(request, ctx, "getusersummary")
    if refused:
        return refused
    rows = [
        {
            "ref_date": day.isoformat(),
            "user_source": 0,
            **cm.without_removed(
                ctx.account,
                {
                    "new_user": cm.account_day(ctx.account, day)["new_followers"],
                    "cancel_user": cm.lost_followers(ctx.account, day),
                },
            ),
        }
        for day in days
    ]
    return JSONResponse({"list": rows})


@operation(SPEC, "metrics_account")
async def datacube_usercumulate(request: Request, ctx: Ctx) -> Response:
    days, refused = await _window(request, ctx, "getusercumulate")
    if refused:
        return refused
    rows = [
        {
            "ref_date": day.isoformat(),
            **cm.without_removed(ctx.account, {"cumulate_user": cm.followers_at_end(ctx.account, day)}),
        }
        for day in days
    ]
    return JSONResponse({"list": rows})


@operation(SPEC, "metrics_account")
async def datacube_userread(request: Request, ctx: Ctx) -> Response:
    days, refused = await _window(request, ctx, "getuserread")
    if refused:
        return refused
    rows = [
        {
            "ref_date": day.isoformat(),
            "user_source": 99999999,  # all sources
            **cm.without_removed(ctx.account, _account_read(ctx.account, day)),
        }
        for day in days
    ]
    return JSONResponse({"list": rows})


@operation(SPEC, "metrics_account")
async def datacube_bizsummary(request: Request, ctx: Ctx) -> Response:
    days, refused = await _window(request, ctx, "getbizsummary")
    if refused:
        return refused
    rows = [
        {
            "ref_date": day.isoformat(),
            "detail": cm.without_removed(ctx.account, _biz_summary(ctx.account, day)),
        }
        for day in days
    ]
    return JSONResponse({"list": rows, "is_delay": any(cm.is_late(ctx.account, d) for d in days)})


@operation(SPEC, "metrics_post")
async def datacube_articlesummary(request: Request, ctx: Ctx) -> Response:
    """Every article read on the day, with that day's own figures (the day's growth)."""
    days, refused = await _window(request, ctx, "getarticlesummary")
    if refused:
        return refused
    rows = []
    for day in days:
        for post in ctx.state.posts_of("wechat_oa", ctx.account.external_id):
            if not _visible(ctx, post) or cm.beijing_date(post.created_at) > day:
                continue
            before = _article_read(ctx.account, post, cm.day_start(day))
            after = _article_read(ctx.account, post, cm.day_end(day))
            growth = {k: after[k] - before[k] for k in after}
            rows.append(
                {
                    "ref_date": day.isoformat(),
                    "msgid": _msgid(post),
                    "title": post.title,
                    **cm.without_removed(ctx.account, growth),
                }
            )
    return JSONResponse({"list": rows})


@operation(SPEC, "metrics_post")
async def datacube_articletotal(request: Request, ctx: Ctx) -> Response:
    """Articles published on the day, with their cumulative figures for each of their first 7 days."""
    days, refused = await _window(request, ctx, "getarticletotal")
    if refused:
        return refused
    last = cm.yesterday()
    rows = []
    for day in days:
        for post in _published_on(ctx, day):
            stat_days = [day + timedelta(days=n) for n in range(7) if day + timedelta(days=n) <= last]
            details = [
                {
                    "stat_date": stat.isoformat(),
                    "target_user": ctx.account.followers,
                    **cm.without_removed(ctx.account, _article_read(ctx.account, post, cm.day_end(stat))),
                }
                for stat in stat_days
            ]
            rows.append(
                {"ref_date": day.isoformat(), "msgid": _msgid(post), "title": post.title, "details": details}
            )
    return JSONResponse({"list": rows})


@operation(SPEC, "metrics_post")
async def datacube_articletotaldetail(request: Request, ctx: Ctx) -> Response:
    """Articles published in the window, each with its cumulative figures per day (at most 30 days)."""
    days, refused = await _window(request, ctx, "getarticletotaldetail")
    if refused:
        return refused
    last = cm.yesterday()
    rows, late = [], False
    for day in days:
        for post in _published_on(ctx, day):
            stat_days = [day + timedelta(days=n) for n in range(30) if day + timedelta(days=n) <= last]
            late = late or any(cm.is_late(ctx.account, stat) for stat in stat_days)
            details = [
                {
                    "stat_date": stat.isoformat(),
                    **cm.without_removed(ctx.account, _article_detail(ctx.account, post, cm.day_end(stat))),
                }
                for stat in stat_days
            ]
            rows.append(
                {
                    "ref_date": day.isoformat(),
                    "msgid": _msgid(post),
                    "publish_type": 0,
                    "detail_list": details,
                }
            )
    return JSONResponse({"list": rows, "is_delay": late})
