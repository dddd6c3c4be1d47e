"""The analytics pages that change things: the workspace's formula metrics (on the Metrics page), the
engagement rate reports lead with (Settings) and scheduled email reports. Thin: a form parses the input,
the same service the API calls (analytics.services, analytics.exports.schedules) validates, writes and
audits; its error lands next to the field (400)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.roles import Capability as C
from accounts.roles import role_has
from accounts.selectors import workspace_members
from core.errors import DomainError
from core.views import apply_domain_error

from . import selectors, services
from .exports import schedules
from .exports.api import last_deliveries
from .forms import AnalyticsSettingsForm, CustomMetricForm, ScheduledReportForm
from .models import CustomMetric, ScheduledReport
from .views import MetricsPage, _AnalyticsPage

# --- formula metrics (Metrics page) ---------------------------------------------------------------------


class CustomMetricsPage(MetricsPage):
    """The Metrics page with the workspace's formula metrics; POST adds one (workspace.manage)."""

    required_capabilities = {"GET": C.ANALYTICS_VIEW, "POST": C.WORKSPACE_MANAGE}

    def get_context_data(self, **kwargs):
        if self.access.can(C.WORKSPACE_MANAGE):
            kwargs.setdefault("custom_form", CustomMetricForm())
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id):
        form = CustomMetricForm(request.POST)
        if form.is_valid():
            try:
                metric = services.custom_metric_create(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Metric “%(name)s” added.") % {"name": metric.name})
                return redirect("analytics:metrics", self.workspace.pk)
        return self.render_to_response(self.get_context_data(custom_form=form), status=400)


class _CustomMetricMixin:
    def metric(self) -> CustomMetric:
        found = CustomMetric.objects.filter(
            workspace=self.workspace, pk=self.kwargs["custom_metric_id"]
        ).first()
        if found is None:
            raise Http404
        return found


class CustomMetricEditPage(_CustomMetricMixin, _AnalyticsPage):
    template_name = "analytics/custom_metric_edit.html"
    tab = "metrics"
    required_capabilities = {"GET": C.WORKSPACE_MANAGE, "POST": C.WORKSPACE_MANAGE}

    def get_context_data(self, **kwargs):
        metric = kwargs.setdefault("metric", self.metric())
        kwargs.setdefault(
            "form",
            CustomMetricForm(
                initial={"name": metric.name, "formula": metric.formula, "description": metric.description}
            ),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id, custom_metric_id):
        metric = self.metric()
        form = CustomMetricForm(request.POST)
        if form.is_valid():
            try:
                services.custom_metric_update(
                    workspace=self.workspace, actor=request.user, metric=metric, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Metric “%(name)s” saved.") % {"name": metric.name})
                return redirect("analytics:metrics", self.workspace.pk)
            metric.refresh_from_db()
        return self.render_to_response(self.get_context_data(form=form, metric=metric), status=400)


class CustomMetricDeleteView(_CustomMetricMixin, _AnalyticsPage):
    required_capabilities = {"POST": C.WORKSPACE_MANAGE}

    def post(self, request, workspace_id, custom_metric_id):
        metric = self.metric()
        services.custom_metric_delete(workspace=self.workspace, actor=request.user, metric=metric)
        messages.success(request, _("Metric “%(name)s” deleted.") % {"name": metric.name})
        return redirect("analytics:metrics", self.workspace.pk)


# --- settings -------------------------------------------------------------------------------------------


class AnalyticsSettingsPage(_AnalyticsPage):
    template_name = "analytics/settings.html"
    tab = "settings"
    required_capabilities = {"GET": C.WORKSPACE_MANAGE, "POST": C.WORKSPACE_MANAGE}

    def get_context_data(self, **kwargs):
        current = selectors.analytics_settings_get(self.workspace)
        kwargs.setdefault(
            "form", AnalyticsSettingsForm(initial={"lead_engagement_rate": current.lead_engagement_rate})
        )
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id):
        form = AnalyticsSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.analytics_settings_update(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Analytics settings saved."))
                return redirect("analytics:settings", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- scheduled email reports ----------------------------------------------------------------------------


def recipients_offered(workspace) -> list:
    """Members whose role may see analytics (the service checks each chosen one again, with any agency
    ceiling)."""
    members = workspace_members(workspace).order_by("user__full_name", "user__email")
    return [member.user for member in members if role_has(member.role, C.ANALYTICS_VIEW)]


def _report_fields(form) -> dict:
    data = dict(form.cleaned_data)
    return {
        "name": data["name"],
        "frequency": data["frequency"],
        "fmt": data["format"],
        "active": data["active"],
        "recipients": data["recipients"],
    }


def _users(workspace, ids) -> list:
    people = {user.pk: user for user in recipients_offered(workspace)}
    return [people[pk] for pk in ids if pk in people]


class ScheduledReportsPage(_AnalyticsPage):
    template_name = "analytics/scheduled_reports.html"
    tab = "scheduled"
    required_capabilities = {"GET": C.ANALYTICS_EXPORT, "POST": C.ANALYTICS_EXPORT}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ScheduledReportForm(people=recipients_offered(self.workspace)))
        reports = list(
            ScheduledReport.objects.filter(workspace=self.workspace).prefetch_related("recipients")
        )
        last = last_deliveries(reports)
        kwargs["reports"] = [{"report": report, "last": last.get(report.pk)} for report in reports]
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id):
        form = ScheduledReportForm(request.POST, people=recipients_offered(self.workspace))
        if form.is_valid():
            fields = _report_fields(form)
            try:
                report = schedules.scheduled_report_create(
                    actor=request.user,
                    workspace=self.workspace,
                    name=fields["name"],
                    frequency=fields["frequency"],
                    fmt=fields["fmt"],
                    recipients=_users(self.workspace, fields["recipients"]),
                )
                if not fields["active"]:
                    schedules.scheduled_report_update(actor=request.user, report=report, active=False)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Scheduled report “%(name)s” created.") % {"name": report.name})
                return redirect("analytics:scheduled_reports", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class _ReportMixin:
    def report(self) -> ScheduledReport:
        found = ScheduledReport.objects.filter(
            workspace=self.workspace, pk=self.kwargs["scheduled_report_id"]
        ).first()
        if found is None:
            raise Http404
        return found


class ScheduledReportEditPage(_ReportMixin, _AnalyticsPage):
    template_name = "analytics/scheduled_report_edit.html"
    tab = "scheduled"
    required_capabilities = {"GET": C.ANALYTICS_EXPORT, "POST": C.ANALYTICS_EXPORT}

    def get_context_data(self, **kwargs):
        report = kwargs.setdefault("report", self.report())
        kwargs.setdefault(
            "form",
            ScheduledReportForm(
                people=recipients_offered(self.workspace),
                initial={
                    "name": report.name,
                    "frequency": report.frequency,
                    "format": report.format,
                    "active": report.active,
                    "recipients": [user.pk for user in report.recipients.all()],
                },
            ),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id, scheduled_report_id):
        report = self.report()
        form = ScheduledReportForm(request.POST, people=recipients_offered(self.workspace))
        if form.is_valid():
            fields = _report_fields(form)
            fields["recipients"] = _users(self.workspace, fields["recipients"])
            try:
                schedules.scheduled_report_update(actor=request.user, report=report, **fields)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Scheduled report “%(name)s” saved.") % {"name": report.name})
                return redirect("analytics:scheduled_reports", self.workspace.pk)
            report.refresh_from_db()
        return self.render_to_response(self.get_context_data(form=form, report=report), status=400)


class ScheduledReportDeleteView(_ReportMixin, _AnalyticsPage):
    required_capabilities = {"POST": C.ANALYTICS_EXPORT}

    def post(self, request, workspace_id, scheduled_report_id):
        report = self.report()
        name = report.name
        schedules.scheduled_report_delete(actor=request.user, report=report)
        messages.success(request, _("Scheduled report “%(name)s” deleted.") % {"name": name})
        return redirect("analytics:scheduled_reports", self.workspace.pk)
