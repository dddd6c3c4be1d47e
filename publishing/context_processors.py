"""The top bar's bell: the person's unread notices (approvals' and publishing's), counted only when a
page renders it, in one query whatever the number of rows."""

from __future__ import annotations

from django.utils.functional import cached_property

from .selectors import unread_notifications_count


class _Bell:
    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_notifications_count(user=self.user)


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": _Bell(user)}
