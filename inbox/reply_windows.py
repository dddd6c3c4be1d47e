"""The platforms' own reply windows, enforced before any call (PLATFORMS.md):

- WeChat Official Account customer-service messages: within 48 hours after the fan's latest message,
  at most 5 of our messages per fan message (error 45015 outside the window).
- Messenger and Instagram direct messages: within 24 hours after the fan's latest message as a standard
  RESPONSE; after that, up to 7 days, only as a person's answer with the HUMAN_AGENT message tag
  (developers.facebook.com/docs/messenger-platform/send-messages/message-tags). Every inbox reply is
  written by a person, so the inbox sends the tag in that second stretch; `tag` says which.
Comments and mentions have no window. `reply_window(item, now)` says when the window closes (None: no
window), the message tag a reply sent now needs, and why a reply is refused now ("" when it may go).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from .models import InboxItem, InboxReply, ItemKind

WINDOWS = {
    "wechat_oa": (timedelta(hours=48), 5),
    "facebook": (timedelta(hours=24), None),
    "instagram": (timedelta(hours=24), None),
}
# Past the standard window, how much longer a person may still answer, and with which message tag.
HUMAN_AGENT = {
    "facebook": (timedelta(days=7), "HUMAN_AGENT"),
    "instagram": (timedelta(days=7), "HUMAN_AGENT"),
}


@dataclass(frozen=True)
class ReplyWindow:
    closes_at: datetime | None
    refused: str = ""  # the reason a reply cannot go now, in people's words
    tag: str = ""  # the message tag a reply sent now must carry ("" = none: the standard window)


def reply_window(item: InboxItem, now: datetime, *, sending: int | None = None) -> ReplyWindow:
    """`sending`: the reply being delivered now, which does not count against its own limit."""
    rule = WINDOWS.get(item.account.platform)
    if rule is None or item.kind != ItemKind.DIRECT_MESSAGE:
        return ReplyWindow(None)
    length, most = rule
    last_fan = (
        InboxItem.objects.filter(conversation_id=item.conversation_id, from_us=False)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    ) or item.sent_at
    closes_at = last_fan + length
    hours = int(length.total_seconds() // 3600)
    extended = HUMAN_AGENT.get(item.account.platform)
    if extended is not None:
        if now < closes_at:
            return ReplyWindow(last_fan + extended[0])
        closes_at = last_fan + extended[0]
        if now < closes_at:
            return ReplyWindow(closes_at, tag=extended[1])
        return ReplyWindow(
            closes_at,
            _(
                "%(platform)s lets a person answer a direct message only within %(days)s days of the fan's "
                "last message; that time ended at %(time)s. Wait for the fan to write again."
            )
            % {
                "platform": item.account.get_platform_display(),
                "days": extended[0].days,
                "time": closes_at.strftime("%Y-%m-%d %H:%M UTC"),
            },
        )
    if now >= closes_at:
        return ReplyWindow(
            closes_at,
            _(
                "%(platform)s lets you answer a direct message only within %(hours)s hours of the fan's "
                "last message; that time ended at %(time)s. Wait for the fan to write again."
            )
            % {
                "platform": item.account.get_platform_display(),
                "hours": hours,
                "time": closes_at.strftime("%Y-%m-%d %H:%M UTC"),
            },
        )
    if most is not None:
        sent = (
            InboxReply.objects.filter(
                item__conversation_id=item.conversation_id,
                created_at__gte=last_fan,
                status__in=[InboxReply.Status.QUEUED, InboxReply.Status.SENDING, InboxReply.Status.SENT],
            )
            .exclude(pk=sending)
            .count()
        )
        if sent >= most:
            return ReplyWindow(
                closes_at,
                _("%(platform)s allows at most %(count)s answers to one message of the fan; wait for them.")
                % {"platform": item.account.get_platform_display(), "count": most},
            )
    return ReplyWindow(closes_at)
