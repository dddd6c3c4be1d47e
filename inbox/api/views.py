"""The inbox API under /api/v1/workspaces/{workspace_id}/inbox/: the queue with filters, one item with its
thread, triage (status, priority, tags), assignment, internal notes, bulk close and the fan's profile.

Reading needs inbox.view; working items (triage, notes, closing) inbox.reply; assigning inbox.assign.
Thin views: a serializer parses the input, one service or selector does the work. A change based on a
stale view of the item (`version` older than the item's) is a 409 `stale_view`.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView, created
from core.errors import ValidationFailed

from .. import selectors, services
from ..models import Fan, InboxItem, InboxNote, InboxReply, ItemKind, ItemStatus, SavedReply
from ..reply_windows import reply_window
from . import serializers as s


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
        409: "The item changed since you saw it (`stale_view`).",
        429: "The platform asked us to wait (`platform_rate_limited`); the message says how long.",
        502: "The platform did not answer (`platform_unavailable`); trying again is safe.",
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
        "platform_hidden_at": item.platform_hidden_at,
        "liked_at": item.liked_at,
        "deleted_by_us_at": item.deleted_by_us_at,
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


def reply_data(reply: InboxReply) -> dict:
    return {
        "id": reply.pk,
        "item": reply.item_id,
        "author": person_data(reply.author),
        "text": reply.text,
        "media": reply.media_id,
        "status": reply.status,
        "status_label": str(InboxReply.Status(reply.status).label),
        "external_id": reply.external_id,
        "error": reply.error,
        "created_at": reply.created_at,
        "sent_at": reply.sent_at,
        "attempts": reply.attempts.count(),
    }


def item_detail_data(workspace, item: InboxItem) -> dict:
    thread = selectors.inbox_item_thread(workspace, item=item)
    window = reply_window(item, timezone.now())
    return {
        **item_data(item),
        "thread": [item_data(entry) for entry in thread],
        "replies": [reply_data(reply) for reply in selectors.inbox_item_replies(workspace, item=item)],
        "reply_window_closes_at": window.closes_at,
        "platform_actions": services.item_actions_offered(item),
    }


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

    pagination_class = None  # a whole, bounded list: an array, as the schema says
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
        items = _items_named(self.get_queryset(), data["items"])
        closed = services.inbox_items_close(workspace=self.workspace, actor=request.user, items=items)
        return Response({"closed": closed})


def _items_named(queryset, ids: list[int]) -> list:
    """The workspace's items with these ids; an id of no item here (another tenant's) is a field error."""
    items = list(queryset.filter(pk__in=ids))
    missing = sorted(set(ids) - {item.pk for item in items})
    if missing:
        raise ValidationFailed(
            _("No message with id %(ids)s in this workspace.") % {"ids": ", ".join(map(str, missing))},
            code="not_in_workspace",
            field="items",
        )
    return items


class ItemsAssignView(WorkspaceScopedAPIView):
    """POST: give many items to one person at once (`items`: their ids; `assignee`: id or null)."""

    queryset = InboxItem.objects.all()
    required_capabilities = {"POST": C.INBOX_ASSIGN}
    dashboard_page = "dashboard:inbox"

    @extend_schema(
        request=s.ItemsAssignSerializer, responses={200: s.AssignedCountSerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id):
        data = _validated(s.ItemsAssignSerializer, request.data)
        assignee = None
        if data["assignee"] is not None:
            assignee = get_user_model().objects.filter(pk=data["assignee"]).first()
            if assignee is None or not services.assignable(workspace=self.workspace, user=assignee):
                raise ValidationFailed(_("This person cannot work this workspace's inbox."), field="assignee")
        items = _items_named(self.get_queryset(), data["items"])
        assigned = services.inbox_items_assign(
            workspace=self.workspace, actor=request.user, items=items, assignee=assignee
        )
        return Response({"assigned": assigned})


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


class ItemReplyView(_ItemView):
    """POST: answer the fan through the platform, with the item's `version` you saw. Refused before any
    call with a clear reason (400 on `text`): empty, too long, blocking compliance findings, the platform's
    reply window closed (`reply_window_closed`). Someone answered since you looked: 409
    `already_answered`, naming them. The reply is queued and sent once (see `replies` on the item)."""

    required_capabilities = {"POST": C.INBOX_REPLY}

    @extend_schema(
        request=s.ReplyInputSerializer, responses={201: s.ReplySerializer, **_errors(400, 403, 404, 409)}
    )
    def post(self, request, workspace_id, item_id):
        item = self.get_object()
        data = _validated(s.ReplyInputSerializer, request.data)
        reply = services.inbox_reply_send(
            workspace=self.workspace,
            actor=request.user,
            item=item,
            text=data["text"],
            version=data["version"],
            media=selectors.reply_media(self.workspace, data.get("media")),
        )
        reply.refresh_from_db()
        return created(reply_data(reply))


class ItemActionView(_ItemView):
    """POST: hide, unhide, delete or like the fan's comment on the platform (`action`), with the item's
    `version` you saw. An action the platform does not offer is refused before any call (400 on `action`,
    `action_not_supported`); the platform's rate limit answers 429, no answer 502 (trying again is safe:
    every action is idempotent). `platform_actions` on the item says what its platform offers."""

    required_capabilities = {"POST": C.INBOX_REPLY}

    @extend_schema(
        request=s.ItemActionSerializer,
        responses={200: s.ItemSerializer, **_errors(400, 403, 404, 409, 429, 502)},
    )
    def post(self, request, workspace_id, item_id):
        item = self.get_object()
        data = _validated(s.ItemActionSerializer, request.data)
        item = services.inbox_item_platform_action(
            workspace=self.workspace,
            actor=request.user,
            item=item,
            action=data["action"],
            version=data["version"],
        )
        return Response(item_data(item))


def saved_reply_data(saved: SavedReply, rendered: str | None = None) -> dict:
    data = {"id": saved.pk, "name": saved.name, "body": saved.body}
    if rendered is not None:
        data["rendered"] = rendered
    return data


class SavedReplyListView(WorkspaceScopedAPIView):
    """GET: the workspace's saved replies (with `item`: each filled in for that item). POST: a new one
    (`{fan}`, `{fan_handle}`, `{account}` and `{agent}` are filled in when used)."""

    queryset = SavedReply.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.INBOX_VIEW, "POST": C.INBOX_ASSIGN}
    dashboard_page = "inbox:saved_replies"

    @extend_schema(
        parameters=[s.SavedReplyQuerySerializer], responses={200: s.SavedReplySerializer(many=True)}
    )
    def get(self, request, workspace_id):
        query = _validated(s.SavedReplyQuerySerializer, request.query_params)
        item = None
        if query.get("item"):
            item = (
                InboxItem.objects.filter(workspace=self.workspace, pk=query["item"])
                .select_related("fan", "account")
                .first()
            )
            if item is None:
                raise ValidationFailed(_("No such item here."), field="item")
        rows = []
        for saved in self.get_queryset().order_by("name"):
            rendered = services.saved_reply_render(saved, item=item, agent=request.user) if item else None
            rows.append(saved_reply_data(saved, rendered))
        return Response(rows)

    @extend_schema(
        request=s.SavedReplyInputSerializer, responses={201: s.SavedReplySerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id):
        data = _validated(s.SavedReplyInputSerializer, request.data)
        saved = services.saved_reply_create(workspace=self.workspace, actor=request.user, **data)
        return created(saved_reply_data(saved))


class SavedReplyDetailView(WorkspaceScopedAPIView):
    queryset = SavedReply.objects.all()
    lookup_url_kwarg = "saved_reply_id"
    required_capabilities = {"GET": C.INBOX_VIEW, "PATCH": C.INBOX_ASSIGN, "DELETE": C.INBOX_ASSIGN}
    dashboard_page = "inbox:saved_replies"

    @extend_schema(responses={200: s.SavedReplySerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, saved_reply_id):
        return Response(saved_reply_data(self.get_object()))

    @extend_schema(
        request=s.SavedReplyInputSerializer(partial=True),
        responses={200: s.SavedReplySerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id, saved_reply_id):
        saved = self.get_object()
        serializer = s.SavedReplyInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        saved = services.saved_reply_update(
            workspace=self.workspace,
            actor=request.user,
            saved=saved,
            name=data.get("name", saved.name),
            body=data.get("body", saved.body),
        )
        return Response(saved_reply_data(saved))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, saved_reply_id):
        services.saved_reply_delete(workspace=self.workspace, actor=request.user, saved=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def settings_data(row) -> dict:
    return {
        "business_days": row.business_days,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "first_response_minutes": row.first_response_minutes,
        "resolution_minutes": row.resolution_minutes,
        "warning_minutes": row.warning_minutes,
        "approval_accounts": row.approval_accounts,
        "approval_keywords": row.approval_keywords,
    }


class InboxSettingsView(WorkspaceScopedAPIView):
    """The workspace's business hours (its time zone) and first-response target for the SLA timer."""

    queryset = SavedReply.objects.none()
    required_capabilities = {"GET": C.INBOX_VIEW, "PATCH": C.WORKSPACE_MANAGE}
    dashboard_page = "inbox:settings"

    @extend_schema(responses={200: s.InboxSettingsSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id):
        return Response(settings_data(services.inbox_settings_get(self.workspace)))

    @extend_schema(
        request=s.InboxSettingsSerializer(partial=True),
        responses={200: s.InboxSettingsSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id):
        serializer = s.InboxSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.inbox_settings_update(
            workspace=self.workspace, actor=request.user, **serializer.validated_data
        )
        return Response(settings_data(row))
