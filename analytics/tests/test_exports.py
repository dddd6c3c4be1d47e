"""Exports parse back with the right rows and figures (CSV with pandas, XLSX with pandas.read_excel, PDF
with poppler's pdftotext), in English and Chinese; the post table ranks, filters and pages in a fixed
number of queries; export jobs and their API; the page-less download; tenancy and roles.

The figures are test_numbers' hand-computed scene (period 2027-01-04 .. 2027-01-10, Asia/Shanghai):
P1 Instagram 80 engagements (views 1000, reach 800), P2 Weibo 50, P3 X 60 (impressions 2000); P0 in the
previous period. Instagram followers 1100 on the last day, Weibo 2000, X 500.
"""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pandas as pd
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.exports import jobs
from analytics.exports.render import BOM
from analytics.exports.tables import ExportRequest
from analytics.models import ExportJob
from analytics.selectors.exports import PostFilters, overview, posts_table
from content.tests.factories import CampaignFactory, TagFactory, TagGroupFactory

from .test_numbers import END, START, Scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    scene = Scene()
    scene.workspace.name = "茶饮 Brand"
    scene.workspace.save(update_fields=["name"])
    launch = CampaignFactory(workspace=scene.workspace, name="春季上新")
    scene.p1.post.campaign = launch
    scene.p1.post.save(update_fields=["campaign"])
    group = TagGroupFactory(workspace=scene.workspace, name="Pillar")
    scene.p1.post.tags.add(TagFactory(group=group, workspace=scene.workspace, name="launch"))
    scene.p2.post.tags.add(TagFactory(group=group, workspace=scene.workspace, name="daily"))
    return scene


def _request(kind, **kwargs) -> ExportRequest:
    return ExportRequest(kind=kind, start=START, end=END, **kwargs)


# --- the post table -------------------------------------------------------------------------------------


def test_the_post_table_ranks_by_engagements_filters_and_pages(scene):
    # when
    page = posts_table(scene.workspace, start=START, end=END, sort="engagements")
    weibo = posts_table(scene.workspace, start=START, end=END, filters=PostFilters(platforms=("weibo",)))
    second = posts_table(scene.workspace, start=START, end=END, limit=1, offset=1)
    by_views = posts_table(scene.workspace, start=START, end=END, sort="views", descending=True)
    # then: 80 (Instagram, direct), 60 (X, likes + replies + retweets + bookmarks), 50 (Weibo, sum)
    assert page.total == 3
    assert [row.figures.target_id for row in page.rows] == [scene.p1.pk, scene.p3.pk, scene.p2.pk]
    assert [row.figures.common["engagements"] for row in page.rows] == [80, 60, 50]
    assert page.rows[0].campaign == "春季上新" and page.rows[0].tags == ["launch"]
    assert page.rows[0].rates["engagement_rate_by_reach"] == pytest.approx(0.1)
    assert (weibo.total, [r.figures.target_id for r in weibo.rows]) == (1, [scene.p2.pk])
    assert (second.total, [r.figures.target_id for r in second.rows]) == (3, [scene.p3.pk])
    # X impressions 2000 feed views, Instagram 1000; Weibo has no views: last, never as zero
    assert [r.figures.target_id for r in by_views.rows] == [scene.p3.pk, scene.p1.pk, scene.p2.pk]
    assert by_views.rows[-1].figures.common["views"] is None


def test_a_post_table_page_costs_the_same_queries_for_one_post_or_many(scene):
    # given
    counts = []
    for limit in (1, 3):
        # when
        with CaptureQueriesContext(connection) as queries:
            posts_table(scene.workspace, start=START, end=END, limit=limit)
        counts.append(len(queries))
    # then
    assert counts[0] == counts[1], counts


def test_the_overview_sums_accounts_and_posts_against_the_previous_period(scene):
    # when
    report = overview(scene.workspace, start=START, end=END)
    # then: engagements 80 + 50 + 60 now; P0's 40 (read as of 01-03) before
    assert report.total.current["engagements"] == 190
    assert report.total.previous["engagements"] == 40
    assert report.total.current["posts"] == 3
    assert report.total.current["followers"] == 1100 + 2000 + 500
    assert report.total.change_ratio("engagements") == pytest.approx(150 / 40)
    assert [row.key for row in report.platforms] == ["instagram", "weibo", "x"]
    assert report.top_posts[0].target_id == scene.p1.pk
    # followers per day: each account's last reading carried forward (Instagram 1000 read on 01-03)
    daily = dict(report.followers_daily)
    assert daily[date(2027, 1, 4)] == 1000
    assert daily[date(2027, 1, 5)] == 1000 + 2000
    assert daily[date(2027, 1, 8)] == 1100 + 2000 + 500
    assert daily[END] == 3600


