"""Issue 13, acceptance 1: each persona's day, end to end, in a real browser, with the demo's data and its
people, on the platform simulator. Nobody types an address but the workspace's home (where a bookmark
or the sign-in lands them); everything after is clicks.

1. The editor writes one post for Weibo, Xiaohongshu and the WeChat Official Account, with an absolute
   claim in it, in the launch campaign (so the external HQ stage applies), and submits it from the
   composer.
2. The marketing manager approves it from the Approvals page.
3. Legal (the workflow sends every post with an advertising-law finding to legal) sees the finding on the
   review page and sends the post back with a comment.
4. The editor finds it under "Sent back to me", replies in the comment's thread, fixes the text in the
   composer and resubmits.
5. Legal sees what changed since the last review, field by field, and approves.
6. HQ, outside the company, approves through a review link after confirming its email with a code.
7. The manager publishes it now: Weibo and WeChat go out through the simulator; the Xiaohongshu variant
   waits for the responsible person, who confirms it with the live link.
8. The admin adds a final stage to the workflow in the settings, and the editor's next post takes it.

Run in 简体中文 (the language of the demo's China workspace) and in English: the status words checked are
the model's labels in the walker's language. Screenshots persona-*.png (the Chinese walk) and
persona-en-*.png."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts.models import User, Workspace
from approvals.models import ApprovalRequest, ApprovalStage, RequestStatus
from channels_app.models import SocialAccount
from content.models import Campaign, Post, Tag, TargetStatus
from tests.browser.kit import new_page, signed_in
from tests.browser.screens import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLAIM = "最佳"
LINK = "https://lumiere.example/cn/serum"  # Weibo's share API takes posts with a link to the app's domain
FIRST = f"焕颜精华上新：{CLAIM}修护之选，敏感肌也能安心使用。{LINK}"
FIXED = f"焕颜精华上新：温和修护，敏感肌也能安心使用。{LINK}"
HQ = "brand-hq@lumiere.test"


LANGUAGES = {"zh-hans": "persona-", "en": "persona-en-"}  # the walker's language: screenshot prefix


def person(browser, live_server, email, language):
    page = signed_in(new_page(browser), live_server, User.objects.get(email=email))
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.walk_language = language  # (for the screenshots' names)
    return page


def label(choice, language) -> str:
    """A status as the walker reads it: the choice's label in their language."""
    with translation.override(language):
        return str(choice.label)


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = LANGUAGES[page.walk_language]
    page.screenshot(path=str(SCREENSHOTS / f"{prefix}{name}.png"), full_page=True)


