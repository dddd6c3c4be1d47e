"""The demo's inbox (demo.inbox): a lively queue in every brand workspace, seeded once; with the
simulator, more fans wait there for the first poll."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Workspace
from channels_app.models import SocialAccount
from inbox.models import InboxItem, InboxNote, SavedReply
from inbox.services.polling import inbox_poll_account

pytestmark = pytest.mark.django_db
NO_SIM = "http://127.0.0.1:9"


def test_the_demo_inbox_is_lively_and_seeded_once():
    call_command("seed_demo", "--no-analytics", "--sim-url", NO_SIM, stdout=StringIO(), stderr=StringIO())
    china = Workspace.objects.get(organization__slug="lumiere", slug="china")
    items = InboxItem.objects.filter(workspace=china)
    kinds = set(items.values_list("kind", flat=True))
    # then
    assert items.filter(from_us=False).count() >= 20
    assert kinds == {"comment", "reply", "mention", "direct_message"}
    assert {"open", "pending", "closed"} <= set(items.values_list("status", flat=True))
    assert {"positive", "negative"} <= set(items.values_list("sentiment", flat=True))
    assert (
        items.filter(assignee__isnull=False).exists() and InboxNote.objects.filter(workspace=china).exists()
    )
    assert SavedReply.objects.filter(workspace=china).count() == 3
    before = items.count()
    call_command("seed_demo", "--no-analytics", "--sim-url", NO_SIM, stdout=StringIO(), stderr=StringIO())
    assert InboxItem.objects.filter(workspace=china).count() == before


def test_with_the_simulator_more_fans_arrive_with_the_first_poll(platform_sim):
    call_command(
        "seed_demo",
        "--no-analytics",
        "--sim-url",
        platform_sim.base_url,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    china = Workspace.objects.get(organization__slug="lumiere", slug="china")
    weibo = SocialAccount.objects.get(workspace=china, platform="weibo")
    # when
    result = inbox_poll_account(weibo.pk)
    # then
    assert result.created == 1
    assert InboxItem.objects.filter(account=weibo, text__contains="刚收到货").exists()


def test_with_the_simulator_a_bluesky_fan_arrives_with_the_first_poll(platform_sim):
    call_command(
        "seed_demo",
        "--no-analytics",
        "--sim-url",
        platform_sim.base_url,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    bluesky = SocialAccount.objects.filter(
        workspace__organization__slug="lumiere", platform="bluesky"
    ).first()
    # when
    result = inbox_poll_account(bluesky.pk)
    # then
    assert result.created == 1
    assert InboxItem.objects.get(account=bluesky, text__contains="tint back").kind == "mention"
