"""The objectives pages: the list (dashboard:objectives) with progress bars and pace badges and a form
for a new objective, and one objective's edit page. Thin: the form parses, objectives.services checks,
writes and audits; its errors land next to the fields."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from core.errors import DomainError
from core.views import WorkspacePageMixin, apply_domain_error

from . import ocean, services
from .forms import ObjectiveForm
from .models import Kpi, Objective, PeriodKind, PeriodReview, RateBasis, Scope
from .progress import Pace, Progress, objective_progress

PACE_LABELS = {
    Pace.NOT_STARTED: (gettext_lazy("Not started"), "ob-pace-none"),
    Pace.ON_TRACK: (gettext_lazy("On track"), "ob-pace-on"),
    Pace.AT_RISK: (gettext_lazy("At risk"), "ob-pace-risk"),
    Pace.BEHIND: (gettext_lazy("Behind"), "ob-pace-behind"),
    Pace.NO_DATA: (gettext_lazy("No data yet"), "ob-pace-none"),
}


def figure(kpi: str, value: float | None) -> str:
    """A KPI's figure for people: a rate as a percentage, counts whole, money and per-week to 2 places."""
    if value is None:
        return "—"
    if kpi in (Kpi.ENGAGEMENT_RATE, Kpi.SHARE_OF_VOICE):
        return f"{value * 100:.2f} %"
    if kpi == Kpi.FIRST_RESPONSE_TIME:
        return _("%(minutes)s min") % {"minutes": f"{value:,.0f}"}
    if kpi in (Kpi.POSTS_PER_WEEK, Kpi.COST_PER_ENGAGEMENT):
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def scope_label(objective: Objective) -> str:
    if objective.scope == Scope.PLATFORM:
        from channels_app.models import Platform

        return str(Platform(objective.platform).label)
    if objective.scope == Scope.ACCOUNT:
        return str(objective.account)
    if objective.scope == Scope.CAMPAIGN:
        return objective.campaign.name
    if objective.scope == Scope.TAG:
        return str(objective.tag)
    return str(Scope.WORKSPACE.label)


def kpi_label(objective: Objective) -> str:
    label = str(Kpi(objective.kpi).label)
    if objective.kpi == Kpi.ENGAGEMENT_RATE and objective.rate_basis:
        return f"{label} ({RateBasis(objective.rate_basis).label})"
    return label


def objective_row(objective: Objective, progress: Progress) -> dict:
    pace_label, pace_class = PACE_LABELS[progress.pace]
    share = progress.share
    return {
        "objective": objective,
        "kpi": kpi_label(objective),
        "scope": scope_label(objective),
        "period": PeriodKind(objective.period).label,
        "target": figure(objective.kpi, float(objective.target)),
        "actual": figure(objective.kpi, progress.actual),
        "projected": figure(objective.kpi, progress.projected),
        "previous": figure(objective.kpi, progress.previous),
        "percent": None if share is None else max(0, int(round(share * 100))),
        "pace": progress.pace,
        "pace_label": pace_label,
        "pace_class": pace_class,
        "days_elapsed": progress.days_elapsed,
        "days_total": progress.days_total,
    }


def objective_rows(workspace) -> list[dict]:
    objectives = Objective.objects.filter(workspace=workspace).select_related(
        "workspace", "account", "campaign", "tag__group"
    )
    return [objective_row(o, objective_progress(o)) for o in objectives]


class _ObjectivesPage(WorkspacePageMixin, TemplateView):
    required_capabilities = {"GET": C.ANALYTICS_VIEW}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.access.can(C.OBJECTIVE_EDIT)
        return context


