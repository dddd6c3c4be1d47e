"""In a real browser, in English and in Chinese, nothing typed into the address bar after the workspace's
home: the navigation's Media library, an image uploaded and given alt text; the user menu's organization
settings; then the workspace switcher's New workspace, which creates one and opens it. Saves
media-library-<lang>.png, organization-settings-<lang>.png and new-workspace-<lang>.png."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.models import Workspace, WorkspaceMember
from accounts.roles import OrgRole, Role
from accounts.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from content.models import MediaAsset
from core.models import AuditEvent
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"kind": "Image", "saved": "Alt text of “teapot.png” saved.", "tz_label": "Time zone"},
    "zh-hans": {"kind": "图片", "saved": "“teapot.png”的替代文本已保存。", "tz_label": "时区"},
}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_media_library_then_a_new_workspace_from_the_switcher(browser, live_server, language):
    # given: the owner of a brand with one workspace
    owner = UserFactory(email="li.na@example.com", full_name="Li Na")
    membership = MembershipFactory(
        user=owner, role=OrgRole.OWNER, organization__name="Lotus Tea", organization__slug="lotus"
    )
    workspace = WorkspaceFactory(organization=membership.organization, name="Lotus Tea China", slug="china")
    WorkspaceMemberFactory(workspace=workspace, user=owner, role=Role.ADMIN)
    page = signed_in(new_page(browser), live_server, owner)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    text = TEXT[language]
    page.goto(f"{live_server.url}/w/{workspace.pk}/")

    # when: the navigation's Media library, then an upload
    page.locator(f'[data-testid=main-nav] a[href="/w/{workspace.pk}/media/"]').click()
    page.set_input_files(
        '[data-testid=media-upload] input[type="file"]',
        files=[{"name": "teapot.png", "mimeType": "image/png", "buffer": png()}],
    )
    page.click("[data-testid=media-upload-submit]")
    # then: the file is in the grid, with its kind in the person's language and its size
    card = page.locator("[data-testid=media-card]")
    expect(card).to_have_count(1)
    expect(card.locator("[data-testid=media-kind]")).to_have_text(text["kind"])
    expect(card.locator("[data-testid=media-dimensions]")).to_have_text("640 × 480")

    # when: alt text
    card.locator("details.ml-edit > summary").click()
    card.locator("textarea[name=alt_text]").fill("A clay teapot on a bamboo tray")
    card.locator("[data-testid=media-alt-save]").click()
    # then
    expect(page.locator(".flash-success")).to_contain_text(text["saved"])
    expect(page.locator("[data-testid=media-alt]")).to_have_text("A clay teapot on a bamboo tray")
    asset = MediaAsset.objects.get(workspace=workspace)
    assert asset.alt_text == "A clay teapot on a bamboo tray" and asset.uploaded_by == owner
    assert AuditEvent.objects.filter(action="media.update", target_id=str(asset.pk)).exists()
    page.screenshot(path=str(SCREENSHOTS / f"media-library-{language[:2]}.png"), full_page=True)

    # when: the user menu's organization settings
    page.click("[data-testid=user-menu] > summary")
    page.click("[data-testid=menu-organization-settings]")
    # then
    expect(page.locator("[data-testid=organization-form] input[name=name]")).to_have_value("Lotus Tea")
    page.screenshot(path=str(SCREENSHOTS / f"organization-settings-{language[:2]}.png"), full_page=True)

    # when: the switcher's New workspace
    page.click("[data-testid=workspace-switcher] > summary")
    page.click("[data-testid=switcher-new-workspace]")
    form = page.locator("[data-testid=workspace-new-form]")
    expect(form.locator("label", has_text=text["tz_label"])).to_be_visible()
    form.locator("input[name=name]").fill("Lotus Tea Japan")
    form.locator("input[name=slug]").fill("japan")
    form.locator("select[name=timezone]").select_option("Asia/Tokyo")
    form.locator("select[name=currency]").select_option("JPY")
    page.screenshot(path=str(SCREENSHOTS / f"new-workspace-{language[:2]}.png"), full_page=True)
    page.click("[data-testid=workspace-create]")
    # then: they land in the new workspace, as its admin
    created = Workspace.objects.get(organization=membership.organization, slug="japan")
    expect(page).to_have_url(f"{live_server.url}/w/{created.pk}/")
    expect(page.locator("[data-testid=workspace-switcher] .switcher-name")).to_have_text("Lotus Tea Japan")
    assert (created.timezone, created.currency) == ("Asia/Tokyo", "JPY")
    assert WorkspaceMember.objects.get(workspace=created, user=owner).role == Role.ADMIN
    page.context.close()
