"""Input and output serializers of the objectives API. Inputs parse types only; the rules are the
services'. A target goes in as text or an integer (a decimal, never a float) and comes out as text."""

from __future__ import annotations

from rest_framework import serializers

from ..models import Kpi, PeriodKind, RateBasis, Scope


class TargetField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", 'A number as a string, e.g. "5000" or "0.045" (a rate is a ratio).')
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return str(data)
        if not isinstance(data, str):
            return repr(data)
        return super().to_internal_value(data)


class ObjectiveInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    period = serializers.ChoiceField(choices=PeriodKind.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Only for a custom period."
    )
    scope = serializers.ChoiceField(choices=Scope.choices, required=False, default=Scope.WORKSPACE)
    platform = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    account = serializers.IntegerField(required=False, allow_null=True, default=None)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    tag = serializers.IntegerField(required=False, allow_null=True, default=None)
    kpi = serializers.ChoiceField(choices=Kpi.choices)
    rate_basis = serializers.ChoiceField(
        choices=RateBasis.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The engagement rate's denominator; only for that KPI.",
    )
    target = TargetField()
    rivals = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Share of voice only: ids of competitor brands the workspace benchmarks.",
    )


class ProgressOutSerializer(serializers.Serializer):
    actual = serializers.FloatField(allow_null=True)
    projected = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(
        allow_null=True, help_text="projection / target (target / actual for cost and first-response time)."
    )
    pace = serializers.CharField()
    previous = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    share = serializers.FloatField(allow_null=True)
    days_elapsed = serializers.IntegerField()
    days_total = serializers.IntegerField()
    left_out = serializers.IntegerField()


class ObjectiveOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    period = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    scope = serializers.CharField()
    platform = serializers.CharField()
    account = serializers.IntegerField(allow_null=True)
    campaign = serializers.IntegerField(allow_null=True)
    tag = serializers.IntegerField(allow_null=True)
    kpi = serializers.CharField()
    rate_basis = serializers.CharField()
    target = serializers.CharField()
    rivals = serializers.ListField(child=serializers.IntegerField())
    progress = ProgressOutSerializer()