# --- files ----------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_a_bom_and_parses_back_with_the_rows(scene):
    # when
    with translation.override("zh-hans"):
        built = jobs.export_build(scene.workspace, fmt="csv", request=_request("posts"))
    # then: Excel needs the BOM to read UTF-8; pandas reads the same rows and figures back
    assert built.content.startswith(BOM.encode("utf-8"))
    assert built.name == "茶饮 Brand_posts_2027-01-04_2027-01-10.csv"
    frame = pd.read_csv(io.BytesIO(built.content), encoding="utf-8-sig")
    assert len(frame) == 3
    assert list(frame["互动量"]) == [80, 60, 50]
    assert list(frame["平台"]) == ["instagram", "x", "weibo"]
    assert frame["营销活动"].fillna("").tolist() == ["春季上新", "", ""]


def test_the_xlsx_report_has_every_table_with_its_rows(scene):
    # when
    built = jobs.export_build(scene.workspace, fmt="xlsx", request=_request("report"))
    # then
    sheets = pd.read_excel(io.BytesIO(built.content), sheet_name=None)
    assert list(sheets) == ["Post performance", "Account overview", "Campaigns", "Tags", "Follower growth"]
    assert sheets["Post performance"]["Engagements"].tolist() == [80, 60, 50]
    overview_sheet = sheets["Account overview"]
    total = overview_sheet[overview_sheet["Level"] == "Total"].iloc[0]
    assert total["Engagements"] == 190 and total["Engagements, previous period"] == 40
    assert total["Engagements, change (%)"] == pytest.approx(375.0)
    campaigns = sheets["Campaigns"].set_index("Campaign")
    assert campaigns.loc["春季上新", "Engagements"] == 80
    assert campaigns.loc["No campaign", "Posts"] == 2
    tags = sheets["Tags"].set_index("Tag")
    assert tags.loc["launch", "Engagements per post"] == 80 and tags.loc["daily", "Posts"] == 1
    followers = sheets["Follower growth"]
    assert followers["Followers"].tolist()[-1] in (1100, 2000, 500)
    assert len(followers) == 3  # Instagram 01-08, Weibo 01-05, X 01-06 (01-03 is before the period)


def test_a_single_table_as_xlsx(scene):
    # when
    built = jobs.export_build(scene.workspace, fmt="xlsx", request=_request("campaigns"))
    # then
    frame = pd.read_excel(io.BytesIO(built.content))
    assert sorted(frame["Posts"]) == [1, 2]


def test_the_pdf_report_renders_chinese_labels_figures_and_its_charts(scene):
    # when
    with translation.override("zh-hans"):
        built = jobs.export_build(scene.workspace, fmt="pdf", request=_request("report"))
    # then: text extracted from the PDF has the Chinese labels (a missing CJK font would drop them) and
    # the figures; the charts are SVG drawn on the server
    assert built.content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=built.content, capture_output=True, check=True
    ).stdout.decode("utf-8")
    with translation.override("zh-hans"):
        previous = gettext("Previous period")  # as the catalogue says it, whichever words it uses
    for label in ("分析报告", "茶饮 Brand", "互动量", "粉丝数", previous, "每日粉丝数", "各平台互动量"):
        assert label in text, label
    plain = text.replace(",", "")  # Chinese number formats group without a separator
    assert "190" in plain and "3600" in plain  # engagements; followers 1,100 + 2,000 + 500
    assert "+375.00%" in text  # engagements against the previous period's 40
    fonts = subprocess.run(["pdffonts", "-"], input=built.content, capture_output=True).stdout.decode()
    assert "NotoSansCJK" in fonts.replace("-", "")  # the system's Noto CJK, embedded


def test_what_the_exports_do_not_offer_is_refused_by_field(scene):
    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as pdf_of_a_table:
        jobs.export_build(scene.workspace, fmt="pdf", request=_request("posts"))
    with pytest.raises(ValidationFailed) as reversed_period:
        jobs.export_build(
            scene.workspace, fmt="csv", request=ExportRequest(kind="posts", start=END, end=START)
        )
    assert "format" in pdf_of_a_table.value.fields
    assert "end" in reversed_period.value.fields


# --- jobs, API and the page-less download ---------------------------------------------------------------


def _person(workspace, role=Role.ANALYST, language="en"):
    user = UserFactory(language=language)
    WorkspaceMemberFactory(workspace=workspace, user=user, role=role)
    return user


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_export_job_runs_and_its_file_downloads(
    scene, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given
    settings.MEDIA_ROOT = tmp_path
    analyst = _person(scene.workspace)
    client = _api(analyst)
    base = f"/api/v1/workspaces/{scene.workspace.pk}/analytics/exports/"
    # when: the task is sent on commit and runs in place (test_exports_worker.py uses a real worker)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            base,
            {"kind": "posts", "format": "xlsx", "start": "2027-01-04", "end": "2027-01-10", "sort": "views"},
            format="json",
        )
    # then
    assert created.status_code == 202, created.content
    job = created.json()
    assert job["status"] == "pending"
    polled = client.get(f"{base}{job['id']}/").json()
    assert polled["status"] == "done" and polled["progress"] == 100 and polled["rows"] == 3
    assert polled["download_url"] == f"{base}{job['id']}/download/"
    download = client.get(polled["download_url"])
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    frame = pd.read_excel(io.BytesIO(b"".join(download.streaming_content)))
    assert frame["Views"].fillna(-1).tolist() == [2000, 1000, -1]
    assert client.get(base).json()[0]["id"] == job["id"]


