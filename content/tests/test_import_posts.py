"""Bulk import through the API: upload (202, a job), the worker reads and checks it (preview and every
problem by row and column), commit (202), the worker imports all or nothing. Tasks run in place here
(kawo.settings.test); content/tests/test_import_worker.py runs them on a real worker behind gunicorn."""

import csv
import io
from datetime import datetime

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import importers
from content.imports import jobs
from content.models import ImportJob, Post, PostTarget, PostVersion
from content.tests.factories import CampaignFactory, TagFactory, TagGroupFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = ["accounts", "text", "scheduled_at", "title", "campaign", "tags", "is_paid_or_kol"]


@pytest.fixture
def ws():
    return WorkspaceFactory(timezone="Asia/Shanghai")


@pytest.fixture
def setup(ws, client_for):
    user = WorkspaceMemberFactory(workspace=ws, role=Role.EDITOR).user
    weibo = SocialAccountFactory(workspace=ws, platform="weibo", handle="tea_cn")
    x = SocialAccountFactory(workspace=ws, platform="x", handle="tea_global")
    campaign = CampaignFactory(workspace=ws, name="Spring")
    pillar = TagGroupFactory(workspace=ws, name="Pillar", required=True, exclusive=True)
    TagFactory(group=pillar, name="Recipes")
    TagFactory(group=pillar, name="News")
    return {
        "user": user,
        "api": client_for(user),
        "url": f"/api/v1/workspaces/{ws.pk}/imports/",
        "weibo": weibo,
        "x": x,
        "campaign": campaign,
    }


def rows(n=500):
    out = []
    for i in range(n):
        out.append(
            [
                "weibo:tea_cn;tea_global" if i % 2 else "tea_cn",
                f"Post number {i} 🍵",
                f"2031-03-{1 + i % 28:02d} {9 + i % 10:02d}:30",
                f"Row {i}",
                "Spring" if i % 3 == 0 else "",
                "Recipes" if i % 2 else "Pillar/News",
                "yes" if i % 5 == 0 else "no",
            ]
        )
    return out


