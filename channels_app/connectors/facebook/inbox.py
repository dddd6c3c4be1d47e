"""Answering and moderating fans on Meta (Facebook Pages and Instagram share the shapes):

- Comment replies: Facebook `POST /{comment-id}/comments` (message, attachment_url for one image),
  Instagram `POST /{ig-comment-id}/replies` (message).
- Direct messages through the Send API: `POST /{page-id}/messages` (Instagram: `/{ig-user-id}/messages`)
  with `recipient.id` = the fan, `messaging_type` RESPONSE inside the 24-hour window, or MESSAGE_TAG with
  `tag` HUMAN_AGENT up to 7 days (inbox.reply_windows decides; the target's `messaging_tag` carries it).
  One image goes as its own message (`attachment.type` image, `payload.url`): a text and an image are two
  messages, the text first.
- Moderation: hide `POST /{comment-id}` is_hidden=true (Instagram: hide=true), delete `DELETE
  /{comment-id}`, like `POST /{comment-id}/likes` (Facebook only). All idempotent: a comment already
  deleted (#100, subcode 33) counts as deleted.
Replies and messages are sent unsafe (a timeout after sending is Unknown); Graph takes no idempotency key.
"""

from __future__ import annotations

from ..base import Credentials, MediaItem
from ..errors import ConnectorError, Rejected, Unknown
from ..inbound import ReplyResult, ReplyTarget


class MetaInboxMixin:
    # What the connector's platform calls the hide flag on a comment.
    hide_field = "is_hidden"
    # The comment-reply edge: "comments" (Facebook) or "replies" (Instagram).
    reply_edge = "comments"

    def inbox_owner(self, credentials: Credentials) -> str:  # the Page or Instagram account id
        raise NotImplementedError

    def reply(
        self,
        credentials: Credentials,
        *,
        to: ReplyTarget,
        text: str,
        idempotency_key: str = "",
        media: MediaItem | None = None,
    ) -> ReplyResult:
        token = credentials.access_token
        media_url = media.url if media is not None else ""
        if to.kind == "direct_message":
            return self._send_messages(credentials, to=to, text=text, media_url=media_url)
        data = {"message": text}
        if media_url:
            data["attachment_url"] = media_url
        body = self.graph(
            "POST",
            f"/{to.external_id}/{self.reply_edge}",
            operation="reply",
            token=token,
            unsafe=True,
            data=data,
        )
        return ReplyResult(external_id=str(body["id"]))

    def _send_messages(self, credentials: Credentials, *, to: ReplyTarget, text: str, media_url: str):
        owner = self.inbox_owner(credentials)
        base = {"recipient": {"id": to.author_id}, "messaging_type": "RESPONSE"}
        if to.messaging_tag:
            base = {**base, "messaging_type": "MESSAGE_TAG", "tag": to.messaging_tag}
        messages = []
        if text:
            messages.append({"text": text})
        if media_url:
            messages.append(
                {"attachment": {"type": "image", "payload": {"url": media_url, "is_reusable": True}}}
            )
        sent: list[str] = []
        for message in messages:
            try:
                body = self.graph(
                    "POST",
                    f"/{owner}/messages",
                    operation="reply",
                    token=credentials.access_token,
                    unsafe=True,
                    json={**base, "message": message},
                )
            except ConnectorError as exc:
                if sent:  # the text went, the image did not: a person checks; never re-sent as a whole
                    raise Unknown(
                        f"{self.platform} reply: the text was sent, the image was not: {exc}"
                    ) from exc
                raise
            sent.append(str(body["message_id"]))
        return ReplyResult(external_id=sent[0])

    def item_action(self, credentials: Credentials, *, target: ReplyTarget, action: str) -> None:
        token = credentials.access_token
        if action not in self.capabilities.item_actions:
            raise Rejected(f"{self.platform}: {action} is not offered")
        if action in ("hide", "unhide"):
            value = "true" if action == "hide" else "false"
            self.graph(
                "POST", f"/{target.external_id}", operation="hide", token=token, data={self.hide_field: value}
            )
        elif action == "like":
            self.graph("POST", f"/{target.external_id}/likes", operation="like", token=token)
        elif action == "delete":
            try:
                self.graph("DELETE", f"/{target.external_id}", operation="comment_delete", token=token)
            except Rejected as exc:
                # (#100) "Object with ID ... does not exist" (subcode 33): already deleted, by us or the fan
                if exc.platform_code != 100 or "does not exist" not in (exc.platform_message or ""):
                    raise