def test_a_job_not_done_yet_has_no_file_to_download(scene):
    # given
    analyst = _person(scene.workspace)
    job = ExportJob.objects.create(workspace=scene.workspace, kind="posts", format="csv")
    # when
    response = _api(analyst).get(
        f"/api/v1/workspaces/{scene.workspace.pk}/analytics/exports/{job.pk}/download/"
    )
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "export_not_ready"


def test_another_tenants_export_job_is_a_404_and_roles_without_export_are_refused(
    scene, settings, tmp_path, django_capture_on_commit_callbacks
):
    # given
    settings.MEDIA_ROOT = tmp_path
    owner = _person(scene.workspace)
    with django_capture_on_commit_callbacks(execute=True):
        job = (
            _api(owner)
            .post(
                f"/api/v1/workspaces/{scene.workspace.pk}/analytics/exports/",
                {"kind": "followers", "format": "csv"},
                format="json",
            )
            .json()
        )
    assert ExportJob.objects.get(pk=job["id"]).status == "done"
    stranger_workspace = WorkspaceFactory()
    stranger = _person(stranger_workspace, role=Role.ADMIN)
    editor = _person(scene.workspace, role=Role.EDITOR)  # sees analytics, may not export
    # when / then: through the victim's workspace and through the stranger's own
    for workspace_id in (scene.workspace.pk, stranger_workspace.pk):
        for suffix in ("", "download/"):
            url = f"/api/v1/workspaces/{workspace_id}/analytics/exports/{job['id']}/{suffix}"
            assert _api(stranger).get(url).status_code == 404
    refused = _api(editor).post(
        f"/api/v1/workspaces/{scene.workspace.pk}/analytics/exports/", {"kind": "posts", "format": "csv"}
    )
    assert refused.status_code == 403


def test_the_page_less_download_answers_a_small_export_at_once(scene, settings):
    # given
    client = Client()
    client.force_login(_person(scene.workspace, language="zh-hans"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    url = f"/w/{scene.workspace.pk}/analytics/export/"
    # when
    response = client.get(
        url, {"kind": "posts", "format": "csv", "start": "2027-01-04", "end": "2027-01-10", "platforms": "x"}
    )
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "2027-01-04_2027-01-10.csv" in response["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(b"".join(response.streaming_content)), encoding="utf-8-sig")
    assert frame["平台"].tolist() == ["x"]


def test_the_page_less_download_runs_a_large_export_as_a_job(
    scene, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    # given: a limit below the three posts
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(jobs, "DIRECT_MAX_POSTS", 2)
    client = Client()
    client.force_login(_person(scene.workspace))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            f"/w/{scene.workspace.pk}/analytics/export/",
            {"kind": "report", "format": "xlsx", "start": "2027-01-04", "end": "2027-01-10"},
        )
    # then
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert job.status == "done" and job.rows > 0
    assert job.file_name == "茶饮 Brand_report_2027-01-04_2027-01-10.xlsx"


def test_the_page_less_download_is_a_404_for_another_tenant_and_refused_without_export(scene):
    # given
    client = Client()
    client.force_login(_person(WorkspaceFactory(), role=Role.ADMIN))
    viewer = Client()
    viewer.force_login(_person(scene.workspace, role=Role.VIEWER))
    url = f"/w/{scene.workspace.pk}/analytics/export/?kind=posts&format=csv"
    # when / then
    assert client.get(url).status_code == 404
    assert viewer.get(url).status_code == 403


def test_dates_default_to_the_last_thirty_whole_days(scene, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    job = _api(_person(scene.workspace)).post(
        f"/api/v1/workspaces/{scene.workspace.pk}/analytics/exports/", {"kind": "tags", "format": "csv"}
    )
    params = job.json()["params"]
    assert (date.fromisoformat(params["end"]) - date.fromisoformat(params["start"])).days == 29


def test_the_downloads_overview_shows_the_figures_of_the_apis_overview(scene):
    from analytics.selectors import reports

    for start, end in ((START, END), (date(2026, 12, 28), date(2027, 1, 3))):
        # when: the download's overview and the one the JSON API and the report page show
        mine = overview(scene.workspace, start=start, end=end)
        theirs = reports.overview(scene.workspace, start=start, end=end)
        lead = theirs.rate_order[0]
        # then every row has the same figures, for both periods
        pairs = [
            (mine.total, theirs.workspace),
            *zip(mine.platforms, theirs.platforms, strict=True),
            *zip(mine.accounts, theirs.accounts, strict=True),
        ]
        for row, part in pairs:
            for figures, group in ((row.current, part.current), (row.previous, part.previous)):
                assert figures["posts"] == group.posts
                assert figures["engagement_rate"] == group.rates[lead].value
                for metric in ("followers", "follower_growth", "views", "reach", "engagements"):
                    assert figures[metric] == group.totals[metric], (row.key, metric)
        assert {row.key for row in mine.accounts} == {str(part.key) for part in theirs.accounts}
        assert mine.total.current["posts"] > 0
