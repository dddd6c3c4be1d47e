"""Scheduled email reports: recipients must be members who may see analytics (400 by field otherwise),
each period is sent exactly once, each recipient gets it in their own language, and another tenant's
report is a 404."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from analytics.exports import schedules
from analytics.models import ScheduledReport, ScheduledReportDelivery

from .test_numbers import Scene

pytestmark = pytest.mark.django_db


def _member(workspace, role=Role.ANALYST, language="en", email=None):
    user = UserFactory(language=language, **({"email": email} if email else {}))
    WorkspaceMemberFactory(workspace=workspace, user=user, role=role)
    return user


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(workspace, report=None) -> str:
    base = f"/api/v1/workspaces/{workspace.pk}/analytics/scheduled-reports/"
    return f"{base}{report}/" if report else base


# --- API ------------------------------------------------------------------------------------------------


def test_a_scheduled_report_is_created_read_changed_and_deleted():
    # given
    workspace = WorkspaceFactory()
    manager = _member(workspace, role=Role.MANAGER)
    analyst = _member(workspace)
    client = _api(manager)
    # when
    created = client.post(
        _url(workspace),
        {"name": "Monday", "frequency": "weekly", "format": "xlsx", "recipients": [analyst.pk, manager.pk]},
        format="json",
    )
    # then
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["recipients"] == sorted([analyst.pk, manager.pk])
    assert client.get(_url(workspace)).json()[0]["id"] == report["id"]
    changed = client.patch(
        _url(workspace, report["id"]), {"frequency": "monthly", "recipients": [analyst.pk]}
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["frequency"], changed.json()["recipients"]) == ("monthly", [analyst.pk])
    assert changed.json()["format"] == "xlsx"  # untouched by a partial change
    assert client.delete(_url(workspace, report["id"])).status_code == 204
    assert not ScheduledReport.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "viewer", "unknown"])
def test_recipients_who_are_not_members_seeing_analytics_are_refused_by_field(who):
    # given
    workspace = WorkspaceFactory()
    manager = _member(workspace, role=Role.MANAGER)
    recipient = {
        "outsider": lambda: _member(WorkspaceFactory()).pk,  # a member of another workspace
        "viewer": lambda: _member(workspace, role=Role.VIEWER).pk,  # may not see analytics
        "unknown": lambda: 999_999,
    }[who]()
    # when
    response = _api(manager).post(
        _url(workspace), {"name": "R", "frequency": "weekly", "recipients": [recipient]}, format="json"
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["recipients"]
    assert not ScheduledReport.objects.exists()


def test_another_tenants_scheduled_report_is_a_404():
    # given
    workspace = WorkspaceFactory()
    owner = _member(workspace, role=Role.ADMIN)
    report = schedules.scheduled_report_create(
        actor=owner, workspace=workspace, name="R", frequency="weekly", fmt="pdf", recipients=[owner]
    )
    elsewhere = WorkspaceFactory()
    stranger = _member(elsewhere, role=Role.ADMIN)
    # when / then: asked through the victim's workspace and through the stranger's own
    for ws in (workspace, elsewhere):
        assert _api(stranger).get(_url(ws, report.pk)).status_code == 404
        assert _api(stranger).patch(_url(ws, report.pk), {"name": "x"}, format="json").status_code == 404
        assert _api(stranger).delete(_url(ws, report.pk)).status_code == 404
    assert ScheduledReport.objects.filter(pk=report.pk, name="R").exists()


def test_an_editor_may_not_schedule_reports():
    workspace = WorkspaceFactory()
    editor = _member(workspace, role=Role.EDITOR)
    assert _api(editor).get(_url(workspace)).status_code == 403


# --- sending --------------------------------------------------------------------------------------------


def test_the_last_complete_week_and_month():
    # 2027-01-13 is a Wednesday
    assert schedules.last_complete_period("weekly", date(2027, 1, 13)) == (
        date(2027, 1, 4),
        date(2027, 1, 10),
    )
    assert schedules.last_complete_period("weekly", date(2027, 1, 11)) == (
        date(2027, 1, 4),
        date(2027, 1, 10),
    )
    assert schedules.last_complete_period("monthly", date(2027, 1, 1)) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
    )
    assert schedules.last_complete_period("monthly", date(2027, 3, 31)) == (
        date(2027, 2, 1),
        date(2027, 2, 28),
    )


def test_a_report_is_sent_once_per_period_in_each_recipients_language(settings, tmp_path):
    # given: test_numbers' week 2027-01-04 .. 01-10 in Asia/Shanghai, an English and a Chinese recipient
    scene = Scene()
    workspace = scene.workspace
    english = _member(workspace, language="en", email="ada@example.com")
    chinese = _member(workspace, language="zh-hans", email="li@example.com")
    report = schedules.scheduled_report_create(
        actor=english,
        workspace=workspace,
        name="Weekly",
        frequency="weekly",
        fmt="xlsx",
        recipients=[english, chinese],
    )
    monday_morning = datetime(2027, 1, 11, 1, 7, tzinfo=UTC)  # 09:07 in Shanghai
    # when: the hourly beat runs twice in the same week, then a concurrent claim is attempted
    first = schedules.scheduled_reports_send_due(now=monday_morning)
    second = schedules.scheduled_reports_send_due(now=monday_morning.replace(hour=2))
    again = schedules.scheduled_report_send(report, start=date(2027, 1, 4), end=date(2027, 1, 10))
    # then: one email each, for that week only
    assert (first, second, again) == (1, 0, False)
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "li@example.com"]
    by_person = {m.to[0]: m for m in mail.outbox}
    assert "2027-01-04" in by_person["ada@example.com"].subject
    assert "analytics" in by_person["ada@example.com"].subject
    assert "分析数据" in by_person["li@example.com"].subject
    assert "您好" in by_person["li@example.com"].body
    # each attachment in its reader's language, with the week's figures
    sheets = {}
    for address, message in by_person.items():
        [(name, content, mimetype)] = message.attachments
        assert name.endswith("_report_2027-01-04_2027-01-10.xlsx")
        sheets[address] = pd.read_excel(io.BytesIO(content), sheet_name=None)
    assert "Post performance" in sheets["ada@example.com"]
    assert "帖子表现" in sheets["li@example.com"]
    assert sheets["li@example.com"]["帖子表现"]["互动量"].tolist() == [80, 60, 50]
    delivery = ScheduledReportDelivery.objects.get(report=report)
    assert delivery.sent_at is not None
    assert {r["language"] for r in delivery.recipients} == {"en", "zh-hans"}

    # when: the next week's Monday
    mail.outbox.clear()
    assert schedules.scheduled_reports_send_due(now=datetime(2027, 1, 18, 1, 7, tzinfo=UTC)) == 1
    # then
    assert len(mail.outbox) == 2
    assert ScheduledReportDelivery.objects.filter(report=report).count() == 2


def test_a_refused_email_leaves_the_period_unclaimed_for_the_next_run(monkeypatch):
    # given
    workspace = WorkspaceFactory(timezone="UTC")
    person = _member(workspace)
    schedules.scheduled_report_create(
        actor=person, workspace=workspace, name="M", frequency="monthly", fmt="xlsx", recipients=[person]
    )
    now = datetime(2027, 2, 1, 3, tzinfo=UTC)

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    # when
    assert schedules.scheduled_reports_send_due(now=now) == 0
    # then: nothing claimed, so the next run sends it
    assert not ScheduledReportDelivery.objects.exists()
    monkeypatch.undo()
    assert schedules.scheduled_reports_send_due(now=now) == 1
    assert len(mail.outbox) == 1


def test_a_recipient_who_left_the_workspace_is_skipped():
    # given
    workspace = WorkspaceFactory(timezone="UTC")
    stays, leaves = _member(workspace), _member(workspace)
    schedules.scheduled_report_create(
        actor=stays, workspace=workspace, name="W", frequency="weekly", fmt="pdf", recipients=[stays, leaves]
    )
    workspace.members.filter(user=leaves).delete()
    # when
    schedules.scheduled_reports_send_due(now=datetime(2027, 1, 13, tzinfo=UTC))
    # then
    assert [m.to[0] for m in mail.outbox] == [stays.email]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"


def test_the_scheduled_report_list_costs_the_same_queries_for_one_report_or_many():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given
    workspace = WorkspaceFactory(timezone="UTC")
    person = _member(workspace)
    client = _api(person)

    def add_report(n):
        report = schedules.scheduled_report_create(
            actor=person,
            workspace=workspace,
            name=f"R{n}",
            frequency="weekly",
            fmt="pdf",
            recipients=[person],
        )
        ScheduledReportDelivery.objects.create(
            report=report,
            period_start=date(2027, 1, 4),
            period_end=date(2027, 1, 10),
            sent_at=datetime.now(UTC),
        )

    counts = []
    for reports in (1, 5):
        while ScheduledReport.objects.count() < reports:
            add_report(ScheduledReport.objects.count())
        client.get(_url(workspace))  # warm up
        # when
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url(workspace))
        counts.append(len(queries))
        assert len(response.json()) == reports
        assert response.json()[0]["last_sent_period"] == "2027-01-04..2027-01-10"
    # then
    assert counts[0] == counts[1], counts
