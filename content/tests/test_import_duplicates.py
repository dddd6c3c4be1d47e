"""The import's template, its progress to 100 % and its duplicate detection, through the dashboard pages
and the API (both call content.imports.jobs)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.roles import Role
from content import importers
from content.imports import jobs
from content.models import ImportJob, Post, PostTarget
from core.models import AuditEvent

from .pages_kit import brand_with_accounts, member_user, signed_in_client

pytestmark = pytest.mark.django_db

ROWS = 500
BAD = {17: "accounts", 250: "scheduled_at", 499: "is_paid_or_kol"}  # file row numbers (header: row 1)


@pytest.fixture
def brand():
    workspace, accounts = brand_with_accounts("weibo", "x")
    user = member_user(workspace)
    return {"workspace": workspace, "accounts": accounts, "user": user, "client": signed_in_client(user)}


def url(name: str, workspace, *args) -> str:
    return reverse(f"content:{name}", args=[workspace.pk, *args])


def big_file(*, bad: bool) -> bytes:
    """500 rows, one post each, every one different; with `bad`, three rows carry one error each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["accounts", "text", "scheduled_at", "is_paid_or_kol"])
    start = datetime(2031, 3, 1, 8, 0)
    for index in range(ROWS):
        number = index + 2
        account = "brand_weibo" if index % 2 else "x:brand_x"
        when = (start + timedelta(hours=index)).strftime("%Y-%m-%d %H:%M")
        paid = "no"
        if bad and BAD.get(number) == "accounts":
            account = "nobody_here"
        if bad and BAD.get(number) == "scheduled_at":
            when = "next Tuesday"
        if bad and BAD.get(number) == "is_paid_or_kol":
            paid = "perhaps"
        writer.writerow([account, f"Post number {index} 帖子", when, paid])
    return out.getvalue().encode()


