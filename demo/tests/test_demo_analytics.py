"""The demo's analytics history (demo.analytics): 90 days of readings through the analytics ingest, so
the analytics pages have something to show in `make run`; quick, idempotent, and plausible."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User, Workspace
from analytics import selectors
from analytics.metrics import platform_metrics
from analytics.models import AccountDailyMetric, PostDailyMetric
from channels_app.models import SocialAccount
from content.models import PostTarget

pytestmark = pytest.mark.django_db

NO_SIM = "http://127.0.0.1:9"


def test_seed_demo_writes_90_days_of_history_quickly_and_once():
    # when
    began = time.monotonic()
    out = StringIO()
    call_command("seed_demo", "--sim-url", NO_SIM, stdout=out)
    took = time.monotonic() - began
    before = AccountDailyMetric.objects.count(), PostDailyMetric.objects.count(), PostTarget.objects.count()
    call_command("seed_demo", "--sim-url", NO_SIM, stdout=StringIO())
    # then: both brand workspaces have daily account readings for the 90 days and read posts
    assert "metric readings over 90 days" in out.getvalue()
    for workspace in Workspace.objects.filter(organization__slug="lumiere"):
        today = timezone.now().astimezone(workspace.tzinfo).date()
        days = set(AccountDailyMetric.objects.filter(workspace=workspace).values_list("date", flat=True))
        assert min(days) == today - timedelta(days=90) and len(days) == 90
        start = today - timedelta(days=89)
        rates = selectors.engagement_rates(workspace, start=start, end=today)
        assert rates["engagement_rate_by_followers"].posts > 60
        # plausible: a few percent of followers engage, not none and not all
        assert 0.005 < rates["engagement_rate_by_followers"].value < 0.2
        followers = selectors.account_period_values(workspace, metric="followers", start=start, end=today)
        accounts = SocialAccount.objects.filter(workspace=workspace)
        measured = {a.pk for a in accounts if platform_metrics(a.platform)}
        assert all(followers[pk] > 1000 for pk in measured), followers
    assert (
        AccountDailyMetric.objects.count(),
        PostDailyMetric.objects.count(),
        PostTarget.objects.count(),
    ) == before
    assert took < 60, took  # the whole demo, content included; the history itself takes a few seconds


def test_the_agency_editor_sees_the_china_workspaces_history_and_not_global():
    # given
    call_command("seed_demo", "--sim-url", NO_SIM, stdout=StringIO())
    editor = User.objects.get(email="agency-editor@demo.kawo.test")
    china = Workspace.objects.get(organization__slug="lumiere", slug="china")
    world = Workspace.objects.get(organization__slug="lumiere", slug="global")
    client = APIClient()
    client.force_authenticate(editor)
    # when
    granted = client.get(reverse("analytics-overview", args=[china.pk]))
    refused = client.get(reverse("analytics-overview", args=[world.pk]))
    # then
    assert granted.status_code == 200
    assert granted.json()["workspace"]["posts"]["current"] > 0
    assert refused.status_code == 404
