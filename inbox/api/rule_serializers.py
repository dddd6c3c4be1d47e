"""Input and output shapes of the inbox rules API (inbox.api.rule_views)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import ItemKind, Priority, Sentiment


def _words(help_text):
    return serializers.ListField(
        child=serializers.CharField(max_length=60), max_length=50, required=False, help_text=help_text
    )


class RuleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    enabled = serializers.BooleanField(required=False, default=True)
    keywords = _words(_("Any of them: Chinese matches as a substring, Latin as a whole word."))
    account = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False, allow_blank=True)
    min_followers = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    vip = _words(_("Fans' handles or platform ids."))
    sentiment = serializers.ChoiceField(choices=Sentiment.choices, required=False, allow_blank=True)
    add_tags = _words(_("Tags added to the message."))
    assign_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    assign_team = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=50,
        help_text=_("People who take turns (round-robin); people who cannot answer fans are skipped."),
    )
    set_priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_blank=True)
    close = serializers.BooleanField(required=False, default=False)
    hide = serializers.BooleanField(required=False, default=False)
    stop = serializers.BooleanField(required=False, default=False)


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    name = serializers.CharField()
    enabled = serializers.BooleanField()
    keywords = serializers.ListField(child=serializers.CharField())
    account = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField()
    min_followers = serializers.IntegerField(allow_null=True)
    vip = serializers.ListField(child=serializers.CharField())
    sentiment = serializers.CharField()
    add_tags = serializers.ListField(child=serializers.CharField())
    assign_to = serializers.IntegerField(allow_null=True)
    assign_team = serializers.ListField(child=serializers.IntegerField())
    set_priority = serializers.CharField()
    close = serializers.BooleanField()
    hide = serializers.BooleanField()
    stop = serializers.BooleanField()


class RuleOrderSerializer(serializers.Serializer):
    rules = serializers.ListField(
        child=serializers.IntegerField(min_value=1), help_text=_("Every rule's id, in the order to run.")
    )


class RuleTestInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    account = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    kind = serializers.ChoiceField(choices=ItemKind.choices, required=False, default=ItemKind.COMMENT)
    followers = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    fan = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sentiment = serializers.ChoiceField(choices=Sentiment.choices, required=False, allow_blank=True)


class RuleTestSerializer(serializers.Serializer):
    rules = RuleSerializer(many=True)
