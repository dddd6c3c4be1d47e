"""The demo's competitors (demo.competitors): three rival brands with 90 days of history, benchmarked in a
workspace once; the same rivals on the simulator, so scheduled pulls in `make run` keep them tracked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import WorkspaceFactory
from competitors.models import (
    BenchmarkedBrand,
    CompetitorAlert,
    RivalAccount,
    RivalPost,
    RivalSnapshot,
    RivalStatus,
)
from competitors.selectors import benchmark, rival_gathering
from competitors.services import rival_pull
from demo.competitors import RIVALS, seed_demo_competitors, seed_demo_competitors_on_simulator

pytestmark = pytest.mark.django_db


def test_demo_rivals_have_90_days_of_history_once():
    workspace = WorkspaceFactory(timezone="Asia/Shanghai")
    # when
    first = seed_demo_competitors(workspace)
    again = seed_demo_competitors(workspace)
    # then
    assert "3 competitors" in first and "already present" in again
    # the alert rules ran over the demo's rivals (watched keywords 新品, launch), once
    alerts = CompetitorAlert.objects.filter(workspace=workspace)
    assert alerts.filter(kind="keyword").exists()
    assert alerts.count() == int(first.rsplit(", ", 1)[1].split()[0])
    assert BenchmarkedBrand.objects.filter(workspace=workspace).count() == len(RIVALS)
    rival = RivalAccount.objects.get(handle="bellerose_dy")
    readings = RivalSnapshot.objects.filter(rival=rival, metric="followers", platform_post_id="")
    assert readings.count() == 91
    oldest = RivalPost.objects.filter(rival=rival).order_by("published_at").first().published_at
    assert timezone.now() - oldest > timedelta(days=80)
    assert not rival_gathering(workspace, rival)
    today = timezone.localdate(timezone.now(), workspace.tzinfo)
    result = benchmark(workspace, start=today - timedelta(days=29), end=today)
    rivals = [b for b in result.brands if not b.own]
    assert len(rivals) == 3 and all(b.posts > 5 and b.engagements > 0 for b in rivals)
    # a sister workspace benchmarks the same organization brands without copying them
    sister = WorkspaceFactory(organization=workspace.organization)
    seed_demo_competitors(sister)
    assert RivalAccount.objects.count() == sum(len(a) for a in RIVALS.values())


def test_demo_rivals_on_the_simulator_keep_being_tracked(platform_sim):
    workspace = WorkspaceFactory()
    seed_demo_competitors(workspace)
    seed_demo_competitors_on_simulator(platform_sim)
    for rival in RivalAccount.objects.filter(handle__in=["bellerose_dy", "jadeglow"]):
        posts_before = RivalPost.objects.filter(rival=rival).count()
        # when
        result = rival_pull(rival.pk, now=timezone.now() + timedelta(minutes=5))
        # then: found, nothing reported deleted, no post twice
        assert result.status == "done", result
        assert result.deleted == 0
        rival.refresh_from_db()
        assert rival.status == RivalStatus.ACTIVE
        assert RivalPost.objects.filter(rival=rival).count() == posts_before
