"""Issue 12, acceptance 6 (downloads): in a real Chromium, a signed-in analyst follows the page-less export
links (the ones the analytics pages carry) and the downloaded CSV, XLSX and PDF parse back with the right
rows and figures, in English and in Chinese; another tenant's person gets a 404, not a file.

The figures are analytics/tests/test_numbers.py's hand-computed week (2027-01-04 .. 01-10, Shanghai):
engagements 80 (Instagram), 60 (X), 50 (Weibo), 190 in all."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.tests.test_numbers import Scene
from tests.browser.kit import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "start=2027-01-04&end=2027-01-10"


def _download(page, kind: str, fmt: str) -> tuple[str, Path]:
    """Click the page's download link for this kind and format, as a person does; the file Chromium
    saved and its suggested name."""
    with page.expect_download() as info:
        page.click(f"[data-testid=analytics-exports] a[href*='kind={kind}&format={fmt}']")
    download = info.value
    return download.suggested_filename, Path(download.path())


@pytest.fixture
def scene():
    scene = Scene()
    scene.workspace.name = "Lotus Tea"
    scene.workspace.save(update_fields=["name"])
    analyst = UserFactory(full_name="Mei Wang")
    WorkspaceMemberFactory(workspace=scene.workspace, user=analyst, role=Role.ANALYST)
    scene.analyst = analyst
    return scene


def test_csv_xlsx_and_pdf_downloads_parse_back_in_english_and_chinese(live_server, page, scene):
    # given
    workspace = scene.workspace
    signed_in(page, live_server, scene.analyst)
    page.goto(f"{live_server.url}/w/{workspace.pk}/analytics/?{PERIOD}")
    # when: the report workbook in English, from the overview's download links
    name, path = _download(page, "report", "xlsx")
    # then
    assert name == "Lotus Tea_report_2027-01-04_2027-01-10.xlsx"
    sheets = pd.read_excel(path, sheet_name=None)
    assert sheets["Post performance"]["Engagements"].tolist() == [80, 60, 50]
    overview = sheets["Account overview"]
    assert overview[overview["Level"] == "Total"]["Engagements"].tolist() == [190]

    # when: in Chinese, the post table as CSV from the Posts tab, and the PDF report from the overview
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/w/{workspace.pk}/analytics/?{PERIOD}")
    page.click("[data-testid=analytics-tabs] a[href*='/analytics/posts/']")
    name, path = _download(page, "posts", "csv")
    # then
    assert name == "Lotus Tea_posts_2027-01-04_2027-01-10.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert sorted(frame["互动量"].tolist()) == [50, 60, 80]
    assert frame[frame["平台"] == "weibo"]["互动量"].tolist() == [50]
    page.click("[data-testid=analytics-tabs] a[href*='/analytics/?']")
    name, path = _download(page, "report", "pdf")
    assert name.endswith(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
    text = text.decode("utf-8")
    assert "分析报告" in text and "互动量" in text and "190" in text


def test_another_tenants_person_gets_no_file(live_server, page, scene):
    # given
    stranger = UserFactory()
    WorkspaceMemberFactory(workspace=WorkspaceFactory(), user=stranger, role=Role.ADMIN)
    signed_in(page, live_server, stranger)
    # when
    response = page.goto(f"{live_server.url}/w/{scene.workspace.pk}/analytics/export/?kind=posts&format=csv")
    # then
    assert response.status == 404
