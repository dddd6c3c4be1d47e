"""The competitor pages: the rivals list (add by address, "gathering data", read now, stop
benchmarking) and the benchmark (ECharts charts from the API's benchmark endpoint). Thin: the same
services and selectors as the API (competitors.api.views)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from analytics.views import PRESETS, _AnalyticsPage
from core.errors import DomainError, NotFound
from core.views import WorkspacePageMixin, apply_domain_error

from . import exports, selectors, services
from .api.alerts import alert_data
from .api.views import account_data, benchmark_data
from .forms import AlertSettingsForm, BenchmarkScheduleForm, CompetitorAddForm
from .models import BenchmarkSchedule
from .services import imports
from .services import schedules as schedule_services
from .services.alerts import alert_settings_of
from .sources.registry import source_class
from .tasks import pull_rival


def competitor_tabs(ws: int) -> list[tuple[str, str, str]]:
    return [
        ("rivals", _("Competitors"), reverse("dashboard:competitors", args=[ws])),
        ("benchmark", _("Benchmark"), reverse("competitors:benchmark", args=[ws])),
        ("imports", _("Import"), reverse("competitors:imports", args=[ws])),
        ("alerts", _("Alerts"), reverse("competitors:alert_settings", args=[ws])),
        ("schedules", _("Scheduled email"), reverse("competitors:schedules", args=[ws])),
    ]


class _CompetitorsPage(WorkspacePageMixin, TemplateView):
    required_capabilities = {"GET": C.COMPETITOR_VIEW}
    tab = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        ws = self.workspace.pk
        context["tab"] = self.tab
        context["tabs"] = competitor_tabs(ws)
        return context

    def brand(self):
        found = selectors.competitor_brand_get(self.workspace, self.kwargs.get("competitor_id"))
        if found is None:
            raise Http404
        return found


class CompetitorsPage(_CompetitorsPage):
    template_name = "competitors/list.html"
    tab = "rivals"
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "POST": C.COMPETITOR_MANAGE}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        brands = selectors.benchmarked_brands(self.workspace)
        rows = []
        for brand in brands:
            accounts = []
            for account in brand.accounts.all():
                data = account_data(self.workspace, account)
                data["note"] = str(source_class(account.platform).definition_note)
                accounts.append(data)
            rows.append({"brand": brand, "accounts": accounts})
        context["brands"] = rows
        context["alerts"] = [
            alert_data(self.workspace, alert) for alert in selectors.competitor_alerts(self.workspace)[:5]
        ]
        context["can_manage"] = self.access.can(C.COMPETITOR_MANAGE)
        if context["can_manage"]:
            context.setdefault("form", kwargs.get("form") or CompetitorAddForm())
        return context

    def post(self, request, workspace_id):
        form = CompetitorAddForm(request.POST)
        if form.is_valid():
            try:
                benchmarked = services.competitor_add(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request, _("%(brand)s added. Gathering data.") % {"brand": benchmarked.brand.name}
                )
                return redirect("dashboard:competitors", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CompetitorPullView(_CompetitorsPage):
    required_capabilities = {"POST": C.COMPETITOR_MANAGE}

    def post(self, request, workspace_id, competitor_id):
        brand = self.brand()
        for rival_id in brand.accounts.values_list("pk", flat=True):
            pull_rival.delay(rival_id)
        messages.success(request, _("Reading %(brand)s's accounts now.") % {"brand": brand.name})
        return redirect("dashboard:competitors", self.workspace.pk)


class CompetitorRemoveView(_CompetitorsPage):
    required_capabilities = {"POST": C.COMPETITOR_MANAGE}

    def post(self, request, workspace_id, competitor_id):
        brand = self.brand()
        services.competitor_remove(workspace=self.workspace, actor=request.user, brand=brand)
        messages.success(request, _("%(brand)s is no longer benchmarked here.") % {"brand": brand.name})
        return redirect("dashboard:competitors", self.workspace.pk)


class BenchmarkPage(_CompetitorsPage, _AnalyticsPage):
    """The benchmark of a period; the charts read the same JSON from the API."""

    template_name = "competitors/benchmark.html"
    tab = "benchmark"
    required_capabilities = {"GET": C.COMPETITOR_VIEW}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start, end = context["start"], context["end"]
        result = selectors.benchmark(self.workspace, start=start, end=end)
        bench = benchmark_data(self.workspace, result)
        for shown, row in zip(bench["top_posts"], result.top_posts, strict=True):
            shown["published"] = row.published_at  # shown in the workspace's zone (activated per request)
        for shown, spike in zip(bench["spikes"], result.spikes, strict=True):
            shown["published"] = spike.published_at
        context["bench"] = bench
        context["chart_labels"] = {
            "followers": _("Followers"),
            "engagementShare": _("Share of voice (engagements)"),
            "postShare": _("Share of posts"),
            "posts": _("Posts"),
            "noData": _("No data for this period"),
            "weekdays": [str(WEEKDAYS[day]) for day in range(7)],
        }
        context["tab"] = "benchmark"
        context["tabs"] = competitor_tabs(self.workspace.pk)
        context["presets"] = PRESETS
        export = reverse("competitors:benchmark_export", args=[self.workspace.pk])
        context["export_links"] = [
            (label, f"{export}?format={fmt}&start={start.isoformat()}&end={end.isoformat()}")
            for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF"))
        ]
        context["api_url"] = (
            reverse("competitors-benchmark", args=[self.workspace.pk]) + "?" + context["period_query"]
        )
        return context


class RivalImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))


class RivalImportsPage(_CompetitorsPage):
    """Upload rival posts and follower readings (CSV/XLSX), watch the check and the load (the page
    refreshes itself while a job runs), read every problem by row and column."""

    template_name = "competitors/imports.html"
    tab = "imports"
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "POST": C.COMPETITOR_MANAGE}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = imports.rival_imports_recent(self.workspace)
        context["jobs"] = [
            {"job": job, "written": imports.written_so_far(job), "errors": job.errors[:100]} for job in jobs
        ]
        context["running"] = any(job.status in imports.ACTIVE for job in jobs)
        context["columns"] = imports.COLUMNS
        context["can_manage"] = self.access.can(C.COMPETITOR_MANAGE)
        if context["can_manage"]:
            context.setdefault("form", kwargs.get("form") or RivalImportForm())
        return context

    def post(self, request, workspace_id):
        form = RivalImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                imports.rival_import_create(
                    actor=request.user, workspace=self.workspace, file=form.cleaned_data["file"]
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("File received; it is being checked."))
                return redirect("competitors:imports", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RivalImportTemplateView(_CompetitorsPage):
    required_capabilities = {"GET": C.COMPETITOR_VIEW}

    def get(self, request, workspace_id, kind):
        try:
            data, content_type, name = imports.import_template(self.workspace, kind=kind)
        except NotFound:
            raise Http404 from None
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class BenchmarkExportView(_CompetitorsPage, _AnalyticsPage):
    """The benchmark of the page's period as CSV, XLSX or PDF (`format`; CSV when not given)."""

    required_capabilities = {"GET": C.COMPETITOR_VIEW}

    def get(self, request, workspace_id):
        start, end, _preset, _errors = self.period()
        try:
            body, content_type, name = exports.benchmark_export(
                self.workspace, start=start, end=end, file_format=request.GET.get("format") or "csv"
            )
        except NotFound:
            raise Http404 from None
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class AlertSettingsPage(_CompetitorsPage):
    """The workspace's alert rules (watched keywords, N, k, which kinds are on) and its recent alerts."""

    template_name = "competitors/alerts.html"
    tab = "alerts"
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "POST": C.COMPETITOR_MANAGE}
    shown = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["alerts"] = [
            alert_data(self.workspace, alert)
            for alert in selectors.competitor_alerts(self.workspace)[: self.shown]
        ]
        context["settings"] = alert_settings_of(self.workspace)
        context["can_manage"] = self.access.can(C.COMPETITOR_MANAGE)
        if context["can_manage"]:
            context.setdefault("form", kwargs.get("form") or AlertSettingsForm.of(context["settings"]))
        return context

    def post(self, request, workspace_id):
        form = AlertSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.alert_settings_update(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Alert settings saved."))
                return redirect("competitors:alert_settings", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def schedule_people(workspace) -> list:
    """Members offered as recipients: those who may see competitors (agency ceilings applied)."""
    from accounts.selectors import workspace_members

    members = workspace_members(workspace).order_by("user__full_name", "user__email")
    return [m.user for m in members if schedule_services.may_receive(m.user, workspace)]


class BenchmarkSchedulesPage(_CompetitorsPage):
    """The benchmark emailed every week or month: the schedules (pause, resume, delete) and a new one."""

    template_name = "competitors/schedules.html"
    tab = "schedules"
    required_capabilities = {"GET": C.COMPETITOR_VIEW, "POST": C.COMPETITOR_MANAGE}

    def get_context_data(self, **kwargs):
        from .api.schedules import schedule_data

        context = super().get_context_data(**kwargs)
        found = BenchmarkSchedule.objects.filter(workspace=self.workspace).prefetch_related("recipients")
        context["schedules"] = [
            {"schedule": s, "data": schedule_data(s), "people": list(s.recipients.all())} for s in found
        ]
        context["can_manage"] = self.access.can(C.COMPETITOR_MANAGE)
        if context["can_manage"]:
            people = schedule_people(self.workspace)
            context.setdefault("form", kwargs.get("form") or BenchmarkScheduleForm(people=people))
        return context

    def post(self, request, workspace_id):
        people = schedule_people(self.workspace)
        form = BenchmarkScheduleForm(request.POST, people=people)
        if form.is_valid():
            data = form.cleaned_data
            chosen = {user.pk: user for user in people}
            try:
                schedule_services.benchmark_schedule_create(
                    actor=request.user,
                    workspace=self.workspace,
                    name=data["name"],
                    frequency=data["frequency"],
                    fmt=data["format"],
                    recipients=[chosen[pk] for pk in data["recipients"] if pk in chosen],
                    addresses=data["addresses"],
                    language=data["language"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The benchmark will be emailed as scheduled."))
                return redirect("competitors:schedules", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class BenchmarkScheduleActionView(_CompetitorsPage):
    """POST: pause, resume or delete one schedule (`action` in the URL's keyword arguments)."""

    required_capabilities = {"POST": C.COMPETITOR_MANAGE}

    def post(self, request, workspace_id, benchmark_schedule_id, action):
        schedule = BenchmarkSchedule.objects.filter(
            workspace=self.workspace, pk=benchmark_schedule_id
        ).first()
        if schedule is None:
            raise Http404
        if action == "delete":
            schedule_services.benchmark_schedule_delete(actor=request.user, schedule=schedule)
            messages.success(request, _("Schedule deleted."))
        else:
            schedule_services.benchmark_schedule_update(
                actor=request.user, schedule=schedule, active=(action == "resume")
            )
            messages.success(request, _("Schedule saved."))
        return redirect("competitors:schedules", self.workspace.pk)
