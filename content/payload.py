"""The one definition of what gets published, and of what an approval covers.

    target_payload(target) -> PostPayload     what the connector receives for one target
    fingerprint(payload)   -> dict            that payload as JSON, every field but the raw bytes
    publishable(post)      -> dict            every target's fingerprint: what an approval pins
    canonical_hash(data)   -> str             sha256 of a canonical JSON

The publish step sends `target_payload(target, with_data=True)`; approvals hash `publishable(post)`, which
is built from the same function. `fingerprint` walks the dataclass fields of PostPayload and MediaItem,
so a field added to the payload is hashed by construction; the only fields left out are listed in
`NOT_HASHED` and `MEDIA_NOT_HASHED`, each with the reason it cannot change what the platform shows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from channels_app.connectors.base import MediaItem, PostPayload
from core.links import absolute_url

# Payload fields outside the hash, and why.
NOT_HASHED: dict[str, str] = {
    "idempotency_key": "derived from the target's id: the same for every version of the content",
    "option_media": "the files that `options` name by id (a cover image): the id is hashed in `options`, "
    "and a library file's bytes never change after upload",
}
MEDIA_NOT_HASHED: dict[str, str] = {
    "data": "the bytes themselves: `checksum` (their sha256) is hashed instead",
    "url": "where the platform fetches those same bytes: `checksum` is hashed instead",
}


class MediaChanged(Exception):
    """A stored file's bytes no longer match the checksum recorded at upload."""


def idempotency_key(target) -> str:
    """Stable for the target across every attempt (platforms that honour it deduplicate on it)."""
    return f"kawo-target-{target.pk}"


def media_item(asset, *, with_data: bool = False) -> MediaItem:
    """One asset as a connector gets it. With `with_data`, the bytes are read and `checksum` is computed
    from them (so what is sent is what is hashed); without, the checksum recorded at upload stands in."""
    data = None
    checksum = asset.checksum
    if with_data and asset.file:
        with asset.file.open("rb") as handle:
            data = handle.read()
        checksum = hashlib.sha256(data).hexdigest()
    return MediaItem(
        kind=asset.kind,
        filename=asset.original_name or asset.file.name,
        content_type=asset.mime,
        size=asset.size,
        data=data,
        url=absolute_url(asset.file.url) if asset.file else "",  # platforms that fetch it themselves
        alt_text=asset.alt_text,
        checksum=checksum,
    )


def _media_option_names() -> frozenset[str]:
    from channels_app.connectors.options import MEDIA
    from channels_app.connectors.registry import CONNECTORS

    return frozenset(
        spec.name for cls in CONNECTORS.values() for spec in cls.post_options if spec.kind == MEDIA
    )


def option_media(target, options: dict, *, with_data: bool = False) -> dict[str, MediaItem]:
    """{option name: file} for the options that name a library file by id (validated on save to be an
    image of the target's workspace)."""
    from .models import MediaAsset

    wanted = {name: options[name] for name in _media_option_names() if isinstance(options.get(name), int)}
    if not wanted:
        return {}
    assets = MediaAsset.objects.filter(workspace_id=target.workspace_id, pk__in=set(wanted.values()))
    found = {asset.pk: asset for asset in assets}
    return {name: media_item(found[pk], with_data=with_data) for name, pk in wanted.items() if pk in found}


def target_payload(target, *, post=None, with_data: bool = False) -> PostPayload:
    """What the connector receives for `target` (its media in order). `post`: the target's post when the
    caller has it loaded (the paid flag is the post's; the title too, unless the variant has its own in
    `options["title"]`)."""
    post = post if post is not None else target.post
    options = dict(target.options or {})
    link = options.get("link")
    return PostPayload(
        text=target.text,
        media=tuple(media_item(link_.media, with_data=with_data) for link_ in target.media_links.all()),
        first_comment=target.first_comment,
        link=link if isinstance(link, str) else "",
        title=str(options.get("title") or post.title),
        option_media=option_media(target, options, with_data=with_data),
        options=options,
        idempotency_key=idempotency_key(target),
        account=target.account_id,
        paid_or_kol=bool(post.is_paid_or_kol),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def media_fingerprint(item: MediaItem) -> dict:
    return {
        f.name: _plain(getattr(item, f.name))
        for f in dataclasses.fields(MediaItem)
        if f.name not in MEDIA_NOT_HASHED
    }


def fingerprint(payload: PostPayload) -> dict:
    """The payload as JSON: every field of PostPayload and of each MediaItem except the listed ones."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(PostPayload):
        if f.name in NOT_HASHED:
            continue
        value = getattr(payload, f.name)
        out[f.name] = [media_fingerprint(m) for m in value] if f.name == "media" else _plain(value)
    return out


def target_fingerprints(post) -> dict[int, dict]:
    """{target id: fingerprint} for every target of a post loaded with its targets and their media."""
    return {t.pk: fingerprint(target_payload(t, post=post)) for t in post.targets.all()}


def publishable(post) -> dict:
    """What an approval covers: every target's fingerprint, in account order."""
    return publishable_from(post, target_fingerprints(post))


def publishable_from(post, fingerprints: dict[int, dict]) -> dict:
    """`publishable` from the fingerprints `target_fingerprints(post)` returned."""
    return {"targets": [fingerprints[t.pk] for t in sorted(post.targets.all(), key=lambda t: t.account_id)]}


def canonical_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def payload_diff(before: dict, after: dict, *, path: str = "") -> list[dict]:
    """Where two publishables (or fingerprints) differ: [{"path", "before", "after"}], paths such as
    "targets.0.media.1.alt_text". Lists of targets are matched by account, media by position."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[dict] = []
        for key in sorted(set(before) | set(after)):
            sub = f"{path}.{key}" if path else str(key)
            if key == "targets" and isinstance(before.get(key), list) and isinstance(after.get(key), list):
                changes += _targets_diff(before[key], after[key], path=sub)
            else:
                changes += payload_diff(before.get(key), after.get(key), path=sub)
        return changes
    if isinstance(before, list) and isinstance(after, list) and before != after:
        changes = []
        for index in range(max(len(before), len(after))):
            b = before[index] if index < len(before) else None
            a = after[index] if index < len(after) else None
            changes += payload_diff(b, a, path=f"{path}.{index}")
        return changes
    if before != after:
        return [{"path": path, "before": before, "after": after}]
    return []


def _targets_diff(before: list, after: list, *, path: str) -> list[dict]:
    by_account_before = {t.get("account"): t for t in before}
    by_account_after = {t.get("account"): t for t in after}
    changes: list[dict] = []
    for account in sorted(set(by_account_before) | set(by_account_after), key=lambda a: (a is None, a)):
        changes += payload_diff(
            by_account_before.get(account), by_account_after.get(account), path=f"{path}[account={account}]"
        )
    return changes
