"""The import API under /api/v1/workspaces/{workspace_id}/imports/: upload a CSV or XLSX of posts (202 with
the job), read the job (status, progress, what was read, preview, problems by sheet, row and column), and
commit it (202; the posts are written on a worker, all or none). Every step needs post.create; another
workspace's job is a 404. The steps are content.imports.jobs."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.api.serializers import ErrorSerializer
from accounts.roles import Capability as C
from core.api import WorkspaceScopedAPIView

from ..imports import jobs
from ..imports.files import DELIMITERS, ENCODING_LABELS
from ..models import ImportJob

# --- serializers ------------------------------------------------------------------------------------


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8, UTF-16 with BOM or GB18030; comma, tab or semicolon separated) or XLSX; "
        "see content/importers.py for the columns. At most 20 MB and 5,000 rows."
    )
    sheet = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="XLSX: import only this sheet (by name). Without it every sheet is read.",
    )


class ImportProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(allow_null=True, help_text="The workbook's sheet; null for CSV.")
    row = serializers.IntegerField(help_text="The file's row number (the header is row 1); 0: the file.")
    column = serializers.CharField()
    message = serializers.CharField()


class ImportPreviewRowSerializer(serializers.Serializer):
    sheet = serializers.CharField(allow_null=True)
    row = serializers.IntegerField()
    values = serializers.DictField(child=serializers.CharField(allow_blank=True))


class ImportSheetSerializer(serializers.Serializer):
    name = serializers.CharField()
    rows = serializers.IntegerField()
    read = serializers.BooleanField()
    note = serializers.CharField(
        allow_blank=True, help_text="Why it was not read: empty, not_chosen or not_a_worksheet."
    )


class ImportDuplicateSerializer(ImportProblemSerializer):
    accounts = serializers.ListField(
        child=serializers.IntegerField(), help_text="The row's accounts (ids) that repeat a post."
    )


class ImportCommitSerializer(serializers.Serializer):
    duplicates = serializers.ChoiceField(
        choices=["skip", "import"],
        default="skip",
        help_text="skip (the default): leave out rows that repeat an existing post or an earlier row "
        "(same account, scheduled time and text); import: import them anyway.",
    )


class ImportProgressSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=["validating", "committing"], allow_null=True)
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    status_label = serializers.CharField()
    file_name = serializers.CharField()
    size = serializers.IntegerField()
    sheet = serializers.CharField(allow_blank=True, help_text="The sheet asked for; blank: every sheet.")
    encoding = serializers.CharField(allow_blank=True, help_text="CSV: utf-8, utf-8-sig, utf-16-le ...")
    encoding_label = serializers.CharField(allow_blank=True)
    delimiter = serializers.CharField(allow_blank=True, help_text="CSV: the separator read.")
    delimiter_name = serializers.CharField(allow_blank=True, help_text="comma, tab or semicolon.")
    sheets = ImportSheetSerializer(many=True, help_text="XLSX: every sheet, read or not and why.")
    total_rows = serializers.IntegerField()
    progress = ImportProgressSerializer()
    error_count = serializers.IntegerField()
    errors = ImportProblemSerializer(many=True, help_text="At most 1,000 (error_count: how many in all).")
    duplicate_count = serializers.IntegerField(
        help_text="Rows that repeat an existing post or an earlier row (same account, time and text)."
    )
    duplicates = ImportDuplicateSerializer(many=True, help_text="At most 1,000 (duplicate_count: all).")
    skip_duplicates = serializers.BooleanField(help_text="The choice made when committing.")
    skipped = serializers.IntegerField(help_text="Duplicate rows left out (committed).")
    preview = ImportPreviewRowSerializer(many=True, help_text="The first rows and every row with a problem.")
    created = serializers.IntegerField(help_text="Posts made (committed).")
    posts = serializers.ListField(child=serializers.IntegerField())
    message = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    validated_at = serializers.DateTimeField(allow_null=True)
    committed_at = serializers.DateTimeField(allow_null=True)


def import_job_data(job: ImportJob) -> dict:
    """The job as ImportJobSerializer shows it (progress read live while committing)."""
    S = ImportJob.Status
    if job.status in (S.PENDING, S.VALIDATING):
        progress = {"phase": "validating", "done": job.validated_rows, "total": job.total_rows}
    elif job.status == S.COMMITTING:
        progress = {"phase": "committing", "done": jobs.written_so_far(job), "total": job.total_rows}
    else:
        done = job.committed_rows + job.skipped_rows if job.status == S.COMMITTED else job.validated_rows
        progress = {"phase": None, "done": done, "total": job.total_rows}
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "file_name": job.original_name,
        "size": job.size,
        "sheet": job.sheet,
        "encoding": job.encoding,
        "encoding_label": ENCODING_LABELS.get(job.encoding, ""),
        "delimiter": job.delimiter,
        "delimiter_name": DELIMITERS.get(job.delimiter, ""),
        "sheets": job.sheets,
        "total_rows": job.total_rows,
        "progress": progress,
        "error_count": job.error_count,
        "errors": job.errors,
        "duplicate_count": job.duplicate_count,
        "duplicates": job.duplicates,
        "skip_duplicates": job.skip_duplicates,
        "skipped": job.skipped_rows if job.status == S.COMMITTED else 0,
        "preview": job.preview,
        "created": job.committed_rows if job.status == S.COMMITTED else 0,
        "posts": job.posts,
        "message": job.message,
        "created_at": job.created_at,
        "validated_at": job.validated_at,
        "committed_at": job.committed_at,
    }


def _job(job: ImportJob, code: int = status.HTTP_200_OK) -> Response:
    return Response(ImportJobSerializer(import_job_data(job)).data, status=code)


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Invalid input; `error.fields` names the fields.",
        403: "Your role does not allow this.",
        404: "Not found, or not yours to see.",
        409: "The job is not ready to commit (problems found, still checking, or already imported).",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


# --- views ------------------------------------------------------------------------------------------


class ImportJobListView(WorkspaceScopedAPIView):
    """Upload a file: 202 with the job, `pending` until a worker has read and checked it. Poll the job."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    required_capabilities = {"POST": C.POST_CREATE}
    parser_classes = [MultiPartParser, FormParser]
    dashboard_page = "content:imports"

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        responses={202: ImportJobSerializer, **_errors(400, 403)},
        summary="Upload posts to import from CSV or XLSX",
    )
    def post(self, request, workspace_id):
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = jobs.import_job_create(actor=request.user, workspace=self.workspace, **data)
        job.refresh_from_db()  # a worker running tasks in place has moved it already
        return _job(job, status.HTTP_202_ACCEPTED)


