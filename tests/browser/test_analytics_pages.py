"""Issue 12's report pages in a real browser (acceptance 6, charts part): the Overview's follower growth,
engagements by platform and best-time charts and the Campaigns & tags page's tag chart draw on their
canvases (pixels that are not blank, read back with page.evaluate) from the JSON API, in English and
in 简体中文; the post table filters and sorts with htmx; an agency person sees the granted client's
figures and gets a 404 for another workspace of the same brand. Saves analytics-*.png screenshots."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    AgencyFactory,
    AgencyGrantFactory,
    MembershipFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from analytics.services import SnapshotRow, snapshots_ingest
from analytics.tests.factories import PULL
from channels_app.tests.factories import SocialAccountFactory
from content.tests.factories import PostTargetFactory, TagFactory, TagGroupFactory
from tests.browser.kit import signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Non-blank pixels on a chart's canvases: ECharts draws on one or more canvases inside the element.
PIXELS_DRAWN = """(selector) => {
  const element = document.querySelector(selector);
  let drawn = 0;
  for (const canvas of element.querySelectorAll("canvas")) {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
  }
  return drawn;
}"""


def _brand(name: str, *, days: int = 20):
    """A workspace in Shanghai with a Weibo and an Instagram account, a post a day on each, followers
    read every day, and a content pillar with three tags."""
    workspace = WorkspaceFactory(name=name, timezone="Asia/Shanghai")
    weibo = SocialAccountFactory(workspace=workspace, platform="weibo", handle=f"{name.lower()}_wb")
    instagram = SocialAccountFactory(workspace=workspace, platform="instagram", handle=f"{name.lower()}_ig")
    group = TagGroupFactory(workspace=workspace, name="Pillar")
    tags = [TagFactory(group=group, name=label) for label in ("Tips", "Launch", "Behind the scenes")]
    now = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    rows = []
    for day in range(days, 0, -1):
        at = now - timedelta(days=day)
        for account, followers in ((weibo, 20000), (instagram, 8000)):
            rows.append(SnapshotRow(account.pk, "followers_count", followers + 37 * (days - day), at, PULL))
        for index, account in enumerate((weibo, instagram)):
            published = at - timedelta(hours=3 * index + day % 5)
            target = PostTargetFactory(
                post__workspace=workspace, account=account, published_at=published, status="published"
            )
            target.post.tags.add(tags[(day + index) % 3])
            post_id = f"p-{target.pk}"
            read = published + timedelta(hours=20)
            if account.platform == "weibo":
                values = {"attitudes_count": 100 + day * 7, "comments_count": 12 + day, "reposts_count": 5}
            else:
                values = {
                    "views": 3000 + day * 50,
                    "reach": 2000 + day * 30,
                    "total_interactions": 90 + day * 4,
                }
            rows += [
                SnapshotRow(account.pk, key, value, read, PULL, post_id, target.pk)
                for key, value in values.items()
            ]
    snapshots_ingest(rows, workspace=workspace)
    return workspace


@pytest.fixture
def client_brand():
    return _brand("Lotus")


def _charts_drawn(page, selectors: list[str]) -> dict[str, int]:
    for selector in selectors:
        expect(page.locator(selector)).to_have_attribute("data-chart-ready", "1")
    return {selector: page.evaluate(PIXELS_DRAWN, selector) for selector in selectors}


OVERVIEW_CHARTS = [
    "[data-testid=chart-followers]",
    "[data-testid=chart-platforms]",
    "[data-testid=chart-besttime]",
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_overview_and_tag_charts_draw_in_both_languages(live_server, page, client_brand, language):
    # given
    analyst = WorkspaceMemberFactory(workspace=client_brand, role=Role.ANALYST).user
    signed_in(page, live_server, analyst)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    # when
    page.goto(f"{live_server.url}/w/{client_brand.pk}/analytics/?preset=30d")
    # then: every chart drew pixels on its canvas
    drawn = _charts_drawn(page, OVERVIEW_CHARTS)
    assert all(count > 500 for count in drawn.values()), drawn
    expect(page.locator("html")).to_have_attribute("lang", language)
    heading = "Analytics" if language == "en" else "数据分析"
    expect(page.locator("h1")).to_have_text(heading)
    # numbers grouped for the locale, changes with arrows
    expect(page.locator("[data-kpi=views] .an-kpi-value")).to_contain_text(",")
    expect(page.locator("[data-testid=platform-table] [data-platform=weibo]")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"analytics-overview-{language}.png"), full_page=True)
    # when: Campaigns & tags
    page.click("[data-testid=analytics-tabs] a:nth-child(3)")
    # then
    drawn = _charts_drawn(page, ["[data-testid=chart-tags]"])
    assert all(count > 200 for count in drawn.values()), drawn
    expect(page.locator("[data-testid=tag-group] [data-tag]")).to_have_count(3)
    page.screenshot(path=str(SCREENSHOTS / f"analytics-tags-{language}.png"), full_page=True)


def test_post_table_filters_and_sorts_with_htmx(live_server, page, client_brand):
    # given
    analyst = WorkspaceMemberFactory(workspace=client_brand, role=Role.ANALYST).user
    signed_in(page, live_server, analyst)
    page.goto(f"{live_server.url}/w/{client_brand.pk}/analytics/posts/?preset=30d")
    rows = page.locator("[data-testid=post-table] tbody tr[data-target]")
    expect(rows).to_have_count(25)  # a page of 40 posts
    # when: only Instagram
    page.select_option("#f-platform", "instagram")
    # then
    expect(rows).to_have_count(20)
    expect(page.locator("[data-testid=post-table] h2")).to_have_text("20 posts")
    # when: sort by views, most first
    page.click("[data-testid=post-table] th a[data-sort=views]")
    # then: the first row has the most views (the oldest post: 3000 + 20 x 50)
    expect(page.locator("[data-testid=post-table] th.is-sorted a")).to_contain_text("▼")
    expect(rows.first.locator("td").nth(2)).to_have_text("4,000")
    page.screenshot(path=str(SCREENSHOTS / "analytics-posts.png"), full_page=True)


def test_metrics_reference_page(live_server, page, client_brand):
    analyst = WorkspaceMemberFactory(workspace=client_brand, role=Role.ANALYST).user
    signed_in(page, live_server, analyst)
    page.goto(f"{live_server.url}/w/{client_brand.pk}/analytics/metrics/")
    expect(page.locator("[data-testid=rate-definitions]")).to_contain_text("engagements / followers")
    expect(page.locator("[data-testid=platform-metrics][data-platform=instagram]")).to_contain_text(
        "replaced by"
    )
    page.screenshot(path=str(SCREENSHOTS / "analytics-metrics.png"))


def test_an_agency_person_sees_only_the_granted_clients_figures(live_server, page, client_brand):
    # given: an agency granted Lotus; the same brand's other workspace is not granted
    other = _brand("Orchid", days=3)
    agency = AgencyFactory()
    person = UserFactory(email="tom@agency.example")
    MembershipFactory(organization=agency, user=person, role=OrgRole.MEMBER)
    grant = AgencyGrantFactory(workspace=client_brand, agency=agency, role_ceiling=Role.MANAGER)
    WorkspaceMemberFactory(workspace=client_brand, user=person, role=Role.EDITOR, grant=grant)
    signed_in(page, live_server, person)
    # when
    page.goto(f"{live_server.url}/w/{client_brand.pk}/analytics/?preset=30d")
    # then: the granted client's accounts and charts, none of the other workspace's
    drawn = _charts_drawn(page, OVERVIEW_CHARTS)
    assert all(count > 500 for count in drawn.values()), drawn
    expect(page.locator("[data-testid=account-table]")).to_contain_text("lotus_wb")
    expect(page.locator("body")).not_to_contain_text("orchid_wb")
    page.screenshot(path=str(SCREENSHOTS / "analytics-agency.png"), full_page=True)
    # when: the other workspace's page and its API
    response = page.goto(f"{live_server.url}/w/{other.pk}/analytics/")
    api = page.request.get(f"{live_server.url}/api/v1/workspaces/{other.pk}/analytics/overview/")
    # then
    assert response.status == 404
    assert api.status == 404