def nav(page, key):
    """Click a section of the sidebar by its address (the label is in Chinese)."""
    page.locator(f"[data-testid=main-nav] a[href$='/{key}/']").first.click()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_editor_manager_legal_hq_and_admin_walk_one_post_from_draft_to_published(
    browser, live_server, platform_sim, language
):
    # given: the demo, its accounts on the simulator
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        call_command(
            "seed_demo",
            "--no-analytics",
            "--sim-url",
            platform_sim.base_url,
            stdout=StringIO(),
            stderr=StringIO(),
        )
    china = Workspace.objects.get(organization__slug="lumiere", slug="china")
    home = f"{live_server.url}/w/{china.pk}/"
    accounts = {
        platform: SocialAccount.objects.get(workspace=china, platform=platform)
        for platform in ("weibo", "xiaohongshu", "wechat_oa")
    }
    # (the HQ stage applies to the launch campaign's posts with the second pillar's tag)
    hq_stage = ApprovalStage.objects.filter(workflow__workspace=china).order_by("position").last()
    launch = Campaign.objects.get(pk=hq_stage.condition["campaigns"][0])
    pillar = Tag.objects.get(pk=hq_stage.condition["tags"][0])

    # 1. the editor writes the post in the composer and submits it
    editor = person(browser, live_server, "editor@demo.kawo.test", language)
    editor.goto(home)
    nav(editor, "calendar")
    editor.click("[data-testid=new-post]")
    for account in accounts.values():
        editor.locator(f".acct-chip:has(input[value='{account.pk}'])").click()
    editor.fill("input[name=title]", "焕颜精华上新")
    editor.fill("[data-testid=main-text]", FIRST)
    editor.locator("label.media-tile[data-kind=image]").first.click()  # (WeChat takes images only)
    editor.select_option("select[name=campaign]", str(launch.pk))
    editor.locator(f"label.tag-option:has(input[value='{pillar.pk}'])").click()
    tomorrow = (timezone.now().astimezone(china.tzinfo) + timedelta(days=1)).date()
    editor.fill("input[name=scheduled_date]", tomorrow.isoformat())
    editor.fill("input[name=scheduled_time]", "10:00")
    expect(editor.locator("[data-testid=findings]")).to_contain_text(CLAIM)
    shot(editor, "1-composer")
    editor.click("[data-testid=submit-for-approval]")
    expect(editor.locator("[data-testid=request-status]")).to_have_text(
        label(RequestStatus.IN_PROGRESS, language)
    )
    post = Post.objects.get(workspace=china, title="焕颜精华上新")

    # 2. the manager approves it from the Approvals page
    manager = person(browser, live_server, "manager@demo.kawo.test", language)
    manager.goto(home)
    nav(manager, "approvals")
    manager.locator("[data-testid=approval-queue]").get_by_role("link", name="焕颜精华上新").click()
    manager.click("[data-testid=approve]")
    expect(manager.locator("[data-testid=stages] li").nth(1)).to_have_attribute(
        "data-stage-status", "in_progress"
    )

    # 3. legal sees the finding on the review page and sends it back with a comment
    legal = person(browser, live_server, "legal@demo.kawo.test", language)
    legal.goto(home)
    nav(legal, "approvals")
    legal.locator("[data-testid=approval-queue]").get_by_role("link", name="焕颜精华上新").click()
    expect(legal.locator("[data-testid=review-findings]")).to_contain_text(CLAIM)
    legal.fill("[data-testid=phrase]", CLAIM)  # the comment is anchored to the claim: a thread on it
    legal.fill("[data-testid=comment]", f"“{CLAIM}”属于绝对化用语，请改写。")
    legal.click("[data-testid=request-changes]")
    expect(legal.locator("[data-testid=request-status]")).to_have_text(
        label(RequestStatus.CHANGES_REQUESTED, language)
    )
    shot(legal, "3-legal-sends-back")

    # 4. the editor finds it sent back, replies in the thread, fixes it and resubmits
    editor.goto(home)
    nav(editor, "approvals")
    sent_back = editor.locator("[data-testid=sent-back]")
    expect(sent_back).to_contain_text("请改写")
    sent_back.get_by_role("link", name="焕颜精华上新").first.click()
    thread = editor.locator("[data-testid=thread]").first
    thread.locator("[data-testid=reply-body]").fill("已改为“温和修护”。")
    thread.locator("[data-testid=reply]").click()
    expect(editor.locator("[data-testid=thread]").first).to_contain_text("已改为")
    editor.locator(f"a[href$='/posts/{post.pk}/']").first.click()
    editor.click("[data-testid=edit-post]")
    editor.fill("[data-testid=main-text]", FIXED)
    editor.click("[data-testid=submit-for-approval]")
    expect(editor.locator("[data-testid=request-status]")).to_have_text(
        label(RequestStatus.IN_PROGRESS, language)
    )

    # 5. legal sees what changed since the last review and approves
    legal.goto(home)
    nav(legal, "approvals")
    legal.locator("[data-testid=approval-queue]").get_by_role("link", name="焕颜精华上新").click()
    changes = legal.locator("[data-testid=since-review]")
    expect(changes).to_contain_text(CLAIM)
    expect(changes).to_contain_text("温和修护")
    shot(legal, "5-legal-sees-the-diff")
    legal.click("[data-testid=approve]")
    expect(legal.locator("[data-testid=stages] li").nth(2)).to_have_attribute(
        "data-stage-status", "in_progress"
    )

    # 6. HQ approves through a review link, after confirming its email
    manager.goto(home)
    nav(manager, "approvals")
    manager.locator("main").get_by_role("link", name="焕颜精华上新").first.click()
    manager.fill("[data-testid=share-email]", HQ)
    manager.click("[data-testid=share]")
    message = manager.locator(".flash").filter(has_text="/review/").first.inner_text()
    link = re.search(r"(https?://\S+/review/\S+/)", message).group(1)
    hq = new_page(browser)
    hq.goto(live_server.url + link[link.index("/review/") :])
    mail.outbox.clear()
    hq.click("[data-testid=send-code]")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    hq.fill("input[name=code]", code)
    hq.click("[data-testid=verify-code]")
    expect(hq.locator("[data-testid=review-preview]").first).to_contain_text("温和修护")
    hq.click("[data-testid=approve]")
    request = ApprovalRequest.objects.filter(post=post).order_by("-id").first()
    assert request.status == "approved"

    # 7. the post is scheduled for tomorrow; the manager publishes it now, and the responsible person
    # confirms the assisted Xiaohongshu variant by hand with its live link
    post.refresh_from_db()
    assert post.status == "scheduled"
    manager.reload()
    manager.locator(f"a[href$='/posts/{post.pk}/']").first.click()
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.click("[data-testid=publish-now]")
    panels = manager.locator("[data-testid=publish-panel]")
    expect(panels).to_have_count(3)
    for platform in ("weibo", "wechat_oa"):
        target = post.targets.get(account=accounts[platform])
        expect(
            manager.locator(
                f"[data-testid=publish-panel][data-target-id='{target.pk}'] [data-testid=publish-url]"
            )
        ).to_be_visible()
    note = post.targets.get(account=accounts["xiaohongshu"])
    confirm = manager.locator(
        f"[data-testid=publish-panel][data-target-id='{note.pk}'] [data-testid=confirm-form]"
    )
    confirm.locator("input[name=url]").fill("https://www.xiaohongshu.com/explore/65f0c0de000000001203abcd")
    confirm.locator("button[type=submit]").click()
    expect(manager.locator("[data-testid=post-status]")).to_have_text(label(TargetStatus.PUBLISHED, language))
    shot(manager, "7-published")
    stored = {item["text"] for item in platform_sim.posts("weibo")}
    assert FIXED in "".join(stored)

    # 8. the admin adds a last stage; the editor's next post takes it
    admin = person(browser, live_server, "admin@demo.kawo.test", language)
    admin.goto(home)
    admin.locator("nav a[href$='/settings/workflows/']").first.click()
    admin.locator("[data-testid=edit-workflow]").first.click()
    admin.click("[data-testid=add-stage]")
    stage = admin.locator("[data-testid=stage-form]").nth(3)
    stage.locator("input[name='stages-3-name']").fill("品牌总监终审")
    stage.locator("label", has_text="Wang Fang").locator("input").check()
    admin.click("[data-testid=save-workflow]")
    expect(admin.locator("body")).to_contain_text("品牌总监终审")
    editor.goto(home)
    nav(editor, "calendar")
    editor.click("[data-testid=new-post]")
    editor.locator(f".acct-chip:has(input[value='{accounts['weibo'].pk}'])").click()
    editor.fill("input[name=title]", "周末直播预告")
    editor.fill("[data-testid=main-text]", f"周六晚八点直播间见！{LINK}")
    editor.locator(f"label.tag-option:has(input[value='{pillar.pk}'])").click()  # the pillar is required
    editor.click("[data-testid=submit-for-approval]")
    shot(editor, "8-new-path")
    stages = editor.locator("[data-testid=stages]")
    expect(stages).to_contain_text("品牌总监终审")
    shot(editor, "8-new-path")
