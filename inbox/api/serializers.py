"""Input and output shapes of the inbox API. Inputs are parsed here (a bad value is a 400 naming the
field); outputs are plain dicts built by inbox.api.views and declared here for the OpenAPI schema."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import ItemKind, ItemStatus, Priority, Sentiment


class ItemFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False)
    platform = serializers.ChoiceField(choices=list(settings.PLATFORM_KEYS), required=False)
    account = serializers.IntegerField(required=False, min_value=1)
    assignee = serializers.IntegerField(
        required=False, min_value=0, help_text=_("A person's id; 0 for unassigned items.")
    )
    sentiment = serializers.ChoiceField(choices=Sentiment.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    tag = serializers.CharField(required=False, max_length=40)
    q = serializers.CharField(required=False, max_length=200)
    include_ours = serializers.BooleanField(required=False, default=False)


class ItemUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text=_("The item's version you saw; a change based on an older one is refused.")
    )
    status = serializers.ChoiceField(choices=ItemStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)


class ItemAssignSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False)
    assignee = serializers.IntegerField(allow_null=True, help_text=_("A person's id, or null to unassign."))


class ItemsCloseSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)


class ItemsAssignSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)
    assignee = serializers.IntegerField(allow_null=True, help_text=_("A person's id, or null to unassign."))


class AssignedCountSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()


class NoteInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=4000)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FanBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.CharField()
    external_id = serializers.CharField()
    handle = serializers.CharField()
    display_name = serializers.CharField()
    avatar_url = serializers.CharField()
    followers = serializers.IntegerField(allow_null=True)


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.IntegerField()
    account = serializers.DictField()
    conversation = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    external_id = serializers.CharField()
    parent_external_id = serializers.CharField()
    fan = FanBriefSerializer(allow_null=True)
    from_us = serializers.BooleanField()
    text = serializers.CharField()
    url = serializers.CharField()
    sent_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    removed_at = serializers.DateTimeField(allow_null=True)
    platform_hidden_at = serializers.DateTimeField(allow_null=True)
    liked_at = serializers.DateTimeField(allow_null=True)
    deleted_by_us_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField()
    priority = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    sentiment = serializers.CharField()
    sentiment_score = serializers.FloatField(allow_null=True)
    assignee = PersonSerializer(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    answered_by = PersonSerializer(allow_null=True)
    version = serializers.IntegerField()


class ItemDetailSerializer(ItemSerializer):
    thread = ItemSerializer(many=True)
    replies = serializers.ListField(child=serializers.DictField())
    reply_window_closes_at = serializers.DateTimeField(allow_null=True)
    platform_actions = serializers.ListField(
        child=serializers.CharField(), help_text=_("What the platform lets you do to this comment now.")
    )


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonSerializer(allow_null=True)
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class FanProfileSerializer(FanBriefSerializer):
    items = serializers.IntegerField()
    first_at = serializers.DateTimeField(allow_null=True)
    last_at = serializers.DateTimeField(allow_null=True)
    accounts = serializers.ListField(child=serializers.DictField())
    recent = ItemSerializer(many=True)


class ClosedCountSerializer(serializers.Serializer):
    closed = serializers.IntegerField()


class ItemActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["hide", "unhide", "delete", "like"])
    version = serializers.IntegerField(
        min_value=1, help_text=_("The item's version you saw; if it changed since, the action is refused.")
    )


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, trim_whitespace=False, allow_blank=True)
    media = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("A media library image to send with the reply, where the platform takes one."),
    )
    version = serializers.IntegerField(
        min_value=1,
        help_text=_("The item's version you saw; if someone answered since, the reply is refused."),
    )


class ReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField()
    author = PersonSerializer(allow_null=True)
    text = serializers.CharField()
    media = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField()
    external_id = serializers.CharField()
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()


class SavedReplyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    body = serializers.CharField(max_length=2000)


class SavedReplyQuerySerializer(serializers.Serializer):
    item = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Fill the variables for this item.")
    )


class SavedReplySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    body = serializers.CharField()
    rendered = serializers.CharField(required=False)


class InboxSettingsSerializer(serializers.Serializer):
    business_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), help_text=_("0 is Monday.")
    )
    opens_at = serializers.TimeField()
    closes_at = serializers.TimeField()
    first_response_minutes = serializers.IntegerField(min_value=1, max_value=7 * 24 * 60)
    resolution_minutes = serializers.IntegerField(min_value=1, max_value=30 * 24 * 60)
    warning_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60)
    approval_accounts = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=200,
        help_text=_("Accounts whose replies wait for approval."),
    )
    approval_keywords = serializers.ListField(
        child=serializers.CharField(max_length=60),
        max_length=50,
        help_text=_("Replies containing any of these words wait for approval."),
    )
