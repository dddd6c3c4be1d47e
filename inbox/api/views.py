"""The inbox API under /api/v1/workspaces/{workspace_id}/inbox/: the queue with filters, one item with its
thread, triage (status, priority, tags), assignment, internal notes, bulk close and the fan's profile.

Reading needs inbox.view; working items (triage, notes, closing) inbox.reply; assigning inbox.assign.
Thin views: a serializer parses the input, one service or selector does the work. A change based on a
stale view of the item (`version` older than the item's) is a 409 `stale_view`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView, created
from core.errors import ValidationFailed

from .. import selectors, services
from ..models import Fan, InboxItem, InboxNote, ItemKind, ItemStatus
from . import serializers as s


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
        409: "The item changed since you saw it (`stale_view`).",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def person_data(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email}


def fan_data(fan: Fan | None) -> dict | None:
    if fan is None:
        return None
    return {
        "id": fan.pk,
        "platform": fan.platform,
        "external_id": fan.external_id,
        "handle": fan.handle,
        "display_name": fan.display_name,
        "avatar_url": fan.avatar_url,
        "followers": fan.followers,
    }


def item_data(item: InboxItem) -> dict:
    account = item.account
    return {
        "id": item.pk,
        "workspace": item.workspace_id,
        "account": {"id": account.pk, "platform": account.platform, "handle": account.handle},
        "conversation": item.conversation_id,
        "kind": item.kind,
        "kind_label": str(ItemKind(item.kind).label),
        "external_id": item.external_id,
        "parent_external_id": item.parent_external_id,
        "fan": fan_data(item.fan),
        "from_us": item.from_us,
        "text": item.text,
        "url": item.url,
        "sent_at": item.sent_at,
        "edited_at": item.edited_at,
        "removed_at": item.removed_at,
        "status": item.status,
        "status_label": str(ItemStatus(item.status).label),
        "priority": item.priority,
        "tags": item.tags,
        "sentiment": item.sentiment,
        "sentiment_score": item.sentiment_score,
        "assignee": person_data(item.assignee),
        "answered_at": item.answered_at,
        "answered_by": person_data(item.answered_by),
        "version": item.version,
    }


def item_detail_data(workspace, item: InboxItem) -> dict:
    thread = selectors.inbox_item_thread(workspace, item=item)
    return {**item_data(item), "thread": [item_data(entry) for entry in thread]}


def note_data(note: InboxNote) -> dict:
    return {
        "id": note.pk,
        "author": person_data(note.author),
        "body": note.body,
        "created_at": note.created_at,
    }


def filters_from(query: dict) -> selectors.ItemFilters:
    return selectors.ItemFilters(
        status=query.get("status", ""),
        kind=query.get("kind", ""),
        platform=query.get("platform", ""),
        account_id=query.get("account"),
        assignee_id=query.get("assignee"),
        sentiment=query.get("sentiment", ""),
        priority=query.get("priority", ""),
        tag=query.get("tag", ""),
        q=query.get("q", ""),
        include_ours=query.get("include_ours", False),
    )


class _ItemView(WorkspaceScopedAPIView):
    queryset = InboxItem.objects.select_related("account", "fan", "assignee", "answered_by")
    lookup_url_kwarg = "item_id"
    dashboard_page = "inbox:item"


class ItemListView(WorkspaceScopedAPIView):
    """GET: the workspace's inbox, newest first, cursor-paged; filters by status, kind, platform,
    account, assignee (0: unassigned), sentiment, priority, tag and words (`q`)."""

    queryset = InboxItem.objects.all()
    required_capabilities = {"GET": C.INBOX_VIEW}

    @extend_schema(parameters=[s.ItemFilterSerializer], responses={200: s.ItemSerializer(many=True)})
    def get(self, request, workspace_id):
        query = _validated(s.ItemFilterSerializer, request.query_params)
        items = selectors.inbox_items(self.workspace, filters=filters_from(query))
        page = self.paginate_queryset(items)
        return self.get_paginated_response([item_data(item) for item in page])


class ItemDetailView(_ItemView):
    """GET: one item with its whole conversation. PATCH: status, priority and tags, with the `version` you
    saw (a stale one is a 409)."""

    required_capabilities = {"GET": C.INBOX_VIEW, "PATCH": C.INBOX_REPLY}

    @extend_schema(responses={200: s.ItemDetailSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, item_id):
        return Response(item_detail_data(self.workspace, self.get_object()))

    @extend_schema(
        request=s.ItemUpdateSerializer, responses={200: s.ItemDetailSerializer, **_errors(400, 403, 404, 409)}
    )
    def patch(self, request, workspace_id, item_id):
        item = self.get_object()  # another tenant's item is a 404 before any input is read
        data = _validated(s.ItemUpdateSerializer, request.data)
        item = services.inbox_item_update(workspace=self.workspace, actor=request.user, item=item, **data)
        return Response(item_detail_data(self.workspace, item))


class ItemAssignView(_ItemView):
    """POST: give the item to a person who can work this inbox (`assignee`: their id, or null)."""

    required_capabilities = {"POST": C.INBOX_ASSIGN}

    @extend_schema(
        request=s.ItemAssignSerializer, responses={200: s.ItemSerializer, **_errors(400, 403, 404, 409)}
    )
    def post(self, request, workspace_id, item_id):
        item = self.get_object()
        data = _validated(s.ItemAssignSerializer, request.data)
        assignee = None
        if data["assignee"] is not None:
            assignee = get_user_model().objects.filter(pk=data["assignee"]).first()
            if assignee is None or not services.assignable(workspace=self.workspace, user=assignee):
                raise ValidationFailed(_("This person cannot work this workspace's inbox."), field="assignee")
        item = services.inbox_item_assign(
            workspace=self.workspace,
            actor=request.user,
            item=item,
            assignee=assignee,
            version=data.get("version"),
        )
        return Response(item_data(item))


class ItemNotesView(_ItemView):
    """GET: the item's internal notes, oldest first. POST: add one (never sent to the fan)."""

    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_REPLY}

    @extend_schema(responses={200: s.NoteSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id, item_id):
        notes = selectors.inbox_item_notes(self.workspace, item=self.get_object())
        return Response([note_data(note) for note in notes])

    @extend_schema(request=s.NoteInputSerializer, responses={201: s.NoteSerializer, **_errors(400, 403, 404)})
    def post(self, request, workspace_id, item_id):
        item = self.get_object()
        data = _validated(s.NoteInputSerializer, request.data)
        note = services.inbox_note_add(
            workspace=self.workspace, actor=request.user, item=item, body=data["body"]
        )
        return created(note_data(note))


class ItemsCloseView(WorkspaceScopedAPIView):
    """POST: close many items at once (`items`: their ids; ids of other workspaces are ignored)."""

    queryset = InboxItem.objects.all()
    required_capabilities = {"POST": C.INBOX_REPLY}
    dashboard_page = "dashboard:inbox"

    @extend_schema(
        request=s.ItemsCloseSerializer, responses={200: s.ClosedCountSerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id):
        data = _validated(s.ItemsCloseSerializer, request.data)
        items = list(self.get_queryset().filter(pk__in=data["items"]))
        closed = services.inbox_items_close(workspace=self.workspace, actor=request.user, items=items)
        return Response({"closed": closed})


class FanDetailView(WorkspaceScopedAPIView):
    """GET: a fan's profile and their history with every account of this workspace."""

    queryset = Fan.objects.all()
    lookup_url_kwarg = "fan_id"
    required_capabilities = {"GET": C.INBOX_VIEW}

    @extend_schema(responses={200: s.FanProfileSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, fan_id):
        profile = selectors.fan_profile(self.workspace, fan=self.get_object())
        return Response(
            {
                **fan_data(profile.fan),
                "items": profile.items,
                "first_at": profile.first_at,
                "last_at": profile.last_at,
                "accounts": profile.accounts,
                "recent": [item_data(item) for item in profile.recent],
            }
        )
