"""The pages for what only the API did: formula metrics on the Metrics page, the lead engagement rate
(Settings) and scheduled email reports. Same services as the API (same rules, same audit entry); an
invalid input is a 400 with the message next to its field and nothing written; a role without the
capability is a 403; another workspace's object is a 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.models import AnalyticsSettings, CustomMetric, ScheduledReport
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def member(workspace, role=Role.ADMIN, language="en", **user):
    person = UserFactory(language=language, **user)
    WorkspaceMemberFactory(workspace=workspace, user=person, role=role)
    return person


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def ws():
    return WorkspaceFactory(name="Lotus Tea")


@pytest.fixture
def admin(ws):
    return member(ws, Role.ADMIN)


def field_error(html: str, field: str) -> str:
    """The text of the error paragraph the field template renders next to `field`."""
    marker = f'id="id_{field}_error">'
    assert marker in html, html[:3000]
    return html.split(marker, 1)[1].split("</p>", 1)[0]


# --- formula metrics ------------------------------------------------------------------------------------


def test_the_metrics_page_lists_and_adds_a_formula_metric(ws, admin):
    # given
    url = reverse("analytics:metrics", args=[ws.pk])
    client = client_for(admin)
    # when
    response = client.post(
        url, {"name": "Per mille", "formula": "engagements / followers * 1000", "description": "x"}
    )
    # then
    assert response.status_code == 302
    metric = CustomMetric.objects.get(workspace=ws)
    assert (metric.name, metric.formula) == ("Per mille", "engagements / followers * 1000")
    assert AuditEvent.objects.filter(action="analytics.custom_metric_create", actor=admin).count() == 1
    html = client.get(url).content.decode()
    assert 'data-name="Per mille"' in html and "engagements / followers * 1000" in html


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("engagements / folowers", "Unknown metric: folowers."),
        ("engagements / 0", "The formula divides by zero"),
        ("__import__('os')", "Only numbers, metric names"),
        ("likes ** 2", "Only + - * / and parentheses are allowed."),
    ],
)
def test_a_refused_formula_is_a_400_next_to_the_formula_field(ws, admin, formula, message):
    # when
    response = client_for(admin).post(
        reverse("analytics:metrics", args=[ws.pk]), {"name": "Bad", "formula": formula}
    )
    # then
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), "formula")
    assert not CustomMetric.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="analytics.custom_metric").exists()


def test_the_formula_error_is_in_chinese_for_a_chinese_reader(ws):
    # given
    person = member(ws, Role.ADMIN, language="zh-hans")
    # when
    response = client_for(person, "zh-hans").post(
        reverse("analytics:metrics", args=[ws.pk]), {"name": "坏", "formula": "engagements / 0"}
    )
    # then
    assert response.status_code == 400
    assert "除以零" in field_error(response.content.decode(), "formula")


def test_the_api_refuses_the_same_formula_with_the_same_message(ws, admin):
    # given: the API and the page share custom_metric_check
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin)
    # when
    response = api.post(
        f"/api/v1/workspaces/{ws.pk}/analytics/custom-metrics/",
        {"name": "Bad", "formula": "engagements / folowers"},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert "Unknown metric: folowers." in response.json()["error"]["fields"]["formula"][0]


def test_a_taken_name_is_a_400_next_to_the_name(ws, admin):
    # given
    CustomMetric.objects.create(workspace=ws, name="Ratio", formula="likes / views")
    # when
    response = client_for(admin).post(
        reverse("analytics:metrics", args=[ws.pk]), {"name": "Ratio", "formula": "likes"}
    )
    # then
    assert response.status_code == 400
    assert "already has a metric of that name" in field_error(response.content.decode(), "name")
    assert CustomMetric.objects.count() == 1


def test_edit_and_delete_a_formula_metric(ws, admin):
    # given
    metric = CustomMetric.objects.create(workspace=ws, name="Ratio", formula="likes / views")
    client = client_for(admin)
    edit = reverse("analytics:custom_metric_edit", args=[ws.pk, metric.pk])
    # when
    assert client.get(edit).status_code == 200
    bad = client.post(edit, {"name": "Ratio", "formula": "likes / nothing"})
    good = client.post(edit, {"name": "Ratio 2", "formula": "likes / reach", "description": ""})
    # then
    assert bad.status_code == 400 and "Unknown metric: nothing." in field_error(
        bad.content.decode(), "formula"
    )
    assert good.status_code == 302
    metric.refresh_from_db()
    assert (metric.name, metric.formula) == ("Ratio 2", "likes / reach")
    assert AuditEvent.objects.filter(action="analytics.custom_metric_update").count() == 1
    # when
    response = client.post(reverse("analytics:custom_metric_delete", args=[ws.pk, metric.pk]))
    # then
    assert response.status_code == 302
    assert not CustomMetric.objects.exists()
    assert AuditEvent.objects.filter(action="analytics.custom_metric_delete").count() == 1


def test_an_analyst_sees_the_metrics_but_may_not_change_them(ws):
    # given
    analyst = member(ws, Role.ANALYST)
    metric = CustomMetric.objects.create(workspace=ws, name="Ratio", formula="likes / views")
    client = client_for(analyst)
    # when
    page = client.get(reverse("analytics:metrics", args=[ws.pk]))
    # then
    assert page.status_code == 200
    assert 'data-testid="custom-metric-form"' not in page.content.decode()
    assert (
        client.post(reverse("analytics:metrics", args=[ws.pk]), {"name": "A", "formula": "likes"}).status_code
        == 403
    )
    assert client.get(reverse("analytics:custom_metric_edit", args=[ws.pk, metric.pk])).status_code == 403
    assert client.post(reverse("analytics:custom_metric_delete", args=[ws.pk, metric.pk])).status_code == 403
    assert CustomMetric.objects.count() == 1


def test_another_workspaces_metric_is_a_404(ws, admin):
    # given
    other = CustomMetric.objects.create(workspace=WorkspaceFactory(), name="Theirs", formula="likes")
    client = client_for(admin)
    # when / then
    assert client.get(reverse("analytics:custom_metric_edit", args=[ws.pk, other.pk])).status_code == 404
    assert client.post(reverse("analytics:custom_metric_delete", args=[ws.pk, other.pk])).status_code == 404
    assert CustomMetric.objects.filter(pk=other.pk).exists()
    # and a workspace one is not a member of
    assert client.get(reverse("analytics:metrics", args=[other.workspace_id])).status_code == 404


# --- settings -------------------------------------------------------------------------------------------


def test_the_settings_page_changes_the_lead_rate(ws, admin):
    # given
    url = reverse("analytics:settings", args=[ws.pk])
    client = client_for(admin)
    assert re.search(r'value="by_reach"[^>]*checked', client.get(url).content.decode())
    # when
    response = client.post(url, {"lead_engagement_rate": "by_followers"})
    # then
    assert response.status_code == 302
    assert AnalyticsSettings.objects.get(workspace=ws).lead_engagement_rate == "by_followers"
    assert AuditEvent.objects.filter(action="analytics.settings_update", actor=admin).count() == 1


def test_an_unknown_rate_is_a_400_next_to_the_field(ws, admin):
    # when
    response = client_for(admin).post(
        reverse("analytics:settings", args=[ws.pk]), {"lead_engagement_rate": "by_luck"}
    )
    # then
    assert response.status_code == 400
    assert field_error(response.content.decode(), "lead_engagement_rate")
    assert not AnalyticsSettings.objects.exists()


def test_settings_need_workspace_manage(ws):
    # given: a manager may export and view analytics, but not change the workspace's configuration
    client = client_for(member(ws, Role.ANALYST))
    url = reverse("analytics:settings", args=[ws.pk])
    # when / then
    assert client.get(url).status_code == 403
    assert client.post(url, {"lead_engagement_rate": "by_views"}).status_code == 403
    assert not AnalyticsSettings.objects.exists()


# --- scheduled reports ----------------------------------------------------------------------------------


def test_create_edit_and_delete_a_scheduled_report(ws, admin):
    # given
    reader = member(ws, Role.ANALYST, full_name="Wang Mei")
    url = reverse("analytics:scheduled_reports", args=[ws.pk])
    client = client_for(admin)
    page = client.get(url).content.decode()
    assert "Wang Mei" in page
    # when
    response = client.post(
        url,
        {"name": "Weekly", "frequency": "weekly", "format": "pdf", "recipients": [reader.pk], "active": "on"},
    )
    # then
    assert response.status_code == 302
    report = ScheduledReport.objects.get(workspace=ws)
    assert (report.frequency, report.format, report.active) == ("weekly", "pdf", True)
    assert list(report.recipients.all()) == [reader]
    assert AuditEvent.objects.filter(action="analytics.scheduled_report_create").count() == 1
    assert 'data-name="Weekly"' in client.get(url).content.decode()
    # when: edit
    edit = reverse("analytics:scheduled_report_edit", args=[ws.pk, report.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {"name": "Monthly", "frequency": "monthly", "format": "xlsx", "recipients": [reader.pk, admin.pk]},
    )
    # then
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.name, report.frequency, report.format, report.active) == (
        "Monthly",
        "monthly",
        "xlsx",
        False,
    )
    assert set(report.recipients.all()) == {reader, admin}
    assert AuditEvent.objects.filter(action="analytics.scheduled_report_update").count() == 1
    # when: delete
    response = client.post(reverse("analytics:scheduled_report_delete", args=[ws.pk, report.pk]))
    # then
    assert response.status_code == 302
    assert not ScheduledReport.objects.exists()
    assert AuditEvent.objects.filter(action="analytics.scheduled_report_delete").count() == 1


def test_a_report_without_recipients_is_a_400_next_to_recipients(ws, admin):
    # when
    response = client_for(admin).post(
        reverse("analytics:scheduled_reports", args=[ws.pk]),
        {"name": "Weekly", "frequency": "weekly", "format": "pdf"},
    )
    # then
    assert response.status_code == 400
    assert "Choose at least one recipient." in field_error(response.content.decode(), "recipients")
    assert not ScheduledReport.objects.exists()


def test_someone_who_may_not_see_analytics_is_not_offered_nor_accepted(ws, admin):
    # given: a reviewer may not see analytics
    editor = member(ws, Role.REVIEWER, full_name="Eddie Editor")
    url = reverse("analytics:scheduled_reports", args=[ws.pk])
    client = client_for(admin)
    # when
    page = client.get(url).content.decode()
    response = client.post(
        url, {"name": "W", "frequency": "weekly", "format": "pdf", "recipients": [editor.pk]}
    )
    # then
    assert "Eddie Editor" not in page
    assert response.status_code == 400
    assert field_error(response.content.decode(), "recipients")
    assert not ScheduledReport.objects.exists()


def test_scheduled_reports_need_analytics_export_and_are_per_workspace(ws, admin):
    # given
    other = ScheduledReport.objects.create(workspace=WorkspaceFactory(), name="Theirs", frequency="weekly")
    mine = ScheduledReport.objects.create(workspace=ws, name="Mine", frequency="weekly")
    editor = client_for(member(ws, Role.EDITOR))
    client = client_for(admin)
    # when / then: an editor (no analytics.export) is refused
    assert editor.get(reverse("analytics:scheduled_reports", args=[ws.pk])).status_code == 403
    assert editor.post(reverse("analytics:scheduled_report_delete", args=[ws.pk, mine.pk])).status_code == 403
    # another workspace's report is a 404
    assert client.get(reverse("analytics:scheduled_report_edit", args=[ws.pk, other.pk])).status_code == 404
    assert (
        client.post(reverse("analytics:scheduled_report_delete", args=[ws.pk, other.pk])).status_code == 404
    )
    assert ScheduledReport.objects.count() == 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "name",
    ["analytics:metrics", "analytics:settings", "analytics:scheduled_reports", "analytics_exports:jobs"],
)
def test_the_pages_render_in_both_languages(ws, name, language):
    # given
    person = member(ws, Role.ADMIN, language=language)
    # when
    response = client_for(person, language).get(reverse(name, args=[ws.pk]))
    # then
    assert response.status_code == 200
    if language == "zh-hans":
        assert "分析" in response.content.decode()
