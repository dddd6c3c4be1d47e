"""The post lock every approval write takes first, and moving a post's variants through the one transition
table."""

from __future__ import annotations

from django.utils import timezone


def _label(actor) -> str:
    return getattr(actor, "email", "") or "system"


def lock_post(post_id: int) -> None:
    """The post lock every approval write takes first: content's one post lock (the lock order)."""
    from content.services import post_lock

    post_lock(post_id)


def move_targets(post, *, from_statuses, to: str) -> list[int]:
    """Move the post's variants in `from_statuses` to `to` (checked against the transition table) and
    keep the post's summed-up status in step. Returns the moved target ids."""
    from content.models import Post, PostTarget, aggregate_status, check_transition

    targets = list(PostTarget.objects.select_for_update().filter(post_id=post.pk).order_by("id"))
    moved = []
    for target in targets:
        if target.status in from_statuses and target.status != to:
            check_transition(target.status, to)
            target.status = to
            moved.append(target.pk)
    if moved:
        PostTarget.objects.filter(pk__in=moved).update(status=to, updated_at=timezone.now())
        status = aggregate_status(t.status for t in targets)
        Post.objects.filter(pk=post.pk).update(status=status)
        post.status = status
    return moved
