"""WeChat Official Account: answering a fan with a customer-service message (客服消息,
`cgi-bin/message/custom/send`, JSON {touser, msgtype "text", text {content}}). WeChat allows it within 48
hours after the fan's latest message, at most 5 per fan message (errors 45015 and 45047); the inbox checks
the window before calling (inbox.reply_windows). The answer carries no message id: our reply is known by
the idempotency key the caller gives."""

from __future__ import annotations

import json

from ..base import Credentials
from ..http import need
from ..inbound import ReplyResult, ReplyTarget


class WeChatCustomerService:
    """Mixed into WeChatOAConnector."""

    def reply(
        self, credentials: Credentials, *, to: ReplyTarget, text: str, idempotency_key: str = ""
    ) -> ReplyResult:
        openid = to.author_id or to.thread_id.removeprefix("dm:")
        body = {"touser": openid, "msgtype": "text", "text": {"content": text}}
        answer = self._call(
            credentials,
            "cgi-bin/message/custom/send",
            "reply",
            unsafe=True,
            content=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json"},
        )
        need(answer, "errcode", kind=int)  # custom/send always answers errcode (0: sent)
        return ReplyResult(external_id=f"wechat-cs-{idempotency_key}" if idempotency_key else "")
