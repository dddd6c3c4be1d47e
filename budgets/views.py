"""The budgets pages: the list (dashboard:budgets, with spend waiting for approval), a budget with its
lines, plan-vs-actual and burn-down charts (Apache ECharts, static/js/budgets.js, reading the JSON API),
its settings and lines, the spend form, and exchange rates.

Agency people see only the lines assigned to their agency, the spend on them and totals of those lines
(budgets.selectors.agency_of); any other budget, line or entry is a 404. They may record spend on their
lines (budget.edit); the plan (budgets, lines) is the client's to change, so its pages are a 403 to them.

Thin: a form parses the input, the same service the API calls validates, writes and audits; its error
lands next to the field (400). Amounts are shown rounded to their currency's minor unit, in the reader's
language; nothing is rounded before that.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from core.errors import DomainError, NotFound
from core.views import WorkspacePageMixin, apply_domain_error

from . import costs, exports, selectors, services
from .forms import (
    BudgetForm,
    BudgetLineForm,
    ExchangeRateForm,
    ExchangeRateImportForm,
    SpendDecisionForm,
    SpendForm,
    line_label,
)
from .models import Budget, BudgetLine, CapMode, Category, ExchangeRate, SpendEntry, SpendStatus
from .money import currency_name, money_format
from .services.alerts import alert_message


def percent(part, whole) -> int | None:
    found = selectors.share(part, whole)
    return None if found is None else int((found * 100).to_integral_value())


class _BudgetsPage(WorkspacePageMixin, TemplateView):
    required_capabilities = {"GET": C.BUDGET_VIEW}
    client_only = False  # the plan's pages: a 403 to agency people

    @property
    def agency_id(self) -> int | None:
        return selectors.agency_of(self.access)

    def get(self, request, *args, **kwargs):
        self.refuse_agency_on_plan()
        return super().get(request, *args, **kwargs)

    def refuse_agency_on_plan(self) -> None:
        if self.client_only and self.agency_id is not None:
            if "budget_id" in self.kwargs:
                self.budget()  # a budget they cannot see stays a 404
            raise PermissionDenied

    def budget(self) -> Budget:
        found = selectors.budget_in(self.workspace, self.kwargs.get("budget_id"), agency_id=self.agency_id)
        if found is None:
            raise Http404
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_edit = self.access.can(C.BUDGET_EDIT)
        context.update(
            can_edit=can_edit,
            can_plan=can_edit and self.agency_id is None,
            agency_view=self.agency_id is not None,
            can_approve=self.access.can(C.BUDGET_APPROVE),
            reporting_currency=self.workspace.currency,
            reporting_currency_name=currency_name(self.workspace.currency),
        )
        return context


def line_name(line) -> str:
    """The line's label, with the agency that manages it named."""
    label = line_label(line)
    if line.agency_id:
        return _("%(line)s (managed by %(agency)s)") % {"line": label, "agency": line.agency.name}
    return label


def budget_row(budget: Budget, totals: selectors.BudgetTotals) -> dict:
    code = budget.currency
    return {
        "budget": budget,
        "planned": money_format(totals.planned, code),
        "actual": money_format(totals.figures.actual, code),
        "committed": money_format(totals.figures.committed, code),
        "pending": money_format(totals.figures.pending, code) if totals.figures.pending else "",
        "remaining": money_format(totals.remaining, code),
        "over": totals.remaining < 0,
        "percent": percent(totals.figures.used, totals.planned),
        "unconverted": len(totals.unconverted),
    }


def waiting_rows(workspace, agency_id=None) -> list[dict]:
    return [
        {
            "entry": entry,
            "amount": money_format(entry.amount, entry.currency),
            "line": line_name(entry.line),
            "decide_url": reverse("budgets:spend_decide", args=[workspace.pk, entry.budget_id, entry.pk]),
        }
        for entry in selectors.spend_waiting_for_approval(workspace, agency_id=agency_id)
    ]


