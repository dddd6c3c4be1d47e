"""A WeChat push in a variant's options, validated where every write passes (post_create / post_update,
from the API and from the editor page alike): the first article's settings at the top of the options
and articles 2-8 in options["articles"]. Errors name the field the way the API reports them:
"targets.0.options.articles.2.title" (article 4), "targets.0.options.author".

Stored shape (library ids for images; content.payload turns them into MediaItems with checksums):

    options = {"author", "digest", "cover_crop", "image_after": [n, ...], "original", "open_comment",
               "fans_only_comment", "delivery": "publish" | "mass_send", "link",
               "articles": [{"title", "body", "author", "digest", "cover": id, "cover_crop",
                             "images": [{"media": id, "after": n}], "original", "source_url",
                             "open_comment", "fans_only_comment"}, ...]}
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from channels_app.connectors.wechat_oa import push
from core.errors import ValidationFailed

from ..models import MediaAsset

ARTICLE_TEXT = {"title": push.TITLE_LIMIT, "author": push.AUTHOR_LIMIT, "digest": push.DIGEST_LIMIT}
FLAGS = ("original", "open_comment", "fans_only_comment")
# The variant's settings the WeChat editor owns (checked here; the connector declares the others).
PUSH_KEYS = frozenset({"articles", "cover_crop", "image_after", "delivery", *FLAGS}) - {"open_comment"}
# They are also the settings only the WeChat editor shows: a save from the composer (which draws the
# connector's declared settings only) keeps them as they are, and keeps the variant's images once the
# editor has placed them (a cover and body images in an order of their own).
EDITOR_ONLY_KEYS = PUSH_KEYS


def keep_editor_work(stored_options: dict, stored_media: list[int], typed: dict) -> dict:
    """A WeChat variant as the composer would save it (`typed`: account, text, media, options), with what
    only the WeChat editor edits carried over from the stored variant."""
    kept = {key: value for key, value in (stored_options or {}).items() if key in EDITOR_ONLY_KEYS}
    out = {**typed, "options": {**(typed.get("options") or {}), **kept}}
    if kept.keys() & {"articles", "cover_crop", "image_after"}:
        out["media"] = list(stored_media)
    return out


ARTICLE_KEYS = {"title", "body", "cover", "cover_crop", "images", "source_url", *ARTICLE_TEXT, *FLAGS}


def _too_long(value: str, limit: int) -> str:
    return _("Ensure this field has no more than %(limit)s characters (it has %(used)s).") % {
        "limit": limit,
        "used": len(value),
    }


def _url(value, field: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")) or len(value) > 1024:
        raise ValidationFailed(_("Enter a web address starting with http:// or https://."), field=field)
    return value


def _crop(value, field: str) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not push.crop_valid(value):
        raise ValidationFailed(_("Crop the cover again: this crop is not valid."), field=field)
    return value


def _text(value, field: str, limit: int | None = None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(_("Enter text."), field=field)
    if limit is not None and len(value) > limit:
        raise ValidationFailed(_too_long(value, limit), field=field)
    return value


def _position(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed(_("Enter a whole number of 0 or more."), field=field)
    return value


def _image(value, field: str, assets: dict[int, MediaAsset]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in assets:
        raise ValidationFailed(
            _("No media with id %(id)s in this workspace.") % {"id": value},
            code="not_in_workspace",
            field=field,
        )
    if assets[value].kind != MediaAsset.Kind.IMAGE:
        raise ValidationFailed(_("Choose an image."), field=field)
    return value


def clean_push_options(options: dict, *, workspace, prefix: str) -> dict:
    """The options of a variant on a WeChat Official Account, checked and normalised (`prefix`:
    "targets.0.options"). Ids of covers and body images must be images of this workspace."""
    out = dict(options)
    for key, limit in (("author", push.AUTHOR_LIMIT), ("digest", push.DIGEST_LIMIT)):
        if key in out:
            out[key] = _text(out[key], f"{prefix}.{key}", limit)
    if "cover_crop" in out:
        out["cover_crop"] = _crop(out["cover_crop"], f"{prefix}.cover_crop")
    if "image_after" in out:
        if not isinstance(out["image_after"], list):
            raise ValidationFailed(_("Send a list of positions."), field=f"{prefix}.image_after")
        out["image_after"] = [
            _position(v, f"{prefix}.image_after.{i}") for i, v in enumerate(out["image_after"])
        ]
    for key in FLAGS:
        if key in out:
            out[key] = bool(out[key])
    if "delivery" in out and out["delivery"] not in push.DELIVERIES:
        raise ValidationFailed(
            _("Choose “publish” or “mass send to followers”."),
            code="invalid_choice",
            field=f"{prefix}.delivery",
        )
    if "articles" not in out or out["articles"] in (None, []):
        out.pop("articles", None)
        return out
    raw = out["articles"]
    if not isinstance(raw, list):
        raise ValidationFailed(_("Send a list of articles."), field=f"{prefix}.articles")
    if len(raw) > push.MAX_ARTICLES - 1:
        raise ValidationFailed(
            _("A push has at most %(limit)s articles.") % {"limit": push.MAX_ARTICLES},
            field=f"{prefix}.articles",
        )
    ids = []
    for article in raw:
        if isinstance(article, dict):
            ids.append(article.get("cover"))
            ids += [i.get("media") for i in article.get("images") or [] if isinstance(i, dict)]
    wanted = {i for i in ids if isinstance(i, int) and not isinstance(i, bool)}
    assets = {a.pk: a for a in MediaAsset.objects.filter(workspace=workspace, pk__in=wanted)}
    out["articles"] = [
        _clean_article(article, f"{prefix}.articles.{index}", assets) for index, article in enumerate(raw)
    ]
    return out


def _clean_article(article, field: str, assets: dict[int, MediaAsset]) -> dict:
    if not isinstance(article, dict):
        raise ValidationFailed(_("Each article must be an object."), field=field)
    unknown = sorted(set(article) - ARTICLE_KEYS)
    if unknown:
        raise ValidationFailed(
            _("Unknown field: %(names)s.") % {"names": ", ".join(unknown)}, field=f"{field}.{unknown[0]}"
        )
    title = _text(article.get("title"), f"{field}.title", push.TITLE_LIMIT)
    if not title.strip():
        raise ValidationFailed(_("Give the article a title."), code="required", field=f"{field}.title")
    body = _text(article.get("body"), f"{field}.body")
    if not body.strip():
        raise ValidationFailed(_("Write the article's body."), code="required", field=f"{field}.body")
    if push.body_too_long(body):
        raise ValidationFailed(push.body_too_long(body), field=f"{field}.body")
    if article.get("cover") in (None, ""):
        raise ValidationFailed(_("Choose a cover image."), code="required", field=f"{field}.cover")
    images = article.get("images") or []
    if not isinstance(images, list):
        raise ValidationFailed(_("Send a list of images."), field=f"{field}.images")
    cleaned_images = []
    for index, image in enumerate(images):
        where = f"{field}.images.{index}"
        if not isinstance(image, dict):
            raise ValidationFailed(_("Each image must be an object."), field=where)
        cleaned_images.append(
            {
                "media": _image(image.get("media"), f"{where}.media", assets),
                "after": _position(image.get("after", 0), f"{where}.after"),
            }
        )
    return {
        "title": title,
        "body": body,
        "author": _text(article.get("author"), f"{field}.author", push.AUTHOR_LIMIT),
        "digest": _text(article.get("digest"), f"{field}.digest", push.DIGEST_LIMIT),
        "cover": _image(article.get("cover"), f"{field}.cover", assets),
        "cover_crop": _crop(article.get("cover_crop"), f"{field}.cover_crop"),
        "images": cleaned_images,
        "source_url": _url(article.get("source_url"), f"{field}.source_url"),
        **{flag: bool(article.get(flag)) for flag in FLAGS},
    }


# --- mass-send quota ----------------------------------------------------------------------------------

QUOTA_STATUSES = ("scheduled", "queued", "publishing", "published", "unknown")


def service_type(account) -> str:
    kind = (account.platform_details or {}).get("service_type")
    return kind if kind in push.MASS_QUOTA else "subscription"  # the stricter quota when unknown


def may_preview(account) -> bool:
    """WeChat lets verified subscription and service accounts send previews (unknown: we try)."""
    return (account.platform_details or {}).get("verified", True) is not False


def _period(kind: str, when):
    from zoneinfo import ZoneInfo

    local = when.astimezone(ZoneInfo("Asia/Shanghai"))
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if kind == "month":
        start = start.replace(day=1)
        end = (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
    else:
        from datetime import timedelta

        end = start + timedelta(days=1)
    return start, end


def mass_send_quota(account, when, *, excluding=None) -> dict:
    """{"period": "day"|"month", "limit", "used", "remaining", "start", "end"} for the Beijing day or
    month holding `when`: mass sends counted from our own records (variants on the account whose
    delivery is a mass send, scheduled or sent for a time in that period; `excluding` a target id)."""
    from ..models import PostTarget

    kind, limit = push.MASS_QUOTA[service_type(account)]
    start, end = _period(kind, when)
    rows = PostTarget.objects.filter(
        account=account,
        options__delivery=push.MASS_SEND,
        status__in=QUOTA_STATUSES,
        post__deleted_at__isnull=True,
    ).select_related("post")
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    used = sum(1 for t in rows if start <= (t.published_at or t.post.scheduled_at or end) < end)
    return {
        "period": kind,
        "limit": limit,
        "used": used,
        "remaining": max(0, limit - used),
        "start": start,
        "end": end,
    }


def check_mass_send_quota(targets, when) -> None:
    """Refuse scheduling a mass send beyond its account's quota, saying which account and period."""
    for target in targets:
        if target.account.platform != "wechat_oa" or (target.options or {}).get("delivery") != push.MASS_SEND:
            continue
        quota = mass_send_quota(target.account, when, excluding=target.pk)
        if quota["remaining"] < 1:
            message = (
                _(
                    "%(handle)s has used its mass send for that day (a subscription account may send "
                    "once a day). Publish without notifying followers, or pick another day."
                )
                if quota["period"] == "day"
                else _(
                    "%(handle)s has used its %(limit)s mass sends for that month (a service account may "
                    "send 4 a month). Publish without notifying followers, or pick another month."
                )
            ) % {"handle": target.account.handle, "limit": quota["limit"]}
            raise ValidationFailed(message, code="mass_send_quota", field="scheduled_at")
