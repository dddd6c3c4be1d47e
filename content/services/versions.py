"""Snapshots, hashes and versions: what a post looked like at each save, for its history and diffs."""

from __future__ import annotations

from datetime import UTC

from django.utils.translation import gettext as _

from core.errors import Conflict, NotFound

from ..models import (
    MediaAsset,
    Post,
    PostTarget,
    PostVersion,
    aggregate_status,
)
from ..payload import canonical_hash, publishable

# --- lookups inside the workspace -------------------------------------------------------------------


def _load(post: Post) -> Post:
    """The post with targets, accounts, media, tags and campaign loaded (a fixed number of queries)."""
    from ..selectors import with_relations

    return with_relations(Post.objects.filter(pk=post.pk)).get()


def _target_media(target: PostTarget) -> list[MediaAsset]:
    return [link.media for link in target.media_links.all()]


def snapshot(post: Post) -> dict:
    """The whole post and its targets as JSON (what a version keeps)."""
    return {
        "title": post.title,
        "scheduled_at": post.scheduled_at.astimezone(UTC).isoformat() if post.scheduled_at else None,
        "campaign": {"id": post.campaign.pk, "name": post.campaign.name} if post.campaign else None,
        "tags": sorted(({"id": t.pk, "name": t.name} for t in post.tags.all()), key=lambda t: t["id"]),
        "is_paid_or_kol": post.is_paid_or_kol,
        "targets": [
            {
                "account": t.account_id,
                "platform": t.account.platform,
                "handle": t.account.handle,
                "status": t.status,
                "text": t.text,
                "first_comment": t.first_comment,
                "options": t.options,
                "media": [
                    {"id": m.pk, "name": m.original_name, "checksum": m.checksum, "alt_text": m.alt_text}
                    for m in _target_media(t)
                ],
            }
            for t in sorted(post.targets.all(), key=lambda t: t.account_id)
        ],
    }


def _record_version(post: Post, *, actor, summary: str, loaded: Post | None = None) -> PostVersion:
    """Store the post's hash, status and a new version (post.version is already bumped). `loaded`: the
    post as it is now, with its relations (else it is reloaded)."""
    full = loaded if loaded is not None else _load(post)
    data = snapshot(full)
    content_hash = canonical_hash(publishable(full))
    status = aggregate_status(t.status for t in full.targets.all())
    Post.objects.filter(pk=post.pk).update(content_hash=content_hash, status=status, version=post.version)
    post.content_hash, post.status = content_hash, status
    return PostVersion.objects.create(
        workspace_id=post.workspace_id,
        post=post,
        number=post.version,
        snapshot=data,
        content_hash=content_hash,
        author=actor if getattr(actor, "pk", None) else None,
        author_label=getattr(actor, "email", "") if actor is not None else "system",
        change_summary=summary[:300],
    )


def _lock(post: Post, *, version: int | None = None) -> Post:
    """Lock the post's row; refuse a deleted post and, when `version` is given, a stale edit."""
    locked = Post.objects.select_for_update().filter(pk=post.pk, deleted_at__isnull=True).first()
    if locked is None:
        raise NotFound(_("This post was deleted."))
    if version is not None and int(version) != locked.version:
        last = PostVersion.objects.filter(post=locked, number=locked.version).first()
        who = last.author_label if last is not None else _("someone")
        raise Conflict(
            _(
                "This post was changed by %(who)s since you opened it (you edited version %(yours)s, it is "
                "now at version %(current)s). Nothing was saved: reload it and apply your changes again."
            )
            % {"who": who, "yours": version, "current": locked.version},
            code="stale_version",
            field="version",
        )
    return locked
