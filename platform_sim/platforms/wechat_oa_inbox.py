"""WeChat Official Account customer-service messages (客服消息, developers.weixin.qq.com
/doc/offiaccount/Message_Management/Service_Center_messages.html):

`POST /cgi-bin/message/custom/send?access_token=` with JSON {touser, msgtype: "text", text: {content}}.
Allowed within 48 hours after the fan's latest message (their messages are the simulator's fan
messages of kind direct_message, author_id = the openid), at most 5 of ours per fan message: outside the
window errcode 45015 "response out of time limit or subscription is canceled", past the count 45047
"out of response count limit". Our message is stored as a message from the account (operation "reply").
"""

from __future__ import annotations

import json
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import fans
from ..kit import Ctx, operation
from .wechat_oa import SPEC, _err

WINDOW_SECONDS = 48 * 3600
MAX_PER_MESSAGE = 5


@operation(SPEC, "reply")
async def custom_send(request: Request, ctx: Ctx) -> Response:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return _err(47001, "data format error")
    openid = str(data.get("touser") or "")
    content = str((data.get("text") or {}).get("content") or "")
    if not openid or data.get("msgtype") != "text" or not content:
        return _err(40003, "invalid openid or message")
    messages = fans.of_account(ctx.state, "wechat_oa", ctx.account.external_id, kinds=("direct_message",))
    from_fan = [m for m in messages if m.author_id == openid]
    if not from_fan or time.time() - from_fan[0].created_at > WINDOW_SECONDS:
        return _err(45015, "response out of time limit or subscription is canceled")
    ours = [
        m
        for m in messages
        if m.author_id == ctx.account.external_id
        and m.parent_id == openid
        and m.created_at >= from_fan[0].created_at
    ]
    if len(ours) >= MAX_PER_MESSAGE:
        return _err(45047, "out of response count limit")
    fans.add(
        ctx.state,
        platform="wechat_oa",
        account_id=ctx.account.external_id,
        kind="direct_message",
        text=content,
        author_id=ctx.account.external_id,
        parent_id=openid,
        post_id=f"dm:{openid}",
    )
    return JSONResponse({"errcode": 0, "errmsg": "ok"})


def routes() -> list[Route]:
    return [Route("/cgi-bin/message/custom/send", custom_send, methods=["POST"])]
