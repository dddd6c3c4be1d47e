"""Campaigns, tag groups and tags, banned-word lists, posting slots."""

from __future__ import annotations

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

# --- lookups inside the workspace -------------------------------------------------------------------
from .lookups import _fetch, _ids


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
    word = (word or "").strip()
    if not word:
        raise ValidationFailed(_("This field may not be blank."), field="word")
    list_obj = None
    if word_list not in (None, ""):
        (list_id,) = _ids(word_list, field="word_list")
        list_obj = _fetch(BannedWordList, workspace, [list_id], field="word_list", label=_("word list"))[
            list_id
        ]
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
def banned_word_update(*, actor, banned_word: BannedWord, **changes) -> BannedWord:
    before = {k: getattr(banned_word, k) for k in changes}
    for key, value in changes.items():
        setattr(banned_word, key, value)
    _unique(banned_word.save, field="word", message=_("This word is already on the list."))
    audit_record(
        actor=actor,
        action="banned_word.update",
        target=banned_word,
        workspace=banned_word.workspace,
        before=before,
        after=changes,
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
    if not 0 <= int(weekday) <= 6:
        raise ValidationFailed(_("Weekday is 0 (Monday) to 6 (Sunday)."), field="weekday")
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
