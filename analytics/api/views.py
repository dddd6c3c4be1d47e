"""The analytics API under /api/v1/workspaces/{workspace_id}/analytics/: the overview against the previous
period, the post table, top posts, campaigns, tag (content pillar) performance, best time to post,
follower growth, the metric registry, custom metrics and the lead-rate setting.

Thin views: each parses its query with a serializer (a malformed or reversed period is a 400 naming the
field), calls analytics selectors and shapes their result. Reading needs analytics.view; custom metrics
and the settings are the workspace's configuration, so changing them needs workspace.manage. Periods
are calendar days in the workspace's time zone, both ends included; times are shown in that zone.
"""

from __future__ import annotations

import math

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.roles import Capability as C
from channels_app.models import Platform
from content.models import Campaign
from core.api import WorkspaceScopedAPIView, created

from .. import selectors, services
from ..metrics import COMMON_METRICS, PLATFORM_METRICS
from ..models import CustomMetric, EngagementRateBasis
from ..selectors import post_table, reports
from ..selectors.rates import BASIS_TO_RATE, RATE_DENOMINATORS
from . import serializers as s

RATE_NAMES = {BASIS_TO_RATE[basis.value]: basis.label for basis in EngagementRateBasis}


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


def _validated(serializer_class, data, view, **extra) -> dict:
    serializer = serializer_class(data=data, context={"workspace": view.workspace, **extra})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _period(data) -> dict:
    return {"start": data["start"].isoformat(), "end": data["end"].isoformat()}


