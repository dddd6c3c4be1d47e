"""Input shapes of the competitors API (a bad value is a 400 naming the field)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..sources.registry import SUPPORTED_PLATFORMS

# A plain string checked by the service (one message for the API and the page): an enum here would
# collide with the other "platform" enums of the schema.
PLATFORM_HELP = "Needed for a handle; one of: " + ", ".join(SUPPORTED_PLATFORMS)


class CompetitorAddSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, help_text=_("The competitor brand's name."))
    profile = serializers.CharField(max_length=500, help_text=_("A profile address (https://…) or a handle."))
    platform = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=PLATFORM_HELP)


class CompetitorAccountAddSerializer(serializers.Serializer):
    profile = serializers.CharField(max_length=500)
    platform = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text=PLATFORM_HELP)


class CompetitorPickSerializer(serializers.Serializer):
    competitor = serializers.IntegerField(help_text=_("One of the organization's competitor brands."))


class CompetitorAccountOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    platform_name = serializers.CharField()
    external_id = serializers.CharField()
    handle = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField()
    profile_url = serializers.CharField()
    followers = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    status_name = serializers.CharField()
    source = serializers.CharField(
        help_text=_("The data source every stored value of this account is tagged with.")
    )
    official_source = serializers.BooleanField()
    gathering_data = serializers.BooleanField()
    first_complete_day = serializers.DateField(allow_null=True)
    last_pulled_at = serializers.DateTimeField(allow_null=True)


class CompetitorOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    gathering_data = serializers.BooleanField()
    accounts = CompetitorAccountOutputSerializer(many=True)
