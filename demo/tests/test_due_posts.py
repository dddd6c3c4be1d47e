"""Every `make run` shows publishing: a later start makes the plan's "soon" posts again, due minutes
from then (the first seed's ones are long published by then)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Workspace
from content.models import Post, TargetStatus
from demo.due_posts import redate_due_posts
from demo.plans import PLANS

pytestmark = pytest.mark.django_db


def test_a_later_start_makes_the_due_posts_again_minutes_from_then_once(platform_sim):
    # given: the demo seeded with the simulator
    call_command("seed_demo", "--no-analytics", "--sim-url", platform_sim.base_url, stdout=StringIO())
    workspace = Workspace.objects.get(organization__slug="lumiere", slug="china")
    soon = [p.title for p in PLANS[workspace.slug].posts if p.window == "soon"]
    assert soon
    first = set(Post.objects.filter(workspace=workspace, title__in=soon).values_list("pk", flat=True))
    # when: a start right away: they are still waiting for their time, nothing is made
    assert redate_due_posts(workspace, simulator=True) == []
    # when: a start an hour later (the first ones are past their time)
    later = timezone.now() + timedelta(hours=1)
    made = redate_due_posts(workspace, simulator=True, now=later)
    # then: each "soon" post again, scheduled minutes after that start
    assert sorted(made) == sorted(soon)
    fresh = Post.objects.filter(workspace=workspace, title__in=soon).exclude(pk__in=first)
    assert fresh.count() == len(soon)
    for post in fresh:
        assert post.status == TargetStatus.SCHEDULED
        assert later < post.scheduled_at <= later + timedelta(minutes=10)
    # and a second start at that time makes nothing more
    assert redate_due_posts(workspace, simulator=True, now=later) == []
    # without the simulator nothing is made
    assert redate_due_posts(workspace, simulator=False, now=later + timedelta(hours=1)) == []
