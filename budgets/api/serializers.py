"""Input and output serializers of the budgets API. Inputs parse types only (dates, ids, text); the
rules (currencies, minor units, periods, caps) are the services'. Money goes in and out as strings:
exact decimals, never floats; a total is exact too (rounding is for people: the `*_display` fields)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from ..models import CapMode, Category, SpendKind, SpendStatus

MONEY_HELP = 'A decimal number as a string, e.g. "1200.50"; at most the currency\'s minor unit of decimals.'


class MoneyInField(serializers.CharField):
    """Money as text (a JSON number is accepted as its text form; a float is never built)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", MONEY_HELP)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return str(data)
        if not isinstance(data, str):
            # A JSON number with a fraction arrives as a float from the parser: its repr is what was sent.
            return repr(data)
        return super().to_internal_value(data)


class BudgetInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    approval_threshold = MoneyInField(required=False, allow_null=True, allow_blank=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BudgetLineInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    planned = MoneyInField()
    platform = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    cap_mode = serializers.ChoiceField(choices=CapMode.choices, required=False, default=CapMode.SOFT)
    agency = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The id of an agency organization with an active grant on the workspace: its people "
        "see this line (and no other) and may enter spend on it. Null: the client's own line.",
    )


class SpendInputSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    spent_on = serializers.DateField()
    amount = MoneyInField()
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=SpendKind.choices, required=False, default=SpendKind.ACTUAL)
    vendor = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    posts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    receipt = serializers.FileField(required=False, allow_null=True, default=None)
    remove_receipt = serializers.BooleanField(required=False, default=False)


class SpendDecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ExchangeRateInputSerializer(serializers.Serializer):
    on = serializers.DateField()
    base = serializers.CharField(max_length=3, help_text="1 of this currency ...")
    quote = serializers.CharField(max_length=3, help_text="... is worth `rate` of this one.")
    rate = MoneyInField(help_text='A decimal as a string, e.g. "7.1234".')


class ExchangeRateImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: date,currency,in,rate (a header row is optional).")


# --- output -------------------------------------------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    actual = serializers.CharField()
    committed = serializers.CharField()
    pending = serializers.CharField(help_text="Waiting for approval: counted in no total yet.")
    used = serializers.CharField(help_text="actual + committed.")


class LineOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=Category.choices)
    category_name = serializers.CharField()
    platform = serializers.CharField()
    name = serializers.CharField()
    planned = serializers.CharField()
    cap_mode = serializers.ChoiceField(choices=CapMode.choices)
    agency = serializers.IntegerField(allow_null=True)
    agency_name = serializers.CharField(allow_null=True)
    totals = FiguresSerializer(required=False)
    remaining = serializers.CharField(required=False)


class BudgetOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    currency = serializers.CharField()
    campaign = serializers.IntegerField(allow_null=True)
    approval_threshold = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    planned = serializers.CharField()
    totals = FiguresSerializer()
    remaining = serializers.CharField()
    used_display = serializers.CharField()
    planned_display = serializers.CharField()
    unconverted = serializers.IntegerField(help_text="Entries left out: no exchange rate at their date.")


class BudgetDetailOutSerializer(BudgetOutSerializer):
    lines = LineOutSerializer(many=True)
    categories = serializers.DictField(child=FiguresSerializer())
    campaigns = serializers.ListField(child=serializers.DictField())


class SpendOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    budget = serializers.IntegerField()
    line = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SpendKind.choices)
    status = serializers.ChoiceField(choices=SpendStatus.choices)
    spent_on = serializers.DateField()
    vendor = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField()
    converted = serializers.CharField(
        allow_null=True, help_text="In the budget's currency at the entry's date."
    )
    campaign = serializers.IntegerField(allow_null=True)
    posts = serializers.ListField(child=serializers.IntegerField())
    note = serializers.CharField()
    receipt = serializers.CharField(allow_null=True, help_text="The receipt's download URL.")
    receipt_name = serializers.CharField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)


class ExchangeRateOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    on = serializers.DateField()
    base = serializers.CharField()
    quote = serializers.CharField()
    rate = serializers.CharField()
    source = serializers.CharField()


class BurnDownOutSerializer(serializers.Serializer):
    currency = serializers.CharField()
    planned = serializers.CharField()
    dates = serializers.ListField(child=serializers.DateField())
    remaining = serializers.ListField(child=serializers.CharField(allow_null=True))
    ideal = serializers.ListField(child=serializers.CharField())


ExportFormatParameter = OpenApiParameter(
    "file_format", str, enum=["csv", "xlsx", "pdf"], default="csv", description="The file's format."
)
