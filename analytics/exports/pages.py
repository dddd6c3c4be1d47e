"""The Downloads page: the workspace's latest exports with their progress (htmx asks for the list again
every second while one is pending or running), a download link when done, "expired" once the cleanup
deleted the file; and a form that starts an export (the same service as the API's POST). A large export
started from a report page's download link lands here (analytics.exports.views)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Capability as C
from core.errors import DomainError
from core.views import apply_domain_error

from ..models import ExportFormat, ExportJob, ExportKind
from ..selectors.exports import PostFilters
from ..views import _AnalyticsPage
from . import jobs
from .api import export_file_response
from .tables import ExportRequest

S = ExportJob.Status
LATEST = 20


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Table"), choices=ExportKind.choices)
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportFormat.choices)
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))


def jobs_context(workspace, highlight: int | None = None) -> dict:
    latest = list(ExportJob.objects.filter(workspace=workspace).select_related("requested_by")[:LATEST])
    return {
        "jobs": latest,
        "jobs_active": any(job.status in (S.PENDING, S.RUNNING) for job in latest),
        "highlight": highlight,
    }


def _highlight(request) -> int | None:
    value = request.GET.get("job", "")
    return int(value) if value.isdigit() else None


class ExportsPage(_AnalyticsPage):
    template_name = "analytics/exports.html"
    tab = "exports"
    required_capabilities = {"GET": C.ANALYTICS_EXPORT, "POST": C.ANALYTICS_EXPORT}

    def get_context_data(self, **kwargs):
        if "form" not in kwargs:
            today = timezone.localdate(timezone.now(), self.workspace.tzinfo)
            kwargs["form"] = ExportForm(
                initial={
                    "kind": ExportKind.POSTS,
                    "format": ExportFormat.XLSX,
                    "start": today - timedelta(days=30),
                    "end": today - timedelta(days=1),
                }
            )
        kwargs.update(jobs_context(self.workspace, _highlight(self.request)))
        kwargs["retention_days"] = settings.KAWO_EXPORT_FILE_RETENTION_DAYS
        return super().get_context_data(**kwargs)

    def post(self, request, workspace_id):
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            export = ExportRequest(
                kind=data["kind"], start=data["start"], end=data["end"], filters=PostFilters()
            )
            try:
                job = jobs.export_job_create(
                    actor=request.user, workspace=self.workspace, fmt=data["format"], request=export
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("The export has started; it appears below when it is ready."))
                return redirect(f"{request.path}?job={job.pk}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ExportJobsPartial(_AnalyticsPage):
    """The list alone, for htmx's polling."""

    template_name = "analytics/_export_jobs.html"
    tab = "exports"
    required_capabilities = {"GET": C.ANALYTICS_EXPORT}

    def get_context_data(self, **kwargs):
        kwargs.update(jobs_context(self.workspace, _highlight(self.request)))
        return super().get_context_data(**kwargs)


class ExportFileView(_AnalyticsPage):
    """A finished export's file, for the page (session); 410 once the cleanup deleted it."""

    required_capabilities = {"GET": C.ANALYTICS_EXPORT}

    def get(self, request, workspace_id, export_id):
        job = ExportJob.objects.filter(workspace=self.workspace, pk=export_id).first()
        if job is None:
            raise Http404
        if job.expired_at is not None:
            return HttpResponse(
                _("This export's file has expired and was deleted; export again."), status=410
            )
        if job.status != S.DONE or not job.file:
            return HttpResponse(_("The export is not ready yet."), status=409)
        return export_file_response(job.file.open("rb"), job.file_name, job.format)
