"""A workspace leaving, in a real browser, in English and in Chinese: from the user menu to the
organization's settings, "Export or delete" next to the workspace; export it (the zip downloads with its
manifest), delete it (a wrong name first: the message next to the field), see it listed as deleted and
restore it. Saves workspace-leave-en.png and workspace-leave-zh.png."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import expect

from accounts.models import Workspace
from accounts.roles import OrgRole, Role
from accounts.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    WorkspaceFactory,
    WorkspaceMemberFactory,
)
from content.tests.factories import PostFactory
from core.models import AuditEvent
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_export_delete_and_restore_a_workspace_from_the_organization_settings(
    browser, live_server, settings, tmp_path, language
):
    # given an organization's owner and a workspace with posts
    settings.MEDIA_ROOT = str(tmp_path / "media")
    organization = OrganizationFactory(name="Lotus Tea")
    owner = UserFactory(email="li.na@example.com", full_name="Li Na", language=language)
    MembershipFactory(organization=organization, user=owner, role=OrgRole.OWNER)
    workspace = WorkspaceFactory(organization=organization, name="Lotus Tea China")
    WorkspaceMemberFactory(workspace=workspace, user=owner, role=Role.ADMIN)
    posts = {PostFactory(workspace=workspace, author=owner).pk for _ in range(3)}
    page = signed_in(new_page(browser), live_server, owner)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # when: the user menu, the organization's settings, "Export or delete" next to the workspace
    page.locator('[data-testid="user-menu"] summary').click()
    page.click('[data-testid="menu-organization-settings"]')
    page.click('[data-testid="workspace-leave-link"]')
    page.click('[data-testid="workspace-export-start"]')
    # then the export is listed and, done, downloads a zip with every post
    download_link = page.locator('[data-testid="workspace-export-download"]').first
    expect(download_link).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    with zipfile.ZipFile(download.value.path()) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = [json.loads(line) for line in archive.read("data/content.post.jsonl").splitlines()]
    assert manifest["workspace"]["id"] == workspace.pk
    assert {row["pk"] for row in rows} == posts

    # when: delete with a wrong name, then the right one
    form = page.locator('[data-testid="workspace-delete"]')
    form.locator('input[name="confirm_name"]').fill("Lotus")
    form.locator('[data-testid="workspace-delete-confirm"]').click()
    expect(page.locator(".field-error")).to_contain_text("Lotus Tea China")
    assert Workspace.objects.get(pk=workspace.pk).deleted_at is None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    short = "zh" if language.startswith("zh") else "en"
    page.screenshot(path=str(SCREENSHOTS / f"workspace-leave-{short}.png"), full_page=True)
    form = page.locator('[data-testid="workspace-delete"]')
    form.locator('input[name="confirm_name"]').fill("Lotus Tea China")
    form.locator('[data-testid="workspace-delete-confirm"]').click()

    # then: back on the organization's settings, listed as deleted; gone from the workspace itself
    expect(page.locator('[data-testid="workspace-deleted"]')).to_contain_text("Lotus Tea China")
    assert Workspace.objects.get(pk=workspace.pk).purge_after is not None
    assert page.request.get(f"{live_server.url}/w/{workspace.pk}/").status == 404

    # when: restored during the grace period
    page.click('[data-testid="workspace-restore"]')
    expect(page.locator('[data-testid="workspace-deleted"]')).to_have_count(0)
    assert page.request.get(f"{live_server.url}/w/{workspace.pk}/").status == 200
    actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"workspace.export_requested", "workspace.deleted", "workspace.restored"} <= actions
