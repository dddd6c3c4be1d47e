"""Campaigns, tag groups and tags, banned-word lists, posting slots."""

from __future__ import annotations

import re
from datetime import time as time_of_day

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Workspace, WorkspaceMember
from channels_app.models import SocialAccount
from core.audit import audit_record
from core.errors import ValidationFailed

from ..models import (
    BannedWord,
    BannedWordList,
    Campaign,
    PostingSlot,
    Tag,
    TagGroup,
)
from .lookups import _fetch, _ids

# --- input checks the API and the dashboard share (their forms only parse types) -------------------

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _text(value, *, model, field: str, required: bool = True) -> str:
    """`value` stripped, within the model field's max_length; blank refused where `required`."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    limit = model._meta.get_field(field).max_length
    if limit and len(text) > limit:
        raise ValidationFailed(
            _("Use at most %(limit)s characters (this has %(count)s).")
            % {"limit": limit, "count": len(text)},
            code="too_long",
            field=field,
        )
    return text


def _color(value, *, field: str = "color") -> str:
    if not HEX_COLOR.match(value or ""):
        raise ValidationFailed(
            _("Enter a colour as # and six hex digits, e.g. #4f46e5."), code="invalid_color", field=field
        )
    return value


def _severity(value) -> str:
    if value not in BannedWord.Severity.values:
        raise ValidationFailed(
            _("Choose blocking, warning or info."), code="invalid_choice", field="severity"
        )
    return value


# --- lookups inside the workspace -------------------------------------------------------------------


def _owner(workspace: Workspace, value) -> WorkspaceMember | None:
    if value in (None, ""):
        return None
    (member_id,) = _ids(value, field="owner")
    owner = WorkspaceMember.objects.filter(workspace=workspace, pk=member_id).first()
    if owner is None:
        raise ValidationFailed(
            _("No member with id %(id)s in this workspace.") % {"id": member_id},
            code="not_in_workspace",
            field="owner",
        )
    return owner


def _check_dates(starts_on, ends_on) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed(_("The campaign must end on or after its start."), field="ends_on")


def _unique(save, *, field: str, message: str):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise ValidationFailed(message, code="duplicate", field=field) from None


@transaction.atomic
def campaign_create(
    *,
    actor,
    workspace: Workspace,
    name: str,
    starts_on=None,
    ends_on=None,
    objective: str = "",
    owner=None,
    color: str = "",
) -> Campaign:
    name = _text(name, model=Campaign, field="name")
    color = _color(color) if color else ""
    _check_dates(starts_on, ends_on)
    campaign = Campaign(
        workspace=workspace,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        objective=objective or "",
        owner=_owner(workspace, owner),
        **({"color": color} if color else {}),
    )
    _unique(campaign.save, field="name", message=_("A campaign with this name exists."))
    audit_record(
        actor=actor, action="campaign.create", target=campaign, workspace=workspace, after={"name": name}
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, **changes) -> Campaign:
    workspace = campaign.workspace
    if "name" in changes:
        changes["name"] = _text(changes["name"], model=Campaign, field="name")
    if "color" in changes:
        changes["color"] = _color(changes["color"])
    if "objective" in changes:
        changes["objective"] = changes["objective"] or ""
    if "owner" in changes:
        changes["owner"] = _owner(workspace, changes["owner"])
    before = {k: str(getattr(campaign, k)) for k in changes}
    for key, value in changes.items():
        setattr(campaign, key, value)
    _check_dates(campaign.starts_on, campaign.ends_on)
    _unique(campaign.save, field="name", message=_("A campaign with this name exists."))
    audit_record(
        actor=actor,
        action="campaign.update",
        target=campaign,
        workspace=workspace,
        before=before,
        after={k: str(getattr(campaign, k)) for k in changes},
    )
    return campaign


@transaction.atomic
def campaign_delete(*, actor, campaign: Campaign) -> None:
    audit_record(
        actor=actor,
        action="campaign.delete",
        target=campaign,
        workspace=campaign.workspace,
        before={"name": campaign.name},
    )
    campaign.delete()


@transaction.atomic
def tag_group_create(
    *, actor, workspace: Workspace, name: str, required: bool = False, exclusive: bool = False
) -> TagGroup:
    name = _text(name, model=TagGroup, field="name")
    group = TagGroup(workspace=workspace, name=name, required=required, exclusive=exclusive)
    _unique(group.save, field="name", message=_("A tag group with this name exists."))
    audit_record(
        actor=actor,
        action="tag_group.create",
        target=group,
        workspace=workspace,
        after={"name": name, "required": required, "exclusive": exclusive},
    )
    return group


@transaction.atomic
def tag_group_update(*, actor, group: TagGroup, **changes) -> TagGroup:
    if "name" in changes:
        changes["name"] = _text(changes["name"], model=TagGroup, field="name")
    before = {k: getattr(group, k) for k in changes}
    for key, value in changes.items():
        setattr(group, key, value)
    _unique(group.save, field="name", message=_("A tag group with this name exists."))
    audit_record(
        actor=actor,
        action="tag_group.update",
        target=group,
        workspace=group.workspace,
        before=before,
        after=changes,
    )
    return group


@transaction.atomic
def tag_group_delete(*, actor, group: TagGroup) -> None:
    audit_record(
        actor=actor,
        action="tag_group.delete",
        target=group,
        workspace=group.workspace,
        before={"name": group.name},
    )
    group.delete()


@transaction.atomic
def tag_create(*, actor, workspace: Workspace, group, name: str, color: str = "") -> Tag:
    name = _text(name, model=Tag, field="name")
    color = _color(color) if color else ""
    (group_id,) = _ids(group, field="group")
    group_obj = _fetch(TagGroup, workspace, [group_id], field="group", label=_("tag group"))[group_id]
    tag = Tag(workspace=workspace, group=group_obj, name=name, **({"color": color} if color else {}))
    _unique(tag.save, field="name", message=_("This group already has a tag with this name."))
    audit_record(
        actor=actor,
        action="tag.create",
        target=tag,
        workspace=workspace,
        after={"name": name, "group": group_id},
    )
    return tag


@transaction.atomic
def tag_update(*, actor, tag: Tag, **changes) -> Tag:
    workspace = tag.workspace
    if "name" in changes:
        changes["name"] = _text(changes["name"], model=Tag, field="name")
    if "color" in changes:
        changes["color"] = _color(changes["color"])
    if "group" in changes:
        (group_id,) = _ids(changes["group"], field="group")
        changes["group"] = _fetch(TagGroup, workspace, [group_id], field="group", label=_("tag group"))[
            group_id
        ]
    before = {k: str(getattr(tag, k)) for k in changes}
    for key, value in changes.items():
        setattr(tag, key, value)
    _unique(tag.save, field="name", message=_("This group already has a tag with this name."))
    audit_record(
        actor=actor,
        action="tag.update",
        target=tag,
        workspace=workspace,
        before=before,
        after={k: str(getattr(tag, k)) for k in changes},
    )
    return tag


@transaction.atomic
def tag_delete(*, actor, tag: Tag) -> None:
    audit_record(
        actor=actor, action="tag.delete", target=tag, workspace=tag.workspace, before={"name": tag.name}
    )
    tag.delete()


@transaction.atomic
def banned_word_create(
    *,
    actor,
    workspace: Workspace,
    word: str,
    severity: str = BannedWord.Severity.BLOCKING,
    note: str = "",
    word_list=None,
) -> BannedWord:
    word = _text(word, model=BannedWord, field="word")
    severity = _severity(severity)
    note = _text(note, model=BannedWord, field="note", required=False)
    list_obj = _word_list(workspace, word_list)
    banned = BannedWord(
        workspace=workspace, word=word, severity=severity, note=note or "", word_list=list_obj
    )
    _unique(banned.save, field="word", message=_("This word is already on the list."))
    audit_record(
        actor=actor,
        action="banned_word.create",
        target=banned,
        workspace=workspace,
        after={"word": word, "severity": severity},
    )
    return banned


@transaction.atomic
def _word_list(workspace: Workspace, word_list) -> BannedWordList | None:
    """The workspace's word list with this id (None for none); another workspace's id is a field error."""
    if word_list in (None, ""):
        return None
    (list_id,) = _ids(word_list, field="word_list")
    return _fetch(BannedWordList, workspace, [list_id], field="word_list", label=_("word list"))[list_id]


def banned_word_update(*, actor, banned_word: BannedWord, **changes) -> BannedWord:
    if "word" in changes:
        changes["word"] = _text(changes["word"], model=BannedWord, field="word")
    if "severity" in changes:
        changes["severity"] = _severity(changes["severity"])
    if "note" in changes:
        changes["note"] = _text(changes["note"], model=BannedWord, field="note", required=False)
    if "word_list" in changes:
        changes["word_list"] = _word_list(banned_word.workspace, changes["word_list"])

    def recorded(values: dict) -> dict:  # the audit row keeps the word list's id, not the object
        return {k: getattr(v, "pk", v) for k, v in values.items()}

    before = recorded({k: getattr(banned_word, k) for k in changes})
    for key, value in changes.items():
        setattr(banned_word, key, value)
    _unique(banned_word.save, field="word", message=_("This word is already on the list."))
    audit_record(
        actor=actor,
        action="banned_word.update",
        target=banned_word,
        workspace=banned_word.workspace,
        before=before,
        after=recorded(changes),
    )
    return banned_word


@transaction.atomic
def banned_word_delete(*, actor, banned_word: BannedWord) -> None:
    audit_record(
        actor=actor,
        action="banned_word.delete",
        target=banned_word,
        workspace=banned_word.workspace,
        before={"word": banned_word.word},
    )
    banned_word.delete()


@transaction.atomic
def posting_slot_create(*, actor, workspace: Workspace, account, weekday: int, time) -> PostingSlot:
    (account_id,) = _ids(account, field="account")
    account_obj = _fetch(SocialAccount, workspace, [account_id], field="account", label=_("account"))[
        account_id
    ]
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValidationFailed(_("Weekday is 0 (Monday) to 6 (Sunday)."), field="weekday")
    if not isinstance(time, time_of_day):
        raise ValidationFailed(_("Enter a time of day, e.g. 09:30."), field="time")
    slot = PostingSlot(workspace=workspace, account=account_obj, weekday=weekday, time=time)
    _unique(slot.save, field="time", message=_("This account already has a slot at that time."))
    audit_record(
        actor=actor,
        action="posting_slot.create",
        target=slot,
        workspace=workspace,
        after={"account": account_id, "weekday": weekday, "time": str(time)},
    )
    return slot


@transaction.atomic
def posting_slot_delete(*, actor, slot: PostingSlot) -> None:
    audit_record(
        actor=actor,
        action="posting_slot.delete",
        target=slot,
        workspace=slot.workspace,
        before={"account": slot.account_id, "weekday": slot.weekday, "time": str(slot.time)},
    )
    slot.delete()
