"""The account API under /api/v1/workspaces/{workspace_id}/: social accounts, groups, connect start.

Reading needs account.view; connecting, organising and disconnecting need account.connect.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response

from accounts.roles import Capability
from core.api import WorkspaceScopedAPIView, created

from .. import services
from ..models import AccountGroup, SocialAccount
from ..selectors import social_accounts_filter, social_accounts_with_relations
from . import serializers as s

VIEW, CONNECT = Capability.ACCOUNT_VIEW, Capability.ACCOUNT_CONNECT


class SocialAccountListView(WorkspaceScopedAPIView):
    """GET: the workspace's accounts; filters `platform`, `group`, `status` (or "disconnected"), `tag`."""

    queryset = SocialAccount.objects.all()
    serializer_class = s.SocialAccountOutputSerializer
    required_capabilities = {"GET": VIEW}

    def refine_queryset(self, queryset):
        filters = s.SocialAccountFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = social_accounts_filter(
            queryset,
            platform=data.get("platform", ""),
            group_id=data.get("group"),
            status=data.get("status", ""),
            tag=data.get("tag", ""),
        )
        return social_accounts_with_relations(queryset)

    @extend_schema(
        parameters=[s.SocialAccountFilterSerializer],
        responses=s.SocialAccountOutputSerializer(many=True),
        summary="The workspace's social accounts",
    )
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SocialAccountDetailView(WorkspaceScopedAPIView):
    """GET one account; PATCH its groups, tags and responsible person; DELETE disconnects it (the row
    and its history stay; credentials are wiped)."""

    dashboard_page = "channels:account_edit"

    queryset = SocialAccount.objects.all()
    serializer_class = s.SocialAccountOutputSerializer
    required_capabilities = {"GET": VIEW, "PATCH": CONNECT, "DELETE": CONNECT}
    lookup_url_kwarg = "account_id"

    def refine_queryset(self, queryset):
        return social_accounts_with_relations(queryset)

    def _render(self, account):
        fresh = social_accounts_with_relations(SocialAccount.objects.filter(pk=account.pk)).get()
        return Response(s.SocialAccountOutputSerializer(fresh).data)

    @extend_schema(responses=s.SocialAccountOutputSerializer, summary="A social account")
    def get(self, request, workspace_id, account_id):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=s.SocialAccountUpdateSerializer, responses=s.SocialAccountOutputSerializer)
    def patch(self, request, workspace_id, account_id):
        account = self.get_object()
        data = s.SocialAccountUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = {}
        if "tags" in data.validated_data:
            changes["tags"] = data.validated_data["tags"]
        if "groups" in data.validated_data:
            changes["group_ids"] = data.validated_data["groups"]
        if "responsible" in data.validated_data:
            changes["responsible_id"] = data.validated_data["responsible"]
        account = services.social_account_update(actor=request.user, account=account, **changes)
        return self._render(account)

    # A disconnect keeps the account (its history stays): the answer is the account, now disconnected.
    @extend_schema(request=None, responses={200: s.SocialAccountOutputSerializer})
    def delete(self, request, workspace_id, account_id):
        account = services.social_account_disconnect(actor=request.user, account=self.get_object())
        return self._render(account)


class ConnectStartView(WorkspaceScopedAPIView):
    """POST {"platform"}: begin an OAuth connection; open `authorization_url` in the same browser session.

    The state is bound to the caller, the workspace and (with session authentication) the session.
    """

    dashboard_page = "dashboard:accounts"

    queryset = SocialAccount.objects.all()
    serializer_class = s.ConnectStartOutputSerializer
    required_capabilities = {"POST": CONNECT}

    @extend_schema(request=s.ConnectStartInputSerializer, responses={201: s.ConnectStartOutputSerializer})
    def post(self, request, workspace_id):
        data = s.ConnectStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        platform = data.validated_data["platform"]
        redirect_uri = request.build_absolute_uri(reverse("channels:oauth_callback", args=[platform]))
        session = getattr(request, "session", None)
        start = services.social_account_connect_start(
            actor=request.user,
            workspace=self.workspace,
            platform=platform,
            redirect_uri=redirect_uri,
            session_key=session.session_key if session is not None else None,
        )
        return created(
            s.ConnectStartOutputSerializer(
                {
                    "platform": platform,
                    "authorization_url": start.authorization_url,
                    "expires_at": start.expires_at,
                }
            ).data
        )


class AccountGroupListView(WorkspaceScopedAPIView):
    queryset = AccountGroup.objects.all()
    serializer_class = s.AccountGroupSerializer
    required_capabilities = {"GET": VIEW, "POST": CONNECT}
    dashboard_page = "dashboard:accounts"

    @extend_schema(responses=s.AccountGroupSerializer(many=True), summary="The workspace's account groups")
    def get(self, request, workspace_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=s.AccountGroupInputSerializer, responses={201: s.AccountGroupSerializer})
    def post(self, request, workspace_id):
        data = s.AccountGroupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "name" not in data.validated_data:
            raise drf_serializers.ValidationError({"name": ["This field is required."]})
        group = services.account_group_create(
            actor=request.user,
            workspace=self.workspace,
            name=data.validated_data["name"],
            description=data.validated_data.get("description", ""),
        )
        return created(s.AccountGroupSerializer(group).data)


class AccountGroupDetailView(WorkspaceScopedAPIView):
    queryset = AccountGroup.objects.all()
    serializer_class = s.AccountGroupSerializer
    required_capabilities = {"GET": VIEW, "PATCH": CONNECT, "DELETE": CONNECT}
    dashboard_page = "dashboard:accounts"
    lookup_url_kwarg = "group_id"

    @extend_schema(responses=s.AccountGroupSerializer, summary="An account group")
    def get(self, request, workspace_id, group_id):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=s.AccountGroupInputSerializer, responses=s.AccountGroupSerializer)
    def patch(self, request, workspace_id, group_id):
        group = self.get_object()
        data = s.AccountGroupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.account_group_update(
            actor=request.user,
            group=group,
            name=data.validated_data.get("name"),
            description=data.validated_data.get("description"),
        )
        return Response(s.AccountGroupSerializer(group).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, workspace_id, group_id):
        services.account_group_delete(actor=request.user, group=self.get_object())
        return Response(status=204)