def csv_file(table, name="posts.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(table)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


@pytest.fixture
def upload(setup, django_capture_on_commit_callbacks):
    """POST the file; the validation task runs when the upload commits. Returns the job as GET shows it."""

    def send(file, api=None, **extra):
        api = api or setup["api"]
        data = {"file": file, **extra.pop("data", {})}
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(setup["url"], data, format="multipart", **extra)
        assert response.status_code == 202, response.content
        return api.get(f"{setup['url']}{response.json()['id']}/").json()

    return send


@pytest.fixture
def commit(setup, django_capture_on_commit_callbacks):
    def send(job_id, api=None):
        api = api or setup["api"]
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(f"{setup['url']}{job_id}/commit/", {}, format="json")
        return response, api.get(f"{setup['url']}{job_id}/").json()

    return send


def test_an_upload_is_a_job_that_reads_and_checks_the_file(setup, upload):
    # when
    job = upload(csv_file(rows()))
    # then
    assert job["status"] == "ready" and job["error_count"] == 0 and job["errors"] == []
    assert (job["encoding"], job["encoding_label"], job["delimiter"], job["delimiter_name"]) == (
        "utf-8",
        "UTF-8",
        ",",
        "comma",
    )
    assert job["total_rows"] == 500
    assert job["progress"] == {"phase": None, "done": 500, "total": 500}
    assert [row["row"] for row in job["preview"]] == list(range(2, 22))
    assert job["preview"][0]["values"]["text"] == "Post number 0 🍵"
    assert Post.objects.count() == 0  # nothing is imported before the commit


def test_500_rows_with_one_bad_row_import_nothing_and_name_the_row_and_column(setup, upload, commit):
    # given: row 300 of the data (line 302 of the file, under the header) names an unknown account
    table = rows()
    table[300][0] = "weibo:nobody"
    # when
    job = upload(csv_file(table))
    response, after = commit(job["id"])
    # then
    assert job["status"] == "invalid"
    assert job["errors"] == [
        {"sheet": None, "row": 302, "column": "accounts", "message": job["errors"][0]["message"]}
    ]
    assert "weibo:nobody" in job["errors"][0]["message"]
    assert 302 in [row["row"] for row in job["preview"]]  # the row with the problem is shown
    assert response.status_code == 409 and response.json()["error"]["code"] == "import_not_ready"
    assert after["status"] == "invalid"
    assert Post.objects.count() == 0 and PostTarget.objects.count() == 0 and PostVersion.objects.count() == 0


def test_the_corrected_file_imports_all_500(setup, ws, upload, commit):
    # given
    job = upload(csv_file(rows()))
    # when
    response, after = commit(job["id"])
    # then
    assert response.status_code == 202, response.json()
    assert after["status"] == "committed", after
    assert after["created"] == 500 and after["progress"] == {"phase": None, "done": 500, "total": 500}
    assert sorted(after["posts"]) == sorted(Post.objects.filter(workspace=ws).values_list("pk", flat=True))
    assert Post.objects.filter(workspace=ws).count() == 500
    assert PostTarget.objects.filter(workspace=ws).count() == 750
    first = Post.objects.get(title="Row 0")
    assert first.scheduled_at == datetime.fromisoformat("2031-03-01T09:30:00+08:00")
    assert first.campaign == setup["campaign"] and first.is_paid_or_kol is True
    assert list(first.tags.values_list("name", flat=True)) == ["News"]
    assert first.author == setup["user"]
    assert PostVersion.objects.get(post=first, number=1).change_summary == "Imported (row 2)"
    assert AuditEvent.objects.filter(action="post.import", workspace=ws).count() == 1
    assert AuditEvent.objects.filter(action="post.create", workspace=ws).count() == 500


def test_a_job_is_committed_once(setup, upload, commit):
    # given
    job = upload(csv_file(rows(3)))
    commit(job["id"])
    # when
    response, after = commit(job["id"])
    # then
    assert response.status_code == 409
    assert after["status"] == "committed"
    assert Post.objects.count() == 3


def test_the_commit_checks_again_and_imports_nothing_when_the_workspace_changed(setup, upload, commit):
    # given: a ready job, then one of its accounts is disconnected
    job = upload(csv_file(rows(4)))
    setup["x"].disconnected_at = timezone.now()
    setup["x"].save(update_fields=["disconnected_at"])
    # when
    response, after = commit(job["id"])
    # then
    assert response.status_code == 202
    assert after["status"] == "invalid"
    assert {(e["row"], e["column"]) for e in after["errors"]} == {(3, "accounts"), (5, "accounts")}
    assert Post.objects.count() == 0


def test_every_problem_is_listed(setup, upload):
    table = rows(4)
    table[0][1] = ""  # empty text
    table[1][2] = "next tuesday"  # not a time
    table[2][4] = "Winter"  # unknown campaign
    table[3][5] = "Recipes;Pillar/News"  # two from an exclusive group
    job = upload(csv_file(table))
    assert job["status"] == "invalid"
    found = {(e["row"], e["column"]) for e in job["errors"]}
    assert found == {(2, "text"), (3, "scheduled_at"), (4, "campaign"), (5, "tags")}
    assert job["error_count"] == 4
    assert Post.objects.count() == 0


def test_unknown_and_missing_columns_are_header_errors(setup, upload):
    job = upload(SimpleUploadedFile("p.csv", b"acounts,body\nx,y\n", content_type="text/csv"))
    assert job["status"] == "invalid"
    problems = job["errors"]
    assert {p["row"] for p in problems} == {1}
    assert {"acounts", "body", "accounts", "text"} <= {p["column"] for p in problems}


def test_another_workspaces_account_is_not_found(setup, upload):
    foreign = SocialAccountFactory(workspace=WorkspaceFactory(), platform="weibo", handle="rival")
    table = rows(2)
    table[1][0] = str(foreign.pk)
    job = upload(csv_file(table))
    assert job["status"] == "invalid"
    assert job["errors"][0]["row"] == 3
    assert Post.objects.count() == 0


def test_xlsx_with_date_cells(setup, upload, commit):
    # given
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Plan"
    sheet.append(HEADER)
    sheet.append(["tea_global", "From Excel", datetime(2031, 4, 2, 20, 0), "xlsx", "", "Recipes", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when
    job = upload(SimpleUploadedFile("posts.xlsx", buffer.getvalue()))
    commit(job["id"])
    # then
    assert job["sheets"] == [{"name": "Plan", "rows": 1, "read": True, "note": ""}]
    assert job["preview"][0]["values"]["scheduled_at"] == "2031-04-02 20:00:00"
    post = Post.objects.get(title="xlsx")
    assert post.scheduled_at == datetime.fromisoformat("2031-04-02T20:00:00+08:00")
    assert post.targets.get().account == setup["x"]


def test_one_sheet_of_a_workbook_when_asked(setup, upload, commit):
    # given: the second sheet is someone's notes, not posts
    workbook = Workbook()
    workbook.active.title = "Posts"
    workbook.active.append(HEADER[:2] + ["tags"])
    workbook.active.append(["tea_cn", "From the posts sheet", "Recipes"])
    workbook.create_sheet("Notes").append(["remember to ask legal"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when: every sheet (the default), then only "Posts"
    every = upload(SimpleUploadedFile("posts.xlsx", buffer.getvalue()))
    chosen = upload(SimpleUploadedFile("posts.xlsx", buffer.getvalue()), data={"sheet": "Posts"})
    commit(chosen["id"])
    # then: the notes sheet is never dropped silently: it is a problem, or shown as not chosen
    assert every["status"] == "invalid"
    assert {(e["sheet"], e["row"]) for e in every["errors"]} == {("Notes", 1)}
    assert chosen["status"] == "ready"
    assert chosen["sheets"] == [
        {"name": "Posts", "rows": 1, "read": True, "note": ""},
        {"name": "Notes", "rows": 0, "read": False, "note": "not_chosen"},
    ]
    assert PostTarget.objects.get().text == "From the posts sheet"


def test_gb18030_csv_from_chinese_excel(setup, upload, commit):
    text = "accounts,text,tags\ntea_cn,春季新品上市,Recipes\n"
    job = upload(SimpleUploadedFile("posts.csv", text.encode("gb18030"), content_type="text/csv"))
    commit(job["id"])
    assert (job["encoding"], job["encoding_label"]) == ("gb18030", "GB18030")
    assert PostTarget.objects.get().text == "春季新品上市"


def test_problems_are_written_in_the_uploaders_language(setup, upload):
    # given
    table = rows(2)
    table[1][1] = ""
    # when
    job = upload(csv_file(table), HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then
    assert job["errors"][0]["row"] == 3 and job["errors"][0]["column"] == "text"
    assert job["errors"][0]["message"] == "文本为空。"


def test_progress_while_committing_is_read_live(setup, ws):
    # given: a job a worker is writing (rows inside its transaction are invisible; the count is not)
    job = ImportJob.objects.create(workspace=ws, status=ImportJob.Status.COMMITTING, total_rows=5000)
    cache.set(jobs._progress_key(job.pk), 1500)
    # when
    shown = setup["api"].get(f"{setup['url']}{job.pk}/").json()
    # then
    assert shown["progress"] == {"phase": "committing", "done": 1500, "total": 5000}


def test_a_worker_failure_fails_the_job_and_imports_nothing(setup, upload, commit, monkeypatch):
    # given
    job = upload(csv_file(rows(3)))

    def broken(**kwargs):
        Post.objects.create(workspace=kwargs["workspace"], title="half-written")
        raise RuntimeError("disk full")

    monkeypatch.setattr(importers, "posts_write", broken)
    # when
    with pytest.raises(RuntimeError):
        commit(job["id"])
    shown = setup["api"].get(f"{setup['url']}{job['id']}/").json()
    # then
    assert shown["status"] == "failed" and "nothing was imported" in shown["message"]
    assert Post.objects.count() == 0


def test_viewers_cannot_import(ws, setup, client_for, upload):
    job = upload(csv_file(rows(1)))
    viewer = client_for(WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user)
    assert viewer.post(setup["url"], {"file": csv_file(rows(1))}, format="multipart").status_code == 403
    assert viewer.get(f"{setup['url']}{job['id']}/").status_code == 403
    assert viewer.post(f"{setup['url']}{job['id']}/commit/", {}, format="json").status_code == 403
    assert Post.objects.count() == 0


def test_another_tenants_job_is_404(setup, upload, client_for):
    # given: a ready job in this workspace; an admin of another workspace
    job = upload(csv_file(rows(1)))
    other = WorkspaceMemberFactory(role=Role.ADMIN)
    outsider = client_for(other.user)
    # when / then: through the victim's URL and through the outsider's own workspace
    for base in (setup["url"], f"/api/v1/workspaces/{other.workspace_id}/imports/"):
        assert outsider.get(f"{base}{job['id']}/").status_code == 404
        assert outsider.post(f"{base}{job['id']}/commit/", {}, format="json").status_code == 404
    assert ImportJob.objects.get(pk=job["id"]).status == "ready"
    assert Post.objects.count() == 0


def test_a_job_that_cannot_be_queued_says_so(setup, upload, monkeypatch):
    # given: the broker is unreachable when the upload commits
    from kombu.exceptions import OperationalError

    from content import tasks

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.import_validate, "delay", unreachable)
    # when
    job = upload(csv_file(rows(1)))
    # then
    assert job["status"] == "failed"
    assert "could not be queued" in job["message"]


def test_ids_out_of_range_or_in_other_scripts_are_row_problems(setup, upload):
    # given: ids a database integer cannot hold, and digits int() refuses (superscripts)
    data = (
        "accounts,text,media,campaign,tags\n"
        "99999999999999999999,Hello,99999999999999999999,²,Recipes\n"
        "tea_cn,Hello,²,99999999999999999999,Recipes\n"
    ).encode()
    # when
    job = upload(SimpleUploadedFile("p.csv", data))
    # then
    assert job["status"] == "invalid"
    assert {(e["row"], e["column"]) for e in job["errors"]} == {
        (2, "accounts"),
        (2, "media"),
        (2, "campaign"),
        (3, "media"),
        (3, "campaign"),
    }
