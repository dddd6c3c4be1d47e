"""The analytics pages: Overview (dashboard:analytics), Posts, Campaigns & tags and the Metrics reference.

Server-rendered tables from the same selectors and the same shaping as the JSON API (analytics.api.views),
so a page and a script read the same numbers; the charts (Apache ECharts, static/js/analytics.js) fetch
their data from the API endpoints themselves. Periods are calendar days in the workspace's time zone.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from channels_app.models import SocialAccount
from content.models import Campaign, Tag, TagGroup
from core.views import WorkspacePageMixin

from . import selectors
from .api import serializers as api_serializers
from .api import views as api
from .metrics import COMMON_METRICS
from .models import ExportKind
from .selectors import post_table, reports

PRESETS = (
    ("7d", gettext_lazy("Last 7 days")),
    ("30d", gettext_lazy("Last 30 days")),
    ("90d", gettext_lazy("Last 90 days")),
    ("month", gettext_lazy("This month")),
)
TABLE_METRICS = ("views", "reach", "engagements", "likes", "comments", "shares")


def preset_period(preset: str, today: date) -> tuple[date, date] | None:
    """The days a preset covers, up to and including today."""
    days = {"7d": 7, "30d": 30, "90d": 90}.get(preset)
    if days:
        return today - timedelta(days=days - 1), today
    if preset == "month":
        return today.replace(day=1), today
    return None


class _AnalyticsPage(WorkspacePageMixin, TemplateView):
    required_capabilities = {"GET": C.ANALYTICS_VIEW}
    tab = ""

    def period(self) -> tuple[date, date, str, dict]:
        """(start, end, preset, errors) from `preset` or `start`/`end`; a bad range shows its error and
        the last 30 days instead."""
        today = timezone.localdate(timezone.now(), self.workspace.tzinfo)
        query = self.request.GET
        preset = query.get("preset", "")
        if preset and not (query.get("start") or query.get("end")):
            found = preset_period(preset, today)
            if found:
                return *found, preset, {}
        serializer = api_serializers.PeriodSerializer(
            data={k: query[k] for k in ("start", "end") if query.get(k)},
            context={"workspace": self.workspace},
        )
        if serializer.is_valid():
            start, end = serializer.validated_data["start"], serializer.validated_data["end"]
            chosen = next((key for key, _label in PRESETS if preset_period(key, today) == (start, end)), "")
            return start, end, chosen, {}
        start, end = preset_period("30d", today)
        return start, end, "30d", {key: [str(m) for m in value] for key, value in serializer.errors.items()}

    PERIOD_TABS = ("overview", "posts", "campaigns")
    # What each tab offers to download (analytics.exports: small periods answer the file at once).
    EXPORTS = {
        "overview": [("report", "pdf"), ("report", "xlsx"), ("accounts", "csv"), ("followers", "csv")],
        "posts": [("posts", "csv"), ("posts", "xlsx")],
        "campaigns": [("campaigns", "xlsx"), ("tags", "xlsx")],
    }

    def export_links(self, ws: int, start, end) -> list[tuple[str, str]]:
        base = reverse("analytics_exports:download", args=[ws])
        return [
            (
                f"{ExportKind(kind).label} · {fmt.upper()}",
                f"{base}?kind={kind}&format={fmt}&start={start.isoformat()}&end={end.isoformat()}",
            )
            for kind, fmt in self.EXPORTS.get(self.tab, [])
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start, end, preset, errors = self.period()
        self.start, self.end = start, end
        previous_start, previous_end = selectors.previous_period(start, end)
        ws = self.workspace.pk
        context.update(
            tab=self.tab,
            start=start,
            end=end,
            previous_start=previous_start,
            previous_end=previous_end,
            preset=preset,
            presets=PRESETS,
            period_errors=errors,
            period_query=f"start={start.isoformat()}&end={end.isoformat()}",
            tz_name=self.workspace.timezone,
            tabs=[
                ("overview", _("Overview"), reverse("dashboard:analytics", args=[ws])),
                ("posts", _("Posts"), reverse("analytics:posts", args=[ws])),
                ("campaigns", _("Campaigns & tags"), reverse("analytics:campaigns", args=[ws])),
                ("metrics", _("Metrics"), reverse("analytics:metrics", args=[ws])),
                *(
                    [("exports", _("Downloads"), reverse("analytics_exports:jobs", args=[ws]))]
                    if self.access.can(C.ANALYTICS_EXPORT)
                    else []
                ),
                *(
                    [("scheduled", _("Scheduled reports"), reverse("analytics:scheduled_reports", args=[ws]))]
                    if self.access.can(C.ANALYTICS_EXPORT)
                    else []
                ),
                *(
                    [("settings", _("Settings"), reverse("analytics:settings", args=[ws]))]
                    if self.access.can(C.WORKSPACE_MANAGE)
                    else []
                ),
            ],
            period_tab=self.tab in self.PERIOD_TABS,
            api_base=reverse("analytics-overview", args=[ws]).rsplit("overview/", 1)[0],
            exports=self.export_links(ws, start, end) if self.access.can(C.ANALYTICS_EXPORT) else [],
            chart_labels={
                "current": _("This period"),
                "previous": _("Previous period"),
                "engagements": _("Engagements"),
                "followers": _("Followers"),
                "total": _("All accounts"),
                "posts": _("Posts"),
                "average": _("Average engagements per post"),
                "performance": _("Performance against the base"),
                "noData": _("No data for this period"),
                "weekdays": [str(WEEKDAYS[day]) for day in range(7)],
            },
        )
        return context


class OverviewPage(_AnalyticsPage):
    template_name = "analytics/overview.html"
    tab = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        overview = reports.overview(self.workspace, start=self.start, end=self.end)
        data = api.overview_data(self.workspace, overview)
        headline_keys = ("engagements", "views", "reach", "followers", "follower_growth")
        metrics = {row["metric"]: row for row in data["workspace"]["metrics"]}
        context.update(
            overview=data,
            headline=[data["workspace"]["posts"], *(metrics[key] for key in headline_keys)],
            lead=data["workspace"]["rates"][0],
            table_metrics=[(key, COMMON_METRICS[key].name) for key in ("views", "reach", "engagements")],
            weekdays=[str(WEEKDAYS[day]) for day in range(7)],
        )
        return context


def media_labels() -> dict:
    return {"text": _("Text"), "image": _("Image"), "video": _("Video")}


def _post_filters(workspace):
    return {
        "accounts": SocialAccount.objects.filter(workspace=workspace).order_by("platform", "handle"),
        "campaigns": Campaign.objects.filter(workspace=workspace).order_by("name"),
        "tags": Tag.objects.filter(workspace=workspace)
        .select_related("group")
        .order_by("group__name", "name"),
        "media_types": list(media_labels().items()),
    }


class PostsPage(_AnalyticsPage):
    """The post table; its filters and sorting reload only the table (htmx, PostsTablePartial)."""

    template_name = "analytics/posts.html"
    tab = "posts"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_post_filters(self.workspace))
        context.update(_table_context(self, self.request.GET))
        return context


class PostsTablePartial(_AnalyticsPage):
    template_name = "analytics/_posts_table.html"
    tab = "posts"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_table_context(self, self.request.GET))
        return context


def _table_context(page: _AnalyticsPage, query) -> dict:
    wanted = {key: query.get(key) for key in ("account", "platform", "campaign", "tag", "media_type")}
    sort = query.get("sort") or "-published_at"
    if sort.lstrip("-") not in reports.POST_SORT_KEYS:
        sort = "-published_at"

    def number(value):
        return int(value) if value and value.isdigit() else None

    try:
        page_number = max(1, int(query.get("page", 1)))
    except ValueError:
        page_number = 1
    size = 25
    filters = post_table.filters_of(
        accounts=[number(wanted["account"])] if number(wanted["account"]) else None,
        platforms=[wanted["platform"]] if wanted["platform"] else None,
        campaign=number(wanted["campaign"]),
        tags=[number(wanted["tag"])] if number(wanted["tag"]) else None,
        media_type=wanted["media_type"] if wanted["media_type"] in reports.MEDIA_TYPES else None,
    )

    def read(number):
        return post_table.post_page(
            page.workspace,
            start=page.start,
            end=page.end,
            sort=sort,
            filters=filters,
            limit=size,
            offset=(number - 1) * size,
        )

    table = read(page_number)
    pages = max(1, -(-table.total // size))
    if page_number > pages:  # past the end (the filters changed): the last page
        page_number = pages
        table = read(page_number)
    chosen = table.rows
    lead = selectors.lead_engagement_rate(page.workspace)
    base = {k: v for k, v in wanted.items() if v}
    base.update(start=page.start.isoformat(), end=page.end.isoformat())

    def sort_link(key):
        return urlencode({**base, "sort": f"-{key}" if sort != f"-{key}" else key})

    def page_link(number):
        return urlencode({**base, "sort": sort, "page": number}) if 1 <= number <= pages else ""

    columns = [
        ("published_at", _("Published")),
        *((key, COMMON_METRICS[key].name) for key in TABLE_METRICS),
        (lead, api.RATE_NAMES[lead]),
    ]
    return {
        "rows": [
            {
                **api.post_row_data(page.workspace, row),
                "platform_name": api.platform_name(row.figure.platform),
                "media_label": media_labels().get(row.media_type, row.media_type),
            }
            for row in chosen
        ],
        "count": table.total,
        "page_number": page_number,
        "pages": pages,
        "sort": sort,
        "lead_rate": lead,
        "columns": [
            {"key": key, "label": label, "link": sort_link(key), "active": sort.lstrip("-") == key}
            for key, label in columns
        ],
        "page_links": {"previous": page_link(page_number - 1), "next": page_link(page_number + 1)},
        "table_metrics": TABLE_METRICS,
        "filters": wanted,
    }


class CampaignsPage(_AnalyticsPage):
    """Campaigns' figures and each tag group's tag performance against the group's base (KAWO's rule)."""

    template_name = "analytics/campaigns.html"
    tab = "campaigns"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = reports.campaign_report(self.workspace, start=self.start, end=self.end)
        lead = selectors.lead_engagement_rate(self.workspace)
        groups = []
        for group in TagGroup.objects.filter(workspace=self.workspace).order_by("name", "pk"):
            performance = selectors.tag_performance(
                self.workspace, group=group, start=self.start, end=self.end
            )
            groups.append({"group": group, "performance": performance})
        context.update(
            campaigns=[api.campaign_data(row) for row in campaigns],
            lead_rate=lead,
            lead_rate_name=api.RATE_NAMES[lead],
            groups=groups,
        )
        return context


class MetricsPage(_AnalyticsPage):
    """What each number means: the common metrics, how each rate is computed (its denominator named), and
    every platform metric with its source and any rename."""

    template_name = "analytics/metrics.html"
    tab = "metrics"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            registry=api.registry_data(),
            lead_rate=selectors.lead_engagement_rate(self.workspace),
            custom_metrics=selectors.custom_metrics(self.workspace),
        )
        return context
