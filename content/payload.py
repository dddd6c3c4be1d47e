"""The one definition of what gets published, and of what an approval covers.

    target_payload(target) -> PostPayload     what the connector receives for one target
    fingerprint(payload)   -> dict            that payload as JSON, every field but the raw bytes
    publishable(post)      -> dict            every target's fingerprint: what an approval pins
    canonical_hash(data)   -> str             sha256 of a canonical JSON

The publish step sends `target_payload(target, with_data=True)`; approvals hash `publishable(post)`, which
is built from the same function. `fingerprint` walks the dataclass fields of PostPayload and of every
dataclass nested in it (MediaItem, a WeChat push's Article and BodyImage ...), so a field added to any of
them is hashed by construction; the only fields left out are listed in `NOT_HASHED` and
`MEDIA_NOT_HASHED`, each with the reason it cannot change what the platform shows. Media are hashed by
`checksum` (their bytes), never by a library id.

A WeChat push's articles 2-8 are kept in the variant's options["articles"] with library ids for their
covers and body images; `target_payload` resolves them into `Article`s with MediaItems (and drops the
ids from the options), so what is hashed and checked is what a reader sees.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from typing import Any

from channels_app.connectors.base import Article, BodyImage, MediaItem, PostPayload
from core.links import absolute_url

# Payload fields outside the hash, and why.
NOT_HASHED: dict[str, str] = {
    "idempotency_key": "derived from the target's id: the same for every version of the content",
    "option_media": "the files that `options` name by id (a cover image): the id is hashed in `options`, "
    "and a library file's bytes never change after upload",
}
# Payload fields left out while they hold their empty default, and why: the hash of every payload without
# them stays what it was when they were added (approvals pinned before then still hold).
OMITTED_WHEN_EMPTY: dict[str, str] = {
    "articles": "a WeChat push's articles 2-8; none on every other payload",
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


ARTICLES_OPTION = "articles"  # options key of a WeChat push's articles 2-8 (library ids inside)


def article_media_ids(raw_articles) -> list[int]:
    """The library ids options["articles"] names (covers and body images), in order."""
    ids: list[int] = []
    for raw in raw_articles if isinstance(raw_articles, list) else []:
        if not isinstance(raw, dict):
            continue
        ids.append(raw.get("cover"))
        ids += [i.get("media") for i in raw.get("images") or [] if isinstance(i, dict)]
    return [int(i) for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())]


def _articles(raw_articles, assets: dict[int, Any], *, with_data: bool) -> tuple[Article, ...]:
    """options["articles"] as Articles: every field of Article read from the dict by its name (a cover
    and body images by library id, resolved in `assets`); a field added to Article is read the same way."""

    def item(value):
        try:
            asset = assets.get(int(value))
        except (TypeError, ValueError):
            return None
        return media_item(asset, with_data=with_data) if asset is not None else None

    out = []
    for raw in raw_articles if isinstance(raw_articles, list) else []:
        if not isinstance(raw, dict):
            continue
        values: dict[str, Any] = {}
        for f in dataclasses.fields(Article):
            value = raw.get(f.name)
            if f.name == "cover":
                values[f.name] = item(value)
            elif f.name == "images":
                images = []
                for image in value if isinstance(value, list) else []:
                    media = item(image.get("media")) if isinstance(image, dict) else None
                    if media is not None:
                        images.append(BodyImage(media=media, after=_int(image.get("after"))))
                values[f.name] = tuple(images)
            elif isinstance(f.default, bool):
                values[f.name] = bool(value)
            else:
                values[f.name] = value if isinstance(value, str) else ""
        out.append(Article(**values))
    return tuple(out)


def _int(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


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
    raw_articles = options.pop(ARTICLES_OPTION, None)
    articles: tuple[Article, ...] = ()
    if raw_articles:
        from .models import MediaAsset

        ids = article_media_ids(raw_articles)
        assets = {a.pk: a for a in MediaAsset.objects.filter(workspace_id=target.workspace_id, pk__in=ids)}
        articles = _articles(raw_articles, assets, with_data=with_data)
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
        articles=articles,
    )


# Fields left out of the hash, per dataclass.
_EXCLUDED: dict[type, dict[str, str]] = {PostPayload: NOT_HASHED, MediaItem: MEDIA_NOT_HASHED}


def _plain(value: Any) -> Any:
    """A payload value as JSON: a dataclass (at any depth) as {field: value} without its excluded
    fields, tuples and lists as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        excluded = _EXCLUDED.get(type(value), {})
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in excluded
        }
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def media_fingerprint(item: MediaItem) -> dict:
    return _plain(item)


def fingerprint(payload: PostPayload) -> dict:
    """The payload as JSON: every field of PostPayload and of each dataclass in it, at any depth (media,
    articles, their covers and body images) except the listed ones."""
    out = _plain(payload)
    for name in OMITTED_WHEN_EMPTY:
        if not out.get(name):
            out.pop(name, None)
    return out


def _nested(annotation) -> list[type]:
    """The dataclasses an annotation holds: X, X | None, tuple[X, ...]."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list):
        return [c for arg in typing.get_args(annotation) for c in _nested(arg)]
    return [annotation] if dataclasses.is_dataclass(annotation) else []


def hashed_paths(cls: type = PostPayload, prefix: str = "") -> set[str]:
    """Every leaf the hash covers, as dotted paths without indexes ("media.alt_text",
    "articles.cover.checksum", "articles.images.media.checksum"), read from the dataclasses."""
    hints = typing.get_type_hints(cls)
    paths: set[str] = set()
    for f in dataclasses.fields(cls):
        if f.name in _EXCLUDED.get(cls, {}):
            continue
        path = f"{prefix}{f.name}"
        inner = _nested(hints[f.name])
        if inner:
            for sub in inner:
                paths |= hashed_paths(sub, f"{path}.")
        else:
            paths.add(path)
    return paths


# Text fields of an Article a reader never sees, and why (every other str field is checked by compliance).
ARTICLE_NOT_READ: dict[str, str] = {
    "cover_crop": "coordinates of the cover's crop",
}
# Text fields of a MediaItem a reader never sees (only its alt text is shown, to screen readers).
MEDIA_NOT_READ: dict[str, str] = {
    "kind": "a code",
    "filename": "the uploaded file's name: WeChat shows no file names",
    "content_type": "a code",
    "url": "where the bytes are fetched from",
    "checksum": "a hash",
}


def reader_texts(article: Article, prefix: str) -> list[tuple[str, str]]:
    """[(path, text)] of every text a reader sees in `article`: each str field of Article and of the
    MediaItems in it (cover, body images' media), but those listed in ARTICLE_NOT_READ/MEDIA_NOT_READ,
    found by walking the dataclass, so a text field added later is checked without anyone remembering."""
    out: list[tuple[str, str]] = []

    def walk(value, path: str, not_read: dict[str, str]):
        for f in dataclasses.fields(value):
            if f.name in not_read:
                continue
            sub = getattr(value, f.name)
            if isinstance(sub, str):
                out.append((f"{path}.{f.name}", sub))
            elif isinstance(sub, MediaItem):
                walk(sub, f"{path}.{f.name}", MEDIA_NOT_READ)
            elif dataclasses.is_dataclass(sub):
                walk(sub, f"{path}.{f.name}", {})
            elif isinstance(sub, tuple):
                for index, element in enumerate(sub):
                    if dataclasses.is_dataclass(element):
                        walk(element, f"{path}.{f.name}.{index}", {})

    walk(article, prefix, ARTICLE_NOT_READ)
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