class ObjectiveListPage(_ObjectivesPage):
    template_name = "objectives/list.html"
    required_capabilities = {"GET": C.ANALYTICS_VIEW, "POST": C.OBJECTIVE_EDIT}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = objective_rows(self.workspace)
        if context["can_edit"]:
            context["form"] = kwargs.get("form") or ObjectiveForm(workspace=self.workspace)
        return context

    def post(self, request, workspace_id):
        form = ObjectiveForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                objective = services.objective_create(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Objective “%(name)s” set.") % {"name": objective.name})
                return redirect("dashboard:objectives", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ObjectiveEditPage(_ObjectivesPage):
    """One objective: change it (POST action=save) or delete it (action=delete)."""

    template_name = "objectives/edit.html"
    required_capabilities = {"GET": C.OBJECTIVE_EDIT, "POST": C.OBJECTIVE_EDIT}

    def objective(self) -> Objective:
        found = Objective.objects.filter(workspace=self.workspace, pk=self.kwargs.get("objective_id")).first()
        if found is None:
            raise Http404
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objective = self.objective()
        initial = {name: getattr(objective, name) for name in services.FIELDS}
        initial.update(
            account=objective.account_id,
            campaign=objective.campaign_id,
            tag=objective.tag_id,
            target=format(objective.target.normalize(), "f"),
            rivals=list(objective.rivals.values_list("pk", flat=True)),
        )
        context["objective"] = objective
        context["row"] = objective_row(objective, objective_progress(objective))
        context["form"] = kwargs.get("form") or ObjectiveForm(initial=initial, workspace=self.workspace)
        return context

    def post(self, request, workspace_id, objective_id):
        objective = self.objective()
        if request.POST.get("action") == "delete":
            services.objective_delete(workspace=self.workspace, actor=request.user, objective=objective)
            messages.success(request, _("Objective deleted."))
            return redirect("dashboard:objectives", self.workspace.pk)
        form = ObjectiveForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                services.objective_update(
                    workspace=self.workspace, actor=request.user, objective=objective, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Objective saved."))
                return redirect("dashboard:objectives", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _period(request, workspace) -> tuple[date, date]:
    """The period the OCEAN page shows: ?start=&end= (workspace days), default this quarter."""
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
        end = date.fromisoformat(request.GET.get("end", ""))
        if start <= end and (end - start).days <= 366:
            return start, end
    except ValueError:
        pass
    today = timezone.localdate(timezone.now(), workspace.tzinfo)
    start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return start, services.period_end(PeriodKind.QUARTER, start)


class OceanPage(_ObjectivesPage):
    """OCEAN for one period: Objective, Content & Channel, Execution, Analysis, Normalization (a review
    note per period, saved with POST by objective.edit holders)."""

    template_name = "objectives/ocean.html"
    required_capabilities = {"GET": C.ANALYTICS_VIEW, "POST": C.OBJECTIVE_EDIT}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start, end = kwargs.get("period") or _period(self.request, self.workspace)
        rows = [
            row
            for row in objective_rows(self.workspace)
            if row["objective"].starts_on <= end and row["objective"].ends_on >= start
        ]
        platforms, tags = ocean.planned_mix(self.workspace, start, end)
        done = ocean.execution(self.workspace, start, end)
        review = PeriodReview.objects.filter(workspace=self.workspace, starts_on=start, ends_on=end).first()
        context.update(
            start=start,
            end=end,
            rows=rows,
            platforms=platforms,
            tags=tags,
            execution=done,
            lead_time=None if done.lead_time_hours is None else f"{done.lead_time_hours:.1f}",
            review=review,
            note_error=kwargs.get("note_error"),
        )
        return context

    def post(self, request, workspace_id):
        try:
            start = date.fromisoformat(request.POST.get("starts_on", ""))
            end = date.fromisoformat(request.POST.get("ends_on", ""))
        except ValueError:
            start = end = None
        try:
            services.period_review_save(
                workspace=self.workspace,
                actor=request.user,
                starts_on=start,
                ends_on=end,
                note=request.POST.get("note", ""),
            )
        except DomainError as error:
            period = (start, end) if start and end else None
            context = self.get_context_data(period=period, note_error=str(error))
            return self.render_to_response(context, status=400)
        messages.success(request, _("Period review saved."))
        return redirect(f"{request.path}?start={start.isoformat()}&end={end.isoformat()}")
