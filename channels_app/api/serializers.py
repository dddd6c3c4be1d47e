"""Input and output shapes of the account API. Output never carries a token or any credential."""

from __future__ import annotations

from rest_framework import serializers

from ..models import AccountGroup, Platform, SocialAccount
from ..selectors import social_account_health


class AccountGroupRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountGroup
        fields = ["id", "name"]


class ResponsibleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.get_full_name")
    role = serializers.CharField()


class HealthSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    needs_reconnect = serializers.BooleanField()


class SocialAccountOutputSerializer(serializers.ModelSerializer):
    platform_label = serializers.CharField(source="get_platform_display")
    groups = AccountGroupRefSerializer(many=True)
    responsible = ResponsibleSerializer(allow_null=True)
    health = serializers.SerializerMethodField()

    class Meta:
        model = SocialAccount
        # An explicit allow-list: nothing from the credential row can appear here.
        fields = [
            "id",
            "platform",
            "platform_label",
            "external_id",
            "handle",
            "display_name",
            "avatar_url",
            "status",
            "status_message",
            "health",
            "assisted",
            "token_expires_at",
            "refresh_expires_at",
            "last_refreshed_at",
            "last_health_check_at",
            "responsible",
            "tags",
            "groups",
            "connected_at",
            "disconnected_at",
            "created_at",
        ]

    def get_health(self, account) -> dict:
        return HealthSerializer(social_account_health(account)).data


class SocialAccountUpdateSerializer(serializers.Serializer):
    tags = serializers.ListField(child=serializers.CharField(allow_blank=True), required=False)
    groups = serializers.ListField(child=serializers.IntegerField(), required=False)
    responsible = serializers.IntegerField(required=False, allow_null=True)


class SocialAccountFilterSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    group = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(
        choices=[*SocialAccount.Status.choices, ("disconnected", "disconnected")], required=False
    )
    tag = serializers.CharField(required=False)


class AccountGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountGroup
        fields = ["id", "name", "description", "created_at"]
        read_only_fields = ["id", "created_at"]


class AccountGroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ConnectStartInputSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)


class ConnectStartOutputSerializer(serializers.Serializer):
    platform = serializers.CharField()
    authorization_url = serializers.URLField()
    expires_at = serializers.DateTimeField()
