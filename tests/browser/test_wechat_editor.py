"""In a real browser, in English and in Chinese: from the post page to the composer, the WeChat variant's
"Edit WeChat articles", then an article added, its cover chosen from the library and cropped 1:1, the
phone's chat card showing it, and the push saved through the post services (a new version, audited).
Saves wechat-editor-en.png and wechat-editor-zh.png (the README tour shows them)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import UserFactory, WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Post, PostTarget
from core.models import AuditEvent
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {"en": "WeChat articles saved.", "zh-hans": "微信图文已保存。"}
CROP = re.compile(r"^\d\.\d{6}_\d\.\d{6}_\d\.\d{6}_\d\.\d{6}$")


def png(size, color) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile("image.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_wechat_editor_from_the_composer(browser, live_server, language):
    # given: a WeChat Official Account post with a cover, and an image in the library
    workspace = WorkspaceFactory(name="Lumière China")
    editor = UserFactory(email="editor@example.com", full_name="Wang Fang")
    WorkspaceMemberFactory(workspace=workspace, user=editor, role=Role.EDITOR)
    account = SocialAccountFactory(
        workspace=workspace, platform="wechat_oa", handle="lumiere_cn", display_name="Lumière"
    )
    cover = services.media_upload(
        actor=editor, workspace=workspace, file=png((940, 400), (180, 83, 58)), alt_text="Cover"
    )
    services.media_upload(
        actor=editor, workspace=workspace, file=png((600, 400), (2, 132, 199)), alt_text="Sea"
    )
    post = services.post_create(
        actor=editor,
        workspace=workspace,
        title="巴黎工坊的一天",
        targets=[
            {
                "account": account.pk,
                "text": "清晨七点，工坊亮起了灯。\n傍晚，灯一盏盏熄灭。",
                "media": [cover.pk],
            }
        ],
    )
    page = signed_in(new_page(browser), live_server, editor)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = PostTarget.objects.get(post=post)

    # when: the post page's Edit, the WeChat tab, Edit WeChat articles
    page.goto(f"{live_server.url}/w/{workspace.pk}/posts/{post.pk}/")
    page.click("[data-testid=edit-post]")
    page.click("[data-testid=variant-tab-wechat_oa]")
    page.click(f"[data-testid=wechat-editor-link-{account.pk}]")
    # then: article 1 is the variant, shown on the phone's big card
    expect(page.locator("[data-testid=wx-article-1]")).to_be_visible()
    expect(page.locator("[data-testid=wx-card-main]")).to_contain_text("巴黎工坊的一天")

    # when: an article is added, titled, written, given the library's image as cover and cropped 1:1
    page.click("[data-testid=wx-add-article]")
    page.fill("[data-testid=wx-title-2]", "玫瑰为什么要在日出前采摘")
    page.fill("[data-testid=wx-author-2]", "Claire")
    page.fill("[data-testid=wx-body-2]", "格拉斯的玫瑰田在清晨五点迎来采摘工。")
    page.click("[data-testid=wx-cover-pick-2]")
    page.locator("[data-testid=wx-library-item]").first.click()
    page.click("[data-testid=wx-crop-2]")
    expect(page.locator(".cropper-crop-box")).to_be_visible()
    page.click("[data-testid=wx-crop-apply]")
    # then: the crop is recorded and the chat card has a small row for article 2
    expect(page.locator("[data-testid=wx-crop-state-2]")).to_contain_text("1:1")
    expect(page.locator("[data-testid=wx-card-row]")).to_have_count(1)
    expect(page.locator("[data-testid=wx-card-row]")).to_contain_text("玫瑰为什么要在日出前采摘")
    page.screenshot(path=str(SCREENSHOTS / f"wechat-editor-{language[:2]}.png"), full_page=True)

    # when: saved
    page.click("[data-testid=wx-save]")
    # then: a new version through the post services, the push stored with a 1:1 crop, audited
    expect(page.locator(".flash-success")).to_contain_text(TEXT[language])
    target.refresh_from_db()
    (article,) = target.options["articles"]
    assert article["title"] == "玫瑰为什么要在日出前采摘" and article["author"] == "Claire"
    assert CROP.match(article["cover_crop"]), article["cover_crop"]
    x1, y1, x2, y2 = (float(v) for v in article["cover_crop"].split("_"))
    assert abs((x2 - x1) * 600 - (y2 - y1) * 400) < 2  # square in pixels
    assert Post.objects.get(pk=post.pk).version == post.version + 1
    assert AuditEvent.objects.filter(action="post.update", target_id=str(post.pk)).exists()
    expect(page.locator("[data-testid=wx-card-row]")).to_have_count(1)
    page.context.close()
