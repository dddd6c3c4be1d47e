"""Dashboard pages for bulk imports (reached from the calendar's "Import" button): upload a file, watch it
being checked (htmx polls the job while a worker reads it), read the preview (encoding, separator, sheets,
rows, each problem next to its row), commit, watch the import. Every step needs post.create; the steps
are content.imports.jobs, the same the API calls."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from accounts.roles import Capability as C
from core.errors import DomainError, NotFound
from core.views import WorkspacePageMixin, WorkspaceViewMixin, apply_domain_error

from . import importers
from .imports import jobs, template
from .imports.files import ENCODING_LABELS, accepted_formats
from .models import ImportJob

S = ImportJob.Status
RECENT_JOBS = 10


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    sheet = forms.CharField(
        label=gettext_lazy("Sheet"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "XLSX only: the name of the one sheet to import. Leave empty to read every sheet."
        ),
    )


def _delimiter_label(delimiter: str) -> str:
    return {",": _("comma"), "\t": _("tab"), ";": _("semicolon")}.get(delimiter, "")


def _sheet_note(note: str) -> str:
    return {
        "empty": _("empty: nothing to read"),
        "not_chosen": _("not chosen"),
        "not_a_worksheet": _("not a worksheet"),
    }.get(note, "")


def job_view(job: ImportJob) -> dict:
    """What the job page shows: progress, what was read, preview rows with their problems next to them,
    and the problems of rows the preview does not show (the header, the file itself, later rows)."""
    if job.status == S.COMMITTING:
        done, phase = jobs.written_so_far(job), "committing"
    elif job.status in (S.PENDING, S.VALIDATING):
        done, phase = job.validated_rows, "validating"
    elif job.status == S.COMMITTED:
        done, phase = job.committed_rows + job.skipped_rows, ""
    else:
        done, phase = job.validated_rows, ""
    by_row: dict[tuple, list[dict]] = {}
    for problem in job.errors:
        by_row.setdefault((problem.get("sheet"), problem["row"]), []).append(problem)
    duplicate_rows = {(d.get("sheet"), d["row"]): d for d in job.duplicates}
    shown = set()
    rows = []
    for item in job.preview:
        key = (item["sheet"], item["row"])
        shown.add(key)
        rows.append({**item, "problems": by_row.get(key, []), "duplicate": duplicate_rows.get(key)})
    columns = [c for c in importers.COLUMNS if any(item["values"].get(c, "") != "" for item in job.preview)]
    for row in rows:
        row["cells"] = [row["values"].get(column, "") for column in columns]
    return {
        "job": job,
        "active": job.status in jobs.ACTIVE,
        "phase": phase,
        "done": done,
        "total": job.total_rows,
        "percent": min(int(done * 100 / job.total_rows), 100) if job.total_rows else 0,
        "duplicate_count": job.duplicate_count,
        "new_rows": job.total_rows - job.duplicate_count,
        "encoding": ENCODING_LABELS.get(job.encoding, ""),
        "delimiter": _delimiter_label(job.delimiter),
        "sheets": [{**sheet, "note_label": _sheet_note(sheet.get("note", ""))} for sheet in job.sheets],
        "columns": columns,
        "rows": rows,
        "other_problems": [p for p in job.errors if (p.get("sheet"), p["row"]) not in shown],
        "more_problems": max(job.error_count - len(job.errors), 0),
        "multi_sheet": any(item["sheet"] for item in job.preview) or len(job.sheets) > 1,
    }


class ImportPageView(WorkspacePageMixin, TemplateView):
    """The upload form and the workspace's recent imports."""

    template_name = "content/imports.html"
    required_capabilities = {"GET": C.POST_CREATE, "POST": C.POST_CREATE}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=form or ImportUploadForm(),
            recent=jobs.import_jobs_recent(self.workspace, limit=RECENT_JOBS),
            columns=importers.COLUMNS,
            required=importers.REQUIRED,
            accepted=accepted_formats(),
            max_rows=importers.MAX_ROWS,
        )
        return context

    def post(self, request, workspace_id):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = jobs.import_job_create(
                    actor=request.user,
                    workspace=self.workspace,
                    file=form.cleaned_data["file"],
                    sheet=form.cleaned_data["sheet"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                return redirect("content:import_job", workspace_id, job.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportJobPageView(WorkspacePageMixin, TemplateView):
    """One import: its progress while a worker has it (the partial alone answers htmx's polling), then
    the preview with the problems, and the commit button when it is ready."""

    template_name = "content/import_job.html"
    required_capabilities = {"GET": C.POST_CREATE}

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["content/_import_job.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = get_object_or_404(ImportJob, workspace=self.workspace, pk=self.kwargs["import_id"])
        context.update(job_view(job))
        return context


class ImportTemplateView(WorkspaceViewMixin, View):
    """The import template as CSV or XLSX: the columns in order and example rows with this workspace's
    accounts and times in its time zone (content.imports.template)."""

    required_capabilities = {"GET": C.POST_CREATE}

    def get(self, request, workspace_id, kind):
        try:
            data, content_type, name = template.import_template(self.workspace, kind=kind)
        except NotFound:
            raise Http404 from None
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ImportCommitPageView(WorkspaceViewMixin, View):
    """Commit a ready job; `duplicates` = skip (the default) or import."""

    required_capabilities = {"POST": C.POST_CREATE}

    def post(self, request, workspace_id, import_id):
        job = get_object_or_404(ImportJob, workspace=self.workspace, pk=import_id)
        try:
            jobs.import_job_commit_request(
                actor=request.user,
                job=job,
                skip_duplicates=request.POST.get("duplicates", "skip") != "import",
            )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("content:import_job", workspace_id, job.pk)
