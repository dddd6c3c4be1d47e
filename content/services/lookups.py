"""Lookups inside the workspace: related ids in input resolved within the post's workspace (another
workspace's id is a 400 naming the field), and the post loaders and locks every write uses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Workspace
from channels_app.models import SocialAccount
from core.errors import ValidationFailed

from ..models import (
    Campaign,
    MediaAsset,
    Tag,
    TagGroup,
    TargetStatus,
)

# --- lookups inside the workspace -------------------------------------------------------------------

UNSET: Any = object()
S = TargetStatus
QUEUE_SEARCH_DAYS = 56  # "add to queue" looks this far ahead for a free slot


def _ids(values, *, field: str) -> list[int]:
    if values is None:
        return []
    if isinstance(values, (str, int)):
        values = [values]
    out = []
    for value in values:
        if hasattr(value, "pk"):
            value = value.pk
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            raise ValidationFailed(
                _("%(value)s is not a valid id.") % {"value": value}, field=field
            ) from None
    return out


def _fetch(model, workspace: Workspace, ids: Sequence[int], *, field: str, label: str) -> dict[int, Any]:
    """{id: object} for ids that must all belong to `workspace`; any other id is a field error."""
    if not ids:
        return {}
    found = {obj.pk: obj for obj in model.objects.filter(workspace=workspace, pk__in=set(ids))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed(
            _("No %(label)s with id %(ids)s in this workspace.")
            % {"label": label, "ids": ", ".join(str(i) for i in missing)},
            code="not_in_workspace",
            field=field,
        )
    return found


def _campaign(workspace: Workspace, value) -> Campaign | None:
    if value in (None, ""):
        return None
    (campaign_id,) = _ids(value, field="campaign")
    return _fetch(Campaign, workspace, [campaign_id], field="campaign", label=_("campaign"))[campaign_id]


def _tags(workspace: Workspace, values) -> list[Tag]:
    ids = list(dict.fromkeys(_ids(values, field="tags")))
    found = _fetch(Tag, workspace, ids, field="tags", label=_("tag"))
    return [found[i] for i in ids]


def check_tag_rules(
    workspace: Workspace, tags: Iterable[Tag], *, groups: Iterable[TagGroup] | None = None
) -> None:
    """Required groups need one of their tags; exclusive groups take at most one."""
    groups = list(TagGroup.objects.filter(workspace=workspace) if groups is None else groups)
    chosen: dict[int, list[Tag]] = {}
    for tag in tags:
        chosen.setdefault(tag.group_id, []).append(tag)
    problems = []
    for group in groups:
        picked = chosen.get(group.pk, [])
        if group.required and not picked:
            problems.append(_("Pick a tag from “%(group)s”: it is required.") % {"group": group.name})
        if group.exclusive and len(picked) > 1:
            problems.append(
                _("Pick only one tag from “%(group)s” (chosen: %(tags)s).")
                % {"group": group.name, "tags": ", ".join(t.name for t in picked)}
            )
    if problems:
        raise ValidationFailed(problems[0], code="tag_rules", fields={"tags": problems})


def _resolve_targets(workspace: Workspace, targets) -> list[dict]:
    """Validate the targets' input and replace ids by objects of this workspace."""
    if not targets:
        raise ValidationFailed(_("Choose at least one account."), field="targets")
    account_ids = []
    media_ids = []
    for index, target in enumerate(targets):
        if "account" not in target or target["account"] in (None, ""):
            raise ValidationFailed(_("This field is required."), field=f"targets.{index}.account")
        account_ids += _ids(target["account"], field=f"targets.{index}.account")
        media_ids += _ids(target.get("media") or [], field=f"targets.{index}.media")
    accounts = {a.pk: a for a in SocialAccount.objects.filter(workspace=workspace, pk__in=set(account_ids))}
    media = {m.pk: m for m in MediaAsset.objects.filter(workspace=workspace, pk__in=set(media_ids))}
    resolved, seen = [], set()
    for index, target in enumerate(targets):
        (account_id,) = _ids(target["account"], field=f"targets.{index}.account")
        account = accounts.get(account_id)
        if account is None:
            raise ValidationFailed(
                _("No account with id %(id)s in this workspace.") % {"id": account_id},
                code="not_in_workspace",
                field=f"targets.{index}.account",
            )
        if account.disconnected_at is not None:
            raise ValidationFailed(
                _("%(handle)s is disconnected; reconnect it first.") % {"handle": account.handle},
                field=f"targets.{index}.account",
            )
        if account_id in seen:
            raise ValidationFailed(
                _("%(handle)s is chosen twice.") % {"handle": account.handle},
                field=f"targets.{index}.account",
            )
        seen.add(account_id)
        items = []
        for media_id in _ids(target.get("media") or [], field=f"targets.{index}.media"):
            if media_id not in media:
                raise ValidationFailed(
                    _("No media with id %(id)s in this workspace.") % {"id": media_id},
                    code="not_in_workspace",
                    field=f"targets.{index}.media",
                )
            items.append(media[media_id])
        if len({m.pk for m in items}) != len(items):
            raise ValidationFailed(_("The same media is attached twice."), field=f"targets.{index}.media")
        if target.get("first_comment") and not takes_first_comment(account.platform):
            raise ValidationFailed(
                _("%(handle)s: this platform has no first comment.") % {"handle": account.handle},
                code="no_first_comment",
                field=f"targets.{index}.first_comment",
            )
        options = target.get("options") or {}
        if not isinstance(options, dict):
            raise ValidationFailed(_("Options must be an object."), field=f"targets.{index}.options")
        if account.platform == "wechat_oa":
            # The push's own settings (articles, crops, delivery ...) are checked by the WeChat push
            # service; the rest against the connector's declared settings, like every platform's.
            from .wechat_push import PUSH_KEYS, clean_push_options

            pushed = {key: value for key, value in options.items() if key in PUSH_KEYS}
            rest = {key: value for key, value in options.items() if key not in PUSH_KEYS}
            options = {
                **clean_target_options(workspace, account, rest, index=index, media=items),
                **clean_push_options(pushed, workspace=workspace, prefix=f"targets.{index}.options"),
            }
        elif "articles" in options:
            raise ValidationFailed(
                _("%(handle)s: only WeChat Official Accounts take articles.") % {"handle": account.handle},
                field=f"targets.{index}.options.articles",
            )
        else:
            options = clean_target_options(workspace, account, options, index=index, media=items)
        resolved.append(
            {
                "account": account,
                "text": target.get("text") or "",
                "first_comment": target.get("first_comment") or "",
                "options": options,
                "media": items,
            }
        )
    return resolved


