"""Account groups: how a team sorts its accounts (by brand line, region, agency). Create, rename and
delete, with one set of rules for the API and the dashboard; re-exported by channels_app.services."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User, Workspace
from core.audit import audit_record, snapshot
from core.errors import ValidationFailed

from .models import AccountGroup

GROUP_NAME_MAX_LENGTH, GROUP_DESCRIPTION_MAX_LENGTH = 80, 300


def _clean_group_fields(name, description) -> dict:
    """The rules for a group's name and description, for the API and the dashboard alike."""
    fields = {}
    if name is not None:
        name = str(name).strip()
        if not name:
            raise ValidationFailed(_("A name is required."), field="name", code="required")
        if len(name) > GROUP_NAME_MAX_LENGTH:
            raise ValidationFailed(
                _("Use at most %(count)d characters.") % {"count": GROUP_NAME_MAX_LENGTH},
                field="name",
                code="too_long",
            )
        fields["name"] = name
    if description is not None:
        description = str(description).strip()
        if len(description) > GROUP_DESCRIPTION_MAX_LENGTH:
            raise ValidationFailed(
                _("Use at most %(count)d characters.") % {"count": GROUP_DESCRIPTION_MAX_LENGTH},
                field="description",
                code="too_long",
            )
        fields["description"] = description
    return fields


@transaction.atomic
def account_group_create(
    *, actor: User, workspace: Workspace, name: str, description: str = ""
) -> AccountGroup:
    fields = _clean_group_fields(name, description)
    if AccountGroup.objects.filter(workspace=workspace, name=fields["name"]).exists():
        raise ValidationFailed(_("A group with this name exists."), field="name", code="duplicate_name")
    group = AccountGroup.objects.create(workspace=workspace, **fields)
    audit_record(
        actor=actor,
        action="account_group.created",
        target=group,
        workspace=workspace,
        after=snapshot(group, ["name", "description"]),
    )
    return group


@transaction.atomic
def account_group_update(
    *, actor: User, group: AccountGroup, name: str | None = None, description: str | None = None
) -> AccountGroup:
    group = AccountGroup.objects.select_for_update().get(pk=group.pk)
    fields = _clean_group_fields(name, description)
    if (
        "name" in fields
        and AccountGroup.objects.filter(workspace_id=group.workspace_id, name=fields["name"])
        .exclude(pk=group.pk)
        .exists()
    ):
        raise ValidationFailed(_("A group with this name exists."), field="name", code="duplicate_name")
    before = snapshot(group, ["name", "description"])
    for key, value in fields.items():
        setattr(group, key, value)
    group.save()
    audit_record(
        actor=actor,
        action="account_group.updated",
        target=group,
        workspace=group.workspace,
        before=before,
        after=snapshot(group, ["name", "description"]),
    )
    return group


@transaction.atomic
def account_group_delete(*, actor: User, group: AccountGroup) -> None:
    group = AccountGroup.objects.select_related("workspace").get(pk=group.pk)
    audit_record(
        actor=actor,
        action="account_group.deleted",
        target=group,
        workspace=group.workspace,
        before=snapshot(group, ["name", "description"]),
    )
    group.delete()
