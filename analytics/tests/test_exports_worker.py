"""An export job on a REAL Celery worker (tests/worker.py): the API answers 202 at once with a pending job,
the worker (not this process) builds the file, the job moves to done with progress 100, and the download
parses back with the right rows.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/kawo_exports REDIS_URL=redis://127.0.0.1:6379/13 \\
     .venv/bin/python -m pytest -q analytics/tests/test_exports_worker.py
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceMemberFactory
from analytics.models import ExportJob
from tests.worker import run_celery_worker

from .test_numbers import Scene


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_export_job_is_built_by_the_worker_and_downloads(tmp_path, settings):
    # given: the worker and this process share the media folder (the worker writes, the API reads)
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    scene = Scene()
    analyst = UserFactory(language="zh-hans")
    WorkspaceMemberFactory(workspace=scene.workspace, user=analyst, role=Role.ANALYST)
    client = APIClient()
    client.force_authenticate(analyst)
    base = f"/api/v1/workspaces/{scene.workspace.pk}/analytics/exports/"
    with run_celery_worker(
        mail_dir=tmp_path / "mail", log_dir=tmp_path, extra_env={"MEDIA_ROOT": str(media)}
    ) as worker:
        # when
        created = client.post(
            base,
            {"kind": "posts", "format": "csv", "start": "2027-01-04", "end": "2027-01-10"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        # then: accepted at once, built by the worker
        assert created.status_code == 202
        job_id = created.json()["id"]
        worker.wait_until(lambda: ExportJob.objects.get(pk=job_id).status in ("done", "failed"), timeout=60)
        assert re.search(r"Task analytics\.export_run\[[0-9a-f-]+\] succeeded", worker.log())
    job = client.get(f"{base}{job_id}/").json()
    assert (job["status"], job["progress"], job["rows"]) == ("done", 100, 3), job
    download = client.get(job["download_url"])
    frame = pd.read_csv(io.BytesIO(b"".join(download.streaming_content)), encoding="utf-8-sig")
    assert frame["互动量"].tolist() == [80, 60, 50]  # in the requester's language
