"""A person's saved queue views (named filter sets on the workspace's queue): create, delete; atomic,
audited. Only the filter keys the queue knows are kept (inbox.forms.QUEUE_FILTER_KEYS)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import ValidationFailed

from ..models import SavedQueueView

MAX_VIEWS = 50


def clean_query(query: str) -> str:
    from ..forms import QUEUE_FILTER_KEYS

    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k in QUEUE_FILTER_KEYS]
    return urlencode(pairs)[:1000]


@transaction.atomic
def saved_view_create(*, workspace, actor, name: str, query: str) -> SavedQueueView:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the view a name."), field="name")
    if len(name) > 60:
        raise ValidationFailed(_("A name has at most 60 characters."), field="name")
    views = SavedQueueView.objects.filter(workspace=workspace, user=actor)
    if views.filter(name=name).exists():
        raise ValidationFailed(_("You already have a view with this name."), field="name")
    if views.count() >= MAX_VIEWS:
        raise ValidationFailed(_("At most %(limit)s views.") % {"limit": MAX_VIEWS}, field="name")
    view = SavedQueueView.objects.create(workspace=workspace, user=actor, name=name, query=clean_query(query))
    audit_record(
        actor=actor,
        action="inbox.saved_view_create",
        target=view,
        workspace=workspace,
        after={"name": name, "query": view.query},
    )
    return view


@transaction.atomic
def saved_view_delete(*, workspace, actor, view: SavedQueueView) -> None:
    if view.workspace_id != workspace.pk or view.user_id != actor.pk:
        raise ValueError("not this person's view here")
    audit_record(
        actor=actor,
        action="inbox.saved_view_delete",
        target=view,
        workspace=workspace,
        before={"name": view.name},
    )
    view.delete()
