"""The foundation in a real browser: sign in, switch workspace, switch to Chinese, change a member's role
with htmx, and find the change in the audit log. Also refreshes the README's screenshots."""

import pytest
from playwright.sync_api import expect

from accounts import services
from accounts.models import WorkspaceMember
from accounts.roles import Role
from accounts.tests.factories import (
    PASSWORD,
    AgencyFactory,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from core.models import AuditEvent
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team():
    acme = OrganizationFactory(name="Acme Group", slug="acme")
    beta = OrganizationFactory(name="Beta Foods", slug="beta-foods")
    first = WorkspaceFactory(organization=acme, name="Acme China", slug="acme-china")
    second = WorkspaceFactory(
        organization=beta, name="Beta Global", slug="beta-global", timezone="Asia/Shanghai"
    )
    admin = UserFactory(email="mei.wang@example.com", full_name="Mei Wang")
    WorkspaceMemberFactory(workspace=first, user=admin, role=Role.ADMIN)
    WorkspaceMemberFactory(workspace=second, user=admin, role=Role.ADMIN)
    editor = WorkspaceMemberFactory(
        workspace=second, user=UserFactory(email="lei.li@example.com", full_name="Lei Li"), role=Role.EDITOR
    )
    for name, email, role in [
        ("Sofia Rossi", "sofia@example.com", Role.REVIEWER),
        ("Chen Jie", "chen.jie@example.com", Role.ANALYST),
    ]:
        WorkspaceMemberFactory(workspace=second, user=UserFactory(email=email, full_name=name), role=role)
    # Some history, through the same services the pages use.
    services.workspace_update(actor=admin, workspace=second, timezone="Europe/Berlin", currency="EUR")
    services.agency_grant_create(
        actor=admin, workspace=second, agency=AgencyFactory(name="Bright Agency"), role_ceiling=Role.EDITOR
    )
    services.invitation_create(actor=admin, workspace=second, email="zhang.wei@example.com", role=Role.EDITOR)
    return {"first": first, "second": second, "admin": admin, "editor": editor}


def test_sign_in_switch_workspace_and_language_change_role_and_audit(live_server, page, team):
    second, editor = team["second"], team["editor"]

    # given: signed in through the real sign-in page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", team["admin"].email)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    # the home page is "My work" in the workspace the person used last, named above the title
    expect(page.locator("h1")).to_have_text("My work")
    expect(page.locator(".page-header .eyebrow")).to_contain_text("Acme China")

    # when: switching workspace with the switcher
    page.click("[data-testid=workspace-switcher] summary")
    switcher_menu = page.locator("[data-testid=workspace-switcher] .dropdown-menu")
    expect(switcher_menu).to_contain_text("Beta Foods")
    switcher_menu.get_by_role("menuitem", name="Beta Global").click()
    # then
    expect(page.locator(".page-header .eyebrow")).to_contain_text("Beta Global")
    expect(page).to_have_url(f"{live_server.url}/w/{second.pk}/")

    # when: switching the language to Chinese
    page.click("[data-testid=language-switch] button[value=zh-hans]")
    # then: the navigation speaks Chinese
    nav = page.locator("[data-testid=main-nav]")
    expect(nav).to_contain_text("日历")
    expect(nav).to_contain_text("审批")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # when: changing a member's role on the members page (htmx swaps the row)
    nav.get_by_role("link", name="成员与角色").click()
    expect(page.locator("h1")).to_have_text("成员与角色")
    row = page.locator(f"tr[data-email='{editor.user.email}']")
    row.locator("select[name=role]").select_option(Role.MANAGER)
    # then
    expect(page.locator(f"tr[data-email='{editor.user.email}'] [data-testid=role-saved]")).to_be_visible()
    expect(page.locator(f"tr[data-email='{editor.user.email}'] select[name=role]")).to_have_value(
        Role.MANAGER
    )
    assert WorkspaceMember.objects.get(pk=editor.pk).role == Role.MANAGER
    assert AuditEvent.objects.filter(action="member.role_changed", workspace=second).count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "members-zh.png"), full_page=True)

    # when: opening the audit log
    nav.get_by_role("link", name="审计日志").click()
    # then: the change is there, readable, with the Chinese role names
    event_row = page.locator("tr[data-action='member.role_changed']")
    expect(event_row).to_have_count(1)
    expect(event_row).to_contain_text("修改了成员角色")
    expect(event_row).to_contain_text("Mei Wang")
    expect(event_row.locator(".before")).to_have_text("编辑")
    expect(event_row.locator(".after")).to_have_text("经理")

    # and: filtering by that action keeps it
    page.select_option("select[name=action]", "member.role_changed")
    page.click("[data-testid=audit-filters] button[type=submit]")
    expect(page.locator("tr[data-action]")).to_have_count(1)

    # Screenshots for the README, in English.
    page.click("[data-testid=language-switch] button[value=en]")
    expect(page.locator("h1")).to_have_text("Audit log")
    page.goto(f"{live_server.url}/w/{second.pk}/settings/audit/")
    page.screenshot(path=str(SCREENSHOTS / "audit-log.png"), full_page=True)
    page.goto(f"{live_server.url}/w/{second.pk}/settings/members/")
    expect(page.locator("h1")).to_have_text("Members & roles")
    page.screenshot(path=str(SCREENSHOTS / "members.png"), full_page=True)