def _number(value):
    """Floats as JSON can carry them (a NaN or infinity would be invalid JSON): None instead."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def platform_name(key: str) -> str:
    try:
        return str(Platform(key).label)
    except ValueError:
        return key


def account_brief(account) -> dict:
    return {
        "id": account.pk,
        "handle": account.handle,
        "display_name": account.display_name,
        "platform": account.platform,
    }


def rate_data(rate) -> dict:
    return {
        "key": rate.key,
        "name": str(RATE_NAMES[rate.key]),
        "denominator": rate.denominator,
        "value": _number(rate.value),
        "engagements": rate.engagements,
        "denominator_total": rate.denominator_total,
        "posts": rate.posts,
        "posts_left_out": rate.posts_left_out,
    }


def change_data(metric: str, name: str, current, previous) -> dict:
    change = reports.change_of(current, previous)
    return {
        "metric": metric,
        "name": name,
        "current": _number(change.current),
        "previous": _number(change.previous),
        "change": _number(change.change),
        "change_ratio": _number(change.change_ratio),
    }


def group_data(part: reports.OverviewPart, rate_order: list[str]) -> dict:
    current, previous = part.current, part.previous
    metrics = [
        change_data(metric, str(COMMON_METRICS[metric].name), current.totals[metric], previous.totals[metric])
        for metric in (*reports.POST_TOTALS, *reports.ACCOUNT_TOTALS)
    ]
    rates = []
    for key in rate_order:
        now, before = current.rates[key], previous.rates[key]
        change = reports.change_of(now.value, before.value)
        rates.append(
            {
                **rate_data(now),
                "previous": _number(change.previous),
                "change": _number(change.change),
                "change_ratio": _number(change.change_ratio),
            }
        )
    return {
        "posts": change_data("posts", _("Posts"), current.posts, previous.posts),
        "metrics": metrics,
        "rates": rates,
    }


def overview_data(workspace, overview: reports.Overview) -> dict:
    order = overview.rate_order
    return {
        "period": {"start": overview.start.isoformat(), "end": overview.end.isoformat()},
        "previous_period": {
            "start": overview.previous_start.isoformat(),
            "end": overview.previous_end.isoformat(),
        },
        "lead_rate": order[0],
        "workspace": group_data(overview.workspace, order),
        "platforms": [
            {"platform": part.key, "platform_name": platform_name(part.key), **group_data(part, order)}
            for part in overview.platforms
        ],
        "accounts": [
            {"account": account_brief(overview.account_rows[part.key]), **group_data(part, order)}
            for part in overview.accounts
        ],
    }


def post_row_data(workspace, row: post_table.PostRow) -> dict:
    figure = row.figure
    return {
        "target_id": figure.target_id,
        "post_id": figure.post_id,
        "title": row.title,
        "text": row.text[:280],
        "url": row.url,
        "account": row.account,
        "platform": figure.platform,
        "published_at": figure.published_at.astimezone(workspace.tzinfo).isoformat(),
        "campaign": row.campaign,
        "tags": row.tags or [],
        "author": row.author,
        "media_type": row.media_type,
        "metrics": {metric: _number(figure.common.get(metric)) for metric in reports.POST_TOTALS},
        "rates": {rate: _number(value) for rate, value in row.rates.items()},
    }


def campaign_data(figures: reports.CampaignFigures) -> dict:
    campaign = figures.campaign
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "color": campaign.color,
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "posts": figures.posts,
        "metrics": {metric: _number(value) for metric, value in figures.totals.items()},
        "rates": [rate_data(figures.rates[key]) for key in RATE_DENOMINATORS],
    }


class _AnalyticsView(WorkspaceScopedAPIView):
    required_capabilities = {"GET": C.ANALYTICS_VIEW}
    # Reports are computed by selectors, not listed from one model; the scoped queryset is unused.
    queryset = CustomMetric.objects.all()


class OverviewView(_AnalyticsView):
    """The period against the previous period of the same length: posts, common metric totals and the
    three engagement rates (the workspace's lead rate first), for the workspace, each platform and each
    account."""

    @extend_schema(
        parameters=[s.PeriodSerializer], responses={200: s.OverviewSerializer, **_errors(400, 403, 404)}
    )
    def get(self, request, workspace_id):
        query = _validated(s.PeriodSerializer, request.query_params, self)
        overview = reports.overview(
            self.workspace, start=query["start"], end=query["end"], account_ids=query.get("accounts")
        )
        return Response(overview_data(self.workspace, overview))


class PostTableView(_AnalyticsView):
    """The posts published in the period with their figures: sorted, filtered, one page at a time
    (`page`, `page_size`). A fixed number of queries per request, whatever the page size."""

    @extend_schema(
        parameters=[s.PostTableQuerySerializer],
        responses={200: s.PostPageSerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id):
        query = _validated(s.PostTableQuerySerializer, request.query_params, self)
        page, size = query["page"], query["page_size"]
        table = post_table.post_page(
            self.workspace,
            start=query["start"],
            end=query["end"],
            sort=query["sort"],
            filters=post_table.filters_of(
                accounts=query.get("accounts"),
                platforms=query.get("platforms"),
                campaign=query.get("campaign"),
                tags=query.get("tags"),
                author=query.get("author"),
                media_type=query.get("media_type"),
            ),
            limit=size,
            offset=(page - 1) * size,
        )
        pages = max(1, math.ceil(table.total / size))
        chosen = table.rows

        def link(number):
            if number < 1 or number > pages:
                return None
            params = request.query_params.copy()
            params["page"] = number
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(
            {
                "count": table.total,
                "page": page,
                "pages": pages,
                "next": link(page + 1),
                "previous": link(page - 1),
                "period": _period(query),
                "results": [post_row_data(self.workspace, row) for row in chosen],
            }
        )


class TopPostsView(_AnalyticsView):
    """The period's best posts by a metric or a rate."""

    @extend_schema(
        parameters=[s.TopPostsQuerySerializer],
        responses={200: s.TopPostsSerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id):
        query = _validated(s.TopPostsQuerySerializer, request.query_params, self)
        rows = reports.top_posts(
            self.workspace,
            start=query["start"],
            end=query["end"],
            metric=query["metric"],
            limit=query["limit"],
        )
        return Response(
            {
                "period": _period(query),
                "metric": query["metric"],
                "results": [post_row_data(self.workspace, row) for row in rows],
            }
        )


class CampaignReportView(_AnalyticsView):
    """Every campaign with the figures of its posts published in the period."""

    @extend_schema(
        operation_id="analytics_campaigns_list",
        parameters=[s.PeriodSerializer],
        responses={200: s.CampaignReportSerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id):
        query = _validated(s.PeriodSerializer, request.query_params, self)
        report = reports.campaign_report(self.workspace, start=query["start"], end=query["end"])
        return Response({"period": _period(query), "campaigns": [campaign_data(row) for row in report]})


class CampaignDetailReportView(_AnalyticsView):
    """One campaign's figures in the period and its top posts by engagements."""

    @extend_schema(
        operation_id="analytics_campaign_retrieve",
        parameters=[s.PeriodSerializer],
        responses={200: s.CampaignDetailSerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id, campaign_id):
        campaign = Campaign.objects.filter(workspace=self.workspace, pk=campaign_id).first()
        if campaign is None:
            raise Http404
        query = _validated(s.PeriodSerializer, request.query_params, self)
        (figures,) = reports.campaign_report(
            self.workspace, start=query["start"], end=query["end"], campaign_ids=[campaign.pk]
        )
        table = post_table.post_page(
            self.workspace,
            start=query["start"],
            end=query["end"],
            sort="-engagements",
            filters=post_table.filters_of(campaign=campaign.pk),
            limit=10,
        )
        top = [row for row in table.rows if row.figure.common.get("engagements") is not None]
        return Response(
            {
                "period": _period(query),
                "campaign": campaign_data(figures),
                "top_posts": [post_row_data(self.workspace, row) for row in top],
            }
        )


class TagReportView(_AnalyticsView):
    """Tag (content pillar) performance, KAWO's rule: per tag group, each tag's average per post against
    the group's base (the median of the tags' averages with more than six tags, else the group's
    average per post), as `performance = value / base - 1`."""

    @extend_schema(
        parameters=[s.TagReportQuerySerializer],
        responses={200: s.TagReportSerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id):
        from content.models import Tag, TagGroup

        query = _validated(s.TagReportQuerySerializer, request.query_params, self)
        groups = (
            [query["group"]]
            if query.get("group")
            else list(TagGroup.objects.filter(workspace=self.workspace).order_by("name", "pk"))
        )
        colors = dict(Tag.objects.filter(workspace=self.workspace).values_list("pk", "color"))
        result = []
        for group in groups:
            performance = selectors.tag_performance(
                self.workspace,
                group=group,
                metric=query["metric"],
                start=query["start"],
                end=query["end"],
                benchmark=query["benchmark"],
                account_ids=query.get("accounts"),
            )
            result.append(
                {
                    "id": group.pk,
                    "name": group.name,
                    "metric": performance.metric,
                    "benchmark": performance.benchmark,
                    "base": _number(performance.base),
                    "tags": [
                        {
                            "id": row.tag_id,
                            "name": row.name,
                            "color": colors.get(row.tag_id, ""),
                            "posts": row.posts,
                            "value": _number(row.value),
                            "performance": _number(row.performance),
                        }
                        for row in performance.rows
                    ],
                }
            )
        return Response({"period": _period(query), "groups": result})


class BestTimeView(_AnalyticsView):
    """Posts grouped by the weekday and hour they were published, in the workspace's time zone, with
    each cell's average of the metric per post (best first)."""

    @extend_schema(
        parameters=[s.BestTimeQuerySerializer],
        responses={200: s.BestTimeSerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id):
        query = _validated(s.BestTimeQuerySerializer, request.query_params, self)
        cells = selectors.best_time_to_post(
            self.workspace,
            start=query["start"],
            end=query["end"],
            metric=query["metric"],
            account_ids=query.get("accounts"),
        )
        return Response(
            {
                "period": _period(query),
                "metric": query["metric"],
                "timezone": self.workspace.timezone,
                "cells": [
                    {"weekday": c.weekday, "hour": c.hour, "posts": c.posts, "average": _number(c.average)}
                    for c in cells
                ],
            }
        )


class FollowerGrowthView(_AnalyticsView):
    """Followers on each day of the period (per account, carried over days without a reading, and the
    total) and the total's change from day to day."""

    @extend_schema(
        parameters=[s.PeriodSerializer], responses={200: s.FollowerGrowthSerializer, **_errors(400, 403, 404)}
    )
    def get(self, request, workspace_id):
        from channels_app.models import SocialAccount

        query = _validated(s.PeriodSerializer, request.query_params, self)
        series = reports.follower_series(
            self.workspace, start=query["start"], end=query["end"], account_ids=query.get("accounts")
        )
        accounts = SocialAccount.objects.filter(
            workspace=self.workspace, pk__in=list(series.accounts)
        ).order_by("platform", "handle", "pk")
        return Response(
            {
                "period": _period(query),
                "dates": [day.isoformat() for day in series.dates],
                "total": series.total,
                "growth": series.growth,
                "accounts": [
                    {"account": account_brief(account), "values": series.accounts[account.pk]}
                    for account in accounts
                ],
            }
        )


def registry_data(platform: str | None = None) -> dict:
    """The metric registry in the active language (the request's)."""
    platforms = [platform] if platform else sorted(PLATFORM_METRICS)
    return {
        "common_metrics": [
            {
                "key": m.key,
                "name": str(m.name),
                "meaning": str(m.meaning),
                "unit": m.unit.value,
                "unit_name": str(m.unit.label),
            }
            for m in COMMON_METRICS.values()
        ],
        "rates": [
            {
                "key": key,
                "name": str(RATE_NAMES[key]),
                "denominator": denominator,
                "formula": f"engagements / {denominator}",
            }
            for key, denominator in RATE_DENOMINATORS.items()
        ],
        "platforms": [
            {
                "platform": key,
                "platform_name": platform_name(key),
                "metrics": [
                    {
                        "key": m.key,
                        "name": str(m.name),
                        "meaning": str(m.meaning),
                        "unit": m.unit.value,
                        "unit_name": str(m.unit.label),
                        "level": m.level.value,
                        "common_metric": m.feeds,
                        "common_metric_name": str(COMMON_METRICS[m.feeds].name) if m.feeds else None,
                        "aggregation": m.aggregation.value,
                        "aggregation_name": str(m.aggregation.label),
                        "source": m.source,
                        "replaced_by": m.replaced_by,
                        "removed_on": m.removed_on.isoformat() if m.removed_on else None,
                    }
                    for m in PLATFORM_METRICS.get(key, ())
                ],
            }
            for key in platforms
        ],
    }


class MetricRegistryView(_AnalyticsView):
    """Every metric we store, per platform: its key, name (in the request's language), meaning, unit, the
    common metric it feeds, and replaced_by / removed_on for metrics the platform renamed or dropped;
    with the common metrics and how each engagement rate is computed."""

    @extend_schema(
        parameters=[s.RegistryQuerySerializer],
        responses={200: s.RegistrySerializer, **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id):
        query = _validated(s.RegistryQuerySerializer, request.query_params, self)
        return Response(registry_data(query.get("platform")))


def custom_metric_data(metric: CustomMetric, value=...) -> dict:
    data = {
        "id": metric.pk,
        "name": metric.name,
        "formula": metric.formula,
        "description": metric.description,
    }
    if value is not ...:
        data["value"] = _number(value)
    return data


class CustomMetricListView(WorkspaceScopedAPIView):
    """GET: the workspace's formula metrics (with `start`/`end`: each one's value over that period).
    POST: a new one; a formula with anything but numbers, common metric names, + - * / and parentheses
    is a 400 on `formula`."""

    queryset = CustomMetric.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.ANALYTICS_VIEW, "POST": C.WORKSPACE_MANAGE}
    dashboard_page = "analytics:metrics"

    @extend_schema(
        parameters=[s.PeriodSerializer],
        responses={200: s.CustomMetricSerializer(many=True), **_errors(400, 403, 404)},
    )
    def get(self, request, workspace_id):
        metrics = list(self.get_queryset().order_by("name"))
        if "start" in request.query_params or "end" in request.query_params:
            query = _validated(s.PeriodSerializer, request.query_params, self)
            return Response(
                [
                    custom_metric_data(
                        metric,
                        selectors.custom_metric_value(
                            self.workspace, custom=metric, start=query["start"], end=query["end"]
                        ),
                    )
                    for metric in metrics
                ]
            )
        return Response([custom_metric_data(metric) for metric in metrics])

    @extend_schema(
        request=s.CustomMetricInputSerializer,
        responses={201: s.CustomMetricSerializer, **_errors(400, 403, 404)},
    )
    def post(self, request, workspace_id):
        data = _validated(s.CustomMetricInputSerializer, request.data, self)
        metric = services.custom_metric_create(workspace=self.workspace, actor=request.user, **data)
        return created(custom_metric_data(metric))


class CustomMetricDetailView(WorkspaceScopedAPIView):
    queryset = CustomMetric.objects.all()
    dashboard_page = "analytics:metrics"
    lookup_url_kwarg = "custom_metric_id"
    required_capabilities = {
        "GET": C.ANALYTICS_VIEW,
        "PATCH": C.WORKSPACE_MANAGE,
        "DELETE": C.WORKSPACE_MANAGE,
    }

    @extend_schema(responses={200: s.CustomMetricSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, custom_metric_id):
        return Response(custom_metric_data(self.get_object()))

    @extend_schema(
        request=s.CustomMetricInputSerializer(partial=True),
        responses={200: s.CustomMetricSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id, custom_metric_id):
        metric = self.get_object()
        serializer = s.CustomMetricInputSerializer(
            metric, data=request.data, partial=True, context={"workspace": self.workspace}
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        metric = services.custom_metric_update(
            workspace=self.workspace,
            actor=request.user,
            metric=metric,
            formula=data.get("formula", metric.formula),
            name=data.get("name"),
            description=data.get("description"),
        )
        return Response(custom_metric_data(metric))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, custom_metric_id):
        services.custom_metric_delete(workspace=self.workspace, actor=request.user, metric=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def settings_data(workspace) -> dict:
    found = selectors.analytics_settings_get(workspace)
    return {
        "lead_engagement_rate": found.lead_engagement_rate,
        "lead_rate": BASIS_TO_RATE[found.lead_engagement_rate],
    }


class AnalyticsSettingsView(_AnalyticsView):
    """The engagement rate the workspace's reports lead with (by followers, by reach or by views)."""

    required_capabilities = {"GET": C.ANALYTICS_VIEW, "PATCH": C.WORKSPACE_MANAGE}
    dashboard_page = "analytics:settings"

    @extend_schema(responses={200: s.AnalyticsSettingsSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id):
        return Response(settings_data(self.workspace))

    @extend_schema(
        request=s.AnalyticsSettingsInputSerializer,
        responses={200: s.AnalyticsSettingsSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id):
        data = _validated(s.AnalyticsSettingsInputSerializer, request.data, self)
        services.analytics_settings_update(workspace=self.workspace, actor=request.user, **data)
        return Response(settings_data(self.workspace))
