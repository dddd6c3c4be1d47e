"""Importing rival posts and follower readings: the template uploads back cleanly, 10,000 rows load all
or nothing with progress, problems name their row and column, roles and tenants."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import RivalImport, RivalPost, RivalSnapshot
from competitors.services import imports
from competitors.tests.factories import benchmarked_brand
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
HEADER = "platform,account,post_id,published_at,text,url,media_kind,likes,comments,shares,views,followers\r\n"


@pytest.fixture
def workspace():
    return WorkspaceFactory(timezone="Asia/Shanghai")


def client_for(workspace, role=Role.MANAGER) -> APIClient:
    user = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=user, role=role)
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(client, workspace, body: bytes, name="rivals.csv", captured=None):
    file = SimpleUploadedFile(name, body, content_type="text/csv")
    return client.post(
        f"/api/v1/workspaces/{workspace.pk}/competitors/imports/", {"file": file}, format="multipart"
    )


def big_file(handle: str, rows: int, bad_row: int | None = None) -> bytes:
    lines = [HEADER]
    for n in range(rows):
        likes = "lots" if n == bad_row else str(n % 97)
        lines.append(
            f"weibo,{handle},p{n},2026-03-01 {n % 24:02d}:{n % 60:02d},post {n} #tag,,image,{likes},2,1,,\r\n"
        )
    return "".join(lines).encode()


def test_ten_thousand_rows_load_all_or_nothing_with_progress(
    workspace, django_capture_on_commit_callbacks, monkeypatch
):
    _brand, rival = benchmarked_brand(workspace, platform="weibo", handle="rival_wb")
    client = client_for(workspace)
    seen: list[int] = []
    real_set = cache.set

    def spy(key, value, *args, **kwargs):
        if key.startswith("kawo:rival-import:"):
            seen.append(value)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    # one bad cell in the last row: nothing loads, the problem names its row and column
    with django_capture_on_commit_callbacks(execute=True):
        bad = upload(client, workspace, big_file("rival_wb", 10_000, bad_row=9_999))
    assert bad.status_code == 202
    job = RivalImport.objects.get(pk=bad.json()["id"])
    assert job.status == RivalImport.Status.INVALID
    assert job.total_rows == 10_000 and job.validated_rows == 10_000
    assert job.errors == [
        {"sheet": None, "row": 10_001, "column": "likes", "message": "Write a whole number of zero or more."}
    ]
    assert RivalPost.objects.count() == 0
    assert seen == []

    with django_capture_on_commit_callbacks(execute=True):
        good = upload(client, workspace, big_file("rival_wb", 10_000))
    job = RivalImport.objects.get(pk=good.json()["id"])
    assert job.status == RivalImport.Status.DONE, job.errors
    assert (job.posts, job.readings, job.written_rows) == (10_000, 0, 10_000)
    assert seen == [0, 2_000, 4_000, 6_000, 8_000, 10_000]  # progress after every batch
    assert RivalPost.objects.filter(rival=rival, source="import").count() == 10_000
    post = RivalPost.objects.get(rival=rival, platform_post_id="p1")
    assert post.published_at == datetime(2026, 2, 28, 17, 1, tzinfo=UTC)  # 01:01 in Shanghai
    assert (post.likes, post.comments, post.shares, post.engagements) == (1, 2, 1, 4)
    assert post.hashtags == ["tag"]
    assert RivalSnapshot.objects.filter(rival=rival, source="import").count() == 30_000
    detail = client.get(f"/api/v1/workspaces/{workspace.pk}/competitors/imports/{job.pk}/").json()
    assert detail["status"] == "done" and detail["written_rows"] == 10_000
    assert AuditEvent.objects.filter(action="competitor.import").count() == 2


def test_follower_readings_and_row_problems(workspace, django_capture_on_commit_callbacks):
    _brand, rival = benchmarked_brand(workspace, platform="douyin", handle="rival_dy")
    other = WorkspaceFactory()
    benchmarked_brand(other, platform="douyin", handle="not_ours")
    client = client_for(workspace)
    body = (
        HEADER
        + "douyin,@Rival_DY,,2026-03-02 08:00,,,,,,,,5000\r\n"
        + "douyin,not_ours,x1,2026-03-02 08:00,,,,,,,,\r\n"
        + "myspace,rival_dy,x2,2026-03-02,,,,,,,,\r\n"
        + "douyin,rival_dy,x3,yesterday,,ftp://x,,,,,,\r\n"
        + "douyin,rival_dy,,2026-03-02,,,,,,,,\r\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, workspace, body)
    job = RivalImport.objects.get(pk=response.json()["id"])
    assert job.status == RivalImport.Status.INVALID
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (3, "account"),
        (4, "platform"),
        (5, "published_at"),
        (5, "url"),
        (6, "post_id"),
    ]
    assert not RivalSnapshot.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(
            client, workspace, (HEADER + "douyin,@Rival_DY,,2026-03-02 08:00,,,,,,,,5000\r\n").encode()
        )
    job = RivalImport.objects.get(pk=response.json()["id"])
    assert (job.status, job.readings) == ("done", 1)
    reading = RivalSnapshot.objects.get(rival=rival, metric="followers")
    assert (reading.value, reading.source, reading.captured_at) == (
        5000,
        "import",
        datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
    )


def test_the_template_uploads_back_cleanly(workspace, django_capture_on_commit_callbacks, client):
    benchmarked_brand(workspace, platform="weibo", handle="rival_wb")
    manager = client_for(workspace)
    for kind in ("csv", "xlsx"):
        data, _type, name = imports.import_template(workspace, kind=kind)
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(manager, workspace, data, name=name)
        job = RivalImport.objects.get(pk=response.json()["id"])
        assert (job.status, job.posts, job.readings) == ("done", 1, 1), job.errors


def test_roles_and_tenants(workspace, django_capture_on_commit_callbacks):
    viewer = client_for(workspace, role=Role.VIEWER)
    response = upload(viewer, workspace, HEADER.encode())
    assert response.status_code == 403
    assert not RivalImport.objects.exists()
    other = WorkspaceFactory()
    job = RivalImport.objects.create(workspace=other, original_name="x.csv")
    manager = client_for(workspace)
    assert manager.get(f"/api/v1/workspaces/{workspace.pk}/competitors/imports/{job.pk}/").status_code == 404
