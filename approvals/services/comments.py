"""Comments on a post in review, anchored to a phrase of a variant."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Capability
from accounts.selectors import workspace_access_for
from core.audit import audit_record
from core.errors import NotFound, PermissionRefused, ValidationFailed

from ..models import (
    NotificationKind,
    PostComment,
)
from ..notifications import notify
from .posts import _label

MENTION = re.compile(r"@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def _mentioned(post, body: str, mentions) -> list:
    from accounts.models import User

    emails = {m.lower() for m in MENTION.findall(body or "")}
    ids = [int(getattr(m, "pk", m)) for m in mentions or []]
    users = list(User.objects.filter(Q(pk__in=ids) | Q(email__in=emails)))
    return [u for u in users if workspace_access_for(user=u, workspace_id=post.workspace_id) is not None]


def _comment(
    *,
    post,
    body: str,
    author=None,
    author_label: str,
    external: bool,
    target=None,
    anchor_start=None,
    anchor_end=None,
    request=None,
    mentions=(),
) -> PostComment:
    from content.models import PostTarget

    body = (body or "").strip()
    if not body:
        raise ValidationFailed(_("Write a comment."), field="body")
    target_obj = None
    if target not in (None, ""):
        target_obj = PostTarget.objects.filter(post_id=post.pk, pk=int(getattr(target, "pk", target))).first()
        if target_obj is None:
            raise ValidationFailed(
                _("No such variant on this post."), code="not_in_workspace", field="target"
            )
    anchor_text = ""
    if anchor_start is not None or anchor_end is not None:
        if target_obj is None:
            raise ValidationFailed(_("Anchor a comment on a variant's text."), field="target")
        if (
            anchor_start is None
            or anchor_end is None
            or not 0 <= int(anchor_start) < int(anchor_end) <= len(target_obj.text)
        ):
            raise ValidationFailed(_("The span is outside the variant's text."), field="anchor_start")
        anchor_text = target_obj.text[int(anchor_start) : int(anchor_end)][:1000]
    comment = PostComment.objects.create(
        workspace_id=post.workspace_id,
        post_id=post.pk,
        target=target_obj,
        request=request,
        post_version=post.version,
        body=body,
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        anchor_text=anchor_text,
        author=author,
        author_label=author_label,
        external=external,
    )
    people = _mentioned(post, body, mentions)
    if people:
        comment.mentions.set(people)
        notify(
            [u for u in people if author is None or u.pk != author.pk],
            kind=NotificationKind.MENTIONED,
            post=post,
            request=request,
            extra=body[:200],
        )
    audit_record(
        actor=author,
        actor_label=author_label,
        action="approval.comment",
        target=post,
        workspace=post.workspace,
        after={
            "comment": comment.pk,
            "target": target_obj.pk if target_obj else None,
            "anchor": anchor_text,
            "external": external,
        },
    )
    return comment


@transaction.atomic
def comment_create(
    *, actor, post, body: str, target=None, anchor_start=None, anchor_end=None, request=None, mentions=()
) -> PostComment:
    access = workspace_access_for(user=actor, workspace_id=post.workspace_id)
    if access is None:
        raise NotFound(_("No such post."))
    if not access.can(Capability.POST_COMMENT):
        raise PermissionRefused(_("Your role does not allow commenting."))
    if request is not None and request.post_id != post.pk:
        raise ValidationFailed(_("This request is about another post."), field="request")
    return _comment(
        post=post,
        body=body,
        author=actor,
        author_label=_label(actor),
        external=False,
        target=target,
        anchor_start=anchor_start,
        anchor_end=anchor_end,
        request=request,
        mentions=mentions,
    )


@transaction.atomic
def comment_resolve(*, actor, comment: PostComment, resolved: bool = True) -> PostComment:
    access = workspace_access_for(user=actor, workspace_id=comment.workspace_id)
    if access is None:
        raise NotFound(_("No such comment."))
    if not access.can(Capability.POST_COMMENT):
        raise PermissionRefused(_("Your role does not allow commenting."))
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = actor if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    audit_record(
        actor=actor,
        action="approval.comment_resolve" if resolved else "approval.comment_reopen",
        target=comment,
        workspace=comment.workspace,
    )
    return comment
