"""Cost per engagement, per view and CPM of a budget's campaigns and posts, from analytics' stored figures
and spend linked to posts and campaigns: hand-computed."""

from __future__ import annotations

import datetime
from datetime import UTC
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from analytics.services import snapshots_ingest
from analytics.tests.factories import reading
from budgets import costs, selectors, services
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import CampaignFactory, PostTargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    """Campaign Spring: posts P1 (40,000 views, 400 interactions) and P2 (10,000, 100); P3 outside it
    (5,000, 50). Spend: 1,000 on Spring linked to P1 and P2 (500 each), 300 on Spring alone, 200 linked
    to P3."""
    ws = WorkspaceFactory(timezone="Asia/Shanghai", currency="CNY")
    manager = WorkspaceMemberFactory(workspace=ws, role=Role.MANAGER).user
    ig = SocialAccountFactory(workspace=ws, platform="instagram", credentials=False)
    spring = CampaignFactory(workspace=ws, name="Spring")
    read = datetime.datetime(2026, 2, 1, 12, tzinfo=UTC)
    rows, posts = [], []
    for day, views, interactions, campaign in (
        (20, 40000, 400, spring),
        (21, 10000, 100, spring),
        (22, 5000, 50, None),
    ):
        target = PostTargetFactory(
            post__workspace=ws,
            post__campaign=campaign,
            post__title=f"P{len(posts) + 1}",
            account=ig,
            published_at=datetime.datetime(2026, 1, day, 4, tzinfo=UTC),
            status="published",
        )
        posts.append(target.post)
        rows.append(reading(ig, "views", views, read, post=f"p-{target.pk}", target=target))
        rows.append(
            reading(ig, "total_interactions", interactions, read, post=f"p-{target.pk}", target=target)
        )
    snapshots_ingest(rows, workspace=ws)
    budget = services.budget_create(
        workspace=ws,
        actor=manager,
        name="Q1",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 3, 31),
    )
    line = services.budget_line_create(
        workspace=ws, actor=manager, budget=budget, category="paid_promotion", planned="5000"
    )
    for amount, campaign, linked in (
        ("1000", spring, posts[:2]),
        ("300", spring, []),
        ("200", None, posts[2:]),
    ):
        services.spend_entry_create(
            workspace=ws,
            actor=manager,
            budget=budget,
            line=line,
            spent_on=datetime.date(2026, 1, 25),
            amount=amount,
            campaign=campaign,
            posts=linked,
        )
    return ws, manager, budget


def test_costs_per_campaign_and_post_by_hand(scene):
    _ws, _manager, budget = scene
    entries = list(selectors.entries_of(budget))
    totals = selectors.budget_totals(budget, entries=entries)
    # when
    campaigns, posts = costs.budget_costs(budget, totals, entries, today=datetime.date(2026, 4, 10))
    # then: Spring 1,300 over 500 engagements and 50,000 views
    (spring,) = campaigns
    assert (spring.name, spring.spend, spring.engagements, spring.views) == (
        "Spring",
        Decimal(1300),
        500,
        50000,
    )
    assert spring.per_engagement == Decimal("2.6")
    assert spring.per_view == Decimal("0.026")
    assert spring.cpm == Decimal(26)
    by_name = {p.name: p for p in posts}
    assert by_name["P1"].spend == Decimal(500) and by_name["P1"].per_engagement == Decimal("1.25")
    assert by_name["P1"].cpm == Decimal("12.5")
    assert by_name["P2"].per_engagement == Decimal(5) and by_name["P2"].cpm == Decimal(50)
    assert by_name["P3"].spend == Decimal(200) and by_name["P3"].per_engagement == Decimal(4)
    assert by_name["P3"].cpm == Decimal(40)


def test_the_budget_page_shows_the_costs(scene, client):
    ws, manager, budget = scene
    client.force_login(manager)
    page = client.get(reverse("budgets:detail", args=[ws.pk, budget.pk])).content.decode()
    assert page.count('data-testid="cost-campaign"') == 1 and page.count('data-testid="cost-post"') == 3
    assert "¥2.60" in page and "¥26.00" in page and "¥12.50" in page
