"""The Downloads page: a large export started from a report page lands on it, its progress moves by
itself (htmx polling the ExportJob) and a download link appears when done; the job records progress as
the post table is written. The daily cleanup deletes old export files and old import uploads, marking the
rows expired; the pages say "expired" instead of showing a dead link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.exports import jobs, tables
from analytics.exports.tables import ExportRequest
from analytics.models import ExportJob
from content.imports.jobs import import_files_expire, import_job_commit_request
from content.models import ImportJob
from core.errors import Conflict
from core.models import AuditEvent

from .test_numbers import END, START, Scene

pytestmark = pytest.mark.django_db
S = ExportJob.Status


@pytest.fixture
def scene():
    return Scene()


def _client(workspace, role=Role.ANALYST, **headers) -> tuple[Client, object]:
    user = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=user, role=role)
    client = Client(**headers)
    client.force_login(user)
    return client, user


def _done_job(workspace, tmp_path, *, finished_days_ago=0) -> ExportJob:
    job = ExportJob.objects.create(
        workspace=workspace,
        kind="posts",
        format="csv",
        params={"start": "2027-01-04", "end": "2027-01-10"},
        status=S.DONE,
        progress=100,
        file_name="posts.csv",
        finished_at=timezone.now() - timedelta(days=finished_days_ago),
    )
    job.file.save("posts.csv", ContentFile(b"a,b\n1,2\n"))
    return job


# --- progress -------------------------------------------------------------------------------------------


def test_a_large_export_from_a_report_page_lands_on_the_downloads_page(
    scene, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    # given: a browser (asks for HTML), a limit below the three posts
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(jobs, "DIRECT_MAX_POSTS", 2)
    client, _user = _client(scene.workspace, HTTP_ACCEPT="text/html,application/xhtml+xml")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("analytics_exports:download", args=[scene.workspace.pk]),
            {"kind": "posts", "format": "csv", "start": START.isoformat(), "end": END.isoformat()},
        )
    # then
    job = ExportJob.objects.get(workspace=scene.workspace)
    page_url = reverse("analytics_exports:jobs", args=[scene.workspace.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{page_url}?job={job.pk}"
    html = client.get(response["Location"]).content.decode()
    assert f'data-job="{job.pk}" data-status="done"' in html
    assert reverse("analytics_exports:file", args=[scene.workspace.pk, job.pk]) in html
    download = client.get(reverse("analytics_exports:file", args=[scene.workspace.pk, job.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_a_running_job_polls_and_shows_its_progress_and_a_settled_one_stops(scene, tmp_path, settings):
    # given
    settings.MEDIA_ROOT = tmp_path
    client, _user = _client(scene.workspace)
    running = ExportJob.objects.create(
        workspace=scene.workspace, kind="report", format="xlsx", status=S.RUNNING, progress=45
    )
    partial = reverse("analytics_exports:jobs_list", args=[scene.workspace.pk])
    # when
    html = client.get(partial).content.decode()
    # then: htmx asks again every second; the bar shows 45%
    assert 'hx-trigger="every 1s"' in html
    assert 'data-testid="export-progress" value="45"' in html
    assert "analytics_exports:file" not in html and "/file/" not in html
    # when: the worker finishes
    ExportJob.objects.filter(pk=running.pk).update(status=S.DONE, progress=100)
    html = client.get(partial).content.decode()
    # then: no more polling, a download link
    assert "hx-trigger" not in html
    assert reverse("analytics_exports:file", args=[scene.workspace.pk, running.pk]) in html


def test_the_job_records_progress_while_the_post_table_is_written(scene, monkeypatch):
    # given: progress every row (three posts)
    monkeypatch.setattr(tables, "PROGRESS_EVERY", 1)
    seen = []
    # when
    tables.export_frames(
        scene.workspace,
        ExportRequest(kind="posts", start=START, end=END),
        progress=lambda done, total: seen.append(round(done / total, 3)),
    )
    # then: after the read, after each row, then the table's end
    assert seen == [0.5, 0.667, 0.833, 1.0, 1.0]


def test_the_downloads_page_starts_an_export_with_the_same_service(
    scene, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given
    settings.MEDIA_ROOT = tmp_path
    client, user = _client(scene.workspace)
    url = reverse("analytics_exports:jobs", args=[scene.workspace.pk])
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"kind": "posts", "format": "xlsx", "start": START.isoformat(), "end": END.isoformat()}
        )
    # then
    job = ExportJob.objects.get(workspace=scene.workspace)
    assert response.status_code == 302 and response["Location"].endswith(f"?job={job.pk}")
    assert job.status == S.DONE and job.rows == 3
    assert AuditEvent.objects.filter(action="analytics.export_request", actor=user).count() == 1


def test_an_export_the_service_refuses_is_a_400_next_to_the_field(scene):
    # given
    client, _user = _client(scene.workspace)
    # when: PDF is for the report only
    response = client.post(
        reverse("analytics_exports:jobs", args=[scene.workspace.pk]),
        {"kind": "posts", "format": "pdf", "start": START.isoformat(), "end": END.isoformat()},
    )
    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_format_error">PDF is offered for the analytics report only.' in html
    assert not ExportJob.objects.exists()


def test_downloads_need_analytics_export_and_are_per_workspace(scene, tmp_path, settings):
    # given
    settings.MEDIA_ROOT = tmp_path
    theirs = _done_job(WorkspaceFactory(), tmp_path)
    editor, _user = _client(scene.workspace, Role.EDITOR)
    analyst, _user = _client(scene.workspace)
    # when / then
    assert editor.get(reverse("analytics_exports:jobs", args=[scene.workspace.pk])).status_code == 403
    assert editor.post(reverse("analytics_exports:jobs", args=[scene.workspace.pk]), {}).status_code == 403
    assert (
        analyst.get(reverse("analytics_exports:file", args=[scene.workspace.pk, theirs.pk])).status_code
        == 404
    )
    assert analyst.get(reverse("analytics_exports:jobs", args=[theirs.workspace_id])).status_code == 404


# --- cleanup --------------------------------------------------------------------------------------------


def test_old_export_files_are_deleted_and_the_jobs_say_expired(scene, tmp_path, settings):
    # given: one export finished 8 days ago, one today; files kept 7 days
    settings.MEDIA_ROOT = tmp_path
    settings.KAWO_EXPORT_FILE_RETENTION_DAYS = 7
    old = _done_job(scene.workspace, tmp_path, finished_days_ago=8)
    recent = _done_job(scene.workspace, tmp_path)
    old_path = tmp_path / old.file.name
    assert old_path.exists()
    # when: the beat task, twice
    from analytics import tasks

    first, second = tasks.export_files_expire(), tasks.export_files_expire()
    # then
    assert (first, second) == (1, 0)
    assert not old_path.exists()
    assert (tmp_path / recent.file.name).exists()
    old.refresh_from_db()
    assert old.expired_at is not None and not old.file
    # the page says expired, with no link; the downloads refuse with 410
    client, user = _client(scene.workspace)
    html = client.get(reverse("analytics_exports:jobs", args=[scene.workspace.pk])).content.decode()
    assert f'data-job="{old.pk}" data-status="expired"' in html
    assert reverse("analytics_exports:file", args=[scene.workspace.pk, old.pk]) not in html
    assert reverse("analytics_exports:file", args=[scene.workspace.pk, recent.pk]) in html
    assert client.get(reverse("analytics_exports:file", args=[scene.workspace.pk, old.pk])).status_code == 410
    api = APIClient()
    api.force_authenticate(user)
    base = f"/api/v1/workspaces/{scene.workspace.pk}/analytics/exports/{old.pk}/"
    assert api.get(base).json()["download_url"] is None
    gone = api.get(f"{base}download/")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "export_expired"


def _import_job(workspace, status, *, days_ago):
    job = ImportJob(workspace=workspace, original_name="posts.csv", status=status)
    job.file.save("posts.csv", ContentFile(b"accounts,text\n"), save=False)
    job.save()
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return job


def test_old_import_uploads_of_settled_or_abandoned_jobs_are_deleted(tmp_path, settings):
    # given: uploads kept 14 days
    settings.MEDIA_ROOT = tmp_path
    settings.KAWO_IMPORT_FILE_RETENTION_DAYS = 14
    workspace = WorkspaceFactory()
    committed = _import_job(workspace, ImportJob.Status.COMMITTED, days_ago=20)
    abandoned = _import_job(workspace, ImportJob.Status.READY, days_ago=20)
    checking = _import_job(workspace, ImportJob.Status.VALIDATING, days_ago=20)
    recent = _import_job(workspace, ImportJob.Status.COMMITTED, days_ago=2)
    # when
    from content import tasks

    expired = tasks.import_files_expire()
    # then
    assert expired == 2
    for job, gone in ((committed, True), (abandoned, True), (checking, False), (recent, False)):
        path = tmp_path / job.file.name
        job.refresh_from_db()
        assert (job.file_expired_at is not None) is gone
        assert path.exists() is not gone
    assert import_files_expire() == 0
    # an abandoned job whose file is gone cannot be committed; its page says so
    with pytest.raises(Conflict):
        import_job_commit_request(actor=None, job=abandoned)
    abandoned.refresh_from_db()
    assert abandoned.status == ImportJob.Status.READY
    client, _user = _client(workspace, Role.ADMIN)
    html = client.get(reverse("content:import_job", args=[workspace.pk, abandoned.pk])).content.decode()
    assert 'data-testid="import-file-expired"' in html
    assert 'data-testid="import-commit"' not in html
