"""Meta's calls on fans' comments and messages, shared by the Facebook Page and Instagram modules, over
platform_sim.fans (the comments and DMs tests write through /_sim/fan-messages):

- Facebook comment reply: `POST /{comment-id}/comments` (message, optional attachment_url) -> {id}.
  Instagram comment reply: `POST /{ig-comment-id}/replies` (message) -> {id}.
- Hide: Facebook `POST /{comment-id}` is_hidden=true|false, Instagram `POST /{ig-comment-id}`
  hide=true|false -> {success: true}. Our own comments cannot be hidden (#100).
- Delete: `DELETE /{comment-id}` -> {success: true}; a comment already gone is "does not exist" (#100).
- Like (Facebook only): `POST /{comment-id}/likes` -> {success: true}.
- Send API: `POST /{page-id}/messages` (Instagram: `/{ig-user-id}/messages`), JSON {recipient: {id},
  messaging_type: RESPONSE | UPDATE | MESSAGE_TAG, tag: HUMAN_AGENT, message: {text} or
  {attachment: {type: image, payload: {url}}}} -> {recipient_id, message_id}. The standard messaging
  window: RESPONSE within 24 hours of the person's last message, MESSAGE_TAG + HUMAN_AGENT within
  7 days; outside it Meta answers (#10) with subcode 2018278 "sent outside of allowed window".
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .. import fans
from ..kit import Ctx
from ..state import now

RESPONSE_WINDOW = 24 * 3600.0
HUMAN_AGENT_WINDOW = 7 * 24 * 3600.0
OUTSIDE_WINDOW = (10, 2018278)


def meta_error(code: int, message: str, subcode: int | None = None, status: int = 400) -> Response:
    error = {"message": message, "type": "OAuthException", "code": code}
    error["fbtrace_id"] = secrets.token_urlsafe(8)
    if subcode:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=status)


def fan_message(request: Request, platform: str) -> fans.FanMessage | None:
    object_id = request.path_params.get("object_id", "")
    return fans.get(request.app.state.sim.state, platform, object_id)


def fan_missing(object_id: str) -> Response:
    return meta_error(
        100,
        f"Unsupported request. Object with ID '{object_id}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.",
        subcode=33,
    )


def _ours_to_act_on(ctx: Ctx, message: fans.FanMessage | None, object_id: str) -> Response | None:
    if message is None or message.deleted or message.account_id != ctx.account.external_id:
        return fan_missing(object_id)
    if message.kind == "direct_message":
        return meta_error(100, "(#100) This operation is not supported for messages.")
    return None


async def comment_reply(ctx: Ctx, message: fans.FanMessage | None, platform: str) -> Response:
    object_id = ctx.request.path_params["object_id"]
    if (refused := _ours_to_act_on(ctx, message, object_id)) is not None:
        return refused
    if (
        platform == "instagram" and message.hidden
    ):  # "You cannot reply to hidden comments" (IG Comment Replies)
        return meta_error(100, "(#100) You cannot reply to a hidden comment")
    p = await ctx.params()
    text = str(p.get("message") or "")
    attachment = str(p.get("attachment_url") or "") if platform == "facebook" else ""
    if not text.strip() and not attachment:
        return meta_error(100, "(#100) The parameter message or attachment_url is required")
    reply = fans.add(
        ctx.state,
        platform=platform,
        account_id=ctx.account.external_id,
        kind="reply",
        text=text,
        author_id=ctx.account.external_id,
        post_id=message.post_id,
        parent_id=message.id,
        attachment_url=attachment,
    )
    return JSONResponse({"id": reply.id})


async def hide(ctx: Ctx, message: fans.FanMessage | None, platform: str) -> Response:
    object_id = ctx.request.path_params["object_id"]
    if (refused := _ours_to_act_on(ctx, message, object_id)) is not None:
        return refused
    p = await ctx.params()
    name = "is_hidden" if platform == "facebook" else "hide"
    value = str(p.get(name, "")).lower()
    if value not in ("true", "false"):
        return meta_error(100, f"(#100) The parameter {name} is required")
    if message.author_id == ctx.account.external_id:
        return meta_error(100, "(#100) You cannot hide your own comment")
    message.hidden = value == "true"
    message.seq = ctx.state.next_id()
    return JSONResponse({"success": True})


async def delete(ctx: Ctx, message: fans.FanMessage | None) -> Response:
    object_id = ctx.request.path_params["object_id"]
    if (refused := _ours_to_act_on(ctx, message, object_id)) is not None:
        return refused
    message.deleted = True
    message.seq = ctx.state.next_id()
    return JSONResponse({"success": True})


async def like(ctx: Ctx, message: fans.FanMessage | None) -> Response:
    object_id = ctx.request.path_params["object_id"]
    if (refused := _ours_to_act_on(ctx, message, object_id)) is not None:
        return refused
    message.liked = True
    return JSONResponse({"success": True})


def comment_json(message: fans.FanMessage, iso) -> dict:
    return {
        "id": message.id,
        "message": message.text,
        "from": {"id": message.author_id, "name": message.author_name or message.author_handle},
        "created_time": iso(message.created_at),
        "is_hidden": message.hidden,
        "hidden": message.hidden,  # Instagram's name
        "user_likes": message.liked,
    }


async def send_message(ctx: Ctx, platform: str) -> Response:
    if ctx.request.path_params.get("page_id") not in (ctx.account.external_id, "me"):
        return meta_error(100, "(#100) The Page or account id does not match the token", status=400)
    p = await ctx.params()
    recipient = str((p.get("recipient") or {}).get("id") or "")
    body = p.get("message") or {}
    kind = str(p.get("messaging_type") or "RESPONSE")
    tag = str(p.get("tag") or "")
    text = str(body.get("text") or "") if isinstance(body, dict) else ""
    attachment = body.get("attachment") if isinstance(body, dict) else None
    url = ""
    if isinstance(attachment, dict):
        url = str((attachment.get("payload") or {}).get("url") or "")
        if attachment.get("type") not in ("image", "video", "audio", "file") or not url:
            return meta_error(100, "(#100) The attachment needs a type and a payload url")
    if not recipient:
        return meta_error(100, "(#100) The parameter recipient is required")
    if not text.strip() and not url:
        return meta_error(100, "(#100) The parameter message must have text or an attachment")
    if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG") or (kind == "MESSAGE_TAG" and tag != "HUMAN_AGENT"):
        return meta_error(100, "(#100) Invalid messaging_type or tag")
    theirs = [
        m
        for m in fans.of_account(ctx.state, platform, ctx.account.external_id, kinds=("direct_message",))
        if m.author_id == recipient
    ]
    if not theirs:
        return meta_error(100, "(#100) No matching user found", subcode=2018001)
    waited = now() - max(m.created_at for m in theirs)
    allowed = HUMAN_AGENT_WINDOW if kind == "MESSAGE_TAG" else RESPONSE_WINDOW
    if waited > allowed:
        return meta_error(
            OUTSIDE_WINDOW[0],
            "(#10) This message is sent outside of allowed window.",
            subcode=OUTSIDE_WINDOW[1],
        )
    sent = fans.add(
        ctx.state,
        platform=platform,
        account_id=ctx.account.external_id,
        kind="direct_message",
        text=text,
        author_id=ctx.account.external_id,
        post_id=theirs[0].post_id,
        attachment_url=url,
        extra={"messaging_type": kind, "tag": tag, "recipient": recipient},
    )
    return JSONResponse({"recipient_id": recipient, "message_id": f"m_{sent.id}"})