def clean_target_options(
    workspace: Workspace, account: SocialAccount, options: dict, *, index: int, media: Sequence = ()
) -> dict:
    """A variant's platform settings checked against what its platform's connector declares
    (`post_options`): unknown keys and bad values are refused on `targets.<index>.options.<name>`, all at
    once; blank values are left out; a media option must name an image of this workspace."""
    from channels_app.connectors.options import MEDIA, SECONDS, clean_options

    from ..compliance.platforms import registered_connectors

    cls = registered_connectors().get(account.platform)
    if cls is None:
        return options
    cleaned, errors = clean_options(cls.post_options, options, platform_label=cls.display_name)
    for spec in cls.post_options:
        if spec.kind == MEDIA and spec.name in cleaned:
            asset_id = cleaned[spec.name]
            found = MediaAsset.objects.filter(workspace=workspace, pk=asset_id, kind=MediaAsset.Kind.IMAGE)
            if not found.exists():
                errors[spec.name] = [_("No image with id %(id)s in this workspace.") % {"id": asset_id}]
        if spec.kind == SECONDS and spec.name in cleaned:
            # A moment of the variant's video: not past its end (where the upload told us its length).
            lengths = [m.duration_seconds for m in media if m.kind == "video" and m.duration_seconds]
            if not any(m.kind == "video" for m in media):
                errors[spec.name] = [_("Add a video first: this is a moment of it.")]
            elif lengths and cleaned[spec.name] > lengths[0]:
                errors[spec.name] = [
                    _("The video is %(length)s s long; pick a moment within it.")
                    % {"length": round(lengths[0], 1)}
                ]
    if errors:
        fields = {f"targets.{index}.options.{name}": problems for name, problems in errors.items()}
        first_name, first = next(iter(errors.items()))
        raise ValidationFailed(
            _("%(handle)s: %(setting)s: %(problem)s")
            % {"handle": account.handle, "setting": _setting_label(cls, first_name), "problem": first[0]},
            code="invalid_option",
            fields=fields,
        )
    return cleaned


def _setting_label(cls, name: str) -> str:
    for spec in cls.post_options:
        if spec.name == name:
            return str(spec.label)
    return name


def takes_first_comment(platform: str) -> bool:
    """Whether the platform's connector posts a first comment (`capabilities.first_comment`); a platform
    without a connector yet is not refused here."""
    from ..compliance.platforms import registered_connectors

    cls = registered_connectors().get(platform)
    return cls is None or cls.capabilities.first_comment


def _aware(value: datetime | None, *, field: str = "scheduled_at") -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValidationFailed(_("Enter a date and time."), field=field)
    if timezone.is_naive(value):
        raise ValidationFailed(_("Give the time with its time zone."), field=field)
    return value
