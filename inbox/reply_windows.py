"""The platforms' own reply windows, enforced before any call (PLATFORMS.md):

- WeChat Official Account customer-service messages: within 48 hours after the fan's latest message,
  at most 5 of our messages per fan message (error 45015 outside the window).
- Messenger and Instagram direct messages: within 24 hours after the fan's latest message (7 days with
  the HUMAN_AGENT tag, which this release does not send).
Comments and mentions have no window. `reply_window(item, now)` says when the window closes (None: no
window) and why a reply is refused now ("" when it may go).
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


@dataclass(frozen=True)
class ReplyWindow:
    closes_at: datetime | None
    refused: str = ""  # the reason a reply cannot go now, in people's words


def reply_window(item: InboxItem, now: datetime) -> ReplyWindow:
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
        sent = InboxReply.objects.filter(
            item__conversation_id=item.conversation_id,
            created_at__gte=last_fan,
            status__in=[InboxReply.Status.QUEUED, InboxReply.Status.SENDING, InboxReply.Status.SENT],
        ).count()
        if sent >= most:
            return ReplyWindow(
                closes_at,
                _("%(platform)s allows at most %(count)s answers to one message of the fan; wait for them.")
                % {"platform": item.account.get_platform_display(), "count": most},
            )
    return ReplyWindow(closes_at)
