"""Assisted publishing (Xiaohongshu, WeChat Channels): hand the post over to a person at its time."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy

from content.models import PostTarget
from content.models import TargetStatus as S

from ..models import PublishAttempt, PublishJob, PublishNotification
from ..notifications import lazy_message
from .config import Outcome, _hostname, assisted_overdue_for
from .transitions import _move, _next_attempt_number, _notify, _responsible_user_id, _team


def _hand_over(target: PostTarget, job: PublishJob, *, now: datetime) -> None:
    """At the due time, the responsible person gets the ready content; they confirm with the live URL
    (publishing.services.assisted_confirm) before the overdue time, or the post becomes overdue."""
    _move(target, S.PUBLISHING, error_message="")
    job.kind = PublishJob.Kind.ASSISTED
    job.lease_expires_at = now + assisted_overdue_for(target.workspace)
    job.save()
    PublishAttempt.objects.create(
        workspace_id=target.workspace_id,
        target=target,
        attempt_id=job.attempt_id,
        number=_next_attempt_number(target),
        started_at=now,
        finished_at=now,
        worker=_hostname()[:200],
        request={"platform": target.account.platform, "text": target.text[:2000], "assisted": True},
        outcome=Outcome.ASSISTED,
    )
    responsible = _responsible_user_id(target.account)
    from accounts.models import User

    recipients = list(User.objects.filter(pk=responsible)) if responsible else _team(target)
    _notify(
        target,
        PublishNotification.Kind.ASSISTED_DUE,
        lazy_message(
            gettext_lazy("“%(post)s” is due on %(account)s: post it and confirm with its link."),
            post=target.post,
            account=target.account,
        ),
        recipients=recipients,
        content={
            "text": target.text,
            "first_comment": target.first_comment,
            "media": [
                link.media.file.url for link in target.media_links.select_related("media") if link.media.file
            ],
            "overdue_at": job.lease_expires_at.isoformat(),
        },
    )
