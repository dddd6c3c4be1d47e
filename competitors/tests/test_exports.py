"""The benchmark as CSV, XLSX and PDF: the same figures as the benchmark endpoint."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from competitors.models import RivalPost
from competitors.tests.factories import benchmarked_brand

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    _brand, rival = benchmarked_brand(workspace, name="Rival Co", platform="weibo", handle="rival_wb")
    now = timezone.now()
    for n, engagements in enumerate((10, 30)):
        RivalPost.objects.create(
            rival=rival,
            platform_post_id=f"p{n}",
            published_at=now - timedelta(days=n + 1),
            text=f"post {n}",
            engagements=engagements,
            likes=engagements,
            source="provider",
            track_until=now,
        )
    user = UserFactory()
    WorkspaceMemberFactory(workspace=workspace, user=user, role=Role.MANAGER)
    client = APIClient()
    client.force_authenticate(user)
    return workspace, client


def period(workspace) -> str:
    today = timezone.localdate(timezone.now(), workspace.tzinfo)
    return f"start={(today - date.resolution * 10).isoformat()}&end={today.isoformat()}"


def test_csv_has_the_benchmark_figures(setup):
    workspace, client = setup
    base = f"/api/v1/workspaces/{workspace.pk}/competitors/benchmark/"
    bench = client.get(f"{base}?{period(workspace)}").json()
    response = client.get(f"{base}export/?file_format=csv&{period(workspace)}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    rival = next(row for row in rows if row["Brand"] == "Rival Co")
    expected = next(b for b in bench["brands"] if b["name"] == "Rival Co")
    assert int(rival["Posts"]) == expected["posts"] == 2
    assert float(rival["Engagements per post"]) == expected["engagements_per_post"] == 20


def test_xlsx_and_pdf_and_a_bad_format(setup):
    workspace, client = setup
    base = f"/api/v1/workspaces/{workspace.pk}/competitors/benchmark/export/?{period(workspace)}"
    book = openpyxl.load_workbook(io.BytesIO(client.get(base + "&file_format=xlsx").content))
    assert book.sheetnames == ["Benchmark", "Top posts"]
    top = [row for row in book["Top posts"].iter_rows(min_row=2, values_only=True)]
    assert [(row[0], row[4]) for row in top] == [("Rival Co", 30), ("Rival Co", 10)]
    pdf = client.get(base + "&file_format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(base + "&file_format=doc").status_code == 404


def test_the_benchmark_page_links_its_downloads(setup):
    workspace, api = setup
    browser = Client()
    browser.force_login(api.handler._force_user)
    page = browser.get(f"/w/{workspace.pk}/competitors/benchmark/").content.decode()
    assert f"/w/{workspace.pk}/competitors/benchmark/export/?format=pdf&amp;start=" in page
    download = browser.get(f"/w/{workspace.pk}/competitors/benchmark/export/?format=xlsx")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert browser.get(f"/w/{workspace.pk}/competitors/benchmark/export/?format=doc").status_code == 404
