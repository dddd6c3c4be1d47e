"""The media library: uploads, alt text and replacement (an edit resets the approvals of the posts that
use the file)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.models import Workspace
from channels_app.models import SocialAccount
from core.audit import audit_record
from core.errors import Conflict, ValidationFailed

from .. import hooks
from ..media_inspect import DEFAULT_MAX_BYTES, MediaInfo, MediaRejected, inspect_upload, suitability
from ..media_privacy import without_location
from ..models import (
    LOCKED_STATUSES,
    MediaAsset,
    Post,
    PostTarget,
    PostTargetMedia,
)

# --- lookups inside the workspace -------------------------------------------------------------------
from .lookups import S, _fetch, _ids
from .posts import _move
from .versions import _load, _record_version

THUMBNAIL_SIZE = (480, 480)
ALT_TEXT_MAX_LENGTH = 1000  # the column's size


def _clean_alt_text(alt_text) -> str:
    """The one rule for alt text, for the API and the dashboard alike."""
    alt_text = (alt_text or "").strip()
    if len(alt_text) > ALT_TEXT_MAX_LENGTH:
        raise ValidationFailed(
            _("Use at most %(count)d characters.") % {"count": ALT_TEXT_MAX_LENGTH},
            field="alt_text",
            code="too_long",
        )
    return alt_text


def _thumbnail(upload) -> bytes | None:
    from PIL import Image, ImageOps

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.seek(0)
            image = ImageOps.exif_transpose(image.copy())
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.save(out, "JPEG", quality=82)
            return out.getvalue()
    finally:
        upload.seek(0)


# The largest image any platform we publish to takes is 20 MB (Weibo); 30 MB leaves room for editing.
DEFAULT_MAX_IMAGE_BYTES = 30 * 1024 * 1024


def _without_location(upload, info: MediaInfo):
    """The upload without GPS metadata (content.media_privacy), and its info with the new size: what is
    stored, hashed and approved is the file without the place it was taken."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    cleaned = without_location(data, info.mime)
    if cleaned is data or cleaned == data:
        return upload, info
    return ContentFile(cleaned, name=upload.name), dataclasses.replace(info, size=len(cleaned))


def _checksum(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def media_upload(
    *,
    actor,
    workspace: Workspace,
    file,
    platforms: Sequence[str] = (),
    accounts: Sequence = (),
    alt_text: str = "",
    max_bytes: int | None = None,
) -> MediaAsset:
    """Inspect the upload (its bytes decide what it is), check it suits the chosen platforms (and the
    chosen accounts' platforms), then store it and its thumbnail under the workspace. Any refusal happens
    before anything is stored."""
    limit = max_bytes or getattr(settings, "KAWO_MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES)
    alt_text = _clean_alt_text(alt_text)
    platforms = list(platforms)
    account_ids = _ids(accounts, field="accounts")
    platforms += [
        a.platform
        for a in _fetch(SocialAccount, workspace, account_ids, field="accounts", label=_("account")).values()
    ]
    info: MediaInfo = inspect_upload(file, max_bytes=limit)
    if info.kind == "image":
        image_limit = getattr(settings, "KAWO_MEDIA_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)
        if info.size > image_limit:
            raise MediaRejected(
                _("The image is %(size)s; images may be at most %(limit)s.")
                % {"size": filesizeformat(info.size), "limit": filesizeformat(image_limit)},
                code="too_large",
            )
        file, info = _without_location(file, info)
    problems = [p for items in suitability(info, list(dict.fromkeys(platforms))).values() for p in items]
    if problems:
        raise MediaRejected(" ".join(problems), code="unsuitable")
    checksum = _checksum(file)
    thumbnail = _thumbnail(file) if info.kind == "image" else None
    stored: list = []
    try:
        with transaction.atomic():
            asset = MediaAsset(
                workspace=workspace,
                original_name=(info.filename or "")[:255],
                kind=info.kind,
                mime=info.mime,
                size=info.size,
                width=info.width,
                height=info.height,
                duration_seconds=info.duration_seconds,
                frames=info.frames,
                checksum=checksum,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                alt_text=alt_text or "",
            )
            asset.file.save(info.filename or "upload", file, save=False)
            stored.append(asset.file)
            if thumbnail is not None:
                asset.thumbnail.save("thumb.jpg", ContentFile(thumbnail), save=False)
                stored.append(asset.thumbnail)
            asset.save()
            audit_record(
                actor=actor,
                action="media.upload",
                target=asset,
                workspace=workspace,
                after={"kind": asset.kind, "mime": asset.mime, "size": asset.size, "checksum": checksum},
            )
    except BaseException:
        for field_file in stored:  # the row was not written: leave no orphan file behind
            field_file.storage.delete(field_file.name)
        raise
    return asset


@transaction.atomic
def media_update(*, actor, media: MediaAsset, alt_text: str) -> MediaAsset:
    """Change a library asset's alt text. The alt text is sent with the file, so it is part of what every
    post using the asset publishes: each such post gets a new version and loses an approval that covered
    the old text (the same hook as an edit). Refused (409) while a post using it is being published."""
    alt_text = _clean_alt_text(alt_text)
    if alt_text == media.alt_text:
        return media
    post_ids = sorted(
        set(
            PostTargetMedia.objects.filter(media=media, target__post__deleted_at__isnull=True).values_list(
                "target__post_id", flat=True
            )
        )
    )
    # The one lock order: posts, then their targets (as every edit and the publishing pipeline).
    posts = list(Post.objects.select_for_update().filter(pk__in=post_ids).order_by("pk"))
    busy = (
        PostTarget.objects.filter(post_id__in=post_ids, media_links__media=media, status__in=LOCKED_STATUSES)
        .exclude(status=S.PUBLISHED)
        .select_related("post")
        .first()
    )
    if busy is not None:
        raise Conflict(
            _("“%(post)s” is being published with this file; change its alt text once that is done.")
            % {"post": busy.post},
            code="media_being_published",
            field="alt_text",
        )
    before = media.alt_text
    media.alt_text = alt_text
    media.save(update_fields=["alt_text", "updated_at"])
    audit_record(
        actor=actor,
        action="media.update",
        target=media,
        workspace=media.workspace,
        before={"alt_text": before},
        after={"alt_text": media.alt_text, "posts": post_ids},
    )
    for post in posts:
        if post.status == S.PUBLISHED:
            continue
        loaded = _load(post)
        for target in loaded.targets.all():  # an approval covers the whole post, as after an edit
            if target.status in (S.APPROVED, S.IN_REVIEW):
                _move(target, S.DRAFT)
        post.version += 1
        _record_version(
            post, actor=actor, summary=_("Changed: alt text of %(name)s") % {"name": media}, loaded=None
        )
        hooks.on_post_edited(post, actor=actor, content_changed=True)
    return media


def media_delete(*, actor, media: MediaAsset) -> None:
    """Delete an asset no live post uses (files go after the commit)."""
    with transaction.atomic():
        in_use = PostTargetMedia.objects.filter(media=media, target__post__deleted_at__isnull=True).exists()
        if in_use:
            raise Conflict(
                _("This media is used by a post; remove it from the post first."), code="media_in_use"
            )
        PostTargetMedia.objects.filter(media=media).delete()
        names = [f.name for f in (media.file, media.thumbnail) if f]
        storage = media.file.storage
        audit_record(
            actor=actor,
            action="media.delete",
            target=media,
            workspace=media.workspace,
            before={"name": media.original_name, "checksum": media.checksum},
        )
        media.delete()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
