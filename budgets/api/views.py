"""The budgets API under /api/v1/workspaces/{workspace_id}/budgets/: budgets with their totals, lines,
spend entries (with receipts and their approval), the burn-down, and exchange rates.

Thin views: a serializer parses types, one service applies the rules (a 400 names the field) and audits.
Reading needs budget.view, changing budget.edit, deciding spend that waits budget.approve. Nested objects
are looked up under their budget inside the URL's workspace: another workspace's id is a 404.

Agency people (let in through an AgencyGrant) see only the lines assigned to their agency, the spend on
them and totals of those lines alone (budgets.selectors.agency_of): any other budget, line or entry is a
404. With budget.edit they enter spend on their lines; the plan itself (budgets and lines) is the
client's to change (403).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView, created
from core.errors import PermissionRefused

from .. import exports, selectors, services
from ..models import Budget, BudgetLine, Category, ExchangeRate, SpendEntry, SpendStatus
from ..money import money_format
from . import serializers as s


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
        409: "Not possible in the object's state.",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


def _validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def money(value) -> str | None:
    """An exact decimal as plain text, without trailing zeros or an exponent ("720", "1000.5"), or None."""
    return None if value is None else format(value.normalize(), "f")


def figures_data(figures: selectors.Figures) -> dict:
    return {
        "actual": money(figures.actual),
        "committed": money(figures.committed),
        "pending": money(figures.pending),
        "used": money(figures.used),
    }


def line_data(line: BudgetLine, totals: selectors.LineTotals | None = None) -> dict:
    data = {
        "id": line.pk,
        "category": line.category,
        "category_name": str(Category(line.category).label),
        "platform": line.platform,
        "name": line.name,
        "planned": money(line.planned),
        "cap_mode": line.cap_mode,
        "agency": line.agency_id,
        "agency_name": line.agency.name if line.agency_id else None,
    }
    if totals is not None:
        data["totals"] = figures_data(totals.figures)
        data["remaining"] = money(totals.remaining)
    return data


def budget_data(budget: Budget, totals: selectors.BudgetTotals, *, detail: bool = False) -> dict:
    data = {
        "id": budget.pk,
        "name": budget.name,
        "starts_on": budget.starts_on,
        "ends_on": budget.ends_on,
        "currency": budget.currency,
        "campaign": budget.campaign_id,
        "approval_threshold": money(budget.approval_threshold),
        "note": budget.note,
        "planned": money(totals.planned),
        "totals": figures_data(totals.figures),
        "remaining": money(totals.remaining),
        "used_display": money_format(totals.figures.used, budget.currency),
        "planned_display": money_format(totals.planned, budget.currency),
        "unconverted": len(totals.unconverted),
    }
    if detail:
        data["lines"] = [line_data(item.line, item) for item in totals.lines]
        data["categories"] = {key: figures_data(value) for key, value in totals.categories.items()}
        data["campaigns"] = [
            {"campaign": key, **figures_data(value)}
            for key, value in sorted(totals.campaigns.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        ]
    return data


def spend_data(entry: SpendEntry, converted=None) -> dict:
    receipt = None
    if entry.receipt:
        receipt = reverse("spend-receipt", args=[entry.workspace_id, entry.budget_id, entry.pk])
    return {
        "id": entry.pk,
        "budget": entry.budget_id,
        "line": entry.line_id,
        "kind": entry.kind,
        "status": entry.status,
        "spent_on": entry.spent_on,
        "vendor": entry.vendor,
        "amount": money(entry.amount),
        "currency": entry.currency,
        "converted": money(converted),
        "campaign": entry.campaign_id,
        "posts": sorted(post.pk for post in entry.posts.all()),
        "note": entry.note,
        "receipt": receipt,
        "receipt_name": entry.receipt_name,
        "decided_by": entry.decided_by.email if entry.decided_by_id else None,
        "decided_at": entry.decided_at,
    }


def rate_data(rate: ExchangeRate) -> dict:
    return {
        "id": rate.pk,
        "on": rate.on,
        "base": rate.base,
        "quote": rate.quote,
        "rate": money(rate.rate),
        "source": rate.source,
    }


class _Scoped:
    """The reader's scope: `agency_id` is None for the client's people, their agency's id for agency
    people (who see that agency's lines alone and may not change the plan)."""

    @property
    def agency_id(self) -> int | None:
        return selectors.agency_of(self.access)

    def client_only(self) -> None:
        if self.agency_id is not None:
            raise PermissionRefused(
                _("Only the client's own people change the plan: agency people enter spend on their lines."),
                code="permission_denied",
            )


class _InBudget(_Scoped):
    """Views of objects under /budgets/{budget_id}/: the budget is looked up in the URL's workspace (and,
    for agency people, among the budgets with a line of their agency)."""

    def budget(self) -> Budget:
        found = selectors.budget_in(self.workspace, self.kwargs.get("budget_id"), agency_id=self.agency_id)
        if found is None:
            raise Http404
        return found

    def in_scope(self, queryset, line_field: str = "line__agency_id"):
        agency_id = self.agency_id
        return queryset if agency_id is None else queryset.filter(**{line_field: agency_id})


class BudgetListView(_Scoped, WorkspaceScopedAPIView):
    """GET: the workspace's budgets with their totals in each budget's currency. POST: a new budget
    (`currency` defaults to the workspace's reporting currency)."""

    queryset = Budget.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.BUDGET_VIEW, "POST": C.BUDGET_EDIT}
    dashboard_page = "dashboard:budgets"

    @extend_schema(responses={200: s.BudgetOutSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id):
        budgets = list(selectors.budgets_of(self.workspace, agency_id=self.agency_id))
        totals = selectors.totals_of_budgets(self.workspace, budgets, agency_id=self.agency_id)
        return Response([budget_data(b, t) for b, t in zip(budgets, totals, strict=True)])

    @extend_schema(
        request=s.BudgetInputSerializer, responses={201: s.BudgetOutSerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id):
        self.client_only()
        data = _validated(s.BudgetInputSerializer, request.data)
        budget = services.budget_create(workspace=self.workspace, actor=request.user, **data)
        return created(budget_data(budget, selectors.budget_totals(budget)))


class BudgetDetailView(_InBudget, WorkspaceScopedAPIView):
    """A budget with every total: per line, per category, per campaign and for the whole period (for
    agency people: of their agency's lines)."""

    queryset = Budget.objects.all()
    lookup_url_kwarg = "budget_id"
    required_capabilities = {"GET": C.BUDGET_VIEW, "PATCH": C.BUDGET_EDIT, "DELETE": C.BUDGET_EDIT}
    dashboard_page = "budgets:edit"

    def refine_queryset(self, queryset):
        return self.in_scope(queryset, "lines__agency_id").distinct()

    @extend_schema(responses={200: s.BudgetDetailOutSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, budget_id):
        budget = self.get_object()
        totals = selectors.budget_totals(budget, agency_id=self.agency_id)
        return Response(budget_data(budget, totals, detail=True))

    @extend_schema(
        request=s.BudgetInputSerializer(partial=True),
        responses={200: s.BudgetDetailOutSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id, budget_id):
        budget = self.get_object()
        self.client_only()
        serializer = s.BudgetInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        budget = services.budget_update(
            workspace=self.workspace, actor=request.user, budget=budget, **changes
        )
        return Response(budget_data(budget, selectors.budget_totals(budget), detail=True))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, budget_id):
        budget = self.get_object()
        self.client_only()
        services.budget_delete(workspace=self.workspace, actor=request.user, budget=budget)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BudgetLineListView(_InBudget, WorkspaceScopedAPIView):
    queryset = BudgetLine.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.BUDGET_VIEW, "POST": C.BUDGET_EDIT}
    dashboard_page = "budgets:edit"

    def refine_queryset(self, queryset):
        return self.in_scope(queryset.filter(budget_id=self.kwargs.get("budget_id")), "agency_id")

    @extend_schema(responses={200: s.LineOutSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id, budget_id):
        totals = selectors.budget_totals(self.budget(), agency_id=self.agency_id)
        return Response([line_data(item.line, item) for item in totals.lines])

    @extend_schema(
        request=s.BudgetLineInputSerializer, responses={201: s.LineOutSerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id, budget_id):
        budget = self.budget()
        self.client_only()
        data = _validated(s.BudgetLineInputSerializer, request.data)
        line = services.budget_line_create(
            workspace=self.workspace, actor=request.user, budget=budget, **data
        )
        return created(line_data(line))


class BudgetLineDetailView(_InBudget, WorkspaceScopedAPIView):
    queryset = BudgetLine.objects.all()
    lookup_url_kwarg = "line_id"
    required_capabilities = {"GET": C.BUDGET_VIEW, "PATCH": C.BUDGET_EDIT, "DELETE": C.BUDGET_EDIT}
    dashboard_page = "budgets:edit"

    def refine_queryset(self, queryset):
        found = queryset.filter(budget_id=self.kwargs.get("budget_id")).select_related("agency")
        return self.in_scope(found, "agency_id")

    @extend_schema(responses={200: s.LineOutSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, budget_id, line_id):
        line = self.get_object()
        totals = selectors.budget_totals(line.budget, agency_id=self.agency_id)
        return Response(line_data(line, next(i for i in totals.lines if i.line.pk == line.pk)))

    @extend_schema(
        request=s.BudgetLineInputSerializer(partial=True),
        responses={200: s.LineOutSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id, budget_id, line_id):
        line = self.get_object()
        self.client_only()
        serializer = s.BudgetLineInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        line = services.budget_line_update(workspace=self.workspace, actor=request.user, line=line, **changes)
        return Response(line_data(line))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404, 409)}
    )
    def delete(self, request, workspace_id, budget_id, line_id):
        line = self.get_object()
        self.client_only()
        services.budget_line_delete(workspace=self.workspace, actor=request.user, line=line)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpendListView(_InBudget, WorkspaceScopedAPIView):
    """GET: the budget's spend, newest first, each with its amount in the budget's currency. POST (JSON or
    multipart with a `receipt` file): record spend; above the budget's approval threshold it waits."""

    queryset = SpendEntry.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.BUDGET_VIEW, "POST": C.BUDGET_EDIT}
    dashboard_page = "budgets:spend_new"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def refine_queryset(self, queryset):
        return self.in_scope(queryset.filter(budget_id=self.kwargs.get("budget_id")))

    @extend_schema(responses={200: s.SpendOutSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id, budget_id):
        budget = self.budget()
        entries = list(selectors.entries_of(budget, agency_id=self.agency_id))
        totals = selectors.budget_totals(budget, entries=entries, agency_id=self.agency_id)
        return Response([spend_data(entry, totals.converted.get(entry.pk)) for entry in entries])

    @extend_schema(
        request=s.SpendInputSerializer, responses={201: s.SpendOutSerializer, **_errors(400, 403, 404)}
    )
    def post(self, request, workspace_id, budget_id):
        budget = self.budget()
        data = _validated(s.SpendInputSerializer, request.data)
        data.pop("remove_receipt", None)
        entry = services.spend_entry_create(
            workspace=self.workspace, actor=request.user, budget=budget, agency_id=self.agency_id, **data
        )
        return created(spend_data(entry, selectors.budget_totals(budget).converted.get(entry.pk)))


class SpendDetailView(_InBudget, WorkspaceScopedAPIView):
    queryset = SpendEntry.objects.all()
    lookup_url_kwarg = "spend_id"
    required_capabilities = {"GET": C.BUDGET_VIEW, "PATCH": C.BUDGET_EDIT, "DELETE": C.BUDGET_EDIT}
    dashboard_page = "budgets:spend_edit"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def refine_queryset(self, queryset):
        found = queryset.filter(budget_id=self.kwargs.get("budget_id")).select_related("decided_by", "budget")
        return self.in_scope(found)

    @extend_schema(responses={200: s.SpendOutSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, budget_id, spend_id):
        entry = self.get_object()
        return Response(spend_data(entry, selectors.budget_totals(entry.budget).converted.get(entry.pk)))

    @extend_schema(
        request=s.SpendInputSerializer(partial=True),
        responses={200: s.SpendOutSerializer, **_errors(400, 403, 404)},
    )
    def patch(self, request, workspace_id, budget_id, spend_id):
        entry = self.get_object()
        serializer = s.SpendInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        entry = services.spend_entry_update(
            workspace=self.workspace, actor=request.user, entry=entry, agency_id=self.agency_id, **changes
        )
        return Response(spend_data(entry, selectors.budget_totals(entry.budget).converted.get(entry.pk)))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, budget_id, spend_id):
        services.spend_entry_delete(
            workspace=self.workspace, actor=request.user, entry=self.get_object(), agency_id=self.agency_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SpendDecisionView(_InBudget, WorkspaceScopedAPIView):
    """Approve or reject spend that waits (budget.approve; not the person who entered it: 403)."""

    queryset = SpendEntry.objects.all()
    lookup_url_kwarg = "spend_id"
    required_capabilities = {"POST": C.BUDGET_APPROVE}
    dashboard_page = "dashboard:budgets"

    def refine_queryset(self, queryset):
        return self.in_scope(queryset.filter(budget_id=self.kwargs.get("budget_id")))

    @extend_schema(
        request=s.SpendDecisionInputSerializer,
        responses={200: s.SpendOutSerializer, **_errors(400, 403, 404, 409)},
    )
    def post(self, request, workspace_id, budget_id, spend_id):
        entry = self.get_object()  # an id not under this budget is a 404 before anything is parsed
        data = _validated(s.SpendDecisionInputSerializer, request.data)
        entry = services.spend_entry_decide(
            workspace=self.workspace, actor=request.user, entry=entry, agency_id=self.agency_id, **data
        )
        return Response(spend_data(entry, selectors.budget_totals(entry.budget).converted.get(entry.pk)))


class SpendReceiptView(_InBudget, WorkspaceScopedAPIView):
    """The receipt file of a spend entry (budget.view)."""

    queryset = SpendEntry.objects.all()
    lookup_url_kwarg = "spend_id"
    required_capabilities = {"GET": C.BUDGET_VIEW}

    def refine_queryset(self, queryset):
        return self.in_scope(queryset.filter(budget_id=self.kwargs.get("budget_id")))

    @extend_schema(responses={(200, "application/octet-stream"): bytes, **_errors(403, 404)})
    def get(self, request, workspace_id, budget_id, spend_id):
        entry = self.get_object()
        if not entry.receipt:
            raise Http404
        return FileResponse(
            entry.receipt.open("rb"), as_attachment=True, filename=entry.receipt_name or "receipt"
        )


class BurnDownView(_InBudget, WorkspaceScopedAPIView):
    """What is left of the plan day by day (counted spend up to each day; days after today: null) and
    the ideal straight line to zero, in the budget's currency. The page's chart reads this."""

    queryset = Budget.objects.all()
    required_capabilities = {"GET": C.BUDGET_VIEW}

    @extend_schema(responses={200: s.BurnDownOutSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, budget_id):
        budget = self.budget()
        found = SpendEntry.objects.filter(budget=budget).exclude(status=SpendStatus.REJECTED)
        entries = list(self.in_scope(found))
        totals = selectors.budget_totals(budget, entries=entries, agency_id=self.agency_id)
        today = timezone.localdate(timezone.now(), self.workspace.tzinfo)
        found = selectors.burn_down(budget, totals, entries, today=today)
        return Response(
            {
                "currency": budget.currency,
                "planned": money(totals.planned),
                "dates": found["dates"],
                "remaining": [money(v) for v in found["remaining"]],
                "ideal": [money(v) for v in found["ideal"]],
            }
        )


class BudgetExportView(_InBudget, WorkspaceScopedAPIView):
    """The budget as a file, `?file_format=csv|xlsx|pdf` (`format` is DRF's own): lines, spend, totals
    by line, category and campaign, in the budget's currency (for agency people: their lines alone)."""

    queryset = Budget.objects.all()
    required_capabilities = {"GET": C.BUDGET_VIEW}

    @extend_schema(
        parameters=[s.ExportFormatParameter],
        responses={
            (200, "text/csv"): bytes,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): bytes,
            (200, "application/pdf"): bytes,
            **_errors(403, 404),
        },
    )
    def get(self, request, workspace_id, budget_id):
        budget = self.budget()
        body, content_type, name = exports.budget_export(
            budget, file_format=request.query_params.get("file_format") or "csv", agency_id=self.agency_id
        )
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


class SpendWaitingView(_Scoped, WorkspaceScopedAPIView):
    """Spend of every budget that waits for approval (budget.approve)."""

    queryset = SpendEntry.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.BUDGET_APPROVE}

    @extend_schema(responses={200: s.SpendOutSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id):
        waiting = selectors.spend_waiting_for_approval(self.workspace, agency_id=self.agency_id)
        return Response([spend_data(entry) for entry in waiting])


class ExchangeRateListView(WorkspaceScopedAPIView):
    """GET: the workspace's rates, newest first. POST: set the rate of a day (replaces that day's)."""

    queryset = ExchangeRate.objects.all()
    pagination_class = None  # a whole, bounded list: an array, as the schema says
    required_capabilities = {"GET": C.BUDGET_VIEW, "POST": C.BUDGET_EDIT}
    dashboard_page = "budgets:rates"

    @extend_schema(responses={200: s.ExchangeRateOutSerializer(many=True), **_errors(403, 404)})
    def get(self, request, workspace_id):
        return Response([rate_data(rate) for rate in selectors.exchange_rates_of(self.workspace)])

    @extend_schema(
        request=s.ExchangeRateInputSerializer,
        responses={201: s.ExchangeRateOutSerializer, **_errors(400, 403, 404)},
    )
    def post(self, request, workspace_id):
        data = _validated(s.ExchangeRateInputSerializer, request.data)
        rate = services.exchange_rate_set(workspace=self.workspace, actor=request.user, **data)
        return created(rate_data(rate))


class ExchangeRateDetailView(WorkspaceScopedAPIView):
    queryset = ExchangeRate.objects.all()
    lookup_url_kwarg = "rate_id"
    required_capabilities = {"GET": C.BUDGET_VIEW, "DELETE": C.BUDGET_EDIT}
    dashboard_page = "budgets:rates"

    @extend_schema(responses={200: s.ExchangeRateOutSerializer, **_errors(403, 404)})
    def get(self, request, workspace_id, rate_id):
        return Response(rate_data(self.get_object()))

    @extend_schema(
        request=None, responses={204: OpenApiResponse(description="Deleted."), **_errors(403, 404)}
    )
    def delete(self, request, workspace_id, rate_id):
        services.exchange_rate_delete(workspace=self.workspace, actor=request.user, rate=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExchangeRateImportView(WorkspaceScopedAPIView):
    """A CSV of rates (date,currency,in,rate): all rows or none; a bad row is a 400 on `file` naming it."""

    queryset = ExchangeRate.objects.all()
    required_capabilities = {"POST": C.BUDGET_EDIT}
    dashboard_page = "budgets:rates"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": s.ExchangeRateImportSerializer},
        responses={201: OpenApiResponse(description='{"imported": n}'), **_errors(400, 403, 404)},
    )
    def post(self, request, workspace_id):
        data = _validated(s.ExchangeRateImportSerializer, request.data)
        count = services.exchange_rates_import(
            workspace=self.workspace, actor=request.user, file=data["file"]
        )
        return created({"imported": count})
