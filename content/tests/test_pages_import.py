"""The import pages: from the calendar to the upload form, the preview (encoding, separator, sheets, rows,
each problem next to its row), the commit, and the progress that htmx polls, in English and Chinese."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.roles import Role
from content.models import ImportJob, Post, PostTarget

from .pages_kit import brand_with_accounts, member_user, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand():
    workspace, accounts = brand_with_accounts("weibo", "x")
    return {"workspace": workspace, "accounts": accounts, "client": signed_in_client(member_user(workspace))}


def url(name: str, workspace, *args) -> str:
    return reverse(f"content:{name}", args=[workspace.pk, *args])


def upload(brand, capture, data: bytes, name: str = "posts.csv", **fields):
    with capture(execute=True):
        response = brand["client"].post(
            url("imports", brand["workspace"]), {"file": SimpleUploadedFile(name, data), **fields}
        )
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_the_calendar_leads_to_the_import_page(brand):
    # when
    calendar = brand["client"].get(reverse("dashboard:calendar", args=[brand["workspace"].pk]))
    page = brand["client"].get(url("imports", brand["workspace"]))
    # then
    assert url("imports", brand["workspace"]) in calendar.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="file"' in html and "accounts" in html and "GB18030" in html


def test_viewers_see_no_import_button_and_cannot_open_the_page(brand):
    viewer = signed_in_client(member_user(brand["workspace"], role=Role.VIEWER))
    calendar = viewer.get(reverse("dashboard:calendar", args=[brand["workspace"].pk])).content.decode()
    assert url("imports", brand["workspace"]) not in calendar
    assert viewer.get(url("imports", brand["workspace"])).status_code == 403


def test_upload_preview_and_commit(brand, django_capture_on_commit_callbacks):
    # given: a semicolon-separated UTF-16 file, as some Excel versions save it
    text = "accounts;text;title\nbrand_weibo;春季新品上市;Spring\nbrand_x;New tea, fresh;Tea\n"
    data = text.encode("utf-16")
    # when
    job = upload(brand, django_capture_on_commit_callbacks, data, "posts.txt")
    preview = brand["client"].get(url("import_job", brand["workspace"], job.pk)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        committed = brand["client"].post(url("import_commit", brand["workspace"], job.pk))
    done = brand["client"].get(committed["Location"]).content.decode()
    # then
    assert 'data-status="ready"' in preview
    assert "UTF-16 LE (BOM)" in preview and "semicolon" in preview
    assert "春季新品上市" in preview and "New tea, fresh" in preview
    assert "Import 2 posts" in preview
    assert 'data-status="committed"' in done and "2 posts were imported as drafts." in done
    assert set(PostTarget.objects.values_list("text", flat=True)) == {"春季新品上市", "New tea, fresh"}


def test_problems_are_shown_next_to_their_rows_and_nothing_can_be_committed(
    brand, django_capture_on_commit_callbacks
):
    # given: row 3 names an account the workspace does not have
    data = b"accounts,text\nbrand_weibo,Fine\nnobody,Also fine\n"
    # when
    job = upload(brand, django_capture_on_commit_callbacks, data)
    html = brand["client"].get(url("import_job", brand["workspace"], job.pk)).content.decode()
    refused = brand["client"].post(url("import_commit", brand["workspace"], job.pk), follow=True)
    # then
    assert 'data-status="invalid"' in html and "1 problem found" in html
    row = html.split('data-row="3"', 1)[1].split("</tr>", 1)[0]
    assert "No connected account “nobody” in this workspace." in row
    assert 'data-testid="import-commit"' not in html
    assert "cannot be committed" in refused.content.decode()
    assert Post.objects.count() == 0


def test_every_sheet_is_listed(brand, django_capture_on_commit_callbacks):
    # given
    workbook = Workbook()
    workbook.active.title = "March"
    workbook.active.append(["accounts", "text"])
    workbook.active.append(["brand_weibo", "March post"])
    workbook.create_sheet("Empty")
    april = workbook.create_sheet("April")
    april.append(["accounts", "text"])
    april.append(["brand_x", "April post"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when
    job = upload(brand, django_capture_on_commit_callbacks, buffer.getvalue(), "plan.xlsx")
    html = brand["client"].get(url("import_job", brand["workspace"], job.pk)).content.decode()
    # then
    assert job.status == "ready" and job.total_rows == 2
    sheets = html.split('data-testid="import-sheets"', 1)[1].split("</dd>", 1)[0]
    assert "March: 1 row" in sheets and "Empty: empty: nothing to read" in sheets and "April: 1 row" in sheets


def test_a_job_on_a_worker_is_polled_until_it_settles(brand):
    # given: a job a worker is checking
    job = ImportJob.objects.create(
        workspace=brand["workspace"], original_name="big.csv", status="validating", total_rows=5000
    )
    ImportJob.objects.filter(pk=job.pk).update(validated_rows=2500)
    job_url = url("import_job", brand["workspace"], job.pk)
    # when
    page = brand["client"].get(job_url).content.decode()
    partial = brand["client"].get(job_url, HTTP_HX_REQUEST="true").content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status="ready", validated_rows=5000)
    settled = brand["client"].get(job_url, HTTP_HX_REQUEST="true").content.decode()
    # then: the page and the partial ask again every second and show the progress; settled, they stop
    assert 'hx-trigger="every 1s"' in page and "<html" in page
    assert 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert 'value="2500" max="5000"' in partial and "Checking rows: 2500 of 5000" in partial
    assert "hx-trigger" not in settled and 'data-status="ready"' in settled


def test_the_pages_in_chinese(brand, django_capture_on_commit_callbacks):
    # given
    client = brand["client"]
    client.cookies["django_language"] = "zh-hans"
    data = b"accounts,text\nbrand_weibo,\n"
    # when
    form = client.get(url("imports", brand["workspace"]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("imports", brand["workspace"]),
            {"file": SimpleUploadedFile("p.csv", data)},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    html = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # then
    assert "导入帖子" in form and "上传并检查" in form
    assert "发现问题" in html and "发现 1 个问题，无法导入。" in html
    assert "文本为空。" in html and "编码" in html and "逗号" in html