def upload(brand, capture, data: bytes, name: str = "plan.csv") -> ImportJob:
    with capture(execute=True):
        response = brand["client"].post(
            url("imports", brand["workspace"]), {"file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def commit(brand, capture, job, **choice) -> str:
    with capture(execute=True):
        response = brand["client"].post(url("import_commit", brand["workspace"], job.pk), choice)
    assert response.status_code == 302
    return brand["client"].get(response["Location"]).content.decode()


@pytest.fixture
def progress_seen(monkeypatch):
    """Every value the commit writes as its live progress."""
    seen: list[int] = []
    real = cache.set

    def spy(key, value, *args, **kwargs):
        if str(key).startswith("kawo:import-job:"):
            seen.append(value)
        return real(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    return seen


def test_500_rows_errors_then_import_to_100_percent_then_500_duplicates_skipped(
    brand, django_capture_on_commit_callbacks, progress_seen
):
    # given / when: the file with three bad rows
    job = upload(brand, django_capture_on_commit_callbacks, big_file(bad=True))
    html = brand["client"].get(url("import_job", brand["workspace"], job.pk)).content.decode()
    job.refresh_from_db()
    # then: exactly those three, each at its row and column, nothing written, nothing to commit
    assert job.status == "invalid" and job.error_count == 3
    assert {(p["row"], p["column"]) for p in job.errors} == set(BAD.items())
    for row, column in BAD.items():
        cell = html.split(f'data-row="{row}"', 1)[1].split("</tr>", 1)[0]
        assert f"<strong>{column}</strong>" in cell
    assert 'data-testid="import-commit"' not in html
    assert Post.objects.filter(workspace=brand["workspace"]).count() == 0

    # when: the corrected file, committed
    job = upload(brand, django_capture_on_commit_callbacks, big_file(bad=False))
    job.refresh_from_db()
    assert job.status == "ready" and job.duplicate_count == 0 and job.total_rows == ROWS
    done = commit(brand, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    # then: every row written, the progress went up to 500 of 500 and the page says 100 %
    assert job.status == "committed" and job.committed_rows == ROWS and job.skipped_rows == 0
    assert PostTarget.objects.filter(workspace=brand["workspace"]).count() == ROWS
    assert progress_seen[0] == 0 and progress_seen[-1] == ROWS
    assert progress_seen == sorted(progress_seen)
    assert 'data-percent="100"' in done and "500 posts were imported as drafts." in done

    # when: the same file again
    again = upload(brand, django_capture_on_commit_callbacks, big_file(bad=False))
    preview = brand["client"].get(url("import_job", brand["workspace"], again.pk)).content.decode()
    again.refresh_from_db()
    # then: 500 duplicates, skipping is the default choice, and skipping imports nothing
    assert again.status == "ready" and again.duplicate_count == ROWS
    assert "500 rows repeat a post that already exists" in preview
    assert 'value="skip" checked' in preview
    assert preview.count('data-duplicate="1"') >= 20
    done = commit(brand, django_capture_on_commit_callbacks, again)
    again.refresh_from_db()
    assert again.status == "committed" and again.committed_rows == 0 and again.skipped_rows == ROWS
    assert PostTarget.objects.filter(workspace=brand["workspace"]).count() == ROWS
    assert 'data-percent="100"' in done and "500 duplicate rows were skipped." in done
    event = AuditEvent.objects.filter(action="post.import_commit").order_by("-id").first()
    assert event.after["skip_duplicates"] is True


def test_import_anyway_imports_the_duplicates(brand, django_capture_on_commit_callbacks):
    # given: a row, and the same row twice in one file
    data = b"accounts,text,scheduled_at\nbrand_weibo,Hello,2031-01-01 10:00\n"
    commit(brand, django_capture_on_commit_callbacks, upload(brand, django_capture_on_commit_callbacks, data))
    doubled = "accounts,text,scheduled_at\nbrand_weibo,Hello,2031-01-01 10:00\nbrand_x,New,\nbrand_x,New,\n"
    job = upload(brand, django_capture_on_commit_callbacks, doubled.encode())
    job.refresh_from_db()
    # then: row 2 repeats the existing post, row 4 the earlier row 3
    assert [d["row"] for d in job.duplicates] == [2, 4]
    assert "brand_weibo" in job.duplicates[0]["message"]
    # when
    commit(brand, django_capture_on_commit_callbacks, job, duplicates="import")
    job.refresh_from_db()
    # then
    assert job.committed_rows == 3 and job.skipped_rows == 0 and job.skip_duplicates is False
    assert PostTarget.objects.filter(workspace=brand["workspace"], text="Hello").count() == 2


def test_skipping_leaves_out_only_the_duplicated_account_of_a_row(brand, django_capture_on_commit_callbacks):
    data = b"accounts,text,scheduled_at\nbrand_weibo,Same,2031-01-01 10:00\n"
    commit(brand, django_capture_on_commit_callbacks, upload(brand, django_capture_on_commit_callbacks, data))
    job = upload(
        brand,
        django_capture_on_commit_callbacks,
        b"accounts,text,scheduled_at\nbrand_weibo;brand_x,Same,2031-01-01 10:00\n",
    )
    commit(brand, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    assert job.committed_rows == 1 and job.skipped_rows == 0
    assert sorted(PostTarget.objects.filter(text="Same").values_list("account__handle", flat=True)) == [
        "brand_weibo",
        "brand_x",
    ]


def test_deleted_posts_are_not_duplicates(brand, django_capture_on_commit_callbacks):
    data = b"accounts,text\nbrand_weibo,Gone\n"
    commit(brand, django_capture_on_commit_callbacks, upload(brand, django_capture_on_commit_callbacks, data))
    Post.objects.filter(workspace=brand["workspace"]).update(
        deleted_at=datetime(2030, 1, 1, tzinfo=brand["workspace"].tzinfo)
    )
    job = upload(brand, django_capture_on_commit_callbacks, data)
    job.refresh_from_db()
    assert job.duplicate_count == 0


# --- the template -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_names_this_workspaces_accounts_and_parses_cleanly(
    brand, kind, django_capture_on_commit_callbacks
):
    # when
    response = brand["client"].get(url(f"import_template_{kind}", brand["workspace"]))
    # then: the columns in order, the workspace's accounts, a time in its zone
    assert response.status_code == 200
    assert f'filename="kawo-import-template.{kind}"' in response["Content-Disposition"]
    data = response.content
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    else:
        rows = [
            [c or "" for c in r] for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)
        ]
    assert tuple(rows[0]) == importers.COLUMNS
    assert 1 <= len(rows) - 1 <= 2
    assert {r[0] for r in rows[1:]} == {"weibo:brand_weibo", "x:brand_x"}
    assert all(len(r[2]) == 16 and r[2][10] == " " for r in rows[1:])  # YYYY-MM-DD HH:MM, wall time
    # when: uploaded again as it is
    job = upload(brand, django_capture_on_commit_callbacks, data, f"template.{kind}")
    job.refresh_from_db()
    # then
    assert job.status == "ready" and job.errors == [] and job.total_rows == len(rows) - 1
    commit(brand, django_capture_on_commit_callbacks, job)
    post = Post.objects.filter(workspace=brand["workspace"]).order_by("scheduled_at").first()
    local = post.scheduled_at.astimezone(brand["workspace"].tzinfo)
    assert local.strftime("%Y-%m-%d %H:%M") == rows[1][2]


def test_the_template_is_linked_from_the_import_page_and_needs_post_create(brand):
    page = brand["client"].get(url("imports", brand["workspace"])).content.decode()
    assert url("import_template_csv", brand["workspace"]) in page
    assert url("import_template_xlsx", brand["workspace"]) in page
    viewer = signed_in_client(member_user(brand["workspace"], role=Role.VIEWER))
    assert viewer.get(url("import_template_csv", brand["workspace"])).status_code == 403
    assert brand["client"].get(f"/w/{brand['workspace'].pk}/imports/template.pdf").status_code == 404
    other, _accounts = brand_with_accounts("weibo")
    assert brand["client"].get(url("import_template_csv", other)).status_code == 404


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_shows_duplicates_and_takes_the_choice(brand, django_capture_on_commit_callbacks):
    # given
    api = APIClient()
    api.force_authenticate(brand["user"])
    base = f"/api/v1/workspaces/{brand['workspace'].pk}/imports/"
    row = b"brand_weibo,Twice,2031-01-01 10:00\n"
    data = b"accounts,text,scheduled_at\n" + row + row
    # when
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(base, {"file": SimpleUploadedFile("a.csv", data)}, format="multipart")
    job_id = created.json()["id"]
    shown = api.get(f"{base}{job_id}/").json()
    bad = api.post(f"{base}{job_id}/commit/", {"duplicates": "maybe"}, format="json")
    after_bad = ImportJob.objects.get(pk=job_id).status
    with django_capture_on_commit_callbacks(execute=True):
        api.post(f"{base}{job_id}/commit/", {"duplicates": "skip"}, format="json")
    done = api.get(f"{base}{job_id}/").json()
    # then
    assert shown["duplicate_count"] == 1 and shown["duplicates"][0]["row"] == 3
    assert shown["duplicates"][0]["accounts"] == [brand["accounts"]["weibo"].pk]
    assert bad.status_code == 400 and after_bad == "ready"
    assert done["status"] == "committed" and done["created"] == 1 and done["skipped"] == 1
    assert done["skip_duplicates"] is True
    assert done["progress"] == {"phase": None, "done": 2, "total": 2}


def test_the_service_default_skips(brand, django_capture_on_commit_callbacks):
    data = b"accounts,text\nbrand_x,A\nbrand_x,A\n"
    job = upload(brand, django_capture_on_commit_callbacks, data)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_commit_request(actor=brand["user"], job=job)
    job.refresh_from_db()
    assert job.committed_rows == 1 and job.skipped_rows == 1