class BudgetListPage(_BudgetsPage):
    """Every budget of the workspace with its figures; a form for a new one (budget.edit); spend that
    waits for approval (budget.approve)."""

    template_name = "budgets/list.html"
    required_capabilities = {"GET": C.BUDGET_VIEW, "POST": C.BUDGET_EDIT}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budgets = list(selectors.budgets_of(self.workspace, agency_id=self.agency_id))
        totals = selectors.totals_of_budgets(self.workspace, budgets, agency_id=self.agency_id)
        context["rows"] = [budget_row(b, t) for b, t in zip(budgets, totals, strict=True)]
        if self.access.can(C.BUDGET_APPROVE):
            context["waiting"] = waiting_rows(self.workspace, self.agency_id)
        if context["can_plan"]:
            context.setdefault("form", kwargs.get("form") or BudgetForm(workspace=self.workspace))
        return context

    def post(self, request, workspace_id):
        if self.agency_id is not None:
            raise PermissionDenied
        form = BudgetForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                budget = services.budget_create(
                    workspace=self.workspace, actor=request.user, **form.cleaned_data
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(
                    request, _("Budget “%(name)s” created: now plan its lines.") % {"name": budget.name}
                )
                return redirect("budgets:edit", self.workspace.pk, budget.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class BudgetDetailPage(_BudgetsPage):
    """One budget: its figures, plan vs actual per line, the burn-down, categories, campaigns, spend."""

    template_name = "budgets/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budget = self.budget()
        agency_id = self.agency_id
        entries = list(selectors.entries_of(budget, agency_id=agency_id))
        totals = selectors.budget_totals(budget, entries=entries, agency_id=agency_id)
        code = budget.currency
        lines = []
        for item in totals.lines:
            lines.append(
                {
                    "line": item.line,
                    "label": line_label(item.line),
                    "agency": item.line.agency.name if item.line.agency_id else "",
                    "hard": item.line.cap_mode == CapMode.HARD,
                    "planned": money_format(item.planned, code),
                    "actual": money_format(item.figures.actual, code),
                    "committed": money_format(item.figures.committed, code),
                    "pending": money_format(item.figures.pending, code) if item.figures.pending else "",
                    "remaining": money_format(item.remaining, code),
                    "over": item.remaining < 0,
                    "percent": percent(item.figures.used, item.planned),
                    # for the plan-vs-actual chart: exact decimals as text
                    "chart": {
                        "name": line_label(item.line),
                        "planned": str(item.planned),
                        "actual": str(item.figures.actual),
                        "committed": str(item.figures.committed),
                    },
                }
            )
        categories = [
            {
                "name": Category(key).label,
                "planned": money_format(totals.planned_by_category.get(key), code),
                "used": money_format(figures.used, code),
                "actual": money_format(figures.actual, code),
                "committed": money_format(figures.committed, code),
            }
            for key, figures in totals.categories.items()
        ]
        from content.models import Campaign

        names = dict(Campaign.objects.filter(workspace=self.workspace).values_list("pk", "name"))
        campaigns = [
            {
                "name": names.get(key, _("No campaign")) if key else _("No campaign"),
                "used": money_format(f.used, code),
                "actual": money_format(f.actual, code),
                "committed": money_format(f.committed, code),
            }
            for key, f in sorted(totals.campaigns.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ]
        spend = [
            {
                "entry": entry,
                "line": line_name(entry.line),
                "amount": money_format(entry.amount, entry.currency),
                "converted": money_format(totals.converted.get(entry.pk), code)
                if entry.currency != code
                else "",
                "missing_rate": entry in totals.unconverted,
                "receipt_url": reverse("spend-receipt", args=[self.workspace.pk, budget.pk, entry.pk])
                if entry.receipt
                else "",
                "edit_url": reverse("budgets:spend_edit", args=[self.workspace.pk, budget.pk, entry.pk]),
            }
            for entry in entries
        ]
        today = timezone.localdate(timezone.now(), self.workspace.tzinfo)
        campaign_costs, post_costs = costs.budget_costs(budget, totals, entries, today=today)

        def cost_row(cost):
            return {
                "name": cost.name,
                "spend": money_format(cost.spend, code),
                "engagements": f"{cost.engagements:,}",
                "views": f"{cost.views:,}",
                "per_engagement": money_format(cost.per_engagement, code),
                "per_view": money_format(cost.per_view, code),
                "cpm": money_format(cost.cpm, code),
            }

        context.update(
            cost_campaigns=[cost_row(c) for c in campaign_costs],
            cost_posts=[cost_row(c) for c in post_costs],
        )
        context.update(
            budget=budget,
            summary=budget_row(budget, totals),
            lines=lines,
            chart_lines=[row["chart"] for row in lines],
            categories=categories,
            campaigns=campaigns,
            spend=spend,
            alerts=[
                alert_message(budget, alert)
                for alert in selectors.alerts_of(budget, agency_id=agency_id)[:10]
            ],
            threshold=money_format(budget.approval_threshold, code)
            if budget.approval_threshold is not None
            else "",
            currency_label=f"{code} · {currency_name(code)}",
            burn_down_url=reverse("budget-burn-down", args=[self.workspace.pk, budget.pk]),
            export_links=[
                (
                    label,
                    reverse("budgets:export", args=[self.workspace.pk, budget.pk]) + f"?format={fmt}",
                    fmt,
                )
                for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"), ("pdf", "PDF"))
            ],
            chart_labels={
                "planned": _("Planned"),
                "paid": _("Paid"),
                "committed": _("Committed"),
                "remaining": _("Left of the plan"),
                "ideal": _("Even pace"),
                "currency": code,
            },
        )
        return context


class BudgetExportPage(_BudgetsPage):
    """The budget as a CSV, XLSX or PDF file (`?format=`), the figures of the page (budgets.exports)."""

    def get(self, request, workspace_id, budget_id):
        budget = self.budget()
        try:
            body, content_type, name = exports.budget_export(
                budget, file_format=request.GET.get("format") or "csv", agency_id=self.agency_id
            )
        except NotFound:
            raise Http404 from None
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class BudgetEditPage(_BudgetsPage):
    """A budget's settings and its lines: POST `action` = budget, line_add, line_update or line_delete."""

    template_name = "budgets/edit.html"
    required_capabilities = {"GET": C.BUDGET_EDIT, "POST": C.BUDGET_EDIT}
    client_only = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budget = kwargs.get("budget") or self.budget()
        initial = {
            "name": budget.name,
            "starts_on": budget.starts_on,
            "ends_on": budget.ends_on,
            "currency": budget.currency,
            "campaign": budget.campaign_id,
            "approval_threshold": ""
            if budget.approval_threshold is None
            else format(budget.approval_threshold.normalize(), "f"),
            "note": budget.note,
        }
        context["budget"] = budget
        context["form"] = kwargs.get("form") or BudgetForm(initial=initial, workspace=self.workspace)
        context["line_form"] = kwargs.get("line_form") or BudgetLineForm(workspace=self.workspace)
        context["agencies"] = [(a.pk, a.name) for a in selectors.agencies_granted(self.workspace)]
        granted = {pk for pk, _name in context["agencies"]}
        context["lines"] = [
            {
                "line": line,
                "label": line_label(line),
                "planned": money_format(line.planned, budget.currency),
                "planned_raw": format(line.planned.normalize(), "f"),
                "cap_mode": CapMode(line.cap_mode).label,
                "agency_name": line.agency.name if line.agency_id else "",
                "agency_granted": line.agency_id in granted,
            }
            for line in selectors.lines_of(budget)
        ]
        context["cap_modes"] = CapMode.choices
        context["line_errors"] = kwargs.get("line_errors") or {}
        return context

    def post(self, request, workspace_id, budget_id):
        self.refuse_agency_on_plan()
        budget = self.budget()
        action = request.POST.get("action", "budget")
        try:
            if action == "budget":
                form = BudgetForm(request.POST, workspace=self.workspace)
                if form.is_valid():
                    try:
                        services.budget_update(
                            workspace=self.workspace, actor=request.user, budget=budget, **form.cleaned_data
                        )
                    except DomainError as error:
                        apply_domain_error(form, error)
                    else:
                        messages.success(request, _("Budget saved."))
                        return redirect("budgets:detail", self.workspace.pk, budget.pk)
                return self.render_to_response(self.get_context_data(form=form, budget=budget), status=400)
            if action == "line_add":
                line_form = BudgetLineForm(request.POST, workspace=self.workspace)
                if line_form.is_valid():
                    try:
                        services.budget_line_create(
                            workspace=self.workspace,
                            actor=request.user,
                            budget=budget,
                            **line_form.cleaned_data,
                        )
                    except DomainError as error:
                        apply_domain_error(line_form, error)
                    else:
                        messages.success(request, _("Line added."))
                        return redirect("budgets:edit", self.workspace.pk, budget.pk)
                return self.render_to_response(
                    self.get_context_data(line_form=line_form, budget=budget), status=400
                )
            line = BudgetLine.objects.filter(budget=budget, pk=request.POST.get("line") or 0).first()
            if line is None:
                raise Http404
            if action == "line_update":
                try:
                    services.budget_line_update(
                        workspace=self.workspace,
                        actor=request.user,
                        line=line,
                        planned=request.POST.get("planned", ""),
                        cap_mode=request.POST.get("cap_mode", line.cap_mode),
                        agency=request.POST.get("agency", line.agency_id) or None,
                    )
                except DomainError as error:
                    errors = {
                        line.pk: " ".join(m for ms in error.fields.values() for m in ms) or error.message
                    }
                    return self.render_to_response(
                        self.get_context_data(line_errors=errors, budget=budget), status=400
                    )
                messages.success(request, _("Line saved."))
            elif action == "line_delete":
                services.budget_line_delete(workspace=self.workspace, actor=request.user, line=line)
                messages.success(request, _("Line deleted."))
            else:
                raise Http404
        except DomainError as error:  # a line with spend cannot go
            messages.error(request, error.message)
        return redirect("budgets:edit", self.workspace.pk, budget.pk)


class BudgetDeleteView(_BudgetsPage):
    required_capabilities = {"POST": C.BUDGET_EDIT}
    client_only = True

    def post(self, request, workspace_id, budget_id):
        self.refuse_agency_on_plan()
        budget = self.budget()
        services.budget_delete(workspace=self.workspace, actor=request.user, budget=budget)
        messages.success(request, _("Budget “%(name)s” deleted.") % {"name": budget.name})
        return redirect("dashboard:budgets", self.workspace.pk)


class _SpendFormPage(_BudgetsPage):
    template_name = "budgets/spend_form.html"
    required_capabilities = {"GET": C.BUDGET_EDIT, "POST": C.BUDGET_EDIT}

    def spend_form(self, budget, data=None, files=None, initial=None):
        lines = list(selectors.lines_of(budget, agency_id=self.agency_id))
        return SpendForm(data, files, initial=initial, budget=budget, lines=lines)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budget = kwargs.get("budget") or self.budget()
        context.update(
            budget=budget,
            period=(budget.starts_on, budget.ends_on),
            has_lines=selectors.lines_of(budget, agency_id=self.agency_id).exists(),
        )
        return context


class SpendNewPage(_SpendFormPage):
    """Record spend on the budget (a rate must exist for a foreign currency at that date)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budget = context["budget"]
        today = timezone.localdate(timezone.now(), self.workspace.tzinfo)
        day = min(max(today, budget.starts_on), budget.ends_on)
        context.setdefault(
            "form",
            kwargs.get("form")
            or self.spend_form(budget, initial={"spent_on": day, "campaign": budget.campaign_id}),
        )
        return context

    def post(self, request, workspace_id, budget_id):
        budget = self.budget()
        form = self.spend_form(budget, request.POST, request.FILES)
        if form.is_valid():
            try:
                entry = services.spend_entry_create(
                    workspace=self.workspace,
                    actor=request.user,
                    budget=budget,
                    agency_id=self.agency_id,
                    **form.cleaned_data,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                if entry.status == SpendStatus.PENDING:
                    messages.warning(
                        request,
                        _("Spend recorded: it is above the approval threshold and waits for approval."),
                    )
                else:
                    messages.success(request, _("Spend recorded."))
                return redirect("budgets:detail", self.workspace.pk, budget.pk)
        return self.render_to_response(self.get_context_data(form=form, budget=budget), status=400)


class SpendEditPage(_SpendFormPage):
    def entry(self, budget) -> SpendEntry:
        found = (
            selectors.entries_of(budget, agency_id=self.agency_id)
            .filter(pk=self.kwargs.get("spend_id"))
            .first()
        )
        if found is None:
            raise Http404
        return found

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        budget = context["budget"]
        entry = kwargs.get("entry") or self.entry(budget)
        initial = {
            "line": entry.line_id,
            "spent_on": entry.spent_on,
            "amount": format(entry.amount.normalize(), "f"),
            "currency": entry.currency,
            "kind": entry.kind,
            "vendor": entry.vendor,
            "campaign": entry.campaign_id,
            "posts": [post.pk for post in entry.posts.all()],
            "note": entry.note,
        }
        context.update(
            entry=entry, status_label=SpendStatus(entry.status).label, decision_form=SpendDecisionForm()
        )
        context.setdefault("form", kwargs.get("form") or self.spend_form(budget, initial=initial))
        return context

    def post(self, request, workspace_id, budget_id, spend_id):
        budget = self.budget()
        entry = self.entry(budget)
        if request.POST.get("action") == "delete":
            services.spend_entry_delete(
                workspace=self.workspace, actor=request.user, entry=entry, agency_id=self.agency_id
            )
            messages.success(request, _("Spend deleted."))
            return redirect("budgets:detail", self.workspace.pk, budget.pk)
        form = self.spend_form(budget, request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if data.get("receipt") is None:
                data.pop("receipt", None)
            try:
                services.spend_entry_update(
                    workspace=self.workspace,
                    actor=request.user,
                    entry=entry,
                    agency_id=self.agency_id,
                    **data,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Spend saved."))
                return redirect("budgets:detail", self.workspace.pk, budget.pk)
        return self.render_to_response(
            self.get_context_data(form=form, budget=budget, entry=entry), status=400
        )


class SpendDecideView(_BudgetsPage):
    """POST approve=1 or approve=0 on spend that waits (budget.approve)."""

    required_capabilities = {"POST": C.BUDGET_APPROVE}

    def post(self, request, workspace_id, budget_id, spend_id):
        budget = self.budget()
        entry = selectors.entries_of(budget, agency_id=self.agency_id).filter(pk=spend_id).first()
        if entry is None:
            raise Http404
        approve = request.POST.get("approve") == "1"
        try:
            services.spend_entry_decide(
                workspace=self.workspace,
                actor=request.user,
                entry=entry,
                approve=approve,
                note=request.POST.get("note", ""),
                agency_id=self.agency_id,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Spend approved.") if approve else _("Spend rejected."))
        return redirect(
            request.POST.get("next")
            if request.POST.get("next", "").startswith("/w/")
            else reverse("dashboard:budgets", args=[self.workspace.pk])
        )


class ExchangeRatesPage(_BudgetsPage):
    """The workspace's exchange rates: enter one, import a CSV, delete (budget.edit to change)."""

    template_name = "budgets/rates.html"
    required_capabilities = {"GET": C.BUDGET_VIEW, "POST": C.BUDGET_EDIT}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rates"] = [
            {"rate": rate, "value": format(rate.rate.normalize(), "f")}
            for rate in selectors.exchange_rates_of(self.workspace)[:500]
        ]
        if self.access.can(C.BUDGET_EDIT):
            context["form"] = kwargs.get("form") or ExchangeRateForm(workspace=self.workspace)
            context["import_form"] = kwargs.get("import_form") or ExchangeRateImportForm()
        return context

    def post(self, request, workspace_id):
        action = request.POST.get("action", "set")
        if action == "delete":
            rate = ExchangeRate.objects.filter(
                workspace=self.workspace, pk=request.POST.get("rate") or 0
            ).first()
            if rate is None:
                raise Http404
            services.exchange_rate_delete(workspace=self.workspace, actor=request.user, rate=rate)
            messages.success(request, _("Rate deleted."))
            return redirect("budgets:rates", self.workspace.pk)
        if action == "import":
            import_form = ExchangeRateImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                try:
                    count = services.exchange_rates_import(
                        workspace=self.workspace, actor=request.user, file=import_form.cleaned_data["file"]
                    )
                except DomainError as error:
                    apply_domain_error(import_form, error)
                else:
                    messages.success(request, _("%(count)d rates imported.") % {"count": count})
                    return redirect("budgets:rates", self.workspace.pk)
            return self.render_to_response(self.get_context_data(import_form=import_form), status=400)
        form = ExchangeRateForm(request.POST, workspace=self.workspace)
        if form.is_valid():
            try:
                services.exchange_rate_set(workspace=self.workspace, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Rate saved."))
                return redirect("budgets:rates", self.workspace.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)
