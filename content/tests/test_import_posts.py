"""Bulk import: all or nothing, every problem named by row and column, 500 rows at once, CSV and XLSX."""

import csv
import io
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content.models import Post, PostTarget, PostVersion
from content.tests.factories import CampaignFactory, TagFactory, TagGroupFactory

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


def test_500_rows_with_one_bad_row_import_nothing_and_name_the_row_and_column(setup):
    # given: row 300 of the data (line 302 of the file, under the header) names an unknown account
    table = rows()
    table[300][0] = "weibo:nobody"
    # when
    response = setup["api"].post(setup["url"], {"file": csv_file(table)}, format="multipart")
    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_invalid"
    assert error["rows"] == [{"row": 302, "column": "accounts", "message": error["rows"][0]["message"]}]
    assert "weibo:nobody" in error["rows"][0]["message"]
    assert "302" in error["message"] and "accounts" in error["message"]
    assert Post.objects.count() == 0 and PostTarget.objects.count() == 0 and PostVersion.objects.count() == 0


def test_the_corrected_file_imports_all_500(setup, ws):
    # given
    table = rows()
    # when
    response = setup["api"].post(setup["url"], {"file": csv_file(table)}, format="multipart")
    # then
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 500
    assert Post.objects.filter(workspace=ws).count() == 500
    assert PostTarget.objects.filter(workspace=ws).count() == 750
    first = Post.objects.get(title="Row 0")
    assert first.scheduled_at == datetime.fromisoformat("2031-03-01T09:30:00+08:00")
    assert first.campaign == setup["campaign"] and first.is_paid_or_kol is True
    assert list(first.tags.values_list("name", flat=True)) == ["News"]
    assert PostVersion.objects.filter(post=first, number=1).exists()


def test_every_problem_is_listed(setup):
    table = rows(4)
    table[0][1] = ""  # empty text
    table[1][2] = "next tuesday"  # not a time
    table[2][4] = "Winter"  # unknown campaign
    table[3][5] = "Recipes;Pillar/News"  # two from an exclusive group
    response = setup["api"].post(setup["url"], {"file": csv_file(table)}, format="multipart")
    assert response.status_code == 400
    found = {(e["row"], e["column"]) for e in response.json()["error"]["rows"]}
    assert found == {(2, "text"), (3, "scheduled_at"), (4, "campaign"), (5, "tags")}
    assert Post.objects.count() == 0


def test_unknown_and_missing_columns_are_header_errors(setup):
    file = SimpleUploadedFile("p.csv", b"acounts,body\nx,y\n", content_type="text/csv")
    response = setup["api"].post(setup["url"], {"file": file}, format="multipart")
    assert response.status_code == 400
    problems = response.json()["error"]["rows"]
    assert {p["row"] for p in problems} == {1}
    assert {"acounts", "body", "accounts", "text"} <= {p["column"] for p in problems}


def test_another_workspaces_account_is_not_found(setup):
    foreign = SocialAccountFactory(workspace=WorkspaceFactory(), platform="weibo", handle="rival")
    table = rows(2)
    table[1][0] = str(foreign.pk)
    response = setup["api"].post(setup["url"], {"file": csv_file(table)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["rows"][0]["row"] == 3
    assert Post.objects.count() == 0


def test_xlsx_with_date_cells(setup):
    # given
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["tea_global", "From Excel", datetime(2031, 4, 2, 20, 0), "xlsx", "", "Recipes", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("posts.xlsx", buffer.getvalue())
    # when
    response = setup["api"].post(setup["url"], {"file": file}, format="multipart")
    # then
    assert response.status_code == 201, response.json()
    post = Post.objects.get(title="xlsx")
    assert post.scheduled_at == datetime.fromisoformat("2031-04-02T20:00:00+08:00")
    assert post.targets.get().account == setup["x"]


def test_gb18030_csv_from_chinese_excel(setup):
    text = "accounts,text,tags\ntea_cn,春季新品上市,Recipes\n"
    file = SimpleUploadedFile("posts.csv", text.encode("gb18030"), content_type="text/csv")
    response = setup["api"].post(setup["url"], {"file": file}, format="multipart")
    assert response.status_code == 201, response.json()
    assert PostTarget.objects.get().text == "春季新品上市"


def test_viewers_cannot_import(ws, setup, client_for):
    viewer = client_for(WorkspaceMemberFactory(workspace=ws, role=Role.VIEWER).user)
    response = viewer.post(setup["url"], {"file": csv_file(rows(1))}, format="multipart")
    assert response.status_code == 403
    assert Post.objects.count() == 0
