"""A WeChat Official Account's message server settings in the API:
GET  accounts/{account_id}/wechat-push/  the URL and Token (the EncodingAESKey is never shown again),
POST accounts/{account_id}/wechat-push/  new keys (the old ones stop working); the EncodingAESKey is in this
answer only. Needs account.connect; the page is inbox:wechat_push."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.roles import Capability as C
from channels_app.models import SocialAccount
from core.api import WorkspaceScopedAPIView
from core.errors import ValidationFailed

from .. import services
from ..models import InboxPushKey
from .views import _errors, _validated


class PushKeyCreateSerializer(serializers.Serializer):
    safe_mode = serializers.BooleanField(
        required=False, default=True, help_text=_("Only safe mode (encrypted messages) is offered.")
    )

    def validate_safe_mode(self, value):
        if not value:
            raise serializers.ValidationError(_("Only safe mode (encrypted messages) is offered."))
        return value


class PushKeySerializer(serializers.Serializer):
    url = serializers.CharField(
        allow_blank=True, help_text=_("The server address (URL) to paste into WeChat.")
    )
    # WeChat's own "Token" setting (it signs WeChat's pushes to us): not a credential of this API.
    wechat_token = serializers.CharField(allow_blank=True, help_text=_("The Token to paste into WeChat."))
    encoding_aes_key = serializers.CharField(
        required=False, help_text=_("Only in the answer that made it: it is not shown again.")
    )
    safe_mode = serializers.BooleanField()
    available = serializers.BooleanField(
        help_text=_("False for an account that is not a WeChat Official Account.")
    )


class WeChatPushKeyView(WorkspaceScopedAPIView):
    queryset = SocialAccount.objects.all()
    lookup_url_kwarg = "account_id"
    required_capabilities = {"GET": C.ACCOUNT_CONNECT, "POST": C.ACCOUNT_CONNECT}
    dashboard_page = "inbox:wechat_push"

    def _wechat_account(self) -> SocialAccount:
        account = self.get_object()
        if account.platform != "wechat_oa":
            raise ValidationFailed(
                _("Only WeChat Official Accounts push messages to a message server."), field="account"
            )
        return account

    def _data(self, key: InboxPushKey | None, aes_key: str | None = None) -> dict:
        data = {
            "url": self.request.build_absolute_uri(f"/hooks/inbox/wechat/{key.url_key}/") if key else "",
            "wechat_token": key.token if key else "",
            "safe_mode": True,
        }
        if aes_key:
            data["encoding_aes_key"] = aes_key
        return data | {"available": True}

    @extend_schema(responses={200: PushKeySerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, account_id):
        account = self.get_object()
        if account.platform != "wechat_oa":  # (as the page: nothing to show, and says so)
            return Response({**self._data(None), "available": False})
        return Response(
            {**self._data(InboxPushKey.objects.filter(account=account).first()), "available": True}
        )

    @extend_schema(
        request=PushKeyCreateSerializer, responses={201: PushKeySerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id, account_id):
        _validated(PushKeyCreateSerializer, request.data)
        account = self._wechat_account()
        key, aes_key = services.inbox_push_key_create(
            workspace=self.workspace, actor=request.user, account=account
        )
        return Response(self._data(key, aes_key), status=201)