class ImportJobDetailView(WorkspaceScopedAPIView):
    """An import job: status, progress, what was read (encoding, separator, sheets), a preview and every
    problem by sheet, row and column."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    required_capabilities = {"GET": C.POST_CREATE}
    lookup_url_kwarg = "import_id"
    dashboard_page = "content:imports"

    @extend_schema(responses={200: ImportJobSerializer, **_errors(403, 404)}, summary="An import job")
    def get(self, request, workspace_id, import_id):
        return _job(self.get_object())


class ImportJobCommitView(WorkspaceScopedAPIView):
    """Import a `ready` job's posts: 202, then `committing` with progress, then `committed` (every post,
    less the duplicates when `duplicates` is skip, the default) or `invalid` (the workspace changed since
    the preview: nothing imported)."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    required_capabilities = {"POST": C.POST_CREATE}
    lookup_url_kwarg = "import_id"
    dashboard_page = "content:imports"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=ImportCommitSerializer,
        responses={202: ImportJobSerializer, **_errors(403, 404, 409)},
        summary="Commit an import job",
    )
    def post(self, request, workspace_id, import_id):
        job = self.get_object()
        choice = ImportCommitSerializer(data=request.data)
        choice.is_valid(raise_exception=True)
        job = jobs.import_job_commit_request(
            actor=request.user,
            job=job,
            skip_duplicates=choice.validated_data["duplicates"] == "skip",
        )
        job.refresh_from_db()
        return _job(job, status.HTTP_202_ACCEPTED)
