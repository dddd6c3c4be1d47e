"""Input and output shapes of the analytics API. Inputs are parsed with these serializers (a bad value is a
400 naming the field); outputs are built as plain dicts by analytics.api.views and declared here so the
OpenAPI schema describes them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from content.models import TagGroup

from ..metrics import COMMON_METRICS
from ..models import EngagementRateBasis
from ..selectors.rates import RATE_DENOMINATORS
from ..selectors.reports import MEDIA_TYPES, POST_SORT_KEYS, POST_TOTALS

DEFAULT_DAYS = 30
MAX_DAYS = 731  # two years: a report longer than that is an export's job
PLATFORM_CHOICES = list(settings.PLATFORM_KEYS)
POST_METRICS = [*POST_TOTALS, *RATE_DENOMINATORS]


class _QueryParams(serializers.Serializer):
    """Accepts repeated keys and comma-separated values alike for list fields (`?accounts=1,2&accounts=3`)."""

    def to_internal_value(self, data):
        flat = {}
        for key, field in self.fields.items():
            if key not in data:
                continue
            if isinstance(field, serializers.ListField):
                values = data.getlist(key) if hasattr(data, "getlist") else data[key]
                values = [values] if isinstance(values, str) else values
                flat[key] = [part for value in values for part in str(value).split(",") if part]
            else:
                flat[key] = data[key]
        return super().to_internal_value(flat)


class PeriodSerializer(_QueryParams):
    """`start` and `end`: calendar days in the workspace's time zone, both included. Neither given: the
    last 30 days up to today; one given: 30 days from or up to it."""

    start = serializers.DateField(
        required=False, help_text="First day (YYYY-MM-DD), in the workspace's zone."
    )
    end = serializers.DateField(required=False, help_text="Last day, included (YYYY-MM-DD).")
    accounts = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Only these social accounts (ids)."
    )

    def validate(self, attrs):
        span = timedelta(days=DEFAULT_DAYS - 1)
        start, end = attrs.get("start"), attrs.get("end")
        if start is None and end is None:
            end = timezone.localdate(timezone.now(), self.context["workspace"].tzinfo)
        if start is None:
            start = end - span
        if end is None:
            end = start + span
        if end < start:
            raise serializers.ValidationError({"end": [_("The end must be on or after the start.")]})
        if (end - start).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(
                {"start": [_("A period is at most %(days)s days.") % {"days": MAX_DAYS}]}
            )
        attrs["start"], attrs["end"] = start, end
        return attrs


class PostTableQuerySerializer(PeriodSerializer):
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=PLATFORM_CHOICES), required=False)
    campaign = serializers.IntegerField(required=False)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)
    author = serializers.IntegerField(required=False)
    media_type = serializers.ChoiceField(choices=MEDIA_TYPES, required=False)
    sort = serializers.ChoiceField(
        choices=[*POST_SORT_KEYS, *(f"-{key}" for key in POST_SORT_KEYS)],
        required=False,
        default="-published_at",
        help_text="A column, `-` first for descending; posts without the figure come last.",
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)


class TopPostsQuerySerializer(PeriodSerializer):
    metric = serializers.ChoiceField(choices=POST_METRICS, required=False, default="engagements")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=10)


class BestTimeQuerySerializer(PeriodSerializer):
    metric = serializers.ChoiceField(choices=POST_METRICS, required=False, default="engagements")


class TagReportQuerySerializer(PeriodSerializer):
    group = serializers.IntegerField(required=False, help_text="One tag group (default: every group).")
    metric = serializers.ChoiceField(choices=POST_METRICS, required=False, default="engagements")
    benchmark = serializers.ChoiceField(
        choices=["auto", "median", "mean"],
        required=False,
        default="auto",
        help_text="auto: the median of the tags' averages with more than six tags, else the group's mean.",
    )

    def validate_group(self, value):
        group = TagGroup.objects.filter(workspace=self.context["workspace"], pk=value).first()
        if group is None:
            raise serializers.ValidationError(_("No such tag group in this workspace."))
        return group


class RegistryQuerySerializer(_QueryParams):
    platform = serializers.ChoiceField(choices=PLATFORM_CHOICES, required=False)


# --- custom metrics and settings (input) --------------------------------------------------------------


class CustomMetricInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, trim_whitespace=True)
    formula = serializers.CharField(
        max_length=300, help_text="Numbers, common metric names, + - * / and parentheses."
    )
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    # The rules (name taken, formula refused by the evaluator) are the service's: custom_metric_check.


class AnalyticsSettingsInputSerializer(serializers.Serializer):
    lead_engagement_rate = serializers.ChoiceField(choices=EngagementRateBasis.choices)


# --- output -------------------------------------------------------------------------------------------


class AnalyticsPeriodOutSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class AnalyticsChangeSerializer(serializers.Serializer):
    metric = serializers.CharField()
    name = serializers.CharField()
    current = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    change_ratio = serializers.FloatField(
        allow_null=True, help_text="change / previous; null if previous is 0."
    )


class AnalyticsRateSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    denominator = serializers.ChoiceField(choices=["followers", "reach", "views"])
    value = serializers.FloatField(allow_null=True)
    engagements = serializers.FloatField()
    denominator_total = serializers.FloatField()
    posts = serializers.IntegerField()
    posts_left_out = serializers.IntegerField(help_text="Posts without the denominator, left out (not zero).")


class AnalyticsRateChangeSerializer(AnalyticsRateSerializer):
    previous = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True)
    change_ratio = serializers.FloatField(allow_null=True)


class AnalyticsGroupSerializer(serializers.Serializer):
    posts = AnalyticsChangeSerializer()
    metrics = AnalyticsChangeSerializer(many=True)
    rates = AnalyticsRateChangeSerializer(many=True, help_text="The workspace's lead rate first.")


class AnalyticsAccountBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    handle = serializers.CharField()
    display_name = serializers.CharField()
    platform = serializers.CharField()


class AnalyticsPlatformGroupSerializer(AnalyticsGroupSerializer):
    platform = serializers.CharField()
    platform_name = serializers.CharField()


class AnalyticsAccountFiguresSerializer(AnalyticsGroupSerializer):
    account = AnalyticsAccountBriefSerializer()


class OverviewSerializer(serializers.Serializer):
    period = AnalyticsPeriodOutSerializer()
    previous_period = AnalyticsPeriodOutSerializer()
    lead_rate = serializers.CharField()
    workspace = AnalyticsGroupSerializer()
    platforms = AnalyticsPlatformGroupSerializer(many=True)
    accounts = AnalyticsAccountFiguresSerializer(many=True)


class AnalyticsNamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField(required=False)


class PostRowSerializer(serializers.Serializer):
    target_id = serializers.IntegerField()
    post_id = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()
    account = AnalyticsAccountBriefSerializer()
    platform = serializers.CharField()
    published_at = serializers.DateTimeField(help_text="In the workspace's time zone.")
    campaign = AnalyticsNamedRefSerializer(allow_null=True)
    tags = AnalyticsNamedRefSerializer(many=True)
    author = AnalyticsNamedRefSerializer(allow_null=True)
    media_type = serializers.ChoiceField(choices=MEDIA_TYPES)
    metrics = serializers.DictField(child=serializers.FloatField(allow_null=True))
    rates = serializers.DictField(child=serializers.FloatField(allow_null=True))


class PostPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    period = AnalyticsPeriodOutSerializer()
    results = PostRowSerializer(many=True)


class TopPostsSerializer(serializers.Serializer):
    period = AnalyticsPeriodOutSerializer()
    metric = serializers.CharField()
    results = PostRowSerializer(many=True)


class CampaignFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    posts = serializers.IntegerField()
    metrics = serializers.DictField(child=serializers.FloatField(allow_null=True))
    rates = AnalyticsRateSerializer(many=True)


class CampaignReportSerializer(serializers.Serializer):
    period = AnalyticsPeriodOutSerializer()
    campaigns = CampaignFiguresSerializer(many=True)


class CampaignDetailSerializer(serializers.Serializer):
    period = AnalyticsPeriodOutSerializer()
    campaign = CampaignFiguresSerializer()
    top_posts = PostRowSerializer(many=True)


class TagRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    color = serializers.CharField()
    posts = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True, help_text="Average per post.")
    performance = serializers.FloatField(allow_null=True, help_text="value / base - 1 (0.34 = 34% above).")


class TagGroupReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    metric = serializers.CharField()
    benchmark = serializers.ChoiceField(choices=["median", "mean"])
    base = serializers.FloatField(allow_null=True)
    tags = TagRowSerializer(many=True)


class TagReportSerializer(serializers.Serializer):
    period = AnalyticsPeriodOutSerializer()
    groups = TagGroupReportSerializer(many=True)


class BestTimeCellSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday")
    hour = serializers.IntegerField(help_text="0-23 in the workspace's time zone")
    posts = serializers.IntegerField()
    average = serializers.FloatField()


class BestTimeSerializer(serializers.Serializer):
    period = AnalyticsPeriodOutSerializer()
    metric = serializers.CharField()
    timezone = serializers.CharField()
    cells = BestTimeCellSerializer(many=True, help_text="Only cells with posts, best first.")


class FollowerAccountSeriesSerializer(serializers.Serializer):
    account = AnalyticsAccountBriefSerializer()
    values = serializers.ListField(child=serializers.FloatField(allow_null=True))


class FollowerGrowthSerializer(serializers.Serializer):
    period = AnalyticsPeriodOutSerializer()
    dates = serializers.ListField(child=serializers.DateField())
    total = serializers.ListField(child=serializers.FloatField(allow_null=True))
    growth = serializers.ListField(child=serializers.FloatField(allow_null=True))
    accounts = FollowerAccountSeriesSerializer(many=True)


class RegistryMetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")
    meaning = serializers.CharField(help_text="In the request's language.")
    unit = serializers.CharField(help_text="A code: count, seconds, minutes, milliseconds, ratio or coins.")
    unit_name = serializers.CharField(help_text="The unit in the request's language.")
    level = serializers.ChoiceField(choices=["account", "post"])
    common_metric = serializers.CharField(allow_null=True, help_text="The common metric's key.")
    common_metric_name = serializers.CharField(allow_null=True, help_text="In the request's language.")
    aggregation = serializers.CharField(help_text="A code: last or sum.")
    aggregation_name = serializers.CharField(help_text="In the request's language.")
    source = serializers.CharField(help_text="The platform's API endpoint and field (never translated).")
    replaced_by = serializers.CharField(allow_blank=True)
    removed_on = serializers.DateField(allow_null=True)


class RegistryPlatformSerializer(serializers.Serializer):
    platform = serializers.CharField()
    platform_name = serializers.CharField()
    metrics = RegistryMetricSerializer(many=True)


class CommonMetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")
    meaning = serializers.CharField(help_text="In the request's language.")
    unit = serializers.CharField(help_text="A code: count, seconds, minutes, milliseconds, ratio or coins.")
    unit_name = serializers.CharField(help_text="The unit in the request's language.")


class RateDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    denominator = serializers.CharField()
    formula = serializers.CharField()


class RegistrySerializer(serializers.Serializer):
    common_metrics = CommonMetricSerializer(many=True)
    rates = RateDefinitionSerializer(many=True)
    platforms = RegistryPlatformSerializer(many=True)


class CustomMetricSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    formula = serializers.CharField()
    description = serializers.CharField()
    value = serializers.FloatField(allow_null=True, required=False, help_text="Over the period, when given.")


class AnalyticsSettingsSerializer(serializers.Serializer):
    lead_engagement_rate = serializers.ChoiceField(choices=EngagementRateBasis.choices)
    lead_rate = serializers.CharField(help_text="The rate key reports lead with.")


def common_name(key: str) -> str:
    return str(COMMON_METRICS[key].name)
