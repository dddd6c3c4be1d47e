"""Writing many new posts at once: each exactly as content.services.post_create writes one (a draft with
one target per account, version 1 with its snapshot, the content hash, the compliance result and a
`post.create` audit row), in a fixed number of queries per batch instead of about sixteen per post.

The caller has validated everything post_create checks (accounts connected and in the workspace, media,
campaign and tags of the workspace, tag rules, first comments only where the platform takes one) and
passes objects, not ids. The snapshot, hash and compliance come from the same functions post_create uses
(content.services.snapshot, publishable, compliance_for_post), fed with the rows just written instead of
re-reading them, so an imported post is indistinguishable from one made in the composer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.audit import audit_event
from core.bulk import update_rows
from core.models import AuditEvent

from .. import services
from ..models import (
    BannedWord,
    Campaign,
    MediaAsset,
    Post,
    PostTarget,
    PostTargetMedia,
    PostVersion,
    Tag,
    TargetStatus,
)

BATCH_SIZE = 500


@dataclass
class NewTarget:
    account: object  # channels_app.models.SocialAccount of the workspace
    text: str
    first_comment: str = ""
    media: list[MediaAsset] = field(default_factory=list)


@dataclass
class NewPost:
    targets: list[NewTarget]
    title: str = ""
    scheduled_at: datetime | None = None  # aware
    campaign: Campaign | None = None
    tags: list[Tag] = field(default_factory=list)
    is_paid_or_kol: bool = False
    change_summary: str = ""


def posts_create_many(
    *,
    actor,
    workspace,
    posts: Sequence[NewPost],
    banned_words: Sequence[BannedWord],
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> list[Post]:
    """Create every post in `posts`, in order. Run it inside a transaction (the caller's all or nothing);
    `progress(n)` is called with the number written so far after each batch."""
    created: list[Post] = []
    for start in range(0, len(posts), batch_size):
        created += _create_batch(actor, workspace, posts[start : start + batch_size], banned_words)
        if progress is not None:
            progress(len(created))
    return created


def _create_batch(actor, workspace, batch: Sequence[NewPost], banned_words) -> list[Post]:
    author = actor if getattr(actor, "pk", None) else None
    posts = Post.objects.bulk_create(
        [
            Post(
                workspace=workspace,
                title=(item.title or "")[:200],
                campaign=item.campaign,
                author=author,
                scheduled_at=item.scheduled_at,
                is_paid_or_kol=bool(item.is_paid_or_kol),
                status=TargetStatus.DRAFT,
                version=1,
            )
            for item in batch
        ]
    )
    targets = PostTarget.objects.bulk_create(
        [
            PostTarget(
                workspace_id=workspace.pk,
                post=post,
                account=target.account,
                text=target.text,
                first_comment=target.first_comment,
                options={},
            )
            for post, item in zip(posts, batch, strict=True)
            for target in item.targets
        ]
    )
    links = PostTargetMedia.objects.bulk_create(
        [
            PostTargetMedia(target=target, media=media, position=position)
            for target, new in zip(targets, (t for item in batch for t in item.targets), strict=True)
            for position, media in enumerate(new.media)
        ]
    )
    Post.tags.through.objects.bulk_create(
        [
            Post.tags.through(post_id=post.pk, tag_id=tag.pk)
            for post, item in zip(posts, batch, strict=True)
            for tag in item.tags
        ]
    )
    _as_loaded(posts, batch, targets, links)
    versions, events = [], []
    for post in posts:
        post.content_hash = services.canonical_hash(services.publishable(post))
        post.compliance = services.compliance_summary(
            services.compliance_for_post(post, banned_words=banned_words)
        )
    _store_results(posts)
    for post, item in zip(posts, batch, strict=True):
        versions.append(
            PostVersion(
                workspace_id=workspace.pk,
                post=post,
                number=1,
                snapshot=services.snapshot(post),
                content_hash=post.content_hash,
                author=author,
                author_label=getattr(actor, "email", "") if actor is not None else "system",
                change_summary=(item.change_summary or "")[:300],
            )
        )
        events.append(
            audit_event(
                actor=actor,
                action="post.create",
                target=post,
                workspace=workspace,
                after={"version": 1, "accounts": [t.account.pk for t in item.targets]},
            )
        )
    PostVersion.objects.bulk_create(versions)
    AuditEvent.objects.bulk_create(events)
    return posts


def _store_results(posts: Sequence[Post]) -> None:
    """Each post's content hash and compliance result, in one UPDATE (core.bulk.update_rows: Django's
    bulk_update builds a CASE expression per row and cost more than all the inserts)."""
    update_rows(Post, {p.pk: {"content_hash": p.content_hash, "compliance": p.compliance} for p in posts})


def _as_loaded(posts, batch, targets, links) -> None:
    """Give the posts just written the relations content.selectors.with_relations would read back (tags,
    targets with their accounts, media links with their media), so that snapshot, publishable and
    compliance_for_post read them without a query: Django's prefetch cache, filled by hand."""
    links_by_target: dict[int, list[PostTargetMedia]] = {}
    for link in links:
        links_by_target.setdefault(link.target_id, []).append(link)
    targets_by_post: dict[int, list[PostTarget]] = {}
    for target in targets:
        target._prefetched_objects_cache = {"media_links": links_by_target.get(target.pk, [])}
        targets_by_post.setdefault(target.post_id, []).append(target)
    for post, item in zip(posts, batch, strict=True):
        post._prefetched_objects_cache = {
            "tags": sorted(item.tags, key=lambda tag: (tag.group_id, tag.name)),
            "targets": targets_by_post.get(post.pk, []),
        }
