"""Connecting an account in a real browser: sign in, open the account matrix, click Connect for X,
authorize on the simulator's consent page, land back on the matrix with the account connected.
Also refreshes docs/screenshots/account-matrix.png."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import (
    PASSWORD,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from channels_app import services
from channels_app.demo import seed_demo_accounts
from channels_app.models import SocialAccount
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def brand():
    workspace = WorkspaceFactory(
        organization=OrganizationFactory(name="KAWO Coffee", slug="kawo-coffee"), name="KAWO Coffee China"
    )
    admin = UserFactory(email="mei.wang@example.com", full_name="Mei Wang")
    WorkspaceMemberFactory(workspace=workspace, user=admin, role=Role.ADMIN)
    WorkspaceMemberFactory(
        workspace=workspace,
        user=UserFactory(email="lei.li@example.com", full_name="Lei Li"),
        role=Role.MANAGER,
    )
    # Accounts in every state, without credentials that pretend to work (see channels_app.demo).
    seed_demo_accounts(workspace, None)
    SocialAccount.objects.filter(workspace=workspace, platform="x").delete()
    SocialAccount.objects.filter(workspace=workspace, platform="weibo").update(
        token_expires_at=timezone.now() + timedelta(days=2, hours=3), status=SocialAccount.Status.EXPIRING
    )
    for account in SocialAccount.objects.filter(workspace=workspace, platform__in=["wechat_oa", "weibo"]):
        services.social_account_update(
            actor=admin, account=account, tags=["flagship", "mainland", "launch-q4"]
        )
    return workspace, admin


def test_connect_x_through_the_consent_page(live_server, platform_sim, page, brand):
    workspace, admin = brand
    matrix_url = f"{live_server.url}/w/{workspace.pk}/accounts/"

    # given: signed in and on the account matrix
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", admin.email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.locator("[data-testid=main-nav]").get_by_role("link", name="Accounts").click()
    expect(page).to_have_url(matrix_url)
    expect(page.locator("h1")).to_have_text("Account matrix")
    expect(page.locator("tr[data-platform=linkedin] [data-testid=health]")).to_contain_text("expired")
    expect(page.locator("tr[data-platform=weibo] [data-testid=health]")).to_have_text("expires in 2 days")
    expect(page.locator("tr[data-platform=x]")).to_have_count(0)

    # when: connecting X, authorizing on the platform's consent page
    page.click("#connect-x")
    expect(page.locator("#authorize")).to_be_visible()
    assert page.url.startswith(settings.PLATFORMS["x"]["auth_url"])
    page.fill("#handle", "kawocoffee_global")
    page.click("#authorize")

    # then: back on the matrix with the account connected
    expect(page).to_have_url(matrix_url)
    expect(page.locator(".flash-success")).to_contain_text("@kawocoffee_global is connected")
    row = page.locator("tr[data-platform=x]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "connected")
    expect(row.locator("[data-testid=status-badge]")).to_have_text("Connected")
    account = SocialAccount.objects.get(workspace=workspace, platform="x")
    assert account.handle == "kawocoffee_global"
    assert account.has_refresh_token
    assert platform_sim.requests("x", "token") == 1

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "account-matrix.png"), full_page=True)
