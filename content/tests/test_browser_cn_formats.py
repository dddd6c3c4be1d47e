"""Issue 13 in a real browser, in English and 简体中文, from the navigation to the composer:

- a Xiaohongshu note: three images chosen, the third dragged to the front (it becomes the cover), the
  note's own title and two topics typed in RED's "Platform settings"; the phone preview shows the carousel
  with three dots (the cover first), the title and the topics; the saved variant keeps that order.
- a Douyin video: the cover frame picked with the slider over the video (a still of the frame next to
  it), the phone preview standing at that frame with the title over it; saved as `cover_tsp`.

Screenshots: xhs-note-<en|zh>.png and video-cover-<en|zh>.png (var/screenshots, docs/screenshots with
`make screenshots`)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.tests.factories import WorkspaceFactory, WorkspaceMemberFactory
from channels_app.tests.factories import SocialAccountFactory
from content import services
from content.models import Post, PostTarget
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = Path(__file__).parent / "media" / "real_h264_aac.mp4"
COLORS = {"jasmine": "#e8d27c", "oolong": "#a0522d", "matcha": "#6b8e23"}


def png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buffer, format="PNG")
    return buffer.getvalue()


def brand(language: str, platform: str, handle: str, name: str):
    workspace = WorkspaceFactory(name="Lotus Tea China", timezone="Asia/Shanghai")
    member = WorkspaceMemberFactory(workspace=workspace, role=Role.EDITOR)
    member.user.language = language
    member.user.save()
    account = SocialAccountFactory(workspace=workspace, platform=platform, handle=handle, display_name=name)
    return workspace, member.user, account


def open_composer(browser, live_server, workspace, user, language, files: dict[str, bytes]):
    """Signed in, from the workspace's home through the navigation's Calendar to "New post". The live
    server serves no media files: the browser gets them from `files` (by file name)."""
    page = signed_in(new_page(browser), live_server, user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    def serve(route):
        url = route.request.url
        for name, body in files.items():
            if name in url:
                kind = "video/mp4" if name.endswith(".mp4") else "image/png"
                return route.fulfill(body=body, content_type=kind, headers={"Accept-Ranges": "bytes"})
        return route.fulfill(body=png("#cccccc"), content_type="image/png")

    page.route(f"**{settings.MEDIA_URL}**", serve)
    page.goto(f"{live_server.url}/w/{workspace.pk}/")
    page.locator(f"[data-testid=main-nav] a[href='/w/{workspace.pk}/calendar/']").click()
    page.get_by_test_id("new-post").click()
    expect(page.get_by_test_id("composer")).to_be_visible()
    return page


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_xiaohongshu_note_with_three_images_reordered_topics_and_the_phone_preview(
    browser, live_server, language
):
    # given: a RED account and three images in the library
    workspace, user, red = brand(language, "xiaohongshu", "lotus_tea", "莲花茶")
    images = {
        name: services.media_upload(
            actor=user,
            workspace=workspace,
            file=SimpleUploadedFile(f"{name}.png", png(color), content_type="image/png"),
        )
        for name, color in COLORS.items()
    }
    files = {}
    for name, asset in images.items():
        files[Path(asset.file.name).name] = png(COLORS[name])
        if asset.thumbnail:
            files[Path(asset.thumbnail.name).name] = png(COLORS[name])
    page = open_composer(browser, live_server, workspace, user, language, files)
    zh = language == "zh-hans"
    try:
        # when: the account, the text, three images in the library's order
        page.locator(f".acct-chip:has(input[value='{red.pk}'])").click()
        page.fill("[data-testid=main-text]", "春天的高山乌龙，清香回甘。")
        for name in ("jasmine", "oolong", "matcha"):
            page.get_by_test_id(f"media-tile-{images[name].pk}").locator("input[name=media]").check()
        # and: the last of the three dragged in front of the first
        checked = page.locator("[data-media-tile]:has(input[name=media]:checked) input[name=media]")

        def order():
            return [int(v) for v in checked.evaluate_all("els => els.map(e => e.value)")]

        before = order()
        page.get_by_test_id(f"media-tile-{before[-1]}").drag_to(
            page.get_by_test_id(f"media-tile-{before[0]}"), target_position={"x": 5, "y": 40}
        )
        expected = [before[-1], *before[:-1]]
        assert order() == expected
        cover_id = expected[0]
        expect(page.get_by_test_id(f"media-tile-{cover_id}").locator("[data-media-order]")).to_have_text(
            "1 · 封面" if zh else "1 · Cover"
        )
        # and: RED's own title and topics in its settings
        page.get_by_test_id("variant-tab-xiaohongshu").click()
        settings_box = page.get_by_test_id("platform-settings-xiaohongshu")
        expect(settings_box).to_contain_text("平台设置" if zh else "Platform settings")
        page.get_by_test_id("setting-xiaohongshu-title").fill("春茶上新｜高山乌龙")
        page.get_by_test_id("setting-xiaohongshu-topics").fill("#春茶 #下午茶")
        # then: the topics as tags, and the phone preview: three dots, the cover first, title, topics
        expect(page.get_by_test_id("chips-xiaohongshu-topics").locator("li")).to_have_text(
            ["#春茶", "#下午茶"]
        )
        phone = page.get_by_test_id("preview-xiaohongshu")
        expect(phone).to_be_visible()
        expect(phone.get_by_test_id("note-dots").locator("button")).to_have_count(3)
        by_id = {asset.pk: asset for asset in images.values()}
        cover = by_id[cover_id]
        first_slide = phone.locator("[data-note-slides] img").first.get_attribute("src")
        assert Path(cover.thumbnail.name or cover.file.name).name in first_slide
        expect(phone.get_by_test_id("note-title")).to_have_text("春茶上新｜高山乌龙")
        expect(phone.get_by_test_id("note-topics")).to_have_text("#春茶 #下午茶")
        # the dots move the carousel
        phone.get_by_test_id("note-dots").locator("button").nth(1).click()
        expect(phone.locator("[data-note-slides] img:not([hidden])")).to_have_count(1)
        expect(phone.locator(".note-dot.is-active")).to_have_attribute("data-dot", "1")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"xhs-note-{'zh' if zh else 'en'}.png"), full_page=True)
        # when: saved as a draft
        page.get_by_test_id("save-draft").click()
        page.wait_for_url("**/posts/*/")
        # then: the variant keeps the order, the title and the topics
        target = PostTarget.objects.get(post__workspace=workspace)
        assert [link.media_id for link in target.media_links.order_by("position")] == expected
        assert target.options == {"title": "春茶上新｜高山乌龙", "topics": ["春茶", "下午茶"]}
    finally:
        page.context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_douyin_cover_frame_picked_on_the_video(browser, live_server, language):
    # given: a Douyin account and a real H.264 video (0.5 s, 5 frames) in the library
    workspace, user, douyin = brand(language, "douyin", "lotustea_dy", "莲花茶抖音号")
    video = services.media_upload(
        actor=user,
        workspace=workspace,
        file=SimpleUploadedFile("brew.mp4", VIDEO.read_bytes(), content_type="video/mp4"),
    )
    page = open_composer(
        browser, live_server, workspace, user, language, {Path(video.file.name).name: VIDEO.read_bytes()}
    )
    zh = language == "zh-hans"
    try:
        # when: the account, the text, the video; Douyin's tab, its title
        page.locator(f".acct-chip:has(input[value='{douyin.pk}'])").click()
        page.fill("[data-testid=main-text]", "三十秒学会冷泡乌龙 #冷泡茶")
        page.get_by_test_id(f"media-tile-{video.pk}").locator("input[name=media]").check()
        page.get_by_test_id("variant-tab-douyin").click()
        page.get_by_test_id("setting-douyin-title").fill("冷泡乌龙教程")
        picker = page.get_by_test_id("cover-picker-douyin")
        expect(picker.locator("[data-cover-stage]")).to_be_visible()
        slider = page.get_by_test_id("setting-douyin-cover_tsp")
        expect(slider).to_have_attribute("max", "0.5")
        # and: the slider moved three steps (0.3 s) with the keyboard
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        # then: the time, a still of that frame, the phone preview at that frame with the title over it
        expect(page.get_by_test_id("cover-time-douyin")).to_have_text("0.3 s")
        still = page.get_by_test_id("cover-still-douyin")
        expect(still).to_have_attribute("data-drawn-at", "0.3")
        assert still.evaluate("c => c.width") == 32
        phone = page.get_by_test_id("preview-douyin")
        expect(phone.get_by_test_id("video-title-douyin")).to_have_text("冷泡乌龙教程")
        at_frame = "v => Math.abs(v.currentTime - 0.3) < 0.01"
        page.wait_for_function(
            f"() => ({at_frame})(document.querySelector('[data-testid=preview-douyin] video'))"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"video-cover-{'zh' if zh else 'en'}.png"), full_page=True)
        # when: saved
        page.get_by_test_id("save-draft").click()
        page.wait_for_url("**/posts/*/")
        # then
        target = PostTarget.objects.get(post__workspace=workspace)
        assert target.options == {"title": "冷泡乌龙教程", "cover_tsp": 0.3}
        assert Post.objects.get(workspace=workspace).title == ""
    finally:
        page.context.close()
